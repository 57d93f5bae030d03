"""The forward SDE of problem 7's property probes, with a closed-form Gaussian marginal.

dX = f dt + g dW with f(x, t) = -x + t and g(t)^2 = 2 + 2t + 2t^2 has, for X_0 ~ N(m0, 1),
p_t = N(m(t), v(t)) with m(t) = t - 1 + (m0 + 1) e^{-t} and v(t) = 1 + t^2
(check: m' = -m + t and v' = -2 v + g^2). This is an input of the problem, not an answer.
"""

import math

import sympy as sp


def mean(m0, t, exp=math.exp):
    return t - 1 + (m0 + 1) * exp(-t)


def var(t):
    return 1 + t * t


def f(x, t):
    return -x + t


def g2(t):
    return 2 + 2 * t + 2 * t * t


def score(m0, x, t, exp=math.exp):
    return -(x - mean(m0, t, exp)) / var(t)


def marginal_derivatives(m0, x, t):
    """(p, d_t p, d_x p, d_xx p) of p_t = N(m(t), v(t)) at x, by hand (tests/ check them against
    sympy's diff): with u = x - m, d_x p = -u/v p, d_xx p = (u^2/v^2 - 1/v) p and
    d_t p = (m' u / v + v' u^2 / (2 v^2) - v' / (2 v)) p, where m' = -m + t and v' = 2 t."""
    m, v, p = mean(m0, t, sp.exp), var(t), symbolic(m0, x, t)[3]
    u, dm, dv = x - m, -m + t, 2 * t
    return p, (dm * u / v + dv * u**2 / (2 * v**2) - dv / (2 * v)) * p, -u / v * p, (u**2 / v**2 - 1 / v) * p


def symbolic(m0, x, t):
    """(f, g, score, p_t) as sympy expressions in x, t."""
    m, v = mean(m0, t, sp.exp), var(t)
    p = sp.exp(-(x - m) ** 2 / (2 * v)) / sp.sqrt(2 * sp.pi * v)
    return f(x, t), sp.sqrt(g2(t)), score(m0, x, t, sp.exp), p
