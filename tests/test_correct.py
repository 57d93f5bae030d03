"""Correct answers, written any reasonable way, get full marks — for every seed."""

from pathlib import Path

import pytest

from tests.support import (
    REFERENCE,
    ROOT,
    SEEDS,
    grade_json,
    judge_inprocess,
    module_from_source,
    problem_numbers,
)

VARIANTS = sorted((ROOT / "submissions" / "variants").glob("*.py"))


@pytest.mark.parametrize("number", problem_numbers())
def test_reference_full_marks_for_20_seeds(number):
    module = module_from_source(REFERENCE.read_text(), "reference")
    for seed in SEEDS:
        bad = {k: v.message for k, v in judge_inprocess(module, number, seed).items() if not v.passed}
        assert not bad, (seed, bad)


@pytest.mark.parametrize("path", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_variant_full_marks_for_several_seeds(path: Path):
    module = module_from_source(path.read_text(), path.stem)
    for seed in SEEDS[:3]:
        for number in problem_numbers():
            bad = {k: v.message for k, v in judge_inprocess(module, number, seed).items() if not v.passed}
            assert not bad, (path.stem, seed, bad)


def test_at_least_five_variants():
    assert len(VARIANTS) >= 5


def test_end_to_end_reference_and_variants_score_100_in_the_sandbox():
    docs = grade_json(REFERENCE, *VARIANTS)
    assert [d["submission"] for d in docs] == [str(p) for p in [REFERENCE, *VARIANTS]]
    for d in docs:
        assert d["score"] == d["max_score"] == 100, (d["submission"], [
            (pr["name"], pr["message"]) for p in d["problems"] for pr in p["probes"] if not pr["passed"]])
