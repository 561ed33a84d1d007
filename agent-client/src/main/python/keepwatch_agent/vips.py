"""Virtual addresses: which daemon claims which VIP in a network namespace, and which VIPs present there are orphans
(no live, answering MASTER claims them)."""

from .daemon import SOURCE_CONFIG, STATE_MASTER
from .proc import is_alive, process_stopped

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterable, List, Tuple  # noqa: F401
    from .daemon import Daemon  # noqa: F401
    from .netlink import NetnsWatch  # noqa: F401


def vip_claims(daemons: "Iterable[Daemon]", inode: int) -> "Dict[str, List[Tuple[str, str]]]":
    """address -> [(daemon, instance)] of every VIP the daemons in network namespace inode claim."""
    claims = {}  # type: Dict[str, List[Tuple[str, str]]]
    for d in daemons:
        if d.netns_inode != inode:
            continue
        for iname, inst in d.instances.items():
            for cidr in inst.get("vips", []) + inst.get("excluded_vips", []):
                claims.setdefault(cidr.split("/")[0], []).append((d.name, iname))
    return claims


def orphan_status(watch: "NetnsWatch", daemons: "Dict[str, Daemon]", proc_root: str) -> "Dict[str, Dict[str, Any]]":
    """VIPs present in the namespace watch watches whose claiming instances are not a live, answering MASTER."""
    result = {}
    claims = vip_claims(daemons.values(), watch.inode)
    for address, addr in watch.present().items():
        owners = claims.get(address)
        if not owners:
            continue
        reasons = []
        for dname, iname in owners:
            d = daemons[dname]
            if not d.alive:
                reasons.append("daemon_stopped" if d.stopped_reason == "stopped" else "daemon_dead")
            elif not d.responsive:
                reasons.append("daemon_unresponsive")
            elif d.instances.get(iname, {}).get("state") != STATE_MASTER:
                reasons.append("not_master")
            else:
                reasons.append(None)
        if None in reasons:
            continue
        reason = "not_master" if "not_master" in reasons else reasons[0]
        dname, iname = owners[reasons.index(reason)]
        owner = daemons[dname]
        # A dead main whose VRRP child still runs is shutting down and may yet remove the VIP.
        # An unresponsive one whose VRRP process is stopped (SIGSTOP) will not move it either, nor
        # will one that has not answered since the agent started (its instances are its claims):
        # the grace is for a failover in progress, and the agent never saw one start.
        settled = (reason in ("daemon_dead", "daemon_stopped") and not (
            owner.vrrp_pid is not None and is_alive(proc_root, owner.vrrp_pid))) or \
            (reason == "daemon_unresponsive" and (owner.instances_from == SOURCE_CONFIG or process_stopped(
                proc_root, owner.vrrp_pid or owner.pid)))
        result[address] = {"address": address, "prefix": addr["prefix"], "ifname": addr.get("ifname"),
                           "netns": watch.name, "reason": reason, "daemon": dname, "instance": iname,
                           "state": owner.instances.get(iname, {}).get("state"), "_settled": settled}
    return result
