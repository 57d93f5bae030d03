"""The student side of the boundary: runs inside an isolated process, never in the grader's.

A child enters the sandbox, imports the submission, performs the calls it was given through the
problem's harness, and streams tagged JSON messages back on a dedicated pipe. It never sees a
reference answer: it only knows inputs.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from grader import sandbox, wire
from grader.harnesslib import MissingFunction


@dataclass(frozen=True)
class Task:
    """What a child is asked to do (built by the runner; trusted data)."""

    workdir: str
    module: str
    calls: list[tuple[str, str, dict]]
    seed: int
    uid: int | None  # the leased uid to drop to (as root), else None
    limits: sandbox.Limits
    view: sandbox.View


def warm() -> None:
    """One-time set-up work done once in the template instead of in every child."""
    x, t = sympy.symbols("x t", real=True)
    sympy.simplify(sympy.exp(x) * 2 / x + sympy.sqrt(t) / t)  # a first simplify costs ~0.09 s more
    np.linalg.solve(np.eye(3) * 2.0, np.ones(3))
    np.random.seed(0)  # numpy 2 imports numpy.random lazily: 14 ms in every child otherwise


def main(task: Task, results: Any, output: Any) -> None:
    """Entry point of a child process (target of the runner's Process)."""
    send = lambda msg: results.send_bytes(json.dumps(msg, separators=(",", ":")).encode())
    try:
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        layers = sandbox.enter(task.workdir, task.uid, task.limits, task.view,
                               [results.fileno()])
        send({"layers": layers})
        harness = importlib.import_module(task.module)
        random.seed(task.seed)
        np.random.seed(task.seed % 2**32)
        sub = _import_submission(task.workdir, send)
        if sub is not None:
            _perform(harness, sub, task.calls, send)
        _flush()  # what was printed is in the pipe before "done": the runner stops reading there
        send({"done": True})
    except BaseException as err:  # noqa: BLE001 - a grader-side failure in the child
        try:
            send({"setup_error": f"{type(err).__name__}: {err}"})
        except BaseException:  # noqa: BLE001
            pass
    finally:
        _flush()
        os._exit(0)


def _flush() -> None:
    """Flush the student's buffered prints (whatever sys.stdout is now, and the originals)."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(BaseException):
            stream.flush()


def _import_submission(workdir: str, send: Any) -> Any:
    path = os.path.join(workdir, "submission.py")
    try:
        spec = importlib.util.spec_from_file_location("submission", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["submission"] = module
        spec.loader.exec_module(module)
    except BaseException as err:  # noqa: BLE001 - anything at import costs every probe
        send({"import_error": describe(err, path)})
        return None
    send({"imported": True})
    return module


def _perform(harness: Any, sub: Any, calls: list, send: Any) -> None:
    for key, name, args in calls:
        send({"start": key})
        try:
            value = getattr(harness, name)(sub, **args)
            payload = wire.encode(value)
        except MissingFunction as err:
            send({"key": key, "missing": str(err)})
            continue
        except wire.WireError as err:
            send({"key": key, "invalid": str(err)})
            continue
        except BaseException as err:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
            send({"key": key, "error": describe(err, "submission.py")})
            continue
        send({"key": key, "value": payload})


def describe(err: BaseException, path: str) -> str:
    """One line about an exception, naming the student's line when there is one."""
    where = ""
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == path or frame.filename.endswith("submission.py"):
            where = f" (line {frame.lineno}: {(frame.line or '').strip()[:120]})"
    if isinstance(err, SyntaxError) and err.lineno:
        where = f" (line {err.lineno}: {(err.text or '').strip()[:120]})"
    if type(err) is NotImplementedError and not str(err):
        return f"not implemented yet (NotImplementedError){where}"
    if isinstance(err, SystemExit):
        return f"the submission called exit({err.code!r}){where}"
    text = str(err).splitlines()[0][:300] if str(err) else ""
    return f"{type(err).__name__}: {text}{where}" if text else f"{type(err).__name__}{where}"
