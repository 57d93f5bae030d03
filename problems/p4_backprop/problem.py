"""Problem 4 — graph-form backward passes, version 1 and version 2 (15 points).

Graphs are random DAGs (trusted side) with diamonds, vector nodes of different sizes
(non-square Jacobians), a node that does not reach the output, a gate whose parents' order
matters, an order that a breadth-first walk from the output gets wrong, and stale numbers in
every non-source .value and every .grad (some of the wrong shape).

Reference values: a forward evaluation. Reference grads: *forward-mode* tangents — for each node
v and each coordinate e_i, push e_i through the Jacobians of v's descendants and read d v_out —
which never runs a reverse sweep. tests/ check it against finite differences.
Tolerance: 1e-9 relative + 1e-12 absolute elementwise (values O(1), exact arithmetic up to
rounding).

No probe looks at the order of the backward computation (SPEC 2.4: any order a reverse pass
allows is correct, including a memoised recursion and the submission's own topological order).
Both versions make the same calls, w.fn.grad(v) once per edge, read the same grads and add the
same products; they differ only in the order of those steps, so no sound observation tells a v1
from a v2 (a v1 written as a call to v2 is correct). The harness still returns its log of
fn.grad calls; no judge reads it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from grader.checks import ALIGNED, Reject, describe, numeric
from grader.spec import Call, Case, Function, Probe, Problem, Verdict
from problems.p4_backprop.graphs import forward, jacobian

RTOL, ATOL = 1e-9, 1e-12


# --------------------------------------------------------------------------- random DAGs
def _node(rng: np.random.Generator, dims: list[int], op: str, parents: list[int], dim: int) -> dict:
    params: dict = {}
    if op in ("affine", "tanh_affine"):
        params = {"A": [(rng.normal(size=(dim, dims[p])) / np.sqrt(dims[p])).tolist() for p in parents],
                  "b": rng.normal(scale=0.3, size=dim).tolist()}
    if op == "sumsq":
        params = {"c": rng.uniform(0.3, 1.0, size=len(parents)).tolist()}
    return {"dim": dim, "op": op, "parents": parents, "params": params}


def _candidate(rng: np.random.Generator, inner: int, after_output: int) -> dict:
    nodes: list[dict] = []
    dims: list[int] = []
    for _ in range(3):
        dims.append(int(rng.integers(1, 5)))
        nodes.append({"dim": dims[-1], "op": None, "parents": [], "params": {}})
    for _ in range(inner):
        i = len(nodes)
        same = [(a, b) for a in range(i) for b in range(i) if a != b and dims[a] == dims[b]]
        if same and rng.random() < 0.3:
            a, b = same[int(rng.integers(len(same)))]
            nodes.append(_node(rng, dims, "gate", [a, b], dims[a]))
        else:
            k = int(rng.integers(1, min(3, i) + 1))
            parents = sorted(rng.choice(i, size=k, replace=False).tolist(), key=lambda _: rng.random())
            op = "tanh_affine" if rng.random() < 0.6 else "affine"
            nodes.append(_node(rng, dims, op, parents, int(rng.integers(1, 5))))
        dims.append(nodes[-1]["dim"])
    i = len(nodes)
    parents = sorted(rng.choice(np.arange(3, i), size=min(3, i - 3), replace=False).tolist())
    nodes.append(_node(rng, dims, "sumsq" if rng.random() < 0.5 else "tanh_affine", parents, 1))
    dims.append(1)
    output = len(nodes) - 1
    for _ in range(after_output):
        i = len(nodes)
        nodes.append(_node(rng, dims, "tanh_affine", [output, int(rng.integers(0, output))], 2))
        dims.append(2)
    return {"nodes": nodes, "output": output}


def reaches(spec: dict) -> list[bool]:
    """reaches[v]: v has a path to the output (v_out included)."""
    nodes, out = spec["nodes"], spec["output"]
    ok = [False] * len(nodes)
    ok[out] = True
    for v in range(len(nodes) - 1, -1, -1):
        for p in nodes[v]["parents"]:
            if ok[v]:
                ok[p] = True
    return ok


def _good(spec: dict) -> bool:
    nodes, ok = spec["nodes"], reaches(spec)
    kids = [[w for w, n in enumerate(nodes) if v in n["parents"]] for v in range(len(nodes))]
    diamond = any(sum(ok[w] for w in ks) >= 2 for ks in kids)
    dead = any(not ok[v] and nodes[v]["op"] is not None for v in range(spec["output"]))
    edges = [(w, u) for w, n in enumerate(nodes) for u in n["parents"] if ok[w]]
    orders_differ = any(u1 < u2 and w1 > w2 for w1, u1 in edges for w2, u2 in edges)
    non_square = any(n["dim"] != nodes[u]["dim"] for n in nodes for u in n["parents"])
    bfs = _breadth_first(spec)  # a backward loop in this order must go wrong somewhere
    bfs_wrong = any(bfs.index(u) < bfs.index(w) for w, u in edges if w in bfs)
    return diamond and dead and orders_differ and non_square and bfs_wrong


def random_graph(rng: np.random.Generator, inner: int, after_output: int, bad_shapes: bool) -> dict:
    """A graph spec meeting every condition above, with stale values and grads filled in."""
    while True:
        spec = _candidate(rng, inner, after_output)
        if _good(spec):
            break
    nodes = spec["nodes"]
    spec["stale_values"] = [rng.normal(size=n["dim"]).tolist() for n in nodes]
    spec["stale_grads"] = [rng.normal(size=n["dim"]).tolist() for n in nodes]
    if bad_shapes:  # among v_out and the nodes with no path to it: their grads are checked
        ok = reaches(spec)
        pool = [v for v in range(len(nodes)) if not ok[v] or v == spec["output"]]
        for v in rng.choice(pool, size=min(3, len(pool)), replace=False):
            spec["stale_grads"][int(v)] = rng.normal(size=nodes[int(v)]["dim"] + 1).tolist()
    kids = [[w for w, n in enumerate(nodes) if v in n["parents"]] for v in range(len(nodes))]
    spec["children_order"] = [sorted(k, key=lambda _: rng.random()) for k in kids]
    return spec


# --------------------------------------------------------------------------- reference
def forward_pass(spec: dict, backwards: bool = False, from_grads: bool = False) -> list[np.ndarray]:
    """Every node's value after a forward pass over the stale values, in graph.nodes order (or,
    for the diagnosis of a pass that walked it backwards, in reverse: values from stale parents;
    or of one that fed each node its parents' stale .grad in place of their .value)."""
    nodes = spec["nodes"]
    values = [np.array(x, dtype=float) for x in spec["stale_values"]]
    stale_grads = [np.array(x, dtype=float) for x in spec["stale_grads"]]
    for i in (reversed(range(len(nodes))) if backwards else range(len(nodes))):
        if nodes[i]["op"] is not None:
            args = [stale_grads[p] if from_grads else values[p] for p in nodes[i]["parents"]]
            try:
                values[i] = forward(nodes[i]["op"], args, nodes[i]["params"])
            except ValueError:  # (stale grads of another shape: that pass would not run)
                return []
    return values


