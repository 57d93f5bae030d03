"""Problem 2 — KL divergence between isotropic Gaussians (10 points).

Reference: the general multivariate-normal formula
    KL = ½ [ tr(Σ₁⁻¹Σ₀) + (μ₁−μ₀)ᵀ Σ₁⁻¹ (μ₁−μ₀) − d + log(det Σ₁ / det Σ₀) ]
with Σᵢ = σᵢ² I built as matrices, so it never reuses the formula the student is asked to show;
and, for the property probe, a Monte Carlo estimate with a tolerance from its standard error.
Tolerance (numeric probes): |got − ref| ≤ 1e-9·|ref| + 1e-10; inputs keep σ₀/σ₁ away from 1 so
the reference is O(1) and float64 rounding (≈1e-15) is far inside it. Each numeric probe makes
five calls: one wrong scalar says nothing about which term is wrong, five let the coefficient of
each term be fitted (grader.checks.term_fit) when no known mistake matches.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from grader.checks import as_float, numeric
from grader.spec import Call, Case, Function, Probe, Problem, Verdict, show_call

RTOL, ATOL = 1e-9, 1e-10
MC_SAMPLES = 400_000


def reference(mu0: np.ndarray, s0: float, mu1: np.ndarray, s1: float) -> float:
    """General Gaussian KL with full covariance matrices (independent of the closed form)."""
    d = mu0.size
    cov0, cov1 = s0**2 * np.eye(d), s1**2 * np.eye(d)
    diff = mu1 - mu0
    _, logdet0 = np.linalg.slogdet(cov0)
    _, logdet1 = np.linalg.slogdet(cov1)
    trace = np.trace(np.linalg.solve(cov1, cov0))
    return 0.5 * (trace + diff @ np.linalg.solve(cov1, diff) - d + logdet1 - logdet0)


def terms(mu0: np.ndarray, s0: float, mu1: np.ndarray, s1: float) -> tuple[float, float, float]:
    """The three terms of the closed form (for diagnosis only; the reference is `reference`)."""
    d, sq = mu0.size, float(np.sum((mu1 - mu0) ** 2))
    return sq / (2 * s1**2), d * (s0**2 / s1**2 - 1) / 2, d * np.log(s1 / s0)


def wrong_answers(mu0: np.ndarray, s0: float, mu1: np.ndarray, s1: float) -> dict[str, float]:
    """Realistic mistakes, each a formula a student might write (for diagnosis)."""
    d, diff = mu0.size, mu1 - mu0
    sq = float(diff @ diff)
    mean, ratio, log = terms(mu0, s0, mu1, s1)
    return {
        "arguments swapped: this is D_KL(N1 || N0)": reference(mu1, s1, mu0, s0),
        "the log term is missing its factor d": mean + ratio + np.log(s1 / s0),
        "the variance-ratio term is missing its factor d": mean + (s0**2 / s1**2 - 1) / 2 + log,
        "d is 1 in your code: both d-terms are missing their factor d (np.ndim(mu0) is 1 for any vector; "
        "the dimension is mu0.size)": mean + (s0**2 / s1**2 - 1) / 2 + np.log(s1 / s0),
        "sigma0/sigma1 used where sigma0^2/sigma1^2 belongs": mean + d * (s0 / s1 - 1) / 2 + log,
        "log term has the wrong sign: log(sigma0/sigma1)": mean + ratio - log,
        "mean term divided by 2 sigma0^2 instead of 2 sigma1^2": sq / (2 * s0**2) + ratio + log,
        "the norm is not squared": np.sqrt(sq) / (2 * s1**2) + ratio + log,
        "the square of the sum (sum_i (mu1 - mu0)_i)^2 used where the sum of squares ||mu1 - mu0||^2 "
        "belongs": float(diff.sum()) ** 2 / (2 * s1**2) + ratio + log,
        "||mu1||^2 - ||mu0||^2 (a difference of squares) used where ||mu1 - mu0||^2, the square of the "
        "difference, belongs": float(mu1 @ mu1 - mu0 @ mu0) / (2 * s1**2) + ratio + log,
        "the mean of the squares (||mu1 - mu0||^2 / d) used where their sum belongs":
            sq / d / (2 * s1**2) + ratio + log,
        "the -1 in (sigma0^2/sigma1^2 - 1) is missing": mean + d * s0**2 / s1**2 / 2 + log,
        "log(sigma1^2/sigma0^2) used without the 1/2": mean + ratio + 2 * log,
        "the mean term divided by 2 sigma1 instead of 2 sigma1^2": sq / (2 * s1) + ratio + log,
        "sigma1^2/sigma0^2 used where sigma0^2/sigma1^2 belongs": mean + d * (s1**2 / s0**2 - 1) / 2 + log,
        "the mean term multiplied by d (d/2 factored out of all three terms): ||mu1 - mu0||^2 already sums "
        "over the d coordinates": d * mean + ratio + log,
        "the cross-entropy E_p0[-log p1] returned: the entropy of p0, d/2 log(2 pi e sigma0^2), is not subtracted "
        "(KL = cross-entropy - entropy)": reference(mu0, s0, mu1, s1) + d / 2 * np.log(2 * np.pi * np.e * s0**2),
        "-1 where -d belongs in the general formula 1/2 [tr(...) + ... - d + log det(...)]: the variance-ratio term "
        "is (d sigma0^2/sigma1^2 - 1)/2 here": mean + (d * s0**2 / s1**2 - 1) / 2 + log,
        "only the first coordinate enters ||mu1 - mu0||^2 (a return inside the loop over coordinates?)":
            float(diff[0] ** 2) / (2 * s1**2) + ratio + log,
        "the mean term divided by 2 (sigma0^2 + sigma1^2) where 2 sigma1^2 belongs":
            sq / (2 * (s0**2 + s1**2)) + ratio + log,
        "(sigma0^2 - sigma1^2) d/2 not divided by sigma1^2: the term is d (sigma0^2/sigma1^2 - 1)/2":
            mean + (s0**2 - s1**2) * d / 2 + log,
        # the right formula at inputs read the wrong way
        "sigma0 and sigma1 swapped (the means in their places): this is the KL with sigma1 as the "
        "first scale": reference(mu0, s1, mu1, s0),
        "the sigmas treated as variances: sigma_i used where sigma_i^2 belongs (sigma0, sigma1 are "
        "standard deviations)": reference(mu0, np.sqrt(s0), mu1, np.sqrt(s1)),
        "the sigmas squared twice: sigma_i^2 used where sigma_i belongs (sigma0, sigma1 are already "
        "standard deviations)": reference(mu0, s0**2, mu1, s1**2),
        # operator precedence in the log term and the mean term
        "d log(sigma1) / sigma0: the division by sigma0 is outside the log, where log(sigma1/sigma0) "
        "belongs": mean + ratio + d * np.log(s1) / s0,
        "d log(sigma1) - log(sigma0): the factor d multiplies only the first log, where "
        "d (log sigma1 - log sigma0) belongs": mean + ratio + d * np.log(s1) - np.log(s0),
        "log(sigma1) - d log(sigma0): the factor d multiplies only the second log, where "
        "d (log sigma1 - log sigma0) belongs": mean + ratio + np.log(s1) - d * np.log(s0),
        "log(sigma1)/log(sigma0) used where log(sigma1/sigma0) = log sigma1 - log sigma0 belongs":
            mean + ratio + d * np.log(s1) / np.log(s0),
        "||mu1 - mu0||^2 / 2 * sigma1^2: the mean term multiplied by sigma1^2 where it is divided by "
        "2 sigma1^2 (write / (2 * sigma1**2))": sq / 2 * s1**2 + ratio + log,
        "sigma0^2 / sigma1^2 - 1 / 2 (the 1/2 applies to the 1 alone): write (sigma0^2/sigma1^2 - 1) / 2":
            mean + d * (s0**2 / s1**2 - 0.5) + log,
        **_one_term_off(mean, ratio, log),
    }


TERMS = ("the mean term ||mu1 - mu0||^2/(2 sigma1^2)", "the term d (sigma0^2/sigma1^2 - 1)/2",
         "the term d log(sigma1/sigma0)")
FIT_NAMES = ("||mu1 - mu0||^2/(2 sigma1^2)", "d (sigma0^2/sigma1^2 - 1)/2", "d log(sigma1/sigma0)")


def _one_term_off(*terms: float) -> dict[str, float]:
    """Each term of the formula missing, doubled, halved or negated, the others right."""
    total = sum(terms)
    out = {}
    for name, t in zip(TERMS, terms):
        for how, factor in (("is missing", 0.0), ("is twice what it should be (its 1/2 missing?)", 2.0),
                            ("is half what it should be", 0.5), ("has the wrong sign", -1.0)):
            out.setdefault(f"{name} {how}", total + (factor - 1) * t)
    return out


CALLS = 5  # inputs per numeric probe: one scalar names no term; 5 let 3 terms' coefficients be fitted


def _case(draw, **extra: object) -> Case:
    """CALLS calls with inputs from `draw()`; the data: their references, each known mistake's
    values and the terms' values (which term has the wrong coefficient, when no mistake matches)."""
    inputs = [draw() for _ in range(CALLS)]
    calls = {f"kl{i}": Call("kl", {"mu0": mu0.tolist(), "sigma0": s0, "mu1": mu1.tolist(), "sigma1": s1},
                            show_call("kl_gaussian", mu0=mu0, sigma0=s0, mu1=mu1, sigma1=s1))
             for i, (mu0, s0, mu1, s1) in enumerate(inputs)}
    wrong = [wrong_answers(*x) for x in inputs]
    values = np.array([terms(*x) for x in inputs])
    live = [k for k in range(3) if np.any(np.abs(values[:, k]) > 1e-12)]  # a probe may zero a term
    data = {"expected": np.array([reference(*x) for x in inputs]),
            "wrong": {name: np.array([w[name] for w in wrong]) for name in wrong[0]},
            "terms": ({FIT_NAMES[k]: values[:, k] for k in live}, {FIT_NAMES[k]: 1.0 for k in live})}
    return Case(calls, {**data, **extra})


