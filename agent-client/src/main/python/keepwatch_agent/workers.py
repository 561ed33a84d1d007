"""Config operations on worker threads: at most MAX_CONCURRENT_WORKERS at once, each answered on the loop thread."""

import threading

from .log import LOG
from .protocol import AgentError, E_BUSY, E_INTERNAL

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict  # noqa: F401
    from .channel import Channel  # noqa: F401
    from .loop import Loop  # noqa: F401

MAX_CONCURRENT_WORKERS = 4
SHUTDOWN_WORKER_WAIT_S = 300.0


class WorkerPool(object):
    """Runs an op's handler on a daemon thread of its own and answers its request from the loop thread; refuses
    (busy) beyond MAX_CONCURRENT_WORKERS. on_finished runs on the worker thread once an op is done."""

    def __init__(self, loop: "Loop", channel: "Channel", on_finished: "Callable[[], None]") -> None:
        self.loop = loop
        self.channel = channel
        self.on_finished = on_finished
        self.running = 0
        self.lock = threading.Lock()

    def busy(self) -> int:
        """How many operations are running now."""
        with self.lock:
            return self.running

    def start(self, req_id: "Any", op: str, handler: "Callable[[Any, Dict[str, Any]], Dict[str, Any]]",
              args: "Dict[str, Any]") -> None:
        with self.lock:
            if self.running >= MAX_CONCURRENT_WORKERS:
                self.channel.respond_error(req_id, AgentError(E_BUSY, "%d config operations are already running; "
                                                              "retry when one finishes" % MAX_CONCURRENT_WORKERS))
                return
            self.running += 1

        def work() -> None:
            try:
                result = handler(req_id, args)
                self.loop.call_soon_threadsafe(lambda: self.channel.respond(req_id, result))
            except AgentError as err:
                error = err
                self.loop.call_soon_threadsafe(lambda: self.channel.respond_error(req_id, error))
            except Exception as exc:
                LOG.exception("op %s failed", op)
                error = AgentError(E_INTERNAL, "internal error in %s: %s" % (op, exc))
                self.loop.call_soon_threadsafe(lambda: self.channel.respond_error(req_id, error))
            finally:
                with self.lock:
                    self.running -= 1
                self.on_finished()
                self.loop.call_soon_threadsafe(lambda: None)    # wake the loop: it may be waiting to exit

        thread = threading.Thread(target=work, name="op-%s" % op)
        thread.daemon = True
        thread.start()
