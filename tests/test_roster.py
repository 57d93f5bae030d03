"""Roster join and LMS-ready CSVs (#11).

A class list joined with the gradebook: one row per student in roster order, "missing" for no
submission, unmatched submissions listed; submissions matched by Gradescope's
submission_metadata.yml or by an id, login, email or Canvas download name in their path; CSVs
whose header is the one Canvas and Gradescope document for an import. Expected values are
worked out by hand from the small class below, not copied from hw1's output.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from grader import roster as rmod
from tests.support import REFERENCE, ROOT, hw1

EXAMPLE = ROOT / "submissions" / "example.py"  # 86/100; P2 5/10

# Canvas, "Import a CSV file to Carmen Grades" (teaching.resources.osu.edu): "The CSV file you
# import into Carmen has four required components: Student Name (last name, first name) OR Student
# ID OR Student SIS User ID [...] Only one of these three fields is required. SIS Login ID [...]
# Section [...] Assignment Name". Canvas's own export heads these columns Student, ID,
# SIS User ID, SIS Login ID, Section.
CANVAS_ONE_OF = {"Student", "ID", "SIS User ID"}
CANVAS_REQUIRED = ["SIS Login ID", "Section"]
# Gradescope, "Adding Students and Staff" (help.gradescope.com): "A sample roster, showing required
# columns (Name and Email) and optional columns like Section." SID is the student id field.
GRADESCOPE_REQUIRED = ["Name", "Email"]

ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Email
"Smith, Alice",111,1001,asmith,S1,alice@uni.edu
"Doe, John",222,1002,jdoe,S1,jdoe@uni.edu
"Roe, Mary",333,1003,mroe,S2,mary@uni.edu
"Doe, Jane",12345,1004,jane,S2,jane@uni.edu
"Lee, Pat",444,2001,plee,S2,pat@uni.edu
"Absent, Al",555,1005,aal,S1,al@uni.edu
"""

# Gradescope's "Export Submissions": submission_metadata.yml at the top, one folder per submission,
# Ruby-symbol keys, as Otter-Grader reads it (otter/grade/metadata.py: yaml.safe_load, then
# metadata[folder][":submitters"], each with ":name"; exports also carry ":sid" and ":email").
METADATA = """submission_409194023:
  :submitters:
  - :name: Pat Lee
    :sid: '2001'
    :email: pat@uni.edu
  :created_at: 2026-04-26 17:34:00.861687000 Z
  :score: 2.0
  :results: !ruby/hash:ActiveSupport::HashWithIndifferentAccess
    score: 2.0
    output: |-
      Final Score: 2.0
submission_409194024:
  :submitters:
  - :name: Alice Smith
    :sid: '1001'
    :email: alice@uni.edu
  - :name: Mary Roe
    :sid: 1003
    :email: mary@uni.edu
  :created_at: 2026-04-26 17:35:00.000000000 Z
submission_409194025:
  :submitters:
  - :name: Not Enrolled
    :sid: '9999'
    :email: ghost@uni.edu
"""


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _roster(tmp_path, text=ROSTER) -> rmod.Roster:
    (tmp_path / "roster.csv").write_text(text)
    return rmod.read_roster(tmp_path / "roster.csv")


def _row(file, total):
    return {"file": str(file), "P1": str(total), "total": str(total), "max": "100", "status": "ok"}


COLUMNS = ["file", "P1", "total", "max", "status"]


# ---------------------------------------------------------------- matching and the join, in process

