"""Feedback files to send back (`--feedback-dir DIR`): one per submission, NAME.md and NAME.html.

Both are rendered from the same model, `model(doc)`, built from the submission's SPEC §1 report
(so resumed submissions, known only from the journal, get theirs too). They hold what the rich
report holds: the score per problem, every probe lost (or partly lost) with what was called,
what came back, what was expected and the likely mistake, what the student's code printed
(when the caller passes it: the JSON report, hence the journal, does not keep it), and the
notes.

Names. A file is named after its submission's stem ("alice.py" -> alice.md); when two
submissions share a stem, after the folder and the stem ("a/hw.py" -> a-hw.md), then with a
counter. `write_feedback(dir, docs, name_for=...)` takes a hook, a callable from the submission
path (as in the report) to a name, e.g. the student's login from a roster, or None to keep the
default; names are then cleaned and de-duplicated the same way. DIR/index.csv lists which
files belong to which submission.

Student text is never trusted: HTML escapes everything (and forbids scripts by CSP); Markdown
puts values in code fences longer than any run of backticks they contain and escapes the rest.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any

from grader import csvcells
from grader.gradebook import atomic_write
from grader.report import OUTPUT_LINES, safe

NameFor = Callable[[str], "str | None"]


# --------------------------------------------------------------------------- output checks
def check_file(path: Path, option: str) -> None:
    """A file that can be written: not a directory, in an existing writable directory."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{option} {path} is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise ValueError(f"{option} {path}: no such directory {parent}")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"{option} {path}: not writable")


