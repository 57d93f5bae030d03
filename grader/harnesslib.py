"""Helpers for problem harnesses: the code that calls student functions inside the child."""

from __future__ import annotations

from types import ModuleType
from typing import Any


class MissingFunction(Exception):
    """The submission does not define a function the probe needs."""


def need(sub: ModuleType, name: str) -> Any:
    """The student's function `name`, or MissingFunction."""
    fn = getattr(sub, name, None)
    if not callable(fn):
        raise MissingFunction(f"the submission does not define {name}()")
    return fn
