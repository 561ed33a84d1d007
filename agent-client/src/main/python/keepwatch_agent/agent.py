import collections
import errno
import fcntl
import fnmatch
import heapq
import itertools
import json
import os
import re
import selectors
import signal
import socket
import stat
import struct
import sys
import threading
import time
from pathlib import Path

# subprocess and glob are imported where they are used: a session that only watches never runs a
# command nor expands an include, and the two imports were ~3 ms of the ~30 ms an agent takes to start.
# Annotations are strings and typing is imported for type checkers only: importing typing,
# logging, argparse, hashlib (OpenSSL) and friends at run time would cost ~9 MB of RSS on a node.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple  # noqa: F401

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------

PROTOCOL_VERSION = 1
AGENT_VERSION = "0.1.0"
AGENT_NAME = "keepwatch-agent"

OPS = (
    "hello", "daemons", "state.snapshot", "state.subscribe", "state.unsubscribe",
    "config.read", "config.check", "config.apply", "config.backups", "config.restore",
)
EVENTS = ("state", "vip", "daemon", "heartbeat", "apply.step")

MAX_REQUEST_BYTES = 4 * 1024 * 1024
STDIN_READ_BYTES = 256 * 1024
ID_HINT_BYTES = 256
MAX_CONFIG_FILE_BYTES = 16 * 1024 * 1024
MAX_INCLUDE_DEPTH = 8
MAX_INCLUDED_FILES = 512
MAX_CONCURRENT_WORKERS = 4
MAX_DUMP_FILE_BYTES = 64 * 1024 * 1024
MAX_DIAGNOSTICS = 500
SHUTDOWN_WORKER_WAIT_S = 300.0
VERSION_PROBE_TIMEOUT_S = 10.0
PROC_STARTTIME_FIELD = 19          # index of starttime after the ")" of /proc/PID/stat
FULL_RESCAN_EVERY = 12             # every Nth rescan re-reads every pid, catching pid reuse
CHILD_RESCAN_DELAY_S = 0.2         # after a VRRP child exits, look for its respawn this soon
LOCK_POLL_S = 0.05
HEALTH_POLL_S = 0.1
DEFAULT_ADVERT_INT_S = 1.0
DUMP_FAST_POLLS = 20               # looks at dump_poll_initial spacing before backing off
ORPHAN_DEAD_RECHECK_S = 0.1        # recheck of a VIP whose daemon died while its VRRP child exits
DUMP_LOCK_RETRY_S = 0.005          # another agent is dumping into the same TMPDIR: look again this soon
DUMP_LOCK_WAIT_DUMPS = 2           # dump timeouts to wait for another agent's dump (JSON, then its text fallback)
DUMP_LOCK_WAIT_MARGIN_S = 1.0      # and this much more
SIGNAL_READY_RETRY_S = 0.05        # keepalived still starting (no handler yet): look again this soon
SHA256_HEX_LEN = 64
PROBE_CACHE_FILE = "cache/keepalived-probes.json"   # under the state dir
PROBE_CACHE_FORMAT = 1
PROBE_CACHE_MAX_ENTRIES = 32       # executables remembered (oldest dropped first)
PROBE_CACHE_MAX_BYTES = 256 * 1024
MAX_SIGNUM = 128                   # a cached signal number above this is not believed
TRIM_MIN_INTERVAL_S = 1.0          # malloc_trim at most this often
TRIM_AFTER_OUTPUT_BYTES = 64 * 1024
TRIM_AT_START_RSS_KB = 16 * 1024   # above this at start (the source was just compiled), hand back freed heap

DEFAULT_KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf"
DEFAULT_PID_FILE = "/run/keepalived.pid"
DEFAULT_VRRP_PID_FILE = "/run/vrrp.pid"
DEFAULT_CHECKERS_PID_FILE = "/run/checkers.pid"
DEFAULT_BFD_PID_FILE = "/run/bfd.pid"
DEFAULT_TMPDIR = "/tmp"
JSON_DUMP_NAME = "keepalived.json"
TEXT_DUMP_NAME = "keepalived.data"
NEUTRON_CONF_RE = re.compile(r"/ha_confs/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/keepalived\.conf$")
NEUTRON_NETNS_PREFIX = "qrouter-"
NEUTRON_ROUTER_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
NEUTRON_PID_SUFFIX = ".pid.keepalived"          # <ha_confs>/<router_id>.pid.keepalived
NEUTRON_VRRP_PID_SUFFIX = ".pid.keepalived-vrrp"
NEUTRON_CONF_NAME = "keepalived.conf"           # <ha_confs>/<router_id>/keepalived.conf
SYSTEMD_UNIT_NAME = "keepalived.service"
DEFAULT_SYSTEMD_UNIT_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system",
                             "/usr/lib/systemd/system"]
# Files the agent (root) reads to learn what keepalived would run: a configuration and its includes,
# keepalived.service and its EnvironmentFile. Only regular files owned by root (or the agent's uid)
# and writable by nobody else, up to these sizes; nothing found this way is ever executed.
MAX_CLAIMS_FILE_BYTES = 4 * 1024 * 1024
MAX_UNIT_FILE_BYTES = 64 * 1024
UNTRUSTED_MODE_BITS = stat.S_IWGRP | stat.S_IWOTH
MAX_SYMLINKS_FOLLOWED = 40         # as the kernel (ELOOP)
PASSWD_FILE = "/etc/passwd"        # names a uid in a message (never through NSS)
MAX_PASSWD_BYTES = 4 * 1024 * 1024

# keepalived's VRRP states (vrrp.h), as numbers in the JSON dump and names in the text dump.
VRRP_STATES = {0: "INIT", 1: "BACKUP", 2: "MASTER", 3: "FAULT", 97: "STOP", 98: "DELETED"}
AUTH_TYPES = {0: "none", 1: "PASS", 2: "AH"}
TEXT_AUTH_TYPES = {"none": "none", "SIMPLE_PASSWORD": "PASS", "IPSEC_AH": "AH"}
STATE_MASTER = "MASTER"
STATE_FAULT = "FAULT"
STATE_UNKNOWN = "UNKNOWN"          # a claimed instance: its configuration says it exists, nothing says its state
SOURCE_DUMP = "dump"               # where an instance record came from: keepalived's dump ...
SOURCE_CONFIG = "config"           # ... or the daemon's configuration (claims)

# Linux constants not exported by every Python version's stdlib.
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
SYS_PIDFD_OPEN = 434               # same number on every architecture (unified syscall table)
NETLINK_ROUTE = 0
NLMSG_HDR = struct.Struct("=IHHII")
IFADDRMSG = struct.Struct("=BBBBI")
IFINFOMSG = struct.Struct("=BxHiII")
RTATTR = struct.Struct("=HH")
NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN = 1, 2, 3, 4
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_DUMP = 0x1, 0x2, 0x300
RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR = 0x1, 0x10, 0x100
IFA_ADDRESS, IFA_LOCAL, IFA_LABEL = 1, 2, 3
IFLA_IFNAME = 3
IFF_LOWER_UP = 0x10000             # the link has carrier: what keepalived's FAULT state follows
NETLINK_RCVBUF_BYTES = 4 * 1024 * 1024
NETLINK_RECV_BYTES = 256 * 1024
NETLINK_DUMP_TIMEOUT_S = 2.0

# keepalived -t output, classified by message (2.2.7 exits 5 for warnings and errors alike).
# First match wins; patterns were taken from real 2.2.7 output (see the test fixtures).
DIAG_LOCATION_RE = re.compile(r"^\((?:(?P<file>.*?): )?Line (?P<line>\d+)\)\s*(?P<msg>.*)$")
DIAG_INSTANCE_RE = re.compile(r"^\((?P<inst>[^)\s]+)\):?\s")
DIAG_RULES = (
    (re.compile(r"^NOTICE\b"), "info"),
    (re.compile(r"Config files missing"), "error"),     # exit 0, yet that part of the config is dropped
    (re.compile(r"SECURITY VIOLATION"), "warning"),     # exit 6, yet keepalived runs it: do not block edits
    (re.compile(r"^WARNING\b|\bWarning - ", re.IGNORECASE), "warning"),
    (re.compile(r"probably isn't what you want|is sensible|deprecated|does not support authentication"), "warning"),
    (re.compile(r"No config files matched"), "warning"),
    (re.compile(r"is not used$|ignoring tracked script .* due to SYNC group"), "warning"),
    (re.compile(r"Script user '.*' does not exist|Unable to set default user"), "warning"),
    (re.compile(r"Truncating auth_pass to 8 characters"), "warning"),    # every peer truncates alike
)

CHECK_PASSING_EXIT_CODES = (0, 5, 6)

# Message and error codes: stable strings the client can switch on.
E_PARSE = "parse_error"
E_TOO_LARGE = "too_large"
E_BAD_REQUEST = "bad_request"
E_UNKNOWN_OP = "unknown_op"
E_BAD_ARGS = "bad_args"
E_NOT_FOUND = "not_found"
E_FORBIDDEN_PATH = "forbidden_path"
E_PERMISSION = "permission_denied"
E_NOT_RUNNING = "not_running"
E_CONFLICT = "conflict"
E_CHECK_FAILED = "check_failed"
E_ROLLED_BACK = "rolled_back"
E_RELOAD_FAILED = "reload_failed"
E_BUSY = "busy"
E_TIMEOUT = "timeout"
E_DUMP_FAILED = "dump_failed"
E_IO = "io_error"
E_UNSUPPORTED = "unsupported"
E_SHUTTING_DOWN = "shutting_down"
E_INTERNAL = "internal"
E_UNTRUSTED = "untrusted"          # in a daemon's config_error: a file the agent will not read as root

FAULT_ENV = "KEEPWATCH_AGENT_TEST_FAULT"   # read only by tests: kill the agent at an apply step
FAULT_POINTS = ("after_backup", "before_rename", "after_rename", "before_reload")

# Files the agent writes (candidates for keepalived -t, temporaries renamed over a configuration, backups,
# locks, apply records) are created 0600 with O_EXCL|O_NOFOLLOW under names with a random part, in
# directories only root can write: a configuration holds auth_pass, and a file or link someone planted at a
# name is never opened.
PRIVATE_NAME_TRIES = 16            # names tried for a new private file before giving up
PRIVATE_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
INTENT_FORMAT = 1                  # <state_dir>/intents/<daemon>.json: an apply between its first rename and its end
MAX_INTENT_BYTES = 256 * 1024

DEFAULT_SETTINGS = {
    "heartbeat_interval": 2.0,      # s between heartbeat events while subscribed
    "snapshot_interval": 30.0,      # s between periodic dumps of one daemon (priority-only changes)
    "rescan_interval": 5.0,         # s between /proc scans for started keepalived daemons
    "liveness_interval": 1.0,       # s between pid checks, only where pidfd is unavailable
    "dump_timeout": 2.0,            # s to wait for keepalived to write its dump
    "dump_poll_initial": 0.002,     # s between looks at a dump file while it is expected soon
    "dump_poll_max": 0.05,          # s between looks at a dump file later on
    "vip_debounce": 0.001,          # s to gather address changes before one dump
    "orphan_grace": 1.5,            # s a VIP must stay without a MASTER before it is an orphan
    "batch_interval": 0.0,          # s to hold events for one write; 0 = one write per loop turn
    "health_adverts": 3,            # advert intervals to watch health after a reload
    "health_min": 1.0,              # s, lower bound of the health watch
    "lock_timeout": 30.0,           # s to wait for the apply lock
    "check_timeout": 30.0,          # s for keepalived -t
    "reload_timeout": 30.0,         # s for systemctl reload
    "backup_keep": 20,              # backups kept per file
    "state_dir": None,              # backups, locks, audit log; default /var/lib/keepwatch (root)
    "audit_log": None,              # default <state_dir>/audit.log
    "allowed_paths": [],            # extra config paths the client may read and write
    "match_config": None,           # only manage daemons whose config path matches this glob
    "proc_root": "/proc",
    "netns_dir": "/run/netns",
    "default_config": DEFAULT_KEEPALIVED_CONF,      # what keepalived reads without -f
    "systemd_unit_dirs": list(DEFAULT_SYSTEMD_UNIT_DIRS),   # where keepalived.service is looked for, first found
    "neutron_ha_confs": "/var/lib/neutron/ha_confs",  # <router_id>/keepalived.conf per Neutron HA router
    "keepalived_bin": None,         # keepalived for hello and checks of dead daemons
    "log_level": "info",
}

LOG_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}


class Log(object):
    """A minimal logger: one line per message on stderr (stdout belongs to the protocol)."""

    def __init__(self) -> None:
        self.level = LOG_LEVELS["info"]

    def set_level(self, name: str) -> None:
        self.level = LOG_LEVELS.get(str(name).lower(), LOG_LEVELS["info"])

    def _write(self, level: int, label: str, fmt: str, args: "Tuple[Any, ...]") -> None:
        if level < self.level:
            return
        try:
            message = fmt % args if args else fmt
        except (TypeError, ValueError):
            message = "%s %r" % (fmt, args)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
        try:
            sys.stderr.write("%s %s[%d] %s %s\n" % (stamp, AGENT_NAME, os.getpid(), label, message))
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

    def debug(self, fmt: str, *args: "Any") -> None:
        self._write(LOG_LEVELS["debug"], "DEBUG", fmt, args)

    def info(self, fmt: str, *args: "Any") -> None:
        self._write(LOG_LEVELS["info"], "INFO", fmt, args)

    def warning(self, fmt: str, *args: "Any") -> None:
        self._write(LOG_LEVELS["warning"], "WARNING", fmt, args)

    def error(self, fmt: str, *args: "Any") -> None:
        self._write(LOG_LEVELS["error"], "ERROR", fmt, args)

    def exception(self, fmt: str, *args: "Any") -> None:
        import traceback
        self._write(LOG_LEVELS["error"], "ERROR", fmt + "\n" + traceback.format_exc().rstrip(), args)


LOG = Log()


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def now() -> float:
    """Wall-clock timestamp carried by every message (seconds since the epoch)."""
    return round(time.time(), 6)


def iso_time(ts: float) -> str:
    """UTC ISO 8601 with microseconds, e.g. 2026-11-26T10:06:17.123456Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".%06dZ" % int((ts % 1) * 1000000)


def compact_time(ts: float) -> str:
    """UTC timestamp for file names that sort in time order, e.g. 20261126T100617.123456Z."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(ts)) + ".%06dZ" % int((ts % 1) * 1000000)


_SHA256 = None  # type: Any


def sha256_hex(data: bytes) -> str:
    """sha256 without hashlib where the standard library allows it: hashlib loads OpenSSL, 3.7 MB of
    RSS on Python 3.11. _sha256 is in sys.stdlib_module_names of Python 3.6 to 3.11; 3.12 folded it
    into a private module of another name, which the agent does not import. From 3.12 on (and on a
    build without _sha256) hashlib is used: 16.9 MB with 200 routers plus those 3.7 MB is still
    under the agent's 25 MB."""
    global _SHA256
    if _SHA256 is None:
        try:
            from _sha256 import sha256 as impl      # Python 3.6 to 3.11
        except ImportError:
            from hashlib import sha256 as impl
        _SHA256 = impl
    return _SHA256(data).hexdigest()


def which(program: str, extra_dirs: str = "/usr/sbin:/sbin:/usr/local/sbin") -> "Optional[str]":
    for directory in (os.environ.get("PATH", "") + ":" + extra_dirs).split(":"):
        if directory:
            candidate = os.path.join(directory, program)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


def trusted_uid(uid: int, also: "Optional[int]" = None) -> bool:
    """Root, the agent's own user (when it does not run as root), or `also`: the one other user a root keepalived's
    configuration belongs to (config_owner), for files read as that daemon's only. Whoever can write the
    configuration of a root keepalived runs code as root through it (notify and track scripts), so reading what
    they own for that daemon gives them nothing; nothing is ever written on their say (ADR 0003)."""
    return uid in (0, os.geteuid()) or (also is not None and uid == also)


def trusted_owner(st: "os.stat_result", also: "Optional[int]" = None) -> bool:
    """Owned by root (or the agent's own user, or `also`: see trusted_uid) and not writable by group or others:
    nobody else can have put or changed it."""
    return trusted_uid(st.st_uid, also) and not st.st_mode & UNTRUSTED_MODE_BITS


def trusted_directory(st: "os.stat_result", also: "Optional[int]" = None) -> bool:
    """A directory whose entries only root (or the agent's own user, or `also`: see trusted_uid) can replace: owned
    by them and writable by no group or other, unless sticky (as /tmp: others may add names there, but not rename
    or remove root's)."""
    return trusted_uid(st.st_uid, also) and (not st.st_mode & UNTRUSTED_MODE_BITS or bool(st.st_mode & stat.S_ISVTX))


def trusted_keepalived(configured: "Optional[str]") -> "Optional[str]":
    """The keepalived binary the agent may run: the configured keepalived_bin, else the first on root's PATH,
    and only if trusted_owner says so. Never a binary found through a process (/proc/PID/exe): anyone may
    start a program called keepalived."""
    path = configured or which("keepalived")
    if not path:
        return None
    try:
        return path if trusted_owner(os.stat(path)) else None
    except OSError:
        return None


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


def stagger(name: str, interval: float) -> float:
    """A stable offset in [0, interval) per daemon, so periodic dumps do not come in bursts."""
    return (int(sha256_hex(name.encode())[:8], 16) % 10000) / 10000.0 * interval


def decode_text(data: bytes) -> str:
    """Config bytes to text; bytes that are not UTF-8 survive the round trip as surrogates."""
    return data.decode("utf-8", "surrogateescape")


def encode_text(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class AgentError(Exception):
    """An error answered to the client with a stable code."""

    def __init__(self, code: str, message: str, details: "Optional[Dict[str, Any]]" = None) -> None:
        Exception.__init__(self, message)
        self.code = code
        self.message = message
        self.details = details

    def to_json(self) -> "Dict[str, Any]":
        err = {"code": self.code, "message": self.message}  # type: Dict[str, Any]
        if self.details:
            err["details"] = self.details
        return err


class UntrustedOwner(AgentError):
    """untrusted because of whose a file, directory or link is (uid), not of its mode or type: config_owner learns
    a daemon's configuration owner from it, and an apply says whom the configuration belongs to."""

    def __init__(self, message: str, uid: int, details: "Optional[Dict[str, Any]]" = None) -> None:
        AgentError.__init__(self, E_UNTRUSTED, message, details)
        self.uid = uid


def read_small(path: Path, limit: int = MAX_CONFIG_FILE_BYTES) -> bytes:
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise AgentError(E_TOO_LARGE, "%s is larger than %d bytes" % (path, limit))
    return data


def run_command(argv: "List[str]", timeout: float, env: "Optional[Dict[str, str]]" = None,
                merge_stderr: bool = False) -> "Tuple[int, str, str]":
    """Runs an argument list (never a shell string); returns (exit code, stdout, stderr)."""
    import subprocess
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
                              timeout=timeout, env=env, universal_newlines=True, errors="replace")
    except subprocess.TimeoutExpired:
        raise AgentError(E_TIMEOUT, "%s did not finish within %.0f s" % (argv[0], timeout))
    except OSError as exc:
        raise AgentError(E_IO, "cannot run %s: %s" % (argv[0], exc.strerror or exc))
    return proc.returncode, proc.stdout or "", proc.stderr or ""


