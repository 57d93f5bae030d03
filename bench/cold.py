"""(a) One cold `hw1 grade` of the reference against the bare cost of importing numpy and sympy.

    python bench/cold.py [RUNS]     (target: ratio <= 3)
"""

import sys

from common import HW1, median_of

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
floor, floor_runs = median_of(runs, [sys.executable, "-c", "import numpy, sympy"])
grade, grade_runs = median_of(runs, [*HW1, "grade", "submissions/reference.py", "--format", "json"])
print(f"import floor  median {floor:.3f} s  runs {[round(x, 3) for x in floor_runs]}")
print(f"hw1 grade     median {grade:.3f} s  runs {[round(x, 3) for x in grade_runs]}")
print(f"ratio {grade / floor:.2f} (target <= 3)")
