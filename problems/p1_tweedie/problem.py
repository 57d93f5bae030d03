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

import dataclasses
from pathlib import Path

import numpy as np
import sympy

from grader import wire
from grader.checks import Reject, all_pass, as_array, as_expr_list, numeric, ratio_text, symbolic, value_at
from grader.spec import Call, Case, Function, Probe, Problem, Verdict, show_call, show_value
from problems.p1_tweedie.harness import symbols

RTOL, ATOL = 1e-8, 1e-10
SIGN = "sign flipped on the score term: y - Sigma score(y), the correction subtracted where it is added"


# --------------------------------------------------------------------------- tweedie_mean
SIGMA_IGNORED = "Sigma ignored (the hint's Sigma = 1 case): y + score(y)"
SIGMA_MISTAKES = {  # what a student multiplies score(y) by where Sigma belongs (numeric and symbolic probes)
    "Sigma^-1 used where Sigma belongs": np.linalg.inv,
    SIGN: lambda S: -S,
    SIGMA_IGNORED: lambda S: np.eye(len(S)),
    "only the diagonal of Sigma used (elementwise product)": lambda S: np.diag(np.diag(S)),
    "Sigma applied twice: y + Sigma Sigma score(y)": lambda S: S @ S,
    "Sigma replaced by its trace: y + tr(Sigma) score(y) where the matrix Sigma belongs":
        lambda S: np.trace(S) * np.eye(len(S)),
    "Sigma replaced by the mean of its diagonal, tr(Sigma)/n": lambda S: np.trace(S) / len(S) * np.eye(len(S)),
    "Sigma[0, 0] used as a scalar variance for every coordinate": lambda S: S[0, 0] * np.eye(len(S)),
    "det(Sigma) used as a scalar in place of the matrix Sigma": lambda S: np.linalg.det(S) * np.eye(len(S)),
    "component i got (sum_j Sigma_ij) score_i, the row sum of Sigma times score_i: in the loop, "
    "Sigma[i][j] must multiply score_j, not score_i": lambda S: np.diag(S.sum(axis=1)),
    "only the lower triangle of Sigma used: component i sums Sigma_ij score_j over j <= i only, "
    "where the sum runs over every j": np.tril,
    "only the upper triangle of Sigma used: component i sums Sigma_ij score_j over j >= i only, "
    "where the sum runs over every j": np.triu,
    "column 0 of Sigma left out: the sum over j starts at 1 (range(1, n)) where it runs over every j from 0":
        lambda S: np.column_stack([0 * S[:, 0], S[:, 1:]]),
    "the last column of Sigma left out: the sum over j stops at n - 2 (range(n - 1)) where it runs to n - 1":
        lambda S: np.column_stack([S[:, :-1], 0 * S[:, -1]]),
    "the diagonal of Sigma left out: component i sums Sigma_ij score_j over j != i only":
        lambda S: S - np.diag(np.diag(S)),
}
SIGMA_INV_MEAN = ("Sigma^-1 y + score(y) returned: that is Sigma^-1 E[X|Y] (the gradient of log p_Y(y) + "
                  "y^T Sigma^-1 y / 2); multiply it by Sigma: E[X|Y] = y + Sigma score(y)")
