"""A whole class at once: gradebook, persistence, resume after a kill, the Gradescope bundle."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from tests.support import REFERENCE, ROOT, hw1

WRONG = sorted((ROOT / "submissions" / "wrong").glob("*.py"))


def _class(tmp: Path, copies: int) -> Path:
    """A directory of submissions: the wrong examples and copies of the reference."""
    d = tmp / "class"
    d.mkdir()
    for w in WRONG:
        shutil.copy(w, d / w.name)
    for i in range(copies):
        shutil.copy(REFERENCE, d / f"student_{i:02d}.py")
    return d


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_gradebook_has_a_row_per_submission_with_status(tmp_path):
    d = _class(tmp_path, 1)
    (d / "broken.py").write_text("def kl_gaussian(:\n")
    gb = tmp_path / "grades.csv"
    proc = hw1("grade", str(d), "--gradebook", str(gb), "--problem", "2", "--problem", "6")
    assert proc.returncode == 0, proc.stderr
    rows = {Path(r["file"]).name: r for r in _rows(gb)}
    assert len(rows) == len(WRONG) + 2
    assert rows["student_00.py"]["total"] == "20" and rows["student_00.py"]["status"] == "ok"
    assert rows["broken.py"]["status"] == "syntax error" and rows["broken.py"]["total"] == "0"
    assert rows["p2_swapped.py"]["P2"] == "3" and rows["p6_sqrt_dsigma.py"]["P6"] == "3"
    assert list(rows["student_00.py"]) == ["file", "P2", "P6", "total", "max", "status",
                                           "seed", "hw1_version", "sha256"]
    assert "per problem" in proc.stdout and "score histogram" in proc.stdout
    lines = (tmp_path / "grades.csv.jsonl").read_text().splitlines()
    assert len(lines) == len(rows) and all(json.loads(x)["result"]["submission"] for x in lines)


def test_resume_after_a_kill_grades_only_what_is_missing(tmp_path):
    d = _class(tmp_path, 10)
    gb = tmp_path / "grades.csv"
    journal = tmp_path / "grades.csv.jsonl"
    cmd = [sys.executable, "-m", "grader", "grade", str(d), "--gradebook", str(gb), "--jobs", "2",
           "--problem", "2", "--problem", "3", "--format", "json"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < 3):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = journal.read_text().splitlines()
    total = len(WRONG) + 10
    assert 3 <= len(before) < total, "the kill must land in the middle of the batch"
    assert not gb.exists(), "the gradebook is only written, atomically, when the batch completes"
    with open(journal, "a") as fh:  # a torn last line, as after a power cut mid-write
        fh.write('{"key": {"seed"')
    done = hw1("grade", str(d), "--gradebook", str(gb), "--resume", "--jobs", "2",
               "--problem", "2", "--problem", "3", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert f"{len(before)} resumed" in done.stderr
    rows = _rows(gb)
    assert len(rows) == total
    assert sorted(r["file"] for r in rows) == sorted(str(p) for p in d.glob("*.py"))
    students = [r for r in rows if "student_" in r["file"]]
    assert all(r["total"] == "30" for r in students)
    docs = json.loads(done.stdout)
    assert [x["submission"] for x in docs] == sorted(str(p) for p in d.glob("*.py"))
    graded = [json.loads(x)["result"]["submission"] for x in journal.read_text().splitlines()[len(before) + 1:]]
    assert len(graded) == total - len(before) and not set(graded) & {json.loads(x)["result"]["submission"]
                                                                     for x in before}


def test_resume_ignores_results_of_another_seed(tmp_path):
    sub = tmp_path / "one.py"
    shutil.copy(REFERENCE, sub)
    gb = tmp_path / "g.csv"
    assert hw1("grade", str(sub), "--gradebook", str(gb), "--problem", "2", "--seed", "1").returncode == 0
    proc = hw1("grade", str(sub), "--gradebook", str(gb), "--problem", "2", "--seed", "2", "--resume")
    assert "0 resumed" in proc.stderr + proc.stdout


def test_gradescope_bundle_runs_in_a_simulated_autograder(tmp_path):
    bundle = tmp_path / "autograder.zip"
    assert hw1("gradescope", "build", "--output", str(bundle), "--no-hashes").returncode == 0  # pins: test_gradescope
    source = tmp_path / "source"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(source)
        assert {"setup.sh", "run_autograder", "hw1/pyproject.toml", "hw1/problems/p6_ve_sde/statement.md",
                "hw1/grader/cli.py"} <= set(z.namelist())
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "hw1-venv" / "bin").mkdir(parents=True)  # what setup.sh makes, standing for this venv
    (root / "hw1-venv" / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (root / "hw1-venv" / "bin" / "python").chmod(0o755)
    shutil.copy(ROOT / "submissions" / "example.py", root / "submission" / "my_homework.py")
    env = {**os.environ, "HW1_AUTOGRADER_ROOT": str(root)}
    run = subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 86
    assert len(results["tests"]) == 28  # one per probe (P4 has no order probes any more)
    assert all(t["visibility"] in ("visible", "hidden", "after_due_date", "after_published") for t in results["tests"])
    assert sum(t["max_score"] for t in results["tests"]) == 100
    (root / "submission" / "my_homework.py").unlink()
    subprocess.run(["bash", str(source / "run_autograder")], env=env, check=True, timeout=60, cwd=ROOT)
    assert json.loads((root / "results" / "results.json").read_text())["score"] == 0


def test_gradescope_bundle_source_builds_a_wheel(tmp_path):
    bundle = tmp_path / "autograder.zip"
    assert hw1("gradescope", "build", "--output", str(bundle), "--no-hashes").returncode == 0  # pins: test_gradescope
    with zipfile.ZipFile(bundle) as z:
        z.extractall(tmp_path / "source")
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                          "-w", str(tmp_path / "wheel"), str(tmp_path / "source" / "hw1")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    (wheel,) = (tmp_path / "wheel").glob("hw1-*.whl")
    with zipfile.ZipFile(wheel) as z:
        assert "problems/p1_tweedie/statement.md" in z.namelist()
