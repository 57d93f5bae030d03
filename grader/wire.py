"""Plain data across the process boundary: tagged JSON, encoded in the child, rebuilt here.

The child turns whatever student code returned into tagged JSON. The trusted side rebuilds
values with exact types (float, np.ndarray of float64, sympy trees made of whitelisted classes,
rebuilt by class lookup inside sympy): nothing is eval'd, unpickled or imported, and a returned
object never gets to choose its own comparison.

Tags: null/true/false as JSON; {"i": "12"} int; {"f": 1.5} float (NaN/inf as strings);
{"s": ...} str; {"l": [...]} list or tuple; {"a": [shape], "d": [floats]} numeric array;
{"m": [rows, cols], "d": [values]} sympy matrix; {"x": tree} sympy expression;
{"c": [re, im]} complex number.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_NODES = 100_000
MAX_DEPTH = 400
MAX_INT_DIGITS = 400
MAX_STR = 20_000
MAX_BYTES = 10_000_000
SYMBOL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
ASSUMPTIONS = frozenset(
    {"real", "positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer",
     "finite", "extended_real", "complex", "zero", "rational"}
)


class WireError(ValueError):
    """A value that cannot cross the boundary (too big, wrong type, forbidden node)."""


# --------------------------------------------------------------------------- child side
def encode(value: Any) -> Any:
    """Turn a returned value into tagged JSON (runs in the child; may raise WireError)."""
    counter = [0]
    return _enc(value, counter, 0)


def _enc(v: Any, counter: list[int], depth: int) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES or depth > MAX_DEPTH:
        raise WireError(f"returned value is too large (over {MAX_NODES} nodes or nested too deep)")
    import numpy as np

    if v is None or type(v) is bool:
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (int, np.integer)):  # subclasses too: only the number they convert to crosses
        return {"i": str(int(v))}
    if isinstance(v, (float, np.floating)):
        return {"f": _float(float(v))}
    if type(v) is complex or isinstance(v, np.complexfloating):
        return {"c": [_float(float(v.real)), _float(float(v.imag))]}
    if type(v) is str:
        return {"s": v[:MAX_STR]}
    if isinstance(v, np.ndarray) and type(v) is np.ndarray and v.dtype.kind in "biuf":
        if v.size > MAX_BYTES // 16:
            raise WireError(f"returned array has {v.size} elements, too many")
        flat = np.asarray(v, dtype=np.float64).ravel().tolist()
        return {"a": list(v.shape), "d": [_float(x) for x in flat]}
    sym = _enc_sympy(v, counter, depth)
    if sym is not None:
        return sym
    if type(v) in (list, tuple):
        return {"l": [_enc(x, counter, depth + 1) for x in v]}
    if isinstance(v, np.ndarray):  # object arrays, subclasses: element by element
        return {"l": [_enc(x, counter, depth + 1) for x in list(np.asarray(v).tolist())]}
    raise WireError(f"cannot return an object of type {type(v).__name__}")


def _float(x: float) -> float | str:
    return x if math.isfinite(x) else repr(x)


def _enc_sympy(v: Any, counter: list[int], depth: int) -> Any:
    import sympy

    if isinstance(v, sympy.MatrixBase):
        rows, cols = v.shape
        return {"m": [rows, cols], "d": [_enc(x, counter, depth + 1) for x in list(v)]}
    if isinstance(v, sympy.Basic):
        return {"x": _tree(v, counter, depth)}
    return None


def _tree(e: Any, counter: list[int], depth: int) -> Any:
    import sympy

    counter[0] += 1
    if counter[0] > MAX_NODES or depth > MAX_DEPTH:
        raise WireError(f"expression too large (over {MAX_NODES} nodes or {MAX_DEPTH} deep)")
    if isinstance(e, sympy.Dummy):
        return ["Dummy", str(e.name), int(e.dummy_index)]
    if isinstance(e, sympy.Symbol):
        known = {k: bool(val) for k, val in e.assumptions0.items() if k in ASSUMPTIONS}
        return ["Symbol", str(e.name), known]
    if isinstance(e, sympy.Integer):
        return ["Integer", str(int(e))]
    if isinstance(e, sympy.Rational):
        return ["Rational", str(int(e.p)), str(int(e.q))]
    if isinstance(e, sympy.Float):
        return ["Float", str(e), int(e._prec)]
    if not e.args:
        return ["S", type(e).__name__]
    return [type(e).__name__, *(_tree(a, counter, depth + 1) for a in e.args)]


def dumps(value: Any) -> bytes:
    """Encode and serialise one value."""
    return json.dumps(encode(value), separators=(",", ":")).encode()


# --------------------------------------------------------------------------- trusted side
def parse(raw: bytes) -> Any:
    """Parse bytes from the child into tagged JSON (size-capped; no object is built)."""
    if len(raw) > MAX_BYTES:
        raise WireError(f"returned value is {len(raw)} bytes, over the {MAX_BYTES} byte cap")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise WireError(f"unreadable value ({type(err).__name__})") from None


def decode(tagged: Any) -> Any:
    """Rebuild exact-typed values from tagged JSON (trusted side)."""
    return _dec(tagged, 0)


def _dec(t: Any, depth: int) -> Any:
    import numpy as np

    if depth > MAX_DEPTH:
        raise WireError("value nested too deep")
    if t is None or type(t) is bool:
        return t
    if type(t) is not dict or len(t) not in (1, 2):
        raise WireError("malformed value")
    if "i" in t:
        return int(_digits(t["i"]))
    if "f" in t:
        return _num(t["f"])
    if "c" in t:
        re_, im = (_num(x) for x in _list(t["c"], 2))
        return complex(re_, im)
    if "s" in t:
        if type(t["s"]) is not str:
            raise WireError("malformed string")
        return t["s"][:MAX_STR]
    if "l" in t:
        return [_dec(x, depth + 1) for x in _list(t["l"])]
    if "a" in t:
        shape = tuple(int(_small(n)) for n in _list(t["a"]))
        data = np.array([_num(x) for x in _list(t["d"])], dtype=np.float64)
        if data.size != math.prod(shape):
            raise WireError("array data does not match its shape")
        return data.reshape(shape)
    if "m" in t:
        import sympy

        rows, cols = (int(_small(n)) for n in _list(t["m"], 2))
        items = [_dec(x, depth + 1) for x in _list(t["d"])]
        if len(items) != rows * cols:
            raise WireError("matrix data does not match its shape")
        items = [sympy.Float(x) if type(x) is float else x for x in items]
        items = [sympy.Integer(x) if type(x) is int else x for x in items]
        if not all(isinstance(x, sympy.Basic) for x in items):
            raise WireError("matrix entry is not a number or expression")
        return sympy.ImmutableMatrix(rows, cols, items)
    if "x" in t:
        return rebuild(t["x"])
    raise WireError("malformed value")


def _list(x: Any, n: int | None = None) -> list:
    if type(x) is not list or (n is not None and len(x) != n):
        raise WireError("malformed value")
    return x


def _digits(s: Any) -> str:
    if type(s) is not str or not re.fullmatch(r"-?\d{1,%d}" % MAX_INT_DIGITS, s):
        raise WireError("integer too large or malformed")
    return s


def _small(n: Any) -> int:
    if type(n) is not int or not 0 <= n <= MAX_BYTES:
        raise WireError("malformed shape")
    return n


def _num(x: Any) -> float:
    if type(x) is float:
        return x
    if type(x) is int:
        if abs(x) > 10**300:
            raise WireError("number too large")
        return float(x)
    if x in ("nan", "inf", "-inf"):
        return float(x)
    raise WireError("malformed number")


# sympy classes a correct (possibly unsimplified) answer can contain, rebuilt by name
FUNCTIONS = (
    "exp log sqrt sin cos tan cot sec csc asin acos atan atan2 sinh cosh tanh asinh acosh atanh "
    "erf erfc erfi gamma loggamma Abs sign Heaviside re im conjugate arg Max Min floor ceiling "
    "DiracDelta besseli besselj"
).split()
OPERATORS = "Add Mul Pow".split()
STRUCTURES = (
    "Piecewise ExprCondPair Tuple Derivative Integral Sum Product Lambda "
    "Eq Ne Lt Le Gt Ge StrictLessThan LessThan StrictGreaterThan GreaterThan And Or Not "
    "Interval"
).split()
SINGLETONS = (
    "Pi Exp1 ImaginaryUnit Infinity NegativeInfinity ComplexInfinity NaN EulerGamma "
    "Half One Zero NegativeOne BooleanTrue BooleanFalse EmptySet Reals"
).split()


def rebuild(tree: Any) -> Any:
    """Rebuild a sympy expression from its tree, with a node budget (trusted side)."""
    import sympy

    budget = [MAX_NODES]
    dummies: dict[tuple[str, int], Any] = {}
    return _node(tree, sympy, budget, dummies, 0)


def _node(t: Any, sympy: Any, budget: list[int], dummies: dict, depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise WireError(f"expression too large (over {MAX_NODES} nodes or {MAX_DEPTH} deep)")
    if type(t) is not list or not t or type(t[0]) is not str:
        raise WireError("malformed expression")
    head, args = t[0], t[1:]
    if head == "Symbol":
        name, assumptions = _list(args, 2)
        return sympy.Symbol(_name(name), **_assumptions(assumptions))
    if head == "Dummy":
        name, index = _list(args, 2)
        key = (_name(name), int(_small(index)))
        return dummies.setdefault(key, sympy.Dummy(key[0]))
    if head == "Integer":
        return sympy.Integer(int(_digits(_list(args, 1)[0])))
    if head == "Rational":
        p, q = (int(_digits(x)) for x in _list(args, 2))
        if q == 0:
            raise WireError("malformed rational")
        return sympy.Rational(p, q)
    if head == "Float":
        text, prec = _list(args, 2)
        if type(text) is not str or len(text) > 400 or type(prec) is not int or not 1 <= prec <= 2000:
            raise WireError("malformed float")
        return sympy.Float(text, precision=prec)
    if head == "S":
        name = _list(args, 1)[0]
        if name not in SINGLETONS:
            raise WireError(f"expression node {name!r} is not allowed")
        return getattr(sympy.S, name)
    kids = [_node(a, sympy, budget, dummies, depth + 1) for a in args]
    return _apply(head, kids, sympy)


def _apply(head: str, kids: list, sympy: Any) -> Any:
    if head in OPERATORS:
        return _guarded_op(head, kids, sympy)
    if head in FUNCTIONS:
        cls = getattr(sympy, head)
        return cls(*kids, evaluate=False) if head not in ("Max", "Min", "atan2") else cls(*kids)
    if head in STRUCTURES:
        from sympy.functions.elementary.piecewise import ExprCondPair

        cls = ExprCondPair if head == "ExprCondPair" else getattr(sympy, head)
        return cls(*kids)
    raise WireError(f"expression node {head!r} is not allowed")


def _guarded_op(head: str, kids: list, sympy: Any) -> Any:
    """Add/Mul/Pow, unevaluated when evaluation could blow up (huge integer powers)."""
    cls = getattr(sympy, head)
    if head == "Pow" and len(kids) == 2:
        base, ex = kids
        if ex.is_Number and abs(ex) > 64 and (base.is_Number or base.is_Add):
            return cls(base, ex, evaluate=False)
    return cls(*kids)


def _name(name: Any) -> str:
    if type(name) is not str or not SYMBOL_NAME.match(name):
        raise WireError(f"symbol name {str(name)[:40]!r} is not allowed")
    return name


def _assumptions(a: Any) -> dict[str, bool]:
    if type(a) is not dict or not set(a) <= ASSUMPTIONS or not all(type(v) is bool for v in a.values()):
        raise WireError("malformed symbol assumptions")
    return a
