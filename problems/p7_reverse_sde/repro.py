"""Problem 7, repro scripts (`hw1 repro`): f, g, score and the evaluation points spelled out."""

import sympy

from grader import wire
from grader.repro import assign, literal
from problems.p7_reverse_sde import model

IMPORTS = "from problems.p7_reverse_sde import model  # the forward SDE of the simulation probe"


def numeric(params, lam, xs, ts):
    """As harness.numeric: numeric callables, float lam, drift and diffusion at given points."""
    return "\n".join([
        f"a, b, c, m, v0 = {', '.join(literal(float(params[k])) for k in ('a', 'b', 'c', 'm', 'v0'))}",
        "f = lambda x, t: -a * x + b * t",
        "g = lambda t: np.sqrt(c + t)",
        "score = lambda x, t: -(x - m * np.exp(-t)) / (v0 + t)  # score of N(m e^-t, v0 + t)",
        assign("lam", float(lam)),
        assign("xs", [float(x) for x in xs]),
        assign("ts", [float(t) for t in ts]),
        'reverse_sde = need(sub, "reverse_sde")',
        "drift, diffusion = reverse_sde(f, g, score, float(lam))",
        "singles = [drift(float(x), float(t)) for x, t in zip(xs, ts)]  # one point at a time",
        "batch = drift(np.array(xs, dtype=float), float(ts[0]))  # all x at once, t = ts[0]",
        "diff = [diffusion(float(t)) for t in ts]",
        "value = [singles, batch, diff]",
    ])


def symbolic(m0, x, t, lam):
    """As harness.symbolic: sympy f, g, score (as expressions in x, t) and a Symbol lam."""
    m0, x, t, lam = (wire.decode(v) for v in (m0, x, t, lam))
    fe, ge, se, _ = model.symbolic(m0, x, t)
    return "\n".join([
        assign("x", x), assign("t", t), assign("lam", lam),
        assign("fe", fe), assign("ge", ge), assign("se", se),
        "f = lambda xx, tt: fe.xreplace({x: xx, t: tt})",
        "g = lambda tt: ge.xreplace({t: tt})",
        "score = lambda xx, tt: se.xreplace({x: xx, t: tt})",
        'reverse_sde = need(sub, "reverse_sde")',
        "drift, diffusion = reverse_sde(f, g, score, lam)",
        "value = [drift(x, t), diffusion(t)]",
    ])


def simulate(m0, lam, particles, steps, seed):
    """As harness.simulate: Euler-Maruyama from T = 1 down to 0 with the student's drift."""
    sym = sympy.Symbol("x"), sympy.Symbol("t")
    return "\n".join([
        assign("m0", float(m0)),
        f"# f = {sympy.sstr(model.f(*sym))}, g^2 = {sympy.sstr(model.g2(sym[1]))}, p_t = N(model.mean(m0, t), "
        "model.var(t))",
        "f = lambda x, t: model.f(x, t)",
        "g = lambda t: np.sqrt(model.g2(t))",
        "score = lambda x, t: model.score(m0, x, t, np.exp)",
        'reverse_sde = need(sub, "reverse_sde")',
        f"drift, diffusion = reverse_sde(f, g, score, {literal(float(lam))})",
        f"rng = np.random.default_rng({int(seed)})",
        f"particles, steps = {int(particles)}, {int(steps)}",
        "x = model.mean(m0, 1.0) + np.sqrt(model.var(1.0)) * rng.standard_normal(particles)",
        "h = 1.0 / steps",
        "for k in range(steps):",
        "    t = 1.0 - k * h",
        "    b = np.asarray(drift(x, t), dtype=float)",
        "    s = float(np.asarray(diffusion(t), dtype=float))",
        "    x = x - b * h + s * np.sqrt(h) * rng.standard_normal(particles)",
        "value = [float(x.mean()), float(x.var(ddof=1))]",
    ])
