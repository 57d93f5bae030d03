"""Isolation layers entered by a child process before it imports student code.

Each layer is tried in turn and recorded when it took effect; `hw1 doctor` and every report
say which were active. Deadlines are not enforced here: the parent kills from outside.
"""

from __future__ import annotations

import ctypes
import os
import re
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
FS_LAYER = "read-only file system view (allowlist)"


@dataclass(frozen=True)
class View:
    """What a child may see, as an allowlist (isolate's and bubblewrap's model): nothing but
    `entries`, built into an empty root. Each entry is (kind, path), parents before children:

    - "tree": a directory bound read-only (/usr, a Python outside /usr);
    - "link": a symbolic link recreated as it is (/lib -> usr/lib);
    - "empty": a directory shown empty (a site-packages directory, before its allowed packages);
    - "bind": a file or directory bound read-only into an empty directory (numpy, a harness).

    Computed once per run by the parent (see `view`), not in every child.
    """

    entries: tuple[tuple[str, str], ...] = ()
    without: tuple[str, ...] = ()  # layers to skip (tests only, see TEST_WITHOUT)
    landlock_abi: int = 0  # 0: no Landlock here
    landlock_rules: tuple[tuple[str, str], ...] = ()  # see landlock.rules
    root_only: bool = False  # every trusted-side file is root's and unreadable to others (`root_only`)


# What the mount view makes itself rather than binding from `allowlist`, and Landlock grants
# instead: device nodes (read-write but /dev/random) and the child's own /proc entry (resolved in
# the child, not by the parent: /proc/self is the child's own process).
DEVICES = ["/dev/null", "/dev/zero", "/dev/urandom"]
READ_ONLY_DEVICES = ["/dev/random"]
CHILD_READABLE = ["/proc/self"]


def view(candidates: list[str] | None = None) -> View:
    """The file-system view of a run: one allowlist (`candidates`, the directories the old
    denylist hid, are not needed: whatever is not listed does not exist for a child), built as a
    mount view where mount namespaces work and turned into the Landlock rules used where they do
    not (and on top of them): trees and binds readable, "empty" directories listable only."""
    abi = landlock.abi()
    entries, hidden = allowlist(), answer_files() + trusted_modules()
    rules = landlock_rules(entries, hidden) if abi else []
    without = tuple(filter(None, os.environ.get(TEST_WITHOUT, "").split(",")))
    return View(tuple(entries), without, abi, tuple(rules), root_only(hidden))


def landlock_rules(entries: list[tuple[str, str]], hidden: list[str]) -> list[tuple[str, str]]:
    """The allowlist's entries as Landlock rules (`landlock.rules`): "tree" and "bind" entries and
    the read-only devices readable, "empty" directories opaque, the trusted-side files never
    granted (they are in no entry; named again as a second guard). A "link" needs no rule: a rule
    follows symlinks, and the allowlist lists what a link points to. `hidden`: the trusted-side files."""
    readable = [p for kind, p in entries if kind in ("tree", "bind")] + READ_ONLY_DEVICES
    opaque = {p for kind, p in entries if kind == "empty"}
    # the directories between an empty one and what is bound below it are listable, as the mount
    # view's are (it makes them to bind into): problems/p1_tweedie for its harness
    for parent in (os.path.dirname(p) for kind, p in entries if kind == "bind"):
        while any(parent.startswith(o.rstrip("/") + "/") for o in opaque):
            opaque.add(parent)
            parent = os.path.dirname(parent)
    return landlock.rules(readable, hidden, sorted(opaque))


ROOT_ONLY = "root-only references"


