"""The engine's scheduling: costliest problems start first, results keep the problems' order."""

from grader import sandbox
from grader.engine import Grader
from grader.registry import all_problems
from tests.support import REFERENCE


def test_jobs_start_with_the_costliest_problems_and_results_keep_problem_order():
    problems = all_problems()
    with Grader(problems, 1, sandbox.Limits(), 2) as grader:
        order = [job.problem for job in grader.jobs(REFERENCE)]
        cost = {p.number: p.cost for p in problems}
        assert sorted(order) == [p.number for p in problems]
        assert [cost[n] for n in order] == sorted(cost.values(), reverse=True)
        assert order[0] != 1  # the declared costs do reorder this homework's problems
        (result,) = grader.grade([REFERENCE])
    assert [p.number for p in result.problems] == [p.number for p in problems]


def test_a_reference_that_fails_is_reported_as_the_graders_fault():
    from grader import wire
    from grader.judge import judge_probe
    from grader.runner import Outcome
    from grader.spec import Call, Case, Probe, Verdict

    def later():
        raise ZeroDivisionError("division by zero")

    probe = Probe("px.demo", "demo", "numeric", 1, "", (), build=lambda rng: None,
                  judge=lambda case, values: Verdict(True))
    call = Call("f", {"x": 1})
    case = Case({"main": call}, later=later)
    verdict = judge_probe(probe, case, {call.key: Outcome("ok", value=wire.encode(1.0))})
    assert not verdict.passed and "bug in hw1" in verdict.message and "ZeroDivisionError" in verdict.message
    missing = judge_probe(probe, case, {call.key: Outcome("missing", message="no function f")})
    assert "missing function" in missing.message  # a call that failed needs no reference


SLOW_FLUSH = '''
import sys, time

class Slow:
    """A stdout that holds what it is given until flushed, and takes its time to flush."""
    def __init__(self, raw):
        self.raw, self.held = raw, []
    def write(self, text):
        self.held.append(text)
        return len(text)
    def flush(self):
        if self.held:
            time.sleep(0.5)
            self.raw.write("".join(self.held))
            self.raw.flush()
            self.held = []

sys.stdout = Slow(sys.stdout)

def kl_gaussian(mu0, sigma0, mu1, sigma1):
    print("held until the end")
    return 0.0
'''


def test_what_the_code_printed_is_kept_when_it_is_flushed_late(tmp_path):
    """A student's prints still buffered when the calls end reach the report: the child flushes
    them before it says it is done (the runner kills it then). Failed one run in twelve when the
    flush came after "done", and every time with this slow flush."""
    sub = tmp_path / "slow_flush.py"
    sub.write_text(SLOW_FLUSH)
    (p2,) = [p for p in all_problems() if p.number == 2]
    with Grader([p2], 1, sandbox.Limits(), 1) as grader:
        (result,) = grader.grade([sub])
    assert "held until the end" in result.problems[0].output
