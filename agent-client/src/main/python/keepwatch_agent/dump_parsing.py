"""keepalived's state dumps, JSON (SIGJSON) and text (SIGUSR1), read into one instance shape."""

import json
import re
import socket

from .vrrp_adverts import auth_digest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple  # noqa: F401

# keepalived's VRRP states (vrrp.h), as numbers in the JSON dump and names in the text dump.
VRRP_STATES = {0: "INIT", 1: "BACKUP", 2: "MASTER", 3: "FAULT", 97: "STOP", 98: "DELETED"}
AUTH_TYPES = {0: "none", 1: "PASS", 2: "AH"}
TEXT_AUTH_TYPES = {"none": "none", "SIMPLE_PASSWORD": "PASS", "IPSEC_AH": "AH"}

STATS_KEYS = ("advert_rcvd", "advert_sent", "become_master", "release_master", "pri_zero_rcvd",
              "pri_zero_sent", "auth_failure", "authtype_mismatch", "advert_interval_err",
              "addr_list_err", "packet_len_err", "ip_ttl_err", "invalid_type_rcvd", "invalid_authtype")

TEXT_INSTANCE_RE = re.compile(r"^ VRRP Instance = (.+)$")
TEXT_KV_RE = re.compile(r"^   ([^=]+?) = (.*)$")
TEXT_LIST_RE = re.compile(r"^   ([A-Za-z][A-Za-z _]*?)\s*(?:\(\d+\))?\s*:$")
TEXT_SECTION_RE = re.compile(r"^------< (.+) >------$")


def normalise_address(text: str) -> "Tuple[str, int]":
    """'10.0.0.1/24' or 'fd00::1' -> ('10.0.0.1', 24) / ('fd00::1', 128), canonical spelling."""
    addr, _, prefix = text.partition("/")
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    try:
        addr = socket.inet_ntop(family, socket.inet_pton(family, addr))
    except (OSError, ValueError):
        pass
    if prefix.isdigit():
        return addr, int(prefix)
    return addr, 128 if family == socket.AF_INET6 else 32


def parse_vip(text: str) -> "Dict[str, Any]":
    """A VIP line as keepalived prints it: '10.0.0.1/24 dev eth0 scope global set'."""
    tokens = text.split()
    if not tokens:
        raise ValueError("empty VIP")
    addr, prefix = normalise_address(tokens[0])
    vip = {"address": addr, "prefix": prefix, "cidr": "%s/%d" % (addr, prefix),
           "dev": None, "set": tokens[-1] == "set"}  # type: Dict[str, Any]
    if "dev" in tokens:
        index = tokens.index("dev")
        if index + 1 < len(tokens):
            vip["dev"] = tokens[index + 1]
    return vip


def _state_name(value: "Any") -> str:
    if isinstance(value, int):
        return VRRP_STATES.get(value, "UNKNOWN(%d)" % value)
    return str(value)


def _auth_type(value: "Any") -> str:
    """none, PASS or AH; VRRPv3 has no authentication and its text dump omits the line."""
    if value is None:
        return "none"
    if isinstance(value, int):
        return AUTH_TYPES.get(value, str(value))
    return str(value)


def _instance_record(raw: "Dict[str, Any]") -> "Dict[str, Any]":
    """Normalised instance shape shared by both dump formats (never includes auth secrets)."""
    vips = [parse_vip(v) for v in raw.get("vips") or []]
    evips = [parse_vip(v) for v in raw.get("evips") or []]
    return {
        "instance": raw.get("iname"),
        "vrid": raw.get("vrid"),
        "state": _state_name(raw.get("state")),
        "wantstate": _state_name(raw.get("wantstate")) if raw.get("wantstate") is not None else None,
        "base_priority": raw.get("base_priority"),
        "effective_priority": raw.get("effective_priority"),
        "master_priority": raw.get("master_priority"),
        "interface": raw.get("ifp_ifname"),
        "vmac_interface": raw.get("vmac_ifname") or None,
        "advert_int": raw.get("adver_int"),
        "version": raw.get("version"),
        "nopreempt": bool(raw.get("nopreempt")),
        "preempt_delay": raw.get("preempt_delay"),
        "auth_type": _auth_type(raw.get("auth_type")),
        "last_transition": raw.get("last_transition"),
        "vips_set": raw.get("vipset"),
        "vips": [v["cidr"] for v in vips],
        "excluded_vips": [v["cidr"] for v in evips],
        "vip_details": vips + [dict(v, excluded=True) for v in evips],
        # a vrrp_script by its name: the text dump writes "chk weight -10"; a JSON dump before keepalived 2.3 writes
        # the script's command line instead ("'/usr/bin/true'"), which the agent names from the configuration
        "track_scripts": [str(t).split()[0] for t in raw.get("track_script") or [] if str(t).split()],
        # the text dump writes "eth1 weight 0" (keepalived 2.1 to 2.3) where the JSON dump writes "eth1": the name
        "track_interfaces": [str(t).split()[0] for t in raw.get("track_ifp") or [] if str(t).split()],
        # neither dump names an instance's sync group: the agent takes it from the configuration (claims)
        "sync_group": None,
        # the text dump lists unicast peers (none: multicast); the JSON dump does not say (null)
        "unicast_peers": [normalise_address(p.split()[0])[0] for p in raw["unicast_peer"] if p.split()]
        if isinstance(raw.get("unicast_peer"), list) else None,
    }


