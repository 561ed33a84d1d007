"""The config.* requests: the daemon and files a request names, handed to ConfigOps (on a worker thread)."""

import os

from .config_files import ConfigSet
from .edits import FileEdit
from .proc import session_user
from .protocol import AgentError, E_PERMISSION
from .requests import file_entries
from .sha256 import sha256_hex
from .text_bytes import decode_text, encode_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict  # noqa: F401
    from .config_ops import ConfigOps  # noqa: F401
    from .daemon import Daemon  # noqa: F401
    from .settings import Settings  # noqa: F401


class ConfigRequests(object):
    """config.read, config.check, config.apply, config.backups, config.backup.read and config.restore, each run on a worker thread: it
    returns the result or raises AgentError. find_daemon finds the named daemon from there."""

    def __init__(self, ops: "ConfigOps", find_daemon: "Callable[[str], Daemon]", settings: "Settings") -> None:
        self.ops = ops
        self.find_daemon = find_daemon
        self.settings = settings

    def read(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        result = ConfigSet(d.config, d.fs_root).load().to_json()
        result["daemon"] = d.name
        return result

    def check(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        entries = file_entries("config.check", args, with_base=False)
        d = self.find_daemon(args["daemon"])
        targets = self.ops.resolve_targets(d, [path for path, _, _ in entries])
        result = self.ops.check_files(d, {target: encode_text(text)
                                                 for target, (_, text, _) in zip(targets, entries)})
        result["daemon"] = d.name
        return result

    def apply(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        entries = file_entries("config.apply", args, with_base=True)
        d = self.find_daemon(args["daemon"])
        targets = self.ops.resolve_targets(d, [path for path, _, _ in entries])
        edits = [FileEdit(target, text, base) for target, (_, text, base) in zip(targets, entries)]
        result = self.ops.apply_files(d, edits, args.get("reason"), req_id, "apply")
        result["daemon"] = d.name
        return result

    def backups(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        _, target = self.ops.resolve_target(d, args.get("path"))
        return {"daemon": d.name, "path": target, "backups": self.ops.list_backups(self._backups_of(d, target)),
                "keep": self.settings.backup_keep}

    def backup_read(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        _, target = self.ops.resolve_target(d, args.get("path"))
        data, st = self.ops.read_backup_file(self.ops.backup_key(d, target), args["backup"])
        return {"daemon": d.name, "path": target, "name": args["backup"], "created": st.st_mtime, "size": len(data),
                "sha256": sha256_hex(data), "text": decode_text(data)}

    def restore(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        _, target = self.ops.resolve_target(d, args.get("path"))
        data = self.ops.read_backup(self.ops.backup_key(d, target), args["backup"])
        result = self.ops.apply(d, target, decode_text(data), args["base_sha256"], args.get("reason"),
                                       req_id, "restore", backup_name=args["backup"])
        result["daemon"] = d.name
        result["restored_from"] = args["backup"]
        return result

    def _backups_of(self, d: "Daemon", target: str) -> str:
        """Whose backups to list (ConfigOps.backup_key). An agent that is not root and has kept none of this file itself
        (a read-only session: pushes run as root, through sudo, and keep theirs in root's state directory) says so,
        rather than an empty list that reads "no backups yet" where there may be many. Reading one by name needs no
        such word: the names come from this list."""
        key = self.ops.backup_key(d, target)
        if os.geteuid() != 0 and not self.ops.backup_dir(key).is_dir():
            raise AgentError(E_PERMISSION, "the backups of %s are root's: they are kept in the root-only state directory "
                             "of the agent that pushes, and %s is not root here (a login without sudo); a login with "
                             "sudo lists them" % (target, session_user()))
        return key
