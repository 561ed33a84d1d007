#!/usr/bin/env python3
"""Planned failover in the lab as the wire sees it (issue 15, "Measured in the lab").

VI_1's VIP (10.77.0.101, MASTER n1 at priority 150, n2 next at 100) is asked for by ARP every 10 ms from the
machine's side of the LAN (kw-ws, 10.77.0.1), and every node that answers is recorded by its MAC address. For each way
of moving VI_1's master off n1, the longest gap without any answer and the time two nodes answered at once:

- weight:   Keepwatch's maintenance weight (maintenance.set on n1's agent: 253 in its track file, no reload);
- reload:   the fallback without the weight: n1's VI_1 priority pushed down to 1 (config.apply: check, backup, write,
            SIGHUP, health watch), the other fallback being a stop;
- stop:     lab/fail stop n1 (SIGTERM, as systemctl stop);
- crash:    lab/fail crash n1 (SIGKILL of keepalived and its VRRP child: the VIP stays behind), for reference.

Each round moves the master off n1 and gives it back (undrain, the configuration put back, the fault undone); the
agents run on the nodes over SSH, as Keepwatch runs them. n1's configuration is wired for the weight through the agent
at the start (config.apply) and put back at the end.

    sudo flock /run/kw-lab.lock python3 bench_planned_failover.py [--rounds 5] [--json]
"""

import argparse
import json
import re
import select
import socket
import struct
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Set

from bench_agent import Agent, LAB_SCRIPTS, LAB_SSH_OPTIONS, start_ssh_agent

PROBE_INTERVAL_S = 0.010
WORKSTATION_IF = "kw-ws"
WORKSTATION_IP = "10.77.0.1"
VIP = "10.77.0.101"
NODES = {"n1": "10.77.0.11", "n2": "10.77.0.12"}
ETH_P_ARP = 0x0806
SETTLED_S = 1.0             # the VIP answered by n2 alone this long: the move is over
WINDOW_MAX_S = 10.0
BLOCK = "keepwatch_maintenance"
METHODS = ("weight", "reload", "stop", "crash")


def call(agent: Agent, op: str, args: Optional[Dict[str, Any]] = None, timeout: float = 120.0) -> Dict[str, Any]:
    """The response to one request (apply.step events carry its id too, and are skipped)."""
    req_id = agent.send(op, args)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([agent], [], [], 1.0)
        if ready:
            for m in agent.read_messages():
                if m.get("id") == req_id and "ok" in m:
                    return m
    raise TimeoutError("no answer to %s from %s" % (op, agent.label))


def mac_of(netns: str, ifname: str) -> bytes:
    out = subprocess.run(["ip", "-n", netns, "-j", "link", "show", ifname], check=True, stdout=subprocess.PIPE).stdout
    return bytes.fromhex(json.loads(out.decode())[0]["address"].replace(":", ""))


