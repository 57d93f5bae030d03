"""Unit tests of the Landlock and seccomp layers, each in a forked child (a layer cannot be lifted).

Each check runs in a child that applies the layer and reports, through its exit code, what the
kernel answered; the same check without the layer is run too, so a test fails if the layer does
nothing (and not only because the operation was impossible anyway).
"""

from __future__ import annotations

import errno
import os
import socket
import tempfile

import pytest

from grader import landlock, sandbox, seccomp


def in_child(setup, check) -> int:
    """Fork; apply `setup` (after no_new_privs), then return check()'s int as the exit code."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            sandbox._no_new_privs()
            setup()
            code = check()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def err_of(fn) -> int:
    try:
        fn()
    except OSError as e:
        return e.errno or 98
    return 0


def no_layer() -> None:
    pass


def with_seccomp() -> None:
    assert seccomp.install() > 0


needs_seccomp = pytest.mark.skipif(seccomp.build()[0] is None, reason="no libseccomp here")
needs_landlock = pytest.mark.skipif(landlock.abi() < 4, reason="Landlock ABI >= 4 needed")


@needs_seccomp
def test_seccomp_denies_inet_and_raw_sockets_but_not_unix():
    inet = lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    unix = lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
    pair = lambda: [s.close() for s in socket.socketpair()]
    assert in_child(no_layer, lambda: err_of(inet)) == 0
    assert in_child(with_seccomp, lambda: err_of(inet)) == errno.EPERM
    raw = lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    assert in_child(with_seccomp, lambda: err_of(raw)) == errno.EPERM
    assert in_child(with_seccomp, lambda: err_of(unix)) == 0
    assert in_child(with_seccomp, lambda: err_of(pair)) == 0


@needs_seccomp
def test_seccomp_denies_ptrace_unshare_and_keys():
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def call(nr_name, *args):
        def run():
            if getattr(libc, nr_name)(*args) != 0:
                raise OSError(ctypes.get_errno(), nr_name)
        return run

    unshare_net = call("unshare", 0x40000000)
    ptrace_me = call("ptrace", 0, 0, 0, 0)  # PTRACE_TRACEME
    key = call("syscall", 250, 1, 0, 0, 0)  # keyctl(KEYCTL_JOIN_SESSION_KEYRING) on x86-64
    assert in_child(with_seccomp, lambda: err_of(unshare_net)) == errno.EPERM
    assert in_child(with_seccomp, lambda: err_of(ptrace_me)) == errno.EPERM
    assert in_child(no_layer, lambda: err_of(ptrace_me)) == 0
    if os.uname().machine == "x86_64":
        assert in_child(with_seccomp, lambda: err_of(key)) == errno.EPERM


@needs_seccomp
def test_fork_still_works_under_seccomp():
    def forks() -> int:
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    assert in_child(with_seccomp, forks) == 7


@pytest.fixture
def tree():
    with tempfile.TemporaryDirectory() as d:
        for name in ("allowed", "secret", "work"):
            os.mkdir(os.path.join(d, name))
        for rel in ("allowed/a.txt", "secret/s.txt", "allowed/hidden.txt"):
            with open(os.path.join(d, rel), "w") as f:
                f.write("x")
        yield d


def lock(d: str):
    rules = landlock.rules([os.path.join(d, "allowed")], [os.path.join(d, "allowed", "hidden.txt")])
    return lambda: (landlock.restrict(landlock.abi(), rules, [os.path.join(d, "work")]) > 0) or os._exit(97)


def opens(path: str, mode: str = "r"):
    return lambda: err_of(lambda: open(path, mode).close())


@needs_landlock
def test_landlock_allows_listed_paths_only(tree):
    assert in_child(lock(tree), opens(os.path.join(tree, "allowed", "a.txt"))) == 0
    assert in_child(no_layer, opens(os.path.join(tree, "secret", "s.txt"))) == 0
    assert in_child(lock(tree), opens(os.path.join(tree, "secret", "s.txt"))) == errno.EACCES
    assert in_child(lock(tree), opens(os.path.join(tree, "allowed", "hidden.txt"))) == errno.EACCES
    assert in_child(lock(tree), opens(os.path.join(tree, "work", "new.txt"), "w")) == 0
    assert in_child(lock(tree), opens(os.path.join(tree, "allowed", "new.txt"), "w")) == errno.EACCES


@needs_landlock
def test_landlock_denies_tcp_connect_to_a_listening_socket(tree):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]

    def connect() -> int:
        with socket.socket() as s:
            return err_of(lambda: s.connect(("127.0.0.1", port)))
    try:
        assert in_child(no_layer, connect) == 0
        assert in_child(lock(tree), connect) == errno.EACCES
    finally:
        server.close()


def test_rules_never_grant_a_problem_file():
    seen = sandbox.view([])
    granted = [p for p, _ in seen.landlock_rules]
    assert seen.landlock_abi == 0 or granted
    assert not any(p.endswith("problem.py") for p in granted)
    assert not any(os.path.basename(p).startswith("problem.") for p in granted)
    for p, kind in seen.landlock_rules:  # a whole-tree grant never contains a hidden file
        if kind == "read":
            assert not any(h.startswith(p.rstrip("/") + "/") or h == p for h in seen.mask), p
