"""A VRRP instance as the agent's events and snapshots show it, and what changed between two of its records."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional  # noqa: F401

CHANGE_FIELDS = ("state", "effective_priority", "base_priority", "vips", "excluded_vips", "last_transition",
                 "advert_int", "version", "vrid", "interface", "nopreempt", "source")
PUBLIC_FIELDS = ("instance", "vrid", "state", "wantstate", "base_priority", "effective_priority", "master_priority",
                 "interface", "vmac_interface", "advert_int", "version", "nopreempt", "preempt_delay", "auth_type",
                 "last_transition", "vips_set", "vips", "excluded_vips", "unicast_peers", "track_scripts",
                 "track_interfaces", "sync_group", "stats", "source")


def instance_changes(prev: "Optional[Dict[str, Any]]", new: "Dict[str, Any]") -> "List[str]":
    if prev is None:
        return ["new"]
    return [f for f in CHANGE_FIELDS if prev.get(f) != new.get(f)]


def public_instance(inst: "Dict[str, Any]") -> "Dict[str, Any]":
    return {k: inst.get(k) for k in PUBLIC_FIELDS}