def check_dir(path: Path, option: str) -> None:
    """A directory that exists (or whose parent does) and can be written."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{option} {path} is not a directory")
    target = path if path.exists() else path.parent
    if not target.is_dir():
        raise ValueError(f"{option} {path}: no such directory {path.parent}")
    if not os.access(target, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {path}: not writable")


# --------------------------------------------------------------------------- names
def _clean(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:100]
    return name or "submission"


def feedback_names(submissions: Sequence[str], name_for: NameFor | None = None) -> dict[str, str]:
    """A distinct file name (without suffix) per submission: the hook's name or the stem, then
    folder-stem for stems that collide, then a counter."""
    given = {s: (name_for(s) if name_for else None) for s in submissions}
    base = {s: _clean(given[s] or PurePath(s).stem) for s in submissions}
    counts = Counter(base.values())
    for s in submissions:
        if counts[base[s]] > 1 and not given[s] and PurePath(s).parent.name:
            base[s] = _clean(f"{PurePath(s).parent.name}-{PurePath(s).stem}")
    out: dict[str, str] = {}
    taken: set[str] = set()
    for s in submissions:
        name, i = base[s], 1
        while name.lower() in taken or name.lower() == "index":
            i += 1
            name = f"{base[s]}-{i}"
        taken.add(name.lower())
        out[s] = name
    return out


# --------------------------------------------------------------------------- the model
def _text(x: Any, limit: int = 4000) -> str:
    return safe(str(x if x is not None else ""), limit)


def _n(x: Any) -> str:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return _text(x)
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def model(doc: dict[str, Any], printed: dict[Any, str] | None = None) -> dict[str, Any]:
    """What a feedback file says, as plain data, from one SPEC §1 report (and, by problem id,
    what the student's code printed, first lines only, as the rich report shows it)."""
    problems = []
    printed = printed or {}
    for p in doc.get("problems") or []:
        lost, passed = [], []
        for r in p.get("probes") or []:
            item = {"id": _text(r.get("name")), "title": _text(r.get("title")), "score": _n(r.get("score")),
                    "points": _n(r.get("max_score")), "passed": r.get("passed") is True,
                    "message": _text(r.get("message"))}
            if r.get("passed") is not True:
                item["details"] = [(label, _text(r.get(key))) for label, key in (
                    ("called", "called"), ("got", "got"), ("expected", "expected"), ("likely mistake", "mistake"))
                    if r.get(key)]
            full = isinstance(r.get("score"), (int, float)) and r.get("score") >= (r.get("max_score") or 0)
            (passed if item["passed"] and full else lost).append(item)
        problems.append({"id": _n(p.get("id")), "title": _text(p.get("title")), "score": _n(p.get("score")),
                         "max_score": _n(p.get("max_score")), "status": _text(p.get("status", "ok")),
                         "lost": lost, "passed": passed, "printed": _printed(printed.get(p.get("id"), ""))})
    return {"submission": _text(doc.get("submission"), 500), "score": _n(doc.get("score")),
            "max_score": _n(doc.get("max_score")), "status": _text(doc.get("status", "ok")),
            "seed": _n(doc.get("seed")), "problems": problems,
            "notes": [_text(n) for n in doc.get("notes") or []],
            "sandbox": [_text(x) for x in doc.get("sandbox") or []]}


def _printed(text: str) -> str:
    lines = safe(text or "", 20000).splitlines()
    if not "".join(lines).strip():
        return ""
    more = [f"[+{len(lines) - OUTPUT_LINES} lines]"] if len(lines) > OUTPUT_LINES else []
    return "\n".join([line[:200] for line in lines[:OUTPUT_LINES]] + more)


# --------------------------------------------------------------------------- Markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_inline(text: str) -> str:
    """Text safe inline (not at a line's start) in Markdown: no emphasis, link, code, table cell
    or HTML; one line. Links need brackets and lists or headings a line's start, so '.', '-',
    '(' and '#' stay as they are."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_code(text: str) -> str:
    """A one-line code span, delimited by more backticks than any run inside it."""
    text = " ".join(text.split())
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    tick = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{tick}{pad}{text}{pad}{tick}"


def md_block(text: str) -> str:
    """Text as a fenced code block, fenced longer than any backtick run inside it."""
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, run + 1)
    return f"{fence}text\n{text}\n{fence}"


def to_markdown(m: dict[str, Any]) -> str:
    out = [f"# Homework 1: {md_code(m['submission'])}", "",
           f"**Score: {m['score']} / {m['max_score']}** · status {md_inline(m['status'])} · seed {m['seed']}", "",
           "| # | problem | score | status |", "|---:|---|---:|---|"]
    out += [f"| {p['id']} | {md_inline(p['title'])} | {p['score']} / {p['max_score']} | {md_inline(p['status'])} |"
            for p in m["problems"]]
    out += [f"| | **total** | **{m['score']} / {m['max_score']}** | |", ""]
    for p in m["problems"]:
        out += [f"## Problem {p['id']}: {md_inline(p['title'])} — {p['score']}/{p['max_score']}", ""]
        for r in p["lost"]:
            mark = "✔" if r["passed"] else "✘"
            out += [f"### {mark} {md_code(r['id'])}: {md_inline(r['title'])} — {r['score']}/{r['points']}", ""]
            body = [r["message"], *(f"{label}: {value}" for label, value in r.get("details", []))]
            out += [md_block("\n".join(body)), ""]
        if p["printed"]:
            out += ["Your code printed:", "", md_block(p["printed"]), ""]
        if p["passed"]:
            out += ["Passed: " + ", ".join(f"{md_code(r['id'])} ({r['points']})" for r in p["passed"]), ""]
    if m["notes"]:
        out += ["## Notes", ""] + [md_block(n) for n in m["notes"]] + [""]
    if m["sandbox"]:
        out += [f"_Graded in a sandbox: {md_inline(', '.join(m['sandbox']))}._", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- HTML
STYLE = """body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em}td.n{text-align:right}
pre{background:#f6f6f6;padding:.3em .6em;margin:0;white-space:pre-wrap;word-break:break-word}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3em .8em}dt{font-weight:bold}dd{margin:0}
.fail{color:#b00}.pass{color:#070}.dim{color:#666}"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def page(title: str, body: Iterable[str], style: str = STYLE) -> str:
    """A self-contained HTML page: inline style, no script, a CSP that forbids any."""
    return "\n".join(["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                      f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
                      f"<title>{_e(title)}</title><style>{style}</style></head><body>", *body,
                      "</body></html>", ""])


def to_html(m: dict[str, Any]) -> str:
    body = [f"<h1>Homework 1: {_e(m['submission'])}</h1>",
            f"<p><strong>Score: {_e(m['score'])} / {_e(m['max_score'])}</strong> · status {_e(m['status'])}"
            f" · seed {_e(m['seed'])}</p>",
            '<table class="problems"><tr><th>#</th><th>problem</th><th>score</th><th>status</th></tr>']
    body += [f'<tr><td class="n">{_e(p["id"])}</td><td>{_e(p["title"])}</td>'
             f'<td class="n">{_e(p["score"])} / {_e(p["max_score"])}</td><td>{_e(p["status"])}</td></tr>'
             for p in m["problems"]]
    body += [f'<tr><td></td><td><strong>total</strong></td><td class="n"><strong>{_e(m["score"])} / '
             f'{_e(m["max_score"])}</strong></td><td></td></tr></table>']
    for p in m["problems"]:
        body.append(f"<h2>Problem {_e(p['id'])}: {_e(p['title'])} — {_e(p['score'])}/{_e(p['max_score'])}</h2>")
        for r in p["lost"]:
            cls, mark = ("pass", "✔") if r["passed"] else ("fail", "✘")
            body.append(f'<h3 class="{cls}">{mark} {_e(r["id"])}: {_e(r["title"])} — {_e(r["score"])}/'
                        f'{_e(r["points"])}</h3>')
            body.append(f"<p>{_e(r['message'])}</p>")
            if r.get("details"):
                body.append('<dl class="probe">')
                body += [f"<dt>{_e(label)}</dt><dd><pre>{_e(value)}</pre></dd>" for label, value in r["details"]]
                body.append("</dl>")
        if p["printed"]:
            body.append(f"<p>Your code printed:</p><pre>{_e(p['printed'])}</pre>")
        if p["passed"]:
            body.append('<p class="pass">Passed: ' + ", ".join(f"{_e(r['id'])} ({_e(r['points'])})"
                                                            for r in p["passed"]) + "</p>")
    if m["notes"]:
        body += ["<h2>Notes</h2>"] + [f"<pre>{_e(n)}</pre>" for n in m["notes"]]
    if m["sandbox"]:
        body.append(f'<p class="dim">Graded in a sandbox: {_e(", ".join(m["sandbox"]))}.</p>')
    return page(f"Homework 1: {m['submission']} — {m['score']}/{m['max_score']}", body)


# --------------------------------------------------------------------------- writing
def write_feedback(directory: Path, docs: Sequence[dict[str, Any]], name_for: NameFor | None = None,
                   printed: dict[str, dict[Any, str]] | None = None) -> dict[str, str]:
    """Write NAME.md and NAME.html per report, and index.csv; return {submission: NAME}.
    `printed`: by submission, by problem id, what the code printed (absent for resumed ones)."""
    directory = Path(directory)
    directory.mkdir(exist_ok=True)
    docs = list({str(d.get("submission", "")): d for d in docs}.values())
    names = feedback_names([str(d.get("submission", "")) for d in docs], name_for)
    buf = io.StringIO()
    index = csv.writer(buf)
    index.writerow(["submission", "name", "markdown", "html", "score", "max_score", "status"])
    for d in docs:
        sub = str(d.get("submission", ""))
        name = names[sub]
        m = model(d, (printed or {}).get(sub))
        atomic_write(directory / f"{name}.md", to_markdown(m))
        atomic_write(directory / f"{name}.html", to_html(m))
        index.writerow(csvcells.row([sub, name, f"{name}.md", f"{name}.html", m["score"], m["max_score"],
                                     m["status"]]))
    atomic_write(directory / "index.csv", buf.getvalue())
    return names
