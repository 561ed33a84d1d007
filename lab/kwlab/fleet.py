"""The fleet file lab/up writes: what the app and the tests open to reach the lab's nodes."""
import json
import os
from pathlib import Path
from typing import List

from .keys import LabKeys
from .topology import BASIC, NEUTRON, Node

FLEET_VERSION = 1
GROUP_DESCRIPTIONS = {
    BASIC: "Keepwatch lab: keepalived nodes sharing VRRP routers on one LAN",
    NEUTRON: "Keepwatch lab: an OpenStack Neutron network node pair (one qrouter namespace per router)",
    "shapes": "Keepwatch lab: routers of every shape (VRRPv3, IPv6, unicast, use_vmac, a sync group, tracking, "
              "nopreempt, many VIPs)",
}
GROUP_NAMES = {BASIC: "lab", NEUTRON: "lab-neutron", "shapes": "lab-shapes"}


def fleet_document(nodes: List[Node], keys: LabKeys) -> dict:
    kinds = []
    for node in nodes:
        if node.kind not in kinds:
            kinds.append(node.kind)
    return {
        "version": FLEET_VERSION,
        "name": "keepwatch-lab",
        "groups": [{"name": GROUP_NAMES[k], "description": _description(k, nodes)} for k in kinds],
        "nodes": [dict({
            "name": node.name,
            "group": GROUP_NAMES[node.kind],
            "host": node.address,
            "port": 22,
            "user": "root",
            "identityFile": str(keys.client_key),
            "knownHostsFile": str(keys.known_hosts),
            "sudo": False,
        }, **({"release": node.release} if node.release else {})) for node in nodes],
    }


def _description(kind: str, nodes: List[Node]) -> str:
    """A mixed lab says which Debian release each node runs (its nodes also carry a "release" field)."""
    mixed = [n for n in nodes if n.kind == kind and n.release]
    if not mixed:
        return GROUP_DESCRIPTIONS[kind]
    return "%s; Debian releases: %s" % (GROUP_DESCRIPTIONS[kind], ", ".join(
        "%s %s" % (n.name, n.release or "host") for n in nodes if n.kind == kind))


def write_fleet(path: Path, nodes: List[Node], keys: LabKeys) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(fleet_document(nodes, keys), indent=2) + "\n")
    os.replace(str(tmp), str(path))