def fsync_dir(directory: Path) -> None:
    fd = os.open(str(directory), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def random_token() -> str:
    """A name part nobody can guess in advance."""
    return os.urandom(6).hex()


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def create_private(directory: Path, name: "Callable[[str], str]") -> "Tuple[int, Path]":
    """A new file of mode 0600 (given at creation) in directory, named name(random token), opened for writing
    with O_EXCL|O_NOFOLLOW: a file or link someone planted at that name is never opened, another name is tried."""
    for _ in range(PRIVATE_NAME_TRIES):
        path = directory / name(random_token())
        try:
            return os.open(str(path), PRIVATE_CREATE_FLAGS, 0o600), path
        except FileExistsError:
            LOG.warning("%s exists and is not the agent's; trying another name", path)
    raise AgentError(E_IO, "cannot create a file in %s: %d names in a row were taken" % (directory, PRIVATE_NAME_TRIES))


def write_private(directory: Path, name: "Callable[[str], str]", data: bytes) -> Path:
    """data in a new file that only its owner can read (see create_private)."""
    fd, path = create_private(directory, name)
    try:
        write_all(fd, data)
    except BaseException:
        os.close(fd)
        _unlink_quietly(path)
        raise
    os.close(fd)
    return path


def atomic_write(target: Path, data: bytes, like: "Optional[os.stat_result]" = None,
                 fault: "Optional[str]" = None) -> None:
    """Writes a temporary file in the target's directory (created 0600, see create_private; given the owner and
    mode of `like`, the file it replaces, once written), fsyncs, renames over, fsyncs the directory."""
    directory = target.parent
    fd, tmp = create_private(directory, lambda token: ".%s.keepwatch-%d-%s.tmp" % (target.name, os.getpid(), token))
    try:
        write_all(fd, data)
        if like is not None:
            try:
                os.fchown(fd, like.st_uid, like.st_gid)
            except OSError:
                pass
            os.fchmod(fd, like.st_mode & 0o7777)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(tmp)
        raise
    os.close(fd)
    inject_fault(fault, "before_rename")
    try:
        os.replace(str(tmp), str(target))
    except BaseException:
        _unlink_quietly(tmp)
        raise
    inject_fault(fault, "after_rename")
    fsync_dir(directory)


def remove_stale_temps(target: Path) -> "List[str]":
    """Temporary files of an agent killed between write and rename (their pid no longer runs)."""
    import glob
    removed = []
    for tmp in target.parent.glob(".%s.keepwatch-*.tmp" % glob.escape(target.name)):
        m = re.search(r"\.keepwatch-(\d+)(?:-[0-9a-f]+)?\.tmp$", tmp.name)
        if m and int(m.group(1)) != os.getpid() and not is_alive("/proc", int(m.group(1))):
            _unlink_quietly(tmp)
            removed.append(tmp.name)
    return removed


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def inject_fault(fault: "Optional[str]", point: str) -> None:
    """Test hook: KEEPWATCH_AGENT_TEST_FAULT=kill:<point> SIGKILLs the agent at that step."""
    if fault and fault == "kill:" + point:
        LOG.warning("test fault injection: killing the agent at %s", point)
        os.kill(os.getpid(), signal.SIGKILL)


def proc_rss_kb(proc_root: str = "/proc") -> int:
    try:
        with open(os.path.join(proc_root, "self", "status"), "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


# ---------------------------------------------------------------------------------------------
# Settings: defaults < JSON file (--config) < command line flags
# ---------------------------------------------------------------------------------------------

class Settings(object):
    """The agent's effective configuration; every interval comes from here."""

    def __init__(self, values: "Dict[str, Any]") -> None:
        self.values = dict(DEFAULT_SETTINGS)
        for key, value in values.items():
            if key not in DEFAULT_SETTINGS:
                raise ValueError("unknown setting %r" % key)
            if value is not None:
                self.values[key] = value
        self._validate()
        is_root = os.geteuid() == 0
        if not self.values["state_dir"]:
            if is_root:
                self.values["state_dir"] = "/var/lib/keepwatch"
            else:
                self.values["state_dir"] = str(Path.home() / ".local" / "state" / "keepwatch")
        if not self.values["audit_log"]:
            self.values["audit_log"] = str(Path(self.values["state_dir"]) / "audit.log")

    def _validate(self) -> None:
        for key, default in DEFAULT_SETTINGS.items():
            value = self.values[key]
            if isinstance(default, float) and not isinstance(value, (int, float)):
                raise ValueError("setting %s must be a number" % key)
            if isinstance(default, float) and value < 0:
                raise ValueError("setting %s must not be negative" % key)
            if isinstance(default, int) and not isinstance(default, bool) and not isinstance(value, int):
                raise ValueError("setting %s must be an integer" % key)
        for key in ("allowed_paths", "systemd_unit_dirs"):
            if not isinstance(self.values[key], list) or not all(isinstance(v, str) for v in self.values[key]):
                raise ValueError("setting %s must be a list of paths" % key)
        for key in ("default_config", "neutron_ha_confs"):
            if not isinstance(self.values[key], str):
                raise ValueError("setting %s must be a path" % key)

    def __getattr__(self, name: str) -> "Any":
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    def public(self) -> "Dict[str, Any]":
        return dict(self.values)


USAGE = """usage: keepwatch_agent.py [serve|version] [--config FILE] [--SETTING VALUE ...]

Speaks the Keepwatch agent protocol (JSON lines) on stdin/stdout; logs go to stderr.
Settings (also keys of the --config JSON object):
%s
"""


class UsageError(Exception):
    pass


def _convert(key: str, text: str) -> "Any":
    default = DEFAULT_SETTINGS[key]
    try:
        if isinstance(default, float):
            return float(text)
        if isinstance(default, int) and not isinstance(default, bool):
            return int(text)
    except ValueError:
        raise UsageError("--%s needs a number, not %r" % (key.replace("_", "-"), text))
    return text


def parse_cli(argv: "List[str]") -> "Tuple[str, Optional[str], Dict[str, Any]]":
    """serve|version, --config FILE and --setting VALUE (or --setting=VALUE); lists may repeat."""
    command = "serve"
    config = None
    values = {}  # type: Dict[str, Any]
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg in ("-h", "--help"):
            raise UsageError("")
        if not arg.startswith("--"):
            if arg not in ("serve", "version"):
                raise UsageError("unknown command %r" % arg)
            command = arg
            continue
        name, eq, value = arg[2:].partition("=")
        key = name.replace("-", "_")
        if key != "config" and key not in DEFAULT_SETTINGS:
            raise UsageError("unknown option --%s" % name)
        if not eq:
            if i >= len(argv):
                raise UsageError("--%s needs a value" % name)
            value = argv[i]
            i += 1
        if key == "config":
            config = value
        elif isinstance(DEFAULT_SETTINGS[key], list):
            values.setdefault(key, []).append(value)
        else:
            values[key] = _convert(key, value)
    return command, config, values


def daemon_label(name: str) -> str:
    """How messages name a daemon: "keepalived" for the one called so, "keepalived NAME" for others."""
    return "keepalived" if name == "keepalived" else "keepalived " + name


def load_settings(argv: "List[str]") -> "Tuple[str, Settings]":
    """Defaults, then the --config JSON file, then command line flags."""
    command, config, flags = parse_cli(argv)
    values = {}  # type: Dict[str, Any]
    if config:
        try:
            with open(config, "r") as f:
                loaded = json.load(f)
        except (OSError, ValueError) as exc:
            raise UsageError("cannot read --config %s: %s" % (config, exc))
        if not isinstance(loaded, dict):
            raise UsageError("--config %s must hold a JSON object" % config)
        values.update(loaded)
    values.update(flags)
    try:
        return command, Settings(values)
    except ValueError as exc:
        raise UsageError(str(exc))


# ---------------------------------------------------------------------------------------------
# keepalived dumps: JSON (SIGJSON) and text (SIGUSR1), normalised to one instance shape
# ---------------------------------------------------------------------------------------------

def normalise_address(text: str) -> "Tuple[str, int]":
    """'10.0.0.1/24' or 'fd00::1' -> ('10.0.0.1', 24) / ('fd00::1', 128), canonical spelling."""
    addr, _, prefix = text.partition("/")
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    try:
        addr = socket.inet_ntop(family, socket.inet_pton(family, addr))
    except (OSError, ValueError):
        pass
    if prefix.isdigit():
        return addr, int(prefix)
    return addr, 128 if family == socket.AF_INET6 else 32


def parse_vip(text: str) -> "Dict[str, Any]":
    """A VIP line as keepalived prints it: '10.0.0.1/24 dev eth0 scope global set'."""
    tokens = text.split()
    if not tokens:
        raise ValueError("empty VIP")
    addr, prefix = normalise_address(tokens[0])
    vip = {"address": addr, "prefix": prefix, "cidr": "%s/%d" % (addr, prefix),
           "dev": None, "set": tokens[-1] == "set"}  # type: Dict[str, Any]
    if "dev" in tokens:
        index = tokens.index("dev")
        if index + 1 < len(tokens):
            vip["dev"] = tokens[index + 1]
    return vip


def _state_name(value: "Any") -> str:
    if isinstance(value, int):
        return VRRP_STATES.get(value, "UNKNOWN(%d)" % value)
    return str(value)


def _auth_type(value: "Any") -> str:
    """none, PASS or AH; VRRPv3 has no authentication and its text dump omits the line."""
    if value is None:
        return "none"
    if isinstance(value, int):
        return AUTH_TYPES.get(value, str(value))
    return str(value)


def _instance_record(raw: "Dict[str, Any]") -> "Dict[str, Any]":
    """Normalised instance shape shared by both dump formats (never includes auth secrets)."""
    vips = [parse_vip(v) for v in raw.get("vips") or []]
    evips = [parse_vip(v) for v in raw.get("evips") or []]
    return {
        "instance": raw.get("iname"),
        "vrid": raw.get("vrid"),
        "state": _state_name(raw.get("state")),
        "wantstate": _state_name(raw.get("wantstate")) if raw.get("wantstate") is not None else None,
        "base_priority": raw.get("base_priority"),
        "effective_priority": raw.get("effective_priority"),
        "master_priority": raw.get("master_priority"),
        "interface": raw.get("ifp_ifname"),
        "vmac_interface": raw.get("vmac_ifname") or None,
        "advert_int": raw.get("adver_int"),
        "version": raw.get("version"),
        "nopreempt": bool(raw.get("nopreempt")),
        "preempt_delay": raw.get("preempt_delay"),
        "auth_type": _auth_type(raw.get("auth_type")),
        "last_transition": raw.get("last_transition"),
        "vips_set": raw.get("vipset"),
        "vips": [v["cidr"] for v in vips],
        "excluded_vips": [v["cidr"] for v in evips],
        "vip_details": vips + [dict(v, excluded=True) for v in evips],
        "track_scripts": list(raw.get("track_script") or []),
        "track_interfaces": list(raw.get("track_ifp") or []),
        # the text dump lists unicast peers (none: multicast); the JSON dump does not say (null)
        "unicast_peers": [normalise_address(p.split()[0])[0] for p in raw["unicast_peer"] if p.split()]
        if isinstance(raw.get("unicast_peer"), list) else None,
    }


STATS_KEYS = ("advert_rcvd", "advert_sent", "become_master", "release_master", "pri_zero_rcvd",
              "pri_zero_sent", "auth_failure", "authtype_mismatch", "advert_interval_err",
              "addr_list_err", "packet_len_err", "ip_ttl_err", "invalid_type_rcvd", "invalid_authtype")


def parse_json_dump(text: str) -> "List[Dict[str, Any]]":
    """keepalived.json: a list of {data, stats} (json_version 1) or {"vrrp": [...]} (version 2)."""
    doc = json.loads(text)
    if isinstance(doc, dict):
        doc = doc.get("vrrp", [])
    if not isinstance(doc, list):
        raise ValueError("keepalived.json holds neither a list nor a {vrrp: [...]} object")
    instances = []
    for entry in doc:
        if not isinstance(entry, dict) or not isinstance(entry.get("data"), dict):
            raise ValueError("keepalived.json entry without a data object")
        record = _instance_record(entry["data"])
        stats = entry.get("stats") if isinstance(entry.get("stats"), dict) else {}
        record["stats"] = {k: stats[k] for k in STATS_KEYS if k in stats}
        instances.append(record)
    return instances


TEXT_INSTANCE_RE = re.compile(r"^ VRRP Instance = (.+)$")
TEXT_KV_RE = re.compile(r"^   ([^=]+?) = (.*)$")
TEXT_LIST_RE = re.compile(r"^   ([A-Za-z][A-Za-z _]*?)\s*(?:\(\d+\))?\s*:$")
TEXT_SECTION_RE = re.compile(r"^------< (.+) >------$")


def parse_text_dump(text: str) -> "List[Dict[str, Any]]":
    """keepalived.data (SIGUSR1), section 'VRRP Topology', into the JSON dump's field names."""
    raws = []  # type: List[Dict[str, Any]]
    section = None
    current = None  # type: Optional[Dict[str, Any]]
    list_name = None  # type: Optional[str]
    for line in text.splitlines():
        m = TEXT_SECTION_RE.match(line)
        if m:
            section = m.group(1)
            current = None
            continue
        if section != "VRRP Topology":
            continue
        m = TEXT_INSTANCE_RE.match(line)
        if m:
            current = {"iname": m.group(1).strip(), "vips": [], "evips": [], "unicast_peer": []}
            raws.append(current)
            list_name = None
            continue
        if current is None:
            continue
        if line.startswith("     ") and list_name is not None:
            current.setdefault(list_name, []).append(line.strip())
            continue
        m = TEXT_LIST_RE.match(line)
        if m:
            list_name = {"Virtual IP": "vips", "Virtual IP Excluded": "evips",
                         "Tracked scripts": "track_script", "Tracked interfaces": "track_ifp",
                         "Unicast Peer": "unicast_peer"}.get(
                m.group(1).strip(), "_" + m.group(1).strip())
            continue
        list_name = None
        m = TEXT_KV_RE.match(line)
        if m:
            _text_field(current, m.group(1).strip(), m.group(2).strip())
    instances = []
    for raw in raws:
        record = _instance_record(raw)
        record["stats"] = {}
        instances.append(record)
    return instances


def _leading_number(value: str) -> "Optional[float]":
    m = re.match(r"^-?\d+(?:\.\d+)?", value)
    return float(m.group(0)) if m else None


def _text_field(raw: "Dict[str, Any]", key: str, value: str) -> None:
    number = _leading_number(value)
    if key == "State":
        raw["state"] = value
    elif key == "Wantstate":
        raw["wantstate"] = value
    elif key == "VRRP Version" and number is not None:
        raw["version"] = int(number)
    elif key == "Virtual Router ID" and number is not None:
        raw["vrid"] = int(number)
    elif key == "Priority" and number is not None:
        raw["base_priority"] = int(number)
    elif key == "Effective priority" and number is not None:
        raw["effective_priority"] = int(number)
    elif key == "Master priority" and number is not None:
        raw["master_priority"] = int(number)
    elif key == "Interface":
        raw["ifp_ifname"] = value
    elif key == "Last transition" and number is not None:
        raw["last_transition"] = number
    elif key == "Advert interval" and number is not None:
        raw["adver_int"] = number / 1000.0 if "milli" in value else number
    elif key == "Preempt":
        raw["nopreempt"] = value == "disabled"
    elif key == "Preempt delay" and number is not None:
        raw["preempt_delay"] = int(number)
    elif key == "Authentication type":
        raw["auth_type"] = TEXT_AUTH_TYPES.get(value, value)
    # Password and every other field are left out on purpose.


# ---------------------------------------------------------------------------------------------
# keepalived -t output
# ---------------------------------------------------------------------------------------------

def classify_check_output(output: str, exit_code: int,
                          path_map: "Optional[Dict[str, str]]" = None) -> "Dict[str, Any]":
    """Turns `keepalived -t` output into diagnostics {file, line, severity, instance, message}.

    2.2.7 exits 5 for warnings and errors alike, so severity comes from the message. The
    candidate passes when no diagnostic is an error and the exit code is 0, 5 (warnings or
    errors, told apart by message) or 6 (scripts without script security: keepalived runs such a
    configuration, so it is a warning, not a reason to refuse every edit of it).
    """
    diagnostics = []  # type: List[Dict[str, Any]]
    seen = set()  # type: Set[Tuple[Any, ...]]
    for raw_line in output.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        file_name = None  # type: Optional[str]
        line_no = None  # type: Optional[int]
        message = line
        m = DIAG_LOCATION_RE.match(line)
        if m:
            file_name = m.group("file")
            line_no = int(m.group("line"))
            message = m.group("msg")
        if file_name and path_map:
            file_name = path_map.get(file_name, file_name)
        instance = None
        mi = DIAG_INSTANCE_RE.match(message)
        if mi:
            instance = mi.group("inst")
        severity = "error" if exit_code != 0 else "warning"
        for pattern, sev in DIAG_RULES:
            if pattern.search(message):
                severity = sev
                break
        key = (file_name, line_no, message)
        if key in seen:
            continue
        seen.add(key)
        diagnostics.append({"file": file_name, "line": line_no, "severity": severity,
                            "instance": instance, "message": message})
        if len(diagnostics) >= MAX_DIAGNOSTICS:
            break
    errors = sum(1 for d in diagnostics if d["severity"] == "error")
    warnings = sum(1 for d in diagnostics if d["severity"] == "warning")
    passed = errors == 0 and exit_code in CHECK_PASSING_EXIT_CODES
    if not passed and errors == 0:
        diagnostics.append({"file": None, "line": None, "severity": "error", "instance": None,
                            "message": "keepalived -t exited with %d" % exit_code})
        errors = 1
    return {"ok": passed, "exit_code": exit_code, "errors": errors, "warnings": warnings,
            "diagnostics": diagnostics}


# ---------------------------------------------------------------------------------------------
# keepalived.conf: the files of one configuration (main file and includes)
# ---------------------------------------------------------------------------------------------

INCLUDE_RE = re.compile(r"^(?:@\^?\S+\s+)?include\s+(\S+)")
INSTANCE_RE = re.compile(r"^(?:@\^?\S+\s+)?vrrp_instance\s+([^\s{]+)")


def strip_comment(line: str) -> str:
    """Removes a '#' or '!' comment that is not inside quotes."""
    quote = None
    for index, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "#!":
            return line[:index]
    return line


def config_lines(text: str) -> "Iterable[str]":
    for line in text.splitlines():
        stripped = strip_comment(line).strip()
        if stripped:
            yield stripped


def find_includes(text: str) -> "List[str]":
    result = []
    for line in config_lines(text):
        m = INCLUDE_RE.match(line)
        if m:
            result.append(m.group(1).strip("\"'"))
    return result


def find_instance_names(texts: "Iterable[str]") -> "Set[str]":
    names = set()  # type: Set[str]
    for text in texts:
        for line in config_lines(text):
            m = INSTANCE_RE.match(line)
            if m and "$" not in m.group(1) and "~" not in m.group(1):
                names.add(m.group(1))
    return names


class ConfigSet(object):
    """The files keepalived reads for one daemon, resolved the way keepalived resolves them."""

    def __init__(self, main: str, fs_root: str = "") -> None:
        self.main = main
        self.fs_root = fs_root
        self.files = []  # type: List[Dict[str, Any]]
        self.unmatched = []  # type: List[str]
        self.overrides = {}  # type: Dict[str, bytes]
        self.owner = None  # type: Optional[int]     # config_owner: whose besides root its files may be

    def load(self, overrides: "Optional[Dict[str, bytes]]" = None) -> "ConfigSet":
        self.overrides = overrides or {}
        self.files = []
        self.unmatched = []
        self.owner = config_owner(self.main, self.fs_root)
        self._visit(self.main, None, None, 0, set())
        return self

    def _visit(self, path: str, parent: "Optional[str]", pattern: "Optional[str]", depth: int, seen: "Set[str]") -> None:
        """Reads path (the main file, or what the include `pattern` of parent named) and, in place, its includes.
        Only what no other user controls is read (read_trusted; the configuration's owner is no other user, see
        config_owner): the agent reads as root what it returns, and keepalived -t reads the same files; a FIFO or
        device is refused by its type, a large file by its size."""
        if path in seen or len(self.files) >= MAX_INCLUDED_FILES or depth > MAX_INCLUDE_DEPTH:
            return
        seen.add(path)
        if path in self.overrides:
            data = self.overrides[path]
            st = None
        else:
            try:
                data, st = read_trusted(path, MAX_CONFIG_FILE_BYTES, self.fs_root, "a configuration file", self.owner)
            except FileNotFoundError:
                if parent is None:
                    raise AgentError(E_NOT_FOUND, "configuration file %s does not exist" % path)
                self.unmatched.append(path)
                return
            except AgentError as exc:
                if pattern is not None:
                    exc.message = "include '%s': %s" % (pattern, exc.message)
                    exc.details = {"file": path, "include": pattern, "included_from": parent}
                raise
            except PermissionError:
                raise AgentError(E_PERMISSION, "cannot read %s: permission denied" % path)
            except OSError as exc:
                raise AgentError(E_IO, "cannot read %s: %s" % (path, exc.strerror or exc))
        self.files.append({"path": path, "role": "main" if parent is None else "include",
                           "included_from": parent, "data": data,
                           "mtime": st.st_mtime if st is not None else None,
                           "mode": (st.st_mode & 0o7777) if st is not None else None})
        base = os.path.dirname(path)
        for pattern in find_includes(decode_text(data)):
            full = pattern if pattern.startswith("/") else os.path.normpath(os.path.join(base, pattern))
            import glob
            if glob.has_magic(full):
                prefix_len = len(self.fs_root)
                matches = sorted(m[prefix_len:] for m in glob.glob(self.fs_root + full)
                                 if not os.path.isdir(m))
                if not matches:
                    self.unmatched.append(full)
                for match in matches:
                    self._visit(match, path, pattern, depth + 1, seen)
            else:
                self._visit(full, path, pattern, depth + 1, seen)

    def paths(self) -> "List[str]":
        return [f["path"] for f in self.files]

    def texts(self) -> "List[str]":
        return [decode_text(f["data"]) for f in self.files]

    def to_json(self) -> "Dict[str, Any]":
        return {
            "main": self.main,
            "files": [{"path": f["path"], "role": f["role"], "included_from": f["included_from"],
                       "text": decode_text(f["data"]), "sha256": sha256_hex(f["data"]),
                       "size": len(f["data"]), "mtime": f["mtime"], "mode": f["mode"]}
                      for f in self.files],
            "unmatched_includes": list(self.unmatched),
        }


# ---------------------------------------------------------------------------------------------
# Files read as root to learn what keepalived would run, and the VRRP instances a configuration claims
# ---------------------------------------------------------------------------------------------

def file_key(st: os.stat_result) -> "Tuple[int, int, int, int]":
    """A file version: (dev, inode, size, mtime_ns)."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "not a regular file"


def _trusted_owners(also: "Optional[int]") -> str:
    """Whom a file may belong to (see trusted_uid), after "owned by uid N, "."""
    if also is None:
        return "not by root"
    return "neither by root nor by uid %d, the owner of the daemon's configuration" % also


def _not_trusted_because(st: os.stat_result, also: "Optional[int]" = None) -> str:
    """Why trusted_owner or trusted_directory refused st, in words."""
    if not trusted_uid(st.st_uid, also):
        return "owned by uid %d, %s" % (st.st_uid, _trusted_owners(also))
    return "writable by group or others (mode %04o)" % (st.st_mode & 0o7777)


def _refusal(message: str, st: os.stat_result, also: "Optional[int]", path: str) -> AgentError:
    """untrusted: UntrustedOwner when st's owner is what is wrong, else by its mode."""
    if not trusted_uid(st.st_uid, also):
        return UntrustedOwner(message, st.st_uid, {"file": path})
    return AgentError(E_UNTRUSTED, message, {"file": path})


def check_trusted(path: str, st: os.stat_result, limit: int, what: str = "a file", also: "Optional[int]" = None) -> None:
    """Raises AgentError unless st (an lstat) is a regular file owned by root (or by the agent's own uid when it
    does not run as root, or by `also`: see trusted_uid), writable by no group or other, and at most limit bytes
    (what: the kind of file, for the message)."""
    if not stat.S_ISREG(st.st_mode):
        kind = _file_kind(st.st_mode)
        blocks = kind not in ("a symbolic link", "a directory", "not a regular file")
        raise AgentError(E_UNTRUSTED, "%s is %s, not a regular file; it is not read%s"
                         % (path, kind, " (opening it could block for ever)" if blocks else ""), {"file": path})
    if not trusted_owner(st, also):
        raise _refusal("%s is %s" % (path, _not_trusted_because(st, also)), st, also, path)
    if st.st_size > limit:
        raise AgentError(E_TOO_LARGE, "%s is %d bytes, more than the %d bytes %s may have here; it is not read"
                         % (path, st.st_size, limit, what), {"file": path})


def check_reached(path: str, st: os.stat_result, limit: int, what: str, also: "Optional[int]",
                  theirs: "Optional[str]") -> None:
    """check_trusted, and when the way followed `theirs`, a symbolic link of the configuration owner's, the file
    must be theirs too: a link of theirs never shows a file of root's (/etc/shadow) under a name they chose. (They
    can name root's files in an include, in plain sight; keepalived reads them either way.)"""
    check_trusted(path, st, limit, what, also)
    if theirs is not None and st.st_uid != also:
        raise AgentError(E_UNTRUSTED, "%s is reached through %s, a symbolic link of uid %d, the owner of the daemon's "
                         "configuration, and is owned by uid %d: a link of theirs is followed only to a file of theirs"
                         % (path, theirs, also, st.st_uid), {"file": path})


def resolve_trusted(path: str, fs_root: str = "", also: "Optional[int]" = None) -> str:
    """path (absolute, in a filesystem view whose root is fs_root, "" for the agent's own) resolved as the kernel
    resolves it, each step checked: every directory passed owned by root (or the agent's uid, or `also`: see
    trusted_uid) and writable by no group or other unless sticky, every symbolic link followed owned by them too
    (it is resolved here, in fs_root, not by the kernel, which would resolve an absolute link in the agent's own
    root). A user who can replace anything on the way controls the file. Returns the resolved path, whose last part
    check_trusted is still to judge; AgentError (untrusted; UntrustedOwner when an owner is what is wrong) naming
    path and what on the way is not trusted; FileNotFoundError if a part is missing."""
    return _resolve_trusted(path, fs_root, also)[0]


def _resolve_trusted(path: str, fs_root: str, also: "Optional[int]") -> "Tuple[str, Optional[str]]":
    """resolve_trusted, and the first symbolic link of `also`'s followed on the way (None when none was)."""
    if not path.startswith("/"):
        raise AgentError(E_UNTRUSTED, "%s is not an absolute path" % path, {"file": path})
    root = os.lstat(fs_root + "/")
    if not trusted_directory(root, also):
        raise _refusal("%s is under /, a directory %s" % (path, _not_trusted_because(root, also)), root, also, path)
    done = []  # type: List[str]
    todo = [part for part in reversed(path.split("/")) if part]
    links = 0
    theirs = None  # type: Optional[str]
    while todo:
        part = todo.pop()
        if part == ".":
            continue
        if part == "..":
            if done:
                done.pop()
            continue
        current = "/" + "/".join(done + [part])
        st = os.lstat(fs_root + current)
        if stat.S_ISLNK(st.st_mode):
            if not trusted_uid(st.st_uid, also):
                way = "is" if current == path else "leads through %s," % current
                raise UntrustedOwner("%s %s a symbolic link owned by uid %d, %s"
                                     % (path, way, st.st_uid, _trusted_owners(also)), st.st_uid, {"file": path})
            if theirs is None and not trusted_uid(st.st_uid):
                theirs = current
            links += 1
            if links > MAX_SYMLINKS_FOLLOWED:
                raise AgentError(E_UNTRUSTED, "%s: more than %d symbolic links on the way" % (path, MAX_SYMLINKS_FOLLOWED),
                                 {"file": path})
            target = os.readlink(fs_root + current)
            if target.startswith("/"):
                done = []
            todo.extend(part for part in reversed(target.split("/")) if part)
            continue
        done.append(part)
        if todo and not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), current)
        if todo and not trusted_directory(st, also):
            raise _refusal("%s is under %s, a directory %s" % (path, current, _not_trusted_because(st, also)),
                           st, also, path)
    return "/" + "/".join(done), theirs


def config_owner(main: str, fs_root: str = "") -> "Optional[int]":
    """The one user besides root (and the agent's own) whom a root keepalived's configuration belongs to: the owner
    of its main file as its command line names it, of a directory on the way or of a link followed there (Neutron's
    /var/lib/neutron/ha_confs/<router>/keepalived.conf are the neutron user's), looked at as read_trusted looks. The
    files read for that daemon may be theirs too (trusted_uid). None when root alone owns them all, or when the
    look fails for another reason (the read that follows says why). AgentError (untrusted) when two users besides
    root own parts of it: it belongs to neither."""
    also = None  # type: Optional[int]
    first = None  # type: Optional[UntrustedOwner]
    while True:
        try:
            real = resolve_trusted(main, fs_root, also)
            check_trusted(main if real == main else "%s (a link to %s)" % (main, real), os.lstat(fs_root + real),
                          sys.maxsize, also=also)
            return also
        except UntrustedOwner as exc:
            if first is not None:
                raise AgentError(E_UNTRUSTED, "%s belongs to two users besides root, and a daemon's configuration is "
                                 "read only when it belongs to one at most: %s; and %s"
                                 % (main, first.message, exc.message), {"file": main})
            first = exc
            also = exc.uid
        except (AgentError, OSError):
            return also


def user_label(uid: int, fs_root: str = "") -> str:
    """"uid 64055 (neutron)" when the passwd file of the daemon's view (else the agent's) names uid, else
    "uid 64055". Read as a file, not through NSS, which may ask a directory server."""
    for root in ([fs_root] if fs_root else []) + [""]:
        try:
            data, _ = read_trusted(PASSWD_FILE, MAX_PASSWD_BYTES, root, "a passwd file")
        except (AgentError, OSError):
            continue
        for line in decode_text(data).splitlines():
            fields = line.split(":")
            if len(fields) > 2 and fields[2] == str(uid) and fields[0]:
                return "uid %d (%s)" % (uid, fields[0])
    return "uid %d" % uid


