"""`hw1 gradescope build`: a Gradescope autograder bundle (setup.sh, run_autograder, the source).

Gradescope unpacks the zip into /autograder/source, runs setup.sh once when building the image,
then run_autograder for each submission; run_autograder grades /autograder/submission and writes
/autograder/results/results.json. HW1_AUTOGRADER_ROOT replaces /autograder (for testing).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import grader
import problems

# What the bundle's hw1 imports: grading (typer, rich, numpy, sympy), notebooks (nbformat) and the
# child's seccomp layer (pyseccomp). Not pyyaml or matplotlib: rosters and class reports are not made
# on Gradescope. Everything these need comes with them, pinned.
BUNDLE_DEPENDENCIES = ("typer", "rich", "numpy", "sympy", "nbformat", "pyseccomp")
DEFAULT_INDEX = "https://pypi.org/simple"

SETUP = """#!/usr/bin/env bash
# Runs once when Gradescope builds the autograder image: a venv of hw1's own (so an externally
# managed system Python, PEP 668, does not matter), the exact dependency versions pinned at build
# time (requirements.txt), then hw1 itself; the source and the references made root-only.
set -euo pipefail
SRC="$(cd "$(dirname "$0")" && pwd)"
ROOT="${HW1_AUTOGRADER_ROOT:-/autograder}"
PY="${HW1_SETUP_PYTHON:-python3}"
if ! "$PY" -I -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
fi
"$PY" -I -m venv "$ROOT/hw1-venv"
VPY="$ROOT/hw1-venv/bin/python"
"$VPY" -I -m pip install -q --no-cache-dir -r "$SRC/requirements.txt"
"$VPY" -I -m pip install -q --no-cache-dir --no-deps "$SRC/hw1"
chmod -R go-rwx "$SRC"
# every trusted-side file (references, the grader's judging modules): 0600, checked at start-up
"$VPY" -I -c 'import os; from grader import sandbox
for p in sandbox.answer_files() + sandbox.trusted_modules(): os.chmod(p, 0o600)'
"""

RUN = """#!/usr/bin/env bash
# Grades the submission in $ROOT/submission and writes $ROOT/results/results.json, always: a
# fallback with score 0 and the error when hw1 itself fails. hw1 runs in isolated mode (-I) from
# an empty directory, so no file a student submits can shadow hw1 or its dependencies.
set -uo pipefail
ROOT="${HW1_AUTOGRADER_ROOT:-/autograder}"
RESULTS="$ROOT/results/results.json"
VPY="$ROOT/hw1-venv/bin/python"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
fallback() {
  "$VPY" -I -c 'import json, sys; json.dump({"score": 0, "output": sys.argv[1], "output_format": "text",
      "tests": []}, open(sys.argv[2], "w"))' "$1" "$RESULTS" 2>/dev/null \\
    || printf '{"score": 0, "output": "hw1 could not run: see the autograder output", "tests": []}\\n' > "$RESULTS"
  exit 0
}
pick() {  # submission.py, else the first .py, else the first .ipynb, at any depth
  find "$ROOT/submission" -type f -name "$1" -print0 2>/dev/null | sort -z | head -z -n 1 | tr -d '\\0'
}
file="$(pick submission.py)"
[ -n "$file" ] || file="$(pick '*.py')"
[ -n "$file" ] || file="$(pick '*.ipynb')"
[ -n "$file" ] || fallback "No .py or .ipynb file was submitted: upload your solution as a single Python file."
WORK="$(mktemp -d)"
cd "$WORK" || fallback "hw1 could not make its working directory"
"$VPY" -I -m grader grade "$file" --format gradescope --output "$RESULTS" %(options)s > "$WORK.log" 2>&1
rc=$?
cat "$WORK.log"
check='import json, sys; assert "score" in json.load(open(sys.argv[1]))'
if [ $rc -ne 0 ] || ! "$VPY" -I -c "$check" "$RESULTS" 2>/dev/null; then
  fallback "hw1 failed (exit $rc) grading this submission: $(tail -n 3 "$WORK.log" | cut -c1-500)"
