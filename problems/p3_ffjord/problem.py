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

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np

from grader.checks import Lazy, Reject, as_array, as_float, nearest_alternative, numeric
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


REVERSE_TIME = {  # how a reverse solve with a mistake reads the pseudo-time: (s0, s1, the model's time at s)
    "right": (1.0, 0.0, lambda s: s), "forwards": (0.0, 1.0, lambda s: s),
    "flipped": (1.0, 0.0, lambda s: 1.0 - s), "frozen": (1.0, 0.0, lambda s: 1.0),
}


def reverse_solve(model: TanhModel, X: np.ndarray, theta: np.ndarray, nu: np.ndarray,
                  mode: str = "right") -> tuple[np.ndarray, float]:
    """(z(0), l_hat(0)) of the reverse solve, or of one with a mistake in its time (REVERSE_TIME:
    integrated from 0 to 1; the model called at 1 - s, or always at s = 1, the start)."""
    key = (mode, X.tobytes(), theta.tobytes(), nu.tobytes(), model.tau)
    if key not in _REV:
        _REV.clear()  # one scenario at a time
        s0, s1, at = REVERSE_TIME[mode]
        D = X.size
        y = rk4(lambda y, s: np.concatenate([model.f(y[:D], theta, at(s)),
                                             [-(nu @ model.df_dz(y[:D], theta, at(s)) @ nu)]]),
                np.concatenate([X, [0.0]]), s0, s1, ODEINT_STEPS)
        _REV[key] = (y[:D], float(y[D]))
    return _REV[key]


_REV: dict = {}


def adjoint_variant(model: TanhModel, X: np.ndarray, theta: np.ndarray, nu: np.ndarray,
                    mistake: str) -> np.ndarray:
    """The gradient a student gets with one specific mistake (a key of GRAD_MISTAKES) in an
    otherwise right adjoint method: same model, inputs and integrator as the student's."""
    D, P = model.D, model.P
    m = mistake
    z0, _ = reverse_solve(model, X, theta, nu, {"reverse_forwards": "forwards", "reverse_time_flipped": "flipped",
                                                 "time_frozen": "frozen"}.get(m, "right"))
    # coefficients of the four terms: a' = -ca (a J) - cqz dq/dz,  b' = -cb (a df/dtheta) - cqt dq/dtheta
    ca = {"sign": -1.0, "aJ_sign": -1.0, "no_aJ": 0.0}.get(m, 1.0)
    cqz = {"sign": -1.0, "qz_sign": -1.0, "no_qz": 0.0}.get(m, 1.0)
    cb = {"b_sign": -1.0, "bJ_sign": -1.0, "no_bJ": 0.0}.get(m, 1.0)
    cqt = {"b_sign": -1.0, "qt_sign": -1.0, "no_qtheta": 0.0}.get(m, 1.0)
    cz = {"z_frozen": 0.0, "z_backwards": -1.0}.get(m, 1.0)

    def rhs(y, s):
        z, a = (y[D:2 * D], y[:D]) if m == "swapped_za" else (y[:D], y[D:2 * D])
        s = {"time_zero": 0.0, "time_frozen": 0.0, "time_reversed": 1.0 - s}.get(m, s)  # every model call's time
        J = model.df_dz(z, theta, 0.0 if m == "J_time_zero" else s)
        aj = J @ a if m == "transpose" else a @ J
        da = -ca * aj - cqz * model.dquad_dz(z, theta, s, nu)
        db = -cb * (a @ model.df_dtheta(z, theta, s)) - cqt * model.dquad_dtheta(z, theta, s, nu)
        return np.concatenate([cz * model.f(z, theta, s), da, db])

    a0 = {"a0_zero": 0 * z0, "a0_sign": -model.grad_log_pz(z0), "a0_at_X": model.grad_log_pz(X)}.get(
        m, model.grad_log_pz(z0))
    b0 = theta.copy() if m == "b0_theta" else np.zeros(P)
    y0 = np.concatenate([X if m == "z_from_X" else z0, a0, b0])
    sweep = (1.0, 0.0) if m == "adjoint_backwards" else (0.0, 1.0)
    return rk4(rhs, y0, *sweep, ODEINT_STEPS)[2 * D:]


