"""Test support: the agent module, fixtures, an agent subprocess, and a tiny real-keepalived lab.

The lab builds network namespaces named kwt-agent-<n> joined by veth pairs (never dummy links),
runs keepalived in them with private pid files and TMPDIR, and always cleans up. It needs root.
Nothing here is named kw-*: that prefix belongs to the project's lab.
"""

import atexit
import importlib
import importlib.util
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
MODULE_ROOT = HERE.parent.parent.parent
AGENT_SOURCES = MODULE_ROOT / "src/main/python"        # the package keepwatch_agent and assemble_agent.py
AGENT_FILE = MODULE_ROOT / "target/generated-resources/agent/org/keepwatch/agent/keepwatch_agent.py"   # as the build
# Which agent in-process tests get from agent_module(): the one file (the default) or its modules. Agent processes
# always run the one file, as nodes do.
AGENT_UNDER_TEST_ENV = "KEEPWATCH_AGENT_UNDER_TEST"
UNDER_TEST_MODULES = "modules"
FIXTURES = HERE / "fixtures"
NETNS_PREFIX = "kwt-agent-"
DEFAULT_TIMEOUT_S = 15.0
PIPE_SAFE_BYTES = 16 * 1024
KEEPALIVED_START_TIMEOUT_S = 10.0

_AGENT_MODULE = None


