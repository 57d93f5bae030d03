"""Text about the problems: the `list` table, `explain N`, and the template file.

Every text is printed literally (rich Text, never markup): statements use brackets.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.spec import Problem

HEADER = '''"""Homework 1 submission. Fill in every function; `hw1 grade THIS_FILE` grades it.

Allowed imports: numpy, sympy, math and the standard library. `hw1 explain N` describes
problem N: what each function must return and what the grader checks.
"""

import math

import numpy as np
import sympy
'''


def problems_table(problems: Sequence[Problem]) -> Table:
    table = Table(title="Homework 1", show_edge=False)
    for col, kw in (("#", {"justify": "right"}), ("title", {}), ("points", {"justify": "right"}),
                    ("functions to submit", {}), ("probes", {"justify": "right"})):
        table.add_column(col, **kw)
    for p in problems:
        table.add_row(str(p.number), Text(p.title), f"{p.points:g}",
                      ", ".join(f.name for f in p.functions), str(len(p.probes)))
    table.add_row("", Text("total", style="bold"), f"{sum(p.points for p in problems):g}", "", "")
    return table


def explain_problem(p: Problem) -> Group:
    parts = [Text(f"Problem {p.number}: {p.title}  ({p.points:g} points)", style="bold"),
             Panel(Text(p.statement.strip()), title="statement", title_align="left")]
    funcs = Table(show_edge=False, show_header=True, expand=False)
    funcs.add_column("function")
    funcs.add_column("meaning")
    for f in p.functions:
        funcs.add_row(Text(f.signature, style="cyan"), Text(f.doc))
    parts.append(Panel(funcs, title="what to write", title_align="left"))
    probes = Table(show_edge=False)
    for col in ("probe", "kind", "points", "what it checks", "visibility"):
        probes.add_column(col)
    for pr in p.probes:
        probes.add_row(Text(pr.id), Text(pr.kind), f"{pr.points:g}", Text(pr.checks), Text(pr.visibility))
    parts.append(Panel(probes, title="what the grader checks", title_align="left"))
    if p.mistakes:
        parts.append(Panel(_bullets(p.mistakes), title="common mistakes", title_align="left"))
    if p.notes:
        parts.append(Panel(_bullets(p.notes), title="notes on the statement", title_align="left"))
    return Group(*parts)


def _bullets(items: Sequence[str]) -> Table:
    """A bulleted list, printed literally; wrapped lines hang under the text, not the bullet."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for item in items:
        grid.add_row("•", Text(item))
    return grid


def template_text(problems: Sequence[Problem]) -> str:
    """A starter file: every function stubbed to raise NotImplementedError."""
    blocks = [HEADER]
    for p in problems:
        blocks.append(f"\n# {'-' * 70}\n# Problem {p.number}: {p.title} ({p.points:g} points)\n"
                      f"# {'-' * 70}\n\n{p.stubs.strip()}\n")
    return "\n".join(blocks)
