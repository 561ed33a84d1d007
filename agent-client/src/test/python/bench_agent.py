"""Agent benchmarks: failover-to-event latency and idle cost at Neutron scale.

Not a test (unittest does not collect it): numbers for docs/benchmarks.md. Needs root.

    # 20 failovers on a local kwt-agent pair: VIP appears -> the agent's `state` event
    python3 bench_agent.py failover --count 20

    # 200 Neutron-shaped routers on this machine, agent idle for 60 s: RSS and CPU
    python3 bench_agent.py idle --routers 200 --seconds 60
    python3 bench_agent.py idle --routers 200 --seconds 60 --as-client    # started as the client does

    # 20 failovers in the lab (lab/up basic; hold the lab's lock): agents on n1 and n2 over SSH,
    # `lab/fail stop n1` and `--undo` alternately; VIP appears on the new master -> its `state` event
    flock /run/kw-lab.lock python3 bench_agent.py lab-failover --count 20

    # idle cost of the agent on a lab node over SSH (the node's own daemons)
    python3 bench_agent.py idle --ssh root@10.77.0.21 --seconds 60 \
        --ssh-option=-i --ssh-option=/var/lib/kw-lab/keys/id_ed25519 \
        --ssh-option=-oUserKnownHostsFile=/var/lib/kw-lab/keys/known_hosts

The functions (start_local_agent, start_ssh_agent, measure_idle, measure_failovers,
build_neutron_routers) are meant to be reused by the lab's end-to-end benchmarks.
"""

import argparse
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from kwtlab import AGENT_PATH, NETNS_PREFIX, KeepalivedLab, agent_module, run, testbed, vrrp_config

ka = agent_module()
VIP = "10.99.0.100"
REMOTE_AGENT_DIR = "~/.cache/keepwatch"
WARMUP_S = 10.0
READY_TIMEOUT_S = 120.0
FAILOVER_TIMEOUT_S = 20.0
NEUTRON_ADVERT_INT = 2
ROUTER_START_BATCH = 20


# -- agents ------------------------------------------------------------------------------------

class Agent(object):
    """An agent process (local or over SSH) and the JSON lines it sends."""

    def __init__(self, argv: List[str], label: str) -> None:
        self.label = label
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.buffer = b""
        self.next_id = 1

    def fileno(self) -> int:
        return self.proc.stdout.fileno()

    def send(self, op: str, args: Optional[Dict[str, Any]] = None) -> int:
        req_id = self.next_id
        self.next_id += 1
        self.proc.stdin.write(json.dumps({"id": req_id, "op": op, "args": args or {}}).encode() + b"\n")
        self.proc.stdin.flush()
        return req_id

    def read_messages(self) -> List[Dict[str, Any]]:
        """Messages available now, each stamped with the local receive time as _rx."""
        chunk = os.read(self.fileno(), 1 << 20)
        if not chunk:
            raise EOFError("agent %s closed its output" % self.label)
        received = time.time()
        self.buffer += chunk
        messages = []
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            message = json.loads(line.decode())
            message["_rx"] = received
            messages.append(message)
        return messages

    def call(self, op: str, args: Optional[Dict[str, Any]] = None, timeout: float = 120.0) -> Dict[str, Any]:
        req_id = self.send(op, args)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self], [], [], 1.0)
            if ready:
                for m in self.read_messages():
                    if m.get("id") == req_id:
                        return m
        raise TimeoutError("no answer to %s from %s" % (op, self.label))

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


def start_local_agent(*args: str) -> Agent:
    return Agent([sys.executable, str(AGENT_PATH), "serve"] + list(args), "local")


def start_local_agent_as_client(directory: Path, *args: str, python: str = sys.executable) -> Agent:
    """The agent started as the Java client starts it: deployed as agent-<sha>.py in directory and
    run by BOOTSTRAP with its hash (python3 -I -S -c BOOTSTRAP FILE --sha256=HASH serve), after one
    start that wrote the compiled-code cache (beside the file, or in root's own directory as root),
    so this one loads its code from that cache."""
    data = AGENT_PATH.read_bytes()
    sha = ka.sha256_hex(data)
    path = directory / ("agent-%s.py" % sha[:16])
    path.write_bytes(data)
    command = [python] + ka.BOOTSTRAP_PYTHON_FLAGS + ["-c", ka.BOOTSTRAP, str(path), "--sha256=" + sha]
    subprocess.run(command + ["version"], check=True, stdout=subprocess.DEVNULL)
    cache_dir = Path(ka.BOOTSTRAP_ROOT_CACHE_DIR) if os.geteuid() == 0 else directory
    if not list(cache_dir.glob("agent-%s.*.kwc" % sha[:16])):
        raise RuntimeError("the first start wrote no compiled-code cache in %s" % cache_dir)
    return Agent(command + ["serve"] + list(args), "local")


