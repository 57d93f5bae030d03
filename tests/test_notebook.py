"""Notebooks as submissions (#11): made with nbformat here, graded by the real CLI.

What a notebook must do: code cells in order, IPython magics and shell lines dropped with a note,
errors located as "cell N, line M" of the notebook (never the generated submission.py), several
MB of outputs and attachments harmless, a notebook over the 64 MiB cap refused with a clear error,
a directory holding .py and .ipynb graded whole, and the same in the Gradescope bundle.
"""

from __future__ import annotations

import base64
import json
import shutil

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader import notebook
from tests.support import REFERENCE, ROOT, grade_json, hw1


def write(path, cells):
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


def reference_cells():
    """The reference solution, one top-level block per cell, with prose, magics and a shell line
    between them, as a student's notebook has."""
    blocks = REFERENCE.read_text().split("\n\n\n")
    cells = [new_markdown_cell("# Homework 1"), new_code_cell("%matplotlib inline\n!pip install numpy")]
    for i, block in enumerate(blocks):
        cells.append(new_code_cell(block))
        if i % 3 == 0:
            cells.append(new_markdown_cell(f"Notes on part {i}"))
    cells.append(new_code_cell("%%time\nfor i in range(3):\n    print(i)"))
    return cells


def probe_messages(doc):
    return [p["message"] for prob in doc["problems"] for p in prob["probes"]]


# ---------------------------------------------------------------- conversion (in process, no child)

def test_magics_and_shell_lines_are_dropped_with_a_note(tmp_path):
    nb = write(tmp_path / "m.ipynb", [
        new_markdown_cell("intro"),                                    # cell 1
        new_code_cell("%matplotlib inline\nimport numpy as np"),       # cell 2
        new_code_cell("!pip install x\nx = 1\nfor i in range(2):\n    %time y = 2"),  # cell 3
        new_code_cell("%%time\nz = undefined_name"),                   # cell 4: a cell magic
        new_code_cell("w = 3"),                                        # cell 5
    ])
    conv = notebook.convert(nb)
    code = conv.source
    compile(code, "generated", "exec")  # what the child imports is Python
    assert "import numpy as np" in code and "x = 1" in code and "w = 3" in code
    assert "%" not in code.replace("# dropped by hw1", "") and "!pip" not in code
    assert "undefined_name" not in code  # the %%time cell is not run at all
    (note,) = conv.notes
    for where in ("cell 2, line 1: %matplotlib inline", "cell 3, line 1: !pip install x",
                  "cell 3, line 4: %time y = 2", "cell 4: %%time (whole cell)"):
        assert where in note, (where, note)
    # every generated line maps back to its cell and line
    lines = code.splitlines()
    assert conv.lines[lines.index("w = 3")] == (5, 1)
    assert conv.lines[lines.index("x = 1")] == (3, 2)


def test_relocate_names_cells_not_the_generated_file():
    lines = ((2, 1), (2, 2), (3, 1), (3, 2))
    assert notebook.relocate("SyntaxError: invalid syntax (submission.py, line 4)", lines) == \
        "SyntaxError: invalid syntax (cell 3, line 2)"
    tb = 'File "/tmp/job-x/submission.py", line 2, in <module>'
    assert notebook.relocate(tb, lines) == "cell 2, line 2, in <module>"
    assert notebook.relocate("line 9 of something", lines) == "line 9 of something"  # not ours


# ---------------------------------------------------------------- graded end to end

def test_reference_split_across_cells_grades_100(tmp_path):
    nb = write(tmp_path / "hw1.ipynb", reference_cells())
    (doc,) = grade_json(nb)
    assert doc["score"] == 100, [m for m in probe_messages(doc) if m]
    assert doc["status"] == "ok"
    (note,) = doc["notes"]
    assert "%matplotlib inline" in note and "!pip install numpy" in note and "%%time" in note


def test_syntax_error_in_one_cell_is_located_by_cell_and_line(tmp_path):
    nb = write(tmp_path / "syn.ipynb", [
        new_markdown_cell("# answers"),
        new_code_cell("import numpy as np\n%matplotlib inline"),
        new_code_cell("def tweedie_mean(y, Sigma, score):\n    return y +* Sigma @ score(y)"),
    ])
    (doc,) = grade_json(nb, extra=("-p", "1"))
    assert doc["status"] == "syntax error" and doc["score"] == 0
    messages = probe_messages(doc)
    assert all("cell 3, line 2" in m for m in messages), messages[0]
    assert not any("submission.py" in m for m in messages), messages[0]


