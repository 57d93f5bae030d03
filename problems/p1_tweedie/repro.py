"""Problem 1, repro scripts (`hw1 repro`): the harness's calls with their inputs as literals."""

import numpy as np
import sympy

from grader import wire
from grader.repro import assign, literal
from problems.p1_tweedie.harness import symbols

IMPORTS = "from problems.p1_tweedie.harness import mixture_score  # score of sum_k w_k N(m_k, S_k)"


def tweedie_numeric(y, Sigma, weights, means, covs):
    """As harness.tweedie_numeric: float64 arrays and the score of a Gaussian mixture."""
    return "\n".join([
        assign("y", np.array(y, dtype=float)),
        assign("Sigma", np.array(Sigma, dtype=float)),
        "# the prior's mixture p_Y = sum_k w_k N(m_k, S_k): weights, means, covariances",
        assign("weights", [float(w) for w in weights]),
        f"means = {literal([np.array(m, dtype=float) for m in means])}",
        f"covs = {literal([np.array(c, dtype=float) for c in covs])}",
        "score = mixture_score(weights, means, covs)",
        'tweedie_mean = need(sub, "tweedie_mean")',
        "value = tweedie_mean(y, Sigma, score)",
    ])


def tweedie_symbolic(n):
    """As harness.tweedie_symbolic: column y, symmetric symbolic Sigma, score(y) = [g_i]."""
    y, g, s = symbols(n)
    return "\n".join([
        assign("y", sympy.ImmutableMatrix(y)),
        assign("Sigma", sympy.Matrix(s)),
        assign("g", sympy.ImmutableMatrix(g)),
        'tweedie_mean = need(sub, "tweedie_mean")',
        "out = tweedie_mean(y, Sigma, lambda _y: g)",
        "try:",
        "    out = sp.ImmutableMatrix(out)",
        "except Exception as err:",
        '    raise TypeError(f"the result ({type(out).__name__}) does not convert to a sympy Matrix") from err',
        f"if out.shape not in (({n}, 1), (1, {n})):",
        f'    raise TypeError(f"the result has shape {{out.shape}}, expected ({n}, 1)")',
        f"value = out.reshape({n}, 1)",
    ])


def score_symbolic(p, x):
    """As harness.score_symbolic: a sympy density p and a list of real Symbols x."""
    return "\n".join([
        assign("p", wire.decode(p)),
        assign("x", [wire.decode(s) for s in x]),
        'score = need(sub, "score")',
        "value = score(p, x)",
    ])
