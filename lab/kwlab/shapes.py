"""The shapes topology: three nodes whose routers have every shape operators run.

Nodes s1..s3 (10.77.0.31..33 and fd00:77::31..33 on eth0, the LAN; 10.78.0.31..33 on eth1, a second link on a bridge
of its own, kwsh0, that keepalived tracks). One router per shape, VRIDs 71..82 (the basic topology's are 51..59, and
lab/status keys a plain router by its VRID):

  SH_V3        VRRPv3 over IPv4 multicast                     SH_V2        VRRPv2 with PASS authentication
  SH_V6        an IPv6 instance (VRRPv3): a link-local VIP first, a ULA one
  SH_UNICAST   unicast_src_ip and unicast_peer: no multicast  SH_VMAC      use_vmac: its VIP on the macvlan vrrp.75
  SH_SYNC_A/B  a sync group, one instance on eth0 and one on eth1: they move together
  SH_TRACK     track_interface eth1                           SH_SCRIPT    track_script, weight -80
  SH_NOPREEMPT nopreempt                                       SH_DELAY     preempt_delay 5
  SH_MANY      40 VIPs and 11 excluded ones (one of them IPv6)

Priorities 150, 100, 50 on s1, s2, s3 (every instance starts BACKUP): s1 is MASTER of every router. The track script
is root's, in a root-owned directory (enable_script_security), and fails while a flag file exists beside it, which
`lab/fail script NODE` makes; `lab/fail ifdown NODE` takes the node's eth1 down.
"""
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

from .system import ip_batch, link_exists, run
from .topology import BRIDGE_NS, HOST_RELEASE, LAN_BRIDGE, LAN_PREFIX, PREFIX_LEN, Node

SHAPES = "shapes"
NODES = 3
TRACK_BRIDGE = "kwsh0"             # the second link's bridge, in the switch's namespace
TRACK_PREFIX = "10.78.0"
V6_PREFIX = "fd00:77::"
V6_PREFIX_LEN = 64
SCRIPT_DIR = "kw-shapes"           # under /etc/keepalived on the node: root's, 0755
SCRIPT_NAME = "check"
FAIL_FLAG = "failing"              # the track script fails while this file is beside it
SCRIPT = "#!/bin/sh\n# lab/up: fails while %s exists beside it (lab/fail script NODE)\n[ ! -e /etc/keepalived/%s/%s ]\n" % (
    FAIL_FLAG, SCRIPT_DIR, FAIL_FLAG)
SCRIPT_WEIGHT = -80                # 150 - 80 = 70: below s2's 100, so s2 takes over
MANY_VIPS = 40
MANY_EXCLUDED = 10
PRIORITIES = (150, 100, 50)
# No duplicate address detection on the lab's links: an IPv6 address (a node's, a VIP) is usable at once, as
# keepalived expects of a VIP it adds, and a VIP that moves is never "dadfailed" on the node it left.
NO_DAD = ("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
          "net.ipv6.conf.all.dad_transmits=0", "net.ipv6.conf.default.dad_transmits=0")


@dataclass
class ShapesTopology:
    releases: Tuple[str, ...] = ()
    kind: str = SHAPES

    def release(self, node_index: int) -> str:
        if not self.releases:
            return ""
        release = self.releases[(node_index - 1) % len(self.releases)]
        return "" if release == HOST_RELEASE else release

    def nodes(self) -> List[Node]:
        return [Node("s%d" % i, SHAPES, "%s.%d" % (LAN_PREFIX, 30 + i), "kw-s%dp" % i, self.release(i))
                for i in range(1, NODES + 1)]

    def router_names(self) -> List[str]:
        return [name for name, _ in _instances(1)]

    def params(self) -> dict:
        params = {"nodes": NODES, "routers": len(_instances(1))}    # each instance a router (VRID) of its own
        if self.releases:
            params["releases"] = list(self.releases)
        return params

    def keepalived_conf(self, node_index: int) -> str:
        return keepalived_conf(node_index)


