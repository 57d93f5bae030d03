"""Problem 3, student side: hand the model and an integrator to ffjord_logp_grad."""

import numpy as np

from grader.harnesslib import need
from problems.p3_ffjord.model import ODEINT_STEPS, TanhModel, rk4


def odeint(rhs, y0, s0, s1):
    """The integrator students may use: RK4 with fixed steps (error well below 1e-8 here)."""
    return rk4(rhs, y0, float(s0), float(s1), steps=ODEINT_STEPS)


def counting(calls: list):
    """odeint, noting each call in `calls` (the judge asks whether the student integrated with it)."""
    def integrate(rhs, y0, s0, s1):
        calls.append(1)
        return odeint(rhs, y0, s0, s1)
    return integrate


def ffjord(sub, X, theta, nu, tau, latent_mean, latent_var):
    """ffjord_logp_grad(X, theta, nu, model, odeint) -> [logp_hat, grad, how many times odeint ran]."""
    fn = need(sub, "ffjord_logp_grad")
    model = TanhModel(len(X), tau, latent_mean, latent_var)
    calls: list = []
    out = fn(np.array(X, dtype=float), np.array(theta, dtype=float), np.array(nu, dtype=float),
             model, counting(calls))
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError("ffjord_logp_grad must return a pair (logp_hat, grad)")
    return [out[0], out[1], len(calls)]
