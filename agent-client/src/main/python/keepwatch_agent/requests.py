"""Requests: the arguments each op takes, and the files a config.check or config.apply names."""

import re

from .config_files import MAX_INCLUDED_FILES
from .protocol import AgentError, E_BAD_ARGS, SHA256_HEX_LEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple  # noqa: F401

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