def track_port(node_index: int) -> str:
    return "kw-s%dt" % node_index


def v6_address(node_index: int) -> str:
    return "%s%d" % (V6_PREFIX, 30 + node_index)


def keepalived_conf(node_index: int) -> str:
    """The same for every release: keepalived 2.1.5 (bullseye) refuses an IPv6 instance whose first VIP is not
    link-local, so SH_V6 lists its link-local VIP first everywhere (a router's members advertise the same list)."""
    lines = [
        "! keepalived.conf of lab node s%d (the shapes topology), written by lab/up" % node_index,
        "global_defs {",
        "    router_id s%d" % node_index,
        "    enable_script_security",
        "    script_user root",
        "}",
        "",
        "vrrp_script kw_shapes_check {",
        '    script "/etc/keepalived/%s/%s"' % (SCRIPT_DIR, SCRIPT_NAME),
        "    interval 1",
        "    fall 1",
        "    rise 1",
        "}",
        "",
        "vrrp_sync_group SH_SYNC {",
        "    group {",
        "        SH_SYNC_A",
        "        SH_SYNC_B",
        "    }",
        "}",
    ]
    for name, body in _instances(node_index):
        lines += ["", "vrrp_instance %s {" % name] + ["    " + b for b in body] + ["}"]
    return "\n".join(lines) + "\n"


def _instances(node_index: int) -> List[Tuple[str, List[str]]]:
    priority = PRIORITIES[node_index - 1]
    own = "%s.%d" % (LAN_PREFIX, 30 + node_index)
    peers = ["%s.%d" % (LAN_PREFIX, 30 + i) for i in range(1, NODES + 1) if i != node_index]

    def instance(vrid: int, vips: List[str], interface: str = "eth0", extra: List[str] = ()) -> List[str]:
        return (["state BACKUP", "interface %s" % interface, "virtual_router_id %d" % vrid,
                 "priority %d" % priority, "advert_int 1"] + list(extra)
                + ["virtual_ipaddress {"] + ["    " + v for v in vips] + ["}"])

    def vip(last: int, dev: str = "eth0") -> str:
        return "%s.%d/%d dev %s" % (LAN_PREFIX if dev == "eth0" else TRACK_PREFIX, last, PREFIX_LEN, dev)

    many = instance(82, ["10.77.1.%d/24 dev eth0" % i for i in range(1, MANY_VIPS + 1)])
    many += ["virtual_ipaddress_excluded {"] + ["    10.77.2.%d/24 dev eth0" % i for i in range(1, MANY_EXCLUDED + 1)] \
        + ["    fd00:78::1/64 dev eth0", "}"]
    return [
        ("SH_V3", instance(71, [vip(171)], extra=["version 3"])),
        ("SH_V2", instance(72, [vip(172)], extra=["version 2", "authentication {", "    auth_type PASS",
                                                  "    auth_pass kwlab72", "}"])),
        ("SH_V6", instance(73, ["fe80::173/64 dev eth0", "fd00:77::173/64 dev eth0"], extra=["version 3"])),
        ("SH_UNICAST", instance(74, [vip(174)], extra=["unicast_src_ip %s" % own, "unicast_peer {"]
                                + ["    " + p for p in peers] + ["}"])),
        ("SH_VMAC", instance(75, ["%s.175/%d" % (LAN_PREFIX, PREFIX_LEN)], extra=["use_vmac vrrp.75"])),
        ("SH_SYNC_A", instance(76, [vip(176)])),
        ("SH_SYNC_B", instance(77, [vip(177, "eth1")], interface="eth1")),
        ("SH_TRACK", instance(78, [vip(178)], extra=["track_interface {", "    eth1", "}"])),
        ("SH_SCRIPT", instance(79, [vip(179)], extra=["track_script {", "    kw_shapes_check weight %d" % SCRIPT_WEIGHT,
                                                      "}"])),
        ("SH_NOPREEMPT", instance(80, [vip(180)], extra=["nopreempt"])),
        ("SH_DELAY", instance(81, [vip(181)], extra=["preempt_delay 5"])),
        ("SH_MANY", many),
    ]


