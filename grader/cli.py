"""The `hw1` command line (SPEC §1): grade, list, explain, template, doctor."""

from __future__ import annotations

import atexit
import json
import os
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from grader import registry, sandbox, uids

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Autograder for Homework 1 (generative models).")
DEFAULT_SEED = 20240415


class Format(str, Enum):
    rich = "rich"
    json = "json"
    gradescope = "gradescope"


class UsageProblem(Exception):
    """A usage error: one line on stderr, exit 2."""


def expand(paths: list[Path], err: Console | None = None) -> list[Path]:
    """Files as given; a directory means every *.py and *.ipynb under it, searched recursively in
    sorted order (grader/discover.py). What was skipped is listed on `err`, with the reason."""
    from grader.discover import NotFound, discover, skipped_lines

    try:
        found = discover(paths)
    except NotFound as e:
        raise UsageProblem(str(e)) from None
    for line in skipped_lines(found.skipped) if err else ():
        err.print(f"hw1: {line}", markup=False, highlight=False, soft_wrap=True)
    return found.submissions


def pick(numbers: list[int]) -> list:
    known = {p.number for p in registry.all_problems()}
    for n in numbers:
        if n not in known:
            raise UsageProblem(f"unknown problem {n} (problems are {min(known)}-{max(known)})")
    return [p for p in registry.all_problems() if not numbers or p.number in numbers]


@app.command()
def grade(
    submissions: Annotated[list[Path], typer.Argument(help="files, or directories searched recursively "
                           "for *.py and *.ipynb")],
    problem: Annotated[list[int] | None, typer.Option("--problem", "-p",
                       help="grade only this problem (repeatable)")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.rich,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                      help="write the report to FILE instead of stdout")] = None,
    seed: Annotated[int, typer.Option(help="seed of the random probe inputs")] = DEFAULT_SEED,
    timeout: Annotated[float, typer.Option(help="seconds of student code per problem")] = 10.0,
    jobs: Annotated[int, typer.Option(help="parallel processes (default: all cores)")] = 0,
    memory: Annotated[int, typer.Option(help="MiB of memory per student process")] = 1024,
    gradebook: Annotated[Path | None, typer.Option(help="merge the results into a CSV gradebook (other rows "
                         "kept; FILE.jsonl as results finish)")] = None,
    resume: Annotated[bool, typer.Option(help="with --gradebook: grade only what FILE.jsonl lacks, or what "
                      "changed (file content, seed, problems, hw1 version)")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show passing probes too")] = False,
    class_report: Annotated[Path | None, typer.Option(help="write an HTML class report: score distribution, "
                            "per-problem histograms, per-probe pass rates and mistakes")] = None,
    class_json: Annotated[Path | None, typer.Option(help="write the class statistics as JSON "
                          "({\"class\": ...}, as `hw1 stats --format json`)")] = None,
    feedback_dir: Annotated[Path | None, typer.Option(help="write one feedback file per submission there "
                            "(NAME.md and NAME.html)")] = None,
    allow_weak_isolation: Annotated[bool, typer.Option("--allow-weak-isolation",
                                    help="grade even where the sandbox lacks a guarantee "
                                    "(every report then says so)")] = False,
    sandbox_layers: Annotated[bool, typer.Option("--sandbox/--no-sandbox", hidden=True,
                              help="benchmarking only: run children without isolation")] = True,
    gradescope_visibility: Annotated[str, typer.Option(hidden=True, help="with --format gradescope: "
                                     "ID=VISIBILITY,... (written by `hw1 gradescope build`)")] = "",
    roster: Annotated[Path | None, typer.Option(help="with --gradebook G.csv: join it with this class "
                      "list into G.roster.csv (one row per student), unmatched files in G.unmatched.csv")] = None,
    lms: Annotated[LmsFormat | None, typer.Option(help="with --roster: also write an LMS import CSV")] = None,
    lms_csv: Annotated[Path | None, typer.Option(help="where --lms writes its CSV")] = None,
    assignment: Annotated[str, typer.Option(help="the LMS's assignment column, e.g. 'Homework 1 (123456)'")]
        = "Homework 1",
) -> None:
    """Grade one or many submissions."""
    from grader import template

    template.context()  # started already by grader.launch; here for callers of grader.cli alone
    from grader.batch import grade_batch
    from grader.report import render, render_batch, render_class, to_gradescope
    from grader.stats import class_stats

    err = Console(stderr=True)
    paths = expand(submissions, err)
    chosen = pick(problem or [])
    check_outputs(paths, output=output, gradebook=gradebook)
    if format is Format.gradescope and len(paths) > 1:
        raise UsageProblem(f"--format gradescope describes one submission; {len(paths)} were given")
    visibility = parse_visibility(gradescope_visibility)
    if timeout <= 0 or memory < 256 or jobs < 0:
        raise UsageProblem("--timeout must be > 0, --memory at least 256, --jobs at least 1")
    if resume and not gradebook:
        raise UsageProblem("--resume needs --gradebook FILE.csv")
    class_list = _roster_options(roster, gradebook, lms, lms_csv)
    _check_class_outputs(class_report, class_json, feedback_dir)
    limits = sandbox.Limits(timeout=timeout, memory=memory << 20, isolate=sandbox_layers,
                            allow_weak=allow_weak_isolation)
    batch = grade_batch(paths, chosen, seed, limits, jobs or os.cpu_count() or 1, gradebook, resume, err)
    out = Console(file=open(output, "w", encoding="utf-8") if output else sys.stdout,  # noqa: SIM115
                  width=110 if output else None, force_terminal=False if output else None)
    if format is Format.rich:
        for r in batch.fresh:
            render(r, out, verbose)
        if len(batch.docs) > 1:
            render_batch(batch.docs, out)
            render_class(class_stats(batch.docs), out, limit=15)
    else:
        docs = batch.docs if format is Format.json else [to_gradescope(r, visibility) for r in batch.fresh]
        out.file.write(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2) + "\n")
    if output:
        out.file.close()
        summary = Console()
        if len(batch.docs) > 1:
            render_batch(batch.docs, summary)
            render_class(class_stats(batch.docs), summary, limit=15)
        else:
            summary.print(f"{batch.docs[0]['submission']}: {batch.docs[0]['score']:g}/{batch.docs[0]['max_score']:g}")
        summary.print(f"report written to {output}")
    if gradebook:
        Console(stderr=output is None and format is not Format.rich).print(
            f"gradebook: {gradebook} ({len(batch.docs)} rows, {batch.resumed} resumed)")
    if class_list is not None:
        _publish(gradebook, class_list, None, lms, lms_csv, assignment)
    printed = {r.submission: {p.number: p.output for p in r.problems if p.output.strip()} for r in batch.fresh}
    _class_outputs(batch.docs, class_report, class_json, feedback_dir,
                   Console(stderr=output is None and format is not Format.rich), printed=printed,
                   name_for=_student_names(class_list, batch.docs))


