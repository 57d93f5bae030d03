"""Which files a directory means: recursive, sorted, what is skipped said on stderr with why."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from grader.discover import LIST_AT_MOST, discover, skipped_lines
from tests.support import REFERENCE, hw1

EXAMPLE = REFERENCE.parent / "example.py"


def _lms_export(tmp: Path) -> Path:
    """One folder per submission, as LMS exports lay it out, with the usual clutter."""
    d = tmp / "export"
    for sid, src in (("1002", EXAMPLE), ("1001", REFERENCE), ("1010", REFERENCE)):
        (d / f"submission_{sid}").mkdir(parents=True)
        shutil.copy(src, d / f"submission_{sid}" / "hw1.py")
    (d / "submission_1001" / "submission_metadata.yml").write_text("id: 1001\n")
    (d / "submission_1010" / "work").mkdir()
    (d / "submission_1010" / "work" / "scratch.ipynb").write_text(json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (d / "submission_1001" / ".ipynb_checkpoints").mkdir()
    (d / "submission_1001" / ".ipynb_checkpoints" / "hw1-checkpoint.py").write_text("x = 1\n")
    (d / "submission_1001" / "__pycache__").mkdir()
    (d / "submission_1001" / "__pycache__" / "hw1.cpython-311.pyc").write_bytes(b"\0")
    (d / "__MACOSX").mkdir()
    (d / "__MACOSX" / "._hw1.py").write_text("junk")
    (d / "submission_1002" / "secret.py").symlink_to("/etc/hostname")
    (d / "submission_1002" / "gone.py").symlink_to(d / "nowhere.py")
    (d / "submission_1002" / "again.py").symlink_to(d / "submission_1002" / "hw1.py")
    (d / "loop").symlink_to(d)
    os.mkfifo(d / "submission_1002" / "pipe.py")
    return d


def test_discovery_is_recursive_sorted_and_says_what_it_skips(tmp_path):
    d = _lms_export(tmp_path)
    found = discover([d])
    assert [p.relative_to(d).as_posix() for p in found.submissions] == [
        "submission_1001/hw1.py", "submission_1002/hw1.py", "submission_1010/hw1.py",
        "submission_1010/work/scratch.ipynb"]
    why = {p.relative_to(d).as_posix(): reason for p, reason in found.skipped}
    assert why == {
        "__MACOSX": "macOS archive metadata",
        "loop": "symlinked directory (not followed)",
        "submission_1001/.ipynb_checkpoints": "hidden",
        "submission_1001/__pycache__": "bytecode cache",
        "submission_1001/submission_metadata.yml": "not a .py or .ipynb file",
        "submission_1002/again.py": f"the same file as {d / 'submission_1002' / 'hw1.py'}",
        "submission_1002/gone.py": "broken symlink",
        "submission_1002/pipe.py": "not a regular file",
        "submission_1002/secret.py": "symlink out of the directory searched (to /etc/hostname)",
    }


def test_many_skipped_files_are_summarised(tmp_path):
    skipped = [(tmp_path / f"f{i}.txt", "not a .py or .ipynb file") for i in range(LIST_AT_MOST + 5)]
    skipped.append((tmp_path / ".git", "hidden"))
    lines = skipped_lines(skipped)
    assert len(lines) == LIST_AT_MOST + 1
    assert lines[-1] == "skipped 6 more: 5 not a .py or .ipynb file, 1 hidden"


def test_an_lms_export_grades_with_the_skipped_listed_on_stderr(tmp_path):
    d = _lms_export(tmp_path)
    proc = hw1("grade", str(d), "--problem", "2", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert [Path(x["submission"]).relative_to(d).as_posix() for x in docs] == [
        "submission_1001/hw1.py", "submission_1002/hw1.py", "submission_1010/hw1.py",
        "submission_1010/work/scratch.ipynb"]
    assert [x["score"] for x in docs[:3]] == [10, 5, 10]
    skipped = [x for x in proc.stderr.splitlines() if x.startswith("hw1: skipped ")]
    assert len(skipped) == 9, proc.stderr
    assert f"hw1: skipped {d / 'submission_1002' / 'secret.py'}: symlink out of the directory searched" in proc.stderr
