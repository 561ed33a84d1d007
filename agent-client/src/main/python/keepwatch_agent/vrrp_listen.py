"""Inside a daemon's network namespace, on a thread of its own: its links and addresses (rtnetlink), the VRRP adverts
that reach it for a few seconds (raw sockets, IPv4 and IPv6, VRRP and AH), and its nftables ruleset as the root-owned
`nft -j` shows it (run from that thread, so in that namespace; never a shell)."""

import errno
import json
import os
import select
import socket
import struct
import threading
import time

from .commands import run_command
from .linux import CLONE_NEWNET, setns
from .netlink import (IFINFOMSG, IFLA_IFNAME, IFF_LOWER_UP, NETLINK_ROUTE, NLMSG_DONE, NLMSG_ERROR, RTM_GETADDR,
    RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK, netlink_dump_request, parse_ifaddr, parse_netlink, parse_rtattrs)
from .protocol import AgentError
from .trust import trusted_directory, trusted_owner
from .vrrp_adverts import IPPROTO_AH, IPPROTO_VRRP, SenderTable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple  # noqa: F401

IFF_UP = 0x1
IP_PKTINFO = 8
IP_ADD_MEMBERSHIP = 35
IPV6_JOIN_GROUP = 20
IPV6_RECVPKTINFO = 49
IPV6_PKTINFO = 50
IPV6_RECVHOPLIMIT = 51
IPV6_HOPLIMIT = 52
IN_PKTINFO = struct.Struct("=i4s4s")
IN6_PKTINFO = struct.Struct("=16sI")
IP_MREQN = struct.Struct("=4s4si")
IPV6_MREQ = struct.Struct("=16sI")
VRRP_GROUP_V4 = "224.0.0.18"
VRRP_GROUP_V6 = "ff02::12"
LISTEN_RCVBUF_BYTES = 256 * 1024       # the kernel's share of a flood; beyond it the kernel drops, not the agent
LISTEN_RECV_BYTES = 65536
LISTEN_MAX_PACKETS = 20000             # a flood stops the parsing (told as truncated), not the agent
MAX_LINKS = 256
NETLINK_LISTEN_TIMEOUT_S = 2.0
NFT_BINARIES = ("/usr/sbin/nft", "/sbin/nft")
NFT_TIMEOUT_S = 5.0
NFT_MAX_OUTPUT_CHARS = 4 * 1024 * 1024
NFT_MAX_OBJECTS = 20000
NFT_HOOKS_IN = ("prerouting", "input", "ingress")
NFT_HOOKS_OUT = ("output", "postrouting")
NFT_DROP_VERDICTS = ("drop", "reject")
NFT_VRRP_WORDS = ("vrrp", 112, "112", VRRP_GROUP_V4, VRRP_GROUP_V6)
NFT_AH_WORDS = ("ah", 51, "51")
MAX_FIREWALL_FINDINGS = 20
THREAD_JOIN_MARGIN_S = 15.0


