"""Problem 3 — the FFJORD stochastic gradient by the adjoint method (20 points).

Reference: *forward* sensitivities, not the adjoint. Integrate from s = 1 to 0 the system
    z' = f,  l' = -q,  S' = (df/dz) S + df/dtheta,  L' = -(dq/dz S + dq/dtheta),
with z(1) = X, l(1) = 0, S(1) = 0, L(1) = 0 and q = nu^T (df/dz) nu; then
    logp_hat = log p_Z(z(0)) - l(0),    grad = grad log p_Z(z(0))^T S(0) - L(0).
The exact log-likelihood uses Tr(df/dz) = sum_i e_i^T (df/dz) e_i (the same system with the
basis vectors). RK4 with 100 steps: error ~1.4e-10, under 1/700 of the smallest tolerance (1e-7)
(tests/ check it against 2000 steps to 1e-9, and by finite differences).

Tolerance: |got - ref| <= 1e-6 |ref| + 1e-7 elementwise (SPEC: the supplied integrator is good
to ~1e-8, answers are compared at ~1e-6). A wrong term changes values at the 1e-2 level.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from pathlib import Path

import numpy as np

from grader.checks import as_array, as_float, numeric
from grader.spec import Call, Case, Function, Probe, Problem, Verdict, show_call, show_value
from problems.p3_ffjord.model import ODEINT_STEPS, TanhModel, rk4

D = 3
UNBIASED_D = 2
RTOL, ATOL = 1e-6, 1e-7
STEPS = 100


def reference(model: TanhModel, X: np.ndarray, theta: np.ndarray,
              groups: Sequence[Sequence[np.ndarray]]) -> list[tuple[float, np.ndarray]]:
    """For each group of probe vectors: (log p_Z(z(0)) - sum_k l_k(0), its gradient in theta).

    One integration serves every group (they share z and S = dz/dtheta); the group of the
    basis vectors gives the exact log-likelihood, the empty group grad log p_Z(z(0))^T S(0).
    The right-hand side is derived here from f = tanh(k W z + c), k = 1 + tau s, not taken from
    the model's derivative methods (which students call). With u = k W z + c, t = tanh u,
    g = 1 - t^2, a group enters only through M = sum_nu nu nu^T and r_i = sum_j W_ij M_ij:
        sum_nu nu^T (df/dz) nu = k g.r,   h = -2 t g r,
        d/dz of it = k^2 W^T h,   d/dW of it = k (k h z^T + diag(g) M),   d/dc of it = k h.
    """
    D, P, n = model.D, model.P, len(groups)
    W, c = theta[:D * D].reshape(D, D), theta[D * D:]
    M = np.array([sum((np.outer(nu, nu) for nu in nus), np.zeros((D, D))) for nus in groups])  # (n, D, D)
    R = (W * M).sum(axis=2)  # (n, D)

    def rhs(y, s):  # y = [z, S (D x P), l (n), L (n x P)]
        z, S = y[:D], y[D:D + D * P].reshape(D, P)
        k = 1.0 + model.tau * s
        t = np.tanh(k * (W @ z) + c)
        g = 1.0 - t * t
        J = (k * g)[:, None] * W
        df_dtheta = np.concatenate([np.kron(np.diag(k * g), z), np.diag(g)], axis=1)  # W row-major, c
        h = -2.0 * t * g * R  # (n, D)
        dq_dW = k * (k * h[:, :, None] * z + g[None, :, None] * M)  # (n, D, D)
        dq = (k * k) * (h @ W) @ S + np.concatenate([dq_dW.reshape(n, D * D), k * h], axis=1)
        return np.concatenate([t, (J @ S + df_dtheta).ravel(), -k * (R @ g), -dq.ravel()])

    y0 = rk4(rhs, np.concatenate([X, np.zeros(D * P + n * (1 + P))]), 1.0, 0.0, STEPS)
    z0, S0 = y0[:D], y0[D:D + D * P].reshape(D, P)
    l0, L0 = y0[D + D * P:D + D * P + n], y0[D + D * P + n:].reshape(n, P)
    return [(model.log_pz(z0) - l0[k], model.grad_log_pz(z0) @ S0 - L0[k]) for k in range(n)]


def adjoint_variant(model: TanhModel, X: np.ndarray, theta: np.ndarray, nu: np.ndarray,
                    mistake: str) -> np.ndarray:
    """The gradient a student gets with one specific mistake in the adjoint system."""
    D, P = model.D, model.P
    z0 = rk4(lambda z, s: model.f(z, theta, s), X, 1.0, 0.0, ODEINT_STEPS)
    sign = -1.0 if mistake == "sign" else 1.0

    def rhs(y, s):
        z, a = y[:D], y[D:2 * D]
        J = model.df_dz(z, theta, s)
        aj = J @ a if mistake == "transpose" else a @ J
        qz = 0 * a if mistake == "no_qz" else model.dquad_dz(z, theta, s, nu)
        qt = np.zeros(P) if mistake == "no_qtheta" else model.dquad_dtheta(z, theta, s, nu)
        da = sign * (-aj - qz)
        db = -a @ model.df_dtheta(z, theta, s) - qt
        return np.concatenate([model.f(z, theta, s), da, db])

    a0 = {"a0_zero": 0 * z0, "a0_sign": -model.grad_log_pz(z0), "a0_at_X": model.grad_log_pz(X)}.get(
        mistake, model.grad_log_pz(z0))
    y0 = np.concatenate([z0, a0, np.zeros(P)])
    return rk4(rhs, y0, 0.0, 1.0, ODEINT_STEPS)[2 * D:]


GRAD_MISTAKES = {
    "transpose": "Jacobian transposed in the a-equation ((df/dz) a instead of a (df/dz))",
    "no_qz": "the d/dz (nu^T (df/dz) nu) term is missing from the a-equation",
    "no_qtheta": "the d/dtheta (nu^T (df/dz) nu) term is missing from the b-equation",
    "sign": "the a-equation has the wrong sign",
    "a0_zero": "a(0) must be grad log p_Z(z(0)); your result is what a(0) = 0 gives",
    "a0_sign": "a(0) must be grad log p_Z(z(0)); your result is what a(0) = -grad log p_Z(z(0)) gives",
    "a0_at_X": "a(0) must be grad log p_Z at z(0); your result is what grad log p_Z(X) (at the data "
               "point, not at z(0)) gives",
}


def scenario(rng: np.random.Generator, tau: float, d: int = D) -> dict:
    return {"X": rng.normal(size=d), "theta": np.concatenate([rng.normal(scale=0.8, size=d * d),
                                                              rng.normal(scale=0.5, size=d)]),
            "tau": tau, "mean": rng.normal(scale=0.3, size=d), "var": rng.uniform(0.6, 1.6, size=d)}


def make_call(sc: dict, nu: np.ndarray) -> Call:
    args = {"X": sc["X"].tolist(), "theta": sc["theta"].tolist(), "nu": nu.tolist(), "tau": sc["tau"],
            "latent_mean": sc["mean"].tolist(), "latent_var": sc["var"].tolist()}
    d = sc["X"].size
    model = (f"TanhModel(D={d}, tau={sc['tau']:g}, latent_mean={show_value(sc['mean'])}, "
             f"latent_var={show_value(sc['var'])})")  # P = D*D + D parameters (theta)
    return Call("ffjord", args, show_call("ffjord_logp_grad", X=sc["X"], theta=sc["theta"], nu=nu,
                                          model=model, odeint=f"RK4 with {ODEINT_STEPS} fixed steps"))


def model_of(sc: dict) -> TanhModel:
    return TanhModel(sc["X"].size, sc["tau"], sc["mean"], sc["var"])


def build_single(tau: float):
    """One Gaussian nu: the reference value and gradient, plus diagnoses of wrong ones."""

    def build(rng: np.random.Generator) -> Case:
        sc = scenario(rng, tau)
        nu = rng.normal(size=D)
        return Case({"main": make_call(sc, nu)}, later=lambda: expected(sc, nu))

    return build


def expected(sc: dict, nu: np.ndarray) -> dict:
    """References and the values of known mistakes for one scenario and nu."""
    model = model_of(sc)
    (logp, grad), (exact_logp, exact_grad), (logpz0, plain_grad) = reference(
        model, sc["X"], sc["theta"], [[nu], list(np.eye(D)), []])  # the empty group: log p_Z(z(0))
    wrong_logp = {
        "l_hat(0) added instead of subtracted, or the sign of dl_hat/ds flipped "
        "(it must be -nu^T (df/dz) nu in the reverse solve)": logpz0 + (logpz0 - logp),
        "the exact trace used instead of nu^T (df/dz) nu": exact_logp,
        "log p_Z evaluated at X instead of z(0)": model.log_pz(sc["X"]) - (logpz0 - logp),
    }
    def wrong_grad() -> dict[str, np.ndarray]:  # computed only to diagnose a wrong answer
        out = {text: adjoint_variant(model, sc["X"], sc["theta"], nu, key)
               for key, text in GRAD_MISTAKES.items()}
        out["the exact trace's gradient used instead of the nu estimator"] = exact_grad
        out["only grad log p_Z(z(0)) propagated (the l_hat terms ignored)"] = plain_grad
        return out

    return {"logp": logp, "grad": grad, "wrong_logp": wrong_logp, "wrong_grad": wrong_grad}


def build_unbiased(rng: np.random.Generator) -> Case:
    """D = 2 and the 2^(D-1) sign vectors with nu_1 = 1: uniform over them, E[nu nu^T] = I exactly."""
    d = UNBIASED_D
    sc = scenario(rng, 1.5, d)
    nus = [np.array((1.0, *v)) for v in product((-1.0, 1.0), repeat=d - 1)]
    calls = {f"nu{i}": make_call(sc, nu) for i, nu in enumerate(nus)}

    def later() -> dict:
        ((_, grad),) = reference(model_of(sc), sc["X"], sc["theta"], [list(np.eye(d))])
        return {"grad": grad}

    return Case(calls, {"P": d * d + d}, later=later)


def unpack(value: object, P: int = D * D + D) -> tuple[float, np.ndarray]:
    if not isinstance(value, list) or len(value) != 2:
        raise TypeError("expected a pair (logp_hat, grad)")
    return as_float(value[0], "logp_hat"), as_array(value[1], (P,), "grad")


def judge_logp(case: Case, values: dict) -> Verdict:
    logp, _ = unpack(values["main"])
    return numeric(logp, case.data["logp"], rtol=RTOL, atol=ATOL, called=case.calls["main"].show,
                   alternatives=case.data["wrong_logp"], what="logp_hat")


def judge_grad(case: Case, values: dict) -> Verdict:
    _, grad = unpack(values["main"])
    return numeric(grad, case.data["grad"], rtol=RTOL, atol=ATOL, called=case.calls["main"].show,
                   alternatives=case.data["wrong_grad"], what="grad = b(1)")


def judge_unbiased(case: Case, values: dict) -> Verdict:
    pairs = [unpack(values[k], case.data["P"]) for k in sorted(values)]
    mean_grad = np.mean([p[1] for p in pairs], axis=0)
    shown = f"the mean over the {len(pairs)} nu in {{1}} x {{-1, 1}}^{UNBIASED_D - 1} of " + case.calls["nu0"].show
    v = numeric(mean_grad, case.data["grad"], rtol=RTOL, atol=ATOL, called=shown,
                what="E_nu[grad] (mean over nu)")
    if not v.passed:
        return Verdict(False, v.message + " — the estimator is biased: its mean is not the gradient "
                       "of the exact log-likelihood (with Tr df/dz)", v.called, v.got, v.expected, v.mistake)
    return Verdict(True, "averaged over nu, grad equals the gradient of the exact log-likelihood")


PROBES = (
    Probe("p3.logp", "logp_hat, time-dependent model", "numeric", 5,
          "log p_Z(z(0)) - l_hat(0) from the reverse-time solve, for one Gaussian nu, on a model that "
          "depends on s.",
          ("ffjord_logp_grad",), build_single(1.5), judge_logp, rng_key="p3.timed",
          catches="l_hat added instead of subtracted, the exact trace instead of nu^T J nu, log p_Z at X"),
    Probe("p3.grad", "grad = b(1), time-independent model", "numeric", 8,
          "The adjoint gradient b(1) for one Gaussian nu on a nonlinear model with a non-symmetric "
          "Jacobian, compared with forward sensitivities.",
          ("ffjord_logp_grad",), build_single(0.0), judge_grad,
          catches="a transposed Jacobian, a missing d/dz or d/dtheta of nu^T J nu, sign errors, and "
                  "the exact trace's gradient instead of the stochastic one"),
    Probe("p3.unbiased", "unbiased over nu, time-dependent model", "property", 7,
          f"D = {UNBIASED_D}: the mean over the 2^{UNBIASED_D - 1} sign vectors nu with nu_1 = 1 (uniform "
          "over them, E[nu nu^T] = I exactly) of grad equals the gradient of the exact log-likelihood "
          "(with Tr df/dz), on a model that depends on s.",
          ("ffjord_logp_grad",), build_unbiased, judge_unbiased,
          catches="getting the time argument wrong in the adjoint pass (e.g. s running backwards)"),
)

PROBLEM = Problem(
    number=3,
    cost=0.35,  # seconds to run and judge the reference: calls 0.15 s (ODE solves), references 0.13 s
    title="Stochastic gradient for FFJORD (adjoint)",
    points=20,
    functions=(Function(
        "ffjord_logp_grad", "ffjord_logp_grad(X, theta, nu, model, odeint) -> (logp_hat, grad)",
        "Solve z, l_hat from s=1 to 0 (z(1)=X, l_hat(1)=0), then a, b from s=0 to 1 "
        "(a(0)=grad log p_Z(z(0)), b(0)=0). logp_hat = log p_Z(z(0)) - l_hat(0); grad = b(1), (P,). "
        "model: f, df_dz, df_dtheta, dquad_dz, dquad_dtheta, log_pz, grad_log_pz; "
        "odeint(rhs, y0, s0, s1) -> value at s1."),),
    probes=PROBES,
    harness="problems.p3_ffjord.harness",
    statement=(Path(__file__).with_name("statement.md")).read_text(),
    mistakes=(
        "a is a row vector: its equation has a (df/dz), i.e. (df/dz)^T a as a column — not (df/dz) a.",
        "Forgetting -d/dz(nu^T (df/dz) nu) in a' or -d/dtheta(nu^T (df/dz) nu) in b'.",
        "Integrating a, b with z held fixed: z(s) must be re-solved forward from z(0) alongside a, b.",
        "Sign of l_hat: logp_hat = log p_Z(z(0)) - l_hat(0), and l_hat' = -nu^T (df/dz) nu.",
    ),
    notes=(
        "The statement writes d/dt for the pseudo-time derivative; it means d/ds.",
        "a(0) is written d log p_0(z)/dz: p_0 is the latent density p_Z.",
    ),
    stubs='''def ffjord_logp_grad(X, theta, nu, model, odeint):
    """Returns (logp_hat, grad): log p_Z(z(0)) - l_hat(0) and b(1), a (P,) array."""
    raise NotImplementedError
''',
)
