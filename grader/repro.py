"""`hw1 repro`: a standalone script that reruns one probe on a submission, outside any sandbox.

The engine knows nothing about specific problems. Each problem provides a module `repro.py` in
its directory (`Problem.repro`, by default the harness's package + ".repro") with one function
per harness function, of the same name: given the call's plain arguments (the same data the
child receives), it returns the Python statements that build the inputs as the harness does,
spelled out as literals (`literal()` below), call the student's function(s) from the module
`sub`, and assign what the harness would return to `value`. Those statements are written on
the trusted side from the probe's own inputs; nothing a student returned goes into them.

The script imports the submission from a file path in its own process (print and pdb work),
performs the probe's calls, and judges them with the installed hw1 (`verdict()` below): the
same harness-shaped value, the same wire round trip, the same `judge_probe` and the reference
computed from the same seed as `hw1 grade`, so the verdict is grade's. The expected value is
computed at run time rather than embedded: judges do more than compare with one array
(symbolic checks at seeded points, properties, known-mistake alternatives), and a second copy
of the reference in the script could only drift from the one that grades.
"""

from __future__ import annotations

import difflib
import importlib
import json
import math
import re
import sys
import textwrap
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from grader.spec import Probe, Problem

DEFAULT_SEED = 20240415  # the CLI's default (cli.DEFAULT_SEED); kept equal by a test


class UnknownProbe(KeyError):
    """No probe has this id; the message suggests the nearest ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def find_probe(problems: tuple[Problem, ...], probe_id: str) -> tuple[Problem, Probe]:
    """The problem and probe with this id, or UnknownProbe with a did-you-mean."""
    ids = {probe.id: (p, probe) for p in problems for probe in p.probes}
    if probe_id in ids:
        return ids[probe_id]
    near = difflib.get_close_matches(probe_id, list(ids), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(near)}?" if near else " (`hw1 explain N` lists each problem's probes)"
    raise UnknownProbe(f"unknown probe {probe_id!r}{hint}")


def repro_module(problem: Problem) -> Any:
    """The problem's repro module (declared, or beside its harness)."""
    name = problem.repro or problem.harness.rsplit(".", 1)[0] + ".repro"
    return importlib.import_module(name)


def command(submission: str, probe_id: str, seed: int) -> str:
    """The shell command that writes this probe's repro script (--seed only when not default)."""
    parts = ["hw1", "repro", _shell(submission), probe_id]
    if seed != DEFAULT_SEED:
        parts += ["--seed", str(seed)]
    return " ".join(parts)


def _shell(word: str) -> str:
    return word if re.fullmatch(r"[\w@%+=:,./-]+", word) else "'" + word.replace("'", "'\\''") + "'"


# --------------------------------------------------------------------------- literals
def literal(v: Any) -> str:
    """Python source that rebuilds `v` exactly: floats by repr (round trip), arrays as
    np.array([...]), sympy objects by srepr with every class prefixed `sp.`."""
    if isinstance(v, np.ndarray):
        return f"np.array({literal(v.tolist())}, dtype=float)"
    if isinstance(v, (bool, np.bool_)) or v is None:
        return repr(bool(v)) if v is not None else "None"
    if isinstance(v, (int, np.integer)):
        return repr(int(v))
    if isinstance(v, (float, np.floating)):
        x = float(v)
        return repr(x) if math.isfinite(x) else f"float({str(x)!r})"
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, (list, tuple)):
        body = ", ".join(literal(x) for x in v)
        return f"[{body}]" if isinstance(v, list) else f"({body}{',' if len(v) == 1 else ''})"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{literal(k)}: {literal(x)}" for k, x in v.items()) + "}"
    import sympy

    if isinstance(v, (sympy.Basic, sympy.MatrixBase)):
        return _prefix(sympy.srepr(v))
    raise TypeError(f"no literal for {type(v).__name__}")


