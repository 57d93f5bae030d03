"""The fast tree walk (grader/evaluate.py) against sympy's own evalf, the independent path."""

from __future__ import annotations

import cmath
import math
import signal

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader.checks import _evalf_value, value_at
from grader.evaluate import Unsupported, fast_value

X, Y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
T = sp.Symbol("t", positive=True)

EXPRESSIONS = [
    sp.exp(-(X - Y) ** 2 / (2 * T**2)) / sp.sqrt(2 * sp.pi * T**2),
    sp.log(X**2 + 1) * sp.sin(T) - sp.Rational(3, 7) * X**3,
    sp.sqrt(X),  # complex for x < 0, on sympy's principal branch
    (X - 1) ** sp.Rational(1, 3),
    sp.Abs(X) * sp.erf(T) + sp.erfc(Y),
    sp.atan2(X, Y) + sp.tanh(X * T) + sp.acos(X / 3),
    X**-2 + T ** sp.Float(0.3) + sp.E**X * sp.pi,
    sp.I * X + 1,
    sp.log(X),
    sp.diff(sp.exp(-(X**2) * T) / (1 + T), X, 2) - sp.diff(sp.exp(-(X**2) * T) / (1 + T), T),
    sp.gamma(T + 1) * sp.cosh(Y) / sp.sec(X),
    T**X,
]


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=range(len(EXPRESSIONS)))
def test_walk_agrees_with_evalf_to_25_digits(expr):
    rng = np.random.default_rng(0)
    for _ in range(10):
        point = {X: float(rng.uniform(-2, 2)), Y: float(rng.uniform(-2, 2)), T: float(rng.uniform(0.2, 2))}
        fast, slow = fast_value(expr, point), _evalf_value(expr, point)
        assert abs(fast - slow) <= 1e-25 * max(1.0, abs(slow)), (expr, point)


@given(st.floats(-3, 3), st.floats(0.1, 3), st.integers(-3, 3))
@example(-0.5, 0.5, -1)  # exactly on the pole: evalf gives nan + nan*I there, not an exception
@settings(max_examples=60, deadline=None)
def test_walk_agrees_with_evalf_on_random_points(x, t, k):
    expr = sp.exp(-x * X) * (X + T) ** k / (1 + T) + sp.sqrt(T) * sp.log(T)
    point = {X: x, T: t}
    try:
        slow = _evalf_value(expr, point)
    except (TypeError, ZeroDivisionError):  # the pole at x = -t: evalf gives zoo
        slow = complex("nan")
    if not cmath.isfinite(slow):  # at the pole the fast walk must refuse, not return a number
        with pytest.raises(ZeroDivisionError):
            fast_value(expr, point)
        return
    assert abs(fast_value(expr, point) - slow) <= 1e-25 * max(1.0, abs(slow))


def test_nodes_outside_the_whitelist_fall_back_to_evalf():
    pw = sp.Piecewise((X, X > 0), (-X, True))
    with pytest.raises(Unsupported):
        fast_value(pw, {X: -0.5})
    assert value_at(pw, {X: -0.5}) == pytest.approx(0.5)
    unevaluated = sp.Derivative(X**3, X)
    assert value_at(unevaluated, {X: 2.0}) == pytest.approx(12.0)


@pytest.mark.parametrize("expr, point", [
    (1 / X, {X: 0.0}),
    (sp.log(X), {X: 0.0}),
    (sp.exp(X), {X: 1e6}),  # overflows a float
    (sp.nan * X, {X: 1.0}),
    (sp.zoo + X, {X: 1.0}),
    (X + Y, {X: 1.0}),  # a symbol without a value
])
def test_non_finite_values_are_none(expr, point):
    assert value_at(expr, point) is None


def test_shared_subtrees_are_evaluated_once():
    e = X
    for _ in range(60):  # a DAG with 2^60 paths: a walk without memo would never finish
        e = sp.Add(e, e * Y, evaluate=False)
    z = fast_value(e, {X: 1.0, Y: 0.0})
    assert math.isclose(z.real, 1.0)


def test_exponential_towers_are_refused_at_once():
    """exp(exp(exp(exp(3)))) has no float value; mpmath (like evalf) would compute for hours."""

    def hang(*_):
        raise AssertionError("still computing after 5 s")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(5)
    try:
        for tower in (sp.exp(sp.exp(sp.exp(sp.exp(X)))), 2 ** sp.exp(sp.exp(sp.exp(X))),
                      sp.cosh(sp.exp(sp.exp(sp.exp(X))))):
            assert value_at(tower, {X: 3.0}) is None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert value_at(sp.exp(-sp.exp(X)), {X: 3.0}) == pytest.approx(math.exp(-math.exp(3.0)))
