"""The neural-ODE model of problem 3 and the integrator supplied to students.

f(z, theta, s) = tanh(k(s) W z + c),  k(s) = 1 + tau s,  theta = (W row-major, c), P = D^2 + D.
Nonlinear in z (so d/dz of nu^T (df/dz) nu does not vanish), with a non-symmetric Jacobian
(so a transposed Jacobian is wrong), and time-dependent when tau != 0.
Used on both sides of the boundary: it is the problem's input, not an answer.
"""

from __future__ import annotations

import numpy as np


class TanhModel:
    """The model object handed to ffjord_logp_grad (see SPEC 2.3 for the methods)."""

    def __init__(self, D: int, tau: float, latent_mean, latent_var):
        self.D = D
        self.P = D * D + D
        self.tau = float(tau)
        self.m = np.asarray(latent_mean, dtype=float)
        self.v = np.asarray(latent_var, dtype=float)

    def _parts(self, z, theta, s):
        D = self.D
        W = np.asarray(theta[: D * D], dtype=float).reshape(D, D)
        c = np.asarray(theta[D * D:], dtype=float)
        k = 1.0 + self.tau * s
        t = np.tanh(k * (W @ z) + c)
        return W, k, t, 1.0 - t * t

    def f(self, z, theta, s):
        return self._parts(z, theta, s)[2]

    def df_dz(self, z, theta, s):
        W, k, _, g = self._parts(z, theta, s)
        return (g * k)[:, None] * W

    def df_dtheta(self, z, theta, s):
        D = self.D
        _, k, _, g = self._parts(z, theta, s)
        z = np.asarray(z, dtype=float)
        dW = np.einsum("ik,l->ikl", np.diag(g * k), z).reshape(D, D * D)
        return np.concatenate([dW, np.diag(g)], axis=1)

    def dquad_dz(self, z, theta, s, nu):
        W, k, t, g = self._parts(z, theta, s)
        w = W @ nu
        return k * k * (W.T @ (nu * w * (-2.0 * t * g)))

    def dquad_dtheta(self, z, theta, s, nu):
        W, k, t, g = self._parts(z, theta, s)
        w = W @ nu
        h = nu * w * (-2.0 * t * g)
        dW = k * (k * np.outer(h, z) + np.outer(nu * g, nu))
        return np.concatenate([dW.ravel(), k * h])

    def log_pz(self, z):
        z = np.asarray(z, dtype=float)
        return float(np.sum(-(z - self.m) ** 2 / (2 * self.v) - 0.5 * np.log(2 * np.pi * self.v)))

    def grad_log_pz(self, z):
        return -(np.asarray(z, dtype=float) - self.m) / self.v


ODEINT_STEPS = 80  # the integrator handed to students: the reference solution stays within 1.4% of the
# tolerance over 20 seeds (0.8% with 160 steps); SPEC promises ~1e-8


def rk4(rhs, y0, s0: float, s1: float, steps: int = ODEINT_STEPS):
    """Classical Runge-Kutta with fixed steps: the value at s1 of dy/ds = rhs(y, s)."""
    y = np.array(y0, dtype=float)
    h = (s1 - s0) / steps
    s = s0
    for _ in range(steps):
        k1 = np.asarray(rhs(y, s), dtype=float)
        k2 = np.asarray(rhs(y + h / 2 * k1, s + h / 2), dtype=float)
        k3 = np.asarray(rhs(y + h / 2 * k2, s + h / 2), dtype=float)
        k4 = np.asarray(rhs(y + h * k3, s + h), dtype=float)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        s += h
    return y
