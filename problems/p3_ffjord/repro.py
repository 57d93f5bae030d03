"""Problem 3, repro scripts (`hw1 repro`): the model's weights and latent, nu, X as literals."""

import numpy as np

from grader.repro import assign

IMPORTS = """\
from problems.p3_ffjord.harness import counting  # the integrator handed to students (fixed-step RK4)
from problems.p3_ffjord.model import TanhModel  # f(z, theta, s) = tanh((1 + tau s) W z + c)"""


def ffjord(X, theta, nu, tau, latent_mean, latent_var):
    """As harness.ffjord: ffjord_logp_grad(X, theta, nu, model, odeint) -> [logp_hat, grad, odeint calls]."""
    d = len(X)
    theta = np.array(theta, dtype=float)
    return "\n".join([
        assign("X", np.array(X, dtype=float)),
        f"# the weights theta = (W row-major, c), P = D^2 + D = {d * d + d}:",
        f"# W = {np.array2string(theta[:d * d].reshape(d, d), precision=6, separator=', ').replace(chr(10), '')}",
        assign("theta", theta),
        assign("nu", np.array(nu, dtype=float)),
        "# the model: time factor k(s) = 1 + tau s, latent p_Z = N(latent_mean, diag(latent_var))",
        assign("tau", float(tau)),
        assign("latent_mean", np.array(latent_mean, dtype=float)),
        assign("latent_var", np.array(latent_var, dtype=float)),
        f"model = TanhModel({d}, tau, latent_mean, latent_var)",
        'ffjord_logp_grad = need(sub, "ffjord_logp_grad")',
        "odeint_calls = []  # the judge asks whether the solves used odeint",
        "out = ffjord_logp_grad(X, theta, nu, model, counting(odeint_calls))",
        "if not isinstance(out, (tuple, list)) or len(out) != 2:",
        '    raise TypeError("ffjord_logp_grad must return a pair (logp_hat, grad)")',
        "value = [out[0], out[1], len(odeint_calls)]",
    ])
