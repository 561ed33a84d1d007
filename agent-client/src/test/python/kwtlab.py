"""Test support: the agent module, fixtures, an agent subprocess, and a tiny real-keepalived lab.

The lab is a test bed of the project's lab (lab/kwlab/testbed.py): network namespaces named kwt-agent-<n>
joined by a veth pair, keepalived in them with private pid files and TMPDIR, always cleaned up. It needs
root. Nothing here is named kw-*: that prefix belongs to the project lab's own nodes.
"""

import importlib
import importlib.util
import json
import os
import select
import subprocess
import sys
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
NETWORK = "10.99.0"          # node addresses 10.99.0.1 and .2; vrrp_config's VIP is 10.99.0.100
LAB_ROOT = MODULE_ROOT.parent / "lab"   # the project's lab/: its package kwlab holds the test beds

sys.path.insert(0, str(LAB_ROOT))
from kwlab import testbed  # noqa: E402
from kwlab.testbed import is_root, vrrp_config  # noqa: E402,F401 (the tests import them from here)

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


def require_lab() -> None:
    """Fails, naming the package, when root lacks a command the namespace tests run (skipped unless root)."""
    missing = testbed.missing_commands()
    if missing:
        raise AssertionError("this test needs `%s`, which is not installed here: apt-get install %s" % missing[0])


def lab_available() -> bool:
    return is_root() and not testbed.missing_commands()


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


def agent_as_nobody(directory: Path, *args: str) -> AgentProcess:
    """The agent run as nobody (a login without sudo), dropped there by setpriv, with a state directory of its own
    (<directory>/state-nobody, 0700, nobody's) and the given arguments after it. Root only."""
    import pwd
    nobody = pwd.getpwnam("nobody")
    state = directory / "state-nobody"
    state.mkdir(mode=0o700)
    os.chown(str(state), nobody.pw_uid, nobody.pw_gid)
    return AgentProcess(*(list(args) + ["--state-dir", str(state)]),
                        command=["setpriv", "--reuid", str(nobody.pw_uid), "--regid", str(nobody.pw_gid),
                                 "--clear-groups", sys.executable, str(AGENT_PATH), "serve"],
                        env={"USER": nobody.pw_name, "HOME": str(state)})


def run(argv: List[str], check: bool = True, timeout: float = DEFAULT_TIMEOUT_S) -> subprocess.CompletedProcess:
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=timeout, check=check)


def claim_netns(first: int = 1) -> str:
    """Creates and returns the lowest free kwt-agent-<n> (n >= first): see testbed.claim_netns."""
    return testbed.claim_netns(NETNS_PREFIX, first)


class KeepalivedLab(testbed.Testbed):
    """The agent tests' test bed: N (1 or 2) namespaces kwt-agent-<n> joined by veth, at 10.99.0.1 and .2."""

    def __init__(self, nodes: int = 2) -> None:
        super().__init__(NETNS_PREFIX, nodes=nodes, network=NETWORK)
