"""(#8) A class of 100 distinct submissions: one batch alone, then two batches at once.

    python bench/two_batches.py [--jobs 2]

The class: the reference, the correct variants, the wrong examples, every mutant of
tests/mutants.py, pairs of mutants in different problems, one syntax error and one crash, all
with distinct contents (checked by hash), so the per-batch verdict cache cannot flatter the
timing. Three ways to grade it:
  1. one batch alone into gradebook A;
  2. two batches at once, each grading half of the class into the same gradebook B (two TAs
     splitting the class);
  3. two batches at once, each grading the whole class into its own gradebook (C1, C2).
The grades (per-problem scores, total, status) of B, C1 and C2 must equal A's, row for row.
Prints wall time and seconds per submission for each.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import HW1, ROOT, distinct_class

GRADE_COLUMNS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "total", "max", "status")


def grades(gradebook: Path) -> dict[str, tuple]:
    with open(gradebook, newline="") as fh:
        return {Path(r["file"]).name: tuple(r.get(c) for c in GRADE_COLUMNS) for r in csv.DictReader(fh)}


def batch(files: list[Path], gradebook: Path, jobs: int) -> subprocess.Popen:
    return subprocess.Popen([*HW1, "grade", *map(str, files), "--jobs", str(jobs), "--gradebook", str(gradebook),
                             "--format", "json", "--output", str(gradebook.with_suffix(".json"))],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def run(label: str, batches: list[tuple[list[Path], Path]], jobs: int, n: int) -> float:
    start = time.perf_counter()
    procs = [batch(files, gb, jobs) for files, gb in batches]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            sys.exit(f"{label}: hw1 exited {p.returncode}: {err.strip()[-500:]}")
    wall = time.perf_counter() - start
    print(f"{label}: {wall:.1f} s wall, {wall / n:.3f} s per submission")
    return wall


def compare(label: str, alone: dict, other: dict) -> bool:
    differ = sorted(k for k in alone.keys() | other.keys() if alone.get(k) != other.get(k))
    print(f"  {label}: {len(other)} rows, {'same grades as one batch alone' if not differ else 'DIFFERENT'}")
    for k in differ[:10]:
        print(f"    {k}: alone {alone.get(k)} vs {other.get(k)}")
    return not differ


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2, help="--jobs of each batch")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "class"
        d.mkdir()
        files = distinct_class(d)
        n = len(files)
        print(f"{n} distinct submissions, --jobs {args.jobs} per batch")
        a, b = Path(tmp) / "A.csv", Path(tmp) / "B.csv"
        c1, c2 = Path(tmp) / "C1.csv", Path(tmp) / "C2.csv"
        run("1. one batch alone", [(files, a)], args.jobs, n)
        run("2. two batches at once, half the class each, one gradebook", [(files[::2], b), (files[1::2], b)],
            args.jobs, n)
        run("3. two batches at once, the whole class each, own gradebooks", [(files, c1), (files, c2)],
            args.jobs, 2 * n)
        alone = grades(a)
        full = sum(1 for g in alone.values() if g[GRADE_COLUMNS.index("total")] == "100")
        print(f"one batch alone: {len(alone)} rows, {full} at 100")
        ok = all([compare("2. halves into one gradebook", alone, grades(b)),
                  compare("3. whole class, batch 1", alone, grades(c1)),
                  compare("3. whole class, batch 2", alone, grades(c2))])
        shutil.rmtree(d, ignore_errors=True)
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
