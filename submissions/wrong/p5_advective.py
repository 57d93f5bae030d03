"""Problem 5, wrong: f . grad p instead of div(f p) (forgets the product rule)."""
import sympy


def fokker_planck_residual(p, f, rho, x, t):
    return sympy.diff(p, t) + sum(fi * sympy.diff(p, xi) for fi, xi in zip(f, x)) \
        - rho**2 / 2 * sum(sympy.diff(p, xi, 2) for xi in x)
