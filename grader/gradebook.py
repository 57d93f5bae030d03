"""The gradebook of a batch: results persisted one by one, and a CSV that is the class's record.

Every finished submission is appended to `<gradebook>.jsonl` (one JSON document per line,
flushed and fsync'ed), so a killed batch loses no finished result; `--resume` reads it back and
grades only what is missing or changed: a result is reused only for the same file content
(sha256), seed, problem selection and hw1 version.

The CSV is merged, not replaced: rows of the submissions graded now are replaced, every other
row is kept, and rows are sorted by path (component by component, the order in which a directory
is searched), so that a class graded in two halves, by two batches at once, gives the same
gradebook as one batch alone. The read-merge-write of the CSV and each journal append happen
under an exclusive flock on `<gradebook>.lock`; the CSV is written to a temporary file and
renamed over the old one, so a reader never sees half a gradebook. New files follow the user's
umask (the CSV, the journal and the lock alike); a replaced CSV keeps its mode.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import functools
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from grader import csvcells

COLUMNS_LAST = ("total", "max", "status", "seed", "hw1_version", "sha256")  # after file, P1..Pn


def journal_path(gradebook: Path) -> Path:
    return gradebook.with_name(gradebook.name + ".jsonl")


def lock_path(gradebook: Path) -> Path:
    return gradebook.with_name(gradebook.name + ".lock")


@functools.cache
def hw1_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hw1")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def run_key(seed: int, problems: Sequence[int]) -> dict[str, Any]:
    """What must match, besides the file's sha256, for a recorded result to be reused by --resume."""
    return {"seed": seed, "problems": sorted(problems), "version": hw1_version()}


def sha256(path: Path) -> str:
    """The file's content hash ("" when it cannot be read: it is then graded, never resumed)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 16), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


@contextlib.contextmanager
def locked(gradebook: Path) -> Iterator[None]:
    """An exclusive flock on the gradebook's sibling lock file (held across threads and processes:
    each call opens its own file description). The lock file is left in place: removing it
    would let two writers lock two different files."""
    fd = os.open(lock_path(Path(gradebook)), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


class Journal:
    """Append-only record of finished results: {"key", "sha256", "result"} per line."""

    def __init__(self, path: Path, key: dict[str, Any], lock: Path | None = None):
        self.path = Path(path)
        self.key = key
        self.gradebook = Path(lock) if lock else None  # whose lock file serialises appends

    def _guard(self) -> contextlib.AbstractContextManager:
        return locked(self.gradebook) if self.gradebook else contextlib.nullcontext()

    def _torn(self) -> bool:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                return fh.read(1) != b"\n"
        except OSError:  # missing or empty
            return False

    def load(self) -> dict[str, dict]:
        """The last result recorded under the same key, by submission, each with the "sha256" of
        the file as graded (the caller regrades a file whose content changed since); a torn last
        line, and lines of other keys (another seed, selection or hw1 version), are ignored."""
        found: dict[str, dict] = {}
        with self._guard():
            try:
                text = self.path.read_text(encoding="utf-8", errors="replace")
            except FileNotFoundError:
                return found
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("key") == self.key and isinstance(entry.get("result"), dict):
                found[str(entry["result"].get("submission", ""))] = {
                    "result": entry["result"], "sha256": str(entry.get("sha256", ""))}
        return found

    def append(self, result: dict, digest: str = "") -> None:
        line = json.dumps({"key": self.key, "sha256": digest, "result": result}, separators=(",", ":")) + "\n"
        with self._guard():
            if self._torn():  # a killed writer left half a line: start a fresh one
                line = "\n" + line
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())


def row_of(doc: dict) -> dict[str, Any]:
    """A CSV row from a JSON report (report.to_json) that may also carry "hw1_version" and "sha256"."""
    scores = {p["id"]: p["score"] for p in doc["problems"]}
    return {"file": doc["submission"], **{f"P{n}": _num(v) for n, v in scores.items()},
            "total": _num(doc["score"]), "max": _num(doc["max_score"]), "status": doc.get("status", "ok"),
            "seed": doc.get("seed", ""), "hw1_version": doc.get("hw1_version", ""), "sha256": doc.get("sha256", "")}


def write_csv(path: Path, results: Iterable[dict], merge: bool = True) -> None:
    """One row per submission: file, P<n> per problem, total, max, status, seed, hw1_version,
    sha256 (then any columns an existing CSV had that hw1 does not write, kept as they were).

    With `merge` (the default), the existing CSV's rows for other submissions are kept and the
    rows of `results` replace theirs (same path, or the same file reached by another path); rows
    are sorted by path. Done under the gradebook's lock; atomic."""
    path = Path(path)
    new = {str(d["submission"]): row_of(d) for d in results}
    with locked(path):
        old, extra = _read(path) if merge else ({}, [])
        same = {os.path.realpath(k) for k in new}
        rows = {k: r for k, r in old.items() if k not in new and os.path.realpath(k) not in same}
        for k, r in new.items():
            rows[k] = {**{c: v for c, v in old.get(k, {}).items() if c in extra}, **r}
        numbers = sorted({int(c[1:]) for r in rows.values() for c in r if _is_problem(c)})
        header = ["file", *(f"P{n}" for n in numbers), *COLUMNS_LAST, *extra]
        buf = io.StringIO()
        out = csv.DictWriter(buf, header, extrasaction="ignore", restval="")
        out.writeheader()
        for key in sorted(rows, key=lambda k: Path(k).parts):
            out.writerow(csvcells.record(rows[key]))
        atomic_write(path, buf.getvalue())


