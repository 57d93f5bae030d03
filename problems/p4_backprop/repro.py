"""Problem 4, repro scripts (`hw1 repro`): the graph spelled out node by node.

Every node's operation, parents and weights, the sources' values, and the stale values and
grads left in the graph before the student's pass, as one literal `spec` that graphs.Graph
builds the student's graph from (as the harness does).
"""

from grader.repro import literal

IMPORTS = """\
from problems.p4_backprop.graphs import Graph  # nodes with .value, .grad, .fn; parents(v), children(v)
from problems.p4_backprop.harness import _plain  # a node's value/grad as a float array, as hw1 reads it"""

OPS = {"affine": "sum_j A_j u_j + b", "tanh_affine": "tanh(sum_j A_j u_j + b)",
       "gate": "u_0 * sigmoid(u_1)", "sumsq": "[sum_j c_j |u_j|^2]"}


def _node(i: int, n: dict, output: int) -> str:
    parents = ", ".join(f"v{j}" for j in n["parents"])
    what = "source" if n["op"] is None else f"{n['op']}({parents}) = {OPS.get(n['op'], n['op'])}"
    tag = "  (graph.output)" if i == output else ""
    return f"        # v{i}: dim {n['dim']}, {what}{tag}\n        {literal(n)},"


def backward(version, spec):
    """As harness.backward: backward_v1/v2(graph) -> [values, grads, log of fn.grad calls]."""
    out = spec["output"]
    lines = ["spec = {", f"    'output': {out!r},", "    'nodes': ["]
    lines += [_node(i, n, out) for i, n in enumerate(spec["nodes"])]
    lines.append("    ],")
    lines.append("    # what the graph holds before the call: sources' values; stale values and grads elsewhere")
    for key in ("stale_values", "stale_grads"):
        lines.append(f"    {key!r}: [")
        lines += [f"        {literal(v)},  # v{i}" for i, v in enumerate(spec[key])]
        lines.append("    ],")
    for key, v in spec.items():
        if key not in ("output", "nodes", "stale_values", "stale_grads"):
            lines.append(f"    {key!r}: {literal(v)},")
    lines.append("}")
    lines += [
        "graph = Graph(spec)",
        f'backward_v{version} = need(sub, "backward_v{version}")',
        f"backward_v{version}(graph)",
        "value = [[_plain(n.value) for n in graph.nodes], [_plain(n.grad) for n in graph.nodes],",
        "         [list(pair) for pair in graph.log]]",
    ]
    return "\n".join(lines)
