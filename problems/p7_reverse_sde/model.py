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


def symbolic(m0, x, t):
    """(f, g, score, p_t) as sympy expressions in x, t."""
    m, v = mean(m0, t, sp.exp), var(t)
    p = sp.exp(-(x - m) ** 2 / (2 * v)) / sp.sqrt(2 * sp.pi * v)
    return f(x, t), sp.sqrt(g2(t)), score(m0, x, t, sp.exp), p
