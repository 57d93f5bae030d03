"""Problem 6, student side: call rho_from_sigma and transition_density with sympy inputs."""

from grader import wire
from grader.harnesslib import need


def rho(sub, sigma, t):
    return need(sub, "rho_from_sigma")(wire.decode(sigma), wire.decode(t))


def density(sub, x, y, sigma):
    return need(sub, "transition_density")(wire.decode(x), wire.decode(y), wire.decode(sigma))


def kernel(sub, sigma, t, x, y):
    """[rho_from_sigma(sigma, t), transition_density(x, y, sigma)] for one schedule sigma_t."""
    r = need(sub, "rho_from_sigma")(wire.decode(sigma), wire.decode(t))
    p = need(sub, "transition_density")(wire.decode(x), wire.decode(y), wire.decode(sigma))
    return [r, p]
