"""Several hw1 runs at once, as on a course server (two TAs, a TA and a student self-check).

Each run must be unaffected by the others: full marks for correct answers every time, and no run
ever signals a process it did not start. Runs as root (each run leases its own sandbox uids,
grader/uids.py) and as an ordinary user (children keep the user's uid; a run kills only through
its own children's process groups and pid namespaces).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader import uids
from tests.support import HW1_SCRIPT, REFERENCE, ROOT

VARIANTS = sorted((ROOT / "submissions" / "variants").glob("*.py"))
# A correct submission whose P2 function takes a while: if another run killed this run's
# children (all processes of a shared uid, say), P2 would come back crashed instead of 10/10.
SLOW_P2 = ("\nimport time as _t\n_kl = kl_gaussian\n"
           "def kl_gaussian(*a, **k):\n    _t.sleep(0.4)\n    return _kl(*a, **k)\n")


@pytest.fixture
def public_dir():
    """A directory every uid can read (pytest's tmp_path is 0700 under root's)."""
    path = Path(tempfile.mkdtemp(prefix="hw1-conc-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _class(d: Path) -> list[Path]:
    """The reference, two correct variants written differently, and the slow correct one."""
    files = [d / "reference.py"]
    shutil.copy(REFERENCE, files[0])
    for v in VARIANTS[:2]:
        files.append(d / v.name)
        shutil.copy(v, files[-1])
    files.append(d / "slow.py")
    files[-1].write_text(REFERENCE.read_text() + SLOW_P2)
    for f in files:
        f.chmod(0o644)
    return files


def _argv(*args: str) -> list[str]:
    return [str(HW1_SCRIPT), *args]


def _start(argv: list[str], user: str | None, cwd: Path) -> subprocess.Popen:
    env = {"PATH": f"{HW1_SCRIPT.parent}:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "COLUMNS": "200"}
    prefix = ["runuser", "-u", user, "--"] if user and os.geteuid() == 0 else []
    return subprocess.Popen([*prefix, *argv], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _full_marks(proc: subprocess.Popen, what: str) -> None:
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, (what, err[-2000:])
    doc = json.loads(out)
    for report in doc if isinstance(doc, list) else [doc]:
        lost = [(p["id"], p.get("status"), p["score"]) for p in report["problems"] if p["score"] != p["max_score"]]
        assert report["score"] == report["max_score"] == 100 and not lost, (what, report["submission"], lost)


def _rounds(n_runs: int, rounds: int, user: str | None, d: Path) -> None:
    files = _class(d)
    for r in range(rounds):
        procs = []
        for i in range(n_runs):
            if i % 2 == 0:  # a single submission (a student's self-check)
                argv = _argv("grade", str(files[-1] if r % 2 else files[0]), "--format", "json")
            else:  # a small batch (a TA), two children at a time
                argv = _argv("grade", *map(str, files), "--format", "json", "--jobs", "2")
            procs.append((f"round {r} run {i}", _start(argv, user, d)))
        for what, proc in procs:
            _full_marks(proc, what)


@pytest.mark.parametrize("n_runs,rounds", [(2, 3), (3, 2)])
def test_concurrent_runs_as_root_all_get_full_marks(n_runs, rounds, public_dir, public_python):
    if os.geteuid() != 0:
        pytest.skip("needs root (CI runs as root)")
    _rounds(n_runs, rounds, None, public_dir)


@pytest.mark.parametrize("n_runs,rounds", [(2, 2), (3, 1)])
def test_concurrent_runs_as_an_ordinary_user_all_get_full_marks(n_runs, rounds, public_dir, ordinary_user):
    _rounds(n_runs, rounds, ordinary_user, public_dir)


def _sleeper(uid: int | None) -> subprocess.Popen:
    """A process that no hw1 run started, as `uid` (None: the current user)."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                            user=uid, group=uid, extra_groups=[] if uid is not None else None,
                            start_new_session=True)


def _sleeper_on_a_free_uid() -> subprocess.Popen:
    """A stranger on the lowest sandbox uid no run holds: leased while it starts, as a run would,
    so that no other hw1 run on the machine can have that uid when the stranger appears."""
    import fcntl

    directory = uids._lock_dir()
    for uid in range(uids.UID_BASE, uids.UID_BASE + uids.UID_COUNT):
        if uid in uids.busy_uids():
            continue
        fd = os.open(os.path.join(directory, f"{uid}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        try:
            stranger = _sleeper(uid)
            time.sleep(0.2)  # alive (in /proc) before the lease is given up
            return stranger
        finally:
            os.close(fd)
    pytest.skip("no free sandbox uid for the stranger")


def test_a_run_never_signals_a_process_it_did_not_start(public_dir, public_python):
    """A process left on a sandbox uid (say, by another run) survives a run, which skips that uid;
    and an unrelated process of the user survives too."""
    if os.geteuid() != 0:
        pytest.skip("needs root: only root's runs use sandbox uids")
    strangers = [_sleeper_on_a_free_uid() for _ in range(2)] + [_sleeper(None)]
    try:
        time.sleep(0.3)
        files = _class(public_dir)
        _full_marks(_start(_argv("grade", *map(str, files), "--format", "json", "--jobs", "2"), None,
                           public_dir), "batch next to strangers")
        for s in strangers:
            assert s.poll() is None, f"hw1 killed a process it did not start (pid {s.pid}, rc {s.returncode})"
    finally:
        for s in strangers:
            s.kill()
            s.wait()


def test_an_ordinary_users_other_processes_survive_a_run(public_dir, ordinary_user):
    """As an ordinary user the children keep the user's uid: a run must not kill 'all processes of
    the uid', or it would take the user's other hw1 runs and shell with it."""
    prefix = ["runuser", "-u", ordinary_user, "--"] if os.geteuid() == 0 else []
    other = subprocess.Popen([*prefix, "/bin/sleep", "600"], start_new_session=True)
    try:
        time.sleep(0.3)
        files = _class(public_dir)
        _full_marks(_start(_argv("grade", *map(str, files), "--format", "json"), ordinary_user, public_dir),
                    "batch next to the user's own process")
        assert other.poll() is None, "hw1 killed another process of its user"
    finally:
        os.killpg(other.pid, signal.SIGKILL)
        other.wait()


def test_no_free_sandbox_uid_is_one_clear_line(public_dir, public_python):
    """Every uid of the range leased by other runs: hw1 says so in one line (exit 2), no traceback."""
    if os.geteuid() != 0:
        pytest.skip("needs root: only root's runs lease sandbox uids")
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_ALL], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = subprocess.run(_argv("grade", str(REFERENCE), "--problem", "2"), capture_output=True, text=True,
                              timeout=300, cwd=public_dir)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "sandbox uid" in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    finally:
        holder.kill()
        holder.wait()


_HOLD_ALL = """
import fcntl, os, resource, signal, time
from grader import uids
signal.alarm(120)  # a lease that is never released: no "held", and the test says so
resource.setrlimit(resource.RLIMIT_NOFILE, (uids.UID_COUNT + 100, uids.UID_COUNT + 100))
d = uids._lock_dir()
fds = []
for uid in range(uids.UID_BASE, uids.UID_BASE + uids.UID_COUNT):
    fd = os.open(os.path.join(d, f"{uid}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    # blocking: a run an earlier test left finishing releases its lease within seconds, and a
    # lease skipped here was then free for the run under test (seen once in a full-suite run)
    fcntl.flock(fd, fcntl.LOCK_EX)
    fds.append(fd)
signal.alarm(0)
print("held", flush=True)
time.sleep(600)
"""
