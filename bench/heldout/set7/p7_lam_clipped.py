"""Homework 1 submission."""

from functools import reduce

import numpy as np
import sympy as sp


def tweedie_mean(y, Sigma, score):
    return reduce(lambda acc, term: acc + term, [y, Sigma @ score(y)])


def score(p, x):
    logp = sp.expand_log(sp.log(p), force=True)
    return list(map(lambda xi: sp.diff(logp, xi), x))


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    d = np.asarray(mu0).shape[0]
    per_dim = [0.5 * ((sigma0 / sigma1) ** 2 + (b - a) ** 2 / sigma1**2 - 1) + np.log(sigma1 / sigma0)
               for a, b in zip(mu0, mu1)]
    assert len(per_dim) == d
    return sum(per_dim)


def ffjord_logp_grad(X, theta, nu, model, odeint):
    """Reverse pass written in tau = 1 - s (forward in tau), correctly converted."""
    D, P = len(X), len(theta)

    def rev_tau(y, tau):
        s = 1.0 - tau
        J = model.df_dz(y[:D], theta, s)
        return -np.concatenate([model.f(y[:D], theta, s), [-(nu @ J @ nu)]])

    y = odeint(rev_tau, np.concatenate([X, [0.0]]), 0.0, 1.0)
    z0, l0 = y[:D], y[D]

    def adj(state, s):
        z, a = state[:D], state[D:2 * D]
        J, Ft = model.df_dz(z, theta, s), model.df_dtheta(z, theta, s)
        return np.concatenate([model.f(z, theta, s), -a @ J - model.dquad_dz(z, theta, s, nu),
                               -a @ Ft - model.dquad_dtheta(z, theta, s, nu)])

    final = odeint(adj, np.concatenate([z0, model.grad_log_pz(z0), np.zeros(P)]), 0.0, 1.0)
    return model.log_pz(z0) - l0, final[2 * D:]


def _prepare(graph):
    for v in graph.nodes:
        if v.fn is not None:
            v.value = v.fn([u.value for u in graph.parents(v)])
    grads = {id(v): np.zeros(np.asarray(v.value).shape) for v in graph.nodes}
    grads[id(graph.output)] = np.ones(1)
    return grads


def backward_v1(graph):
    grads = _prepare(graph)
    for v in reversed(graph.nodes):
        grads[id(v)] = reduce(lambda acc, w: acc + grads[id(w)] @ w.fn.grad(v), graph.children(v), grads[id(v)])
    for v in graph.nodes:
        v.grad = grads[id(v)]


def backward_v2(graph):
    grads = _prepare(graph)
    for v in reversed(graph.nodes):
        for u in graph.parents(v):
            grads[id(u)] = grads[id(u)] + grads[id(v)] @ v.fn.grad(u)
    for v in graph.nodes:
        v.grad = grads[id(v)]


def fokker_planck_residual(p, f, rho, x, t):
    div = reduce(lambda acc, pair: acc + sp.diff(pair[0] * p, pair[1]), zip(f, x), sp.Integer(0))
    lap = reduce(lambda acc, xi: acc + sp.diff(p, xi, 2), x, sp.Integer(0))
    return sp.diff(p, t) - (-div + rho**2 / 2 * lap)


def rho_from_sigma(sigma, t):
    return sp.sqrt(sp.Derivative(sigma**2, t).doit())


def transition_density(x, y, sigma):
    return sp.exp(-sp.Rational(1, 2) * ((x - y) / sigma) ** 2) / sp.sqrt(2 * sp.pi) / sp.Abs(sigma)


def reverse_sde(f, g, score, lam):
    root = sp.sqrt if isinstance(lam, sp.Basic) else np.sqrt
    if not isinstance(lam, sp.Basic):
        lam = min(max(lam, 0.0), 1.0)  # interpolation weight: 0 = SDE, 1 = ODE
    return (lambda x, t: f(x, t) - (1 - lam / 2) * g(t) ** 2 * score(x, t)), (lambda t: root(1 - lam) * g(t))
