"""Virtual addresses: which daemon claims which VIP in a network namespace, the namespaces watched for address and
link changes, and the VIPs present there that are orphans (no live, answering MASTER claims them)."""

import time

from .daemon import NOT_VISIBLE, SOURCE_CONFIG, STATE_MASTER
from .log import LOG
from .netlink import NetnsWatch
from .proc import is_alive, process_stopped

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterable, List, Set, Tuple  # noqa: F401
    from .channel import Channel  # noqa: F401
    from .daemon import Daemon  # noqa: F401
    from .loop import Loop  # noqa: F401
    from .settings import Settings  # noqa: F401

ORPHAN_DEAD_RECHECK_S = 0.1        # recheck of a VIP whose daemon died while its VRRP child exits


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
            if not d.alive and d.stopped_reason == NOT_VISIBLE:
                reasons.append(None)    # a keepalived this agent cannot see (not root) may well hold it: no orphan
            elif not d.alive:
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


class VipMonitor(object):
    """The VIPs in the daemons' network namespaces, watched: a NetnsWatch (rtnetlink) per namespace; an address or
    link change asks the daemons there for a dump (request_dump, after vip_debounce); a VIP up that no live, answering
    MASTER claims is an orphan once orphan_grace has passed (sooner when its daemon's exit is settled). Changes and
    orphans are vip events while subscribed()."""

    def __init__(self, loop: "Loop", settings: "Settings", channel: "Channel", daemons: "Dict[str, Daemon]",
                 subscribed: "Callable[[], bool]", request_dump: "Callable[[Daemon, str], None]",
                 rescan: "Callable[[], None]") -> None:
        self.loop = loop
        self.settings = settings
        self.channel = channel
        self.daemons = daemons          # the session's table, by name (shared, not copied)
        self.subscribed = subscribed
        self.request_dump = request_dump
        self.rescan = rescan
        self.watches = {}  # type: Dict[int, NetnsWatch]       # network namespace inode -> its watch

    def forget_unused(self, used: "Set[int]") -> None:
        """Closes the watches of namespaces no daemon the agent knows is in any more."""
        for inode in list(self.watches):
            if inode not in used:
                watch = self.watches.pop(inode)
                if watch.sock is not None:
                    self.loop.remove_reader(watch.fileno())
                watch.close()

    def close(self) -> None:
        for watch in self.watches.values():
            watch.close()

    def ensure(self, d: "Daemon") -> None:
        if not d.netns_inode or d.netns_inode in self.watches:
            return      # inode 0: a named namespace that does not exist (yet)
        watch = NetnsWatch(d.netns_inode, d.netns_name, None if d.own_netns else d.netns_path)
        self.watches[d.netns_inode] = watch
        try:
            watch.open()
        except OSError as exc:
            LOG.warning("cannot watch addresses in netns %s: %s; relying on periodic dumps",
                        d.netns_name or d.netns_inode, exc)
            watch.close()
            return
        self.loop.add_reader(watch.fileno(), lambda: self._on_netlink(watch))
        self.evaluate(d.netns_inode)   # a claimed VIP found up (daemon dead or hung already)

    def _on_netlink(self, watch: NetnsWatch) -> None:
        try:
            changes, overflow = watch.read_changes()
            if overflow:
                LOG.warning("netlink overflow in netns %s; resynchronising", watch.name or watch.inode)
                added, removed = watch.resync()
                changes += [("added", a) for a in added] + [("removed", a) for a in removed]
        except OSError as exc:
            LOG.error("netlink failed in netns %s: %s", watch.name or watch.inode, exc)
            self.loop.remove_reader(watch.fileno())
            watch.close()
            return
        links = [c for c in changes if c[0] == "link"]
        changes = [c for c in changes if c[0] != "link"]
        if links:
            # keepalived enters or leaves FAULT as a link's carrier goes or comes: every daemon here is asked
            watch.pending_dumps |= {d.name for d in self.daemons.values() if d.alive and d.netns_inode == watch.inode}
        if not changes:
            if links and watch.debounce_timer is None:
                watch.debounce_timer = self.loop.call_later(self.settings.vip_debounce,
                                                            lambda: self._flush_dumps(watch))
            return
        claims = vip_claims(self.daemons.values(), watch.inode)
        unexplained = False
        unanswered = False
        for action, addr in changes:
            owners = claims.get(addr["address"], [])
            if self.subscribed():
                owner = owners[0] if owners else (None, None)
                self.channel.event("vip", action=action, address=addr["address"], prefix=addr["prefix"],
                           ifname=addr.get("ifname"), netns=watch.name, daemon=owner[0], instance=owner[1],
                           known=bool(owners))
            if action == "removed":
                watch.orphans.pop(addr["address"], None)
                watch.candidates.pop(addr["address"], None)
            targets = {o[0] for o in owners if o[0] in self.daemons and self.daemons[o[0]].alive}
            # Claimed, but only by a daemon that is gone: most likely its restart has just taken the
            # address, before the periodic rescan found it (a preempting node's VIP would wait for that).
            unexplained |= action == "added" and bool(owners) and not targets
            # no claimer can answer a dump (dead, not running, hung): no dump will evaluate the orphan
            unanswered |= action == "added" and bool(owners) and not any(
                self.daemons[o[0]].responsive for o in owners if o[0] in targets)
            if not targets:
                targets = {d.name for d in self.daemons.values() if d.alive and d.netns_inode == watch.inode}
            watch.pending_dumps |= targets
        if unexplained or unanswered:
            def look() -> None:
                if unexplained:
                    self.rescan()   # first: a restarted daemon is not an orphan's owner
                self.evaluate(watch.inode)
            self.loop.call_later(0, look)
        if watch.debounce_timer is None:
            watch.debounce_timer = self.loop.call_later(self.settings.vip_debounce, lambda: self._flush_dumps(watch))

    def _flush_dumps(self, watch: NetnsWatch) -> None:
        watch.debounce_timer = None
        names = watch.pending_dumps
        watch.pending_dumps = set()
        for name in names:
            d = self.daemons.get(name)
            if d is not None and d.alive:
                self.request_dump(d, "vip")

    def evaluate(self, inode: int) -> None:
        watch = self.watches.get(inode)
        if watch is None:
            return
        status = orphan_status(watch, self.daemons, self.settings.proc_root) if watch.sock is not None else {}
        current = time.monotonic()
        for address, info in status.items():
            if address in watch.orphans:
                info.pop("_settled")
                watch.orphans[address] = info
                continue
            first = watch.candidates.setdefault(address, current)
            settled = info.pop("_settled")
            if not settled and current - first < self.settings.orphan_grace:
                # a dead main's VRRP child is usually gone within milliseconds: look again soon
                delay = first + self.settings.orphan_grace - current
                if info["reason"] in ("daemon_dead", "daemon_stopped"):
                    delay = min(delay, ORPHAN_DEAD_RECHECK_S)
                self._schedule_recheck(watch, delay, info)
                continue
            watch.orphans[address] = info
            watch.candidates.pop(address, None)
            if self.subscribed():
                fields = dict(info)
                fields["orphan"] = True
                self.channel.event("vip", action="orphaned", **fields)
        for address in list(watch.candidates):
            if address not in status:
                del watch.candidates[address]
        for address in list(watch.orphans):
            if address not in status:
                info = watch.orphans.pop(address)
                present = address in watch.present()
                if self.subscribed() and present:
                    self.channel.event("vip", action="cleared", address=address, prefix=info["prefix"],
                               ifname=info.get("ifname"), netns=watch.name, daemon=info["daemon"],
                               instance=info["instance"], orphan=False)

    def _schedule_recheck(self, watch: NetnsWatch, delay: float, info: "Dict[str, Any]") -> None:
        if watch.recheck_timer is not None:
            return

        def recheck() -> None:
            watch.recheck_timer = None
            d = self.daemons.get(info["daemon"])
            if d is not None and d.alive:
                self.request_dump(d, "orphan_check")
            else:
                self.evaluate(watch.inode)
        watch.recheck_timer = self.loop.call_later(max(0.0, delay), recheck)
