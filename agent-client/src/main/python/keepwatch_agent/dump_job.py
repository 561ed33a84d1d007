"""One dump asked of a daemon, from the signal to the file read."""

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional  # noqa: F401

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
