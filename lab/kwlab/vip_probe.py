"""A VIP as its clients see it during a failover: probed from the workstation's side of the lab every few
milliseconds, two ways at once.

- ICMP echo through the workstation's own kernel (its ARP cache, as a client's): a probe is answered when its echo
  reply comes back. The longest silence between two answers is what a client lost.
- ARP who-has for the VIP: every node that holds the VIP answers with its own MAC. A round in which two MACs
  answered is a round in which two nodes held the VIP at once (the overlap a failover must keep short).

One AF_PACKET socket on the workstation's link hears both answers with the MAC that sent them. The probe's ARP
requests refresh the workstation's neighbour entry for the VIP as a client's own traffic would; keepalived's
gratuitous ARPs do the rest.
"""
import os
import select
import socket
import struct
import threading
import time
from typing import Dict, List, Optional

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
ICMP_ECHO_REQUEST = 8
ICMP_ECHO_REPLY = 0
ARP_REQUEST = 1
ARP_REPLY = 2
DEFAULT_INTERVAL_S = 0.010
ANSWER_TIMEOUT_S = 0.200
RECEIVE_BUFFER = 4 * 1024 * 1024


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def mac_text(raw: bytes) -> str:
    return ":".join("%02x" % b for b in raw)


def link_mac(link: str) -> bytes:
    with open("/sys/class/net/%s/address" % link) as handle:
        return bytes(int(part, 16) for part in handle.read().strip().split(":"))


class Probe(object):
    """Probes one VIP from one link until stopped; the answers are kept with their times and MACs."""

    def __init__(self, link: str, source: str, vip: str, interval: float = DEFAULT_INTERVAL_S) -> None:
        self.link = link
        self.source = source
        self.vip = vip
        self.interval = interval
        self.ident = os.getpid() & 0xFFFF
        self.mac = link_mac(link)
        self.sent = []            # type: List[float]            # probe i sent at sent[i] (ICMP seq i & 0xffff)
        self.echo_replies = {}    # type: Dict[int, tuple]        # probe i -> (time, mac)
        self.arp_replies = []     # type: List[tuple]             # (time, mac)
        self._stop = threading.Event()
        self._threads = []        # type: List[threading.Thread]
        self._listen = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self._listen.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        self._listen.bind((link, 0))
        self._arp = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
        self._arp.bind((link, 0))
        self._icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        self._icmp.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, link.encode())
        self._icmp.setblocking(False)

    def start(self) -> "Probe":
        for target in (self._receive, self._send):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        time.sleep(ANSWER_TIMEOUT_S)
        self._stop.set()
        for thread in self._threads:
            thread.join()
        for sock in (self._listen, self._arp, self._icmp):
            sock.close()

    def _arp_request(self) -> bytes:
        ether = b"\xff" * 6 + self.mac + struct.pack("!H", ETH_P_ARP)
        arp = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, ARP_REQUEST) + self.mac + socket.inet_aton(self.source) \
            + b"\0" * 6 + socket.inet_aton(self.vip)
        return ether + arp

    def _echo_request(self, seq: int) -> bytes:
        header = struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, self.ident, seq & 0xFFFF)
        payload = struct.pack("!d", time.time())
        return struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, checksum(header + payload), self.ident, seq & 0xFFFF) + payload

    def _send(self) -> None:
        request = self._arp_request()
        start = time.monotonic()
        seq = 0
        while not self._stop.is_set():
            due = start + seq * self.interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.sent.append(time.monotonic())
            try:
                self._icmp.sendto(self._echo_request(seq), (self.vip, 0))
            except OSError:
                pass   # no route or no neighbour yet: the probe counts as unanswered
            try:
                self._arp.send(request)
            except OSError:
                pass
            seq += 1

    def _receive(self) -> None:
        vip = socket.inet_aton(self.vip)
        source = socket.inet_aton(self.source)
        while not self._stop.is_set():
            ready, _, _ = select.select([self._listen], [], [], 0.05)
            if not ready:
                continue
            frame = self._listen.recv(2048)
            at = time.monotonic()
            if len(frame) < 14 or frame[0:6] != self.mac:
                continue
            sender, kind = frame[6:12], struct.unpack("!H", frame[12:14])[0]
            if kind == ETH_P_ARP and len(frame) >= 42:
                op = struct.unpack("!H", frame[20:22])[0]
                if op == ARP_REPLY and frame[28:32] == vip and frame[38:42] == source:
                    self.arp_replies.append((at, mac_text(sender)))
            elif kind == ETH_P_IP and len(frame) >= 34 and frame[23] == socket.IPPROTO_ICMP and frame[26:30] == vip:
                header_len = (frame[14] & 0x0F) * 4
                icmp = frame[14 + header_len:]
                if len(icmp) >= 8 and icmp[0] == ICMP_ECHO_REPLY:
                    ident, seq = struct.unpack("!HH", icmp[4:8])
                    if ident == self.ident:
                        self._answered(seq, at, mac_text(sender))

    def _answered(self, seq16: int, at: float, mac: str) -> None:
        """The probe this reply answers: the latest one sent with this 16-bit sequence number."""
        for index in range(len(self.sent) - 1, -1, -1):
            if index & 0xFFFF == seq16:
                if index not in self.echo_replies and at - self.sent[index] <= ANSWER_TIMEOUT_S:
                    self.echo_replies[index] = (at, mac)
                return

    def report(self, macs: Optional[Dict[str, str]] = None, window: Optional[tuple] = None) -> dict:
        """What the clients saw, over the probes sent within window (monotonic from, to; default all):
        probes, lost (unanswered), longest silence between two answers (ms), rounds in which two MACs answered
        ARP, the longest run of them and its time (ms), and who answered (node names from macs)."""
        names = macs or {}
        lo, hi = window or (float("-inf"), float("inf"))
        probes = [i for i, t in enumerate(self.sent) if lo <= t <= hi and t <= self.sent[-1] - ANSWER_TIMEOUT_S]
        answered = sorted(self.echo_replies[i][0] for i in probes if i in self.echo_replies)
        lost = sum(1 for i in probes if i not in self.echo_replies)
        silences = [b - a for a, b in zip(answered, answered[1:])]
        rounds = {}   # type: Dict[int, set]
        first = self.sent[probes[0]] if probes else 0.0
        for at, mac in self.arp_replies:
            if probes and self.sent[probes[0]] <= at <= self.sent[probes[-1]] + self.interval:
                rounds.setdefault(int((at - first) / self.interval), set()).add(mac)
        double = sorted(r for r, held in rounds.items() if len(held) > 1)
        longest_run, run = 0, 0
        for previous, current in zip([None] + double, double):
            run = run + 1 if previous is not None and current == previous + 1 else 1
            longest_run = max(longest_run, run)
        ordered = sorted(rounds)
        before = sorted({names.get(m, m) for r in ordered[:10] for m in rounds[r]})
        after = sorted({names.get(m, m) for r in ordered[-10:] for m in rounds[r]})
        return {"probes": len(probes), "lost": lost,
                "longest_silence_ms": round(max(silences) * 1000, 1) if silences else None,
                "overlap_rounds": len(double), "overlap_ms": round(longest_run * self.interval * 1000, 1),
                "answered_before": before, "answered_after": after}
