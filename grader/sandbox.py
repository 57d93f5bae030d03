"""Isolation layers entered by a child process before it imports student code.

Each layer is tried in turn and recorded when it took effect; `hw1 doctor` and every report
say which were active. Deadlines are not enforced here: the parent kills from outside.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from dataclasses import dataclass

from grader import landlock, seccomp

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 32, 4096, 16384, 1 << 18,
)
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
GIB = 1 << 30


@dataclass(frozen=True)
class View:
    """What a child may see: `hide` under empty tmpfs, `expose` mounted back, `mask` read empty.

    Computed once per run by the parent (see `view`), not in every child.
    """

    hide: tuple[str, ...] = ()
    expose: tuple[str, ...] = ()
    mask: tuple[str, ...] = ()
    without: tuple[str, ...] = ()  # layers to skip (tests only, see TEST_WITHOUT)
    landlock_abi: int = 0  # 0: no Landlock here
    landlock_rules: tuple[tuple[str, str], ...] = ()  # see landlock.rules


# Outside Python and the grader, what a child may read under Landlock (absent ones are skipped).
SYSTEM_READABLE = ["/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache", "/etc/localtime",
                   "/dev/random", "/sys/devices/system/cpu"]
DEVICES = ["/dev/null", "/dev/zero", "/dev/urandom"]  # read-write
# Resolved in the child, not by the parent (/proc/self is the child's own process).
CHILD_READABLE = ["/proc/self"]


def view(candidates: list[str]) -> View:
    """The file-system view of a run: hide `candidates`, keep Python and the grader readable."""
    expose, secrets = needed_paths(), answer_files()
    abi = landlock.abi()
    rules = landlock.rules([*expose, *SYSTEM_READABLE], secrets + trusted_modules()) if abi else []
    without = tuple(filter(None, os.environ.get(TEST_WITHOUT, "").split(",")))
    return View(tuple(hideable(candidates)), tuple(expose), tuple(secrets), without, abi, tuple(rules))


@dataclass(frozen=True)
class Limits:
    """Resource limits of one student process (SPEC §4 defaults)."""

    timeout: float = 10.0
    memory: int = GIB
    file_size: int = 64 << 20
    open_files: int = 64
    processes: int = 32
    output: int = 1 << 20
    isolate: bool = True  # False only to measure what isolation costs (bench/isolation.py)
    allow_weak: bool = False  # --allow-weak-isolation: grade even when `missing` names a guarantee


class WeakIsolation(Exception):
    """This machine cannot give a child the guarantees of `missing`; hw1 grade refuses (exit 2)."""


# HW1_TEST_WITHOUT_LAYERS (tests only, read by the trusted parent when it builds the View; a child
# never reads the environment): comma-separated layers a child must skip, to simulate a machine
# without them: namespaces, uid, landlock, seccomp.
TEST_WITHOUT = "HW1_TEST_WITHOUT_LAYERS"


def missing(layers: list[str] | tuple[str, ...], grader_dumpable: bool) -> list[str]:
    """What "strong enough" lacks, from the layers a child reported having applied:
    a separate identity (uid drop or user namespace), a file-system allowlist (mount view or
    Landlock), no network (net namespace, Landlock TCP or seccomp sockets), no ptrace of the
    grader (seccomp, or a non-dumpable grader and another uid)."""
    has = lambda prefix: any(x.startswith(prefix) for x in layers)
    uid, userns = has("unprivileged uid"), has("user namespace")
    landlock_on, seccomp_on = has("landlock"), has("seccomp")
    out = []
    if not (uid or userns):
        out.append("a separate identity (root's uid drop or a user namespace)")
    if not (has("read-only file system view") or landlock_on):
        out.append("a file-system allowlist (mount namespace or Landlock)")
    if not (has("no network") or any(x.startswith("landlock") and "no TCP" in x for x in layers)
            or seccomp_on):
        out.append("no network (network namespace, Landlock ABI 4 or seccomp)")
    if not (seccomp_on or (uid and not grader_dumpable)):
        out.append("no ptrace of the grader (seccomp, or another uid and a non-dumpable grader)")
    return out


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def enter(workdir: str, uid: int | None, limits: Limits, seen: View, keep_fds: list[int]) -> list[str]:
    """Apply every layer that works here, in order; return the names of those active."""
    layers = ["process"]
    os.setsid()
    layers.append("own session")
    _lower_priority()
    if not limits.isolate:
        _scrub(workdir, keep_fds)
        return [*layers, "NO ISOLATION (benchmark mode)"]
    root = os.geteuid() == 0
    if "namespaces" not in seen.without and _namespaces(root):
        layers += ["no network", "own pid namespace"] + ([] if root else ["user namespace"])
        if root and _filesystem(workdir, seen):
            layers.append("read-only file system view")
    _rlimits(limits, root)
    layers.append("rlimits")
    if root and uid is not None and "uid" not in seen.without:
        _drop(uid)
        layers.append(f"unprivileged uid {uid}")
    if _no_new_privs():
        layers.append("no_new_privs")
    # Landlock and seccomp after no_new_privs, which both require unprivileged
    added = _landlock(workdir, seen) if seen.landlock_abi and "landlock" not in seen.without else 0
    if added:
        layers.append(landlock.describe(seen.landlock_abi, added))
    rules = 0 if "seccomp" in seen.without else seccomp.install()
    if rules:
        layers.append(f"seccomp ({rules} rules)")
    _scrub(workdir, keep_fds)
    return layers


def _landlock(workdir: str, seen: View) -> int:
    """Only Python, the grader's packages (not problems/*/problem.py), a few system files and
    devices, the child's own /proc entry are readable; only `workdir` is writable."""
    allowed = [*seen.landlock_rules, *[(p, "read") for p in CHILD_READABLE]]
    return landlock.restrict(seen.landlock_abi, allowed, [workdir, *DEVICES])


