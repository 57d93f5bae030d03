def ffjord_logp_grad(X, theta, nu, model, odeint):
    import ctypes
    return ctypes.string_at(0)
