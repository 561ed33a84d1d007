"""Starting a keepalived again as it was started, detached from the agent (the agent's _daemon-start command)."""

import json
import os
import signal
import stat
import sys

from .linux import CLONE_NEWNET, setns
from .trust import trusted_owner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional  # noqa: F401

DAEMON_EXEC_FAILED = 96
DAEMON_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DAEMON_LOG_MODE = 0o640
DAEMON_EXEC_USAGE = "usage: _daemon-start --cwd DIR [--netns PATH] [--out FILE] [--err FILE] [--tmpdir DIR] -- EXE ARGV..."
DAEMON_EXEC_OPTIONS = ("--cwd", "--netns", "--out", "--err", "--tmpdir")


def open_daemon_output(path: "Optional[str]") -> int:
    """Where the daemon's stdout or stderr goes: /dev/null, or `path` appended to, opened without following a link
    and kept only when it is a regular file root alone may write (created 0640 when missing)."""
    if path is None:
        return os.open(os.devnull, os.O_WRONLY)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, DAEMON_LOG_MODE)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or not trusted_owner(st):
        os.close(fd)
        raise OSError("%s is not a regular file only root may write (uid %d, mode %04o)"
                      % (path, st.st_uid, st.st_mode & 0o7777))
    return fd


def parse_daemon_exec_args(argv: "List[str]") -> "Dict[str, object]":
    """{option: value} and "command": the argument list after "--"; ValueError on anything else."""
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    parsed = {"command": command}  # type: Dict[str, object]
    if len(options) % 2:
        raise ValueError(DAEMON_EXEC_USAGE)
    for i in range(0, len(options), 2):
        if options[i] not in DAEMON_EXEC_OPTIONS:
            raise ValueError("unknown option %s; %s" % (options[i], DAEMON_EXEC_USAGE))
        parsed[options[i]] = options[i + 1]
    if len(command) < 2 or not command[0].startswith("/") or "--cwd" not in parsed:
        raise ValueError(DAEMON_EXEC_USAGE)
    return parsed


def daemon_start_main(argv: "List[str]") -> int:
    """Internal helper, spawned by the agent (never by the client): enters the network namespace, opens the output
    files, then forks the daemon into a session of its own (so it outlives the agent and its SSH session) in the
    working directory, with only PATH and TMPDIR in its environment, and execs the executable with the arguments.
    Prints {"pid": N} once the exec succeeded, or {"error": ...} and exits DAEMON_EXEC_FAILED."""
    try:
        args = parse_daemon_exec_args(argv)
        command = args["command"]  # type: List[str]    # type: ignore
        netns = args.get("--netns")
        if netns:
            fd = os.open(str(netns), os.O_RDONLY)
            setns(fd, CLONE_NEWNET)
            os.close(fd)
        out = open_daemon_output(args.get("--out"))     # type: ignore
        err = open_daemon_output(args.get("--err")) if args.get("--err") != args.get("--out") else out  # type: ignore
        null = os.open(os.devnull, os.O_RDONLY)
        os.chdir(str(args["--cwd"]))
        env = {"PATH": DAEMON_PATH}
        if args.get("--tmpdir"):
            env["TMPDIR"] = str(args["--tmpdir"])
        status_r, status_w = os.pipe()      # close-on-exec: EOF tells the exec succeeded
    except (OSError, ValueError) as exc:
        sys.stdout.write(json.dumps({"error": str(exc)}) + "\n")
        return DAEMON_EXEC_FAILED
    pid = os.fork()
    if pid == 0:
        try:
            os.close(status_r)
            os.setsid()
            os.dup2(null, 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.closerange(3, status_w)
            os.closerange(status_w + 1, 65536)
            for signum in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_DFL)
            os.execve(command[0], command[1:], env)      # command[1] is the daemon's own argv[0]
        except BaseException as exc:
            try:
                os.write(status_w, str(exc).encode("utf-8", "replace")[:1000] or b"exec failed")
            finally:
                os._exit(DAEMON_EXEC_FAILED)
    os.close(status_w)
    failure = b""
    while True:
        chunk = os.read(status_r, 4096)
        if not chunk:
            break
        failure += chunk
    if failure:
        os.waitpid(pid, 0)
        sys.stdout.write(json.dumps({"error": "cannot run %s: %s" % (command[0], failure.decode("utf-8", "replace"))})
                         + "\n")
        return DAEMON_EXEC_FAILED
    sys.stdout.write(json.dumps({"pid": pid}) + "\n")
    return 0
