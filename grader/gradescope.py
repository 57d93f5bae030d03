"""`hw1 gradescope build`: a Gradescope autograder bundle (setup.sh, run_autograder, the source).

Gradescope unpacks the zip into /autograder/source, runs setup.sh once when building the image,
then run_autograder for each submission; run_autograder grades /autograder/submission and writes
/autograder/results/results.json. HW1_AUTOGRADER_ROOT replaces /autograder (for testing).
"""

from __future__ import annotations

import functools
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
# Gradescope's default base image is Ubuntu 22.04 (gradescope/autograder_samples, docs/base_images.md:
# "The default base image that we use is currently Ubuntu 22.04"), whose python3 is 3.10, glibc
# 2.35, on x86_64. --python names another base image's Python.
DEFAULT_TARGET_PYTHON = "3.10"
TARGET_GLIBC_MINOR = 35
TARGET_MACHINE = "x86_64"
HW1_REQUIRES_PYTHON = ">=3.10"  # as pyproject.toml says; written into the bundle's copy of it
CHECKED_PYTHONS = tuple(f"3.{minor}" for minor in range(10, 15))  # offered when the target fails

SETUP = """#!/usr/bin/env bash
# Runs once when Gradescope builds the autograder image: a venv of hw1's own (so an externally
# managed system Python, PEP 668, does not matter), the exact dependency versions pinned at build
# time (requirements.txt), then hw1 itself; the source and the references made root-only.
set -euo pipefail
SRC="$(cd "$(dirname "$0")" && pwd)"
ROOT="${HW1_AUTOGRADER_ROOT:-/autograder}"
# the Python `hw1 gradescope build --python` was for (its pins checked against it), else python3
WANT=@TARGET_PYTHON@
PY="${HW1_SETUP_PYTHON:-$(command -v "python$WANT" || echo python3)}"
HAVE="$("$PY" -I -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$HAVE" != "$WANT" ]; then
  echo "hw1 setup: the bundle was built for Python $WANT, and $PY is $HAVE; if pip fails below," \\
       "build it again with: hw1 gradescope build --python $HAVE" >&2
fi
if ! "$PY" -I -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "python$HAVE-venv" \\
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
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
requires-python = "%(requires_python)s"
dependencies = ["typer>=0.12,<0.25", "rich>=13", "numpy>=1.24", "sympy>=1.12", "nbformat>=5.7", "pyseccomp>=0.1.2"]

[project.scripts]
hw1 = "grader.launch:main"

[tool.setuptools.packages.find]
include = ["grader*", "problems*"]

[tool.setuptools.package-data]
problems = ["*/*.md"]
"""


def build(output: Path, options: str = "", index: str | None = DEFAULT_INDEX,
          python: str = DEFAULT_TARGET_PYTHON) -> list[str]:
    """Write the bundle; return the names it contains. `index`: where to look up the hashes of
    the pinned releases, and whether they install on CPython `python`, the base image's (None:
    pins without hashes, unchecked)."""
    pinned = requirements(index, python)  # before the zip is opened: a refusal leaves no half bundle
    names = []
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as z:
        setup = SETUP.replace("@TARGET_PYTHON@", python)
        for name, text in (("setup.sh", setup), ("run_autograder", RUN % {"options": options})):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            z.writestr(info, text)
            names.append(name)
        z.writestr("hw1/pyproject.toml", PYPROJECT % {"version": _version(), "requires_python": HW1_REQUIRES_PYTHON})
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


class NotInstallable(Exception):
    """The pins cannot be installed by the Python of the base image the bundle is built for."""


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
        key = _key(name)
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


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def release_files(name: str, version: str, index: str = DEFAULT_INDEX, timeout: float = 30) -> list[dict]:
    """Every file (wheels for all platforms, sdist) of one release, from the index's JSON simple API
    (PEP 691): {"filename", "sha256", "requires_python"}."""
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
    found = {}
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
            requires = f.get("requires-python")
            found[filename] = {"filename": filename, "sha256": sha,
                               "requires_python": requires if isinstance(requires, str) else None}
    if not found:
        raise HashLookupFailed(f"{url} lists no file of {name} {version}")
    return [found[k] for k in sorted(found)]


