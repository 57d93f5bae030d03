"""Homework 1 submission."""

import numpy as np
import sympy


def tweedie_mean(y, Sigma, score):
    return Sigma @ score(y) + y


def score(p, x):
    return sympy.Matrix([sympy.log(p)]).jacobian(sympy.Matrix(x))


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    d = mu0.shape[0]
    r = sigma0**2 / sigma1**2
    return np.float64(0.5 * (d * r + np.linalg.norm(mu1 - mu0) ** 2 / sigma1**2 - d - d * np.log(r)))


def ffjord_logp_grad(X, theta, nu, model, odeint):
    """One combined forward system for z, a, b after the reverse solve."""
    D, P = len(X), len(theta)
    back = odeint(lambda y, s: np.hstack([model.f(y[:D], theta, s),
                                          -nu @ model.df_dz(y[:D], theta, s) @ nu]),
                  np.hstack([X, 0.0]), 1, 0)
    z0 = back[:D]

    def rhs(y, s):
        z, a = y[:D], y[D:2 * D]
        return np.hstack([model.f(z, theta, s),
                          -(a @ model.df_dz(z, theta, s) + model.dquad_dz(z, theta, s, nu)),
                          -(a @ model.df_dtheta(z, theta, s) + model.dquad_dtheta(z, theta, s, nu))])

    fwd = odeint(rhs, np.hstack([z0, model.grad_log_pz(z0), np.zeros(P)]), 0, 1)
    return np.array(model.log_pz(z0) - back[D]), fwd[2 * D:].reshape(1, P)


def backward_v1(graph):
    nodes = graph.nodes
    for v in nodes:
        if v.fn is not None:
            v.value = np.asarray(v.fn([u.value for u in graph.parents(v)]))
    for v in nodes:
        v.grad = 0 * v.value
    graph.output.grad = np.ones_like(graph.output.value)
    for v in reversed(nodes):
        for w in graph.children(v):
            v.grad = v.grad + np.matmul(w.grad, w.fn.grad(v))


def backward_v2(graph):
    nodes = graph.nodes
    for v in nodes:
        if v.fn is not None:
            v.value = np.asarray(v.fn([u.value for u in graph.parents(v)]))
    for v in nodes:
        v.grad = 0 * v.value
    graph.output.grad = np.ones_like(graph.output.value)
    for v in reversed(nodes):
        if v.fn is None:
            continue
        for u in graph.parents(v):
            u.grad = u.grad + np.matmul(v.grad, v.fn.grad(u))


def fokker_planck_residual(p, f, rho, x, t):
    X = sympy.Matrix(x)
    flux = sympy.Matrix(f) * p
    div = sum(flux.jacobian(X)[i, i] for i in range(len(x)))
    lap = sympy.hessian(p, x).trace()
    return sympy.Derivative(p, t).doit() + div - sympy.Rational(1, 2) * rho**2 * lap


def rho_from_sigma(sigma, t):
    return (sympy.diff(sigma**2, t)) ** sympy.Rational(1, 2)


def transition_density(x, y, sigma):
    from sympy.stats import Normal, density
    var = sigma**2
    return density(Normal("X", y, var))(x)


def reverse_sde(f, g, score, lam):
    half = sympy.Rational(1, 2) if isinstance(lam, sympy.Basic) else 0.5
    return (lambda x, t: f(x, t) - (1 - half * lam) * g(t) ** 2 * score(x, t),
            lambda t: -(1 - lam) ** half * g(t))