def reference(spec: dict) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Values by a forward pass; d v_out / d v for every v by forward-mode tangents."""
    nodes, out = spec["nodes"], spec["output"]
    values = forward_pass(spec)
    grads = []
    for v, n in enumerate(nodes):
        g = np.zeros(n["dim"])
        for k in range(n["dim"]):
            tangent = {v: np.eye(n["dim"])[k]}
            for w in range(v + 1, out + 1):
                ps = nodes[w]["parents"]
                terms = [jacobian(nodes[w]["op"], [values[p] for p in ps], nodes[w]["params"], j) @ tangent[p]
                         for j, p in enumerate(ps) if p in tangent]
                if terms:
                    tangent[w] = sum(terms)
            g[k] = tangent[out][0] if out in tangent else 0.0
        grads.append(g)
    return values, grads


# --------------------------------------------------------------------------- probes
def build(version: int | tuple[int, ...], inner: int, after_output: int, bad_shapes: bool):
    versions = version if isinstance(version, tuple) else (version,)

    def make(rng: np.random.Generator) -> Case:
        spec = random_graph(rng, inner, after_output, bad_shapes)
        calls = {f"v{k}": Call("backward", {"version": k, "spec": spec}, _show(k, spec)) for k in versions}
        values, grads = reference(spec)
        data = {"spec": spec, "values": values, "grads": grads}
        if after_output:  # this probe is about v_out and what lies beyond it
            ok = reaches(spec)
            data["grads_of"] = [v for v in range(len(ok)) if not ok[v] or v == spec["output"]]
            data["praise"] = "values right; v_out.grad = [1] and nodes with no path to v_out have zero grads"
        return Case(calls, data)

    return make


def _show(version: int, spec: dict) -> str:
    """The graph as a student can read it: each node's op and parents, the source values, the
    op parameters (4 digits); the stale .value/.grad left in every node are in `hw1 repro`."""
    nodes = spec["nodes"]
    parts = []
    for i, n in enumerate(nodes):
        if not n["op"]:
            parts.append(f"v{i}({n['dim']}) = {_short(spec['stale_values'][i])}")
            continue
        params = ", ".join(f"{k}={_short(v)}" for k, v in n["params"].items())
        parts.append(f"v{i}({n['dim']}) = {n['op']}({', '.join(f'v{p}' for p in n['parents'])}"
                     + (f"; {params})" if params else ")"))
    return (f"backward_v{version}(graph) on a DAG of {len(nodes)} nodes, output v{spec['output']} "
            "(every node holds a stale .value and .grad beforehand): " + "; ".join(parts))


def _short(v: object) -> str:
    """Nested lists of numbers to 4 significant digits."""
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _unpack(value: object, n: int) -> tuple[list, list, list]:
    if not isinstance(value, list) or len(value) != 3:
        raise Reject("the harness could not read the graph back")
    values, grads, log = value
    return values, grads, log


def judge_values(case: Case, values: dict) -> Verdict:
    """Every node's .value and .grad (or only the grads `case.data["grads_of"]` names)."""
    spec = case.data["spec"]
    grads_of = case.data.get("grads_of") or range(len(spec["nodes"]))
    for key in sorted(values):
        got_values, got_grads, _ = _unpack(values[key], len(spec["nodes"]))
        called = case.calls[key].show
        checks = [("value", i, got_values[i], case.data["values"][i]) for i in range(len(spec["nodes"]))]
        checks += [("grad", i, got_grads[i], case.data["grads"][i]) for i in grads_of]
        version = case.calls[key].args["version"]
        for label, i, g, w in checks:
            v = _node_verdict(label, i, g, w, spec, called)
            if v is not None:
                if label == "grad":  # a replayed mistake matching the whole graph says more than one node
                    named = (_nothing_added(spec, got_grads, case.data["grads"], list(grads_of), version)
                             or _whole_graph_match(spec, case.data["values"], version, got_grads, list(grads_of)))
                    seen = ""
                    if "grads_of" in case.data and (not named or named.startswith("either")):
                        # the few nodes this probe checks cannot tell the replays apart: what the node shows
                        named, seen = _out_grad_wrong(g) if i == spec["output"] else ("", _dead_grad_seen(i, g, spec))
                    v = dataclasses.replace(v, mistake=named or v.mistake,
                                            message=v.message + (f" — {seen}" if seen else ""))
                else:
                    v = dataclasses.replace(v, mistake=_forward_mistake(spec, got_values, case.data["values"])
                                            or v.mistake)
                return v
    return Verdict(True, case.data.get("praise", "every node's .value and .grad are right"))


