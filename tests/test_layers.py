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
def test_a_symlink_does_not_grant_what_it_hides(tree):
    """A venv has lib64 -> lib: granting the link by name granted lib, problem.py and all (CI's
    non-editable install, where problems/ lives in site-packages)."""
    os.symlink(os.path.join(tree, "allowed"), os.path.join(tree, "allowed", "lib64"))
    os.symlink("allowed", os.path.join(tree, "alias"))
    rules = landlock.rules([os.path.join(tree, "alias"), os.path.join(tree, "allowed")],
                           [os.path.join(tree, "allowed", "hidden.txt")])
    locked = lambda: (landlock.restrict(landlock.abi(), rules, []) > 0) or os._exit(97)  # noqa: E731
    for via in ("allowed/lib64/hidden.txt", "alias/hidden.txt", "alias/lib64/hidden.txt"):
        assert in_child(locked, opens(os.path.join(tree, via))) == errno.EACCES, via
    assert in_child(locked, opens(os.path.join(tree, "alias", "lib64", "a.txt"))) == 0


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
    hidden = sandbox.answer_files() + sandbox.trusted_modules()
    assert hidden
    for p, kind in seen.landlock_rules:  # a whole-tree grant never contains a hidden file
        if kind == "read":
            assert not any(h.startswith(p.rstrip("/") + "/") or h == p for h in hidden), p


@pytest.mark.skipif(os.geteuid() != 0, reason="the check is root's")
def test_root_only_needs_every_trusted_file_closed_to_others(tmp_path):
    files = [tmp_path / f"problem{i}.py" for i in range(3)]
    for f in files:
        f.write_text("REF = 1\n")
        f.chmod(0o600)
    assert sandbox.root_only([str(f) for f in files])
    files[1].chmod(0o604)  # one file readable by others is enough to lose the guarantee
    assert not sandbox.root_only([str(f) for f in files])
    files[1].chmod(0o640)  # group bits do not matter: a dropped uid has no supplementary group
    assert sandbox.root_only([str(f) for f in files])
    os.chown(files[2], 1, 1)
    assert not sandbox.root_only([str(f) for f in files])
    assert not sandbox.root_only([]) and not sandbox.root_only([str(tmp_path / "gone.py")])


# ---------------------------------------------------------------- the CLI: doctor, refusal, full grade
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

from tests.support import HW1_SCRIPT, ROOT, hw1, run_as  # noqa: E402

REFERENCE = ROOT / "submissions" / "reference.py"
STRONG = ("landlock ABI", "seccomp (", "no_new_privs", "rlimits")


def test_doctor_lists_every_layer_with_what_it_guarantees():
    proc = hw1("doctor")
    assert proc.returncode == 0, proc.stderr
    from grader.doctor import ALL

    for name, _ in ALL:
        assert name in proc.stdout
    assert "file-system allowlist" in proc.stdout
    if landlock.abi() >= 1:
        row = next(line for line in proc.stdout.splitlines() if line.lstrip().startswith("landlock"))
        assert "yes" in row and f"ABI {landlock.abi()}" in row


