"""Which files a `hw1 grade` run grades: the files named, and every submission under a directory.

A directory is searched recursively, each level in sorted order (so the submissions come in the
order of their paths compared component by component), and a class exported one folder per
submission (`submission_1001/hw1.py`, as LMS exports lay it out) is found. A submission is a
`.py` or `.ipynb` file. Skipped, each with its reason: other files, hidden files and directories
(`.git`, `.ipynb_checkpoints`, `._hw1.py`), `__pycache__` and `__MACOSX`, anything that is not a
regular file or directory, a symlink whose target is outside the directory searched (it could
show a file of the grader's user in a student's report), broken symlinks, symlinked directories
(not followed: no loops), a second path to a file already found, and unreadable directories.
A file named on the command line is graded as given, whatever its name.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".py", ".ipynb")
SKIPPED_DIRS = {"__pycache__": "bytecode cache", "__MACOSX": "macOS archive metadata"}
LIST_AT_MOST = 10  # skipped paths listed one per line; beyond that, a count per reason


class NotFound(Exception):
    """A path named on the command line that is neither a file nor a directory with submissions."""


@dataclass
class Found:
    submissions: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def discover(paths: Iterable[Path]) -> Found:
    """The submissions to grade, in order (duplicates dropped), and what was skipped, with why."""
    found = Found()
    for p in map(Path, paths):
        if p.is_dir():
            before = len(found.submissions)
            _walk(p, os.path.realpath(p), found, set())
            if len(found.submissions) == before:
                raise NotFound(f"no .py files (nor .ipynb) in directory {p}")
        elif p.is_file():
            found.submissions.append(p)
        elif p.exists():
            raise NotFound(f"not a regular file: {p}")
        else:
            raise NotFound(f"no such file: {p}")
    # One path per file: the file's own path rather than a symlink to it, else the first given
    chosen: dict[str, Path] = {}
    for p in found.submissions:
        key = os.path.realpath(p)
        if key not in chosen or (chosen[key].is_symlink() and not p.is_symlink()):
            chosen[key] = p
    keep = set(chosen.values())
    for p in dict.fromkeys(found.submissions):
        if p not in keep:
            found.skipped.append((p, f"the same file as {chosen[os.path.realpath(p)]}"))
    found.submissions = [p for p in dict.fromkeys(found.submissions) if p in keep]
    return found


def _walk(directory: Path, top: str, found: Found, seen: set[str]) -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as err:
        found.skipped.append((directory, f"cannot read the directory: {err.strerror}"))
        return
    for entry in entries:
        path = directory / entry.name
        why = _skip(entry, top)
        if why:
            found.skipped.append((path, why))
        elif entry.is_dir(follow_symlinks=False):
            _walk(path, top, found, seen)
        else:
            found.submissions.append(path)


def _skip(entry: os.DirEntry, top: str) -> str:
    """Why a directory entry is not graded nor searched ("" when it is)."""
    name = entry.name
    if name.startswith("."):
        return "hidden"
    if entry.is_symlink():
        target = os.path.realpath(entry.path)
        if not os.path.exists(target):
            return "broken symlink"
        if os.path.commonpath([top, target]) != top:
            return f"symlink out of the directory searched (to {target})"
        if os.path.isdir(target):
            return "symlinked directory (not followed)"
    try:
        mode = entry.stat().st_mode
    except OSError as err:
        return f"cannot read: {err.strerror}"
    if stat.S_ISDIR(mode):
        return SKIPPED_DIRS.get(name, "")
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if not name.lower().endswith(SUFFIXES):
        return "not a .py or .ipynb file"
    return ""


def skipped_lines(skipped: list[tuple[Path, str]]) -> list[str]:
    """What to print: one line per skipped path, or, past LIST_AT_MOST, the first ones and a count
    per reason for the rest."""
    lines = [f"skipped {p}: {why}" for p, why in skipped[:LIST_AT_MOST]]
    rest = skipped[LIST_AT_MOST:]
    if rest:
        counts = Counter(why.split(" (")[0] for _, why in rest)
        lines.append(f"skipped {len(rest)} more: " + ", ".join(f"{n} {why}" for why, n in counts.most_common()))
    return lines