def _out_grad_wrong(g: object) -> tuple[str, str]:
    """(named, observed) from v_out's wrong final .grad alone: 0 is the 1 lost (one list of causes);
    anything else is only observed, since many things can add to it."""
    if isinstance(g, str) or np.shape(g) != (1,):
        return "", ""
    if abs(float(g[0])) < 1e-12:
        return OUT_LOST, ""
    return "", (f"v_out.grad ends as [{float(g[0]):.6g}], not [1]: something was added to it after it was set "
                "(v_out's children have no path to v_out, so what they send must be 0)")


def _dead_grad_seen(i: int, g: object, spec: dict) -> str:
    """What a node with no path to v_out shows when its final .grad is nonzero (an observation:
    a child that held a nonzero grad, an array shared with another node, ... could do it)."""
    if isinstance(g, str) or np.shape(g) != (spec["nodes"][i]["dim"],) or np.allclose(g, 0, atol=1e-12):
        return ""
    return (f"v{i} has no path to v_out, so its .grad must end as zeros; it ends nonzero, so something was added to "
            "it (from a child holding a nonzero .grad, or through a .grad array it shares with another node)")


def _nothing_added(spec: dict, got: list, right: list[np.ndarray], nodes: list[int], version: int) -> str:
    """Every checked .grad is still the zeros of zero_grad (v_out's the 1 it was given), where some
    must hold a nonzero sum (`right`: the reference grads): the products were never stored, or (in
    version 2, where only v_out starts the sending) v_out sent nothing."""
    out = spec["output"]
    left = {i: np.ones(1) if i == out else np.zeros(spec["nodes"][i]["dim"]) for i in nodes}
    if all(_same(got[i], left[i]) for i in nodes) and not all(_same(right[i], left[i]) for i in nodes):
        unstored = ("no sum is ever stored (np.add(a, b) and a + b return a new array: write "
                    f"{'v.grad = v.grad + ...' if version == 1 else 'u.grad = u.grad + ...'})")
        if version == 1:
            return ("no contribution was ever added: every .grad but v_out's is still 0 after the backward loop: "
                    + unstored)
        return ("no contribution was ever added: every .grad but v_out's is still 0 after the backward loop: either "
                f"v_out is skipped in the backward loop (it must send its grad to its parents like every other node), "
                f"or {unstored}")
    return ""


