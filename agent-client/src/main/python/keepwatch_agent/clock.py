"""Timestamps: the wall clock every message carries, and its spellings in records and file names."""

import time


def now() -> float:
    """Wall-clock timestamp carried by every message (seconds since the epoch)."""
    return round(time.time(), 6)


def iso_time(ts: float) -> str:
    """UTC ISO 8601 with microseconds, e.g. 2026-11-26T10:06:17.123456Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".%06dZ" % int((ts % 1) * 1000000)


def compact_time(ts: float) -> str:
    """UTC timestamp for file names that sort in time order, e.g. 20261126T100617.123456Z."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(ts)) + ".%06dZ" % int((ts % 1) * 1000000)
