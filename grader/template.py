"""The template process that forks children (multiprocessing's forkserver), started early.

It is spawned fresh (never forked from the grader), imports numpy, sympy and the harnesses,
warms sympy's caches, and never computes or loads a reference. Starting it is cheap and
idempotent; `hw1 grade` starts it before anything else (grader/launch.py) so that it warms up
while the grader imports.
"""

import multiprocessing as mp
import os
import sys

PRELOAD = ["grader.warmup"]


def context() -> mp.context.ForkServerContext:
    """The forkserver context, started (idempotent)."""
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    # The template gets the parent's sys.path (as of now) and its interpreter flags (-I from
    # grader.launch). A caller not in isolated mode (tests, `import grader`) may have its working
    # directory on sys.path: the template is started without it, and with "/" as its cwd.
    here, path = os.getcwd(), sys.path
    sys.path = [p for p in path if p not in ("", ".", here)]
    os.chdir("/")
    try:
        forkserver.ensure_running()
    finally:
        os.chdir(here)
        sys.path = path
    return ctx
