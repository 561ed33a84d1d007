"""VRRP advertisements read off the wire (RFC 3768 v2, RFC 5798 v3, and v2 behind an IPsec AH header), and the table
of their senders a diagnosis listens into: bounded whatever arrives, garbage counted, never raised past the caller."""

import socket
import struct

from .sha256 import sha256_hex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple  # noqa: F401

IPPROTO_VRRP = 112
IPPROTO_AH = 51
VRRP_TYPE_ADVERT = 1
VRRP_HEADER = struct.Struct("!BBBBBBH")        # version/type, vrid, priority, count, auth type (v2) | rsvd/interval
VRRP_V2_AUTH_DATA_BYTES = 8
VRRP_TTL = 255                                 # RFC 3768/5798: a router discards adverts with another TTL/hop limit
AH_FIXED = struct.Struct("!BBHII")             # next header, payload length, reserved, SPI, sequence number
IPV4_MIN_HEADER = 20
V2_AUTH_TYPES = {0: "none", 1: "PASS", 2: "AH"}
AUTH_FINGERPRINT_HEX = 12
AUTH_DIGEST_PREFIX = b"keepwatch vrrp auth\0"
HMAC_BLOCK_BYTES = 64
MAX_SENDERS = 64                               # distinct (interface, family, source, vrid, version) kept per window
MAX_ADDRESSES_KEPT = 16                        # addresses of one advert kept (the count is always told)
MAX_PRIORITIES_KEPT = 4                        # distinct priorities one sender was seen with
MALFORMED_REASONS = ("truncated", "bad_version", "not_advert", "bad_ip_header", "not_vrrp_after_ah", "bad_length")


class MalformedAdvert(Exception):
    """A packet that is not a VRRP advertisement this parser can read; reason is one of MALFORMED_REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        Exception.__init__(self, "%s%s" % (reason, ": " + detail if detail else ""))
        self.reason = reason


def internet_checksum(data: bytes) -> int:
    """The 16-bit one's complement sum of RFC 1071 (0 when data carries a right checksum)."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def auth_digest(secret: bytes) -> str:
    """A simple password as a dump's record keeps it (never the password itself): the SHA-256 of the 8 bytes VRRPv2
    carries (keepalived truncates auth_pass to 8 and pads with zeros). Not a public field: only auth_fingerprint of
    it, salted, leaves the node."""
    data = secret[:VRRP_V2_AUTH_DATA_BYTES].ljust(VRRP_V2_AUTH_DATA_BYTES, b"\0")
    return sha256_hex(AUTH_DIGEST_PREFIX + data)


def auth_fingerprint(digest: str, salt: bytes) -> str:
    """What two simple passwords can be compared by without showing either: an HMAC-SHA256 of their auth_digest,
    keyed by the diagnosis' salt (the same for every member of one diagnosis, never twice)."""
    key = salt if len(salt) <= HMAC_BLOCK_BYTES else bytes.fromhex(sha256_hex(salt))
    key = key.ljust(HMAC_BLOCK_BYTES, b"\0")
    inner = bytes.fromhex(sha256_hex(bytes(b ^ 0x36 for b in key) + digest.encode("ascii")))
    return sha256_hex(bytes(b ^ 0x5C for b in key) + inner)[:AUTH_FINGERPRINT_HEX]


