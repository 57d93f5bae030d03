"""Judging: turns plain data from the child into verdicts, in a bounded trusted process.

Each problem is judged in a forked worker with a deadline per probe, so a returned expression
built to make sympy run forever costs that probe only. Verdicts stream back as JSON lines.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import resource
import select
import signal
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, replace
from typing import Any

from grader import wire
from grader.checks import Reject
from grader.results import ProbeResult
from grader.runner import Outcome
from grader.spec import Case, Probe, Problem, Verdict

# Judging threads fork; no fork may happen while another thread computes references (the child
# could inherit a lock held mid-computation). Both take this lock.
FORK_LOCK = threading.Lock()

STATUS_TEXT = {
    "missing": "missing function",
    "error": "raised an exception",
    "invalid": "returned a value that cannot be graded",
    "timeout": "timed out",
    "crashed": "crashed",
    "import": "the submission could not be imported",
    "not run": "not run",
}


def judge_problem(problem: Problem, cases: Mapping[str, Case], outcomes: Mapping[str, Outcome],
                  cache: dict[str, Verdict] | None = None,
                  gate: threading.Semaphore | None = None) -> tuple[ProbeResult, ...]:
    """Judge every probe of a problem; never raises, never hangs beyond the probes' caps.

    `cache` maps (probe, exactly what came back for its calls) to a verdict: in a batch, the
    same answer (same tree, same numbers) is judged once. `gate` bounds how many judging forks
    run at once (each is a copy of this process: on a batch, memory grows with their number).
    """
    cache = {} if cache is None else cache
    keys = {p.id: _answer_key(p, cases[p.id], outcomes) for p in problem.probes}
    verdicts: dict[str, Verdict] = {p.id: cache[keys[p.id]] for p in problem.probes if keys[p.id] in cache}
    pending = [p for p in problem.probes if p.id not in verdicts]
    while pending:
        with gate or contextlib.nullcontext():
            got, stuck, died = _judge_in_fork(pending, cases, outcomes)
        verdicts.update(got)
        pending = [p for p in pending if p.id not in verdicts]
        if stuck is not None:
            what = ("crashed the judging process (usually its memory cap)" if died else
                    f"took over {stuck.judge_seconds:g} s")
            verdicts[stuck.id] = Verdict(
                False, f"judging this answer {what}: the returned "
                "expression is far larger or more complicated than a correct answer needs")
            pending = [p for p in pending if p.id != stuck.id]
    for p in problem.probes:
        cache[keys[p.id]] = verdicts[p.id]
    return tuple(ProbeResult(p, _with_observation(problem, p, verdicts)) for p in problem.probes)


def _say(key: str, items: list, verdicts: Mapping[str, Verdict], passed: bool) -> str:
    return ", ".join(f"{key} = {val} ({', '.join(p.id for p in ps if verdicts[p.id].passed == passed)})"
                     for val, ps in items)


def _with_observation(problem: Problem, probe: Probe, verdicts: Mapping[str, Verdict]) -> Verdict:
    """A failure that names no mistake gets what the passing and failing probes establish, by
    their tags: "right for d = 1 (p5.d1); wrong for d = 2 (p5.d2)" (nothing when no tag splits)."""
    v = verdicts[probe.id]
    if v.passed or v.mistake or not probe.tags:
        return v
    facts = []
    for key in probe.tags:
        groups: dict[Any, list[Probe]] = {}
        for p in problem.probes:
            if key in p.tags and p.id in verdicts:
                groups.setdefault(p.tags[key], []).append(p)
        right = [(val, ps) for val, ps in groups.items() if all(verdicts[p.id].passed for p in ps)]
        wrong = [(val, ps) for val, ps in groups.items() if any(not verdicts[p.id].passed for p in ps)]
        if right and wrong:
            facts.append(f"right for {_say(key, right, verdicts, True)}; "
                         f"wrong for {_say(key, wrong, verdicts, False)}")
    if not facts:
        return v
    return replace(v, message=f"{v.message} — no known mistake matches; the probes establish: "
                              + "; and ".join(facts))


def _answer_key(probe: Probe, case: Case, outcomes: Mapping[str, Outcome]) -> str:
    """A digest of the probe and of what came back for each of its calls."""
    got = []
    for name, call in sorted(case.calls.items()):
        out = outcomes.get(call.key) or Outcome("not run")
        got.append([name, call.key, out.status, out.value, out.message])
    blob = json.dumps([probe.id, got], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def judge_probe(probe: Probe, case: Case, outcomes: Mapping[str, Outcome]) -> Verdict:
    """One probe: fail on the first call that did not return, else decode, complete the case's
    references (if the parent has not) and judge."""
    values = {}
    for name, call in case.calls.items():
        out = outcomes.get(call.key) or Outcome("not run", message="not run")
        if not out.ok:
            head = STATUS_TEXT.get(out.status, out.status)
            hint = next((text for pattern, text in probe.error_mistakes
                         if out.status == "error" and re.search(pattern, out.message or "", re.S)), "")
            text = out.message if out.message.startswith(head) else f"{head}: {out.message}"
            return Verdict(False, text, called=call.show, mistake=hint)
        try:
            values[name] = wire.decode(out.value)
        except wire.WireError as err:
            return Verdict(False, f"returned a value that cannot be graded: {err}", called=call.show)
    try:
        case = case.complete()
    except Exception as err:  # noqa: BLE001 - the grader's own fault, never the student's
        return Verdict(False, f"the grader failed to compute this probe's reference ({type(err).__name__}: "
                              f"{str(err)[:200]}): a bug in hw1, not in your answer; please report it")
    try:
        return probe.judge(case, values)
    except Reject as err:
        shown = next(iter(case.calls.values())).show if case.calls else ""
        return Verdict(False, str(err), called=shown, mistake=err.mistake)
    except Exception as err:  # noqa: BLE001 - a judge must not take the grader down
        return Verdict(False, f"the value could not be judged ({type(err).__name__}: "
                              f"{str(err)[:200]}); if your answer looks right, report this")


def _bound_to_grader(grader: int) -> None:
    """A worker ignores Ctrl-C and SIGTERM sent to hw1's process group (hw1 decides, and kills it:
    a worker dying of them would read as a verdict) and dies with the thread that forked it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != grader:  # the grader died before the prctl
        os._exit(0)


