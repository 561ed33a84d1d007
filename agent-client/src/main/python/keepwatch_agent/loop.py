"""The agent's event loop: file readiness, timers, and calls posted from worker threads."""

import collections
import fcntl
import heapq
import itertools
import os
import selectors
import threading
import time

from .log import LOG
from .protocol import AgentError, E_TIMEOUT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple  # noqa: F401


class Timer(object):
    __slots__ = ("when", "callback", "cancelled")

    def __init__(self, when: float, callback: "Callable[[], None]") -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Loop(object):
    """A single-threaded loop: file readiness, timers, and callbacks posted by other threads."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.timers = []  # type: List[Tuple[float, int, Timer]]
        self.counter = itertools.count()
        self.posted = collections.deque()  # type: collections.deque
        self.posted_lock = threading.Lock()
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
            fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
        self.selector.register(self.wake_r, selectors.EVENT_READ, self._drain_wake)
        self.after_turn = []  # type: List[Callable[[], None]]

    def add_reader(self, fd: int, callback: "Callable[[], None]") -> None:
        self.selector.register(fd, selectors.EVENT_READ, callback)

    def remove_reader(self, fd: int) -> None:
        try:
            self.selector.unregister(fd)
        except (KeyError, ValueError):
            pass

    def call_later(self, delay: float, callback: "Callable[[], None]") -> Timer:
        timer = Timer(time.monotonic() + max(0.0, delay), callback)
        heapq.heappush(self.timers, (timer.when, next(self.counter), timer))
        return timer

    def call_soon_threadsafe(self, callback: "Callable[[], None]") -> None:
        with self.posted_lock:
            self.posted.append(callback)
        try:
            os.write(self.wake_w, b"\0")
        except (BlockingIOError, InterruptedError):
            pass

    def _drain_wake(self) -> None:
        try:
            while os.read(self.wake_r, 4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def run_once(self) -> None:
        timeout = None  # type: Optional[float]
        while self.timers and self.timers[0][2].cancelled:
            heapq.heappop(self.timers)
        if self.timers:
            timeout = max(0.0, self.timers[0][0] - time.monotonic())
        with self.posted_lock:
            if self.posted:
                timeout = 0.0
        try:
            ready = self.selector.select(timeout)
        except InterruptedError:
            ready = []
        for key, _ in ready:
            self._guard(key.data)
        current = time.monotonic()
        while self.timers and self.timers[0][0] <= current:
            _, _, timer = heapq.heappop(self.timers)
            if not timer.cancelled:
                self._guard(timer.callback)
        while True:
            with self.posted_lock:
                if not self.posted:
                    break
                callback = self.posted.popleft()
            self._guard(callback)
        for callback in self.after_turn:
            self._guard(callback)

    def call_and_wait(self, fn: "Callable[[], Any]", timeout: float) -> "Any":
        """Runs fn on the loop thread and waits for its result (from a worker thread)."""
        done = threading.Event()
        box = {}  # type: Dict[str, Any]

        def run() -> None:
            try:
                box["value"] = fn()
            except Exception as exc:
                box["error"] = exc
            done.set()
        self.call_soon_threadsafe(run)
        if not done.wait(timeout):
            raise AgentError(E_TIMEOUT, "the agent's event loop did not answer in time")
        if "error" in box:
            raise box["error"]
        return box["value"]

    @staticmethod
    def _guard(callback: "Callable[[], None]") -> None:
        try:
            callback()
        except Exception:   # one bad callback must not end the session
            LOG.exception("unexpected error in the event loop")
