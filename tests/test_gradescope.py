"""The Gradescope bundle: results.json against Gradescope's documented fields, visibility,
subfolders, shadow modules, the fallback when hw1 fails, pinned requirements."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support import ROOT, hw1

# Gradescope's results.json, from https://gradescope-autograders.readthedocs.io/en/latest/specs/
GS_TOP = {"score": (int, float), "execution_time": (int, float), "output": str, "output_format": str,
          "test_output_format": str, "test_name_format": str, "visibility": str,
          "stdout_visibility": str, "extra_data": dict, "tests": list, "leaderboard": list}
GS_TEST = {"score": (int, float), "max_score": (int, float), "status": str, "name": str,
           "name_format": str, "number": str, "output": str, "output_format": str, "tags": list,
           "visibility": str, "extra_data": dict}
GS_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
GS_FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def check_gradescope_schema(doc):
    assert set(doc) <= set(GS_TOP), set(doc) - set(GS_TOP)
    for key, value in doc.items():
        assert isinstance(value, GS_TOP[key]) and not isinstance(value, bool), key
    assert "score" in doc or all("score" in t for t in doc.get("tests", []))
    for key in ("visibility", "stdout_visibility"):
        assert doc.get(key, "visible") in GS_VISIBILITY
    for key in ("output_format", "test_output_format"):
        assert doc.get(key, "text") in GS_FORMATS
    for t in doc.get("tests", []):
        assert set(t) <= set(GS_TEST), set(t) - set(GS_TEST)
        for key, value in t.items():
            assert isinstance(value, GS_TEST[key]), key
        assert t.get("status", "passed") in {"passed", "failed"}
        assert t.get("visibility", "visible") in GS_VISIBILITY


def test_schema_check_can_fail():
    for bad in ({"score": 1, "bogus": 2}, {"score": 1, "tests": [{"status": "ok"}]},
                {"score": 1, "tests": [{"visibility": "public"}]}, {"score": "86"}):
        try:
            check_gradescope_schema(bad)
        except AssertionError:
            continue
        raise AssertionError(f"accepted {bad}")


def _autograder(tmp_path, *build_args):
    bundle = tmp_path / "autograder.zip"
    run = hw1("gradescope", "build", "--output", str(bundle), "--no-hashes", *build_args)  # no index needed
    assert run.returncode == 0, run.stderr
    source = tmp_path / "source"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(source)
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "hw1-venv" / "bin").mkdir(parents=True)  # what setup.sh makes, standing for this venv
    (root / "hw1-venv" / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (root / "hw1-venv" / "bin" / "python").chmod(0o755)
    return source, root


def _run_autograder(source, root, cwd):
    env = {**os.environ, "HW1_AUTOGRADER_ROOT": str(root)}
    run = subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=300, cwd=cwd)
    assert run.returncode == 0, run.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_results_md_summary_numbers_visibility_and_subfolders(tmp_path):
    source, root = _autograder(tmp_path, "--hidden", "p3.unbiased,p4.v1", "--after-due-date", "p1.tweedie.scalar")
    sub = root / "submission" / "hw" / "final"
    sub.mkdir(parents=True)
    shutil.copy(ROOT / "submissions" / "example.py", sub / "answers.py")
    results = _run_autograder(source, root, tmp_path)
    check_gradescope_schema(results)
    assert results["score"] == 86 and results["output_format"] == "md"
    assert isinstance(results["execution_time"], (int, float)) and results["execution_time"] >= 0
    assert results["output"].startswith("| # | problem | score | status |")
    assert "**86 / 100**" in results["output"]
    by_id = {t["name"].rsplit("(", 1)[1].rstrip(")"): t for t in results["tests"]}
    assert by_id["p3.unbiased"]["visibility"] == "hidden" and by_id["p4.v1"]["visibility"] == "hidden"
    assert by_id["p1.tweedie.scalar"]["visibility"] == "after_due_date"
    numbers = [t["number"] for t in results["tests"]]
    assert len(set(numbers)) == len(numbers) and all(re.fullmatch(r"[1-7]\.\d+", n) for n in numbers)
    assert {t["status"] for t in results["tests"]} == {"passed", "failed"}


def test_build_refuses_unknown_probe_ids(tmp_path):
    run = hw1("gradescope", "build", "--output", str(tmp_path / "a.zip"), "--hidden", "p3.nope")
    assert run.returncode == 2 and "p3.nope" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "a.zip").exists()


def test_format_gradescope_refused_for_several_submissions(tmp_path):
    for name in ("a.py", "b.py"):
        shutil.copy(ROOT / "submissions" / "example.py", tmp_path / name)
    run = hw1("grade", str(tmp_path), "--format", "gradescope")
    assert run.returncode == 2 and "one submission" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_bundle_ignores_shadow_modules_in_submission_and_cwd(tmp_path):
    source, root = _autograder(tmp_path)
    forged = ("import json, os, pathlib\n"
              "p = pathlib.Path(os.environ.get('HW1_AUTOGRADER_ROOT', '/autograder')) / 'results'\n"
              "p.mkdir(exist_ok=True); (p / 'results.json').write_text(json.dumps({'score': 100}))\n"
              "raise SystemExit(0)\n")
    shutil.copy(ROOT / "submissions" / "example.py", root / "submission" / "submission.py")
    for d in (root / "submission", tmp_path):
        for name in ("grader.py", "numpy.py", "typer.py", "sitecustomize.py"):
            (d / name).write_text(forged)
    results = _run_autograder(source, root, root / "submission")
    assert results["score"] == 86 and len(results["tests"]) == 28


def test_results_written_when_hw1_itself_fails(tmp_path):
    source, root = _autograder(tmp_path)
    broken = root / "hw1-venv" / "bin" / "python"
    broken.write_text("#!/bin/sh\necho 'hw1 exploded' >&2\nexit 1\n")
    broken.chmod(0o755)
    shutil.copy(ROOT / "submissions" / "example.py", root / "submission" / "submission.py")
    results = _run_autograder(source, root, tmp_path)
    assert results["score"] == 0 and results["tests"] == []
    check_gradescope_schema(results)


def _pins(text: str) -> dict[str, tuple[str, list[str]]]:
    """requirements.txt as {name: (version, [sha256, ...])}, read as pip reads continued lines."""
    pins = {}
    for entry in text.replace("\\\n", " ").splitlines():
        name_version, *options = entry.split()
        name, version = name_version.split("==")
        pins[name] = (version, [o.removeprefix("--hash=sha256:") for o in options])
    return pins


HERE = "%d.%d" % sys.version_info[:2]  # the Python these tests' setup.sh runs on: the bundle is built for it


def test_requirements_pin_every_installed_dependency_with_its_hashes(tmp_path):
    from importlib import metadata

    bundle = tmp_path / "autograder.zip"
    run = hw1("gradescope", "build", "--output", str(bundle), "--python", HERE)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(bundle) as z:
        pins = _pins(z.read("requirements.txt").decode())
    for name in ("typer", "click", "rich", "markdown-it-py", "mdurl", "pygments", "numpy", "sympy", "mpmath",
                 "nbformat", "jsonschema", "pyseccomp"):
        assert pins[name][0] == metadata.version(name), name
    assert "matplotlib" not in pins and "pyyaml" not in pins  # not used on Gradescope
    assert all(hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes) for _, hashes in pins.values())
    assert len(pins["numpy"][1]) > 10  # a wheel per platform and Python, and the sdist
    # independently: the file pip itself downloads for this machine is one of those listed
    version = pins["mdurl"][0]
    got = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest",
                          str(tmp_path / "dl"), f"mdurl=={version}"], capture_output=True, text=True, timeout=300)
    assert got.returncode == 0, got.stderr
    (wheel,) = (tmp_path / "dl").iterdir()
    import hashlib

    assert hashlib.sha256(wheel.read_bytes()).hexdigest() in pins["mdurl"][1]


def test_build_without_an_index_says_so_in_one_line(tmp_path):
    bundle = tmp_path / "autograder.zip"
    run = hw1("gradescope", "build", "--output", str(bundle), "--index-url", "http://127.0.0.1:9/simple")
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "--no-hashes" in run.stderr and "Traceback" not in run.stderr and not bundle.exists()
    done = hw1("gradescope", "build", "--output", str(bundle), "--no-hashes", env={"COLUMNS": "80"})
    assert done.returncode == 0 and len(done.stdout.strip().splitlines()) == 1, done.stdout  # not wrapped
    assert "NOT checked for Python 3.10 (--no-hashes)" in done.stdout and done.stdout.rstrip().endswith("Gradescope")
    with zipfile.ZipFile(bundle) as z:
        assert all(not hashes for _, hashes in _pins(z.read("requirements.txt").decode()).values())


def test_bundle_grades_the_same_with_an_externally_managed_python(tmp_path):
    """setup.sh on a base image whose python3 refuses `pip install` (PEP 668), as Debian's does."""
    bundle = tmp_path / "autograder.zip"
    assert hw1("gradescope", "build", "--output", str(bundle), "--python", HERE).returncode == 0
    source = tmp_path / "source"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(source)
    fake = tmp_path / "python3"
    fake.write_text('#!/bin/sh\ncase "$*" in *"-m pip"*) echo "error: externally-managed-environment" >&2; '
                    'exit 1;; esac\nexec /usr/bin/python3 "$@"\n')
    fake.chmod(0o755)
    assert subprocess.run([str(fake), "-m", "pip", "install", "numpy"], capture_output=True).returncode == 1
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    env = {**os.environ, "HW1_AUTOGRADER_ROOT": str(root), "HW1_SETUP_PYTHON": str(fake)}
    setup = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True, text=True,
                           timeout=900, cwd=tmp_path)
    assert setup.returncode == 0, setup.stderr[-2000:]
    assert "built for Python" not in setup.stderr  # built for the Python it runs on: no warning
    assert (root / "hw1-venv" / "bin" / "python").exists()
    assert oct((source / "run_autograder").stat().st_mode & 0o077) == "0o0"
    vpy = root / "hw1-venv" / "bin" / "python"
    listed = subprocess.run([str(vpy), "-I", "-c", "from grader import sandbox; "
                             "print('\\n'.join(sandbox.answer_files() + sandbox.trusted_modules()))"],
                            capture_output=True, text=True, cwd=tmp_path).stdout.split()
    assert len(listed) >= 14 and all(Path(p).stat().st_mode & 0o077 == 0 for p in listed), listed
    if os.geteuid() == 0:  # the start-up check sees it, and says so
        doctor = subprocess.run([str(vpy), "-I", "-m", "grader", "doctor"], capture_output=True, text=True,
                                cwd=tmp_path, env={**os.environ, "COLUMNS": "200"}, timeout=300)
        assert re.search(r"root-only references\s+│\s+yes", doctor.stdout), doctor.stdout
    layers = subprocess.run([str(vpy), "-I", "-c", "import nbformat; from grader import seccomp; "
                             "print(seccomp.build()[1] > 0)"], capture_output=True, text=True, cwd=tmp_path)
    assert layers.stdout.split()[:1] == ["True"], layers.stderr  # notebooks and the seccomp layer work there
    shutil.copy(ROOT / "submissions" / "example.py", root / "submission" / "example.py")
    results = _run_autograder(source, root, tmp_path)
    check_gradescope_schema(results)
    assert results["score"] == 86 and len(results["tests"]) == 28


