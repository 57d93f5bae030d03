"""Helpers for problem harnesses: the code that calls student functions inside the child."""

from __future__ import annotations

import difflib
from types import ModuleType
from typing import Any


class MissingFunction(Exception):
    """The submission does not define a function the probe needs."""


def need(sub: ModuleType, name: str) -> Any:
    """The student's function `name`, or MissingFunction."""
    fn = getattr(sub, name, None)
    if not callable(fn):
        names = [n for n in vars(sub) if not n.startswith("__") and callable(getattr(sub, n, None))]
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
        hint = f": did you mean {close[0]}?" if close else ""
        raise MissingFunction(f"the submission does not define {name}(){hint}")
    return fn