def root_only(paths: list[str]) -> bool:
    """Checked at start-up, as root: every trusted-side file (problems/*/problem.py, the grader's
    trusted modules, their bytecode) is root's with no permission for others, as the Gradescope
    bundle's setup.sh leaves them. Then a dropped uid cannot read one whatever its view shows
    (its gid is its own uid and it has no supplementary groups, so only "other" bits matter).
    A pip install leaves them 0644: the view (mount allowlist or Landlock) is then what hides them."""
    if os.geteuid() != 0 or not paths:
        return False
    try:
        return all((st := os.stat(p)).st_uid == 0 and not st.st_mode & 0o007 for p in paths)
    except OSError:
        return False


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
    own_userns = False
    if "namespaces" not in seen.without and _namespaces(root):
        layers += ["no network", "own pid namespace"] + ([] if root else ["user namespace"])
        own_userns = not root and _kernel_at_least(5, 14)
        if _filesystem(workdir, seen):
            layers.append(FS_LAYER)
    # RLIMIT_NPROC counts the tasks of the real uid (in the child's user namespace, since 5.14):
    # as root after the drop to a leased uid, and in a user namespace of its own, those are the
    # child's alone; as an ordinary user without one they are every process of the instructor's,
    # so the limit is what they have now (the child one of them) plus the child's share.
    _rlimits(limits, limits.processes if root or own_userns else _tasks_of(os.getuid()) - 1 + limits.processes)
    layers.append("rlimits")
    if root and uid is not None and "uid" not in seen.without:
        _drop(uid)
        layers.append("unprivileged uid")  # not its number: a report depends on the seed alone
        if seen.root_only:
            layers.append(ROOT_ONLY)
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
    """New network + pid + mount namespace (inside a new user namespace when not root, mapping
    only the caller's own uid and gid); the caller continues as pid 1 of the new namespace."""
    flags = CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS | (0 if root else CLONE_NEWUSER)
    uid, gid = os.geteuid(), os.getegid()  # before: unmapped, they read as 65534 after
    if _libc().unshare(flags) != 0:
        return False
    if not root:
        try:
            for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                               ("gid_map", f"{gid} {gid} 1")):
                with open(f"/proc/self/{name}", "w") as f:
                    f.write(text)
        except OSError:
            pass  # unmapped: the mount namespace still works, files just show as nobody's
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


MNT_DETACH = 2
_ST_TO_MS = ((1, MS_RDONLY), (2, MS_NOSUID), (4, MS_NODEV), (8, 8), (1024, 1024), (2048, 2048),
             (4096, 1 << 21))  # statvfs f_flag bits -> mount flags (NOEXEC, NOATIME, ...)
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41}
OLD = "/.old"