def parse_json_dump(text: str) -> "List[Dict[str, Any]]":
    """keepalived.json: a list of {data, stats} (json_version 1) or {"vrrp": [...]} (version 2)."""
    doc = json.loads(text)
    if isinstance(doc, dict):
        doc = doc.get("vrrp", [])
    if not isinstance(doc, list):
        raise ValueError("keepalived.json holds neither a list nor a {vrrp: [...]} object")
    instances = []
    for entry in doc:
        if not isinstance(entry, dict) or not isinstance(entry.get("data"), dict):
            raise ValueError("keepalived.json entry without a data object")
        record = _instance_record(entry["data"])
        stats = entry.get("stats") if isinstance(entry.get("stats"), dict) else {}
        record["stats"] = {k: stats[k] for k in STATS_KEYS if k in stats}
        if record["auth_type"] == "PASS" and isinstance(entry["data"].get("auth_data"), str):
            # for a diagnosis' salted fingerprint only (diagnose.py); not a public field, never sent
            record["auth_digest"] = auth_digest(entry["data"]["auth_data"].encode("utf-8"))
        instances.append(record)
    return instances


def parse_text_dump(text: str) -> "List[Dict[str, Any]]":
    """keepalived.data (SIGUSR1), section 'VRRP Topology', into the JSON dump's field names."""
    raws = []  # type: List[Dict[str, Any]]
    section = None
    current = None  # type: Optional[Dict[str, Any]]
    list_name = None  # type: Optional[str]
    for line in text.splitlines():
        m = TEXT_SECTION_RE.match(line)
        if m:
            section = m.group(1)
            current = None
            continue
        if section != "VRRP Topology":
            continue
        m = TEXT_INSTANCE_RE.match(line)
        if m:
            # keepalived prints "Preempt delay" only when it is not 0; the JSON dump always says it
            current = {"iname": m.group(1).strip(), "vips": [], "evips": [], "unicast_peer": [], "preempt_delay": 0}
            raws.append(current)
            list_name = None
            continue
        if current is None:
            continue
        if line.startswith("     ") and list_name is not None:
            current.setdefault(list_name, []).append(line.strip())
            continue
        m = TEXT_LIST_RE.match(line)
        if m:
            list_name = {"Virtual IP": "vips", "Virtual IP Excluded": "evips",
                         "Tracked scripts": "track_script", "Tracked interfaces": "track_ifp",
                         "Unicast Peer": "unicast_peer"}.get(
                m.group(1).strip(), "_" + m.group(1).strip())
            continue
        list_name = None
        m = TEXT_KV_RE.match(line)
        if m:
            _text_field(current, m.group(1).strip(), m.group(2).strip())
    instances = []
    for raw in raws:
        record = _instance_record(raw)
        record["stats"] = {}
        instances.append(record)
    return instances


def _leading_number(value: str) -> "Optional[float]":
    m = re.match(r"^-?\d+(?:\.\d+)?", value)
    return float(m.group(0)) if m else None


def _text_field(raw: "Dict[str, Any]", key: str, value: str) -> None:
    number = _leading_number(value)
    if key == "State":
        raw["state"] = value
    elif key == "Wantstate":
        raw["wantstate"] = value
    elif key == "VRRP Version" and number is not None:
        raw["version"] = int(number)
    elif key == "Virtual Router ID" and number is not None:
        raw["vrid"] = int(number)
    elif key == "Priority" and number is not None:
        raw["base_priority"] = int(number)
    elif key == "Effective priority" and number is not None:
        raw["effective_priority"] = int(number)
    elif key == "Master priority" and number is not None:
        raw["master_priority"] = int(number)
    elif key == "Interface":
        raw["ifp_ifname"] = value
    elif key == "Last transition" and number is not None:
        raw["last_transition"] = number
    elif key == "Advert interval" and number is not None:
        seconds = number / 1000.0 if "milli" in value else number
        raw["adver_int"] = int(seconds) if seconds == int(seconds) else seconds    # as the JSON dump writes it: 1, 0.5
    elif key == "Preempt":
        raw["nopreempt"] = value == "disabled"
    elif key == "Preempt delay" and number is not None:
        raw["preempt_delay"] = int(number)
    elif key == "Authentication type":
        raw["auth_type"] = TEXT_AUTH_TYPES.get(value, value)
    # Password and every other field are left out on purpose.