def assembler() -> Any:
    """assemble_agent.py, the build's assembler of the agent's one file (a script beside the package, not a module)."""
    spec = importlib.util.spec_from_file_location("assemble_agent", str(AGENT_SOURCES / "assemble_agent.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assembled_agent() -> Path:
    """The agent's one file, assembled from the modules now, as the build does (the same bytes, written only when
    they changed), so that the tests never run a file older than the sources."""
    tool = assembler()
    tool.write_if_changed(AGENT_FILE, tool.assemble())
    return AGENT_FILE


AGENT_PATH = assembled_agent()


class AgentModules(types.ModuleType):
    """The agent's modules seen as one namespace, as the one file is: a name is looked up in every module, and a
    name set here is set in every module that holds it, as assigning it in the one file changes it for all its code
    (tests replace random_token or atomic_write so)."""

    def __init__(self, modules: List[types.ModuleType]) -> None:
        types.ModuleType.__init__(self, "keepwatch_agent")
        self.__dict__["_modules"] = modules

    def __getattr__(self, name: str) -> Any:
        for module in self.__dict__["_modules"]:
            if name in module.__dict__:
                return module.__dict__[name]
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        holders = [m for m in self.__dict__["_modules"] if name in m.__dict__]
        for module in holders:
            setattr(module, name, value)
        if not holders:
            self.__dict__[name] = value


def agent_modules() -> AgentModules:
    """The package keepwatch_agent, imported module by module, as one namespace."""
    if str(AGENT_SOURCES) not in sys.path:
        sys.path.insert(0, str(AGENT_SOURCES))
    modules = [importlib.import_module("keepwatch_agent." + name) for name in assembler().ordered_modules()]
    view = AgentModules(modules)
    # The agent starts itself again (keepalived -t as root) from its __file__: from the modules that is the one file
    sys.modules[view.agent_command.__module__].__file__ = str(AGENT_PATH)
    return view


def agent_module() -> Any:
    """The agent as in-process tests use it: its one file imported as a module (it is a resource, not a package), or
    with KEEPWATCH_AGENT_UNDER_TEST=modules its modules (AgentModules)."""
    global _AGENT_MODULE
    if _AGENT_MODULE is None:
        if os.environ.get(AGENT_UNDER_TEST_ENV) == UNDER_TEST_MODULES:
            module = agent_modules()
        else:
            spec = importlib.util.spec_from_file_location("keepwatch_agent", str(AGENT_PATH))
            module = importlib.util.module_from_spec(spec)
            sys.modules["keepwatch_agent"] = module
            spec.loader.exec_module(module)
        module.LOG.set_level("warning")     # in-process tests: keep the test output readable
        _AGENT_MODULE = module
    return _AGENT_MODULE


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


def is_root() -> bool:
    return os.geteuid() == 0


def have_keepalived() -> bool:
    return shutil.which("keepalived") is not None or Path("/usr/sbin/keepalived").exists()


def lab_available() -> bool:
    return is_root() and have_keepalived() and shutil.which("ip") is not None


LAB_COMMANDS = (("keepalived", "keepalived"), ("ip", "iproute2"))   # command, the Debian package with it


def require_lab() -> None:
    """Fails, naming the package, when root lacks a command the namespace tests run (skipped unless root)."""
    for command, package in LAB_COMMANDS:
        if shutil.which(command) is None and not Path("/usr/sbin", command).exists():
            raise AssertionError("this test needs `%s`, which is not installed here: apt-get install %s"
                                 % (command, package))


class AgentProcess(object):
    """The agent as the client runs it: a subprocess speaking JSON lines on stdin/stdout."""

    def __init__(self, *args: str, env: Optional[Dict[str, str]] = None, command: Optional[List[str]] = None,
                 cwd: Optional[str] = None) -> None:
        """command: how the agent is started (default python3 AGENT serve, by hand); args follow it."""
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        self.proc = subprocess.Popen((command or [sys.executable, str(AGENT_PATH), "serve"]) + list(args),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=full_env, cwd=cwd)
        self.buffer = b""
        self.events = []  # type: List[Dict[str, Any]]
        self.responses = {}  # type: Dict[Any, Dict[str, Any]]
        self.all_responses = []  # type: List[Dict[str, Any]]
        self.next_id = 1
        self.stderr_chunks = []  # type: List[bytes]
        self.writers = []  # type: List[threading.Thread]

    def send_raw(self, data: bytes) -> None:
        """Writes to the agent's stdin; big payloads from a thread, so that reading its answers
        meanwhile keeps both pipes moving (otherwise both sides block on full pipes)."""
        while any(w.is_alive() for w in self.writers):
            self._read_some(0.05)           # earlier big writes first, reading answers meanwhile
        if len(data) <= PIPE_SAFE_BYTES:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            return

        def write() -> None:
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
        writer = threading.Thread(target=write)
        writer.daemon = True
        writer.start()
        self.writers.append(writer)

    def send(self, op: str, args: Optional[Dict[str, Any]] = None, req_id: Any = None) -> Any:
        if req_id is None:
            req_id = self.next_id
            self.next_id += 1
        message = {"id": req_id, "op": op}
        if args is not None:
            message["args"] = args
        self.send_raw(json.dumps(message).encode() + b"\n")
        return req_id

    def _read_some(self, timeout: float) -> bool:
        fds = [self.proc.stdout, self.proc.stderr]
        ready, _, _ = select.select(fds, [], [], timeout)
        got = False
        for f in ready:
            chunk = os.read(f.fileno(), 1 << 20)
            if f is self.proc.stderr:
                if chunk:
                    self.stderr_chunks.append(chunk)
                continue
            if not chunk:
                return False
            got = True
            self.buffer += chunk
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                message = json.loads(line.decode())
                if "event" in message:
                    self.events.append(message)
                else:
                    self.responses[message.get("id")] = message
                    self.all_responses.append(message)
        return got or bool(ready)

    def response(self, req_id: Any, timeout: float = DEFAULT_TIMEOUT_S) -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        while req_id not in self.responses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no response to %r within %.1f s; stderr: %s" % (req_id, timeout, self.stderr()))
            if not self._read_some(remaining) and self.proc.poll() is not None:
                raise AssertionError("agent exited (%s) before answering %r; stderr: %s"
                                     % (self.proc.returncode, req_id, self.stderr()))
        return self.responses.pop(req_id)

    def call(self, op: str, args: Optional[Dict[str, Any]] = None, timeout: float = DEFAULT_TIMEOUT_S) -> Dict[str, Any]:
        return self.response(self.send(op, args), timeout)

    def mark(self) -> int:
        """A position in the event list: wait_event(..., since=mark) ignores what came before."""
        self._read_some(0)
        return len(self.events)

    def wait_event(self, predicate: Any, timeout: float = DEFAULT_TIMEOUT_S, since: int = 0) -> Dict[str, Any]:
        """The first event since `since` (already received or arriving) for which predicate holds."""
        deadline = time.monotonic() + timeout
        seen = since
        while True:
            while seen < len(self.events):
                event = self.events[seen]
                seen += 1
                if predicate(event):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no matching event within %.1f s; got %s" % (
                    timeout, [e.get("event") + ":" + str(e.get("action") or e.get("state") or e.get("step"))
                              for e in self.events][-40:]))
            self._read_some(min(remaining, 0.5))

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read_some(max(0.0, deadline - time.monotonic()))

    def stderr(self) -> str:
        return b"".join(self.stderr_chunks).decode(errors="replace")[-4000:]

    def close(self, timeout: float = DEFAULT_TIMEOUT_S) -> int:
        for writer in self.writers:
            writer.join(timeout)
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            try:
                rest = f.read()
                if f is self.proc.stderr and rest:
                    self.stderr_chunks.append(rest)
                f.close()
            except (OSError, ValueError):
                pass
        return code


def run(argv: List[str], check: bool = True, timeout: float = DEFAULT_TIMEOUT_S) -> subprocess.CompletedProcess:
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=timeout, check=check)


def existing_netns() -> List[str]:
    out = run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def claim_netns(first: int = 1) -> str:
    """Creates and returns the lowest free kwt-agent-<n> (n >= first). `ip netns add` fails when the
    name exists, so two test runs on one machine never share (or delete) each other's namespace."""
    n = first
    while True:
        name = "%s%d" % (NETNS_PREFIX, n)
        if run(["ip", "netns", "add", name], check=False).returncode == 0:
            return name
        n += 1


