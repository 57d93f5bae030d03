"""Problem 5 — Fokker–Planck (15 points).

Reference: the residual ∂_t p + Σ_i ∂_i(f_i p) − (ρ²/2) Σ_i ∂_i² p, built with sympy on the
trusted side. Comparison is layered (checks.symbolic): structure, then values at 8 random
points (x in [-1.5, 1.5], t in [0.2, 2]) evaluated to 30 digits and compared to 1e-8 relative
(absolute 1e-13 where the expected residual is 0).
Two probes use exact solutions (residual identically 0): they accept any residual that vanishes
on solutions; the other two fix the sign and scale convention of SPEC 2.5.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import sympy as sp

from grader import wire
from grader.checks import symbolic
from grader.spec import Call, Case, Function, Probe, Problem, Verdict

T = sp.Symbol("t", positive=True)
X1, X2 = sp.Symbol("x1", real=True), sp.Symbol("x2", real=True)
HALF = sp.Rational(1, 2)


def residual(p: sp.Expr, f: list, rho: sp.Expr, x: list, scale_div: int = 1, rho_power: int = 2,
             half: sp.Expr = HALF, dims: int | None = None, advective: bool = False,
             diffusion_sign: int = -1) -> sp.Expr:
    """The residual, with switches that reproduce common mistakes (defaults: the right one)."""
    idx = range(dims if dims is not None else len(x))
    grad = [sp.diff(p, x[i]) for i in idx]  # each derivative of p once; d_i(f_i p) by the product rule
    div = sum(f[i] * grad[i] + (0 if advective else sp.diff(f[i], x[i]) * p) for i in idx)
    lap = sum(sp.diff(grad[i], x[i]) for i in idx)
    return sp.diff(p, T) + scale_div * div + diffusion_sign * half * rho**rho_power * lap


def mistakes(p: sp.Expr, f: list, rho: sp.Expr, x: list) -> dict[str, sp.Expr]:
    out = {
        "sign convention flipped: this is right side minus left side": -residual(p, f, rho, x),
        "f . grad p instead of div(f p): the term p div f is missing": residual(p, f, rho, x, advective=True),
        "rho instead of rho^2 in the diffusion term": residual(p, f, rho, x, rho_power=1),
        "the 1/2 on the diffusion term is missing": residual(p, f, rho, x, half=sp.Integer(1)),
        "div(f p) has the wrong sign": residual(p, f, rho, x, scale_div=-1),
        "the diffusion term has the wrong sign": residual(p, f, rho, x, diffusion_sign=1),
    }
    if len(x) > 1:
        out["only the first coordinate is summed in the divergence and Laplacian"] = residual(
            p, f, rho, x, dims=1)
    return out


def terms(p: sp.Expr, f: list, rho: sp.Expr, x: list) -> tuple[dict, dict]:
    """The residual's terms and their coefficients, for naming the one a wrong answer got wrong
    (with terms that belong to no right answer, coefficient 0, for common slips)."""
    grad = [sp.diff(p, xi) for xi in x]
    lap = sum(sp.diff(gi, xi) for gi, xi in zip(grad, x))
    named = {"d p/dt": sp.diff(p, T), "p div f (from the product rule in div(f p))":
             p * sum(sp.diff(fi, xi) for fi, xi in zip(f, x)),
             "f . grad p (from the product rule in div(f p))": sum(fi * gi for fi, gi in zip(f, grad)),
             "rho^2 Laplacian(p)": rho**2 * lap,
             "rho^2 sum_i dp/dx_i": rho**2 * sum(grad)}
    named["sum_i (d f_i/dx_i)(d p/dx_i) (a product of derivatives, not the product rule)"] = sum(
        sp.diff(fi, xi) * gi for fi, xi, gi in zip(f, x, grad))
    named["p sum_i f_i (f p not differentiated)"] = p * sum(f)
    slips = {  # terms of no right answer, coefficient 0: what a common slip puts in their place
        "rho^2 sum_i (dp/dx_i)^2 (the first derivative squared, not the second derivative)":
            rho**2 * sum(gi**2 for gi in grad),
        "sum_i d^2(f_i p)/dx_i^2 (the divergence term differentiated twice)":
            sum(sp.diff(fi * p, xi, 2) for fi, xi in zip(f, x)),
        "d^2p/dt^2 (the time derivative taken twice)": sp.diff(p, T, 2),
        "div f (the divergence of f without p: div(f p) is meant)": sum(sp.diff(fi, xi) for fi, xi in zip(f, x)),
        "div(f p) Laplacian(p) (a bracket that makes the Laplacian multiply the divergence too)":
            sum(sp.diff(fi * p, xi) for fi, xi in zip(f, x)) * lap,
    }
    if rho.free_symbols:  # (for a constant rho it is a multiple of d p/dt: no coefficient of its own)
        slips["rho^2 d p/dt"] = rho**2 * sp.diff(p, T)
    named.update(slips)
    want = dict.fromkeys(named, 1.0)
    want["rho^2 Laplacian(p)"] = (-0.5, "-1/2")
    for zero in ("rho^2 sum_i dp/dx_i", "sum_i (d f_i/dx_i)(d p/dx_i) (a product of derivatives, not the product rule)",
                 "p sum_i f_i (f p not differentiated)", *slips):
        want[zero] = 0.0
    if rho.free_symbols:
        named["rho Laplacian(p)"] = rho * lap
        want["rho Laplacian(p)"] = 0.0
        named["Laplacian(p) (without rho^2)"] = lap
        want["Laplacian(p) (without rho^2)"] = 0.0
    if len(x) > 1:
        mixed_div = "sum_(i != j) d(f_i p)/dx_j (the divergence takes only i = j)"
        named[mixed_div] = sum(sp.diff(f[i] * p, x[j]) for i in range(len(x)) for j in range(len(x)) if i != j)
        want[mixed_div] = 0.0
        named["rho^2 sum_(i != j) d^2p/dx_i dx_j (mixed derivatives)"] = rho**2 * sum(
            sp.diff(grad[i], x[j]) for i in range(len(x)) for j in range(len(x)) if i != j)
        want["rho^2 sum_(i != j) d^2p/dx_i dx_j (mixed derivatives)"] = 0.0
        composed = "rho^2 d^(2d)p/dx1^2...dxd^2 (the second derivatives composed in one diff call, not summed)"
        named[composed] = rho**2 * sp.diff(p, *[(xi, 2) for xi in x])
        want[composed] = 0.0
    return named, want


def split_terms(p: sp.Expr, f: list, rho: sp.Expr, x: list) -> tuple[dict, dict]:
    """The same terms coordinate by coordinate (for d > 1), with the cross terms d(f_i p)/dx_j one
    by one: for a residual right in some coordinates only (an index slip, a loop written for d = 1)."""
    grad = [sp.diff(p, xi) for xi in x]
    named: dict = {"d p/dt": sp.diff(p, T)}
    want: dict = {"d p/dt": 1.0}
    n = len(x)
    for i in range(n):
        named[f"p d f_{i + 1}/dx{i + 1}"] = p * sp.diff(f[i], x[i])
        named[f"f_{i + 1} d p/dx{i + 1}"] = f[i] * grad[i]
        named[f"rho^2 d^2p/dx{i + 1}^2"] = rho**2 * sp.diff(grad[i], x[i])
        want[f"p d f_{i + 1}/dx{i + 1}"] = want[f"f_{i + 1} d p/dx{i + 1}"] = 1.0
        want[f"rho^2 d^2p/dx{i + 1}^2"] = (-0.5, "-1/2")
        for j in range(n):
            if j != i:
                named[f"d(f_{i + 1} p)/dx{j + 1}"] = sp.diff(f[i] * p, x[j])
                want[f"d(f_{i + 1} p)/dx{j + 1}"] = 0.0
            if j > i:
                named[f"rho^2 d^2p/dx{i + 1}dx{j + 1}"] = rho**2 * sp.diff(grad[i], x[j])
                want[f"rho^2 d^2p/dx{i + 1}dx{j + 1}"] = 0.0
    return named, want


def case(p: sp.Expr, f: list, rho: sp.Expr, x: list, seed: int, exact_zero: bool = False) -> Case:
    args = {"p": wire.encode(p), "f": [wire.encode(e) for e in f], "rho": wire.encode(rho),
            "x": [wire.encode(s) for s in x], "t": wire.encode(T)}
    show = (f"fokker_planck_residual(p={sp.sstr(p)}, f={sp.sstr(f)}, rho={sp.sstr(rho)}, "
            f"x={sp.sstr(x)}, t=t)")
    data = {"symbols": [*x, T], "seed": seed,
            "terms": lambda: [terms(p, f, rho, x)] + ([split_terms(p, f, rho, x)] if len(x) > 1 else [])}
    if exact_zero:
        return Case({"main": Call("residual", args, show)}, {**data, "expected": sp.Integer(0), "wrong": None})
    return Case({"main": Call("residual", args, show)}, {**data, "wrong": lambda: mistakes(p, f, rho, x)},
                later=lambda: {"expected": residual(p, f, rho, x)})  # in the judge worker, or once per batch


def _q(rng: np.random.Generator, lo: int, hi: int, den: int = 4) -> sp.Rational:
    return sp.Rational(int(rng.integers(lo, hi)), den)


def build_d1(rng: np.random.Generator) -> Case:
    a, b = _q(rng, 2, 7), _q(rng, 1, 5)
    p = sp.exp(-a * X1**2 * (1 + T)) * (1 + X1**2 / 3)
    return case(p, [X1**2 - b * T * X1], _q(rng, 5, 9), [X1], int(rng.integers(2**31)))


def build_d2(rng: np.random.Generator) -> Case:
    a, c = _q(rng, 2, 6), _q(rng, 1, 4)
    p = sp.exp(-a * X1**2 - (X2 - c * T) ** 2 - X1 * X2 / 2) / (1 + T)
    f = [X2 - X1, sp.sin(X1) * T]
    return case(p, f, _q(rng, 5, 9), [X1, X2], int(rng.integers(2**31)))


def build_time_rho(rng: np.random.Generator) -> Case:
    """Not a solution; rho depends on t (rho^2 = 1 + c t), f depends on x and t."""
    c = _q(rng, 2, 8)
    p = sp.exp(-X1**2 / (2 * (1 + T))) * (2 + sp.cos(X1))
    return case(p, [-X1 * T / 2], sp.sqrt(1 + c * T), [X1], int(rng.integers(2**31)))


def build_solution(rng: np.random.Generator) -> Case:
    """An exact solution in d = 2: OU drift -x, variance v(t) = v0 + k t, rho^2 = v' + 2 v."""
    v0, k = _q(rng, 3, 8), _q(rng, 1, 5)
    m = [_q(rng, -4, 5), _q(rng, -4, 5)]
    v = v0 + k * T
    p = sp.Mul(*[sp.exp(-(xi - mi * sp.exp(-T)) ** 2 / (2 * v)) / sp.sqrt(2 * sp.pi * v)
                 for xi, mi in zip((X1, X2), m)])
    rho = sp.sqrt(k + 2 * v)
    return case(p, [-X1, -X2], rho, [X1, X2], int(rng.integers(2**31)), exact_zero=True)


