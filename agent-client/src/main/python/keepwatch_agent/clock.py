"""Time: the wall clock every message carries, its spellings in records and file names, and offsets that spread
periodic work."""

import time

from .sha256 import sha256_hex


def now() -> float:
    """Wall-clock timestamp carried by every message (seconds since the epoch)."""
    return round(time.time(), 6)


def iso_time(ts: float) -> str:
    """UTC ISO 8601 with microseconds, e.g. 2026-11-26T10:06:17.123456Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".%06dZ" % int((ts % 1) * 1000000)


def compact_time(ts: float) -> str:
    """UTC timestamp for file names that sort in time order, e.g. 20261126T100617.123456Z."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(ts)) + ".%06dZ" % int((ts % 1) * 1000000)


def stagger(name: str, interval: float) -> float:
    """A stable offset in [0, interval) per daemon, so periodic dumps do not come in bursts."""
    return (int(sha256_hex(name.encode())[:8], 16) % 10000) / 10000.0 * interval