def _read(path: Path) -> tuple[dict[str, dict], list[str]]:
    """Rows of an existing CSV by file, and its columns hw1 does not write itself."""
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            reader = csv.DictReader(fh)
            rows = {r["file"]: r for r in map(csvcells.unrecord, reader) if r.get("file")}
            fields = list(reader.fieldnames or [])
    except FileNotFoundError:
        return {}, []
    extra = [c for c in fields if c and c != "file" and not _is_problem(c) and c not in COLUMNS_LAST]
    return rows, extra


def _is_problem(column: str) -> bool:
    return len(column) > 1 and column[0] == "P" and column[1:].isdigit()


def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file in the same directory, fsync, then rename over `path`.

    The file gets the mode `open()` would give it: the old file's when it exists, else 0666
    less the umask (mkstemp alone makes it 0600)."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@functools.cache
def umask() -> int:
    """The process's umask, read without changing it (os.umask would, for a moment, for every
    thread); the set-and-restore fallback runs once."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_problem(path: Path, option: str, submissions: Sequence[Path]) -> str:
    """Why `path` cannot be written as `option`'s output ("" when it can): checked before grading."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        return f"{option} {path} is a directory"
    if not parent.is_dir():
        return f"{option} {path}: directory {parent} does not exist"
    real = os.path.realpath(path)
    for s in submissions:
        if os.path.realpath(s) == real or (path.exists() and _same_file(path, s)):
            return f"{option} {path} is one of the submissions"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{option} {path} is not writable"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{option} {path}: directory {parent} is not writable"
    return ""


def foreign_csv(path: Path) -> str:
    """Why an existing `path` is not a gradebook hw1 may merge into ("" when it is, or is absent):
    a CSV without a "file" column (a roster, say) would lose every row."""
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            header = next(csv.reader(fh), None)
    except FileNotFoundError:
        return ""
    except OSError as err:
        return f"--gradebook {path}: {err.strerror}"
    if header is not None and "file" not in header:
        return f"--gradebook {path} exists and is not an hw1 gradebook (no 'file' column)"
    return ""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _num(x: Any) -> Any:
    return int(x) if isinstance(x, float) and x.is_integer() else x
