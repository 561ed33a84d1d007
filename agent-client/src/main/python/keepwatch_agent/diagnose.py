"""The diagnose op: what one daemon's side of a router can tell about why it misbehaves. keepalived's own counters
before and after a listening window, the VRRP adverts heard in its network namespace meanwhile, its links and
addresses there, and a firewall there that drops VRRP (docs/protocol.md, diagnose)."""

import os

from .daemon import daemon_label
from .protocol import AgentError, E_BAD_ARGS, E_NOT_FOUND
from .vrrp_adverts import auth_fingerprint
from .vrrp_listen import NetnsListener

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional  # noqa: F401
    from .daemon import Daemon  # noqa: F401
    from .settings import Settings  # noqa: F401

MIN_LISTEN_S = 1
SALT_MIN_CHARS = 8
SALT_MAX_CHARS = 128
DUMP_WAIT_FACTOR = 3                   # a diagnosis' dumps wait this many dump_timeouts
INSTANCE_FIELDS = ("instance", "vrid", "state", "interface", "version", "advert_int", "auth_type", "base_priority",
                   "effective_priority", "master_priority", "vips", "excluded_vips", "unicast_peers", "last_transition")


def counter_deltas(before: "Dict[str, Any]", after: "Dict[str, Any]") -> "Dict[str, int]":
    """keepalived's counters that moved between two dumps (a counter that went back: the daemon restarted)."""
    moved = {}
    for key, value in after.items():
        old = before.get(key)
        if isinstance(value, int) and isinstance(old, int) and value != old:
            moved[key] = value - old if value >= old else value
    return moved


class DiagnoseRequests(object):
    """diagnose, on a worker thread: dumps through blocking_dump (the loop thread asks keepalived), the namespace's
    look through a NetnsListener on a thread of its own, one audit line."""

    def __init__(self, settings: "Settings", find_daemon: "Callable[[str], Daemon]",
                 blocking_dump: "Callable[[str, str, float], Dict[str, Any]]",
                 write_audit: "Callable[[Dict[str, Any]], None]") -> None:
        self.settings = settings
        self.find_daemon = find_daemon
        self.blocking_dump = blocking_dump
        self.write_audit = write_audit

    def listen_seconds(self, asked: "Optional[int]") -> float:
        if asked is None:
            return min(float(self.settings.diagnose_listen), float(self.settings.diagnose_listen_max))
        if asked < MIN_LISTEN_S:
            raise AgentError(E_BAD_ARGS, "seconds must be at least %d (got %d)" % (MIN_LISTEN_S, asked))
        return min(float(asked), float(self.settings.diagnose_listen_max))

    @staticmethod
    def salt_bytes(salt: "Optional[str]") -> bytes:
        """The client's salt (the same for every member of one diagnosis, so that their password fingerprints
        compare), else one of this answer's own."""
        if salt is None:
            return os.urandom(16)
        if not SALT_MIN_CHARS <= len(salt) <= SALT_MAX_CHARS:
            raise AgentError(E_BAD_ARGS, "salt must be %d to %d characters (got %d)"
                             % (SALT_MIN_CHARS, SALT_MAX_CHARS, len(salt)))
        return salt.encode("utf-8")

    def diagnose(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        seconds = self.listen_seconds(args.get("seconds"))
        salt = self.salt_bytes(args.get("salt"))
        d = self.find_daemon(args["daemon"])
        wanted = args.get("instance")
        before = self._dump(d)
        names = {i["instance"] for i in before.get("instances", [])} if before.get("ok") else set(d.instances)
        if wanted is not None and wanted not in names:
            raise AgentError(E_NOT_FOUND, "%s has no VRRP instance %r (it has: %s)"
                             % (daemon_label(d.name), wanted, ", ".join(sorted(names)) or "none known"))
        netns_path = None if d.own_netns else d.netns_path
        look = NetnsListener(netns_path, seconds, salt).run() if d.own_netns or d.netns_path else \
            {"error": "the network namespace of %s is gone" % daemon_label(d.name)}
        after = self._dump(d)
        instances = self._instances(d, before, after, wanted, salt)
        listen = look.get("listen") or {}
        senders = listen.pop("senders", [])
        if wanted is not None and instances:
            vrids = {i["vrid"] for i in instances}
            senders = [s for s in senders if s["vrid"] in vrids]
        result = {
            "daemon": d.name, "netns": d.netns_name, "alive": d.alive, "responsive": d.responsive,
            "instance": wanted, "window_s": seconds,
            "dumps": {"before": before.get("ok", False), "after": after.get("ok", False),
                      "message": before.get("message") if not before.get("ok") else after.get("message")},
            "instances": instances, "senders": senders, "listen": listen or None,
            "links": look.get("links", []), "addresses": look.get("addresses", []),
            "firewall": look.get("firewall") or {"looked": False, "tool": None, "drops": [],
                                                 "reason": "could not look: %s" % look.get("error")},
            "error": look.get("error"),
        }
        self.write_audit({"op": "diagnose", "daemon": d.name, "instance": wanted,
                          "result": "failed" if look.get("error") else "listened",
                          "reason": None, "window_s": seconds, "message": look.get("error"),
                          "senders": len(senders), "packets": listen.get("packets")})
        return result

    def _dump(self, d: "Daemon") -> "Dict[str, Any]":
        if not d.alive:
            return {"ok": False, "message": "%s is not running" % daemon_label(d.name)}
        return self.blocking_dump(d.name, "request", self.settings.dump_timeout * DUMP_WAIT_FACTOR)

    @staticmethod
    def _instances(d: "Daemon", before: "Dict[str, Any]", after: "Dict[str, Any]", wanted: "Optional[str]",
                   salt: bytes) -> "List[Dict[str, Any]]":
        """Each instance as the last dump (else the daemon's last known record) says, with its counters before,
        after and what moved between them, and its own password's fingerprint."""
        first = {i["instance"]: i for i in before.get("instances", [])} if before.get("ok") else {}
        last = {i["instance"]: i for i in after.get("instances", [])} if after.get("ok") else {}
        known = last or first or dict(d.instances)
        records = []
        for name, inst in sorted(known.items()):
            if wanted is not None and name != wanted:
                continue
            record = {k: inst.get(k) for k in INSTANCE_FIELDS}
            stats_before = (first.get(name) or {}).get("stats") or {}
            stats_after = (last.get(name) or {}).get("stats") or {}
            record["stats_before"] = stats_before
            record["stats_after"] = stats_after
            record["stats_moved"] = counter_deltas(stats_before, stats_after) if first and last else {}
            digest = inst.get("auth_digest")
            record["auth_fingerprint"] = auth_fingerprint(digest, salt) if isinstance(digest, str) else None
            record["source"] = inst.get("source")
            records.append(record)
        return records
