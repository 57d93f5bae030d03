"""`hw1 doctor`: run a trivial child and show which isolation layers took effect, and what each
guarantees (one line each, as isolate's and bubblewrap's documentation do)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rich.table import Table

from grader import sandbox
from grader.engine import Grader
from grader.registry import all_problems

# (name as the child reports it, what it guarantees)
ALL = [
    ("process", "student code runs in its own process, never in the grader's"),
    ("own session", "its own session and process group, killed as a whole"),
    ("no network", "network namespace: no interface but an unconfigured loopback"),
    ("own pid namespace", "sees and signals only its own processes; all die with the child"),
    ("read-only file system view", "mount namespace: read-only view, private dirs hidden"),
    ("rlimits", "memory, CPU, file size, open files (and processes after a uid drop)"),
    ("unprivileged uid", "a uid of its own: no access to the user's or other children's files"),
    ("root-only references", "as root: problems/*/problem.py and the grader's trusted modules "
                             "are 0600 root's (the Gradescope bundle's setup.sh), unreadable to "
                             "the dropped uid whatever its view shows; unavailable with a pip "
                             "install (0644), where the view alone hides them"),
    ("no_new_privs", "no setuid/file-capability gain; required by Landlock and seccomp"),
    ("landlock", "file-system allowlist (Python, numpy/sympy, hw1's student side), no TCP, "
                 "no signals or abstract sockets outside its domain"),
    ("seccomp", "EPERM for non-unix sockets, ptrace, process_vm_*, mount, namespaces, bpf, keys"),
]


def report() -> Table:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "empty.py"
        path.write_text("")
        with Grader(all_problems()[:1], 0, sandbox.Limits(timeout=10, allow_weak=True), 1) as grader:
            result = grader.grade([path])[0]
    table = Table(title=f"isolation layers (running as uid {os.geteuid()})", show_edge=False)
    table.add_column("layer")
    table.add_column("active")
    table.add_column("guarantees")
    for name, what in ALL:
        got = [x for x in result.layers if x.startswith(name)]
        table.add_row(name, f"[green]yes[/] {got[0][len(name):].strip()}" if got else "[red]unavailable[/]", what)
    weak = [x for x in result.layers if x.startswith("WEAK")]
    if weak:
        table.caption = f"[red]{weak[0]}[/]: hw1 grade refuses without --allow-weak-isolation"
    return table
