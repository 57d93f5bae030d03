"""Renderers read one results model: JSON, Gradescope and the terminal agree."""

import dataclasses
import io
import re

from rich.console import Console

from grader.registry import by_number
from grader.report import plain_feedback, render, safe, to_gradescope, to_json
from grader.results import ProbeResult, ProblemResult, SubmissionResult
from grader.spec import Verdict


def _result(hidden: bool = True) -> SubmissionResult:
    p = by_number(2)
    probes = []
    for i, probe in enumerate(p.probes):
        if hidden and i == 0:
            probe = dataclasses.replace(probe, visibility="hidden")
        v = Verdict(True, "ok") if i else Verdict(False, "bad \x1b[31m[bold]x[/bold]", called="kl_gaussian(...)",
                                                  got="1.0", expected="2.0", mistake="off by a factor of 1/2")
        probes.append(ProbeResult(probe, v))
    return SubmissionResult("s.py", (ProblemResult(2, p.title, p.points, tuple(probes)),), seed=1)


def test_scores_are_derived_from_probe_points():
    r = _result()
    assert r.score == 10 - by_number(2).probes[0].points and r.max_score == 10
    assert to_json(r)["score"] == r.score


def test_gradescope_carries_visibility_and_feedback():
    doc = to_gradescope(_result())
    assert doc["tests"][0]["visibility"] == "hidden" and doc["tests"][1]["visibility"] == "visible"
    assert "likely mistake: off by a factor of 1/2" in doc["tests"][0]["output"]
    assert "\x1b" not in doc["tests"][0]["output"]
    assert doc["score"] == sum(t["score"] for t in doc["tests"])


def test_terminal_report_shows_the_failure_and_no_escape_codes():
    buf = io.StringIO()
    render(_result(), Console(file=buf, width=100, force_terminal=False, color_system=None))
    text = buf.getvalue()
    # labels are padded to one column (hanging indent): "called:   kl_gaussian(...)"
    assert "p2.means" in text and re.search(r"called:\s+kl_gaussian\(\.\.\.\)", text)
    assert re.search(r"expected:\s+2\.0", text)
    assert "[bold]x[/bold]" in text and "\x1b" not in text


def test_safe_strips_controls_and_bidi_and_caps_length():
    assert safe("a\x1b[2Jb\u202ec\x07") == "a[2Jbc"
    assert len(safe("x" * 10_000, 100)) < 120


# --------------------------------------------------------------------------- #10: at 80 columns
# Each test below was run against main (2ae8e51) first and failed there (see the branch report).
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy  # noqa: E402

from grader.checks import describe, numeric  # noqa: E402
from tests.mutants import MUTANTS  # noqa: E402
from tests.support import ROOT, cases, hw1, judge_inprocess, module_from_source  # noqa: E402

MUTANT = {m.name: m for m in MUTANTS}
WIDTH = 80
LABELS = ("called:", "got:", "expected:", "likely mistake:", "simplified:")


def _graded(source: str, numbers: tuple[int, ...], seed: int = 0) -> SubmissionResult:
    module = module_from_source(source)
    problems = []
    for n in numbers:
        p = by_number(n)
        verdicts = judge_inprocess(module, n, seed)
        status = "import error" if any("could not be imported" in v.message for v in verdicts.values()) else "ok"
        problems.append(ProblemResult(n, p.title, p.points,
                                      tuple(ProbeResult(pr, verdicts[pr.id]) for pr in p.probes), status))
    return SubmissionResult("s.py", tuple(problems), seed=seed, layers=("process", "rlimits"))


def _text(result: SubmissionResult, verbose: bool = False) -> str:
    console = Console(width=WIDTH, record=True, file=io.StringIO(), color_system=None)
    render(result, console, verbose)
    return console.export_text()


def _inner(line: str) -> str:
    """A line of a panel without its border."""
    return line[2:-2] if line.startswith("│ ") and line.endswith(" │") else line


def _check_hanging(text: str) -> int:
    """Every continuation of a wrapped message or labelled value starts under its first character.

    A block is a probe's message (the line after "✘ id ...") or a labelled row ("got: ...");
    it ends at the next label, probe, "differing entries:" or the panel's end. Every line in
    between must be indented exactly like the block's text. Returns how many continuation lines
    were checked (so a test can insist there were some).
    """
    checked = 0
    lines = [_inner(x) for x in text.splitlines()]
    starts = re.compile(r"^ *(called:|got:|expected:|likely mistake:|repro:|differing entries:|not run:|[✘✔] )")
    col = None
    for i, line in enumerate(lines):
        label = re.match(r"^( +)(called:|got:|expected:|likely mistake:|repro:) +", line)
        if label:
            col = label.end()
        elif i and re.match(r"^[✘✔] ", lines[i - 1]) and not starts.match(line):
            col = len(line) - len(line.lstrip(" "))  # a probe's message
        elif line.startswith(("╭", "╰")) or starts.match(line) or not line.strip():
            col = None
        elif col is not None:
            indent = len(line) - len(line.lstrip(" "))
            assert indent == col, f"continuation not under column {col}: {line!r}\n{text}"
            checked += 1
    return checked


