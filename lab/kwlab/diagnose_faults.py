"""The faults a diagnosis must tell apart, each with its undo (lab/fail, see lab/README.md).

vrrp-in    nftables in the node's namespace (a network node: every qrouter namespace)   undo: the table goes
           drops VRRP coming in: the node hears no one
vrrp-out   the same for VRRP going out: no one hears the node                             undo: the table goes
auth       the node's keepalived.conf gets another auth_pass, reloaded (basic nodes)      undo: the file back, reloaded
interval   the node's keepalived.conf gets another advert_int (3 s, not 1), reloaded      undo: the file back, reloaded
           (basic nodes): VRRPv2 members drop each other's adverts as interval errors
ifdown     a network node's ha- port in every qrouter namespace goes down                 undo: up again
stranger   a namespace of its own on the LAN (10.77.0.99) sends VRRPv2 adverts for        undo: the process and
           VRID 51 (VI_1) with priority 254, VI_1's password and another address:         namespace go
           the members reject them (address-list errors)
partition  with ONE node: the node is cut off from the other nodes at the switch          undo: the table goes
           (nftables on the bridge drops what goes between its ports and the others'),
           while the workstation still reaches it
"""
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import List

from .state import LabState, process_start_time, same_process
from .status import node_command
from .system import LabError, find_command, netns_list, run
from .topology import (ADVERT_INT, BRIDGE_NS, LAN_BRIDGE, LAN_PREFIX, NEUTRON, PREFIX_LEN, WORKSTATION_PORT, BasicRouter,
                       NeutronRouter)

VRRP_TABLE = {"vrrp-in": ("kwlab_vrrp_in", "input"), "vrrp-out": ("kwlab_vrrp_out", "output")}
VRRP_PROTOCOL = 112
CUT_TABLE = "kwlab_cut_%s"
SSH_TABLE = "kwlab_ssh_drop"
SSH_PORTS = "22, 2222"     # the nodes' sshd, and n3's second one behind the bastion
AUTH_SAVED = "auth-fault.orig"
INTERVAL_SAVED = "interval-fault.orig"
WRONG_ADVERT_INT = 3          # s: the lab's routers advertise every ADVERT_INT (1 s)
WRONG_PASSWORD_PREFIX = "wrong"
STRANGER_NS = "kw-stranger"
STRANGER_PORT = "kw-strp"
STRANGER_ADDRESS = LAN_PREFIX + ".99"
STRANGER_VRID = 51
STRANGER_PRIORITY = 254
STRANGER_LOG = "stranger.log"
STRANGER_STOP_S = 5.0


def nft() -> str:
    found = find_command("nft")
    if found is None:
        raise LabError("nft not found (apt-get install nftables)")
    return found


def _qrouter_namespaces(state: LabState) -> List[str]:
    count = state.topologies().get(NEUTRON, {}).get("routers", 0)
    return [NeutronRouter(k).netns for k in range(1, count + 1)]


def vrrp_drop(state: LabState, record: dict, fault: str, undo: bool) -> None:
    """nftables dropping VRRP in one direction where the node's keepalived runs."""
    table, hook = VRRP_TABLE[fault]
    tool = nft()
    inside = [[]] if record.get("kind") != NEUTRON else [["ip", "netns", "exec", ns] for ns in _qrouter_namespaces(state)]
    for prefix in inside:
        if undo:
            subprocess.run(node_command(record, prefix + [tool, "delete", "table", "inet", table]), capture_output=True)
            continue
        # VRRP by number: a node root of minbase has no /etc/protocols (netbase) for nft to resolve "vrrp" with.
        script = ("table inet %s {\n  chain %s {\n    type filter hook %s priority 0; policy accept;\n"
                  "    ip protocol %d drop\n    ip6 nexthdr %d drop\n  }\n}\n"
                  % (table, hook, hook, VRRP_PROTOCOL, VRRP_PROTOCOL))
        run(node_command(record, prefix + [tool, "-f", "-"]), stdin=script)


def ssh_drop(record: dict, undo: bool) -> None:
    """nftables on the node dropping SSH both ways, silently (no reset): the workstation's sessions hang, as behind a
    firewall that changed or a link that half failed, while VRRP goes on."""
    tool = nft()
    if undo:
        subprocess.run(node_command(record, [tool, "delete", "table", "inet", SSH_TABLE]), capture_output=True)
        return
    script = ("table inet %s {\n  chain in {\n    type filter hook input priority 0; policy accept;\n"
              "    tcp dport { %s } drop\n  }\n  chain out {\n    type filter hook output priority 0; policy accept;\n"
              "    tcp sport { %s } drop\n  }\n}\n" % (SSH_TABLE, SSH_PORTS, SSH_PORTS))
    run(node_command(record, [tool, "-f", "-"]), stdin=script)


def cut_off(record: dict, ports: List[str], undo: bool) -> None:
    """The node cut off from the others at the switch: nftables on the bridge drops frames between its ports and any
    port but the workstation's."""
    table = CUT_TABLE % record["netns"].replace("-", "_")
    tool = nft()
    if undo:
        if BRIDGE_NS in netns_list():
            subprocess.run(["ip", "netns", "exec", BRIDGE_NS, tool, "delete", "table", "bridge", table],
                           capture_output=True)
        return
    rules = "".join('    iifname "%s" oifname != "%s" drop\n    oifname "%s" iifname != "%s" drop\n'
                    % (port, WORKSTATION_PORT, port, WORKSTATION_PORT) for port in ports)
    script = ("table bridge %s {\n  chain forward {\n    type filter hook forward priority 0; policy accept;\n%s"
              "  }\n}\n" % (table, rules))
    run(["ip", "netns", "exec", BRIDGE_NS, tool, "-f", "-"], stdin=script)


