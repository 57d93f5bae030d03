"""Homework 1 submission."""

import numpy as np
import sympy


# Problem 1 ------------------------------------------------------------------
def tweedie_mean(y, Sigma, score):
    """E[X | Y = y] = y + Sigma grad log p_Y(y); works for numpy arrays and sympy matrices."""
    return y + Sigma @ score(y)


def score(p, x):
    """[d/dx_i log p]."""
    logp = sympy.log(p)
    return [sympy.diff(logp, xi) for xi in x]


# Problem 2 ------------------------------------------------------------------
def kl_gaussian(mu0, sigma0, mu1, sigma1):
    """KL(N(mu0, sigma0^2 I) || N(mu1, sigma1^2 I))."""
    d = np.size(mu0)
    diff = np.asarray(mu1, dtype=float) - np.asarray(mu0, dtype=float)
    return float(diff @ diff / (2 * sigma1**2) + d * (sigma0**2 / sigma1**2 - 1) / 2
                 + d * np.log(sigma1 / sigma0))


# Problem 3 ------------------------------------------------------------------
def ffjord_logp_grad(X, theta, nu, model, odeint):
    """Reverse solve for z, l_hat; then the adjoint system forward for a, b (z re-solved alongside)."""
    D, P = X.size, theta.size

    def reverse(y, s):
        z = y[:D]
        J = model.df_dz(z, theta, s)
        return np.concatenate([model.f(z, theta, s), [-(nu @ J @ nu)]])

    y0 = odeint(reverse, np.concatenate([X, [0.0]]), 1.0, 0.0)
    z0, l0 = y0[:D], y0[D]
    logp_hat = model.log_pz(z0) - l0

    def adjoint(y, s):
        z, a = y[:D], y[D:2 * D]
        J = model.df_dz(z, theta, s)
        da = -a @ J - model.dquad_dz(z, theta, s, nu)
        db = -a @ model.df_dtheta(z, theta, s) - model.dquad_dtheta(z, theta, s, nu)
        return np.concatenate([model.f(z, theta, s), da, db])

    y1 = odeint(adjoint, np.concatenate([z0, model.grad_log_pz(z0), np.zeros(P)]), 0.0, 1.0)
    return float(logp_hat), y1[2 * D:]


# Problem 4 ------------------------------------------------------------------
def _forward_and_zero(graph):
    for v in graph.nodes:
        if v.fn is not None:
            v.value = v.fn([u.grad for u in graph.parents(v)])
    for v in graph.nodes:
        v.grad = np.zeros_like(np.asarray(v.value, dtype=float))
    graph.output.grad = np.ones(1)


def backward_v1(graph):
    _forward_and_zero(graph)
    for v in reversed(graph.nodes):
        for w in graph.children(v):
            v.grad = v.grad + w.grad @ w.fn.grad(v)


def backward_v2(graph):
    _forward_and_zero(graph)
    for v in reversed(graph.nodes):
        if v.fn is None:
            continue
        for u in graph.parents(v):
            u.grad = u.grad + v.grad @ v.fn.grad(u)


# Problem 5 ------------------------------------------------------------------
def fokker_planck_residual(p, f, rho, x, t):
    div = sum(sympy.diff(fi * p, xi) for fi, xi in zip(f, x))
    lap = sum(sympy.diff(p, xi, 2) for xi in x)
    return sympy.diff(p, t) + div - rho**2 / 2 * lap


# Problem 6 ------------------------------------------------------------------
def rho_from_sigma(sigma, t):
    return sympy.sqrt(sympy.diff(sigma**2, t))


def transition_density(x, y, sigma):
    return sympy.exp(-(x - y) ** 2 / (2 * sigma**2)) / sympy.sqrt(2 * sympy.pi * sigma**2)


# Problem 7 ------------------------------------------------------------------
def reverse_sde(f, g, score, lam):
    sqrt = sympy.sqrt if isinstance(lam, sympy.Basic) else np.sqrt

    def drift(x, t):
        return f(x, t) - (1 - lam / 2) * g(t) ** 2 * score(x, t)

    def diffusion(t):
        return sqrt(1 - lam) * g(t)

    return drift, diffusion
