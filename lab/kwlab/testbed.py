"""Test beds: small keepalived labs of their own for tests, apart from the project lab and from each other.

A test bed is one or two network namespaces <prefix><n>, each n the lowest free one: `ip netns add` fails when the
name exists, so two test runs never share, or delete, each other's namespace. A veth pair made inside them joins
them, and no link ever appears in the root namespace: one node gets both ends (eth0 and eth1), two nodes an eth0
each, facing each other. Node i (from 0) has <network>.<i+1>/24 on eth0, %N in the network being the first
namespace's number. keepalived runs in each node as a child of the caller (--dont-fork), with its pid files, TMPDIR
and log in the node's directory, so it shares nothing with any other keepalived on the machine.

Names starting with kw- belong to the project lab (topology.py) and are refused. A test bed removes what it made on
close(), at exit and on SIGTERM. Python tests import this module; Java tests run it as lab/testbed (serve()).
"""
import atexit
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .system import REQUIRED_COMMANDS, LabError, find_command, netns_list, run
from .topology import PREFIX as PROJECT_LAB_PREFIX

COMMANDS = ("keepalived", "ip")     # what a test bed runs; their Debian packages are in REQUIRED_COMMANDS
PREFIX_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
MAX_NUMBER = 250                    # n of <prefix><n>, also the third byte of a network such as 10.98.%N
PREFIX_LEN = 24
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
DUMP_TIMEOUT_S = 5.0
# keepalived before 2.2 (bullseye's 2.1.5) writes its dumps to /tmp whatever its TMPDIR says.
DUMPS_IN_TMPDIR_SINCE = (2, 2)
_VERSION = []       # the keepalived's (major, minor), looked up once
POLL_S = 0.05
HOLD_POLL_S = 0.2                   # how soon serve() reaps a keepalived that ended


def is_root() -> bool:
    return os.geteuid() == 0


def missing_commands() -> List[Tuple[str, str]]:
    """The commands a test bed runs that are not installed here, each with the Debian package that brings it."""
    return [(command, REQUIRED_COMMANDS[command]) for command in COMMANDS if find_command(command) is None]


def check_prerequisites() -> None:
    if not is_root():
        raise LabError("a test bed creates network namespaces and must run as root")
    missing = missing_commands()
    if missing:
        raise LabError("missing commands: " + ", ".join("%s (apt-get install %s)" % m for m in missing))


def check_prefix(prefix: str) -> None:
    if prefix.startswith(PROJECT_LAB_PREFIX):
        raise LabError("the prefix %r is the project lab's (%s*); a test bed needs a name of its own"
                       % (prefix, PROJECT_LAB_PREFIX))
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise LabError("a test bed's prefix is 1 to 32 letters, digits, '_', '.' or '-': %r" % prefix)


def claim_netns(prefix: str, first: int = 1) -> str:
    """Creates and returns the lowest free <prefix><n> (n >= first)."""
    check_prefix(prefix)
    error = ""
    for n in range(first, MAX_NUMBER + 1):
        name = "%s%d" % (prefix, n)
        done = subprocess.run(["ip", "netns", "add", name], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              universal_newlines=True)
        if done.returncode == 0:
            return name
        error = done.stderr.strip()
    raise LabError("no free network namespace %s<n> for n up to %d (last: %s)" % (prefix, MAX_NUMBER, error))


def number_of(netns: str, prefix: str) -> int:
    return int(netns[len(prefix):])


