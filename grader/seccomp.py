"""A seccomp filter for the child (pyseccomp over libseccomp.so.2): default allow, EPERM for what a
student never needs and an attacker would use. Requires no_new_privs (set before) and cannot be
lifted; inherited by everything the child starts.

Denied: sockets other than AF_UNIX (the child's channel is a pipe), ptrace and process_vm_*,
mount and namespace calls (and clone with a namespace flag; clone3 returns ENOSYS so libc falls
back to clone, whose flags can be checked), keys, bpf, perf, modules, kexec, userfaultfd,
io_uring, personality changes, and the machine-wide administrative calls.
"""

from __future__ import annotations

import errno
import socket

try:  # imported once, by the template: a child only builds and loads the filter
    import pyseccomp as _sc
except (ImportError, OSError, RuntimeError):  # no libseccomp.so.2 here
    _sc = None

DENIED = [
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "open_by_handle_at",
    "name_to_handle_at", "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "acct", "swapon",
    "swapoff", "reboot", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname", "quotactl", "iopl", "ioperm", "syslog", "vhangup",
    "lookup_dcookie", "uselib",
]
NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                   0x40000000]  # CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
PERSONALITY_QUERY = 0xFFFFFFFF


def build():
    """The filter (not loaded) and its number of rules; (None, 0) without libseccomp."""
    sc = _sc
    if sc is None:
        return None, 0
    deny = sc.ERRNO(errno.EPERM)
    f = sc.SyscallFilter(defaction=sc.ALLOW)
    count = 0

    def add(action, name, *args):
        nonlocal count
        try:
            f.add_rule(action, name, *args)
            count += 1
        except (RuntimeError, ValueError, OSError):
            pass  # a call this architecture or libseccomp does not know

    for name in DENIED:
        add(deny, name)
    add(deny, "socket", sc.Arg(0, sc.NE, socket.AF_UNIX))
    add(deny, "socketpair", sc.Arg(0, sc.NE, socket.AF_UNIX))
    add(deny, "personality", sc.Arg(0, sc.NE, PERSONALITY_QUERY))
    for flag in NAMESPACE_FLAGS:
        add(deny, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    add(sc.ERRNO(errno.ENOSYS), "clone3")
    return f, count


_BUILT: list = []  # (filter, rules), built once per process that forks children (the template)


def prepare() -> None:
    """Build the filter now, before forking: each child then only loads it."""
    if not _BUILT:
        _BUILT.append(build())


def install() -> int:
    """Load the filter (built once, see `prepare`); the number of rules, 0 when not installed."""
    prepare()
    f, count = _BUILT[0]
    if f is None:
        return 0
    try:
        f.load()
    except (RuntimeError, OSError, ValueError):
        return 0
    return count


prepare()  # at import: the template imports this module before it forks any child