A_EQ = "the a-equation, a' = -a (df/dz) - d/dz (nu^T (df/dz) nu),"
B_EQ = "the b-equation, b' = -a (df/dtheta) - d/dtheta (nu^T (df/dz) nu),"
GRAD_MISTAKES = {
    "transpose": "Jacobian transposed in the a-equation ((df/dz) a instead of a (df/dz))",
    "no_qz": "the d/dz (nu^T (df/dz) nu) term is missing from the a-equation",
    "no_qtheta": "the d/dtheta (nu^T (df/dz) nu) term is missing from the b-equation",
    "sign": "the a-equation has the wrong sign",
    "aJ_sign": f"{A_EQ} has its a (df/dz) term with the wrong sign",
    "qz_sign": f"{A_EQ} has its d/dz (nu^T (df/dz) nu) term added instead of subtracted",
    "no_aJ": f"{A_EQ} is missing its -a (df/dz) term",
    "b_sign": f"b(1) has the wrong sign: your result is what {B_EQ} with both signs flipped gives "
              "(or b(1) negated)",
    "bJ_sign": f"{B_EQ} has its a (df/dtheta) term with the wrong sign",
    "qt_sign": f"{B_EQ} has its d/dtheta (nu^T (df/dz) nu) term added instead of subtracted",
    "no_bJ": f"{B_EQ} is missing its -a (df/dtheta) term",
    "a0_zero": "a(0) must be grad log p_Z(z(0)); your result is what a(0) = 0 gives",
    "a0_sign": "a(0) must be grad log p_Z(z(0)); your result is what a(0) = -grad log p_Z(z(0)) gives",
    "a0_at_X": "a(0) must be grad log p_Z at z(0); your result is what grad log p_Z(X) (at the data "
               "point, not at z(0)) gives",
    "b0_theta": "b(0) must be 0; your result is what b(0) = theta gives",
    "z_from_X": "z in the a, b sweep must start at z(0), the end of the reverse solve; your result is what "
                "starting it at X gives",
    "z_frozen": "z must be re-solved forward from z(0) alongside a and b; your result is what z held "
                "fixed at z(0) gives",
    "z_backwards": "z must follow dz/ds = f during the a, b sweep; your result is what dz/ds = -f gives",
    "adjoint_backwards": "the a, b sweep must run forward in pseudo-time, from s = 0 to s = 1; your "
                         "result is what integrating it from s = 1 to 0 gives",
    "reverse_forwards": "the z, l_hat solve must run in reverse pseudo-time, from s = 1 (z = X) to s = 0; "
                        "your result is what integrating it from 0 to 1 gives (z(0) is wrong, and so is "
                        "everything after it)",
    "swapped_za": "z and a are read from each other's slices of the adjoint state: the state is [z, a, b], "
                  "so z = y[:D] and a = y[D:2D]; your result is what reading them the other way round gives",
    "J_time_zero": "the Jacobian df/dz in the a-equation must be taken at the current pseudo-time s; your "
                   "result is what taking it at s = 0 gives",
    "time_zero": "the model must be evaluated at the current pseudo-time s during the a, b sweep; your result "
                 "is what calling f, df/dz, df/dtheta and the nu^T (df/dz) nu terms at s = 0 gives",
    "time_reversed": "the a, b sweep runs from s = 0 to 1 and the model must be evaluated at s itself; your "
                     "result is what evaluating it at 1 - s gives",
    "reverse_time_flipped": "the z, l_hat solve runs from s = 1 to 0 and the model must be called at s itself; "
                            "your result is what calling it at 1 - s (tau instead of s = 1 - tau) gives",
    "time_frozen": "the pseudo-time never advances: your result is what calling the model at the start time "
                   "of each solve gives (s = 1 in the reverse solve, s = 0 in the a, b sweep): an integrator "
                   "of your own that does not step s?",
}
NU_NORMALISED = ("nu was rescaled (to unit length?): the estimator uses nu as given, and nu^T (df/dz) nu "
                 "of a rescaled nu is scaled by its squared length")
PER_DIMENSION = "divided by the dimension D (a per-dimension value): logp_hat and its gradient are for the whole of X"
TOO_COARSE = ("the integration is too coarse for the tolerance (1e-6 relative), or a solve stops short of its "
              "end point (a stepping loop one step short?): use the odeint passed in (RK4, 100 steps) or a finer "
              "integrator that ends exactly at s1")


