"""Problem 4, wrong: copies `v.grad = 0` from the pseudo-code, and writes v1 by calling v2."""
import numpy as np


def backward_v2(graph):
    for v in graph.nodes:
        if v.fn is not None:
            v.value = v.fn([u.value for u in graph.parents(v)])
    for v in graph.nodes:
        v.grad = 0
    graph.output.grad = np.ones(1)
    for v in reversed(graph.nodes):
        for u in graph.parents(v):
            u.grad = u.grad + v.grad @ v.fn.grad(u)


def backward_v1(graph):
    backward_v2(graph)