def _lower_priority() -> None:
    """Student code yields the CPU to the grader's own judging (nice +5): judgements keep pace
    with the children, so a report is done sooner; student time limits are wall-clock and far
    above what a lower priority costs on a busy machine."""
    try:
        os.nice(5)
    except OSError:
        pass


def _namespaces(root: bool) -> bool:
    """New network + pid namespace; the caller continues as pid 1 of the new namespace."""
    flags = CLONE_NEWNET | CLONE_NEWPID | (CLONE_NEWNS if root else CLONE_NEWUSER)
    if _libc().unshare(flags) != 0:
        return False
    pid = os.fork()
    if pid:  # the trusted waiter: mirror the student's fate (exit code or signal); never returns
        code = 1
        try:
            _, status = os.waitpid(pid, 0)
            if os.WIFSIGNALED(status):
                sig = os.WTERMSIG(status)
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
                if sig not in (signal.SIGKILL, signal.SIGSTOP):
                    signal.signal(sig, signal.SIG_DFL)
                os.kill(os.getpid(), sig)
            elif os.WIFEXITED(status):
                code = os.WEXITSTATUS(status)
        finally:
            os._exit(code)
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    return True


def _filesystem(workdir: str, seen: View) -> bool:
    """Private mounts: read-only everywhere, `seen.hide` under empty tmpfs, only `workdir` writable.

    Python, the grader's packages and the run's work directory may lie below a hidden directory
    (e.g. /root/.pyenv, an editable checkout, /tmp): they are bind-mounted back in place from a
    descriptor opened before the directory was covered.
    """
    libc = _libc()
    mount = libc.mount
    mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
    if mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    needed = [*seen.expose, os.path.dirname(workdir)]
    for path in sorted(seen.hide):
        keep = [k for k in needed if k.startswith(path.rstrip("/") + "/")]
        fds = [(k, os.open(k, os.O_PATH | os.O_DIRECTORY)) for k in keep]
        if mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=0755") != 0:
            return False
        for k, fd in fds:
            os.makedirs(k, mode=0o755, exist_ok=True)
            mount(f"/proc/self/fd/{fd}".encode(), k.encode(), None, MS_BIND | MS_REC, None)
            os.close(fd)
    for secret in seen.mask:  # the reference formulas read as empty files
        mount(b"/dev/null", secret.encode(), None, MS_BIND, None)
    wd = workdir.encode()
    if mount(wd, wd, None, MS_BIND, None) != 0:
        return False
    if mount(None, b"/", None, MS_REMOUNT | MS_BIND | MS_RDONLY, None) != 0:
        return False
    mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV, None)
    return True


def answer_files() -> list[str]:
    """problems/*/problem.py and their bytecode: trusted-side only."""
    import glob

    import problems

    out = []
    for root in problems.__path__:
        out += glob.glob(os.path.join(root, "*", "problem.py"))
        out += glob.glob(os.path.join(root, "*", "__pycache__", "problem.*.pyc"))
    return sorted(out)


# The grader's modules a child runs; under Landlock the others (judge, checks, cli...) stay unreadable.
STUDENT_SIDE = {"__init__", "__main__", "child", "sandbox", "wire", "harnesslib", "landlock", "seccomp",
                "warmup", "template"}


def trusted_modules() -> list[str]:
    """grader/*.py (and bytecode) that are not on the student side."""
    import glob

    import grader

    out = []
    for root in grader.__path__:
        for path in glob.glob(os.path.join(root, "*.py")):
            name = os.path.basename(path)[:-3]
            if name not in STUDENT_SIDE:
                out += [path, *glob.glob(os.path.join(root, "__pycache__", f"{name}.*.pyc"))]
    return sorted(out)


def needed_paths() -> list[str]:
    """Directories a child must still read: Python itself and the grader's own packages."""
    import grader
    import problems

    paths = {sys.prefix, sys.base_prefix, *[p for p in sys.path if p and os.path.isabs(p)],
             *grader.__path__, *problems.__path__}
    return sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)})


def _rlimits(limits: Limits, root: bool) -> None:
    cpu = int(limits.timeout) + 2
    wanted = [
        (resource.RLIMIT_AS, limits.memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, limits.file_size),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    if root:  # NPROC is not enforced for uid 0: it only matters after the drop
        wanted.append((resource.RLIMIT_NPROC, limits.processes))
    for what, value in wanted:
        try:
            resource.setrlimit(what, (value, value))
        except (ValueError, OSError):
            pass


def _drop(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def _no_new_privs() -> bool:
    return _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0


def _scrub(workdir: str, keep_fds: list[int]) -> None:
    """Private cwd, minimal environment, no stray descriptors, no cwd on sys.path."""
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update({
        "HOME": workdir, "TMPDIR": workdir, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    })
    sys.path[:] = [p for p in sys.path if p and os.path.isabs(p) and not p.startswith(workdir)]
    keep = sorted({0, 1, 2, *keep_fds})
    low = 3
    for fd in keep:
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1
    os.closerange(low, 4096)


def hideable(candidates: list[str]) -> list[str]:
    """Distinct directories to hide (never `/`); nested ones are covered by their parent."""
    out = {os.path.realpath(c) for c in candidates if c and os.path.isdir(c)} - {"/"}
    return sorted(c for c in out if not any(c.startswith(o + "/") for o in out))
