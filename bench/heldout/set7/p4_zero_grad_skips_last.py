"""Homework 1 submission."""

import numpy as np
import sympy as sp


def tweedie_mean(y, Sigma, score):
    if isinstance(y, np.ndarray):
        return np.einsum("ij,j->i", Sigma, score(y)) + y
    return sp.ImmutableMatrix(y) + sp.ImmutableMatrix(Sigma) * sp.ImmutableMatrix(score(y))


def score(p, x):
    return tuple(sp.diff(sp.log(p), v) for v in x)


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    mu0, mu1 = np.atleast_1d(mu0), np.atleast_1d(mu1)
    d = mu0.size
    v0, v1 = sigma0**2, sigma1**2
    return np.einsum("i,i->", mu1 - mu0, mu1 - mu0) / (2 * v1) + d / 2 * (v0 / v1 - 1 - np.log(v0 / v1))


def ffjord_logp_grad(X, theta, nu, model, odeint):
    D, P = X.shape[0], theta.shape[0]
    z0 = odeint(lambda z, s: model.f(z, theta, s), X, 1.0, 0.0)
    l0 = odeint(lambda y, s: np.r_[model.f(y[:D], theta, s), -np.einsum("i,ij,j->", nu, model.df_dz(y[:D], theta, s), nu)],
                np.r_[X, 0.0], 1.0, 0.0)[-1]

    def rhs(y, s):
        z, a = y[:D], y[D:2 * D]
        da = -np.einsum("i,ij->j", a, model.df_dz(z, theta, s)) - model.dquad_dz(z, theta, s, nu)
        db = -np.einsum("i,ij->j", a, model.df_dtheta(z, theta, s)) - model.dquad_dtheta(z, theta, s, nu)
        return np.r_[model.f(z, theta, s), da, db]

    y1 = odeint(rhs, np.r_[z0, model.grad_log_pz(z0), np.zeros(P)], 0.0, 1.0)
    return model.log_pz(z0) - l0, y1[-P:]


def _forward(graph):
    for v in graph.nodes:
        if v.fn is not None:
            v.value = v.fn([u.value for u in graph.parents(v)])
    for v in graph.nodes[:-1]:  # the last node is the output: it is seeded below
        v.grad = np.zeros(np.shape(v.value))
    graph.output.grad = np.ones(np.shape(graph.output.value))


def backward_v1(graph):
    _forward(graph)
    for v in graph.nodes[::-1]:
        v.grad = v.grad + sum((w.grad @ w.fn.grad(v) for w in graph.children(v)), np.zeros(np.shape(v.value)))


def backward_v2(graph):
    _forward(graph)
    for v in graph.nodes[::-1]:
        for u in (graph.parents(v) if v.fn is not None else []):
            u.grad += v.grad @ v.fn.grad(u)


def fokker_planck_residual(p, f, rho, x, t):
    terms = [sp.diff(p, t)]
    terms += [sp.diff(fi * p, xi) for fi, xi in zip(f, x)]
    terms += [-(rho**2) * sp.diff(p, xi, xi) / 2 for xi in x]
    return sp.Add(*terms)


def rho_from_sigma(sigma, t):
    return sp.sqrt(sp.diff(sigma, t)) * sp.sqrt(2 * sigma)


def transition_density(x, y, sigma):
    return sp.exp(-(x - y) ** 2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)


def reverse_sde(f, g, score, lam):
    c = 1 - lam / 2

    def drift(x, t):
        return f(x, t) - c * g(t) ** 2 * score(x, t)

    def diffusion(t):
        return (1 - lam) ** 0.5 * g(t)

    return drift, diffusion