REPORTED = [("example", (1, 2, 3)), ("jacobian_transposed", (3,)), ("grad_p_not_log", (1,)),
            ("sigma_inverse", (1,)), ("kl_swapped", (2,)), ("no_zero_grad", (4,)),
            ("advective_not_divergence", (5,)), ("one_minus_lam", (7,))]


@pytest.mark.parametrize("name, numbers", REPORTED, ids=[r[0] for r in REPORTED])
def test_report_at_80_columns_fits_and_keeps_hanging_indents(name, numbers):
    source = (ROOT / "submissions" / "example.py").read_text() if name == "example" else MUTANT[name].source()
    text = _text(_graded(source, numbers))
    assert "✘" in text, "each of these submissions fails a probe"
    too_long = [x for x in text.splitlines() if len(x) > WIDTH]
    assert not too_long, too_long
    assert _check_hanging(text) > 0, text  # some value wrapped, and its lines hang under it
    assert "…" not in text and "..." not in text.replace("kl_gaussian(...)", ""), text


def test_p3_grad_expected_is_whole_and_differing_entries_have_indices():
    text = _text(_graded(MUTANT["jacobian_transposed"].source(), (3,)))
    expected = cases(3, 0)["p3.grad"].data["grad"]  # the reference itself, not the report's text
    block = text[text.index("p3.grad"):text.index("p3.unbiased") if "p3.unbiased" in text else None]
    flat = re.sub(r"\s*│\s*", " ", block)
    for x in expected:  # every entry, whole: both in "expected:" (10 digits) and the table (12)
        assert f"{x:.10g}" in flat and f"{x:.12g}" in flat, (x, block)
    rows = re.findall(r"│\s+\[(\d+)\]\s+(\S+)\s+(\S+)\s+([+-]\S+)", block)
    assert [int(r[0]) for r in rows] == list(range(12)), block
    for i, g, e, d in rows:
        assert float(e) == pytest.approx(expected[int(i)], rel=1e-11)
        assert float(d) == pytest.approx(float(g) - float(e), rel=2e-3)


def test_only_the_differing_entries_are_listed_and_the_rest_counted():
    e = np.arange(1.0, 9.0)
    g = e.copy()
    g[[2, 5]] += [0.5, -0.25]
    v = numeric(g, e, rtol=1e-8, atol=1e-10, called="f()")
    assert [r[0] for r in v.differing] == ["[2]", "[5]"] and v.differing_more == 0
    assert v.differing[0][1:] == ("3.5", "3", "+0.5") and v.differing[1][1:] == ("5.75", "6", "-0.25")
    big_e = np.linspace(1, 40, 40)
    big_g = big_e.copy()
    big_g[::2] *= 3  # 20 differ: 12 listed, 8 counted
    v = numeric(big_g, big_e, rtol=1e-8, atol=1e-10, called="f()")
    assert len(v.differing) == 12 and v.differing_more == 8
    assert [r[0] for r in v.differing] == [f"[{i}]" for i in range(0, 24, 2)]
    assert "40 entries" in v.got and "..." not in v.got
    result = SubmissionResult("s.py", (ProblemResult(2, "t", 10, (ProbeResult(by_number(2).probes[0], v),)),), 1)
    text = _text(result)
    assert "and 8 more differing entries" in text and re.search(r"\[22\]\s+69\s+23\s+\+46", text), text
    assert "differing" in plain_feedback(result.problems[0].probes[0])
    assert to_json(result)["problems"][0]["probes"][0]["differing"][1]["index"] == "[2]"


def test_matrix_entries_keep_both_indices():
    e = np.eye(3)
    g = e.copy()
    g[1, 2] = 4.0
    v = numeric(g, e, rtol=1e-8, atol=1e-10, called="f()")
    assert v.differing == (("[1, 2]", "4", "0", "+4"),)


def test_symbolic_failure_shows_both_and_values_at_the_point():
    text = _text(_graded(MUTANT["grad_p_not_log"].source(), (1,)))
    block = re.sub(r"\s*│\s*", " ", text[text.index("p1.score.gaussian"):])
    m = re.search(r"at\s+x1=(\S+),\s+x2=(\S+):\s+got\s+(\S+),\s+expected\s+(\S+)", block)
    assert m, block
    x1, x2 = sympy.symbols("x1 x2", real=True)
    point = {x1: float(m.group(1)), x2: float(m.group(2).rstrip(":"))}
    called = re.search(r"score\(p=(.*?), x=\[x1, x2\]\)", block).group(1)
    p = sympy.sympify(called.replace(" ", ""), locals={"x1": x1, "x2": x2})
    assert float(sympy.diff(sympy.log(p), x1).subs(point)) == pytest.approx(float(m.group(4)), rel=1e-6, abs=1e-6)
    assert float(sympy.diff(p, x1).subs(point)) == pytest.approx(float(m.group(3)), rel=1e-6, abs=1e-6)
    assert re.search(r"got:\s+\S", block) and re.search(r"expected:\s+\S", block)


