"""Problem 6 — the variance-exploding SDE (10 points).

References are sympy expressions: rho = sqrt(d/dt sigma_t^2) for three schedules, and the
normalised kernel exp(-(x-y)^2 / (2 sigma^2)) / sqrt(2 pi sigma^2). Comparison is layered
(checks.symbolic, 1e-8 relative at 8 random points, t in [0.2, 2], x, y in [-1.5, 1.5]).
The property probe checks, with the student's own two functions, that the kernel integrates to 1
(Gauss-Hermite quadrature at random t, y; tolerance 1e-8) and solves d_t p = rho^2/2 d_xx p.

Note on the statement: it writes the constant as 1/sqrt(2 pi sigma_t); the normalised Gaussian
has 1/sqrt(2 pi sigma_t^2). The grader expects the normalised density (SPEC 2.6).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import replace
from pathlib import Path

import numpy as np
import sympy as sp

from grader import wire
from grader.checks import Reject, all_pass, as_expr, power_fit, sample_points, symbolic, term_fit, value_at
from grader.spec import Call, Case, Function, Probe, Problem, Verdict

T = sp.Symbol("t", positive=True)
X, Y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
SIGMA = sp.Symbol("sigma", positive=True)
DOMAINS = {T: (0.2, 2.0), X: (-1.5, 1.5), Y: (-1.5, 1.5), SIGMA: (0.3, 2.0)}


def schedules(rng: np.random.Generator) -> dict[str, sp.Expr]:
    a = sp.Rational(int(rng.integers(3, 9)), 4)
    lo, hi = sp.Rational(int(rng.integers(1, 5)), 10), int(rng.integers(5, 30))
    c = sp.Rational(int(rng.integers(2, 9)), 2)
    return {"linear": a * T, "geometric": lo * (hi / lo) ** T, "square root": sp.sqrt(c * T)}


def rho_ref(sigma: sp.Expr) -> sp.Expr:
    return sp.sqrt(sp.diff(sigma**2, T))


def rho_mistakes(sigma: sp.Expr) -> dict[str, sp.Expr]:
    d = sp.diff(sigma, T)
    return {"sqrt(d sigma/dt): the derivative of sigma^2 is needed, not of sigma": sp.sqrt(d),
            "d/dt sigma^2 without the square root": sp.diff(sigma**2, T),
            "rho = d sigma/dt (what sqrt((d sigma/dt)^2) also gives): the derivative must be of sigma^2, "
            "rho = sqrt(d sigma^2/dt) = sqrt(2 sigma d sigma/dt)": d,
            "sign flipped: rho is the non-negative square root": -rho_ref(sigma),
            "sqrt(d^2 sigma/dt^2): diff(sigma, t, 2) is the second derivative of sigma, not the derivative of "
            "sigma^2 (diff(sigma**2, t))": sp.sqrt(sp.diff(sigma, T, 2)),
            "rho = sqrt(integral_0^t sigma_s^2 ds): sigma^2 integrated where it is differentiated (sigma_t^2 = "
            "integral_0^t rho_s^2 ds, so rho_t^2 = d sigma_t^2/dt)":
                sp.sqrt(sp.integrate(sigma.subs(T, _S) ** 2, (_S, 0, T)))}


_S = sp.Symbol("s", positive=True)


def density_ref(x: sp.Expr, y: sp.Expr, sigma: sp.Expr) -> sp.Expr:
    return sp.exp(-(x - y) ** 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)


def density_mistakes(sigma: sp.Expr) -> dict[str, sp.Expr]:
    e = sp.exp(-(X - Y) ** 2 / (2 * sigma**2))
    return {
        "the statement's constant 1/sqrt(2 pi sigma): the normalised density has 1/sqrt(2 pi sigma^2)":
            e / sp.sqrt(2 * sp.pi * sigma),
        "sigma used as the variance: N(y, sigma) instead of N(y, sigma^2)":
            sp.exp(-(X - Y) ** 2 / (2 * sigma)) / sp.sqrt(2 * sp.pi * sigma),
        "the 2 is missing in the exponent": sp.exp(-(X - Y) ** 2 / sigma**2) / sp.sqrt(2 * sp.pi * sigma**2),
        "the normalising constant is missing": e,
        "sigma^2 used as the standard deviation: N(y, sigma^4) (sympy.stats.Normal takes the standard deviation, "
        "not the variance)": sp.exp(-(X - Y) ** 2 / (2 * sigma**4)) / sp.sqrt(2 * sp.pi * sigma**4),
        "(x - y) * 2 where (x - y) ** 2 belongs in the exponent: the exponent must be -(x - y)^2/(2 sigma^2)":
            sp.exp(-(X - Y) * 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2),
        "the cumulative distribution function returned (sympy.stats.cdf): the transition density is the density, "
        "exp(-(x - y)^2/(2 sigma^2)) / sqrt(2 pi sigma^2)": (1 + sp.erf((X - Y) / (sp.sqrt(2) * sigma))) / 2,
        "the log-density returned: the exp is missing (the density is exp(-(x - y)^2/(2 sigma^2)) / "
        "sqrt(2 pi sigma^2))": -(X - Y) ** 2 / (2 * sigma**2) - sp.log(sp.sqrt(2 * sp.pi * sigma**2)),
        "sigma^2 multiplies the exponent where it divides: -(x - y)**2 / 2 * sigma**2 is "
        "-((x - y)^2/2) sigma^2 (write / (2 * sigma**2))":
            sp.exp(-(X - Y) ** 2 * sigma**2 / 2) / sp.sqrt(2 * sp.pi * sigma**2),
    }


def build_rho(rng: np.random.Generator) -> Case:
    calls, data = {}, {}
    for name, sigma in schedules(rng).items():
        calls[name] = Call("rho", {"sigma": wire.encode(sigma), "t": wire.encode(T)},
                           f"rho_from_sigma(sigma={sp.sstr(sigma)}, t=t)")
        data[name] = (rho_ref(sigma), functools.cache(lambda sigma=sigma: rho_mistakes(sigma)))  # for a wrong answer
    return Case(calls, {"refs": data, "seed": int(rng.integers(2**31))})


def judge_rho(case: Case, values: dict) -> Verdict:
    v = all_pass((symbolic(values[name], ref, domains={T: DOMAINS[T]}, called=case.calls[name].show,
                           seed=case.data["seed"], alternatives=wrong, what=f"rho for the {name} schedule")
                  for name, (ref, wrong) in case.data["refs"].items()),
                 Verdict(True, "rho = sqrt(d sigma_t^2 / dt) for the linear, geometric and square-root schedules"))
    if v.passed:
        return v
    if v.mistake and _holds_everywhere(case, values, v.mistake):
        return v
    return replace(v, mistake=_rho_powers(case, values))


def _holds_everywhere(case: Case, values: dict, mistake: str) -> bool:
    """A known mistake is named only if the student's rho is that formula for all three schedules:
    for the linear one both are constants, and two constants agree by chance (sqrt(2a) = a at a = 2)."""
    for name, (_, mistakes) in case.data["refs"].items():
        wrong = mistakes()
        if mistake not in wrong:
            return False
        try:
            v = symbolic(values[name], wrong[mistake], domains={T: DOMAINS[T]}, called="", seed=case.data["seed"] + 1)
        except Reject:
            return False
        if not v.passed:
            return False
    return True


def _rho_powers(case: Case, values: dict) -> str:
    """rho = sqrt(2 sigma sigma') = sqrt(2) sigma^(1/2) sigma'^(1/2) t^0: when the student's rho, over
    the three schedules together, is c sigma^a sigma'^b t^e, which power is wrong (one schedule alone
    cannot tell: for each of them sigma' is a power of sigma or of t, or a constant)."""
    pts = sample_points({T: DOMAINS[T]}, 6, case.data["seed"] + 29)
    got, sig, dsig, ts = [], [], [], []
    for name, call in case.calls.items():
        sigma = wire.decode(call.args["sigma"])
        try:
            rho = as_expr(values[name])
        except Reject:
            return ""
        for pt in pts:
            vals = [value_at(e, pt) for e in (rho, sigma, sp.diff(sigma, T))]
            if any(z is None or abs(z.imag) > 1e-12 for z in vals):
                return ""
            for out, z in zip((got, sig, dsig), vals):
                out.append(z.real)
            ts.append(pt[T])
    fit = power_fit(got, {"sigma": sig, "d sigma/dt": dsig, "t": ts}, {"sigma": 0.5, "d sigma/dt": 0.5, "t": 0.0},
                    np.sqrt(2))
    return f"rho must be sqrt(d sigma^2/dt) = sqrt(2 sigma (d sigma/dt)); in yours {fit}" if fit else ""


def build_density(rng: np.random.Generator) -> Case:
    call = Call("density", {"x": wire.encode(X), "y": wire.encode(Y), "sigma": wire.encode(SIGMA)},
                "transition_density(x=x, y=y, sigma=sigma)  # sigma a positive Symbol")
    return Case({"main": call}, {"seed": int(rng.integers(2**31))})


def judge_density(case: Case, values: dict) -> Verdict:
    domains = {X: DOMAINS[X], Y: DOMAINS[Y], SIGMA: DOMAINS[SIGMA]}
    v = symbolic(values["main"], density_ref(X, Y, SIGMA), domains=domains, called=case.calls["main"].show,
                 seed=case.data["seed"], alternatives=density_mistakes(SIGMA),
                 what="the density of N(y, sigma^2) at x")
    if v.passed or v.mistake:
        return v
    return replace(v, mistake=_log_fit(as_expr(values["main"]), domains, case.data["seed"]))


LOG_TERMS = {"constant": (1, (-0.5 * np.log(2 * np.pi), "log(1/sqrt(2 pi))")),
             "log sigma": (sp.log(SIGMA), -1.0), "x^2/sigma^2": (X**2 / SIGMA**2, -0.5),
             "x y/sigma^2": (X * Y / SIGMA**2, 1.0), "y^2/sigma^2": (Y**2 / SIGMA**2, -0.5)}


def _log_fit(g: sp.Expr, domains: dict, seed: int) -> str:
    """A wrong density that is still exp(quadratic) times a power of sigma: which term of
    log(density) = log(1/sqrt(2 pi)) - log sigma - (x - y)^2/(2 sigma^2) is off."""
    pts = sample_points(domains, 24, seed + 13)
    vals = [value_at(g, p) for p in pts]
    if any(z is None or abs(z.imag) > 1e-12 or z.real <= 0 for z in vals):
        return ""
    cols = {name: [float(value_at(sp.sympify(e), p).real) if not isinstance(e, int) else 1.0 for p in pts]
            for name, (e, _) in LOG_TERMS.items()}
    text = term_fit([np.log(z.real) for z in vals], cols, {n: w for n, (_, w) in LOG_TERMS.items()})
    if not text:
        return ""
    flipped = [f"the {name} term has the wrong sign" for name in ("x^2/sigma^2", "x y/sigma^2", "y^2/sigma^2")]
    if all(part in text for part in flipped):  # all three flipped: the exponent's own sign
        rest = [part for part in text.replace(" (the other terms are right)", "").split("; ") if part not in flipped]
        return ("the exponent has the wrong sign: it must be -(x - y)^2/(2 sigma^2), yours is +(x - y)^2/(2 sigma^2)"
                + "".join(f"; in log(your density): {part}" for part in rest))
    inverted = ["the constant term has the wrong sign", "the log sigma term has the wrong sign"]
    if all(part in text for part in inverted) and not any(name in text for name in ("x^2", "x y", "y^2")):
        return ("the normalising constant is inverted: your density is multiplied by sqrt(2 pi sigma^2) where it "
                "is divided by it (the power +1/2 where -1/2 belongs)")
    exponent = any(name in text for name in ("x^2", "x y", "y^2"))
    return ("in log(your density): " + text
            + ("; the exponent must be -(x - y)^2/(2 sigma^2)" if exponent else ""))


def build_kernel(rng: np.random.Generator) -> Case:
    sigma = schedules(rng)["geometric"]
    call = Call("kernel", {"sigma": wire.encode(sigma), "t": wire.encode(T), "x": wire.encode(X),
                           "y": wire.encode(Y)},
                f"rho_from_sigma(sigma_t, t) and transition_density(x, y, sigma_t), sigma_t = {sp.sstr(sigma)}")
    return Case({"main": call}, {"sigma": sigma, "seed": int(rng.integers(2**31))})


def kernel_mass(p: sp.Expr, sigma: float, t0: float, y0: float, nodes: int = 40) -> float:
    """Integral of p over x at (t0, y0) by Gauss-Hermite quadrature in u = (x - y0) / (sqrt 2 sigma).

    Exact (to rounding) for any Gaussian-shaped kernel centred at y0, right or wrong constant;
    other shapes are integrated to ~1e-10 with 40 nodes.
    """
    u, w = np.polynomial.hermite.hermgauss(nodes)
    scale = np.sqrt(2) * sigma
    total = 0.0
    for ui, wi in zip(u, w):
        v = value_at(p, {T: t0, Y: y0, X: y0 + scale * ui})
        if v is None or abs(v.imag) > 1e-12:
            return float("nan")
        total += wi * np.exp(ui * ui) * v.real * scale
    return total


def judge_kernel(case: Case, values: dict) -> Verdict:
    """The student's kernel integrates to 1 in x and solves d_t p = rho^2/2 d_xx p."""
    if not isinstance(values["main"], list) or len(values["main"]) != 2:
        raise Reject("expected the pair [rho, density]")
    rho, p = (as_expr(v, w) for v, w in zip(values["main"], ("rho", "the density")))
    called = case.calls["main"].show
    rng = np.random.default_rng(case.data["seed"])
    for _ in range(2):
        t0, y0 = float(rng.uniform(0.2, 2.0)), float(rng.uniform(-1, 1))
        mass = kernel_mass(p, float(case.data["sigma"].subs(T, t0)), t0, y0)
        if not abs(mass - 1) < 1e-8:
            return Verdict(False, f"the kernel at t={t0:.4g}, y={y0:.4g} integrates to {mass:.8g} "
                           "over x, not 1: the constant and the exponent are not those of one normalised "
                           "Gaussian", called=called, got=f"integral = {mass:.10g}", expected="1")
            # (which of the two is wrong, p6.density's diagnosis says: the mass alone cannot)
    residual = sp.diff(p, T) - rho**2 / 2 * sp.diff(p, X, 2)
    v = symbolic(residual, sp.Integer(0), domains={T: DOMAINS[T], X: DOMAINS[X], Y: DOMAINS[Y]},
                 called=called, seed=case.data["seed"], what="d_t p - rho^2/2 d_xx p")
    if not v.passed:
        return dataclasses.replace(v, message=v.message + ": the kernel does not solve the Fokker-Planck "
                                   "equation with your rho", expected="0")
    return Verdict(True, "the kernel integrates to 1 and solves d_t p = rho^2/2 d_xx p with your rho")


PROBES = (
    Probe("p6.rho", "rho from sigma_t, three schedules", "symbolic", 4,
          "rho_from_sigma for sigma_t = a t, sigma_min (sigma_max/sigma_min)^t and sqrt(c t): each must "
          "equal sqrt(d sigma_t^2 / dt).", ("rho_from_sigma",), build_rho, judge_rho,
          catches="sqrt(d sigma/dt), a missing square root"),
    Probe("p6.density", "the transition density N(y, sigma^2)", "symbolic", 3,
          "transition_density(x, y, sigma) with sigma a positive Symbol: the normalised Gaussian "
          "exp(-(x-y)^2/(2 sigma^2)) / sqrt(2 pi sigma^2).",
          ("transition_density",), build_density, judge_density,
          catches="the statement's 1/sqrt(2 pi sigma_t) constant; sigma used as the variance"),
    Probe("p6.kernel", "the kernel integrates to 1 and solves Fokker-Planck", "property", 3,
          "With sigma_t geometric: your density integrates to 1 over x (quadrature at random t, y) and, "
          "with your rho, satisfies d_t p = rho^2/2 d_xx p identically.",
          ("rho_from_sigma", "transition_density"), build_kernel, judge_kernel,
          catches="a density that breaks when sigma is an expression in t rather than a Symbol"),
)

PROBLEM = Problem(
    number=6,
    cost=0.15,  # seconds to run and judge the reference: student calls 0.02 s, judging 0.06 s (quadrature, diff)
    title="The variance-exploding SDE",
    points=10,
    functions=(
        Function("rho_from_sigma", "rho_from_sigma(sigma, t) -> sympy expression",
                 "rho(t) = sqrt(d/dt sigma_t^2); sigma: a sympy expression in t."),
        Function("transition_density", "transition_density(x, y, sigma) -> sympy expression",
                 "The density of N(y, sigma^2) at x (normalised); sigma may be a Symbol or an "
                 "expression in t."),
    ),
    probes=PROBES,
    harness="problems.p6_ve_sde.harness",
    statement=(Path(__file__).with_name("statement.md")).read_text(),
    mistakes=(
        "rho = sqrt(d sigma/dt) instead of sqrt(d sigma^2/dt) = sqrt(2 sigma sigma').",
        "Copying the statement's constant 1/sqrt(2 pi sigma_t): see the note below.",
        "Treating sigma as the variance: the kernel is N(y, sigma^2).",
    ),
    notes=(
        "The statement writes the kernel's constant as 1/sqrt(2 pi sigma_t); the normalised "
        "Gaussian has 1/sqrt(2 pi sigma_t^2). The grader expects the normalised density: "
        "transition_density must integrate to 1.",
        "The statement writes the integral over R^d with d = 1.",
    ),
    stubs='''def rho_from_sigma(sigma, t):
    """rho(t) = sqrt(d/dt sigma_t^2) as a sympy expression."""
    raise NotImplementedError


def transition_density(x, y, sigma):
    """The density of N(y, sigma^2) at x, as a sympy expression."""
    raise NotImplementedError
''',
)
