"""rtnetlink: a network namespace's addresses and links, watched for changes."""

import errno
import os
import socket
import struct
import time

from .linux import CLONE_NEWNET, current_netns_fd, setns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Set, Tuple  # noqa: F401
    from .loop import Timer  # noqa: F401

NETLINK_ROUTE = 0
NLMSG_HDR = struct.Struct("=IHHII")
IFADDRMSG = struct.Struct("=BBBBI")
IFINFOMSG = struct.Struct("=BxHiII")
RTATTR = struct.Struct("=HH")
NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN = 1, 2, 3, 4
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_DUMP = 0x1, 0x2, 0x300
RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR = 0x1, 0x10, 0x100
IFA_ADDRESS, IFA_LOCAL, IFA_LABEL = 1, 2, 3
IFLA_IFNAME = 3
IFF_LOWER_UP = 0x10000             # the link has carrier: what keepalived's FAULT state follows
NETLINK_RCVBUF_BYTES = 4 * 1024 * 1024
NETLINK_RECV_BYTES = 256 * 1024
NETLINK_DUMP_TIMEOUT_S = 2.0


def open_netlink_socket(netns_path: "Optional[str]") -> socket.socket:
    """A NETLINK_ROUTE socket subscribed to address and link changes, created in netns_path."""
    own = target = -1
    try:
        if netns_path:
            target = os.open(netns_path, os.O_RDONLY)
            own = current_netns_fd()
            setns(target, CLONE_NEWNET)
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | getattr(socket, "SOCK_CLOEXEC", 0), NETLINK_ROUTE)
        finally:
            if own >= 0:
                setns(own, CLONE_NEWNET)
    finally:
        for fd in (own, target):
            if fd >= 0:
                os.close(fd)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, NETLINK_RCVBUF_BYTES)
        sock.bind((0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR))
    except OSError:
        sock.close()
        raise
    return sock


def _align4(n: int) -> int:
    return (n + 3) & ~3


def parse_netlink(data: bytes) -> "List[Tuple[int, int, int, bytes]]":
    """Splits a netlink datagram into (type, flags, seq, payload)."""
    messages = []
    offset = 0
    while offset + NLMSG_HDR.size <= len(data):
        length, mtype, flags, seq, _ = NLMSG_HDR.unpack_from(data, offset)
        if length < NLMSG_HDR.size or offset + length > len(data):
            break
        messages.append((mtype, flags, seq, data[offset + NLMSG_HDR.size:offset + length]))
        offset += _align4(length)
    return messages


def parse_rtattrs(data: bytes, offset: int) -> "Dict[int, bytes]":
    attrs = {}
    while offset + RTATTR.size <= len(data):
        length, atype = RTATTR.unpack_from(data, offset)
        if length < RTATTR.size:
            break
        attrs[atype] = data[offset + RTATTR.size:offset + length]
        offset += _align4(length)
    return attrs


def parse_ifaddr(payload: bytes) -> "Optional[Dict[str, Any]]":
    if len(payload) < IFADDRMSG.size:
        return None
    family, prefixlen, flags, scope, index = IFADDRMSG.unpack_from(payload, 0)
    attrs = parse_rtattrs(payload, IFADDRMSG.size)
    raw = attrs.get(IFA_LOCAL) or attrs.get(IFA_ADDRESS)
    if family == socket.AF_INET and raw is not None and len(raw) == 4:
        address = socket.inet_ntop(socket.AF_INET, raw)
    elif family == socket.AF_INET6 and raw is not None and len(raw) == 16:
        address = socket.inet_ntop(socket.AF_INET6, raw)
    else:
        return None
    label = attrs.get(IFA_LABEL)
    return {"address": address, "prefix": prefixlen, "ifindex": index, "scope": scope,
            "label": label.rstrip(b"\0").decode("utf-8", "replace") if label else None,
            "family": 6 if family == socket.AF_INET6 else 4}


def parse_ifinfo(payload: bytes) -> "Optional[Tuple[int, Optional[str], bool]]":
    """(index, name, carrier) of an RTM_NEWLINK/RTM_DELLINK message."""
    if len(payload) < IFINFOMSG.size:
        return None
    _, _, index, flags, _ = IFINFOMSG.unpack_from(payload, 0)
    attrs = parse_rtattrs(payload, IFINFOMSG.size)
    name = attrs.get(IFLA_IFNAME)
    return index, name.rstrip(b"\0").decode("utf-8", "replace") if name else None, bool(flags & IFF_LOWER_UP)


