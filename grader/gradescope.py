"""`hw1 gradescope build`: a Gradescope autograder bundle (setup.sh, run_autograder, the source).

Gradescope unpacks the zip into /autograder/source, runs setup.sh once when building the image,
then run_autograder for each submission; run_autograder grades /autograder/submission and writes
/autograder/results/results.json. HW1_AUTOGRADER_ROOT replaces /autograder (for testing).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import grader
import problems

SETUP = """#!/usr/bin/env bash
# Runs once when Gradescope builds the autograder image: install hw1 and its dependencies.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m pip install --no-cache-dir ./hw1
"""

RUN = """#!/usr/bin/env bash
# Grades the submission in $ROOT/submission and writes $ROOT/results/results.json.
set -uo pipefail
ROOT="${HW1_AUTOGRADER_ROOT:-/autograder}"
mkdir -p "$ROOT/results"
shopt -s nullglob
files=("$ROOT"/submission/*.py)
if [ -f "$ROOT/submission/submission.py" ]; then
  file="$ROOT/submission/submission.py"
elif [ ${#files[@]} -ge 1 ]; then
  file="${files[0]}"
else
  msg="No .py file was submitted: upload your solution as a single Python file."
  printf '{"score": 0, "output": "%%s", "tests": []}\\n' "$msg" > "$ROOT/results/results.json"
  exit 0
fi
python3 -m grader grade "$file" --format gradescope --output "$ROOT/results/results.json" %(options)s
"""

PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "hw1"
version = "%(version)s"
requires-python = ">=3.10"
dependencies = ["typer>=0.12,<0.25", "rich>=13", "numpy>=1.24", "sympy>=1.12"]

[project.scripts]
hw1 = "grader.launch:main"

[tool.setuptools.packages.find]
include = ["grader*", "problems*"]

[tool.setuptools.package-data]
problems = ["*/*.md"]
"""


def build(output: Path, options: str = "") -> list[str]:
    """Write the bundle; return the names it contains."""
    names = []
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN % {"options": options})):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            z.writestr(info, text)
            names.append(name)
        z.writestr("hw1/pyproject.toml", PYPROJECT % {"version": _version()})
        names.append("hw1/pyproject.toml")
        for package in (grader, problems):
            root = Path(package.__path__[0])
            for path in sorted(root.rglob("*")):
                if path.suffix in (".py", ".md") and "__pycache__" not in path.parts:
                    arc = f"hw1/{root.name}/{path.relative_to(root).as_posix()}"
                    z.write(path, arc)
                    names.append(arc)
    return names


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("hw1")
    except Exception:  # noqa: BLE001 - running from a source tree
        return "0.0.0"
