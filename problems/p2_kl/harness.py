"""Problem 2, student side: call kl_gaussian with the given inputs."""

import numpy as np

from grader.harnesslib import need


def kl(sub, mu0, sigma0, mu1, sigma1):
    """kl_gaussian(mu0, sigma0, mu1, sigma1) with (d,) float64 arrays and Python floats."""
    fn = need(sub, "kl_gaussian")
    return fn(np.array(mu0, dtype=float), float(sigma0), np.array(mu1, dtype=float), float(sigma1))
