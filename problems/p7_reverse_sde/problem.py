"""Problem 7 — the family of reverse-time SDEs (15 points).

References: drift = f - (1 - lam/2) g^2 score and diffusion^2 = (1 - lam) g^2 (either sign of
the diffusion is accepted: only its square enters the law). Numeric probes: 1e-9 relative +
1e-12 absolute. Symbolic probes: checks.symbolic (values at random x, t, lam <= 1).

Property probes:
- marginals: with the student's drift b and diffusion s (symbolic lam), the reverse-time
  Fokker-Planck equation d_t p + d_x(b p) + (s^2/2) d_xx p = 0 must hold identically for the
  Gaussian marginals p_t of model.py's forward SDE (f depends on x and t, g on t).
- simulation: Euler-Maruyama from T = 1 to 0 with the student's callables (in the child, seeded),
  10000 particles, 200 steps; the final mean and variance must match p_0 = N(m0, 1) within
  5 standard errors plus an allowance for the discretisation bias (0.01 on the mean, 0.02 on the
  variance; measured for the reference below 0.01).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import sympy as sp

from grader import wire
from grader.checks import Reject, all_pass, as_array, as_expr, numeric, power_fit, symbolic
from grader.spec import Call, Case, Function, Probe, Problem, Verdict, show_call
from problems.p7_reverse_sde import model

X, T = sp.Symbol("x", real=True), sp.Symbol("t", positive=True)
LAM = sp.Symbol("lam", real=True)
DOMAINS = {X: (-1.5, 1.5), T: (0.2, 2.0), LAM: (-2.0, 0.95)}
RTOL, ATOL = 1e-9, 1e-12
PARTICLES, STEPS = 10000, 200
SIM_LAMS = (0.5, -1.0)  # lam = 1 is p7.ode's


def drift_formula(f, g2, s, lam, k: float = 0.5, power: int = 2, sign: int = -1, a0: float = 1,
                  on_f: bool = False, clip: bool = False, lam_no_score: bool = False, lam_one_g: bool = False):
    """f + sign (a0 - k lam) g^power score: the right drift at the defaults, mistakes otherwise
    (on_f: the factor multiplies f too, (1 - k lam)(f - g^2 score); power=-2: 2 g, a typo of g**2;
    clip: lam < 0 read as 0; lam_no_score: f - g^2 score + lam g^2 / 2, the score left out of the
    lam term; lam_one_g: f - g^2 score + lam g score / 2, one g left out of it)."""
    numeric = isinstance(g2, (float, np.ndarray))
    gp = g2 if power == 2 else (2 if power == -2 else 1) * (np.sqrt(g2) if numeric else sp.sqrt(g2))
    if clip:
        lam = (np.maximum(lam, 0.0) if numeric else sp.Max(lam, 0))
    if on_f:
        return (1 - k * lam) * (f + sign * gp * s)
    if lam_no_score:
        return f + sign * gp * s - sign * lam * gp / 2
    if lam_one_g:
        return f + sign * gp * s - sign * lam * (np.sqrt(g2) if numeric else sp.sqrt(g2)) * s / 2
    return f + sign * (a0 - k * lam) * gp * s


DRIFT_MISTAKES = {
    "(1 - lam) instead of (1 - lam/2) in front of the score": {"k": 1.0},
    "(1 + lam/2) instead of (1 - lam/2)": {"k": -0.5},
    "g instead of g^2 in front of the score": {"power": 1},
    "2 g instead of g^2 in front of the score: g(t) * 2 where g(t) ** 2 belongs": {"power": -2},
    "the score term has the wrong sign (+ instead of -)": {"sign": 1},
    "(1 - lam)/2 instead of (1 - lam/2) in front of the score: the 1/2 belongs to lam alone": {"a0": 0.5, "k": 0.5},
    "lam/2 instead of (1 - lam/2) in front of the score: the 1 is missing": {"a0": 0.0, "k": -0.5},
    "(2 - lam) instead of (1 - lam/2) in front of the score: the 1/2 is missing": {"a0": 2.0, "k": 1.0},
    "the probability-flow drift f - g^2 score / 2 for every lam: the factor is (1 - lam/2), which is 1/2 "
    "only at lam = 1": {"a0": 0.5, "k": 0.0},
    "lam read as 0 when it is negative (clipped to [0, 1]?): lam may be any number <= 1, and lam < 0 adds "
    "noise": {"clip": True},
    "the score is missing from the lam term: f - g^2 score + lam g^2/2 where f - (1 - lam/2) g^2 score = "
    "f - g^2 score + (lam/2) g^2 score belongs": {"lam_no_score": True},
    "one g is missing from the lam term: f - g^2 score + lam g score/2 where f - g^2 score + lam g^2 score/2 "
    "belongs": {"lam_one_g": True},
    "(1 - lam/2) multiplies f too: (1 - lam/2)(f - g^2 score) where f - (1 - lam/2) g^2 score belongs":
        {"on_f": True},
}


# --------------------------------------------------------------------------- numeric
def build_numeric(lams: tuple[float, ...]):
    def build(rng: np.random.Generator) -> Case:
        params = {"a": float(rng.uniform(0.5, 1.5)), "b": float(rng.uniform(0.5, 1.5)),
                  "c": float(rng.uniform(0.5, 2.0)), "m": float(rng.normal()), "v0": float(rng.uniform(0.5, 1.5))}
        xs, ts = rng.normal(size=4), rng.uniform(0.1, 2.0, size=4)
        shown = show_call("reverse_sde", f=f"lambda x, t: -{params['a']:.10g}*x + {params['b']:.10g}*t",
                          g=f"lambda t: sqrt({params['c']:.10g} + t)",
                          score=f"lambda x, t: -(x - ({params['m']:.10g})*exp(-t)) / ({params['v0']:.10g} + t)",
                          lam="{lam}")
        where = (f", then drift(x, t) and diffusion(t) at x={[float(f'{v:.10g}') for v in xs]}, "
                 f"t={[float(f'{v:.10g}') for v in ts]}")
        calls = {f"lam={lam:g}": Call("numeric", {"params": params, "lam": lam, "xs": xs.tolist(),
                                                  "ts": ts.tolist()}, shown.replace("{lam}", f"{lam:g}") + where)
                 for lam in lams}
        return Case(calls, {"params": params, "xs": xs, "ts": ts, "lams": lams})

    return build


SLIPS = {  # an argument slip in one call of the drift, and what it gives (f, g^2, score at (x, t))
    "score called as score(t, x): its arguments are (x, t)": lambda f, g2, s: (f(0), g2(0), s(1)),
    "f called as f(t, x): its arguments are (x, t)": lambda f, g2, s: (f(1), g2(0), s(0)),
    "g(t**2) where g(t)**2 belongs: square g's value, not its argument": lambda f, g2, s: (f(0), g2(2), s(0)),
    "g(x) where g(t) belongs: g is a function of time alone": lambda f, g2, s: (f(0), g2(4), s(0)),
    "f, g and score evaluated at 1 - t (a clock run backwards): the reverse SDE takes them at the same t as the "
    "forward one, t running from T down to 0": lambda f, g2, s: (f(3), g2(3), s(3)),
}


def _numeric_refs(p: dict, x: np.ndarray, t: np.ndarray, lam: float) -> tuple:
    f = -p["a"] * x + p["b"] * t
    g2 = p["c"] + t
    s = -(x - p["m"] * np.exp(-t)) / (p["v0"] + t)
    wrong = {name: drift_formula(f, g2, s, lam, **kw) for name, kw in DRIFT_MISTAKES.items()}
    # the slips: 0 the right call, 1 with (x, t) swapped, 2 (g only) g(t^2) = sqrt(c + t^2), squared
    r = 1 - t  # (3: the clock run backwards, the coefficients at 1 - t)
    fs = {0: f, 1: -p["a"] * t + p["b"] * x, 3: -p["a"] * x + p["b"] * r}
    g2s = {0: g2, 2: np.sqrt(p["c"] + t**2), 3: p["c"] + r, 4: p["c"] + x}
    ss = {0: s, 1: -(t - p["m"] * np.exp(-x)) / (p["v0"] + x), 3: -(x - p["m"] * np.exp(-r)) / (p["v0"] + r)}
    for name, slip in SLIPS.items():
        wrong[name] = drift_formula(*slip(fs.get, g2s.get, ss.get), lam)
    return drift_formula(f, g2, s, lam), np.sqrt((1 - lam) * g2), wrong, g2, (f, g2 * s)


def _drift_terms(pieces: tuple, lam: float) -> tuple:
    f, g2s = pieces
    return ({"f(x, t)": f, "g(t)^2 score(x, t)": g2s},
            {"f(x, t)": 1.0, "g(t)^2 score(x, t)": (-(1 - lam / 2), f"-(1 - lam/2) at lam = {lam:g}")})


def _diffusion_mistakes(lam: float, g2: np.ndarray) -> dict[str, np.ndarray]:
    return {"(1 - lam) g instead of sqrt(1 - lam) g": abs(1 - lam) * np.sqrt(g2),
            "sqrt(1 - lam) g^2 instead of sqrt(1 - lam) g": np.sqrt(1 - lam) * g2,
            "sqrt(1 - lam/2) g instead of sqrt(1 - lam) g": np.sqrt(1 - lam / 2) * np.sqrt(g2),
            "sqrt(1 + lam) g instead of sqrt(1 - lam) g": np.sqrt(1 + lam) * np.sqrt(g2),
            "the diffusion does not depend on lam: g where sqrt(1 - lam) g belongs": np.sqrt(g2),
            "sqrt(2 (1 - lam)) g instead of sqrt(1 - lam) g (the sqrt(2) of Langevin dynamics does not belong)":
                np.sqrt(2 * (1 - lam)) * np.sqrt(g2),
            "sqrt(1 - lam g^2) instead of sqrt(1 - lam) g: the parentheses must hold (1 - lam), sqrt((1 - lam) g^2)":
                np.sqrt(np.where(1 - lam * g2 >= 0, 1 - lam * g2, np.nan))}


LAM_FORMULAS = ({name for name, kw in DRIFT_MISTAKES.items()
                 if {"k", "a0", "on_f", "clip", "lam_no_score", "lam_one_g"} & set(kw)}
                | set(_diffusion_mistakes(0.0, np.ones(1))))


def _holds_for_every_lam(name: str, case: Case, values: dict) -> bool:
    """A mistake in how lam enters is named only if the answer is that formula at every lam of the
    probe, and the probe has several: at lam = +-1 such formulas meet (sqrt(1 - lam^2) g and
    sqrt(1 + lam) g are both 0 at lam = -1; (1 - lam)(1 - lam/2) and (1 - lam) both 0 at lam = 1)."""
    d = case.data
    if len(d["lams"]) < 2:
        return False
    for lam in d["lams"]:
        value = values[f"lam={lam:g}"]
        _, _, wrong, g2, _ = _numeric_refs(d["params"], d["xs"], d["ts"], lam)
        diff = _diffusion_mistakes(lam, g2)
        part, alt = (np.asarray(value[0], dtype=float), wrong[name]) if name in wrong else (
            np.abs(np.asarray(value[2], dtype=float)), diff[name])
        if part.shape != np.shape(alt) or not np.allclose(part, alt, rtol=1e-6, atol=1e-12, equal_nan=True):
            return False
    return True


def judge_numeric(case: Case, values: dict) -> Verdict:
    v = _judge_numeric(case, values)
    if not v.passed and v.mistake.startswith("either: ") and any(n in v.mistake for n in LAM_FORMULAS):
        # two formulas that meet at this probe's lam: the one that holds at every lam, if only one does
        holds = [n for n in LAM_FORMULAS if n in v.mistake and _holds_for_every_lam(n, case, values)]
        return dataclasses.replace(v, mistake=holds[0] if len(holds) == 1 else "")
    if not v.passed and v.mistake in LAM_FORMULAS and not _holds_for_every_lam(v.mistake, case, values):
        return dataclasses.replace(v, mistake="")
    return v


def _judge_numeric(case: Case, values: dict) -> Verdict:
    d = case.data
    for lam in d["lams"]:
        key = f"lam={lam:g}"
        value = values[key]
        if not isinstance(value, list) or len(value) != 3:
            raise Reject("drift/diffusion could not be evaluated")
        called = case.calls[key].show
        drift, diff, wrong, g2, pieces = _numeric_refs(d["params"], d["xs"], d["ts"], lam)
        v = numeric(as_array(value[0], (4,), "drift(x, t) for float x"), drift, rtol=RTOL, atol=ATOL,
                    called=called, alternatives=wrong, what=f"drift(x, t) with lam={lam:g}",
                    terms=_drift_terms(pieces, lam))
        if not v.passed:
            return v
        batch, _, wrong_b, _, _ = _numeric_refs(d["params"], d["xs"], np.full(4, d["ts"][0]), lam)
        v = numeric(as_array(value[1], (4,), "drift(x, t) for an array x"), batch, rtol=RTOL, atol=ATOL,
                    called=called, alternatives=wrong_b, what=f"drift(x_array, t) with lam={lam:g}")
        if not v.passed:
            return v
        got = np.abs(as_array(value[2], (4,), "diffusion(t)"))
        alts = _diffusion_mistakes(lam, g2)
        v = numeric(got, diff, rtol=RTOL, atol=ATOL, called=called, alternatives=alts,
                    what=f"|diffusion(t)| with lam={lam:g}",
                    terms=({"g(t)": np.sqrt(g2), "constant": np.ones(4)},
                           {"g(t)": (float(np.sqrt(1 - lam)), f"sqrt(1 - lam) at lam = {lam:g}"), "constant": 0.0}))
        if not v.passed and not v.mistake:  # diffusion = c g^e: which power of g (4 t's, 2 unknowns)
            fit = power_fit(got, {"g(t)": np.sqrt(g2)}, {"g(t)": 1.0}, float(np.sqrt(1 - lam)))
            v = dataclasses.replace(v, mistake=f"in diffusion(t) = sqrt(1 - lam) g(t): {fit}" if fit else "")
        if not v.passed:
            return v
    return Verdict(True, "drift and diffusion right for lam = " + ", ".join(f"{x:g}" for x in d["lams"]))


# --------------------------------------------------------------------------- symbolic
def build_symbolic(rng: np.random.Generator) -> Case:
    m0 = sp.Rational(int(rng.integers(-6, 7)), 4)
    call = Call("symbolic", {"m0": wire.encode(m0), "x": wire.encode(X), "t": wire.encode(T),
                             "lam": wire.encode(LAM)},
                f"drift, diffusion = reverse_sde(f, g, score, lam)  # sympy: f = -x + t, "
                f"g = sqrt(2 + 2t + 2t^2), score of N(t - 1 + ({m0} + 1) e^-t, 1 + t^2), lam a Symbol; "
                "then drift(x, t), diffusion(t)")
    return Case({"main": call}, {"m0": m0, "seed": int(rng.integers(2**31))})


def _pair(value: object) -> tuple[sp.Expr, sp.Expr]:
    if not isinstance(value, list) or len(value) != 2:
        raise Reject("expected drift(x, t) and diffusion(t) to be sympy expressions")
    return as_expr(value[0], "drift(x, t)"), as_expr(value[1], "diffusion(t)")


def judge_symbolic(case: Case, values: dict) -> Verdict:
    drift, diff = _pair(values["main"])
    f, g, s, _ = model.symbolic(case.data["m0"], X, T)
    called, seed = case.calls["main"].show, case.data["seed"]

    def wrong() -> dict[str, sp.Expr]:  # only for a wrong drift: the expand calls cost 1.4 s a run
        out = {name: drift_formula(f, g**2, s, LAM, **kw) for name, kw in DRIFT_MISTAKES.items()}
        swap = {X: T, T: X}
        back = {T: 1 - T}
        fs = {0: f, 1: f.xreplace(swap), 3: f.xreplace(back)}
        g2s = {0: g**2, 2: g.xreplace({T: T**2}), 3: (g**2).xreplace(back), 4: (g**2).xreplace({T: X})}
        ss = {0: s, 1: s.xreplace(swap), 3: s.xreplace(back)}
        out["the f(x, t) term has the wrong sign"] = drift_formula(-f, g**2, s, LAM)
        for name, slip in SLIPS.items():
            alt = drift_formula(*slip(fs.get, g2s.get, ss.get), LAM)
            if not any(sp.expand(alt - other) == 0 for other in out.values()):  # f(t, x) = -f(x, t) here
                out[name] = alt
        return out

    checks = (
        lambda: symbolic(drift, drift_formula(f, g**2, s, LAM), domains=DOMAINS, called=called, seed=seed,
                         alternatives=wrong, what="drift(x, t)"),
        lambda: symbolic(sp.expand(diff**2), (1 - LAM) * g**2, domains=DOMAINS, called=called, seed=seed,
                         alternatives={"(1 - lam) g instead of sqrt(1 - lam) g": (1 - LAM) ** 2 * g**2,
                                       "sqrt(1 + lam) g instead of sqrt(1 - lam) g": (1 + LAM) * g**2,
                                       "the diffusion does not depend on lam: g where sqrt(1 - lam) g belongs": g**2,
                                       "sqrt(2 (1 - lam)) g instead of sqrt(1 - lam) g (the sqrt(2) of Langevin "
                                       "dynamics does not belong)": 2 * (1 - LAM) * g**2,
                                       "sqrt(1 - lam g^2) instead of sqrt(1 - lam) g: the parentheses must hold "
                                       "(1 - lam), sqrt((1 - lam) g^2)": 1 - LAM * g**2},
                         what="diffusion(t)^2"),
    )
    return all_pass((check() for check in checks),
                    Verdict(True, "drift = f - (1 - lam/2) g^2 score and diffusion^2 = (1 - lam) g^2, symbolically"))


def judge_marginals(case: Case, values: dict) -> Verdict:
    drift, diff = _pair(values["main"])
    p, pt, px, pxx = model.marginal_derivatives(case.data["m0"], X, T)
    # d_x(drift p) by the product rule: sympy differentiates only the student's drift, not its
    # product with p (the same expression, at a fraction of the cost)
    residual = pt + sp.diff(drift, X) * p + drift * px + diff**2 / 2 * pxx
    v = symbolic(residual, sp.Integer(0), domains=DOMAINS, called=case.calls["main"].show,
                 seed=case.data["seed"], what="d_t p + d_x(drift p) + diffusion^2/2 d_xx p")
    if not v.passed:
        return dataclasses.replace(v, message=v.message + ": the reverse SDE does not keep the marginals p_t "
                                   "(reverse-time Fokker-Planck fails)", expected="0")
    return Verdict(True, "the reverse-time Fokker-Planck equation holds for every lam: the marginals are kept")


# --------------------------------------------------------------------------- simulation
def build_simulation(rng: np.random.Generator) -> Case:
    m0 = float(rng.uniform(-1, 1))
    calls = {}
    for lam in SIM_LAMS:
        seed = int(rng.integers(2**31))
        calls[f"lam={lam:g}"] = Call("simulate", {"m0": m0, "lam": lam, "particles": PARTICLES,
                                                  "steps": STEPS, "seed": seed},
                                     f"Euler-Maruyama of reverse_sde(f, g, score, lam={lam:g}) from T=1 to 0, "
                                     f"{PARTICLES} particles, {STEPS} steps; f = -x + t, g^2 = 2 + 2t + 2t^2, "
                                     f"p_0 = N({m0:.4g}, 1)")
    return Case(calls, {"m0": m0})


def judge_simulation(case: Case, values: dict) -> Verdict:
    m0, n = case.data["m0"], PARTICLES
    mean_tol = 5 * np.sqrt(1.0 / n) + 0.01
    var_tol = 5 * np.sqrt(2.0 / (n - 1)) + 0.02
    for key, value in sorted(values.items()):
        got = as_array(value, (2,), "simulated [mean, variance]")
        ok = abs(got[0] - m0) <= mean_tol and abs(got[1] - 1.0) <= var_tol
        if not ok:
            return Verdict(False, f"with {key}, the simulated marginal at t = 0 has mean {got[0]:.4f} and "
                           f"variance {got[1]:.4f}; p_0 has mean {m0:.4f} and variance 1 (tolerances "
                           f"{mean_tol:.3f}, {var_tol:.3f}: 5 standard errors + discretisation bias): the "
                           "drift or the diffusion does not keep p_t",
                           called=case.calls[key].show, got=f"mean {got[0]:.5f}, var {got[1]:.5f}",
                           expected=f"mean {m0:.5f}, var 1")  # a simulation singles out no term
    return Verdict(True, "simulating the reverse SDE from p_T recovers p_0 (lam = 0.5 and lam = -1)")


PROBES = (
    Probe("p7.numeric", "numeric drift and diffusion, lam = -1, 0, 0.5", "numeric", 4,
          "Numeric f(x, t) (depends on x and t), g(t), score(x, t) and float lam: drift and |diffusion| "
          "at 4 points, with float x and with an array x.",
          ("reverse_sde",), build_numeric((-1.0, 0.0, 0.5)), judge_numeric, tags={"inputs": "numbers"},
          catches="(1 - lam) for (1 - lam/2), g for g^2, a wrong sign, sqrt missing on the diffusion"),
    Probe("p7.ode", "lam = 1: the probability-flow ODE", "numeric", 2,
          "lam = 1: drift f - g^2 score / 2 and diffusion 0.",
          ("reverse_sde",), build_numeric((1.0,)), judge_numeric, tags={"inputs": "numbers"},
          catches="a diffusion that does not vanish at lam = 1, code that fails at lam = 1"),
    Probe("p7.symbolic", "symbolic lam", "symbolic", 3,
          "sympy f, g, score and lam a Symbol: drift(x, t) = f - (1 - lam/2) g^2 score and diffusion(t)^2 "
          "= (1 - lam) g^2 as expressions.",
          ("reverse_sde",), build_symbolic, judge_symbolic, rng_key="p7.sym", tags={"inputs": "sympy"},
          catches="math.sqrt / float() on lam (fails for a Symbol), numpy-only code"),
    Probe("p7.marginals", "keeps the marginals (reverse Fokker-Planck)", "property", 3,
          "For the Gaussian marginals p_t of dX = (-x + t) dt + sqrt(2 + 2t + 2t^2) dW, your drift and "
          "diffusion satisfy d_t p + d_x(drift p) + diffusion^2/2 d_xx p = 0 for every lam.",
          ("reverse_sde",), build_symbolic, judge_marginals, rng_key="p7.sym", tags={"inputs": "sympy"},
          catches="drift and diffusion that are each plausible but inconsistent with each other"),
    Probe("p7.simulation", "simulation recovers p_0", "property", 3,
          f"Euler-Maruyama with your callables from X_T ~ p_T down to t = 0 ({PARTICLES} particles, "
          f"{STEPS} steps, lam = 0.5 and -1): the sample mean and variance match p_0.",
          ("reverse_sde",), build_simulation, judge_simulation, tags={"inputs": "numbers"},
          catches="drift or diffusion that fail on arrays of particles, or that do not keep p_t"),
)

PROBLEM = Problem(
    number=7,
    cost=0.25,  # seconds to run and judge the reference: student calls 0.07 s (a simulation), judging 0.09 s
    title="The family of reverse-time SDEs",
    points=15,
    functions=(Function(
        "reverse_sde", "reverse_sde(f, g, score, lam) -> (drift, diffusion)",
        "drift(x, t) = f(x, t) - (1 - lam/2) g(t)^2 score(x, t); diffusion(t) = sqrt(1 - lam) g(t) "
        "(either sign). Called with numeric callables and float lam (x float or array), or with "
        "sympy callables and a Symbol lam."),),
    probes=PROBES,
    harness="problems.p7_reverse_sde.harness",
    statement=(Path(__file__).with_name("statement.md")).read_text(),
    mistakes=(
        "(1 - lam) instead of (1 - lam/2) in the drift: at lam = 1 the drift keeps half the score term.",
        "g instead of g^2 in front of the score.",
        "Using math.sqrt or float() on lam: lam may be a sympy Symbol; use sympy.sqrt or ** 0.5 "
        "appropriately (e.g. (1 - lam) ** sympy.Rational(1, 2) for symbols, np.sqrt for floats).",
    ),
    notes=("The drift and diffusion are those of the reverse-time SDE run from T down to 0; "
           "diffusion may take either sign.",),
    stubs='''def reverse_sde(f, g, score, lam):
    """Returns (drift, diffusion): callables drift(x, t) and diffusion(t)."""
    raise NotImplementedError
''',
)
