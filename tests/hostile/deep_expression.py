import sympy as _sp

def transition_density(x, y, sigma):
    e = x
    for _ in range(2000):
        e = _sp.exp(e, evaluate=False)
    return e
