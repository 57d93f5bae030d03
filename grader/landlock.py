"""Landlock (Linux >= 5.13, unprivileged): a file-system allowlist, no TCP, scoped signals.

Three system calls through ctypes (x86-64 and arm64 numbers, the generic table): a ruleset that
handles every access right of the kernel's ABI, one rule per allowed path, then restrict_self.
Whatever a rule does not grant is denied, to the child and everything it starts, and cannot be
lifted. Rights are granted by hierarchy (a rule on a directory covers everything below it), so
directories that hold a trusted-side file (problems/*/problem.py) are not granted whole: see
`rules`.
"""

from __future__ import annotations

import ctypes
import os

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the only ones a file rule may hold
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2

READ = EXECUTE | READ_FILE | READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _syscall():
    libc = ctypes.CDLL(None, use_errno=True)
    fn = libc.syscall
    fn.restype = ctypes.c_long
    return fn


def abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is absent, disabled or blocked (seccomp)."""
    try:
        version = _syscall()(CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def handled_fs(version: int) -> int:
    """Every file-system right the ABI knows (13 in ABI 1; REFER in 2, TRUNCATE in 3, IOCTL_DEV in 5)."""
    rights = (1 << 13) - 1
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def rules(readable: list[str], hidden: list[str], opaque: list[str] = ()) -> list[tuple[str, str]]:
    """(path, "read" | "list") pairs: `readable` trees granted read+execute, except `hidden` files
    and what lies in `opaque` directories.

    An `opaque` directory (a site-packages directory, hw1's package directories: "empty" in the
    mount view) is granted only listing ("list": READ_DIR, which Python's importer needs to find
    modules); what is below it is granted only where `readable` names it (numpy, a harness file).
    A readable tree that contains a hidden file or an opaque directory is granted listing too and
    its entries one by one, down to them. So problems/*/problem.py stays unreadable while the
    harnesses beside it import, and a package the mount view does not show is unreadable here too.
    Computed once, by the parent.
    """
    hidden_real = {os.path.realpath(h) for h in hidden}
    opaque_real = {os.path.realpath(o) for o in opaque}
    walls = hidden_real | opaque_real
    out: list[tuple[str, str]] = []
    seen: set[str] = set()

    def grant(path: str) -> None:
        # A rule opens its path following symlinks, so a link is granted as what it points to:
        # a venv's lib64 -> lib, granted whole by name, would grant lib's hidden files too.
        path = os.path.realpath(path)
        if path in hidden_real or path in seen:
            return
        seen.add(path)
        if path in opaque_real:
            out.append((path, "list"))
            return
        if not any(w.startswith(path.rstrip("/") + "/") for w in walls):
            out.append((path, "read"))
            return
        out.append((path, "list"))
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return
        for name in names:
            grant(os.path.join(path, name))

    def covered(path: str) -> bool:  # inside a tree already granted whole
        return any(kind == "read" and path.startswith(p.rstrip("/") + "/") for p, kind in out)

    for root in sorted({os.path.realpath(p) for p in [*readable, *opaque] if os.path.exists(p)}):
        if not covered(root):
            grant(root)
    return out


def restrict(version: int, allowed: list[tuple[str, str]], writable: list[str]) -> int:
    """Enter a Landlock domain: `allowed` (from `rules`) and `writable` trees only, no TCP bind or
    connect (ABI >= 4), no signals or abstract unix sockets out of the domain (ABI >= 6).

    Needs no_new_privs (or CAP_SYS_ADMIN) already set. Returns the number of rules added, 0 if
    any step failed, and then nothing was restricted.
    """
    if version < 1:
        return 0
    call = _syscall()
    fs = handled_fs(version)
    attr = _RulesetAttr(fs, NET_BIND_TCP | NET_CONNECT_TCP if version >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0)
    size = 8 if version < 4 else 16 if version < 6 else 24
    ruleset = call(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return 0
    added = 0
    try:
        wanted = [(p, READ if kind == "read" else READ_DIR) for p, kind in allowed]
        wanted += [(p, fs) for p in writable]
        for path, rights in wanted:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # absent here (e.g. /lib64 on arm64): nothing to grant
            try:
                if not os.path.isdir(path):
                    rights &= FILE_RIGHTS
                rule = _PathBeneathAttr(rights & fs, fd)
                if call(ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                        ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
                    return 0
                added += 1
            finally:
                os.close(fd)
        return added if call(RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0 else 0
    finally:
        os.close(ruleset)


def describe(version: int, rules: int) -> str:
    """The layer's name in reports and `hw1 doctor` (at most 60 characters: the runner's cap)."""
    parts = ["files"]
    if version >= 4:
        parts.append("no TCP")
    if version >= 6:
        parts.append("scoped")
    return f"landlock ABI {version} ({rules} rules): " + ", ".join(parts)
