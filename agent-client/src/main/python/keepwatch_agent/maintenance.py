"""The maintenance weight: one keepalived track file per daemon that Keepwatch writes to drain a node (docs/protocol.md,
maintenance.set).

keepalived's track_file (vrrp_track_file before 2.1) reads a number from a file whenever inotify says the file was
written and closed, or renamed into place, in its directory (IN_CLOSE_WRITE, IN_MOVED_TO; a deleted or renamed-away
file counts as 0). The number times the weight is added to the priority of every instance that tracks the file,
clamped to [1, 254]; a result of -254 or less puts the instance in FAULT, and an address owner (priority 255) or an
instance of a sync group may only track a file with weight 0 (FAULT on any non-zero value). Keepwatch's wiring is a
track_file block whose `file` is this daemon's track file, tracked by an instance with weight -1: the number in the
file is then what is taken off the instance's priority. Drained is 253 (every wired instance down to priority 1, never
FAULT, so it stays a backup); undrained is 0.

The file lives in <state_dir>/maintenance (0700, root's): only root can write the number keepalived obeys. It is
written to a temporary name and renamed over (keepalived reads it once, whole); what is found at its name is never
followed nor written through: a link, a FIFO, or a file another user owns there is refused. Beside it, <name>.json says
who drained it, when and why (informational: the number is the truth).

Without the wiring (an address owner, a sync group without tracking weight, a configuration never set up), a node is
drained the fallback way: its keepalived is stopped (daemon.stop with drain; it sends priority 0 as it goes, so a
backup takes over at once) and <name>.stopped.json beside the track file says so. That daemon is drained while it is
not running; any start clears the note, and a daemon found running again with the note (started by hand) has it
cleared at the next look."""

import json
import os
import re
import stat
from pathlib import Path

from .claims import claim_statements, ClaimsReader
from .clock import iso_time, now
from .private_files import atomic_write, private_dir, unlink_quietly
from .proc import session_user
from .protocol import AgentError, E_IO, E_NEUTRON_MANAGED, E_NOT_WIRED, E_UNSUPPORTED, E_UNTRUSTED
from .trust import file_kind, trusted_owner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple  # noqa: F401
    from .claims import ClaimStmt  # noqa: F401
    from .daemon import Daemon  # noqa: F401
    from .settings import Settings  # noqa: F401

MAINTENANCE_DIR = "maintenance"        # under state_dir
TRACK_FILE_SUFFIX = ".weight"
NOTE_SUFFIX = ".json"
STOPPED_NOTE_SUFFIX = ".stopped.json"  # drained the fallback way: keepalived stopped
METHOD_WEIGHT = "weight"
METHOD_STOP = "stop"
TRACK_FILE_KEYWORDS = ("track_file", "vrrp_track_file")    # vrrp_track_file: keepalived before 2.1 (deprecated since)
WIRED_WEIGHT = -1                      # value x weight is added to the priority: the value is what is taken off
DRAINED_VALUE = 253                    # priority 1 for any base priority up to 254; -254 would mean FAULT
UNDRAINED_VALUE = 0
DEFAULT_TRACK_WEIGHT = 1               # keepalived's, when a track_file block sets none
ADDRESS_OWNER_PRIORITY = 255
MAX_TRACK_FILE_BYTES = 4096
MAX_NOTE_BYTES = 64 * 1024
NEUTRON_REFUSAL = ("its keepalived belongs to the Neutron l3 agent, which writes its configuration and moves its "
                   "master itself (openstack router set --ha / l3 agent failover); Keepwatch does not drain it")
OTHER_ROOT_REFUSAL = ("it runs in another mount namespace, where the agent's track file is not the file keepalived "
                      "would read")


class StatementReader(ClaimsReader):
    """A configuration's statements (as keepalived's blocks), read and cached as ClaimsReader reads its claims."""

    def parse(self, lines: "List[Tuple[str, int, str]]") -> "List[Any]":
        return claim_statements(lines)


