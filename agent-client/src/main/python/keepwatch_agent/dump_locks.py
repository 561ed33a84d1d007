"""The dump locks: one per TMPDIR, shared with the other agents on the node, so that two sessions never ask two
daemons that share a TMPDIR for a dump at once (keepalived writes every dump to the same name in it)."""

import fcntl
import os
from pathlib import Path

from .log import LOG
from .sha256 import sha256_hex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Set  # noqa: F401
    from .clock import now  # noqa: F401


class DumpLocks(object):
    """flock (non-blocking) on <state_dir>/locks/dump-<hash>.lock per TMPDIR. Each file stays open between dumps
    (one per TMPDIR): with 200 daemons, opening it for every dump was a measurable part of the agent's idle cost.
    As a mapping: TMPDIR -> the open lock file."""

    def __init__(self, state_dir: str) -> None:
        self.state_dir = state_dir
        self.files = {}  # type: Dict[str, int]      # TMPDIR -> lock file fd, kept open between dumps
        self.held = set()  # type: Set[str]          # TMPDIRs whose dump lock this agent holds now
        self.warned = False

    def __getitem__(self, key: str) -> int:
        return self.files[key]

    def __contains__(self, key: object) -> bool:
        return key in self.files

    def __iter__(self) -> "Iterator[str]":
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def acquire(self, key: str) -> bool:
        """True when this agent holds the lock of TMPDIR key now (or cannot make lock files at all)."""
        if key in self.held:
            return True
        fd = self.files.get(key)
        if fd is None:
            path = Path(self.state_dir) / "locks" / ("dump-%s.lock" % sha256_hex(key.encode())[:16])
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(str(path), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
            except OSError as exc:
                if not self.warned:
                    self.warned = True
                    LOG.warning("cannot create dump locks in %s (%s); dumps are not coordinated with other agents",
                                path.parent, exc)
                return True
            self.files[key] = fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        self.held.add(key)
        return True

    def release(self, key: str) -> None:
        if key in self.held:
            self.held.discard(key)
            try:
                fcntl.flock(self.files[key], fcntl.LOCK_UN)
            except OSError as exc:
                LOG.warning("cannot release the dump lock of %s: %s", key, exc)

    def close_unused(self, used: "Set[str]") -> None:
        """Neutron gives every router a TMPDIR of its own, and routers come and go: once no daemon the agent knows
        uses a TMPDIR (`used`), its lock file is closed, so a long session does not keep one open file per router it
        ever saw."""
        for key in [k for k in self.files if k not in used and k not in self.held]:
            try:
                os.close(self.files.pop(key))
            except OSError as exc:
                LOG.debug("closing the dump lock of %s: %s", key, exc)
