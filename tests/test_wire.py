"""The boundary: values are rebuilt with exact types; nothing hostile gets through."""

import json

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import wire


def roundtrip(value):
    return wire.decode(wire.parse(wire.dumps(value)))


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20))
def test_float_arrays_roundtrip_exactly(xs):
    a = np.array(xs, dtype=float)
    b = roundtrip(a)
    assert type(b) is np.ndarray and b.dtype == np.float64 and b.shape == a.shape
    assert np.array_equal(a, b, equal_nan=True)


@given(st.integers(min_value=-(10**50), max_value=10**50))
def test_ints_roundtrip(n):
    assert roundtrip(n) == n and type(roundtrip(n)) is int


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([sp.exp, sp.log, sp.sin, sp.sqrt, sp.erf, sp.Abs]), st.integers(-5, 5))
def test_sympy_expressions_roundtrip(fn, k):
    x = sp.Symbol("x", real=True)
    t = sp.Symbol("t", positive=True)
    e = fn(x**2 + k * t) / (1 + t) + sp.Rational(k, 7) * sp.pi + sp.Float("0.25")
    assert roundtrip(e) == e


def test_piecewise_derivative_integral_and_matrix():
    x = sp.Symbol("x", real=True)
    e = sp.Piecewise((x, x > 0), (-x, True)) + sp.Derivative(x**3, x) + sp.Integral(sp.exp(-x**2), (x, 0, 1))
    assert roundtrip(e) == e
    m = sp.ImmutableMatrix([[x, 1], [2, x**2]])
    assert roundtrip(m) == m


class Liar(float):
    def __eq__(self, other):
        return True


def test_float_subclass_is_reduced_to_its_value():
    assert type(roundtrip(Liar(3.0))) is float


@pytest.mark.parametrize("tree, needle", [
    (["Symbol", "__import__('os')", {}], "symbol name"),
    (["Function", ["Symbol", "x", {}]], "not allowed"),
    (["S", "Catalan2"], "not allowed"),
    (["Integer", "1" * 500], "integer"),
    (["Symbol", "x", {"commutative": False}], "assumptions"),
])
def test_forbidden_trees_are_rejected(tree, needle):
    with pytest.raises(wire.WireError, match=needle):
        wire.decode({"x": tree})


def test_huge_power_is_not_evaluated():
    e = wire.decode({"x": ["Pow", ["Integer", "10"], ["Integer", "100000000"]]})
    assert isinstance(e, sp.Pow) and not e.is_Integer


def test_deep_and_wide_values_are_capped():
    deep = {"l": []}
    node = deep
    for _ in range(wire.MAX_DEPTH + 5):
        node["l"].append({"l": []})
        node = node["l"][0]
    with pytest.raises(wire.WireError):
        wire.decode(deep)
    x = sp.Symbol("x")
    with pytest.raises(wire.WireError):
        wire.encode(sp.Add(*[x**k for k in range(wire.MAX_NODES)], evaluate=False))
    with pytest.raises(wire.WireError):
        wire.parse(b" " * (wire.MAX_BYTES + 1))


def test_unknown_objects_cannot_be_returned():
    with pytest.raises(wire.WireError):
        wire.encode(object())
    with pytest.raises(wire.WireError):
        wire.decode(json.loads('{"zz": 1}'))
