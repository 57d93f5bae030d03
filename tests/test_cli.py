"""The command line of SPEC §1: exit codes, one-line errors, formats, reproducibility."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.explain import template_text
from grader.registry import all_problems
from tests.support import REFERENCE, ROOT, grade_json, hw1

TEMPLATE = ROOT / "submissions" / "template.py"


@pytest.mark.parametrize("args, needle", [
    (("grade", "no/such/file.py"), "no such file"),
    (("explain", "9"), "unknown problem 9"),
    (("grade", str(REFERENCE), "--problem", "8"), "unknown problem 8"),
    (("grade", str(REFERENCE), "--format", "xml"), "xml"),
    (("grade", "EMPTY_DIR"), "no .py files"),
    (("grade", str(REFERENCE), "--timeout", "0"), "--timeout"),
])
def test_usage_errors_exit_2_with_one_line(args, needle, tmp_path):
    proc = hw1(*(str(tmp_path) if a == "EMPTY_DIR" else a for a in args))
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_list_shows_seven_problems_totalling_100():
    proc = hw1("list")
    assert proc.returncode == 0
    for p in all_problems():
        assert p.title in proc.stdout
    assert "100" in proc.stdout
    assert sum(p.points for p in all_problems()) == 100


def test_explain_6_has_statement_probes_and_the_constant_note():
    proc = hw1("explain", "6")
    assert proc.returncode == 0
    out = " ".join(proc.stdout.split())
    assert "rho_from_sigma" in out and "transition_density" in out
    assert "p6.kernel" in out
    assert "normalised" in out and "sqrt(2 pi sigma_t^2)" in out
    assert "$" not in proc.stdout  # no raw LaTeX


def test_template_is_current_and_grades_cleanly_to_zero(tmp_path):
    assert TEMPLATE.read_text() == template_text(all_problems())
    out = tmp_path / "mine.py"
    assert hw1("template", str(out)).returncode == 0
    assert hw1("template", str(out)).returncode == 2  # refuses to overwrite
    (doc,) = grade_json(out)
    assert doc["score"] == 0
    for p in doc["problems"]:
        assert p["status"] == "ok"
        for pr in p["probes"]:
            assert "not implemented" in pr["message"]


def test_json_report_shape_and_reproducibility():
    a = grade_json(REFERENCE, extra=("--seed", "7", "--problem", "2", "--problem", "6"))
    b = grade_json(REFERENCE, extra=("--seed", "7", "--problem", "2", "--problem", "6"))
    strip = lambda docs: [{**d, "problems": [{**p, "seconds": 0} for p in d["problems"]]} for d in docs]
    assert strip(a) == strip(b)
    (doc,) = a
    assert {"submission", "score", "max_score", "problems"} <= set(doc)
    assert [p["id"] for p in doc["problems"]] == [2, 6]
    for p in doc["problems"]:
        assert {"id", "title", "score", "max_score", "probes"} <= set(p)
        for pr in p["probes"]:
            assert {"name", "kind", "passed", "score", "max_score", "message"} <= set(pr)
            assert pr["kind"] in ("numeric", "symbolic", "property")


def test_gradescope_format(tmp_path):
    out = tmp_path / "results.json"
    proc = hw1("grade", str(REFERENCE), "--format", "gradescope", "--output", str(out), "--problem", "2")
    assert proc.returncode == 0
    doc = json.loads(out.read_text())
    assert doc["score"] == 10
    assert all({"name", "score", "max_score", "output", "visibility"} <= set(t) for t in doc["tests"])
    assert "report written" in proc.stdout


def test_rich_report_explains_a_failure(tmp_path):
    sub = tmp_path / "kl.py"
    sub.write_text("import numpy as np\n"
                   "def kl_gaussian(mu0, s0, mu1, s1):\n"
                   "    d = mu0.size\n"
                   "    return ((mu1-mu0)**2).sum()/(2*s1**2) + d*(s0**2/s1**2-1)/2 + np.log(s1/s0)\n")
    proc = hw1("grade", str(sub), "--problem", "2")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "p2.scales" in text and "called: [0] kl_gaussian(" in text
    assert "likely mistake: the log term is missing its factor d" in text


def test_several_files_give_a_json_list_in_order(tmp_path):
    a, b = tmp_path / "b.py", tmp_path / "a.py"
    a.write_text("x = 1\n")
    b.write_text("def kl_gaussian(*a):\n    return 0.0\n")
    docs = grade_json(a, b, extra=("--problem", "2"))
    assert [d["submission"] for d in docs] == [str(a), str(b)]
    docs = grade_json(tmp_path, extra=("--problem", "2"))
    assert [d["submission"] for d in docs] == [str(tmp_path / "a.py"), str(tmp_path / "b.py")]


def test_an_unreadable_submission_is_reported_not_fatal(tmp_path):
    good, bad = tmp_path / "a.py", tmp_path / "b.py"
    good.write_text("def kl_gaussian(*a):\n    return 0.0\n")
    bad.mkdir()  # a directory named like a submission cannot be copied into the sandbox
    from grader.engine import Grader
    from grader.registry import by_number
    from grader.sandbox import Limits

    with Grader([by_number(2)], 1, Limits(timeout=5), 1) as grader:
        a, b = grader.grade([good, bad])
    assert a.problems[0].status == "ok"
    assert b.score == 0 and "cannot read the submission" in b.problems[0].probes[0].verdict.message


def test_student_processes_never_load_the_cli(tmp_path):
    """Run as the `hw1` console script, multiprocessing would re-import the script (typer, rich,
    the CLI) in the template and every child unless told not to: slower, and more to attack."""
    script = Path(sys.executable).with_name("hw1")
    if not script.is_file():
        pytest.skip("no hw1 console script beside this Python")
    sub = tmp_path / "probe_modules.py"
    sub.write_text("import sys\n\ndef kl_gaussian(mu0, sigma0, mu1, sigma1):\n"
                   "    loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
                   "('typer', 'click', 'rich', 'pydantic', 'grader.cli'))\n"
                   "    raise RuntimeError('loaded: ' + (','.join(loaded) or 'none'))\n")
    proc = subprocess.run([str(script), "grade", str(sub), "-p", "2", "--format", "json"], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    messages = [pr["message"] for pr in json.loads(proc.stdout)["problems"][0]["probes"]]
    assert messages and all("RuntimeError: loaded: none" in m for m in messages), messages