def judge(case: Case, values: dict) -> Verdict:
    domains = {s: ((0.2, 2.0) if s == T else (-1.5, 1.5)) for s in case.data["symbols"]}
    v = symbolic(values["main"], case.data["expected"], domains=domains, called=case.calls["main"].show,
                 seed=case.data["seed"], alternatives=case.data["wrong"], what="the residual",
                 terms=case.data["terms"])
    if not v.passed and not case.data["wrong"]:
        return dataclasses.replace(v, message=v.message + " — but this p solves the equation, so the residual "
                                   "must vanish identically", expected="0")
    return v


PROBES = (
    Probe("p5.d1", "d = 1, constant rho, p not a solution", "symbolic", 4,
          "f = x^2 - b t x (depends on x and t), rho constant != 1, p not a solution: the residual "
          "must equal d_t p + d_x(f p) - rho^2/2 d_xx p exactly.",
          ("fokker_planck_residual",), build_d1, judge, tags={"d": 1, "rho": "constant"},
          catches="f p' instead of (f p)', rho instead of rho^2, a missing 1/2, sign conventions"),
    Probe("p5.d2", "d = 2, coupled drift, p not a solution", "symbolic", 4,
          "d = 2, f = [x2 - x1, t sin x1]: divergence and Laplacian must sum over both coordinates.",
          ("fokker_planck_residual",), build_d2, judge, tags={"d": 2, "rho": "constant"},
          catches="only the first coordinate summed; d_i f_j paired with the wrong index"),
    Probe("p5.time_rho", "rho depends on t", "symbolic", 3,
          "rho = sqrt(1 + c t): rho enters as the expression given (squared), not as a constant "
          "symbol or a function to call.",
          ("fokker_planck_residual",), build_time_rho, judge, tags={"d": 1, "rho": "time-dependent"},
          catches="treating rho as a constant or a callable, dropping its t dependence"),
    Probe("p5.solution", "an exact solution makes it vanish (d = 2)", "property", 4,
          "p = product of N(m_i e^-t, v0 + k t) solves Fokker-Planck for f = -x, rho^2 = k + 2 v(t): "
          "the returned residual must be identically 0.",
          ("fokker_planck_residual",), build_solution, judge, tags={"d": 2, "rho": "time-dependent"},
          catches="any error in the operator, even one that is a consistent convention elsewhere"),
)

