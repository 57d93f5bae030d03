"""How the failed probes of the mutants in tests/mutants.py show got, expected and the call (#10).

Counts, over every failed probe of every mutant (seed 0, judged in-process like
tests/test_diagnosis.py): a got or expected that is cut ("..." or "…") or empty on a failure that
is not an exception or a missing function; a call shown with a <...> placeholder; and a rich
report line over 80 columns. Run from the repository root:

    python -m bench.report_format
"""

from __future__ import annotations

import io
import re

from rich.console import Console

from grader.registry import by_number
from grader.report import render
from grader.results import ProbeResult, ProblemResult, SubmissionResult
from tests.mutants import MUTANTS
from tests.support import judge_inprocess, module_from_source

STOPPED = ("raised an exception", "missing function", "timed out", "crashed", "the submission could")


def main() -> None:
    failed = cut = placeholder = stopped = long_lines = 0
    for mutant in MUTANTS:
        verdicts = judge_inprocess(module_from_source(mutant.source()), mutant.problem, 0)
        p = by_number(mutant.problem)
        for v in verdicts.values():
            if v.passed:
                continue
            failed += 1
            placeholder += bool(re.search(r"=<[^>]*>", v.called))
            if v.message.startswith(STOPPED):
                stopped += 1
                continue
            cut += any("..." in x or "…" in x for x in (v.got, v.expected)) or not v.got or not v.expected
        result = SubmissionResult("s.py", (ProblemResult(p.number, p.title, p.points, tuple(
            ProbeResult(pr, verdicts[pr.id]) for pr in p.probes)),), seed=0)
        console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
        render(result, console)
        long_lines += sum(len(x) > 80 for x in console.export_text().splitlines())
    print(f"{len(MUTANTS)} mutants, {failed} failed probes ({stopped} stopped by an exception or a "
          f"missing function)")
    print(f"got/expected cut or empty: {cut} of {failed - stopped} other failures")
    print(f"calls with a <...> placeholder: {placeholder} of {failed}")
    print(f"rich report lines over 80 columns: {long_lines}")


if __name__ == "__main__":
    main()