def _scale_pair(rng: np.random.Generator) -> tuple[float, float]:
    s1 = float(rng.uniform(0.6, 1.6))
    ratio = float(rng.uniform(1.5, 3.0)) ** rng.choice([-1, 1])
    return s1 * ratio, s1


def build_means(rng: np.random.Generator) -> Case:
    def draw():
        s = float(rng.uniform(0.5, 2.0))
        return rng.normal(size=3), s, rng.normal(size=3), s
    return _case(draw)


def build_scales(rng: np.random.Generator) -> Case:
    def draw():
        mu = rng.normal(size=4)
        s0, s1 = _scale_pair(rng)
        return mu, s0, mu.copy(), s1
    return _case(draw)


def build_general(rng: np.random.Generator) -> Case:
    def draw():
        s0, s1 = _scale_pair(rng)
        return rng.normal(size=5), s0, rng.normal(size=5), s1
    return _case(draw)


def build_monte_carlo(rng: np.random.Generator) -> Case:
    """d = 1, equal means; the reference is a Monte Carlo average of log p0(x) - log p1(x), x ~ N0."""
    s0, s1 = _scale_pair(rng)
    mu0 = rng.normal(size=1)
    mu1 = mu0.copy()
    sample_seed = int(rng.integers(2**63))

    def later() -> dict:  # the samples are drawn in the judge worker (or once for a whole batch)
        x = mu0 + s0 * np.random.default_rng(sample_seed).standard_normal(MC_SAMPLES)
        logratio = (-(x - mu0) ** 2 / (2 * s0**2) - np.log(s0)) - (-(x - mu1) ** 2 / (2 * s1**2) - np.log(s1))
        return {"expected": float(logratio.mean()), "se": float(logratio.std(ddof=1) / np.sqrt(MC_SAMPLES))}

    call = Call("kl", {"mu0": mu0.tolist(), "sigma0": s0, "mu1": mu1.tolist(), "sigma1": s1},
                show_call("kl_gaussian", mu0=mu0, sigma0=s0, mu1=mu1, sigma1=s1))
    return Case({"kl": call}, {"wrong": wrong_answers(mu0, s0, mu1, s1)}, later=later)


