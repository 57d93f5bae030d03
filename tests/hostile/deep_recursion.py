import sys as _sys

def score(p, x):
    _sys.setrecursionlimit(10**7)
    def down(n):
        return down(n + 1) + 1
    return down(0)