def start_ssh_agent(target: str, *args: str, python: str = "python3", sudo: bool = False,
                    ssh_args: Optional[List[str]] = None) -> Agent:
    """Copies the agent to the node (as the client does: ~/.cache/keepwatch/agent-<sha>.py) and runs it."""
    data = AGENT_PATH.read_bytes()
    remote = "%s/agent-%s.py" % (REMOTE_AGENT_DIR, ka.sha256_hex(data)[:16])
    ssh = ["ssh", "-o", "BatchMode=yes"] + list(ssh_args or [])
    subprocess.run(ssh + [target, "mkdir -p %s && cat > %s" % (REMOTE_AGENT_DIR, remote)],
                   input=data, check=True, stdout=subprocess.DEVNULL)
    command = (["sudo", "-n"] if sudo else []) + [python, remote, "serve"] + list(args)
    return Agent(ssh + [target] + command, target)


# -- idle cost ---------------------------------------------------------------------------------

def measure_idle(agent: Agent, seconds: float, expect_daemons: int = 0, warmup: float = WARMUP_S) -> Dict[str, Any]:
    """Subscribes, waits for the daemons and a warm-up, then reads CPU and RSS from heartbeats."""
    snapshot = agent.call("state.subscribe", timeout=READY_TIMEOUT_S)["result"]
    daemons = len(snapshot["daemons"])
    instances = sum(len(d["instances"]) for d in snapshot["daemons"])
    if expect_daemons and daemons < expect_daemons:
        raise RuntimeError("agent sees %d daemons, expected %d" % (daemons, expect_daemons))
    beats = []  # type: List[Dict[str, Any]]
    events = {}  # type: Dict[str, int]
    start = time.monotonic()
    first = None
    while True:
        ready, _, _ = select.select([agent], [], [], 1.0)
        if not ready:
            continue
        for m in agent.read_messages():
            if m.get("event") != "heartbeat":
                if first is not None:
                    events[m.get("event")] = events.get(m.get("event"), 0) + 1
                continue
            if first is None and time.monotonic() - start >= warmup:
                first = m
            if first is not None:
                beats.append(m)
        if first is not None and beats and beats[-1]["ts"] - first["ts"] >= seconds:
            break
    last = beats[-1]
    wall = last["ts"] - first["ts"]
    cpu = last["agent"]["cpu_s"] - first["agent"]["cpu_s"]
    dumps = last["agent"].get("dumps", 0) - first["agent"].get("dumps", 0)
    return {"daemons": daemons, "instances": instances, "seconds": round(wall, 1),
            "cpu_percent": round(100.0 * cpu / wall, 3), "rss_kb_max": max(b["agent"]["rss_kb"] for b in beats),
            "rss_kb_end": last["agent"]["rss_kb"], "dumps": dumps,
            "dumps_per_daemon_per_minute": round(dumps / float(max(1, daemons)) / wall * 60, 2),
            "events_while_idle": events}


def build_neutron_routers(count: int, shared_tmpdir: bool = True) -> "testbed.NeutronBed":
    return testbed.NeutronBed(NETNS_PREFIX, count, shared_tmpdir, NEUTRON_ADVERT_INT, ROUTER_START_BATCH)


# -- failover latency ---------------------------------------------------------------------------

