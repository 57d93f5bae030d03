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
