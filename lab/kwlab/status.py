"""lab/status: every node's instances and states from keepalived's own JSON dump, and who holds each VIP."""
import json
import subprocess
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List

from .state import LabState, same_process

PROBE_TIMEOUT = 30


def node_command(record: dict, args: List[str]) -> List[str]:
    """The argument list that runs a command on a node: inside all of its namespaces."""
    return ["nsenter", "--target", str(record["init_pid"]),
            "--mount", "--uts", "--ipc", "--net", "--pid", "--"] + args


def node_running(record: dict) -> bool:
    return bool(record.get("init_pid")) and same_process(record["init_pid"], record.get("init_start", -1))


def probe(record: dict, tools: Path) -> dict:
    if not node_running(record):
        return {"error": "node is not running"}
    try:
        done = subprocess.run(node_command(record, ["python3", str(tools / "probe.py")]),
                              capture_output=True, text=True, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"error": "probe timed out"}
    if done.returncode != 0:
        return {"error": "probe failed: " + done.stderr.strip()[-300:]}
    return json.loads(done.stdout)


def collect(state: LabState) -> dict:
    """Probes every node and groups the instances into routers."""
    nodes = OrderedDict()
    for name, record in sorted(state.nodes().items(), key=lambda item: _node_order(item[0])):
        nodes[name] = dict(probe(record, state.directory / "bin"), kind=record.get("kind"))
    return {"nodes": nodes, "routers": routers(nodes)}


def _node_order(name: str):
    digits = "".join(c for c in name if c.isdigit())
    return (name.rstrip("0123456789"), int(digits or 0))


def router_key(daemon: dict, instance: dict) -> str:
    # A Neutron router is its qrouter namespace on every node; a plain router is its VRID on the LAN.
    if daemon.get("netns", "").startswith("qrouter-"):
        return daemon["netns"][len("qrouter-"):]
    return "vrid %d" % instance["vrid"]


def routers(nodes: Dict[str, dict]) -> List[dict]:
    table = OrderedDict()
    for node_name, node in nodes.items():
        for daemon in node.get("daemons", []):
            held = {a["address"] for a in node.get("addresses", {}).get(daemon.get("netns", ""), [])}
            if daemon.get("instances") is None:
                # Hung or unanswering: the node still holds whatever addresses it holds.
                table.setdefault(("?", node_name, daemon["pid"]), None)
                continue
            for instance in daemon["instances"]:
                key = router_key(daemon, instance)
                router = table.setdefault(key, {"router": key, "vrid": instance["vrid"], "vips": [],
                                                "members": []})
                if router is None:
                    continue
                for vip in instance["vips"]:
                    if vip not in router["vips"]:
                        router["vips"].append(vip)
                router["members"].append({
                    "node": node_name, "instance": instance["name"], "state": instance["state"],
                    "priority": instance["priority"], "effective_priority": instance["effective_priority"],
                    "netns": daemon.get("netns", ""),
                    "vips_held": [v for v in instance["vips"] if v in held]})
    result = [r for r in table.values() if r is not None]
    for router in result:
        _add_holders(router, nodes)
        router["masters"] = [m["node"] for m in router["members"] if m["state"] == "MASTER"]
        duplicated = [v for v, holders in router["vip_holders"].items() if len(holders) > 1]
        if len(router["masters"]) > 1 or duplicated:
            router["verdict"] = "SPLIT_BRAIN"
        elif not router["masters"]:
            router["verdict"] = "NO_MASTER"
        else:
            router["verdict"] = "ONE_MASTER"
    return result


def _add_holders(router: dict, nodes: Dict[str, dict]) -> None:
    """Ground truth: which node has each VIP on an interface, whatever its keepalived claims."""
    netns_of = {m["node"]: m["netns"] for m in router["members"]}
    holders = OrderedDict((vip, []) for vip in router["vips"])
    for node_name, netns in netns_of.items():
        present = {a["address"] for a in nodes[node_name].get("addresses", {}).get(netns, [])}
        for vip in router["vips"]:
            if vip in present:
                holders[vip].append(node_name)
    # Members whose keepalived is hung or dead are not in the dump but may hold the VIP.
    for node_name, node in nodes.items():
        if node_name in netns_of:
            continue
        for netns, addrs in node.get("addresses", {}).items():
            if netns_of and netns != next(iter(netns_of.values())):
                continue
            present = {a["address"] for a in addrs}
            for vip in router["vips"]:
                if vip in present and node_name not in holders[vip]:
                    holders[vip].append(node_name)
    router["vip_holders"] = holders


def render(report: dict) -> str:
    lines = []
    for name, node in report["nodes"].items():
        if "error" in node:
            lines.append("%-6s UNREACHABLE: %s" % (name, node["error"]))
        for daemon in node.get("daemons", []):
            if daemon.get("stopped"):
                lines.append("%-6s keepalived pid %d is STOPPED (SIGSTOP): no dump" % (name, daemon["pid"]))
            elif daemon.get("instances") is None:
                lines.append("%-6s keepalived pid %d did not answer the JSON dump" % (name, daemon["pid"]))
        if "error" not in node and not node.get("daemons"):
            lines.append("%-6s keepalived is NOT RUNNING" % name)
    if lines:
        lines.append("")
    width = max([len("ROUTER")] + [len(r["router"]) for r in report["routers"]])
    row = "%-" + str(width) + "s %-5s %-6s %-8s %-8s %-9s %s"
    lines.append(row % ("ROUTER", "VRID", "NODE", "INSTANCE", "STATE", "PRIO/EFF", "VIPS HELD"))
    for router in report["routers"]:
        first = True
        for member in router["members"]:
            lines.append(row % (
                router["router"] if first else "", router["vrid"] if first else "", member["node"],
                member["instance"], member["state"],
                "%s/%s" % (member["priority"], member["effective_priority"]),
                ", ".join(member["vips_held"]) or "-"))
            first = False
    lines.append("")
    lines.append("VIP holders (addresses actually on an interface):")
    for router in report["routers"]:
        for vip, holders in router["vip_holders"].items():
            mark = "  << DUPLICATE" if len(holders) > 1 else ("  << nobody" if not holders else "")
            lines.append(("  %-15s %-" + str(width) + "s %s%s")
                         % (vip, router["router"], ", ".join(holders) or "-", mark))
    lines.append("")
    one = sum(1 for r in report["routers"] if r["verdict"] == "ONE_MASTER")
    lines.append("%d routers: %d with exactly one MASTER%s" % (
        len(report["routers"]), one,
        "".join("; %s %s" % (r["router"], r["verdict"]) for r in report["routers"]
                if r["verdict"] != "ONE_MASTER")))
    return "\n".join(lines)
