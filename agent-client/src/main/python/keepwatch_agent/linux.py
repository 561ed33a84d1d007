"""Linux calls the standard library lacks on some versions: namespaces, pidfds, malloc_trim (ctypes only then)."""

import errno
import os
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional  # noqa: F401

# Linux constants not exported by every Python version's stdlib.
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
SYS_PIDFD_OPEN = 434               # same number on every architecture (unified syscall table)

_LIBC = None

_PIDFD_PROBED = None  # type: Optional[bool]


def libc() -> "Any":
    global _LIBC
    if _LIBC is None:
        import ctypes
        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC


def libc_call(name: str, *args: "Any") -> int:
    import ctypes
    result = getattr(libc(), name)(*args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (name, os.strerror(err)))
    return result


def trim_memory() -> None:
    """Hands freed heap back to the OS. Compiling this file alone leaves ~10 MB of freed heap
    behind (the agent runs as a script, so there is no .pyc); glibc keeps it unless asked."""
    import gc
    gc.collect()
    try:
        libc().malloc_trim(0)
    except (OSError, AttributeError, ImportError):
        pass


def setns(fd: int, nstype: int) -> None:
    if hasattr(os, "setns"):
        os.setns(fd, nstype)
    else:
        libc_call("setns", fd, nstype)


def pidfd_open(pid: int) -> "Optional[int]":
    """A pidfd that polls readable when the process exits (turns zombie); None if unsupported."""
    try:
        if hasattr(os, "pidfd_open"):
            return os.pidfd_open(pid)
        import ctypes
        fd = libc().syscall(SYS_PIDFD_OPEN, ctypes.c_int(pid), ctypes.c_uint(0))
        if fd < 0:
            err = ctypes.get_errno()
            if err == errno.ESRCH:
                raise ProcessLookupError(err, "no such process")
            return None
        return fd
    except ProcessLookupError:
        raise
    except (OSError, AttributeError, ImportError):
        return None


def current_netns_fd() -> int:
    for path in ("/proc/thread-self/ns/net", "/proc/self/task/%d/ns/net" % threading.get_ident(),
                 "/proc/self/ns/net"):
        try:
            return os.open(path, os.O_RDONLY)
        except OSError:
            continue
    raise OSError(errno.ENOENT, "cannot open the current network namespace")


def pidfd_probe() -> bool:
    global _PIDFD_PROBED
    if _PIDFD_PROBED is None:
        fd = None
        try:
            fd = pidfd_open(os.getpid())
        except OSError:
            fd = None
        _PIDFD_PROBED = fd is not None
        if fd is not None:
            os.close(fd)
    return _PIDFD_PROBED