def _reload(record: dict) -> None:
    pid = run(node_command(record, ["cat", "/run/keepalived.pid"])).strip()
    if not pid.isdigit():
        raise LabError("no keepalived pid on %s" % record["netns"])
    run(node_command(record, ["kill", "-HUP", pid]))


def auth_mismatch(record: dict, undo: bool) -> None:
    """Another auth_pass in every instance of the node's keepalived.conf (saved first), reloaded; undo puts it back."""
    _edit_config(record, "auth", AUTH_SAVED, "auth_pass kwlab", "auth_pass " + WRONG_PASSWORD_PREFIX, undo)


def interval_mismatch(record: dict, undo: bool) -> None:
    """Another advert_int in every instance of the node's keepalived.conf (saved first), reloaded: VRRPv2 members
    drop each other's adverts as interval errors, so both sides go MASTER; undo puts it back."""
    _edit_config(record, "interval", INTERVAL_SAVED, "advert_int %d" % ADVERT_INT,
                 "advert_int %d" % WRONG_ADVERT_INT, undo)


def _edit_config(record: dict, fault: str, saved_name: str, old: str, new: str, undo: bool) -> None:
    """One text replaced in the node's keepalived.conf (the file saved once, first), reloaded with SIGHUP; undo puts
    the saved file back. Basic and shapes nodes only: Neutron's configuration is the l3 agent's."""
    if record.get("kind") == NEUTRON:
        raise LabError("%s: Neutron's keepalived.conf is the l3 agent's; use a basic node" % fault)
    directory = Path(record["dir"])
    conf = directory / "etc-keepalived" / "keepalived.conf"
    if (directory / "container" / "etc" / "keepalived" / "keepalived.conf").exists():
        conf = directory / "container" / "etc" / "keepalived" / "keepalived.conf"    # lab/up --container
    saved = directory / saved_name
    if undo:
        if saved.exists():
            conf.write_text(saved.read_text())
            saved.unlink()
            _reload(record)
        return
    text = conf.read_text()
    if old not in text:
        raise LabError("%s has no %r to change" % (conf, old))
    if not saved.exists():
        saved.write_text(text)
    conf.write_text(text.replace(old, new))
    _reload(record)


def interface_down(state: LabState, name: str, record: dict, undo: bool) -> None:
    """A network node's ha- port down in every qrouter namespace: keepalived goes FAULT there."""
    if record.get("kind") != NEUTRON:
        raise LabError("ifdown: a basic node's VRRP interface is also how the workstation reaches it; "
                       "use a network node (net1, net2)")
    index = int(name[len("net"):])
    count = state.topologies().get(NEUTRON, {}).get("routers", 0)
    for k in range(1, count + 1):
        router = NeutronRouter(k)
        run(node_command(record, ["ip", "-n", router.netns, "link", "set", router.ha_port(index),
                                  "up" if undo else "down"]))


def stranger(state: LabState, undo: bool) -> None:
    """A namespace of its own on the LAN bridge sending VRRPv2 adverts for VI_1's VRID with its password, priority 254
    and an address that is not VI_1's VIP."""
    if undo:
        stop_stranger(state)
        return
    if state.data.get("stranger") and same_process(state.data["stranger"]["pid"], state.data["stranger"]["start"]):
        return
    if STRANGER_NS in netns_list() and not state.owns("netns", STRANGER_NS):
        raise LabError("a namespace %s exists that the lab did not make; remove it first" % STRANGER_NS)
    if STRANGER_NS not in netns_list():
        run(["ip", "netns", "add", STRANGER_NS])
        state.add("netns", STRANGER_NS)
        run(["ip", "-n", BRIDGE_NS, "link", "add", STRANGER_PORT, "type", "veth", "peer", "name", "eth0",
             "netns", STRANGER_NS])
        run(["ip", "-n", BRIDGE_NS, "link", "set", STRANGER_PORT, "master", LAN_BRIDGE, "up"])
        run(["ip", "-n", STRANGER_NS, "addr", "add", "%s/%d" % (STRANGER_ADDRESS, PREFIX_LEN), "dev", "eth0"])
        run(["ip", "-n", STRANGER_NS, "link", "set", "lo", "up"])
        run(["ip", "-n", STRANGER_NS, "link", "set", "eth0", "up"])
    router = BasicRouter(1, 1)
    log = open(str(state.directory / STRANGER_LOG), "ab")
    try:
        process = subprocess.Popen(
            ["ip", "netns", "exec", STRANGER_NS, "python3", str(Path(__file__).resolve().parent / "stranger.py"),
             "--vrid", str(STRANGER_VRID), "--source", STRANGER_ADDRESS, "--priority", str(STRANGER_PRIORITY), "--password", "kwlab%d" % router.index],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    finally:
        log.close()
    time.sleep(0.2)
    if process.poll() is not None:
        raise LabError("the stranger's sender exited at once: see %s" % (state.directory / STRANGER_LOG))
    state.data["stranger"] = {"pid": process.pid, "start": process_start_time(process.pid)}
    state.save()


def stop_stranger(state: LabState) -> None:
    """The stranger's sender and namespace go (lab/fail stranger --undo, lab/heal, lab/down)."""
    record = state.data.get("stranger")
    if record and same_process(record["pid"], record["start"]):
        os.kill(record["pid"], signal.SIGTERM)
        deadline = time.monotonic() + STRANGER_STOP_S
        while same_process(record["pid"], record["start"]) and time.monotonic() < deadline:
            time.sleep(0.05)
    if record:
        state.data.pop("stranger", None)
        state.save()
    if state.owns("netns", STRANGER_NS):
        if STRANGER_NS in netns_list():
            run(["ip", "netns", "del", STRANGER_NS])
        state.remove("netns", STRANGER_NS)
