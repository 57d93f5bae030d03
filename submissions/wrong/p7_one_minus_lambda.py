"""Problem 7, wrong: (1 - lam) instead of (1 - lam/2) in front of the score."""
import numpy as np
import sympy


def reverse_sde(f, g, score, lam):
    root = sympy.sqrt if isinstance(lam, sympy.Basic) else np.sqrt
    return (lambda x, t: f(x, t) - (1 - lam) * g(t) ** 2 * score(x, t)), (lambda t: root(1 - lam) * g(t))
