"""Comparison helpers for probes: coerce a returned value, compare it, say what is wrong.

Every helper checks in a fixed order (type -> shape -> finiteness -> values) and produces a
Verdict that says what came back, what was expected, and the likely mistake. Student-side
faults (wrong type or shape) raise Reject, which the judge turns into a failed probe.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from grader.evaluate import DIGITS, Unsupported, fast_value
from grader.spec import Verdict

ALIGNED = 1e-6  # two arrays "match" a diagnosis when they agree to this relative tolerance


class Reject(Exception):
    """A returned value that cannot be judged as what the contract asks for (with the mistake that
    explains it, when the value's form singles one out)."""

    def __init__(self, message: str, mistake: str = ""):
        super().__init__(message)
        self.mistake = mistake


# --------------------------------------------------------------------------- coercion
def as_float(v: Any, what: str = "result") -> float:
    """A real number from a float, int, 0-d/1-element array, 1-element list or sympy number."""
    if type(v) in (float, int):
        return float(v)
    if isinstance(v, np.ndarray) and v.size == 1:
        return float(v.reshape(()))
    if type(v) is list and len(v) == 1:
        return as_float(v[0], what)
    if isinstance(v, sympy.Basic) and v.is_number:
        z = complex(v.evalf(20))
        if z.imag == 0:
            return z.real
    raise Reject(f"{what} should be a real number, got {describe(v)}")


def as_array(v: Any, shape: tuple[int, ...], what: str = "result") -> np.ndarray:
    """A float64 array of exactly `shape`; a column or row of the right length is accepted."""
    if isinstance(v, sympy.MatrixBase):
        try:
            v = np.array([[float(complex(x).real) if complex(x).imag == 0 else math.nan
                           for x in v.row(i)] for i in range(v.rows)])
        except (TypeError, ValueError):
            raise Reject(f"{what} should be numeric, got a symbolic matrix") from None
    if type(v) in (float, int):
        v = np.array(v, dtype=float)
    if type(v) is list:
        try:
            v = np.array([as_float(x, what) if not isinstance(x, (list, np.ndarray)) else
                          as_array(x, np.shape(x) if isinstance(x, np.ndarray) else (len(x),))
                          for x in v], dtype=float)
        except (Reject, ValueError):
            raise Reject(f"{what} should be an array of shape {shape}, got {describe(v)}") from None
    if not isinstance(v, np.ndarray):
        raise Reject(f"{what} should be an array of shape {shape}, got {describe(v)}")
    if v.shape != shape:
        if v.size == math.prod(shape) and len([d for d in v.shape if d != 1]) <= 1 and len(shape) <= 1:
            v = v.reshape(shape)
        else:
            raise Reject(f"{what} has shape {v.shape}, expected {shape}")
    return v.astype(np.float64)


def as_expr(v: Any, what: str = "result") -> sympy.Expr:
    """A sympy expression; plain numbers are accepted and converted."""
    if type(v) is int:
        return sympy.Integer(v)
    if type(v) is float:
        return sympy.Float(v)
    if isinstance(v, sympy.MatrixBase) and v.shape == (1, 1):
        return v[0, 0]
    if isinstance(v, sympy.Expr):
        return v
    raise Reject(f"{what} should be a sympy expression, got {describe(v)}")


def as_expr_list(v: Any, n: int, what: str = "result") -> list[sympy.Expr]:
    """n sympy expressions from a list, tuple or sympy Matrix (row or column)."""
    if isinstance(v, sympy.MatrixBase):
        if 1 not in v.shape:
            raise Reject(f"{what} should be a list of {n} expressions, got a {v.shape} matrix")
        v = list(v)
    if isinstance(v, np.ndarray):
        v = v.ravel().tolist()
    if type(v) is not list:
        raise Reject(f"{what} should be a list of {n} expressions, got {describe(v)}")
    if len(v) != n:
        raise Reject(f"{what} should have {n} entries (one per variable), got {len(v)}")
    return [as_expr(x, f"{what}[{i}]") for i, x in enumerate(v)]


SHOW_WHOLE = 24  # arrays and lists up to this many entries are shown whole, at full precision
SHOW_DIFFS = 12  # differing entries listed side by side; the rest are counted


def describe(v: Any, width: int = 2000) -> str:
    """A safe description of a decoded value (for messages); never empty, never cut mid-number.

    Arrays and lists of up to SHOW_WHOLE entries are shown whole (10 significant digits);
    larger arrays are named by shape and size (the verdict lists their differing entries);
    `None` and an empty list say what they are. Other text longer than `width` (a huge
    expression) is cut at a separator, with a count of what was left out.
    """
    if v is None:
        return "None (nothing was returned: is a return statement missing?)"
    if type(v) is list and not v:
        return "[] (an empty list)"
    if isinstance(v, np.ndarray) and v.size == 0:
        return f"array{tuple(v.shape)} (an empty array)"
    return _describe(v, width)


def _describe(v: Any, width: int) -> str:
    if isinstance(v, np.ndarray):
        if v.size > SHOW_WHOLE:
            return f"array{tuple(v.shape)} of {v.size} entries (over {SHOW_WHOLE}: not shown whole)"
        body = np.array2string(v, separator=", ", threshold=10**9, max_line_width=10**6,
                               formatter={"float_kind": lambda x: f"{x:.10g}"})
        return f"array{tuple(v.shape)} {body.replace(chr(10), '')}"  # rows wrap like words
    if isinstance(v, float):
        return f"{v:.12g}"
    if isinstance(v, sympy.Basic):
        n = count_ops(v)
        text = sympy.sstr(v) if n < 20_000 else f"<expression with {n} nodes, too large to print>"
    elif v is None:
        text = "None"
    elif isinstance(v, list):
        shown = ", ".join(_describe(x, 400) for x in v[:SHOW_WHOLE])
        text = f"[{shown}]" if len(v) <= SHOW_WHOLE else f"[{shown}, and {len(v) - SHOW_WHOLE} more entries]"
    else:
        text = f"{type(v).__name__} {v!r}"
    if len(text) <= width:
        return text
    cut = max(text.rfind(sep, 0, width) for sep in (" ", ",", ")"))
    cut = cut if cut > width // 2 else width
    return text[:cut] + f" [cut here: {len(text) - cut} more characters]"


def _num(x: float) -> str:
    return f"{x:.12g}"


def differing(g: np.ndarray, e: np.ndarray, bad: np.ndarray,
              limit: int = SHOW_DIFFS) -> tuple[tuple[tuple[str, str, str, str], ...], int]:
    """The differing entries side by side, rows (index, got, expected, got - expected), and how
    many differing entries were left out (beyond `limit`)."""
    idx = np.argwhere(bad) if bad.ndim else np.zeros((1 if bool(bad) else 0, 0), dtype=int)
    rows = []
    for k in idx[:limit]:
        key = tuple(int(i) for i in k)
        label = f"[{', '.join(map(str, key))}]" if key else ""
        gv, ev = float(g[key]), float(e[key])
        rows.append((label, _num(gv), _num(ev), f"{gv - ev:+.3g}" if math.isfinite(gv - ev) else "-"))
    return tuple(rows), max(0, len(idx) - limit)


def count_ops(e: sympy.Basic) -> int:
    n = 0
    for _ in sympy.preorder_traversal(e):
        n += 1
        if n > 10**6:
            break
    return n


# --------------------------------------------------------------------------- numeric
def numeric(got: np.ndarray | float, expected: np.ndarray | float, *, rtol: float, atol: float,
            called: str, alternatives: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
            what: str = "result", terms: Terms | Callable[[], Terms] | None = None) -> Verdict:
    """Compare arrays (already coerced) with |got-exp| <= atol + rtol*|exp| elementwise.

    `alternatives` (known wrong answers, by the mistake's description) may be a callable, called
    only when the answer is wrong. `terms` (see `term_fit`) names the term a wrong answer got
    wrong when no alternative matches.
    """
    g = np.asarray(got, dtype=float)
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        raise Reject(f"{what} has shape {g.shape}, expected {e.shape}")
    if not np.all(np.isfinite(g)):
        rows, more = differing(g, e, ~np.isfinite(g)) if g.size > 1 else ((), 0)
        return Verdict(False, f"{what} contains NaN or inf where the expected value is finite",
                       called=called, got=describe(_show(g)), expected=describe(_show(e)),
                       differing=rows, differing_more=more)
    err = np.abs(g - e)
    bad = err > atol + rtol * np.abs(e)
    if not bad.any():
        return Verdict(True, f"{what} matches (max abs diff {err.max(initial=0):.1e})")
    alts = alternatives() if callable(alternatives) else alternatives
    mistake = diagnose(g, e, alts or {})
    if not mistake and terms is not None:
        mistake = term_fit(g, *(terms() if callable(terms) else terms))
    rows, more = differing(g, e, bad) if g.size > 1 else ((), 0)
    return Verdict(False, _mismatch(g, e, bad, what), called=called, got=describe(_show(g)),
                   expected=describe(_show(e)), mistake=mistake, differing=rows, differing_more=more)


def _show(a: np.ndarray) -> Any:
    return float(a) if a.ndim == 0 else a


def _mismatch(g: np.ndarray, e: np.ndarray, bad: np.ndarray, what: str) -> str:
    n = bad.size
    diff = np.abs(g - e)
    rel = diff / np.maximum(np.abs(e), 1e-300)
    head = f"{what} differs" if n == 1 else f"{what} differs: {int(bad.sum())} of {n} value(s) wrong"
    return f"{head}; max abs diff {diff.max():.3g}, max rel diff {min(rel.max(), 1e300):.3g}"


RATIOS = {
    -1.0: "sign flipped (the result is the negative of the expected one)",
    2.0: "off by a factor of 2 (twice the expected value)",
    0.5: "off by a factor of 1/2 (half the expected value)",
    -2.0: "sign flipped and off by a factor of 2",
    -0.5: "sign flipped and off by a factor of 1/2",
    4.0: "off by a factor of 4",
    0.25: "off by a factor of 1/4",
}


def diagnose(got: Any, expected: Any, alternatives: Mapping[str, Any]) -> str:
    """Name the likely mistake: a known wrong formula, or a constant factor.

    A constant factor (or a sign) is named only when at least two nonzero expected entries are
    all scaled alike; a single wrong scalar gets no named mistake unless an alternative matches.
    Alternatives that coincide on this input are not told apart: two that match are both named
    as "either ... or", more are none. (A Lazy mapping, whose entries are expensive, is read
    only up to the first match.)
    """
    g = np.asarray(got, dtype=float)
    hits = []
    for name, alt in alternatives.items():
        a = np.asarray(alt, dtype=float)
        if a.shape == g.shape and np.all(np.isfinite(a)) and np.allclose(g, a, rtol=ALIGNED, atol=1e-12):
            hits.append(name)
            if isinstance(alternatives, Lazy):
                break
    if len(hits) == 1:
        return hits[0]
    if len(hits) == 2:
        return f"either: {hits[0]}; or: {hits[1]} (this probe's input cannot tell them apart)"
    if hits:
        return ""
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        return ""
    mask = np.abs(e) > 1e-9
    # A ratio is evidence only across several entries (or points): one scalar's ratio to the
    # expected value is whatever the mistake made it, and naming it would be a guess.
    if int(mask.sum()) >= 2:
        ratio = g[mask] / e[mask]
        c = float(np.median(ratio))
        if np.allclose(ratio, c, rtol=ALIGNED):
            for value, text in RATIOS.items():
                if abs(c - value) < 1e-6:
                    return text
            if abs(c) > 1e-9 and abs(c - 1) > 1e-6:
                return f"off by a constant factor {_constant(c) or f'{c:.6g}'}"
    return ""


def nearest_alternative(got: Any, expected: Any, alternatives: Mapping[str, Any], ratio: float = 0.02) -> str:
    """The known wrong answer a wrong answer is much nearer to than to the right one: within `ratio`
    of its distance from the expected value, with every other alternative at least 10 times further.
    For answers computed with an integrator of the student's own, which reproduces a mistake's
    replay only to its own accuracy (never for answers that should match a replay exactly)."""
    g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if g.shape != e.shape or not np.all(np.isfinite(g)):
        return ""
    far = float(np.linalg.norm(g - e))
    dist = []
    for name, alt in alternatives.items():
        a = np.asarray(alt, dtype=float)
        if a.shape == g.shape and np.all(np.isfinite(a)):
            dist.append((float(np.linalg.norm(g - a)), name))
    dist.sort()
    if not dist or far == 0 or dist[0][0] > ratio * far:
        return ""
    if len(dist) > 1 and dist[1][0] < 10 * dist[0][0]:
        return ""
    return dist[0][1]


class Lazy(Mapping):
    """Known wrong answers computed one at a time, as `diagnose` asks for them (it stops at the
    first that matches): for alternatives that are expensive to compute."""

    def __init__(self, thunks: Mapping[str, Callable[[], Any]]):
        self._thunks, self._done = dict(thunks), {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._done:
            self._done[key] = self._thunks[key]()
        return self._done[key]

    def __iter__(self):
        return iter(self._thunks)

    def __len__(self) -> int:
        return len(self._thunks)


# (the named terms' values, entry by entry; the coefficient each must have in a right answer)
# (a coefficient may be (value, how the formula writes it): (-1.5, "-(1 - lam/2)"))
Terms = tuple[Mapping[str, Any], Mapping[str, Any]]


def term_fit(got: Any, terms: Mapping[str, Any], want: Mapping[str, Any]) -> str:
    """Which terms a wrong answer has with the wrong coefficient, when it is exactly a combination
    of the named terms (a least-squares fit over more entries than terms, with the terms clearly
    independent on them, that leaves no residual). The fit is the evidence: nothing is named when
    the answer is no such combination, when there are too few entries to tell the terms apart,
    or when every term is off by the same factor (that is a constant factor, or a sign)."""
    g = np.asarray(got, dtype=float).ravel()
    names = list(terms)
    if not names or not np.all(np.isfinite(g)):
        return ""
    cols = {n: np.asarray(terms[n], dtype=float).ravel() for n in names}
    names = [n for n in names if np.any(cols[n] != 0)]  # a term that vanishes here has no coefficient to fit
    if not names:
        return ""
    A = np.column_stack([cols[n] for n in names])
    if A.shape[0] != g.size:
        return ""
    coef = _exact_fit(A, g, floor=1e-12)
    if coef is None:
        return ""
    w = np.array([float(want[n][0] if isinstance(want[n], tuple) else want[n]) for n in names])
    label = {n: (f"{want[n][1]} = {w[i]:.6g}" if isinstance(want[n], tuple) else f"{w[i]:.6g}")
             for i, n in enumerate(names)}
    off = [i for i in range(len(names)) if abs(coef[i] - w[i]) > 1e-6 * max(1.0, abs(w[i]))]
    if not off:
        return ""
    nz = [i for i in range(len(names)) if abs(w[i]) > 1e-12]
    if len(off) == len(names) and len(nz) == len(names) and np.allclose(coef / w, coef[0] / w[0], rtol=1e-6):
        return ""  # every term scaled alike: a factor on the whole, said elsewhere (or not at all)
    parts = []
    for i in off:
        c, target = float(coef[i]), float(w[i])
        if abs(c) < 1e-9:
            parts.append(f"the {names[i]} term is missing")
        elif abs(target) < 1e-12:
            parts.append(f"there is a {names[i]} term (coefficient {c:.6g}) that does not belong")
        elif abs(c + target) < 1e-6 * max(1.0, abs(target)):
            parts.append(f"the {names[i]} term has the wrong sign")
        else:
            parts.append(f"the {names[i]} term has coefficient {c:.6g} where {label[names[i]]} belongs "
                         f"(a factor {ratio_text(c / target)})")
    rest = "" if len(off) == len(names) else " (the other terms are right)"
    return "; ".join(parts) + rest


def _exact_fit(A: np.ndarray, y: np.ndarray, floor: float) -> np.ndarray | None:
    """The coefficients c with A c = y, when they are the evidence: more rows than columns (two
    more), finite entries, no vanishing column, columns clearly independent on these rows (smallest
    singular value of the column-normalised A at least 1e-6 of the largest) and no residual (below
    1e-8 of max(|y|, floor)). None otherwise: then no coefficient is identified."""
    if A.shape[0] < A.shape[1] + 2 or not np.all(np.isfinite(A)):
        return None
    norms = np.linalg.norm(A, axis=0)
    if np.any(norms == 0):
        return None
    sv = np.linalg.svd(A / norms, compute_uv=False)
    if sv[-1] < 1e-6 * sv[0]:
        return None  # the columns are (nearly) dependent at these rows
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    if np.linalg.norm(A @ coef - y) > 1e-8 * max(np.linalg.norm(y), floor):
        return None
    return coef


def power_fit(got: Any, bases: Mapping[str, Any], want: Mapping[str, float], factor: float = 1.0) -> str:
    """Which quantity a wrong, positive answer has to the wrong power, when it is exactly
    factor' x prod_k base_k^(e_k) (a least-squares fit of log|got| over more entries than unknowns,
    with the logs of the bases clearly independent on them, that leaves no residual): the right
    answer is `factor` x prod_k base_k^(want_k). Nothing is named otherwise."""
    g = np.abs(np.asarray(got, dtype=float).ravel())
    names = list(bases)
    if not names or not np.all(np.isfinite(g)) or np.any(g < 1e-300):
        return ""
    cols = [np.log(np.abs(np.asarray(bases[n], dtype=float).ravel())) for n in names]
    coef = _exact_fit(np.column_stack([np.ones(g.size), *cols]), np.log(g), floor=1.0)
    if coef is None:
        return ""
    parts = [(f"the factor {n} is missing (it must appear to the power {ratio_text(float(want[n]))})"
              if abs(e) < 1e-9 else
              f"{n} appears to the power {ratio_text(float(e))} where {ratio_text(float(want[n]))} belongs")
             for n, e in zip(names, coef[1:]) if abs(e - want[n]) > 1e-6]
    k = float(np.exp(coef[0]))
    if abs(k - abs(factor)) > 1e-6 * max(abs(factor), 1.0):
        parts.append(f"the constant factor is {ratio_text(k)} where {ratio_text(abs(factor))} belongs (a factor "
                     f"{ratio_text(k / abs(factor))})" + ("" if parts else "; the powers are right"))
    return "; ".join(parts)


CONSTANTS = {  # a factor that is one of these, to 1e-6, is named as the constant
    1 / np.log(2): "1/ln 2 = 1.4427: a logarithm to base 2 where the natural one belongs?",
    1 / np.log(10): "1/ln 10 = 0.434294: a logarithm to base 10 where the natural one belongs?",
    np.log(2): "ln 2 = 0.693147", np.log(10): "ln 10 = 2.30259", np.pi: "pi", 1 / np.pi: "1/pi",
    2 * np.pi: "2 pi", np.sqrt(2): "sqrt(2)", 1 / np.sqrt(2): "1/sqrt(2)", np.sqrt(np.pi): "sqrt(pi)",
    np.sqrt(2 * np.pi): "sqrt(2 pi)", 1 / np.sqrt(2 * np.pi): "1/sqrt(2 pi)", np.e: "e",
}


def ratio_text(r: float) -> str:
    """A ratio as a small fraction when it is one (1/2, -1/3, 3/2), a named constant (1/ln 2,
    sqrt(2 pi), with its sign) when it is one, else 6 digits."""
    for den in range(1, 9):
        num = round(r * den)
        if num and abs(r * den - num) < 1e-6 * den:
            return f"{num}" if den == 1 else f"{num}/{den}"
    return _constant(r) or f"{r:.6g}"


def _constant(r: float) -> str:
    for value, text in CONSTANTS.items():
        if abs(abs(r) - value) < 1e-6 * value:
            return text if r > 0 else f"-{text}"
    return ""


def all_pass(verdicts: Iterable[Verdict], success: Verdict) -> Verdict:
    """The first failing verdict of a (lazy) sequence of checks, or `success` if none fails."""
    for v in verdicts:
        if not v.passed:
            return v
    return success


# --------------------------------------------------------------------------- symbolic
def sample_points(domains: Mapping[sympy.Symbol, tuple[float, float]], n: int,
                  seed: int) -> list[dict[sympy.Symbol, float]]:
    """n random points, each symbol uniform in its interval (reproducible from `seed`)."""
    rng = np.random.default_rng(seed)
    syms = sorted(domains, key=lambda s: s.name)
    return [{s: float(rng.uniform(*domains[s])) for s in syms} for _ in range(n)]


def value_at(expr: sympy.Basic, point: Mapping[sympy.Symbol, float]) -> complex | None:
    """Numeric value of `expr` at `point` (30 digits); None where it is not a finite number."""
    try:
        try:
            z = fast_value(expr, point)
        except Unsupported:
            z = _evalf_value(expr, point)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError,
            RecursionError, ArithmeticError):
        return None
    return z if math.isfinite(z.real) and math.isfinite(z.imag) else None


def _evalf_value(expr: sympy.Basic, point: Mapping[sympy.Symbol, float]) -> complex:
    """sympy's own evaluation, for trees with nodes outside the fast walker's whitelist."""
    e = expr
    if e.has(sympy.Derivative, sympy.Integral, sympy.Sum, sympy.Product):
        e = e.doit()
    e = e.xreplace({s: sympy.Float(v, DIGITS) for s, v in point.items()})
    return complex(e.evalf(DIGITS))


def symbolic(got: Any, ref: sympy.Expr, *, domains: Mapping[sympy.Symbol, tuple[float, float]],
             called: str, seed: int,
             alternatives: Mapping[str, sympy.Expr] | Callable[[], Mapping[str, sympy.Expr]] | None = None,
             what: str = "result", points: int = 8, rtol: float = 1e-8,
             terms: tuple[Mapping[str, sympy.Expr], Mapping[str, float]] | Callable | None = None) -> Verdict:
    """Layered equivalence: structure, then values at `points` seeded random points (30 digits).

    A difference at a random point is decisive (wrong); agreement at every point is a pass.
    No `simplify`: it could only have upgraded a pass to "proved" (never changed a verdict), and
    it cost up to its time cap on every correct unsimplified answer.
    """
    g = as_expr(got, what)
    _check_symbols(g, domains, what)
    if g == ref:
        return Verdict(True, f"{what} is identical to the expected expression")
    pts = sample_points(domains, points, seed)
    pairs = [(p, value_at(g, p), value_at(ref, p)) for p in pts]
    usable = [(p, a, b) for p, a, b in pairs if b is not None]
    scale = max((abs(b) for _, _, b in usable), default=0.0)
    for p, a, b in usable:
        if a is None or abs(a - b) > rtol * max(abs(b), scale) + 1e-13:
            alts = alternatives() if callable(alternatives) else alternatives
            v = _sym_failure(g, ref, p, a, b, usable, called, alts or {}, what)
            if not v.mistake and terms is not None:  # one term set, or several tried in order
                sets = terms() if callable(terms) else terms
                for named, want in (sets if isinstance(sets, list) else [sets]):
                    text = _sym_term_fit(g, named, want, domains, seed)
                    if text:
                        v = Verdict(False, v.message, v.called, v.got, v.expected, text)
                        break
            return v
    return Verdict(True, f"{what}: equal to the expected expression at {len(usable)} random points "
                         "(30-digit arithmetic)")


def _check_symbols(g: sympy.Basic, domains: Mapping[sympy.Symbol, Any], what: str) -> None:
    extra = g.free_symbols - set(domains)
    if not extra:
        return
    names = {s.name: s for s in domains}
    s = sorted(extra, key=lambda s: s.name)[0]
    if s.name in names:
        raise Reject(f"{what} uses a new Symbol {s.name!r} with different assumptions instead of "
                     f"the one passed in (build expressions from the arguments, do not "
                     f"create Symbol({s.name!r}) yourself)")
    raise Reject(f"{what} contains the symbol {s.name!r}, which is not one of the inputs")


def _sym_failure(g: sympy.Expr, ref: sympy.Expr, p: Mapping, a: complex | None, b: complex,
                 usable: Sequence, called: str, alternatives: Mapping[str, sympy.Expr],
                 what: str) -> Verdict:
    at = ", ".join(f"{s.name}={v:.10g}" for s, v in p.items())
    got_v = "not a finite real number" if a is None else _fmt(a)
    msg = f"{what} differs from the expected expression at {at}: got {got_v}, expected {_fmt(b)}"
    return Verdict(False, msg, called=called, got=_with_simplified(g), expected=_with_simplified(ref),
                   mistake=_sym_mistake(g, usable, alternatives))


SIMPLIFY_SECONDS = 1.0  # budget of sympy.simplify for showing one expression
SIMPLIFY_NODES = 300  # larger expressions are shown as they are


def _with_simplified(e: sympy.Basic) -> str:
    """The expression, and its simplified form when that is cheap to get and says something new."""
    text = describe(e)
    try:
        s = cheap_simplify(e)
    except _OutOfTime:  # the timer fired just as simplify returned
        s = None
    if s is not None and s != e:
        shown = describe(s)
        if shown != text and len(shown) < len(text):
            text += f"\nsimplified: {shown}"
    return text


class _OutOfTime(BaseException):
    """Not an Exception, so that no `except Exception` inside sympy swallows it."""


def cheap_simplify(e: sympy.Basic, seconds: float = SIMPLIFY_SECONDS) -> sympy.Basic | None:
    """sympy.simplify(e) within `seconds` (a SIGALRM timer, repeated until it lands), or None:
    too large, out of time, failed, or not in a thread that can take the timer."""
    import signal
    import threading

    if count_ops(e) > SIMPLIFY_NODES or threading.current_thread() is not threading.main_thread():
        return None
    armed = [True]

    def stop(signum, frame):
        if armed[0]:
            raise _OutOfTime

    try:
        previous = signal.signal(signal.SIGALRM, stop)
    except (ValueError, OSError):
        return None
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # someone else's timer: leave it alone
        signal.signal(signal.SIGALRM, previous)
        return None
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
        return sympy.simplify(e)
    except _OutOfTime:
        return None
    except Exception:  # noqa: BLE001 - showing a simpler form is optional
        return None
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _sym_mistake(g: sympy.Expr, usable: Sequence, alternatives: Mapping[str, sympy.Expr]) -> str:
    gv = [value_at(g, p) for p, _, _ in usable]
    if any(v is None for v in gv):
        return ""
    for name, alt in alternatives.items():
        av = [value_at(alt, p) for p, _, _ in usable]
        if all(v is not None and abs(v - w) <= 1e-7 * max(1.0, abs(w)) for v, w in zip(gv, av)):
            return name
    real = [(v.real, b.real) for v, (_, _, b) in zip(gv, usable)]
    return diagnose([r for r, _ in real], [e for _, e in real], {})


def _sym_term_fit(g: sympy.Expr, terms: Mapping[str, sympy.Expr], want: Mapping[str, float],
                  domains: Mapping[sympy.Symbol, tuple[float, float]], seed: int) -> str:
    """term_fit over values at 3 k + 6 random points of their own (k terms)."""
    pts = sample_points(domains, 3 * len(terms) + 6, seed + 7919)
    gv = [value_at(g, p) for p in pts]
    tv = {n: [value_at(e, p) for p in pts] for n, e in terms.items()}
    if any(v is None or abs(v.imag) > 1e-12 for v in gv) or any(
            v is None or abs(v.imag) > 1e-12 for vs in tv.values() for v in vs):
        return ""
    return term_fit([v.real for v in gv], {n: [v.real for v in vs] for n, vs in tv.items()}, want)


def _fmt(z: complex) -> str:
    return f"{z.real:.8g}" if abs(z.imag) < 1e-12 else f"{z.real:.6g}{z.imag:+.6g}j"