JUDGE_MEMORY = 2 << 30  # bytes a judge worker may add to what it inherits


def _cap_memory() -> None:
    """A returned expression built to blow up sympy costs its probe, not the machine's memory."""
    try:
        with open("/proc/self/statm") as fh:
            size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + JUDGE_MEMORY, size + JUDGE_MEMORY))
    except (OSError, ValueError):
        pass


def _judge_in_fork(pending: list[Probe], cases: Mapping[str, Case],
                   outcomes: Mapping[str, Outcome]) -> tuple[dict[str, Verdict], Probe | None, bool]:
    r, w = os.pipe()
    grader = os.getpid()
    with FORK_LOCK:
        pid = os.fork()
    if pid == 0:  # trusted worker: judge in order, one JSON line per verdict
        os.close(r)
        _bound_to_grader(grader)
        _cap_memory()
        try:
            for probe in pending:
                verdict = judge_probe(probe, cases[probe.id], outcomes)
                line = json.dumps({"id": probe.id, **asdict(verdict)}) + "\n"
                os.write(w, line.encode())
        finally:
            os._exit(0)
    os.close(w)
    verdicts: dict[str, Verdict] = {}
    buffer = b""
    stuck, died = None, False
    started = time.monotonic()
    index = 0
    try:
        while index < len(pending):
            left = pending[index].judge_seconds - (time.monotonic() - started)
            ready, _, _ = select.select([r], [], [], max(left, 0))
            if not ready:
                stuck = pending[index]
                break
            chunk = os.read(r, 1 << 20)
            if not chunk:
                stuck, died = pending[index], True  # the worker died on this probe
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                data = json.loads(line)
                probe_id = data.pop("id")
                verdicts[probe_id] = Verdict(**data)
                index += 1
                started = time.monotonic()
    finally:
        os.close(r)
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
    return verdicts, stuck, died
