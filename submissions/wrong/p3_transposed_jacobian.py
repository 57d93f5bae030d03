"""Problem 3, wrong: treats a as a column vector and uses (df/dz) a instead of a (df/dz)."""
import numpy as np


def ffjord_logp_grad(X, theta, nu, model, odeint):
    D = len(X)
    back = odeint(lambda y, s: np.append(model.f(y[:D], theta, s), -nu @ model.df_dz(y[:D], theta, s) @ nu),
                  np.append(X, 0.0), 1.0, 0.0)
    z0 = back[:D]

    def adjoint(y, s):
        z, a = y[:D], y[D:2 * D]
        return np.concatenate([model.f(z, theta, s),
                               -model.df_dz(z, theta, s) @ a - model.dquad_dz(z, theta, s, nu),
                               -a @ model.df_dtheta(z, theta, s) - model.dquad_dtheta(z, theta, s, nu)])

    out = odeint(adjoint, np.concatenate([z0, model.grad_log_pz(z0), np.zeros(len(theta))]), 0.0, 1.0)
    return model.log_pz(z0) - back[D], out[2 * D:]