def lstat_signature(path: str) -> "Optional[Tuple[int, ...]]":
    """What a cached read of path depends on: its file_key, plus mode and owner (a chmod or chown
    changes whether it may be read, not its mtime), and for a symbolic link the same of what it leads
    to; None when it cannot be looked at."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            target = os.stat(path)
            return file_key(st) + (st.st_mode, st.st_uid) + file_key(target) + (target.st_mode, target.st_uid)
    except OSError:
        return None
    return file_key(st) + (st.st_mode, st.st_uid)


def read_trusted(path: str, limit: int, fs_root: str = "", what: str = "a file",
                 also: "Optional[int]" = None) -> "Tuple[bytes, os.stat_result]":
    """The bytes of path (in fs_root's view) when no other user controls it: resolve_trusted accepts the way to
    it and check_trusted the file, looked at before it is opened (a FIFO or device is never opened) and again
    once open, without following a final symbolic link and without blocking (a FIFO swapped in meanwhile cannot
    hang the agent). `also`: the daemon's configuration owner (config_owner) when the file is that daemon's; a
    link of theirs leads only to a file of theirs (check_reached). Messages name path, and what it leads to when
    that is another file. FileNotFoundError if missing."""
    real, theirs = _resolve_trusted(path, fs_root, also)
    shown = path if real == path else "%s (a link to %s)" % (path, real)
    full = fs_root + real
    check_reached(shown, os.lstat(full), limit, what, also, theirs)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | os.O_NOCTTY
    try:
        fd = os.open(full, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AgentError(E_UNTRUSTED, "%s became a symbolic link while it was read" % shown, {"file": path})
        raise
    try:
        fst = os.fstat(fd)
        check_reached(shown, fst, limit, what, also, theirs)     # what was opened, not what was looked at
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise AgentError(E_TOO_LARGE, "%s is more than the %d bytes %s may have here; it is not read" % (shown, limit, what),
                         {"file": path})
    return data, fst


def local_config_id() -> str:
    """keepalived's config id without -i: the node name up to its first dot."""
    return socket.gethostname().split(".")[0]


CLAIM_TOKEN_RE = re.compile(r'"[^"]*"|[{}]|[^\s{}"]+')
CLAIM_VAR_DEF_RE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
CLAIM_VAR_USE_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
CLAIM_STATES = ("MASTER", "BACKUP")
DEFAULT_VRRP_PRIORITY = 100
DEFAULT_VRRP_VERSION = 2


class ClaimStmt(object):
    """One keyword line of a configuration, with the block it opens (children), if any."""
    __slots__ = ("words", "file", "line", "children")

    def __init__(self, words: "List[str]", file: str, line: int) -> None:
        self.words = words
        self.file = file
        self.line = line
        self.children = None  # type: Optional[List[ClaimStmt]]


def claim_error(stmt_or_file: "Any", line: "Optional[int]", message: str) -> AgentError:
    if isinstance(stmt_or_file, ClaimStmt):
        file, line = stmt_or_file.file, stmt_or_file.line
    else:
        file = stmt_or_file
    where = "%s line %d" % (file, line) if line else file
    return AgentError(E_PARSE, "%s: %s" % (where, message), {"file": file, "line": line})


class ClaimsReader(object):
    """The VRRP instances a configuration claims (vrrp_instance blocks), for daemons whose instances
    no dump told: hung, dead, or not running. Files are read as ConfigSet resolves them (includes in
    place, relative to the including file, globs sorted) in the daemon's filesystem view, each through
    read_trusted, the configuration's owner allowed (config_owner). A result is kept while every file it read
    has the same (dev, inode, size, mtime_ns), mode and owner, every include glob the same matches and the
    configuration the same owner, so a rescan costs one lstat per file and per part of the main file's way, not a
    parse."""

    def __init__(self) -> None:
        # (fs_root, main, config_id) -> (signature, (instances, error)); signature: ("o", main, owner) first, then
        # ("f", path, key|None) per file read and ("g", pattern, matches) per include glob
        self.results = {}  # type: Dict[Tuple[str, str, str], Tuple[List[Tuple[Any, ...]], Tuple[List[Dict[str, Any]], Optional[Dict[str, Any]]]]]

    def load(self, main: str, fs_root: str, config_id: str) -> "Tuple[List[Dict[str, Any]], Optional[Dict[str, Any]]]":
        """(instance records, None), or ([], error) with error {code, message, file, line}."""
        key = (fs_root, main, config_id)
        cached = self.results.get(key)
        owner = None  # type: Optional[int]
        refused = None  # type: Optional[AgentError]
        try:
            owner = config_owner(main, fs_root)     # looked at each time: a directory's chown changes no file's key
        except AgentError as exc:
            refused = exc
        mark = ("o", main, refused.message if refused is not None else owner)
        if cached is not None and cached[0][0] == mark and self._still_valid(cached[0][1:], fs_root):
            return cached[1]
        signature = [mark]  # type: List[Tuple[Any, ...]]
        try:
            if refused is not None:
                raise refused
            lines = []  # type: List[Tuple[str, int, str]]
            self._expand(main, fs_root, None, 0, set(), {}, config_id, lines, signature, owner)
            result = (parse_claims(lines), None)  # type: Tuple[List[Dict[str, Any]], Optional[Dict[str, Any]]]
        except AgentError as exc:
            details = exc.details or {}
            result = ([], {"code": exc.code, "message": exc.message, "file": details.get("file"),
                           "line": details.get("line")})
        self.results[key] = (signature, result)
        return result

    def retain(self, keys: "Set[Tuple[str, str, str]]") -> None:
        for key in [k for k in self.results if k not in keys]:
            del self.results[key]

    @staticmethod
    def _still_valid(signature: "List[Tuple[Any, ...]]", fs_root: str) -> bool:
        import glob
        for kind, path, value in signature:
            if kind == "g":
                if _glob_config(glob, fs_root, path) != value:
                    return False
                continue
            if lstat_signature(fs_root + path) != value:
                return False
        return True

    def _expand(self, path: str, fs_root: str, parent: "Optional[str]", depth: int, seen: "Set[str]",
                variables: "Dict[str, str]", config_id: str, out: "List[Tuple[str, int, str]]",
                signature: "List[Tuple[Any, ...]]", owner: "Optional[int]") -> None:
        """Appends (file, line, text) of path and, in place, of its includes: conditionals applied,
        variables substituted, comments removed."""
        if path in seen or len(seen) >= MAX_INCLUDED_FILES or depth > MAX_INCLUDE_DEPTH:
            return
        seen.add(path)
        before = lstat_signature(fs_root + path)
        try:
            data, st = read_trusted(path, MAX_CLAIMS_FILE_BYTES, fs_root, "a configuration file", owner)
        except FileNotFoundError:
            signature.append(("f", path, None))
            if parent is None:
                raise AgentError(E_NOT_FOUND, "%s does not exist" % path, {"file": path})
            return      # keepalived goes on without a missing include
        except AgentError as exc:
            signature.append(("f", path, before))     # kept until the file changes
            exc.details = {"file": path}
            raise
        except OSError as exc:
            signature.append(("f", path, before))
            raise AgentError(E_PERMISSION if isinstance(exc, PermissionError) else E_IO,
                             "cannot read %s: %s" % (path, exc.strerror or exc), {"file": path})
        # a link: what lstat_signature sees of it and its target, looked at before the read (a change after that
        # is seen at the next rescan); a file: exactly the version read
        exact = before is not None and not stat.S_ISLNK(before[4])
        signature.append(("f", path, file_key(st) + (st.st_mode, st.st_uid) if exact else before))
        base = os.path.dirname(path)
        for number, raw in enumerate(decode_text(data).splitlines(), 1):
            line = strip_comment(raw).strip()
            if not line:
                continue
            if line[0] == "@":
                parts = line.split(None, 1)
                negate = parts[0].startswith("@^")
                if (parts[0][2 if negate else 1:] == config_id) == negate or len(parts) < 2:
                    continue
                line = parts[1]
            if line[0] == "$":
                m = CLAIM_VAR_DEF_RE.match(line)
                if m:
                    variables[m.group(1)] = m.group(2).strip()
                    continue
            if variables and "$" in line:
                line = CLAIM_VAR_USE_RE.sub(lambda v: variables.get(v.group(1) or v.group(2), v.group(0)), line)
            m = INCLUDE_RE.match(line)
            if m is None:
                out.append((path, number, line))
                continue
            pattern = m.group(1).strip("\"'")
            full = pattern if pattern.startswith("/") else os.path.normpath(os.path.join(base, pattern))
            import glob
            if glob.has_magic(full):
                matches = _glob_config(glob, fs_root, full)
                signature.append(("g", full, matches))
                for match in matches:
                    self._expand(match, fs_root, path, depth + 1, seen, variables, config_id, out, signature, owner)
            else:
                self._expand(full, fs_root, path, depth + 1, seen, variables, config_id, out, signature, owner)


def _glob_config(glob: "Any", fs_root: str, pattern: str) -> "List[str]":
    """An include glob's matches in the daemon's view, sorted, directories left out (as ConfigSet)."""
    return sorted(m[len(fs_root):] for m in glob.glob(fs_root + pattern) if not os.path.isdir(m))


def claim_statements(lines: "List[Tuple[str, int, str]]") -> "List[ClaimStmt]":
    """keepalived's block structure: a line is a keyword and its words; '{' opens a block for the
    keyword before it (on the same line, or the line before), '}' closes one."""
    root = []  # type: List[ClaimStmt]
    stack = [root]
    opened = []  # type: List[ClaimStmt]
    for file, number, text in lines:
        words = []  # type: List[str]
        for token in CLAIM_TOKEN_RE.findall(text):
            if token == "{":
                current = stack[-1]
                if words:
                    stmt = ClaimStmt(words, file, number)
                    current.append(stmt)
                elif current and current[-1].children is None:
                    stmt = current[-1]      # the keyword was alone on the line before
                else:
                    raise claim_error(file, number, "'{' without a keyword")
                words = []
                stmt.children = []
                stack.append(stmt.children)
                opened.append(stmt)
            elif token == "}":
                if words:
                    stack[-1].append(ClaimStmt(words, file, number))
                    words = []
                if len(stack) == 1:
                    raise claim_error(file, number, "'}' without a block to close")
                stack.pop()
                opened.pop()
            else:
                words.append(token[1:-1] if token[0] == '"' else token)
        if words:
            stack[-1].append(ClaimStmt(words, file, number))
    if opened:
        raise claim_error(opened[-1], None, "block %s is not closed (missing '}')" % " ".join(opened[-1].words))
    return root


def _claim_number(stmt: ClaimStmt, low: float, high: float, integer: bool = True) -> "Any":
    if len(stmt.words) < 2:
        raise claim_error(stmt, None, "%s needs a value" % stmt.words[0])
    text = stmt.words[1]
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise claim_error(stmt, None, "%s %r is not a number from %s to %s" % (stmt.words[0], text, low, high))
    return value


def _whole(value: float) -> "Any":
    return int(value) if value == int(value) else value


def _claim_addresses(block: ClaimStmt, with_prefix: bool) -> "List[Tuple[str, Optional[str]]]":
    """The addresses of a virtual_ipaddress(_excluded) or unicast_peer block: (address or cidr, dev)."""
    result = []
    for stmt in block.children or []:
        text = stmt.words[0]
        addr, _, prefix = text.partition("/")
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        try:
            socket.inet_pton(family, addr)
        except (OSError, ValueError):
            raise claim_error(stmt, None, "%r is not an IP address (in %s)" % (text, block.words[0]))
        if prefix and (not prefix.isdigit() or int(prefix) > (128 if family == socket.AF_INET6 else 32)):
            raise claim_error(stmt, None, "%r has an invalid prefix (in %s)" % (text, block.words[0]))
        canonical, length = normalise_address(text)
        dev = None
        if "dev" in stmt.words:
            index = stmt.words.index("dev")
            dev = stmt.words[index + 1] if index + 1 < len(stmt.words) else None
        result.append(("%s/%d" % (canonical, length) if with_prefix else canonical, dev))
    return result


def parse_claims(lines: "List[Tuple[str, int, str]]") -> "List[Dict[str, Any]]":
    """Instance records (as a dump gives them, state UNKNOWN, source config) of every vrrp_instance."""
    statements = claim_statements(lines)
    default_version = DEFAULT_VRRP_VERSION
    for stmt in statements:
        if stmt.words[0] == "global_defs":
            for inner in stmt.children or []:
                if inner.words[0] == "vrrp_version":
                    default_version = _claim_number(inner, 2, 3)
    instances = []
    for stmt in statements:
        if stmt.words[0] != "vrrp_instance":
            continue
        if len(stmt.words) < 2 or stmt.children is None:
            raise claim_error(stmt, None, "vrrp_instance needs a name and a block")
        record = _claim_instance(stmt, default_version)
        if record is not None:
            instances.append(record)
    return instances


def _claim_instance(block: ClaimStmt, default_version: int) -> "Optional[Dict[str, Any]]":
    name = block.words[1]
    if "$" in name or "~" in name:
        return None     # a name made by a sequence or an undefined variable: not followed
    fields = {"vrid": None, "wantstate": "BACKUP", "priority": DEFAULT_VRRP_PRIORITY, "interface": None,
              "advert_int": DEFAULT_ADVERT_INT_S, "version": None, "nopreempt": False, "preempt_delay": 0,
              "auth_type": "none", "ipv6": False}  # type: Dict[str, Any]
    vips = []  # type: List[Tuple[str, Optional[str]]]
    evips = []  # type: List[Tuple[str, Optional[str]]]
    peers = []  # type: List[Tuple[str, Optional[str]]]
    for stmt in block.children or []:
        keyword = stmt.words[0]
        if keyword == "state" and len(stmt.words) > 1 and stmt.words[1].upper() in CLAIM_STATES:
            fields["wantstate"] = stmt.words[1].upper()
        elif keyword == "interface" and len(stmt.words) > 1:
            fields["interface"] = stmt.words[1]
        elif keyword == "virtual_router_id":
            fields["vrid"] = _claim_number(stmt, 1, 255)
        elif keyword == "priority":
            fields["priority"] = _claim_number(stmt, 1, 255)
        elif keyword == "advert_int":
            fields["advert_int"] = _whole(_claim_number(stmt, 0.001, 255, integer=False))
        elif keyword in ("version", "vrrp_version"):
            fields["version"] = _claim_number(stmt, 2, 3)
        elif keyword == "nopreempt":
            fields["nopreempt"] = True
        elif keyword == "preempt_delay":
            fields["preempt_delay"] = _whole(_claim_number(stmt, 0, 1000, integer=False))
        elif keyword == "native_ipv6":
            fields["ipv6"] = True
        elif keyword == "authentication":
            for inner in stmt.children or []:
                if inner.words[0] == "auth_type" and len(inner.words) > 1:
                    fields["auth_type"] = {"PASS": "PASS", "AH": "AH"}.get(inner.words[1].upper(), "none")
        elif keyword == "virtual_ipaddress":
            vips.extend(_claim_addresses(stmt, True))
        elif keyword == "virtual_ipaddress_excluded":
            evips.extend(_claim_addresses(stmt, True))
        elif keyword == "unicast_peer":
            peers.extend(_claim_addresses(stmt, False))
    if fields["vrid"] is None:
        return None     # keepalived refuses such an instance ("the virtual router id must be set")
    version = fields["version"]
    if version is None:
        # an IPv6 instance (first VIP, or native_ipv6) is VRRPv3 whatever the global default
        ipv6 = fields["ipv6"] or (bool(vips) and ":" in vips[0][0])
        version = 3 if ipv6 else default_version
    details = [dict(parse_vip(cidr), dev=dev) for cidr, dev in vips] + \
        [dict(parse_vip(cidr), dev=dev, excluded=True) for cidr, dev in evips]
    for vip in details:
        vip["set"] = None
    return {
        "instance": name, "vrid": fields["vrid"], "state": STATE_UNKNOWN, "wantstate": fields["wantstate"],
        "base_priority": fields["priority"], "effective_priority": fields["priority"], "master_priority": None,
        "interface": fields["interface"], "vmac_interface": None, "advert_int": fields["advert_int"],
        "version": version, "nopreempt": fields["nopreempt"], "preempt_delay": fields["preempt_delay"],
        "auth_type": "none" if version == 3 else fields["auth_type"], "last_transition": None,
        "vips_set": None, "vips": [cidr for cidr, _ in vips], "excluded_vips": [cidr for cidr, _ in evips],
        "vip_details": details, "unicast_peers": [addr for addr, _ in peers],
        "track_scripts": [], "track_interfaces": [], "stats": {}, "source": SOURCE_CONFIG,
    }


# ---------------------------------------------------------------------------------------------
# keepalived.service: the command line systemd would run (read, never run)
# ---------------------------------------------------------------------------------------------

UNIT_VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
UNIT_EXEC_PREFIXES = "-@:+!"


def split_unit_words(text: str) -> "List[Tuple[str, bool]]":
    """systemd's word splitting of a command line or assignment list: (word, was quoted)."""
    words = []  # type: List[Tuple[str, bool]]
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        word = []
        quoted = False
        while i < n and not text[i].isspace():
            ch = text[i]
            if ch in "\"'":
                quoted = True
                end = i + 1
                while end < n and text[end] != ch:
                    if text[end] == "\\" and ch == '"' and end + 1 < n:
                        end += 1
                    word.append(text[end])
                    end += 1
                i = end + 1
                continue
            if ch == "\\" and i + 1 < n:
                i += 1
                ch = text[i]
            word.append(ch)
            i += 1
        words.append(("".join(word), quoted))
    return words


def parse_env_file(text: str) -> "Dict[str, str]":
    """KEY=VALUE lines of an EnvironmentFile (Debian's DAEMON_ARGS, RHEL's KEEPALIVED_OPTIONS)."""
    env = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, eq, value = line.partition("=")
        key = key.strip()
        if not eq or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        env[key] = value
    return env


def parse_unit(text: str) -> "Dict[str, Any]":
    """The [Service] lines that matter: the last ExecStart, Environment and EnvironmentFile."""
    result = {"exec_start": None, "environment": {}, "env_files": []}  # type: Dict[str, Any]
    section = None
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]":
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if key == "ExecStart":
            result["exec_start"] = value or None
        elif key == "Environment":
            if not value:
                result["environment"] = {}
            for word, _ in split_unit_words(value):
                name, eq, setting = word.partition("=")
                if eq:
                    result["environment"][name] = setting
        elif key == "EnvironmentFile":
            if not value:
                result["env_files"] = []
            else:
                result["env_files"].append((value.lstrip("-"), value.startswith("-")))
    return result


def unit_exec_argv(exec_start: str, env: "Dict[str, str]") -> "List[str]":
    """ExecStart as the argv systemd would start: $VAR split into words, ${VAR} one word."""
    words = split_unit_words(exec_start)
    if not words:
        return []
    first, quoted = words[0]
    prefix = ""
    while first and first[0] in UNIT_EXEC_PREFIXES:
        prefix += first[0]
        first = first[1:]
    words[0] = (first, quoted)
    if not first:
        words = words[1:]
    if "@" in prefix and words:
        words = words[1:]   # @path argv0 ...: the first word is run, the second is its argv[0]
    argv = []
    for word, quoted in words:
        m = UNIT_VAR_RE.match(word)
        if not quoted and m and m.group(2) and m.end() == len(word):
            argv.extend(env.get(m.group(2), "").split())
            continue
        argv.append(UNIT_VAR_RE.sub(lambda v: env.get(v.group(1) or v.group(2), ""), word))
    return argv


# ---------------------------------------------------------------------------------------------
# /proc discovery
# ---------------------------------------------------------------------------------------------

KA_SHORT_WITH_ARG = set("fprcbsiSguMA")
KA_LONG_WITH_ARG = {
    "use-file": "f", "pid": "p", "vrrp_pid": "r", "checkers_pid": "c", "bfd_pid": "b",
    "namespace": "s", "config-id": "i", "log-facility": "S", "log-file": "g", "umask": "u",
    "core-dump-pattern": "M", "snmp-agent-socket": "A",
}
KA_LONG_FLAGS = {"vrrp": "P", "check": "C", "no_bfd": "B", "dont-fork": "n", "log-console": "l",
                 "log-detail": "D", "dont-respawn": "R", "all": "all"}


def parse_keepalived_argv(argv: "List[str]") -> "Dict[str, Any]":
    """getopt_long-compatible parse of a keepalived command line into {letter: value}."""
    opts = {}  # type: Dict[str, Any]
    i = 1
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if name in KA_LONG_WITH_ARG:
                if not eq and i < len(argv):
                    value = argv[i]
                    i += 1
                opts[KA_LONG_WITH_ARG[name]] = value
            elif name in KA_LONG_FLAGS:
                opts[KA_LONG_FLAGS[name]] = True
            elif name == "config-test":
                opts["t"] = value or True
            else:
                opts[name] = value if eq else True
        elif arg.startswith("-") and len(arg) > 1:
            j = 1
            while j < len(arg):
                letter = arg[j]
                j += 1
                if letter in KA_SHORT_WITH_ARG:
                    value = arg[j:]
                    if not value and i < len(argv):
                        value = argv[i]
                        i += 1
                    opts[letter] = value
                    break
                opts[letter] = True
    return opts


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
    try:
        with open("%s/%d/cgroup" % (proc_root, pid), "r") as f:
            for line in f:
                path = line.rstrip("\n").split(":", 2)[-1]
                for part in reversed(path.split("/")):
                    if part.endswith(".service"):
                        return part
    except OSError:
        pass
    return None


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
        self.fs_root = ""
        self.tmp_fs_root = ""
        self.exe = ""
        self.exe_key = None  # type: Optional[Tuple[int, int]]
        self.version = None  # type: Optional[str]
        self.neutron_router = None  # type: Optional[str]
        self.systemd_unit = None  # type: Optional[str]
        self.started_at = None  # type: Optional[float]
        self.configured_only = False    # known from its configuration only: never seen running
        # live state
        self.instances = {}  # type: Dict[str, Dict[str, Any]]
        self.instances_from = None  # type: Optional[str]     # SOURCE_DUMP, SOURCE_CONFIG or None
        self.claims = None  # type: Optional[List[Dict[str, Any]]]   # the ClaimsReader result in instances
        self.config_error = None  # type: Optional[Dict[str, Any]]  # why there are no claims
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
        return self.tmp_fs_root + os.path.join(self.tmpdir, JSON_DUMP_NAME if kind == "json" else TEXT_DUMP_NAME)

    def to_json(self) -> "Dict[str, Any]":
        return {
            "name": self.name, "pid": self.pid, "vrrp_pid": self.vrrp_pid,
            "children": [{"pid": pid, "role": role} for pid, (role, _) in sorted(self.children.items())],
            "alive": self.alive, "responsive": self.responsive, "stopped_reason": self.stopped_reason,
            "config": self.config, "config_id": self.config_id, "pid_file": self.pid_file,
            "vrrp_pid_file": self.vrrp_pid_file, "checkers_pid_file": self.checkers_pid_file,
            "netns": self.netns_name, "netns_inode": self.netns_inode, "own_netns": self.own_netns,
            "tmpdir": self.tmpdir, "exe": self.exe, "version": self.version,
            "neutron_router": self.neutron_router, "systemd_unit": self.systemd_unit,
            "managed_by": "systemd" if self.reload_unit() else ("neutron" if self.neutron_router else "signal"),
            "started_at": self.started_at, "cmdline": self.cmdline,
            "instances_from": self.instances_from, "config_error": self.config_error,
        }

    def reload_unit(self) -> "Optional[str]":
        unit = self.systemd_unit
        if unit and unit.startswith("keepalived") and which("systemctl"):
            return unit
        return None


def daemon_key(d: Daemon) -> str:
    """What stays the same when a daemon restarts: Neutron router id, else config and netns."""
    if d.neutron_router:
        return "neutron|" + d.neutron_router
    where = "own" if d.own_netns else (d.netns_name or str(d.netns_inode))
    return "%s|%s" % (d.config, where)


class Discovery(object):
    """Finds keepalived processes in /proc, caching what it learnt about every pid."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.proc_root = settings.proc_root
        self.cache = {}  # type: Dict[int, ProcEntry]
        self.scans = 0
        self.boot_time = self._boot_time()
        self.clock_ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.own_netns = self._inode("%s/self/ns/net" % self.proc_root)
        self.own_mntns = self._inode("%s/self/ns/mnt" % self.proc_root)
        self.version_cache = {}  # type: Dict[Tuple[int, int], Optional[str]]
        self.refused = set()  # type: Set[int]
        self.probes = ProbeCache(Path(settings.state_dir) / PROBE_CACHE_FILE if settings.state_dir else None)
        self.netns_cache = None  # type: Optional[Tuple[int, Dict[int, str]]]
        self.unit_cache = None  # type: Optional[Tuple[str, List[Tuple[str, Any]], Optional[Dict[str, Any]]]]

    def _boot_time(self) -> float:
        try:
            with open("%s/stat" % self.proc_root, "r") as f:
                for line in f:
                    if line.startswith("btime "):
                        return float(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0.0

    @staticmethod
    def _inode(path: str) -> int:
        try:
            return os.stat(path).st_ino
        except OSError:
            return 0

    def netns_names(self) -> "Dict[int, str]":
        """{inode: name} of the named network namespaces, read once per scan (stat of each)."""
        if self.netns_cache is not None and self.netns_cache[0] == self.scans:
            return self.netns_cache[1]
        names = {}
        try:
            with os.scandir(self.settings.netns_dir) as it:
                for entry in it:
                    try:
                        names[os.stat(entry.path).st_ino] = entry.name
                    except OSError:
                        continue
        except OSError:
            pass
        self.netns_cache = (self.scans, names)
        return names

    def scan(self, recheck: "Optional[Set[int]]" = None) -> "Dict[int, Tuple[ProcEntry, List[ProcEntry]]]":
        """Every live keepalived main process (zombies are dead): {pid: (entry, children)}.

        Known pids are not read again (pidfds report their exit) except those in `recheck` and,
        every FULL_RESCAN_EVERY scans, all of them (which also catches a pid reused in between)."""
        self.scans += 1
        full = self.scans % FULL_RESCAN_EVERY == 0
        try:
            pids = [int(name) for name in os.listdir(self.proc_root) if name.isdigit()]
        except OSError as exc:
            LOG.error("cannot list %s: %s", self.proc_root, exc)
            return {}
        present = set(pids)
        for pid in list(self.cache):
            if pid not in present:
                del self.cache[pid]
        self.refused &= present
        for pid in pids:
            entry = self.cache.get(pid)
            if entry is not None and not full and (not entry.keepalived or not recheck or pid not in recheck):
                continue
            fresh = read_proc_stat(self.proc_root, pid)
            if fresh is None:
                self.cache.pop(pid, None)
                continue
            if entry is not None and entry.starttime == fresh.starttime and entry.keepalived:
                fresh.keepalived = True
            else:
                fresh.keepalived = self._looks_like_keepalived(fresh)
            self.cache[pid] = fresh
        ka = {pid: e for pid, e in self.cache.items() if e.keepalived and e.state not in ("Z", "X", "x")}
        mains = {}  # type: Dict[int, Tuple[ProcEntry, List[ProcEntry]]]
        for e in ka.values():
            if e.ppid not in ka:
                mains[e.pid] = (e, [])
        for e in ka.values():
            if e.ppid in mains:
                mains[e.ppid][1].append(e)
        return mains

    def _trusted_process(self, pid: int) -> bool:
        """Root's keepalived (or the agent's own user's, when it does not run as root) whose executable nobody
        else can have written. Refusals are logged once per pid."""
        uids = process_uids(self.proc_root, pid)
        why = None  # type: Optional[str]
        if uids is None or any(uid not in (0, os.geteuid()) for uid in uids):
            why = "it runs as uid %s" % (uids[0] if uids else "unknown")
        else:
            try:
                if not trusted_owner(os.stat("%s/%d/exe" % (self.proc_root, pid))):
                    why = "its executable is owned by another user or writable by others"
            except OSError as exc:
                why = "its executable cannot be looked at (%s)" % (exc.strerror or exc)
        if why is not None and pid not in self.refused:
            self.refused.add(pid)
            LOG.warning("pid %d is called keepalived but is not managed: %s", pid, why)
        return why is None

    def _looks_like_keepalived(self, entry: ProcEntry) -> bool:
        if entry.comm.startswith("keepalived"):
            return True
        parent = self.cache.get(entry.ppid)
        if parent is not None and parent.keepalived:
            argv = read_cmdline(self.proc_root, entry.pid)
            return bool(argv) and os.path.basename(argv[0]) == "keepalived"
        return False

    def build(self, entry: ProcEntry, kids: "List[ProcEntry]") -> "Optional[Daemon]":
        """The static facts of one keepalived main process; None if it is not a daemon to manage."""
        argv = read_cmdline(self.proc_root, entry.pid)
        if not argv:
            return None
        opts = parse_keepalived_argv(argv)
        if any(k in opts for k in ("t", "v", "h", "T", "signum", "d")):
            return None     # a config test or a probe, not a daemon
        if not self._trusted_process(entry.pid):
            return None     # anyone can start a program called keepalived: nothing of it is read or run
        netns_names = self.netns_names()
        d = Daemon(entry.pid, entry.starttime)
        d.cmdline = argv
        d.options = opts
        cwd = self._readlink("%s/%d/cwd" % (self.proc_root, entry.pid)) or "/"
        d.config = self._absolute(opts.get("f") or self.settings.default_config, cwd)
        if self.settings.match_config and not fnmatch.fnmatch(d.config, self.settings.match_config):
            return None     # not ours to manage: nothing more is read of it, and nothing is run for it
        d.config_id = opts.get("i") if isinstance(opts.get("i"), str) else None
        d.pid_file = self._absolute(opts.get("p") or DEFAULT_PID_FILE, cwd)
        d.vrrp_pid_file = self._absolute(opts.get("r") or DEFAULT_VRRP_PID_FILE, cwd)
        d.checkers_pid_file = self._absolute(opts.get("c") or DEFAULT_CHECKERS_PID_FILE, cwd)
        env = read_environ(self.proc_root, entry.pid)
        d.tmpdir = env.get("TMPDIR") or DEFAULT_TMPDIR
        d.netns_inode = self._inode("%s/%d/ns/net" % (self.proc_root, entry.pid))
        d.own_netns = d.netns_inode == self.own_netns
        d.netns_name = None if d.own_netns else netns_names.get(d.netns_inode)
        d.netns_path = (os.path.join(self.settings.netns_dir, d.netns_name) if d.netns_name
                        else "%s/%d/ns/net" % (self.proc_root, entry.pid))
        mntns = self._inode("%s/%d/ns/mnt" % (self.proc_root, entry.pid))
        root = "%s/%d/root" % (self.proc_root, entry.pid)
        if mntns and mntns != self.own_mntns:
            d.fs_root = "" if self._same_file(d.config, root + d.config) else root
            d.tmp_fs_root = "" if self._same_file(d.tmpdir, root + d.tmpdir) else root
        m = NEUTRON_CONF_RE.search(d.config)
        if m:
            d.neutron_router = m.group(1)
        d.systemd_unit = systemd_unit(self.proc_root, entry.pid)
        if self.boot_time:
            d.started_at = round(self.boot_time + entry.starttime / float(self.clock_ticks), 3)
        exe_link = "%s/%d/exe" % (self.proc_root, entry.pid)
        target = self._readlink(exe_link)
        d.exe = target[:-len(" (deleted)")] if target and target.endswith(" (deleted)") else (target or "")
        try:
            st = os.stat(exe_link)
            d.exe_key = (st.st_dev, st.st_ino)
        except OSError:
            d.exe_key = None
        d.version = self.version_for(d)
        self.children(d, kids)
        return d

    def children(self, d: Daemon, kids: "List[ProcEntry]") -> None:
        """Which child is the VRRP process: the -r pid file says, else the only child under -P."""
        roles = {}
        for role, pid_file in (("vrrp", d.vrrp_pid_file), ("checker", d.checkers_pid_file)):
            try:
                with open(d.fs_root + pid_file, "r") as f:
                    roles[int(f.read().strip() or 0)] = role
            except (OSError, ValueError):
                pass
        kids = sorted(kids, key=lambda e: e.pid)
        d.children = {}
        for e in kids:
            role = roles.get(e.pid, "unknown")
            d.children[e.pid] = (role, e.starttime)
        vrrp = [pid for pid, (role, _) in d.children.items() if role == "vrrp"]
        if not vrrp and len(kids) == 1 and "C" not in d.options:
            vrrp = [kids[0].pid]
            d.children[kids[0].pid] = ("vrrp", kids[0].starttime)
        d.vrrp_pid = vrrp[0] if vrrp else None

    def _readlink(self, path: str) -> "Optional[str]":
        try:
            return os.readlink(path)
        except OSError:
            return None

    @staticmethod
    def _absolute(path: str, cwd: str) -> str:
        return os.path.normpath(path if path.startswith("/") else os.path.join(cwd, path))

    @staticmethod
    def _same_file(a: str, b: str) -> bool:
        try:
            sa, sb = os.stat(a), os.stat(b)
        except OSError:
            return False
        return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)

    # -- configurations keepalived would run (whether or not it runs) --------------------------

    def configured(self, skip: "Set[str]", known: "Optional[Dict[str, Daemon]]" = None) -> "Dict[str, Daemon]":
        """Daemons this node's configuration would run, keyed by daemon_key, leaving out the keys in
        `skip` (daemons already known from /proc): keepalived.service's command line, the default
        configuration, and every Neutron HA router in neutron_ha_confs. A candidate exists while its
        configuration file does (read or not: an untrusted one is reported, not skipped). A Neutron
        router in `known` (by key) is that daemon again, not a new one: one lstat per rescan."""
        found = {}  # type: Dict[str, Daemon]
        known = known or {}
        unit = self.unit_command()
        if unit is not None:
            opts = parse_keepalived_argv(unit["argv"])
            netns = opts.get("s") if isinstance(opts.get("s"), str) else None
            self._add_configured(found, skip, self.configured_daemon(
                self._absolute(opts.get("f") or self.settings.default_config, "/"),
                pid_file=self._absolute(opts.get("p") or DEFAULT_PID_FILE, "/"),
                vrrp_pid_file=self._absolute(opts.get("r") or DEFAULT_VRRP_PID_FILE, "/"),
                checkers_pid_file=self._absolute(opts.get("c") or DEFAULT_CHECKERS_PID_FILE, "/"),
                config_id=opts.get("i") if isinstance(opts.get("i"), str) else None,
                netns_name=netns, unit=unit["unit"], argv=unit["argv"]))
        self._add_configured(found, skip, self.configured_daemon(self.settings.default_config))
        ha_confs = self.settings.neutron_ha_confs
        if ha_confs:
            try:
                names = os.listdir(ha_confs)
            except OSError:
                names = []
            for router in names:
                key = "neutron|" + router
                if key in skip or not NEUTRON_ROUTER_RE.match(router):
                    continue    # a running router costs no stat
                if key in known:
                    if os.path.lexists(known[key].config):
                        found[key] = known[key]
                    continue
                base = os.path.join(ha_confs, router)
                self._add_configured(found, skip, self.configured_daemon(
                    os.path.join(base, NEUTRON_CONF_NAME), pid_file=base + NEUTRON_PID_SUFFIX,
                    vrrp_pid_file=base + NEUTRON_VRRP_PID_SUFFIX, netns_name=NEUTRON_NETNS_PREFIX + router,
                    neutron_router=router))
        return found

    def _add_configured(self, found: "Dict[str, Daemon]", skip: "Set[str]", d: "Daemon") -> None:
        if d.key in skip or d.key in found or not os.path.lexists(d.config):
            return
        if self.settings.match_config and not fnmatch.fnmatch(d.config, self.settings.match_config):
            return
        d.stopped_reason = self.stopped_reason(d)
        found[d.key] = d

    def configured_daemon(self, config: str, pid_file: str = DEFAULT_PID_FILE,
                          vrrp_pid_file: str = DEFAULT_VRRP_PID_FILE, checkers_pid_file: str = DEFAULT_CHECKERS_PID_FILE,
                          config_id: "Optional[str]" = None, netns_name: "Optional[str]" = None,
                          neutron_router: "Optional[str]" = None, unit: "Optional[str]" = None,
                          argv: "Optional[List[str]]" = None) -> "Daemon":
        """A daemon known only from its configuration: not running (pid null)."""
        d = Daemon(None, None)
        d.alive = False
        d.responsive = False
        d.configured_only = True
        d.config = config
        d.pid_file = pid_file
        d.vrrp_pid_file = vrrp_pid_file
        d.checkers_pid_file = checkers_pid_file
        d.config_id = config_id
        d.netns_name = netns_name
        d.neutron_router = neutron_router
        d.systemd_unit = os.path.basename(unit) if unit else None
        d.cmdline = list(argv or [])
        d.exe = d.cmdline[0] if d.cmdline else ""
        self.locate_netns(d)
        d.key = daemon_key(d)
        return d

    def locate_netns(self, d: "Daemon") -> bool:
        """The network namespace of a daemon known from its configuration: the named one (when it
        exists; inode 0 until then) or the agent's own. True when it changed."""
        before = (d.netns_inode, d.own_netns)
        if d.netns_name is None or d.netns_name == "":
            d.netns_name = None
            d.netns_inode, d.own_netns, d.netns_path = self.own_netns, True, ""
        else:
            d.netns_path = os.path.join(self.settings.netns_dir, d.netns_name)
            d.netns_inode = self._inode(d.netns_path)
            d.own_netns = False
        return (d.netns_inode, d.own_netns) != before

    @staticmethod
    def stopped_reason(d: "Daemon") -> str:
        """keepalived removes its pid file when it stops; a kill (or a crash) leaves it behind."""
        return "died" if os.path.lexists(d.fs_root + d.pid_file) else "stopped"

    def unit_command(self) -> "Optional[Dict[str, Any]]":
        """{unit, argv}: the first keepalived.service found in systemd_unit_dirs, its ExecStart with
        Environment and EnvironmentFile variables expanded; None without one that may be read. Kept
        while the unit and its environment files are unchanged (one lstat each per rescan)."""
        unit_path = None
        for directory in self.settings.systemd_unit_dirs:
            path = os.path.join(directory, SYSTEMD_UNIT_NAME)
            if directory and os.path.lexists(path):
                unit_path = path
                break
        if unit_path is None:
            self.unit_cache = None
            return None
        cached = self.unit_cache
        if cached is not None and cached[0] == unit_path and \
                all(lstat_signature(path) == sig for path, sig in cached[1]):
            return cached[2]
        signature = []  # type: List[Tuple[str, Any]]
        result = None  # type: Optional[Dict[str, Any]]
        current = unit_path
        try:
            signature.append((unit_path, lstat_signature(unit_path)))
            data, _ = read_trusted(unit_path, MAX_UNIT_FILE_BYTES, what="a unit file")
            unit = parse_unit(decode_text(data))
            env = dict(unit["environment"])
            for current, _optional in unit["env_files"]:
                signature.append((current, lstat_signature(current)))
                try:
                    env_data, _ = read_trusted(current, MAX_UNIT_FILE_BYTES, what="an environment file")
                except FileNotFoundError:
                    continue    # systemd starts without an optional one (and fails without another)
                env.update(parse_env_file(decode_text(env_data)))
            argv = unit_exec_argv(unit["exec_start"], env) if unit["exec_start"] else []
            if argv:
                result = {"unit": unit_path, "argv": argv}
        except AgentError as exc:
            LOG.warning("not using %s: %s", unit_path, exc.message)
        except OSError as exc:
            LOG.warning("not using %s: cannot read %s: %s", unit_path, current, exc.strerror or exc)
        self.unit_cache = (unit_path, signature, result)
        return result

    def version_for(self, d: Daemon) -> "Optional[str]":
        """The version of the trusted keepalived, if the daemon runs that very file; else unknown (its binary was
        replaced since it started, or it lives in a container's root): a daemon's own binary is never run."""
        trusted = self.trusted_binary_for(d)
        if trusted is None:
            return None
        if d.exe_key not in self.version_cache:
            self.version_cache[d.exe_key] = self.probes.version_info(trusted).get("version")
        return self.version_cache[d.exe_key]

    def trusted_binary_for(self, d: Daemon) -> "Optional[str]":
        """The trusted keepalived when it is the file the daemon runs (same device and inode), else None."""
        trusted = trusted_keepalived(self.settings.keepalived_bin)
        if trusted is None or d.exe_key is None:
            return None
        try:
            st = os.stat(trusted)
        except OSError:
            return None
        return trusted if (st.st_dev, st.st_ino) == d.exe_key else None


