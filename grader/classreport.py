"""The HTML class report (`--class-report FILE.html`): one self-contained file, plots embedded.

Drawn from `grader.stats.class_stats` only: the distribution of total scores, a score
histogram per problem, the pass rate of every probe, and the table of probes with their
failures counted by named mistake. Plots are made with matplotlib (Agg, no display, no global
pyplot state) and embedded as base64 PNG, so the file can be mailed or opened anywhere offline.
"""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path
from typing import Any

from grader.feedback import _e, page
from grader.gradebook import atomic_write

STYLE = """body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;vertical-align:top}
td.n{text-align:right}img{max-width:100%;height:auto}ul{margin:0;padding-left:1.2em}.dim{color:#666}"""


def _figures() -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return Figure, FigureCanvasAgg


def _png(fig: Any) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(data: str, alt: str, cls: str) -> str:
    return f'<img class="{cls}" alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def plot_totals(stats: dict[str, Any]) -> str:
    Figure, _ = _figures()
    bins = stats["score"]["histogram"]
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax = fig.add_subplot()
    ax.bar([b["from"] for b in bins], [b["count"] for b in bins], width=[b["to"] - b["from"] for b in bins],
           align="edge", color="#4477aa", edgecolor="white")
    ax.set_xlabel(f"total score (of {stats['score']['max_score']:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"score distribution, {stats['submissions']} submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def plot_problems(stats: dict[str, Any]) -> str:
    Figure, _ = _figures()
    probs = stats["problems"]
    cols = min(4, max(1, len(probs)))
    rows = max(1, math.ceil(len(probs) / cols))
    fig = Figure(figsize=(3 * cols, 2.4 * rows), layout="constrained")
    for i, p in enumerate(probs):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.bar([s["score"] for s in p["scores"]], [s["count"] for s in p["scores"]],
               width=max(p["max_score"] / 40, 0.3), color="#66aa55")
        ax.set_xlim(-0.05 * p["max_score"] - 0.5, p["max_score"] * 1.05 + 0.5)
        ax.set_title(f"P{p['id']} (of {p['max_score']:g})", fontsize=10)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(labelsize=8)
    fig.suptitle("score per problem (submissions per score)")
    return _png(fig)


def plot_probes(stats: dict[str, Any]) -> str:
    Figure, _ = _figures()
    probes = stats["probes"]
    fig = Figure(figsize=(8, 0.26 * len(probes) + 1.2), layout="constrained")
    ax = fig.add_subplot()
    rates = [100 * (p["pass_rate"] or 0) for p in probes]
    y = list(range(len(probes)))[::-1]
    ax.barh(y, rates, color=["#4477aa" if r >= 100 else ("#ccbb44" if r >= 50 else "#ee6677") for r in rates])
    ax.set_yticks(y, [p["id"] for p in probes], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of submissions passing")
    ax.set_title("pass rate per probe")
    for yi, r in zip(y, rates):
        ax.text(min(r, 99) - 1, yi, f"{r:.0f} %", va="center", ha="right", fontsize=7, color="white")
    return _png(fig)


def render(stats: dict[str, Any], title: str = "Homework 1: class report") -> str:
    """The HTML text of the report."""
    n = stats["submissions"]
    sc = stats["score"]
    body = [f"<h1>{_e(title)}</h1>"]
    if not n:
        return page(title, body + ["<p>No submissions.</p>"], STYLE)
    statuses = ", ".join(f"{_e(k)} {v}" for k, v in sorted(stats["statuses"].items()))
    body += [f"<p>{n} submissions ({statuses}); total score mean {sc['mean']:.2f}, median {sc['median']:g}, "
             f"min {sc['min']:g}, max {sc['max']:g} of {sc['max_score']:g}.</p>",
             "<h2>Score distribution</h2>", _img(plot_totals(stats), "histogram of total scores", "plot totals"),
             "<h2>Per problem</h2>", _img(plot_problems(stats), "score histogram of each problem", "plot problems"),
             '<table class="problems"><tr><th>problem</th><th>max</th><th>mean</th><th>median</th><th>min</th>'
             "<th>max got</th><th>full marks</th><th>zero</th></tr>"]
    body += [f'<tr><td>P{_e(p["id"])}: {_e(p["title"])}</td><td class="n">{p["max_score"]:g}</td>'
             f'<td class="n">{p["mean"]:.2f}</td><td class="n">{p["median"]:g}</td><td class="n">{p["min"]:g}</td>'
             f'<td class="n">{p["max"]:g}</td><td class="n">{p["full_marks"]}</td><td class="n">{p["zero"]}</td></tr>'
             for p in stats["problems"]]
    body += ["</table>", "<h2>Per probe</h2>", _img(plot_probes(stats), "pass rate of each probe", "plot probes"),
             '<table class="probes"><tr><th>probe</th><th>problem</th><th>points</th><th>passed</th>'
             "<th>failed</th><th>pass rate</th><th>named mistakes (students)</th><th>other failures</th></tr>"]
    for p in stats["probes"]:
        mistakes = "".join(f'<li><span class="mistake">{_e(m["mistake"])}</span>: '
                           f'<span class="count">{m["count"]}</span></li>' for m in p["mistakes"])
        other = "".join(f'<li><span class="reason">{_e(o["reason"])}</span>: '
                        f'<span class="count">{o["count"]}</span></li>' for o in p["other"])
        rate = "" if p["pass_rate"] is None else f"{100 * p['pass_rate']:.0f} %"
        body.append(f'<tr class="probe" id="{_e(p["id"])}"><td>{_e(p["id"])}<br><span class="dim">{_e(p["title"])}'
                    f'</span></td><td class="n">{_e(p["problem"])}</td><td class="n">{p["points"]:g}</td>'
                    f'<td class="n passed">{p["passed"]}</td><td class="n failed">{p["failed"]}</td>'
                    f'<td class="n">{rate}</td><td>{"<ul>" + mistakes + "</ul>" if mistakes else ""}</td>'
                    f'<td>{"<ul>" + other + "</ul>" if other else ""}</td></tr>')
    body.append("</table>")
    if stats["mistakes"]:
        body += ["<h2>Named mistakes</h2>", '<table class="mistakes"><tr><th>mistake</th><th>problem</th>'
                 "<th>probes</th><th>students</th></tr>"]
        body += [f'<tr><td>{_e(m["mistake"])}</td><td class="n">{_e(m["problem"])}</td>'
                 f'<td>{_e(", ".join(m["probes"]))}</td><td class="n">{m["students"]}</td></tr>'
                 for m in stats["mistakes"]]
        body.append("</table>")
    return page(title, body, STYLE)


def write_report(path: Path, stats: dict[str, Any]) -> None:
    atomic_write(Path(path), render(stats))