class Node(object):
    def __init__(self, lab: "KeepalivedLab", ns: str, address: str) -> None:
        self.lab = lab
        self.ns = ns
        self.address = address
        self.dir = lab.root / ns
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tmpdir = self.dir / "tmp"
        self.tmpdir.mkdir(exist_ok=True)
        self.conf = self.dir / "keepalived.conf"
        self.pid_file = self.dir / "keepalived.pid"
        self.vrrp_pid_file = self.dir / "vrrp.pid"
        self.checkers_pid_file = self.dir / "checkers.pid"
        self.log = self.dir / "keepalived.log"
        self.proc = None  # type: Optional[subprocess.Popen]

    def start(self, text: Optional[str] = None) -> None:
        if text is not None:
            self.conf.write_text(text)
        for stale in (self.pid_file, self.vrrp_pid_file, self.checkers_pid_file):
            if stale.exists():
                stale.unlink()      # left by a SIGKILL: it would name a pid that is gone
        log = self.log.open("ab")
        env = dict(os.environ, TMPDIR=str(self.tmpdir))
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "keepalived", "--dont-fork", "--log-console", "--log-detail",
             "-f", str(self.conf), "-p", str(self.pid_file), "-r", str(self.vrrp_pid_file),
             "-c", str(self.checkers_pid_file)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        log.close()
        deadline = time.monotonic() + KEEPALIVED_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.vrrp_pid_file.exists() and self.vrrp_pid_file.read_text().strip():
                return
            if self.proc.poll() is not None:
                raise AssertionError("keepalived in %s exited with %s: %s" % (
                    self.ns, self.proc.returncode, self.log.read_text()[-2000:]))
            time.sleep(0.05)
        raise AssertionError("keepalived in %s did not start" % self.ns)

    def main_pid(self) -> int:
        return self.proc.pid if self.proc else 0

    def vrrp_pid(self) -> int:
        return int(self.vrrp_pid_file.read_text().strip())

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None and self.proc.pid > 1:
            try:
                os.kill(self.proc.pid, sig)
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                self.proc.wait()
        self.proc = None

    def kill_all(self) -> None:
        """SIGKILL main and VRRP child at once: the VIP stays behind (orphan)."""
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
        out = run(["ip", "-n", self.ns, "-o", "-4", "addr", "show", "dev", "eth0"]).stdout
        return [line.split()[3].split("/")[0] for line in out.splitlines()]

    def dump_state(self) -> Dict[str, int]:
        """Instance states straight from keepalived's own JSON dump (independent of the agent)."""
        signum = int(run(["keepalived", "--signum=JSON"]).stdout.strip())
        target = self.tmpdir / "keepalived.json"
        if target.exists():
            target.unlink()
        os.kill(self.main_pid(), signum)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                data = json.loads(target.read_text())
                return {e["data"]["iname"]: e["data"]["state"] for e in data}
            except (OSError, ValueError):
                time.sleep(0.02)
        raise AssertionError("no JSON dump from %s" % self.ns)


def install_sigterm_cleanup() -> None:
    """SIGTERM (a timeout, Ctrl-C in Maven) exits through atexit, so namespaces are removed."""
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        def on_term(signum: int, frame: Any) -> None:
            raise SystemExit(128 + signum)
        signal.signal(signal.SIGTERM, on_term)


class KeepalivedLab(object):
    """N (1 or 2) namespaces kwt-agent-<n> joined by veth; keepalived per namespace."""

    def __init__(self, nodes: int = 2) -> None:
        assert nodes in (1, 2)
        self.root = Path(tempfile.mkdtemp(prefix="kwt-agent-lab-"))
        self.names = []  # type: List[str]
        self.links = []  # type: List[str]
        self.nodes = []  # type: List[Node]
        atexit.register(self.close)
        install_sigterm_cleanup()
        try:
            for _ in range(nodes):
                self.names.append(claim_netns())
            self._build(int(self.names[0][len(NETNS_PREFIX):]))
        except BaseException:
            self.close()
            raise

    def _build(self, base: int) -> None:
        for ns in self.names:
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        a, b = "kwtv%da" % base, "kwtv%db" % base
        run(["ip", "link", "add", a, "type", "veth", "peer", "name", b])
        self.links.append(a)
        first = self.names[0]
        second = self.names[1] if len(self.names) > 1 else first
        run(["ip", "link", "set", a, "netns", first])
        run(["ip", "link", "set", b, "netns", second])
        run(["ip", "-n", first, "link", "set", a, "name", "eth0"])
        run(["ip", "-n", second, "link", "set", b, "name", "eth0" if second != first else "eth1"])
        for i, ns in enumerate(self.names):
            address = "10.99.0.%d" % (i + 1)
            run(["ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0"])
            for dev in ("eth0", "eth1") if len(self.names) == 1 else ("eth0",):
                run(["ip", "-n", ns, "link", "set", dev, "up"])
            self.nodes.append(Node(self, ns, address))

    def close(self) -> None:
        for node in self.nodes:
            try:
                node.stop()
            except Exception:
                pass
        for ns in self.names:
            if ns in existing_netns():
                run(["ip", "netns", "pids", ns], check=False)
                for pid in run(["ip", "netns", "pids", ns], check=False).stdout.split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except (OSError, ValueError):
                        pass
                run(["ip", "netns", "del", ns], check=False)
        self.names = []
        self.nodes = []
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
