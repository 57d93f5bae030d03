"""The child template (multiprocessing's forkserver preloaded with grader.warmup)."""

import os
from multiprocessing import forkserver

from grader import template
from tests.support import grade_json


def test_template_holds_no_copy_of_the_users_streams():
    """Otherwise a pipe reading hw1's output stays open until the template's own teardown."""
    ctx = template.context()
    ready = ctx.Process(target=os.getpid)  # served only once the template has finished preloading
    ready.start()
    ready.join(60)
    pid = forkserver._forkserver._forkserver_pid
    for fd in (0, 1, 2):
        assert os.readlink(f"/proc/{pid}/fd/{fd}") == os.devnull


def test_student_code_runs_at_a_lower_priority_than_the_grader(tmp_path):
    sub = tmp_path / "niceness.py"
    sub.write_text("import os\n\ndef kl_gaussian(mu0, sigma0, mu1, sigma1):\n"
                   "    raise RuntimeError(f'niceness {os.nice(0)}')\n")
    (doc,) = grade_json(sub, extra=("--problem", "2"))
    expected = f"niceness {min(os.nice(0) + 5, 19)}"
    assert all(expected in pr["message"] for pr in doc["problems"][0]["probes"]), doc["problems"][0]["probes"]
