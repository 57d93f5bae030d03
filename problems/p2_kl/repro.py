"""Problem 2, repro scripts (`hw1 repro`): the harness's calls with their inputs as literals."""

import numpy as np

from grader.repro import assign


def kl(mu0, sigma0, mu1, sigma1):
    """As harness.kl: (d,) float64 arrays and Python floats."""
    return "\n".join([
        assign("mu0", np.array(mu0, dtype=float)),
        assign("sigma0", float(sigma0)),
        assign("mu1", np.array(mu1, dtype=float)),
        assign("sigma1", float(sigma1)),
        'kl_gaussian = need(sub, "kl_gaussian")',
        "value = kl_gaussian(mu0, sigma0, mu1, sigma1)",
    ])
