"""Problem 5, student side: rebuild the sympy inputs and call fokker_planck_residual."""

from grader import wire
from grader.harnesslib import need


def residual(sub, p, f, rho, x, t):
    """fokker_planck_residual(p, f, rho, x, t) with sympy inputs sent as trees."""
    fn = need(sub, "fokker_planck_residual")
    return fn(wire.decode(p), [wire.decode(e) for e in f], wire.decode(rho),
              [wire.decode(s) for s in x], wire.decode(t))