def _student_names(class_list, docs: list[dict]):
    """Feedback files named after the student a roster says handed each submission in (None: no roster)."""
    if class_list is None:
        return None
    who = _roster_mod().identify(class_list, [d["submission"] for d in docs])
    return lambda path: next((s.logins[0] if s.logins else s.ids[0] if s.ids else s.name
                              for s in who.get(str(path), [])), None) or None


class LmsFormat(str, Enum):
    canvas = "canvas"
    gradescope = "gradescope"


def _roster_mod():
    from grader import roster

    return roster


def _roster_options(roster: Path | None, gradebook: Path | None, lms, lms_csv: Path | None):
    """The class list, read before any grading so that a bad one costs nothing (None: no roster)."""
    if (lms is None) != (lms_csv is None):
        raise UsageProblem("--lms and --lms-csv go together (e.g. --lms canvas --lms-csv canvas.csv)")
    if lms is not None and roster is None:
        raise UsageProblem("--lms needs --roster FILE.csv: the LMS identifies students, not files")
    if roster is None:
        return None
    if gradebook is None:
        raise UsageProblem("--roster needs --gradebook FILE.csv")
    mod = _roster_mod()
    try:
        return mod.read_roster(roster)
    except mod.RosterError as e:
        raise UsageProblem(str(e)) from None