def near_miss(got: float | np.ndarray, want: float | np.ndarray, rel: float) -> bool:
    """Outside the tolerance but within `rel` (relative to the largest entry): an inaccurate
    integration, where a wrong term changes values at the 1e-2 level or more."""
    g, w = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    err = np.abs(g - w)
    return bool(np.any(err > ATOL + RTOL * np.abs(w)) and err.max() <= rel * max(np.abs(w).max(), 1.0))


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
    wrong_logp = {GRAD_MISTAKES[key]: model.log_pz(z0) - l0 for key, mode in (
        ("reverse_forwards", "forwards"), ("reverse_time_flipped", "flipped"), ("time_frozen", "frozen"))
        for z0, l0 in [reverse_solve(model, sc["X"], sc["theta"], nu, mode)]}
    wrong_logp.update({
        "l_hat(0) added instead of subtracted, or the sign of dl_hat/ds flipped "
        "(it must be -nu^T (df/dz) nu in the reverse solve)": logpz0 + (logpz0 - logp),
        "the exact trace used instead of nu^T (df/dz) nu": exact_logp,
        "log p_Z evaluated at X instead of z(0)": model.log_pz(sc["X"]) - (logpz0 - logp),
        NU_NORMALISED: logpz0 - (logpz0 - logp) / float(nu @ nu),  # l_hat is quadratic in nu
        "l_hat(0) is not subtracted: logp_hat = log p_Z(z(0)) - l_hat(0), and your result is log p_Z(z(0)) "
        "alone": logpz0,
        PER_DIMENSION: logp / D,
        "l_hat(0) read from the wrong entry of the state: y[D - 1] is the last entry of z(0); l_hat(0) is y[D]":
            logpz0 - float(reverse_solve(model, sc["X"], sc["theta"], nu)[0][-1]),
    })
    @functools.cache
    def wrong_grad() -> Lazy:  # computed only to diagnose a wrong answer, one replay at a time
        out = {"the exact trace's gradient used instead of the nu estimator": lambda: exact_grad,
               "only grad log p_Z(z(0)) propagated (the l_hat terms ignored)": lambda: plain_grad,
               NU_NORMALISED: lambda: plain_grad + (grad - plain_grad) / float(nu @ nu),
               PER_DIMENSION: lambda: grad / D}
        out.update({text: (lambda key=key: adjoint_variant(model, sc["X"], sc["theta"], nu, key))
                    for key, text in GRAD_MISTAKES.items()})
        return Lazy(out)

    return {"logp": logp, "grad": grad, "wrong_logp": wrong_logp, "wrong_grad": wrong_grad,
            "b0_shift": lambda got: _b0_shift(got, grad), "terms": grad_terms(plain_grad, grad)}


def grad_terms(plain_grad: np.ndarray, grad: np.ndarray) -> tuple[dict, dict]:
    """b(1) as its two parts (grader.checks.term_fit): what a(0) = grad log p_Z(z(0)) carries, and
    what the nu^T (df/dz) nu terms add; a wrong coefficient on one says which half is wrong."""
    return ({GRAD_PARTS[0]: plain_grad, GRAD_PARTS[1]: grad - plain_grad}, {GRAD_PARTS[0]: 1.0, GRAD_PARTS[1]: 1.0})


GRAD_PARTS = ("grad log p_Z(z(0)) dz(0)/dtheta (what a(0) carries into b(1))",
              "-d l_hat(0)/dtheta (what the nu^T (df/dz) nu terms add to b(1))")


def _b0_shift(got: np.ndarray, grad: np.ndarray) -> str:
    """b(0) = c (the same number c != 0 in every entry) adds exactly c to every entry of b(1)."""
    d = got - grad
    c = float(np.median(d))
    if abs(c) > 1e-6 and np.allclose(d, c, rtol=1e-6, atol=1e-9):
        return f"b(0) must be 0; your result is what b(0) = {c:.6g} (in every entry) gives"
    return ""


