"""How often the report names the actual mistake, on held-out single-mistake submissions.

    python bench/diagnosis.py [SET_DIR ...] [--seed N] [-v]

SET_DIR (default bench/heldout/set1) holds submissions and a mapping.json saying, per file, the
problem its one mistake is in, the mistake, and `accept`: regular expressions one of which a
diagnosis must match to name it. Each submission is graded with the installed `hw1 grade
--format json` (all problems, sandboxed, as a student would) and classified by the failed
probes of its problem:
  right      some failed probe names the mistake (a "likely mistake" matching `accept`) and none
             names anything else
  wrong      some failed probe names a mistake that does not match `accept`
  none       failed, nothing named (an observation such as "right for d = 1, wrong for d = 2"
             is not a name: it is counted here)
  uncaught   every probe of the problem passed
Prints a table per problem and the totals; -v prints each submission's diagnoses.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("right", "wrong", "none", "uncaught")


def classify(entry: dict, probes: list[dict]) -> tuple[str, list[str]]:
    """(kind, the mistakes named) for one submission from its problem's probe results."""
    failed = [p for p in probes if not p["passed"]]
    if not failed:
        return "uncaught", []
    named = [p["mistake"] for p in failed if p.get("mistake")]
    pats = [re.compile(a, re.I) for a in entry["accept"]]
    good = [m for m in named if any(p.search(m) for p in pats)]
    if len(good) < len(named):
        return "wrong", named
    return ("right" if good else "none"), named


def grade(paths: list[Path], seed: int | None) -> list[dict]:
    hw1 = Path(sys.executable).with_name("hw1")
    cmd = [str(hw1) if hw1.exists() else "hw1", "grade", *map(str, paths), "--format", "json",
           "--jobs", "2"] + (["--seed", str(seed)] if seed is not None else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    doc = json.loads(proc.stdout)
    return doc if isinstance(doc, list) else [doc]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="*", type=Path, default=[ROOT / "bench" / "heldout" / "set1"])
    ap.add_argument("--seed", type=int)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    table: dict[int, Counter] = {}
    for d in args.sets:
        mapping = json.loads((d / "mapping.json").read_text())
        files = [d / name for name in sorted(mapping)]
        for path, report in zip(files, grade(files, args.seed)):
            entry = mapping[path.name]
            (prob,) = [p for p in report["problems"] if p["id"] == entry["problem"]]
            kind, named = classify(entry, prob["probes"])
            table.setdefault(entry["problem"], Counter())[kind] += 1
            if args.verbose or kind == "wrong":
                print(f"{kind:8} {path.name}: {entry['mistake']}")
                for p in prob["probes"]:
                    if not p["passed"]:
                        print(f"           {p['name']}: {p.get('mistake') or '-'}"
                              + ("" if p.get("mistake") else f"   [{p['message'][:110]}]"))
    print(f"{'problem':8}" + "".join(f"{k:>10}" for k in KINDS) + f"{'total':>8}")
    total = Counter()
    for n in sorted(table):
        total += table[n]
        print(f"P{n:<7}" + "".join(f"{table[n][k]:>10}" for k in KINDS) + f"{sum(table[n].values()):>8}")
    n = sum(total.values())
    print(f"{'all':8}" + "".join(f"{total[k]:>10}" for k in KINDS) + f"{n:>8}")
    print(f"named right: {total['right']}/{n} = {100 * total['right'] / max(n, 1):.0f} %, "
          f"named wrong: {total['wrong']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
