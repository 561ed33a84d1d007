"""keepalived -t of a candidate, run as root in a mount namespace of its own (the agent's _check-exec command)."""

import os
import sys

from .linux import CLONE_NEWNET, CLONE_NEWNS, libc_call, MS_BIND, MS_PRIVATE, MS_REC, setns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional  # noqa: F401

CHECK_EXEC_FAILED = 97


def check_exec_main(argv: "List[str]") -> int:
    """Internal helper: private mount namespace, bind each candidate over its target, enter the
    daemon's network namespace, exec keepalived -t. Spawned by the agent, never by the client."""
    binds = []  # type: List[List[str]]
    netns = None  # type: Optional[str]
    try:
        split = argv.index("--")
        options, command = argv[:split], argv[split + 1:]
        i = 0
        while i < len(options):
            if options[i] == "--bind":
                binds.append(options[i + 1:i + 3])
                i += 3
            elif options[i] == "--netns":
                netns = options[i + 1]
                i += 2
            else:
                raise ValueError("unknown option %s" % options[i])
        if not command or any(len(bind) != 2 for bind in binds):
            raise ValueError("usage: _check-exec [--bind CANDIDATE TARGET]... [--netns PATH] -- COMMAND...")
    except (ValueError, IndexError) as exc:
        sys.stdout.write("%s\n" % exc)
        return CHECK_EXEC_FAILED
    try:
        if binds:
            import ctypes
            if hasattr(os, "unshare"):
                os.unshare(CLONE_NEWNS)
            else:
                libc_call("unshare", ctypes.c_int(CLONE_NEWNS))
            libc_call("mount", b"none", b"/", None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None)
            for candidate, target in binds:
                libc_call("mount", candidate.encode(), target.encode(), None, ctypes.c_ulong(MS_BIND), None)
        if netns:
            fd = os.open(netns, os.O_RDONLY)
            setns(fd, CLONE_NEWNET)
            os.close(fd)
        os.execvp(command[0], command)
    except (OSError, ImportError, IndexError) as exc:
        sys.stdout.write("%s\n" % exc)
        sys.stdout.flush()
        return CHECK_EXEC_FAILED
    return CHECK_EXEC_FAILED
