"""A stranger on the lab's LAN: sends VRRPv2 adverts for a VRID it is no member of (lab/fail stranger), until killed.

Run by the lab inside its own namespace (kw-stranger); standard library only.

    python3 stranger.py --vrid 51 --source 10.77.0.99 [--priority 254] [--password kwlab1] [--interval 1] [--address 10.77.0.199]
"""
import argparse
import socket
import struct
import time

VRRP_GROUP = "224.0.0.18"
IPPROTO_VRRP = 112
VRRP_TTL = 255


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def advert(vrid: int, priority: int, password: str, interval: int, addresses) -> bytes:
    """A VRRPv2 advertisement with simple-password authentication (RFC 3768), as keepalived sends one."""
    auth_type = 1 if password else 0
    body = struct.pack("!BBBBBBH", 0x21, vrid, priority, len(addresses), auth_type, interval, 0)
    body += b"".join(socket.inet_aton(a) for a in addresses)
    body += password.encode()[:8].ljust(8, b"\0")
    return body[:6] + struct.pack("!H", checksum(body)) + body[8:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vrid", type=int, required=True)
    parser.add_argument("--priority", type=int, default=254)
    parser.add_argument("--password", default="")
    parser.add_argument("--interval", type=int, default=1)
    parser.add_argument("--address", default="10.77.0.199", help="the virtual address its adverts carry")
    parser.add_argument("--source", required=True, help="its own address: the interface the adverts leave by")
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_VRRP)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, VRRP_TTL)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, VRRP_TTL)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(args.source))
    packet = advert(args.vrid, args.priority, args.password, args.interval, [args.address])
    while True:
        sock.sendto(packet, (VRRP_GROUP, 0))
        time.sleep(args.interval)


if __name__ == "__main__":
    raise SystemExit(main())