def _publish(gradebook: Path, class_list, output: Path | None, lms, lms_csv: Path | None, assignment: str) -> None:
    """G.roster.csv and G.unmatched.csv beside gradebook G (or O and O.unmatched.csv)."""
    from grader.report import safe

    mod = _roster_mod()
    say = lambda line: sys.stderr.write(safe(line) + "\n")  # file names are partly the students'
    unmatched = mod.beside(output or gradebook, "unmatched")
    written = [output or mod.beside(gradebook, "roster"), unmatched, *([lms_csv] if lms_csv else [])]
    kept = {Path(p).resolve() for p in (gradebook, class_list.path) if p}
    if len({w.resolve() for w in written}) < len(written) or any(w.resolve() in kept for w in written):
        raise UsageProblem("the roster's outputs must be new files, not the gradebook, the roster or each other")
    try:
        mod.publish(gradebook, class_list, output or mod.beside(gradebook, "roster"), unmatched,
                    lms.value if lms else None, lms_csv, assignment, say)
    except mod.RosterError as e:
        raise UsageProblem(str(e)) from None


@app.command("roster")
def roster_command(
    gradebook: Annotated[Path, typer.Argument(help="a gradebook written by `hw1 grade --gradebook`")],
    roster: Annotated[Path, typer.Argument(help="the class list (CSV: ids, logins or emails, names)")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="the joined CSV (default: "
                      "G.roster.csv beside gradebook G.csv; unmatched files in G.unmatched.csv, "
                      "or O.unmatched.csv beside --output O.csv)")] = None,
    lms: Annotated[LmsFormat | None, typer.Option(help="also write an LMS import CSV")] = None,
    lms_csv: Annotated[Path | None, typer.Option(help="where --lms writes its CSV")] = None,
    assignment: Annotated[str, typer.Option(help="the LMS's assignment column, e.g. 'Homework 1 (123456)'")]
        = "Homework 1",
) -> None:
    """Join an existing gradebook with a class list: one row per student, missing and unmatched."""
    if not gradebook.is_file():
        raise UsageProblem(f"no such file: {gradebook}")
    class_list = _roster_options(roster, gradebook, lms, lms_csv)
    _publish(gradebook, class_list, output, lms, lms_csv, assignment)


def check_outputs(submissions: list[Path], **outputs: Path | None) -> None:
    """Before any grading: every output path can be written and is none of the submissions."""
    from grader.gradebook import foreign_csv, journal_path, output_problem

    given = {f"--{k}": v for k, v in outputs.items() if v is not None}
    if "--gradebook" in given:
        given["the journal"] = journal_path(given["--gradebook"])
    for option, path in given.items():
        why = output_problem(path, option, submissions)
        if why:
            raise UsageProblem(why)
    if "--gradebook" in given and (why := foreign_csv(given["--gradebook"])):
        raise UsageProblem(why)
    if len({os.path.realpath(p) for p in given.values()}) < len(given):
        raise UsageProblem("--output and --gradebook (or its FILE.jsonl journal) name the same file")


def _check_class_outputs(class_report: Path | None, class_json: Path | None, feedback_dir: Path | None) -> None:
    """Before grading: each class output can be written (exit 2 with one line if not)."""
    from grader.feedback import check_dir, check_file

    try:
        for path, option in ((class_report, "--class-report"), (class_json, "--class-json")):
            if path is not None:
                check_file(path, option)
        if feedback_dir is not None:
            check_dir(feedback_dir, "--feedback-dir")
    except ValueError as e:
        raise UsageProblem(str(e)) from None


def _class_outputs(docs: list[dict], class_report: Path | None, class_json: Path | None,
                   feedback_dir: Path | None, console: Console, printed: dict | None = None,
                   name_for=None) -> None:
    """What the class got wrong (JSON, HTML report) and the feedback files (#11).
    `name_for` (submission path -> student name or None) names the feedback files, e.g. from a
    roster; `printed` is what each fresh submission's code printed, by problem."""
    from grader.stats import class_stats

    if not (class_report or class_json or feedback_dir):
        return
    stats = class_stats(docs)
    try:
        if class_json is not None:
            from grader.gradebook import atomic_write

            atomic_write(class_json, json.dumps({"class": stats}, indent=2) + "\n")
            console.print(f"class statistics: {class_json}")
        if class_report is not None:
            from grader.classreport import write_report

            write_report(class_report, stats)
            console.print(f"class report: {class_report}")
        if feedback_dir is not None:
            from grader.feedback import write_feedback

            written = write_feedback(feedback_dir, docs, name_for, printed)
            console.print(f"feedback: {len(written)} submissions, .md and .html in {feedback_dir} "
                          f"(index.csv says which file is whose)")
    except OSError as e:
        raise UsageProblem(f"cannot write {e.filename or 'a class output'}: {e.strerror}") from None