ASSIGN = {1: "`v.grad = w.grad @ w.fn.grad(v)` instead of `+=`: a node with several children keeps "
              "only the last child's contribution",
          2: "`u.grad = v.grad @ v.fn.grad(u)` instead of `+=`: a node with several children keeps "
             "only the contribution of the last child to send it"}
TRANSPOSED = ("the Jacobian is transposed: the grads are row vectors, so the product is w.grad @ w.fn.grad(v), "
              "not w.grad @ w.fn.grad(v).T")
OUT_LOST = ("v_out.grad = 1 never took effect: it is never set, set before zero_grad, which then zeroes it (set it "
            "after zero_grad), overwritten in the backward loop by an assignment `v.grad = ...` where `+=` belongs, "
            "or reset to 0 after it is sent")
NO_ZERO = "zero_grad missing: the stale .grad was accumulated into"
# Each mistake the judge replays, as the keyword arguments of `mistaken`, with what it says.
SIMULATED = {
    "assign": lambda version: ASSIGN[version],
    "no_zero": lambda version: NO_ZERO + " (and passed on to the parents)",
    "zero_skips_sources": lambda version: "zero_grad skipped the source nodes: their stale .grad was "
                                          "accumulated into (every node, sources too, needs zeros)",
    "no_out_grad": lambda version: OUT_LOST,
    "forward_order": lambda version: (
        "the backward loop walks graph.nodes in topological order; it must walk them reversed, so that "
        + ("every child's grad is complete before v reads it" if version == 1 else
           "v.grad is complete before v sends it to its parents")),
    "stale_jacobians": lambda version: "the backward pass ran before the forward pass: the Jacobians "
                                       "were taken at the stale .values (run the forward pass first)",
    "skip_output": lambda version: "v_out is skipped in the backward loop: it must send its grad to its "
                                   "parents like every other node",
    "seed_last": lambda version: "the 1 went into graph.nodes[-1].grad: v_out is graph.output, which need not "
                                 "be the last node (set graph.output.grad = 1)",
    "value_for_grad": lambda version: (
        "the .value of a node was used where its .grad belongs: "
        + ("v.grad += w.grad @ w.fn.grad(v), not w.value @ w.fn.grad(v)" if version == 1 else
           "u.grad += v.grad @ v.fn.grad(u), not v.value @ v.fn.grad(u)")),
    "first_only": lambda version: (
        "only the first child's contribution reaches each node: v.grad must sum w.grad @ w.fn.grad(v) over "
        "every child w" if version == 1 else
        "each node sends its grad to its first parent only: u.grad += v.grad @ v.fn.grad(u) for every parent u"),
    "mean": lambda version: (
        "the contributions of a node's children are averaged: v.grad is their sum, not their mean"
        if version == 1 else
        "a node's grad is divided among its parents: each parent u gets the whole v.grad @ v.fn.grad(u), "
        "not a share of it"),
    "bfs": lambda version: (
        "the backward loop walks the nodes breadth-first from v_out: a node is reached before all of its "
        "children are done (walk reversed(graph.nodes), a topological order reversed)"),
    "transposed": lambda version: TRANSPOSED,
    "skip_sources": lambda version: ("the backward loop skips the source nodes (`if v.fn is None: continue`, "
                                     "version 2's guard): in version 1 every node, sources included, gathers its "
                                     "grad from its children"),
    "seed_value": lambda version: ("v_out.grad was set to v_out's value: the seed is d v_out / d v_out = 1, "
                                   "graph.output.grad = np.ones(1), whatever v_out's value"),
    "ones": lambda version: "zero_grad filled the grads with ones (np.ones_like): they must start at zeros, "
                            "and only v_out.grad is 1",
}