def judge_exact(case: Case, values: dict) -> Verdict:
    """The CALLS results as one vector (entry i: call kl{i}), so a term's coefficient can be fitted."""
    keys = sorted(values, key=lambda k: int(k[2:]))
    got = np.array([as_float(values[k], f"kl_gaussian's result (call {i})") for i, k in enumerate(keys)])
    expected = case.data["expected"]
    bad = np.abs(got - expected) > ATOL + RTOL * np.abs(expected)
    shown = "; ".join(f"[{i}] {case.calls[k].show}" for i, k in enumerate(keys) if bad[i] or not bad.any())
    return numeric(got, expected, rtol=RTOL, atol=ATOL, called=shown, alternatives=case.data["wrong"],
                   what=f"kl_gaussian's results (entry i: call [i], of {len(keys)})", terms=case.data["terms"])


def judge_monte_carlo(case: Case, values: dict) -> Verdict:
    """Within 5 standard errors of the Monte Carlo estimate (false alarm rate < 1e-6)."""
    got = as_float(values["kl"], "kl_gaussian's result")
    tol = 5 * case.data["se"]
    verdict = numeric(got, case.data["expected"], rtol=0.0, atol=tol,
                      called=case.calls["kl"].show, alternatives=case.data["wrong"])
    if verdict.passed:
        return Verdict(True, f"agrees with a {MC_SAMPLES}-sample Monte Carlo estimate "
                             f"(within 5 standard errors, {tol:.1e})")
    return verdict