fi
"""

PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "hw1"
version = "%(version)s"
requires-python = ">=3.10"
dependencies = ["typer>=0.12,<0.25", "rich>=13", "numpy>=1.24", "sympy>=1.12", "nbformat>=5.7", "pyseccomp>=0.1.2"]

[project.scripts]
hw1 = "grader.launch:main"

[tool.setuptools.packages.find]
include = ["grader*", "problems*"]

[tool.setuptools.package-data]
problems = ["*/*.md"]
"""


def build(output: Path, options: str = "", index: str | None = DEFAULT_INDEX) -> list[str]:
    """Write the bundle; return the names it contains. `index`: where to look up the hashes of
    the pinned releases (None: pins without hashes)."""
    pinned = requirements(index)  # before the zip is opened: a failed lookup leaves no half bundle
    names = []
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN % {"options": options})):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            z.writestr(info, text)
            names.append(name)
        z.writestr("hw1/pyproject.toml", PYPROJECT % {"version": _version()})
        z.writestr("requirements.txt", pinned)
        names += ["hw1/pyproject.toml", "requirements.txt"]
        for package in (grader, problems):
            root = Path(package.__path__[0])
            for path in sorted(root.rglob("*")):
                if path.suffix in (".py", ".md") and "__pycache__" not in path.parts:
                    arc = f"hw1/{root.name}/{path.relative_to(root).as_posix()}"
                    z.write(path, arc)
                    names.append(arc)
    return names


class HashLookupFailed(Exception):
    """The package index could not say which files a pinned release has."""


def pins(top: tuple[str, ...] = BUNDLE_DEPENDENCIES) -> dict[str, str]:
    """Exact versions of every dependency, transitive ones included, as installed here."""
    from importlib import metadata

    try:
        from packaging.requirements import Requirement
    except ImportError:  # pragma: no cover - packaging comes with pip's environments
        Requirement = None  # type: ignore[assignment,misc]
    seen: dict[str, str] = {}
    todo = list(top)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a dependency for another platform or Python
        seen[key] = dist.version
        for req in dist.requires or []:
            if Requirement is not None:
                r = Requirement(req)
                if r.marker and not r.marker.evaluate({"extra": ""}):
                    continue
                todo.append(r.name)
            elif "extra ==" not in req:
                todo.append(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0])
    return dict(sorted(seen.items()))


def release_hashes(name: str, version: str, index: str = DEFAULT_INDEX, timeout: float = 30) -> list[str]:
    """sha256 of every file (wheels for all platforms, sdist) of one release, from the index's
    JSON simple API (PEP 691), as `pip-compile --generate-hashes` lists them: pip in hash-checking
    mode then installs only one of exactly these files, whatever Python the image has."""
    import json
    import urllib.request

    from packaging.utils import canonicalize_version, parse_sdist_filename, parse_wheel_filename

    url = f"{index.rstrip('/')}/{name}/"
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - an index URL
            files = json.load(response).get("files", [])
    except (OSError, ValueError) as e:
        raise HashLookupFailed(f"cannot read {url}: {getattr(e, 'reason', e)}") from None
    want = canonicalize_version(version)
    found = []
    for f in files:
        filename = str(f.get("filename", ""))
        try:
            if filename.endswith(".whl"):
                got = parse_wheel_filename(filename)[1]
            else:
                got = parse_sdist_filename(filename)[1]
        except Exception:  # noqa: BLE001 - an egg, an exe or a name packaging cannot read
            continue
        sha = (f.get("hashes") or {}).get("sha256")
        if canonicalize_version(got) == want and isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha):
            found.append(sha)
    if not found:
        raise HashLookupFailed(f"{url} lists no file of {name} {version}")
    return sorted(set(found))


def requirements(index: str | None = DEFAULT_INDEX) -> str:
    """requirements.txt for setup.sh: `name==version` for every pin, each with the sha256 of its
    release's files (pip's hash-checking mode: nothing else installs); `index=None`: no hashes."""
    lines = []
    for name, version in pins().items():
        if index is None:
            lines.append(f"{name}=={version}\n")
        else:
            hashes = "".join(f" \\\n    --hash=sha256:{h}" for h in release_hashes(name, version, index))
            lines.append(f"{name}=={version}{hashes}\n")
    return "".join(lines)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("hw1")
    except Exception:  # noqa: BLE001 - running from a source tree
        return "0.0.0"