def _skipped(version: int, k: int, last: int) -> str:
    hint = (" (graph.nodes[-1:0:-1] stops before nodes[0]: a slice's end is excluded)" if k == 0 else
            " (the loop's range leaves out the last node)" if k == last else "")
    what = "gather its grad from its children" if version == 1 else "send its grad to its parents"
    return f"the backward loop never visits v{k} = graph.nodes[{k}], so it does not {what}{hint}"


def mistaken(spec: dict, values: list[np.ndarray], version: int, *, assign: bool = False,
             zero: bool = True, zero_sources: bool = True, out_grad: bool = True,
             order: str = "reversed", jacobians_at: list | None = None,
             skip_output: bool = False, skip: int | None = None,
             seed_last: bool = False, value_for_grad: bool = False, fan: str = "all",
             transposed: bool = False, fill: float = 0.0, skip_sources: bool = False,
             zero_skip: int | None = None, seed_value: bool = False) -> list[np.ndarray] | None:
    """The grads the pseudo-code of `version` leaves, walking graph.nodes reversed and the
    harness's children order, with at most one mistake: `=` for `+=` (assign), no zero_grad
    (zero=False) or none for the sources, v_out.grad = 1 lost (out_grad=False), the nodes walked
    forwards (order="forward"), the Jacobians taken at other values (the stale ones, when the
    forward pass runs after the backward one), v_out skipped (skip_output, version 2), the node
    graph.nodes[skip] never visited by the loop, the 1 put into graph.nodes[-1] (seed_last), the
    sending node's .value used where its .grad belongs (value_for_grad), only the first child
    (version 1) or parent (version 2) taken (fan="first") or the contributions averaged
    (fan="mean"), the nodes walked breadth-first from v_out (order="bfs"), the Jacobian
    transposed (only where every Jacobian met is square), zero_grad filling another number (fill),
    the source nodes left out of the loop (skip_sources, version 1: version 2's guard copied),
    zero_grad leaving out the node graph.nodes[zero_skip] (its stale grad kept), v_out seeded
    with its value instead of 1 (seed_value).
    None when that mistake would not run on this graph (stale grads of another shape)."""
    nodes, out, kids = spec["nodes"], spec["output"], spec["children_order"]
    at = values if jacobians_at is None else jacobians_at
    grads = [np.array(spec["stale_grads"][i], dtype=float)
             if not zero or (not zero_sources and n["op"] is None) or i == zero_skip else np.full(n["dim"], fill)
             for i, n in enumerate(nodes)]
    grads[out] = (np.asarray(values[out], dtype=float) if seed_value else
                  np.ones(1) if out_grad and not seed_last else np.zeros(1))
    if seed_last:
        grads[-1] = np.ones(nodes[-1]["dim"])
    walk = [v for v in (reversed(range(len(nodes))) if order == "reversed" else
                        _breadth_first(spec) if order == "bfs" else range(len(nodes)))
            if v != skip and not (skip_sources and nodes[v]["op"] is None)]

    def jac(w: int, u: int) -> np.ndarray:
        ps = nodes[w]["parents"]
        j = jacobian(nodes[w]["op"], [at[q] for q in ps], nodes[w]["params"], ps.index(u))
        if transposed and j.shape[0] != j.shape[1]:
            raise ValueError("a transposed Jacobian that is not square does not run")
        return j.T if transposed else j

    def fanned(ws: list[int]) -> list[int]:
        return ws[:1] if fan == "first" else ws

    pairs = ([(v, w, v, len(kids[v])) for v in walk for w in fanned(kids[v])] if version == 1 else
             [(u, v, u, len(nodes[v]["parents"])) for v in walk if nodes[v]["op"] and not (skip_output and v == out)
              for u in fanned(nodes[v]["parents"])])
    try:
        for target, w, u, k in pairs:  # target.grad (+)= w.grad @ w.fn.grad(u), target == u
            term = (values[w] if value_for_grad else grads[w]) @ jac(w, u)
            if fan == "mean":
                term = term / k
            grads[target] = term if assign else grads[target] + term
            if grads[target].shape != (nodes[target]["dim"],):
                return None
    except ValueError:
        return None
    return grads


