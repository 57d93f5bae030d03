"""A class list joined with the gradebook (#11): who handed in what, who handed in nothing, and
CSVs that import as they are into Canvas and Gradescope.

The gradebook says which file got which score; a roster says who the students are. A submission
is matched to a student by what the LMS export put around it:
- Gradescope's "Export Submissions": a `submission_metadata.yml` beside the `submission_N/` folders
  maps each folder to its submitters (`:name`, `:sid`, `:email`; a group has several). It is read
  with PyYAML's safe loader (never a loader that builds objects), Ruby tags kept as plain data.
- otherwise the file's name and its folders' names: a student id (`submissions/1001/hw1.py`), a
  login (`jdoe_hw1.py`), an email (`jdoe@uni.edu.py`), or Canvas's download name
  `doejohn_12345_67890_hw1.py` (last name and first name run together, Canvas user id, ...).
The strongest kind of evidence that names exactly one student wins (metadata, id, email, login,
the email's local part, Canvas's name); a submission naming two students by the same kind of
evidence, or none, is listed as unmatched.

Everything here reads and writes CSV text: the gradebook rows come in as dicts keyed by the
gradebook's own header, whatever columns it has, and are carried over as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader import csvcells

METADATA = "submission_metadata.yml"
MAX_ROSTER_BYTES = 16 << 20
MAX_METADATA_BYTES = 64 << 20
SEARCH_UP = 5  # folders above a submission searched for submission_metadata.yml

# Roster headers, compared lowercased with everything but letters and digits removed.
ID_HEADERS = ("sid", "studentid", "id", "sisuserid", "userid", "studentnumber", "matriculationnumber")
LOGIN_HEADERS = ("sisloginid", "login", "loginid", "username", "netid", "uni", "user")
EMAIL_HEADERS = ("email", "emailaddress", "mail")
NAME_HEADERS = ("student", "name", "fullname", "studentname")
FIRST_HEADERS = ("firstname", "givenname", "first")
LAST_HEADERS = ("lastname", "surname", "familyname", "last")
SECTION_HEADERS = ("section", "sections")

STRENGTH = ("metadata", "id", "email", "login", "email local part", "Canvas name")
MISSING = "missing"


class RosterError(Exception):
    """A roster or gradebook that cannot be used (one line, for a usage error)."""


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _fold(text: str) -> str:
    return text.strip().lower()


@dataclass
class Student:
    row: dict[str, str]  # the roster's own columns, as read
    ids: list[str] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    name: str = ""
    section: str = ""

    def keys(self) -> dict[str, set[str]]:
        """What may identify this student, by kind of evidence (values folded)."""
        emails = {_fold(e) for e in self.emails if e.strip()}
        return {
            "metadata": {_fold(v) for v in (*self.ids, *self.emails) if v.strip()},
            "id": {_fold(v) for v in self.ids if v.strip()},
            "email": emails,
            "login": {_fold(v) for v in self.logins if v.strip()},
            "email local part": {e.split("@", 1)[0] for e in emails if "@" in e},
            "Canvas name": {canvas_name(self.name)} - {""},
        }


@dataclass
class Roster:
    columns: list[str]
    students: list[Student]
    id_column: str | None = None  # the column Gradescope's SID comes from
    path: Path | None = None  # the file it was read from


def canvas_name(name: str) -> str:
    """Canvas's download prefix for a student: last name then first names, lowercased, letters
    only ("Doe, John" and "John Doe" -> "doejohn")."""
    name = name.strip()
    if not name:
        return ""
    if "," in name:
        last, first = name.split(",", 1)
    else:
        *first_parts, last = name.split()
        first = " ".join(first_parts)
    return re.sub(r"[^a-z]", "", (last + first).lower())


def read_roster(path: Path) -> Roster:
    """The class list: a CSV with a header; at least one column of ids, logins or emails. A
    Gradescope export's submission_metadata.yml serves too (its submitters, in its order)."""
    if Path(path).suffix.lower() in (".yml", ".yaml"):
        return _roster_from_metadata(Path(path))
    try:
        size = Path(path).stat().st_size
        if size > MAX_ROSTER_BYTES:
            raise RosterError(f"roster {path} is {size >> 20} MiB; a class list is smaller than that")
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"roster {path} is not UTF-8 text") from None
    except OSError as e:
        raise RosterError(f"cannot read roster {path}: {e.strerror}") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c for c in (reader.fieldnames or []) if c is not None]
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)

    def pick(names: Sequence[str]) -> list[str]:
        return [by_norm[n] for n in names if n in by_norm]

    ids, logins, emails = pick(ID_HEADERS), pick(LOGIN_HEADERS), pick(EMAIL_HEADERS)
    names, firsts, lasts, sections = pick(NAME_HEADERS), pick(FIRST_HEADERS), pick(LAST_HEADERS), pick(SECTION_HEADERS)
    if not (ids or logins or emails):
        raise RosterError(f"roster {path} has no column of student ids, logins or emails "
                          f"(its header is: {', '.join(columns)[:200] or 'empty'})")
    students = []
    try:
        for row in reader:
            row = {c: (row.get(c) or "").strip() for c in columns}
            name = row[names[0]] if names else " ".join(
                x for x in (row[firsts[0]] if firsts else "", row[lasts[0]] if lasts else "") if x)
            if name == "Points Possible" or not any(row.values()):  # Canvas export's second row; blank lines
                continue
            students.append(Student(row, [row[c] for c in ids], [row[c] for c in logins],
                                    [row[c] for c in emails], name, row[sections[0]] if sections else ""))
    except csv.Error as e:
        raise RosterError(f"roster {path} is not a readable CSV: {e}") from None
    if not students:
        raise RosterError(f"roster {path} lists no students")
    # Gradescope's SID: a student id column, not Canvas's internal user id when there is a better one
    sid = next((by_norm[n] for n in ("sid", "studentid", "studentnumber", "sisuserid", "id", "userid")
                if n in by_norm), None)
    return Roster(columns, students, sid, Path(path))