def parse_vrrp(payload: bytes, family: int, src: "Optional[bytes]" = None, dst: "Optional[bytes]" = None,
               salt: bytes = b"") -> "Dict[str, Any]":
    """One VRRP message (the IP payload) as {version, vrid, priority, advert_int_s, auth_type, addresses, ...};
    checksum_ok is None when it cannot be checked (no addresses for v3's pseudo-header). Raises MalformedAdvert."""
    if len(payload) < VRRP_HEADER.size:
        raise MalformedAdvert("truncated", "%d bytes, a VRRP header is 8" % len(payload))
    version_type, vrid, priority, count, byte4, byte5, _ = VRRP_HEADER.unpack_from(payload, 0)
    version, kind = version_type >> 4, version_type & 0x0F
    if version not in (2, 3):
        raise MalformedAdvert("bad_version", "version %d" % version)
    if kind != VRRP_TYPE_ADVERT:
        raise MalformedAdvert("not_advert", "type %d" % kind)
    addr_len = 16 if family == socket.AF_INET6 else 4
    needed = VRRP_HEADER.size + count * addr_len + (VRRP_V2_AUTH_DATA_BYTES if version == 2 else 0)
    if len(payload) < needed:
        raise MalformedAdvert("truncated", "%d bytes for %d addresses, needs %d" % (len(payload), count, needed))
    addresses = [socket.inet_ntop(family, payload[VRRP_HEADER.size + i * addr_len:VRRP_HEADER.size + (i + 1) * addr_len])
                 for i in range(min(count, MAX_ADDRESSES_KEPT))]
    advert = {"version": version, "vrid": vrid, "priority": priority, "address_count": count,
              "addresses": addresses, "auth_type": "none", "auth_fingerprint": None}  # type: Dict[str, Any]
    message = payload[:needed]
    if version == 2:
        advert["advert_int_s"] = float(byte5)
        advert["auth_type"] = V2_AUTH_TYPES.get(byte4, "unknown(%d)" % byte4)
        if byte4 == 1:
            advert["auth_fingerprint"] = auth_fingerprint(auth_digest(payload[needed - VRRP_V2_AUTH_DATA_BYTES:needed]),
                                                         salt)
        advert["checksum_ok"] = internet_checksum(message) == 0 if family == socket.AF_INET else None
    else:
        advert["advert_int_s"] = (((byte4 & 0x0F) << 8) | byte5) / 100.0
        if src is None or dst is None:
            advert["checksum_ok"] = None
        elif family == socket.AF_INET6:
            pseudo = src + dst + struct.pack("!I3xB", len(message), IPPROTO_VRRP)
            advert["checksum_ok"] = internet_checksum(pseudo + message) == 0
        else:
            pseudo = src + dst + struct.pack("!xBH", IPPROTO_VRRP, len(message))
            advert["checksum_ok"] = internet_checksum(pseudo + message) == 0
    return advert


def split_ipv4(packet: bytes) -> "Tuple[bytes, bytes, int, int, bytes]":
    """(source, destination, ttl, protocol, payload) of an IPv4 packet as a raw socket hands it over."""
    if len(packet) < IPV4_MIN_HEADER or packet[0] >> 4 != 4:
        raise MalformedAdvert("bad_ip_header", "not an IPv4 header")
    header_len = (packet[0] & 0x0F) * 4
    total = struct.unpack_from("!H", packet, 2)[0]
    if header_len < IPV4_MIN_HEADER or len(packet) < header_len or total < header_len:
        raise MalformedAdvert("bad_ip_header", "header length %d of %d bytes" % (header_len, len(packet)))
    end = min(total, len(packet))
    return packet[12:16], packet[16:20], packet[8], packet[9], packet[header_len:end]


def split_ah(payload: bytes) -> "Tuple[int, int, bytes]":
    """(next header, SPI, what follows) of an IPsec AH header (RFC 4302): its length is (payload length + 2) words."""
    if len(payload) < AH_FIXED.size:
        raise MalformedAdvert("truncated", "%d bytes, an AH header is at least 12" % len(payload))
    next_header, length_words, _, spi, _ = AH_FIXED.unpack_from(payload, 0)
    ah_len = (length_words + 2) * 4
    if ah_len < AH_FIXED.size or ah_len > len(payload):
        raise MalformedAdvert("bad_length", "AH header of %d bytes in %d" % (ah_len, len(payload)))
    return next_header, spi, payload[ah_len:]


