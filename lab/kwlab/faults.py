"""Failure injection on lab nodes, each with its undo.

stop       SIGTERM keepalived: clean shutdown, the VIP moves within a second   undo: start it again
crash      SIGKILL keepalived and its VRRP child: the VIP stays behind          undo: start it again
hang       SIGSTOP the VRRP child: the node keeps the VIP and goes silent       undo: SIGCONT
cut        the node's cable: its bridge ports go down                           undo: ports up
partition  bridge port isolation: isolated nodes stop hearing each other,       undo: isolation off
           while the workstation's port (never isolated) still reaches them;
           with one node: that node cut off from the others (diagnose_faults)
sshd       SIGKILL the node's sshd and its sessions: VRRP goes on, the          undo: start sshd
           workstation loses the node
vrrp-in, vrrp-out, auth, interval, ifdown, stranger: the faults a diagnosis tells apart (diagnose_faults.py)
ssh-drop   nftables on the node drops SSH both ways, silently: the workstation's   undo: the rule goes
           sessions hang while VRRP goes on
"""
import subprocess
from typing import List

from . import diagnose_faults, shapes
from .state import LabState
from .status import node_command, node_running
from .system import LabError, ip_batch, run
from .topology import BRIDGE_NS, NEUTRON, NeutronRouter

NODE_FAULTS = {"stop": ("stop", "start"), "crash": ("crash", "start"), "hang": ("hang", "resume"),
               "sshd": ("sshd-kill", "sshd-start")}
LINK_FAULTS = ("cut", "partition")
DIAGNOSIS_FAULTS = ("vrrp-in", "vrrp-out", "auth", "interval", "ifdown", "stranger")
NET_FAULTS = ("ssh-drop",)
SHAPES_FAULTS = ("script",)         # the shapes topology's track script fails (ifdown there: its tracked eth1)
ALL_FAULTS = tuple(NODE_FAULTS) + LINK_FAULTS + DIAGNOSIS_FAULTS + SHAPES_FAULTS + NET_FAULTS


def resolve_nodes(state: LabState, names: List[str]) -> List[str]:
    known = state.nodes()
    if not names:
        return sorted(known)
    resolved = []
    for name in names:
        bare = name[3:] if name.startswith("kw-") else name
        if bare not in known:
            raise LabError("no lab node named %s (nodes: %s)" % (name, ", ".join(sorted(known)) or "none"))
        resolved.append(bare)
    return resolved


def node_ctl(state: LabState, record: dict, action: str) -> None:
    if not node_running(record):
        raise LabError("node %s is not running" % record.get("netns"))
    args = node_command(record, ["bash", str(state.directory / "bin" / "node-ctl.sh"), record["dir"], action])
    done = subprocess.run(args, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise LabError("%s on %s failed: %s" % (action, record["netns"], done.stderr.strip()))


def bridge_ports(state: LabState, name: str, record: dict, fault: str) -> List[str]:
    """The switch ports a fault acts on. A Neutron node is partitioned on its HA ports only,
    so the workstation keeps reaching its management address."""
    lan_port = "kw-%sp" % name
    if record.get("kind") == shapes.SHAPES and fault == "cut":
        return [lan_port, shapes.track_port(int(name[1:]))]
    if record.get("kind") != NEUTRON:
        return [lan_port]
    index = int(name[len("net"):])
    count = state.topologies().get(NEUTRON, {}).get("routers", 0)
    ha_ports = [NeutronRouter.ha_bridge_port(index, k) for k in range(1, count + 1)]
    return ha_ports if fault == "partition" else [lan_port] + ha_ports


def inject(state: LabState, fault: str, names: List[str], undo: bool) -> List[str]:
    if fault not in ALL_FAULTS:
        raise LabError("unknown fault %r; one of: %s" % (fault, ", ".join(ALL_FAULTS)))
    if fault == "stranger":
        if names:
            raise LabError("stranger takes no node: it is a sender of its own on the LAN")
        diagnose_faults.stranger(state, undo)
        return [diagnose_faults.STRANGER_NS]
    nodes = resolve_nodes(state, names)
    records = state.nodes()
    if fault == "partition" and len(nodes) == 1 and not undo:
        name = nodes[0]
        diagnose_faults.cut_off(records[name], bridge_ports(state, name, records[name], fault), undo=False)
        return nodes
    for name in nodes:
        record = records[name]
        if fault in ("vrrp-in", "vrrp-out"):
            diagnose_faults.vrrp_drop(state, record, fault, undo)
        elif fault == "ssh-drop":
            diagnose_faults.ssh_drop(record, undo)
        elif fault == "auth":
            diagnose_faults.auth_mismatch(record, undo)
        elif fault == "interval":
            diagnose_faults.interval_mismatch(record, undo)
        elif fault == "ifdown" and record.get("kind") == shapes.SHAPES:
            shapes.track_link(record, undo)
        elif fault == "script":
            if record.get("kind") != shapes.SHAPES:
                raise LabError("script: only the shapes topology's nodes (s1..s3) run the lab's track script")
            shapes.script_fault(record, undo)
        elif fault == "ifdown":
            diagnose_faults.interface_down(state, name, record, undo)
        elif fault in NODE_FAULTS:
            node_ctl(state, record, NODE_FAULTS[fault][1 if undo else 0])
        elif fault == "cut":
            ip_batch(["link set %s %s" % (port, "up" if undo else "down")
                      for port in bridge_ports(state, name, record, fault)], netns=BRIDGE_NS)
        else:
            for port in bridge_ports(state, name, record, fault):
                run(["bridge", "-n", BRIDGE_NS, "link", "set", "dev", port,
                     "isolated", "off" if undo else "on"])
            if undo and diagnose_faults.find_command("nft"):
                diagnose_faults.cut_off(record, [], undo=True)
    return nodes


def heal(state: LabState) -> None:
    """Undoes every fault on every node: resumes, restarts, reconnects, un-isolates."""
    names = sorted(state.nodes())
    for fault in ("hang", "cut", "partition", "crash", "sshd"):
        inject(state, fault, names, undo=True)
    diagnose_faults.stop_stranger(state)
    records = state.nodes()
    for name in names:
        if diagnose_faults.find_command("nft"):
            for fault in ("vrrp-in", "vrrp-out"):
                diagnose_faults.vrrp_drop(state, records[name], fault, undo=True)
            diagnose_faults.ssh_drop(records[name], undo=True)
        if records[name].get("kind") == shapes.SHAPES:
            shapes.track_link(records[name], undo=True)
            shapes.script_fault(records[name], undo=True)
        if records[name].get("kind") != "neutron":
            diagnose_faults.auth_mismatch(records[name], undo=True)
            diagnose_faults.interval_mismatch(records[name], undo=True)
        else:
            diagnose_faults.interface_down(state, name, records[name], undo=True)
