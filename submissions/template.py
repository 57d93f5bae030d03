"""Homework 1 submission. Fill in every function; `hw1 grade THIS_FILE` grades it.

Allowed imports: numpy, sympy, math and the standard library. `hw1 explain N` describes
problem N: what each function must return and what the grader checks.
"""

import math

import numpy as np
import sympy


# ----------------------------------------------------------------------
# Problem 1: Tweedie's formula (15 points)
# ----------------------------------------------------------------------

def tweedie_mean(y, Sigma, score):
    """E[X | Y = y] for Y = X + Z, Z ~ N(0, Sigma): returns an (n,) array (or sympy Matrix)."""
    raise NotImplementedError


def score(p, x):
    """[d/dx_i log p for each i] as a list of sympy expressions."""
    raise NotImplementedError


# ----------------------------------------------------------------------
# Problem 2: KL divergence between isotropic Gaussians (10 points)
# ----------------------------------------------------------------------

def kl_gaussian(mu0, sigma0, mu1, sigma1):
    """D_KL( N(mu0, sigma0^2 I) || N(mu1, sigma1^2 I) ) as a float."""
    raise NotImplementedError


# ----------------------------------------------------------------------
# Problem 3: Stochastic gradient for FFJORD (adjoint) (20 points)
# ----------------------------------------------------------------------

def ffjord_logp_grad(X, theta, nu, model, odeint):
    """Returns (logp_hat, grad): log p_Z(z(0)) - l_hat(0) and b(1), a (P,) array."""
    raise NotImplementedError


# ----------------------------------------------------------------------
# Problem 4: Equivalence of graph-form backward passes (15 points)
# ----------------------------------------------------------------------

def backward_v1(graph):
    """Forward pass, zero_grad, then backward version 1 (loop over children)."""
    raise NotImplementedError


def backward_v2(graph):
    """Forward pass, zero_grad, then backward version 2 (loop over parents)."""
    raise NotImplementedError


# ----------------------------------------------------------------------
# Problem 5: Fokker-Planck equation (15 points)
# ----------------------------------------------------------------------

def fokker_planck_residual(p, f, rho, x, t):
    """d_t p + div(f p) - (rho^2 / 2) * Laplacian(p) as a sympy expression."""
    raise NotImplementedError


# ----------------------------------------------------------------------
# Problem 6: The variance-exploding SDE (10 points)
# ----------------------------------------------------------------------

def rho_from_sigma(sigma, t):
    """rho(t) = sqrt(d/dt sigma_t^2) as a sympy expression."""
    raise NotImplementedError


def transition_density(x, y, sigma):
    """The density of N(y, sigma^2) at x, as a sympy expression."""
    raise NotImplementedError


# ----------------------------------------------------------------------
# Problem 7: The family of reverse-time SDEs (15 points)
# ----------------------------------------------------------------------

def reverse_sde(f, g, score, lam):
    """Returns (drift, diffusion): callables drift(x, t) and diffusion(t)."""
    raise NotImplementedError
