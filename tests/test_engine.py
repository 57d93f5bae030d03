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
