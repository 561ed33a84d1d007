"""The agent protocol's constants: its version, ops, events, error codes and request limits (docs/protocol.md)."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional  # noqa: F401

PROTOCOL_VERSION = 1
AGENT_VERSION = "0.1.0"

OPS = (
    "hello", "daemons", "state.snapshot", "state.subscribe", "state.unsubscribe",
    "config.read", "config.check", "config.apply", "config.backups", "config.backup.read",
    "config.restore", "maintenance.set", "maintenance.prepare",
    "daemon.start", "daemon.stop", "daemon.restart", "daemon.reload", "log.read", "log.follow", "log.unfollow",
    "diagnose",
)
EVENTS = ("state", "vip", "daemon", "heartbeat", "apply.step", "maintenance", "daemon.step", "log")

MAX_REQUEST_BYTES = 4 * 1024 * 1024
STDIN_READ_BYTES = 256 * 1024
ID_HINT_BYTES = 256

SHA256_HEX_LEN = 64

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
E_NEUTRON_MANAGED = "neutron_managed"  # daemon.* and maintenance.* of a Neutron HA router's keepalived: the l3 agent owns it
E_NOT_WIRED = "not_wired"          # maintenance.set drained: the configuration does not track Keepwatch's track file
E_UNTRUSTED = "untrusted"          # in a daemon's config_error: a file the agent will not read as root


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
