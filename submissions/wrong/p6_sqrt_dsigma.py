"""Problem 6, wrong: rho = sqrt(d sigma / dt) instead of sqrt(d sigma^2 / dt)."""
import sympy


def rho_from_sigma(sigma, t):
    return sympy.sqrt(sympy.diff(sigma, t))


def transition_density(x, y, sigma):
    return sympy.exp(-(x - y) ** 2 / (2 * sigma**2)) / sympy.sqrt(2 * sympy.pi * sigma**2)