def test_bundle_grades_a_notebook_in_a_subfolder(tmp_path):
    """run_autograder passes the .ipynb to hw1 grade; reading notebooks is #11's grader/notebook.py."""
    import pytest

    source, root = _autograder(tmp_path)
    code = (ROOT / "submissions" / "example.py").read_text()
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": None,
                     "outputs": [], "source": code}]}
    (root / "submission" / "work").mkdir()
    (root / "submission" / "work" / "hw1.ipynb").write_text(json.dumps(nb))
    results = _run_autograder(source, root, tmp_path)
    check_gradescope_schema(results)
    if not (ROOT / "grader" / "notebook.py").exists():
        pytest.skip("grading .ipynb arrives with #11's notebook reader (after merge)")
    assert results["score"] == 86


# --------------------------------------------------------------------------- pins vs the image's Python

class _Index:
    """A PEP 691 index on 127.0.0.1 serving one release per pin of this environment: a py3-none-any
    wheel each, except the `special` packages, which get the files given."""

    def __init__(self, special: dict[str, list[dict]]):
        import http.server
        import threading

        from grader.gradescope import pins

        pages = {}
        for name, version in pins().items():
            files = special.get(name) or [{"filename": f"{name.replace('-', '_')}-{version}-py3-none-any.whl"}]
            pages[name] = {"files": [{"hashes": {"sha256": f"{i:064x}"}, **f} for i, f in enumerate(files, 1)]}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                body = json.dumps(pages.get(self.path.strip("/").split("/")[-1], {"files": []})).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_build_refuses_pins_the_base_image_python_cannot_install(tmp_path):
    """numpy here is only for CPython 3.11+ (as numpy 2.3 and later are): a bundle for Gradescope's
    default image (Ubuntu 22.04, Python 3.10) is refused in one line that names it and says where it
    installs; built for 3.11 it is written with the index's hashes. A release with no wheel for 3.10
    and no Requires-Python is refused too, and a pure release with only an sdist is accepted."""
    from importlib import metadata

    np_version = metadata.version("numpy")
    numpy_files = [{"filename": f"numpy-{np_version}-cp311-cp311-manylinux_2_17_x86_64.whl",
                    "requires-python": ">=3.11"},
                   {"filename": f"numpy-{np_version}-cp312-cp312-win_amd64.whl", "requires-python": ">=3.11"},
                   {"filename": f"numpy-{np_version}.tar.gz", "requires-python": ">=3.11"}]
    mpmath = metadata.version("mpmath")
    index = _Index({"numpy": numpy_files, "mpmath": [{"filename": f"mpmath-{mpmath}.tar.gz"}]})
    try:
        bundle = tmp_path / "autograder.zip"
        refused = hw1("gradescope", "build", "--output", str(bundle), "--index-url", index.url)  # default 3.10
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert f"numpy {np_version} needs Python >=3.11" in refused.stderr, refused.stderr
        assert "all of them install on CPython 3.11:" in refused.stderr and "--python" in refused.stderr  # cp311 only
        assert "mpmath" not in refused.stderr and "Traceback" not in refused.stderr and not bundle.exists()
        built = hw1("gradescope", "build", "--output", str(bundle), "--index-url", index.url, "--python", "3.11")
        assert built.returncode == 0, built.stderr
        with zipfile.ZipFile(bundle) as z:
            pins = _pins(z.read("requirements.txt").decode())
            assert "WANT=3.11" in z.read("setup.sh").decode()
        assert pins["numpy"] == (np_version, [f"{i:064x}" for i in (1, 2, 3)])
    finally:
        index.close()
    no_wheel = [{"filename": f"numpy-{np_version}-cp311-cp311-manylinux_2_17_x86_64.whl"},
                {"filename": f"numpy-{np_version}.tar.gz"}]
    index = _Index({"numpy": no_wheel})
    try:
        refused = hw1("gradescope", "build", "--output", str(bundle), "--index-url", index.url, "--python", "3.10")
        assert refused.returncode == 2 and "has no wheel for CPython 3.10" in refused.stderr, refused.stderr
    finally:
        index.close()


def test_installability_agrees_with_pip_on_real_releases(tmp_path):
    """The check against the base image's Python, on the real index, against pip's own answer for
    the same release, Python and platform (pip install --dry-run --python-version --platform)."""
    from grader.gradescope import DEFAULT_INDEX, TARGET_GLIBC_MINOR, pins, release_files, why_not_installable

    pinned = pins()
    platforms = [f"manylinux_2_{m}_x86_64" for m in range(TARGET_GLIBC_MINOR, 4, -1)] + ["manylinux2014_x86_64"]
    index = os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX
    seen = set()
    for name in ("numpy", "rpds-py", "mdurl"):
        files = release_files(name, pinned[name], index)
        for python in ("3.10", "3.11", "3.13"):
            ours = why_not_installable(files, python) is None
            pip = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-deps",
                                  "--ignore-installed", "--only-binary=:all:", "--python-version", python,
                                  *(f"--platform={p}" for p in platforms), f"{name}=={pinned[name]}"],
                                 capture_output=True, text=True, timeout=300)
            assert ours == (pip.returncode == 0), (name, python, ours, pip.stderr[-500:])
            seen.add(ours)
    assert seen == {True} or seen == {True, False}  # the machine's own Python always installs them
