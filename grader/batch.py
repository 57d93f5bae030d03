"""Grading a whole class: progress, persistence of every finished result, resume, interruption."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from grader import interrupt, sandbox
from grader.engine import Grader
from grader.gradebook import Journal, hw1_version, journal_path, run_key, sha256, write_csv
from grader.report import to_json
from grader.results import SubmissionResult
from grader.spec import Problem


@dataclass
class Batch:
    """The outcome of a batch: JSON reports in the order given, and the freshly graded results."""

    docs: list[dict] = field(default_factory=list)
    fresh: list[SubmissionResult] = field(default_factory=list)
    resumed: int = 0


class BatchInterrupted(Exception):
    """A stop signal during a batch: the children are dead, finished results saved. One line."""

    def __init__(self, signal: interrupt.Interrupted, done: int, total: int, gradebook: Path | None,
                 first: Path | None = None):
        if gradebook:
            text = f"graded {done} of {total}; run the same command with --resume to finish"
        elif total == 1:
            text = f"interrupted ({signal.name}): {first} was not graded"
        else:
            text = (f"graded {done} of {total}; nothing was kept (no --gradebook): run the same command "
                    "again, with --gradebook FILE.csv to keep each result as it finishes")
        super().__init__(text)
        self.code = signal.code


def grade_batch(paths: Sequence[Path], problems: Sequence[Problem], seed: int, limits: sandbox.Limits,
                parallel: int, gradebook: Path | None, resume: bool, err: Console) -> Batch:
    """Grade `paths`, persisting each result as it finishes when a gradebook is asked for.

    With `resume`, a recorded result is reused only when the file's sha256, the seed, the problem
    selection and the hw1 version are those of this run. On SIGINT/SIGTERM/SIGHUP (`Interrupted`,
    see grader/interrupt.py) the children are killed, the results finished so far are merged
    into the CSV, and BatchInterrupted is raised."""
    paths = list(dict.fromkeys(paths))
    digests = {str(p): sha256(p) for p in paths} if gradebook else {}
    journal = None
    recorded: dict[str, dict] = {}
    if gradebook:
        journal = Journal(journal_path(gradebook), run_key(seed, [p.number for p in problems]), gradebook)
        if resume:
            recorded = {k: e["result"] for k, e in journal.load().items()
                        if e["sha256"] and e["sha256"] == digests.get(k)}
    todo = [p for p in paths if str(p) not in recorded]
    fresh: dict[str, SubmissionResult] = {}
    lock = threading.Lock()

    def finished(result: SubmissionResult) -> None:
        with lock:
            if interrupt.received() is not None:  # judged while (or after) the run was stopped
                return
            fresh[result.submission] = result
            if journal:
                journal.append(to_json(result), digests.get(result.submission, ""))
        progress.advance(task)

    stopped = None
    try:
        with _progress(err, len(todo)) as progress:
            task = progress.add_task("grading", total=len(todo))
            if todo:
                with Grader(problems, seed, limits, parallel) as grader:
                    grader.grade(todo, on_result=finished)
    except interrupt.Interrupted as signal:  # the runner has killed its children on the way out
        stopped = signal
        with lock:  # no result lands after this point
            done = dict(fresh)
        interrupt.end_helpers()
    else:
        done = fresh
    docs = [recorded[str(p)] if str(p) in recorded else to_json(done[str(p)]) for p in paths
            if str(p) in recorded or str(p) in done]
    if gradebook:
        version = hw1_version()
        write_csv(gradebook, [{**d, "hw1_version": version, "sha256": digests.get(d["submission"], "")}
                              for d in docs])
    if stopped is not None:
        raise BatchInterrupted(stopped, len(docs), len(paths), gradebook, paths[0] if paths else None)
    return Batch(docs, [fresh[str(p)] for p in paths if str(p) in fresh], len(paths) - len(todo))


def _progress(err: Console, total: int) -> Progress:
    return Progress(TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    console=err, transient=True, disable=total < 2 or not err.is_terminal)
