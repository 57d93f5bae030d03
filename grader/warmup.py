"""Imported once by the template process that forks children: heavy imports and warm caches.

It imports every problem's harness (child-side code, no references) but never a problem's
`problem` module, where the references live.
"""

import ctypes
import importlib
import os
import pkgutil
import warnings

import problems
from grader import child

for info in sorted(pkgutil.iter_modules(problems.__path__), key=lambda m: m.name):
    if info.ispkg:
        try:
            importlib.import_module(f"problems.{info.name}.harness")
        except ModuleNotFoundError:
            pass

child.warm()

# The template keeps no copy of hw1's standard streams: a pipe reading hw1's output then closes
# when hw1 exits, not ~0.1 s later when the template has torn itself down. (Each child sends its
# output on its own pipe.)
_null = os.open(os.devnull, os.O_RDWR)
for _fd in (0, 1, 2):
    os.dup2(_null, _fd)
os.close(_null)

# The template adopts its children's orphans (a student's forked or double-forked processes,
# SIGKILLed with their uid at the end of each child) and reaps them in its SIGCHLD loop. Left to
# whatever reaps orphans above hw1 (a test that is a subreaper, a container whose init does not
# reap), they stayed zombies of the sandbox uid, counted against the next child's RLIMIT_NPROC:
# a submission that starts a few threads failed with "can't start new thread" in a batch.
PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
warnings.filterwarnings("ignore", message="forkserver: waitpid returned unexpected pid")
