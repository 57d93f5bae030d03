"""A student's attempt at Homework 1: mostly right, with three typical mistakes.

`hw1 grade submissions/example.py` shows what the report says about each of them.
"""

import numpy as np
import sympy as sp


def tweedie_mean(y, Sigma, score):
    # E[X|Y] = Y + Sigma grad log p_Y(Y)
    return y + Sigma @ score(y)


def score(p, x):
    return [sp.simplify(sp.diff(sp.log(p), v)) for v in x]


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    d = len(mu0)
    mean_term = np.sum((mu1 - mu0) ** 2) / (2 * sigma1**2)
    scale_term = d * (sigma0**2 / sigma1**2 - 1) / 2
    return mean_term + scale_term + np.log(sigma1 / sigma0)  # mistake: the log term needs a factor d


def ffjord_logp_grad(X, theta, nu, model, odeint):
    D = len(X)

    def backwards(state, s):
        z = state[:D]
        trace_estimate = nu @ model.df_dz(z, theta, s) @ nu
        return np.append(model.f(z, theta, s), -trace_estimate)

    end = odeint(backwards, np.append(X, 0.0), 1.0, 0.0)
    z0, l0 = end[:D], end[D]

    def adjoint(state, s):
        z, a = state[:D], state[D:2 * D]
        J = model.df_dz(z, theta, s)
        return np.concatenate([model.f(z, theta, s),
                               -a @ J - model.dquad_dz(z, theta, s, nu),
                               -a @ model.df_dtheta(z, theta, s) - model.dquad_dtheta(z, theta, s, nu)])

    start = np.concatenate([z0, model.grad_log_pz(z0), np.zeros(len(theta))])
    return model.log_pz(z0) - l0, odeint(adjoint, start, 0.0, 1.0)[2 * D:]


def _forward(graph):
    for v in graph.nodes:
        if v.fn is not None:
            v.value = v.fn([u.value for u in graph.parents(v)])
        v.grad = np.zeros(len(v.value))
    graph.nodes[-1].grad = np.ones(1)  # mistake: the output is graph.output, not always the last node


def backward_v1(graph):
    _forward(graph)
    for v in reversed(graph.nodes):
        for w in graph.children(v):
            v.grad = v.grad + w.grad @ w.fn.grad(v)


def backward_v2(graph):
    _forward(graph)
    for v in reversed(graph.nodes):
        for u in graph.parents(v):
            u.grad = u.grad + v.grad @ v.fn.grad(u)


def fokker_planck_residual(p, f, rho, x, t):
    flux = sum(sp.diff(fi * p, xi) for fi, xi in zip(f, x))
    laplacian = sum(sp.diff(p, xi, 2) for xi in x)
    return sp.diff(p, t) + flux - rho**2 / 2 * laplacian


def rho_from_sigma(sigma, t):
    return sp.sqrt(sp.diff(sigma**2, t))


def transition_density(x, y, sigma):
    # copied from the statement -- mistake: the constant should be 1/sqrt(2 pi sigma^2)
    return sp.exp(-(x - y) ** 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma)


def reverse_sde(f, g, score, lam):
    root = sp.sqrt if isinstance(lam, sp.Basic) else np.sqrt

    def drift(x, t):
        return f(x, t) - (1 - lam / 2) * g(t) ** 2 * score(x, t)

    def diffusion(t):
        return root(1 - lam) * g(t)

    return drift, diffusion