def _breadth_first(spec: dict) -> list[int]:
    """The nodes in the order a breadth-first search from v_out over parents meets them."""
    nodes, order = spec["nodes"], [spec["output"]]
    for v in order:
        order += [u for u in nodes[v]["parents"] if u not in order]
    return order


def _simulations(spec: dict, values: list[np.ndarray], version: int) -> dict[str, list[np.ndarray]]:
    """What each replayed mistake leaves in every node's .grad (those that run on this graph)."""
    stale = [np.array(v, dtype=float) for v in spec["stale_values"]]
    kwargs = {"assign": {"assign": True}, "no_zero": {"zero": False},
              "zero_skips_sources": {"zero_sources": False}, "no_out_grad": {"out_grad": False},
              "forward_order": {"order": "forward"}, "stale_jacobians": {"jacobians_at": stale},
              "skip_output": {"skip_output": True}, "value_for_grad": {"value_for_grad": True},
              "first_only": {"fan": "first"}, "mean": {"fan": "mean"}, "bfs": {"order": "bfs"},
              "transposed": {"transposed": True}, "ones": {"fill": 1.0}, "seed_value": {"seed_value": True}}
    if version == 1:  # (in version 2 a source has no parents to send to: skipping it changes nothing)
        kwargs["skip_sources"] = {"skip_sources": True}
    if spec["output"] != len(spec["nodes"]) - 1:
        kwargs["seed_last"] = {"seed_last": True}
    out = {}
    for key, kw in kwargs.items():
        sim = mistaken(spec, values, version, **kw)
        if sim is not None:
            out[SIMULATED[key](version)] = sim
    last = len(spec["nodes"]) - 1
    for k in range(last + 1):
        if k == spec["output"]:
            continue  # skip_output says it (version 2); in version 1 v_out gathers nothing to miss
        sim = mistaken(spec, values, version, skip=k)
        if sim is not None:
            out[_skipped(version, k, last)] = sim
    for k in range(last + 1):
        sim = mistaken(spec, values, version, zero_skip=k)
        if sim is not None:
            hint = " (a loop over graph.nodes[:-1] leaves out the last node)" if k == last else ""
            out[f"zero_grad left out v{k} = graph.nodes[{k}]: its stale .grad was kept and passed on{hint}"] = sim
    return out


def _whole_graph_match(spec: dict, values: list[np.ndarray], version: int, got: list,
                       nodes: list[int]) -> str:
    """The replayed mistake whose grads equal the submission's at every node in `nodes`, if exactly
    one does (several that agree there are not told apart: none is named)."""
    hits = []
    ref = reference_grads_cache(spec, values)
    for name, sim in _simulations(spec, values, version).items():
        if all(_same(got[i], sim[i]) for i in nodes) and not all(
                np.allclose(sim[i], ref[i], rtol=ALIGNED, atol=1e-12) for i in nodes):
            hits.append((name, sim))
    distinct = []
    for name, sim in hits:
        if not any(all(np.allclose(sim[i], other[i]) for i in nodes) for _, other in distinct):
            distinct.append((name, sim))
    names = [name for name, _ in hits]
    if len(distinct) != 1 or len(names) > 2:
        return ""  # the replayed mistakes that fit disagree with each other, or too many fit
    if len(names) == 2:  # two mistakes leave the same grads on the nodes this probe checks
        return f"either: {names[0]}; or: {names[1]} (this probe's nodes cannot tell them apart)"
    return names[0]


