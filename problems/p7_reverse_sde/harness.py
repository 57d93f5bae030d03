"""Problem 7, student side: build f, g, score callables, call reverse_sde, evaluate its result."""

import numpy as np

from grader import wire
from grader.harnesslib import need
from problems.p7_reverse_sde import model


def _callables(a, b, c, m, v0):
    """Numeric f(x, t) = -a x + b t, g(t) = sqrt(c + t), score of N(m e^-t, v0 + t)."""
    f = lambda x, t: -a * x + b * t
    g = lambda t: np.sqrt(c + t)
    score = lambda x, t: -(x - m * np.exp(-t)) / (v0 + t)
    return f, g, score


def numeric(sub, params, lam, xs, ts):
    """reverse_sde with numeric callables and float lam; drift and diffusion at given points.

    Each point is evaluated with a float x, and all points at once with an array x per t.
    """
    fn = need(sub, "reverse_sde")
    drift, diffusion = fn(*_callables(**params), float(lam))
    singles = [drift(float(x), float(t)) for x, t in zip(xs, ts)]
    t0 = float(ts[0])
    batch = drift(np.array(xs, dtype=float), t0)
    diff = [diffusion(float(t)) for t in ts]
    return [singles, batch, diff]


def symbolic(sub, m0, x, t, lam):
    """reverse_sde with sympy callables and a Symbol lam; [drift(x, t), diffusion(t)]."""
    fn = need(sub, "reverse_sde")
    x, t, lam = wire.decode(x), wire.decode(t), wire.decode(lam)
    fe, ge, se, _ = model.symbolic(wire.decode(m0), x, t)
    f = lambda xx, tt: fe.xreplace({x: xx, t: tt})
    g = lambda tt: ge.xreplace({t: tt})
    score = lambda xx, tt: se.xreplace({x: xx, t: tt})
    drift, diffusion = fn(f, g, score, lam)
    return [drift(x, t), diffusion(t)]


def simulate(sub, m0, lam, particles, steps, seed):
    """Euler-Maruyama from T = 1 down to 0 with the student's drift and diffusion, X_T ~ p_T.

    Returns the mean and variance of the particles at t = 0.
    """
    fn = need(sub, "reverse_sde")
    f = lambda x, t: model.f(x, t)
    g = lambda t: np.sqrt(model.g2(t))
    score = lambda x, t: model.score(m0, x, t, np.exp)
    drift, diffusion = fn(f, g, score, float(lam))
    rng = np.random.default_rng(seed)
    x = model.mean(m0, 1.0) + np.sqrt(model.var(1.0)) * rng.standard_normal(particles)
    h = 1.0 / steps
    for k in range(steps):
        t = 1.0 - k * h
        b = np.asarray(drift(x, t), dtype=float)
        s = float(np.asarray(diffusion(t), dtype=float))
        x = x - b * h + s * np.sqrt(h) * rng.standard_normal(particles)
    return [float(x.mean()), float(x.var(ddof=1))]