PROBES = (
    Probe("p2.means", "different means, equal scales (d = 3)", "numeric", 3,
          "sigma0 = sigma1 and mu0 != mu1, five inputs: only the mean term ||mu1-mu0||^2/(2 sigma1^2) "
          "is non-zero, so this isolates it.",
          ("kl_gaussian",), build_means, judge_exact, tags={"terms": "the mean term alone"},
          catches="a wrong mean term: norm not squared, a missing 1/2"),
    Probe("p2.scales", "equal means, different scales (d = 4)", "numeric", 3,
          "mu0 = mu1 and sigma0 != sigma1, five inputs: isolates d(sigma0^2/sigma1^2 - 1)/2 + "
          "d log(sigma1/sigma0); across the inputs each term's coefficient is fitted to name a wrong one.",
          ("kl_gaussian",), build_scales, judge_exact, tags={"terms": "the scale terms alone"},
          catches="a missing factor d, sigma instead of sigma^2, the log term's sign"),
    Probe("p2.general", "everything differs (d = 5)", "numeric", 2,
          "All terms at once, five inputs, against the general multivariate formula.",
          ("kl_gaussian",), build_general, judge_exact, tags={"terms": "all terms"},
          catches="the mean term scaled by sigma0 instead of sigma1; swapped arguments"),
    Probe("p2.monte_carlo", "one dimension, against Monte Carlo", "property", 2,
          "d = 1 (arrays of shape (1,)), equal means: the value is within 5 standard errors of a "
          f"{MC_SAMPLES}-sample Monte Carlo estimate of E[log p0(X) - log p1(X)], X ~ N0.",
          ("kl_gaussian",), build_monte_carlo, judge_monte_carlo,
          catches="code that breaks for d = 1 (squeezing to a scalar, len() of a 0-d array)"),
)

PROBLEM = Problem(
    number=2,
    title="KL divergence between isotropic Gaussians",
    points=10,
    functions=(Function(
        "kl_gaussian", "kl_gaussian(mu0, sigma0, mu1, sigma1) -> float",
        "D_KL( N(mu0, sigma0^2 I) || N(mu1, sigma1^2 I) ); mu0, mu1: (d,) arrays; "
        "sigma0, sigma1: positive floats."),),
    probes=PROBES,
    harness="problems.p2_kl.harness",
    statement=(Path(__file__).with_name("statement.md")).read_text(),
    mistakes=(
        "Swapping the arguments: D_KL is not symmetric; the mean term is divided by sigma1^2.",
        "Dropping the factor d on the log term or on the variance-ratio term.",
        "Writing sigma0/sigma1 where the ratio of variances sigma0^2/sigma1^2 belongs.",
        "log(sigma0/sigma1) instead of log(sigma1/sigma0).",
    ),
    stubs='''def kl_gaussian(mu0, sigma0, mu1, sigma1):
    """D_KL( N(mu0, sigma0^2 I) || N(mu1, sigma1^2 I) ) as a float."""
    raise NotImplementedError
''',
)
