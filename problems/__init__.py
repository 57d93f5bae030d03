"""One sub-package per homework problem: `problem.py` (trusted: probes and references),
`harness.py` (runs in the student's process: builds inputs, calls student code) and
`statement.md`. Package `__init__` files stay empty so that importing a harness never loads
a reference."""
