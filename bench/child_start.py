"""What entering the sandbox costs per child: fork, `sandbox.enter` (namespaces, the file-system
view, rlimits, ...), exit, against the same without isolation.

    python bench/child_start.py [RUNS] [SANDBOX_PY]

SANDBOX_PY loads another version of grader/sandbox.py to compare (e.g. main's, extracted with
`git show 2ae8e51:grader/sandbox.py > /tmp/sandbox_main.py`). Run as root for the mount path.
"""

import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
if len(sys.argv) > 2:
    spec = importlib.util.spec_from_file_location("grader.sandbox", sys.argv[2])
    sandbox = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = sandbox
    spec.loader.exec_module(sandbox)
else:
    from grader import sandbox

import numpy  # noqa: F401,E402 - the child's view must hold what a warm template has loaded
import sympy  # noqa: F401,E402

view = sandbox.view([os.path.expanduser("~"), "/root", "/home", os.getcwd(), tempfile.gettempdir(),
                     "/tmp", "/var/tmp", "/dev/shm"])


def once(isolate: bool, base: str) -> tuple[float, str]:
    workdir = tempfile.mkdtemp(dir=base)
    r, w = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        layers = sandbox.enter(workdir, None, sandbox.Limits(isolate=isolate), view, [w])
        os.write(w, ",".join(layers).encode())
        os._exit(0)
    os.close(w)
    layers = os.read(r, 4096).decode()
    os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    os.close(r)
    os.rmdir(workdir)
    return elapsed, layers


with tempfile.TemporaryDirectory(prefix="hw1-bench-") as base:
    for isolate in (True, False):
        times, layers = [], ""
        for _ in range(runs):
            t, layers = once(isolate, base)
            times.append(t)
        print(f"isolate={isolate!s:5}  median {statistics.median(times) * 1000:6.2f} ms  "
              f"p90 {sorted(times)[int(runs * 0.9)] * 1000:6.2f} ms  ({runs} runs)  layers: {layers}")
