"""Homework 1 submission."""

import numpy as np
import sympy


def tweedie_mean(y, Sigma, score):
    s = score(y)
    if isinstance(y, np.ndarray):
        return (y.reshape(-1, 1) + Sigma.dot(np.reshape(s, (-1, 1)))).tolist()
    return (y + Sigma * s).applyfunc(sympy.expand)


def score(p, x):
    return [sympy.together(sympy.diff(p, xi) / p) for xi in x]


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    d = float(len(mu0))
    quad = np.sum(np.square(np.subtract(mu1, mu0)))
    return np.array(quad / 2 / sigma1 / sigma1 + (sigma0**2 - sigma1**2) * d / 2
                    - d / 2 * np.log(sigma0**2) + d / 2 * np.log(sigma1**2))


def ffjord_logp_grad(X, theta, nu, model, odeint):
    D, P = len(X), len(theta)

    def rev(y, s):
        J = model.df_dz(y[:D], theta, s)
        return np.concatenate([model.f(y[:D], theta, s), [-float(nu @ (J @ nu))]])

    y0 = odeint(rev, np.concatenate([X, np.zeros(1)]), 1.0, 0.0)
    z0 = y0[:D]

    def adj(y, s):
        z, a = y[:D], y[D:2 * D]
        return np.concatenate([model.f(z, theta, s),
                               -(model.df_dz(z, theta, s).T @ a) - model.dquad_dz(z, theta, s, nu),
                               -(model.df_dtheta(z, theta, s).T @ a) - model.dquad_dtheta(z, theta, s, nu)])

    y1 = odeint(adj, np.concatenate([z0, model.grad_log_pz(z0), np.zeros(P)]), 0.0, 1.0)
    return [model.log_pz(z0) - y0[-1]], tuple(y1[2 * D:])


def backward_v1(graph):
    for v in graph.nodes:
        if v.fn:
            v.value = np.array(v.fn([u.value for u in graph.parents(v)]), dtype=float)
    for v in graph.nodes:
        v.grad = np.zeros_like(v.value)
    graph.output.grad[...] = 1.0
    for v in list(reversed(graph.nodes)):
        for w in graph.children(v):
            v.grad = v.grad + (w.grad.reshape(1, -1) @ w.fn.grad(v)).ravel()


def backward_v2(graph):
    for v in graph.nodes:
        if v.fn:
            v.value = np.array(v.fn([u.value for u in graph.parents(v)]), dtype=float)
    for v in graph.nodes:
        v.grad = np.zeros_like(v.value)
    graph.output.grad[...] = 1.0
    for v in list(reversed(graph.nodes)):
        if v.fn:
            for u in graph.parents(v):
                u.grad = u.grad + (v.grad.reshape(1, -1) @ v.fn.grad(u)).ravel()


def fokker_planck_residual(p, f, rho, x, t):
    expr = sympy.diff(p, t)
    for fi, xi in zip(f, x):
        expr = expr + sympy.diff(fi * p, xi) - rho**2 * sympy.diff(p, xi, 2) * sympy.Rational(1, 2)
    return sympy.expand(expr)


def rho_from_sigma(sigma, t):
    return sympy.sqrt(sympy.expand(sympy.diff(sigma * sigma, t)))


def transition_density(x, y, sigma):
    return sympy.exp(-x**2 / (2 * sigma**2) + x * y / sigma**2 - y**2 / (2 * sigma**2)) / sympy.sqrt(2 * sympy.pi * sigma**2)


def reverse_sde(f, g, score, lam):
    symbolic = isinstance(lam, sympy.Basic)

    def drift(x, t):
        out = f(x, t) - g(t) ** 2 * score(x, t) * (2 - lam) / 2
        return sympy.expand(out) if symbolic else out

    def diffusion(t):
        return sympy.sqrt((1 - lam) * g(t) ** 2) if symbolic else np.sqrt((1 - lam) * g(t) ** 2)

    return drift, diffusion
