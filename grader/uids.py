"""Sandbox uids leased per run, so that concurrent hw1 runs never share (or kill) each other's.

As root, each parallel slot of a run drops its children to an unprivileged uid. Two runs at once
(two TAs, a TA and a student self-check) used to pick the same uids (61000 + slot) and kill
every process of those uids at the end of each child, so one run killed the other's students.
Now a run leases its uids: an exclusive `flock` on `/run/hw1-uids/<uid>.lock`, taken without
waiting and held for the run's lifetime (the kernel releases it when the run dies, however it
dies). A uid that still has a live process (left by an earlier run that was killed) is skipped,
so a run never signals a process it did not start.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat

UID_BASE = 61000
UID_COUNT = 2000  # uids 61000..62999; a run needs one per parallel slot
LOCK_DIRS = ("/run/hw1-uids", "/var/lock/hw1-uids", "/tmp/hw1-uids")


class NoFreeUid(RuntimeError):
    """Every uid of the range is leased by another run, or still has live processes."""


def _lock_dir() -> str:
    """A root-owned 0700 directory for the lock files (the first one that can be made so)."""
    for path in LOCK_DIRS:
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == 0 and not st.st_mode & 0o077:
            return path
    raise NoFreeUid("no place for hw1's uid locks (/run, /var/lock and /tmp are all unusable)")


def busy_uids() -> set[int]:
    """uids of the sandbox range that own a live (non-zombie) process."""
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            uid = os.stat(f"/proc/{entry}").st_uid
            if UID_BASE <= uid < UID_BASE + UID_COUNT:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    if fh.read().rsplit(b")", 1)[1].split()[0] != b"Z":
                        out.add(uid)
        except (OSError, IndexError):
            continue
    return out


class Lease:
    """`count` uids held exclusively by this process until `release` (or its death)."""

    def __init__(self, count: int):
        self.uids: list[int] = []
        self._fds: list[int] = []
        directory = _lock_dir()
        busy = busy_uids()
        for uid in range(UID_BASE, UID_BASE + UID_COUNT):
            if len(self.uids) == count:
                break
            if uid in busy:
                continue
            fd = os.open(os.path.join(directory, f"{uid}.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            if uid in busy_uids():  # a process appeared between the scan and the lock
                os.close(fd)
                continue
            self.uids.append(uid)
            self._fds.append(fd)
        if len(self.uids) < count:
            self.release()
            raise NoFreeUid(f"no free sandbox uid: all {UID_COUNT} from {UID_BASE} are leased by other "
                            "hw1 runs or have live processes")

    def release(self) -> None:
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()


def kill_uid(uid: int) -> None:
    """SIGKILL every process owned by `uid`, a leased uid (only this run's children use it)."""
    import signal
    import time

    # Until none is left, zombies included (they count against the next child's RLIMIT_NPROC;
    # the template reaps them): a killed process takes a moment to go, and one may fork meanwhile.
    deadline = time.monotonic() + 2.0
    while True:
        left = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    left += 1
                    os.kill(int(entry), signal.SIGKILL)
            except OSError:
                continue
        if not left or time.monotonic() > deadline:
            return
        time.sleep(0.01)
