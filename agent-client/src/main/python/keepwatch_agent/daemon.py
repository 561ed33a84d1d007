"""One keepalived daemon (its main process) and what the agent knows about it."""

import os

from .commands import which
from .keepalived_defaults import (DEFAULT_CHECKERS_PID_FILE, DEFAULT_KEEPALIVED_CONF, DEFAULT_PID_FILE,
    DEFAULT_TMPDIR, DEFAULT_VRRP_PID_FILE, JSON_DUMP_NAME, TEXT_DUMP_NAME)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Set, Tuple  # noqa: F401
    from .claims import ClaimsReader  # noqa: F401
    from .dump_job import DumpJob  # noqa: F401
    from .loop import Timer  # noqa: F401

SYSTEMD_RUNTIME_DIR = "/run/systemd/system"      # exists when systemd is the init system (sd_booted)
STATE_MASTER = "MASTER"
STATE_FAULT = "FAULT"
STATE_UNKNOWN = "UNKNOWN"          # a claimed instance: its configuration says it exists, nothing says its state
SOURCE_DUMP = "dump"               # where an instance record came from: keepalived's dump ...
SOURCE_CONFIG = "config"           # ... or the daemon's configuration (claims)
NOT_VISIBLE = "not_visible"     # stopped_reason: a keepalived this agent's user cannot see (the agent is not root)


def daemon_label(name: str) -> str:
    """How messages name a daemon: "keepalived" for the one called so, "keepalived NAME" for others."""
    return "keepalived" if name == "keepalived" else "keepalived " + name


class Daemon(object):
    """One keepalived (its main process) and what the agent knows about it."""

    def __init__(self, pid: "Optional[int]", starttime: "Optional[int]") -> None:
        self.name = ""
        self.key = ""
        self.pid = pid
        self.starttime = starttime
        self.alive = True
        self.responsive = True
        self.process_stopped = False    # VRRP process stopped (SIGSTOP) at the last look
        self.stopped_reason = None  # type: Optional[str]
        self.died_at = None  # type: Optional[float]
        self.cmdline = []  # type: List[str]
        self.options = {}  # type: Dict[str, Any]
        self.config = DEFAULT_KEEPALIVED_CONF
        self.config_id = None  # type: Optional[str]
        self.pid_file = DEFAULT_PID_FILE
        self.vrrp_pid_file = DEFAULT_VRRP_PID_FILE
        self.checkers_pid_file = DEFAULT_CHECKERS_PID_FILE
        self.children = {}  # type: Dict[int, Tuple[str, int]]
        self.vrrp_pid = None  # type: Optional[int]
        self.netns_inode = 0
        self.netns_name = None  # type: Optional[str]
        self.netns_path = ""
        self.own_netns = True
        self.tmpdir = DEFAULT_TMPDIR
        self.dump_dir = DEFAULT_TMPDIR      # where its dumps land: its TMPDIR, or /tmp for a keepalived before 2.2
        self.fs_root = ""
        self.tmp_fs_root = ""
        self.exe = ""
        self.exe_key = None  # type: Optional[Tuple[int, int]]
        self.version = None  # type: Optional[str]
        self.neutron_router = None  # type: Optional[str]
        self.systemd_unit = None  # type: Optional[str]
        self.started_at = None  # type: Optional[float]
        self.configured_only = False    # known from its configuration only: never seen running
        # "command_line": root's keepalived as its command line says, to an agent that is not root (its namespaces and
        # process cannot be looked at); None: found as described in protocol.md
        self.seen_from = None  # type: Optional[str]
        # live state
        self.instances = {}  # type: Dict[str, Dict[str, Any]]
        self.instances_from = None  # type: Optional[str]     # SOURCE_DUMP, SOURCE_CONFIG or None
        self.claims = None  # type: Optional[List[Dict[str, Any]]]   # the ClaimsReader result in instances
        self.config_error = None  # type: Optional[Dict[str, Any]]  # why there are no claims
        # its configuration's files as last looked at (paths, owners, inodes, sizes, times): a change is a config event
        self.config_signature = None  # type: Optional[Tuple[Any, ...]]
        self.snapshot_ts = None  # type: Optional[float]
        self.snapshot_source = None  # type: Optional[str]
        self.dump_error = None  # type: Optional[Dict[str, Any]]
        self.dump_job = None  # type: Optional[DumpJob]
        self.dump_again = False
        self.dump_again_cause = "periodic"
        self.waiters = []  # type: List[Callable[[Dict[str, Any]], None]]
        self.periodic_timer = None  # type: Optional[Timer]
        self.pidfds = {}  # type: Dict[int, int]
        # signals this process was seen to take (blocked or caught): keepalived never gives that up,
        # so /proc/PID/status is read until then, not before every dump
        self.signals_ready = set()  # type: Set[int]

    def dump_file(self, kind: str) -> str:
        return self.tmp_fs_root + os.path.join(self.dump_dir, JSON_DUMP_NAME if kind == "json" else TEXT_DUMP_NAME)

    def to_json(self) -> "Dict[str, Any]":
        return {
            "name": self.name, "pid": self.pid, "vrrp_pid": self.vrrp_pid,
            "children": [{"pid": pid, "role": role} for pid, (role, _) in sorted(self.children.items())],
            "alive": self.alive, "responsive": self.responsive, "stopped_reason": self.stopped_reason,
            "config": self.config, "config_id": self.config_id, "pid_file": self.pid_file,
            "vrrp_pid_file": self.vrrp_pid_file, "checkers_pid_file": self.checkers_pid_file,
            "netns": self.netns_name, "netns_inode": self.netns_inode, "own_netns": self.own_netns,
            "tmpdir": self.tmpdir, "exe": self.exe, "version": self.version,
            # false: another mount namespace with another root (a container); its files are read and written there
            "own_root": not self.fs_root,
            "neutron_router": self.neutron_router, "systemd_unit": self.systemd_unit,
            "managed_by": "systemd" if self.reload_unit() else ("neutron" if self.neutron_router else "signal"),
            "started_at": self.started_at, "cmdline": self.cmdline,
            "instances_from": self.instances_from, "config_error": self.config_error, "seen_from": self.seen_from,
        }

    def reload_unit(self) -> "Optional[str]":
        """The keepalived unit systemd manages this daemon in, where systemd is the init system and has systemctl."""
        unit = self.systemd_unit
        if unit and unit.startswith("keepalived") and os.path.isdir(SYSTEMD_RUNTIME_DIR) and which("systemctl"):
            return unit
        return None


def daemon_key(d: Daemon) -> str:
    """What stays the same when a daemon restarts: Neutron router id, else config and netns."""
    if d.neutron_router:
        return "neutron|" + d.neutron_router
    where = "own" if d.own_netns else (d.netns_name or str(d.netns_inode))
    return "%s|%s" % (d.config, where)
