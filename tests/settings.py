"""Run hw1 in the deployment settings CI can create (see SECURITY.md, "Where hw1 really runs").

- "root": root with every capability and namespaces (CI, a course server);
- "root-nocap": a Gradescope-like container: root with CAP_SYS_ADMIN dropped (`capsh
  --drop=cap_sys_admin`, Debian's libcap2-bin) and Docker's seccomp rules for namespaces and
  mounts (tests/container_wrapper.py: unshare, setns, mount, pivot_root, clone with a namespace
  flag fail with EPERM);
- "user": an ordinary user (`ordinary_user` fixture), user namespaces allowed;
- "user-nouserns": the same user where user namespaces are blocked (the wrapper again): hw1
  refuses to grade without `--allow-weak-isolation` (no separate identity is possible), and with
  it Landlock and seccomp must still contain the attacks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import HW1_SCRIPT, run_as

SETTINGS = ["root", "root-nocap", "user", "user-nouserns"]
WRAPPER = str(Path(__file__).with_name("container_wrapper.py"))


def run_hw1(setting: str, user: str, args: list[str], cwd: str, timeout: float = 900,
            weak_ok: bool = True) -> subprocess.CompletedProcess:
    """`hw1 ARGS` in `setting` from `cwd` (the installed console script, as a user runs it);
    `weak_ok`: pass --allow-weak-isolation where hw1 would refuse ("user-nouserns")."""
    argv = [str(HW1_SCRIPT), *args]
    if setting == "root":
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "COLUMNS": "200"}
        return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if setting == "root-nocap":
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "COLUMNS": "200"}
        return subprocess.run(["capsh", "--drop=cap_sys_admin", "--", "-c", 'exec "$0" "$@"', sys.executable,
                               WRAPPER, *argv],
                              env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if setting == "user":
        return run_as(user, argv, cwd=cwd, timeout=timeout, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    if setting == "user-nouserns":
        flag = ["--allow-weak-isolation"] if weak_ok and args[:1] == ["grade"] else []
        return run_as(user, [sys.executable, WRAPPER, *argv, *flag], cwd=cwd, timeout=timeout,
                      env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    raise ValueError(setting)


def instructor(setting: str, user: str) -> tuple[int, str]:
    """uid and home of the one who runs hw1 in `setting`."""
    import pwd

    pw = pwd.getpwnam(user) if setting.startswith("user") else pwd.getpwuid(os.geteuid())
    return pw.pw_uid, pw.pw_dir


def skip_unless_possible(setting: str) -> None:
    """Skip the calling test where this machine cannot create `setting`."""
    import shutil

    import pytest

    if setting.startswith("root") and os.geteuid() != 0:
        pytest.skip("needs root")
    if setting == "root-nocap" and not shutil.which("capsh", path="/usr/sbin:/sbin:/usr/bin"):
        pytest.skip("capsh (libcap2-bin) is not installed")
