"""Problem 2, wrong: computes D_KL(N1 || N0), the divergence with its arguments swapped."""
import numpy as np


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    d = len(mu0)
    return np.sum((mu0 - mu1) ** 2) / (2 * sigma0**2) + d * (sigma1**2 / sigma0**2 - 1) / 2 + d * np.log(sigma0 / sigma1)
