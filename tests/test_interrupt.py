"""Ctrl-C and SIGTERM in the middle of a run: prompt stop, finished results kept, one line, exit
130/143, `--resume` completes the gradebook, and no process of the run is left.

"No process left" is checked three ways after hw1 has exited: no process in its process group;
no process at all below this test (the test is a child subreaper while hw1 runs, so every
orphan of the run - template, judge worker, a student's child - is re-parented to it, and
sandbox uids 61000-62999 are checked through that ancestry); and no process whose environment
carries the run's marker (the children inherit it from the template's first environment).
"""

from __future__ import annotations

import csv
import ctypes
import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.support import REFERENCE, ROOT, hw1

PR_SET_CHILD_SUBREAPER = 36
SLOW = "import time\n\ndef kl_gaussian(mu0, sigma0, mu1, sigma1):\n    time.sleep(600)\n    return 0.0\n"


def _class(tmp: Path, fast: int = 2, slow: int = 3) -> Path:
    """Quick submissions first (sorted order), then ones that sleep in kl_gaussian."""
    d = tmp / "class"
    d.mkdir()
    for i in range(fast):
        shutil.copy(REFERENCE, d / f"a_fast_{i}.py")
    for i in range(slow):
        (d / f"z_slow_{i}.py").write_text(SLOW)
    return d


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _journal(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, pgid) of a process, None when gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return fields[0].decode(), int(fields[1]), int(fields[2])
    except (OSError, IndexError, ValueError):
        return None


def _pids() -> list[int]:
    return [int(e) for e in os.listdir("/proc") if e.isdigit()]


def _descendants(root: int) -> list[int]:
    """Live (non-zombie) processes whose parent chain leads to `root`."""
    parent = {}
    for pid in _pids():
        st = _stat(pid)
        if st and st[0] != "Z":
            parent[pid] = st[1]
    out = []
    for pid in parent:
        p, hops = parent.get(pid), 0
        while p and p != root and hops < 64:
            p, hops = parent.get(p), hops + 1
        if p == root:
            out.append(pid)
    return out


def _with_marker(marker: str) -> list[int]:
    out = []
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if marker.encode() in fh.read():
                    out.append(pid)
        except OSError:
            continue
    return [p for p in out if (_stat(p) or ("Z",))[0] != "Z"]


def _describe(pids: list[int]) -> str:
    out = []
    for pid in pids:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
            uid = os.stat(f"/proc/{pid}").st_uid
        except OSError:
            continue
        out.append(f"{pid} uid {uid} {_stat(pid)}: {cmd}")
    return "\n".join(out)


class Subreaper:
    """This test process adopts the run's orphans while it is active; reaps them at the end."""

    def __enter__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        if self.libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            pytest.skip("cannot become a child subreaper here")
        self.before = set(_descendants(os.getpid()))  # e.g. a template started by an in-process test
        return self

    def left(self, run_pid: int, marker: str, wait: float = 5.0) -> list[int]:
        """Processes of the run still alive, after up to `wait` s for ones already killed to exit
        (a SIGKILLed process may be listed for a moment; a sleeping student child would stay)."""
        deadline = time.monotonic() + wait
        while True:
            group = [p for p in _pids() if (st := _stat(p)) and st[2] == run_pid and st[0] != "Z"]
            mine = [p for p in _descendants(os.getpid()) if p not in self.before]
            left = sorted(set(group) | set(mine) | set(_with_marker(marker)))
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.1)

    def left_below(self, keep, wait: float = 5.0) -> str:
        """The run's processes for which `keep(pid)` holds, still alive after up to `wait` s
        (described, "" when none): a SIGKILLed process may be listed for a moment."""
        deadline = time.monotonic() + wait
        while True:
            left = [p for p in _descendants(os.getpid()) if p not in self.before and keep(p)]
            if not left or time.monotonic() > deadline:
                return _describe(left)
            time.sleep(0.1)

    def __exit__(self, *exc):
        self.libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        for pid in set(_descendants(os.getpid())) - self.before:
            with_suppress(lambda p=pid: os.kill(p, signal.SIGKILL))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if os.waitpid(-1, os.WNOHANG) == (0, 0):
                    time.sleep(0.05)
            except ChildProcessError:
                break


def with_suppress(fn):
    try:
        fn()
    except OSError:
        pass


def _sandbox_uid_processes_below(pid: int) -> list[int]:
    return [p for p in _descendants(pid) if 61000 <= _uid(p) < 63000]  # other runs' are elsewhere


def _uid(pid: int) -> int:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return -1


