"""A node whose PID 1 is systemd: a throwaway overlay of a release's systemd root (lab/roots build --systemd RELEASE)
booted in PID, mount, UTS, network and cgroup namespaces of its own, so that keepalived runs as keepalived.service
and the agent meets systemctl and the journal as on a real host (test_live_systemd.py).

systemd runs in container mode (`container=` in its environment): it mounts nothing the node has not, and runs no
udev, no getty on a console. The machine itself need not run systemd; what systemd needs of it is a cgroup2
hierarchy: the node's cgroup is a directory of its own in the machine's cgroup2 (a hybrid machine's
/sys/fs/cgroup/unified, or /sys/fs/cgroup itself), the node enters it before unsharing its cgroup namespace, and
mounts cgroup2 at its /sys/fs/cgroup, where systemd sees only its own subtree (the unified hierarchy). The node's
/sys is read-only, as systemd expects in a container; its /dev a minimal tmpfs (null, zero, full, random, urandom,
tty, its own pts and shm); /run and /tmp tmpfs. Its writes go to the overlay's upper layer in the node's directory,
never to the cached root.

close() kills the node's PID 1 (every process of its PID namespace goes with it, its mounts with its mount
namespace), removes its cgroup directories, then its directory.
"""
import atexit
import os
import signal
import shutil
import subprocess
import time
from pathlib import Path
from typing import List, Optional

from . import roots
from .system import LabError, find_command

VARIANT = "systemd"
DEFAULT_RELEASE = "bookworm"                # systemd 252 (trixie's root gives 257)
CGROUP_NAME_PREFIX = "kw-systemd-node-"
BOOT_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 10.0
COMMAND_TIMEOUT_S = 60.0
PATH = "/usr/sbin:/usr/bin:/sbin:/bin"

# Run by `unshare --pid --fork --mount --uts --net --cgroup` in the node's cgroup: the node's mounts, then systemd.
BOOT_SCRIPT = r"""set -e
root=$1 dir=$2 name=$3
m=$dir/merged
mkdir -p "$dir/upper" "$dir/work" "$m"
mount -t overlay kw-systemd-node -o "lowerdir=$root,upperdir=$dir/upper,workdir=$dir/work" "$m"
mount -t proc proc "$m/proc"
mount -t sysfs -o ro sysfs "$m/sys"
mount -t cgroup2 cgroup2 "$m/sys/fs/cgroup"
mount -t tmpfs -o mode=755 dev "$m/dev"
for d in null zero full random urandom tty; do
  touch "$m/dev/$d"
  mount --bind "/dev/$d" "$m/dev/$d"
done
mkdir -p "$m/dev/pts" "$m/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$m/dev/pts"
ln -s pts/ptmx "$m/dev/ptmx"
mount -t tmpfs -o mode=1777 shm "$m/dev/shm"
mount -t tmpfs -o mode=755 run "$m/run"
mount -t tmpfs -o mode=1777 tmp "$m/tmp"
echo "$name" > "$m/etc/hostname"
hostname "$name"
cd "$m"
pivot_root . .
umount -l .
exec /usr/bin/env -i container=kw-lab PATH=/usr/sbin:/usr/bin:/sbin:/bin /lib/systemd/systemd
"""


def cgroup2_mount() -> Optional[str]:
    """Where the machine's cgroup2 hierarchy is mounted (/sys/fs/cgroup or a hybrid's /sys/fs/cgroup/unified), or
    None."""
    found = []
    with open("/proc/self/mounts") as mounts:
        for line in mounts:
            fields = line.split()
            if len(fields) > 2 and fields[2] == "cgroup2":
                found.append(fields[1])
    for preferred in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
        if preferred in found:
            return preferred
    return found[0] if found else None


def unavailable() -> Optional[str]:
    """Why a systemd node cannot run here (not root, a command missing, no cgroup2), or None. (Building its root needs
    debootstrap too: roots.build says so.)"""
    if os.geteuid() != 0:
        return "a systemd node needs root (namespaces, mounts, cgroups)"
    for command, package in (("unshare", "util-linux"), ("nsenter", "util-linux")):
        if find_command(command) is None:
            return "%s not found (apt-get install %s)" % (command, package)
    if cgroup2_mount() is None:
        return "no cgroup2 hierarchy is mounted on this machine: systemd in a node needs one"
    return None


