"""Grading a whole class: progress, persistence of every finished result, resume."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from grader import sandbox
from grader.engine import Grader
from grader.gradebook import Journal, journal_path, run_key, write_csv
from grader.report import to_json
from grader.results import SubmissionResult
from grader.spec import Problem


@dataclass
class Batch:
    """The outcome of a batch: JSON reports in the order given, and the freshly graded results."""

    docs: list[dict] = field(default_factory=list)
    fresh: list[SubmissionResult] = field(default_factory=list)
    resumed: int = 0


def grade_batch(paths: Sequence[Path], problems: Sequence[Problem], seed: int, limits: sandbox.Limits,
                parallel: int, gradebook: Path | None, resume: bool, err: Console) -> Batch:
    """Grade `paths`, persisting each result as it finishes when a gradebook is asked for."""
    journal = None
    recorded: dict[str, dict] = {}
    if gradebook:
        journal = Journal(journal_path(gradebook), run_key(seed, [p.number for p in problems]))
        recorded = journal.load() if resume else {}
    todo = [p for p in dict.fromkeys(paths) if str(p) not in recorded]
    fresh: dict[str, SubmissionResult] = {}
    with _progress(err, len(todo)) as progress:
        task = progress.add_task("grading", total=len(todo))

        def finished(result: SubmissionResult) -> None:
            fresh[result.submission] = result
            if journal:
                journal.append(to_json(result))
            progress.advance(task)

        if todo:
            with Grader(problems, seed, limits, parallel) as grader:
                grader.grade(todo, on_result=finished)
    docs = [recorded[str(p)] if str(p) in recorded else to_json(fresh[str(p)]) for p in paths]
    if gradebook:
        write_csv(gradebook, docs)
    return Batch(docs, [fresh[str(p)] for p in paths if str(p) in fresh], len(paths) - len(todo))


def _progress(err: Console, total: int) -> Progress:
    return Progress(TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    console=err, transient=True, disable=total < 2 or not err.is_terminal)
