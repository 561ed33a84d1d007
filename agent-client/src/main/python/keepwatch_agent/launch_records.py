"""How a keepalived the agent may start again was started (daemon.start, docs/protocol.md): read from /proc while it
runs, kept root-only in <state_dir>/launch, and read back only when root alone could have written it."""

import json
import os
import re
import stat
from pathlib import Path

from .daemon import SYSTEMD_RUNTIME_DIR
from .log import LOG
from .private_files import atomic_write, private_dir
from .proc import read_environ
from .protocol import AgentError, E_NOT_FOUND, E_TOO_LARGE, E_UNTRUSTED
from .sha256 import sha256_hex
from .text_bytes import decode_text, encode_text
from .trust import file_kind, trusted_owner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional  # noqa: F401
    from .daemon import Daemon  # noqa: F401
    from .settings import Settings  # noqa: F401

LAUNCH_DIR_NAME = "launch"
LAUNCH_RECORD_FORMAT = 1
MAX_LAUNCH_RECORD_BYTES = 64 * 1024
MAX_LAUNCH_ARGS = 256
LAUNCH_FIELDS = {"format": int, "key": str, "name": str, "exe": str, "argv": list, "cwd": str, "netns": (str, type(None)),
                 "tmpdir": (str, type(None)), "stdout": (str, type(None)), "stderr": (str, type(None))}


def output_target(link: "Optional[str]") -> "Optional[str]":
    """The file a descriptor of keepalived writes to (readlink of /proc/PID/fd/N), when it is a file by a path:
    None for /dev/null, a pipe, a socket, a terminal, or a file deleted since."""
    if not link or not link.startswith("/") or link.endswith(" (deleted)") or link.startswith("/dev/"):
        return None
    return link


def launch_of_process(proc_root: str, d: "Daemon") -> "Dict[str, Any]":
    """How the running daemon d was started: its executable, arguments, working directory, network namespace (by
    name; None for the agent's own), TMPDIR (None when it had none) and the files its stdout and stderr go to."""
    base = "%s/%d" % (proc_root, d.pid)

    def link(name: str) -> "Optional[str]":
        try:
            return os.readlink("%s/%s" % (base, name))
        except OSError:
            return None
    return {"format": LAUNCH_RECORD_FORMAT, "key": d.key, "name": d.name, "exe": d.exe, "argv": list(d.cmdline),
            "cwd": link("cwd") or "/", "netns": None if d.own_netns else d.netns_name,
            "tmpdir": read_environ(proc_root, d.pid).get("TMPDIR"),
            "stdout": output_target(link("fd/1")), "stderr": output_target(link("fd/2"))}


def launch_file_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key.strip("/"))[-80:] + "-" + sha256_hex(key.encode())[:10] + ".json"


def systemd_unit_of(d: "Daemon") -> "Optional[str]":
    """The keepalived unit systemd manages d in: its cgroup's, or keepalived.service's for a daemon known from that
    unit; None when systemd is not the init system here (the unit file may be installed all the same)."""
    unit = d.systemd_unit
    if unit and unit.startswith("keepalived") and os.path.isdir(SYSTEMD_RUNTIME_DIR):
        return unit
    return None


def startable(d: "Daemon") -> bool:
    """A daemon whose own way is signals (not systemd, not Neutron's), running in the agent's filesystem view and in
    the agent's or a named network namespace: one it can start again as it was started."""
    return not d.neutron_router and not systemd_unit_of(d) and not d.fs_root and (d.own_netns or bool(d.netns_name))


