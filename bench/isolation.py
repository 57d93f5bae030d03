"""What the sandbox costs: a batch of copies of the reference with and without isolation.

    python bench/isolation.py [COPIES] [RUNS]     (target: < 0.3 s per submission)
"""

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from common import HW1, ROOT, timed

copies = int(sys.argv[1]) if len(sys.argv) > 1 else 10
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
with tempfile.TemporaryDirectory() as tmp:
    for i in range(copies):
        shutil.copy(ROOT / "submissions" / "reference.py", Path(tmp) / f"r{i:02d}.py")
    base = [*HW1, "grade", tmp, "--jobs", "2", "--format", "json"]
    with_sb = [timed(base) for _ in range(runs)]
    without = [timed([*base, "--no-sandbox"]) for _ in range(runs)]
a, b = statistics.median(with_sb), statistics.median(without)
print(f"{copies} submissions, --jobs 2, median of {runs} runs")
print(f"sandboxed   {a:.2f} s  runs {[round(x, 2) for x in with_sb]}")
print(f"unsandboxed {b:.2f} s  runs {[round(x, 2) for x in without]}")
print(f"isolation costs {(a - b) / copies:.3f} s per submission (target < 0.3)")
