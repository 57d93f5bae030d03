"""The `hw1` command line (SPEC §1): grade, list, explain, template, doctor."""

from __future__ import annotations

import atexit
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from grader import notebook, registry, sandbox

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Autograder for Homework 1 (generative models).")
DEFAULT_SEED = 20240415


class Format(str, Enum):
    rich = "rich"
    json = "json"
    gradescope = "gradescope"


class UsageProblem(Exception):
    """A usage error: one line on stderr, exit 2."""


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a directory means every *.py and *.ipynb in it, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.is_file() and q.suffix in notebook.SUFFIXES)
            if not found:
                raise UsageProblem(f"no .py files (nor .ipynb) in directory {p}")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise UsageProblem(f"no such file: {p}")
    return out


def pick(numbers: list[int]) -> list:
    known = {p.number for p in registry.all_problems()}
    for n in numbers:
        if n not in known:
            raise UsageProblem(f"unknown problem {n} (problems are {min(known)}-{max(known)})")
    return [p for p in registry.all_problems() if not numbers or p.number in numbers]


@app.command()
def grade(
    submissions: Annotated[list[Path], typer.Argument(help="files, or directories of *.py and *.ipynb")],
    problem: Annotated[list[int] | None, typer.Option("--problem", "-p",
                       help="grade only this problem (repeatable)")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.rich,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                      help="write the report to FILE instead of stdout")] = None,
    seed: Annotated[int, typer.Option(help="seed of the random probe inputs")] = DEFAULT_SEED,
    timeout: Annotated[float, typer.Option(help="seconds of student code per problem")] = 10.0,
    jobs: Annotated[int, typer.Option(help="parallel processes (default: all cores)")] = 0,
    memory: Annotated[int, typer.Option(help="MiB of memory per student process")] = 1024,
    gradebook: Annotated[Path | None, typer.Option(help="write a CSV gradebook (and FILE.jsonl as "
                         "results finish)")] = None,
    resume: Annotated[bool, typer.Option(help="with --gradebook: grade only what FILE.jsonl lacks")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show passing probes too")] = False,
    allow_weak_isolation: Annotated[bool, typer.Option("--allow-weak-isolation",
                                    help="grade even where the sandbox lacks a guarantee "
                                    "(every report then says so)")] = False,
    sandbox_layers: Annotated[bool, typer.Option("--sandbox/--no-sandbox", hidden=True,
                              help="benchmarking only: run children without isolation")] = True,
    gradescope_visibility: Annotated[str, typer.Option(hidden=True, help="with --format gradescope: "
                                     "ID=VISIBILITY,... (written by `hw1 gradescope build`)")] = "",
) -> None:
    """Grade one or many submissions."""
    from grader import template

    template.context()  # started already by grader.launch; here for callers of grader.cli alone
    from grader.batch import grade_batch
    from grader.report import render, render_batch, to_gradescope

    paths = expand(submissions)
    chosen = pick(problem or [])
    if format is Format.gradescope and len(paths) > 1:
        raise UsageProblem(f"--format gradescope describes one submission; {len(paths)} were given")
    visibility = parse_visibility(gradescope_visibility)
    if timeout <= 0 or memory < 256 or jobs < 0:
        raise UsageProblem("--timeout must be > 0, --memory at least 256, --jobs at least 1")
    if resume and not gradebook:
        raise UsageProblem("--resume needs --gradebook FILE.csv")
    limits = sandbox.Limits(timeout=timeout, memory=memory << 20, isolate=sandbox_layers,
                            allow_weak=allow_weak_isolation)
    err = Console(stderr=True)
    batch = grade_batch(paths, chosen, seed, limits, jobs or os.cpu_count() or 1, gradebook, resume, err)
    out = Console(file=open(output, "w", encoding="utf-8") if output else sys.stdout,  # noqa: SIM115
                  width=110 if output else None, force_terminal=False if output else None)
    if format is Format.rich:
        for r in batch.fresh:
            render(r, out, verbose)
        if len(batch.docs) > 1:
            render_batch(batch.docs, out)
    else:
        docs = batch.docs if format is Format.json else [to_gradescope(r, visibility) for r in batch.fresh]
        out.file.write(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2) + "\n")
    if output:
        out.file.close()
        summary = Console()
        if len(batch.docs) > 1:
            render_batch(batch.docs, summary)
        else:
            summary.print(f"{batch.docs[0]['submission']}: {batch.docs[0]['score']:g}/{batch.docs[0]['max_score']:g}")
        summary.print(f"report written to {output}")
    if gradebook:
        Console(stderr=output is None and format is not Format.rich).print(
            f"gradebook: {gradebook} ({len(batch.docs)} rows, {batch.resumed} resumed)")