def test_join_by_id_login_email_and_canvas_name_with_missing_and_unmatched(tmp_path):
    r = _roster(tmp_path)
    gradebook = [
        _row("subs/jdoe_hw1.py", 50),                       # login of John Doe
        _row("subs/1001/hw1.py", 100),                      # SIS User ID folder: Alice
        _row("subs/mary@uni.edu.py", 70),                   # email: Mary
        _row("subs/doejane_12345_67890_hw1.py", 90),        # Canvas download: name + Canvas ID
        _row("subs/stranger.py", 10),                       # nobody
    ]
    j = rmod.join(r, gradebook, COLUMNS)
    got = [(row["Student"], row["file"], row["total"], row["status"]) for row in j.rows]
    assert got == [
        ("Smith, Alice", "subs/1001/hw1.py", "100", "ok"),
        ("Doe, John", "subs/jdoe_hw1.py", "50", "ok"),
        ("Roe, Mary", "subs/mary@uni.edu.py", "70", "ok"),
        ("Doe, Jane", "subs/doejane_12345_67890_hw1.py", "90", "ok"),
        ("Lee, Pat", "", "", "missing"),
        ("Absent, Al", "", "", "missing"),
    ]
    assert [(row["file"], why) for row, why in j.unmatched] == [
        ("subs/stranger.py", "its path names no student of the roster")]
    # identity columns carried over, in the roster's order, then the gradebook's
    assert list(j.rows[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Email", *COLUMNS]
    assert j.rows[0]["SIS Login ID"] == "asmith" and j.rows[3]["ID"] == "12345"


def test_canvas_name_alone_and_ambiguous_names(tmp_path):
    r = _roster(tmp_path, "Name,Email\nJohn Doe,jd@x.org\nJane Doe,jane@x.org\nJohn Doe,john2@x.org\n")
    j = rmod.join(r, [_row("doejane_late_777_888_hw1.py", 40), _row("doejohn_1_2_hw1.py", 30)], COLUMNS)
    assert j.rows[1]["file"] == "doejane_late_777_888_hw1.py"  # "Jane Doe" -> doejane
    assert j.rows[0]["status"] == "missing" and j.rows[2]["status"] == "missing"
    ((row, why),) = j.unmatched  # two John Does: never guessed
    assert row["file"] == "doejohn_1_2_hw1.py" and "several students" in why


def test_a_file_name_chosen_by_the_student_cannot_claim_another_student(tmp_path):
    """The LMS's folder or Canvas's prefix says who; the student's own file name never outranks it."""
    r = _roster(tmp_path)
    j = rmod.join(r, [_row("subs/1001/1002.py", 100),                 # Alice's folder, John's id as name
                      _row("doejane_12345_67890_jdoe_hw1.py", 90)],   # Jane's download, John's login
                  COLUMNS)
    assert [(row["Student"], row["file"]) for row in j.rows if row["file"]] == [
        ("Smith, Alice", "subs/1001/1002.py"), ("Doe, Jane", "doejane_12345_67890_jdoe_hw1.py")]
    # without Canvas ids in the roster, Canvas's name prefix still outranks the planted login
    r = _roster(tmp_path, "Name,Login\nJohn Doe,jdoe\nJane Doe,jane\n")
    j = rmod.join(r, [_row("doejane_5_6_jdoe.py", 90)], COLUMNS)
    assert j.rows[0]["status"] == "missing" and j.rows[1]["file"] == "doejane_5_6_jdoe.py"


def test_a_student_with_two_submissions_keeps_the_best(tmp_path):
    r = _roster(tmp_path)
    j = rmod.join(r, [_row("a/jdoe_v1.py", 40), _row("a/jdoe_v2.py", 80), _row("a/jdoe_v3.py", 60)], COLUMNS)
    assert j.rows[1]["file"] == "a/jdoe_v2.py" and j.rows[1]["total"] == "80"
    (note,) = j.notes
    assert "3 submissions" in note and "a/jdoe_v1.py" in note


def test_gradescope_export_layout_with_submission_metadata(tmp_path):
    export = tmp_path / "assignment_8046601_export"
    for folder in ("submission_409194023", "submission_409194024", "submission_409194025"):
        (export / folder).mkdir(parents=True)
        shutil.copy(EXAMPLE, export / folder / "hw1.py")
    (export / "submission_409194023" / "work").mkdir()
    (export / rmod.METADATA).write_text(METADATA)
    r = _roster(tmp_path)
    gradebook = [_row(export / "submission_409194023" / "hw1.py", 60),
                 _row(export / "submission_409194024" / "hw1.py", 75),   # a group: Alice and Mary
                 _row(export / "submission_409194025" / "hw1.py", 20)]
    j = rmod.join(r, gradebook, COLUMNS)
    totals = {row["Student"]: row["total"] for row in j.rows}
    assert totals == {"Smith, Alice": "75", "Doe, John": "", "Roe, Mary": "75", "Doe, Jane": "",
                      "Lee, Pat": "60", "Absent, Al": ""}
    ((row, why),) = j.unmatched
    assert row["file"].endswith("submission_409194025/hw1.py") and "Not Enrolled" in why


def test_identify_and_a_roster_of_logins_against_metadata(tmp_path):
    export = tmp_path / "export"
    (export / "submission_409194023").mkdir(parents=True)
    (export / rmod.METADATA).write_text(METADATA)
    r = _roster(tmp_path, "Login,Name\npat,Pat Lee\nasmith,Alice Smith\n")  # no ids, no emails: pat@uni.edu
    who = rmod.identify(r, [export / "submission_409194023" / "x.py", "asmith.py", "zed.py"])
    assert {Path(k).name: [s.name for s in v] for k, v in who.items()} == {
        "x.py": ["Pat Lee"], "asmith.py": ["Alice Smith"], "zed.py": []}


def test_submission_metadata_serves_as_the_roster(tmp_path):
    export = tmp_path / "export"
    for folder in ("submission_409194023", "submission_409194024"):
        (export / folder).mkdir(parents=True)
    (export / rmod.METADATA).write_text(METADATA)
    r = rmod.read_roster(export / rmod.METADATA)
    assert [(s.row["Name"], s.row["SID"], s.row["Email"]) for s in r.students] == [
        ("Pat Lee", "2001", "pat@uni.edu"), ("Alice Smith", "1001", "alice@uni.edu"),
        ("Mary Roe", "1003", "mary@uni.edu"), ("Not Enrolled", "9999", "ghost@uni.edu")]
    j = rmod.join(r, [_row(export / "submission_409194024" / "a.ipynb", 75)], COLUMNS)
    assert [row["status"] for row in j.rows] == ["missing", "ok", "ok", "missing"]
    assert next(csv.reader(io.StringIO(rmod.lms_csv(j, "gradescope", "HW1")))) == ["Name", "SID", "Email", "HW1"]


def test_metadata_is_read_safely(tmp_path):
    """A python tag in the yml is data, never a call: PyYAML's safe loader builds no objects."""
    marker = tmp_path / "PWNED"
    yml = tmp_path / rmod.METADATA
    yml.write_text(f"submission_1:\n  :submitters:\n  - :name: !!python/object/apply:os.system ['touch {marker}']\n"
                   f"    :sid: '1001'\n")
    meta = rmod.read_metadata(yml)
    assert not marker.exists()
    assert meta["submission_1"][0]["sid"] == "1001"
    yml.write_text("[unclosed")
    with pytest.raises(rmod.RosterError):
        rmod.read_metadata(yml)


def test_unusable_rosters_are_refused(tmp_path):
    for text in ("", "a,b\n1,2\n", "Email\n"):
        (tmp_path / "r.csv").write_text(text)
        with pytest.raises(rmod.RosterError):
            rmod.read_roster(tmp_path / "r.csv")
    # Canvas's export has a "Points Possible" row under its header: not a student
    r = _roster(tmp_path, 'Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (9)\n'
                          '    Points Possible,,,,,100\n"Doe, John",222,1002,jdoe,S1,\n')
    assert [s.name for s in r.students] == ["Doe, John"]


# ---------------------------------------------------------------- LMS CSVs against the documented headers

def _joined(tmp_path):
    r = _roster(tmp_path)
    return rmod.join(r, [_row("subs/jdoe_hw1.py", 86), _row("subs/1001/hw1.py", 100)], COLUMNS)


def test_canvas_csv_has_the_documented_header(tmp_path):
    text = rmod.lms_csv(_joined(tmp_path), "canvas", "Homework 1 (4242)")
    header = next(csv.reader(io.StringIO(text)))
    assert CANVAS_ONE_OF & set(header[:3]) and all(c in header for c in CANVAS_REQUIRED)
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 1 (4242)"]
    rows = _csv(text)
    assert [r["Homework 1 (4242)"] for r in rows] == ["100", "86", "", "", "", ""]  # roster order
    assert rows[1] == {"Student": "Doe, John", "ID": "222", "SIS User ID": "1002", "SIS Login ID": "jdoe",
                       "Section": "S1", "Homework 1 (4242)": "86"}


def test_canvas_id_comes_only_from_a_canvas_export(tmp_path):
    """Canvas's ID column is Canvas's own user id; an institution's "ID" goes to SIS User ID."""
    r = _roster(tmp_path, "Name,ID,Login,Section\nJohn Doe,778899,jdoe,A\n")
    rows = _csv(rmod.lms_csv(rmod.join(r, [_row("jdoe.py", 7)], COLUMNS), "canvas", "HW1"))
    assert rows == [{"Student": "John Doe", "ID": "", "SIS User ID": "778899", "SIS Login ID": "jdoe",
                     "Section": "A", "HW1": "7"}]


def test_gradescope_csv_has_the_documented_header(tmp_path):
    text = rmod.lms_csv(_joined(tmp_path), "gradescope", "Homework 1")
    header = next(csv.reader(io.StringIO(text)))
    assert all(c in header for c in GRADESCOPE_REQUIRED)
    assert header == ["Name", "SID", "Email", "Homework 1"]
    rows = _csv(text)
    assert rows[0] == {"Name": "Smith, Alice", "SID": "1001", "Email": "alice@uni.edu", "Homework 1": "100"}
    assert len({r["Email"] for r in rows}) == len(rows)  # "Use unique email addresses for each course member"


# ---------------------------------------------------------------- the command line, end to end

def test_grade_with_roster_and_canvas_csv_end_to_end(tmp_path):
    subs = tmp_path / "subs"
    (subs / "1001").mkdir(parents=True)
    shutil.copy(REFERENCE, subs / "1001" / "hw1.py")
    shutil.copy(EXAMPLE, subs / "jdoe_hw1.py")
    shutil.copy(EXAMPLE, subs / "stranger.py")
    shutil.copy(EXAMPLE, subs / "evil\x1b]0;owned\x07.py")  # a terminal escape in a file name
    (tmp_path / "roster.csv").write_text(ROSTER)
    gb, canvas = tmp_path / "g.csv", tmp_path / "canvas.csv"
    run = hw1("grade", str(subs), str(subs / "1001" / "hw1.py"), "-p", "2", "--gradebook", str(gb),
              "--roster", str(tmp_path / "roster.csv"), "--lms", "canvas", "--lms-csv", str(canvas),
              "--assignment", "Homework 1 (4242)")
    assert run.returncode == 0, run.stderr
    joined = _csv((tmp_path / "g.roster.csv").read_text())
    assert [(r["Student"], r["total"], r["status"]) for r in joined] == [
        ("Smith, Alice", "10", "ok"), ("Doe, John", "5", "ok"), ("Roe, Mary", "", "missing"),
        ("Doe, Jane", "", "missing"), ("Lee, Pat", "", "missing"), ("Absent, Al", "", "missing")]
    unmatched = _csv((tmp_path / "g.unmatched.csv").read_text())
    assert sorted(Path(r["file"]).name for r in unmatched) == ["evil\x1b]0;owned\x07.py", "stranger.py"]
    assert "stranger.py" in run.stderr and "2 submission(s) match no student" in run.stderr
    assert "evil]0;owned.py" in run.stderr and "\x1b" not in run.stderr  # shown, never interpreted
    rows = _csv(canvas.read_text())
    assert [r["Homework 1 (4242)"] for r in rows] == ["10", "5", "", "", "", ""]


def test_roster_command_on_an_existing_gradebook_and_usage_errors(tmp_path):
    gb = tmp_path / "g.csv"
    gb.write_text("file,P2,total,max,status\nsubs/mary@uni.edu.py,5,5,10,ok\n")
    (tmp_path / "roster.csv").write_text(ROSTER)
    out, gs = tmp_path / "class.csv", tmp_path / "gs.csv"
    run = hw1("roster", str(gb), str(tmp_path / "roster.csv"), "-o", str(out), "--lms", "gradescope",
              "--lms-csv", str(gs))
    assert run.returncode == 0, run.stderr
    assert [r["status"] for r in _csv(out.read_text())] == ["missing", "missing", "ok", "missing", "missing",
                                                           "missing"]
    assert _csv((tmp_path / "class.unmatched.csv").read_text()) == []
    assert _csv(gs.read_text())[2] == {"Name": "Roe, Mary", "SID": "1003", "Email": "mary@uni.edu",
                                       "Homework 1": "5"}
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    for args in (("roster", str(gb), str(tmp_path / "bad.csv")),
                 ("roster", str(gb), str(tmp_path / "nope.csv")),
                 ("roster", str(tmp_path / "roster.csv"), str(tmp_path / "roster.csv")),  # not a gradebook
                 ("grade", str(REFERENCE), "--roster", str(tmp_path / "roster.csv")),    # no --gradebook
                 ("grade", str(REFERENCE), "--gradebook", str(gb), "--lms", "canvas"),   # no --lms-csv
                 ("roster", str(gb), str(tmp_path / "roster.csv"), "-o", str(gb)),       # over the gradebook
                 ("roster", str(gb), str(tmp_path / "roster.csv"), "--lms", "canvas",
                  "--lms-csv", str(tmp_path / "roster.csv"))):                            # over the roster
        run = hw1(*args)
        assert run.returncode == 2 and "Traceback" not in run.stderr, (args, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert gb.read_text().startswith("file,P2,total") and (tmp_path / "roster.csv").read_text() == ROSTER
