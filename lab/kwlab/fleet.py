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
}
GROUP_NAMES = {BASIC: "lab", NEUTRON: "lab-neutron"}


def fleet_document(nodes: List[Node], keys: LabKeys) -> dict:
    kinds = []
    for node in nodes:
        if node.kind not in kinds:
            kinds.append(node.kind)
    return {
        "version": FLEET_VERSION,
        "name": "keepwatch-lab",
        "groups": [{"name": GROUP_NAMES[k], "description": GROUP_DESCRIPTIONS[k]} for k in kinds],
        "nodes": [{
            "name": node.name,
            "group": GROUP_NAMES[node.kind],
            "host": node.address,
            "port": 22,
            "user": "root",
            "identityFile": str(keys.client_key),
            "knownHostsFile": str(keys.known_hosts),
            "sudo": False,
        } for node in nodes],
    }


def write_fleet(path: Path, nodes: List[Node], keys: LabKeys) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(fleet_document(nodes, keys), indent=2) + "\n")
    os.replace(str(tmp), str(path))
