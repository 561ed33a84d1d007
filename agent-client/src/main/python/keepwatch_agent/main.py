"""The agent's entry point: serve a session on stdin/stdout, print its version, or run keepalived -t as root."""

import json
import os
import signal
import sys

from .agent import Agent
from .bootstrap import reexec_through_import
from .check_exec import check_exec_main
from .daemon_exec import daemon_start_main
from .log import LOG
from .protocol import AGENT_VERSION, PROTOCOL_VERSION
from .settings import DEFAULT_SETTINGS, load_settings, USAGE, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Optional  # noqa: F401


def main(argv: "Optional[List[str]]" = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_check-exec":
        return check_exec_main(argv[1:])
    if argv and argv[0] == "_daemon-start":
        return daemon_start_main(argv[1:])
    try:
        command, settings = load_settings(argv)
    except UsageError as exc:
        if str(exc):
            sys.stderr.write("keepwatch_agent.py: %s\n" % exc)
        sys.stderr.write(USAGE % "\n".join("  --%s (default %s)" % (k.replace("_", "-"), json.dumps(v))
                                           for k, v in sorted(DEFAULT_SETTINGS.items())))
        return 0 if not str(exc) else 2
    LOG.set_level(settings.log_level)
    if command == "version":
        sys.stdout.write(json.dumps({"agent_version": AGENT_VERSION, "protocol": PROTOCOL_VERSION}) + "\n")
        return 0
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)   # a closed stdout is an EPIPE we handle
    agent = Agent(settings)

    def on_signal(signum: int, _frame: "Any") -> None:
        LOG.info("signal %d; ending the session", signum)
        agent.loop.call_soon_threadsafe(agent.shutdown)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    LOG.info("serving protocol %d (agent %s, python %s, %s)", PROTOCOL_VERSION, AGENT_VERSION,
             sys.version.split()[0], "root" if os.geteuid() == 0 else "not root")
    try:
        return agent.serve()
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    reexec_through_import()
    sys.exit(main())