def _wait_for(cond, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def _start(args: list[str], marker: str) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "200", "HW1_TEST_MARKER": marker}
    return subprocess.Popen([sys.executable, "-m", "grader", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _running_child(run: int) -> bool:
    """A student child of the run is running: a process below it in a session of its own."""
    return any((_stat(p) or ("", 0, run))[2] != run for p in _descendants(run))


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_mid_batch_keeps_finished_results_and_resume_completes(tmp_path, sig, code):
    d = _class(tmp_path)
    gb = tmp_path / "g.csv"
    journal = tmp_path / "g.csv.jsonl"
    args = ["grade", str(d), "--gradebook", str(gb), "--problem", "2", "--jobs", "2", "--timeout", "300"]
    marker = uuid.uuid4().hex
    with Subreaper() as reaper:
        proc = _start(args, marker)
        _wait_for(lambda: len(_journal(journal)) >= 1 and _running_child(proc.pid), "a result and a running child")
        os.killpg(proc.pid, sig)  # Ctrl-C in a terminal signals the whole foreground group
        out, err = proc.communicate(timeout=120)
        left = reaper.left(proc.pid, marker)
        assert not left, "processes of the run survived:\n" + _describe(left)
        assert not _sandbox_uid_processes_below(os.getpid())
    assert proc.returncode == code, err
    lines = err.strip().splitlines()
    done = _journal(journal)
    assert 1 <= len(done) < 5
    assert lines == [f"hw1: graded {len(done)} of 5; run the same command with --resume to finish"], err
    assert "Traceback" not in out + err
    rows = _rows(gb)
    assert sorted(r["file"] for r in rows) == sorted(e["result"]["submission"] for e in done)
    assert all(r["total"] == "10" for r in rows)  # the fast ones, fully graded: nothing half-judged
    again = hw1(*args[:-1], "1", "--resume")  # the slow ones now time out after 1 s
    assert again.returncode == 0, again.stderr
    assert f"{len(done)} resumed" in again.stdout + again.stderr
    rows = {Path(r["file"]).name: r for r in _rows(gb)}
    assert sorted(rows) == sorted(p.name for p in d.glob("*.py"))
    assert [rows[f"z_slow_{i}.py"]["status"] for i in range(3)] == ["timeout"] * 3


def test_sigint_without_gradebook_and_single_file(tmp_path):
    d = _class(tmp_path, fast=1, slow=2)
    marker = uuid.uuid4().hex
    with Subreaper() as reaper:
        proc = _start(["grade", str(d), "--problem", "2", "--timeout", "300", "--format", "json"], marker)
        _wait_for(lambda: _running_child(proc.pid), "a running child")
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert not reaper.left(proc.pid, marker)
    assert proc.returncode == 130
    assert len(err.strip().splitlines()) == 1 and "graded " in err and " of 3" in err, err
    assert out == ""  # no partial JSON list
    slow = d / "z_slow_0.py"
    with Subreaper() as reaper:
        proc = _start(["grade", str(slow), "--problem", "2", "--timeout", "300"], marker)
        _wait_for(lambda: _running_child(proc.pid), "a running child")
        os.killpg(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        assert not reaper.left(proc.pid, marker)
    assert proc.returncode == 143
    assert err.strip().splitlines() == [f"hw1: interrupted (SIGTERM): {slow} was not graded"], err


def test_ctrl_c_in_a_terminal(tmp_path):
    """\\x03 typed into a pseudo-terminal: the terminal sends SIGINT to hw1's foreground group."""
    d = _class(tmp_path)
    gb = tmp_path / "g.csv"
    journal = tmp_path / "g.csv.jsonl"
    marker = uuid.uuid4().hex
    with Subreaper() as reaper:
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "grader", "grade", str(d), "--gradebook", str(gb),
                                       "--problem", "2", "--jobs", "2", "--timeout", "300"],
                      {**os.environ, "COLUMNS": "100", "HW1_TEST_MARKER": marker})
        os.set_blocking(fd, False)
        out = b""

        def read() -> bytes:
            try:
                return os.read(fd, 1 << 16)
            except (BlockingIOError, OSError):
                return b""

        def ready() -> bool:
            nonlocal out
            out += read()
            return len(_journal(journal)) >= 1 and _running_child(pid)

        _wait_for(ready, "a result and a running child")
        os.write(fd, b"\x03")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            got, status = os.waitpid(pid, os.WNOHANG)
            out += read()
            if got:
                break
            time.sleep(0.05)
        else:
            pytest.fail("hw1 did not stop after Ctrl-C")
        out += read()
        os.close(fd)
        left = reaper.left(pid, marker)
        assert not left, _describe(left)
    text = out.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 130, text[-2000:]
    done = _journal(journal)
    assert f"graded {len(done)} of 5; run the same command with --resume to finish" in text
    assert "Traceback" not in text and "internal error" not in text
    assert len(_rows(gb)) == len(done) >= 1
