"""Renderers over the results model: rich terminal report, JSON, Gradescope results.json.

Only this module (and the CLI) imports rich. Every piece of text that came from a student's
process goes through `safe()` and rich.text.Text, never through markup.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.results import ProbeResult, ProblemResult, SubmissionResult

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
OUTPUT_LINES = 12


def safe(text: str, limit: int = 4000) -> str:
    """Strip control characters (terminal escapes, bidi overrides) and cap the length."""
    text = CONTROL.sub("", text.replace("\t", "    "))
    return text if len(text) <= limit else text[:limit] + " [...]"


# --------------------------------------------------------------------------- plain data
def probe_dict(r: ProbeResult) -> dict[str, Any]:
    v = r.verdict
    return {
        "name": r.probe.id, "title": r.probe.title, "kind": r.probe.kind, "passed": r.passed,
        "score": r.score, "max_score": r.probe.points, "message": safe(v.message),
        "called": safe(v.called), "got": safe(v.got), "expected": safe(v.expected),
        "mistake": safe(v.mistake), "visibility": r.probe.visibility,
    }


def problem_dict(p: ProblemResult) -> dict[str, Any]:
    return {"id": p.number, "title": p.title, "score": p.score, "max_score": p.max_score,
            "status": p.status, "seconds": round(p.seconds, 3),
            "probes": [probe_dict(r) for r in p.probes]}


def to_json(s: SubmissionResult) -> dict[str, Any]:
    """The SPEC §1 JSON report of one submission."""
    doc = {"submission": s.submission, "score": s.score, "max_score": s.max_score,
           "status": s.status, "seed": s.seed, "sandbox": list(s.layers),
           "problems": [problem_dict(p) for p in s.problems]}
    if s.notes:  # e.g. a notebook's IPython lines that were not run (#11); absent when none
        doc["notes"] = [safe(n) for n in s.notes]
    add_repro(doc, s)
    return doc


def add_repro(doc: dict[str, Any], s: SubmissionResult) -> None:
    """Each failed probe's `repro` command (#10; SPEC §1 allows keys beyond its list)."""
    for pd, p in zip(doc["problems"], s.problems):
        for d, r in zip(pd["probes"], p.probes):
            if not r.passed:
                d["repro"] = repro_command(s, r)


def repro_command(s: SubmissionResult, r: ProbeResult) -> str:
    """`hw1 repro SUBMISSION PROBE [--seed N]`: writes a script that reruns this probe."""
    from grader.repro import command

    return safe(command(s.submission, r.probe.id, s.seed))


GRADESCOPE_VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")


def to_gradescope(s: SubmissionResult, visibility: dict[str, str] | None = None) -> dict[str, Any]:
    """Gradescope's results.json (spec: gradescope-autograders.readthedocs.io/en/latest/specs/).

    One test per probe, numbered "problem.probe" ("3.2"), status passed/failed, plain-text
    output (`test_output_format` "text"), visibility from the probe or from `visibility`
    (probe id -> visibility, chosen at bundle build). The top-level output is Markdown: a table
    of problem scores, then the notes.
    """
    visibility = visibility or {}
    tests = []
    for p in s.problems:
        for i, r in enumerate(p.probes, 1):
            tests.append({
                "name": f"Problem {p.number} · {r.probe.title} ({r.probe.id})",
                "number": f"{p.number}.{i}",
                "score": r.score, "max_score": r.probe.points,
                "visibility": visibility.get(r.probe.id, r.probe.visibility),
                "output": plain_feedback(r),
                "status": "passed" if r.passed else "failed",
            })
    cell = lambda text: safe(str(text)).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    rows = ["| # | problem | score | status |", "|---:|---|---:|---|"]
    rows += [f"| {p.number} | {cell(p.title)} | {p.score:g} / {p.max_score:g} | {cell(p.status)} |"
             for p in s.problems]
    rows.append(f"| | **total** | **{s.score:g} / {s.max_score:g}** | |")
    output = "\n".join(rows)
    if s.notes:
        output += "\n\n" + "\n".join(f"- {cell(n)}" for n in s.notes)
    return {"score": s.score, "execution_time": round(sum(p.seconds for p in s.problems), 3),
            "output": output, "output_format": "md", "test_output_format": "text",
            "tests": tests, "visibility": "visible", "stdout_visibility": "hidden"}


