"""The results model: plain dataclasses that every renderer reads. Scores are derived."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.spec import Probe, Verdict


@dataclass(frozen=True)
class ProbeResult:
    """A judged probe."""

    probe: Probe
    verdict: Verdict

    @property
    def score(self) -> float:
        return round(self.probe.points * self.verdict.earned, 4)

    @property
    def passed(self) -> bool:
        return self.verdict.passed


@dataclass(frozen=True)
class ProblemResult:
    """A judged problem: its probes, and what happened in the student's process."""

    number: int
    title: str
    max_score: float
    probes: tuple[ProbeResult, ...]
    status: str = "ok"
    output: str = ""
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.probes), 4)


@dataclass(frozen=True)
class SubmissionResult:
    """A graded submission."""

    submission: str
    problems: tuple[ProblemResult, ...]
    seed: int
    layers: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.problems), 4)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_score for p in self.problems), 4)

    @property
    def status(self) -> str:
        """ok, or the worst thing that happened in any problem's process."""
        for bad in ("import error", "timeout", "crashed"):
            if any(p.status == bad for p in self.problems):
                return "syntax error" if bad == "import error" and self._syntax() else bad
        return "ok"

    def _syntax(self) -> bool:
        return any("SyntaxError" in pr.verdict.message or "IndentationError" in pr.verdict.message
                   for p in self.problems for pr in p.probes)
