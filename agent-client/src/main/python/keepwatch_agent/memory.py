"""Handing the heap the agent freed back to the system (malloc_trim), at most every TRIM_MIN_INTERVAL_S."""

import time

from .linux import trim_memory
from .proc import proc_rss_kb

TRIM_MIN_INTERVAL_S = 1.0          # malloc_trim at most this often
TRIM_AFTER_OUTPUT_BYTES = 64 * 1024
TRIM_AT_START_RSS_KB = 16 * 1024   # above this at start (the source was just compiled), hand back freed heap


class HeapTrimmer(object):
    """Asked for after a big write and after each config operation; trims after the loop turn, when the last trim
    is old enough."""

    def __init__(self) -> None:
        self.wanted = False
        self.last = 0.0

    def want(self) -> None:
        """From any thread: a bool set, read on the loop thread."""
        self.wanted = True

    def after_output(self, size: int) -> None:
        if size >= TRIM_AFTER_OUTPUT_BYTES:
            self.wanted = True

    def at_start(self) -> None:
        if proc_rss_kb() > TRIM_AT_START_RSS_KB:
            trim_memory()   # compiling the source left freed heap; loading the cached code does not
        self.last = time.monotonic()

    def after_turn(self) -> None:
        if self.wanted and time.monotonic() - self.last >= TRIM_MIN_INTERVAL_S:
            self.wanted = False
            self.last = time.monotonic()
            trim_memory()
