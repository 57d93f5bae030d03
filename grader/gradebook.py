"""The gradebook of a batch: results persisted one by one, and a CSV written atomically.

Every finished submission is appended to `<gradebook>.jsonl` (one JSON document per line,
flushed and fsync'ed), so a killed batch loses no finished result; `--resume` reads it back and
grades only what is missing. The CSV is written to a temporary file and renamed over the old
one, so a reader never sees half a gradebook.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def journal_path(gradebook: Path) -> Path:
    return gradebook.with_name(gradebook.name + ".jsonl")


def run_key(seed: int, problems: Sequence[int]) -> dict[str, Any]:
    """What must match for a recorded result to be reused by --resume."""
    return {"seed": seed, "problems": sorted(problems)}


class Journal:
    """Append-only record of finished results."""

    def __init__(self, path: Path, key: dict[str, Any]):
        self.path = path
        self.key = key

    def _torn(self) -> bool:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                return fh.read(1) != b"\n"
        except OSError:  # missing or empty
            return False

    def load(self) -> dict[str, dict]:
        """Results recorded under the same key, by submission; a torn last line is ignored."""
        found: dict[str, dict] = {}
        if not self.path.exists():
            return found
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("key") == self.key and isinstance(entry.get("result"), dict):
                found[entry["result"].get("submission", "")] = entry["result"]
        return found

    def append(self, result: dict) -> None:
        line = json.dumps({"key": self.key, "result": result}, separators=(",", ":")) + "\n"
        if self._torn():  # a killed writer left half a line: start a fresh one
            line = "\n" + line
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())


def write_csv(path: Path, results: Iterable[dict]) -> None:
    """One row per submission: file, a column per problem, total, status. Atomic."""
    rows = list(results)
    numbers = [p["id"] for p in rows[0]["problems"]] if rows else []
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["file", *(f"P{n}" for n in numbers), "total", "max", "status"])
    for r in rows:
        scores = {p["id"]: p["score"] for p in r["problems"]}
        out.writerow([r["submission"], *(_num(scores.get(n, "")) for n in numbers), _num(r["score"]),
                      _num(r["max_score"]), r.get("status", "ok")])
    atomic_write(path, buf.getvalue())


def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file in the same directory, fsync, then rename over `path`."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _num(x: Any) -> Any:
    return int(x) if isinstance(x, float) and x.is_integer() else x
