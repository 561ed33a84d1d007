"""The files of an apply: each file's bytes before and after, and which version of it is on disk now."""

from .config_files import MAX_CONFIG_FILE_BYTES
from .protocol import AgentError
from .sha256 import sha256_hex
from .text_bytes import encode_text
from .trust import read_trusted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional  # noqa: F401

INTENT_FORMAT = 1                  # <state_dir>/intents/<daemon>.json: an apply between its first rename and its end


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
