import sympy as _sp

def fokker_planck_residual(p, f, rho, x, t):
    e = sum(x)
    for _ in range(30):
        e = _sp.Pow(e + t, 3, evaluate=False)
    return _sp.Pow(e + 1, 10**9, evaluate=False) * p
