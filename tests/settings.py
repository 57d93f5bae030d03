"""Run hw1 in the deployment settings CI can create (see SECURITY.md, "Where hw1 really runs").

- "root": root with every capability and namespaces (CI, a course server);
- "root-nocap": root with CAP_SYS_ADMIN dropped (`capsh --drop=cap_sys_admin`, Debian's
  libcap2-bin), so unshare and mount fail with EPERM as in Docker's default profile;
- "user": an ordinary user (`ordinary_user` fixture), user namespaces allowed.

Not built yet: the seccomp wrapper that also blocks unshare(CLONE_NEWUSER) for root-nocap, and
the ordinary user with user namespaces blocked.
"""

from __future__ import annotations

import os
import subprocess

from tests.support import HW1_SCRIPT, run_as

SETTINGS = ["root", "root-nocap", "user"]


def run_hw1(setting: str, user: str, args: list[str], cwd: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """`hw1 ARGS` in `setting` from `cwd` (the installed console script, as a user runs it)."""
    argv = [str(HW1_SCRIPT), *args]
    if setting == "root":
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "COLUMNS": "200"}
        return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if setting == "root-nocap":
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "COLUMNS": "200"}
        return subprocess.run(["capsh", "--drop=cap_sys_admin", "--", "-c", 'exec "$0" "$@"', *argv],
                              env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if setting == "user":
        return run_as(user, argv, cwd=cwd, timeout=timeout, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    raise ValueError(setting)


def instructor(setting: str, user: str) -> tuple[int, str]:
    """uid and home of the one who runs hw1 in `setting`."""
    import pwd

    pw = pwd.getpwnam(user) if setting == "user" else pwd.getpwuid(os.geteuid())
    return pw.pw_uid, pw.pw_dir