class ArpProbe(object):
    """ARP requests for the VIP every PROBE_INTERVAL_S on kw-ws; per slot, the MACs that answered (to us)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
        self.sock.bind((WORKSTATION_IF, ETH_P_ARP))
        self.mac = self.sock.getsockname()[4]
        self.request = (b"\xff" * 6 + self.mac + struct.pack("!H", ETH_P_ARP)
                        + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + self.mac + socket.inet_aton(WORKSTATION_IP)
                        + b"\x00" * 6 + socket.inet_aton(VIP))
        self.slots = []  # type: List[Set[bytes]]
        self.times = []  # type: List[float]
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        next_at = time.monotonic()
        while self.running:
            with self.lock:
                self.slots.append(set())
                self.times.append(time.monotonic())
            self.sock.send(self.request)
            next_at += PROBE_INTERVAL_S
            while True:
                left = next_at - time.monotonic()
                if left <= 0:
                    break
                ready, _, _ = select.select([self.sock], [], [], left)
                if ready:
                    self._receive()
            if next_at < time.monotonic() - PROBE_INTERVAL_S:
                next_at = time.monotonic()      # fell behind (a pause): no burst to catch up

    def _receive(self) -> None:
        frame = self.sock.recv(128)
        if len(frame) < 42:
            return
        op, sha, spa, tha = struct.unpack("!H", frame[20:22])[0], frame[22:28], frame[28:32], frame[32:38]
        if op == 2 and spa == socket.inet_aton(VIP) and tha == self.mac:
            with self.lock:
                self.slots[-1].add(sha)

    def mark(self) -> int:
        with self.lock:
            return len(self.slots)

    def since(self, start: int) -> List[Set[bytes]]:
        with self.lock:
            return [set(s) for s in self.slots[start:-1]]

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


def analyse(slots: List[Set[bytes]], macs: Dict[bytes, str]) -> Dict[str, Any]:
    """The longest run of slots nobody answered, and the slots two nodes answered, in ms."""
    longest_gap = run = 0
    overlap = longest_overlap = overlap_run = 0
    for answered in slots:
        run = run + 1 if not answered else 0
        longest_gap = max(longest_gap, run)
        if len(answered) > 1:
            overlap += 1
            overlap_run += 1
            longest_overlap = max(longest_overlap, overlap_run)
        else:
            overlap_run = 0
    lost = sum(1 for s in slots if not s)
    ms = PROBE_INTERVAL_S * 1000
    return {"probes": len(slots), "lost": lost, "longest_gap_ms": round(longest_gap * ms),
            "overlap_ms": round(overlap * ms), "longest_overlap_ms": round(longest_overlap * ms),
            "answered_by": sorted({macs.get(m, m.hex()) for s in slots for m in s})}


class Bench(object):
    def __init__(self) -> None:
        self.agents = {node: start_ssh_agent("root@" + address, ssh_args=LAB_SSH_OPTIONS) for node, address in NODES.items()}
        for agent in self.agents.values():
            call(agent, "hello")
        self.macs = {mac_of("kw-" + node, "eth0"): node for node in NODES}
        self.probe = ArpProbe()
        self.original = self.read("n1")["text"]
        self.wired = self.original

    def read(self, node: str) -> Dict[str, Any]:
        answer = call(self.agents[node], "config.read", {"daemon": "keepalived"})
        if not answer.get("ok"):
            raise RuntimeError("config.read on %s: %s" % (node, answer.get("error")))
        return answer["result"]["files"][0]

    def apply(self, node: str, text: str, reason: str) -> None:
        current = self.read(node)
        if current["text"] == text:
            return
        answer = call(self.agents[node], "config.apply", {"daemon": "keepalived", "text": text,
                                                         "base_sha256": current["sha256"], "reason": reason})
        if not answer.get("ok"):
            raise RuntimeError("config.apply on %s: %s" % (node, answer.get("error")))

    def wire(self) -> None:
        """n1's configuration tracks its maintenance weight (what "Set up maintenance weight" pushes)."""
        call(self.agents["n1"], "maintenance.prepare", {"daemon": "keepalived", "reason": "benchmark"})
        daemons = call(self.agents["n1"], "daemons")["result"]["daemons"]
        track = next(d for d in daemons if d["name"] == "keepalived")["maintenance"]["track_file"]
        block = 'track_file %s {\n    file "%s"\n    weight -1\n}\n\n' % (BLOCK, track)
        text = self.original.replace("vrrp_instance", block + "vrrp_instance", 1)
        text = re.sub(r"(\n    priority \d+\n)", r"\1    track_file {\n        %s\n    }\n" % BLOCK, text)
        self.apply("n1", text, "benchmark: maintenance weight")
        self.wired = text

    def holders(self, seconds: float) -> Set[str]:
        start = self.probe.mark()
        time.sleep(seconds)
        return {self.macs.get(m, "?") for s in self.probe.since(start) for m in s}

    def await_holder(self, node: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.holders(SETTLED_S) == {node}:
                return
        raise RuntimeError("the VIP is not answered by %s alone within %.0f s" % (node, timeout))

    def measure(self, trigger: Callable[[], None], to: str) -> Dict[str, Any]:
        """From just before the trigger until the VIP has been answered by `to` alone for SETTLED_S."""
        start = self.probe.mark()
        time.sleep(0.2)
        began = time.monotonic()
        trigger()
        settled_at = None  # type: Optional[int]
        while time.monotonic() - began < WINDOW_MAX_S:
            time.sleep(0.1)
            slots = self.probe.since(start)
            tail = slots[-int(SETTLED_S / PROBE_INTERVAL_S):]
            if time.monotonic() - began > 1.0 and tail and all(s and {self.macs.get(m) for m in s} == {to} for s in tail):
                settled_at = len(slots)
                break
        slots = self.probe.since(start)
        result = analyse(slots[:settled_at] if settled_at else slots, self.macs)
        result["settled"] = settled_at is not None
        return result

    def round(self, method: str) -> Dict[str, Any]:
        n1 = self.agents["n1"]
        if method == "weight":
            off = self.measure(lambda: call(n1, "maintenance.set", {"daemon": "keepalived", "drained": True,
                                                                   "reason": "benchmark"}), "n2")
            back = self.measure(lambda: call(n1, "maintenance.set", {"daemon": "keepalived", "drained": False,
                                                                    "reason": "benchmark"}), "n1")
        elif method == "reload":
            low = re.sub(r"(vrrp_instance VI_1 \{.*?\n    priority )\d+", r"\g<1>1", self.wired, count=1, flags=re.S)
            off = self.measure(lambda: self.apply("n1", low, "benchmark: fallback"), "n2")
            back = self.measure(lambda: self.apply("n1", self.wired, "benchmark: fallback undone"), "n1")
        else:
            fail = str(LAB_SCRIPTS / "fail")
            off = self.measure(lambda: subprocess.run([fail, method, "n1"], check=True, stdout=subprocess.DEVNULL), "n2")
            back = self.measure(lambda: subprocess.run([fail, method, "n1", "--undo"], check=True,
                                                       stdout=subprocess.DEVNULL), "n1")
        self.await_holder("n1", 20)
        time.sleep(1.0)
        return {"off": off, "back": back}

    def close(self) -> None:
        try:
            subprocess.run([str(LAB_SCRIPTS / "heal")], stdout=subprocess.DEVNULL)
            call(self.agents["n1"], "maintenance.set", {"daemon": "keepalived", "drained": False, "reason": "benchmark: put back"})
            self.apply("n1", self.original, "benchmark: configuration put back")
        finally:
            self.probe.close()
            for agent in self.agents.values():
                agent.close()


def summary(rounds: List[Dict[str, Any]], leg: str) -> Dict[str, Any]:
    legs = [r[leg] for r in rounds]
    return {"rounds": len(legs), "max_gap_ms": max(l["longest_gap_ms"] for l in legs),
            "gaps_ms": [l["longest_gap_ms"] for l in legs], "lost_probes": sum(l["lost"] for l in legs),
            "max_overlap_ms": max(l["overlap_ms"] for l in legs), "overlaps_ms": [l["overlap_ms"] for l in legs],
            "all_settled": all(l["settled"] for l in legs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    subprocess.run([str(LAB_SCRIPTS / "heal")], stdout=subprocess.DEVNULL, check=True)
    bench = Bench()
    results = {}  # type: Dict[str, Any]
    try:
        bench.await_holder("n1", 30)
        bench.wire()
        bench.await_holder("n1", 30)
        for method in args.methods.split(","):
            rounds = [bench.round(method) for _ in range(args.rounds)]
            results[method] = {"off": summary(rounds, "off"), "back": summary(rounds, "back")}
            if not args.json:
                for leg in ("off", "back"):
                    s = results[method][leg]
                    print("%-7s %-4s rounds %d  longest gap %4d ms (each: %s)  lost probes %3d  overlap %4d ms (each: %s)%s"
                          % (method, leg, s["rounds"], s["max_gap_ms"], s["gaps_ms"], s["lost_probes"], s["max_overlap_ms"],
                             s["overlaps_ms"], "" if s["all_settled"] else "  NOT SETTLED"))
                sys.stdout.flush()
    finally:
        bench.close()
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
