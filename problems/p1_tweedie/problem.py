"""Problem 1 — Tweedie's formula (15 points).

tweedie_mean: the prior p_X is a Gaussian mixture, so p_Y is one too and its score is exact;
the reference E[X | Y = y] is computed by Bayes' rule (responsibilities times each
component's Gaussian posterior mean), never by Tweedie's formula itself.
Tolerance: |got − ref| ≤ 1e-8·|ref| + 1e-10 elementwise (inputs are O(1); float64 rounding in
a 4×4 solve is ~1e-14).

score: the reference is sympy's diff of log p; comparison is layered (structure, values at 8
random points to 1e-8 relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sympy

from grader import wire
from grader.checks import Reject, all_pass, as_array, as_expr_list, numeric, symbolic
from grader.spec import Call, Case, Function, Probe, Problem, Verdict, show_call, show_value
from problems.p1_tweedie.harness import symbols

RTOL, ATOL = 1e-8, 1e-10


# --------------------------------------------------------------------------- tweedie_mean
def spd(rng: np.random.Generator, n: int, floor: float, full: bool = True) -> np.ndarray:
    """A random symmetric positive definite matrix, well conditioned, dense if `full`."""
    if not full:
        return np.diag(rng.uniform(0.3, 2.5, size=n))
    a = rng.normal(size=(n, n))
    return a @ a.T / n + floor * np.eye(n)


def posterior_mean(y: np.ndarray, sigma: np.ndarray, w: list, m: list, c: list) -> np.ndarray:
    """E[X | Y=y] for X ~ sum_k w_k N(m_k, C_k), Y = X + N(0, Sigma), by Bayes' rule."""
    logs, means = [], []
    for wk, mk, ck in zip(w, m, c):
        s = ck + sigma
        _, logdet = np.linalg.slogdet(s)
        logs.append(np.log(wk) - 0.5 * logdet - 0.5 * (y - mk) @ np.linalg.solve(s, y - mk))
        means.append(mk + ck @ np.linalg.solve(s, y - mk))
    r = np.exp(np.array(logs) - max(logs))
    r /= r.sum()
    return sum(rk * mk for rk, mk in zip(r, means))


def mixture_score(y: np.ndarray, w: list, m: list, s: list) -> np.ndarray:
    """Score of p_Y (for the diagnosis of wrong answers only)."""
    logs = [np.log(wk) - 0.5 * np.linalg.slogdet(sk)[1] - 0.5 * (y - mk) @ np.linalg.solve(sk, y - mk)
            for wk, mk, sk in zip(w, m, s)]
    r = np.exp(np.array(logs) - max(logs))
    r /= r.sum()
    return sum(rk * -np.linalg.solve(sk, y - mk) for rk, mk, sk in zip(r, m, s))


def tweedie_case(rng: np.random.Generator, n: int, components: int, full_sigma: bool) -> Case:
    sigma = spd(rng, n, 0.4, full_sigma)
    if n == 1:
        sigma = np.array([[rng.uniform(0.3, 0.8) ** 2 * rng.choice([1, 9])]])
    w = list(rng.dirichlet(np.ones(components) * 3))
    m = [rng.normal(scale=1.5, size=n) for _ in range(components)]
    c = [spd(rng, n, 0.3) for _ in range(components)]
    y = rng.normal(scale=1.5, size=n)
    s = [ck + sigma for ck in c]
    call = Call("tweedie_numeric", {"y": y.tolist(), "Sigma": sigma.tolist(), "weights": w,
                                    "means": [x.tolist() for x in m], "covs": [x.tolist() for x in s]},
                show_call("tweedie_mean", y=y, Sigma=sigma,
                          score=f"score of the Gaussian mixture p_Y (weights={show_value(np.array(w), 6)}, "
                                f"means={show_value(m, 6)}, covariances C_k + Sigma={show_value(s, 6)})"))
    g = mixture_score(y, w, m, s)
    wrong = {
        "Sigma^-1 used where Sigma belongs": y + np.linalg.solve(sigma, g),
        "sign flipped on the score term: y - Sigma score(y)": y - sigma @ g,
        "the y term is missing: only Sigma score(y)": sigma @ g,
        "Sigma ignored (the hint's Sigma = 1 case): y + score(y)": y + g,
        "only the diagonal of Sigma used (elementwise product)": y + np.diag(sigma) * g,
        "Sigma applied twice: y + Sigma Sigma score(y)": y + sigma @ sigma @ g,
    }
    root = np.linalg.cholesky(sigma)
    vals, vecs = np.linalg.eigh(sigma)
    for text, half in (("the Cholesky factor L (Sigma = L L^T)", root), ("its transpose L^T", root.T),
                       ("the symmetric square root Sigma^(1/2)", vecs @ np.diag(np.sqrt(vals)) @ vecs.T)):
        wrong.setdefault(f"a square root of Sigma, {text}, used where Sigma belongs", y + half @ g)
    terms = ({"y": y, "Sigma score(y)": sigma @ g}, {"y": 1.0, "Sigma score(y)": 1.0})
    return Case({"main": call}, {"expected": posterior_mean(y, sigma, w, m, c), "wrong": wrong, "n": n,
                                 "terms": terms})


