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


def pid() -> int | None:
    """The template's pid, if this process started it."""
    from multiprocessing import forkserver

    return getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)


def kill_adopted(wait: float = 1.0) -> int:
    """SIGKILL what the template adopted (grader/warmup.py makes it a child subreaper): processes
    a student's child left when it died, a double-forked daemon in a new session included, where
    no pid namespace or sandbox uid took them along (an ordinary user without user namespaces).
    Only orphans of this run's own children reach the template; its live children, the student
    processes still running, are left alone. Repeats until none is left: a killed middle process
    of a double fork hands its child to the template as it dies. Returns how many were killed."""
    server = pid()
    if not server:
        return 0
    import contextlib
    import signal
    import time

    killed, deadline = 0, time.monotonic() + wait
    while True:
        live = {p.pid for p in mp.active_children()}
        found = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in live:
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if len(fields) > 1 and fields[1] == str(server).encode() and fields[0] != b"Z":
                found += 1
                with contextlib.suppress(OSError):
                    os.kill(int(entry), signal.SIGKILL)
        killed += found
        if not found or time.monotonic() > deadline:
            return killed
        time.sleep(0.01)
