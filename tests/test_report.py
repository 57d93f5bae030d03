"""Renderers read one results model: JSON, Gradescope and the terminal agree."""

import dataclasses
import io
import re

from rich.console import Console

from grader.registry import by_number
from grader.report import render, safe, to_gradescope, to_json
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
