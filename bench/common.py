"""Shared helpers of the benchmark scripts: timing commands and sampling memory."""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SCRIPT = Path(sys.executable).with_name("hw1")
# The installed console script, as a user runs it (not a pyenv shim, which adds ~80 ms of bash);
# `python -m grader` only where no script is installed beside this Python.
HW1 = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "grader"]


def timed(cmd: list[str], **kw) -> float:
    """Wall-clock seconds of one run of `cmd` (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, **kw)
    return time.perf_counter() - start


def median_of(n: int, cmd: list[str]) -> tuple[float, list[float]]:
    runs = [timed(cmd) for _ in range(n)]
    return statistics.median(runs), runs


class TreeMemory:
    """Samples the total resident memory of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak, self._stop = pid, every, 0, False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            self.peak = max(self.peak, _tree_rss(self.pid))
            time.sleep(self.every)

    def stop(self) -> int:
        self._stop = True
        self.thread.join()
        return self.peak


def _tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    seen = set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        todo += [c for c, p in parents.items() if p == pid]
    return total


def distinct_class(d: Path, size: int = 100) -> list[Path]:
    """`size` submissions with distinct contents (checked by hash), so that a batch measures the
    grader and not its per-batch verdict cache: the reference, the correct variants, the wrong
    examples, the mutants of tests/mutants.py (in their order, as many as fit), pairs of mutants in
    different problems where there is room, one syntax error and one crash."""
    sys.path.insert(0, str(ROOT))
    from tests.mutants import MUTANTS

    ref = (ROOT / "submissions" / "reference.py").read_text()
    sources: dict[str, str] = {"reference.py": ref}
    for sub in ("variants", "wrong"):
        for f in sorted((ROOT / "submissions" / sub).glob("*.py")):
            sources[f"{sub}_{f.name}"] = f.read_text()
    for mu in MUTANTS:  # (as many as fit: the syntax error and the crash below take two places)
        if len(sources) >= size - 2:
            break
        sources[f"mutant_{mu.name}.py"] = mu.source()
    sources["syntax_error.py"] = ref.replace("def kl_gaussian(", "def kl_gaussian(:", 1)
    sources["crash.py"] = ref + "\nimport ctypes\ndef score(p, x):\n    ctypes.string_at(0)\n"
    pairs = ((a, b) for a in MUTANTS for b in MUTANTS if a.problem < b.problem)
    for a, b in pairs:
        if len(sources) >= size:
            break
        text = a.source()
        if text.count(b.old) == 1:
            sources[f"pair_{a.name}+{b.name}.py"] = text.replace(b.old, b.new)
    digests = {hashlib.sha256(t.encode()).hexdigest() for t in sources.values()}
    assert len(digests) == len(sources) == size, (len(digests), len(sources))
    paths = []
    for name, text in sorted(sources.items()):
        paths.append(d / name)
        paths[-1].write_text(text)
    return paths