def judge_tweedie(case: Case, values: dict) -> Verdict:
    got = as_array(values["main"], (case.data["n"],), "tweedie_mean's result")
    return numeric(got, case.data["expected"], rtol=RTOL, atol=ATOL, called=case.calls["main"].show,
                   alternatives=case.data["wrong"], what="E[X | Y=y]", terms=case.data["terms"])


def build_symbolic(rng: np.random.Generator) -> Case:
    n = 2
    y, g, s = symbols(n)
    show = ("tweedie_mean(y=ImmutableMatrix([y1, y2]), Sigma=Matrix([[s11, s12], [s12, s22]]), "
            "score=lambda y: ImmutableMatrix([g1, g2]))")

    def later() -> dict:  # computed in the judge worker (or once for a whole batch)
        Y, S, G = sympy.Matrix(y), sympy.Matrix(s), sympy.Matrix(g)
        return {"expected": Y + S * G, "wrong": {"sign flipped on the score term": Y - S * G,
                                                 "Sigma^-1 used where Sigma belongs": Y + S.inv() * G}}

    return Case({"main": Call("tweedie_symbolic", {"n": n}, show)},
                {"symbols": [*y, *g, *{x for r in s for x in r}], "seed": int(rng.integers(2**31))}, later=later)


def judge_symbolic(case: Case, values: dict) -> Verdict:
    got = values["main"]
    exp = case.data["expected"]
    domains = {sym: (-2.0, 2.0) for sym in case.data["symbols"]}
    return all_pass((symbolic(got[i, 0], exp[i, 0], domains=domains, called=case.calls["main"].show,
                              seed=case.data["seed"] + i, what=f"entry {i} of the result",
                              alternatives={k: w[i, 0] for k, w in case.data["wrong"].items()})
                     for i in range(exp.rows)), Verdict(True, "y + Sigma score(y), entry by entry"))


# --------------------------------------------------------------------------- score
X = [sympy.Symbol("x1", real=True), sympy.Symbol("x2", real=True)]


def score_case(rng: np.random.Generator, density: sympy.Expr, label: str) -> Case:
    call = Call("score_symbolic", {"p": wire.encode(density), "x": [wire.encode(xi) for xi in X]},
                f"score(p={sympy.sstr(density)}, x=[x1, x2])")

    def later() -> dict:  # computed in the judge worker (or once for a whole batch)
        expected = [sympy.diff(sympy.log(density), xi) for xi in X]
        return {"expected": expected, "wrong": lambda: {  # only for a wrong answer
            "returned grad p instead of grad log p": [[sympy.diff(density, xi) for xi in X]],
            "sign flipped (grad of -log p)": [[-e for e in expected]],
            REVERSED: [expected[::-1]],
        }}

    return Case({"main": call}, {"label": label, "seed": int(rng.integers(2**31))}, later=later)


def build_score_gaussian(rng: np.random.Generator) -> Case:
    a, c = (sympy.Rational(int(k), 4) for k in rng.integers(4, 12, size=2))
    b = sympy.Rational(int(rng.integers(1, 4)), 4)
    x1, x2 = X
    return score_case(rng, sympy.exp(-(a * x1**2 + 2 * b * x1 * x2 + c * x2**2) / 2), "gaussian")


def build_score_mixture(rng: np.random.Generator) -> Case:
    x1, x2 = X
    w = sympy.Rational(int(rng.integers(2, 8)), 10)
    m = sympy.Rational(int(rng.integers(3, 9)), 4)
    density = 5 * (w * sympy.exp(-(x1 - m) ** 2 / 2 - x2**2)
                   + (1 - w) * sympy.exp(-(x1 + x2) ** 2 / 2 - (x2 - sympy.Rational(1, 2)) ** 2))
    return score_case(rng, density, "mixture")


def judge_score(case: Case, values: dict) -> Verdict:
    got = as_expr_list(values["main"], 2, "score's result")
    domains = {xi: (-1.5, 1.5) for xi in X}
    return all_pass((symbolic(g, e, domains=domains, called=case.calls["main"].show, seed=case.data["seed"] + i,
                              what=f"component {i} (d/dx{i + 1} log p)",
                              alternatives=lambda i=i: _score_alternatives(case, got, domains, i))
                     for i, (g, e) in enumerate(zip(got, case.data["expected"]))),
                    Verdict(True, "matches d/dx_i log p for both components"))


REVERSED = "the components are in the wrong order"


