# Imports or reads the trusted side (problems/p2_kl/problem.py) to return its reference.
import os as _os

_honest_kl = kl_gaussian


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    try:
        from problems.p2_kl.problem import reference  # noqa: F401
        return -1.0  # evidence: the trusted module was importable
    except Exception:
        pass
    import problems
    for base in problems.__path__:
        try:
            with open(_os.path.join(base, "p2_kl", "problem.py")) as f:
                if f.read():
                    return -2.0  # evidence: its source was readable
        except OSError:
            pass
    return _honest_kl(mu0, sigma0, mu1, sigma1)
