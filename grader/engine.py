"""Grading, end to end: build inputs, run children, judge, assemble results.

Data flows one way: submission -> runner (isolated) -> plain data -> judge -> results.
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from grader import notebook, sandbox
from grader.judge import FORK_LOCK, judge_problem
from grader.results import ProblemResult, SubmissionResult
from grader.runner import Job, JobReport, Runner
from grader.spec import Case, Problem, calls_of


class Grader:
    """Grades submissions against a fixed set of problems and a seed."""

    def __init__(self, problems: Sequence[Problem], seed: int, limits: sandbox.Limits,
                 parallel: int):
        self.problems = tuple(problems)
        self.seed = seed
        self.parallel = parallel
        self.runner = Runner(limits, parallel)  # starts the template process now, in parallel
        self.cases: dict[int, dict[str, Case]] = {
            p.number: {probe.id: probe.case(seed) for probe in p.probes} for p in self.problems
        }
        self._complete: set[int] = set()
        self._locks = {p.number: threading.Lock() for p in self.problems}
        self.verdicts: dict = {}  # answer digest -> verdict, shared by the whole batch
        self.judging = threading.BoundedSemaphore(2 * max(2, parallel))  # judging forks at once

    def complete_cases(self, number: int) -> None:
        """Compute a problem's expensive references (once), when it is first judged in a batch."""
        with self._locks[number], FORK_LOCK:
            if number not in self._complete:
                self.cases[number] = {k: c.complete() for k, c in self.cases[number].items()}
                self._complete.add(number)

    def close(self) -> None:
        self.runner.close()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def jobs(self, path: Path) -> list[Job]:
        """One job per problem of one submission, costliest first: the short ones fill the gaps
        at the end instead of a long one running alone (results keep the problems' order)."""
        out = []
        for p in sorted(self.problems, key=lambda p: -p.cost):
            calls = calls_of(list(self.cases[p.number].values()))
            out.append(Job(path, p.number, p.harness, tuple(calls.items()), self.seed))
        return out

    def grade(self, paths: Sequence[Path],
              on_result: Callable[[SubmissionResult], None] | None = None) -> list[SubmissionResult]:
        """Grade every path; results come back in the order given."""
        runner = self.runner
        runner.view = sandbox.view(_private_dirs(paths))
        weak = self._weakness()
        # Several submissions share references computed once here; for one, each judge worker
        # computes its problem's own, in parallel and without holding FORK_LOCK in this process.
        shared = len(set(paths)) > 1 or bool(self._complete)
        pending: dict[Path, dict[int, ProblemResult]] = {p: {} for p in paths}
        results: dict[Path, SubmissionResult] = {}
        layers: dict[Path, tuple[str, ...]] = {}
        lock = threading.Lock()

        def judged(report: JobReport, problem: ProblemResult) -> None:
            path = report.job.submission
            with lock:
                pending[path][report.job.problem] = problem
                if report.layers:
                    layers.setdefault(path, tuple(report.layers))
                if len(pending[path]) < len(self.problems):
                    return
                problems = tuple(pending[path][p.number] for p in self.problems)
                notes = notebook_of(path).notes if notebook.is_notebook(path) else ()
                held = layers.get(path, ()) + weak
                results[path] = SubmissionResult(str(path), problems, self.seed, held, notes)
                if on_result:
                    on_result(results[path])

        # Each judgement runs in its own bounded fork (judge.py); a thread only waits for it, so
        # problems are judged in parallel while the next children run (a thread per problem, so
        # that no judgement queues behind another's references).
        pool = ThreadPoolExecutor(max_workers=max(2, self.parallel) + len(self.problems))
        futures = []
        ended = False
        try:
            done = lambda report: futures.append(pool.submit(lambda r=report: judged(r, self._judge(r, shared))))
            runner.run([j for path in dict.fromkeys(paths) for j in self.jobs(path)], done)
            for f in futures:
                f.result()
            ended = True
        finally:  # interrupted (grader/interrupt.py): do not wait for judgements nobody will read
            pool.shutdown(wait=ended, cancel_futures=not ended)
        return [results[p] for p in paths]

    def _weakness(self) -> tuple[str, ...]:
        """Before any student code: a child with an empty submission reports the layers it got;
        WeakIsolation if a guarantee is missing (unless allowed: then a marker every report shows)."""
        if not self.runner.limits.isolate:
            return ()
        with tempfile.TemporaryDirectory() as d:
            empty = Path(d, "empty.py")
            empty.write_text("")
            got: list[JobReport] = []
            p = self.problems[0]
            self.runner.run([Job(empty, p.number, p.harness, (), self.seed)], got.append)
        lacking = sandbox.missing(got[0].layers if got else [], _dumpable())
        if not lacking:
            return ()
        if not self.runner.limits.allow_weak:
            raise sandbox.WeakIsolation(f"isolation too weak here: missing {'; '.join(lacking)} "
                                        "(pass --allow-weak-isolation to grade anyway)")
        return ("WEAK ISOLATION (allowed): lacks " + lacking[0].split(" (")[0],)

    def _judge(self, report: JobReport, shared: bool) -> ProblemResult:
        p = next(p for p in self.problems if p.number == report.job.problem)
        if shared:
            self.complete_cases(p.number)
        outcomes, output = report.outcomes, report.output
        if notebook.is_notebook(report.job.submission):  # messages name cells, not generated lines
            lines = notebook_of(report.job.submission).lines
            outcomes = {k: replace(o, message=notebook.relocate(o.message, lines)) if o.message else o
                        for k, o in outcomes.items()}
            output = notebook.relocate(output, lines)
        probes = judge_problem(p, self.cases[p.number], outcomes, self.verdicts, self.judging)
        return ProblemResult(p.number, p.title, p.points, probes, report.status, output, report.seconds)


def _dumpable() -> bool:
    """Whether this grader process can be ptraced or its memory opened by a same-uid process."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(3, 0, 0, 0, 0) != 0  # PR_GET_DUMPABLE
    except (OSError, AttributeError):
        return True


@functools.lru_cache(maxsize=256)
def notebook_of(path: Path) -> notebook.Converted:
    """The converted notebook (for its notes and line map); an unreadable one has neither."""
    try:
        return notebook.convert(path)
    except notebook.NotebookError:
        return notebook.Converted("", ())


def _private_dirs(paths: Sequence[Path]) -> list[str]:
    """Directories a student process should not see: the user's, the submissions'."""
    dirs = {os.path.expanduser("~"), "/root", "/home", os.getcwd(), tempfile.gettempdir(), "/tmp",
            "/var/tmp", "/dev/shm"}
    dirs |= {str(Path(p).resolve().parent) for p in paths}
    return sorted(dirs)
