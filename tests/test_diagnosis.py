"""Lost points name the likely mistake: known wrong answers are recognised as themselves."""

import pytest

from tests.mutants import MUTANTS
from tests.support import judge_inprocess, module_from_source

BY_NAME = {m.name: m for m in MUTANTS}

EXPECTED = [  # mutant, a probe it fails, words of the diagnosis that probe must give
    ("sigma_inverse", "p1.tweedie.full", "Sigma^-1 used where Sigma belongs"),
    ("grad_p_not_log", "p1.score.mixture", "returned grad p instead of grad log p"),
    ("components_reversed", "p1.score.gaussian", "the components are in the wrong order"),
    ("kl_swapped", "p2.general", "arguments swapped"),
    ("l_hat_added", "p3.logp", "l_hat(0) added instead of subtracted"),
    ("exact_trace_in_logp", "p3.logp", "the exact trace used instead of nu^T (df/dz) nu"),
    ("jacobian_transposed", "p3.grad", "Jacobian transposed"),
    ("l_hat_equation_sign", "p3.logp", "the sign of dl_hat/ds flipped"),
    ("a0_zero", "p3.grad", "your result is what a(0) = 0 gives"),
    ("a0_sign", "p3.grad", "your result is what a(0) = -grad log p_Z(z(0)) gives"),
    ("a0_at_X", "p3.grad", "grad log p_Z(X) (at the data point, not at z(0))"),
    ("assign_not_accumulate_v1", "p4.v1", "`v.grad = w.grad @ w.fn.grad(v)` instead of `+=`"),
    ("assign_not_accumulate_v2", "p4.v2", "`u.grad = v.grad @ v.fn.grad(u)` instead of `+=`"),
    ("assign_not_accumulate_v1", "p4.output_inside", "instead of `+=`"),
    ("no_zero_grad", "p4.v1", "zero_grad missing"),
    ("no_zero_grad", "p4.v2", "zero_grad missing"),
    ("no_forward_pass", "p4.v1", "the forward pass did not run"),
    ("advective_not_divergence", "p5.d1", "f . grad p instead of div(f p)"),
    ("residual_sign_flipped", "p5.d2", "sign convention flipped"),
    ("rho_sqrt_of_dsigma", "p6.rho", "sqrt(d sigma/dt)"),
    ("statement_constant", "p6.density", "the statement's constant"),
    ("one_minus_lam", "p7.symbolic", "(1 - lam) instead of (1 - lam/2)"),
]


@pytest.mark.parametrize("name, probe, words", EXPECTED, ids=[f"{e[0]}-{e[1]}" for e in EXPECTED])
def test_known_mistakes_are_named(name, probe, words):
    mutant = BY_NAME[name]
    for seed in (0, 1):
        verdict = judge_inprocess(module_from_source(mutant.source()), mutant.problem, seed)[probe]
        assert not verdict.passed
        assert words in verdict.mistake, (seed, verdict.mistake, verdict.message)


# --------------------------------------------------------------- nothing named without evidence
def test_wrong_scalar_gets_no_named_mistake():
    from grader.checks import diagnose, numeric
    assert diagnose(0.969157 * 2.5, 2.5, {}) == ""
    assert diagnose(-2.5, 2.5, {}) == ""  # one value's sign is no evidence either
    assert diagnose([0.5 * 3.0], [3.0], {}) == ""  # a one-element result is a scalar
    assert numeric(1.234, 2.0, rtol=1e-8, atol=1e-10, called="f()").mistake == ""


def test_random_wrong_vector_gets_no_named_mistake():
    import numpy as np

    from grader.checks import diagnose
    rng = np.random.default_rng(3)
    e = rng.normal(size=6)
    assert diagnose(rng.normal(size=6), e, {"a wrong formula": e[::-1]}) == ""


def test_constant_factor_needs_several_entries():
    from grader.checks import diagnose
    assert diagnose([1.5, 3.0, -4.5], [1.0, 2.0, -3.0], {}) == "off by a constant factor 1.5"
    assert "sign flipped" in diagnose([-1.0, -2.0], [1.0, 2.0], {})


def test_wrong_order_only_for_a_permutation():
    mutant = BY_NAME["components_reversed"]
    src = mutant.source().replace("return [sympy.diff(logp, xi) for xi in x][::-1]",
                                  "return [sympy.diff(logp, x[1]), x[0]]")  # component 0 right of 1
    assert src != mutant.source()
    for seed in (0, 1):
        verdict = judge_inprocess(module_from_source(src), mutant.problem, seed)["p1.score.gaussian"]
        assert not verdict.passed
        assert "wrong order" not in verdict.mistake, verdict.mistake


def test_p4_judge_side_simulation_without_mistakes_is_the_reference():
    """The simulator the P4 alternatives come from, run without a mistake, agrees with the
    forward-mode reference (itself checked against finite differences in test_references)."""
    import numpy as np

    from problems.p4_backprop import problem as p4
    for seed in range(4):
        spec = p4.random_graph(np.random.default_rng(seed), 7, 2, False)
        values, grads = p4.reference(spec)
        for version in (1, 2):
            sim = p4.mistaken(spec, values, version)
            assert all(np.allclose(a, b, rtol=1e-12, atol=1e-14) for a, b in zip(sim, grads))
            wrong = p4.mistaken(spec, values, version, assign=True)
            assert not all(np.allclose(a, b) for a, b in zip(wrong, grads))  # diamonds make = differ