def _roster_from_metadata(path: Path) -> Roster:
    try:
        meta = read_metadata(path)
    except OSError as e:
        raise RosterError(f"cannot read {path}: {e.strerror}") from None
    students, seen = [], set()
    for people in meta.values():
        for p in people:
            key = _fold(p["sid"] or p["email"] or p["name"])
            if key and key not in seen:
                seen.add(key)
                row = {"Name": p["name"], "SID": p["sid"], "Email": p["email"]}
                students.append(Student(row, [p["sid"]], [], [p["email"]], p["name"]))
    if not students:
        raise RosterError(f"{path} names no submitters")
    return Roster(["Name", "SID", "Email"], students, "SID", path)


# --------------------------------------------------------------------------- Gradescope metadata
def _yaml_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """The safe loader, plus: any other tag (Gradescope writes Ruby ones such as
        `!ruby/hash:ActiveSupport::HashWithIndifferentAccess`) read as the plain mapping,
        sequence or string it carries, never as an object."""

    def plain(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", plain)
    Loader.add_multi_constructor("tag:", plain)
    return yaml, Loader


def _field(record: dict, name: str):
    """`:name` as Gradescope writes it (a Ruby symbol), or `name`."""
    return record.get(f":{name}", record.get(name))


def read_metadata(path: Path) -> dict[str, list[dict[str, str]]]:
    """submission_metadata.yml: folder name -> its submitters ({name, sid, email})."""
    yaml, loader = _yaml_loader()
    if path.stat().st_size > MAX_METADATA_BYTES:
        raise RosterError(f"{path} is larger than {MAX_METADATA_BYTES >> 20} MiB")
    try:
        doc = yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise RosterError(f"{path} is not readable YAML: {str(e).splitlines()[0][:200]}") from None
    if not isinstance(doc, dict):
        raise RosterError(f"{path} is not a mapping of submission folders")
    out: dict[str, list[dict[str, str]]] = {}
    for folder, record in doc.items():
        submitters = _field(record, "submitters") if isinstance(record, dict) else None
        if not isinstance(submitters, list):
            continue
        people = []
        for s in submitters:
            if isinstance(s, dict):
                people.append({k: "" if _field(s, k) is None else str(_field(s, k)).strip()
                               for k in ("name", "sid", "email")})
        out[str(folder)] = people
    return out


class _Metadata:
    """submission_metadata.yml files found above submissions, each read once."""

    def __init__(self, warn):
        self.cache: dict[Path, dict | None] = {}
        self.warn = warn

    def submitters(self, submission: Path) -> list[dict[str, str]] | None:
        path = Path(submission).absolute()
        for depth, folder in enumerate(path.parents):
            if depth >= SEARCH_UP:
                break
            meta = self._load(folder / METADATA)
            if meta is not None and depth >= 1:
                top = path.relative_to(folder).parts[0]
                if top in meta:
                    return meta[top]
        return None

    def _load(self, yml: Path) -> dict | None:
        if yml not in self.cache:
            self.cache[yml] = None
            if yml.is_file():
                try:
                    self.cache[yml] = read_metadata(yml)
                except (RosterError, OSError) as e:
                    self.warn(f"ignored {yml}: {e}")
        return self.cache[yml]


# --------------------------------------------------------------------------- matching
# Canvas's "Download Submissions" name: lastfirst[_LATE]_<user id>_<submission id>_<the student's file>
CANVAS_DOWNLOAD = re.compile(r"^(?P<name>[^_]+)(?:_late)?_(?P<user>\d+)_(?P<submission>\d+)_(?P<own>.+)$", re.I)


def sources(submission: str) -> list[tuple[str, set[str]]]:
    """What a submission's path says about its author (folded), most trusted first:
    - the whole names of the two folders above it (`1001/hw1.py`, `jdoe@uni.edu/work/hw1.py`),
      which the LMS or the instructor named; folders further up are the instructor's own;
    - the file's stem, whole and split at '_', '-' and spaces (`jdoe_hw1`); for a Canvas
      download name only the part Canvas wrote (`doejohn`, `12345`), never the student's own
      file name after it, which could name another student."""
    p = Path(submission)
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    folders = {_fold(q.name) for q in list(p.parents)[:2] if q.name not in ("", ".", "..")}
    canvas = CANVAS_DOWNLOAD.match(stem)
    if canvas:
        own = {_fold(canvas["name"]), _fold(canvas["user"])}
    else:
        own = {_fold(stem), *(_fold(t) for t in re.split(r"[_\-\s]+", stem) if t)}
    return [("folder", folders - {""}), ("file", own - {""})]


@dataclass
class Match:
    students: list[int]  # indexes into the roster (several for a group submission)
    evidence: str = ""
    reason: str = ""  # why unmatched


def match(submission: str, roster: Roster, index: dict[str, dict[str, set[int]]], meta: _Metadata) -> Match:
    submitters = meta.submitters(Path(submission))
    if submitters is not None:
        found: list[int] = []
        for s in submitters:
            hits = set()
            for value in (s["sid"], s["email"]):
                hits |= index["metadata"].get(_fold(value), set()) if value else set()
            if not hits and "@" in s["email"]:  # a roster of logins: jdoe for jdoe@uni.edu
                hits = index["login"].get(_fold(s["email"]).split("@", 1)[0], set())
            if len(hits) == 1:
                found.extend(hits)
        if found:
            return Match(sorted(set(found)), "metadata")
        who = ", ".join(s["name"] or s["sid"] or s["email"] for s in submitters) or "nobody"
        return Match([], reason=f"{METADATA} names {who}, who is not on the roster")
    for where, toks in sources(submission):
        for kind in STRENGTH[1:]:
            hits = set().union(*(index[kind].get(t, set()) for t in toks))
            if len(hits) == 1:
                return Match(sorted(hits), kind)
            if len(hits) > 1:  # never guessed, and never settled by weaker evidence
                names = ", ".join(roster.students[i].name or str(i + 1) for i in sorted(hits))
                return Match([], reason=f"its {where} name matches several students by {kind} ({names})")
    return Match([], reason="its path names no student of the roster")


def identify(roster: Roster, submissions: Iterable[str], warn=lambda message: None) -> dict[str, list[Student]]:
    """Who handed in each submission ([] when nobody on the roster; several for a group), e.g.
    to name a feedback file after its student."""
    meta, index = _Metadata(warn), build_index(roster)
    return {str(p): [roster.students[i] for i in match(str(p), roster, index, meta).students] for p in submissions}


def build_index(roster: Roster) -> dict[str, dict[str, set[int]]]:
    index: dict[str, dict[str, set[int]]] = {k: {} for k in STRENGTH}
    for i, s in enumerate(roster.students):
        for kind, values in s.keys().items():
            for v in values:
                index[kind].setdefault(v, set()).add(i)
    return index


# --------------------------------------------------------------------------- the join
@dataclass
class Joined:
    roster: Roster
    gradebook_columns: list[str]
    rows: list[dict[str, str]]  # one per student, in roster order: roster columns + gradebook columns
    unmatched: list[tuple[dict[str, str], str]]  # gradebook row, why
    notes: list[str] = field(default_factory=list)
    by_student: list[dict[str, str] | None] = field(default_factory=list)  # the chosen gradebook row


def _total(row: dict[str, str]) -> float:
    try:
        return float(row.get("total", ""))
    except ValueError:
        return float("-inf")


def join(roster: Roster, gradebook: Sequence[dict[str, str]], gradebook_columns: Sequence[str],
         warn=lambda message: None) -> Joined:
    """One row per student in roster order; a student with several submissions keeps the best
    scored (ties: the first in the gradebook), the others are said in `notes`."""
    meta = _Metadata(warn)
    index = build_index(roster)
    chosen: list[list[dict[str, str]]] = [[] for _ in roster.students]
    unmatched = []
    for row in gradebook:
        m = match(row.get("file", ""), roster, index, meta)
        if not m.students:
            unmatched.append((row, m.reason))
        for i in m.students:
            chosen[i].append(row)
    extra = [c for c in gradebook_columns if c not in roster.columns]
    rows, by_student, notes = [], [], []
    for s, subs in zip(roster.students, chosen):
        out = dict(s.row)
        best = max(subs, key=_total) if subs else None  # max keeps the first of equals
        if best is None:
            out.update({c: "" for c in extra})
            if "status" in extra:
                out["status"] = MISSING
        else:
            out.update({c: best.get(c, "") for c in extra})
            if len(subs) > 1:
                others = ", ".join(r.get("file", "") for r in subs if r is not best)
                notes.append(f"{s.name or s.row}: {len(subs)} submissions, kept {best.get('file')} "
                             f"(best scored), not {others}")
        rows.append(out)
        by_student.append(best)
    return Joined(roster, [*roster.columns, *extra], rows, unmatched, notes, by_student)


def read_gradebook(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise RosterError(f"cannot read gradebook {path}: {getattr(e, 'strerror', None) or e}") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = list(reader.fieldnames or [])
    if "file" not in columns or "total" not in columns:
        raise RosterError(f"{path} is not an hw1 gradebook (no 'file' and 'total' columns)")
    return columns, [csvcells.unrecord(r) for r in reader]


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(csvcells.row(header))
    out.writerows(csvcells.row(r) for r in rows)
    return buf.getvalue()


def joined_csv(j: Joined) -> str:
    return _csv(j.gradebook_columns, ([r.get(c, "") for c in j.gradebook_columns] for r in j.rows))


def unmatched_csv(j: Joined, gradebook_columns: Sequence[str]) -> str:
    rows = ([*(r.get(c, "") for c in gradebook_columns), why] for r, why in j.unmatched)
    return _csv([*gradebook_columns, "why"], rows)


# --------------------------------------------------------------------------- LMS-ready CSVs
LMS = ("canvas", "gradescope")
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
GRADESCOPE_IDENTITY = ("Name", "SID", "Email")


def _column(student: Student, *headers: str) -> str:
    by_norm = {_norm(c): v for c, v in student.row.items()}
    return next((by_norm[_norm(h)] for h in headers if by_norm.get(_norm(h))), "")


def lms_csv(j: Joined, lms: str, assignment: str) -> str:
    """The grade of each student for one assignment, in the LMS's import format. A student
    without a submission gets an empty cell: the LMS leaves that grade as it is."""
    scores = ["" if b is None else b.get("total", "") for b in j.by_student]
    if lms == "canvas":
        # Canvas identifies a student by Student/ID/SIS User ID and needs SIS Login ID and Section;
        # a Canvas gradebook export used as the roster already has exactly these columns.
        # Canvas's ID is its own user id: taken only from a Canvas export (which has both ID and
        # SIS User ID); elsewhere an "ID" column is the institution's, i.e. Canvas's SIS User ID.
        canvas_export = {"id", "sisuserid"} <= {_norm(c) for c in j.roster.columns}
        rows = []
        for s, score in zip(j.roster.students, scores):
            rows.append([
                _column(s, "Student") or s.name,
                _column(s, "ID") if canvas_export else "",
                _column(s, "SIS User ID", "SID", "Student ID", "Student Number", "ID") or (s.ids[0] if s.ids else ""),
                _column(s, "SIS Login ID", "Login", "Login ID", "Username", "NetID")
                or (s.emails[0] if s.emails else ""),
                s.section,
                score,
            ])
        return _csv([*CANVAS_IDENTITY, assignment], rows)
    if lms == "gradescope":
        sid = j.roster.id_column
        rows = [[s.name, s.row.get(sid, "") if sid else "", s.emails[0] if s.emails else "", score]
                for s, score in zip(j.roster.students, scores)]
        return _csv([*GRADESCOPE_IDENTITY, assignment], rows)
    raise RosterError(f"--lms must be one of {', '.join(LMS)}")


# --------------------------------------------------------------------------- what the CLI calls
def beside(path: Path, tag: str) -> Path:
    """grades.csv -> grades.<tag>.csv (in the same folder)."""
    path = Path(path)
    stem = path.name[: -len(".csv")] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(f"{stem}.{tag}.csv")


def publish(gradebook: Path, roster: Roster, output: Path, unmatched_path: Path, lms: str | None,
            lms_path: Path | None, assignment: str, say) -> Joined:
    """Join `gradebook` (an hw1 gradebook CSV) with `roster`; write the joined CSV to `output`,
    the unmatched submissions to `unmatched_path` (written even when empty so that no stale list
    survives) and, if asked, the LMS CSV. `say` gets one line per thing worth saying."""
    from grader.gradebook import atomic_write

    columns, rows = read_gradebook(gradebook)
    j = join(roster, rows, columns, warn=say)
    try:
        atomic_write(output, joined_csv(j))
        atomic_write(unmatched_path, unmatched_csv(j, columns))
        if lms and lms_path:
            atomic_write(lms_path, lms_csv(j, lms, assignment))
    except OSError as e:
        raise RosterError(f"cannot write {e.filename or output}: {e.strerror}") from None
    missing = sum(b is None for b in j.by_student)
    say(f"roster: {output} ({len(j.rows)} students, {len(j.rows) - missing} with a submission, "
        f"{missing} missing)")
    for note in j.notes:
        say(f"roster: {note}")
    if j.unmatched:
        say(f"roster: {len(j.unmatched)} submission(s) match no student (listed in {unmatched_path}):")
        for row, why in j.unmatched:
            say(f"  {row.get('file', '')}: {why}")
    if lms and lms_path:
        say(f"{lms}: {lms_path} (import it as it is)")
    return j
