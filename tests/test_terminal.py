"""hw1 in a pseudo-terminal, as a user runs it: the progress display is live there (stderr is a tty)."""

from __future__ import annotations

import os
import pty
import shutil
import sys

from tests.support import REFERENCE, ROOT


def _in_pty(argv: list[str], timeout: float = 300) -> tuple[int, str]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: hw1 with a terminal as stdin, stdout and stderr
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "grader", *argv], {**os.environ, "COLUMNS": "100"})
    out = b""
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def test_batch_with_progress_display_in_a_terminal(tmp_path):
    # Two files: the progress bar is shown (it is disabled for one file or without a terminal).
    for name in ("a.py", "b.py"):
        shutil.copy(REFERENCE, tmp_path / name)
    code, out = _in_pty(["grade", str(tmp_path / "a.py"), str(tmp_path / "b.py"), "--problem", "2"])
    assert code == 0, out[-2000:]
    assert "internal error" not in out and "Traceback" not in out
    assert out.count("10/10") >= 2


def test_single_grade_list_and_explain_in_a_terminal():
    for argv in (["grade", str(REFERENCE), "--problem", "2"], ["list"], ["explain", "5"]):
        code, out = _in_pty(argv)
        assert code == 0, (argv, out[-2000:])
        assert "internal error" not in out and "Traceback" not in out
