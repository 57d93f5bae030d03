"""Computation graphs for problem 4: operations, and graphs built from a plain-data spec.

A spec is {"nodes": [{"dim", "op", "parents", "params"}...], "output": k, "stale_values",
"stale_grads"}. Operations (their Jacobians are exact):
  affine       v = sum_j A_j u_j + b
  tanh_affine  v = tanh(sum_j A_j u_j + b)
  gate         v = u_0 * sigmoid(u_1)          (order of parents matters)
  sumsq        v = [sum_j c_j |u_j|^2]         (dimension 1)
Used by the harness (to build the student's graph) and by the reference.
"""

from __future__ import annotations

import numpy as np


def _pre(values, params):
    return sum(np.asarray(A) @ u for A, u in zip(params["A"], values)) + np.asarray(params["b"])


def forward(op: str, values: list, params: dict) -> np.ndarray:
    values = [np.asarray(v, dtype=float) for v in values]
    if op == "affine":
        return _pre(values, params)
    if op == "tanh_affine":
        return np.tanh(_pre(values, params))
    if op == "gate":
        return values[0] / (1.0 + np.exp(-values[1]))
    if op == "sumsq":
        return np.array([sum(c * float(u @ u) for c, u in zip(params["c"], values))])
    raise ValueError(op)


def jacobian(op: str, values: list, params: dict, j: int) -> np.ndarray:
    """d v / d u_j at the given parent values, shape (dim v, dim u_j)."""
    values = [np.asarray(v, dtype=float) for v in values]
    if op == "affine":
        return np.array(params["A"][j], dtype=float)
    if op == "tanh_affine":
        t = np.tanh(_pre(values, params))
        return (1 - t * t)[:, None] * np.asarray(params["A"][j], dtype=float)
    if op == "gate":
        sig = 1.0 / (1.0 + np.exp(-values[1]))
        return np.diag(sig) if j == 0 else np.diag(values[0] * sig * (1 - sig))
    if op == "sumsq":
        return (2 * params["c"][j] * values[j])[None, :]
    raise ValueError(op)


class Fn:
    """v.fn: call it with the parents' values; .grad(u) is d v / d u at their current values."""

    def __init__(self, graph: Graph, index: int, op: str, params: dict):
        self._graph, self._index, self._op, self._params = graph, index, op, params

    def __call__(self, values):
        return forward(self._op, list(values), self._params)

    def grad(self, u):
        parents = self._graph.parents(self._graph.nodes[self._index])
        for j, p in enumerate(parents):
            if p is u:
                self._graph.log.append((self._index, self._graph.index_of(u)))
                return jacobian(self._op, [q.value for q in parents], self._params, j)
        raise ValueError("fn.grad(u) was called with a node u that is not a parent of this node")


class Node:
    """A graph node: .value, .grad (1-D arrays), .fn (None for a source)."""

    def __init__(self, name: str):
        self.name = name
        self.value = None
        self.grad = None
        self.fn = None

    def __repr__(self) -> str:
        return f"Node({self.name})"


class Graph:
    """graph.nodes (topological order), graph.output, graph.parents(v), graph.children(v)."""

    def __init__(self, spec: dict):
        specs = spec["nodes"]
        self.nodes = [Node(f"v{i}") for i in range(len(specs))]
        self.output = self.nodes[spec["output"]]
        self.log: list[tuple[int, int]] = []
        self._ids = {id(n): i for i, n in enumerate(self.nodes)}
        self._parents = [[self.nodes[j] for j in s["parents"]] for s in specs]
        kids = [[] for _ in specs]
        for i, s in enumerate(specs):
            for j in s["parents"]:
                kids[j].append(i)
        self._children = [[self.nodes[i] for i in order] for order in spec.get("children_order", kids)]
        for i, (node, s) in enumerate(zip(self.nodes, specs)):
            node.value = np.array(spec["stale_values"][i], dtype=float)
            node.grad = np.array(spec["stale_grads"][i], dtype=float)
            if s["op"] is not None:
                node.fn = Fn(self, i, s["op"], s["params"])

    def index_of(self, v) -> int:
        return self._ids[id(v)]

    def parents(self, v):
        return list(self._parents[self.index_of(v)])

    def children(self, v):
        return list(self._children[self.index_of(v)])
