"""What /proc says about a process: its stat line, command line, environment, uids, signals, state and unit."""

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional  # noqa: F401

PROC_STARTTIME_FIELD = 19          # index of starttime after the ")" of /proc/PID/stat


def process_uids(proc_root: str, pid: int) -> "Optional[List[int]]":
    """Real, effective, saved and filesystem uid from /proc/PID/status (its directory's owner is root for any
    process that made itself non-dumpable, so it proves nothing)."""
    try:
        with open("%s/%d/status" % (proc_root, pid), "r") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return [int(v) for v in line.split()[1:5]]
    except (OSError, ValueError):
        pass
    return None


def session_user() -> str:
    """Who runs this session: the sudo caller if any, else the login, else the uid's name."""
    for key in ("SUDO_USER", "USER", "LOGNAME"):
        if os.environ.get(key):
            return os.environ[key]
    try:
        import pwd
        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return "uid:%d" % os.geteuid()


def proc_rss_kb(proc_root: str = "/proc") -> int:
    try:
        with open(os.path.join(proc_root, "self", "status"), "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class ProcEntry(object):
    __slots__ = ("pid", "comm", "state", "ppid", "starttime", "keepalived")

    def __init__(self, pid: int, comm: str, state: str, ppid: int, starttime: int) -> None:
        self.pid = pid
        self.comm = comm
        self.state = state
        self.ppid = ppid
        self.starttime = starttime
        self.keepalived = False


def read_proc_stat(proc_root: str, pid: int) -> "Optional[ProcEntry]":
    try:
        with open("%s/%d/stat" % (proc_root, pid), "rb") as f:
            data = f.read()
        left = data.index(b"(")
        right = data.rindex(b")")
        rest = data[right + 2:].split()
        return ProcEntry(pid, data[left + 1:right].decode("utf-8", "replace"), rest[0].decode(),
                         int(rest[1]), int(rest[PROC_STARTTIME_FIELD]))
    except (OSError, ValueError, IndexError):
        return None


def read_cmdline(proc_root: str, pid: int) -> "List[str]":
    try:
        with open("%s/%d/cmdline" % (proc_root, pid), "rb") as f:
            data = f.read()
    except OSError:
        return []
    return [a.decode("utf-8", "replace") for a in data.split(b"\0")[:-1]] if data else []


def read_environ(proc_root: str, pid: int) -> "Dict[str, str]":
    try:
        with open("%s/%d/environ" % (proc_root, pid), "rb") as f:
            data = f.read()
    except OSError:
        return {}
    env = {}
    for item in data.split(b"\0"):
        key, eq, value = item.partition(b"=")
        if eq:
            env[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return env


def is_alive(proc_root: str, pid: int, starttime: "Optional[int]" = None) -> bool:
    """A pid is alive when it exists, is not a zombie, and (if given) started at starttime."""
    entry = read_proc_stat(proc_root, pid)
    if entry is None or entry.state in ("Z", "X", "x"):
        return False
    return starttime is None or entry.starttime == starttime


def signal_caught(proc_root: str, pid: int, signum: int) -> bool:
    """Whether the process takes signum itself: blocked for its signalfd (SigBlk, how keepalived
    does it) or caught by a handler (SigCgt), per /proc/PID/status. keepalived sets that up a few
    ms after it starts; before that, SIGJSON, SIGUSR1 and SIGHUP would terminate it (their default
    action), so the agent never sends them before."""
    masks = 0
    try:
        with open("%s/%d/status" % (proc_root, pid), "r") as f:
            for line in f:
                if line.startswith(("SigBlk:", "SigCgt:")):
                    masks |= int(line.split()[1], 16)
    except (OSError, ValueError, IndexError):
        return False
    return bool((masks >> (signum - 1)) & 1)


def process_stopped(proc_root: str, pid: int) -> bool:
    """Stopped by a signal (SIGSTOP) or traced: T or t in /proc/PID/stat."""
    entry = read_proc_stat(proc_root, pid)
    return entry is not None and entry.state in ("T", "t")


def systemd_unit(proc_root: str, pid: int) -> "Optional[str]":
    """The service unit systemd runs the process in: on systemd's own hierarchy (the unified line, or v1's
    name=systemd), the first name below the slices, when it is a .service. Not a name deeper down: below a unit is what
    the unit delegates (a container's payload, a user's own manager), where a keepalived.service is not the system's.
    None for a scope, a process outside the agent's cgroup namespace (a path with ..), or no such process."""
    try:
        with open("%s/%d/cgroup" % (proc_root, pid), "r") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers not in ("", "name=systemd"):
            continue
        parts = [part for part in path.split("/") if part]
        if ".." in parts:
            return None
        for part in parts:
            if not part.endswith(".slice"):
                return part if part.endswith(".service") else None
    return None
