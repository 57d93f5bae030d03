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
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.results import ProbeResult, ProblemResult, SubmissionResult
from grader.spec import Verdict

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
        **({"differing": differing_dicts(v)} if v.differing else {}),
    }


def differing_dicts(v: Verdict) -> list[dict[str, str]]:
    """The differing entries of an array result (an added key; SPEC §1 allows more keys)."""
    rows = [dict(zip(("index", "got", "expected", "diff"), map(str, row))) for row in v.differing]
    if v.differing_more:
        rows.append({"index": "", "got": "", "expected": "", "diff": "",
                     "more": f"and {v.differing_more} more differing entries"})
    return rows


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
        if label == "expected" and v.differing and not r.passed:
            lines.append("differing entries (index: got, expected, got - expected):")
            lines += [f"  {i}: {g}, {e}, {d}" for i, g, e, d in v.differing]
            if v.differing_more:
                lines.append(f"  and {v.differing_more} more differing entries")
    return "\n".join(lines)


# --------------------------------------------------------------------------- terminal
def bar(score: float, max_score: float, width: int = 20) -> Text:
    filled = 0 if max_score <= 0 else round(width * score / max_score)
    style = "green" if score >= max_score else ("yellow" if score > 0 else "red")
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


IMPORT_FAILED = "the submission could not be imported"
MISSING = "missing function"
NOT_RUN = "not run"  # a call left undone when an earlier one stopped the process
LABEL_WIDTH = len("likely mistake")


def render(s: SubmissionResult, console: Console, verbose: bool = False) -> None:
    """The rich report of one submission.

    Wrapped lines keep a hanging indent (each label/value pair is a grid row). A failure that
    stops every probe of a problem (an import error, a missing function) is said once, and
    the probes it stopped are listed as "not run". The sandbox layers line shows with
    `verbose` only (it is always in the JSON report, in `hw1 doctor` and in batch summaries).
    """
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
    shared = _shared_import_error(s)
    if shared:
        console.print(Panel(_hanging("", safe(shared), "red", indent=0), border_style="red",
                            title="the submission could not be imported", title_align="left"))
    for p in s.problems:
        failed = [r for r in p.probes if not r.passed or r.verdict.fraction not in (None, 1.0)]
        if failed or verbose:
            console.print(_problem_panel(p, p.probes if verbose else failed, shared, s))
    for note in s.notes:
        console.print(_hanging("note: ", safe(note), "yellow", indent=0))
    if s.layers and verbose:
        console.print(layers_line(s.layers))


def layers_line(layers: Sequence[str]) -> Padding:
    """The sandbox layers that were active (for `--verbose` and batch summaries)."""
    return _hanging("sandbox:", Text(", ".join(safe(x) for x in layers), style="dim"), "dim", indent=0)


def _shared_import_error(s: SubmissionResult) -> str:
    """The import error message when every probe of every problem failed on the same one."""
    messages = {r.verdict.message for p in s.problems for r in p.probes}
    if len(messages) == 1 and all(p.status == "import error" for p in s.problems):
        (m,) = messages
        if m.startswith(IMPORT_FAILED):
            return m
    return ""


def _blocker(r: ProbeResult) -> str:
    """The message of a failure that kept the probe from running at all, else ""."""
    m = r.verdict.message
    return m if not r.passed and m.startswith((IMPORT_FAILED, MISSING + ":", NOT_RUN + ":")) else ""


