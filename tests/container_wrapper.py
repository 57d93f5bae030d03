"""python tests/container_wrapper.py CMD [ARGS...]: run CMD the way Docker's default seccomp
profile would (and so Gradescope's container): unshare, setns, mount, umount2, pivot_root and
clone with a namespace flag fail with EPERM (clone3 with ENOSYS, so libc falls back to clone),
for CMD and everything it starts. Used by tests/settings.py for "root-nocap" (with capsh
dropping CAP_SYS_ADMIN) and "user-nouserns" (an ordinary user where user namespaces are blocked).
"""

import errno
import os
import sys

import pyseccomp as sc

NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000]

f = sc.SyscallFilter(defaction=sc.ALLOW)
for name in ("unshare", "setns", "mount", "umount2", "pivot_root"):
    f.add_rule(sc.ERRNO(errno.EPERM), name)
for flag in NAMESPACE_FLAGS:
    f.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
f.load()
os.execvp(sys.argv[1], sys.argv[1:])
