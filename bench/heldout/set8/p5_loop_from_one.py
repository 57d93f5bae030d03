"""Homework 1 submission."""

import math

import numpy as np
import sympy as sp


def tweedie_mean(y, Sigma, score):
    s = score(y)
    if isinstance(y, np.ndarray):
        n = len(y)
        return [float(y[i]) + sum(float(Sigma[i][j]) * float(s[j]) for j in range(n)) for i in range(n)]
    return sp.Matrix(y) + sp.Matrix(Sigma) * sp.Matrix(s)


def score(p, x):
    return [sp.diff(p, xi) / p for xi in x]


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    d = len(mu0)
    sq = 0.0
    for a, b in zip(mu0, mu1):
        sq += (b - a) ** 2
    return sq / (2 * sigma1 * sigma1) + 0.5 * d * (sigma0 * sigma0 / (sigma1 * sigma1) - 1) + d * (
        math.log(sigma1) - math.log(sigma0))


def _rk4(rhs, y, s0, s1, n=400):
    h = (s1 - s0) / n
    s = s0
    for _ in range(n):
        k1 = rhs(y, s)
        k2 = rhs(y + h / 2 * k1, s + h / 2)
        k3 = rhs(y + h / 2 * k2, s + h / 2)
        k4 = rhs(y + h * k3, s + h)
        y = y + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        s += h
    return y


def ffjord_logp_grad(X, theta, nu, model, odeint):
    """Own integrator; z is integrated back to 0 first, then (z, a, b) forward together."""
    D = len(X)
    P = len(theta)
    z = _rk4(lambda z, s: model.f(z, theta, s), X.copy(), 1.0, 0.0)

    def rhs_l(y, s):
        zz = y[:D]
        return np.append(model.f(zz, theta, s), -nu.dot(model.df_dz(zz, theta, s).dot(nu)))

    l0 = _rk4(rhs_l, np.append(X, 0.0), 1.0, 0.0)[D]

    def rhs(y, s):
        zz, a = y[:D], y[D:2 * D]
        J = model.df_dz(zz, theta, s)
        return np.concatenate([model.f(zz, theta, s),
                               -J.T.dot(a) - model.dquad_dz(zz, theta, s, nu),
                               -model.df_dtheta(zz, theta, s).T.dot(a) - model.dquad_dtheta(zz, theta, s, nu)])

    out = _rk4(rhs, np.concatenate([z, model.grad_log_pz(z), np.zeros(P)]), 0.0, 1.0)
    return model.log_pz(z) - l0, list(out[2 * D:])


def backward_v1(graph):
    for v in graph.nodes:
        ps = graph.parents(v)
        if ps:
            v.value = v.fn([u.value for u in ps])
    for v in graph.nodes:
        v.grad = np.zeros(len(np.atleast_1d(v.value)))
    graph.output.grad = np.array([1.0])
    order = list(graph.nodes)
    for v in order[::-1]:
        for w in graph.children(v):
            v.grad += np.dot(w.grad, w.fn.grad(v))


def backward_v2(graph):
    for v in graph.nodes:
        if graph.parents(v):
            v.value = v.fn([u.value for u in graph.parents(v)])
    for v in graph.nodes:
        v.grad = np.zeros(len(np.atleast_1d(v.value)))
    graph.output.grad = np.array([1.0])
    for i in range(len(graph.nodes) - 1, -1, -1):
        v = graph.nodes[i]
        for u in graph.parents(v):
            u.grad += np.dot(v.grad, v.fn.grad(u))


def fokker_planck_residual(p, f, rho, x, t):
    total = sp.diff(p, t)
    for i in range(1, len(x)):
        total += sp.diff(f[i], x[i]) * p + f[i] * sp.diff(p, x[i])
        total -= rho * rho * sp.diff(sp.diff(p, x[i]), x[i]) / 2
    return total


def rho_from_sigma(sigma, t):
    return sp.sqrt(2 * sigma * sp.diff(sigma, t))


def transition_density(x, y, sigma):
    return 1 / (sigma * sp.sqrt(2 * sp.pi)) * sp.exp(-((x - y) / sigma) ** 2 / 2)


def reverse_sde(f, g, score, lam):
    def drift(x, t):
        gt = g(t)
        return f(x, t) - gt * gt * score(x, t) + lam * gt * gt * score(x, t) / 2

    def diffusion(t):
        return (1 - lam) ** sp.Rational(1, 2) * g(t) if isinstance(lam, sp.Basic) else math.sqrt(1 - lam) * g(t)

    return drift, diffusion
