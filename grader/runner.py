"""Runs student code in isolated child processes and collects plain data from them.

A child is forked from a template process (multiprocessing's forkserver) that imported numpy,
sympy and the harnesses and warmed sympy's caches, but never computed or loaded a reference.
The parent reads two pipes without ever blocking on them (results: length-prefixed frames;
output: capped, the rest discarded), enforces a wall-clock deadline from outside, and kills
the child's whole process group, pid namespace and unprivileged uid at the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import multiprocessing.connection
import os
import shutil
import signal
import stat
import struct
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import child, notebook, sandbox, template, uids, wire
from grader.spec import Call

STARTUP_ALLOWANCE = 1.0
MAX_RETRIES = 3
FRAME_CAP = wire.MAX_BYTES + 1024


@dataclass(frozen=True)
class Job:
    """One problem of one submission: the calls to perform in one child process."""

    submission: Path
    problem: int
    module: str
    calls: tuple[tuple[str, Call], ...]
    seed: int
    attempt: int = 0
    budget: float | None = None


@dataclass
class Outcome:
    """What became of one call. `value` is tagged JSON when status is "ok"."""

    status: str
    value: Any = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class JobReport:
    """Everything the parent learned from one child."""

    job: Job
    outcomes: dict[str, Outcome]
    status: str
    output: str
    layers: list[str]
    seconds: float
    remaining: tuple[tuple[str, Call], ...] = ()


@dataclass
class _Running:
    job: Job
    process: Any
    results: Any
    output: Any
    workdir: str
    slot: int
    started: float
    deadline: float
    buffer: bytearray = field(default_factory=bytearray)
    printed: bytearray = field(default_factory=bytearray)
    dropped: int = 0
    messages: list[dict] = field(default_factory=list)
    broken: str = ""
    ended: bool = False  # a "done" was read: nothing after it counts


class Runner:
    """Runs jobs, `parallel` children at a time, each under `limits`."""

    def __init__(self, limits: sandbox.Limits, parallel: int):
        self.limits = limits
        self.parallel = max(1, parallel)
        self.ctx = template.context()
        _remove_abandoned_runs()
        self.base = tempfile.mkdtemp(prefix="hw1-run-")
        os.chmod(self.base, 0o711)
        Path(self.base, "owner.pid").write_text(str(os.getpid()))
        self.view = sandbox.view([])  # the engine sets what to hide for its submissions
        # As root, each slot's children run as a uid leased by this run alone (grader/uids.py)
        self.lease = uids.Lease(self.parallel) if os.geteuid() == 0 and limits.isolate else None
        self._broken_imports: dict[Path, tuple[str, str]] = {}
        self._partial: dict[tuple[Path, int], JobReport] = {}

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)
        if self.lease:
            self.lease.release()

    def uid(self, slot: int) -> int | None:
        """The unprivileged uid of `slot`'s children, or None when they keep the user's."""
        return self.lease.uids[slot] if self.lease else None

    def run(self, jobs: Iterable[Job], done: Callable[[JobReport], None]) -> None:
        """Run every job; call `done` with each report as soon as it is complete."""
        queue = deque(jobs)
        done_or_retry = lambda report: self._settle(report, queue, done)
        running: dict[int, _Running] = {}
        free = deque(range(self.parallel))
        try:
            self._run(queue, running, free, done, done_or_retry)
        except BaseException:  # Ctrl-C, SIGTERM (grader/interrupt.py) or a bug: no child outlives it
            self.stop(running)
            raise

    def _run(self, queue: deque, running: dict[int, _Running], free: deque, done: Callable,
             done_or_retry: Callable) -> None:
        while queue or running:
            while queue and free:
                job = queue.popleft()
                if job.submission in self._broken_imports:
                    done(self._skipped(job))
                    continue
                slot = free.popleft()
                try:
                    run = self._start(job, slot)
                except OSError as err:  # unreadable, or removed since the batch began
                    free.append(slot)
                    self._broken_imports[job.submission] = ("import error", f"cannot read the submission: {err}")
                    done(self._skipped(job))
                    continue
                running[id(run)] = run
            if running:
                self._step(running, free, done_or_retry)

    def _settle(self, report: JobReport, queue: deque, done: Callable[[JobReport], None]) -> None:
        """After a crash, run the calls not yet made in a fresh process, within the time left."""
        key = (report.job.submission, report.job.problem)
        if key in self._partial:
            report = _merge(self._partial.pop(key), report)
        left = (report.job.budget or self.limits.timeout) - report.seconds
        if report.remaining and report.job.attempt < MAX_RETRIES and left > 0.5:
            self._partial[key] = report
            job = report.job
            queue.appendleft(Job(job.submission, job.problem, job.module, report.remaining, job.seed,
                                 job.attempt + 1, left))
            return
        done(report)

    def stop(self, running: dict[int, _Running]) -> None:
        """Kill every child of the run: those running, and any started but not yet tracked."""
        for run in list(running.values()):
            self._kill(run)
            for conn in (run.results, run.output):
                conn.close()
            shutil.rmtree(run.workdir, ignore_errors=True)
        running.clear()
        for process in mp.active_children():  # this process's own children only
            for kill in (os.killpg, os.kill):
                with contextlib.suppress(OSError):
                    kill(process.pid, signal.SIGKILL)
            process.join(timeout=2)

    # ------------------------------------------------------------------ lifecycle
    def _start(self, job: Job, slot: int) -> _Running:
        workdir = tempfile.mkdtemp(prefix="job-", dir=self.base)
        staged = os.path.join(workdir, "submission.py")
        notebook.stage(job.submission, staged)  # a .py as is; a notebook's code cells (#11)
        uid = self.uid(slot)
        if uid is not None:
            os.chown(workdir, uid, uid)
            os.chown(staged, uid, uid)
        os.chmod(workdir, stat.S_IRWXU)
        res_r, res_w = self.ctx.Pipe(duplex=False)
        out_r, out_w = self.ctx.Pipe(duplex=False)
        task = child.Task(workdir, job.module, [(k, c.harness, dict(c.args)) for k, c in job.calls],
                    job.seed, self.uid(slot), self.limits, self.view)
        process = self.ctx.Process(target=child.main, args=(task, res_w, out_w), daemon=True)
        started = time.monotonic()
        with _no_main_reimport():
            process.start()
        res_w.close()
        out_w.close()
        for conn in (res_r, out_r):
            os.set_blocking(conn.fileno(), False)
        deadline = started + (job.budget or self.limits.timeout) + STARTUP_ALLOWANCE
        return _Running(job, process, res_r, out_r, workdir, slot, started, deadline)

    def _step(self, running: dict[int, _Running], free: deque, done: Callable) -> None:
        now = time.monotonic()
        wait_for = min(r.deadline for r in running.values()) - now
        handles = {}
        for run in running.values():
            handles[run.results] = run
            handles[run.output] = run
            handles[run.process.sentinel] = run
        ready = mp.connection.wait(list(handles), timeout=max(0.0, wait_for))
        finished = set()
        for handle in ready:
            run = handles[handle]
            if handle is run.results:
                self._read_results(run)
            elif handle is run.output:
                self._read_output(run)
            else:
                finished.add(id(run))
        now = time.monotonic()
        for key, run in list(running.items()):
            timed_out = now >= run.deadline and key not in finished
            if key in finished or timed_out or any("done" in m for m in run.messages):
                self._read_results(run)
                self._read_output(run)
                report = self._finish(run, timed_out)
                free.append(run.slot)
                del running[key]
                spent = time.monotonic()
                done(report)
                spent = time.monotonic() - spent
                for other in running.values():  # judging is the grader's time, not theirs
                    other.deadline += spent

    def _finish(self, run: _Running, timed_out: bool) -> JobReport:
        self._kill(run)
        self._read_results(run)
        exitcode = run.process.exitcode
        for conn in (run.results, run.output):
            conn.close()
        shutil.rmtree(run.workdir, ignore_errors=True)
        return self._report(run, timed_out, exitcode)

    def _kill(self, run: _Running) -> None:
        pid = run.process.pid
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        uid = self.uid(run.slot)
        if uid is not None:
            uids.kill_uid(uid)
        run.process.join(timeout=2)
        template.kill_adopted()  # after the join: its orphans are the template's once it is gone

    # ------------------------------------------------------------------ reading
    def _read_results(self, run: _Running) -> None:
        chunk = _drain(run.results.fileno(), FRAME_CAP * 2)
        if run.broken or run.ended:
            return
        run.buffer += chunk
        while len(run.buffer) >= 4:
            (size,) = struct.unpack("!i", run.buffer[:4])
            head = 4
            if size == -1:
                if len(run.buffer) < 12:
                    return
                (size,) = struct.unpack("!Q", run.buffer[4:12])
                head = 12
            if size < 0 or size > FRAME_CAP:
                run.broken = f"a message of {size} bytes, over the cap"
                return
            if len(run.buffer) < head + size:
                return
            frame = bytes(run.buffer[head:head + size])
            del run.buffer[:head + size]
            try:
                msg = wire.parse(frame)
            except wire.WireError as err:
                run.messages.append({"garbled": str(err)})
                continue
            if type(msg) is dict:
                run.messages.append(msg)
                if "done" in msg:  # the last message: whatever follows a forged one is not read
                    run.buffer.clear()
                    run.ended = True
                    return
            if len(run.messages) > 4 * len(run.job.calls) + 16:
                run.broken = "more messages than calls (flooding the result channel)"
                return

    def _read_output(self, run: _Running) -> None:
        room = self.limits.output - len(run.printed)
        chunk = _drain(run.output.fileno(), 1 << 24)
        run.printed += chunk[:max(room, 0)]
        run.dropped += max(0, len(chunk) - max(room, 0))

    # ------------------------------------------------------------------ verdicts on calls
    def _report(self, run: _Running, timed_out: bool, exitcode: int | None) -> JobReport:
        job = run.job
        outcomes: dict[str, Outcome] = {}
        layers: list[str] = []
        imported = False
        current = ""
        import_error = ""
        for msg in run.messages:
            if "layers" in msg and not layers and type(msg["layers"]) is list:
                layers = [str(x)[:60] for x in msg["layers"]][:12]
            elif msg.get("imported") is True:
                imported = True
            elif "import_error" in msg and not imported:
                import_error = _text(msg["import_error"])
            elif "start" in msg:
                current = _text(msg["start"])
            elif "setup_error" in msg and not imported:
                import_error = "the grader could not start this submission's process: " + _text(
                    msg["setup_error"])
            elif "key" in msg:
                _record(outcomes, msg)
        status = "ok"
        if import_error:
            status = "import error"
            self._broken_imports[job.submission] = (status, import_error)
        elif timed_out and not imported:
            status = "timeout"
            import_error = f"importing the submission did not finish within {self.limits.timeout:g} s"
            self._broken_imports[job.submission] = (status, import_error)
        elif timed_out or (exitcode in (-signal.SIGKILL, -signal.SIGXCPU)
                           and time.monotonic() - run.started >= self.limits.timeout):
            status = "timeout"  # killed by the CPU-time backstop: the same thing as a timeout
        elif not any("done" in m for m in run.messages):
            status = "crashed"
        why = _why(status, exitcode, self.limits, run.broken)
        remaining = tuple((k, c) for k, c in job.calls if k not in outcomes and k != current)
        if status != "crashed" or import_error or not current:
            remaining = ()
        for key, call in job.calls:
            if key in outcomes:
                continue
            if import_error:
                outcomes[key] = Outcome("import", message=import_error)
            elif key == current and status != "ok":
                outcomes[key] = Outcome(status, message=f"{call.show or call.harness}: {why}")
            elif status == "ok":
                outcomes[key] = Outcome("not run", message="not run: the process said it was done before "
                                        "answering this call")
            else:
                outcomes[key] = Outcome("not run", message=f"not run: the process {why}")
        text = run.printed.decode("utf-8", "replace")
        if run.dropped:
            text += f"\n[... {run.dropped} more bytes of output discarded]"
        return JobReport(job, outcomes, status, text, layers, time.monotonic() - run.started, remaining)

    def _skipped(self, job: Job) -> JobReport:
        status, message = self._broken_imports[job.submission]
        outcomes = {key: Outcome("import", message=message) for key, _ in job.calls}
        return JobReport(job, outcomes, status, "", [], 0.0)


@contextlib.contextmanager
def _no_main_reimport() -> Iterator[None]:
    """multiprocessing re-runs the parent's __main__ (the CLI, with typer and rich) in every
    child unless __main__ has neither a spec nor a file: hide both while a child starts."""
    main = sys.modules["__main__"]
    saved = {k: getattr(main, k) for k in ("__spec__", "__file__") if hasattr(main, k)}
    main.__spec__ = None
    main.__file__ = None
    try:
        yield
    finally:
        for k in ("__spec__", "__file__"):
            if k in saved:
                setattr(main, k, saved[k])
            else:
                delattr(main, k)


def _merge(first: JobReport, then: JobReport) -> JobReport:
    """One report from a crashed attempt and its continuation (earlier outcomes win)."""
    outcomes = {**then.outcomes, **{k: v for k, v in first.outcomes.items() if v.status != "not run"}}
    status = first.status if first.status != "ok" else then.status
    output = (first.output + then.output)[: max(len(first.output), 1 << 20)]
    job = dataclasses.replace(first.job, attempt=then.job.attempt)
    return JobReport(job, outcomes, status, output, first.layers or then.layers,
                     first.seconds + then.seconds, then.remaining)


def _record(outcomes: dict[str, Outcome], msg: dict) -> None:
    key = _text(msg["key"])
    if key in outcomes:  # first word on a call wins; later ones are ignored
        return
    for status in ("missing", "invalid", "error"):
        if status in msg:
            outcomes[key] = Outcome(status, message=_text(msg[status]))
            return
    if "value" in msg:
        outcomes[key] = Outcome("ok", value=msg["value"])


def _why(status: str, exitcode: int | None, limits: sandbox.Limits, broken: str) -> str:
    if broken:
        return f"sent {broken}"
    if status == "timeout":
        return f"timed out after {limits.timeout:g} s (infinite loop, or far too slow)"
    if exitcode is not None and exitcode < 0:
        sig = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else -exitcode
        hint = {"SIGSEGV": "segmentation fault",
                "SIGKILL": "killed: by the CPU limit, by the system when memory ran out, or by the code itself",
                "SIGXCPU": "CPU time limit", "SIGXFSZ": "file size limit",
                "SIGABRT": "aborted (often: out of memory)"}.get(str(sig), "")
        return f"crashed with {sig}{f' ({hint})' if hint else ''}"
    if status == "crashed":
        return (f"exited (code {exitcode}) before finishing: os._exit, a crash, "
                f"or memory exhaustion (limit {limits.memory >> 20} MiB)")
    return "stopped"


def _text(x: Any) -> str:
    return x[:2000] if type(x) is str else "?"


def _drain(fd: int, cap: int) -> bytes:
    """Read what is available without blocking, up to `cap` bytes (the rest stays or is lost)."""
    parts = []
    total = 0
    while total < cap:
        try:
            chunk = os.read(fd, 1 << 16)
        except (BlockingIOError, InterruptedError):
            break
        except OSError:
            break
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def _remove_abandoned_runs() -> None:
    """Work directories of grader runs that were killed (their owner process is gone)."""
    for d in Path(tempfile.gettempdir()).glob("hw1-run-*"):
        try:
            pid = int((d / "owner.pid").read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (OSError, ValueError):
            continue
