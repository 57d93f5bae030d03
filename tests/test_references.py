"""The references are right, checked by methods independent of the ones the grader uses."""

import numpy as np
import pytest
import sympy as sp

from problems.p1_tweedie import problem as p1
from problems.p2_kl import problem as p2
from problems.p3_ffjord import problem as p3
from problems.p3_ffjord.harness import odeint
from problems.p3_ffjord.model import TanhModel, rk4
from problems.p4_backprop import problem as p4
from problems.p4_backprop.graphs import forward
from problems.p5_fokker_planck import problem as p5
from problems.p6_ve_sde import problem as p6
from problems.p7_reverse_sde import model as p7model


@pytest.mark.parametrize("seed", range(3))
def test_p1_posterior_mean_matches_importance_sampling(seed):
    rng = np.random.default_rng(seed)
    n = 2
    sigma = p1.spd(rng, n, 0.4)
    w, m = [0.4, 0.6], [rng.normal(size=n), rng.normal(size=n)]
    c = [p1.spd(rng, n, 0.3), p1.spd(rng, n, 0.3)]
    y = rng.normal(size=n)
    N = 400_000
    k = rng.random(N) < w[0]
    x = np.where(k[:, None], rng.multivariate_normal(m[0], c[0], N), rng.multivariate_normal(m[1], c[1], N))
    r = y - x
    logw = -0.5 * np.einsum("ij,jk,ik->i", r, np.linalg.inv(sigma), r)
    wt = np.exp(logw - logw.max())
    est = (wt[:, None] * x).sum(0) / wt.sum()
    ess = wt.sum() ** 2 / (wt**2).sum()
    se = x.std(0) / np.sqrt(ess)
    assert np.all(np.abs(est - p1.posterior_mean(y, sigma, w, m, c)) < 5 * se)


def test_p1_tweedie_identity_holds_for_the_reference_by_finite_differences():
    """y + Sigma grad log p_Y(y), grad by finite differences of log p_Y, equals the Bayes mean."""
    rng = np.random.default_rng(1)
    n, sigma = 3, p1.spd(rng, 3, 0.4)
    w, m, c = [1.0], [rng.normal(size=n)], [p1.spd(rng, n, 0.3)]
    s = c[0] + sigma
    logp = lambda y: -0.5 * (y - m[0]) @ np.linalg.solve(s, y - m[0])
    y, h = rng.normal(size=n), 1e-5
    grad = np.array([(logp(y + h * e) - logp(y - h * e)) / (2 * h) for e in np.eye(n)])
    assert np.allclose(y + sigma @ grad, p1.posterior_mean(y, sigma, w, m, c), atol=1e-8)


def test_p2_reference_matches_monte_carlo_in_3d():
    rng = np.random.default_rng(0)
    mu0, mu1, s0, s1 = rng.normal(size=3), rng.normal(size=3), 0.7, 1.3
    x = mu0 + s0 * rng.standard_normal((400_000, 3))
    lr = (-((x - mu0) ** 2).sum(1) / (2 * s0**2) - 3 * np.log(s0)) - (-((x - mu1) ** 2).sum(1) / (2 * s1**2)
                                                                      - 3 * np.log(s1))
    assert abs(lr.mean() - p2.reference(mu0, s0, mu1, s1)) < 5 * lr.std() / np.sqrt(len(lr))


def _p3_setup(seed, tau):
    sc = p3.scenario(np.random.default_rng(seed), tau)
    return sc, p3.model_of(sc)


@pytest.mark.parametrize("tau", [0.0, 1.5])
def test_p3_reference_gradient_matches_finite_differences(tau):
    sc, model = _p3_setup(0, tau)
    nu = np.random.default_rng(9).normal(size=3)
    ((logp, grad),) = p3.reference(model, sc["X"], sc["theta"], [[nu]])
    h = 1e-5
    for k in range(model.P):
        e = np.zeros(model.P)
        e[k] = h
        up = p3.reference(model, sc["X"], sc["theta"] + e, [[nu]])[0][0]
        down = p3.reference(model, sc["X"], sc["theta"] - e, [[nu]])[0][0]
        assert abs((up - down) / (2 * h) - grad[k]) < 1e-6 * (1 + abs(grad[k]))


def test_p3_reference_is_converged_and_student_integrator_is_accurate():
    sc, model = _p3_setup(1, 1.5)
    nu = np.ones(3)
    fine = p3.STEPS
    try:
        p3.STEPS = 2000
        ((logp_ref, grad_ref),) = p3.reference(model, sc["X"], sc["theta"], [[nu]])
    finally:
        p3.STEPS = fine
    ((logp, grad),) = p3.reference(model, sc["X"], sc["theta"], [[nu]])
    assert abs(logp - logp_ref) < 1e-9 and np.allclose(grad, grad_ref, atol=1e-9)
    z = odeint(lambda z, s: model.f(z, sc["theta"], s), sc["X"], 1.0, 0.0)
    z_ref = rk4(lambda z, s: model.f(z, sc["theta"], s), sc["X"], 1.0, 0.0, 4000)
    assert np.allclose(z, z_ref, atol=1e-8)