def build_unbiased(rng: np.random.Generator) -> Case:
    """D = 2 and the 2^(D-1) sign vectors with nu_1 = 1: uniform over them, E[nu nu^T] = I exactly."""
    d = UNBIASED_D
    sc = scenario(rng, 1.5, d)
    nus = [np.array((1.0, *v)) for v in product((-1.0, 1.0), repeat=d - 1)]
    calls = {f"nu{i}": make_call(sc, nu) for i, nu in enumerate(nus)}

    def later() -> dict:
        model = model_of(sc)
        (_, grad), (_, plain) = reference(model, sc["X"], sc["theta"], [list(np.eye(d)), []])

        def replay(key: str):  # the mean over nu of what one mistake gives
            return lambda: np.mean([adjoint_variant(model, sc["X"], sc["theta"], nu, key) for nu in nus], axis=0)

        wrong = {GRAD_MISTAKES["b_sign"]: lambda: -grad, **{text: replay(key) for key, text in GRAD_MISTAKES.items()
                                                           if key != "b_sign"},
                 PER_DIMENSION: lambda: grad / d}
        # (no "nu rescaled" here: every sign vector has |nu|^2 = d, so it is the l_hat part scaled by 1/d,
        # which the term fit says without guessing why)
        return {"grad": grad, "wrong": functools.cache(lambda: Lazy(wrong)), "terms": grad_terms(plain, grad)}

    return Case(calls, {"P": d * d + d}, later=later)


def unpack(value: object, P: int = D * D + D) -> tuple[float, np.ndarray]:
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise TypeError("expected a pair (logp_hat, grad)")
    try:
        return as_float(value[0], "logp_hat"), as_array(value[1], (P,), "grad")
    except Reject as err:
        d = round((np.sqrt(1 + 4 * P) - 1) / 2)  # P = D*D + D
        slices = {d: "a(1), the a-slice y[D:2D] of the adjoint state", d + P: "[a(1), b(1)]",
                  2 * d + P: "the whole adjoint state [z(1), a(1), b(1)]"}
        size = np.size(value[1]) if isinstance(value[1], (list, np.ndarray)) else -1
        if size in slices:
            raise Reject(str(err), mistake=f"grad has {size} entries: that is {slices[size]}; the gradient in "
                         f"theta is b(1) alone, the last P = {P} entries of the state (y[2D:])") from None
        raise


def own_integrator(value: object) -> bool:
    """The student did not run both solves with the odeint passed in (the harness counts its calls):
    only then can an answer close to the reference be an integration too coarse for the tolerance."""
    calls = value[2] if isinstance(value, list) and len(value) == 3 else None
    return not isinstance(calls, int) or calls < 2


def _near_replay(got: float | np.ndarray, want: float | np.ndarray, replays) -> str:
    """The replayed mistake an answer from the student's own integrator is much nearer to than to
    the reference (grader.checks.nearest_alternative), said as such; '' when none is."""
    near = nearest_alternative(got, want, replays)
    return f"{near} (to the accuracy of your own integrator)" if near else ""


def _unless_named(v: Verdict, mistake: str) -> Verdict:
    return v if v.passed or v.mistake or not mistake else replace(v, mistake=mistake)


def judge_logp(case: Case, values: dict) -> Verdict:
    logp, _ = unpack(values["main"])
    v = numeric(logp, case.data["logp"], rtol=RTOL, atol=ATOL, called=case.calls["main"].show,
                alternatives=case.data["wrong_logp"], what="logp_hat")
    if v.passed or v.mistake or not own_integrator(values["main"]):
        return v
    near = _near_replay(logp, case.data["logp"], case.data["wrong_logp"])
    if near:
        return _unless_named(v, near)
    coarse = near_miss(logp, case.data["logp"], 1e-2)
    return _unless_named(v, "logp_hat is within 1 % of the reference but outside the tolerance: "
                         + TOO_COARSE if coarse else "")


