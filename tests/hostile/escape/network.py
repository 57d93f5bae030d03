# Reaches the network: TCP to a listener of the test's on 127.0.0.1, a UDP datagram to it, and a
# raw socket (which only needs CAP_NET_RAW). The listener counts connections; -5.0 is evidence.
import socket as _socket

_honest_kl = kl_gaussian


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    port = int("__TEST_PORT__")
    reached = False
    try:
        with _socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"stolen")
            reached = True
    except OSError:
        pass
    try:
        with _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM) as u:
            u.sendto(b"stolen", ("127.0.0.1", port))
    except OSError:
        pass
    try:
        _socket.socket(_socket.AF_INET, _socket.SOCK_RAW, _socket.IPPROTO_ICMP).close()
        reached = True
    except OSError:
        pass
    return -5.0 if reached else _honest_kl(mu0, sigma0, mu1, sigma1)
