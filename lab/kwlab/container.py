"""keepalived in a container, for tests: a root filesystem of its own and a mount namespace of its own, inside a test
bed node's network namespace. As a container runtime runs it: the configuration, pid files, TMPDIR and log exist only
inside the container's root (the machine's /etc/keepalived is not its /etc/keepalived); the machine's programs and
libraries are bind-mounted read-only into it, so keepalived is the trusted one the agent knows.

    container = Container(node, root)         # root: an empty directory of the caller's
    container.start(config_text)              # keepalived runs chrooted in root, in node's network namespace
    container.path("/etc/keepalived/x.conf")  # the file as the machine sees it (root + path)
    container.stop()
"""
import os
import subprocess
import time
from pathlib import Path
from typing import Optional

from .system import LabError
from .testbed import Node, stop_process

CONFIG = "/etc/keepalived/kwt-container.conf"     # a name no other keepalived on the machine uses
PID_FILE = "/run/keepalived.pid"
VRRP_PID_FILE = "/run/vrrp.pid"
CHECKERS_PID_FILE = "/run/checkers.pid"
LOG = "/var/log/keepalived.log"
READ_ONLY = ("usr", "etc/alternatives")           # what the container borrows from the machine, read-only
LINKS = {"bin": "usr/bin", "sbin": "usr/sbin", "lib": "usr/lib", "lib64": "usr/lib64"}
SPECIAL = ("proc", "sys", "dev")                  # the kernel's views, as a runtime gives them
START_TIMEOUT_S = 10.0
POLL_S = 0.05


class Container(object):
    """keepalived in a root of its own (`root`), chrooted, in its own mount namespace, in `node`'s network namespace."""

    def __init__(self, node: Node, root: Path) -> None:
        self.node = node
        self.root = root
        self.proc = None  # type: Optional[subprocess.Popen]
        for directory in ("etc/keepalived", "run", "tmp", "var/log") + READ_ONLY + SPECIAL:
            (root / directory).mkdir(parents=True, exist_ok=True)
        os.chmod(str(root / "tmp"), 0o1777)
        for name, target in LINKS.items():
            if not (root / name).is_symlink():
                (root / name).symlink_to(target)

    def path(self, inside: str) -> Path:
        """Where a file of the container is, as the machine sees it."""
        return self.root / inside.lstrip("/")

    def start(self, text: Optional[str] = None) -> None:
        """Starts keepalived with `text` as the container's configuration and waits for its VRRP child."""
        if text is not None:
            self.path(CONFIG).write_text(text)
        packaged = Path("/etc/keepalived/keepalived.config-opts")    # keepalived 2.3 does not start without it
        if packaged.is_file() and not self.path(str(packaged)).exists():
            self.path(str(packaged)).write_bytes(packaged.read_bytes())
        for stale in (PID_FILE, VRRP_PID_FILE, CHECKERS_PID_FILE):
            if self.path(stale).exists():
                self.path(stale).unlink()
        mounts = " && ".join(["mount --bind -o ro /%s %s/%s" % (d, self.root, d) for d in READ_ONLY]
                             + ["mount --rbind /%s %s/%s" % (d, self.root, d) for d in SPECIAL])
        command = ("%s && exec chroot %s /usr/sbin/keepalived --dont-fork --log-console --log-detail -f %s -p %s -r %s "
                   "-c %s >>%s 2>&1" % (mounts, self.root, CONFIG, PID_FILE, VRRP_PID_FILE, CHECKERS_PID_FILE,
                                        self.path(LOG)))
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR": "/tmp"}
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.node.ns, "unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
             command], stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            vrrp = self.path(VRRP_PID_FILE)
            if vrrp.exists() and vrrp.read_text().strip():
                return
            if self.proc.poll() is not None:
                log = self.path(LOG)
                raise LabError("keepalived in the container in %s exited with %s: %s" % (
                    self.node.ns, self.proc.returncode, log.read_text()[-2000:] if log.exists() else "(no log)"))
            time.sleep(POLL_S)
        raise LabError("keepalived in the container in %s did not start" % self.node.ns)

    def main_pid(self) -> int:
        """keepalived's pid (the shell exec'd chroot, which exec'd keepalived: the same process)."""
        return self.proc.pid if self.proc else 0

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), then whatever is left is killed; the container's mounts go with its namespace."""
        stop_process(self.proc)
        self.proc = None
