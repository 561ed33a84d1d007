"""Running a program: found on root's PATH, run from an argument list (never a shell), bounded in time."""

import os

from .protocol import AgentError, E_IO, E_TIMEOUT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple  # noqa: F401


def which(program: str, extra_dirs: str = "/usr/sbin:/sbin:/usr/local/sbin") -> "Optional[str]":
    for directory in (os.environ.get("PATH", "") + ":" + extra_dirs).split(":"):
        if directory:
            candidate = os.path.join(directory, program)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


def run_command(argv: "List[str]", timeout: float, env: "Optional[Dict[str, str]]" = None,
                merge_stderr: bool = False) -> "Tuple[int, str, str]":
    """Runs an argument list (never a shell string); returns (exit code, stdout, stderr)."""
    import subprocess
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
                              timeout=timeout, env=env, universal_newlines=True, errors="replace")
    except subprocess.TimeoutExpired:
        raise AgentError(E_TIMEOUT, "%s did not finish within %.0f s" % (argv[0], timeout))
    except OSError as exc:
        raise AgentError(E_IO, "cannot run %s: %s" % (argv[0], exc.strerror or exc))
    return proc.returncode, proc.stdout or "", proc.stderr or ""
