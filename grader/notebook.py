"""Jupyter notebooks as submissions: the trusted side turns one into the Python the child imports.

The child never sees the notebook: only its code cells, in order, with IPython magics and shell
lines dropped (they are not Python and would be a syntax error), and each kept line's origin
recorded so that an error at "line 12" of the generated source reads "cell 4, line 2".
The parse is bounded: a notebook larger than MAX_BYTES is refused before it is read, and
nbformat parses JSON only (outputs and attachments are read, then ignored).
"""

from __future__ import annotations

import functools
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".py", ".ipynb")  # what a directory of submissions is searched for
MAX_BYTES = 64 << 20  # outputs and attachments of several MB are fine; a 1 GB file is not read

# A line IPython would not hand to Python: magics (%, %%), shell escapes (!), help (?name, name?)
# and explicit get_ipython() calls.
_IPYTHON = re.compile(r"^\s*(%|!|\?|get_ipython\(\))|^\s*[\w.]+\?\??\s*$")


class NotebookError(Exception):
    """The file is not a notebook that can be graded (one line, for the report)."""


@dataclass(frozen=True)
class Converted:
    source: str
    lines: tuple[tuple[int, int], ...]  # generated line i+1 -> (cell number, line in that cell)
    notes: tuple[str, ...] = field(default_factory=tuple)


def is_notebook(path: str | Path) -> bool:
    return str(path).endswith(".ipynb")


def convert(path: str | Path) -> Converted:
    """The code cells of a notebook as one module; cells are numbered from 1 among all cells.
    Read once per version of the file: every problem's job stages it, and parsing a notebook
    of 60 MB of outputs takes seconds."""
    st = Path(path).stat()
    return _convert(str(Path(path).absolute()), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=16)
def _convert(path: str, mtime_ns: int, size: int) -> Converted:
    import nbformat

    if size > MAX_BYTES:
        raise NotebookError(f"notebook is {size >> 20} MiB, more than the {MAX_BYTES >> 20} MiB read")
    try:
        nb = nbformat.reads(Path(path).read_text(encoding="utf-8", errors="replace"), as_version=4)
    except Exception as err:  # nbformat raises many kinds on hostile JSON
        raise NotebookError(f"not a readable notebook: {type(err).__name__}: "
                            f"{str(err).splitlines()[0][:200] if str(err) else ''}") from None
    out: list[str] = []
    where: list[tuple[int, int]] = []
    dropped: list[str] = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        cell_lines = text.splitlines()
        if cell_lines and cell_lines[0].lstrip().startswith("%%"):  # a cell magic: not Python
            dropped.append(f"cell {number}: {cell_lines[0].strip()[:80]} (whole cell)")
            continue
        for i, line in enumerate(cell_lines, start=1):
            if _IPYTHON.match(line):
                dropped.append(f"cell {number}, line {i}: {line.strip()[:80]}")
                indent = line[: len(line) - len(line.lstrip())]
                line = f"{indent}pass  # dropped by hw1: IPython line"
            out.append(line)
            where.append((number, i))
        out.append("")
        where.append((number, len(cell_lines) + 1))
    notes = ()
    if dropped:
        notes = (f"notebook: {len(dropped)} IPython line(s) not run: " + "; ".join(dropped[:10])
                 + (" ..." if len(dropped) > 10 else ""),)
    return Converted("\n".join(out) + "\n", tuple(where), notes)


def stage(submission: str | Path, staged: str) -> None:
    """Write what the child imports as `staged`: the file itself, or a notebook's code."""
    if not is_notebook(submission):
        shutil.copyfile(submission, staged)
        return
    try:
        source = convert(submission).source
    except NotebookError as err:
        # Imported, this raises with the reason as the message: the report shows it as an
        # import error like any other, and nothing of the notebook reaches the child.
        source = f"raise ImportError({str(err)!r})\n"
    Path(staged).write_text(source, encoding="utf-8")


# "line 12", with the generated file's name before it when Python names it ("submission.py, line 12"
# in a SyntaxError, 'File ".../submission.py", line 12' in a traceback): the student never saw that file.
_LINE = re.compile(r'(?:File "[^"\n]*submission\.py", |\bsubmission\.py, )?\bline (\d+)\b')


def relocate(message: str, lines: tuple[tuple[int, int], ...]) -> str:
    """'line 12' (or 'submission.py, line 12') of the generated source rewritten as 'cell 4, line 2'."""
    def sub(m: re.Match) -> str:
        n = int(m.group(1))
        if 1 <= n <= len(lines):
            cell, line = lines[n - 1]
            return f"cell {cell}, line {line}"
        return m.group(0)
    return _LINE.sub(sub, message)
