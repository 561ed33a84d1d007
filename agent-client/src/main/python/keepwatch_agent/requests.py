"""Requests: a line read as {id, op, args}, the arguments each op takes, and the files a config.check or config.apply
names (docs/protocol.md)."""

import json
import re

from .config_files import MAX_INCLUDED_FILES
from .protocol import AgentError, E_BAD_ARGS, E_BAD_REQUEST, E_PARSE, E_UNKNOWN_OP, OPS, SHA256_HEX_LEN

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
    "config.backup.read": {"daemon": (str, True), "backup": (str, True), "path": (str, False)},
    "config.restore": {"daemon": (str, True), "backup": (str, True), "base_sha256": (str, True),
                       "path": (str, False), "reason": (str, False)},
    "maintenance.set": {"daemon": (str, True), "drained": (bool, True), "reason": (str, False)},
    "maintenance.prepare": {"daemon": (str, True), "reason": (str, False)},
    "daemon.start": {"daemon": (str, True), "reason": (str, False)},
    "daemon.stop": {"daemon": (str, True), "reason": (str, False), "drain": (bool, False)},
    "daemon.restart": {"daemon": (str, True), "reason": (str, False)},
    "daemon.reload": {"daemon": (str, True), "reason": (str, False)},
    "log.read": {"daemon": (str, True), "lines": (int, False), "since": (float, False), "until": (float, False),
                 "instance": (str, False), "level": (str, False), "grep": (str, False)},
    "log.follow": {"daemon": (str, True), "instance": (str, False), "level": (str, False), "grep": (str, False)},
    "log.unfollow": {"follow": (int, False)},
    "diagnose": {"daemon": (str, True), "instance": (str, False), "seconds": (int, False), "salt": (str, False)},
}  # type: Dict[str, Dict[str, Tuple[type, bool]]]
WORKER_OPS = ("config.read", "config.check", "config.apply", "config.backups", "config.backup.read", "config.restore",
              "daemon.start", "daemon.stop", "daemon.restart", "daemon.reload", "log.read", "diagnose")
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


class BadRequest(Exception):
    """A request refused before its op runs, answered with the id it showed (None when it showed none)."""

    def __init__(self, req_id: "Any", error: AgentError) -> None:
        Exception.__init__(self, error.message)
        self.req_id = req_id
        self.error = error


def parse_request(line: bytes) -> "Tuple[Any, str, Dict[str, Any]]":
    """(id, op, args) of one request line; raises BadRequest."""
    try:
        request = json.loads(line.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadRequest(None, AgentError(E_PARSE, "not JSON: %s" % str(exc)[:200]))
    if not isinstance(request, dict):
        raise BadRequest(None, AgentError(E_BAD_REQUEST, "a request is a JSON object {id, op, args}"))
    req_id = request.get("id")
    if isinstance(req_id, bool) or not isinstance(req_id, (int, str)):
        raise BadRequest(None, AgentError(E_BAD_REQUEST, "request id must be a number or a string"))
    op = request.get("op")
    if not isinstance(op, str) or op not in ARG_SCHEMAS:
        raise BadRequest(req_id, AgentError(E_UNKNOWN_OP, "unknown op %r; known: %s" % (op, ", ".join(OPS))))
    unknown = set(request) - {"id", "op", "args"}
    if unknown:
        raise BadRequest(req_id, AgentError(E_BAD_REQUEST, "unknown request fields: %s" % ", ".join(sorted(unknown))))
    try:
        args = validate_args(op, request.get("args"))
    except AgentError as err:
        raise BadRequest(req_id, err)
    return req_id, op, args


def validate_args(op: str, args: "Any") -> "Dict[str, Any]":
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
        if kind is float and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise AgentError(E_BAD_ARGS, "argument %r must be a number" % name)
        if kind not in (int, float) and not isinstance(value, kind):
            raise AgentError(E_BAD_ARGS, "argument %r must be a %s" % (name, kind.__name__))
    sha = args.get("base_sha256")
    if sha is not None and not re.match(r"^[0-9a-fA-F]{%d}$" % SHA256_HEX_LEN, sha):
        raise AgentError(E_BAD_ARGS, "base_sha256 must be 64 hex digits (from config.read)")
    path = args.get("path")
    if path is not None and (not path.startswith("/") or "\0" in path):
        raise AgentError(E_BAD_ARGS, "path must be absolute")
    return args
