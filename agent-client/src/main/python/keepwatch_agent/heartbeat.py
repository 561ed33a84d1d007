"""The heartbeat: an event every heartbeat_interval while the client is subscribed, so that it can tell a quiet
session from a dead one."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional  # noqa: F401
    from .channel import Channel  # noqa: F401
    from .loop import Loop, Timer  # noqa: F401


class Heartbeat(object):
    """heartbeat events numbered from 1 (seq), each with what status() says then, while subscribed() holds."""

    def __init__(self, loop: "Loop", channel: "Channel", interval: float, subscribed: "Callable[[], bool]",
                 status: "Callable[[], Dict[str, Any]]") -> None:
        self.loop = loop
        self.channel = channel
        self.interval = interval
        self.subscribed = subscribed
        self.status = status
        self.seq = 0
        self.timer = None  # type: Optional[Timer]

    def start(self) -> None:
        if self.timer is None and self.interval > 0:
            self.timer = self.loop.call_later(self.interval, self._beat)

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _beat(self) -> None:
        self.timer = None
        if not self.subscribed():
            return
        self.seq += 1
        self.channel.event("heartbeat", seq=self.seq, **self.status())
        self.start()
