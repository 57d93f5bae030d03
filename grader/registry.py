"""Discovers the problems: every `problems/<pkg>/problem.py` that defines PROBLEM."""

from __future__ import annotations

import functools
import importlib
import pkgutil

import problems
from grader.spec import Problem


@functools.cache
def all_problems() -> tuple[Problem, ...]:
    """Every problem, by number; each one's points are checked to add up."""
    found = []
    for info in pkgutil.iter_modules(problems.__path__):
        if info.ispkg:
            module = importlib.import_module(f"problems.{info.name}.problem")
            problem: Problem = module.PROBLEM
            problem.check()
            found.append(problem)
    found.sort(key=lambda p: p.number)
    if len({p.number for p in found}) != len(found):
        raise RuntimeError("two problems share a number")
    return tuple(found)


def by_number(number: int) -> Problem:
    """The problem numbered `number`, or KeyError."""
    for p in all_problems():
        if p.number == number:
            return p
    raise KeyError(number)