@app.command("list")
def list_problems() -> None:
    """Table of the problems: number, title, points, functions, probes."""
    from grader.explain import problems_table

    Console().print(problems_table(registry.all_problems()))


@app.command()
def explain(number: Annotated[int, typer.Argument(help="problem number")]) -> None:
    """Statement, functions to write, probes, common mistakes and notes of problem N."""
    from grader.explain import explain_problem

    try:
        problem = registry.by_number(number)
    except KeyError:
        raise UsageProblem(f"unknown problem {number} (try `hw1 list`)") from None
    Console().print(explain_problem(problem))


@app.command()
def template(path: Annotated[Path, typer.Argument(help="where to write it")] = Path("submission.py"),
             force: Annotated[bool, typer.Option(help="overwrite an existing file")] = False) -> None:
    """Write a starter submission with every function stubbed."""
    from grader.explain import template_text

    if path.exists() and not force:
        raise UsageProblem(f"{path} exists (use --force to overwrite)")
    try:
        path.write_text(template_text(registry.all_problems()), encoding="utf-8")
    except OSError as e:
        raise UsageProblem(f"cannot write {path}: {e.strerror}") from None
    Console().print(f"wrote {path}: fill in the functions, then run `hw1 grade {path}`")


gradescope_app = typer.Typer(help="Gradescope autograder bundle.", no_args_is_help=True)
app.add_typer(gradescope_app, name="gradescope")


def parse_visibility(text: str) -> dict[str, str]:
    """"p3.unbiased=hidden,p4.v1=after_due_date" -> {probe id: visibility}; unknown ids refused."""
    from grader.report import GRADESCOPE_VISIBILITY

    known = {probe.id for p in registry.all_problems() for probe in p.probes}
    out: dict[str, str] = {}
    for item in filter(None, (t.strip() for t in text.split(","))):
        pid, _, vis = item.partition("=")
        if pid not in known:
            raise UsageProblem(f"unknown probe {pid!r} (see `hw1 explain N` for probe ids)")
        if vis not in GRADESCOPE_VISIBILITY:
            raise UsageProblem(f"visibility of {pid} must be one of {', '.join(GRADESCOPE_VISIBILITY)}")
        out[pid] = vis
    return out


@gradescope_app.command("build")
def gradescope_build(
    output: Annotated[Path, typer.Option("--output", "-o", help="where to write the zip")] = Path("autograder.zip"),
    timeout: Annotated[float, typer.Option(help="--timeout passed to hw1 grade")] = 10.0,
    hidden: Annotated[str, typer.Option(help="probe ids hidden from students: p3.unbiased,p4.v1")] = "",
    after_due_date: Annotated[str, typer.Option(help="probe ids shown after the due date")] = "",
) -> None:
    """Write autograder.zip: setup.sh, run_autograder, pinned requirements and the hw1 source."""
    from grader.gradescope import build

    spec = ",".join([f"{i.strip()}=hidden" for i in hidden.split(",") if i.strip()]
                    + [f"{i.strip()}=after_due_date" for i in after_due_date.split(",") if i.strip()])
    visibility = parse_visibility(spec)
    options = f"--timeout {timeout:g}"
    if visibility:
        options += " --gradescope-visibility " + ",".join(f"{k}={v}" for k, v in visibility.items())
    try:
        names = build(output, options)
    except OSError as e:
        raise UsageProblem(f"cannot write {output}: {e.strerror}") from None
    Console().print(f"wrote {output} ({len(names)} files): upload it as the autograder on Gradescope")


@app.command()
def doctor() -> None:
    """Which isolation layers are active on this machine."""
    from grader.doctor import report

    Console().print(report())


def main() -> None:
    """Entry point: usage errors become one line on stderr and exit code 2."""
    os.environ.setdefault("COLUMNS", "110") if not sys.stdout.isatty() else None
    try:
        app(standalone_mode=False)
    except (UsageProblem, sandbox.WeakIsolation) as e:
        _die(str(e))
    except typer.Exit as e:
        _leave(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _leave(130)
    except Exception as e:  # noqa: BLE001 - the CLI never shows a traceback
        if getattr(e, "exit_code", None) == 2 and hasattr(e, "format_message"):
            _die((e.format_message() or "usage error").splitlines()[0])
        sys.stderr.write(f"hw1: internal error: {type(e).__name__}: {e}\n")
        _leave(1)
    _leave(0)


def _die(message: str) -> None:
    sys.stderr.write(f"hw1: error: {message}\n")
    _leave(2)


def _leave(code: int) -> None:
    """Run the exit handlers (multiprocessing's remove its temporary directory), flush, and exit
    without the interpreter's teardown of sympy and numpy, which takes ~0.3 s and does nothing
    for the user (every file hw1 writes is closed or renamed into place before this)."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