@functools.cache  # asked once per pin and per Python tried
def _target_tags(python: str) -> frozenset:
    """The wheel tags CPython `python` (e.g. "3.10") accepts on the base image: manylinux up to
    the image's glibc, on its machine."""
    from packaging import tags

    version = tuple(int(x) for x in python.split("."))
    platforms = [f"manylinux_2_{m}_{TARGET_MACHINE}" for m in range(TARGET_GLIBC_MINOR, 4, -1)]
    platforms += [f"manylinux{legacy}_{TARGET_MACHINE}" for legacy in ("2014", "2010", "1")]
    platforms.append(f"linux_{TARGET_MACHINE}")
    return frozenset(tags.cpython_tags(version, platforms=platforms)) | frozenset(
        tags.compatible_tags(version, f"cp{version[0]}{version[1]}", platforms=platforms))


def _allows(requires_python: str | None, python: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(f"{python}.0")
    except InvalidSpecifier:
        return True  # pip ignores a Requires-Python it cannot read


def why_not_installable(files: list[dict], python: str) -> str | None:
    """None when pip on CPython `python` (linux, the base image's glibc) can install one of these
    files: a wheel whose tags and Requires-Python fit, or, for a release that has no wheel at all,
    its sdist. Otherwise what stands in the way, in a few words."""
    from packaging.utils import parse_wheel_filename

    accepted = _target_tags(python)
    wheels = [f for f in files if f["filename"].endswith(".whl")]
    for f in wheels:
        if parse_wheel_filename(f["filename"])[3] & accepted and _allows(f["requires_python"], python):
            return None
    if not wheels and any(_allows(f["requires_python"], python) for f in files):
        return None
    needs = sorted({f["requires_python"] for f in files if f["requires_python"]
                    and not _allows(f["requires_python"], python)})
    if needs:
        return f"needs Python {' or '.join(needs)}"
    return f"has no wheel for CPython {python} on manylinux {TARGET_MACHINE}"


def _target_environment(python: str) -> dict[str, str]:
    """PEP 508 marker values of the base image (Linux, CPython `python`)."""
    return {"python_version": python, "python_full_version": f"{python}.0", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "sys_platform": "linux", "platform_system": "Linux",
            "platform_machine": TARGET_MACHINE, "os_name": "posix", "extra": ""}


def needed_but_unpinned(pinned: dict[str, str], python: str) -> list[str]:
    """Dependencies a pinned package has on the target Python but not here (a marker such as
    `python_version < "3.11"`), so not installed here and not pinned: `pkg needs dep`."""
    from importlib import metadata

    from packaging.requirements import Requirement

    env = _target_environment(python)
    out = []
    for name in pinned:
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        for req in requires:
            r = Requirement(req)
            if (r.marker is None or r.marker.evaluate(env)) and _key(r.name) not in pinned:
                out.append(f"{name} needs {r.name} there")
    return sorted(set(out))


def requirements(index: str | None = DEFAULT_INDEX, python: str | None = None) -> str:
    """requirements.txt for setup.sh: `name==version` for every pin, each with the sha256 of its
    release's files (pip's hash-checking mode: nothing else installs); `index=None`: no hashes.
    With an index and `python`, every pin is first checked to install on that CPython (the base
    image's): NotInstallable says which do not, and on which of CHECKED_PYTHONS all of them do."""
    pinned = pins()
    files = {} if index is None else {name: release_files(name, v, index) for name, v in pinned.items()}
    if files and python:
        problems_ = _target_problems(pinned, files, python)
        if problems_:
            fits = [p for p in CHECKED_PYTHONS if p != python and not _target_problems(pinned, files, p)]
            where = (f"all of them install on CPython {', '.join(fits)}" if fits
                     else f"they install on none of CPython {', '.join(CHECKED_PYTHONS)}")
            raise NotInstallable(f"the pinned dependencies do not install on Python {python}: "
                                 f"{'; '.join(problems_)}; {where}")
    lines = []
    for name, version in pinned.items():
        hashes = "".join(f" \\\n    --hash=sha256:{h}" for h in sorted({f["sha256"] for f in files.get(name, [])}))
        lines.append(f"{name}=={version}{hashes}\n")
    return "".join(lines)


def _target_problems(pinned: dict[str, str], files: dict[str, list[dict]], python: str) -> list[str]:
    out = [] if _allows(HW1_REQUIRES_PYTHON, python) else [f"hw1 itself needs Python {HW1_REQUIRES_PYTHON}"]
    out += [f"{name} {pinned[name]} {why}" for name in pinned
            if (why := why_not_installable(files[name], python)) is not None]
    return out + needed_but_unpinned(pinned, python)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("hw1")
    except Exception:  # noqa: BLE001 - running from a source tree
        return "0.0.0"
