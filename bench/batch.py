"""(b) A batch of 100 distinct submissions with --jobs 2: seconds per submission, peak memory.

    python bench/batch.py [--jobs 2]

The batch: `common.distinct_class`, 100 files with distinct contents (the reference and the
correct variants, the wrong examples, the mutants and pairs of mutants, a syntax error, a crash).
Copies would measure the per-batch verdict cache, not the grader: 100 copies of 6 files took
0.34 s each where 96 varied ones took 0.81 s. Target: <= 0.5 s per submission, peak memory < 1 GiB.
"""

import argparse
import csv
import subprocess
import tempfile
import time
from pathlib import Path

from common import HW1, ROOT, TreeMemory, distinct_class


def kind(name: str) -> str:
    if name == "reference.py" or name.startswith("variants_"):
        return "clean"
    return "broken" if name in ("syntax_error.py", "crash.py") else "wrong"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "class"
        d.mkdir()
        kinds = {p.name: kind(p.name) for p in distinct_class(d)}
        gb = Path(tmp) / "grades.csv"
        start = time.perf_counter()
        proc = subprocess.Popen([*HW1, "grade", str(d), "--jobs", str(args.jobs), "--gradebook", str(gb),
                                 "--format", "json", "--output", str(Path(tmp) / "report.json")],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        memory = TreeMemory(proc.pid)
        proc.wait()
        wall = time.perf_counter() - start
        peak = memory.stop()
        rows = list(csv.DictReader(open(gb)))
        n = len(rows)
        clean_ok = sum(1 for r in rows if kinds[Path(r["file"]).name] == "clean" and r["total"] == "100")
        broken = [r for r in rows if kinds[Path(r["file"]).name] == "broken"]
        wrong_full = sorted(Path(r["file"]).name for r in rows
                            if kinds[Path(r["file"]).name] != "clean" and r["total"] == "100")
        print(f"{n} submissions in {wall:.1f} s with --jobs {args.jobs}: {wall / n:.3f} s per submission")
        print(f"clean submissions at 100: {clean_ok}/{sum(k == 'clean' for k in kinds.values())}; broken statuses: "
              f"{sorted(r['status'] for r in broken)}")
        print(f"wrong or broken submissions at 100: {wrong_full or 'none'}")
        print(f"peak memory of the whole process tree: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
