"""The agent's log: one line per message on stderr (stdout belongs to the protocol)."""

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Tuple  # noqa: F401

AGENT_NAME = "keepwatch-agent"

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
