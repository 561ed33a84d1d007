"""Dumps asked of the daemons: when to signal keepalived, for which dump, and when its file is written."""

import collections
import os
import signal
import time

from .daemon import Daemon, daemon_label
from .dump_job import claim_dump_file, DumpJob, read_dump_when_written
from .dump_parsing import parse_json_dump, parse_text_dump
from .log import LOG
from .proc import is_alive, read_proc_stat, signal_caught
from .protocol import AgentError, E_BUSY, E_DUMP_FAILED, E_IO, E_NOT_RUNNING, E_PERMISSION, E_UNTRUSTED
from .trust import config_owner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple  # noqa: F401
    from .discovery import Discovery  # noqa: F401
    from .dump_locks import DumpLocks  # noqa: F401
    from .loop import Loop  # noqa: F401
    from .settings import Settings  # noqa: F401

DUMP_FAST_POLLS = 20               # looks at dump_poll_initial spacing before backing off
DUMP_LOCK_RETRY_S = 0.005          # another agent is dumping into the same TMPDIR: look again this soon
SIGNAL_READY_RETRY_S = 0.05        # keepalived still starting (no handler yet): look again this soon


class DumpScheduler(object):
    """One dump at a time per daemon (a request during one joins it, and asks again after it) and per TMPDIR
    (keepalived writes every dump to one name there; other agents on the node too: DumpLocks). A daemon is signalled
    once it handles the signal, its file polled until written, JSON first and the text dump when no JSON comes. Each
    result goes to on_result(daemon, result, cause), then to the request's waiters, then on_finished(daemon)."""

    def __init__(self, loop: "Loop", settings: "Settings", discovery: "Discovery", daemons: "Dict[str, Daemon]",
                 locks: "DumpLocks", on_result: "Callable[[Daemon, Dict[str, Any], str], None]",
                 on_finished: "Callable[[Daemon], None]", on_vanished: "Callable[[], None]") -> None:
        self.loop = loop
        self.settings = settings
        self.discovery = discovery
        self.daemons = daemons          # the session's table, by name (shared, not copied)
        self.locks = locks
        self.on_result = on_result
        self.on_finished = on_finished
        self.on_vanished = on_vanished
        self.tmpdir_busy = {}  # type: Dict[str, str]
        self.tmpdir_queue = {}  # type: Dict[str, collections.deque]
        self.signal_numbers = {}  # type: Dict[Any, Tuple[Optional[int], Optional[int]]]
        self.taken = 0
        self.failed = 0

    def signums(self, d: Daemon) -> "Tuple[Optional[int], Optional[int]]":
        key = d.exe_key or d.exe
        if key not in self.signal_numbers:
            exe = self.discovery.trusted_binary_for(d)
            probes = self.discovery.probes
            if exe is None:
                # Not the trusted binary: its signal numbers are not asked of it; SIGUSR1 (the text dump) is
                # keepalived's in every version, and it is sent only once the process handles it.
                self.signal_numbers[key] = (None, signal.SIGUSR1)
            else:
                self.signal_numbers[key] = (probes.signum(exe, "JSON"), probes.signum(exe, "DATA") or signal.SIGUSR1)
        return self.signal_numbers[key]

    def request(self, d: Daemon, cause: str, waiter: "Optional[Callable[[Dict[str, Any]], None]]" = None) -> None:
        """Asks keepalived for a dump; coalesces with one in flight; serialises per TMPDIR."""
        if not d.alive:
            if waiter is not None:
                waiter({"ok": False, "code": E_NOT_RUNNING, "message": "%s is not running" % daemon_label(d.name)})
            return
        if waiter is not None:
            d.waiters.append(waiter)
        if d.dump_job is not None:
            d.dump_again = True
            d.dump_again_cause = cause
            return
        json_sig, data_sig = self.signums(d)
        kind = "json" if json_sig else "data"
        path = d.dump_file(kind)
        queue_key = os.path.dirname(path)
        busy = self.tmpdir_busy.get(queue_key)
        if busy is not None and busy != d.name:
            queue = self.tmpdir_queue.setdefault(queue_key, collections.deque())
            if d.name not in queue:
                queue.append(d.name)
            d.dump_again = True
            d.dump_again_cause = cause
            return
        self._start(d, kind, json_sig if kind == "json" else data_sig, cause)

    @staticmethod
    def _config_owner(d: Daemon) -> "Optional[int]":
        """Whose besides root d's dumps may be (config_owner); nobody else's when its configuration belongs to two
        users (the configuration's reads say so)."""
        try:
            return config_owner(d.config, d.fs_root)
        except AgentError:
            return None

    def _start(self, d: Daemon, kind: str, signum: "Optional[int]", cause: str) -> None:
        path = d.dump_file(kind)
        job = DumpJob(kind, path, d.tmp_fs_root, self._config_owner(d), signum or signal.SIGUSR1, cause,
                      self.settings.dump_timeout, self.settings.dump_poll_initial)
        job.waiters = d.waiters
        d.waiters = []
        d.dump_job = job
        d.dump_again = False
        self.tmpdir_busy[os.path.dirname(path)] = d.name
        self._signal(d, job)

    def _signal(self, d: Daemon, job: DumpJob) -> None:
        """Puts a fresh file of the agent's in the dump's place (claim_dump_file) and signals keepalived, once
        this agent holds the TMPDIR's dump lock (other agents on the node, e.g. a second operator's session, take
        it too). Whatever was there goes, whoever's it is: root may remove another user's file or link even in a
        sticky /tmp. Anything else found there when reading is refused (read_dump_when_written)."""
        if d.dump_job is not job:
            return
        if job.signum in d.signals_ready:
            pass
        elif signal_caught(self.settings.proc_root, d.pid, job.signum):
            d.signals_ready.add(job.signum)
        else:
            # still starting (or not a keepalived that dumps): the signal would kill it
            if time.monotonic() < job.deadline and is_alive(self.settings.proc_root, d.pid, d.starttime):
                self.loop.call_later(SIGNAL_READY_RETRY_S, lambda: self._signal(d, job))
            else:
                self.finish(d, {"ok": False, "code": E_DUMP_FAILED,
                                      "message": "%s does not handle signal %d (yet); not sent"
                                      % (daemon_label(d.name), job.signum)})
            return
        if not self.locks.acquire(os.path.dirname(job.path)):
            if time.monotonic() < job.lock_deadline:
                self.loop.call_later(DUMP_LOCK_RETRY_S, lambda: self._signal(d, job))
            else:
                self.finish(d, {"ok": False, "code": E_BUSY,
                                      "message": "another agent kept the dump lock of %s" % os.path.dirname(job.path)})
            return
        job.started = time.monotonic()
        job.deadline = job.started + job.timeout    # keepalived's time to write runs from the signal, not the lock
        if not claim_dump_file(job.path):
            self.finish(d, {"ok": False, "code": E_UNTRUSTED, "message": "%s: its state dump is refused, no "
                                  "state is taken from it: something else was put at %s each time the agent removed "
                                  "what was there; not signalled" % (daemon_label(d.name), job.path)})
            return
        try:
            os.kill(d.pid, job.signum)
        except ProcessLookupError:
            self.finish(d, {"ok": False, "code": E_NOT_RUNNING, "message": "keepalived exited"})
            self.loop.call_later(0, self.on_vanished)
            return
        except PermissionError:
            self.finish(d, {"ok": False, "code": E_PERMISSION,
                                  "message": "not allowed to signal keepalived pid %d; run the agent with sudo" % d.pid})
            return
        self.loop.call_later(job.delay, lambda: self._poll(d, job))

    def _poll(self, d: Daemon, job: DumpJob) -> None:
        if d.dump_job is not job:
            return
        result = None  # type: Optional[Dict[str, Any]]
        try:
            text = read_dump_when_written(job)
            if text is None:
                pass
            elif job.kind == "json":
                try:
                    result = {"ok": True, "instances": parse_json_dump(text), "source": "json"}
                except ValueError:
                    result = None      # still being written
            else:
                result = {"ok": True, "instances": parse_text_dump(text), "source": "data"}
        except FileNotFoundError:
            pass
        except AgentError as exc:
            result = {"ok": False, "code": exc.code, "message": "%s: its state dump is refused, no state is taken "
                      "from it: %s" % (daemon_label(d.name), exc.message)}
        except PermissionError:
            result = {"ok": False, "code": E_PERMISSION, "message": "cannot read %s: permission denied" % job.path}
        except OSError as exc:
            result = {"ok": False, "code": E_IO, "message": "cannot read %s: %s" % (job.path, exc)}
        if result is not None:
            self.finish(d, result)
            return
        if time.monotonic() >= job.deadline:
            if job.kind == "json" and not job.fallback:
                # JSON is not written when there are no VRRP instances; the text dump always is.
                _, data_sig = self.signums(d)
                self.release_tmpdir(job.path)
                job2 = DumpJob("data", d.dump_file("data"), d.tmp_fs_root, job.owner, data_sig or signal.SIGUSR1,
                               job.cause, self.settings.dump_timeout, self.settings.dump_poll_initial)
                job2.fallback = True
                job2.waiters = job.waiters
                d.dump_job = job2
                self.tmpdir_busy[os.path.dirname(job2.path)] = d.name
                self._signal(d, job2)
                return
            entry = read_proc_stat(self.settings.proc_root, d.pid)
            why = "process is stopped (SIGSTOP?)" if entry is not None and entry.state in ("T", "t") else \
                "no dump in %s within %.1f s" % (os.path.dirname(job.path), self.settings.dump_timeout)
            self.finish(d, {"ok": False, "code": E_DUMP_FAILED, "message": "%s did not answer: %s" % (daemon_label(d.name), why)})
            return
        # keepalived usually writes within a few ms: look often at first, then back off
        job.polls += 1
        if job.polls >= DUMP_FAST_POLLS:
            job.delay = min(job.delay * 2, self.settings.dump_poll_max)
        self.loop.call_later(job.delay, lambda: self._poll(d, job))

    def release_tmpdir(self, path: str) -> None:
        key = os.path.dirname(path)
        self.tmpdir_busy.pop(key, None)
        self.locks.release(key)
        queue = self.tmpdir_queue.get(key)
        while queue:
            name = queue.popleft()
            other = self.daemons.get(name)
            if other is not None and other.alive and other.dump_job is None:
                self.loop.call_later(0, lambda o=other: self.request(o, o.dump_again_cause))
                break
        if queue is not None and not queue:
            self.tmpdir_queue.pop(key, None)

    def finish(self, d: "Daemon", result: "Dict[str, Any]") -> None:
        job = d.dump_job
        d.dump_job = None
        if job is not None:
            self.release_tmpdir(job.path)
            result["duration_ms"] = round((time.monotonic() - job.started) * 1000, 1)
            cause = job.cause
        else:
            cause = "daemon"
        if result.get("ok"):
            self.taken += 1
        else:
            self.failed += 1
        self.on_result(d, result, cause)
        for waiter in (job.waiters if job is not None else []):
            try:
                waiter(result)
            except Exception:
                LOG.exception("dump waiter failed")
        if d.alive and d.dump_again:
            d.dump_again = False
            self.request(d, d.dump_again_cause)
        self.on_finished(d)