VERSION_RE = re.compile(r"Keepalived v(\S+)(?: \(([^)]*)\))?")


def probe_keepalived(exe: str) -> "Dict[str, Any]":
    """`keepalived --version`: version, build date and build options."""
    info = {"path": exe, "version": None, "build_date": None, "configure_options": [],
            "config_options": [], "system_options": []}  # type: Dict[str, Any]
    try:
        _, out, err = run_command([exe, "--version"], VERSION_PROBE_TIMEOUT_S)
    except AgentError as exc:
        info["error"] = exc.message
        return info
    for line in (out + "\n" + err).splitlines():
        m = VERSION_RE.search(line)
        if m and info["version"] is None:
            info["version"] = m.group(1)
            info["build_date"] = m.group(2)
        for prefix, key in (("configure options:", "configure_options"), ("Config options:", "config_options"),
                            ("System options:", "system_options")):
            if line.strip().startswith(prefix):
                info[key] = line.strip()[len(prefix):].split()
    return info


def probe_signum(exe: str, name: str) -> "Optional[int]":
    return probe_signum_answer(exe, name)[1]


def probe_signum_answer(exe: str, name: str) -> "Tuple[bool, Optional[int]]":
    """`keepalived --signum=NAME`: (whether keepalived answered at all, the signal number or None)."""
    try:
        code, out, _ = run_command([exe, "--signum=%s" % name], VERSION_PROBE_TIMEOUT_S)
    except AgentError:
        return False, None
    out = out.strip()
    return True, (int(out) if code == 0 and out.isdigit() and int(out) > 0 else None)


class ProbeCache(object):
    """What `keepalived --version` and `--signum=NAME` answered, per executable file, kept in
    <state_dir>/cache/keepalived-probes.json across sessions.

    Why: those four probes were a fifth of an agent's start (~25 ms of CPU, four fork+execs of a
    20 MB process), and an agent starts for every session; 100 sessions at once start 100 agents.
    An executable is known by its resolved path, device, inode, size, mtime and ctime: replacing or
    upgrading keepalived (a new inode, and a new ctime even where a package keeps the mtime) is a
    new key, and a running daemon whose binary was replaced keeps the key of its own (old) file.
    Only answers keepalived gave are kept, never a failure to run it. The file is written to a
    temporary file and renamed over; an unreadable, malformed or implausible entry is a miss."""

    def __init__(self, path: "Optional[Path]") -> None:
        self.path = path
        self.entries = None  # type: Optional[Dict[str, Dict[str, Any]]]

    @staticmethod
    def key(exe: str) -> "Optional[str]":
        try:
            st = os.stat(exe)
            target = os.path.realpath(exe)
        except OSError:
            return None
        return "%s|%d|%d|%d|%d|%d" % (target, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def version_info(self, exe: str) -> "Dict[str, Any]":
        def probe() -> "Tuple[bool, Any]":
            info = probe_keepalived(exe)
            return "error" not in info, info
        info = self._lookup(exe, "version", probe, self._valid_version_info)
        return dict(info, path=exe)

    def signum(self, exe: str, name: str) -> "Optional[int]":
        return self._lookup(exe, "signum:" + name, lambda: probe_signum_answer(exe, name), self._valid_signum)

    @staticmethod
    def _valid_version_info(value: "Any") -> bool:
        return (isinstance(value, dict) and all(isinstance(value.get(k), (str, type(None)))
                                                for k in ("version", "build_date"))
                and all(isinstance(value.get(k), list) and all(isinstance(o, str) for o in value[k])
                        for k in ("configure_options", "config_options", "system_options")))

    @staticmethod
    def _valid_signum(value: "Any") -> bool:
        return value is None or (type(value) is int and 0 < value <= MAX_SIGNUM)

    def _lookup(self, exe: str, field: str, probe: "Callable[[], Tuple[bool, Any]]",
                valid: "Callable[[Any], bool]") -> "Any":
        key = self.key(exe) if self.path is not None else None
        if key is None:
            return probe()[1]
        if self.entries is None:
            self.entries = self._read()
        entry = self.entries.get(key)
        if entry is not None and field in entry and valid(entry[field]):
            return entry[field]
        answered, value = probe()
        if answered:
            self._store(key, field, value)
        return value

    def _read(self) -> "Dict[str, Dict[str, Any]]":
        assert self.path is not None
        try:
            with self.path.open("rb") as f:
                data = json.loads(f.read(PROBE_CACHE_MAX_BYTES + 1).decode("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            LOG.debug("ignoring the probe cache %s: %s", self.path, exc)
            return {}
        entries = data.get("entries") if isinstance(data, dict) and data.get("format") == PROBE_CACHE_FORMAT else None
        if not isinstance(entries, dict):
            return {}
        return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, dict)}

    def _store(self, key: str, field: str, value: "Any") -> None:
        assert self.path is not None
        entries = self._read()              # what other sessions learnt meanwhile
        entry = entries.pop(key, {})
        entry[field] = value
        entries[key] = entry                # last: the newest
        while len(entries) > PROBE_CACHE_MAX_ENTRIES:
            del entries[next(iter(entries))]
        self.entries = entries
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps({"format": PROBE_CACHE_FORMAT, "entries": entries},
                                               sort_keys=False).encode("utf-8"))
        except OSError as exc:
            LOG.debug("cannot write the probe cache %s: %s", self.path, exc)


# ---------------------------------------------------------------------------------------------
# Linux namespaces and pidfds (ctypes only where the running Python lacks them)
# ---------------------------------------------------------------------------------------------

_LIBC = None


def libc() -> "Any":
    global _LIBC
    if _LIBC is None:
        import ctypes
        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC


def _libc_call(name: str, *args: "Any") -> int:
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
        _libc_call("setns", fd, nstype)


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


def open_netlink_socket(netns_path: "Optional[str]") -> socket.socket:
    """A NETLINK_ROUTE socket subscribed to address and link changes, created in netns_path."""
    own = target = -1
    try:
        if netns_path:
            target = os.open(netns_path, os.O_RDONLY)
            own = current_netns_fd()
            setns(target, CLONE_NEWNET)
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | getattr(socket, "SOCK_CLOEXEC", 0), NETLINK_ROUTE)
        finally:
            if own >= 0:
                setns(own, CLONE_NEWNET)
    finally:
        for fd in (own, target):
            if fd >= 0:
                os.close(fd)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, NETLINK_RCVBUF_BYTES)
        sock.bind((0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR))
    except OSError:
        sock.close()
        raise
    return sock


# ---------------------------------------------------------------------------------------------
# rtnetlink messages
# ---------------------------------------------------------------------------------------------

def _align4(n: int) -> int:
    return (n + 3) & ~3


def parse_netlink(data: bytes) -> "List[Tuple[int, int, int, bytes]]":
    """Splits a netlink datagram into (type, flags, seq, payload)."""
    messages = []
    offset = 0
    while offset + NLMSG_HDR.size <= len(data):
        length, mtype, flags, seq, _ = NLMSG_HDR.unpack_from(data, offset)
        if length < NLMSG_HDR.size or offset + length > len(data):
            break
        messages.append((mtype, flags, seq, data[offset + NLMSG_HDR.size:offset + length]))
        offset += _align4(length)
    return messages


def parse_rtattrs(data: bytes, offset: int) -> "Dict[int, bytes]":
    attrs = {}
    while offset + RTATTR.size <= len(data):
        length, atype = RTATTR.unpack_from(data, offset)
        if length < RTATTR.size:
            break
        attrs[atype] = data[offset + RTATTR.size:offset + length]
        offset += _align4(length)
    return attrs


def parse_ifaddr(payload: bytes) -> "Optional[Dict[str, Any]]":
    if len(payload) < IFADDRMSG.size:
        return None
    family, prefixlen, flags, scope, index = IFADDRMSG.unpack_from(payload, 0)
    attrs = parse_rtattrs(payload, IFADDRMSG.size)
    raw = attrs.get(IFA_LOCAL) or attrs.get(IFA_ADDRESS)
    if family == socket.AF_INET and raw is not None and len(raw) == 4:
        address = socket.inet_ntop(socket.AF_INET, raw)
    elif family == socket.AF_INET6 and raw is not None and len(raw) == 16:
        address = socket.inet_ntop(socket.AF_INET6, raw)
    else:
        return None
    label = attrs.get(IFA_LABEL)
    return {"address": address, "prefix": prefixlen, "ifindex": index, "scope": scope,
            "label": label.rstrip(b"\0").decode("utf-8", "replace") if label else None,
            "family": 6 if family == socket.AF_INET6 else 4}


def parse_ifinfo(payload: bytes) -> "Optional[Tuple[int, Optional[str], bool]]":
    """(index, name, carrier) of an RTM_NEWLINK/RTM_DELLINK message."""
    if len(payload) < IFINFOMSG.size:
        return None
    _, _, index, flags, _ = IFINFOMSG.unpack_from(payload, 0)
    attrs = parse_rtattrs(payload, IFINFOMSG.size)
    name = attrs.get(IFLA_IFNAME)
    return index, name.rstrip(b"\0").decode("utf-8", "replace") if name else None, bool(flags & IFF_LOWER_UP)


