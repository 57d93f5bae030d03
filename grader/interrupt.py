"""Ctrl-C, SIGTERM and SIGHUP: stop at once, cleanly, with the exit code a shell expects.

`install()` (from the CLI's main thread, before anything else) makes the first of these signals
raise `Interrupted` in the main thread; later ones are ignored, so that the clean-up that the
first one started (killing the children, saving the finished results) runs to its end. The
exception is a BaseException: no `except Exception` on the way swallows it, and click, which
turns a KeyboardInterrupt into "exit 130" and returns it as a value, lets it through.

`end_helpers()` ends multiprocessing's helper processes (the forkserver template and the
resource tracker) before hw1 leaves after an interrupt, so that no process of the run outlives it
(on a normal exit they end by themselves, a moment later, when their pipe from hw1 closes).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_received: int | None = None


class Interrupted(BaseException):  # noqa: N818 - it is what happened, not an error
    """A stop signal arrived; `code` is the exit code a shell gives for it (128 + signal)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.code = 128 + signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def received() -> int | None:
    """The first stop signal received, if any (safe to read from any thread)."""
    return _received


def _handler(signum: int, frame: object) -> None:
    global _received
    if _received is not None:
        return  # already stopping: let the clean-up finish
    _received = signum
    raise Interrupted(signum)


def install() -> None:
    """Route SIGINT, SIGTERM and SIGHUP to `Interrupted` (main thread only; no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in SIGNALS:
        with contextlib.suppress(OSError, ValueError):
            if signal.getsignal(sig) is not signal.SIG_IGN:  # e.g. nohup: keep ignoring SIGHUP
                signal.signal(sig, _handler)


def end_helpers() -> None:
    """SIGKILL and reap multiprocessing's forkserver and resource tracker, if this process started them."""
    from multiprocessing import forkserver, resource_tracker

    pids = [getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None),
            getattr(getattr(resource_tracker, "_resource_tracker", None), "_pid", None)]
    for pid in pids:
        if not pid:
            continue
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