def test_weak_isolation_is_refused_with_one_line_unless_allowed():
    env = {sandbox.TEST_WITHOUT: "uid,namespaces,landlock,seccomp"}
    proc = hw1("grade", str(REFERENCE), "--format", "json", env=env)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "--allow-weak-isolation" in proc.stderr
    assert "separate identity" in proc.stderr and "file-system allowlist" in proc.stderr
    assert proc.stdout == ""
    proc = hw1("grade", str(REFERENCE), "--format", "json", "--allow-weak-isolation", env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["score"] == 100
    assert any(x.startswith("WEAK ISOLATION") for x in doc["sandbox"])
    assert not any(x.startswith(("landlock", "seccomp")) for x in doc["sandbox"])


def test_missing_names_each_guarantee():
    full = ["unprivileged uid 5", "read-only file system view", "no network", "seccomp (3 rules)"]
    assert sandbox.missing(full, grader_dumpable=True) == []
    assert len(sandbox.missing([], grader_dumpable=True)) == 4
    assert sandbox.missing(["user namespace", "landlock ABI 7 (9 rules): files, no TCP, scoped"],
                           grader_dumpable=False) == [sandbox.missing([], True)[3]]
    assert sandbox.missing(["unprivileged uid 5", "landlock ABI 3 (9 rules): files"], False) == [
        sandbox.missing([], True)[2]]


def _strong(doc: dict) -> None:
    assert doc["score"] == 100, doc["sandbox"]
    layers = " | ".join(doc["sandbox"])
    for name in STRONG:
        assert name in layers, layers
    assert "WEAK" not in layers


@pytest.mark.skipif(landlock.abi() < 6 or seccomp.build()[0] is None, reason="Landlock 6 and seccomp needed")
def test_reference_scores_100_with_every_layer_as_this_user():
    proc = hw1("grade", str(REFERENCE), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    _strong(json.loads(proc.stdout))


@pytest.mark.skipif(landlock.abi() < 6 or seccomp.build()[0] is None, reason="Landlock 6 and seccomp needed")
def test_reference_scores_100_with_every_layer_as_an_ordinary_user(ordinary_user):
    from pathlib import Path

    where = Path(tempfile.mkdtemp(prefix="hw1-layers-"))  # pytest's tmp_path is 0700 under root's
    where.chmod(0o755)
    sub = where / "ref.py"
    shutil.copy(REFERENCE, sub)
    sub.chmod(0o644)
    proc = run_as(ordinary_user, [str(HW1_SCRIPT), "grade", str(sub), "--format", "json"],
                  cwd="/", timeout=600, env={"PATH": "/usr/sbin:/usr/bin:/bin"})
    shutil.rmtree(where, ignore_errors=True)
    if proc.returncode == 2 and "separate identity" in proc.stderr:
        assert subprocess.run(["unshare", "-U", "true"], capture_output=True).returncode != 0
        pytest.skip("user namespaces are blocked here: hw1 refused, as it must")
    assert proc.returncode == 0, proc.stderr
    _strong(json.loads(proc.stdout))


def test_rules_grant_the_student_side_of_grader_only():
    seen = sandbox.view([])
    if not seen.landlock_abi:
        pytest.skip("no Landlock here")
    files = {os.path.basename(p) for p, kind in seen.landlock_rules if p.endswith(".py")}
    assert {"wire.py", "harnesslib.py", "child.py"} <= files
    assert not files & {"judge.py", "checks.py", "engine.py", "cli.py", "problem.py"}


@needs_landlock
def test_landlock_grants_what_the_mount_allowlist_shows_and_nothing_else(tmp_path, monkeypatch):
    """Landlock's rules come from the mount view's allowlist. They used to grant every directory
    on sys.path and every site-packages directory whole, so a directory a .pth put on sys.path (a
    course checkout installed in compat editable mode, say) was readable where only Landlock holds
    (root without CAP_SYS_ADMIN, an ordinary user without user namespaces), and so was every
    package the mount view shows as absent."""
    import site

    import numpy

    course = tmp_path / "course"
    course.mkdir()
    (course / "answers.py").write_text("KEY = 42\n")
    monkeypatch.syspath_prepend(str(course))
    seen = sandbox.view([])
    assert ("tree", str(course)) not in seen.entries and ("bind", str(course)) not in seen.entries
    c = str(course)
    covers = lambda p, kind: (p == c or p.startswith(c + "/")  # noqa: E731
                              or kind == "read" and c.startswith(p.rstrip("/") + "/"))
    assert not any(covers(p, kind) for p, kind in seen.landlock_rules)
    sites = [os.path.realpath(p) for p in site.getsitepackages() if os.path.isdir(p)]
    other = next((os.path.join(s, n) for s in sites for n in ("rich", "typer", "_pytest")
                  if os.path.isdir(os.path.join(s, n))), None)
    assert other, sites
    reference = next(f for f in sandbox.answer_files() if f.endswith("problem.py"))
    harness = os.path.join(os.path.dirname(reference), "harness.py")
    locked = lambda: (sandbox._landlock(str(tmp_path / "work"), seen) > 0) or os._exit(97)  # noqa: E731
    (tmp_path / "work").mkdir()
    assert in_child(no_layer, opens(str(course / "answers.py"))) == 0
    assert in_child(locked, opens(str(course / "answers.py"))) == errno.EACCES
    assert in_child(locked, opens(os.path.join(other, "__init__.py"))) == errno.EACCES
    assert in_child(locked, opens(numpy.__file__)) == 0
    assert in_child(locked, opens(harness)) == 0
    assert in_child(locked, opens(reference)) == errno.EACCES
    # listing works where the mount view makes directories to bind into (the importer needs it)
    assert in_child(locked, lambda: err_of(lambda: os.listdir(os.path.dirname(harness)))) == 0
