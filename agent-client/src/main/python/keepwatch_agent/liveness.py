"""Liveness of the daemons' processes: a pidfd per process where the kernel has them (it turns readable when the
process exits), else a look at /proc every liveness_interval while the agent monitors."""

import os

from .linux import pidfd_open
from .log import LOG
from .proc import is_alive

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterable, Optional  # noqa: F401
    from .daemon import Daemon  # noqa: F401
    from .loop import Loop, Timer  # noqa: F401


class PidWatch(object):
    """Tells on_exit(daemon, pid) when a watched process of a daemon (its main process or its VRRP child) exits; a pid
    gone before it could be watched asks for a rescan (on_vanished). Without pidfds, looks every liveness_interval
    while monitoring() says so: a dead main process goes to on_daemon_exit, a dead VRRP child to on_exit."""

    def __init__(self, loop: "Loop", proc_root: str, liveness_interval: float,
                 on_exit: "Callable[[Daemon, int], None]", on_daemon_exit: "Callable[[Daemon], None]",
                 on_vanished: "Callable[[], None]", daemons: "Callable[[], Iterable[Daemon]]",
                 monitoring: "Callable[[], bool]") -> None:
        self.loop = loop
        self.proc_root = proc_root
        self.liveness_interval = liveness_interval
        self.on_exit = on_exit
        self.on_daemon_exit = on_daemon_exit
        self.on_vanished = on_vanished
        self.daemons = daemons
        self.monitoring = monitoring
        self.supported = None  # type: Optional[bool]     # pidfds work here (None: not tried yet)
        self.timer = None  # type: Optional[Timer]

    def watch(self, d: "Daemon", pid: "Optional[int]") -> None:
        if pid is None or pid in d.pidfds or self.supported is False:
            return
        try:
            fd = pidfd_open(pid)
        except ProcessLookupError:
            self.loop.call_later(0, self.on_vanished)
            return
        if fd is None:
            if self.supported is None:
                LOG.info("pidfd is unavailable; checking pids every %.1f s", self.liveness_interval)
            self.supported = False
            self.schedule_polling()
            return
        self.supported = True
        starttime = d.starttime if pid == d.pid else d.children.get(pid, (None, None))[1]
        d.pidfds[pid] = fd
        self.loop.add_reader(fd, lambda: self.on_exit(d, pid))
        if not is_alive(self.proc_root, pid, starttime):
            self.on_exit(d, pid)      # exited (or the pid was reused) before the pidfd existed

    def forget(self, d: "Daemon", pid: int) -> None:
        """Stops watching pid (it exited)."""
        fd = d.pidfds.pop(pid, None)
        if fd is not None:
            self.loop.remove_reader(fd)
            os.close(fd)

    def close(self, d: "Daemon") -> None:
        for fd in d.pidfds.values():
            self.loop.remove_reader(fd)
            try:
                os.close(fd)
            except OSError:
                pass
        d.pidfds = {}

    def schedule_polling(self) -> None:
        if self.timer is None and self.monitoring():
            self.timer = self.loop.call_later(self.liveness_interval, self._poll)

    def _poll(self) -> None:
        self.timer = None
        for d in list(self.daemons()):
            if d.alive and not is_alive(self.proc_root, d.pid, d.starttime):
                self.on_daemon_exit(d)
            elif d.alive and d.vrrp_pid is not None and not is_alive(self.proc_root, d.vrrp_pid):
                self.on_exit(d, d.vrrp_pid)
        self.schedule_polling()