def plain_feedback(r: ProbeResult) -> str:
    """A probe's feedback as plain text."""
    v = r.verdict
    lines = [safe(v.message)]
    for label, value in (("called", v.called), ("got", v.got), ("expected", v.expected),
                         ("likely mistake", v.mistake)):
        if value and not r.passed:
            lines.append(f"{label}: {safe(value)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- terminal
def bar(score: float, max_score: float, width: int = 20) -> Text:
    filled = 0 if max_score <= 0 else round(width * score / max_score)
    style = "green" if score >= max_score else ("yellow" if score > 0 else "red")
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


def render(s: SubmissionResult, console: Console, verbose: bool = False) -> None:
    """The rich report of one submission."""
    console.print(Text.assemble(("hw1 ", "bold"), (safe(s.submission), "bold cyan"),
                                (f"   seed {s.seed}", "dim")))
    table = Table(show_edge=False, pad_edge=False, expand=False)
    for col, kw in (("#", {"justify": "right"}), ("problem", {}), ("score", {"justify": "right"}),
                    ("", {}), ("status", {})):
        table.add_column(col, **kw)
    for p in s.problems:
        status = Text(p.status, style="green" if p.status == "ok" else "red")
        table.add_row(str(p.number), p.title, f"{p.score:g}/{p.max_score:g}",
                      bar(p.score, p.max_score), status)
    table.add_row("", Text("total", style="bold"), Text(f"{s.score:g}/{s.max_score:g}",
                  style="bold"), bar(s.score, s.max_score), "")
    console.print(table)
    for p in s.problems:
        failed = [r for r in p.probes if not r.passed or r.verdict.fraction not in (None, 1.0)]
        if failed or verbose:
            console.print(_problem_panel(p, p.probes if verbose else failed, s))
    for note in s.notes:
        console.print(Text("note: " + safe(note), style="yellow"))
    if s.layers:
        console.print(Text("sandbox: " + ", ".join(s.layers), style="dim"))


def _problem_panel(p: ProblemResult, probes: Sequence[ProbeResult], s: SubmissionResult | None = None) -> Panel:
    parts: list[Any] = []
    for r in probes:
        mark = ("✔", "green") if r.passed else ("✘", "red")
        parts.append(Text.assemble((mark[0] + " ", mark[1]), (r.probe.id, "bold"),
                                   f"  {r.probe.title}  ", (f"{r.score:g}/{r.probe.points:g}", "bold")))
        v = r.verdict
        parts.append(Text("    " + safe(v.message)))
        if not r.passed:
            for label, value, style in (("called", v.called, "cyan"), ("got", v.got, "red"),
                                        ("expected", v.expected, "green"),
                                        ("likely mistake", v.mistake, "yellow")):
                if value:
                    parts.append(Text.assemble((f"    {label}: ", style), safe(value)))
            if s is not None:  # #10: every failed probe ends with the command that reruns it
                parts.append(Text.assemble(("    repro: ", "dim"), repro_command(s, r)))
    if p.output.strip():
        lines = safe(p.output, 20000).splitlines()
        shown = lines[:OUTPUT_LINES]
        more = f" [+{len(lines) - OUTPUT_LINES} lines]" if len(lines) > OUTPUT_LINES else ""
        parts.append(Text("    your code printed:" + more, style="dim"))
        parts.extend(Text("      " + line[:200], style="dim") for line in shown)
    title = f"Problem {p.number}: {p.title} — {p.score:g}/{p.max_score:g}"
    return Panel(Group(*parts), title=title, title_align="left", border_style="dim")


def render_batch(docs: Sequence[dict], console: Console) -> None:
    """Summary of many submissions (JSON reports): a row each, per-problem statistics, a histogram."""
    if not docs:
        return
    numbers = [p["id"] for p in docs[0]["problems"]]
    table = Table(title="submissions", show_edge=False)
    table.add_column("submission")
    for n in numbers:
        table.add_column(f"P{n}", justify="right")
    for col in ("total", "status"):
        table.add_column(col, justify="right" if col == "total" else "left")
    for d in docs:
        table.add_row(safe(d["submission"], 60), *(f"{p['score']:g}" for p in d["problems"]),
                      Text(f"{d['score']:g}", style="bold"),
                      Text(d.get("status", "ok"), style="green" if d.get("status", "ok") == "ok" else "red"))
    console.print(table)
    stats = Table(title="per problem", show_edge=False)
    for col in ("problem", "max", "mean", "median", "min", "max got"):
        stats.add_column(col, justify="right")
    columns = [[d["problems"][i]["score"] for d in docs] for i in range(len(numbers))]
    maxes = [p["max_score"] for p in docs[0]["problems"]]
    labels = [f"P{n}" for n in numbers]
    for label, col, mx in zip([*labels, "total"], [*columns, [d["score"] for d in docs]],
                              [*maxes, docs[0]["max_score"]]):
        stats.add_row(label, f"{mx:g}", f"{statistics.mean(col):.2f}", f"{statistics.median(col):g}",
                      f"{min(col):g}", f"{max(col):g}")
    console.print(stats)
    console.print(histogram([d["score"] for d in docs], docs[0]["max_score"]))


def histogram(scores: Sequence[float], max_score: float, bins: int = 10, width: int = 40) -> Text:
    """Score histogram drawn with block characters."""
    counts = [0] * bins
    for x in scores:
        counts[min(bins - 1, int(bins * x / max_score)) if max_score else 0] += 1
    top = max(counts) or 1
    out = Text("score histogram\n", style="bold")
    for i, c in enumerate(counts):
        lo, hi = max_score * i / bins, max_score * (i + 1) / bins
        out.append(f"{lo:5.0f}–{hi:<5.0f} ")
        out.append("█" * round(width * c / top), style="cyan")
        out.append(f" {c}\n")
    return out