class LaunchRecords(object):
    """<state_dir>/launch/<daemon key>.json: one record per daemon, written (0600, atomically, never through a link)
    when the daemon is seen running and its record differs, read only from a directory and file root alone
    controls."""

    def __init__(self, settings: "Settings") -> None:
        self.settings = settings
        self.written = {}  # type: Dict[str, Dict[str, Any]]

    def directory(self) -> Path:
        return Path(self.settings.state_dir) / LAUNCH_DIR_NAME

    def remember(self, d: "Daemon") -> None:
        """Keeps how the running d was started, if it is startable and not already kept so."""
        if not d.alive or d.pid is None or not startable(d):
            return
        record = launch_of_process(self.settings.proc_root, d)
        if not record["exe"] or not record["argv"] or self.written.get(d.key) == record:
            return
        try:
            if self.recall(d) == record:
                self.written[d.key] = record
                return
        except (AgentError, OSError, ValueError):
            pass
        try:
            private_dir(Path(self.settings.state_dir))
            directory = private_dir(self.directory())
            atomic_write(directory / launch_file_name(d.key), encode_text(json.dumps(record, sort_keys=True) + "\n"))
            self.written[d.key] = record
        except (AgentError, OSError) as exc:
            LOG.warning("keepalived %s: cannot keep how it was started: %s", d.name, exc)

    def recall(self, d: "Daemon") -> "Dict[str, Any]":
        """The record of how d was started, only from a directory and a file root alone can write: AgentError
        not_found when there is none, untrusted (naming the file and why) when another user could have written it."""
        directory = self.directory()
        if private_dir(Path(self.settings.state_dir), create=False) is None or \
                private_dir(directory, create=False) is None:
            raise AgentError(E_NOT_FOUND, "no record of how keepalived %s was started" % d.name)
        path = directory / launch_file_name(d.key)
        record = self._read(path, "no record of how keepalived %s was started" % d.name)
        check_record(record, str(path), d.key)
        return record

    def recorded(self) -> "List[Dict[str, Any]]":
        """Every valid start record (each in its own file, named by its key): the daemons some agent saw running here,
        so that one stopped before this session began is still known and can be started again. Records another user
        could have written, or that are not whole, are left out."""
        directory = self.directory()
        try:
            if private_dir(Path(self.settings.state_dir), create=False) is None or \
                    private_dir(directory, create=False) is None:
                return []
            names = sorted(os.listdir(str(directory)))
        except (AgentError, OSError):
            return []
        records = []
        for name in names:
            if not name.endswith(".json"):
                continue
            path = directory / name
            try:
                record = self._read(path, "")
                key = record.get("key") if isinstance(record, dict) else None
                if not isinstance(key, str) or launch_file_name(key) != name:
                    continue
                check_record(record, str(path), key)
            except AgentError:
                continue
            records.append(record)
        return records

    @staticmethod
    def _read(path: Path, missing: str) -> "Any":
        """A record's JSON, read only from a regular file root alone can write (never through a link)."""
        try:
            fd = os.open(str(path), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise AgentError(E_NOT_FOUND, missing)
        except OSError as exc:
            raise AgentError(E_UNTRUSTED, "the start record %s cannot be opened as a file (%s); it is not used"
                             % (path, exc.strerror or exc), {"file": str(path)})
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise AgentError(E_UNTRUSTED, "the start record %s is %s; it is not used"
                                 % (path, file_kind(st.st_mode)), {"file": str(path)})
            if not trusted_owner(st):
                raise AgentError(E_UNTRUSTED, "the start record %s is owned by uid %d with mode %04o: another user could "
                                 "have written it, so it is not used" % (path, st.st_uid, st.st_mode & 0o7777),
                                 {"file": str(path)})
            if st.st_size > MAX_LAUNCH_RECORD_BYTES:
                raise AgentError(E_TOO_LARGE, "the start record %s is larger than %d bytes" % (path, MAX_LAUNCH_RECORD_BYTES))
            data = os.read(fd, MAX_LAUNCH_RECORD_BYTES + 1)
        finally:
            os.close(fd)
        try:
            return json.loads(decode_text(data))
        except ValueError:
            raise AgentError(E_UNTRUSTED, "the start record %s is not JSON" % path, {"file": str(path)})


def check_record(record: "Any", where: str, key: str) -> None:
    """A start record of the daemon whose key is `key`, with every field of its type; AgentError naming `where`."""
    if not isinstance(record, dict):
        raise AgentError(E_UNTRUSTED, "the start record %s is not an object" % where, {"file": where})
    for name, kind in LAUNCH_FIELDS.items():
        if name not in record or not isinstance(record[name], kind) or isinstance(record[name], bool):
            raise AgentError(E_UNTRUSTED, "the start record %s has no valid %r" % (where, name), {"file": where})
    if record["key"] != key:
        raise AgentError(E_UNTRUSTED, "the start record %s is of another daemon (%s)" % (where, record["key"]),
                         {"file": where})
    argv = record["argv"]
    if not argv or len(argv) > MAX_LAUNCH_ARGS or not all(isinstance(a, str) and "\0" not in a for a in argv):
        raise AgentError(E_UNTRUSTED, "the start record %s has no valid command line" % where, {"file": where})
    for name in ("exe", "cwd", "tmpdir", "stdout", "stderr"):
        value = record[name]
        if value is not None and (not value.startswith("/") or "\0" in value):
            raise AgentError(E_UNTRUSTED, "the start record %s: %s is not an absolute path" % (where, name),
                             {"file": where})
    netns = record["netns"]
    if netns is not None and (not netns or "/" in netns or netns in (".", "..") or "\0" in netns):
        raise AgentError(E_UNTRUSTED, "the start record %s names no valid network namespace" % where, {"file": where})