class StatsFormat(str, Enum):
    rich = "rich"
    json = "json"


@app.command()
def stats(
    gradebook: Annotated[Path, typer.Argument(help="GRADEBOOK.csv of a batch (its GRADEBOOK.csv.jsonl is read), "
                                              "or the .jsonl itself")],
    format: Annotated[StatsFormat, typer.Option("--format", "-f")] = StatsFormat.rich,
    class_report: Annotated[Path | None, typer.Option(help="also write the HTML class report")] = None,
) -> None:
    """What the class got wrong, from a gradebook's journal alone: per probe pass rate and mistakes."""
    from grader.gradebook import journal_path
    from grader.report import render_class
    from grader.stats import JournalError, class_stats, read_journal

    _check_class_outputs(class_report, None, None)
    path = gradebook if gradebook.suffix == ".jsonl" else journal_path(gradebook)
    if not path.is_file():
        raise UsageProblem(f"no journal {path} (written by `hw1 grade ... --gradebook {gradebook}`)")
    try:
        docs, info = read_journal(path)
    except JournalError as e:
        raise UsageProblem(str(e)) from None
    result = class_stats(docs)
    err = Console(stderr=True)
    if format is StatsFormat.json:
        sys.stdout.write(json.dumps({"journal": info, "class": result}, indent=2) + "\n")
    else:
        out = Console()
        key = info["key"] if isinstance(info["key"], dict) else {}
        out.print(f"{path}: {result['submissions']} submissions, seed {key.get('seed', '?')}")
        render_class(result, out, problems=True)
    if info["other_runs_ignored"] or info["lines_unreadable"]:
        err.print(f"note: read the last run only; {info['other_runs_ignored']} results of other runs "
                  f"(another seed or problems) and {info['lines_unreadable']} unreadable lines left out")
    _class_outputs(docs, class_report, None, None, err)


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
    index_url: Annotated[str, typer.Option(help="package index (simple API) that has the pinned "
                                           "releases: their sha256 go into requirements.txt")] = "",
    no_hashes: Annotated[bool, typer.Option("--no-hashes", help="pin versions without hashes (no index "
                                            "reachable while building; nor checked against --python)")] = False,
    python: Annotated[str | None, typer.Option("--python", help="the Python of the Gradescope base image "
                      "(default 3.10: Ubuntu 22.04's, the default image): every pin must install on it")] = None,
) -> None:
    """Write autograder.zip: setup.sh, run_autograder, pinned requirements and the hw1 source."""
    from grader.gradescope import DEFAULT_INDEX, DEFAULT_TARGET_PYTHON, HashLookupFailed, NotInstallable, build

    python = python or DEFAULT_TARGET_PYTHON
    if not re.fullmatch(r"3\.\d{1,2}", python):
        raise UsageProblem(f"--python must be a Python version such as 3.10 or 3.12, not {python!r}")

    spec = ",".join([f"{i.strip()}=hidden" for i in hidden.split(",") if i.strip()]
                    + [f"{i.strip()}=after_due_date" for i in after_due_date.split(",") if i.strip()])
    visibility = parse_visibility(spec)
    options = f"--timeout {timeout:g}"
    if visibility:
        options += " --gradescope-visibility " + ",".join(f"{k}={v}" for k, v in visibility.items())
    index = None if no_hashes else (index_url or os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX)
    try:
        names = build(output, options, index, python)
    except OSError as e:
        raise UsageProblem(f"cannot write {output}: {e.strerror}") from None
    except HashLookupFailed as e:
        raise UsageProblem(f"cannot pin the dependencies' hashes: {e} (give --index-url, or --no-hashes "
                           "to pin versions only)") from None
    except NotInstallable as e:
        raise UsageProblem(f"{e}: choose a base image with such a Python on Gradescope's Configure "
                           "Autograder page and build with --python X.Y, or build from an environment whose "
                           f"packages support Python {python}") from None
    checked = (f"pins checked for Python {python}" if index else
               f"pins NOT checked for Python {python} (--no-hashes)")
    Console(soft_wrap=True).print(f"wrote {output} ({len(names)} files, {checked}): upload it as the autograder "
                                  "on Gradescope", markup=False, highlight=False)


