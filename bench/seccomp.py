"""Cost of the seccomp layer per child: fork, build + load the filter (as sandbox.enter does),
exit; against fork + exit alone. Run by hand: python bench/seccomp.py [N]; prints medians in ms."""

from __future__ import annotations

import os
import statistics
import sys
import time

from grader import sandbox, seccomp


def once(with_filter: bool) -> float:
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        if with_filter:
            sandbox._no_new_privs()
            seccomp.install()
        os._exit(0)
    os.waitpid(pid, 0)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    base = statistics.median(once(False) for _ in range(n))
    with_filter = statistics.median(once(True) for _ in range(n))
    print(f"fork+exit {base:.2f} ms, with seccomp filter {with_filter:.2f} ms: "
          f"+{with_filter - base:.2f} ms per child (median of {n}, {seccomp.build()[1]} rules)")


if __name__ == "__main__":
    main()
