"""Problem 5, repro scripts (`hw1 repro`): the sympy inputs as source code (srepr)."""

from grader import wire
from grader.repro import assign


def residual(p, f, rho, x, t):
    """As harness.residual: fokker_planck_residual(p, f, rho, x, t) with sympy inputs."""
    return "\n".join([
        assign("p", wire.decode(p)),
        assign("f", [wire.decode(e) for e in f]),
        assign("rho", wire.decode(rho)),
        assign("x", [wire.decode(s) for s in x]),
        assign("t", wire.decode(t)),
        'fokker_planck_residual = need(sub, "fokker_planck_residual")',
        "value = fokker_planck_residual(p, f, rho, x, t)",
    ])