FACTORED = "Sigma multiplies y too: Sigma (y + score(y)) where y + Sigma score(y) belongs"
SIGMA_ON_Y = "Sigma multiplies y instead of score(y): Sigma y + score(y) where y + Sigma score(y) belongs"


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
    # a wrong matrix that is 0 or Sigma itself here (the triangles of a 1 x 1 Sigma) names nothing
    wrong = {text: y + m @ g for text, instead in SIGMA_MISTAKES.items()
             for m in [instead(sigma)] if not np.allclose(m, 0) and not np.allclose(m, sigma)}
    wrong["the score term is missing: y + Sigma score(y) returned as y"] = y
    wrong["the y term is missing: only Sigma score(y)"] = sigma @ g
    wrong[FACTORED] = sigma @ (y + g)
    wrong[SIGMA_INV_MEAN] = np.linalg.solve(sigma, y) + g
    if n > 1:  # out = y, then out[i] += ...: each row sees the rows above it already updated
        z = y.copy()
        for i in range(n):
            z[i] += (sigma @ mixture_score(z, w, m, s))[i]
        wrong["y was overwritten while it was still being read: out = y is the same array, not a copy, so row i "
              "used score() of a y whose rows above i were already updated (build a new array, or y.copy())"] = z
    wrong[SIGMA_ON_Y] = sigma @ y + g
    root = np.linalg.cholesky(sigma)
    vals, vecs = np.linalg.eigh(sigma)
    for text, half in (("the Cholesky factor L (Sigma = L L^T)", root), ("its transpose L^T", root.T),
                       ("the symmetric square root Sigma^(1/2)", vecs @ np.diag(np.sqrt(vals)) @ vecs.T)):
        wrong.setdefault(f"a square root of Sigma, {text}, used where Sigma belongs", y + half @ g)
    terms = ({"y": y, "Sigma score(y)": sigma @ g}, {"y": 1.0, "Sigma score(y)": 1.0})
    return Case({"main": call}, {"expected": posterior_mean(y, sigma, w, m, c), "wrong": wrong, "n": n,
                                 "terms": terms, "broadcast": [y + sigma * g, y + sigma * g[:, None],
                                                               y[:, None] + sigma * g[:, None]]})


def judge_tweedie(case: Case, values: dict) -> Verdict:
    n = case.data["n"]
    raw = np.asarray(values["main"], dtype=object)
    if n > 1 and raw.shape == (n, n):  # Sigma * score(y): numpy broadcasts instead of a matrix product
        got = as_array(values["main"], (n, n), "tweedie_mean's result")
        if any(np.allclose(got, b, rtol=1e-9, atol=1e-12) for b in case.data["broadcast"]):
            return Verdict(False, f"tweedie_mean's result has shape {got.shape}, expected ({n},)",
                           called=case.calls["main"].show, mistake="Sigma * score(y) is numpy's elementwise "
                           f"(broadcast) product, a ({n}, {n}) array here: the matrix product is Sigma @ score(y)")
    got = as_array(values["main"], (n,), "tweedie_mean's result")
    return numeric(got, case.data["expected"], rtol=RTOL, atol=ATOL, called=case.calls["main"].show,
                   alternatives=case.data["wrong"], what="E[X | Y=y]", terms=case.data["terms"])


def build_symbolic(rng: np.random.Generator) -> Case:
    n = 2
    y, g, s = symbols(n)
    show = ("tweedie_mean(y=ImmutableMatrix([y1, y2]), Sigma=Matrix([[s11, s12], [s12, s22]]), "
            "score=lambda y: ImmutableMatrix([g1, g2]))")

    def later() -> dict:  # computed in the judge worker (or once for a whole batch)
        Y, S, G = sympy.Matrix(y), sympy.Matrix(s), sympy.Matrix(g)
        return {"expected": Y + S * G, "wrong": {SIGN: Y - S * G, "Sigma^-1 used where Sigma belongs": Y + S.inv() * G}}

    return Case({"main": Call("tweedie_symbolic", {"n": n}, show)},
                {"symbols": [*y, *g, *{x for r in s for x in r}], "seed": int(rng.integers(2**31))}, later=later)


def judge_symbolic(case: Case, values: dict) -> Verdict:
    got = values["main"]
    exp = case.data["expected"]
    domains = {sym: (-2.0, 2.0) for sym in case.data["symbols"]}
    v = all_pass((symbolic(got[i, 0], exp[i, 0], domains=domains, called=case.calls["main"].show,
                           seed=case.data["seed"] + i, what=f"entry {i} of the result",
                           alternatives={k: w[i, 0] for k, w in case.data["wrong"].items()})
                  for i in range(exp.rows)), Verdict(True, "y + Sigma score(y), entry by entry"))
    if v.passed or v.mistake:
        return v
    mistake, seen = structure(got, case.data["seed"])
    return dataclasses.replace(v, mistake=mistake, message=v.message + (f" — {seen}" if seen else ""))


