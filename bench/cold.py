"""(a) One cold `hw1 grade` of the reference against the bare cost of importing numpy and sympy.

    python bench/cold.py [RUNS]     (target: ratio <= 3)

The two commands alternate, after one untimed run of each, so that drift in the machine's load
weighs on both alike; medians are compared. A pause follows each run: hw1's child template
finishes its own teardown in the background after hw1 has exited, and must not slow the next run.
"""

import statistics
import sys
import time

from common import HW1, timed

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
FLOOR = [sys.executable, "-c", "import numpy, sympy"]
GRADE = [*HW1, "grade", "submissions/reference.py", "--format", "json"]
timed(FLOOR), timed(GRADE)  # warm the page cache and the bytecode
floor_runs, grade_runs = [], []
for _ in range(runs):
    floor_runs.append(timed(FLOOR))
    time.sleep(0.5)
    grade_runs.append(timed(GRADE))
    time.sleep(0.5)
floor, grade = statistics.median(floor_runs), statistics.median(grade_runs)
print(f"import floor  median {floor:.3f} s  runs {[round(x, 3) for x in floor_runs]}")
print(f"hw1 grade     median {grade:.3f} s  runs {[round(x, 3) for x in grade_runs]}")
print(f"ratio {grade / floor:.2f} (target <= 3)")