def _hanging(label: str, value: str | Text, style: str, indent: int = 4) -> Padding:
    """`label value`, wrapped lines hanging under the value's first character."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style=style)
    grid.add_column(overflow="fold")
    grid.add_row(label, value if isinstance(value, Text) else Text(value))
    return Padding(grid, (0, 0, 0, indent))


def _details(r: ProbeResult, s: SubmissionResult | None = None) -> Group:
    """The label/value rows of a failed probe: called, got, expected, differing entries, mistake."""
    v = r.verdict
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=LABEL_WIDTH + 1)
    grid.add_column(overflow="fold")
    for label, value, style in (("called:", v.called, "cyan"), ("got:", v.got, "red"),
                                ("expected:", v.expected, "green")):
        if value:
            grid.add_row(Text(label, style=style), Text(safe(value)))
    parts: list[Any] = [grid]
    if v.differing:
        parts.append(Text("differing entries:", style="magenta"))
        parts.append(Padding(_differing_table(v.differing, v.differing_more), (0, 0, 0, 2)))
    if v.mistake:
        tail = Table.grid(padding=(0, 1))
        tail.add_column(no_wrap=True, min_width=LABEL_WIDTH + 1)
        tail.add_column(overflow="fold")
        tail.add_row(Text("likely mistake:", style="yellow"), Text(safe(v.mistake)))
        parts.append(tail)
    if s is not None:  # #10: every failed probe ends with the command that reruns it
        tail = Table.grid(padding=(0, 1))
        tail.add_column(no_wrap=True, min_width=LABEL_WIDTH + 1)
        tail.add_column(overflow="fold")
        tail.add_row(Text("repro:", style="dim"), Text(repro_command(s, r)))
        parts.append(tail)
    return Group(*parts)


def _differing_table(rows: Sequence[Sequence[str]], more: int) -> Group | Table:
    table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 2, 0, 0))
    for col in ("index", "got", "expected", "got - expected"):
        table.add_column(col, justify="left" if col == "index" else "right", overflow="fold",
                         style="dim" if col == "index" else None)
    for row in rows:
        table.add_row(*(safe(str(x), 60) for x in row))
    if more:
        return Group(table, Text(f"and {more} more differing entries", style="dim"))
    return table


def _problem_panel(p: ProblemResult, probes: Sequence[ProbeResult], shared: str = "",
                   s: SubmissionResult | None = None) -> Panel:
    parts: list[Any] = []
    blocked: dict[str, list[ProbeResult]] = {}
    for r in probes:
        why = _blocker(r)
        if why:
            blocked.setdefault(why, []).append(r)
            continue
        mark = ("✔", "green") if r.passed else ("✘", "red")
        parts.append(_hanging(mark[0], Text.assemble((r.probe.id, "bold"), f"  {r.probe.title}  ",
                                                     (f"{r.score:g}/{r.probe.points:g}", "bold")),
                              mark[1], indent=0))
        parts.append(_hanging("", safe(r.verdict.message), "", indent=3))
        if not r.passed:
            parts.append(Padding(_details(r, s), (0, 0, 0, 4)))
    for why, rs in blocked.items():
        lost = sum(r.probe.points for r in rs)
        if why != shared:
            parts.append(_hanging("✘", safe(why), "red", indent=0))
        ids = ", ".join(r.probe.id for r in rs)
        reason = "the import failed, see above" if why == shared else "see the line above"
        parts.append(_hanging("not run:", f"{ids}  ({len(rs)} probe(s), {lost:g} points: {reason})",
                              "red", indent=2))
    if p.output.strip():
        lines = safe(p.output, 20000).splitlines()
        shown = lines[:OUTPUT_LINES]
        more = f" [+{len(lines) - OUTPUT_LINES} lines]" if len(lines) > OUTPUT_LINES else ""
        parts.append(Text("    your code printed:" + more, style="dim"))
        parts.extend(Padding(Text(line[:200], style="dim", overflow="fold"), (0, 0, 0, 6)) for line in shown)
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
    layers = docs[0].get("sandbox")
    if layers:  # instructors see the isolation of the run; students' single reports do not
        console.print(layers_line(layers))


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


def render_class(stats: dict, console: Console, limit: int = 0, problems: bool = False) -> None:
    """What the class got wrong (grader.stats.class_stats): probes some submission failed, lowest
    pass rate first, each with its failures counted by named mistake or by what happened; with
    `problems`, first a table per problem and the total."""
    from grader.stats import worst

    failing = worst(stats)
    n = stats["submissions"]
    if problems and n:
        table = Table(title="per problem", show_edge=False)
        for col in ("problem", "max", "mean", "median", "min", "max got", "full marks", "zero"):
            table.add_column(col, justify="right")
        for p in [*stats["problems"], {"id": "total", **stats["score"], "full_marks": None, "zero": None}]:
            table.add_row(f"P{p['id']}" if p["id"] != "total" else "total", f"{p['max_score']:g}",
                          f"{p['mean']:.2f}", f"{p['median']:g}", f"{p['min']:g}", f"{p['max']:g}",
                          "" if p["full_marks"] is None else str(p["full_marks"]),
                          "" if p["zero"] is None else str(p["zero"]))
        console.print(table)
        bins = stats["score"]["histogram"]
        top = max(b["count"] for b in bins) or 1
        hist = Text("score histogram\n", style="bold")
        for b in bins:
            hist.append(f"{b['from']:5.0f}–{b['to']:<5.0f} ")
            hist.append("█" * round(40 * b["count"] / top), style="cyan")
            hist.append(f" {b['count']}\n")
        console.print(hist)
    shown = failing[:limit or None]
    head = Text(f"what the class got wrong ({n} submissions", style="bold")
    broken = {k: v for k, v in stats["statuses"].items() if k != "ok"}
    if broken:
        head.append("; " + ", ".join(f"{safe(k, 40)} {v}" for k, v in sorted(broken.items())))
    head.append(")")
    if not failing:
        head.append(": every probe passed everywhere", style="green")
    lines = [head]
    for p in shown:
        pct = f"{100 * p['failed'] / p['graded']:.0f} %" if p["graded"] else "-"
        lines.append(Text.assemble("  ", (safe(p["id"], 60), "bold"), f"  {pct} failed ({p['failed']}/{p['graded']})  ",
                                   (safe(p["title"], 80), "dim")))
        lines += [Text.assemble(f"    {m['count']:>4}  ", (safe(m["mistake"], 300), "yellow")) for m in p["mistakes"]]
        lines += [Text.assemble(f"    {o['count']:>4}  ", (safe(o["reason"], 300), "dim")) for o in p["other"]]
    if len(failing) > len(shown):
        lines.append(Text(f"  ... and {len(failing) - len(shown)} more probes with failures (`hw1 stats "
                          "GRADEBOOK.csv` lists them all)", style="dim"))
    console.print(Text("\n").join(lines))
    if stats["mistakes"]:
        named = Table(title="named mistakes (students who made each)", show_edge=False)
        for col, kw in (("mistake", {}), ("problem", {"justify": "right"}), ("probes", {}),
                        ("students", {"justify": "right"})):
            named.add_column(col, **kw)
        for m in stats["mistakes"]:
            named.add_row(Text(safe(m["mistake"], 200)), f"P{m['problem']}", ", ".join(m["probes"]),
                          str(m["students"]))
        console.print(named)
