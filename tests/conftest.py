"""Fixtures for running hw1 the way users do: as an ordinary user, with a Python any uid can read."""

from __future__ import annotations

import os
import pwd
import subprocess

import pytest

from tests.support import TEST_USER, public_python_problem


@pytest.fixture(scope="session")
def public_python() -> None:
    """Fail (in CI) or skip (elsewhere) when this Python is unreadable to other uids: tests run as
    another uid would then pass or fail for the wrong reason."""
    why = public_python_problem()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the tests on a Python every uid can read: {why}")
        pytest.skip(why)


@pytest.fixture(scope="session")
def ordinary_user(public_python) -> str:
    """An ordinary (non-root) user with a home directory: created when running as root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", TEST_USER], check=True)
    return TEST_USER
