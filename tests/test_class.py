"""The whole class (#11): what it got wrong (stats, `hw1 stats`), the class report, feedback files.

A small class is built from the reference and mutants of tests/mutants.py, whose `fails` say
which probes each one fails; the expected per-probe counts and the named mistakes are derived
from that table and from the diagnoses tests/test_diagnosis.py pins, never from stats.py.
"""

from __future__ import annotations

import base64
import csv
import json
import re
from html.parser import HTMLParser

import pytest

from grader.feedback import feedback_names
from grader.registry import by_number
from tests.mutants import MUTANTS
from tests.support import REFERENCE, grade_json, hw1

BY_NAME = {m.name: m for m in MUTANTS}
PROBLEMS = (1, 2)
PROBE_IDS = [p.id for n in PROBLEMS for p in by_number(n).probes]
EVERY = frozenset(PROBE_IDS)
NOT_IMPORTED = "the submission could not be imported"

# submission -> mutants applied to the reference (None: a syntax error)
CLASS = {
    "ref.py": (),
    "a/hw.py": ("log_without_d",),
    "b/hw.py": ("sigma_inverse",),
    "c/hw.py": ("sigma_inverse", "log_without_d"),
    "kl.py": ("kl_swapped",),
    "broken.py": None,
}
# (probe, words of the diagnosis, mutant that gives it): the likely mistake named on that probe
NAMED = [("p1.tweedie.full", "Sigma^-1 used where Sigma belongs", "sigma_inverse"),
         ("p2.scales", "the log term is missing its factor d", "log_without_d"),
         ("p2.general", "arguments swapped", "kl_swapped")]


def source(mutants: tuple[str, ...]) -> str:
    text = REFERENCE.read_text()
    for name in mutants:
        m = BY_NAME[name]
        assert text.count(m.old) == 1
        text = text.replace(m.old, m.new)
    return text


