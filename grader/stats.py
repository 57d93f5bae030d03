"""What the class got wrong: statistics over the JSON reports of a batch (or of its journal).

Plain data in, plain data out; no rendering here (report.py draws the rich summary,
classreport.py the HTML file). Everything is computed from SPEC §1 reports, so the same numbers
come from a batch that just finished (`Batch.docs`) and from `GRADEBOOK.csv.jsonl` alone.

Per probe: how many submissions passed it, and why the others failed, each failure counted
under one reason: the named mistake the judge gave ("the log term is missing its factor d"), or
else what kept the answer from being judged ("raised an exception", "the submission could not
be imported", ...), or else "wrong, no named mistake". Class-wide, each named mistake counts the
students who made it (once per student, however many probes it cost them).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from grader.judge import STATUS_TEXT

UNNAMED = "wrong, no named mistake"
BINS = 10


class JournalError(Exception):
    """The journal cannot be read as hw1's (missing, unreadable, nothing recorded)."""


def reason(probe: dict[str, Any]) -> tuple[str, bool]:
    """Why a failed probe failed: (text, whether it is a named mistake)."""
    mistake = str(probe.get("mistake") or "").strip()
    if mistake:
        return mistake, True
    message = str(probe.get("message") or "")
    for head in STATUS_TEXT.values():
        if message.startswith(head + ":") or message == head:
            return head, False
    return UNNAMED, False


def _num(x: Any) -> float:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else 0.0