def netns_links_and_addresses() -> "Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]":
    """This thread's namespace's links ({ifindex, ifname, up, carrier}) and addresses ({ifname, address, prefix,
    family}), from one rtnetlink dump each."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | getattr(socket, "SOCK_CLOEXEC", 0), NETLINK_ROUTE)
    try:
        sock.settimeout(NETLINK_LISTEN_TIMEOUT_S)
        links = []
        for payload in _netlink_dump(sock, RTM_GETLINK, RTM_NEWLINK, 1):
            if len(payload) < IFINFOMSG.size or len(links) >= MAX_LINKS:
                continue
            _, _, index, flags, _ = IFINFOMSG.unpack_from(payload, 0)
            name = parse_rtattrs(payload, IFINFOMSG.size).get(IFLA_IFNAME)
            links.append({"ifindex": index, "ifname": name.rstrip(b"\0").decode("utf-8", "replace") if name else None,
                          "up": bool(flags & IFF_UP), "carrier": bool(flags & IFF_LOWER_UP)})
        names = {link["ifindex"]: link["ifname"] for link in links}
        addresses = []
        for payload in _netlink_dump(sock, RTM_GETADDR, RTM_NEWADDR, 2):
            addr = parse_ifaddr(payload)
            if addr is not None and len(addresses) < MAX_LINKS * 4:
                addresses.append({"ifname": names.get(addr["ifindex"]), "ifindex": addr["ifindex"],
                                  "address": addr["address"], "prefix": addr["prefix"], "family": addr["family"]})
        return links, addresses
    finally:
        sock.close()


def _netlink_dump(sock: socket.socket, request: int, answer: int, seq: int) -> "List[bytes]":
    sock.send(netlink_dump_request(request, seq))
    found = []
    deadline = time.monotonic() + NETLINK_LISTEN_TIMEOUT_S
    while time.monotonic() < deadline:
        for mtype, _, mseq, payload in parse_netlink(sock.recv(LISTEN_RECV_BYTES)):
            if mseq != seq:
                continue
            if mtype in (NLMSG_DONE, NLMSG_ERROR):
                return found
            if mtype == answer:
                found.append(payload)
    raise OSError(errno.ETIMEDOUT, "netlink dump timed out")


def open_vrrp_sockets(links: "List[Dict[str, Any]]",
                      addresses: "List[Dict[str, Any]]") -> "Tuple[List[Tuple[socket.socket, int, int]], List[str]]":
    """Raw sockets for VRRP and AH, IPv4 and IPv6, each joined to the VRRP group on every link that is up: [(sock,
    family, protocol)] and the problems met (a family the kernel lacks, a group it would not join)."""
    sockets = []  # type: List[Tuple[socket.socket, int, int]]
    problems = []  # type: List[str]
    up = [link for link in links if link["up"] and link["ifname"] != "lo"]
    for family, proto in ((socket.AF_INET, IPPROTO_VRRP), (socket.AF_INET, IPPROTO_AH),
                          (socket.AF_INET6, IPPROTO_VRRP), (socket.AF_INET6, IPPROTO_AH)):
        try:
            sock = socket.socket(family, socket.SOCK_RAW | getattr(socket, "SOCK_CLOEXEC", 0), proto)
        except OSError as exc:
            problems.append("no raw IPv%d socket for protocol %d: %s" % (6 if family == socket.AF_INET6 else 4, proto,
                                                                         exc.strerror or exc))
            continue
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, LISTEN_RCVBUF_BYTES)
        if family == socket.AF_INET:
            sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        else:
            sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
            sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
        if proto == IPPROTO_VRRP:
            for link in up:
                _join_group(sock, family, link, addresses, problems)
        sock.setblocking(False)
        sockets.append((sock, family, proto))
    return sockets, problems


def _join_group(sock: socket.socket, family: int, link: "Dict[str, Any]", addresses: "List[Dict[str, Any]]",
                problems: "List[str]") -> None:
    """Joins the VRRP group on one link, so that the adverts reach this socket whether or not keepalived joined it."""
    try:
        if family == socket.AF_INET:
            if not any(a["ifindex"] == link["ifindex"] and a["family"] == 4 for a in addresses):
                return
            sock.setsockopt(socket.IPPROTO_IP, IP_ADD_MEMBERSHIP,
                            IP_MREQN.pack(socket.inet_aton(VRRP_GROUP_V4), b"\0\0\0\0", link["ifindex"]))
        else:
            sock.setsockopt(socket.IPPROTO_IPV6, IPV6_JOIN_GROUP,
                            IPV6_MREQ.pack(socket.inet_pton(socket.AF_INET6, VRRP_GROUP_V6), link["ifindex"]))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            problems.append("could not join %s on %s: %s" % (VRRP_GROUP_V4 if family == socket.AF_INET else VRRP_GROUP_V6,
                                                            link["ifname"], exc.strerror or exc))


def listen_adverts(sockets: "List[Tuple[socket.socket, int, int]]", names: "Dict[int, str]", seconds: float,
                   table: SenderTable, clock: "Callable[[], float]" = time.time) -> bool:
    """Reads adverts into the table for `seconds`; False when a flood stopped it early (LISTEN_MAX_PACKETS)."""
    poller = select.poll()
    by_fd = {}
    for sock, family, proto in sockets:
        poller.register(sock.fileno(), select.POLLIN)
        by_fd[sock.fileno()] = (sock, family, proto)
    deadline = time.monotonic() + seconds
    ancillary = socket.CMSG_SPACE(IN6_PKTINFO.size) + socket.CMSG_SPACE(4) + socket.CMSG_SPACE(IN_PKTINFO.size)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        for fd, _ in poller.poll(max(1, int(left * 1000))):
            sock, family, proto = by_fd[fd]
            while time.monotonic() < deadline:     # a steady stream on one socket still ends with the window
                if table.packets >= LISTEN_MAX_PACKETS:
                    return False
                try:
                    data, cmsgs, _, address = sock.recvmsg(LISTEN_RECV_BYTES, ancillary)
                except (BlockingIOError, InterruptedError):
                    break
                _one_packet(table, data, cmsgs, address, family, proto, names, clock())
            if time.monotonic() >= deadline:
                return True


def _one_packet(table: SenderTable, data: bytes, cmsgs: "List[Tuple[int, int, bytes]]", address: "Any", family: int,
                proto: int, names: "Dict[int, str]", ts: float) -> None:
    ifindex = None  # type: Optional[int]
    dst = None  # type: Optional[bytes]
    hop_limit = None  # type: Optional[int]
    for level, kind, value in cmsgs:
        if level == socket.IPPROTO_IP and kind == IP_PKTINFO and len(value) >= IN_PKTINFO.size:
            ifindex = IN_PKTINFO.unpack_from(value, 0)[0]
        elif level == socket.IPPROTO_IPV6 and kind == IPV6_PKTINFO and len(value) >= IN6_PKTINFO.size:
            dst, ifindex = IN6_PKTINFO.unpack_from(value, 0)
        elif level == socket.IPPROTO_IPV6 and kind == IPV6_HOPLIMIT and len(value) >= 4:
            hop_limit = struct.unpack_from("=i", value, 0)[0]
    ifname = names.get(ifindex, "if%s" % ifindex) if ifindex is not None else "?"
    if family == socket.AF_INET:
        table.ipv4_packet(data, ifname, ts)
    else:
        src = socket.inet_pton(socket.AF_INET6, address[0].split("%")[0])
        table.ipv6_packet(data, src, dst, hop_limit, ifname, ts, ah=proto == IPPROTO_AH)


def trusted_nft() -> "Optional[str]":
    """The nft binary the agent may run: owned by root, not writable by group or others, in such a directory."""
    for path in NFT_BINARIES:
        try:
            if trusted_owner(os.stat(path)) and trusted_directory(os.stat(os.path.dirname(path))):
                return path
        except OSError:
            continue
    return None


def firewall_view(nft: "Optional[str]") -> "Dict[str, Any]":
    """This thread's namespace's nftables ruleset, read for what would drop VRRP: {looked, tool, drops, reason}."""
    if nft is None:
        return {"looked": False, "tool": None, "drops": [],
                "reason": "could not look: no nft owned by root at %s" % " or ".join(NFT_BINARIES)}
    try:
        code, out, err = run_command([nft, "-j", "list", "ruleset"], NFT_TIMEOUT_S,
                                     env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"})
    except AgentError as exc:
        return {"looked": False, "tool": nft, "drops": [], "reason": "could not look: %s" % exc.message}
    if code != 0:
        return {"looked": False, "tool": nft, "drops": [],
                "reason": "could not look: nft exited %d: %s" % (code, (err.strip() or out.strip())[:300])}
    if len(out) > NFT_MAX_OUTPUT_CHARS:
        return {"looked": False, "tool": nft, "drops": [],
                "reason": "could not look: the ruleset is larger than %d bytes" % NFT_MAX_OUTPUT_CHARS}
    try:
        objects = json.loads(out).get("nftables", []) if out.strip() else []
    except (ValueError, AttributeError) as exc:
        return {"looked": False, "tool": nft, "drops": [], "reason": "could not look: nft -j printed no JSON: %s" % exc}
    result = nft_vrrp_drops(objects if isinstance(objects, list) else [])
    result.update({"looked": True, "tool": nft, "reason": None})
    return result


def nft_vrrp_drops(objects: "List[Any]") -> "Dict[str, Any]":
    """From nft -j's objects, what drops VRRP: a rule of a base chain on an incoming or outgoing hook that drops or
    rejects VRRP (protocol or next header vrrp/112 or ah, or the VRRP group as destination) or everything, or such a
    chain whose policy drops and where no rule accepts VRRP first. {tables, chains, drops: [{direction, where,
    rule, how}]}."""
    chains = {}  # type: Dict[Tuple[str, str, str], Dict[str, Any]]
    rules = []  # type: List[Dict[str, Any]]
    tables = 0
    for obj in objects[:NFT_MAX_OBJECTS]:
        if not isinstance(obj, dict):
            continue
        if isinstance(obj.get("table"), dict):
            tables += 1
        chain = obj.get("chain")
        if isinstance(chain, dict) and chain.get("hook"):
            chains[(str(chain.get("family")), str(chain.get("table")), str(chain.get("name")))] = chain
        rule = obj.get("rule")
        if isinstance(rule, dict):
            rules.append(rule)
    drops = []  # type: List[Dict[str, Any]]
    accepted = set()
    for rule in rules:
        key = (str(rule.get("family")), str(rule.get("table")), str(rule.get("chain")))
        chain = chains.get(key)
        if chain is None:
            continue
        direction = _direction(chain)
        if direction is None:
            continue
        exprs = rule.get("expr") if isinstance(rule.get("expr"), list) else []
        matches = [e["match"] for e in exprs if isinstance(e, dict) and isinstance(e.get("match"), dict)]
        verdict = next((name for e in exprs if isinstance(e, dict) for name in e
                        if name in NFT_DROP_VERDICTS + ("accept",)), None)
        vrrp = any(_matches_vrrp(m) for m in matches)
        where = "%s %s %s" % key
        if verdict == "accept" and vrrp:
            accepted.add(key)
        elif verdict in NFT_DROP_VERDICTS and (vrrp or not matches) and key not in accepted:
            drops.append({"direction": direction, "where": where, "rule": _rule_text(matches, verdict),
                          "how": "rule" if matches else "rule (everything)", "handle": rule.get("handle")})
    for key, chain in sorted(chains.items()):
        direction = _direction(chain)
        if direction is not None and chain.get("policy") == "drop" and key not in accepted:
            drops.append({"direction": direction, "where": "%s %s %s" % key, "rule": "policy drop", "how": "policy",
                          "handle": None})
    return {"tables": tables, "chains": len(chains), "drops": drops[:MAX_FIREWALL_FINDINGS]}


def _direction(chain: "Dict[str, Any]") -> "Optional[str]":
    if chain.get("type", "filter") != "filter" or chain.get("family") == "bridge":
        return None
    if chain.get("hook") in NFT_HOOKS_IN:
        return "in"
    if chain.get("hook") in NFT_HOOKS_OUT:
        return "out"
    return None


def _matches_vrrp(match: "Dict[str, Any]") -> bool:
    if match.get("op", "==") not in ("==", "in"):
        return False
    right = match.get("right")
    values = right.get("set") if isinstance(right, dict) and isinstance(right.get("set"), list) else [right]
    left = json.dumps(match.get("left"), sort_keys=True)
    if any(v in NFT_VRRP_WORDS for v in values if isinstance(v, (str, int))):
        return True
    return any(v in NFT_AH_WORDS for v in values if isinstance(v, (str, int))) and (
        "protocol" in left or "nexthdr" in left or "l4proto" in left)


def _rule_text(matches: "List[Dict[str, Any]]", verdict: "Optional[str]") -> str:
    words = []
    for match in matches:
        left = match.get("left")
        if isinstance(left, dict) and isinstance(left.get("payload"), dict):
            label = "%s %s" % (left["payload"].get("protocol"), left["payload"].get("field"))
        elif isinstance(left, dict) and isinstance(left.get("meta"), dict):
            label = "meta %s" % left["meta"].get("key")
        else:
            label = json.dumps(left, sort_keys=True)[:60]
        right = match.get("right")
        words.append("%s %s %s" % (label, match.get("op", "=="), json.dumps(right, sort_keys=True)[:60]))
    words.append(verdict or "")
    return " ".join(words).strip()[:300]


class NetnsListener(object):
    """One diagnosis' look inside a network namespace, done on a thread of its own that enters it (setns, per
    thread) and never leaves it: links, addresses, adverts for `seconds`, and the firewall. run() waits for it."""

    def __init__(self, netns_path: "Optional[str]", seconds: float, salt: bytes) -> None:
        self.netns_path = netns_path
        self.seconds = seconds
        self.table = SenderTable(salt)
        self.result = {}  # type: Dict[str, Any]

    def run(self) -> "Dict[str, Any]":
        thread = threading.Thread(target=self._inside, name="diagnose-netns")
        thread.daemon = True
        thread.start()
        thread.join(self.seconds + THREAD_JOIN_MARGIN_S)
        if thread.is_alive():
            return {"error": "the listener did not finish within %.0f s" % (self.seconds + THREAD_JOIN_MARGIN_S)}
        return self.result

    def _inside(self) -> None:
        sockets = []  # type: List[Tuple[socket.socket, int, int]]
        try:
            if self.netns_path:
                fd = os.open(self.netns_path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
                try:
                    setns(fd, CLONE_NEWNET)
                finally:
                    os.close(fd)
            links, addresses = netns_links_and_addresses()
            sockets, problems = open_vrrp_sockets(links, addresses)
            started = time.time()
            complete = listen_adverts(sockets, {l["ifindex"]: l["ifname"] for l in links}, self.seconds, self.table) \
                if sockets else True
            listened = self.table.to_json()
            listened.update({"started": round(started, 3), "ended": round(time.time(), 3), "complete": complete,
                             "problems": problems, "sockets": len(sockets)})
            self.result = {"links": links, "addresses": addresses, "listen": listened,
                           "firewall": firewall_view(trusted_nft())}
        except OSError as exc:
            self.result = {"error": "cannot look inside %s: %s" % (self.netns_path or "the node's own namespace",
                                                                  exc.strerror or exc)}
        except Exception as exc:    # a thread of its own: whatever happens is said in the answer, never lost
            self.result = {"error": "the listener failed: %r" % exc}
        finally:
            for sock, _, _ in sockets:
                sock.close()
