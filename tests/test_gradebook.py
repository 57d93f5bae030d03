"""The gradebook is the class's record: merged on regrade, traceable (seed, hw1 version, sha256),
resumed only for what is unchanged, and safe to write from several batches at once."""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import shutil
from pathlib import Path

from grader import gradebook
from tests.support import REFERENCE, ROOT, hw1

EXAMPLE = ROOT / "submissions" / "example.py"


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _grade(*args: str) -> str:
    proc = hw1("grade", *args, "--problem", "2")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


def _journal(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_grading_some_submissions_updates_their_rows_and_keeps_the_others(tmp_path):
    d = tmp_path / "class"
    d.mkdir()
    for name in ("b.py", "c.py"):
        shutil.copy(REFERENCE, d / name)
    shutil.copy(EXAMPLE, d / "a.py")  # 5/10 on P2
    gb = tmp_path / "g.csv"
    _grade(str(d), "--gradebook", str(gb))
    assert [Path(r["file"]).name for r in _rows(gb)] == ["a.py", "b.py", "c.py"]
    shutil.copy(REFERENCE, d / "a.py")  # the student resubmits a correct file
    (d / "z.py").write_text("def kl_gaussian(*a):\n    return 0.0\n")  # a late one
    _grade(str(d / "a.py"), str(d / "z.py"), "--gradebook", str(gb))
    rows = {Path(r["file"]).name: r for r in _rows(gb)}
    assert [Path(r["file"]).name for r in _rows(gb)] == ["a.py", "b.py", "c.py", "z.py"]  # sorted by path
    assert rows["a.py"]["total"] == "10" and rows["b.py"]["total"] == "10" and rows["z.py"]["total"] == "0"
    assert rows["a.py"]["sha256"] == hashlib.sha256(REFERENCE.read_bytes()).hexdigest()
    assert rows["b.py"]["seed"] == rows["a.py"]["seed"] == "20240415"
    assert rows["a.py"]["hw1_version"] == gradebook.hw1_version() != ""


def test_merge_keeps_columns_it_does_not_write_and_matches_the_same_file_by_another_path(tmp_path):
    gb = tmp_path / "g.csv"
    gb.write_text("file,P2,total,max,status,seed,hw1_version,sha256,comment\n"
                  f"{tmp_path / 'x.py'},3,3,10,ok,1,0.0.1,abc,see me\nother.py,10,10,10,ok,1,0.0.1,def,\n")
    doc = {"submission": str(Path("..") / tmp_path.name / "x.py"), "score": 10, "max_score": 10, "seed": 2,
           "problems": [{"id": 2, "score": 10}]}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        gradebook.write_csv(gb, [doc])
    finally:
        os.chdir(cwd)
    rows = _rows(gb)
    assert list(rows[0]) == ["file", "P2", "total", "max", "status", "seed", "hw1_version", "sha256", "comment"]
    assert len(rows) == 2  # the old row of x.py, reached by its absolute path, was replaced
    new = next(r for r in rows if r["file"].endswith("x.py"))
    assert new["total"] == "10" and new["seed"] == "2" and new["comment"] == ""
    assert next(r for r in rows if r["file"] == "other.py")["sha256"] == "def"


def test_resume_regrades_a_changed_file_seed_selection_or_hw1_version(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    shutil.copy(EXAMPLE, a)
    shutil.copy(EXAMPLE, b)
    gb = tmp_path / "g.csv"
    journal = tmp_path / "g.csv.jsonl"
    _grade(str(a), str(b), "--gradebook", str(gb), "--resume")
    entries = _journal(journal)
    assert [e["sha256"] for e in entries] == [hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()] * 2
    assert entries[0]["key"] == {"seed": 20240415, "problems": [2], "version": gradebook.hw1_version()}
    assert "2 resumed" in _grade(str(a), str(b), "--gradebook", str(gb), "--resume")

    shutil.copy(REFERENCE, a)  # content changed: a is graded again, b is not
    assert "1 resumed" in _grade(str(a), str(b), "--gradebook", str(gb), "--resume")
    assert {Path(r["file"]).name: r["total"] for r in _rows(gb)} == {"a.py": "10", "b.py": "5"}
    assert len(_journal(journal)) == 3

    assert "0 resumed" in _grade(str(a), str(b), "--gradebook", str(gb), "--resume", "--seed", "5")
    proc = hw1("grade", str(a), str(b), "--gradebook", str(gb), "--resume", "--problem", "2", "--problem", "6")
    assert proc.returncode == 0 and "0 resumed" in proc.stdout + proc.stderr
    assert all(r["P6"] != "" for r in _rows(gb))  # graded again, now with P6

    # A journal written by another hw1 version: nothing of it is reused
    lines = [{**e, "key": {**e["key"], "version": "0.0.0-old"}} for e in _journal(journal)]
    journal.write_text("".join(json.dumps(e) + "\n" for e in lines))
    assert "0 resumed" in _grade(str(a), str(b), "--gradebook", str(gb), "--resume")


def _merge_many(args: tuple[str, int, int]) -> None:
    path, who, count = args
    for i in range(count):
        gradebook.write_csv(Path(path), [{"submission": f"{who}_{i:03d}.py", "score": i, "max_score": 10,
                                           "seed": 1, "problems": [{"id": 2, "score": i}]}])
        gradebook.Journal(Path(path + ".jsonl"), {"k": 1}, Path(path)).append({"submission": f"{who}_{i}"}, "x")


def test_two_writers_at_once_both_land(tmp_path):
    """Two processes merging rows into one gradebook at the same time (two TAs, each grading half
    the class): without the lock, one's read-merge-write overwrites the other's rows."""
    gb = tmp_path / "g.csv"
    count = 40
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_merge_many, [(str(gb), "ta1", count), (str(gb), "ta2", count)])
    rows = _rows(gb)
    assert len(rows) == 2 * count
    assert [r["file"] for r in rows] == sorted(r["file"] for r in rows)
    lines = (tmp_path / "g.csv.jsonl").read_text().splitlines()
    assert len(lines) == 2 * count and all(json.loads(x)["sha256"] == "x" for x in lines)


def test_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text(tmp_path):
    """A student's file named =HYPERLINK(...).py, graded by a relative path: the gradebook cell
    starts with an apostrophe (text in Excel, LibreOffice, Google Sheets); read back by hw1 as
    the path it was, so a regrade replaces the row instead of adding one."""
    import subprocess

    from grader import csvcells
    from tests.support import HW1_SCRIPT

    names = ['=HYPERLINK("x","y").py', "+1.py", "@a.py", "plain.py"]  # (-b.py would be an option)
    for name in names:
        shutil.copy(REFERENCE, tmp_path / name)
    gb = tmp_path / "g.csv"
    for _ in range(2):  # the second run merges into the first's gradebook
        proc = subprocess.run([str(HW1_SCRIPT), "grade", *names, "--problem", "2", "--gradebook", "g.csv",
                               "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
    cells = [r["file"] for r in _rows(gb)]
    assert sorted(cells) == sorted(["'" + n if n[0] in "=+@-" else n for n in names]), cells
    assert not any(c.startswith(csvcells.FORMULA_START) for row in _rows(gb) for c in row.values())
    assert sorted(map(csvcells.uncell, cells)) == sorted(names)
    assert csvcells.cell("-b.py") == "'-b.py" and csvcells.cell(-1.5) == -1.5
    assert csvcells.uncell(csvcells.cell("'quoted")) == "'quoted"