def structure(got: sympy.Matrix, seed: int, n: int = 2) -> tuple[str, str]:
    """(mistake, observation) read off the student's symbolic result. It is A y + M score(y) + r
    (checked at random points; nothing is said when it is not affine in y and score(y)); A must be
    the identity, M must be Sigma, r must be 0. A part equal to a known wrong matrix (Sigma^-1,
    tr(Sigma) I, ...) or to a multiple of the right one is a named mistake; any other M is only
    an observation: its value at one point beside Sigma's."""
    y, g, sg = symbols(n)
    s_syms = sorted({x for row in sg for x in row}, key=lambda x: x.name)
    rng = np.random.default_rng(seed + 31)
    parts_at = []
    for _ in range(2):
        sv = {x: float(rng.uniform(-2.0, 2.0)) for x in s_syms}

        def at(yv, gv, sv=sv) -> np.ndarray | None:
            point = {**sv, **dict(zip(y, yv)), **dict(zip(g, gv))}
            vals = [value_at(got[i, 0], point) for i in range(n)]
            if any(v is None or abs(v.imag) > 1e-12 for v in vals):
                return None
            return np.array([v.real for v in vals])

        zero = np.zeros(n)
        r = at(zero, zero)
        cols_a = [at(e, zero) for e in np.eye(n)]
        cols_m = [at(zero, e) for e in np.eye(n)]
        yv, gv = rng.uniform(-2.0, 2.0, size=n), rng.uniform(-2.0, 2.0, size=n)
        probe = at(yv, gv)
        if r is None or probe is None or any(c is None for c in cols_a + cols_m):
            return "", ""
        A = np.column_stack([c - r for c in cols_a])
        M = np.column_stack([c - r for c in cols_m])
        if not np.allclose(A @ yv + M @ gv + r, probe, rtol=1e-8, atol=1e-10):
            return "", ""  # not affine in y and score(y): no structure to read off
        parts_at.append((np.array([[sv[x] for x in row] for row in sg]), A, M, r))
    sigmas, As, Ms, rs = (list(t) for t in zip(*parts_at))
    found = [_name_part("y", As, [np.eye(n)] * 2, {"the y term is missing": [0 * a for a in As],
                                                   "the y term has the wrong sign": [-np.eye(n)] * 2}),
             _name_part("Sigma score(y)", Ms, sigmas,
                        {**{text: [instead(x) for x in sigmas] for text, instead in SIGMA_MISTAKES.items()},
                         "the score term is missing: Sigma score(y) must be added to y": [0 * x for x in sigmas]})]
    if found[0][1] and _close(As, sigmas):  # A = Sigma, and M = Sigma or M = I
        if found[1] == ("", ""):
            found = [(FACTORED, ""), ("", "")]
        elif found[1][0] == SIGMA_IGNORED:
            found = [(SIGMA_ON_Y, ""), ("", "")]
    if found[0][1] and found[1][0] == SIGMA_IGNORED and _close(As, [np.linalg.inv(x) for x in sigmas]):
        found = [(SIGMA_INV_MEAN, ""), ("", "")]
    if found[0][1] and found[1][0]:  # a known M beside an A that is wrong: the M's formula is not the answer
        found = [found[0], ("", f"the Sigma score(y) part is what this gives: {found[1][0]}")]
    named = [t for t, _ in found if t]
    seen = [t for _, t in found if t]
    if not all(np.allclose(r, 0, atol=1e-10) for r in rs):
        seen.append("there is a term that depends on neither y nor score(y) (with y = 0 and score = 0 your "
                    f"result is {show_value(rs[0], 6)}, not 0)")
    if seen:
        seen.insert(0, f"at Sigma = {_mat(sigmas[0])} your result is A y + M score(y) + r with "
                       f"A = {_mat(As[0])}, M = {_mat(Ms[0])} (A must be I, M must be Sigma, r must be 0)")
    return "; ".join(named), "; ".join(seen)


def _close(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(np.allclose(x, w, rtol=1e-7, atol=1e-9) for x, w in zip(a, b))


def _name_part(term: str, got: list[np.ndarray], want: list[np.ndarray], alternatives: dict) -> tuple[str, str]:
    """(named, observed) for one part: nothing when `got` is `want` at every point; the known
    mistake it equals, or a constant multiple of `want`, as named; else that it differs, observed."""
    close = _close
    if close(got, want):
        return "", ""
    for text, alt in alternatives.items():
        if close(got, alt):
            return text, ""
    big = np.abs(want[0]) > 1e-9
    c = float((got[0][big] / want[0][big])[0]) if big.any() else 0.0
    if abs(c) > 1e-9 and close(got, [c * w for w in want]):
        return f"the {term} term is {c:.6g} times what it should be (a factor {ratio_text(c)})", ""
    return "", f"the {term} term is not right"


def _mat(a: np.ndarray) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{x:.4g}" for x in row) + "]" for row in a) + "]"