def judge_grad(case: Case, values: dict) -> Verdict:
    logp, grad = unpack(values["main"])
    v = numeric(grad, case.data["grad"], rtol=RTOL, atol=ATOL, called=case.calls["main"].show,
                alternatives=case.data["wrong_grad"], what="grad = b(1)", terms=case.data["terms"])
    if v.passed or v.mistake:
        return v
    if own_integrator(values["main"]):
        near = _near_replay(grad, case.data["grad"], case.data["wrong_grad"]())
        if near:
            return replace(v, mistake=near)
        if near_miss(grad, case.data["grad"], 0.2) and near_miss(logp, case.data["logp"], 1e-2):
            return replace(v, mistake="b(1) is close to the reference but outside the tolerance, and so is "
                                      "logp_hat of the same call: " + TOO_COARSE)
    return _unless_named(v, case.data["b0_shift"](grad))


def _rescaled_nu(got: np.ndarray, parts: dict) -> str:
    """p3.unbiased's sign vectors all have |nu|^2 = D: a mean whose l_hat part is 1/D of the right one
    is what a nu rescaled to unit length gives, or those terms divided by D; both are said."""
    plain, lhat = parts[GRAD_PARTS[0]], parts[GRAD_PARTS[1]]
    if not np.allclose(got, plain + lhat / UNBIASED_D, rtol=1e-6, atol=1e-9) or np.allclose(lhat, 0, atol=1e-9):
        return ""
    return (f"the part of b(1) from the nu^T (df/dz) nu terms is 1/{UNBIASED_D} of what it should be: what nu "
            f"rescaled to unit length gives (every nu here has |nu|^2 = {UNBIASED_D}), or those terms divided "
            f"by {UNBIASED_D}")


def judge_unbiased(case: Case, values: dict) -> Verdict:
    pairs = [unpack(values[k], case.data["P"]) for k in sorted(values)]
    mean_grad = np.mean([p[1] for p in pairs], axis=0)
    shown = f"the mean over the {len(pairs)} nu in {{1}} x {{-1, 1}}^{UNBIASED_D - 1} of " + case.calls["nu0"].show
    v = numeric(mean_grad, case.data["grad"], rtol=RTOL, atol=ATOL, called=shown,
                what="E_nu[grad] (mean over nu)", alternatives=case.data["wrong"], terms=case.data["terms"])
    if not v.passed:  # (the rescaled nu says more than the term fit of the same answer)
        rescaled = _rescaled_nu(mean_grad, case.data["terms"][0])
        v = replace(v, mistake=rescaled) if rescaled else _unless_named(v, _b0_shift(mean_grad, case.data["grad"]))
    if not v.passed and not v.mistake and any(own_integrator(values[k]) for k in values):
        v = _unless_named(v, _near_replay(mean_grad, case.data["grad"], case.data["wrong"]()))
    if not v.passed:
        return dataclasses.replace(v, message=v.message + " — the estimator is biased: its mean is not the "
                                   "gradient of the exact log-likelihood (with Tr df/dz)")
    return Verdict(True, "averaged over nu, grad equals the gradient of the exact log-likelihood")


PROBES = (
    Probe("p3.logp", "logp_hat, time-dependent model", "numeric", 5,
          "log p_Z(z(0)) - l_hat(0) from the reverse-time solve, for one Gaussian nu, on a model that "
          "depends on s.",
          ("ffjord_logp_grad",), build_single(1.5), judge_logp, rng_key="p3.timed", tags={"model": "depends on s"},
          catches="l_hat added instead of subtracted, the exact trace instead of nu^T J nu, log p_Z at X"),
    Probe("p3.grad", "grad = b(1), time-independent model", "numeric", 8,
          "The adjoint gradient b(1) for one Gaussian nu on a nonlinear model with a non-symmetric "
          "Jacobian, compared with forward sensitivities.",
          ("ffjord_logp_grad",), build_single(0.0), judge_grad, tags={"model": "independent of s"},
          catches="a transposed Jacobian, a missing d/dz or d/dtheta of nu^T J nu, sign errors, and "
                  "the exact trace's gradient instead of the stochastic one"),
    Probe("p3.unbiased", "unbiased over nu, time-dependent model", "property", 7,
          f"D = {UNBIASED_D}: the mean over the 2^{UNBIASED_D - 1} sign vectors nu with nu_1 = 1 (uniform "
          "over them, E[nu nu^T] = I exactly) of grad equals the gradient of the exact log-likelihood "
          "(with Tr df/dz), on a model that depends on s.",
          ("ffjord_logp_grad",), build_unbiased, judge_unbiased, tags={"model": "depends on s"},
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
