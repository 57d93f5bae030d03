"""hw1: the Homework 1 autograder."""

import os

# One BLAS thread per process: children are many and small, and threads do not survive fork.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