class VipObserver(object):
    """An independent netlink socket in one namespace, on its own thread, stamping the moment
    each VIP appears (this process's clock: the same host's clock in a local run)."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.watch = ka.NetnsWatch(0, ns, "/run/netns/" + ns)
        self.watch.open()
        self.seen = []  # type: List[tuple]
        self.stop = False
        self.thread = threading.Thread(target=self._run)
        self.thread.daemon = True
        self.thread.start()

    def _run(self) -> None:
        while not self.stop:
            ready, _, _ = select.select([self.watch.sock], [], [], 0.2)
            if ready:
                stamp = time.time()
                changes, _ = self.watch.read_changes()
                for action, addr in changes:
                    if action == "added":
                        self.seen.append((addr["address"], stamp))

    def appeared_after(self, address: str, since: float) -> Optional[float]:
        return next((t for a, t in self.seen if a == address and t >= since), None)

    def close(self) -> None:
        self.stop = True
        self.thread.join(1)
        self.watch.close()


def measure_failovers(agent: "Any", count: int, trigger: Callable[[int], str],
                      observers: Optional[Dict[str, "VipObserver"]] = None, vip: str = VIP) -> Dict[str, Any]:
    """Runs trigger(i) `count` times; each must move `vip` to the target trigger() returns: a
    netns seen by the one `agent`, or, when `agent` is a dict of agents (one per node, e.g. over
    SSH), the key of the agent on the node that takes the VIP (its daemons in any netns).

    agent latency: the agent's `state` event (state MASTER) minus its own `vip` added event,
    both stamped by the node's clock. observed latency (`observers` given, keyed like the
    targets): the time this process received that `state` event minus the time an independent
    netlink socket in the new master's namespace saw the VIP appear (one machine, one clock:
    local runs and the lab, whose nodes are namespaces of this host)."""
    single = not isinstance(agent, dict)
    agents = {None: agent} if single else agent
    for each in agents.values():
        each.call("state.subscribe", timeout=READY_TIMEOUT_S)
    agent_ms = []  # type: List[float]
    observed_ms = []  # type: List[float]
    for i in range(count):
        started = time.time()
        target = trigger(i)
        watched = agent if single else agents[target]

        def ours(m: Dict[str, Any]) -> bool:
            return m.get("netns") == target if single else True
        vip_ts = state_msg = seen_at = None
        deadline = time.monotonic() + FAILOVER_TIMEOUT_S
        while state_msg is None and time.monotonic() < deadline:
            ready, _, _ = select.select(list(agents.values()), [], [], 0.5)
            for source in ready:
                for m in source.read_messages():     # every agent is drained; only the target's count
                    if source is not watched or not ours(m):
                        continue
                    if m.get("event") == "vip" and m.get("action") == "added" and m.get("address") == vip:
                        vip_ts = m["ts"]
                    elif m.get("event") == "state" and m.get("state") == "MASTER" and vip_ts is not None \
                            and any(v.split("/")[0] == vip for v in m.get("vips", [])):
                        state_msg = m
        if observers and target in observers and state_msg is not None:
            seen_at = observers[target].appeared_after(vip, started)
        if state_msg is None:
            raise RuntimeError("failover %d: no MASTER state event from %s" % (i + 1, target))
        agent_ms.append((state_msg["ts"] - vip_ts) * 1000.0)
        if seen_at is not None:
            observed_ms.append((state_msg["_rx"] - seen_at) * 1000.0)
        print("failover %2d -> %s: agent %.1f ms%s" % (i + 1, target, agent_ms[-1],
              (", observed %.1f ms" % observed_ms[-1]) if seen_at is not None else ""), file=sys.stderr)
    return {"failovers": count, "agent_ms": summary(agent_ms), "observed_ms": summary(observed_ms) if observed_ms else None}


def summary(values: List[float]) -> Dict[str, float]:
    ordered = sorted(values)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))], 1)
    return {"n": len(values), "p50": pct(50), "p90": pct(90), "p99": pct(99), "max": round(ordered[-1], 1),
            "mean": round(statistics.mean(values), 1)}


def local_failover_bench(count: int) -> Dict[str, Any]:
    """A kwt-agent pair; the master is stopped (SIGTERM) and started again, alternately, so the
    VIP moves to B, then back to A (A preempts with the higher priority): one failover each."""
    lab = KeepalivedLab(nodes=2)
    a, b = lab.nodes
    agent = None
    try:
        a.start(vrrp_config("node-a", 150))
        b.start(vrrp_config("node-b", 100))
        deadline = time.monotonic() + FAILOVER_TIMEOUT_S
        while VIP not in a.addresses() and time.monotonic() < deadline:
            time.sleep(0.1)
        agent = start_local_agent("--match-config", str(lab.root) + "/*", "--state-dir", str(lab.root / "state"),
                                  "--rescan-interval", "0.5")
        observers = {node.ns: VipObserver(node.ns) for node in (a, b)}

        def trigger(i: int) -> str:
            if i % 2 == 0:
                os.kill(a.main_pid(), signal.SIGTERM)   # no wait: events are read while it stops
                return b.ns
            a.proc.wait()
            a.proc = None
            deadline = time.monotonic() + FAILOVER_TIMEOUT_S
            while a.vrrp_pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.05)    # the old VRRP child is still shutting down
            a.start()
            return a.ns
        try:
            return measure_failovers(agent, count, trigger, observers)
        finally:
            for observer in observers.values():
                observer.close()
    finally:
        if agent is not None:
            agent.close()
        lab.close()


LAB_SCRIPTS = Path(__file__).resolve().parents[4] / "lab"
LAB_KEYS = "/var/lib/kw-lab/keys"
LAB_SSH_OPTIONS = ["-F", "/dev/null", "-i", LAB_KEYS + "/id_ed25519", "-o", "UserKnownHostsFile=" + LAB_KEYS + "/known_hosts",
                   "-o", "StrictHostKeyChecking=yes"]
LAB_NODES = {"n1": "10.77.0.11", "n2": "10.77.0.12"}
LAB_VIP = "10.77.0.101"     # VI_1: n1 MASTER (priority 150), n2 next (100)


def lab_failover_bench(count: int, fault: str) -> Dict[str, Any]:
    """Agents on n1 and n2 over SSH; `lab/fail FAULT n1` moves VI_1's VIP to n2, `--undo` brings
    n1 back and it preempts: one failover each. Observers watch kw-n1 and kw-n2 (the nodes'
    namespaces, seen from this host). The caller holds the lab's lock."""
    agents = {}  # type: Dict[str, Agent]
    observers = {}  # type: Dict[str, VipObserver]
    try:
        for node, address in LAB_NODES.items():
            agents[node] = start_ssh_agent("root@" + address, ssh_args=LAB_SSH_OPTIONS)
            observers[node] = VipObserver("kw-" + node)

        running = []  # type: List[subprocess.Popen]

        def finish_previous() -> None:
            while running:
                proc = running.pop()
                if proc.wait(READY_TIMEOUT_S) != 0:
                    raise RuntimeError("lab/fail exited %d" % proc.returncode)

        def trigger(i: int) -> str:
            # lab/fail returns once the fault is complete (a stopped keepalived has exited, about a
            # second): not waited for here, or its events would be read, and stamped, only then.
            finish_previous()
            undo = ["--undo"] if i % 2 else []
            running.append(subprocess.Popen([str(LAB_SCRIPTS / "fail"), fault, "n1"] + undo, stdout=subprocess.DEVNULL))
            return "n1" if i % 2 else "n2"
        result = measure_failovers(agents, count, trigger, observers, vip=LAB_VIP)
        finish_previous()
        result["fault"] = fault
        return result
    finally:
        for observer in observers.values():
            observer.close()
        for agent in agents.values():
            agent.close()
        subprocess.run([str(LAB_SCRIPTS / "heal")], stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode")
    fo = sub.add_parser("failover", help="VIP appears -> state event latency (local kwt-agent pair)")
    fo.add_argument("--count", type=int, default=20)
    lfo = sub.add_parser("lab-failover", help="VIP appears -> state event latency in the lab, agents over SSH")
    lfo.add_argument("--count", type=int, default=20)
    lfo.add_argument("--fault", default="stop", choices=["stop", "crash"], help="lab/fail fault on n1 (undone every other time)")
    idle = sub.add_parser("idle", help="RSS and CPU of an idle, subscribed agent")
    idle.add_argument("--routers", type=int, default=0, help="build this many Neutron-shaped routers locally")
    idle.add_argument("--private-tmpdir", action="store_true", help="a TMPDIR per router (default: shared, like Neutron)")
    idle.add_argument("--ssh", help="measure the agent on this node instead (user@host)")
    idle.add_argument("--sudo", action="store_true", help="run the remote agent with sudo -n")
    idle.add_argument("--seconds", type=float, default=60.0)
    idle.add_argument("--python", default="python3", help="interpreter on the node")
    idle.add_argument("--as-client", action="store_true",
                      help="start the local agent as the client does (BOOTSTRAP, hash, cached code)")
    idle.add_argument("--ssh-option", action="append", default=[], metavar="ARG",
                      help="passed to ssh, e.g. --ssh-option=-i --ssh-option=/var/lib/kw-lab/keys/id_ed25519")
    args = parser.parse_args()
    load = os.getloadavg()
    print("load average %.2f %.2f %.2f at %s" % (load + (time.strftime("%Y-%m-%d %H:%M:%S %Z"),)), file=sys.stderr)
    if args.mode == "failover":
        result = local_failover_bench(args.count)
    elif args.mode == "lab-failover":
        result = lab_failover_bench(args.count, args.fault)
    elif args.mode == "idle" and args.ssh:
        agent = start_ssh_agent(args.ssh, python=args.python, sudo=args.sudo, ssh_args=args.ssh_option)
        try:
            result = measure_idle(agent, args.seconds)
        finally:
            agent.close()
    elif args.mode == "idle":
        routers = build_neutron_routers(args.routers, shared_tmpdir=not args.private_tmpdir)
        agent = None
        try:
            time.sleep(3 * NEUTRON_ADVERT_INT + 2)      # every router elects itself MASTER
            settings = ("--match-config", str(routers.ha_confs) + "/*", "--state-dir", str(routers.root / "state"))
            if args.as_client:
                agent = start_local_agent_as_client(routers.root, *settings)
            else:
                agent = start_local_agent(*settings)
            result = measure_idle(agent, args.seconds, expect_daemons=args.routers)
            result["python"] = agent.call("hello")["result"]["python"]
        finally:
            if agent is not None:
                agent.close()
            routers.close()
    else:
        parser.print_help()
        return 2
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
