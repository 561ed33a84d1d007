"""The session's channel: requests read from stdin as lines, messages written to stdout as lines, batched
(docs/protocol.md, Framing)."""

import json
import os
import re

from .clock import now
from .log import LOG
from .protocol import AgentError, E_TOO_LARGE, ID_HINT_BYTES, MAX_REQUEST_BYTES, STDIN_READ_BYTES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional  # noqa: F401
    from .loop import Loop, Timer  # noqa: F401
    from .memory import HeapTrimmer  # noqa: F401

ID_HINT_RE = re.compile(rb'"id"\s*:\s*(-?\d{1,18}|"[^"\\]{0,100}")')


class Channel(object):
    """Framing both ways. In: stdin split into lines for on_line; a line longer than MAX_REQUEST_BYTES is refused
    (too_large, with the id its first bytes show) and dropped up to its end. Out: messages queued and written together
    once per loop turn (flush), or every batch_interval. A closed stdin or stdout calls on_closed."""

    def __init__(self, loop: "Loop", batch_interval: float, on_line: "Callable[[bytes], None]",
                 on_closed: "Callable[[], None]", trimmer: "HeapTrimmer", stdin_fd: int = 0, stdout_fd: int = 1) -> None:
        self.loop = loop
        self.batch_interval = batch_interval
        self.on_line = on_line
        self.on_closed = on_closed
        self.trimmer = trimmer
        self.stdin_fd = stdin_fd
        self.stdout_fd = stdout_fd
        self.inbuf = bytearray()
        self.discarding = False
        self.outbuf = []  # type: List[bytes]
        self.flush_timer = None  # type: Optional[Timer]
        self.input_open = True
        self.output_open = True

    def start(self) -> None:
        self.loop.add_reader(self.stdin_fd, self._on_stdin)

    # -- output ------------------------------------------------------------------------------

    def emit(self, message: "Dict[str, Any]") -> None:
        """Queues one protocol line; lines are written together once per loop turn (batched)."""
        if not self.output_open:
            return
        if "ts" not in message:
            message["ts"] = now()
        self.outbuf.append(json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n")
        if self.batch_interval > 0 and self.flush_timer is None:
            self.flush_timer = self.loop.call_later(self.batch_interval, self.flush)

    def emit_threadsafe(self, message: "Dict[str, Any]") -> None:
        message.setdefault("ts", now())
        self.loop.call_soon_threadsafe(lambda: self.emit(message))

    def event(self, name: str, **fields: "Any") -> None:
        message = {"event": name, "ts": now()}
        message.update(fields)
        self.emit(message)

    def respond(self, req_id: "Any", result: "Dict[str, Any]") -> None:
        self.emit({"id": req_id, "ok": True, "ts": now(), "result": result})

    def respond_error(self, req_id: "Any", err: AgentError) -> None:
        self.emit({"id": req_id, "ok": False, "ts": now(), "error": err.to_json()})

    def after_turn(self) -> None:
        if self.batch_interval <= 0:
            self.flush()

    def flush(self) -> None:
        self.flush_timer = None
        if not self.outbuf or not self.output_open:
            self.outbuf = []
            return
        data = b"".join(self.outbuf)
        self.outbuf = []
        self.trimmer.after_output(len(data))
        view = memoryview(data)
        try:
            while view:
                written = os.write(self.stdout_fd, view)
                view = view[written:]
        except (BrokenPipeError, ConnectionResetError):
            LOG.info("stdout closed by the client; ending the session")
            self.output_open = False
            self.on_closed()
        except OSError as exc:
            LOG.error("cannot write to stdout: %s; ending the session", exc)
            self.output_open = False
            self.on_closed()

    # -- input -------------------------------------------------------------------------------

    def _on_stdin(self) -> None:
        try:
            chunk = os.read(self.stdin_fd, STDIN_READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            LOG.info("stdin failed (%s); ending the session", exc)
            chunk = b""
        if not chunk:
            LOG.info("stdin closed; ending the session")
            self.loop.remove_reader(self.stdin_fd)
            self.input_open = False
            if self.inbuf and not self.discarding:
                line = bytes(self.inbuf)
                self.inbuf = bytearray()
                self.on_line(line)
            self.on_closed()
            return
        self.inbuf += chunk
        while True:
            index = self.inbuf.find(b"\n")
            if index < 0:
                break
            line = bytes(self.inbuf[:index])
            del self.inbuf[:index + 1]
            if self.discarding:
                self.discarding = False
                continue
            if len(line) > MAX_REQUEST_BYTES:
                self._too_large(line)
                continue
            self.on_line(line)
        if len(self.inbuf) > MAX_REQUEST_BYTES and not self.discarding:
            self._too_large(bytes(self.inbuf[:ID_HINT_BYTES]))
            self.inbuf = bytearray()
            self.discarding = True
        elif self.discarding:
            self.inbuf = bytearray()

    def _too_large(self, head: bytes) -> None:
        m = ID_HINT_RE.search(head[:ID_HINT_BYTES])
        req_id = None  # type: Any
        if m:
            try:
                req_id = json.loads(m.group(1).decode())
            except ValueError:
                req_id = None
        self.respond_error(req_id, AgentError(E_TOO_LARGE, "request is larger than %d bytes; refused"
                                              % MAX_REQUEST_BYTES))
