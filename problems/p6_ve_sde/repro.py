"""Problem 6, repro scripts (`hw1 repro`): the sympy inputs as source code (srepr)."""

from grader import wire
from grader.repro import assign


def rho(sigma, t):
    """As harness.rho: rho_from_sigma(sigma, t)."""
    return "\n".join([assign("sigma", wire.decode(sigma)), assign("t", wire.decode(t)),
                      'rho_from_sigma = need(sub, "rho_from_sigma")',
                      "value = rho_from_sigma(sigma, t)"])


def density(x, y, sigma):
    """As harness.density: transition_density(x, y, sigma)."""
    return "\n".join([assign("x", wire.decode(x)), assign("y", wire.decode(y)),
                      assign("sigma", wire.decode(sigma)),
                      'transition_density = need(sub, "transition_density")',
                      "value = transition_density(x, y, sigma)"])


def kernel(sigma, t, x, y):
    """As harness.kernel: [rho_from_sigma(sigma, t), transition_density(x, y, sigma)]."""
    return "\n".join([assign("sigma", wire.decode(sigma)), assign("t", wire.decode(t)),
                      assign("x", wire.decode(x)), assign("y", wire.decode(y)),
                      'rho_from_sigma = need(sub, "rho_from_sigma")',
                      "r = rho_from_sigma(sigma, t)",
                      'transition_density = need(sub, "transition_density")',
                      "density = transition_density(x, y, sigma)",
                      "value = [r, density]"])