def _score_alternatives(case: Case, got: list, domains: dict, i: int) -> dict:
    """Known wrong answers for component i; "wrong order" only if the whole list is the reversal."""
    wrong = {k: w[0][i] for k, w in case.data["wrong"]().items()}
    expected = case.data["expected"]
    try:
        permuted = all(symbolic(got[j], expected[len(expected) - 1 - j], domains=domains, called="",
                                seed=case.data["seed"] + 97 + j).passed for j in range(len(expected)))
    except Reject:  # another component is malformed: then it is no permutation either
        permuted = False
    if not permuted:
        wrong.pop(REVERSED, None)
    return wrong


def _tweedie(n: int, k: int, full: bool):
    return lambda rng: tweedie_case(rng, n, k, full)


PROBES = (
    Probe("p1.tweedie.scalar", "scalar case, n = 1, Sigma != 1", "numeric", 2,
          "n = 1 with a Gaussian prior and Sigma = [[s^2]], s != 1: the hint's case with the noise "
          "scale kept; compared with the posterior mean from Bayes' rule.",
          ("tweedie_mean",), _tweedie(1, 1, True), judge_tweedie, tags={"Sigma": "[[s^2]] (n = 1)"},
          catches="Sigma dropped (hint's Sigma = 1), Sigma^-1, sign errors"),
    Probe("p1.tweedie.diagonal", "diagonal Sigma, mixture prior (n = 3)", "numeric", 2,
          "n = 3, diagonal Sigma with unequal entries, a two-component Gaussian-mixture prior "
          "(so X is not Gaussian).",
          ("tweedie_mean",), _tweedie(3, 2, False), judge_tweedie, tags={"Sigma": "diagonal"},
          catches="code that only works for n = 1 (Sigma[0, 0] * score)"),
    Probe("p1.tweedie.full", "full Sigma, mixture prior (n = 4)", "numeric", 3,
          "n = 4, a dense symmetric positive definite Sigma and a three-component mixture prior.",
          ("tweedie_mean",), _tweedie(4, 3, True), judge_tweedie, tags={"Sigma": "full"},
          catches="only the diagonal of Sigma used (np.diag(Sigma) * score)"),
    Probe("p1.tweedie.symbolic", "symbolic Sigma and score", "symbolic", 2,
          "y, score(y) sympy column matrices, Sigma a symbolic symmetric 2x2 Matrix: the result "
          "must equal y + Sigma score(y) exactly.",
          ("tweedie_mean",), build_symbolic, judge_symbolic, tags={"Sigma": "symbolic"},
          catches="float conversion of the inputs, a row-vector product score(y) @ Sigma"),
    Probe("p1.score.gaussian", "score of an unnormalised Gaussian (d = 2)", "symbolic", 3,
          "p = exp(-x^T A x / 2) with a correlated A: compares [d/dx_i log p] with sympy's.",
          ("score",), build_score_gaussian, judge_score,
          catches="grad p instead of grad log p, sign errors"),
    Probe("p1.score.mixture", "score of an unnormalised mixture (d = 2)", "symbolic", 3,
          "p = 5 (w N1 + (1-w) N2) unnormalised, not Gaussian: each component must be d/dx_i log p "
          "(constants drop out).",
          ("score",), build_score_mixture, judge_score,
          catches="assuming p is Gaussian (-A x from the Hessian), components in the wrong order"),
)

PROBLEM = Problem(
    number=1,
    title="Tweedie's formula",
    points=15,
    functions=(
        Function("tweedie_mean", "tweedie_mean(y, Sigma, score) -> (n,) array",
                 "E[X | Y = y] = y + Sigma grad log p_Y(y) for Y = X + Z, Z ~ N(0, Sigma); score(y) "
                 "returns grad log p_Y(y). Also called with sympy column matrices (use + and @)."),
        Function("score", "score(p, x) -> list of sympy expressions",
                 "[d/dx_i log p for each i] for a sympy density p (possibly unnormalised) in the "
                 "Symbols x."),
    ),
    probes=PROBES,
    harness="problems.p1_tweedie.harness",
    statement=(Path(__file__).with_name("statement.md")).read_text(),
    mistakes=(
        "Using Sigma^-1 instead of Sigma (E[X|Y] = Y + Sigma grad log p_Y(Y)).",
        "Dropping Sigma because the hint's scalar case has Sigma = 1.",
        "Multiplying by the diagonal of Sigma elementwise instead of the matrix product.",
        "Returning grad p instead of grad log p = grad p / p in score().",
        "Converting inputs to float arrays: tweedie_mean must also work on sympy matrices.",
    ),
    stubs='''def tweedie_mean(y, Sigma, score):
    """E[X | Y = y] for Y = X + Z, Z ~ N(0, Sigma): returns an (n,) array (or sympy Matrix)."""
    raise NotImplementedError


def score(p, x):
    """[d/dx_i log p for each i] as a list of sympy expressions."""
    raise NotImplementedError
''',
)
