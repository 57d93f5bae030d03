"""The child template (multiprocessing's forkserver preloaded with grader.warmup)."""

import os
from multiprocessing import forkserver

from grader import template


def test_template_holds_no_copy_of_the_users_streams():
    """Otherwise a pipe reading hw1's output stays open until the template's own teardown."""
    ctx = template.context()
    ready = ctx.Process(target=os.getpid)  # served only once the template has finished preloading
    ready.start()
    ready.join(60)
    pid = forkserver._forkserver._forkserver_pid
    for fd in (0, 1, 2):
        assert os.readlink(f"/proc/{pid}/fd/{fd}") == os.devnull
