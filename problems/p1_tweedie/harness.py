"""Problem 1, student side: build the score callable / sympy inputs, call the student."""

import numpy as np
import sympy

from grader import wire
from grader.harnesslib import need


def mixture_score(weights, means, covs):
    """The score of a Gaussian mixture density: grad_y log sum_k w_k N(y; m_k, S_k)."""
    weights = np.asarray(weights, dtype=float)
    means = [np.asarray(m, dtype=float) for m in means]
    precisions = [np.linalg.inv(np.asarray(S, dtype=float)) for S in covs]
    logdets = [np.linalg.slogdet(np.asarray(S, dtype=float))[1] for S in covs]

    def score(y):
        y = np.asarray(y, dtype=float)
        logs = np.array([np.log(w) - 0.5 * ld - 0.5 * (y - m) @ P @ (y - m)
                         for w, m, P, ld in zip(weights, means, precisions, logdets)])
        r = np.exp(logs - logs.max())
        r /= r.sum()
        return sum(rk * (-(P @ (y - m))) for rk, m, P in zip(r, means, precisions))

    return score


def tweedie_numeric(sub, y, Sigma, weights, means, covs):
    """tweedie_mean(y, Sigma, score) with float64 arrays and a mixture score."""
    fn = need(sub, "tweedie_mean")
    score = mixture_score(weights, means, covs)
    return fn(np.array(y, dtype=float), np.array(Sigma, dtype=float), score)


def symbols(n):
    """The symbols of the symbolic probe: y_i, the score values g_i, and Sigma's entries."""
    y = [sympy.Symbol(f"y{i}", real=True) for i in range(1, n + 1)]
    g = [sympy.Symbol(f"g{i}", real=True) for i in range(1, n + 1)]
    s = [[sympy.Symbol(f"s{min(i, j)}{max(i, j)}", real=True) for j in range(1, n + 1)]
         for i in range(1, n + 1)]
    return y, g, s


def tweedie_symbolic(sub, n):
    """tweedie_mean with a column Matrix y, a symmetric symbolic Sigma, score(y) = [g_i]."""
    fn = need(sub, "tweedie_mean")
    y, g, s = symbols(n)
    out = fn(sympy.ImmutableMatrix(y), sympy.Matrix(s), lambda _y: sympy.ImmutableMatrix(g))
    try:
        out = sympy.ImmutableMatrix(out)
    except Exception as err:
        raise TypeError(f"the result ({type(out).__name__}) does not convert to a sympy Matrix") from err
    if out.shape not in ((n, 1), (1, n)):
        raise TypeError(f"the result has shape {out.shape}, expected ({n}, 1)")
    return out.reshape(n, 1)


def score_symbolic(sub, p, x):
    """score(p, x) with a sympy density p and a list of real Symbols x."""
    fn = need(sub, "score")
    return fn(wire.decode(p), [wire.decode(s) for s in x])