def test_runtime_error_at_import_is_located_by_cell(tmp_path):
    nb = write(tmp_path / "rt.ipynb", [
        new_code_cell("import numpy as np"),
        new_code_cell("x = 1\nraise ValueError('boom at import')"),
        new_code_cell("def tweedie_mean(y, Sigma, score):\n    return y + Sigma @ score(y)"),
    ])
    (doc,) = grade_json(nb, extra=("-p", "1"))
    assert doc["status"] == "import error" and doc["score"] == 0
    (msg, *_) = probe_messages(doc)
    assert "ValueError: boom at import" in msg and "cell 2, line 2" in msg, msg
    assert "submission.py" not in msg


def test_several_mb_of_outputs_and_attachments_still_grade(tmp_path):
    blob = base64.b64encode(bytes(range(256)) * (12 << 12)).decode()  # ~4 MiB of base64
    cells = reference_cells()
    picture = new_code_cell("print('plot')", outputs=[new_output("display_data", data={"image/png": blob}),
                                                     new_output("stream", name="stdout", text="x" * (2 << 20))])
    drawing = new_markdown_cell("![d](attachment:d.png)", attachments={"d.png": {"image/png": blob}})
    nb = write(tmp_path / "big.ipynb", [picture, drawing, *cells])
    size = nb.stat().st_size
    assert 8 << 20 < size < notebook.MAX_BYTES, size
    (doc,) = grade_json(nb)
    assert doc["score"] == 100 and doc["status"] == "ok"


def test_notebook_over_the_cap_gets_a_clear_error(tmp_path):
    cells = [new_code_cell("x = 1", outputs=[new_output("stream", name="stdout", text="y" * (65 << 20))]),
             *reference_cells()]
    nb = write(tmp_path / "huge.ipynb", cells)
    assert nb.stat().st_size > notebook.MAX_BYTES
    run = hw1("grade", str(nb), "--format", "json")
    assert run.returncode == 0, run.stderr  # a report, like any submission that cannot be imported
    doc = json.loads(run.stdout)
    assert doc["score"] == 0 and doc["status"] == "import error"
    msg = probe_messages(doc)[0]
    assert "notebook is 65 MiB, more than the 64 MiB read" in msg, msg


def test_directory_with_py_and_ipynb_grades_both(tmp_path):
    shutil.copy(ROOT / "submissions" / "example.py", tmp_path / "alice.py")
    write(tmp_path / "bob.ipynb", reference_cells())
    docs = grade_json(tmp_path)
    by_name = {d["submission"].rsplit("/", 1)[-1]: d for d in docs}
    assert set(by_name) == {"alice.py", "bob.ipynb"}
    assert by_name["alice.py"]["score"] == 86 and by_name["bob.ipynb"]["score"] == 100


def test_gradescope_bundle_grades_a_notebook_with_magics(tmp_path):
    from tests.test_gradescope import _autograder, _run_autograder, check_gradescope_schema

    source, root = _autograder(tmp_path)
    write(root / "submission" / "hw1.ipynb", reference_cells())
    results = _run_autograder(source, root, tmp_path)
    check_gradescope_schema(results)
    assert results["score"] == 100
    assert "%matplotlib inline" in results["output"]  # the note on what was not run
    assert len(results["tests"]) == 28


def test_gradescope_bundle_reports_a_notebook_syntax_error_by_cell(tmp_path):
    from tests.test_gradescope import _autograder, _run_autograder, check_gradescope_schema

    source, root = _autograder(tmp_path)
    write(root / "submission" / "hw1.ipynb", [
        new_code_cell("import numpy as np"),
        new_code_cell("def score(p, x):\n    return [\n"),
    ])
    results = _run_autograder(source, root, tmp_path)
    check_gradescope_schema(results)
    assert results["score"] == 0
    outputs = [t["output"] for t in results["tests"]]
    assert outputs and all("cell 2, line" in o and "submission.py" not in o for o in outputs), outputs[0]
