"""Test helpers: grade a module's problem *in-process* (fast seed sweeps of probe logic),
and run the real CLI (sandboxed, end to end).

In-process grading exists only here, for our own trusted test code; `hw1` never imports a
submission into its own process.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import subprocess
import sys
import types
from pathlib import Path

from grader import wire
from grader.harnesslib import MissingFunction
from grader.judge import judge_probe
from grader.registry import all_problems, by_number
from grader.runner import Outcome
from grader.spec import Case, Verdict

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "submissions" / "reference.py"
SEEDS = list(range(20))


def module_from_source(source: str, name: str = "submission") -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - our own test code
    return module


@functools.cache
def cases(number: int, seed: int) -> dict[str, Case]:
    return {p.id: p.case(seed).complete() for p in by_number(number).probes}


def outcome(harness: types.ModuleType, module: types.ModuleType, call) -> Outcome:
    try:
        value = getattr(harness, call.harness)(module, **call.args)
        return Outcome("ok", wire.parse(json.dumps(wire.encode(value)).encode()))
    except MissingFunction as err:
        return Outcome("missing", message=str(err))
    except Exception as err:  # noqa: BLE001
        return Outcome("error", message=f"{type(err).__name__}: {err}")


def judge_inprocess(module: types.ModuleType, number: int, seed: int) -> dict[str, Verdict]:
    """Verdict of every probe of problem `number` for `module`, without a sandbox."""
    problem = by_number(number)
    harness = importlib.import_module(problem.harness)
    cs = cases(number, seed)
    outcomes = {}
    for case in cs.values():
        for call in case.calls.values():
            if call.key not in outcomes:
                outcomes[call.key] = outcome(harness, module, call)
    return {p.id: judge_probe(p, cs[p.id], outcomes) for p in problem.probes}


def failed(verdicts: dict[str, Verdict]) -> set[str]:
    return {k for k, v in verdicts.items() if not v.passed}


def hw1(*args: str, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed CLI as a user would."""
    env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=env)


def grade_json(*paths: Path | str, extra: tuple[str, ...] = ()) -> list[dict]:
    proc = hw1("grade", *map(str, paths), "--format", "json", *extra)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    return doc if isinstance(doc, list) else [doc]


def problem_numbers() -> list[int]:
    return [p.number for p in all_problems()]


TEST_USER = "hw1-tester"
HW1_SCRIPT = Path(sys.executable).with_name("hw1")


def public_python_problem() -> str:
    """Why another uid could not run this Python and the installed hw1 ("" when it can)."""
    import stat

    paths = {Path(sys.executable), Path(sys.executable).resolve(), Path(sys.prefix), Path(sys.base_prefix),
             HW1_SCRIPT}
    for path in paths:
        for p in [path, *path.parents]:
            try:
                mode = p.stat().st_mode
            except OSError as err:
                return f"{p}: {err.strerror}"
            need = stat.S_IXOTH if p.is_dir() else stat.S_IROTH
            if not mode & need:
                return f"{p} is not readable by other users (mode {stat.S_IMODE(mode):o})"
    return ""


def run_as(user: str, argv: list[str], **kw) -> subprocess.CompletedProcess:
    """Run `argv` as `user` (via runuser when root) with a minimal environment."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "COLUMNS": "200", **kw.pop("env", {})}
    prefix = ["runuser", "-u", user, "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *argv], env=env, capture_output=True, text=True, **kw)
