"""Running system commands with errors a person can act on."""
import os
import shutil
import subprocess
from typing import List, Optional

# command -> Debian package that provides it
REQUIRED_COMMANDS = {
    "ip": "iproute2",
    "bridge": "iproute2",
    "unshare": "util-linux",
    "nsenter": "util-linux",
    "keepalived": "keepalived",
    "sshd": "openssh-server",
    "ssh-keygen": "openssh-client",
    "python3": "python3",
}
SBIN_DIRS = ("/usr/sbin", "/sbin", "/usr/local/sbin")


class LabError(Exception):
    """A failure with a message that says what is wrong and what to do."""


def find_command(name: str) -> Optional[str]:
    found = shutil.which(name)
    if found:
        return found
    for directory in SBIN_DIRS:
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def check_prerequisites(command: str) -> None:
    if os.geteuid() != 0:
        raise LabError("the lab creates network namespaces and must run as root (try: sudo lab/%s)"
                       % command)
    missing = ["%s (apt-get install %s)" % (cmd, pkg)
               for cmd, pkg in REQUIRED_COMMANDS.items() if find_command(cmd) is None]
    if missing:
        raise LabError("missing commands: " + ", ".join(missing))


def run(args: List[str], check: bool = True, timeout: float = 30, stdin: str = None) -> str:
    """Runs a command (argument list, never a shell string) and returns its stdout."""
    try:
        done = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise LabError("command not found: %s" % args[0])
    except subprocess.TimeoutExpired:
        raise LabError("timed out after %ss: %s" % (timeout, " ".join(args)))
    if check and done.returncode != 0:
        raise LabError("`%s` failed (exit %d): %s"
                       % (" ".join(args), done.returncode, (done.stderr or done.stdout).strip()))
    return done.stdout


def netns_list() -> List[str]:
    out = run(["ip", "netns", "list"])
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def link_exists(name: str, netns: Optional[str] = None) -> bool:
    args = ["ip"] + (["-n", netns] if netns else []) + ["link", "show", "dev", name]
    return subprocess.run(args, capture_output=True).returncode == 0


def ip_batch(commands: List[str], netns: Optional[str] = None) -> None:
    """Many `ip` commands in one process: fast enough for hundreds of routers."""
    if not commands:
        return
    args = ["ip"] + (["-n", netns] if netns else []) + ["-batch", "-"]
    run(args, stdin="\n".join(commands) + "\n", timeout=300)