# ---- building ----------------------------------------------------------------------------------------

def ensure_track_bridge() -> None:
    if not _link_in_switch(TRACK_BRIDGE):
        ip_batch(["link add %s type bridge mcast_snooping 0 stp_state 0" % TRACK_BRIDGE,
                  "link set %s up" % TRACK_BRIDGE], netns=BRIDGE_NS)


def remove_track_bridge() -> None:
    if _link_in_switch(TRACK_BRIDGE):
        run(["ip", "-n", BRIDGE_NS, "link", "del", TRACK_BRIDGE])


def _link_in_switch(name: str) -> bool:
    return link_exists(name, BRIDGE_NS)


def create_node_links(node: Node, node_index: int) -> None:
    """eth0 on the LAN (IPv4 and a ULA), eth1 on the track bridge; no duplicate address detection on either."""
    run(["ip", "netns", "exec", node.netns, "sysctl", "-q", "-w"] + list(NO_DAD))
    run(["ip", "link", "add", node.lan_port, "netns", BRIDGE_NS, "type", "veth",
         "peer", "name", "eth0", "netns", node.netns])
    run(["ip", "link", "add", track_port(node_index), "netns", BRIDGE_NS, "type", "veth",
         "peer", "name", "eth1", "netns", node.netns])
    ip_batch(["link set %s master %s" % (node.lan_port, LAN_BRIDGE), "link set %s up" % node.lan_port,
              "link set %s master %s" % (track_port(node_index), TRACK_BRIDGE),
              "link set %s up" % track_port(node_index)], netns=BRIDGE_NS)
    run(["ip", "netns", "exec", node.netns, "sysctl", "-q", "-w",
         "net.ipv6.conf.eth0.accept_dad=0", "net.ipv6.conf.eth1.accept_dad=0",
         "net.ipv6.conf.eth0.dad_transmits=0", "net.ipv6.conf.eth1.dad_transmits=0"])
    ip_batch(["addr add %s/%d dev eth0" % (node.address, PREFIX_LEN),
              "addr add %s/%d dev eth0" % (v6_address(node_index), V6_PREFIX_LEN),
              "addr add %s.%d/%d dev eth1" % (TRACK_PREFIX, 30 + node_index, PREFIX_LEN),
              "link set eth0 up", "link set eth1 up", "link set lo up"], netns=node.netns)


def write_script(etc: Path) -> None:
    """The track script: root's, 0755, in a root-owned 0755 directory (keepalived's script security checks the path)."""
    directory = etc / SCRIPT_DIR
    directory.mkdir(mode=0o755)
    os.chmod(str(directory), 0o755)
    script = directory / SCRIPT_NAME
    script.write_text(SCRIPT)
    os.chmod(str(script), 0o755)


def copy_packaged(release_root: Path, etc: Path) -> None:
    for packaged in (release_root / "etc" / "keepalived").iterdir():
        shutil.copy2(str(packaged), str(etc / packaged.name))


# ---- faults ------------------------------------------------------------------------------------------

def script_fault(record: dict, undo: bool) -> None:
    """The track script fails (its flag file made) or passes again (removed)."""
    flag = Path(record["dir"]) / "etc-keepalived" / SCRIPT_DIR / FAIL_FLAG
    if undo:
        if flag.exists():
            flag.unlink()
        return
    flag.write_text("made by lab/fail script\n")


def track_link(record: dict, undo: bool) -> None:
    """The node's second link (eth1, tracked by SH_TRACK and carrying SH_SYNC_B) down, or up again."""
    from .status import node_command
    run(node_command(record, ["ip", "link", "set", "eth1", "up" if undo else "down"]))