def _same(a: object, b: np.ndarray) -> bool:
    """A node's returned .value or .grad equals `b` (to ALIGNED), the one comparison P4's diagnoses make."""
    return not isinstance(a, str) and np.shape(a) == b.shape and bool(np.allclose(a, b, rtol=ALIGNED, atol=1e-12))


def _forward_mistake(spec: dict, got: list, right: list[np.ndarray]) -> str:
    """What the submission's forward pass did, from the .value of every node (`right`: the
    reference values): nothing ran (all stale), it walked graph.nodes backwards (each value from
    its parents' stale ones), or it left out some nodes (those still stale, the rest right)."""
    nodes = spec["nodes"]
    stale = [np.array(x, dtype=float) for x in spec["stale_values"]]
    backwards = forward_pass(spec, backwards=True)

    inner = [i for i, n in enumerate(nodes) if n["op"] is not None]
    if all(_same(got[i], stale[i]) for i in inner):
        return "the forward pass did not run: every .value is still the stale number left in the node"
    if all(_same(got[i], backwards[i]) for i in inner):
        return ("the forward pass walks graph.nodes backwards: each value is computed from its parents' stale "
                "values (walk them in topological order, as given)")
    from_grads = forward_pass(spec, from_grads=True)
    if from_grads and all(_same(got[i], from_grads[i]) for i in inner):
        return ("the forward pass fed each node its parents' .grad (stale numbers) where their .value belongs: "
                "v.fn([u.value for u in graph.parents(v)])")
    left = [i for i in inner if _same(got[i], stale[i]) and not _same(got[i], right[i])]
    if left and all(_same(got[i], right[i]) or i in left for i in inner):
        last = len(nodes) - 1
        hint = " (a loop over graph.nodes[:-1] leaves out the last node)" if left == [last] else ""
        return (f"the forward pass never computed {', '.join(f'v{i}' for i in left)}: its .value is still the "
                f"stale number left in it{hint}")
    return ""


def reference_grads_cache(spec: dict, values: list[np.ndarray]) -> list[np.ndarray]:
    """The true grads, by the same replay without a mistake (equal to `reference`'s; tested)."""
    return mistaken(spec, values, 1)


def _node_verdict(label: str, i: int, g: object, w: np.ndarray, spec: dict, called: str) -> Verdict | None:
    what = f"node v{i}'s .{label}"
    if isinstance(g, str):
        return Verdict(False, f"{what} is {g}", called=called)
    if g.shape != w.shape:
        hint = ""
        if label == "grad" and g.shape == ():
            hint = ("`v.grad = 0` left a scalar: zero_grad must set zeros of the node's shape, "
                    "np.zeros_like(v.value) (this node has no path to the output)")
        return Verdict(False, f"{what} has shape {g.shape}, expected {w.shape}", called=called,
                       got=describe(g), expected=describe(w), mistake=hint)
    stale = np.asarray(spec[f"stale_{label}s"][i], dtype=float)
    wrong = {}
    if label == "value":
        wrong["the forward pass did not run: .value is still the stale number left in the node"] = stale
    elif stale.shape == w.shape:
        wrong[NO_ZERO] = w + stale
        if i == spec["output"]:
            wrong["v_out.grad should be [1.0]"] = stale

    v = numeric(g, w, rtol=RTOL, atol=ATOL, called=called, alternatives=wrong, what=what)
    return None if v.passed else v