@app.command()
def repro(
    submission: Annotated[Path, typer.Argument(help="the submission the script imports by default")],
    probe_id: Annotated[str, typer.Argument(help="a probe id, e.g. p2.scales (see `hw1 explain N`)")],
    seed: Annotated[int, typer.Option(help="seed of the random probe inputs, as for grade")] = DEFAULT_SEED,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write the script to FILE "
                      "instead of stdout")] = None,
) -> None:
    """Write a standalone Python script that reruns one probe (exit 0 pass, 1 fail)."""
    from grader import repro as repro_

    if not submission.is_file():
        raise UsageProblem(f"no such file: {submission}")
    try:
        text = repro_.script(registry.all_problems(), str(submission), probe_id, seed,
                             output.name if output else "repro.py")
    except repro_.UnknownProbe as e:
        raise UsageProblem(str(e)) from None
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise UsageProblem(f"cannot write {output}: {e.strerror}") from None
    Console(stderr=True).print(f"wrote {output}: run `python {output}` (exit 0: the probe passes, 1: it fails)",
                               markup=False, highlight=False)


@app.command()
def doctor() -> None:
    """Which isolation layers are active on this machine."""
    from grader.doctor import report

    Console().print(report())


class _Closed(BaseException):  # noqa: N818 - passes through click's EPIPE handling (exit 1)
    """stdout was closed by its reader (`hw1 grade sub.py | head -1`)."""


class _Stream:
    """sys.stdout or sys.stderr, except that a reader closing the pipe ends hw1 quietly: on stdout,
    exit 141 (what a shell reports for SIGPIPE) with nothing printed; on stderr, writes are dropped."""

    def __init__(self, stream, quiet: bool):
        self._stream = stream
        self._quiet = quiet

    def _guard(self, call, *args):
        try:
            return call(*args)
        except BrokenPipeError:
            _silence(self._stream)
            if self._quiet:
                return None
            raise _Closed from None

    def write(self, text):
        return self._guard(self._stream.write, text)

    def flush(self):
        return self._guard(self._stream.flush)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _silence(stream) -> None:
    """Point the stream's descriptor at /dev/null, so that later flushes (at exit too) are no-ops."""
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError):
        pass


def main() -> None:
    """Entry point: usage errors become one line on stderr and exit code 2; Ctrl-C (130), SIGTERM
    (143) and SIGHUP (129) one line too; a closed stdout ends quietly (141)."""
    from grader import interrupt

    interrupt.install()
    os.environ.setdefault("COLUMNS", "110") if not sys.stdout.isatty() else None
    sys.stdout = _Stream(sys.stdout, quiet=False)
    sys.stderr = _Stream(sys.stderr, quiet=True)
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:  # click returns the code of an Exit it caught
            _leave(code)
    except _Closed:
        _leave(141)
    except interrupt.Interrupted as e:
        sys.stderr.write(f"hw1: interrupted ({e.name})\n")
        _leave(e.code)
    except (UsageProblem, sandbox.WeakIsolation) as e:
        _die(str(e))
    except typer.Exit as e:
        _leave(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _leave(130)
    except uids.NoFreeUid as e:  # the machine's state, not a bug: say so in one line
        _die(f"{e}; wait for those runs to finish and try again")
    except Exception as e:  # noqa: BLE001 - the CLI never shows a traceback
        from grader.batch import BatchInterrupted

        if isinstance(e, BatchInterrupted):
            sys.stderr.write(f"hw1: {e}\n")
            _leave(e.code)
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
        except _Closed:  # the reader of stdout went away before the last of the report
            code = code or 141
    os._exit(code)