def netlink_dump_request(mtype: int, seq: int) -> bytes:
    body = IFADDRMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0) if mtype == RTM_GETADDR else IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
    return NLMSG_HDR.pack(NLMSG_HDR.size + len(body), mtype, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body


def is_link_local(address: str) -> bool:
    return address.lower().startswith("fe80:")


class NetnsWatch(object):
    """Addresses present in one network namespace, kept current from rtnetlink."""

    def __init__(self, inode: int, name: "Optional[str]", path: "Optional[str]") -> None:
        self.inode = inode
        self.name = name
        self.path = path
        self.sock = None  # type: Optional[socket.socket]
        self.addrs = {}  # type: Dict[Tuple[str, int], Dict[str, Any]]
        self.links = {}  # type: Dict[int, str]
        self.carrier = {}  # type: Dict[int, bool]          # ifindex -> has carrier (IFF_LOWER_UP)
        self.seq = 0
        self.orphans = {}  # type: Dict[str, Dict[str, Any]]
        self.candidates = {}  # type: Dict[str, float]
        self.pending_dumps = set()  # type: Set[str]
        self.debounce_timer = None  # type: Optional[Timer]
        self.recheck_timer = None  # type: Optional[Timer]

    def open(self) -> None:
        self.sock = open_netlink_socket(self.path)
        self.resync()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def fileno(self) -> int:
        return self.sock.fileno() if self.sock is not None else -1

    def _dump(self, mtype: int) -> "List[Tuple[int, bytes]]":
        assert self.sock is not None
        self.seq += 1
        seq = self.seq
        self.sock.send(netlink_dump_request(mtype, seq))
        result = []
        deadline = time.monotonic() + NETLINK_DUMP_TIMEOUT_S
        self.sock.settimeout(NETLINK_DUMP_TIMEOUT_S)
        try:
            while time.monotonic() < deadline:
                data = self.sock.recv(NETLINK_RECV_BYTES)
                for mt, flags, mseq, payload in parse_netlink(data):
                    if mseq != seq:
                        continue    # a live notification; the dump reflects it anyway
                    if mt == NLMSG_DONE:
                        return result
                    if mt == NLMSG_ERROR:
                        code = struct.unpack_from("=i", payload, 0)[0] if len(payload) >= 4 else 0
                        if code:
                            raise OSError(-code, "netlink dump failed: %s" % os.strerror(-code))
                        return result
                    result.append((mt, payload))
        finally:
            self.sock.setblocking(False)
        raise OSError(errno.ETIMEDOUT, "netlink dump timed out")

    def resync(self) -> "Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]":
        """Re-reads links and addresses; returns (added, removed) against what was known."""
        self.links = {}
        for mt, payload in self._dump(RTM_GETLINK):
            info = parse_ifinfo(payload)
            if info is not None and info[1]:
                self.links[info[0]] = info[1]
                self.carrier[info[0]] = info[2]
        fresh = {}
        for mt, payload in self._dump(RTM_GETADDR):
            addr = parse_ifaddr(payload) if mt == RTM_NEWADDR else None
            if addr is not None and not is_link_local(addr["address"]):
                addr["ifname"] = addr["label"] if addr["family"] == 4 and addr["label"] else self.links.get(addr["ifindex"])
                fresh[(addr["address"], addr["ifindex"])] = addr
        added = [a for k, a in fresh.items() if k not in self.addrs]
        removed = [a for k, a in self.addrs.items() if k not in fresh]
        self.addrs = fresh
        return added, removed

    def read_changes(self) -> "Tuple[List[Tuple[str, Dict[str, Any]]], bool]":
        """Drains the socket: ([("added"|"removed", addr) or ("link", link)], overflowed). A link is reported when
        its carrier comes or goes, or it comes or goes itself: keepalived enters or leaves FAULT then, which a
        BACKUP does without any address changing."""
        changes = []  # type: List[Tuple[str, Dict[str, Any]]]
        assert self.sock is not None
        while True:
            try:
                data = self.sock.recv(NETLINK_RECV_BYTES, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return changes, False
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:
                    return changes, True
                raise
            if not data:
                return changes, False
            for mtype, _, _, payload in parse_netlink(data):
                if mtype in (RTM_NEWLINK, RTM_DELLINK):
                    info = parse_ifinfo(payload)
                    if info is not None:
                        index, name, carrier = info
                        if mtype == RTM_NEWLINK and name:
                            self.links[index] = name
                        if mtype == RTM_DELLINK:
                            self.links.pop(index, None)
                            self.carrier.pop(index, None)
                            changes.append(("link", {"ifindex": index, "ifname": name, "carrier": False}))
                        elif self.carrier.get(index) != carrier:
                            self.carrier[index] = carrier
                            changes.append(("link", {"ifindex": index, "ifname": name, "carrier": carrier}))
                    continue
                if mtype not in (RTM_NEWADDR, RTM_DELADDR):
                    continue
                addr = parse_ifaddr(payload)
                if addr is None or is_link_local(addr["address"]):
                    continue
                addr["ifname"] = addr["label"] if addr["family"] == 4 and addr["label"] else self.links.get(addr["ifindex"])
                key = (addr["address"], addr["ifindex"])
                if mtype == RTM_NEWADDR:
                    if key not in self.addrs:
                        changes.append(("added", addr))
                    self.addrs[key] = addr
                elif key in self.addrs:
                    del self.addrs[key]
                    changes.append(("removed", addr))

    def present(self) -> "Dict[str, Dict[str, Any]]":
        return {a["address"]: a for a in self.addrs.values()}


# ---------------------------------------------------------------------------------------------
# Event loop: selectors + timers + calls from worker threads
# ---------------------------------------------------------------------------------------------

class Timer(object):
    __slots__ = ("when", "callback", "cancelled")

    def __init__(self, when: float, callback: "Callable[[], None]") -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Loop(object):
    """A single-threaded loop: file readiness, timers, and callbacks posted by other threads."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.timers = []  # type: List[Tuple[float, int, Timer]]
        self.counter = itertools.count()
        self.posted = collections.deque()  # type: collections.deque
        self.posted_lock = threading.Lock()
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
            fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
        self.selector.register(self.wake_r, selectors.EVENT_READ, self._drain_wake)
        self.after_turn = []  # type: List[Callable[[], None]]

    def add_reader(self, fd: int, callback: "Callable[[], None]") -> None:
        self.selector.register(fd, selectors.EVENT_READ, callback)

    def remove_reader(self, fd: int) -> None:
        try:
            self.selector.unregister(fd)
        except (KeyError, ValueError):
            pass

    def call_later(self, delay: float, callback: "Callable[[], None]") -> Timer:
        timer = Timer(time.monotonic() + max(0.0, delay), callback)
        heapq.heappush(self.timers, (timer.when, next(self.counter), timer))
        return timer

    def call_soon_threadsafe(self, callback: "Callable[[], None]") -> None:
        with self.posted_lock:
            self.posted.append(callback)
        try:
            os.write(self.wake_w, b"\0")
        except (BlockingIOError, InterruptedError):
            pass

    def _drain_wake(self) -> None:
        try:
            while os.read(self.wake_r, 4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def run_once(self) -> None:
        timeout = None  # type: Optional[float]
        while self.timers and self.timers[0][2].cancelled:
            heapq.heappop(self.timers)
        if self.timers:
            timeout = max(0.0, self.timers[0][0] - time.monotonic())
        with self.posted_lock:
            if self.posted:
                timeout = 0.0
        try:
            ready = self.selector.select(timeout)
        except InterruptedError:
            ready = []
        for key, _ in ready:
            self._guard(key.data)
        current = time.monotonic()
        while self.timers and self.timers[0][0] <= current:
            _, _, timer = heapq.heappop(self.timers)
            if not timer.cancelled:
                self._guard(timer.callback)
        while True:
            with self.posted_lock:
                if not self.posted:
                    break
                callback = self.posted.popleft()
            self._guard(callback)
        for callback in self.after_turn:
            self._guard(callback)

    @staticmethod
    def _guard(callback: "Callable[[], None]") -> None:
        try:
            callback()
        except Exception:   # one bad callback must not end the session
            LOG.exception("unexpected error in the event loop")


# ---------------------------------------------------------------------------------------------
# Dumps
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Check, apply, backups (run in worker threads)
# ---------------------------------------------------------------------------------------------

def private_dir(path: Path, create: bool = True) -> "Optional[Path]":
    """A directory of the agent's own: a real directory (not a link), owned by root (or the agent's user) and
    writable by nobody else; made 0700 when missing (or None when missing and not to be made). Candidates,
    backups, locks and apply records live only in such directories."""
    if create:
        try:
            path.mkdir(mode=0o700, parents=True)
        except FileExistsError:
            pass
    try:
        st = os.lstat(str(path))
    except FileNotFoundError:
        if create:
            raise
        return None
    if not stat.S_ISDIR(st.st_mode):
        raise AgentError(E_UNTRUSTED, "%s is %s, not a directory of the agent's" % (path, _file_kind(st.st_mode)),
                         {"file": str(path)})
    if not trusted_owner(st):
        raise AgentError(E_UNTRUSTED, "%s (uid %d, mode %04o) may be written by others; the agent keeps candidates, "
                         "backups, locks and apply records only in a directory root owns and nobody else can write"
                         % (path, st.st_uid, st.st_mode & 0o7777), {"file": str(path)})
    return path


def check_write_directory(fs_root: str, directory: str) -> None:
    """Raises AgentError unless `directory` (inside fs_root, reached through resolve_trusted, which judged the way
    to it) is a directory no group or other may write, not even a sticky one: the agent renames its temporary file
    over a configuration there, and nobody else may add names beside it."""
    st = os.lstat(fs_root + directory)
    if st.st_mode & UNTRUSTED_MODE_BITS:
        raise AgentError(E_UNTRUSTED, "%s may be written by others (mode %04o); the agent writes no configuration "
                         "there" % (directory, st.st_mode & 0o7777), {"file": directory})


def open_lock_file(path: Path) -> int:
    """An apply lock file, open for flock: created 0600, never through a link, a regular file of the agent's user."""
    try:
        fd = os.open(str(path), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AgentError(E_UNTRUSTED, "the lock file %s is a symbolic link" % path, {"file": str(path)})
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or not trusted_owner(st):
        os.close(fd)
        raise AgentError(E_UNTRUSTED, "the lock file %s is not a regular file only root can write" % path,
                         {"file": str(path)})
    return fd


def on_disk_version(entry: "Dict[str, Any]") -> str:
    """Which version of a file an apply record names is on disk now: new, old, other, missing or unreadable."""
    try:
        data, _ = read_trusted(str(entry.get("target")), MAX_CONFIG_FILE_BYTES)
    except FileNotFoundError:
        return "missing"
    except (OSError, AgentError):
        return "unreadable"
    sha = sha256_hex(data)
    return "new" if sha == entry.get("new_sha256") else "old" if sha == entry.get("old_sha256") else "other"


def on_disk_summary(files: "List[Dict[str, Any]]") -> str:
    """new, old or other when every file says so, else mixed."""
    versions = {f["on_disk"] for f in files}
    if not versions:
        return "old"
    return versions.pop() if len(versions) == 1 else "mixed"


class FileEdit(object):
    """One file of an apply: the path as the daemon's configuration names it, the file really written (a
    symlink's target), its bytes before and after, and its backup."""

    def __init__(self, path: str, text: str, base_sha256: str) -> None:
        self.path = path
        self.new_data = encode_text(text)
        self.new_sha = sha256_hex(self.new_data)
        self.base_sha = base_sha256.lower()
        self.target = None  # type: Optional[Path]
        self.old_data = b""
        self.old_stat = None  # type: Optional[os.stat_result]
        self.old_sha = ""
        self.backup = None  # type: Optional[Path]
        self.written = False

    @property
    def changed(self) -> bool:
        return self.new_sha != self.old_sha

    def backup_name(self) -> "Optional[str]":
        return self.backup.name if self.backup else None

    def to_json(self) -> "Dict[str, Any]":
        return {"path": self.path, "target": str(self.target) if self.target else None,
                "old_sha256": self.old_sha or None, "new_sha256": self.new_sha, "backup": self.backup_name()}


class ConfigOps(object):
    """config.check / config.apply / config.backups / config.restore for one agent."""

    def __init__(self, agent: "Agent") -> None:
        self.agent = agent
        self.settings = agent.settings

    # -- the agent's own files and the daemon's ---------------------------------------------------

    def state_dir(self) -> Path:
        return Path(self.settings.state_dir)

    def private(self, *parts: str) -> Path:
        """<state_dir>/<parts...>, each level checked (and made 0700 when missing) by private_dir."""
        path = private_dir(self.state_dir())
        for part in parts:
            path = private_dir(path / part)
        return path

    @staticmethod
    def _slug(path: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", path.strip("/"))[-80:] + "-" + sha256_hex(path.encode())[:10]

    def backup_dir(self, path: str) -> Path:
        return self.state_dir() / "backups" / self._slug(path)

    def lock_name(self, d: Daemon) -> str:
        """One name per configuration (its main file, links followed), for its apply lock and apply record:
        the main file and its includes are applied one apply at a time."""
        try:
            identity = resolve_trusted(d.config, d.fs_root)
        except (AgentError, OSError):
            identity = d.config
        return "daemon-" + self._slug(d.fs_root + identity)

    def lock_path(self, d: Daemon) -> Path:
        return self.state_dir() / "locks" / (self.lock_name(d) + ".lock")

    def intent_path(self, d: Daemon) -> Path:
        return self.state_dir() / "intents" / (self.lock_name(d) + ".json")

    def resolve_target(self, d: Daemon, path: "Optional[str]") -> "Tuple[ConfigSet, str]":
        cset = ConfigSet(d.config, d.fs_root).load()
        return cset, self._known_target(d, cset, path)

    def resolve_targets(self, d: Daemon, paths: "List[Optional[str]]") -> "List[str]":
        """The files of one request, each a file of the daemon's configuration (or allowed_paths), none twice."""
        cset = ConfigSet(d.config, d.fs_root).load()
        targets = []  # type: List[str]
        for path in paths:
            target = self._known_target(d, cset, path)
            if target in targets:
                raise AgentError(E_BAD_ARGS, "%s is named twice in one request" % target)
            targets.append(target)
        return targets

    def _known_target(self, d: Daemon, cset: ConfigSet, path: "Optional[str]") -> str:
        target = path or d.config
        if target not in cset.paths() and target not in self.settings.allowed_paths:
            raise AgentError(E_FORBIDDEN_PATH, "%s is not a configuration file of daemon %s "
                             "(files: %s)" % (target, d.name, ", ".join(cset.paths())))
        return target

    def write_target(self, d: Daemon, path: str) -> Path:
        """The file an apply of `path` writes: a symlink's target, so that the link stays a link. It must be a
        regular file root owns and only root can write, in a directory only root can write (so that the
        temporary file renamed over it, and the rename, cannot be tampered with). The configuration's owner
        (config_owner) is no exception here: the agent reads their files for their daemon, and writes none."""
        try:
            try:
                real = resolve_trusted(path, d.fs_root)
                st = os.lstat(d.fs_root + real)
            except FileNotFoundError:
                raise AgentError(E_NOT_FOUND, "%s does not exist" % path)
            fs_real = d.fs_root + real
            where = path if real == path else "%s (the file the link %s points to)" % (real, path)
            check_trusted(where, st, MAX_CONFIG_FILE_BYTES)
            check_write_directory(d.fs_root, os.path.dirname(real))
        except UntrustedOwner as exc:
            raise AgentError(E_UNTRUSTED, "%s: this configuration belongs to %s, and Keepwatch writes only "
                             "configurations root alone controls (Neutron, for one, rewrites its own); nothing was "
                             "written" % (exc.message, user_label(exc.uid, d.fs_root)), exc.details)
        except OSError as exc:
            raise AgentError(E_IO, "cannot look at %s: %s" % (path, exc.strerror or exc))
        return Path(fs_real)

    # -- check ------------------------------------------------------------------------------

    def keepalived_exe(self, d: Daemon) -> str:
        """The trusted keepalived (never the daemon's own binary through /proc: see trusted_keepalived)."""
        return self.agent.keepalived_bin()

    def check(self, d: Daemon, target: str, text: str) -> "Dict[str, Any]":
        """keepalived -t on the configuration with `target` replaced by `text`."""
        return self.check_files(d, {target: encode_text(text)})

    def check_files(self, d: Daemon, candidates: "Dict[str, bytes]") -> "Dict[str, Any]":
        """keepalived -t on d's configuration with each file named in candidates replaced by its bytes, all at
        once, in d's netns. The candidates are files of mode 0600 (they hold auth_pass) that only this call made."""
        for path, data in candidates.items():
            if len(data) > MAX_CONFIG_FILE_BYTES:
                raise AgentError(E_TOO_LARGE, "the candidate for %s is larger than %d bytes" % (path, MAX_CONFIG_FILE_BYTES))
        started = time.monotonic()
        exe = self.keepalived_exe(d)
        extra = []  # type: List[str]
        if d.config_id:
            extra += ["-i", d.config_id]
        if isinstance(d.options.get("s"), str):
            extra += ["-s", d.options["s"]]
        path_map = {}  # type: Dict[str, str]
        cleanup = []  # type: List[Path]
        scratch = None  # type: Optional[Path]
        try:
            if os.geteuid() == 0 and not d.fs_root:
                scratch = self.private("tmp")
                netns = None if d.own_netns else self._netns_for_check(d)
                argv = agent_command(["_check-exec"])
                for path, data in candidates.items():
                    candidate = write_private(scratch, lambda token: "candidate-%d-%s.conf" % (os.getpid(), token), data)
                    cleanup.append(candidate)
                    argv += ["--bind", str(candidate), d.fs_root + path]
                if netns:
                    argv += ["--netns", netns]
                argv += ["--", exe, "-t", "-f", d.config] + extra
            else:
                others = sorted(p for p in candidates if p != d.config)
                if others:
                    raise AgentError(E_UNSUPPORTED, "checking an include file (%s) needs the agent to run as root"
                                     % ", ".join(others))
                main = d.fs_root + d.config
                if d.config in candidates:
                    self.write_target(d, d.config)      # beside it only where an apply could write it
                    name = Path(d.config).name
                    try:
                        candidate = write_private(Path(main).parent, lambda token: ".%s.keepwatch-check-%d-%s"
                                                  % (name, os.getpid(), token), candidates[d.config])
                    except OSError as exc:
                        raise AgentError(E_PERMISSION if exc.errno in (errno.EACCES, errno.EPERM) else E_IO,
                                         "cannot write the candidate next to %s: %s" % (d.config, exc.strerror))
                    cleanup.append(candidate)
                    path_map[d.fs_root + str(candidate)] = d.config
                    path_map[str(candidate)] = d.config
                    main = str(candidate)
                argv = [exe, "-t", "-f", main] + extra
            env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C", "LC_ALL": "C",
                   "TMPDIR": str(scratch) if scratch is not None else DEFAULT_TMPDIR}
            code, output, _ = run_command(argv, self.settings.check_timeout, env=env, merge_stderr=True)
        finally:
            for path in cleanup:
                _unlink_quietly(path)
        if code == CHECK_EXEC_FAILED:
            raise AgentError(E_UNSUPPORTED, "cannot run keepalived -t in the daemon's namespace: %s" % output.strip())
        if code == BOOTSTRAP_DEPLOY_EXIT and BOOTSTRAP_DEPLOY_MARK in output:
            raise AgentError(E_IO, "cannot run keepalived -t: the agent's file is no longer the one this session "
                             "runs: %s" % output.strip())
        result = classify_check_output(output, code, path_map)
        result["output"] = output
        result["duration_ms"] = int((time.monotonic() - started) * 1000)
        result["path"] = next(iter(candidates), d.config)
        result["paths"] = list(candidates)
        result["netns"] = d.netns_name
        return result

    def _netns_for_check(self, d: Daemon) -> "Optional[str]":
        if d.alive and is_alive(self.settings.proc_root, d.pid, d.starttime):
            return d.netns_path
        if d.netns_name:
            return os.path.join(self.settings.netns_dir, d.netns_name)
        raise AgentError(E_NOT_RUNNING, "daemon %s is not running and its network namespace has no name; "
                         "cannot check interface names" % d.name)

    # -- apply ------------------------------------------------------------------------------

    def apply(self, d: Daemon, target: str, text: str, base_sha: str, reason: "Optional[str]",
              request_id: "Any", op: str, backup_name: "Optional[str]" = None) -> "Dict[str, Any]":
        """An apply of one file (see apply_files)."""
        return self.apply_files(d, [FileEdit(target, text, base_sha)], reason, request_id, op, backup_name)

    def apply_files(self, d: Daemon, edits: "List[FileEdit]", reason: "Optional[str]", request_id: "Any", op: str,
                    restored_from: "Optional[str]" = None) -> "Dict[str, Any]":
        """One apply of one or more files of d's configuration: checked together, written together, one reload
        and one health watch, all rolled back together (ApplyRun)."""
        return ApplyRun(self, d, edits, reason, request_id, op, restored_from).run()

    def stepper(self, d: Daemon, paths: "List[str]", request_id: "Any", op: str) -> "Callable[..., None]":
        def step(name: str, status: str, **detail: "Any") -> None:
            event = {"event": "apply.step", "id": request_id, "op": op, "daemon": d.name, "path": paths[0],
                     "paths": paths, "step": name, "status": status}
            event.update(detail)
            self.agent.emit_threadsafe(event)
        return step

    def lock(self, d: Daemon, step: "Callable[..., None]") -> int:
        """The daemon's apply lock (one per configuration, shared by every agent on the node), waited for up to
        lock_timeout; its file descriptor, to be closed when the apply ends."""
        step("lock", "started")
        path = self.private("locks") / (self.lock_name(d) + ".lock")
        fd = open_lock_file(path)
        deadline = time.monotonic() + self.settings.lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
            if time.monotonic() >= deadline:
                os.close(fd)
                step("lock", "failed", message="another apply to this daemon's configuration holds the lock")
                raise AgentError(E_BUSY, "busy: another apply to daemon %s (%s and its includes) has held its lock %s "
                                 "for %.0f s; nothing was changed, apply again once it has finished"
                                 % (d.name, d.config, path, self.settings.lock_timeout))
            time.sleep(LOCK_POLL_S)
        step("lock", "ok", lock=str(path))
        return fd

    def try_lock(self, name: str) -> "Optional[int]":
        """The apply lock `name` if nobody holds it now (its file descriptor), else None."""
        fd = open_lock_file(self.private("locks") / (name + ".lock"))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise
        return fd

    def backup(self, path: str, data: bytes) -> Path:
        """The bytes of `path` before an apply, kept 0600 (they hold auth_pass); the newest backup_keep stay."""
        directory = private_dir(self.private("backups") / self._slug(path))
        stamp = compact_time(time.time())
        backup = directory / ("%s-%s.conf" % (stamp, sha256_hex(data)[:12]))
        atomic_write(backup, data)
        atomic_write(directory / "ORIGIN", encode_text(path + "\n"))
        backups = sorted(p for p in directory.glob("*.conf"))
        for old in backups[:-max(1, self.settings.backup_keep)]:
            _unlink_quietly(old)
        return backup

    def _reload(self, d: Daemon, step: "Callable[..., None]") -> None:
        unit = d.reload_unit()
        step("reload", "started", method="systemctl" if unit else "SIGHUP")
        if unit:
            code, out, err = run_command(["systemctl", "reload", unit], self.settings.reload_timeout)
            if code != 0:
                step("reload", "failed", message=(err or out).strip())
                raise AgentError(E_RELOAD_FAILED, "systemctl reload %s failed: %s" % (unit, (err or out).strip()))
        else:
            if not signal_caught(self.settings.proc_root, d.pid, signal.SIGHUP):
                step("reload", "failed", message="keepalived does not handle SIGHUP (still starting?)")
                raise AgentError(E_RELOAD_FAILED, "keepalived (pid %d) does not handle SIGHUP yet; "
                                 "a SIGHUP now would kill it" % d.pid)
            try:
                os.kill(d.pid, signal.SIGHUP)
            except ProcessLookupError:
                step("reload", "failed", message="process gone")
                raise AgentError(E_RELOAD_FAILED, "keepalived (pid %d) exited before the reload" % d.pid)
            except PermissionError:
                step("reload", "failed", message="permission denied")
                raise AgentError(E_PERMISSION, "not allowed to signal keepalived pid %d; run the agent with sudo" % d.pid)
        step("reload", "ok", pid=d.pid)

    def _health(self, d: Daemon, before: "Dict[str, Dict[str, Any]]", step: "Callable[..., None]") -> "Dict[str, Any]":
        cset = ConfigSet(d.config, d.fs_root).load()
        expected = find_instance_names(cset.texts())
        adverts = [i.get("advert_int") or DEFAULT_ADVERT_INT_S for i in before.values()]
        advert = max(adverts) if adverts else DEFAULT_ADVERT_INT_S
        window = max(self.settings.health_min, self.settings.health_adverts * advert)
        step("health", "started", window_s=window, expected_instances=sorted(expected))
        deadline = time.monotonic() + window
        while time.monotonic() < deadline:
            if not is_alive(self.settings.proc_root, d.pid, d.starttime):
                step("health", "failed", message="keepalived exited after the reload")
                raise AgentError(E_ROLLED_BACK, "keepalived (pid %d) exited after the reload" % d.pid,
                                 {"daemon_alive": False})
            time.sleep(min(HEALTH_POLL_S, max(0.0, deadline - time.monotonic())))
        if not expected:
            step("health", "ok", instances=[])
            return {"window_s": window, "instances": []}
        snap = self.agent.blocking_dump(d.name, "apply", self.settings.dump_timeout * 3)
        if not snap.get("ok"):
            step("health", "failed", message=snap.get("message"))
            raise AgentError(E_ROLLED_BACK, "no fresh state from keepalived after the reload: %s" % snap.get("message"))
        now_instances = {i["instance"]: i for i in snap["instances"]}
        missing = sorted(expected - set(now_instances))
        faulted = sorted(n for n, i in now_instances.items()
                         if i["state"] == STATE_FAULT and (before.get(n) or {}).get("state") != STATE_FAULT)
        if missing or faulted:
            problems = []
            if missing:
                problems.append("instances missing after reload: %s" % ", ".join(missing))
            if faulted:
                problems.append("instances in FAULT after reload: %s" % ", ".join(faulted))
            step("health", "failed", missing=missing, faulted=faulted)
            raise AgentError(E_ROLLED_BACK, "; ".join(problems), {"missing": missing, "faulted": faulted})
        summary = [{"instance": n, "state": i["state"], "effective_priority": i["effective_priority"]}
                   for n, i in sorted(now_instances.items())]
        step("health", "ok", instances=summary)
        return {"window_s": window, "instances": summary}

    def write_audit(self, record: "Dict[str, Any]", step: "Optional[Callable[..., None]]" = None) -> None:
        """One JSON line appended to the audit log (created 0600, never through a link)."""
        ts = now()
        line = {"ts": ts, "time": iso_time(ts), "user": session_user(), "ssh_client": os.environ.get("SSH_CLIENT") or None,
                "host": socket.gethostname(), "agent_pid": os.getpid()}
        line.update(record)
        path = Path(self.settings.audit_log)
        try:
            if path.parent == self.state_dir():
                self.private()
            else:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(str(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                         0o600)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise OSError(errno.EINVAL, "not a regular file")
                fcntl.flock(fd, fcntl.LOCK_EX)
                write_all(fd, encode_text(json.dumps(line, sort_keys=True) + "\n"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if step is not None:
                step("audit", "ok", audit_log=str(path), result=record["result"])
        except (OSError, AgentError) as exc:
            LOG.error("cannot append to the audit log %s: %s", path, exc)
            if step is not None:
                step("audit", "failed", message=str(exc))

    # -- applies that did not finish ----------------------------------------------------------------

    def unfinished_applies(self) -> "List[Dict[str, Any]]":
        """Every apply whose agent ended between its first rename and its end (its record is there and nobody
        holds its lock), each settled (settle_unfinished); for hello."""
        try:
            root = private_dir(self.state_dir(), create=False)
            directory = private_dir(root / "intents", create=False) if root is not None else None
        except AgentError as exc:
            LOG.warning("apply records not looked at: %s", exc.message)
            return []
        if directory is None:
            return []
        reports = []
        for path in sorted(directory.glob("*.json")):
            fd = None
            try:
                fd = self.try_lock(path.stem)
                if fd is not None:          # else an apply holds it: under way, not unfinished
                    reports.append(self.settle_unfinished(path)[1])
            except (AgentError, OSError, ValueError) as exc:
                LOG.warning("cannot read the apply record %s: %s", path, getattr(exc, "message", exc))
            finally:
                if fd is not None:
                    os.close(fd)
        return reports

    def take_unfinished(self, d: Daemon) -> "Optional[Dict[str, Any]]":
        """The record of an apply of d that did not finish and left a file changed (the caller holds d's lock), or
        None. It stays until an apply of d reloads keepalived on what is on disk."""
        path = self.intent_path(d)
        if not os.path.lexists(str(path)):
            return None
        try:
            record, report = self.settle_unfinished(path)
        except (AgentError, OSError, ValueError) as exc:
            LOG.warning("cannot read the apply record %s: %s", path, getattr(exc, "message", exc))
            return None
        return None if report["cleared"] else record

    def settle_unfinished(self, path: Path) -> "Tuple[Dict[str, Any], Dict[str, Any]]":
        """The record at `path` of an apply that did not finish (the caller holds its lock) and its report: which
        version of each file is on disk now. The audit log gets one line for it, once; a record whose files are
        all the old ones (nothing was changed) is dropped once reported."""
        data, _ = read_trusted(str(path), MAX_INTENT_BYTES)
        record = json.loads(decode_text(data))
        if not isinstance(record, dict) or record.get("format") != INTENT_FORMAT or not isinstance(record.get("files"), list):
            raise ValueError("not an apply record of this agent's")
        files = [dict(f, on_disk=on_disk_version(f)) for f in record["files"] if isinstance(f, dict)]
        report = {key: record.get(key) for key in ("daemon", "config", "op", "request_id", "reason", "restored_from",
                                                   "ts", "time", "user", "ssh_client", "agent_pid", "outcome")}
        report["files"] = files
        report["on_disk"] = on_disk_summary(files)
        report["cleared"] = report["on_disk"] == "old"
        if not record.get("audited"):
            self.write_audit(self._interrupted_line(report))
            record["audited"] = now()
            if not report["cleared"]:
                atomic_write(path, encode_text(json.dumps(record, sort_keys=True)))
        if report["cleared"]:
            _unlink_quietly(path)
        return record, report

    @staticmethod
    def _interrupted_line(report: "Dict[str, Any]") -> "Dict[str, Any]":
        line = {"op": report["op"], "daemon": report["daemon"], "result": "interrupted", "reason": report["reason"],
                "request_id": report["request_id"], "restored_from": report["restored_from"], "started": report["ts"],
                "user": report["user"], "ssh_client": report["ssh_client"], "agent_pid": report["agent_pid"],
                "noticed_by_pid": os.getpid(), "noticed_by_user": session_user(), "on_disk": report["on_disk"],
                "files": report["files"],
                "message": "the agent (pid %s) ended during this apply, after it started writing and before keepalived "
                           "was reloaded and checked; on disk now: %s" % (report["agent_pid"], report["on_disk"])}
        if len(report["files"]) == 1:
            only = report["files"][0]
            line.update({"path": only.get("path"), "old_sha256": only.get("old_sha256"),
                         "new_sha256": only.get("new_sha256"), "backup": only.get("backup")})
        return line

    # -- backups ----------------------------------------------------------------------------

    def list_backups(self, target: str) -> "List[Dict[str, Any]]":
        directory = self.backup_dir(target)
        result = []
        if directory.is_dir():
            for path in sorted(directory.glob("*.conf"), reverse=True):
                try:
                    data, st = read_trusted(str(path), MAX_CONFIG_FILE_BYTES)
                except (OSError, AgentError):
                    continue
                result.append({"name": path.name, "created": st.st_mtime, "size": len(data),
                               "sha256": sha256_hex(data)})
        return result

    def read_backup(self, target: str, name: str) -> bytes:
        if "/" in name or name.startswith(".") or not name.endswith(".conf"):
            raise AgentError(E_BAD_ARGS, "backup must be a name returned by config.backups")
        path = self.backup_dir(target) / name
        try:
            return read_trusted(str(path), MAX_CONFIG_FILE_BYTES)[0]
        except FileNotFoundError:
            raise AgentError(E_NOT_FOUND, "no backup %s for %s" % (name, target))


class ApplyRun(object):
    """One config.apply or config.restore of one or more files of one daemon: lock, compare, check, backup, write,
    reload, health (and rollback), audit, each reported as an apply.step event (docs/protocol.md). Before its first
    rename it leaves a record in <state_dir>/intents, removed when it ends: an agent killed in between is found out
    by the next session (ConfigOps.unfinished_applies)."""

    def __init__(self, ops: ConfigOps, d: Daemon, edits: "List[FileEdit]", reason: "Optional[str]", request_id: "Any",
                 op: str, restored_from: "Optional[str]") -> None:
        self.ops = ops
        self.settings = ops.settings
        self.d = d
        self.edits = edits
        self.op = op
        self.reason = reason
        self.request_id = request_id
        self.restored_from = restored_from
        self.fault = os.environ.get(FAULT_ENV)
        self.started = time.monotonic()
        self.step = ops.stepper(d, [e.path for e in edits], request_id, op)
        self.result = "failed"
        self.message = None  # type: Optional[str]
        self.unfinished = None  # type: Optional[Dict[str, Any]]   # the record of an earlier apply of d that did not finish
        self.intent = None  # type: Optional[Dict[str, Any]]       # this run's record, once written

    def changed(self) -> "List[FileEdit]":
        return [e for e in self.edits if e.changed]

    def run(self) -> "Dict[str, Any]":
        lock = None
        try:
            lock = self.ops.lock(self.d, self.step)
            return self._locked()
        except AgentError as exc:
            self.message = exc.message
            if self.result == "failed":
                self.result = {E_CONFLICT: "conflict", E_CHECK_FAILED: "refused", E_ROLLED_BACK: "rolled_back",
                               E_BUSY: "busy"}.get(exc.code, "failed")
            raise
        except Exception as exc:
            self.message = "internal error: %s" % exc
            raise
        finally:
            self.ops.write_audit(self._audit_line(), self.step)
            if lock is not None:
                try:
                    self._settle_intent()
                except (OSError, AgentError) as exc:
                    LOG.error("cannot settle the apply record of %s: %s", self.d.name, exc)
                finally:
                    os.close(lock)

    def _locked(self) -> "Dict[str, Any]":
        self.unfinished = self.ops.take_unfinished(self.d)
        self._compare()
        if not self.changed() and self.unfinished is None:
            self.result = "unchanged"
            for name in ("check", "backup", "write", "reload", "health"):
                self.step(name, "skipped", message="the file already has this content" if len(self.edits) == 1
                          else "the files already have this content")
            return self._answer()
        if not self.d.alive or not is_alive(self.settings.proc_root, self.d.pid, self.d.starttime):
            raise AgentError(E_NOT_RUNNING, "daemon %s is not running; start it before applying" % self.d.name)
        check = self._check()
        self._backup()
        inject_fault(self.fault, "after_backup")
        self._write()
        # reload and health, against the state just before the reload
        pre = self.ops.agent.blocking_dump(self.d.name, "apply", self.settings.dump_timeout * 3)
        before = {i["instance"]: i for i in pre.get("instances", [])} if pre.get("ok") else \
            {name: dict(inst) for name, inst in self.d.instances.items()}
        try:
            self.ops._reload(self.d, self.step)
            health = self.ops._health(self.d, before, self.step)
        except AgentError as exc:
            self._rollback(exc)             # raises: rolled_back, or io_error when a file cannot be put back
        self.result = "applied"
        return self._answer(check, health)

    def _per_file(self, key: str, value: "Callable[[FileEdit], Any]",
                  edits: "Optional[List[FileEdit]]" = None) -> "Dict[str, Any]":
        """A step's detail for each file ({"files": [...]}) when the apply has several."""
        edits = self.edits if edits is None else edits
        return {"files": [{"path": e.path, key: value(e)} for e in edits]} if len(self.edits) > 1 else {}

    def _compare(self) -> None:
        self.step("compare", "started")
        for e in self.edits:
            try:
                e.target = self.ops.write_target(self.d, e.path)
                e.old_data, e.old_stat = read_trusted(str(e.target), MAX_CONFIG_FILE_BYTES)
            except FileNotFoundError:
                self.step("compare", "failed", file=e.path, message="the file does not exist")
                raise AgentError(E_NOT_FOUND, "%s does not exist" % e.path)
            except AgentError as exc:
                self.step("compare", "failed", file=e.path, message=exc.message)
                raise
            e.old_sha = sha256_hex(e.old_data)
            if e.old_sha != e.base_sha:
                self.step("compare", "failed", file=e.path, current_sha256=e.old_sha)
                raise AgentError(E_CONFLICT, "%s changed since the editor read it (sha256 %s, expected %s); "
                                 "review the current text and apply again" % (e.path, e.old_sha[:12], e.base_sha[:12]),
                                 {"current_sha256": e.old_sha, "current_text": decode_text(e.old_data), "path": e.path})
        self.step("compare", "ok", sha256=self.edits[0].old_sha, **self._per_file("sha256", lambda e: e.old_sha))

    def _check(self) -> "Dict[str, Any]":
        self.step("check", "started")
        check = self.ops.check_files(self.d, {e.path: e.new_data for e in self.edits})
        if not check["ok"]:
            self.step("check", "failed", errors=check["errors"], warnings=check["warnings"])
            raise AgentError(E_CHECK_FAILED, "keepalived -t rejected the configuration (%d error(s)); "
                             "keepalived was not touched" % check["errors"],
                             {"diagnostics": check["diagnostics"], "exit_code": check["exit_code"],
                              "output": check["output"]})
        self.step("check", "ok", errors=0, warnings=check["warnings"])
        return check

    def _backup(self) -> None:
        changed = self.changed()
        if not changed:
            self.step("backup", "skipped", message="no file changes")
            return
        self.step("backup", "started")
        for e in changed:
            e.backup = self.ops.backup(e.path, e.old_data)
        self.step("backup", "ok", backup=changed[0].backup_name(), **self._per_file("backup", FileEdit.backup_name, changed))

    def _write(self) -> None:
        changed = self.changed()
        if not changed:
            self.step("write", "skipped", message="the files already have this content; keepalived is reloaded to "
                      "finish an earlier apply that did not")
            return
        self.step("write", "started")
        self._record_intent(changed)
        for e in changed:
            stale = remove_stale_temps(e.target)
            if stale:
                LOG.warning("removed temporary files of an interrupted apply: %s", ", ".join(stale))
            try:
                atomic_write(e.target, e.new_data, e.old_stat, self.fault)
            except (OSError, AgentError) as exc:
                self.step("write", "failed", file=e.path, message=str(exc))
                failures = self._restore()
                if failures:
                    self.result = "rollback_failed"
                    raise AgentError(E_IO, "cannot write %s (%s), and putting back the files written before it failed: "
                                     "%s; the backups are %s" % (e.path, exc, "; ".join(failures), self._backups()))
                raise AgentError(E_IO, "cannot write %s: %s; %skeepalived was not reloaded"
                                 % (e.path, exc, "the files written before it were put back, " if e is not changed[0] else ""))
            e.written = True
        self.step("write", "ok", sha256=changed[0].new_sha, **self._per_file("sha256", lambda e: e.new_sha, changed))
        inject_fault(self.fault, "before_reload")

    def _record_intent(self, changed: "List[FileEdit]") -> None:
        """The record that this apply is under way, written (0600, root-only directory) before its first rename."""
        ts = now()
        record = {"format": INTENT_FORMAT, "op": self.op, "daemon": self.d.name, "config": self.d.config,
                  "request_id": self.request_id, "reason": self.reason, "restored_from": self.restored_from,
                  "ts": ts, "time": iso_time(ts), "user": session_user(),
                  "ssh_client": os.environ.get("SSH_CLIENT") or None, "agent_pid": os.getpid(),
                  "files": [{"path": e.path, "target": str(e.target), "old_sha256": e.old_sha, "new_sha256": e.new_sha,
                             "backup": e.backup_name()} for e in changed]}
        path = self.ops.private("intents") / (self.ops.lock_name(self.d) + ".json")
        remove_stale_temps(path)
        atomic_write(path, encode_text(json.dumps(record, sort_keys=True)))
        self.intent = record

    def _restore(self) -> "List[str]":
        """Puts back the bytes of every file this run wrote, newest first; what failed, in words."""
        failures = []
        for e in reversed([e for e in self.edits if e.written]):
            try:
                atomic_write(e.target, e.old_data, e.old_stat)
                e.written = False
            except (OSError, AgentError) as exc:
                failures.append("%s: %s" % (e.path, exc))
        return failures

    def _backups(self) -> str:
        return ", ".join("%s for %s" % (e.backup, e.path) for e in self.edits if e.backup) or "none"

    def _rollback(self, cause: AgentError) -> None:
        """After a failed reload or health watch: every file back as it was, keepalived reloaded (or started again by
        systemd); raises rolled_back (or io_error when a file cannot be put back)."""
        self.step("rollback", "started", reason=cause.message)
        changed = self.changed()
        details = dict(cause.details or {})
        details.update({"reason": cause.message, "backup": changed[0].backup_name() if changed else None,
                        "restored_sha256": changed[0].old_sha if changed else None})
        if len(self.edits) > 1:
            details["restored"] = [{"path": e.path, "sha256": e.old_sha, "backup": e.backup_name()} for e in changed]
        failures = self._restore()
        if failures:
            self.step("rollback", "failed", message="cannot restore: %s" % "; ".join(failures))
            self.result = "rollback_failed"
            raise AgentError(E_IO, "health check failed (%s) and restoring failed: %s; the backups are %s"
                             % (cause.message, "; ".join(failures), self._backups()), details)
        d = self.d
        alive = is_alive(self.settings.proc_root, d.pid, d.starttime)
        unit = d.reload_unit()
        if alive:
            try:
                self.ops._reload(d, self.step)
                time.sleep(self.settings.health_min)
                alive = is_alive(self.settings.proc_root, d.pid, d.starttime)
            except AgentError as exc:
                details["reload_error"] = exc.message
        elif unit:
            code, out, err = run_command(["systemctl", "start", unit], self.settings.reload_timeout)
            details["restarted_with"] = "systemctl start %s" % unit
            if code != 0:
                details["restart_error"] = (err or out).strip()
        details["daemon_alive"] = alive
        restored = []  # type: List[Dict[str, Any]]
        if alive:
            # A fresh dump on the restored files: the client sees the instances leave the state the
            # failed config put them in (nothing else would tell it before the periodic snapshot).
            snap = self.ops.agent.blocking_dump(d.name, "apply", self.settings.dump_timeout * 3)
            if snap.get("ok"):
                restored = [{"instance": i["instance"], "state": i["state"], "effective_priority": i["effective_priority"]}
                            for i in sorted(snap["instances"], key=lambda i: i["instance"])]
                details["instances"] = restored
        self.step("rollback", "ok" if alive else "failed", daemon_alive=alive, instances=restored)
        self.result = "rolled_back"
        message = "%s; the previous configuration was restored" % cause.message
        if not alive:
            message += " but keepalived is not running: start it again"
        raise AgentError(E_ROLLED_BACK, message, details)

    def _settle_intent(self) -> None:
        """Once the run ended: the record goes when keepalived runs what is on disk (applied, rolled back); it stays
        while a file this run wrote is still on disk unchecked (a rollback that failed, an unexpected error), for the
        next sessions to report, its audit line written. A run that put everything back leaves the record of an
        earlier unfinished apply as it found it."""
        path = self.ops.intent_path(self.d)
        if self.result in ("applied", "rolled_back"):
            _unlink_quietly(path)
        elif self.intent is not None and any(e.written for e in self.edits):
            atomic_write(path, encode_text(json.dumps(dict(self.intent, audited=now(), outcome=self.result),
                                                      sort_keys=True)))
        elif self.intent is not None and self.unfinished is not None:
            atomic_write(path, encode_text(json.dumps(self.unfinished, sort_keys=True)))
        elif self.intent is not None:
            _unlink_quietly(path)

    def _answer(self, check: "Optional[Dict[str, Any]]" = None,
                health: "Optional[Dict[str, Any]]" = None) -> "Dict[str, Any]":
        result = {"result": self.result, "files": [e.to_json() for e in self.edits],
                  "duration_ms": int((time.monotonic() - self.started) * 1000)}  # type: Dict[str, Any]
        if len(self.edits) == 1:
            only = self.edits[0]
            result.update({"path": only.path, "old_sha256": only.old_sha, "new_sha256": only.new_sha,
                           "backup": only.backup_name()})
        if check is not None:
            result["check"] = {"warnings": check["warnings"], "diagnostics": check["diagnostics"]}
        if health is not None:
            result["health"] = health
        if self.unfinished is not None:
            result["finished_unfinished"] = self._earlier()
        return result

    def _earlier(self) -> "Dict[str, Any]":
        earlier = self.unfinished or {}
        return {key: earlier.get(key) for key in ("time", "user", "agent_pid", "request_id", "op")}

    def _audit_line(self) -> "Dict[str, Any]":
        line = {"op": self.op, "daemon": self.d.name, "result": self.result, "message": self.message,
                "reason": self.reason, "request_id": self.request_id, "restored_from": self.restored_from,
                "files": [e.to_json() for e in self.edits]}  # type: Dict[str, Any]
        if len(self.edits) == 1:
            only = self.edits[0]
            line.update({"path": only.path, "old_sha256": only.old_sha or None,
                         "new_sha256": only.new_sha if only.old_sha else None, "backup": only.backup_name()})
        if self.unfinished is not None:
            line["finishes"] = self._earlier()
        return line


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
                _libc_call("unshare", ctypes.c_int(CLONE_NEWNS))
            _libc_call("mount", b"none", b"/", None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None)
            for candidate, target in binds:
                _libc_call("mount", candidate.encode(), target.encode(), None, ctypes.c_ulong(MS_BIND), None)
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


# ---------------------------------------------------------------------------------------------
# The agent
# ---------------------------------------------------------------------------------------------

ARG_SCHEMAS = {
    "hello": {"client": (dict, False), "protocol": (int, False)},
    "daemons": {},
    "state.snapshot": {"daemon": (str, False), "fresh": (bool, False)},
    "state.subscribe": {"fresh": (bool, False)},
    "state.unsubscribe": {},
    "config.read": {"daemon": (str, True)},
    "config.check": {"daemon": (str, True), "text": (str, False), "path": (str, False), "files": (list, False)},
    "config.apply": {"daemon": (str, True), "text": (str, False), "base_sha256": (str, False),
                     "path": (str, False), "reason": (str, False), "files": (list, False)},
    "config.backups": {"daemon": (str, True), "path": (str, False)},
    "config.restore": {"daemon": (str, True), "backup": (str, True), "base_sha256": (str, True),
                       "path": (str, False), "reason": (str, False)},
}  # type: Dict[str, Dict[str, Tuple[type, bool]]]
WORKER_OPS = ("config.read", "config.check", "config.apply", "config.backups", "config.restore")
ID_HINT_RE = re.compile(rb'"id"\s*:\s*(-?\d{1,18}|"[^"\\]{0,100}")')
FILE_ENTRY_KEYS = ("path", "text", "base_sha256")


def file_entries(op: str, args: "Dict[str, Any]", with_base: bool) -> "List[Tuple[Optional[str], str, Optional[str]]]":
    """The files of a config.check or config.apply as (path, text, base_sha256): one file (text, path, base_sha256)
    or several (files: [{path, text, base_sha256}], applied as one). Raises bad_args naming what is wrong."""
    files = args.get("files")
    if files is None:
        if args.get("text") is None:
            raise AgentError(E_BAD_ARGS, "%s needs argument 'text' (one file) or 'files' (several)" % op)
        if with_base and args.get("base_sha256") is None:
            raise AgentError(E_BAD_ARGS, "%s needs argument 'base_sha256'" % op)
        return [(args.get("path"), args["text"], args.get("base_sha256"))]
    given = [key for key in FILE_ENTRY_KEYS if args.get(key) is not None]
    if given:
        raise AgentError(E_BAD_ARGS, "%s takes 'files' or %s, not both" % (op, ", ".join(repr(k) for k in given)))
    if not files:
        raise AgentError(E_BAD_ARGS, "%s: 'files' is empty" % op)
    if len(files) > MAX_INCLUDED_FILES:
        raise AgentError(E_BAD_ARGS, "%s: 'files' names %d files, more than %d" % (op, len(files), MAX_INCLUDED_FILES))
    entries = []
    for index, entry in enumerate(files):
        where = "files[%d]" % index
        if not isinstance(entry, dict):
            raise AgentError(E_BAD_ARGS, "%s must be an object {path, text%s}" % (where, ", base_sha256" if with_base else ""))
        unknown = sorted(set(entry) - set(FILE_ENTRY_KEYS if with_base else FILE_ENTRY_KEYS[:2]))
        if unknown:
            raise AgentError(E_BAD_ARGS, "%s has unknown fields: %s" % (where, ", ".join(unknown)))
        path, text, base = entry.get("path"), entry.get("text"), entry.get("base_sha256")
        if not isinstance(path, str) or not path.startswith("/") or "\0" in path:
            raise AgentError(E_BAD_ARGS, "%s.path must be an absolute path" % where)
        if not isinstance(text, str):
            raise AgentError(E_BAD_ARGS, "%s.text must be a string (%s)" % (where, path))
        if with_base and (not isinstance(base, str) or not re.match(r"^[0-9a-fA-F]{%d}$" % SHA256_HEX_LEN, base)):
            raise AgentError(E_BAD_ARGS, "%s.base_sha256 must be 64 hex digits from config.read (%s)" % (where, path))
        entries.append((path, text, base))
    return entries


class Agent(object):
    def __init__(self, settings: Settings, stdin_fd: int = 0, stdout_fd: int = 1) -> None:
        self.settings = settings
        self.stdin_fd = stdin_fd
        self.stdout_fd = stdout_fd
        self.loop = Loop()
        self.discovery = Discovery(settings)
        self.claims_reader = ClaimsReader()
        self.config_id = local_config_id()     # what keepalived's @ lines are tested against without -i
        self.config_ops = ConfigOps(self)
        self.daemons = {}  # type: Dict[str, Daemon]
        self.netns = {}  # type: Dict[int, NetnsWatch]
        self.inbuf = bytearray()
        self.discarding = False
        self.outbuf = []  # type: List[bytes]
        self.flush_timer = None  # type: Optional[Timer]
        self.running = True
        self.input_open = True
        self.output_open = True
        self.subscribed = False
        self.monitoring = False
        self.heartbeat_seq = 0
        self.heartbeat_timer = None  # type: Optional[Timer]
        self.rescan_timer = None  # type: Optional[Timer]
        self.liveness_timer = None  # type: Optional[Timer]
        self.rejected = set()  # type: Set[Tuple[int, int]]
        self.tmpdir_busy = {}  # type: Dict[str, str]
        self.tmpdir_queue = {}  # type: Dict[str, collections.deque]
        self.signums = {}  # type: Dict[Any, Tuple[Optional[int], Optional[int]]]
        self.workers = 0
        self.workers_lock = threading.Lock()
        self.started = time.monotonic()
        self.pidfd_supported = None  # type: Optional[bool]
        self.keepalived_info = None  # type: Optional[Dict[str, Any]]
        self.trim_wanted = False
        self.last_trim = 0.0
        self.dumps_taken = 0
        self.dumps_failed = 0
        self.dump_locks = {}  # type: Dict[str, int]      # TMPDIR -> lock file fd, kept open between dumps
        self.dump_locks_held = set()  # type: Set[str]    # TMPDIRs whose dump lock this agent holds now
        self.pending_requests = 0
        self.dump_lock_warned = False
        self.loop.after_turn.append(self._after_turn)

    # -- output ------------------------------------------------------------------------------

    def emit(self, message: "Dict[str, Any]") -> None:
        """Queues one protocol line; lines are written together once per loop turn (batched)."""
        if not self.output_open:
            return
        if "ts" not in message:
            message["ts"] = now()
        self.outbuf.append(json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n")
        if self.settings.batch_interval > 0 and self.flush_timer is None:
            self.flush_timer = self.loop.call_later(self.settings.batch_interval, self._flush_now)

    def emit_threadsafe(self, message: "Dict[str, Any]") -> None:
        message.setdefault("ts", now())
        self.loop.call_soon_threadsafe(lambda: self.emit(message))

    def event(self, name: str, **fields: "Any") -> None:
        message = {"event": name, "ts": now()}
        message.update(fields)
        self.emit(message)

    def _after_turn(self) -> None:
        if self.settings.batch_interval <= 0:
            self._flush_now()
        if self.trim_wanted and time.monotonic() - self.last_trim >= TRIM_MIN_INTERVAL_S:
            self.trim_wanted = False
            self.last_trim = time.monotonic()
            trim_memory()

    def _flush_now(self) -> None:
        self.flush_timer = None
        if not self.outbuf or not self.output_open:
            self.outbuf = []
            return
        data = b"".join(self.outbuf)
        self.outbuf = []
        if len(data) >= TRIM_AFTER_OUTPUT_BYTES:
            self.trim_wanted = True
        view = memoryview(data)
        try:
            while view:
                written = os.write(self.stdout_fd, view)
                view = view[written:]
        except (BrokenPipeError, ConnectionResetError):
            LOG.info("stdout closed by the client; ending the session")
            self.output_open = False
            self.shutdown()
        except OSError as exc:
            LOG.error("cannot write to stdout: %s; ending the session", exc)
            self.output_open = False
            self.shutdown()

    def respond(self, req_id: "Any", result: "Dict[str, Any]") -> None:
        self.emit({"id": req_id, "ok": True, "ts": now(), "result": result})

    def respond_error(self, req_id: "Any", err: AgentError) -> None:
        self.emit({"id": req_id, "ok": False, "ts": now(), "error": err.to_json()})

    # -- input -------------------------------------------------------------------------------

    def _on_stdin(self) -> None:
        try:
            chunk = os.read(self.stdin_fd, STDIN_READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            LOG.info("stdin failed (%s); ending the session", exc)
            chunk = b""
        if not chunk:
            LOG.info("stdin closed; ending the session")
            self.loop.remove_reader(self.stdin_fd)
            self.input_open = False
            if self.inbuf and not self.discarding:
                line = bytes(self.inbuf)
                self.inbuf = bytearray()
                self._handle_line(line)
            self.shutdown()
            return
        self.inbuf += chunk
        while True:
            index = self.inbuf.find(b"\n")
            if index < 0:
                break
            line = bytes(self.inbuf[:index])
            del self.inbuf[:index + 1]
            if self.discarding:
                self.discarding = False
                continue
            if len(line) > MAX_REQUEST_BYTES:
                self._too_large(line)
                continue
            self._handle_line(line)
        if len(self.inbuf) > MAX_REQUEST_BYTES and not self.discarding:
            self._too_large(bytes(self.inbuf[:ID_HINT_BYTES]))
            self.inbuf = bytearray()
            self.discarding = True
        elif self.discarding:
            self.inbuf = bytearray()

    def _too_large(self, head: bytes) -> None:
        m = ID_HINT_RE.search(head[:ID_HINT_BYTES])
        req_id = None  # type: Any
        if m:
            try:
                req_id = json.loads(m.group(1).decode())
            except ValueError:
                req_id = None
        self.respond_error(req_id, AgentError(E_TOO_LARGE, "request is larger than %d bytes; refused"
                                              % MAX_REQUEST_BYTES))

    def _handle_line(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            request = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            self.respond_error(None, AgentError(E_PARSE, "not JSON: %s" % str(exc)[:200]))
            return
        if not isinstance(request, dict):
            self.respond_error(None, AgentError(E_BAD_REQUEST, "a request is a JSON object {id, op, args}"))
            return
        req_id = request.get("id")
        if isinstance(req_id, bool) or not isinstance(req_id, (int, str)):
            self.respond_error(None, AgentError(E_BAD_REQUEST, "request id must be a number or a string"))
            return
        op = request.get("op")
        if not isinstance(op, str) or op not in ARG_SCHEMAS:
            self.respond_error(req_id, AgentError(E_UNKNOWN_OP, "unknown op %r; known: %s" % (op, ", ".join(OPS))))
            return
        unknown = set(request) - {"id", "op", "args"}
        if unknown:
            self.respond_error(req_id, AgentError(E_BAD_REQUEST, "unknown request fields: %s" % ", ".join(sorted(unknown))))
            return
        try:
            args = self._validate_args(op, request.get("args"))
        except AgentError as err:
            self.respond_error(req_id, err)
            return
        if not self.running:
            self.respond_error(req_id, AgentError(E_SHUTTING_DOWN, "the agent is ending the session"))
            return
        if op in WORKER_OPS:
            self._start_worker(req_id, op, args)
            return
        try:
            handler = getattr(self, "op_" + op.replace(".", "_"))
            handler(req_id, args)
        except AgentError as err:
            self.respond_error(req_id, err)
        except Exception as exc:
            LOG.exception("op %s failed", op)
            self.respond_error(req_id, AgentError(E_INTERNAL, "internal error in %s: %s" % (op, exc)))

    @staticmethod
    def _validate_args(op: str, args: "Any") -> "Dict[str, Any]":
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise AgentError(E_BAD_ARGS, "args must be a JSON object")
        schema = ARG_SCHEMAS[op]
        for name in args:
            if name not in schema:
                raise AgentError(E_BAD_ARGS, "%s does not take argument %r (takes: %s)"
                                 % (op, name, ", ".join(sorted(schema)) or "nothing"))
        for name, (kind, required) in schema.items():
            if name not in args or args[name] is None:
                if required:
                    raise AgentError(E_BAD_ARGS, "%s needs argument %r" % (op, name))
                continue
            value = args[name]
            if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                raise AgentError(E_BAD_ARGS, "argument %r must be an integer" % name)
            if kind is not int and not isinstance(value, kind):
                raise AgentError(E_BAD_ARGS, "argument %r must be a %s" % (name, kind.__name__))
        sha = args.get("base_sha256")
        if sha is not None and not re.match(r"^[0-9a-fA-F]{%d}$" % SHA256_HEX_LEN, sha):
            raise AgentError(E_BAD_ARGS, "base_sha256 must be 64 hex digits (from config.read)")
        path = args.get("path")
        if path is not None and (not path.startswith("/") or "\0" in path):
            raise AgentError(E_BAD_ARGS, "path must be absolute")
        return args

    # -- worker threads ----------------------------------------------------------------------

    def _start_worker(self, req_id: "Any", op: str, args: "Dict[str, Any]") -> None:
        with self.workers_lock:
            if self.workers >= MAX_CONCURRENT_WORKERS:
                self.respond_error(req_id, AgentError(E_BUSY, "%d config operations are already running; "
                                                      "retry when one finishes" % MAX_CONCURRENT_WORKERS))
                return
            self.workers += 1
        handler = getattr(self, "op_" + op.replace(".", "_"))

        def work() -> None:
            try:
                result = handler(req_id, args)
                self.loop.call_soon_threadsafe(lambda: self.respond(req_id, result))
            except AgentError as err:
                error = err
                self.loop.call_soon_threadsafe(lambda: self.respond_error(req_id, error))
            except Exception as exc:
                LOG.exception("op %s failed", op)
                error = AgentError(E_INTERNAL, "internal error in %s: %s" % (op, exc))
                self.loop.call_soon_threadsafe(lambda: self.respond_error(req_id, error))
            finally:
                with self.workers_lock:
                    self.workers -= 1
                self.trim_wanted = True
                self.loop.call_soon_threadsafe(lambda: None)    # wake the loop: it may be waiting to exit

        thread = threading.Thread(target=work, name="op-%s" % op)
        thread.daemon = True
        thread.start()

    def call_in_loop(self, fn: "Callable[[], Any]", timeout: float) -> "Any":
        """Runs fn on the loop thread and waits for its result (from a worker thread)."""
        done = threading.Event()
        box = {}  # type: Dict[str, Any]

        def run() -> None:
            try:
                box["value"] = fn()
            except Exception as exc:
                box["error"] = exc
            done.set()
        self.loop.call_soon_threadsafe(run)
        if not done.wait(timeout):
            raise AgentError(E_TIMEOUT, "the agent's event loop did not answer in time")
        if "error" in box:
            raise box["error"]
        return box["value"]

    def blocking_dump(self, name: str, cause: str, timeout: float) -> "Dict[str, Any]":
        """From a worker thread: a fresh dump of one daemon (waits for a dump started after now)."""
        done = threading.Event()
        box = {}  # type: Dict[str, Any]

        def waiter(result: "Dict[str, Any]") -> None:
            box["result"] = result
            done.set()

        def start() -> None:
            d = self.daemons.get(name)
            if d is None:
                waiter({"ok": False, "message": "daemon %s is gone" % name})
            else:
                self.request_dump(d, cause, waiter)
        self.loop.call_soon_threadsafe(start)
        if not done.wait(timeout):
            return {"ok": False, "message": "no dump within %.1f s" % timeout}
        return box["result"]

    def find_daemon(self, name: str) -> Daemon:
        d = self.call_in_loop(lambda: self.daemons.get(name), self.settings.dump_timeout * 5) \
            if threading.current_thread() is not threading.main_thread() else self.daemons.get(name)
        if d is None:
            raise AgentError(E_NOT_FOUND, "no keepalived daemon named %r on this node (known: %s)"
                             % (name, ", ".join(sorted(self.daemons)) or "none"))
        return d

    # -- lifecycle ---------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Ends the session once running config operations finished (an apply is never cut short)."""
        if self.running:
            self.running = False
            with self.workers_lock:
                busy = self.workers
            if busy:
                LOG.info("waiting for %d running config operation(s) before exiting", busy)

    def serve(self) -> int:
        self.loop.add_reader(self.stdin_fd, self._on_stdin)
        self.rescan()
        if proc_rss_kb() > TRIM_AT_START_RSS_KB:
            trim_memory()   # compiling the source left freed heap; loading the cached code does not
        self.last_trim = time.monotonic()
        while True:
            self.loop.run_once()
            if not self.running:
                with self.workers_lock:
                    busy = self.workers
                if not busy and not self.pending_requests:
                    break
        self._flush_now()
        self.close()
        return 0

    def close(self) -> None:
        for watch in self.netns.values():
            watch.close()
        for d in self.daemons.values():
            self._close_pidfds(d)

    # -- discovery and liveness --------------------------------------------------------------

    def keepalived_bin(self) -> str:
        """The trusted keepalived; a missing or untrusted one is named so that running it fails in words."""
        return trusted_keepalived(self.settings.keepalived_bin) or (self.settings.keepalived_bin
                                                                    or "keepalived (none trusted on PATH)")

    def rescan(self) -> None:
        """Reconciles the daemon table with /proc; emits daemon events while subscribed."""
        # pids watched by a pidfd need no re-reading: their exit is an event of its own
        unwatched = None  # type: Optional[Set[int]]
        if not self.monitoring or not self.pidfd_supported:
            unwatched = set(self.discovery.cache)
        else:
            unwatched = {pid for d in self.daemons.values() if d.alive for pid in [d.pid] + list(d.children)
                         if pid not in d.pidfds}
        found = self.discovery.scan(unwatched)
        alive = {(d.pid, d.starttime): d for d in self.daemons.values() if d.alive}
        for (pid, starttime), d in alive.items():
            entry = found.get(pid)
            if entry is None or entry[0].starttime != starttime:
                self._on_daemon_exit(d)
        for pid, (entry, kids) in sorted(found.items()):
            ident = (pid, entry.starttime)
            existing = alive.get(ident)
            if existing is not None:
                if {k.pid for k in kids} != set(existing.children):
                    self._update_children(existing, kids)
                continue
            if ident in self.rejected:
                continue
            fresh = self.discovery.build(entry, kids)
            if fresh is None:
                self.rejected.add(ident)
                continue
            fresh.key = daemon_key(fresh)
            old = next((d for d in self.daemons.values() if d.key == fresh.key), None)
            fresh.name = old.name if old is not None else self._name_for(fresh)
            replaced = self.daemons.get(fresh.name)
            if replaced is not None:
                if replaced.alive:
                    self._on_daemon_exit(replaced)
                fresh.instances = replaced.instances
                fresh.instances_from = replaced.instances_from
                fresh.claims = replaced.claims
                fresh.config_error = replaced.config_error
                fresh.snapshot_ts = replaced.snapshot_ts
                if replaced.periodic_timer is not None:
                    replaced.periodic_timer.cancel()
                self._close_pidfds(replaced)
            self.daemons[fresh.name] = fresh
            self._daemon_started(fresh, restarted=replaced is not None)
        live_idents = {(pid, e[0].starttime) for pid, e in found.items()}
        self.rejected &= live_idents
        self._reconcile_configured()
        self._forget_vanished()
        self._refresh_claims()

    def _reconcile_configured(self) -> None:
        """Configurations keepalived would run that no known daemon runs become daemons of their own
        (alive false, pid null); such a record goes when its configuration does, and turns into the
        running daemon (same name) when one is started with it."""
        skip = {d.key for d in self.daemons.values() if not d.configured_only}
        found = self.discovery.configured(skip, {d.key: d for d in self.daemons.values() if d.configured_only})
        for name, d in list(self.daemons.items()):
            if not d.configured_only:
                continue
            if found.pop(d.key, None) is None:
                del self.daemons[name]
                LOG.info("forgetting %s: its configuration %s is gone", name, d.config)
                if self.subscribed:
                    self.event("daemon", daemon=name, action="unconfigured", pid=None)
                continue
            reason = self.discovery.stopped_reason(d)
            if reason != d.stopped_reason:
                d.stopped_reason = reason
                if self.subscribed:
                    self.event("daemon", daemon=name, action=d.stopped_reason, pid=None, zombie=False,
                               pid_file_left=d.stopped_reason == "died",
                               instances=[{"instance": n, "state": i["state"], "vips": i["vips"]}
                                          for n, i in d.instances.items()])
            if self.discovery.locate_netns(d) and self.monitoring:
                self._ensure_netns(d)
        for _, d in sorted(found.items()):
            d.name = self._name_for(d)
            self.daemons[d.name] = d
            LOG.info("keepalived %s: not running (%s), config %s, netns %s", d.name, d.stopped_reason, d.config,
                     d.netns_name or "(own)")
            if self.subscribed:
                self.event("daemon", daemon=d.name, action="configured", pid=None, info=d.to_json())
            if self.monitoring:
                self._ensure_netns(d)

    @staticmethod
    def _needs_claims(d: Daemon) -> bool:
        """No dump in this agent's life told its instances, and none can now: hung, dead or not running."""
        return d.instances_from != SOURCE_DUMP and (not d.alive or not d.responsive)

    def _refresh_claims(self) -> None:
        """Claims of every daemon that needs them, read again where a file changed (see ClaimsReader)."""
        keys = set()
        for d in list(self.daemons.values()):
            if self._needs_claims(d):
                self._load_claims(d)
                keys.add((d.fs_root, d.config, d.config_id or self.config_id))
        self.claims_reader.retain(keys)

    def _load_claims(self, d: Daemon) -> None:
        """The VRRP instances d's configuration claims become its instances (state UNKNOWN, source
        config), or none and d.config_error when it cannot be read or parsed."""
        instances, error = self.claims_reader.load(d.config, d.fs_root, d.config_id or self.config_id)
        if instances is d.claims and error == d.config_error:
            return
        if error is not None and error != d.config_error:
            LOG.warning("keepalived %s: no claims from its configuration: %s", d.name, error["message"])
        d.claims = instances
        d.config_error = error
        d.instances_from = SOURCE_CONFIG if error is None else None
        fresh = {}
        for inst in instances:
            record = dict(inst)
            record["daemon"] = d.name
            fresh[record["instance"]] = record
        self._replace_instances(d, fresh, "config")
        self._evaluate_orphans(d.netns_inode)

    def check_stopped(self) -> None:
        """A SIGSTOPped VRRP process (hung) changes nothing the agent would otherwise see: no exit,
        no address change, yet its VIP stays while a peer takes over. So each rescan looks at the
        state of every daemon's VRRP process (main process where none is known; one /proc read
        each, ~13 us). A stopped one cannot answer: it is `unresponsive` at once, and its VIPs are
        orphans (no dump is asked: waiting for one to time out, behind other agents' dumps of the same
        hung daemon, took up to 13 s with two sessions on a node). One that resumes is asked for a
        dump (it answers: `responsive`), not waiting for the periodic one."""
        for d in self.daemons.values():
            if not d.alive:
                continue
            pid = d.vrrp_pid or d.pid
            stopped = process_stopped(self.settings.proc_root, pid)
            if stopped == d.process_stopped:
                continue
            d.process_stopped = stopped
            LOG.info("keepalived %s: %s", d.name, "process stopped (SIGSTOP?)" if stopped else "process resumed")
            if stopped and d.responsive:
                self._mark_unresponsive(d, "%s does not answer: its VRRP process (pid %d) is stopped (SIGSTOP?)"
                                        % (daemon_label(d.name), pid))
            elif not stopped and not d.responsive:
                self.request_dump(d, "daemon")

    def _name_for(self, d: Daemon) -> str:
        """Neutron: the router id. Otherwise the netns name, 'keepalived', or the config's name."""
        if d.neutron_router:
            base = d.neutron_router
        elif d.netns_name:
            base = d.netns_name
        elif d.config == self.settings.default_config:
            base = "keepalived"
        else:
            stem = Path(d.config).stem
            parent = Path(d.config).parent.name
            base = parent if stem == "keepalived" and parent else stem
        name = base
        counter = 2
        # a running daemon takes the name of a dead one; a record known from configuration only never
        # gives its name away, nor takes another's
        while name in self.daemons and self.daemons[name].key != d.key and (
                self.daemons[name].alive or self.daemons[name].configured_only or d.configured_only):
            name = "%s-%d" % (base, counter)
            counter += 1
        return name

    def _update_children(self, d: Daemon, kids: "List[ProcEntry]") -> None:
        old_vrrp = d.vrrp_pid
        self.discovery.children(d, kids)
        if d.vrrp_pid == old_vrrp:
            return
        if self.monitoring:
            self._watch_pid(d, d.vrrp_pid)
        if self.subscribed and d.vrrp_pid is not None:
            self.event("daemon", daemon=d.name, action="vrrp_restarted" if old_vrrp else "vrrp_started",
                       pid=d.pid, vrrp_pid=d.vrrp_pid, previous_vrrp_pid=old_vrrp)
        if d.vrrp_pid is not None and (self.subscribed or self.monitoring):
            self.request_dump(d, "daemon")

    def _daemon_started(self, d: Daemon, restarted: bool) -> None:
        LOG.info("keepalived %s: pid %d, config %s, netns %s", d.name, d.pid, d.config, d.netns_name or "(own)")
        if self.monitoring:
            self._watch_daemon(d)
        if self.subscribed:
            self.event("daemon", daemon=d.name, action="restarted" if restarted else "started",
                       pid=d.pid, info=d.to_json())
            self.request_dump(d, "daemon")
            self._schedule_periodic(d, initial=True)

    def _watch_daemon(self, d: Daemon) -> None:
        self._watch_pid(d, d.pid)
        self._watch_pid(d, d.vrrp_pid)
        self._ensure_netns(d)

    def _watch_pid(self, d: Daemon, pid: "Optional[int]") -> None:
        if pid is None or pid in d.pidfds or self.pidfd_supported is False:
            return
        try:
            fd = pidfd_open(pid)
        except ProcessLookupError:
            self.loop.call_later(0, self.rescan)
            return
        if fd is None:
            if self.pidfd_supported is None:
                LOG.info("pidfd is unavailable; checking pids every %.1f s", self.settings.liveness_interval)
            self.pidfd_supported = False
            self._schedule_liveness()
            return
        self.pidfd_supported = True
        starttime = d.starttime if pid == d.pid else d.children.get(pid, (None, None))[1]
        d.pidfds[pid] = fd
        self.loop.add_reader(fd, lambda: self._on_pidfd(d, pid))
        if not is_alive(self.settings.proc_root, pid, starttime):
            self._on_pidfd(d, pid)      # exited (or the pid was reused) before the pidfd existed

    def _close_pidfds(self, d: Daemon) -> None:
        for fd in d.pidfds.values():
            self.loop.remove_reader(fd)
            try:
                os.close(fd)
            except OSError:
                pass
        d.pidfds = {}

    def _on_pidfd(self, d: Daemon, pid: int) -> None:
        self.discovery.cache.pop(pid, None)     # read it again: it may linger as a zombie
        fd = d.pidfds.pop(pid, None)
        if fd is not None:
            self.loop.remove_reader(fd)
            os.close(fd)
        if pid == d.pid:
            if d.alive:
                self._on_daemon_exit(d)
        else:
            LOG.info("keepalived %s: child %d exited", d.name, pid)
            if d.vrrp_pid == pid:
                d.vrrp_pid = None
                d.children.pop(pid, None)
                if self.subscribed:
                    self.event("daemon", daemon=d.name, action="vrrp_exited", pid=d.pid, vrrp_pid=pid)
            self.loop.call_later(CHILD_RESCAN_DELAY_S, self.rescan)

    def _schedule_liveness(self) -> None:
        if self.liveness_timer is None and self.monitoring:
            self.liveness_timer = self.loop.call_later(self.settings.liveness_interval, self._liveness_tick)

    def _liveness_tick(self) -> None:
        self.liveness_timer = None
        for d in list(self.daemons.values()):
            if d.alive and not is_alive(self.settings.proc_root, d.pid, d.starttime):
                self._on_daemon_exit(d)
            elif d.alive and d.vrrp_pid is not None and not is_alive(self.settings.proc_root, d.vrrp_pid):
                self._on_pidfd(d, d.vrrp_pid)
        self._schedule_liveness()

    def _on_daemon_exit(self, d: Daemon) -> None:
        """The main keepalived process exited (or is a zombie): stopped cleanly or died."""
        if not d.alive:
            return
        d.alive = False
        d.died_at = now()
        self.discovery.cache.pop(d.pid, None)
        pid_file_left = False if d.fs_root else os.path.exists(d.pid_file)
        entry = read_proc_stat(self.settings.proc_root, d.pid)
        zombie = entry is not None and entry.state == "Z" and entry.starttime == d.starttime
        # keepalived removes its pid file when it stops; a kill (or a crash) leaves it behind. A zombie
        # says nothing either way: a --dont-fork keepalived stays one until its parent reaps it.
        d.stopped_reason = "died" if pid_file_left else "stopped"
        LOG.warning("keepalived %s (pid %d) %s", d.name, d.pid, d.stopped_reason)
        self._close_pidfds(d)
        if d.periodic_timer is not None:
            d.periodic_timer.cancel()
            d.periodic_timer = None
        if d.dump_job is not None:
            self._finish_dump(d, {"ok": False, "code": E_NOT_RUNNING, "message": "keepalived exited"})
        if self.subscribed:
            self.event("daemon", daemon=d.name, action=d.stopped_reason, pid=d.pid, zombie=zombie,
                       pid_file_left=pid_file_left,
                       instances=[{"instance": n, "state": i["state"], "vips": i["vips"]} for n, i in d.instances.items()])
        if self._needs_claims(d):
            self._load_claims(d)
        self._evaluate_orphans(d.netns_inode)

    def _forget_vanished(self) -> None:
        """Dead daemons are kept (their VIPs may be orphans) while their namespace still exists."""
        dead = [d for d in self.daemons.values() if not d.alive]
        names = self.discovery.netns_names() if any(d.netns_name for d in dead) else {}
        for name, d in list(self.daemons.items()):
            if d.alive or d.configured_only:
                continue    # a record from configuration goes with its configuration
            if d.own_netns or (d.netns_name and d.netns_inode in names):
                continue
            del self.daemons[name]
            LOG.info("forgetting %s: its network namespace is gone", name)
        used = {d.netns_inode for d in self.daemons.values()}
        for inode in list(self.netns):
            if inode not in used:
                watch = self.netns.pop(inode)
                if watch.sock is not None:
                    self.loop.remove_reader(watch.fileno())
                watch.close()
        self._close_unused_dump_locks()

    def _close_unused_dump_locks(self) -> None:
        """A dump lock stays open per TMPDIR (see _lock_dump_dir). Neutron gives every router a TMPDIR of
        its own, and routers come and go: once no daemon the agent knows uses a TMPDIR, its lock file is
        closed, so a long session does not keep one open file per router it ever saw."""
        used = {os.path.dirname(d.dump_file("json")) for d in self.daemons.values()}
        for key in [k for k in self.dump_locks if k not in used and k not in self.dump_locks_held]:
            try:
                os.close(self.dump_locks.pop(key))
            except OSError as exc:
                LOG.debug("closing the dump lock of %s: %s", key, exc)

    # -- network namespaces and addresses ------------------------------------------------------

    def _ensure_netns(self, d: Daemon) -> None:
        if not d.netns_inode or d.netns_inode in self.netns:
            return      # inode 0: a named namespace that does not exist (yet)
        watch = NetnsWatch(d.netns_inode, d.netns_name, None if d.own_netns else d.netns_path)
        self.netns[d.netns_inode] = watch
        try:
            watch.open()
        except OSError as exc:
            LOG.warning("cannot watch addresses in netns %s: %s; relying on periodic dumps",
                        d.netns_name or d.netns_inode, exc)
            watch.close()
            return
        self.loop.add_reader(watch.fileno(), lambda: self._on_netlink(watch))
        self._evaluate_orphans(d.netns_inode)   # a claimed VIP found up (daemon dead or hung already)

    def _on_netlink(self, watch: NetnsWatch) -> None:
        try:
            changes, overflow = watch.read_changes()
            if overflow:
                LOG.warning("netlink overflow in netns %s; resynchronising", watch.name or watch.inode)
                added, removed = watch.resync()
                changes += [("added", a) for a in added] + [("removed", a) for a in removed]
        except OSError as exc:
            LOG.error("netlink failed in netns %s: %s", watch.name or watch.inode, exc)
            self.loop.remove_reader(watch.fileno())
            watch.close()
            return
        links = [c for c in changes if c[0] == "link"]
        changes = [c for c in changes if c[0] != "link"]
        if links:
            # keepalived enters or leaves FAULT as a link's carrier goes or comes: every daemon here is asked
            watch.pending_dumps |= {d.name for d in self.daemons.values() if d.alive and d.netns_inode == watch.inode}
        if not changes:
            if links and watch.debounce_timer is None:
                watch.debounce_timer = self.loop.call_later(self.settings.vip_debounce,
                                                            lambda: self._flush_vip_dumps(watch))
            return
        claims = self._claims(watch.inode)
        unexplained = False
        unanswered = False
        for action, addr in changes:
            owners = claims.get(addr["address"], [])
            if self.subscribed:
                owner = owners[0] if owners else (None, None)
                self.event("vip", action=action, address=addr["address"], prefix=addr["prefix"],
                           ifname=addr.get("ifname"), netns=watch.name, daemon=owner[0], instance=owner[1],
                           known=bool(owners))
            if action == "removed":
                watch.orphans.pop(addr["address"], None)
                watch.candidates.pop(addr["address"], None)
            targets = {o[0] for o in owners if o[0] in self.daemons and self.daemons[o[0]].alive}
            # Claimed, but only by a daemon that is gone: most likely its restart has just taken the
            # address, before the periodic rescan found it (a preempting node's VIP would wait for that).
            unexplained |= action == "added" and bool(owners) and not targets
            # no claimer can answer a dump (dead, not running, hung): no dump will evaluate the orphan
            unanswered |= action == "added" and bool(owners) and not any(
                self.daemons[o[0]].responsive for o in owners if o[0] in targets)
            if not targets:
                targets = {d.name for d in self.daemons.values() if d.alive and d.netns_inode == watch.inode}
            watch.pending_dumps |= targets
        if unexplained or unanswered:
            def look() -> None:
                if unexplained:
                    self.rescan()   # first: a restarted daemon is not an orphan's owner
                self._evaluate_orphans(watch.inode)
            self.loop.call_later(0, look)
        if watch.debounce_timer is None:
            watch.debounce_timer = self.loop.call_later(self.settings.vip_debounce, lambda: self._flush_vip_dumps(watch))

    def _flush_vip_dumps(self, watch: NetnsWatch) -> None:
        watch.debounce_timer = None
        names = watch.pending_dumps
        watch.pending_dumps = set()
        for name in names:
            d = self.daemons.get(name)
            if d is not None and d.alive:
                self.request_dump(d, "vip")

    def _claims(self, inode: int) -> "Dict[str, List[Tuple[str, str]]]":
        claims = {}  # type: Dict[str, List[Tuple[str, str]]]
        for d in self.daemons.values():
            if d.netns_inode != inode:
                continue
            for iname, inst in d.instances.items():
                for cidr in inst.get("vips", []) + inst.get("excluded_vips", []):
                    claims.setdefault(cidr.split("/")[0], []).append((d.name, iname))
        return claims

    def _orphan_status(self, inode: int) -> "Dict[str, Dict[str, Any]]":
        """VIPs present in the namespace whose claiming instances are not a live, answering MASTER."""
        watch = self.netns.get(inode)
        if watch is None or watch.sock is None:
            return {}
        result = {}
        claims = self._claims(inode)
        for address, addr in watch.present().items():
            owners = claims.get(address)
            if not owners:
                continue
            reasons = []
            for dname, iname in owners:
                d = self.daemons[dname]
                if not d.alive:
                    reasons.append("daemon_stopped" if d.stopped_reason == "stopped" else "daemon_dead")
                elif not d.responsive:
                    reasons.append("daemon_unresponsive")
                elif d.instances.get(iname, {}).get("state") != STATE_MASTER:
                    reasons.append("not_master")
                else:
                    reasons.append(None)
            if None in reasons:
                continue
            reason = "not_master" if "not_master" in reasons else reasons[0]
            dname, iname = owners[reasons.index(reason)]
            owner = self.daemons[dname]
            # A dead main whose VRRP child still runs is shutting down and may yet remove the VIP.
            # An unresponsive one whose VRRP process is stopped (SIGSTOP) will not move it either, nor
            # will one that has not answered since the agent started (its instances are its claims):
            # the grace is for a failover in progress, and the agent never saw one start.
            settled = (reason in ("daemon_dead", "daemon_stopped") and not (
                owner.vrrp_pid is not None and is_alive(self.settings.proc_root, owner.vrrp_pid))) or \
                (reason == "daemon_unresponsive" and (owner.instances_from == SOURCE_CONFIG or process_stopped(
                    self.settings.proc_root, owner.vrrp_pid or owner.pid)))
            result[address] = {"address": address, "prefix": addr["prefix"], "ifname": addr.get("ifname"),
                               "netns": watch.name, "reason": reason, "daemon": dname, "instance": iname,
                               "state": owner.instances.get(iname, {}).get("state"), "_settled": settled}
        return result

    def _evaluate_orphans(self, inode: int) -> None:
        watch = self.netns.get(inode)
        if watch is None:
            return
        status = self._orphan_status(inode)
        current = time.monotonic()
        for address, info in status.items():
            if address in watch.orphans:
                info.pop("_settled")
                watch.orphans[address] = info
                continue
            first = watch.candidates.setdefault(address, current)
            settled = info.pop("_settled")
            if not settled and current - first < self.settings.orphan_grace:
                # a dead main's VRRP child is usually gone within milliseconds: look again soon
                delay = first + self.settings.orphan_grace - current
                if info["reason"] in ("daemon_dead", "daemon_stopped"):
                    delay = min(delay, ORPHAN_DEAD_RECHECK_S)
                self._schedule_orphan_recheck(watch, delay, info)
                continue
            watch.orphans[address] = info
            watch.candidates.pop(address, None)
            if self.subscribed:
                fields = dict(info)
                fields["orphan"] = True
                self.event("vip", action="orphaned", **fields)
        for address in list(watch.candidates):
            if address not in status:
                del watch.candidates[address]
        for address in list(watch.orphans):
            if address not in status:
                info = watch.orphans.pop(address)
                present = address in watch.present()
                if self.subscribed and present:
                    self.event("vip", action="cleared", address=address, prefix=info["prefix"],
                               ifname=info.get("ifname"), netns=watch.name, daemon=info["daemon"],
                               instance=info["instance"], orphan=False)

    def _schedule_orphan_recheck(self, watch: NetnsWatch, delay: float, info: "Dict[str, Any]") -> None:
        if watch.recheck_timer is not None:
            return

        def recheck() -> None:
            watch.recheck_timer = None
            d = self.daemons.get(info["daemon"])
            if d is not None and d.alive:
                self.request_dump(d, "orphan_check")
            else:
                self._evaluate_orphans(watch.inode)
        watch.recheck_timer = self.loop.call_later(max(0.0, delay), recheck)

    # -- dumps -----------------------------------------------------------------------------

    def _signums(self, d: Daemon) -> "Tuple[Optional[int], Optional[int]]":
        key = d.exe_key or d.exe
        if key not in self.signums:
            exe = self.discovery.trusted_binary_for(d)
            probes = self.discovery.probes
            if exe is None:
                # Not the trusted binary: its signal numbers are not asked of it; SIGUSR1 (the text dump) is
                # keepalived's in every version, and it is sent only once the process handles it.
                self.signums[key] = (None, signal.SIGUSR1)
            else:
                self.signums[key] = (probes.signum(exe, "JSON"), probes.signum(exe, "DATA") or signal.SIGUSR1)
        return self.signums[key]

    def request_dump(self, d: Daemon, cause: str, waiter: "Optional[Callable[[Dict[str, Any]], None]]" = None) -> None:
        """Asks keepalived for a dump; coalesces with one in flight; serialises per TMPDIR."""
        if not d.alive:
            if waiter is not None:
                waiter({"ok": False, "code": E_NOT_RUNNING, "message": "%s is not running" % daemon_label(d.name)})
            return
        if waiter is not None:
            d.waiters.append(waiter)
        if d.dump_job is not None:
            d.dump_again = True
            d.dump_again_cause = cause
            return
        json_sig, data_sig = self._signums(d)
        kind = "json" if json_sig else "data"
        path = d.dump_file(kind)
        queue_key = os.path.dirname(path)
        busy = self.tmpdir_busy.get(queue_key)
        if busy is not None and busy != d.name:
            queue = self.tmpdir_queue.setdefault(queue_key, collections.deque())
            if d.name not in queue:
                queue.append(d.name)
            d.dump_again = True
            d.dump_again_cause = cause
            return
        self._start_dump(d, kind, json_sig if kind == "json" else data_sig, cause)

    @staticmethod
    def _config_owner(d: Daemon) -> "Optional[int]":
        """Whose besides root d's dumps may be (config_owner); nobody else's when its configuration belongs to two
        users (the configuration's reads say so)."""
        try:
            return config_owner(d.config, d.fs_root)
        except AgentError:
            return None

    def _start_dump(self, d: Daemon, kind: str, signum: "Optional[int]", cause: str) -> None:
        path = d.dump_file(kind)
        job = DumpJob(kind, path, d.tmp_fs_root, self._config_owner(d), signum or signal.SIGUSR1, cause,
                      self.settings.dump_timeout, self.settings.dump_poll_initial)
        job.waiters = d.waiters
        d.waiters = []
        d.dump_job = job
        d.dump_again = False
        self.tmpdir_busy[os.path.dirname(path)] = d.name
        self._signal_dump(d, job)

    def _signal_dump(self, d: Daemon, job: DumpJob) -> None:
        """Puts a fresh file of the agent's in the dump's place (_claim_dump_file) and signals keepalived, once
        this agent holds the TMPDIR's dump lock (other agents on the node, e.g. a second operator's session, take
        it too). Whatever was there goes, whoever's it is: root may remove another user's file or link even in a
        sticky /tmp. Anything else found there when reading is refused (_read_dump_when_written)."""
        if d.dump_job is not job:
            return
        if job.signum in d.signals_ready:
            pass
        elif signal_caught(self.settings.proc_root, d.pid, job.signum):
            d.signals_ready.add(job.signum)
        else:
            # still starting (or not a keepalived that dumps): the signal would kill it
            if time.monotonic() < job.deadline and is_alive(self.settings.proc_root, d.pid, d.starttime):
                self.loop.call_later(SIGNAL_READY_RETRY_S, lambda: self._signal_dump(d, job))
            else:
                self._finish_dump(d, {"ok": False, "code": E_DUMP_FAILED,
                                      "message": "%s does not handle signal %d (yet); not sent"
                                      % (daemon_label(d.name), job.signum)})
            return
        if not self._lock_dump_dir(os.path.dirname(job.path)):
            if time.monotonic() < job.lock_deadline:
                self.loop.call_later(DUMP_LOCK_RETRY_S, lambda: self._signal_dump(d, job))
            else:
                self._finish_dump(d, {"ok": False, "code": E_BUSY,
                                      "message": "another agent kept the dump lock of %s" % os.path.dirname(job.path)})
            return
        job.started = time.monotonic()
        job.deadline = job.started + job.timeout    # keepalived's time to write runs from the signal, not the lock
        if not self._claim_dump_file(job.path):
            self._finish_dump(d, {"ok": False, "code": E_UNTRUSTED, "message": "%s: its state dump is refused, no "
                                  "state is taken from it: something else was put at %s each time the agent removed "
                                  "what was there; not signalled" % (daemon_label(d.name), job.path)})
            return
        try:
            os.kill(d.pid, job.signum)
        except ProcessLookupError:
            self._finish_dump(d, {"ok": False, "code": E_NOT_RUNNING, "message": "keepalived exited"})
            self.loop.call_later(0, self.rescan)
            return
        except PermissionError:
            self._finish_dump(d, {"ok": False, "code": E_PERMISSION,
                                  "message": "not allowed to signal keepalived pid %d; run the agent with sudo" % d.pid})
            return
        self.loop.call_later(job.delay, lambda: self._poll_dump(d, job))

    @staticmethod
    def _claim_dump_file(path: str) -> bool:
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

    def _lock_dump_dir(self, key: str) -> bool:
        """flock (non-blocking) on <state_dir>/locks/dump-<hash>.lock for this TMPDIR. The file stays
        open between dumps (one per TMPDIR): with 200 daemons, opening it for every dump was a
        measurable part of the agent's idle cost."""
        if key in self.dump_locks_held:
            return True
        fd = self.dump_locks.get(key)
        if fd is None:
            path = Path(self.settings.state_dir) / "locks" / ("dump-%s.lock" % sha256_hex(key.encode())[:16])
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(str(path), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
            except OSError as exc:
                if not self.dump_lock_warned:
                    self.dump_lock_warned = True
                    LOG.warning("cannot create dump locks in %s (%s); dumps are not coordinated with other agents",
                                path.parent, exc)
                return True
            self.dump_locks[key] = fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        self.dump_locks_held.add(key)
        return True

    def _poll_dump(self, d: Daemon, job: DumpJob) -> None:
        if d.dump_job is not job:
            return
        result = None  # type: Optional[Dict[str, Any]]
        try:
            text = self._read_dump_when_written(job)
            if text is None:
                pass
            elif job.kind == "json":
                try:
                    result = {"ok": True, "instances": parse_json_dump(text), "source": "json"}
                except ValueError:
                    result = None      # still being written
            else:
                result = {"ok": True, "instances": parse_text_dump(text), "source": "data"}
        except FileNotFoundError:
            pass
        except AgentError as exc:
            result = {"ok": False, "code": exc.code, "message": "%s: its state dump is refused, no state is taken "
                      "from it: %s" % (daemon_label(d.name), exc.message)}
        except PermissionError:
            result = {"ok": False, "code": E_PERMISSION, "message": "cannot read %s: permission denied" % job.path}
        except OSError as exc:
            result = {"ok": False, "code": E_IO, "message": "cannot read %s: %s" % (job.path, exc)}
        if result is not None:
            self._finish_dump(d, result)
            return
        if time.monotonic() >= job.deadline:
            if job.kind == "json" and not job.fallback:
                # JSON is not written when there are no VRRP instances; the text dump always is.
                _, data_sig = self._signums(d)
                self._release_tmpdir(job.path)
                job2 = DumpJob("data", d.dump_file("data"), d.tmp_fs_root, job.owner, data_sig or signal.SIGUSR1,
                               job.cause, self.settings.dump_timeout, self.settings.dump_poll_initial)
                job2.fallback = True
                job2.waiters = job.waiters
                d.dump_job = job2
                self.tmpdir_busy[os.path.dirname(job2.path)] = d.name
                self._signal_dump(d, job2)
                return
            entry = read_proc_stat(self.settings.proc_root, d.pid)
            why = "process is stopped (SIGSTOP?)" if entry is not None and entry.state in ("T", "t") else \
                "no dump in %s within %.1f s" % (os.path.dirname(job.path), self.settings.dump_timeout)
            self._finish_dump(d, {"ok": False, "code": E_DUMP_FAILED, "message": "%s did not answer: %s" % (daemon_label(d.name), why)})
            return
        # keepalived usually writes within a few ms: look often at first, then back off
        job.polls += 1
        if job.polls >= DUMP_FAST_POLLS:
            job.delay = min(job.delay * 2, self.settings.dump_poll_max)
        self.loop.call_later(job.delay, lambda: self._poll_dump(d, job))

    @staticmethod
    def _read_dump_when_written(job: DumpJob) -> "Optional[str]":
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

    def _release_tmpdir(self, path: str) -> None:
        key = os.path.dirname(path)
        self.tmpdir_busy.pop(key, None)
        if key in self.dump_locks_held:
            self.dump_locks_held.discard(key)
            try:
                fcntl.flock(self.dump_locks[key], fcntl.LOCK_UN)
            except OSError as exc:
                LOG.warning("cannot release the dump lock of %s: %s", key, exc)
        queue = self.tmpdir_queue.get(key)
        while queue:
            name = queue.popleft()
            other = self.daemons.get(name)
            if other is not None and other.alive and other.dump_job is None:
                self.loop.call_later(0, lambda o=other: self.request_dump(o, o.dump_again_cause))
                break
        if queue is not None and not queue:
            self.tmpdir_queue.pop(key, None)

    def _finish_dump(self, d: Daemon, result: "Dict[str, Any]") -> None:
        job = d.dump_job
        d.dump_job = None
        if job is not None:
            self._release_tmpdir(job.path)
            result["duration_ms"] = round((time.monotonic() - job.started) * 1000, 1)
            cause = job.cause
        else:
            cause = "daemon"
        if result.get("ok"):
            self.dumps_taken += 1
            self._apply_snapshot(d, result["instances"], result["source"], cause)
        else:
            self.dumps_failed += 1
            self._dump_failed(d, result, cause)
        for waiter in (job.waiters if job is not None else []):
            try:
                waiter(result)
            except Exception:
                LOG.exception("dump waiter failed")
        if d.alive and d.dump_again:
            d.dump_again = False
            self.request_dump(d, d.dump_again_cause)
        if self.subscribed and d.alive:
            self._schedule_periodic(d)

    def _dump_failed(self, d: Daemon, result: "Dict[str, Any]", cause: str) -> None:
        d.dump_error = {"code": result.get("code"), "message": result.get("message"), "ts": now()}
        if d.alive and result.get("code") == E_BUSY:
            # Another agent kept the lock past our wait: this dump was never asked of keepalived. Ask again rather
            # than lose it (it may be the one that finds a hung daemon: check_stopped asks only once per stop).
            d.dump_again = True
            d.dump_again_cause = cause
        if not d.alive or result.get("code") != E_DUMP_FAILED:
            LOG.warning("dump of %s failed: %s", d.name, result.get("message"))
            return
        # what check_stopped compares with: a daemon found stopped by this dump (before any rescan looked,
        # e.g. hung before the agent started) is dumped again when it resumes
        d.process_stopped = process_stopped(self.settings.proc_root, d.vrrp_pid or d.pid)
        self._mark_unresponsive(d, result.get("message") or "no dump")

    def _mark_unresponsive(self, d: Daemon, message: str) -> None:
        """d answers no dump (hung): said once, with its claims where no dump told its instances, and an orphan
        check of its namespace (a VIP it holds while a peer takes over)."""
        d.dump_error = {"code": E_DUMP_FAILED, "message": message, "ts": now()}
        if d.responsive:
            d.responsive = False
            LOG.warning("%s", message)
            if self.subscribed:
                self.event("daemon", daemon=d.name, action="unresponsive", pid=d.pid, message=message)
        if self._needs_claims(d):
            self._load_claims(d)
        self._evaluate_orphans(d.netns_inode)   # every failed dump: an orphan check may be waiting on it

    def _apply_snapshot(self, d: Daemon, instances: "List[Dict[str, Any]]", source: str, cause: str) -> None:
        fresh = {}
        for inst in instances:
            inst["daemon"] = d.name
            inst["source"] = SOURCE_DUMP
            fresh[inst["instance"]] = inst
        d.snapshot_ts = now()
        d.snapshot_source = source
        d.dump_error = None
        d.instances_from = SOURCE_DUMP      # claims, if any, are replaced for good
        d.claims = None
        d.config_error = None
        if not d.responsive:
            d.responsive = True
            if self.subscribed:
                self.event("daemon", daemon=d.name, action="responsive", pid=d.pid)
        self._replace_instances(d, fresh, cause)
        self._evaluate_orphans(d.netns_inode)

    def _replace_instances(self, d: Daemon, fresh: "Dict[str, Dict[str, Any]]", cause: str) -> None:
        """d's instances become fresh; while subscribed, a state event for each that changed."""
        old = d.instances
        d.instances = fresh
        if self.subscribed:
            for name, inst in fresh.items():
                prev = old.get(name)
                changed = instance_changes(prev, inst)
                if changed:
                    self.emit_state(d, inst, prev, changed, cause)
            for name, prev in old.items():
                if name not in fresh:
                    gone = dict(prev)
                    gone["state"] = "DELETED"
                    self.emit_state(d, gone, prev, ["deleted"], cause)

    def emit_state(self, d: Daemon, inst: "Dict[str, Any]", prev: "Optional[Dict[str, Any]]", changed: "List[str]",
                   cause: str) -> None:
        fields = public_instance(inst)
        fields.update({"daemon": d.name, "netns": d.netns_name, "changed": changed, "cause": cause,
                       "prev_state": prev.get("state") if prev else None,
                       "prev_effective_priority": prev.get("effective_priority") if prev else None})
        self.event("state", **fields)

    def _schedule_periodic(self, d: Daemon, initial: bool = False) -> None:
        if d.periodic_timer is not None:
            d.periodic_timer.cancel()
        interval = self.settings.snapshot_interval
        if interval <= 0:
            return
        delay = stagger(d.name, interval) if initial else interval

        def tick() -> None:
            d.periodic_timer = None
            if self.subscribed and d.alive and d.process_stopped:
                self._schedule_periodic(d)      # a stopped process answers no dump: ask when it resumes
            elif self.subscribed and d.alive:
                self.request_dump(d, "periodic")
        d.periodic_timer = self.loop.call_later(delay, tick)

    # -- monitoring lifecycle ----------------------------------------------------------------

    def start_monitoring(self) -> None:
        if not self.monitoring:
            self.monitoring = True
            for d in list(self.daemons.values()):
                if d.alive:
                    self._watch_daemon(d)
                else:
                    self._ensure_netns(d)   # a dead or never started daemon's claimed VIPs may be up
        if self.rescan_timer is None:
            self._schedule_rescan()

    def _schedule_rescan(self) -> None:
        def tick() -> None:
            self.rescan_timer = None
            if self.subscribed:
                self.rescan()
                self.check_stopped()
                self._schedule_rescan()
        if self.settings.rescan_interval > 0:
            self.rescan_timer = self.loop.call_later(self.settings.rescan_interval, tick)

    def _schedule_heartbeat(self) -> None:
        def tick() -> None:
            self.heartbeat_timer = None
            if not self.subscribed:
                return
            self.heartbeat_seq += 1
            times = os.times()
            self.event("heartbeat", seq=self.heartbeat_seq, uptime_s=round(time.monotonic() - self.started, 3),
                       daemons=sum(1 for d in self.daemons.values() if d.alive),
                       agent={"rss_kb": proc_rss_kb(), "cpu_s": round(times[0] + times[1], 3),
                              "dumps": self.dumps_taken, "dump_failures": self.dumps_failed})
            self._schedule_heartbeat()
        if self.heartbeat_timer is None and self.settings.heartbeat_interval > 0:
            self.heartbeat_timer = self.loop.call_later(self.settings.heartbeat_interval, tick)

    def snapshot_all(self, names: "List[str]", cause: str, reply: "Callable[[], None]") -> None:
        """Fresh dumps of the named daemons, then reply() once all finished (or failed). Counted
        as a request in progress, so a closed stdin still gets this answer before the agent exits."""
        pending = [self.daemons[n] for n in names if self.daemons[n].alive]
        if not pending:
            reply()
            return
        remaining = {"n": len(pending)}
        self.pending_requests += 1

        def one_done(_: "Dict[str, Any]") -> None:
            remaining["n"] -= 1
            if remaining["n"] == 0:
                self.pending_requests -= 1
                reply()
        for d in pending:
            self.request_dump(d, cause, one_done)

    def state_json(self, names: "List[str]") -> "Dict[str, Any]":
        daemons = []
        inodes = set()
        for name in names:
            d = self.daemons[name]
            inodes.add(d.netns_inode)
            daemons.append({"name": d.name, "alive": d.alive, "responsive": d.responsive, "pid": d.pid,
                            "netns": d.netns_name, "snapshot_ts": d.snapshot_ts, "source": d.snapshot_source,
                            "error": d.dump_error, "stopped_reason": d.stopped_reason,
                            "instances_from": d.instances_from, "config_error": d.config_error,
                            "instances": [public_instance(i) for _, i in sorted(d.instances.items())]})
        addresses = []
        orphans = []
        for inode in inodes:
            watch = self.netns.get(inode)
            if watch is None or watch.sock is None:
                continue
            claims = self._claims(inode)
            for address, addr in sorted(watch.present().items()):
                owners = claims.get(address)
                if owners:
                    addresses.append({"address": address, "prefix": addr["prefix"], "ifname": addr.get("ifname"),
                                      "netns": watch.name, "daemon": owners[0][0], "instance": owners[0][1],
                                      "orphan": address in watch.orphans})
            orphans.extend(sorted(watch.orphans.values(), key=lambda o: o["address"]))
        return {"daemons": daemons, "vips_present": addresses, "orphans": orphans,
                "vips_observed": self.monitoring}

    # -- ops ---------------------------------------------------------------------------------

    def op_hello(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        if self.keepalived_info is None:
            self.keepalived_info = self.discovery.probes.version_info(self.keepalived_bin())
        client = args.get("client") or {}
        if client:
            LOG.info("client: %s", json.dumps(client)[:200])
        self.respond(req_id, {
            "protocol": PROTOCOL_VERSION, "agent": AGENT_NAME, "agent_version": AGENT_VERSION,
            "hostname": socket.gethostname(), "pid": os.getpid(), "root": os.geteuid() == 0,
            "user": session_user(),
            "python": "%d.%d.%d" % sys.version_info[:3], "keepalived": self.keepalived_info,
            "capabilities": {
                "ops": list(OPS), "events": list(EVENTS),
                "address_monitor": "netlink", "pidfd": pidfd_probe(),
                "max_request_bytes": MAX_REQUEST_BYTES, "backup_keep": self.settings.backup_keep,
            },
            "settings": {k: self.settings.values[k] for k in (
                "heartbeat_interval", "snapshot_interval", "rescan_interval", "dump_timeout", "orphan_grace",
                "health_adverts", "health_min", "lock_timeout", "state_dir", "audit_log")},
            "unfinished_applies": self.config_ops.unfinished_applies(),
        })

    def op_daemons(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        self.rescan()
        self.respond(req_id, {"daemons": [d.to_json() for _, d in sorted(self.daemons.items())]})

    def op_state_snapshot(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        self.rescan()
        self.start_monitoring()
        names = self._names_arg(args.get("daemon"))
        if args.get("fresh", True):
            self.snapshot_all(names, "request", lambda: self.respond(req_id, self.state_json(names)))
        else:
            self.respond(req_id, self.state_json(names))

    def op_state_subscribe(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        self.rescan()
        self.start_monitoring()
        names = sorted(self.daemons)

        def reply() -> None:
            was = self.subscribed
            self.subscribed = True
            if not was:
                for d in self.daemons.values():
                    if d.alive:
                        self._schedule_periodic(d, initial=True)
                if self.rescan_timer is None:
                    self._schedule_rescan()
                self._schedule_heartbeat()
            for inode in list(self.netns):
                self._evaluate_orphans(inode)
            result = self.state_json(sorted(self.daemons))
            result["subscribed"] = True
            result["heartbeat_interval"] = self.settings.heartbeat_interval
            self.respond(req_id, result)
        if args.get("fresh", True):
            self.snapshot_all(names, "subscribe", reply)
        else:
            reply()

    def op_state_unsubscribe(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        was = self.subscribed
        self.subscribed = False
        for d in self.daemons.values():
            if d.periodic_timer is not None:
                d.periodic_timer.cancel()
                d.periodic_timer = None
        if self.heartbeat_timer is not None:
            self.heartbeat_timer.cancel()
            self.heartbeat_timer = None
        if self.rescan_timer is not None:
            self.rescan_timer.cancel()
            self.rescan_timer = None
        self.respond(req_id, {"subscribed": False, "was_subscribed": was})

    def _names_arg(self, name: "Optional[str]") -> "List[str]":
        if name is None:
            return sorted(self.daemons)
        if name not in self.daemons:
            raise AgentError(E_NOT_FOUND, "no keepalived daemon named %r on this node (known: %s)"
                             % (name, ", ".join(sorted(self.daemons)) or "none"))
        return [name]

    # worker ops (run in threads; return the result or raise AgentError)

    def op_config_read(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        result = ConfigSet(d.config, d.fs_root).load().to_json()
        result["daemon"] = d.name
        return result

    def op_config_check(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        entries = file_entries("config.check", args, with_base=False)
        d = self.find_daemon(args["daemon"])
        targets = self.config_ops.resolve_targets(d, [path for path, _, _ in entries])
        result = self.config_ops.check_files(d, {target: encode_text(text)
                                                 for target, (_, text, _) in zip(targets, entries)})
        result["daemon"] = d.name
        return result

    def op_config_apply(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        entries = file_entries("config.apply", args, with_base=True)
        d = self.find_daemon(args["daemon"])
        targets = self.config_ops.resolve_targets(d, [path for path, _, _ in entries])
        edits = [FileEdit(target, text, base) for target, (_, text, base) in zip(targets, entries)]
        result = self.config_ops.apply_files(d, edits, args.get("reason"), req_id, "apply")
        result["daemon"] = d.name
        return result

    def op_config_backups(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        _, target = self.config_ops.resolve_target(d, args.get("path"))
        return {"daemon": d.name, "path": target, "backups": self.config_ops.list_backups(target),
                "keep": self.settings.backup_keep}

    def op_config_restore(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        _, target = self.config_ops.resolve_target(d, args.get("path"))
        data = self.config_ops.read_backup(target, args["backup"])
        result = self.config_ops.apply(d, target, decode_text(data), args["base_sha256"], args.get("reason"),
                                       req_id, "restore", backup_name=args["backup"])
        result["daemon"] = d.name
        result["restored_from"] = args["backup"]
        return result


CHANGE_FIELDS = ("state", "effective_priority", "base_priority", "vips", "excluded_vips", "last_transition",
                 "advert_int", "version", "vrid", "interface", "nopreempt", "source")
PUBLIC_FIELDS = ("instance", "vrid", "state", "wantstate", "base_priority", "effective_priority", "master_priority",
                 "interface", "vmac_interface", "advert_int", "version", "nopreempt", "preempt_delay", "auth_type",
                 "last_transition", "vips_set", "vips", "excluded_vips", "unicast_peers", "track_scripts",
                 "track_interfaces", "stats", "source")


def instance_changes(prev: "Optional[Dict[str, Any]]", new: "Dict[str, Any]") -> "List[str]":
    if prev is None:
        return ["new"]
    return [f for f in CHANGE_FIELDS if prev.get(f) != new.get(f)]


def public_instance(inst: "Dict[str, Any]") -> "Dict[str, Any]":
    return {k: inst.get(k) for k in PUBLIC_FIELDS}


_PIDFD_PROBED = None  # type: Optional[bool]


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


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------

def main(argv: "Optional[List[str]]" = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_check-exec":
        return check_exec_main(argv[1:])
    try:
        command, settings = load_settings(argv)
    except UsageError as exc:
        if str(exc):
            sys.stderr.write("keepwatch_agent.py: %s\n" % exc)
        sys.stderr.write(USAGE % "\n".join("  --%s (default %s)" % (k.replace("_", "-"), json.dumps(v))
                                           for k, v in sorted(DEFAULT_SETTINGS.items())))
        return 0 if not str(exc) else 2
    LOG.set_level(settings.log_level)
    if command == "version":
        sys.stdout.write(json.dumps({"agent_version": AGENT_VERSION, "protocol": PROTOCOL_VERSION}) + "\n")
        return 0
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)   # a closed stdout is an EPIPE we handle
    agent = Agent(settings)

    def on_signal(signum: int, _frame: "Any") -> None:
        LOG.info("signal %d; ending the session", signum)
        agent.loop.call_soon_threadsafe(agent.shutdown)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    LOG.info("serving protocol %d (agent %s, python %s, %s)", PROTOCOL_VERSION, AGENT_VERSION,
             sys.version.split()[0], "root" if os.geteuid() == 0 else "not root")
    try:
        return agent.serve()
    except KeyboardInterrupt:
        return 0


# How the agent starts. BOOTSTRAP is the program the client runs on the node, in one process:
#
#     [sudo -n] python3 -I -S -c BOOTSTRAP .cache/keepwatch/agent-<hash>.py --sha256=<full hash> serve
#
# in the login user's home. It reads the file once (a regular file, not through a final symbolic link, at most
# BOOTSTRAP_MAX_SOURCE_BYTES), checks its SHA-256 against the one the client ships (a missing or different file
# exits with BOOTSTRAP_DEPLOY_EXIT and a line with BOOTSTRAP_DEPLOY_MARK on stderr, and the client deploys over
# SFTP and starts it again), and runs it as the module keepwatch_agent. Entering through exec() of a code object,
# not as a script, matters for memory: run as a script, CPython keeps the whole file's syntax tree (~6 MB) alive
# until the script's top level returns, which for a server is never. `python3 FILE serve` by hand re-executes
# itself into BOOTSTRAP.
#
# Isolated (-I, BOOTSTRAP_PYTHON_FLAGS): with -c Python puts the working directory, the login user's home, first
# on the import path (and a script's own directory for a script), so a _sha256.py or json.py the login user left
# there was imported as root under sudo. -I leaves both out and ignores the PYTHON* variables; -S skips site (a
# third of a bare start; the agent needs only the standard library). The agent starts itself again the same way
# (agent_command), through BOOTSTRAP and with the hash of the code it runs.
#
# The compiled code of a deployed agent (started with --sha256) is cached, because compiling this file is most
# of an agent's start (~30 ms of CPU; the lab starts 100 agents at once on two cores). A copy run by hand caches
# nothing. Not root: beside the file (agent-<hash>.<cache tag>.kwc), in the login user's own directory (they
# attack only themselves). Root: in BOOTSTRAP_ROOT_CACHE_DIR, made 0700 if missing and used only if root owns it
# and no group or other may write it, each file in it opened without following a symbolic link and used only if
# it is a regular file root owns. Never beside the file as root: the login user owns that directory and could put
# there a cache whose checksum is right and whose code is theirs. Root sessions are the usual ones, so root keeps
# a cache rather than compiling at every start. Versions of it not written for BOOTSTRAP_STALE_CACHE_S go when a
# new one is written (nothing else tidies that directory).
# The cache is used only if its header holds this Python's bytecode magic number and version and
# the SHA-256 of the exact source bytes just read and verified, and the SHA-256 of the marshalled
# code after it matches: a stale or corrupt cache is ignored and rewritten. It is written to a
# temporary file and renamed over, so a reader never sees half of one. It is not a .pyc: the
# import system never picks it up, and nothing else on the node reads it. Any failure to read or
# write it only means compiling, as before.
#
# When the agent's main returns, the bootstrap flushes stdout and stderr and leaves with os._exit():
# tearing the interpreter down (freeing every object one by one) was ~4 ms of a ~30 ms session, and
# there is nothing left to do by then: every response went out, config workers are daemon threads
# that have finished, and files are closed where they are written. An exception still exits normally.
#
# Kept free of single quotes: the client passes it to the login shell in single quotes
# (AgentScript extracts the text between the two marker lines below). The numbers and strings it
# repeats are the constants BOOTSTRAP_* (a test checks that they agree).
BOOTSTRAP_DEPLOY_EXIT = 87
BOOTSTRAP_DEPLOY_MARK = "keepwatch-agent: not deployed:"
BOOTSTRAP_CACHE_MAGIC = b"KWC1"
BOOTSTRAP_PYTHON_FLAGS = ["-I", "-S"]              # AgentScript.PYTHON_FLAGS says the same
BOOTSTRAP_ROOT_CACHE_DIR = "/var/cache/keepwatch"
BOOTSTRAP_MAX_SOURCE_BYTES = 16 * 1024 * 1024
BOOTSTRAP_STALE_CACHE_S = 30 * 24 * 3600
# --- bootstrap start ---
BOOTSTRAP = r"""
import sys, os, marshal
def kw_sha256() -> "Any":
    try:
        from _sha256 import sha256
    except ImportError:
        from hashlib import sha256
    return sha256
def kw_read(path: str) -> "Tuple[Optional[bytes], Optional[str]]":
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return None, "cannot read %s: %s" % (path, "a symbolic link" if os.path.islink(path) else exc.strerror)
    with os.fdopen(fd, "rb") as f:
        if os.fstat(fd).st_mode & 0o170000 != 0o100000:
            return None, "cannot read %s: not a regular file" % path
        source = f.read(16777216 + 1)
    if len(source) > 16777216:
        return None, "cannot read %s: more than 16777216 bytes" % path
    return source, None
def kw_place(path: str, want: str, tag: str) -> "Optional[Tuple[int, str]]":
    root = os.geteuid() == 0
    if root:
        directory, name = "/var/cache/keepwatch", "agent-%s.%s.kwc" % (want[:16], tag)
        try:
            os.mkdir(directory, 0o700)
        except OSError:
            pass
    elif path.endswith(".py"):
        directory, name = os.path.dirname(path), os.path.basename(path)[:-3] + "." + tag + ".kwc"
    else:
        return None
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | (os.O_NOFOLLOW if root else 0))
    except OSError:
        return None
    st = os.fstat(fd)
    if root and (st.st_uid != 0 or st.st_mode & 0o022):
        os.close(fd)
        return None
    return fd, name
def kw_cached(place: "Tuple[int, str]", key: bytes, sha256: "Any") -> "Any":
    try:
        fd = os.open(place[1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=place[0])
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(fd)
            if st.st_mode & 0o170000 != 0o100000 or st.st_uid != os.geteuid() or st.st_mode & 0o022:
                return None
            data = f.read()
    except OSError:
        return None
    n = len(key)
    if data[:n] != key or sha256(data[n + 32:]).digest() != data[n:n + 32]:
        return None
    try:
        code = marshal.loads(data[n + 32:])
    except (ValueError, EOFError, TypeError):
        return None
    return code if type(code) is type(kw_cached.__code__) else None
def kw_store(place: "Tuple[int, str]", key: bytes, code: "Any", sha256: "Any") -> None:
    directory, name = place
    tmp = "%s.%d.tmp" % (name, os.getpid())
    try:
        payload = marshal.dumps(code)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(key + sha256(payload).digest() + payload)
        os.replace(tmp, name, src_dir_fd=directory, dst_dir_fd=directory)
    except (OSError, ValueError):
        try:
            os.unlink(tmp, dir_fd=directory)
        except OSError:
            pass
        return
    if os.geteuid() == 0:
        kw_prune(directory, name)
def kw_prune(directory: int, keep: str) -> None:
    import time
    for name in os.listdir(directory):
        try:
            st = os.stat(name, dir_fd=directory, follow_symlinks=False)
            if name.startswith("agent-") and name != keep and st.st_mtime < time.time() - 2592000:
                os.unlink(name, dir_fd=directory)
        except OSError:
            pass
def kw_load(path: str, want: "Optional[str]") -> "Tuple[Any, str]":
    sha256 = kw_sha256()
    source, why = kw_read(path)
    digest = sha256(source).digest() if source is not None else b""
    if source is not None and want is not None and digest.hex() != want:
        why = "%s has SHA-256 %s, not %s" % (path, digest.hex(), want)
    if why is not None:
        sys.stderr.write("keepwatch-agent: not deployed: %s\n" % why)
        sys.exit(87)
    import _frozen_importlib_external as ext
    tag = sys.implementation.cache_tag
    place = kw_place(path, want, tag) if tag and want else None
    key = b"KWC1" + ext.MAGIC_NUMBER + sys.hexversion.to_bytes(4, "big") + digest
    code = kw_cached(place, key, sha256) if place else None
    if code is None:
        code = compile(source, path, "exec", dont_inherit=True)
        if place:
            kw_store(place, key, code, sha256)
    if place:
        os.close(place[0])
    return code, digest.hex()
def kw_main() -> "Callable[[], int]":
    sys.dont_write_bytecode = True
    path = os.path.abspath(sys.argv.pop(1))
    want = sys.argv.pop(1)[9:] if len(sys.argv) > 1 and sys.argv[1].startswith("--sha256=") else None
    code, digest = kw_load(path, want)
    module = type(sys)("keepwatch_agent")
    module.__file__ = path
    sys.modules["keepwatch_agent"] = module
    exec(code, module.__dict__)
    del code
    module.STARTED_SHA256 = digest
    return module.main
rc = kw_main()()
try:
    sys.stdout.flush()
    sys.stderr.flush()
finally:
    os._exit(rc if type(rc) is int else 1)
"""
# --- bootstrap end ---

# The SHA-256 of the source this process runs, set by BOOTSTRAP once the module's code has run (None when the
# file was imported some other way, as the tests do).
STARTED_SHA256 = None  # type: Optional[str]


def agent_command(args: "List[str]") -> "List[str]":
    """The command that runs this agent again with args (e.g. _check-exec as root): isolated and through BOOTSTRAP,
    which runs the file only if it still has the SHA-256 of the code this process runs. Never `python3 FILE`: the
    login user owns the file's directory, could swap the file since, and a module beside a script is imported."""
    command = [sys.executable] + BOOTSTRAP_PYTHON_FLAGS + ["-c", BOOTSTRAP, os.path.abspath(__file__)]
    return command + (["--sha256=" + STARTED_SHA256] if STARTED_SHA256 else []) + args


def reexec_through_import() -> None:
    """`python3 FILE serve` by hand: start again through BOOTSTRAP (one file, isolated)."""
    if not sys.executable:
        return
    try:
        os.execv(sys.executable, [sys.executable] + BOOTSTRAP_PYTHON_FLAGS + ["-c", BOOTSTRAP, os.path.abspath(__file__)]
                 + sys.argv[1:])
    except OSError:
        pass    # serve from here: correct, only ~6 MB heavier


if __name__ == "__main__":
    reexec_through_import()
    sys.exit(main())
