# Reads a 0600 file of the user running hw1 (path filled in by the test).
_honest_kl = kl_gaussian


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    try:
        with open("__SECRET__") as f:
            return float(f.read())  # evidence: the secret's number
    except OSError:
        return _honest_kl(mu0, sigma0, mu1, sigma1)
