"""One dump asked of a daemon: its record, the file put in its place for keepalived to write, and that file read
once written."""

import os
import stat
import time

from .log import LOG
from .trust import read_trusted, trusted_owner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional  # noqa: F401

MAX_DUMP_FILE_BYTES = 64 * 1024 * 1024
DUMP_LOCK_WAIT_DUMPS = 2           # dump timeouts to wait for another agent's dump (JSON, then its text fallback)
DUMP_LOCK_WAIT_MARGIN_S = 1.0      # and this much more


class DumpJob(object):
    """One dump asked of a daemon: path is the file keepalived writes, fs_root the daemon's view it lies in
    (a prefix of path, "" for the agent's own), owner its configuration's owner (config_owner), whose the dump
    and its TMPDIR may be too."""
    __slots__ = ("kind", "path", "fs_root", "owner", "signum", "started", "deadline", "lock_deadline", "timeout",
                 "delay", "cause", "waiters", "last_size", "fallback", "polls")

    def __init__(self, kind: str, path: str, fs_root: str, owner: "Optional[int]", signum: int, cause: str,
                 timeout: float, delay: float) -> None:
        self.kind = kind
        self.path = path
        self.fs_root = fs_root
        self.owner = owner
        self.signum = signum
        self.started = time.monotonic()
        self.timeout = timeout
        self.deadline = self.started + timeout
        # Another agent on the node (a second operator's session) may hold the TMPDIR's dump lock for one whole dump
        # of its own, text fallback included, when the daemon does not answer: wait that long for it.
        self.lock_deadline = self.started + DUMP_LOCK_WAIT_DUMPS * timeout + DUMP_LOCK_WAIT_MARGIN_S
        self.delay = delay
        self.cause = cause
        self.waiters = []  # type: List[Callable[[Dict[str, Any]], None]]
        self.last_size = -1
        self.fallback = False
        self.polls = 0


def claim_dump_file(path: str) -> bool:
    """Removes the old dump and puts an empty file of the agent's own in its place, for keepalived to write
    into (its fopen_safe opens with O_CREAT|O_TRUNC|O_NOFOLLOW, then makes the file root's, 0600): another user
    who made a file there between the removal and keepalived's write, and kept it open, would have kept writing
    into a file that by then looked root's. Once this file is there, nobody else can replace it in a sticky
    TMPDIR. False when something else took the name right after the removal, twice."""
    for _ in range(2):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            LOG.debug("cannot remove old dump %s: %s", path, exc)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                             0o600))
            return True
        except FileExistsError:
            continue
        except OSError as exc:
            LOG.debug("cannot make the dump file %s: %s", path, exc)
            return True     # nothing gained by refusing: what keepalived writes is still checked when read
    return False


def read_dump_when_written(job: DumpJob) -> "Optional[str]":
    """The dump's text once keepalived has written it (JSON: whenever it is there, a partial one does not
    parse; text: once its size held still between two looks), else None. The TMPDIR is shared (/tmp by
    default): only what read_trusted accepts is read, a regular file root (or the daemon's configuration
    owner) owns that no other user can have put or changed there, and anything else in its place is refused at
    once, by what it is."""
    st = os.lstat(job.path)
    written = job.kind == "json" or (st.st_size > 0 and st.st_size == job.last_size)
    job.last_size = st.st_size
    if not written and stat.S_ISREG(st.st_mode) and trusted_owner(st, job.owner):
        return None
    data, _ = read_trusted(job.path[len(job.fs_root):], MAX_DUMP_FILE_BYTES, job.fs_root, "a state dump",
                           job.owner)
    return data.decode("utf-8", "replace")