def expected_failures(sub: str) -> frozenset[str]:
    mutants = CLASS[sub]
    if mutants is None:
        return EVERY
    return frozenset().union(*(BY_NAME[m].fails for m in mutants)) & EVERY


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded once with every class output; returns the paths and the run."""
    tmp = tmp_path_factory.mktemp("class")
    subs = []
    for sub, mutants in CLASS.items():
        path = tmp / sub
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("def kl_gaussian(:\n" if mutants is None else source(mutants))
        subs.append(str(path))
    out = {"gradebook": tmp / "grades.csv", "json": tmp / "class.json", "report": tmp / "report.html",
           "feedback": tmp / "feedback", "docs": tmp / "all.json"}
    proc = hw1("grade", *subs, *(a for n in PROBLEMS for a in ("--problem", str(n))),
               "--gradebook", str(out["gradebook"]), "--class-json", str(out["json"]),
               "--class-report", str(out["report"]), "--feedback-dir", str(out["feedback"]),
               "--format", "json", "--output", str(out["docs"]))
    assert proc.returncode == 0, proc.stderr
    return {"tmp": tmp, "subs": subs, "proc": proc, **out}


def by_probe(stats: dict) -> dict[str, dict]:
    return {p["id"]: p for p in stats["probes"]}


def check_counts(stats: dict) -> None:
    """Pass/fail counts and named mistakes against the counts derived from the mutants."""
    assert stats["submissions"] == len(CLASS)
    assert stats["statuses"] == {"ok": len(CLASS) - 1, "syntax error": 1}
    probes = by_probe(stats)
    assert list(probes) == PROBE_IDS
    for pid in PROBE_IDS:
        failing = sum(1 for sub in CLASS if pid in expected_failures(sub))
        assert (probes[pid]["passed"], probes[pid]["failed"]) == (len(CLASS) - failing, failing), pid
        assert probes[pid]["pass_rate"] == pytest.approx((len(CLASS) - failing) / len(CLASS), abs=1e-4)
        other = {o["reason"]: o["count"] for o in probes[pid]["other"]}
        assert other.get(NOT_IMPORTED) == 1, pid  # broken.py, on every probe
        reasons = sum(m["count"] for m in probes[pid]["mistakes"]) + sum(other.values())
        assert reasons == failing, pid  # each failure counted under exactly one reason
    for pid, words, mutant in NAMED:
        students = sum(1 for m in CLASS.values() if m and mutant in m)
        counted = [m["count"] for m in probes[pid]["mistakes"] if words in m["mistake"]]
        assert counted == [students], (pid, probes[pid]["mistakes"])
    sigma = [m for m in stats["mistakes"] if "Sigma^-1 used" in m["mistake"]]
    assert len(sigma) == 1 and sigma[0]["students"] == 2 and sigma[0]["problem"] == 1
    assert "p1.tweedie.full" in sigma[0]["probes"]
    for probe in ("p1.score.gaussian", "p1.score.mixture", "p2.means"):  # only broken.py fails them
        assert probes[probe]["failed"] == 1 and probes[probe]["mistakes"] == []


def test_class_statistics_match_the_mutants(graded):
    check_counts(json.loads(graded["json"].read_text())["class"])


def test_batch_json_stays_the_spec_list(graded):
    docs = json.loads(graded["docs"].read_text())
    assert isinstance(docs, list) and [d["submission"] for d in docs] == graded["subs"]


def test_batch_summary_says_what_the_class_got_wrong(graded):
    out = graded["proc"].stdout
    assert f"what the class got wrong ({len(CLASS)} submissions; syntax error 1)" in out
    failing = sum(1 for sub in CLASS if "p2.scales" in expected_failures(sub))
    pct = round(100 * failing / len(CLASS))
    assert re.search(rf"p2\.scales\s+{pct} % failed \({failing}/{len(CLASS)}\)", out), out
    assert re.search(r"\b2\s+the log term is missing its factor d", out)
    # probes that only the unimportable submission failed say nothing about the probe: not listed
    assert not re.search(r"p1\.score\.gaussian\s+\d+ % failed", out)


def test_stats_command_reads_the_journal(graded):
    proc = hw1("stats", str(graded["gradebook"]), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    check_counts(doc["class"])
    assert doc["journal"]["key"]["problems"] == list(PROBLEMS)
    rich = hw1("stats", str(graded["gradebook"]))
    assert rich.returncode == 0, rich.stderr
    assert "per problem" in rich.stdout and "named mistakes" in rich.stdout
    assert re.search(r"p1\.tweedie\.full\s+50 % failed \(3/6\)", rich.stdout), rich.stdout


def test_stats_reads_the_last_run_of_a_journal(graded, tmp_path):
    lines = graded["gradebook"].with_name("grades.csv.jsonl").read_text().splitlines()
    journal = tmp_path / "old.csv.jsonl"
    first = json.loads(lines[0])
    older = {"key": {**first["key"], "seed": 1}, "result": first["result"]}
    # an older run with another seed, the run itself, then a torn line and a repeat of one result
    journal.write_text("\n".join([json.dumps(older), *lines, lines[1], '{"key": {"se']) + "\n")
    proc = hw1("stats", str(journal), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    check_counts(doc["class"])
    assert doc["journal"]["other_runs_ignored"] == 1 and doc["journal"]["repeats_replaced"] == 1
    assert doc["journal"]["lines_unreadable"] == 1
    assert "results of other runs" in proc.stderr


@pytest.mark.parametrize("content", [None, "", "not json\n", '{"key": 1, "result": 2}\n'])
def test_stats_without_a_usable_journal_is_a_usage_error(tmp_path, content):
    gb = tmp_path / "g.csv"
    if content is not None:
        gb.with_name("g.csv.jsonl").write_text(content)
    proc = hw1("stats", str(gb))
    assert proc.returncode == 2 and proc.stderr.startswith("hw1: error:"), proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- class report
class Page(HTMLParser):
    """Images, and the probe table's rows as {probe id: {cell class: text}} plus its list items."""

    def __init__(self):
        super().__init__()
        self.images: list[dict] = []
        self.rows: dict[str, dict] = {}
        self.scripts = 0
        self._row: str | None = None
        self._cell: str | None = None
        self._span: str | None = None
        self._li: list = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.images.append(a)
        if tag == "tr" and "probe" in (a.get("class") or "").split():
            self._row = a["id"]
            self.rows[self._row] = {"mistakes": {}, "other": {}}
        if self._row and tag == "td":
            self._cell = a.get("class", "")
        if self._row and tag == "span":
            self._span = a.get("class")
        if self._row and tag == "li":
            self._li = []

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        if tag == "span":
            self._span = None

    def handle_data(self, data):
        if not self._row:
            return
        row = self.rows[self._row]
        if self._span in ("mistake", "reason", "count"):
            self._li.append((self._span, data))
            if self._span == "count":
                kind = "mistakes" if self._li[0][0] == "mistake" else "other"
                row[kind][self._li[0][1]] = int(data)
        elif self._cell:
            for cls in ("passed", "failed"):
                if cls in self._cell.split() and data.strip():
                    row[cls] = int(data)


