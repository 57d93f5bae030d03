"""Grading, end to end: build inputs, run children, judge, assemble results.

Data flows one way: submission -> runner (isolated) -> plain data -> judge -> results.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from grader import sandbox
from grader.judge import judge_problem
from grader.results import ProblemResult, SubmissionResult
from grader.runner import Job, JobReport, Runner
from grader.spec import Case, Problem, calls_of


class Grader:
    """Grades submissions against a fixed set of problems and a seed."""

    def __init__(self, problems: Sequence[Problem], seed: int, limits: sandbox.Limits,
                 parallel: int):
        self.problems = tuple(problems)
        self.seed = seed
        self.limits = limits
        self.parallel = parallel
        self.runner = Runner(limits, parallel)  # starts the template process now, in parallel
        self.cases: dict[int, dict[str, Case]] = {
            p.number: {probe.id: probe.case(seed) for probe in p.probes} for p in self.problems
        }
        self._complete = False
        self.verdicts: dict = {}  # answer digest -> verdict, shared by the whole batch

    def complete_cases(self) -> None:
        """Compute the expensive references (once); runs while the first children work."""
        if not self._complete:
            self.cases = {n: {k: c.complete() for k, c in cs.items()} for n, cs in self.cases.items()}
            self._complete = True

    def close(self) -> None:
        self.runner.close()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def jobs(self, path: Path) -> list[Job]:
        """One job per problem of one submission."""
        out = []
        for p in self.problems:
            calls = calls_of(list(self.cases[p.number].values()))
            out.append(Job(path, p.number, p.harness, tuple(calls.items()), self.seed))
        return out

    def grade(self, paths: Sequence[Path],
              on_result: Callable[[SubmissionResult], None] | None = None) -> list[SubmissionResult]:
        """Grade every path; results come back in the order given."""
        runner = self.runner
        runner.hide = sandbox.hideable(_private_dirs(paths))
        pending: dict[Path, dict[int, JobReport]] = {p: {} for p in paths}
        results: dict[Path, SubmissionResult] = {}

        def done(report: JobReport) -> None:
            got = pending[report.job.submission]
            got[report.job.problem] = report
            if len(got) == len(self.problems):
                result = self._assemble(report.job.submission, got)
                results[report.job.submission] = result
                if on_result:
                    on_result(result)

        runner.run([j for path in dict.fromkeys(paths) for j in self.jobs(path)], done,
                   idle=self.complete_cases)
        return [results[p] for p in paths]

    def _assemble(self, path: Path, reports: dict[int, JobReport]) -> SubmissionResult:
        self.complete_cases()
        problems = []
        layers: list[str] = []
        for p in self.problems:
            rep = reports[p.number]
            layers = layers or rep.layers
            probes = judge_problem(p, self.cases[p.number], rep.outcomes, self.verdicts)
            problems.append(ProblemResult(p.number, p.title, p.points, probes, rep.status,
                                          rep.output, rep.seconds))
        return SubmissionResult(str(path), tuple(problems), self.seed, tuple(layers))


def _private_dirs(paths: Sequence[Path]) -> list[str]:
    """Directories a student process should not see: the user's, the submissions'."""
    dirs = {os.path.expanduser("~"), "/root", "/home", os.getcwd(), tempfile.gettempdir(), "/tmp",
            "/var/tmp", "/dev/shm"}
    dirs |= {str(Path(p).resolve().parent) for p in paths}
    return sorted(dirs)