def delete_netns(netns: str) -> None:
    """Kills whatever still runs in the namespace (a test's helpers too), then removes it."""
    if netns not in netns_list():
        return
    pids = subprocess.run(["ip", "netns", "pids", netns], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          universal_newlines=True).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (OSError, ValueError):
            pass
    subprocess.run(["ip", "netns", "del", netns], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def exit_on_signals() -> None:
    """SIGTERM and SIGHUP (a timeout, a closed terminal) exit through atexit and finally: the test bed goes too."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _exit_on_signal)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def keepalived_version() -> Tuple[int, int]:
    if not _VERSION:
        out = subprocess.run(["keepalived", "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, timeout=30).stdout
        found = re.search(r"Keepalived v(\d+)\.(\d+)", out)
        _VERSION.append((int(found.group(1)), int(found.group(2))) if found else DUMPS_IN_TMPDIR_SINCE)
    return _VERSION[0]


def dump_dir(tmpdir: Path) -> Path:
    """Where this machine's keepalived started with TMPDIR=tmpdir writes its dumps."""
    return tmpdir if keepalived_version() >= DUMPS_IN_TMPDIR_SINCE else Path("/tmp")


def stop_process(proc: Optional[subprocess.Popen], sig: int = signal.SIGTERM) -> None:
    """Sends a keepalived started here `sig` and waits for it; what is left after STOP_TIMEOUT_S is killed with its
    whole process group."""
    if proc is None or proc.poll() is not None or proc.pid <= 1:
        return
    try:
        os.kill(proc.pid, sig)
        proc.wait(STOP_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()


class Node(object):
    """One namespace of a test bed and the keepalived in it."""

    def __init__(self, ns: str, number: int, address: str, directory: Path) -> None:
        self.ns = ns
        self.number = number
        self.address = address
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tmpdir = self.dir / "tmp"
        self.tmpdir.mkdir(exist_ok=True)
        self.conf = self.dir / "keepalived.conf"
        self.pid_file = self.dir / "keepalived.pid"
        self.vrrp_pid_file = self.dir / "vrrp.pid"
        self.checkers_pid_file = self.dir / "checkers.pid"
        self.log = self.dir / "keepalived.log"
        self.proc = None  # type: Optional[subprocess.Popen]

    def start(self, text: Optional[str] = None, keepalived: str = "keepalived") -> None:
        """Starts keepalived with `text` as its configuration (default: the one it had) and waits for its VRRP child.
        `keepalived`: another build to run (a path), e.g. lab/keepalived-nojson's."""
        if text is not None:
            self.conf.write_text(text)
        for stale in (self.pid_file, self.vrrp_pid_file, self.checkers_pid_file):
            if stale.exists():
                stale.unlink()      # left by a SIGKILL: it would name a pid that is gone
        log = self.log.open("ab")
        env = dict(os.environ, TMPDIR=str(self.tmpdir))
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, keepalived, "--dont-fork", "--log-console", "--log-detail",
             "-f", str(self.conf), "-p", str(self.pid_file), "-r", str(self.vrrp_pid_file),
             "-c", str(self.checkers_pid_file)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.vrrp_pid_file.exists() and self.vrrp_pid_file.read_text().strip():
                return
            if self.proc.poll() is not None:
                raise LabError("keepalived in %s exited with %s: %s" % (
                    self.ns, self.proc.returncode, self.log.read_text()[-2000:]))
            time.sleep(POLL_S)
        raise LabError("keepalived in %s did not start" % self.ns)

    def main_pid(self) -> int:
        return self.proc.pid if self.proc else 0

    def vrrp_pid(self) -> int:
        return int(self.vrrp_pid_file.read_text().strip())

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def reap(self) -> None:
        """Collects keepalived's exit status if it ended, so that it does not stay a zombie."""
        if self.proc is not None:
            self.proc.poll()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """The lab's `stop` fault with SIGTERM: a clean shutdown, keepalived drops its VIPs."""
        stop_process(self.proc, sig)
        self.proc = None

    def kill_all(self) -> None:
        """The lab's `crash` fault: SIGKILL main and VRRP child at once, so the VIP stays behind (orphan)."""
        pids = [self.main_pid()]
        try:
            pids.append(self.vrrp_pid())
        except (OSError, ValueError):
            pass
        pids = [pid for pid in pids if pid > 1]     # never kill(0) or kill(-1): our group, or everyone
        # Freeze both first: killing the main first would send the child its parent-death SIGTERM,
        # and it could remove the VIPs before its own SIGKILL lands.
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        if self.proc is not None:
            self.proc.wait()
        self.proc = None

    def addresses(self) -> List[str]:
        out = run(["ip", "-n", self.ns, "-o", "-4", "addr", "show", "dev", "eth0"])
        return [line.split()[3].split("/")[0] for line in out.splitlines()]

    def dump_state(self) -> Dict[str, int]:
        """Instance states straight from keepalived's own JSON dump (independent of the agent)."""
        signum = int(run(["keepalived", "--signum=JSON"]).strip())
        target = dump_dir(self.tmpdir) / "keepalived.json"
        if target.exists():
            target.unlink()
        os.kill(self.main_pid(), signum)
        deadline = time.monotonic() + DUMP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                data = json.loads(target.read_text())
                return {e["data"]["iname"]: e["data"]["state"] for e in data}
            except (OSError, ValueError):
                time.sleep(POLL_S / 2)
        raise LabError("no JSON dump from %s" % self.ns)

    def describe(self) -> Dict[str, Any]:
        """What lab/testbed prints of the node."""
        return {"netns": self.ns, "number": self.number, "address": self.address, "dir": str(self.dir),
                "config": str(self.conf), "log": str(self.log), "pid": self.main_pid(),
                "vrrp_pid": self.vrrp_pid() if self.vrrp_pid_file.exists() else 0}


class Testbed(object):
    """`nodes` (1 or 2) namespaces <prefix><n> joined by veth, a Node each; keepalived is started per node.

    root: where the nodes' files go, each in root/<namespace> (with flat, a single node's in root itself); by
    default a new temporary directory, removed on close (a given one is the caller's and stays).
    """

    def __init__(self, prefix: str, nodes: int = 1, network: str = "10.99.%N", root: Optional[Path] = None,
                 flat: bool = False) -> None:
        if nodes not in (1, 2) or (flat and nodes != 1):
            raise LabError("a test bed has 1 or 2 nodes (flat: 1)")
        check_prefix(prefix)
        self.prefix = prefix
        self.own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix=prefix + "lab-")) if root is None else root
        self.names = []  # type: List[str]
        self.nodes = []  # type: List[Node]
        atexit.register(self.close)
        exit_on_signals()
        try:
            for _ in range(nodes):
                self.names.append(claim_netns(prefix))
            self._build(network, flat)
        except BaseException:
            self.close()
            raise

    def _build(self, network: str, flat: bool) -> None:
        first = self.names[0]
        for ns in self.names:
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        if len(self.names) == 1:
            run(["ip", "-n", first, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1"])
        else:
            run(["ip", "-n", first, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0",
                 "netns", self.names[1]])
        subnet = network.replace("%N", str(number_of(first, self.prefix)))
        for i, ns in enumerate(self.names):
            address = "%s.%d" % (subnet, i + 1)
            run(["ip", "-n", ns, "addr", "add", "%s/%d" % (address, PREFIX_LEN), "dev", "eth0"])
            for dev in ("eth0", "eth1") if len(self.names) == 1 else ("eth0",):
                run(["ip", "-n", ns, "link", "set", dev, "up"])
            directory = self.root if flat else self.root / ns
            self.nodes.append(Node(ns, number_of(ns, self.prefix), address, directory))

    def close(self) -> None:
        """Stops every keepalived, removes the namespaces (and whatever still runs in them) and an own root."""
        for node in self.nodes:
            try:
                node.stop()
            except Exception:
                pass
        for ns in self.names:
            try:
                delete_netns(ns)
            except Exception:
                pass
        self.names = []
        self.nodes = []
        if self.own_root:
            shutil.rmtree(str(self.root), ignore_errors=True)


class NeutronBed(object):
    """`count` routers shaped like Neutron L3 HA on one network node, for the agent's benchmarks: per router a
    namespace <prefix><n> with ha-0 and qr-0 (a veth pair made inside it), keepalived -P -f
    <root>/ha_confs/<uuid>/keepalived.conf with <uuid>.pid.keepalived / .pid.keepalived-vrrp, advert_int
    `advert_int`, a 169.254 HA VIP and an excluded VIP. With shared_tmpdir all daemons share one TMPDIR, as real
    Neutron (which sets none) does. Started `batch` at a time with a pause between, so hundreds can start."""

    def __init__(self, prefix: str, count: int, shared_tmpdir: bool, advert_int: int = 2, batch: int = 20) -> None:
        check_prefix(prefix)
        self.prefix = prefix
        self.root = Path(tempfile.mkdtemp(prefix=prefix + "neutron-"))
        self.ha_confs = self.root / "ha_confs"
        self.ha_confs.mkdir()
        self.shared = self.root / "tmp"
        self.shared.mkdir()
        self.procs = []  # type: List[subprocess.Popen]
        self.namespaces = []  # type: List[str]
        atexit.register(self.close)
        exit_on_signals()
        try:
            for i in range(count):
                ns = claim_netns(prefix)
                self.namespaces.append(ns)
                self._router(i, ns, shared_tmpdir, advert_int)
                if (i + 1) % batch == 0:
                    time.sleep(0.2)     # let the machine breathe while hundreds of processes start
        except BaseException:
            self.close()
            raise

    def _router(self, i: int, ns: str, shared_tmpdir: bool, advert_int: int) -> None:
        router = str(uuid.uuid5(uuid.NAMESPACE_DNS, "kwt-agent-router-%d" % i))
        run(["ip", "-n", ns, "link", "add", "ha-0", "type", "veth", "peer", "name", "qr-0"])
        for dev in ("lo", "ha-0", "qr-0"):
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        run(["ip", "-n", ns, "addr", "add", "169.254.192.1/18", "dev", "ha-0"])
        directory = self.ha_confs / router
        (directory / "tmp").mkdir(parents=True)
        conf = directory / "keepalived.conf"
        conf.write_text(
            "global_defs {\n    notification_email_from neutron@openstack.local\n    router_id neutron\n}\n"
            "vrrp_instance VR_1 {\n    state BACKUP\n    interface ha-0\n    virtual_router_id 1\n"
            "    priority 50\n    garp_master_delay 60\n    nopreempt\n    advert_int %d\n"
            "    track_interface {\n        ha-0\n    }\n"
            "    virtual_ipaddress {\n        169.254.0.1/24 dev ha-0\n    }\n"
            "    virtual_ipaddress_excluded {\n        10.%d.%d.1/24 dev qr-0\n    }\n}\n"
            % (advert_int, 100 + i // 250, i % 250))
        env = dict(os.environ, TMPDIR=str(self.shared if shared_tmpdir else directory / "tmp"))
        self.procs.append(subprocess.Popen(
            ["ip", "netns", "exec", ns, "keepalived", "-P", "--dont-fork", "-f", str(conf),
             "-p", str(self.ha_confs / (router + ".pid.keepalived")),
             "-r", str(self.ha_confs / (router + ".pid.keepalived-vrrp"))],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
            start_new_session=True))

    def close(self) -> None:
        """Stops every keepalived, removes the namespaces and the files."""
        for proc in self.procs:
            if proc.poll() is None and proc.pid > 1:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs = []
        for ns in self.namespaces:
            delete_netns(ns)
        self.namespaces = []
        shutil.rmtree(str(self.root), ignore_errors=True)


def vrrp_config(router_id: str, priority: int, state: str = "BACKUP", vrid: int = 51,
                vips: Optional[List[str]] = None, extra_instance: str = "", extra_global: str = "",
                before_instance: str = "") -> str:
    """A small keepalived.conf with one instance VI_1 on eth0 (advert_int 1)."""
    vips = vips or ["10.99.0.100/24"]
    return ("global_defs {\n  router_id %s\n%s}\n%s"
            "vrrp_instance VI_1 {\n  state %s\n  interface eth0\n  virtual_router_id %d\n  priority %d\n"
            "  advert_int 1\n  authentication {\n    auth_type PASS\n    auth_pass kwtsecret\n  }\n"
            "  virtual_ipaddress {\n%s  }\n%s}\n") % (
        router_id, extra_global, before_instance, state, vrid, priority,
        "".join("    %s\n" % v for v in vips), extra_instance)


def serve(prefix: str, directory: Path, config: Path, nodes: int, network: str) -> int:
    """lab/testbed: builds a test bed in `directory`, starts keepalived in every node with the configuration
    template `config` (%N becomes the node's namespace number), prints one JSON line that describes the nodes, and
    holds the test bed until its standard input closes (or SIGTERM, SIGHUP, SIGINT); then removes it. So the test
    bed lives exactly as long as the process a Java test started, even when that test's JVM is killed."""
    check_prerequisites()
    template = config.read_text()
    directory.mkdir(parents=True, exist_ok=True)
    bed = Testbed(prefix, nodes=nodes, network=network, root=directory, flat=nodes == 1)
    try:
        for node in bed.nodes:
            node.start(template.replace("%N", str(node.number)))
        print(json.dumps({"nodes": [node.describe() for node in bed.nodes]}), flush=True)
        _hold_until_stdin_closes(bed)
    finally:
        bed.close()
    return 0


def _hold_until_stdin_closes(bed: Testbed) -> None:
    stdin = sys.stdin.fileno()
    while True:
        ready, _, _ = select.select([stdin], [], [], HOLD_POLL_S)
        if ready and not os.read(stdin, 4096):
            return
        for node in bed.nodes:
            node.reap()
