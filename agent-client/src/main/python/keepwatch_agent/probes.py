"""What keepalived --version and --signum=NAME answer, cached per executable across sessions."""

import json
import os
import re

from .commands import run_command
from .log import LOG
from .private_files import atomic_write
from .protocol import AgentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple  # noqa: F401

VERSION_PROBE_TIMEOUT_S = 10.0

PROBE_CACHE_FORMAT = 1
PROBE_CACHE_MAX_ENTRIES = 32       # executables remembered (oldest dropped first)
PROBE_CACHE_MAX_BYTES = 256 * 1024
MAX_SIGNUM = 128                   # a cached signal number above this is not believed

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
