"""The lab's record of what it created, so that lab/down removes exactly that and nothing else.

Every namespace, root-namespace link, directory and process is written here right after it is
created (atomically), so even a lab/up that dies half-way leaves a record lab/down can undo.
"""
import fcntl
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

# Not under /run or /tmp: every node mounts a private /run and /tmp over those.
DEFAULT_LAB_DIR = "/var/lib/kw-lab"


def lab_dir() -> Path:
    return Path(os.environ.get("KW_LAB_DIR", DEFAULT_LAB_DIR))


def process_start_time(pid: int) -> Optional[int]:
    """Start time in clock ticks since boot (field 22 of /proc/PID/stat); None if gone."""
    try:
        stat = Path("/proc/%d/stat" % pid).read_text()
    except OSError:
        return None
    # comm may contain spaces and parentheses: fields start after the last ')'.
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] == "Z":
        return None
    return int(fields[19])


def same_process(pid: int, start_time: int) -> bool:
    """True while the recorded process still runs (a reused pid has another start time)."""
    return pid > 0 and process_start_time(pid) == start_time


class LabState:
    def __init__(self, directory: Path):
        self.directory = directory
        self.path = directory / "state.json"
        self.data = {"netns": [], "links": [], "dirs": [], "nodes": {}, "topologies": {}}
        if self.path.exists():
            self.data.update(json.loads(self.path.read_text()))

    # ---- what was created -------------------------------------------------------------------
    def add(self, kind: str, name: str) -> None:
        if name not in self.data[kind]:
            self.data[kind].append(name)
            self.save()

    def remove(self, kind: str, name: str) -> None:
        if name in self.data[kind]:
            self.data[kind].remove(name)
            self.save()

    def owns(self, kind: str, name: str) -> bool:
        return name in self.data[kind]

    # ---- nodes and topologies ---------------------------------------------------------------
    def set_node(self, name: str, record: dict) -> None:
        self.data["nodes"][name] = record
        self.save()

    def drop_node(self, name: str) -> None:
        self.data["nodes"].pop(name, None)
        self.save()

    def nodes(self) -> dict:
        return dict(self.data["nodes"])

    def set_topology(self, kind: str, params: Optional[dict]) -> None:
        if params is None:
            self.data["topologies"].pop(kind, None)
        else:
            self.data["topologies"][kind] = params
        self.save()

    def topologies(self) -> dict:
        return dict(self.data["topologies"])

    def is_empty(self) -> bool:
        return not any(self.data[k] for k in ("netns", "links", "dirs", "nodes", "topologies"))

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=str(self.directory), prefix=".state-")
        with os.fdopen(fd, "w") as out:
            json.dump(self.data, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, str(self.path))


@contextmanager
def locked(directory: Path):
    """One lab command at a time: up, down, fail and heal change shared namespaces."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(str(directory), 0o755)
    with open(str(directory / "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
