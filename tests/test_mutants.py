"""Every realistic single mistake is caught by exactly the probes listed for it, for every seed."""

import os

import pytest

from tests.mutants import MUTANTS
from tests.support import SEEDS, failed, judge_inprocess, module_from_source

SWEEP = SEEDS[: int(os.environ.get("HW1_MUTANT_SEEDS", len(SEEDS)))]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[mu.name for mu in MUTANTS])
def test_mutant_caught_by_its_probes_for_every_seed(mutant):
    module = module_from_source(mutant.source(), mutant.name)
    for seed in SWEEP:
        verdicts = judge_inprocess(module, mutant.problem, seed)
        assert failed(verdicts) == mutant.fails, (seed, {k: v.message for k, v in verdicts.items()})
        for probe in mutant.fails:
            assert verdicts[probe].message, "a failed probe must say why"
