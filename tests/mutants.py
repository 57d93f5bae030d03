"""Realistic single mistakes, as edits of the reference solution, with the probes that must catch them.

Each mutant replaces one snippet of submissions/reference.py (it must occur exactly once) and
lists exactly which probes fail. The table is the spec of what every probe is for: a meta-test
checks that every probe is in some mutant's `fails`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.support import REFERENCE


@dataclass(frozen=True)
class Mutant:
    name: str
    problem: int
    old: str
    new: str
    fails: frozenset[str]

    def source(self) -> str:
        text = REFERENCE.read_text()
        assert text.count(self.old) == 1, f"{self.name}: snippet must occur exactly once"
        return text.replace(self.old, self.new)


def m(name: str, problem: int, old: str, new: str, *fails: str) -> Mutant:
    return Mutant(name, problem, old, new, frozenset(fails))


TWEEDIE = "    return y + Sigma @ score(y)\n"
TW_ALL = ("p1.tweedie.scalar", "p1.tweedie.diagonal", "p1.tweedie.full", "p1.tweedie.symbolic")
P3_REV = "return np.concatenate([model.f(z, theta, s), [-(nu @ J @ nu)]])"
P3_DA = "da = -a @ J - model.dquad_dz(z, theta, s, nu)"
P3_DB = "db = -a @ model.df_dtheta(z, theta, s) - model.dquad_dtheta(z, theta, s, nu)"
P3_A0 = "np.concatenate([z0, model.grad_log_pz(z0), np.zeros(P)])"
P4_ALLV = ("p4.v1", "p4.v2", "p4.output_inside")
P5_DIV = "div = sum(sympy.diff(fi * p, xi) for fi, xi in zip(f, x))"
P5_RET = "return sympy.diff(p, t) + div - rho**2 / 2 * lap"
P5_ALL = ("p5.d1", "p5.d2", "p5.time_rho", "p5.solution")
P7_DRIFT = "return f(x, t) - (1 - lam / 2) * g(t) ** 2 * score(x, t)"
P7_ALL = ("p7.numeric", "p7.ode", "p7.symbolic", "p7.marginals", "p7.simulation")

MUTANTS = (
    # ---------------------------------------------------------------- problem 1
    m("sigma_inverse", 1, TWEEDIE, "    return y + np.linalg.solve(Sigma, score(y))\n", *TW_ALL),
    m("tweedie_sign", 1, TWEEDIE, "    return y - Sigma @ score(y)\n", *TW_ALL),
    m("sigma_dropped", 1, TWEEDIE, "    return y + score(y)\n", *TW_ALL),
    m("only_first_entry_of_sigma", 1, TWEEDIE, "    return y + Sigma[0, 0] * score(y)\n",
      "p1.tweedie.diagonal", "p1.tweedie.full", "p1.tweedie.symbolic"),
    m("diagonal_of_sigma", 1, TWEEDIE,
      "    if isinstance(Sigma, np.ndarray):\n        return y + np.diag(Sigma) * score(y)\n"
      "    return y + Sigma @ score(y)\n", "p1.tweedie.full"),
    m("float_conversion", 1, TWEEDIE,
      "    return np.asarray(y, dtype=float) + np.asarray(Sigma, dtype=float) @ np.asarray(score(y), dtype=float)\n",
      "p1.tweedie.symbolic"),
    m("sigma_factored_out", 1, TWEEDIE, "    return Sigma @ (y + score(y))\n", *TW_ALL),
    m("sigma_on_y", 1, TWEEDIE, "    return Sigma @ y + score(y)\n", *TW_ALL),
    m("lower_triangle_of_sigma", 1, TWEEDIE,
      "    if isinstance(Sigma, np.ndarray):\n        return y + np.tril(Sigma) @ score(y)\n"
      "    return y + Sigma.lower_triangular() @ score(y)\n", "p1.tweedie.full", "p1.tweedie.symbolic"),
    m("tweedie_overwrites_y", 1, TWEEDIE,
      "    if isinstance(y, np.ndarray):\n        out = y\n        for i in range(len(y)):\n"
      "            out[i] = y[i] + (Sigma @ score(y))[i]\n        return out\n    return y + Sigma @ score(y)\n",
      "p1.tweedie.diagonal", "p1.tweedie.full"),
    m("score_last_component_missing", 1, "return [sympy.diff(logp, xi) for xi in x]",
      "return [sympy.diff(logp, xi) for xi in x[:-1]]", "p1.score.gaussian", "p1.score.mixture"),
    m("score_log_of_sum_split", 1, "    logp = sympy.log(p)\n",
      "    logp = sum(sympy.log(q) for q in sympy.Add.make_args(sympy.expand(p)))\n", "p1.score.mixture"),
    m("tweedie_sigma_inverse_mean", 1, TWEEDIE,
      "    if isinstance(Sigma, np.ndarray):\n        return np.linalg.solve(Sigma, y) + score(y)\n"
      "    return Sigma.inv() @ y + score(y)\n", *TW_ALL),
    m("grad_p_not_log", 1, "return [sympy.diff(logp, xi) for xi in x]",
      "return [sympy.diff(p, xi) for xi in x]", "p1.score.gaussian", "p1.score.mixture"),
    m("assumes_gaussian", 1, "return [sympy.diff(logp, xi) for xi in x]",
      "return list(sympy.hessian(logp, x) * sympy.Matrix(x))", "p1.score.mixture"),
    m("components_reversed", 1, "return [sympy.diff(logp, xi) for xi in x]",
      "return [sympy.diff(logp, xi) for xi in x][::-1]", "p1.score.gaussian", "p1.score.mixture"),
    m("trace_of_sigma", 1, TWEEDIE,
      "    return y + (Sigma.trace() if hasattr(Sigma, 'trace') else Sigma[0, 0] + Sigma[1, 1]) * score(y)\n",
      "p1.tweedie.diagonal", "p1.tweedie.full", "p1.tweedie.symbolic"),
    m("half_sigma", 1, TWEEDIE, "    return y + Sigma @ score(y) / 2\n", *TW_ALL),
    m("score_second_derivative", 1, "return [sympy.diff(logp, xi) for xi in x]",
      "return [sympy.diff(logp, xi, 2) for xi in x]", "p1.score.gaussian", "p1.score.mixture"),
    m("score_first_variable_only", 1, "return [sympy.diff(logp, xi) for xi in x]",
      "return [sympy.diff(logp, x[0]) for xi in x]", "p1.score.gaussian", "p1.score.mixture"),
    # ---------------------------------------------------------------- problem 2
    m("kl_swapped", 2, "return float(diff @ diff / (2 * sigma1**2) + d * (sigma0**2 / sigma1**2 - 1) / 2\n"
      "                 + d * np.log(sigma1 / sigma0))",
      "return float(diff @ diff / (2 * sigma0**2) + d * (sigma1**2 / sigma0**2 - 1) / 2\n"
      "                 + d * np.log(sigma0 / sigma1))", "p2.scales", "p2.general", "p2.monte_carlo"),
    m("log_without_d", 2, "+ d * np.log(sigma1 / sigma0))", "+ np.log(sigma1 / sigma0))",
      "p2.scales", "p2.general"),
    m("norm_not_squared", 2, "diff @ diff / (2 * sigma1**2)", "np.sqrt(diff @ diff) / (2 * sigma1**2)",
      "p2.means", "p2.general"),
    m("mean_term_over_sigma0", 2, "diff @ diff / (2 * sigma1**2)", "diff @ diff / (2 * sigma0**2)",
      "p2.general"),
    m("std_ratio_not_variance", 2, "d * (sigma0**2 / sigma1**2 - 1) / 2", "d * (sigma0 / sigma1 - 1) / 2",
      "p2.scales", "p2.general", "p2.monte_carlo"),
    m("breaks_for_d1", 2, "d = np.size(mu0)", "d = len(np.squeeze(mu0))", "p2.monte_carlo"),
    m("log_base_2", 2, "+ d * np.log(sigma1 / sigma0))", "+ d * np.log2(sigma1 / sigma0))",
      "p2.scales", "p2.general", "p2.monte_carlo"),
    m("square_of_sum", 2, "diff @ diff / (2 * sigma1**2)", "diff.sum() ** 2 / (2 * sigma1**2)",
      "p2.means", "p2.general"),
    m("kl_d_on_second_log", 2, "d * np.log(sigma1 / sigma0)", "np.log(sigma1) - d * np.log(sigma0)",
      "p2.means", "p2.scales", "p2.general"),
    m("kl_cross_entropy", 2, "+ d * np.log(sigma1 / sigma0))",
      "+ d * np.log(sigma1 / sigma0) + d / 2 * np.log(2 * np.pi * np.e * sigma0**2))",
      "p2.means", "p2.scales", "p2.general", "p2.monte_carlo"),
    m("kl_minus_one_not_d", 2, "d * (sigma0**2 / sigma1**2 - 1) / 2", "(d * sigma0**2 / sigma1**2 - 1) / 2",
      "p2.means", "p2.scales", "p2.general"),
    m("kl_first_coordinate_only", 2, "diff @ diff / (2 * sigma1**2)", "diff[0] ** 2 / (2 * sigma1**2)",
      "p2.means", "p2.general"),
    m("kl_mean_over_sum_of_variances", 2, "diff @ diff / (2 * sigma1**2)",
      "diff @ diff / (2 * (sigma0**2 + sigma1**2))", "p2.means", "p2.general"),
    m("kl_sigmas_as_variances", 2, "diff @ diff / (2 * sigma1**2) + d * (sigma0**2 / sigma1**2 - 1) / 2\n"
      "                 + d * np.log(sigma1 / sigma0))",
      "diff @ diff / (2 * sigma1) + d * (sigma0 / sigma1 - 1) / 2\n"
      "                 + d * np.log(sigma1 / sigma0) / 2)", "p2.means", "p2.scales", "p2.general", "p2.monte_carlo"),
    m("kl_log_precedence", 2, "d * np.log(sigma1 / sigma0)", "d * np.log(sigma1) / sigma0",
      "p2.means", "p2.scales", "p2.general", "p2.monte_carlo"),
    # ---------------------------------------------------------------- problem 3
    m("jacobian_transposed", 3, P3_DA, "da = -J @ a - model.dquad_dz(z, theta, s, nu)",
      "p3.grad", "p3.unbiased"),
    m("missing_dquad_dz", 3, P3_DA, "da = -a @ J", "p3.grad", "p3.unbiased"),
    m("missing_dquad_dtheta", 3, P3_DB, "db = -a @ model.df_dtheta(z, theta, s)", "p3.grad", "p3.unbiased"),
    m("adjoint_sign", 3, P3_DA, "da = a @ J + model.dquad_dz(z, theta, s, nu)", "p3.grad", "p3.unbiased"),
    m("l_hat_added", 3, "logp_hat = model.log_pz(z0) - l0", "logp_hat = model.log_pz(z0) + l0", "p3.logp"),
    m("exact_trace_in_logp", 3, P3_REV, "return np.concatenate([model.f(z, theta, s), [-np.trace(J)]])",
      "p3.logp"),
    m("exact_trace_gradient", 3, P3_DA + "\n        " + P3_DB,
      "eye = np.eye(D)\n        da = -a @ J - sum(model.dquad_dz(z, theta, s, e) for e in eye)\n"
      "        db = -a @ model.df_dtheta(z, theta, s) - sum(model.dquad_dtheta(z, theta, s, e) for e in eye)",
      "p3.grad"),
    m("adjoint_time_reversed", 3, "        J = model.df_dz(z, theta, s)\n        da",
      "        s = 1 - s\n        J = model.df_dz(z, theta, s)\n        da", "p3.unbiased"),
    m("z_frozen_in_adjoint", 3, "return np.concatenate([model.f(z, theta, s), da, db])",
      "return np.concatenate([0 * z, da, db])", "p3.grad", "p3.unbiased"),
    m("l_hat_equation_sign", 3, P3_REV, "return np.concatenate([model.f(z, theta, s), [nu @ J @ nu]])",
      "p3.logp"),
    m("a0_zero", 3, P3_A0, "np.concatenate([z0, np.zeros(D), np.zeros(P)])", "p3.grad", "p3.unbiased"),
    m("a0_sign", 3, P3_A0, "np.concatenate([z0, -model.grad_log_pz(z0), np.zeros(P)])", "p3.grad", "p3.unbiased"),
    m("a0_at_X", 3, P3_A0, "np.concatenate([z0, model.grad_log_pz(X), np.zeros(P)])", "p3.grad", "p3.unbiased"),
    m("returns_a_not_b", 3, "return float(logp_hat), y1[2 * D:]", "return float(logp_hat), y1[D:2 * D]",
      "p3.logp", "p3.grad", "p3.unbiased"),
    m("per_dimension", 3, "return float(logp_hat), y1[2 * D:]", "return float(logp_hat) / D, y1[2 * D:] / D",
      "p3.logp", "p3.grad", "p3.unbiased"),
    m("lhat_wrong_slot", 3, "z0, l0 = y0[:D], y0[D]", "z0, l0 = y0[:D], y0[D - 1]", "p3.logp"),
    m("nu_normalised", 3, "    D, P = X.size, theta.size\n",
      "    D, P = X.size, theta.size\n    nu = nu / np.linalg.norm(nu)\n", "p3.logp", "p3.grad", "p3.unbiased"),
    m("a0_halved", 3, P3_A0, "np.concatenate([z0, 0.5 * model.grad_log_pz(z0), np.zeros(P)])",
      "p3.grad", "p3.unbiased"),
    # the adjoint method piece by piece (each named by a judge-side replay, tests/test_diagnosis.py)
    m("a_equation_aJ_sign", 3, P3_DA, "da = a @ J - model.dquad_dz(z, theta, s, nu)", "p3.grad", "p3.unbiased"),
    m("a_equation_dquad_sign", 3, P3_DA, "da = -a @ J + model.dquad_dz(z, theta, s, nu)", "p3.grad", "p3.unbiased"),
    m("b_equation_sign", 3, P3_DB, "db = a @ model.df_dtheta(z, theta, s) + model.dquad_dtheta(z, theta, s, nu)",
      "p3.grad", "p3.unbiased"),
    m("b_equation_missing_a_term", 3, P3_DB, "db = -model.dquad_dtheta(z, theta, s, nu)", "p3.grad", "p3.unbiased"),
    m("b_equation_dquad_sign", 3, P3_DB, "db = -a @ model.df_dtheta(z, theta, s) + model.dquad_dtheta(z, theta, s, nu)",
      "p3.grad", "p3.unbiased"),
    m("b0_ones", 3, P3_A0, "np.concatenate([z0, model.grad_log_pz(z0), np.ones(P)])", "p3.grad", "p3.unbiased"),
    m("b0_theta", 3, P3_A0, "np.concatenate([z0, model.grad_log_pz(z0), theta])", "p3.grad", "p3.unbiased"),
    m("adjoint_z_starts_at_X", 3, P3_A0, "np.concatenate([X, model.grad_log_pz(z0), np.zeros(P)])",
      "p3.grad", "p3.unbiased"),
    m("adjoint_z_backwards", 3, "return np.concatenate([model.f(z, theta, s), da, db])",
      "return np.concatenate([-model.f(z, theta, s), da, db])", "p3.grad", "p3.unbiased"),
    m("adjoint_sweep_backwards", 3, P3_A0 + ", 0.0, 1.0)", P3_A0 + ", 1.0, 0.0)", "p3.grad", "p3.unbiased"),
    m("reverse_solve_forwards", 3, "odeint(reverse, np.concatenate([X, [0.0]]), 1.0, 0.0)",
      "odeint(reverse, np.concatenate([X, [0.0]]), 0.0, 1.0)", "p3.logp", "p3.grad", "p3.unbiased"),
    m("coarse_integrator", 3, "    D, P = X.size, theta.size\n",
      "    D, P = X.size, theta.size\n\n    def odeint(rhs, y, s0, s1, n=30):  # Euler\n"
      "        for k in range(n):\n            y = y + (s1 - s0) / n * rhs(y, s0 + k * (s1 - s0) / n)\n"
      "        return y\n", "p3.logp", "p3.grad", "p3.unbiased"),
    m("jacobian_at_time_zero", 3, "        J = model.df_dz(z, theta, s)\n        da",
      "        J = model.df_dz(z, theta, 0.0)\n        da", "p3.unbiased"),
    m("adjoint_slices_swapped", 3, "        z, a = y[:D], y[D:2 * D]\n", "        a, z = y[:D], y[D:2 * D]\n",
      "p3.grad", "p3.unbiased"),
    # ---------------------------------------------------------------- problem 4
    # No "v1 written as a call to v2" (or the reverse): SPEC 2.4 allows any order a reverse pass
    # allows, and both versions make the same fn.grad calls and sums in different orders only, so
    # nothing observable tells them apart; such a submission is correct (the order probes that
    # caught it are gone, their points moved to p4.v1 and p4.v2).
    m("scalar_zero_grad", 4, "v.grad = np.zeros_like(np.asarray(v.value, dtype=float))", "v.grad = 0",
      *P4_ALLV),
    m("no_zero_grad", 4, "v.grad = np.zeros_like(np.asarray(v.value, dtype=float))", "pass", *P4_ALLV),
    m("no_forward_pass", 4, "            v.value = v.fn([u.value for u in graph.parents(v)])",
      "            pass", *P4_ALLV),
    m("output_assumed_last", 4, "graph.output.grad = np.ones(1)", "graph.nodes[-1].grad = np.ones(1)",
      "p4.output_inside"),
    m("assign_not_accumulate_v1", 4, "v.grad = v.grad + w.grad @ w.fn.grad(v)", "v.grad = w.grad @ w.fn.grad(v)",
      "p4.v1", "p4.output_inside"),
    m("assign_not_accumulate_v2", 4, "u.grad = u.grad + v.grad @ v.fn.grad(u)", "u.grad = v.grad @ v.fn.grad(u)",
      "p4.v2", "p4.output_inside"),
    m("children_averaged_in_v1", 4, "v.grad = v.grad + w.grad @ w.fn.grad(v)",
      "v.grad = v.grad + w.grad @ w.fn.grad(v) / len(graph.children(v))", "p4.v1"),
    m("split_among_parents_in_v2", 4, "u.grad = u.grad + v.grad @ v.fn.grad(u)",
      "u.grad = u.grad + v.grad @ v.fn.grad(u) / len(graph.parents(v))", "p4.v2"),
    m("zero_grad_in_place_keeps_stale_shape", 4, "v.grad = np.zeros_like(np.asarray(v.value, dtype=float))",
      "v.grad = np.asarray(v.grad, dtype=float); v.grad[...] = 0", "p4.output_inside"),
    m("v1_nodes_walked_forwards", 4, "    for v in reversed(graph.nodes):\n        for w in graph.children(v):",
      "    for v in graph.nodes:\n        for w in graph.children(v):", "p4.v1"),
    m("v2_nodes_walked_forwards", 4, "    for v in reversed(graph.nodes):\n        if v.fn is None:",
      "    for v in graph.nodes:\n        if v.fn is None:", "p4.v2"),
    m("out_grad_never_set", 4, "    graph.output.grad = np.ones(1)\n", "", *P4_ALLV),
    m("out_grad_before_zero_grad", 4,
      "    for v in graph.nodes:\n        v.grad = np.zeros_like(np.asarray(v.value, dtype=float))\n"
      "    graph.output.grad = np.ones(1)\n",
      "    graph.output.grad = np.ones(1)\n    for v in graph.nodes:\n"
      "        v.grad = np.zeros_like(np.asarray(v.value, dtype=float))\n", *P4_ALLV),
    m("v2_skips_output", 4, "        if v.fn is None:\n            continue\n",
      "        if v.fn is None or v is graph.output:\n            continue\n", "p4.v2"),
    m("jacobian_on_the_left", 4, "v.grad = v.grad + w.grad @ w.fn.grad(v)", "v.grad = v.grad + w.fn.grad(v) @ w.grad",
      "p4.v1", "p4.output_inside"),
    m("zero_grad_ones", 4, "v.grad = np.zeros_like(np.asarray(v.value, dtype=float))",
      "v.grad = np.ones_like(np.asarray(v.value, dtype=float))", *P4_ALLV),
    m("v1_skips_sources", 4, "    for v in reversed(graph.nodes):\n        for w in graph.children(v):\n",
      "    for v in reversed(graph.nodes):\n        if v.fn is None:\n            continue\n"
      "        for w in graph.children(v):\n", "p4.v1"),
    m("zero_grad_skips_last", 4, "    for v in graph.nodes:\n        v.grad = np.zeros_like",
      "    for v in graph.nodes[:-1]:\n        v.grad = np.zeros_like", "p4.output_inside"),
    m("seed_with_value", 4, "graph.output.grad = np.ones(1)",
      "graph.output.grad = np.array(graph.output.value, dtype=float)", *P4_ALLV),
    m("forward_uses_grad", 4, "v.value = v.fn([u.value for u in graph.parents(v)])",
      "v.value = v.fn([u.grad for u in graph.parents(v)])", *P4_ALLV),
    m("v1_first_child_only", 4, "        for w in graph.children(v):\n",
      "        for w in graph.children(v)[:1]:\n", "p4.v1"),
    m("v2_first_parent_only", 4, "        for u in graph.parents(v):\n",
      "        for u in graph.parents(v)[:1]:\n", "p4.v2"),
    m("v1_breadth_first", 4, "    for v in reversed(graph.nodes):\n        for w in graph.children(v):\n",
      "    order = [graph.output]\n    for v in order:\n"
      "        order += [u for u in graph.parents(v) if u not in order]\n"
      "    for v in order:\n        for w in graph.children(v):\n", "p4.v1"),
    m("v1_jacobian_transposed", 4, "v.grad = v.grad + w.grad @ w.fn.grad(v)",
      "v.grad = v.grad + w.grad @ w.fn.grad(v).T", "p4.v1", "p4.output_inside"),
    m("divergence_product_of_derivatives", 5, P5_DIV,
      "div = sum(sympy.diff(fi, xi) * sympy.diff(p, xi) for fi, xi in zip(f, x))", *P5_ALL),
    # ---------------------------------------------------------------- problem 5
    m("advective_not_divergence", 5, P5_DIV, "div = sum(fi * sympy.diff(p, xi) for fi, xi in zip(f, x))", *P5_ALL),
    m("rho_not_squared", 5, P5_RET, "return sympy.diff(p, t) + div - rho / 2 * lap", *P5_ALL),
    m("missing_half", 5, P5_RET, "return sympy.diff(p, t) + div - rho**2 * lap", *P5_ALL),
    m("first_coordinate_only", 5, "lap = sum(sympy.diff(p, xi, 2) for xi in x)",
      "lap = sum(sympy.diff(p, xi, 2) for xi in x[:1])", "p5.d2", "p5.solution"),
    m("residual_sign_flipped", 5, P5_RET, "return -(sympy.diff(p, t) + div - rho**2 / 2 * lap)",
      "p5.d1", "p5.d2", "p5.time_rho"),
    m("rho_at_time_zero", 5, P5_RET, "return sympy.diff(p, t) + div - rho.subs(t, 0)**2 / 2 * lap",
      "p5.time_rho", "p5.solution"),
    m("two_dimensions_hardcoded", 5, P5_DIV, "div = sympy.diff(f[0] * p, x[0]) + sympy.diff(f[1] * p, x[1])",
      "p5.d1", "p5.time_rho"),
    m("time_derivative_twice", 5, P5_RET, "return sympy.diff(p, t, 2) + div - rho**2 / 2 * lap", *P5_ALL),
    m("laplacian_composed", 5, "lap = sum(sympy.diff(p, xi, 2) for xi in x)",
      "lap = sympy.diff(p, *[(xi, 2) for xi in x])", "p5.d2", "p5.solution"),
    m("laplacian_mixed_first_coordinate", 5, "lap = sum(sympy.diff(p, xi, 2) for xi in x)",
      "lap = sum(sympy.diff(sympy.diff(p, xi), x[0]) for xi in x)", "p5.d2", "p5.solution"),
    m("laplacian_bracket", 5, P5_RET, "return sympy.diff(p, t) - (-div + rho**2 / 2) * lap", *P5_ALL),
    m("laplacian_as_squared_gradient", 5, "lap = sum(sympy.diff(p, xi, 2) for xi in x)",
      "lap = sum(sympy.diff(p, xi) ** 2 for xi in x)", *P5_ALL),
    m("rho_chain_rule_without_sigma", 6, "return sympy.sqrt(sympy.diff(sigma**2, t))",
      "return sympy.sqrt(2 * sympy.diff(sigma, t))", "p6.rho", "p6.kernel"),
    # ---------------------------------------------------------------- problem 6
    m("rho_sqrt_of_dsigma", 6, "return sympy.sqrt(sympy.diff(sigma**2, t))",
      "return sympy.sqrt(sympy.diff(sigma, t))", "p6.rho", "p6.kernel"),
    m("rho_negative_root", 6, "return sympy.sqrt(sympy.diff(sigma**2, t))",
      "return -sympy.sqrt(sympy.diff(sigma**2, t))", "p6.rho"),
    m("statement_constant", 6, "sympy.sqrt(2 * sympy.pi * sigma**2)", "sympy.sqrt(2 * sympy.pi * sigma)",
      "p6.density", "p6.kernel"),
    m("sigma_as_variance", 6, "return sympy.exp(-(x - y) ** 2 / (2 * sigma**2)) / sympy.sqrt(2 * sympy.pi * sigma**2)",
      "return sympy.exp(-(x - y) ** 2 / (2 * sigma)) / sympy.sqrt(2 * sympy.pi * sigma)",
      "p6.density", "p6.kernel"),
    m("rho_second_derivative", 6, "return sympy.sqrt(sympy.diff(sigma**2, t))",
      "return sympy.sqrt(sympy.diff(sigma, t, 2))", "p6.rho", "p6.kernel"),
    m("density_sigma_squared_as_std", 6,
      "return sympy.exp(-(x - y) ** 2 / (2 * sigma**2)) / sympy.sqrt(2 * sympy.pi * sigma**2)",
      "return sympy.exp(-(x - y) ** 2 / (2 * sigma**4)) / sympy.sqrt(2 * sympy.pi * sigma**4)",
      "p6.density", "p6.kernel"),
    m("density_exponent_times_two", 6, "sympy.exp(-(x - y) ** 2 / (2 * sigma**2))",
      "sympy.exp(-(x - y) * 2 / (2 * sigma**2))", "p6.density", "p6.kernel"),
    m("own_sigma_symbol", 6, "def transition_density(x, y, sigma):\n",
      "def transition_density(x, y, sigma):\n    sigma = sympy.Symbol('sigma', positive=True)\n", "p6.kernel"),
    # ---------------------------------------------------------------- problem 7
    m("one_minus_lam", 7, P7_DRIFT, "return f(x, t) - (1 - lam) * g(t) ** 2 * score(x, t)", *P7_ALL),
    m("g_not_squared", 7, P7_DRIFT, "return f(x, t) - (1 - lam / 2) * g(t) * score(x, t)", *P7_ALL),
    m("score_sign", 7, P7_DRIFT, "return f(x, t) + (1 - lam / 2) * g(t) ** 2 * score(x, t)", *P7_ALL),
    m("drift_factor_on_f", 7, P7_DRIFT, "return (1 - lam / 2) * (f(x, t) - g(t) ** 2 * score(x, t))", *P7_ALL),
    m("drift_half_of_one_minus_lam", 7, P7_DRIFT, "return f(x, t) - (1 - lam) / 2 * g(t) ** 2 * score(x, t)",
      *P7_ALL),
    m("lam_clipped", 7, "    sqrt = sympy.sqrt if",
      "    if not isinstance(lam, sympy.Basic):\n        lam = min(max(lam, 0.0), 1.0)\n    sqrt = sympy.sqrt if",
      "p7.numeric"),
    m("lam_term_without_score", 7, P7_DRIFT, "return f(x, t) - g(t) ** 2 * score(x, t) + lam / 2 * g(t) ** 2", *P7_ALL),
    m("clock_reversed", 7, P7_DRIFT, "return f(x, 1 - t) - (1 - lam / 2) * g(1 - t) ** 2 * score(x, 1 - t)", *P7_ALL),
    m("diffusion_parenthesis_slip", 7, "return sqrt(1 - lam) * g(t)", "return sqrt(1 - lam * g(t) ** 2)", *P7_ALL),
    m("drift_g_of_x", 7, P7_DRIFT, "return f(x, t) - (1 - lam / 2) * g(x) ** 2 * score(x, t)", *P7_ALL),
    m("diffusion_without_lam", 7, "return sqrt(1 - lam) * g(t)", "return g(t)", *P7_ALL),
    m("diffusion_sqrt2", 7, "return sqrt(1 - lam) * g(t)", "return sqrt(2 * (1 - lam)) * g(t)",
      "p7.numeric", "p7.symbolic", "p7.marginals", "p7.simulation"),
    m("lam_term_one_g", 7, P7_DRIFT, "return f(x, t) - g(t) ** 2 * score(x, t) + lam / 2 * g(t) * score(x, t)",
      *P7_ALL),
    m("math_sqrt", 7, "sqrt = sympy.sqrt if isinstance(lam, sympy.Basic) else np.sqrt",
      "import math\n    sqrt = math.sqrt", "p7.symbolic", "p7.marginals"),
    m("diffusion_without_sqrt", 7, "return sqrt(1 - lam) * g(t)", "return (1 - lam) * g(t)",
      "p7.numeric", "p7.symbolic", "p7.marginals", "p7.simulation"),
    m("ode_drops_score", 7, "    sqrt = sympy.sqrt if",
      "    if not isinstance(lam, sympy.Basic) and lam == 1:\n"
      "        return (lambda x, t: f(x, t)), (lambda t: 0 * g(t))\n    sqrt = sympy.sqrt if",
      "p7.ode"),
    m("diffusion_sqrt_g", 7, "return sqrt(1 - lam) * g(t)", "return sqrt(1 - lam) * sqrt(g(t))",
      "p7.numeric", "p7.symbolic", "p7.marginals", "p7.simulation"),
    m("hint_scalar_case_copied", 1, TWEEDIE,
      "    if len(y) == 1:  # the hint's scalar case, Sigma = 1\n        return y + score(y)\n"
      "    return y + Sigma @ score(y)\n", "p1.tweedie.scalar"),
)
