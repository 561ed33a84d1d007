"""keepalived.conf: the files of one configuration (the main file and its includes)."""

import os
import re
from pathlib import Path

from .protocol import AgentError, E_IO, E_NOT_FOUND, E_PERMISSION, E_TOO_LARGE
from .sha256 import sha256_hex
from .text_bytes import decode_text
from .trust import config_owner, read_trusted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterable, List, Optional, Set  # noqa: F401

MAX_CONFIG_FILE_BYTES = 16 * 1024 * 1024
MAX_INCLUDE_DEPTH = 8
MAX_INCLUDED_FILES = 512

INCLUDE_RE = re.compile(r"^(?:@\^?\S+\s+)?include\s+(\S+)")
INSTANCE_RE = re.compile(r"^(?:@\^?\S+\s+)?vrrp_instance\s+([^\s{]+)")


def read_small(path: Path, limit: int = MAX_CONFIG_FILE_BYTES) -> bytes:
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise AgentError(E_TOO_LARGE, "%s is larger than %d bytes" % (path, limit))
    return data


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