def test_p3_model_derivatives_match_finite_differences():
    rng = np.random.default_rng(3)
    model = TanhModel(3, 1.5, np.zeros(3), np.ones(3))
    z, theta, nu, s, h = rng.normal(size=3), rng.normal(size=12), rng.normal(size=3), 0.4, 1e-6
    fd = lambda fn, x, n: np.array([(fn(x + h * e) - fn(x - h * e)) / (2 * h) for e in np.eye(n)]).T
    assert np.allclose(fd(lambda zz: model.f(zz, theta, s), z, 3), model.df_dz(z, theta, s), atol=1e-7)
    assert np.allclose(fd(lambda th: model.f(z, th, s), theta, 12), model.df_dtheta(z, theta, s), atol=1e-7)
    quad = lambda zz, th: nu @ model.df_dz(zz, th, s) @ nu
    assert np.allclose(fd(lambda zz: quad(zz, theta), z, 3), model.dquad_dz(z, theta, s, nu), atol=1e-6)
    assert np.allclose(fd(lambda th: quad(z, th), theta, 12), model.dquad_dtheta(z, theta, s, nu), atol=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_p4_reference_grads_match_finite_differences(seed):
    spec = p4.random_graph(np.random.default_rng(seed), 7, 2, False)
    values, grads = p4.reference(spec)
    nodes, out = spec["nodes"], spec["output"]

    def output_after_perturbing(v, delta):
        vals = [np.array(x) for x in values]
        vals[v] = vals[v] + delta
        for i in range(v + 1, len(nodes)):
            if nodes[i]["op"] is not None:
                vals[i] = forward(nodes[i]["op"], [vals[p] for p in nodes[i]["parents"]], nodes[i]["params"])
        return vals[out][0]

    h = 1e-6
    for v, n in enumerate(nodes):
        fd = [(output_after_perturbing(v, h * e) - output_after_perturbing(v, -h * e)) / (2 * h)
              for e in np.eye(n["dim"])]
        expected = [1.0] if v == out else fd
        assert np.allclose(grads[v], expected, atol=1e-7), v


def test_p5_solution_probe_really_solves_fokker_planck_by_finite_differences():
    case = p5.build_solution(np.random.default_rng(0))
    args = case.calls["main"].args
    from grader import wire

    p, rho = wire.decode(args["p"]), wire.decode(args["rho"])
    x1, x2, t = p5.X1, p5.X2, p5.T
    f = lambda a, b, c: float(p.subs({x1: a, x2: b, t: c}))
    a, b, c, h = 0.3, -0.4, 0.7, 1e-3
    dt = (f(a, b, c + h) - f(a, b, c - h)) / (2 * h)
    flux = lambda a, b, c: -a * f(a, b, c)
    flux2 = lambda a, b, c: -b * f(a, b, c)
    div = (flux(a + h, b, c) - flux(a - h, b, c) + flux2(a, b + h, c) - flux2(a, b - h, c)) / (2 * h)
    lap = (f(a + h, b, c) - 2 * f(a, b, c) + f(a - h, b, c) + f(a, b + h, c) - 2 * f(a, b, c) + f(a, b - h, c)) / h**2
    r2 = float(rho.subs(t, c)) ** 2
    assert abs(dt + div - r2 / 2 * lap) < 1e-5


def test_p6_reference_rho_for_geometric_schedule_by_hand():
    lo, hi = sp.Rational(1, 10), 20
    sigma = lo * (hi / lo) ** p6.T
    assert sp.simplify(p6.rho_ref(sigma) - sigma * sp.sqrt(2 * sp.log(hi / lo))) == 0
    assert sp.integrate(p6.density_ref(p6.X, p6.Y, p6.SIGMA), (p6.X, -sp.oo, sp.oo)) == 1


def test_p7_model_marginals_solve_the_forward_equations():
    t, m0 = sp.Symbol("t"), sp.Rational(1, 3)
    m, v = p7model.mean(m0, t, sp.exp), p7model.var(t)
    assert sp.simplify(sp.diff(m, t) - (-m + t)) == 0
    assert sp.simplify(sp.diff(v, t) - (-2 * v + p7model.g2(t))) == 0


def test_p7_marginal_derivatives_by_hand_match_sympy():
    x, t = sp.Symbol("x", real=True), sp.Symbol("t", positive=True)
    m0 = sp.Rational(3, 4)
    p, pt, px, pxx = p7model.marginal_derivatives(m0, x, t)
    assert p == p7model.symbolic(m0, x, t)[3]
    rng = np.random.default_rng(2)
    for _ in range(5):
        at = {x: float(rng.uniform(-2, 2)), t: float(rng.uniform(0.1, 2))}
        for mine, exact in ((pt, sp.diff(p, t)), (px, sp.diff(p, x)), (pxx, sp.diff(p, x, 2))):
            assert abs(complex((mine - exact).evalf(30, subs=at))) < 1e-25