def netlink_dump_request(mtype: int, seq: int) -> bytes:
    body = IFADDRMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0) if mtype == RTM_GETADDR else IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
    return NLMSG_HDR.pack(NLMSG_HDR.size + len(body), mtype, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body


def is_link_local(address: str) -> bool:
    return address.lower().startswith("fe80:")


class NetnsWatch(object):
    """Addresses present in one network namespace, kept current from rtnetlink."""

    def __init__(self, inode: int, name: "Optional[str]", path: "Optional[str]") -> None:
        self.inode = inode
        self.name = name
        self.path = path
        self.sock = None  # type: Optional[socket.socket]
        self.addrs = {}  # type: Dict[Tuple[str, int], Dict[str, Any]]
        self.links = {}  # type: Dict[int, str]
        self.carrier = {}  # type: Dict[int, bool]          # ifindex -> has carrier (IFF_LOWER_UP)
        self.seq = 0
        self.orphans = {}  # type: Dict[str, Dict[str, Any]]
        self.candidates = {}  # type: Dict[str, float]
        self.pending_dumps = set()  # type: Set[str]
        self.debounce_timer = None  # type: Optional[Timer]
        self.recheck_timer = None  # type: Optional[Timer]

    def open(self) -> None:
        self.sock = open_netlink_socket(self.path)
        self.resync()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def fileno(self) -> int:
        return self.sock.fileno() if self.sock is not None else -1

    def _dump(self, mtype: int) -> "List[Tuple[int, bytes]]":
        assert self.sock is not None
        self.seq += 1
        seq = self.seq
        self.sock.send(netlink_dump_request(mtype, seq))
        result = []
        deadline = time.monotonic() + NETLINK_DUMP_TIMEOUT_S
        self.sock.settimeout(NETLINK_DUMP_TIMEOUT_S)
        try:
            while time.monotonic() < deadline:
                data = self.sock.recv(NETLINK_RECV_BYTES)
                for mt, flags, mseq, payload in parse_netlink(data):
                    if mseq != seq:
                        continue    # a live notification; the dump reflects it anyway
                    if mt == NLMSG_DONE:
                        return result
                    if mt == NLMSG_ERROR:
                        code = struct.unpack_from("=i", payload, 0)[0] if len(payload) >= 4 else 0
                        if code:
                            raise OSError(-code, "netlink dump failed: %s" % os.strerror(-code))
                        return result
                    result.append((mt, payload))
        finally:
            self.sock.setblocking(False)
        raise OSError(errno.ETIMEDOUT, "netlink dump timed out")

    def resync(self) -> "Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]":
        """Re-reads links and addresses; returns (added, removed) against what was known."""
        self.links = {}
        for mt, payload in self._dump(RTM_GETLINK):
            info = parse_ifinfo(payload)
            if info is not None and info[1]:
                self.links[info[0]] = info[1]
                self.carrier[info[0]] = info[2]
        fresh = {}
        for mt, payload in self._dump(RTM_GETADDR):
            addr = parse_ifaddr(payload) if mt == RTM_NEWADDR else None
            if addr is not None and not is_link_local(addr["address"]):
                addr["ifname"] = addr["label"] if addr["family"] == 4 and addr["label"] else self.links.get(addr["ifindex"])
                fresh[(addr["address"], addr["ifindex"])] = addr
        added = [a for k, a in fresh.items() if k not in self.addrs]
        removed = [a for k, a in self.addrs.items() if k not in fresh]
        self.addrs = fresh
        return added, removed

    def read_changes(self) -> "Tuple[List[Tuple[str, Dict[str, Any]]], bool]":
        """Drains the socket: ([("added"|"removed", addr) or ("link", link)], overflowed). A link is reported when
        its carrier comes or goes, or it comes or goes itself: keepalived enters or leaves FAULT then, which a
        BACKUP does without any address changing."""
        changes = []  # type: List[Tuple[str, Dict[str, Any]]]
        assert self.sock is not None
        while True:
            try:
                data = self.sock.recv(NETLINK_RECV_BYTES, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return changes, False
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:
                    return changes, True
                raise
            if not data:
                return changes, False
            for mtype, _, _, payload in parse_netlink(data):
                if mtype in (RTM_NEWLINK, RTM_DELLINK):
                    info = parse_ifinfo(payload)
                    if info is not None:
                        index, name, carrier = info
                        if mtype == RTM_NEWLINK and name:
                            self.links[index] = name
                        if mtype == RTM_DELLINK:
                            self.links.pop(index, None)
                            self.carrier.pop(index, None)
                            changes.append(("link", {"ifindex": index, "ifname": name, "carrier": False}))
                        elif self.carrier.get(index) != carrier:
                            self.carrier[index] = carrier
                            changes.append(("link", {"ifindex": index, "ifname": name, "carrier": carrier}))
                    continue
                if mtype not in (RTM_NEWADDR, RTM_DELADDR):
                    continue
                addr = parse_ifaddr(payload)
                if addr is None or is_link_local(addr["address"]):
                    continue
                addr["ifname"] = addr["label"] if addr["family"] == 4 and addr["label"] else self.links.get(addr["ifindex"])
                key = (addr["address"], addr["ifindex"])
                if mtype == RTM_NEWADDR:
                    if key not in self.addrs:
                        changes.append(("added", addr))
                    self.addrs[key] = addr
                elif key in self.addrs:
                    del self.addrs[key]
                    changes.append(("removed", addr))

    def present(self) -> "Dict[str, Dict[str, Any]]":
        return {a["address"]: a for a in self.addrs.values()}
