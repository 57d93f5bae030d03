"""The vocabulary a problem directory is written in: problems, probes, calls, verdicts.

A problem is declarative data. Each probe says which student calls it needs (built from a seeded
random generator on the trusted side), and how to judge what came back. Nothing here runs
student code; the runner does that in an isolated process and hands back plain data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Kind = Literal["numeric", "symbolic", "property"]
Visibility = Literal["visible", "hidden", "after_published", "after_due_date"]


@dataclass(frozen=True)
class Call:
    """One invocation of student code, performed in the child by a harness function.

    `harness` names a function of the problem's `harness` module; `args` is plain JSON data.
    `show` is how the call is shown to a student (a pasteable Python-ish line).
    """

    harness: str
    args: Mapping[str, Any]
    show: str = ""

    @property
    def key(self) -> str:
        """Content address: identical calls from two probes run once."""
        blob = json.dumps([self.harness, self.args], sort_keys=True, default=str)
        return hashlib.sha1(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Case:
    """The inputs of one probe: the calls to make, and trusted-side data for the judge.

    `later`, if given, computes more judge data (expensive references); the engine runs it
    while the first children are busy, and merges its result into `data`.
    """

    calls: Mapping[str, Call]
    data: Any = None
    later: Callable[[], Mapping[str, Any]] | None = None

    def complete(self) -> Case:
        """This case with `later` evaluated and merged into `data`."""
        if self.later is None:
            return self
        return Case(self.calls, {**(self.data or {}), **self.later()})


@dataclass(frozen=True)
class Verdict:
    """What a judge decided about one probe. `fraction` allows partial credit.

    `differing` lists the entries of an array result that differ, side by side: rows of
    (index, got, expected, got - expected) as text; `differing_more` counts those left out.
    """

    passed: bool
    message: str = ""
    called: str = ""
    got: str = ""
    expected: str = ""
    mistake: str = ""
    fraction: float | None = None
    differing: tuple[tuple[str, str, str, str], ...] = ()
    differing_more: int = 0

    @property
    def earned(self) -> float:
        """Share of the probe's points earned."""
        if self.fraction is not None:
            return max(0.0, min(1.0, self.fraction))
        return 1.0 if self.passed else 0.0


Builder = Callable[[np.random.Generator], Case]
Judge = Callable[[Case, Mapping[str, Any]], Verdict]


@dataclass(frozen=True)
class Probe:
    """One check worth explicit points. `id` is stable (e.g. `p6.density`)."""

    id: str
    title: str
    kind: Kind
    points: float
    checks: str
    needs: tuple[str, ...]
    build: Builder
    judge: Judge
    catches: str = ""
    visibility: Visibility = "visible"
    rng_key: str = ""
    judge_seconds: float = 20.0
    # (regular expression, likely mistake): matched against the message of an exception the
    # student's code raised (it ends with the failing source line), first match wins
    error_mistakes: tuple[tuple[str, str], ...] = ()
    # facts about the probe's inputs (e.g. {"d": 2}); when a failure names no mistake, the
    # report says which values of a tag pass and which fail
    tags: Mapping[str, Any] = field(default_factory=dict)

    @property
    def stream(self) -> str:
        """Name of the random stream; probes sharing it see identical inputs (and calls)."""
        return self.rng_key or self.id

    def case(self, seed: int) -> Case:
        """Build this probe's inputs from `seed`; identical for identical (seed, stream)."""
        return self.build(rng_for(seed, self.stream))


@dataclass(frozen=True)
class Function:
    """A function the student must write: its signature and meaning."""

    name: str
    signature: str
    doc: str


@dataclass(frozen=True)
class Problem:
    """Everything about one homework problem; lives in problems/pN_name/."""

    number: int
    title: str
    points: float
    functions: tuple[Function, ...]
    probes: tuple[Probe, ...]
    harness: str
    statement: str
    mistakes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    stubs: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    cost: float = 0.1  # rough seconds to run and judge a correct answer; costlier problems start first
    repro: str = ""  # module writing `hw1 repro` script source per harness function; "": <package>.repro

    def check(self) -> None:
        """Raise if the declared points do not add up or ids are not unique."""
        total = sum(p.points for p in self.probes)
        if abs(total - self.points) > 1e-9:
            raise ValueError(f"problem {self.number}: probes add up to {total}, not {self.points}")
        ids = [p.id for p in self.probes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"problem {self.number}: duplicate probe ids")
        names = {f.name for f in self.functions}
        for p in self.probes:
            if not set(p.needs) <= names:
                raise ValueError(f"{p.id} needs an undeclared function")


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """A generator that depends only on (seed, stream), stable across runs and platforms."""
    digest = hashlib.sha256(f"{seed}:{stream}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def calls_of(cases: Sequence[Case]) -> dict[str, Call]:
    """All distinct calls of several cases, by key."""
    out: dict[str, Call] = {}
    for case in cases:
        for call in case.calls.values():
            out.setdefault(call.key, call)
    return out


def show_call(name: str, **kwargs: Any) -> str:
    """A call as a student can read (and nearly paste): kl(mu0=np.array([...]), s=0.5)."""
    return f"{name}({', '.join(f'{k}={show_value(v)}' for k, v in kwargs.items())})"


def show_value(v: Any, digits: int = 8) -> str:
    """Compact, readable value: arrays to 8 significant digits (or `digits`), whole numbers
    only (never cut), pasteable as Python; a list of arrays as a list of np.array(...)."""
    if isinstance(v, np.ndarray):
        body = np.array2string(v, separator=", ", max_line_width=10**6, threshold=10**6,
                               formatter={"float_kind": lambda x: f"{x:.{digits}g}"})
        return f"np.array({body.replace(chr(10), '')})"  # a matrix on one logical line
    if isinstance(v, float):
        return f"{v:.{digits + 2}g}"
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, (int, float)) for x in v):
        return show_value(np.asarray(v, dtype=float), digits)
    if isinstance(v, list) and v and all(isinstance(x, np.ndarray) for x in v):
        return "[" + ", ".join(show_value(x, digits) for x in v) + "]"
    return str(v)