def class_stats(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The `class` section: totals, per problem, per probe, named mistakes. `docs` are SPEC §1
    reports (one per submission); probes and problems keep the order of their first appearance."""
    docs = [d for d in docs if isinstance(d, dict) and isinstance(d.get("problems"), list)]
    n = len(docs)
    totals = [_num(d.get("score")) for d in docs]
    max_total = max((_num(d.get("max_score")) for d in docs), default=0.0)
    problems: dict[Any, dict[str, Any]] = {}
    probes: dict[str, dict[str, Any]] = {}
    students: dict[str, dict[str, Any]] = {}  # named mistake -> problem, probes, who
    for d in docs:
        who = str(d.get("submission", ""))
        for p in d["problems"]:
            if not isinstance(p, dict):
                continue
            pid = p.get("id")
            prob = problems.setdefault(pid, {"id": pid, "title": str(p.get("title", "")),
                                             "max_score": _num(p.get("max_score")), "scores": [],
                                             "statuses": Counter()})
            prob["scores"].append(_num(p.get("score")))
            prob["statuses"][str(p.get("status", "ok"))] += 1
            for r in p.get("probes") or []:
                if not isinstance(r, dict):
                    continue
                name = str(r.get("name", ""))
                entry = probes.setdefault(name, {"id": name, "problem": pid, "title": str(r.get("title", "")),
                                                 "points": _num(r.get("max_score")), "graded": 0, "passed": 0,
                                                 "score_sum": 0.0, "reasons": Counter(), "named": set()})
                entry["graded"] += 1
                entry["score_sum"] += _num(r.get("score"))
                if r.get("passed") is True:
                    entry["passed"] += 1
                    continue
                text, named = reason(r)
                entry["reasons"][text] += 1
                if named:
                    entry["named"].add(text)
                    m = students.setdefault(text, {"problem": pid, "probes": [], "who": set()})
                    m["who"].add(who)
                    if name not in m["probes"]:
                        m["probes"].append(name)
    return {
        "submissions": n,
        "statuses": dict(Counter(str(d.get("status", "ok")) for d in docs)),
        "score": {"max_score": max_total, **_summary(totals),
                  "histogram": histogram(totals, max_total)},
        "problems": [_problem(p) for p in problems.values()],
        "probes": [_probe(e) for e in probes.values()],
        "mistakes": sorted(({"mistake": text, "problem": m["problem"], "probes": m["probes"],
                             "students": len(m["who"])} for text, m in students.items()),
                           key=lambda m: -m["students"]),
    }


def _summary(xs: Sequence[float]) -> dict[str, float | None]:
    if not xs:
        return {"mean": None, "median": None, "min": None, "max": None, "stdev": None}
    return {"mean": round(statistics.fmean(xs), 4), "median": statistics.median(xs), "min": min(xs),
            "max": max(xs), "stdev": round(statistics.pstdev(xs), 4)}


def histogram(xs: Iterable[float], top: float, bins: int = BINS) -> list[dict[str, float]]:
    """Counts in `bins` equal bins of [0, top]; the last bin includes `top`."""
    counts = [0] * bins
    for x in xs:
        counts[min(bins - 1, max(0, int(bins * x / top))) if top > 0 else 0] += 1
    return [{"from": round(top * i / bins, 4), "to": round(top * (i + 1) / bins, 4), "count": c}
            for i, c in enumerate(counts)]


def _problem(p: dict[str, Any]) -> dict[str, Any]:
    scores = p["scores"]
    values = Counter(scores)
    return {"id": p["id"], "title": p["title"], "max_score": p["max_score"], **_summary(scores),
            "full_marks": sum(1 for s in scores if s >= p["max_score"] > 0),
            "zero": sum(1 for s in scores if s <= 0),
            "scores": [{"score": s, "count": values[s]} for s in sorted(values)],
            "statuses": dict(p["statuses"])}


def _probe(e: dict[str, Any]) -> dict[str, Any]:
    graded, failed = e["graded"], e["graded"] - e["passed"]
    ordered = sorted(e["reasons"].items(), key=lambda kv: -kv[1])  # stable: first seen first on ties
    return {"id": e["id"], "problem": e["problem"], "title": e["title"], "points": e["points"],
            "graded": graded, "passed": e["passed"], "failed": failed,
            "pass_rate": round(e["passed"] / graded, 4) if graded else None,
            "mean_score": round(e["score_sum"] / graded, 4) if graded else None,
            "mistakes": [{"mistake": t, "count": c} for t, c in ordered if t in e["named"]],
            "other": [{"reason": t, "count": c} for t, c in ordered if t not in e["named"]]}


NOT_IMPORTED = STATUS_TEXT["import"]


def worst(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Probes that some submission failed, lowest pass rate first (probe order on ties); a probe
    failed only by submissions that could not be imported at all says nothing about the probe
    and is left out."""
    def telling(p: dict[str, Any]) -> bool:
        return p["failed"] > sum(o["count"] for o in p["other"] if o["reason"] == NOT_IMPORTED)

    return sorted((p for p in stats["probes"] if telling(p)), key=lambda p: p["pass_rate"] or 0.0)


def headline(p: dict[str, Any]) -> str:
    """"p2.scales 31 % failed: the log term is missing its factor d, 19 students; ..." """
    pct = round(100 * p["failed"] / p["graded"]) if p["graded"] else 0
    parts = [f"{m['mistake']}, {m['count']} student{'s' if m['count'] != 1 else ''}" for m in p["mistakes"]]
    parts += [f"{o['reason']}, {o['count']}" for o in p["other"]]
    return f"{p['id']} {pct} % failed ({p['failed']}/{p['graded']}): " + "; ".join(parts)


# --------------------------------------------------------------------------- the journal
def read_journal(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The reports of the most recent run recorded in a journal (GRADEBOOK.csv.jsonl): the run
    key (seed, problems) of its last valid line, the last result per submission under that key.
    Returns (docs in first-recorded order, info about what was read and what was left out)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise JournalError(f"cannot read {path}: {e.strerror}") from None
    entries, bad = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if (isinstance(entry, dict) and isinstance(entry.get("result"), dict)
                and isinstance(entry["result"].get("problems"), list)):
            entries.append(entry)
        else:
            bad += 1
    if not entries:
        raise JournalError(f"{path} holds no hw1 results")
    key = entries[-1].get("key")
    docs: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry.get("key") == key:
            docs[str(entry["result"].get("submission", ""))] = entry["result"]
    other = sum(1 for e in entries if e.get("key") != key)
    info = {"journal": str(path), "key": key, "lines_unreadable": bad, "other_runs_ignored": other,
            "repeats_replaced": sum(1 for e in entries if e.get("key") == key) - len(docs)}
    return list(docs.values()), info