def track_file_name(daemon_name: str) -> str:
    """The file name of a daemon's track file: its name, with anything but letters, digits, '.', '_', '-' made '_'."""
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", daemon_name) or "_"
    return ("_" + slug[1:] if slug.startswith(".") else slug) + TRACK_FILE_SUFFIX


def _weight(words: "List[str]", at: int) -> "Tuple[Optional[int], bool]":
    """(weight, reverse) from `weight W [reverse|noreverse]` starting at words[at] (the word 'weight')."""
    if len(words) <= at + 1 or words[at] != "weight":
        return None, False
    try:
        value = int(words[at + 1])
    except ValueError:
        return None, False
    return value, len(words) > at + 2 and words[at + 2] == "reverse"


def wiring(statements: "List[ClaimStmt]", track_path: str) -> "Dict[str, Any]":
    """Which instances track this daemon's track file with weight -1 (wired), and why each other one does not."""
    blocks = {}  # type: Dict[str, int]
    for stmt in statements:
        if stmt.words[0] not in TRACK_FILE_KEYWORDS or len(stmt.words) < 2 or stmt.children is None:
            continue
        path, weight, reverse = None, DEFAULT_TRACK_WEIGHT, False
        for inner in stmt.children:
            if inner.words[0] == "file" and len(inner.words) > 1:
                path = inner.words[1]
            elif inner.words[0] == "weight":
                given, reverse = _weight(inner.words, 0)
                weight = DEFAULT_TRACK_WEIGHT if given is None else given
        if path == track_path:
            blocks[stmt.words[1]] = -weight if reverse else weight
    synced = {}  # type: Dict[str, Tuple[str, bool]]
    for stmt in statements:
        if stmt.words[0] != "vrrp_sync_group" or stmt.children is None:
            continue
        tracking = any(inner.words[0] == "sync_group_tracking_weight" for inner in stmt.children)
        for inner in stmt.children:
            if inner.words[0] == "group":
                for member in inner.children or []:
                    synced[member.words[0]] = (stmt.words[1] if len(stmt.words) > 1 else "?", tracking)
    wired = []  # type: List[str]
    unwired = []  # type: List[Dict[str, str]]
    for stmt in statements:
        if stmt.words[0] != "vrrp_instance" or len(stmt.words) < 2 or stmt.children is None:
            continue
        name = stmt.words[1]
        priority = 100
        has_vrid = False
        weights = []  # type: List[int]
        for inner in stmt.children:
            if inner.words[0] == "virtual_router_id":
                has_vrid = True
            elif inner.words[0] == "priority" and len(inner.words) > 1 and inner.words[1].isdigit():
                priority = int(inner.words[1])
            elif inner.words[0] == "track_file":
                for entry in inner.children or []:
                    if entry.words[0] in blocks:
                        given, reverse = _weight(entry.words, 1)
                        weight = blocks[entry.words[0]] if given is None else (-given if reverse else given)
                        weights.append(weight)
        if not has_vrid:
            continue
        reason = None
        if priority >= ADDRESS_OWNER_PRIORITY:
            reason = ("priority 255, the address owner: keepalived lets an owner track a file only with weight 0 "
                      "(FAULT on any other value), so it cannot be drained by weight")
        elif name in synced and not synced[name][1]:
            reason = ("in sync group %s without sync_group_tracking_weight: keepalived takes weight 0 there (FAULT on "
                      "any other value)" % synced[name][0])
        elif not weights:
            reason = "does not track %s" % track_path
        elif weights != [WIRED_WEIGHT]:
            reason = "tracks %s with weight %s, Keepwatch needs %d" % (
                track_path, ", ".join(str(w) for w in weights), WIRED_WEIGHT)
        if reason is None:
            wired.append(name)
        else:
            unwired.append({"instance": name, "reason": reason})
    return {"blocks": sorted(blocks), "wired": wired, "unwired": unwired}