def test_simplified_form_is_shown_when_cheap():
    from grader.checks import _with_simplified
    x = sympy.Symbol("x", real=True)
    assert _with_simplified(x * (x + 1) - x).endswith("simplified: x**2")
    assert "simplified" not in _with_simplified(x**2)


def test_nothing_shown_is_empty():
    assert "None" in describe(None) and "nothing was returned" in describe(None)
    assert "empty list" in describe([]) and "empty array" in describe(np.zeros(0))
    whole = describe(np.linspace(0.1, 2.4, 24))
    assert whole.split("[", 1)[1].count(",") == 23 and "..." not in whole and "2.4]" in whole


def test_import_error_reported_once_and_probes_listed_not_run(tmp_path):
    sub = tmp_path / "broken.py"
    sub.write_text("import numpy as np\nimport no_such_module_for_hw1\n")
    r = hw1("grade", str(sub), "-p", "1", "-p", "2", env={"COLUMNS": str(WIDTH)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("No module named") == 1, r.stdout
    flat = re.sub(r"\s*│\s*", " ", r.stdout)
    assert flat.count("not run:") == 2
    for n in (1, 2):
        for probe in by_number(n).probes:
            assert probe.id in flat
    assert max(len(x) for x in r.stdout.splitlines()) <= WIDTH


def test_missing_function_said_once_with_a_near_miss_name():
    src = (ROOT / "submissions" / "example.py").read_text().replace("def tweedie_mean(", "def tweedie_means(")
    result = _graded(src, (1,))
    msgs = {v.verdict.message for v in result.problems[0].probes if not v.passed}
    assert any("did you mean tweedie_means?" in m for m in msgs), msgs
    text = _text(result)
    assert text.count("does not define tweedie_mean()") == 1 and "not run:" in text, text
    far = module_from_source("def something_else():\n    pass\n")
    verdicts = judge_inprocess(far, 1, 0)
    assert "did you mean" not in verdicts["p1.tweedie.full"].message


def test_layers_line_only_with_verbose_in_a_single_report():
    result = _graded((ROOT / "submissions" / "example.py").read_text(), (2,))
    assert "sandbox:" not in _text(result)
    assert "sandbox: process, rlimits" in _text(result, verbose=True)
    assert to_json(result)["sandbox"] == ["process", "rlimits"]


def test_layers_line_in_batch_summary_not_per_file():
    subs = [str(ROOT / "submissions" / "reference.py"), str(ROOT / "submissions" / "example.py")]
    r = hw1("grade", *subs, "-p", "2", env={"COLUMNS": str(WIDTH)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("sandbox:") == 1 and r.stdout.index("sandbox:") > r.stdout.index("per problem")


def test_explain_prints_brackets_literally():
    from grader.explain import explain_problem
    console = Console(width=WIDTH, record=True, file=io.StringIO(), color_system=None)
    console.print(explain_problem(by_number(1)))
    flat = re.sub(r"\s*│\s*", " ", console.export_text())
    flat = re.sub(r"\s+", " ", flat)
    assert "[d/dx_i log p]" in flat and "[[s^2]]" in flat, flat


def test_calls_left_undone_after_a_timeout_are_listed_once(tmp_path):
    sub = tmp_path / "loops.py"
    sub.write_text("def kl_gaussian(mu0, sigma0, mu1, sigma1):\n    while True:\n        pass\n")
    r = hw1("grade", str(sub), "-p", "2", "--timeout", "3", env={"COLUMNS": str(WIDTH)})
    assert r.returncode == 0, r.stderr
    flat = re.sub(r"\s*│\s*", " ", r.stdout)
    assert "not run: not run" not in flat and flat.count("the process timed out") == 1, r.stdout
    m = re.search(r"not run: ((?:p2\.\w+, )*p2\.\w+)", flat)
    assert m and len(m.group(1).split(", ")) == len(by_number(2).probes) - 1, r.stdout


def test_simplify_for_display_only_where_a_timer_can_stop_it():
    import signal
    import threading

    from grader.checks import cheap_simplify
    x = sympy.Symbol("x", real=True)
    out = []
    t = threading.Thread(target=lambda: out.append(cheap_simplify(x * (x + 1) - x)))
    t.start()
    t.join()
    assert out == [None]  # no SIGALRM outside the main thread: nothing is tried
    assert cheap_simplify(x * (x + 1) - x) == x**2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # the timer is left off
    big = sum(sympy.sin(x + i) ** 2 for i in range(200))
    assert cheap_simplify(big) is None  # over SIMPLIFY_NODES: shown as it is