def _prefix(src: str) -> str:
    """srepr output with each name taken from sympy: sp.Mul(...), sp.pi (quoted strings and
    keyword arguments untouched)."""
    out, pos = [], 0
    for m in re.finditer(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|(?<![\w.])([A-Za-z_]\w*)(?![\w=])", src):
        out.append(src[pos:m.start()])
        keep = m.group(1) is None or m.group(1) in ("True", "False", "None")  # a quoted name; a keyword
        out.append(m.group(0) if keep else "sp." + m.group(1))  # a class, or a singleton (pi, E, oo)
        pos = m.end()
    return "".join(out) + src[pos:]


def assign(name: str, v: Any, comment: str = "") -> str:
    """`name = <literal>`, long arrays wrapped, a readable sympy form as a comment above."""
    import sympy

    head = ""
    if isinstance(v, (sympy.Basic, sympy.MatrixBase)):
        head = f"# {name} = {' '.join(sympy.sstr(v).split())}\n"
    elif comment:
        head = f"# {comment}\n"
    if isinstance(v, np.ndarray) and v.ndim == 2:
        rows = ",\n    ".join(literal(r) for r in v.tolist())
        return f"{head}{name} = np.array([\n    {rows},\n], dtype=float)"
    return f"{head}{name} = {literal(v)}"


# --------------------------------------------------------------------------- the script
HEADER = '''\
#!/usr/bin/env python3
"""Rerun probe {probe} ({title}) of hw1 on a submission, seed {seed}.

    python {name} [SUBMISSION]      (default: {shown})

with the Python that hw1 is installed in. It runs SUBMISSION in this process, with none of
hw1's isolation: run it on code you trust (your own), never on someone else's submission.

Exit status 0 when the probe passes, 1 when it fails: the verdict `hw1 grade --seed {seed}`
gives. The probe's inputs are spelled out below as data; the student's functions are called
the way hw1 calls them, in this process (print and breakpoint() work). The expected value is
computed by the installed hw1's reference when this runs (import grader, problems).
Generated by `{command}`.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import sympy as sp

from grader.harnesslib import need
{imports}
PROBE = {probe!r}
SEED = {seed}
SUBMISSION = sys.argv[1] if len(sys.argv) > 1 else {default!r}


def load(path):
    """Import the submission from its file (a notebook is converted as hw1 grade does)."""
    if path.endswith(".ipynb"):
        from grader import repro
        return repro.load_notebook(path)
    spec = importlib.util.spec_from_file_location("submission", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    spec.loader.exec_module(module)
    return module
'''

FOOTER = '''

CALLS = {{{calls}
}}

if __name__ == "__main__":
    from grader import repro
    sys.exit(repro.verdict(PROBE, SEED, SUBMISSION, CALLS, load))
'''


def script(problems: tuple[Problem, ...], submission: str, probe_id: str, seed: int,
           name: str = "repro.py") -> str:
    """The repro script of one probe (UnknownProbe for an unknown id)."""
    problem, probe = find_probe(problems, probe_id)
    module = repro_module(problem)
    case = probe.case(seed)
    default = str(Path(submission).resolve())
    parts = [HEADER.format(probe=probe.id, title=_doc(probe.title), seed=seed, name=_doc(name),
                           default=default, shown=_doc(default),
                           command=_doc(command(submission, probe.id, seed)),
                           imports=("\n" + module.IMPORTS.strip() + "\n") if getattr(module, "IMPORTS", "") else "")]
    entries = []
    for i, (label, call) in enumerate(case.calls.items()):
        body = getattr(module, call.harness)(**call.args).strip("\n")
        fn = f"call_{i}"
        parts.append(f"\n\ndef {fn}(sub):\n    \"\"\"Call {label!r} of {probe.id}: {_doc(call.show)}\"\"\"\n"
                     f"{textwrap.indent(body, '    ')}\n    return value\n")
        entries.append(f"\n    {label!r}: ({call.key!r}, {fn}),")
    parts.append(FOOTER.format(calls="".join(entries)))
    return "".join(parts)


def _doc(text: str) -> str:
    """Text safe inside a triple-quoted docstring: one line, no backslash escapes, no quotes."""
    text = " ".join(text.replace("\\", "\\\\").replace('"', "'").split())
    return text if len(text) <= 300 else text[:300] + " ..."


# --------------------------------------------------------------------------- run time
def load_notebook(path: str) -> Any:
    """A notebook submission converted to source as `hw1 grade` does, executed as a module."""
    import types

    from grader import notebook

    converted = notebook.convert(path)
    module = types.ModuleType("submission")
    module.__file__ = path
    sys.modules["submission"] = module
    exec(compile(converted.source, path, "exec"), module.__dict__)  # noqa: S102 - the user's own file, their process
    return module


def verdict(probe_id: str, seed: int, submission: str, calls: Mapping[str, tuple[str, Callable]],
            load: Callable[[str], Any]) -> int:
    """Run the calls, judge them as `hw1 grade` would, print got/expected/verdict; the exit status."""
    import random

    from grader import checks, child, registry, wire
    from grader.harnesslib import MissingFunction
    from grader.judge import STATUS_TEXT, judge_probe
    from grader.runner import Outcome

    try:
        problem, probe = find_probe(registry.all_problems(), probe_id)
    except UnknownProbe as err:
        print(f"repro: {err} in the installed hw1", file=sys.stderr)
        return 2
    case = probe.case(seed)
    if {k: c.key for k, c in case.calls.items()} != {k: key for k, (key, _) in calls.items()}:
        print(f"repro: the installed hw1 builds other inputs for {probe_id} with seed {seed} than this "
              "script holds; regenerate it with `hw1 repro`", file=sys.stderr)
        return 2
    if not Path(submission).is_file():
        print(f"repro: no such file: {submission}", file=sys.stderr)
        return 2
    random.seed(seed)  # as the child seeds them before importing the submission
    np.random.seed(seed % 2**32)
    outcomes: dict[str, Outcome] = {}
    try:
        sub = load(submission)
    except BaseException as err:  # noqa: BLE001 - whatever the import raises fails every call
        traceback.print_exc()
        message = child.describe(err, submission)
        outcomes = {c.key: Outcome("import", message=message) for c in case.calls.values()}
    else:
        for label, (key, fn) in calls.items():
            try:
                value = fn(sub)
                payload = wire.parse(json.dumps(wire.encode(value)).encode())
                outcomes[key] = Outcome("ok", payload)
            except MissingFunction as err:
                outcomes[key] = Outcome("missing", message=str(err))
            except wire.WireError as err:
                outcomes[key] = Outcome("invalid", message=str(err))
            except BaseException as err:  # noqa: BLE001 - SystemExit too, as in the child
                if isinstance(err, KeyboardInterrupt):
                    raise
                print(f"call {label!r} raised:", file=sys.stderr)
                traceback.print_exc()
                outcomes[key] = Outcome("error", message=child.describe(err, submission))
    result = judge_probe(probe, case, outcomes)
    print(f"probe: {probe.id}  {probe.title}  (seed {seed})")
    for label, (key, _) in calls.items():
        out = outcomes[key]
        if out.ok:
            print(f"returned ({label}): {checks.describe(wire.decode(out.value), 2000)}")
    for label, text in (("message", result.message), ("called", result.called), ("got", result.got),
                        ("expected", result.expected), ("likely mistake", result.mistake)):
        if text:
            print(f"{label}: {text}")
    bad = [o.status for o in outcomes.values() if not o.ok]
    if bad and not result.message:
        print(STATUS_TEXT.get(bad[0], bad[0]))
    print("verdict: " + ("PASS" if result.passed else "FAIL"))
    return 0 if result.passed else 1
