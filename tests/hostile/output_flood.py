import sys as _sys

_reference_v1 = backward_v1

def backward_v1(graph):
    chunk = "x" * (1 << 20) + "\n"
    for _ in range(120):
        _sys.stdout.write(chunk)
    return _reference_v1(graph)
