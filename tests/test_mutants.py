"""Every realistic single mistake is caught by exactly the probes listed for it, for every seed."""

import os

import pytest

from tests.mutants import MUTANTS
from tests.support import SEEDS, failed, judge_inprocess, module_from_source

# HW1_MUTANT_SEEDS=N: the first N seeds for every mutant (N=20, all of them, is the full sweep,
# run by hand: ~25 min for the 131 mutants). By default each mutant gets seed 0 and two more,
# rotating with its index, so that every seed of SEEDS is tried by some mutants in every run.
FIRST = os.environ.get("HW1_MUTANT_SEEDS")


def sweep(index: int) -> list[int]:
    if FIRST:
        return SEEDS[: int(FIRST)]
    return [SEEDS[0], *(SEEDS[1 + (2 * index + k) % (len(SEEDS) - 1)] for k in range(2))]


def test_the_default_sweeps_cover_every_seed():
    assert FIRST or {s for i in range(len(MUTANTS)) for s in sweep(i)} == set(SEEDS)


@pytest.mark.parametrize("index", range(len(MUTANTS)), ids=[mu.name for mu in MUTANTS])
def test_mutant_caught_by_exactly_its_probes(index):
    mutant = MUTANTS[index]
    module = module_from_source(mutant.source(), mutant.name)
    for seed in sweep(index):
        verdicts = judge_inprocess(module, mutant.problem, seed)
        assert failed(verdicts) == mutant.fails, (seed, {k: v.message for k, v in verdicts.items()})
        for probe in mutant.fails:
            assert verdicts[probe].message, "a failed probe must say why"