def _filesystem(workdir: str, seen: View) -> bool:
    """Replace the root with `seen`'s allowlist: an empty tmpfs holding only the listed paths
    (read-only), /dev/{null,zero,random,urandom}, a fresh /proc, a fresh /tmp and `workdir`
    (writable); then pivot_root into it and detach the old root, which is gone for good.

    As bubblewrap does: a tmpfs on /tmp becomes the new root, the old root is reachable under
    /.old while the view is built from it, then detached. False (nothing changed that matters:
    the mount namespace is private) when the kernel refuses a step before pivot_root; after it,
    RuntimeError (the child reports a set-up error rather than run in a half-built view).
    """
    libc = _libc()
    mount = libc.mount
    mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
    nr = _PIVOT_ROOT.get(os.uname().machine)

    def mnt(src: str | None, dst: str, fstype: str | None, flags: int, data: str | None = None) -> None:
        if mount(src and src.encode(), dst.encode(), fstype and fstype.encode(), flags,
                 data and data.encode()) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"mount {src} on {dst}: {os.strerror(err)}")

    def ro_bind(src: str, dst: str) -> None:
        mnt(OLD + src, dst, None, MS_BIND | MS_REC)
        flags = MS_RDONLY | MS_NOSUID
        f_flag = os.statvfs(dst).f_flag
        for st, ms in _ST_TO_MS:  # a remount must keep the flags locked on the source
            if f_flag & st:
                flags |= ms
        mnt(None, dst, None, MS_REMOUNT | MS_BIND | flags)

    def mkdir(path: str) -> None:  # each missing component 0755, whatever the umask
        if not os.path.isdir(path):
            mkdir(os.path.dirname(path))
            os.mkdir(path)
            os.chmod(path, 0o755)

    def mkfile(path: str) -> None:
        mkdir(os.path.dirname(path))
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))

    if nr is None:
        return False
    try:
        mnt(None, "/", None, MS_REC | MS_PRIVATE)
        mnt("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        os.mkdir("/tmp" + OLD)
        if libc.syscall(nr, b"/tmp", ("/tmp" + OLD).encode()) != 0:
            return False
    except OSError:
        return False
    try:  # past pivot_root there is no way back: a half-built view stops the child
        os.chdir("/")
        wd, hiding = os.path.realpath(workdir), []
        mkdir("/tmp")  # first: the installation itself may lie below /tmp (a bundle under test)
        mnt("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
        for kind, path in seen.entries:
            if kind == "tree":
                mkdir(path)
                ro_bind(path, path)
            elif kind == "link":
                mkdir(os.path.dirname(path))
                os.symlink(os.readlink(OLD + path), path)
            elif kind == "empty":
                if os.path.isdir(path) and _covered(path, seen):  # inside a tree: hide it
                    mnt("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
                    hiding.append(path)
                else:
                    mkdir(path)
            elif kind == "bind":
                (mkdir if os.path.isdir(OLD + path) else mkfile)(path)
                ro_bind(path, path)
        for dev in (*DEVICES, *READ_ONLY_DEVICES):
            mkfile(dev)
            mnt(OLD + dev, dev, None, MS_BIND)
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                             ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
            os.symlink(target, f"/dev/{name}")
        mkdir(wd)
        mnt(OLD + wd, wd, None, MS_BIND)
        mkdir("/proc")
        try:  # refused in a user namespace when the host's /proc is partly covered (Docker)
            mnt("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | 8)
        except OSError:
            pass
        if libc.umount2(OLD.encode(), MNT_DETACH) != 0:
            raise OSError(ctypes.get_errno(), "umount2 of the old root")
        os.rmdir(OLD)
        mnt(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        for path in hiding:  # the hiding tmpfs too, once filled
            mnt(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    except OSError as err:
        raise RuntimeError(f"the file-system view could not be built: {err}") from None
    _drop_capabilities()
    return True


def _covered(path: str, seen: View) -> bool:
    """Whether `path` lies inside one of `seen`'s read-only trees."""
    return any(k == "tree" and path.startswith(p.rstrip("/") + "/") for k, p in seen.entries)


def _drop_capabilities() -> None:
    """No capability left (they were only needed to build the view; in a user namespace a
    non-root caller keeps them otherwise). Root's are dropped with its uid (`_drop`)."""
    if os.geteuid() == 0:
        return
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()
    _libc().syscall(126 if os.uname().machine == "x86_64" else 91, header, data)


# What a child needs of the installation: these top-level packages of site-packages, and of
# hw1's own packages only the student side (never problems/*/problem.py, where references live).
PACKAGES = ("numpy", "numpy.libs", "sympy", "mpmath", "pyseccomp", "seccomp", "landlock")
CHILD_MODULES = ("__init__", "child", "harnesslib", "sandbox", "wire", "warmup", "template",
                 "landlock", "seccomp")
TRUSTED = "problem"  # problems/<name>/problem.py


def allowlist() -> list[tuple[str, str]]:
    """The entries of a child's view (see `View`), from this Python and hw1's install."""
    import site

    import grader
    import problems

    real = os.path.realpath
    entries: dict[str, str] = {}
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            entries[top] = "link"
        elif os.path.isdir(top):
            entries[top] = "tree"
    for t in ("/usr", sys.base_prefix):  # Python and the system libraries its extensions load
        t = real(t)
        if os.path.isdir(t) and not any(t == p or t.startswith(p + "/") for p, k in entries.items()
                                        if k == "tree"):
            entries[t] = "tree"
    sites = {real(p) for p in [*sys.path, *site.getsitepackages([sys.prefix, sys.base_prefix])]
             if p and os.path.isabs(p) and os.path.isdir(p)
             and os.path.basename(p) in ("site-packages", "dist-packages")}
    for sp in sites:
        entries[sp] = "empty"
        for name in PACKAGES:
            for cand in (os.path.join(sp, name), os.path.join(sp, name + ".py")):
                if os.path.exists(cand):
                    entries[real(cand)] = "bind"
    for pkg, keep in ((grader, lambda d, f: f[:-3] in CHILD_MODULES),
                      (problems, lambda d, f: d == "" or f[:-3] != TRUSTED)):
        for base in map(real, pkg.__path__):
            entries.setdefault(base, "empty")
            for d, _dirs, files in os.walk(base):
                rel = os.path.relpath(d, base)
                if "__pycache__" in rel.split(os.sep):
                    continue
                for f in files:
                    if f.endswith(".py") and keep("" if rel == "." else rel, f):
                        entries[os.path.join(d, f)] = "bind"
    return sorted(((k, p) for p, k in entries.items()), key=lambda e: e[1])


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
STUDENT_SIDE = {*CHILD_MODULES, "__main__"}  # the same modules the mount view binds


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


def _kernel_at_least(major: int, minor: int) -> bool:
    try:
        got = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", os.uname().release).groups())
    except (AttributeError, ValueError):
        return False
    return got >= (major, minor)


def _tasks_of(uid: int) -> int:
    """Tasks (threads included, as RLIMIT_NPROC counts them) whose real uid is `uid`."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as fh:
                fields = dict(line.split(b":", 1) for line in fh.read().splitlines() if b":" in line)
            if int(fields[b"Uid"].split()[0]) == uid:
                count += int(fields[b"Threads"])
        except (OSError, KeyError, ValueError, IndexError):
            continue
    return count


def _rlimits(limits: Limits, processes: int) -> None:
    """Memory, CPU, file size, open files, core dumps, and `processes` (RLIMIT_NPROC)."""
    cpu = int(limits.timeout) + 2
    wanted = [
        (resource.RLIMIT_AS, limits.memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, limits.file_size),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    if processes > 0:
        wanted.append((resource.RLIMIT_NPROC, processes))
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