class Maintenance(object):
    """Each daemon's maintenance weight: its wiring in the configuration, the value in its track file, who set it."""

    def __init__(self, settings: "Settings", config_id: str) -> None:
        self.settings = settings
        self.config_id = config_id
        self.reader = StatementReader()
        self.seen = {}  # type: Dict[str, Any]      # daemon name -> what the last record said (for changes)

    def directory(self) -> Path:
        return Path(self.settings.state_dir) / MAINTENANCE_DIR

    def track_path(self, d: "Daemon") -> Path:
        return self.directory() / track_file_name(d.name)

    def note_path(self, d: "Daemon") -> Path:
        return self.directory() / (track_file_name(d.name)[:-len(TRACK_FILE_SUFFIX)] + NOTE_SUFFIX)

    def stopped_note_path(self, d: "Daemon") -> Path:
        return self.directory() / (track_file_name(d.name)[:-len(TRACK_FILE_SUFFIX)] + STOPPED_NOTE_SUFFIX)

    @staticmethod
    def refusal(d: "Daemon") -> "Optional[str]":
        """Why this daemon's maintenance weight is not Keepwatch's to set, or None."""
        if d.neutron_router:
            return NEUTRON_REFUSAL
        if d.fs_root:
            return OTHER_ROOT_REFUSAL
        return None

    # -- reading ---------------------------------------------------------------------------------

    def record(self, d: "Daemon") -> "Dict[str, Any]":
        """What the daemons and snapshot records say of it (docs/protocol.md, maintenance)."""
        refusal = self.refusal(d)
        result = {"available": refusal is None, "refusal": refusal, "track_file": None, "blocks": [], "wired": [],
                  "unwired": [], "wiring_error": None, "value": None, "drained": False, "since": None, "by": None,
                  "reason": None, "method": None, "error": None}  # type: Dict[str, Any]
        if refusal is not None:
            return result
        path = self.track_path(d)
        result["track_file"] = str(path)
        result.update(self._wiring(d, str(path)))
        try:
            value = self._read_value(path)
        except AgentError as exc:
            result["error"] = exc.message
            return result
        result["value"] = value
        note = None  # type: Optional[Dict[str, Any]]
        if value:
            note = self._read_note(self.note_path(d))
            result["method"] = METHOD_WEIGHT
        else:
            note = self._stopped_note(d)
            result["method"] = METHOD_STOP if note is not None else None
        if note is not None:
            result["drained"] = True
            result["since"] = note.get("since")
            result["by"] = note.get("by")
            result["reason"] = note.get("reason")
        return result

    def _wiring(self, d: "Daemon", track_path: str) -> "Dict[str, Any]":
        statements, error = self.reader.load(d.config, d.fs_root, d.config_id or self.config_id)
        if error is not None:
            return {"wiring_error": error.get("message")}
        return wiring(statements, track_path)

    def _checked_dir(self) -> "Optional[Path]":
        """The maintenance directory, judged (never made): None when it is not there yet."""
        state = private_dir(Path(self.settings.state_dir), create=False)
        return None if state is None else private_dir(self.directory(), create=False)

    def _read_value(self, path: Path) -> "Optional[int]":
        """The number in the track file (None: never written), read only from a regular file only root can write."""
        if self._checked_dir() is None:
            return None
        data = self._read_own(path, MAX_TRACK_FILE_BYTES)
        if data is None:
            return None
        text = data.decode("ascii", "replace").strip().split()
        try:
            return int(text[0]) if text else 0
        except ValueError:
            raise AgentError(E_IO, "%s holds %r, not a number" % (path, data[:40]), {"file": str(path)})

    def _read_note(self, path: Path) -> "Dict[str, Any]":
        try:
            data = self._read_own(path, MAX_NOTE_BYTES)
            note = json.loads(data.decode("utf-8")) if data else {}
        except (AgentError, ValueError, UnicodeDecodeError):
            return {}
        return note if isinstance(note, dict) else {}

    @staticmethod
    def _read_own(path: Path, limit: int) -> "Optional[bytes]":
        try:
            fd = os.open(str(path), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            if os.path.islink(str(path)):
                raise AgentError(E_UNTRUSTED, "%s is a symbolic link; the maintenance weight is not read through it"
                                 % path, {"file": str(path)})
            raise AgentError(E_IO, "cannot read %s: %s" % (path, exc.strerror or exc), {"file": str(path)})
        try:
            st = os.fstat(fd)
            _check_own(path, st)
            return os.read(fd, limit)
        finally:
            os.close(fd)

    def changes(self, daemons: "List[Daemon]") -> "List[Tuple[Daemon, Dict[str, Any]]]":
        """The daemons whose record changed since the last look (a drain by another session, an edit of the
        wiring), each with its new record."""
        changed = []
        names = set()
        for d in daemons:
            names.add(d.name)
            if d.alive and self._stopped_note(d) is None:
                self.forget_stopped(d)      # started again by hand: no longer drained
            current = self.record(d)
            if self.seen.get(d.name) != current:
                if d.name in self.seen:
                    changed.append((d, current))
                self.seen[d.name] = current
        for name in [n for n in self.seen if n not in names]:
            del self.seen[name]
        return changed

    # -- writing ---------------------------------------------------------------------------------

    def set(self, d: "Daemon", drained: bool, reason: "Optional[str]", prepare: bool = False,
            by: "Optional[str]" = None) -> "Dict[str, Any]":
        """Writes the daemon's track file: DRAINED_VALUE or UNDRAINED_VALUE (prepare: UNDRAINED_VALUE only when there
        is none yet, so that keepalived finds its directory and file when the wiring is added). Draining needs every
        instance wired; `by` names who drains (the operator the client named; default the node's login). Returns
        {previous, value, record}; raises AgentError (refused: nothing written)."""
        refusal = self.refusal(d)
        if refusal is not None:
            code = E_NEUTRON_MANAGED if d.neutron_router else E_UNSUPPORTED
            raise AgentError(code, "%s: %s" % (d.name, refusal), {"refusal": "neutron" if d.neutron_router
                                                                  else "mount_namespace"})
        path = self.track_path(d)
        if drained:
            wiring_now = self._wiring(d, str(path))
            if wiring_now.get("wiring_error"):
                raise AgentError(E_NOT_WIRED, "%s: its configuration cannot be read, so its wiring is unknown: %s"
                                 % (d.name, wiring_now["wiring_error"]))
            if not wiring_now["wired"] or wiring_now["unwired"]:
                why = "; ".join("%s %s" % (u["instance"], u["reason"]) for u in wiring_now["unwired"])
                raise AgentError(E_NOT_WIRED, "%s is not wired for Keepwatch's maintenance weight (%s): %s; set up the "
                                 "maintenance weight first (a track_file block on %s with weight %d, tracked by every "
                                 "vrrp_instance)" % (d.name, d.config, why or "no vrrp_instance tracks it", path,
                                                     WIRED_WEIGHT), {"unwired": wiring_now["unwired"]})
        private_dir(Path(self.settings.state_dir))
        private_dir(self.directory())
        previous = self._read_value(path)       # refuses a link, FIFO or another user's file at that name
        try:
            st = os.lstat(str(path))
        except FileNotFoundError:
            st = None
        if st is not None:
            _check_own(path, st)
        value = DRAINED_VALUE if drained else UNDRAINED_VALUE
        if prepare and previous is not None:
            value = previous
        else:
            try:
                atomic_write(path, b"%d\n" % value)
                if drained:
                    note = {"since": now(), "time": iso_time(now()), "by": by or session_user(), "reason": reason,
                            "value": value}
                    atomic_write(self.note_path(d), json.dumps(note, sort_keys=True).encode("utf-8"))
                else:
                    unlink_quietly(self.note_path(d))     # who drained it says nothing any more
            except OSError as exc:
                raise AgentError(E_IO, "cannot write %s: %s" % (path, exc.strerror or exc), {"file": str(path)})
        return {"previous": previous, "value": value, "record": self.record(d)}


    def _stopped_note(self, d: "Daemon") -> "Optional[Dict[str, Any]]":
        """The note of a drain by stopping while it holds: the daemon is not running, or is still seen as the very
        process that was stopped (the loop has not noticed its exit yet). None otherwise."""
        note = self._read_note(self.stopped_note_path(d)) or None
        if note is None or not d.alive:
            return note
        return note if [d.pid, d.starttime] == [note.get("pid"), note.get("starttime")] else None

    def mark_stopped(self, d: "Daemon", by: "Optional[str]", reason: "Optional[str]",
                     stopped: "Tuple[Optional[int], Optional[int]]") -> None:
        """Notes that the daemon (the process `stopped`: pid and start time) was stopped to drain its node (the
        fallback without the weight's wiring). Raises
        AgentError when it may not be drained or the note cannot be written (nothing written)."""
        path = self.check_stoppable(d)
        note = {"method": METHOD_STOP, "since": now(), "time": iso_time(now()), "by": by or session_user(),
                "reason": reason, "pid": stopped[0], "starttime": stopped[1]}
        try:
            atomic_write(path, json.dumps(note, sort_keys=True).encode("utf-8"))
        except OSError as exc:
            raise AgentError(E_IO, "cannot write %s: %s" % (path, exc.strerror or exc), {"file": str(path)})

    def check_stoppable(self, d: "Daemon") -> Path:
        """Where the note of a drain by stopping goes, made sure of before anything is stopped: the daemon is
        Keepwatch's to drain, the directory root's alone, nothing but root's own regular file at the note's name."""
        refusal = self.refusal(d)
        if refusal is not None:
            code = E_NEUTRON_MANAGED if d.neutron_router else E_UNSUPPORTED
            raise AgentError(code, "%s: %s" % (d.name, refusal))
        private_dir(Path(self.settings.state_dir))
        private_dir(self.directory())
        path = self.stopped_note_path(d)
        self._check_existing(path)
        return path

    def has_stopped_note(self, d: "Daemon") -> bool:
        """Whether a drain by stopping is noted for the daemon (root's own regular file at the note's name)."""
        try:
            if self.refusal(d) is not None or self._checked_dir() is None:
                return False
            return self._read_own(self.stopped_note_path(d), MAX_NOTE_BYTES) is not None
        except AgentError:
            return False

    def forget_stopped(self, d: "Daemon") -> bool:
        """Clears a drain by stopping (the daemon runs again); True when there was one. What is not root's own
        regular file at that name is left alone (and never read)."""
        path = self.stopped_note_path(d)
        try:
            if self.refusal(d) is not None or self._checked_dir() is None:
                return False
            self._check_existing(path)
        except AgentError:
            return False
        if not path.exists():
            return False
        unlink_quietly(path)
        return True

    @staticmethod
    def _check_existing(path: Path) -> None:
        try:
            st = os.lstat(str(path))
        except FileNotFoundError:
            return
        _check_own(path, st)


def _check_own(path: Path, st: "os.stat_result") -> None:
    """A track file (or its note) is used only as a regular file only root (the agent's user) can write."""
    if not stat.S_ISREG(st.st_mode):
        raise AgentError(E_UNTRUSTED, "%s is %s; the maintenance weight is neither read nor written through it"
                         % (path, file_kind(st.st_mode)), {"file": str(path)})
    if not trusted_owner(st):
        raise AgentError(E_UNTRUSTED, "%s (uid %d, mode %04o) may be written by others; the maintenance weight is "
                         "neither read from it nor written over it" % (path, st.st_uid, st.st_mode & 0o7777),
                         {"file": str(path)})