PROBLEM = Problem(
    number=5,
    cost=0.4,  # seconds to run and judge the reference: calls 0.18 s (sympy diff), references 0.1 s
    title="Fokker-Planck equation",
    points=15,
    functions=(Function(
        "fokker_planck_residual", "fokker_planck_residual(p, f, rho, x, t) -> sympy expression",
        "d_t p + div(f p) - (rho^2/2) Laplacian(p): zero exactly when p solves the Fokker-Planck "
        "equation of dX = f dt + rho dW. p: expression in x, t; f: list of d expressions; rho: "
        "expression in t; x: list of d Symbols; t: Symbol."),),
    probes=PROBES,
    harness="problems.p5_fokker_planck.harness",
    statement=(Path(__file__).with_name("statement.md")).read_text(),
    mistakes=(
        "div(f p) = sum_i d/dx_i (f_i p), not f . grad p: the product rule adds p div f.",
        "The diffusion coefficient is rho^2/2, not rho/2 or rho^2.",
        "Sign convention: return left side minus right side, d_t p + div(f p) - rho^2/2 Lap p.",
        "Sum over every coordinate in x (d may be 1 or 2).",
    ),
    notes=("The statement says 'marginal marginal density functions'; it means marginal densities.",),
    stubs='''def fokker_planck_residual(p, f, rho, x, t):
    """d_t p + div(f p) - (rho^2 / 2) * Laplacian(p) as a sympy expression."""
    raise NotImplementedError
''',
)
