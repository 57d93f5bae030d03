def rho_from_sigma(sigma, t):
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