def test_class_report_has_the_plots_and_the_probe_table(graded):
    text = graded["report"].read_text()
    page = Page()
    page.feed(text)
    assert page.scripts == 0
    plots = [img for img in page.images if "plot" in img.get("class", "")]
    assert len(plots) >= 3  # total distribution, per-problem histograms, per-probe pass rates
    for img in plots:
        assert img["src"].startswith("data:image/png;base64,") and img.get("alt")
        assert base64.b64decode(img["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(page.rows) == PROBE_IDS
    for pid, row in page.rows.items():
        failing = sum(1 for sub in CLASS if pid in expected_failures(sub))
        assert (row["passed"], row["failed"]) == (len(CLASS) - failing, failing), (pid, row)
        assert row["other"].get(NOT_IMPORTED) == 1
    for pid, words, mutant in NAMED:
        students = sum(1 for m in CLASS.values() if m and mutant in m)
        assert [c for t, c in page.rows[pid]["mistakes"].items() if words in t] == [students]


def test_stats_command_writes_the_class_report(graded, tmp_path):
    report = tmp_path / "r.html"
    proc = hw1("stats", str(graded["gradebook"]), "--class-report", str(report), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout)  # stdout stays one JSON document
    page = Page()
    page.feed(report.read_text())
    assert list(page.rows) == PROBE_IDS and len(page.images) >= 3


# --------------------------------------------------------------------------- feedback files
NAMES = {"ref.py": "ref", "a/hw.py": "a-hw", "b/hw.py": "b-hw", "c/hw.py": "c-hw", "kl.py": "kl",
         "broken.py": "broken"}


def test_one_feedback_file_per_submission(graded):
    fb = graded["feedback"]
    assert sorted(p.name for p in fb.iterdir()) == sorted(
        ["index.csv", *(f"{n}.md" for n in NAMES.values()), *(f"{n}.html" for n in NAMES.values())])
    with open(fb / "index.csv", newline="") as fh:
        index = {r["submission"]: r for r in csv.DictReader(fh)}
    for sub, name in NAMES.items():
        path = str(graded["tmp"] / sub)
        assert index[path]["markdown"] == f"{name}.md" and index[path]["html"] == f"{name}.html"


@pytest.mark.parametrize("sub", ["c/hw.py", "kl.py", "broken.py"])
def test_feedback_holds_what_the_report_holds(graded, sub):
    """Scores equal `hw1 grade FILE --format json` of that file alone; a failed probe's called,
    got, expected and likely mistake are in both files."""
    path = graded["tmp"] / sub
    doc = grade_json(path, extra=tuple(a for n in PROBLEMS for a in ("--problem", str(n))))[0]
    md = (graded["feedback"] / f"{NAMES[sub]}.md").read_text()
    page = (graded["feedback"] / f"{NAMES[sub]}.html").read_text()
    assert f"**Score: {doc['score']:g} / {doc['max_score']:g}**" in md
    assert f"<strong>Score: {doc['score']:g} / {doc['max_score']:g}</strong>" in page
    for p in doc["problems"]:
        assert re.search(rf"^\| {p['id']} \| [^|]+ \| {p['score']:g} / {p['max_score']:g} \|", md, re.M), p["id"]
        assert f"Problem {p['id']}: " in md and f"— {p['score']:g}/{p['max_score']:g}" in md
    failed = [r for p in doc["problems"] for r in p["probes"] if not r["passed"]]
    assert {r["name"] for r in failed} == expected_failures(sub)
    import html as h
    for r in failed:
        assert f"`{r['name']}`" in md and h.escape(r["name"]) in page
        for key, label in (("called", "called"), ("got", "got"), ("expected", "expected"),
                           ("mistake", "likely mistake")):
            if r[key]:
                assert f"{label}: {r[key]}" in md, (r["name"], key)
                assert f"<dt>{label}</dt><dd><pre>{h.escape(r[key])}</pre></dd>" in page, (r["name"], key)


HOSTILE = '''
import numpy as np

def kl_gaussian(mu0, sigma0, mu1, sigma1):
    print("```\\n<b>printed</b> `")
    return "<script>alert(1)</script>"

def tweedie_mean(y, Sigma, score):
    raise ValueError("```\\n</pre><script>alert(2)</script>\\n````` <img src=x onerror=alert(3)>")
'''


def outside_code(md: str) -> str:
    """The Markdown text outside code, where CommonMark would interpret markup and HTML: fenced
    blocks closed as CommonMark closes them (a line of at least as many backticks, up to three
    spaces before, spaces after) and code spans (matching backtick runs) removed."""
    kept, fence = [], 0
    for line in md.splitlines():
        run = re.match(r" {0,3}(`+)\s*$", line)
        if fence:
            if run and len(run.group(1)) >= fence:
                fence = 0
            continue
        opening = re.match(r" {0,3}(`{3,})[^`]*$", line)
        if opening:
            fence = len(opening.group(1))
            continue
        kept.append(re.sub(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", "", line))
    return "\n".join(kept)


def test_feedback_escapes_what_the_student_controls(tmp_path):
    sub = tmp_path / "<i>evil`.py"
    sub.write_text(HOSTILE)
    fb = tmp_path / "fb"
    proc = hw1("grade", str(sub), "--problem", "1", "--problem", "2", "--feedback-dir", str(fb))
    assert proc.returncode == 0, proc.stderr
    (md_path,) = fb.glob("*.md")
    assert md_path.name == "i_evil.md"
    page = md_path.with_suffix(".html").read_text()
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;/pre&gt;&lt;script&gt;alert(2)" in page
    assert "Your code printed:" in page and "&lt;b&gt;printed&lt;/b&gt;" in page and "<b>" not in page
    md = md_path.read_text()
    assert "alert(1)" in md and "alert(2)" in md and "Your code printed:" in md and "<b>printed</b>" in md
    outside = outside_code(md)
    assert "alert(" not in outside and "printed<" not in outside, outside
    assert "<" not in outside.replace("&lt;", ""), outside


def test_feedback_names_are_distinct_and_the_hook_names_students():
    subs = ["x/a/hw.py", "x/b/hw.py", "solo.py", "c/x/nb.ipynb", "d/x/nb.ipynb", "x/index.py", "e/We ird!.py"]
    assert feedback_names(subs) == {"x/a/hw.py": "a-hw", "x/b/hw.py": "b-hw", "solo.py": "solo",
                                    "c/x/nb.ipynb": "x-nb", "d/x/nb.ipynb": "x-nb-2", "x/index.py": "index-2",
                                    "e/We ird!.py": "We_ird"}
    roster = {"x/a/hw.py": "alice@uni.edu", "x/b/hw.py": "bob", "solo.py": "bob"}.get
    assert feedback_names(subs[:3], roster) == {"x/a/hw.py": "alice_uni.edu", "x/b/hw.py": "bob",
                                                "solo.py": "bob-2"}


# --------------------------------------------------------------------------- output checks
@pytest.mark.parametrize("option, target", [
    ("--feedback-dir", "afile"), ("--feedback-dir", "missing/fb"),
    ("--class-report", "missing/r.html"), ("--class-report", "adir"), ("--class-json", "missing/c.json")])
def test_unusable_class_outputs_are_refused_before_grading(tmp_path, option, target):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    proc = hw1("grade", str(REFERENCE), "--problem", "2", option, str(tmp_path / target), "--gradebook",
               str(tmp_path / "g.csv"))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("hw1: error: " + option) and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "g.csv.jsonl").exists()  # nothing was graded


EVIL = "```\n</pre><script>alert(1)</script>\n````` ` <img src=x onerror=alert(2)> *bold* [link](http://x) | cell"


def test_feedback_renderers_escape_every_field():
    """No real run puts arbitrary text in `got` (values are described by the grader), so every
    field of a report is made hostile here, with lines that try to close the code fence."""
    from grader.feedback import model, to_html, to_markdown
    probe = {"name": "p9.x", "title": "t", "passed": False, "score": 0, "max_score": 1, "message": EVIL,
             "called": EVIL, "got": EVIL, "expected": EVIL, "mistake": EVIL}
    doc = {"submission": EVIL, "score": 0, "max_score": 1, "status": "ok", "seed": 1, "notes": [EVIL],
           "problems": [{"id": 9, "title": EVIL, "score": 0, "max_score": 1, "status": EVIL, "probes": [probe]}]}
    m = model(doc)
    page = to_html(m)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    # submission (title, h1), problem title (table, h2), problem status, message, called, got,
    # expected, mistake, note: each shown, escaped
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 11
    md = to_markdown(m)
    outside = outside_code(md)
    assert "<" not in outside.replace("&lt;", "") and "](" not in outside.replace("\\](", "")
    assert md.count("alert(1)") == 10  # the same fields, the title page's <title> aside


def test_json_on_stdout_stays_one_document_with_class_outputs(tmp_path):
    proc = hw1("grade", str(REFERENCE), str(REFERENCE.with_name("example.py")), "--problem", "2",
               "--format", "json", "--class-json", str(tmp_path / "c.json"), "--feedback-dir", str(tmp_path / "fb"))
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert [d["submission"] for d in docs] == [str(REFERENCE), str(REFERENCE.with_name("example.py"))]
    stats = json.loads((tmp_path / "c.json").read_text())["class"]
    assert stats["submissions"] == 2 and "feedback: 2 submissions" in proc.stderr
    assert sorted(p.name for p in (tmp_path / "fb").glob("*.md")) == ["example.md", "reference.md"]


def test_resumed_submissions_get_feedback_and_stats_too(graded, tmp_path):
    """Everything comes from the reports, so a --resume that grades nothing still writes them."""
    fb = tmp_path / "fb"
    proc = hw1("grade", *graded["subs"], *(a for n in PROBLEMS for a in ("--problem", str(n))),
               "--gradebook", str(graded["gradebook"]), "--resume", "--feedback-dir", str(fb),
               "--class-json", str(tmp_path / "c.json"))
    assert proc.returncode == 0, proc.stderr
    assert f"({len(CLASS)} rows, {len(CLASS)} resumed)" in proc.stdout
    assert sorted(p.stem for p in fb.glob("*.md")) == sorted(NAMES.values())
    check_counts(json.loads((tmp_path / "c.json").read_text())["class"])
    assert (fb / "b-hw.md").read_text() == (graded["feedback"] / "b-hw.md").read_text()