ERRORS = (  # what an exception in the student's pass says about the mistake (see Probe.error_mistakes)
    (r"operand \d does not have enough dimensions \(has 0|0-d|zero-dimensional",
     "a .grad is a scalar (`v.grad = 0` in zero_grad, as the pseudo-code writes it, or `v_out.grad = 1`): "
     "every .grad must be an array of its node's shape, np.zeros_like(v.value), and np.ones(1) for v_out"),
    (r"mismatch in its core dimension.*fn\.grad\([^()]*\)\s*@",
     "the Jacobian is on the wrong side: the grads are row vectors, so it is w.grad @ w.fn.grad(v) "
     "(grad times Jacobian), not w.fn.grad(v) @ w.grad"),
    (r"mismatch in its core dimension.*\.grad\s*@\s*\w+\.fn\.grad\([^()]*\)(\.T\b|\.transpose\()",
     TRANSPOSED),
    (r"size (\d+) is different from 1\).*\b(\w+)\.grad\s*@\s*\2\.fn\.grad\([^()]*\)(?!\.T\b|\.transpose\()",
     "a .grad of shape (1,) reached grad @ fn.grad(...) on a node with more entries: zero_grad must set every "
     "node's grad to zeros of its own shape, np.zeros_like(v.value), not np.zeros(1) (only v_out has one entry)"),
    (r"not a parent of this node",
     "fn.grad(u) was called with a u that is not a parent: w.fn.grad(v) needs v -> w (in version 1 the "
     "loop is over v's children w, in version 2 over v's parents u)"),
)

PROBES = (
    Probe("p4.v1", "version 1: values and grads", "numeric", 6,
          "backward_v1 on a random DAG (diamonds, vector nodes, a gate, a dead end, stale data): "
          "every node's .value and .grad against a forward pass and forward-mode derivatives.",
          ("backward_v1",), build(1, 7, 0, False), judge_values, rng_key="p4.g1",
          error_mistakes=ERRORS, tags={"version": 1},
          catches="no zero_grad, no forward pass, = instead of +=, a transposed Jacobian in v1"),
    Probe("p4.v2", "version 2: values and grads", "numeric", 6,
          "The same for backward_v2 on another random DAG.",
          ("backward_v2",), build(2, 7, 0, False), judge_values, rng_key="p4.g2",
          error_mistakes=ERRORS, tags={"version": 2},
          catches="the same mistakes in v2 (e.g. v.grad @ u.fn.grad instead of v.fn.grad(u))"),
    Probe("p4.output_inside", "v_out in the middle, with children", "numeric", 3,
          "Both versions on a DAG where v_out is not the last node and has children: every .value, and "
          "the .grad of v_out ([1.0]) and of every node with no path to v_out (zeros of its shape; some "
          "stale ones have the wrong shape).",
          ("backward_v1", "backward_v2"), build((1, 2), 6, 2, True), judge_values, error_mistakes=ERRORS,
          catches="assuming v_out is graph.nodes[-1]; zero_grad by in-place fill of stale arrays"),
)

PROBLEM = Problem(
    number=4,
    title="Equivalence of graph-form backward passes",
    points=15,
    functions=(
        Function("backward_v1", "backward_v1(graph) -> None",
                 "Forward pass, zero_grad, v_out.grad = 1, then for v in reversed order: for each "
                 "child w: v.grad += w.grad @ w.fn.grad(v). Any order a reverse pass allows is "
                 "correct (e.g. a memoised recursion over children)."),
        Function("backward_v2", "backward_v2(graph) -> None",
                 "Forward pass, zero_grad, v_out.grad = 1, then for v in reversed order: for each "
                 "parent u: u.grad += v.grad @ v.fn.grad(u). Any order a reverse pass allows is "
                 "correct (e.g. your own topological order)."),
    ),
    probes=PROBES,
    harness="problems.p4_backprop.harness",
    statement=(Path(__file__).with_name("statement.md")).read_text(),
    mistakes=(
        "`v.grad = 0` as in the pseudo-code: use zeros of the node's shape (np.zeros_like(v.value)).",
        "Skipping the forward pass or zero_grad: graphs arrive with stale .value and .grad.",
        "Assuming v_out is graph.nodes[-1]: use graph.output.",
        "`u.grad = ...` instead of `+=`: a node with two children must sum both contributions.",
    ),
    notes=("The statement says 'backdrop'; it means backprop.",
           "grad values are row vectors stored as 1-D arrays: w.grad @ w.fn.grad(v) has v's shape."),
    stubs='''def backward_v1(graph):
    """Forward pass, zero_grad, then backward version 1 (loop over children)."""
    raise NotImplementedError


def backward_v2(graph):
    """Forward pass, zero_grad, then backward version 2 (loop over parents)."""
    raise NotImplementedError
''',
)
