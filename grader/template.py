"""The template process that forks children (multiprocessing's forkserver), started early.

It is spawned fresh (never forked from the grader), imports numpy, sympy and the harnesses,
warms sympy's caches, and never computes or loads a reference. Starting it is cheap and
idempotent; `hw1 grade` starts it before anything else (grader/launch.py) so that it warms up
while the grader imports.
"""

import multiprocessing as mp

PRELOAD = ["grader.warmup"]


def context() -> mp.context.ForkServerContext:
    """The forkserver context, started (idempotent)."""
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()
    return ctx