class SenderTable(object):
    """Who sent adverts in one listening window: per (interface, family, source, VRID, version) their last advert,
    packet counts and what varied. At most MAX_SENDERS entries (more are counted, not kept); malformed packets
    counted by reason. Fed by one thread."""

    def __init__(self, salt: bytes) -> None:
        self.salt = salt
        self.senders = {}  # type: Dict[Tuple[str, int, str, int, int], Dict[str, Any]]
        self.packets = 0
        self.malformed = dict((reason, 0) for reason in MALFORMED_REASONS)
        self.senders_dropped = 0
        self.last_malformed = None  # type: Optional[Dict[str, Any]]

    def ipv4_packet(self, packet: bytes, ifname: str, ts: float, own: bool = False) -> None:
        """A packet from an IPv4 raw socket of protocol 112 or 51 (AH): header included."""
        self.packets += 1
        try:
            src, dst, ttl, proto, payload = split_ipv4(packet)
            spi = None
            if proto == IPPROTO_AH:
                next_header, spi, payload = split_ah(payload)
                if next_header != IPPROTO_VRRP:
                    raise MalformedAdvert("not_vrrp_after_ah", "next header %d" % next_header)
            elif proto != IPPROTO_VRRP:
                raise MalformedAdvert("bad_ip_header", "protocol %d" % proto)
            advert = parse_vrrp(payload, socket.AF_INET, src, dst, self.salt)
            if spi is not None:
                advert["auth_type"] = "AH"
                advert["ah_spi"] = spi
                advert["checksum_ok"] = None    # AH covers the packet; the VRRP checksum is not what guards it
        except MalformedAdvert as bad:
            self._malformed(bad, ifname, packet[12:16] if len(packet) >= 16 else None, socket.AF_INET, ts)
            return
        self._record(advert, ifname, socket.AF_INET, socket.inet_ntop(socket.AF_INET, src),
                     socket.inet_ntop(socket.AF_INET, dst), ttl, ts)

    def ipv6_packet(self, payload: bytes, src: bytes, dst: "Optional[bytes]", hop_limit: "Optional[int]",
                    ifname: str, ts: float, ah: bool = False) -> None:
        """A payload from an IPv6 raw socket (the kernel strips the IPv6 header; source, destination and hop limit
        come from recvmsg)."""
        self.packets += 1
        try:
            spi = None
            if ah:
                next_header, spi, payload = split_ah(payload)
                if next_header != IPPROTO_VRRP:
                    raise MalformedAdvert("not_vrrp_after_ah", "next header %d" % next_header)
            advert = parse_vrrp(payload, socket.AF_INET6, src, dst, self.salt)
            if spi is not None:
                advert["auth_type"] = "AH"
                advert["ah_spi"] = spi
                advert["checksum_ok"] = None
        except MalformedAdvert as bad:
            self._malformed(bad, ifname, src, socket.AF_INET6, ts)
            return
        self._record(advert, ifname, socket.AF_INET6, socket.inet_ntop(socket.AF_INET6, src),
                     socket.inet_ntop(socket.AF_INET6, dst) if dst else None, hop_limit, ts)

    def _malformed(self, bad: MalformedAdvert, ifname: str, src: "Optional[bytes]", family: int, ts: float) -> None:
        self.malformed[bad.reason] = self.malformed.get(bad.reason, 0) + 1
        source = None
        if src is not None and len(src) == (16 if family == socket.AF_INET6 else 4):
            source = socket.inet_ntop(family, src)
        self.last_malformed = {"interface": ifname, "source": source, "reason": str(bad)[:200], "ts": ts}

    def _record(self, advert: "Dict[str, Any]", ifname: str, family: int, source: str, dest: "Optional[str]",
                ttl: "Optional[int]", ts: float) -> None:
        key = (ifname, 6 if family == socket.AF_INET6 else 4, source, advert["vrid"], advert["version"])
        entry = self.senders.get(key)
        if entry is None:
            if len(self.senders) >= MAX_SENDERS:
                self.senders_dropped += 1
                return
            entry = {"interface": ifname, "family": key[1], "source": source, "vrid": advert["vrid"],
                     "version": advert["version"], "packets": 0, "first_ts": ts, "priorities": [],
                     "bad_checksum": 0, "bad_ttl": 0, "priority_zero": 0, "destinations": []}
            self.senders[key] = entry
        entry["packets"] += 1
        entry["last_ts"] = ts
        for field in ("priority", "advert_int_s", "auth_type", "auth_fingerprint", "address_count", "addresses"):
            entry[field] = advert[field]
        if "ah_spi" in advert:
            entry["ah_spi"] = advert["ah_spi"]
        entry["ttl"] = ttl
        if advert["priority"] not in entry["priorities"] and len(entry["priorities"]) < MAX_PRIORITIES_KEPT:
            entry["priorities"].append(advert["priority"])
        if advert["priority"] == 0:
            entry["priority_zero"] += 1
        if advert.get("checksum_ok") is False:
            entry["bad_checksum"] += 1
        if ttl is not None and ttl != VRRP_TTL:
            entry["bad_ttl"] += 1
        if dest is not None and dest not in entry["destinations"] and len(entry["destinations"]) < 2:
            entry["destinations"].append(dest)

    def to_json(self) -> "Dict[str, Any]":
        senders = []
        for _, entry in sorted(self.senders.items()):
            record = dict(entry)
            span = record["last_ts"] - record["first_ts"]
            record["measured_interval_s"] = round(span / (record["packets"] - 1), 3) if record["packets"] > 1 else None
            record["first_ts"] = round(record["first_ts"], 3)
            record["last_ts"] = round(record["last_ts"], 3)
            senders.append(record)
        return {"packets": self.packets, "malformed": sum(self.malformed.values()),
                "malformed_reasons": {k: v for k, v in self.malformed.items() if v},
                "last_malformed": self.last_malformed, "senders_dropped": self.senders_dropped, "senders": senders}
