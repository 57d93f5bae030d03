"""Shared helpers of the benchmark scripts: timing commands and sampling memory."""

from __future__ import annotations

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
