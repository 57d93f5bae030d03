"""(b) A batch of 100 submissions with --jobs 2: seconds per submission, peak memory, gradebook.

    python bench/batch.py [--jobs 2] [--clean-only]

The batch: 60 copies of the reference and the five variants, 28 wrong submissions (the wrong
examples and mutants of the reference), 8 broken ones (4 that loop forever in one problem, 2 with
a syntax error, 2 that crash). Target: <= 0.5 s per clean submission, peak memory < 1 GiB.
"""

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import HW1, ROOT, TreeMemory

sys.path.insert(0, str(ROOT))
from tests.mutants import MUTANTS  # noqa: E402


def make_clean(d: Path, n: int) -> dict[str, str]:
    sources = [ROOT / "submissions" / "reference.py", *sorted((ROOT / "submissions" / "variants").glob("*.py"))]
    for i in range(n):
        shutil.copy(sources[i % len(sources)], d / f"clean_{i:03d}.py")
    return {f"clean_{i:03d}.py": "clean" for i in range(n)}


def make_class(d: Path) -> dict[str, str]:
    kinds = {}
    sources = [ROOT / "submissions" / "reference.py", *sorted((ROOT / "submissions" / "variants").glob("*.py"))]
    for i in range(60):
        src = sources[i % len(sources)]
        shutil.copy(src, d / f"clean_{i:02d}.py")
        kinds[f"clean_{i:02d}.py"] = "clean"
    for i, w in enumerate(sorted((ROOT / "submissions" / "wrong").glob("*.py"))):
        shutil.copy(w, d / f"wrong_ex_{i}.py")
        kinds[f"wrong_ex_{i}.py"] = "wrong"
    for i, m in enumerate(MUTANTS[:25]):
        (d / f"mutant_{i:02d}.py").write_text(m.source())
        kinds[f"mutant_{i:02d}.py"] = "wrong"
    ref = (ROOT / "submissions" / "reference.py").read_text()
    for i in range(4):
        (d / f"loops_{i}.py").write_text(ref + "\ndef kl_gaussian(*a):\n    while True:\n        pass\n")
        kinds[f"loops_{i}.py"] = "broken"
    for i in range(2):
        (d / f"syntax_{i}.py").write_text("def kl_gaussian(:\n")
        (d / f"crash_{i}.py").write_text(ref + "\nimport ctypes\ndef score(p, x):\n    ctypes.string_at(0)\n")
        kinds[f"syntax_{i}.py"] = kinds[f"crash_{i}.py"] = "broken"
    return kinds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--clean-only", action="store_true", help="100 correct submissions only")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "class"
        d.mkdir()
        kinds = make_clean(d, 100) if args.clean_only else make_class(d)
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
        print(f"{n} submissions in {wall:.1f} s with --jobs {args.jobs}: {wall / n:.3f} s per submission")
        print(f"clean submissions at 100: {clean_ok}/{sum(k == 'clean' for k in kinds.values())}; broken statuses: "
              f"{sorted(r['status'] for r in broken)}")
        print(f"peak memory of the whole process tree: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