# --------------------------------------------------------------------------- score
X = [sympy.Symbol("x1", real=True), sympy.Symbol("x2", real=True)]


def score_case(rng: np.random.Generator, density: sympy.Expr, label: str) -> Case:
    call = Call("score_symbolic", {"p": wire.encode(density), "x": [wire.encode(xi) for xi in X]},
                f"score(p={sympy.sstr(density)}, x=[x1, x2])")

    def later() -> dict:  # computed in the judge worker (or once for a whole batch)
        expected = [sympy.diff(sympy.log(density), xi) for xi in X]
        return {"expected": expected, "wrong": lambda: score_mistakes(density, expected)}

    return Case({"main": call}, {"label": label, "seed": int(rng.integers(2**31))}, later=later)


def score_mistakes(density: sympy.Expr, expected: list[sympy.Expr]) -> dict[str, list[list[sympy.Expr]]]:
    """Known wrong scores, each as the list a student returns (only computed for a wrong answer)."""
    logp = sympy.log(density)
    n = len(X)
    out = {
        "returned grad p instead of grad log p": [[sympy.diff(density, xi) for xi in X]],
        "sign flipped (grad of -log p)": [[-e for e in expected]],
        REVERSED: [expected[::-1]],
        "second derivatives d^2/dx_i^2 log p returned instead of the first derivatives d/dx_i log p":
            [[sympy.diff(logp, xi, 2) for xi in X]],
        "grad p / p^2 (divided by p twice) instead of grad p / p": [[sympy.diff(density, xi) / density**2
                                                                     for xi in X]],
        "log of grad p, log(d/dx_i p), instead of d/dx_i log p": [[sympy.log(sympy.diff(density, xi))
                                                                   for xi in X]],
        "every component is the sum over i of d/dx_i log p": [[sum(expected)] * n],
    }
    parts = sympy.Add.make_args(sympy.expand(density))
    if len(parts) > 1:  # log(a + b) taken as log a + log b
        out["log of a sum taken term by term: log(a + b) = log a + log b is false; the score is d/dx_i of log p "
            "for the whole p"] = [[sum(sympy.diff(sympy.log(q), xi) for q in parts) for xi in X]]
    for j, xj in enumerate(X):
        out[f"every component differentiated with respect to {xj} = x[{j}] (the loop variable is not used)"] = [
            [expected[j]] * n]
    return out


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
    domains = {xi: (-1.5, 1.5) for xi in X}
    try:
        got = as_expr_list(values["main"], 2, "score's result")
    except Reject as err:
        raise Reject(str(err), mistake=_missing_component(case, values["main"], domains)) from None
    return all_pass((symbolic(g, e, domains=domains, called=case.calls["main"].show, seed=case.data["seed"] + i,
                              what=f"component {i} (d/dx{i + 1} log p)",
                              alternatives=lambda i=i: _score_alternatives(case, got, domains, i))
                     for i, (g, e) in enumerate(zip(got, case.data["expected"]))),
                    Verdict(True, "matches d/dx_i log p for both components"))


def _missing_component(case: Case, value: object, domains: dict) -> str:
    """A list one short that is the right list without its last (or first) component."""
    try:
        got = as_expr_list(value, len(X) - 1)
    except Reject:
        return ""
    expected = case.data["expected"]
    for kept, text in ((expected[:-1], "the last component is missing: the loop stops one short (range(len(x) - 1)); "
                                       "the score has one component per variable"),
                       (expected[1:], "the first component is missing: the loop starts at 1; the score has one "
                                      "component per variable")):
        if all(symbolic(g, e, domains=domains, called="", seed=case.data["seed"] + 53 + j).passed
               for j, (g, e) in enumerate(zip(got, kept))):
            return text
    return ""


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