class SystemdNode(object):
    """One node: booted by boot(), commands run in all its namespaces by run(), removed by close()."""

    def __init__(self, name: str, directory: Path, release: str = DEFAULT_RELEASE) -> None:
        self.name = name
        self.directory = Path(directory)
        self.release = release
        self.proc = None  # type: Optional[subprocess.Popen]
        self.pid = None  # type: Optional[int]
        self.cgroup = None  # type: Optional[Path]

    @staticmethod
    def build_root(release: str = DEFAULT_RELEASE, log=print) -> Path:
        """The release's systemd root, built first when it is not cached (lab/roots build --systemd RELEASE)."""
        roots.build(release, log=log, variant=VARIANT)
        return roots.root_path(release, VARIANT)

    def boot(self, timeout: float = BOOT_TIMEOUT_S) -> str:
        """Starts the node and waits until systemd has booted it; returns systemd's verdict (running or degraded).
        LabError, with what systemd and the boot said, when it does not boot."""
        why = unavailable()
        if why:
            raise LabError(why)
        if roots.stamp(self.release, VARIANT) is None:
            raise LabError("no %s root: run lab/roots build --systemd %s" % (roots.root_name(self.release, VARIANT),
                                                                          self.release))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.cgroup = Path(cgroup2_mount()) / ("%s%s-%d" % (CGROUP_NAME_PREFIX, self.name, os.getpid()))
        self.cgroup.mkdir()
        atexit.register(self.close)             # a test run that ends early leaves no node behind
        console = open(str(self.directory / "console.log"), "wb")
        try:
            self.proc = subprocess.Popen(
                ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(self.cgroup),
                 "unshare", "--pid", "--fork", "--mount", "--uts", "--net", "--cgroup", "--propagation", "private",
                 "bash", "-c", BOOT_SCRIPT, "kw-systemd-node", str(roots.root_path(self.release, VARIANT)),
                 str(self.directory), self.name],
                stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            console.close()
        deadline = time.monotonic() + timeout
        while self.pid is None:
            self.pid = self._init_pid()
            if self.pid is None:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise LabError("the node did not start systemd: %s" % self.console())
                time.sleep(0.1)
        state = ""
        while time.monotonic() < deadline:
            done = self.run(["systemctl", "is-system-running"], check=False, timeout=10)
            state = done.stdout.strip()
            if state in ("running", "degraded"):
                return state
            if self.proc.poll() is not None:
                break
            time.sleep(0.3)
        raise LabError("systemd did not boot the node within %.0f s (state %r): %s"
                       % (timeout, state, self.console()))

    def _init_pid(self) -> Optional[int]:
        """The node's PID 1 (as the machine numbers it) once it is systemd: unshare's only child."""
        try:
            children = Path("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)).read_text().split()
            if children and Path("/proc/%s/comm" % children[0]).read_text().strip() == "systemd":
                return int(children[0])
        except (OSError, ValueError):
            pass
        return None

    def console(self) -> str:
        try:
            return (self.directory / "console.log").read_text(errors="replace")[-3000:] or "(no output)"
        except OSError:
            return "(no console log)"

    def enter(self) -> List[str]:
        """The command prefix that runs a program in every namespace of the node, as root of the node."""
        if self.pid is None:
            raise LabError("the node %s is not booted" % self.name)
        return ["nsenter", "--target", str(self.pid), "--all", "--", "/usr/bin/env", "-i", "PATH=" + PATH,
                "LANG=C.UTF-8"]

    def run(self, argv: List[str], check: bool = True, timeout: float = COMMAND_TIMEOUT_S,
            stdin: Optional[str] = None) -> subprocess.CompletedProcess:
        done = subprocess.run(self.enter() + argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=timeout)
        if check and done.returncode != 0:
            raise LabError("`%s` on %s failed (exit %d): %s" % (" ".join(argv), self.name, done.returncode,
                                                              (done.stderr or done.stdout).strip()))
        return done

    def write(self, path: str, text: str, mode: str = "0644") -> None:
        """A file of the node's (its view: the overlay's upper layer), root's, written through the node's own tools."""
        self.run(["sh", "-c", 'mkdir -p "$(dirname "$0")" && cat > "$0" && chmod "$1" "$0"', path, mode], stdin=text)

    def read(self, path: str) -> str:
        return self.run(["cat", "--", path]).stdout

    def unit(self, unit: str, *properties: str) -> dict:
        """systemctl show's properties of a unit, by name."""
        out = self.run(["systemctl", "show", "--property=" + ",".join(properties), "--", unit]).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def scope(self, argv: List[str]) -> List[str]:
        """A command line that runs argv in the node in a transient scope unit of its own (systemd-run --scope), as a
        login session's program would run: in the node's cgroup tree, with its standard streams the caller's."""
        return self.enter() + ["systemd-run", "--scope", "--quiet", "--"] + argv

    def close(self) -> None:
        if self.proc is not None:
            if self.pid is not None:
                try:
                    os.kill(self.pid, signal.SIGKILL)      # PID 1 of the namespace: every process of it goes
                except ProcessLookupError:
                    pass
            else:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT_S)
            self.proc = None
            self.pid = None
        if self.cgroup is not None:
            self._remove_cgroup(self.cgroup)
            self.cgroup = None
        shutil.rmtree(str(self.directory), ignore_errors=True)

    @staticmethod
    def _remove_cgroup(top: Path) -> None:
        """The node's cgroups, deepest first, once their processes are gone (a dying process leaves its cgroup a
        moment later)."""
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while top.exists():
            for dirpath, dirnames, _ in os.walk(str(top), topdown=False):
                for dirname in dirnames:
                    try:
                        os.rmdir(os.path.join(dirpath, dirname))
                    except OSError:
                        pass
            try:
                os.rmdir(str(top))
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise LabError("cannot remove the node's cgroup %s: processes remain in it" % top)
                time.sleep(0.1)
