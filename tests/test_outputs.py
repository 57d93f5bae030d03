"""What hw1 writes: output paths checked before any grading, a closed stdout, the umask."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support import HW1_SCRIPT, REFERENCE, ROOT, hw1


def _one_line_exit_2(proc: subprocess.CompletedProcess, needle: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hw1: ") and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("option", ["--output", "--gradebook"])
@pytest.mark.parametrize("case, needle", [
    ("missing_parent", "does not exist"),
    ("directory", "is a directory"),
    ("submission", "is one of the submissions"),
    ("submission_via_symlink", "is one of the submissions"),
])
def test_output_path_errors_before_any_grading(tmp_path, option, case, needle):
    sub = tmp_path / "sub.py"
    shutil.copy(REFERENCE, sub)
    target = {"missing_parent": tmp_path / "no" / "such" / "out.txt", "directory": tmp_path,
              "submission": sub, "submission_via_symlink": tmp_path / "link.py"}[case]
    if case == "submission_via_symlink":
        target.symlink_to(sub)
    # A submission that would take 60 s to grade: an error after grading would take that long;
    # the check comes first, so the run ends at once (the timeout only stops a hung test)
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ntime.sleep(60)\n")
    before = sub.read_bytes()
    proc = hw1("grade", str(sub), str(slow), option, str(target), "--problem", "2", timeout=50)
    _one_line_exit_2(proc, needle)
    assert sub.read_bytes() == before
    assert not (tmp_path / "sub.py.jsonl").exists()


@pytest.mark.parametrize("option", ["--output", "--gradebook"])
@pytest.mark.parametrize("case", ["read_only_dir", "read_only_file"])
def test_unwritable_output_path_is_an_error_before_grading(ordinary_user, option, case):
    """As an ordinary user (root may write anywhere): a directory or a file that user cannot write."""
    top = Path(tempfile.mkdtemp(prefix="hw1-outputs-"))
    try:
        os.chmod(top, 0o755)
        sub = top / "sub.py"
        shutil.copy(REFERENCE, sub)
        (top / "slow.py").write_text("import time\ntime.sleep(60)\n")
        ro = top / "ro"
        ro.mkdir()
        target = ro / "out.csv"
        if case == "read_only_file":
            target = top / "out.csv"
            target.write_text("")
            os.chmod(target, 0o444)
        os.chmod(ro, 0o555)
        argv = [str(HW1_SCRIPT), "grade", str(sub), str(top / "slow.py"), option, str(target), "--problem", "2"]
        if os.geteuid() == 0:  # (support.run_as looks runuser up in its minimal PATH, without /usr/sbin)
            argv = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", ordinary_user, "--", *argv]
        proc = subprocess.run(argv, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, capture_output=True,
                              text=True, timeout=50, cwd=str(top))
        _one_line_exit_2(proc, "not writable")
    finally:
        os.chmod(top / "ro", 0o755)
        shutil.rmtree(top, ignore_errors=True)


def test_a_csv_that_is_not_a_gradebook_is_not_overwritten(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n1001,Ada\n")
    proc = hw1("grade", str(REFERENCE), "--gradebook", str(roster), "--problem", "2")
    _one_line_exit_2(proc, "not an hw1 gradebook")
    assert roster.read_text() == "student_id,name\n1001,Ada\n"


def test_output_and_gradebook_cannot_be_the_same_file(tmp_path):
    proc = hw1("grade", str(REFERENCE), "-o", str(tmp_path / "g.csv"), "--gradebook", str(tmp_path / "g.csv"))
    _one_line_exit_2(proc, "the same file")


def _closed_stdout(args: list[str]) -> subprocess.CompletedProcess:
    """Run hw1 with a stdout pipe whose reader has already gone (like `| head -1` once head exits)."""
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run([sys.executable, "-m", "grader", *args], stdout=w, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT, timeout=300, env={**os.environ, "COLUMNS": "200"})
    finally:
        os.close(w)


@pytest.mark.parametrize("args", [
    ["list"],
    ["explain", "3"],
    ["grade", str(ROOT / "submissions" / "example.py"), "--verbose"],
    ["grade", str(ROOT / "submissions" / "example.py"), "--format", "json", "--problem", "2", "--problem", "6"],
])
def test_closed_stdout_ends_quietly(args):
    proc = _closed_stdout(args)
    assert proc.returncode in (0, 141), (proc.returncode, proc.stderr)
    assert proc.stderr == ""


def test_head_in_a_shell_pipeline():
    cmd = f"set -o pipefail; '{sys.executable}' -m grader grade '{REFERENCE}' --verbose | head -1"
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode in (0, 141) and proc.stderr == "", (proc.returncode, proc.stderr)
    assert len(proc.stdout.splitlines()) == 1


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_written_files_follow_the_umask(tmp_path, mask):
    sub = tmp_path / "a.py"
    shutil.copy(REFERENCE, sub)
    out = tmp_path / "out" / "report.txt"
    out.parent.mkdir()
    gb = tmp_path / "out" / "g.csv"
    args = ["grade", str(sub), "-o", str(out), "--gradebook", str(gb), "--problem", "2"]
    run = lambda: subprocess.run(["bash", "-c", f"umask {mask:03o}; exec \"$@\"", "hw1", sys.executable, "-m",
                                  "grader", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    proc = run()
    assert proc.returncode == 0, proc.stderr
    written = sorted(out.parent.iterdir())
    assert {p.name for p in written} == {"report.txt", "g.csv", "g.csv.jsonl", "g.csv.lock"}
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in written}
    assert set(modes.values()) == {0o666 & ~mask}, {k: oct(v) for k, v in modes.items()}
    # A replaced CSV keeps the mode it had
    os.chmod(gb, 0o640)
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(Path(gb).stat().st_mode) == 0o640
