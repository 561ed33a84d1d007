"""The agent: one session's event loop, daemons, dumps, subscriptions and dispatch of requests."""

import collections
import fcntl
import json
import os
import re
import signal
import socket
import stat
import sys
import threading
import time
from pathlib import Path

from .claims import ClaimsReader, local_config_id
from .clock import now
from .config_files import ConfigSet
from .config_ops import ConfigOps
from .daemon import Daemon, daemon_key, daemon_label, SOURCE_CONFIG, SOURCE_DUMP, STATE_MASTER
from .discovery import Discovery
from .dump_job import DumpJob
from .dump_parsing import parse_json_dump, parse_text_dump
from .edits import FileEdit
from .linux import pidfd_open, pidfd_probe, trim_memory
from .log import AGENT_NAME, LOG
from .loop import Loop
from .netlink import NetnsWatch
from .proc import is_alive, proc_rss_kb, process_stopped, read_proc_stat, session_user, signal_caught
from .protocol import (AGENT_VERSION, AgentError, E_BAD_ARGS, E_BAD_REQUEST, E_BUSY, E_DUMP_FAILED, E_INTERNAL, E_IO,
    E_NOT_FOUND, E_NOT_RUNNING, E_PARSE, E_PERMISSION, E_SHUTTING_DOWN, E_TIMEOUT, E_TOO_LARGE, E_UNKNOWN_OP,
    E_UNTRUSTED, EVENTS, ID_HINT_BYTES, MAX_REQUEST_BYTES, OPS, PROTOCOL_VERSION, SHA256_HEX_LEN, STDIN_READ_BYTES)
from .requests import ARG_SCHEMAS, file_entries, ID_HINT_RE, WORKER_OPS
from .settings import Settings
from .sha256 import sha256_hex
from .text_bytes import decode_text, encode_text
from .trust import config_owner, read_trusted, trusted_keepalived, trusted_owner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Set, Tuple  # noqa: F401
    from .loop import Timer  # noqa: F401
    from .proc import ProcEntry  # noqa: F401

MAX_CONCURRENT_WORKERS = 4
MAX_DUMP_FILE_BYTES = 64 * 1024 * 1024

SHUTDOWN_WORKER_WAIT_S = 300.0

CHILD_RESCAN_DELAY_S = 0.2         # after a VRRP child exits, look for its respawn this soon

DUMP_FAST_POLLS = 20               # looks at dump_poll_initial spacing before backing off
ORPHAN_DEAD_RECHECK_S = 0.1        # recheck of a VIP whose daemon died while its VRRP child exits
DUMP_LOCK_RETRY_S = 0.005          # another agent is dumping into the same TMPDIR: look again this soon

SIGNAL_READY_RETRY_S = 0.05        # keepalived still starting (no handler yet): look again this soon

TRIM_MIN_INTERVAL_S = 1.0          # malloc_trim at most this often
TRIM_AFTER_OUTPUT_BYTES = 64 * 1024
TRIM_AT_START_RSS_KB = 16 * 1024   # above this at start (the source was just compiled), hand back freed heap

CHANGE_FIELDS = ("state", "effective_priority", "base_priority", "vips", "excluded_vips", "last_transition",
                 "advert_int", "version", "vrid", "interface", "nopreempt", "source")
PUBLIC_FIELDS = ("instance", "vrid", "state", "wantstate", "base_priority", "effective_priority", "master_priority",
                 "interface", "vmac_interface", "advert_int", "version", "nopreempt", "preempt_delay", "auth_type",
                 "last_transition", "vips_set", "vips", "excluded_vips", "unicast_peers", "track_scripts",
                 "track_interfaces", "stats", "source")


def stagger(name: str, interval: float) -> float:
    """A stable offset in [0, interval) per daemon, so periodic dumps do not come in bursts."""
    return (int(sha256_hex(name.encode())[:8], 16) % 10000) / 10000.0 * interval


class Agent(object):
    def __init__(self, settings: Settings, stdin_fd: int = 0, stdout_fd: int = 1) -> None:
        self.settings = settings
        self.stdin_fd = stdin_fd
        self.stdout_fd = stdout_fd
        self.loop = Loop()
        self.discovery = Discovery(settings)
        self.claims_reader = ClaimsReader()
        self.config_id = local_config_id()     # what keepalived's @ lines are tested against without -i
        self.config_ops = ConfigOps(self)
        self.daemons = {}  # type: Dict[str, Daemon]
        self.netns = {}  # type: Dict[int, NetnsWatch]
        self.inbuf = bytearray()
        self.discarding = False
        self.outbuf = []  # type: List[bytes]
        self.flush_timer = None  # type: Optional[Timer]
        self.running = True
        self.input_open = True
        self.output_open = True
        self.subscribed = False
        self.monitoring = False
        self.heartbeat_seq = 0
        self.heartbeat_timer = None  # type: Optional[Timer]
        self.rescan_timer = None  # type: Optional[Timer]
        self.liveness_timer = None  # type: Optional[Timer]
        self.rejected = set()  # type: Set[Tuple[int, int]]
        self.tmpdir_busy = {}  # type: Dict[str, str]
        self.tmpdir_queue = {}  # type: Dict[str, collections.deque]
        self.signums = {}  # type: Dict[Any, Tuple[Optional[int], Optional[int]]]
        self.workers = 0
        self.workers_lock = threading.Lock()
        self.started = time.monotonic()
        self.pidfd_supported = None  # type: Optional[bool]
        self.keepalived_info = None  # type: Optional[Dict[str, Any]]
        self.trim_wanted = False
        self.last_trim = 0.0
        self.dumps_taken = 0
        self.dumps_failed = 0
        self.dump_locks = {}  # type: Dict[str, int]      # TMPDIR -> lock file fd, kept open between dumps
        self.dump_locks_held = set()  # type: Set[str]    # TMPDIRs whose dump lock this agent holds now
        self.pending_requests = 0
        self.dump_lock_warned = False
        self.loop.after_turn.append(self._after_turn)

    # -- output ------------------------------------------------------------------------------

    def emit(self, message: "Dict[str, Any]") -> None:
        """Queues one protocol line; lines are written together once per loop turn (batched)."""
        if not self.output_open:
            return
        if "ts" not in message:
            message["ts"] = now()
        self.outbuf.append(json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n")
        if self.settings.batch_interval > 0 and self.flush_timer is None:
            self.flush_timer = self.loop.call_later(self.settings.batch_interval, self._flush_now)

    def emit_threadsafe(self, message: "Dict[str, Any]") -> None:
        message.setdefault("ts", now())
        self.loop.call_soon_threadsafe(lambda: self.emit(message))

    def event(self, name: str, **fields: "Any") -> None:
        message = {"event": name, "ts": now()}
        message.update(fields)
        self.emit(message)

    def _after_turn(self) -> None:
        if self.settings.batch_interval <= 0:
            self._flush_now()
        if self.trim_wanted and time.monotonic() - self.last_trim >= TRIM_MIN_INTERVAL_S:
            self.trim_wanted = False
            self.last_trim = time.monotonic()
            trim_memory()

    def _flush_now(self) -> None:
        self.flush_timer = None
        if not self.outbuf or not self.output_open:
            self.outbuf = []
            return
        data = b"".join(self.outbuf)
        self.outbuf = []
        if len(data) >= TRIM_AFTER_OUTPUT_BYTES:
            self.trim_wanted = True
        view = memoryview(data)
        try:
            while view:
                written = os.write(self.stdout_fd, view)
                view = view[written:]
        except (BrokenPipeError, ConnectionResetError):
            LOG.info("stdout closed by the client; ending the session")
            self.output_open = False
            self.shutdown()
        except OSError as exc:
            LOG.error("cannot write to stdout: %s; ending the session", exc)
            self.output_open = False
            self.shutdown()

    def respond(self, req_id: "Any", result: "Dict[str, Any]") -> None:
        self.emit({"id": req_id, "ok": True, "ts": now(), "result": result})

    def respond_error(self, req_id: "Any", err: AgentError) -> None:
        self.emit({"id": req_id, "ok": False, "ts": now(), "error": err.to_json()})

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
                self._handle_line(line)
            self.shutdown()
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
            self._handle_line(line)
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

    def _handle_line(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            request = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            self.respond_error(None, AgentError(E_PARSE, "not JSON: %s" % str(exc)[:200]))
            return
        if not isinstance(request, dict):
            self.respond_error(None, AgentError(E_BAD_REQUEST, "a request is a JSON object {id, op, args}"))
            return
        req_id = request.get("id")
        if isinstance(req_id, bool) or not isinstance(req_id, (int, str)):
            self.respond_error(None, AgentError(E_BAD_REQUEST, "request id must be a number or a string"))
            return
        op = request.get("op")
        if not isinstance(op, str) or op not in ARG_SCHEMAS:
            self.respond_error(req_id, AgentError(E_UNKNOWN_OP, "unknown op %r; known: %s" % (op, ", ".join(OPS))))
            return
        unknown = set(request) - {"id", "op", "args"}
        if unknown:
            self.respond_error(req_id, AgentError(E_BAD_REQUEST, "unknown request fields: %s" % ", ".join(sorted(unknown))))
            return
        try:
            args = self._validate_args(op, request.get("args"))
        except AgentError as err:
            self.respond_error(req_id, err)
            return
        if not self.running:
            self.respond_error(req_id, AgentError(E_SHUTTING_DOWN, "the agent is ending the session"))
            return
        if op in WORKER_OPS:
            self._start_worker(req_id, op, args)
            return
        try:
            handler = getattr(self, "op_" + op.replace(".", "_"))
            handler(req_id, args)
        except AgentError as err:
            self.respond_error(req_id, err)
        except Exception as exc:
            LOG.exception("op %s failed", op)
            self.respond_error(req_id, AgentError(E_INTERNAL, "internal error in %s: %s" % (op, exc)))

    @staticmethod
    def _validate_args(op: str, args: "Any") -> "Dict[str, Any]":
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise AgentError(E_BAD_ARGS, "args must be a JSON object")
        schema = ARG_SCHEMAS[op]
        for name in args:
            if name not in schema:
                raise AgentError(E_BAD_ARGS, "%s does not take argument %r (takes: %s)"
                                 % (op, name, ", ".join(sorted(schema)) or "nothing"))
        for name, (kind, required) in schema.items():
            if name not in args or args[name] is None:
                if required:
                    raise AgentError(E_BAD_ARGS, "%s needs argument %r" % (op, name))
                continue
            value = args[name]
            if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                raise AgentError(E_BAD_ARGS, "argument %r must be an integer" % name)
            if kind is not int and not isinstance(value, kind):
                raise AgentError(E_BAD_ARGS, "argument %r must be a %s" % (name, kind.__name__))
        sha = args.get("base_sha256")
        if sha is not None and not re.match(r"^[0-9a-fA-F]{%d}$" % SHA256_HEX_LEN, sha):
            raise AgentError(E_BAD_ARGS, "base_sha256 must be 64 hex digits (from config.read)")
        path = args.get("path")
        if path is not None and (not path.startswith("/") or "\0" in path):
            raise AgentError(E_BAD_ARGS, "path must be absolute")
        return args

    # -- worker threads ----------------------------------------------------------------------

    def _start_worker(self, req_id: "Any", op: str, args: "Dict[str, Any]") -> None:
        with self.workers_lock:
            if self.workers >= MAX_CONCURRENT_WORKERS:
                self.respond_error(req_id, AgentError(E_BUSY, "%d config operations are already running; "
                                                      "retry when one finishes" % MAX_CONCURRENT_WORKERS))
                return
            self.workers += 1
        handler = getattr(self, "op_" + op.replace(".", "_"))

        def work() -> None:
            try:
                result = handler(req_id, args)
                self.loop.call_soon_threadsafe(lambda: self.respond(req_id, result))
            except AgentError as err:
                error = err
                self.loop.call_soon_threadsafe(lambda: self.respond_error(req_id, error))
            except Exception as exc:
                LOG.exception("op %s failed", op)
                error = AgentError(E_INTERNAL, "internal error in %s: %s" % (op, exc))
                self.loop.call_soon_threadsafe(lambda: self.respond_error(req_id, error))
            finally:
                with self.workers_lock:
                    self.workers -= 1
                self.trim_wanted = True
                self.loop.call_soon_threadsafe(lambda: None)    # wake the loop: it may be waiting to exit

        thread = threading.Thread(target=work, name="op-%s" % op)
        thread.daemon = True
        thread.start()

    def call_in_loop(self, fn: "Callable[[], Any]", timeout: float) -> "Any":
        """Runs fn on the loop thread and waits for its result (from a worker thread)."""
        done = threading.Event()
        box = {}  # type: Dict[str, Any]

        def run() -> None:
            try:
                box["value"] = fn()
            except Exception as exc:
                box["error"] = exc
            done.set()
        self.loop.call_soon_threadsafe(run)
        if not done.wait(timeout):
            raise AgentError(E_TIMEOUT, "the agent's event loop did not answer in time")
        if "error" in box:
            raise box["error"]
        return box["value"]

    def blocking_dump(self, name: str, cause: str, timeout: float) -> "Dict[str, Any]":
        """From a worker thread: a fresh dump of one daemon (waits for a dump started after now)."""
        done = threading.Event()
        box = {}  # type: Dict[str, Any]

        def waiter(result: "Dict[str, Any]") -> None:
            box["result"] = result
            done.set()

        def start() -> None:
            d = self.daemons.get(name)
            if d is None:
                waiter({"ok": False, "message": "daemon %s is gone" % name})
            else:
                self.request_dump(d, cause, waiter)
        self.loop.call_soon_threadsafe(start)
        if not done.wait(timeout):
            return {"ok": False, "message": "no dump within %.1f s" % timeout}
        return box["result"]

    def find_daemon(self, name: str) -> Daemon:
        d = self.call_in_loop(lambda: self.daemons.get(name), self.settings.dump_timeout * 5) \
            if threading.current_thread() is not threading.main_thread() else self.daemons.get(name)
        if d is None:
            raise AgentError(E_NOT_FOUND, "no keepalived daemon named %r on this node (known: %s)"
                             % (name, ", ".join(sorted(self.daemons)) or "none"))
        return d

    # -- lifecycle ---------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Ends the session once running config operations finished (an apply is never cut short)."""
        if self.running:
            self.running = False
            with self.workers_lock:
                busy = self.workers
            if busy:
                LOG.info("waiting for %d running config operation(s) before exiting", busy)

    def serve(self) -> int:
        self.loop.add_reader(self.stdin_fd, self._on_stdin)
        self.rescan()
        if proc_rss_kb() > TRIM_AT_START_RSS_KB:
            trim_memory()   # compiling the source left freed heap; loading the cached code does not
        self.last_trim = time.monotonic()
        while True:
            self.loop.run_once()
            if not self.running:
                with self.workers_lock:
                    busy = self.workers
                if not busy and not self.pending_requests:
                    break
        self._flush_now()
        self.close()
        return 0

    def close(self) -> None:
        for watch in self.netns.values():
            watch.close()
        for d in self.daemons.values():
            self._close_pidfds(d)

    # -- discovery and liveness --------------------------------------------------------------

    def keepalived_bin(self) -> str:
        """The trusted keepalived; a missing or untrusted one is named so that running it fails in words."""
        return trusted_keepalived(self.settings.keepalived_bin) or (self.settings.keepalived_bin
                                                                    or "keepalived (none trusted on PATH)")

    def rescan(self) -> None:
        """Reconciles the daemon table with /proc; emits daemon events while subscribed."""
        # pids watched by a pidfd need no re-reading: their exit is an event of its own
        unwatched = None  # type: Optional[Set[int]]
        if not self.monitoring or not self.pidfd_supported:
            unwatched = set(self.discovery.cache)
        else:
            unwatched = {pid for d in self.daemons.values() if d.alive for pid in [d.pid] + list(d.children)
                         if pid not in d.pidfds}
        found = self.discovery.scan(unwatched)
        alive = {(d.pid, d.starttime): d for d in self.daemons.values() if d.alive}
        for (pid, starttime), d in alive.items():
            entry = found.get(pid)
            if entry is None or entry[0].starttime != starttime:
                self._on_daemon_exit(d)
        for pid, (entry, kids) in sorted(found.items()):
            ident = (pid, entry.starttime)
            existing = alive.get(ident)
            if existing is not None:
                if {k.pid for k in kids} != set(existing.children):
                    self._update_children(existing, kids)
                continue
            if ident in self.rejected:
                continue
            fresh = self.discovery.build(entry, kids)
            if fresh is None:
                self.rejected.add(ident)
                continue
            fresh.key = daemon_key(fresh)
            old = next((d for d in self.daemons.values() if d.key == fresh.key), None)
            fresh.name = old.name if old is not None else self._name_for(fresh)
            replaced = self.daemons.get(fresh.name)
            if replaced is not None:
                if replaced.alive:
                    self._on_daemon_exit(replaced)
                fresh.instances = replaced.instances
                fresh.instances_from = replaced.instances_from
                fresh.claims = replaced.claims
                fresh.config_error = replaced.config_error
                fresh.snapshot_ts = replaced.snapshot_ts
                if replaced.periodic_timer is not None:
                    replaced.periodic_timer.cancel()
                self._close_pidfds(replaced)
            self.daemons[fresh.name] = fresh
            self._daemon_started(fresh, restarted=replaced is not None)
        live_idents = {(pid, e[0].starttime) for pid, e in found.items()}
        self.rejected &= live_idents
        self._reconcile_configured()
        self._forget_vanished()
        self._refresh_claims()

    def _reconcile_configured(self) -> None:
        """Configurations keepalived would run that no known daemon runs become daemons of their own
        (alive false, pid null); such a record goes when its configuration does, and turns into the
        running daemon (same name) when one is started with it."""
        skip = {d.key for d in self.daemons.values() if not d.configured_only}
        found = self.discovery.configured(skip, {d.key: d for d in self.daemons.values() if d.configured_only})
        for name, d in list(self.daemons.items()):
            if not d.configured_only:
                continue
            if found.pop(d.key, None) is None:
                del self.daemons[name]
                LOG.info("forgetting %s: its configuration %s is gone", name, d.config)
                if self.subscribed:
                    self.event("daemon", daemon=name, action="unconfigured", pid=None)
                continue
            reason = self.discovery.stopped_reason(d)
            if reason != d.stopped_reason:
                d.stopped_reason = reason
                if self.subscribed:
                    self.event("daemon", daemon=name, action=d.stopped_reason, pid=None, zombie=False,
                               pid_file_left=d.stopped_reason == "died",
                               instances=[{"instance": n, "state": i["state"], "vips": i["vips"]}
                                          for n, i in d.instances.items()])
            if self.discovery.locate_netns(d) and self.monitoring:
                self._ensure_netns(d)
        for _, d in sorted(found.items()):
            d.name = self._name_for(d)
            self.daemons[d.name] = d
            LOG.info("keepalived %s: not running (%s), config %s, netns %s", d.name, d.stopped_reason, d.config,
                     d.netns_name or "(own)")
            if self.subscribed:
                self.event("daemon", daemon=d.name, action="configured", pid=None, info=d.to_json())
            if self.monitoring:
                self._ensure_netns(d)

    @staticmethod
    def _needs_claims(d: Daemon) -> bool:
        """No dump in this agent's life told its instances, and none can now: hung, dead or not running."""
        return d.instances_from != SOURCE_DUMP and (not d.alive or not d.responsive)

    def _refresh_claims(self) -> None:
        """Claims of every daemon that needs them, read again where a file changed (see ClaimsReader)."""
        keys = set()
        for d in list(self.daemons.values()):
            if self._needs_claims(d):
                self._load_claims(d)
                keys.add((d.fs_root, d.config, d.config_id or self.config_id))
        self.claims_reader.retain(keys)

    def _load_claims(self, d: Daemon) -> None:
        """The VRRP instances d's configuration claims become its instances (state UNKNOWN, source
        config), or none and d.config_error when it cannot be read or parsed."""
        instances, error = self.claims_reader.load(d.config, d.fs_root, d.config_id or self.config_id)
        if instances is d.claims and error == d.config_error:
            return
        if error is not None and error != d.config_error:
            LOG.warning("keepalived %s: no claims from its configuration: %s", d.name, error["message"])
        d.claims = instances
        d.config_error = error
        d.instances_from = SOURCE_CONFIG if error is None else None
        fresh = {}
        for inst in instances:
            record = dict(inst)
            record["daemon"] = d.name
            fresh[record["instance"]] = record
        self._replace_instances(d, fresh, "config")
        self._evaluate_orphans(d.netns_inode)

    def check_stopped(self) -> None:
        """A SIGSTOPped VRRP process (hung) changes nothing the agent would otherwise see: no exit,
        no address change, yet its VIP stays while a peer takes over. So each rescan looks at the
        state of every daemon's VRRP process (main process where none is known; one /proc read
        each, ~13 us). A stopped one cannot answer: it is `unresponsive` at once, and its VIPs are
        orphans (no dump is asked: waiting for one to time out, behind other agents' dumps of the same
        hung daemon, took up to 13 s with two sessions on a node). One that resumes is asked for a
        dump (it answers: `responsive`), not waiting for the periodic one."""
        for d in self.daemons.values():
            if not d.alive:
                continue
            pid = d.vrrp_pid or d.pid
            stopped = process_stopped(self.settings.proc_root, pid)
            if stopped == d.process_stopped:
                continue
            d.process_stopped = stopped
            LOG.info("keepalived %s: %s", d.name, "process stopped (SIGSTOP?)" if stopped else "process resumed")
            if stopped and d.responsive:
                self._mark_unresponsive(d, "%s does not answer: its VRRP process (pid %d) is stopped (SIGSTOP?)"
                                        % (daemon_label(d.name), pid))
            elif not stopped and not d.responsive:
                self.request_dump(d, "daemon")

    def _name_for(self, d: Daemon) -> str:
        """Neutron: the router id. Otherwise the netns name, 'keepalived', or the config's name."""
        if d.neutron_router:
            base = d.neutron_router
        elif d.netns_name:
            base = d.netns_name
        elif d.config == self.settings.default_config:
            base = "keepalived"
        else:
            stem = Path(d.config).stem
            parent = Path(d.config).parent.name
            base = parent if stem == "keepalived" and parent else stem
        name = base
        counter = 2
        # a running daemon takes the name of a dead one; a record known from configuration only never
        # gives its name away, nor takes another's
        while name in self.daemons and self.daemons[name].key != d.key and (
                self.daemons[name].alive or self.daemons[name].configured_only or d.configured_only):
            name = "%s-%d" % (base, counter)
            counter += 1
        return name

    def _update_children(self, d: Daemon, kids: "List[ProcEntry]") -> None:
        old_vrrp = d.vrrp_pid
        self.discovery.children(d, kids)
        if d.vrrp_pid == old_vrrp:
            return
        if self.monitoring:
            self._watch_pid(d, d.vrrp_pid)
        if self.subscribed and d.vrrp_pid is not None:
            self.event("daemon", daemon=d.name, action="vrrp_restarted" if old_vrrp else "vrrp_started",
                       pid=d.pid, vrrp_pid=d.vrrp_pid, previous_vrrp_pid=old_vrrp)
        if d.vrrp_pid is not None and (self.subscribed or self.monitoring):
            self.request_dump(d, "daemon")

    def _daemon_started(self, d: Daemon, restarted: bool) -> None:
        LOG.info("keepalived %s: pid %d, config %s, netns %s", d.name, d.pid, d.config, d.netns_name or "(own)")
        if self.monitoring:
            self._watch_daemon(d)
        if self.subscribed:
            self.event("daemon", daemon=d.name, action="restarted" if restarted else "started",
                       pid=d.pid, info=d.to_json())
            self.request_dump(d, "daemon")
            self._schedule_periodic(d, initial=True)

    def _watch_daemon(self, d: Daemon) -> None:
        self._watch_pid(d, d.pid)
        self._watch_pid(d, d.vrrp_pid)
        self._ensure_netns(d)

    def _watch_pid(self, d: Daemon, pid: "Optional[int]") -> None:
        if pid is None or pid in d.pidfds or self.pidfd_supported is False:
            return
        try:
            fd = pidfd_open(pid)
        except ProcessLookupError:
            self.loop.call_later(0, self.rescan)
            return
        if fd is None:
            if self.pidfd_supported is None:
                LOG.info("pidfd is unavailable; checking pids every %.1f s", self.settings.liveness_interval)
            self.pidfd_supported = False
            self._schedule_liveness()
            return
        self.pidfd_supported = True
        starttime = d.starttime if pid == d.pid else d.children.get(pid, (None, None))[1]
        d.pidfds[pid] = fd
        self.loop.add_reader(fd, lambda: self._on_pidfd(d, pid))
        if not is_alive(self.settings.proc_root, pid, starttime):
            self._on_pidfd(d, pid)      # exited (or the pid was reused) before the pidfd existed

    def _close_pidfds(self, d: Daemon) -> None:
        for fd in d.pidfds.values():
            self.loop.remove_reader(fd)
            try:
                os.close(fd)
            except OSError:
                pass
        d.pidfds = {}

    def _on_pidfd(self, d: Daemon, pid: int) -> None:
        self.discovery.cache.pop(pid, None)     # read it again: it may linger as a zombie
        fd = d.pidfds.pop(pid, None)
        if fd is not None:
            self.loop.remove_reader(fd)
            os.close(fd)
        if pid == d.pid:
            if d.alive:
                self._on_daemon_exit(d)
        else:
            LOG.info("keepalived %s: child %d exited", d.name, pid)
            if d.vrrp_pid == pid:
                d.vrrp_pid = None
                d.children.pop(pid, None)
                if self.subscribed:
                    self.event("daemon", daemon=d.name, action="vrrp_exited", pid=d.pid, vrrp_pid=pid)
            self.loop.call_later(CHILD_RESCAN_DELAY_S, self.rescan)

    def _schedule_liveness(self) -> None:
        if self.liveness_timer is None and self.monitoring:
            self.liveness_timer = self.loop.call_later(self.settings.liveness_interval, self._liveness_tick)

    def _liveness_tick(self) -> None:
        self.liveness_timer = None
        for d in list(self.daemons.values()):
            if d.alive and not is_alive(self.settings.proc_root, d.pid, d.starttime):
                self._on_daemon_exit(d)
            elif d.alive and d.vrrp_pid is not None and not is_alive(self.settings.proc_root, d.vrrp_pid):
                self._on_pidfd(d, d.vrrp_pid)
        self._schedule_liveness()

    def _on_daemon_exit(self, d: Daemon) -> None:
        """The main keepalived process exited (or is a zombie): stopped cleanly or died."""
        if not d.alive:
            return
        d.alive = False
        d.died_at = now()
        self.discovery.cache.pop(d.pid, None)
        pid_file_left = False if d.fs_root else os.path.exists(d.pid_file)
        entry = read_proc_stat(self.settings.proc_root, d.pid)
        zombie = entry is not None and entry.state == "Z" and entry.starttime == d.starttime
        # keepalived removes its pid file when it stops; a kill (or a crash) leaves it behind. A zombie
        # says nothing either way: a --dont-fork keepalived stays one until its parent reaps it.
        d.stopped_reason = "died" if pid_file_left else "stopped"
        LOG.warning("keepalived %s (pid %d) %s", d.name, d.pid, d.stopped_reason)
        self._close_pidfds(d)
        if d.periodic_timer is not None:
            d.periodic_timer.cancel()
            d.periodic_timer = None
        if d.dump_job is not None:
            self._finish_dump(d, {"ok": False, "code": E_NOT_RUNNING, "message": "keepalived exited"})
        if self.subscribed:
            self.event("daemon", daemon=d.name, action=d.stopped_reason, pid=d.pid, zombie=zombie,
                       pid_file_left=pid_file_left,
                       instances=[{"instance": n, "state": i["state"], "vips": i["vips"]} for n, i in d.instances.items()])
        if self._needs_claims(d):
            self._load_claims(d)
        self._evaluate_orphans(d.netns_inode)

    def _forget_vanished(self) -> None:
        """Dead daemons are kept (their VIPs may be orphans) while their namespace still exists."""
        dead = [d for d in self.daemons.values() if not d.alive]
        names = self.discovery.netns_names() if any(d.netns_name for d in dead) else {}
        for name, d in list(self.daemons.items()):
            if d.alive or d.configured_only:
                continue    # a record from configuration goes with its configuration
            if d.own_netns or (d.netns_name and d.netns_inode in names):
                continue
            del self.daemons[name]
            LOG.info("forgetting %s: its network namespace is gone", name)
        used = {d.netns_inode for d in self.daemons.values()}
        for inode in list(self.netns):
            if inode not in used:
                watch = self.netns.pop(inode)
                if watch.sock is not None:
                    self.loop.remove_reader(watch.fileno())
                watch.close()
        self._close_unused_dump_locks()

    def _close_unused_dump_locks(self) -> None:
        """A dump lock stays open per TMPDIR (see _lock_dump_dir). Neutron gives every router a TMPDIR of
        its own, and routers come and go: once no daemon the agent knows uses a TMPDIR, its lock file is
        closed, so a long session does not keep one open file per router it ever saw."""
        used = {os.path.dirname(d.dump_file("json")) for d in self.daemons.values()}
        for key in [k for k in self.dump_locks if k not in used and k not in self.dump_locks_held]:
            try:
                os.close(self.dump_locks.pop(key))
            except OSError as exc:
                LOG.debug("closing the dump lock of %s: %s", key, exc)

    # -- network namespaces and addresses ------------------------------------------------------

    def _ensure_netns(self, d: Daemon) -> None:
        if not d.netns_inode or d.netns_inode in self.netns:
            return      # inode 0: a named namespace that does not exist (yet)
        watch = NetnsWatch(d.netns_inode, d.netns_name, None if d.own_netns else d.netns_path)
        self.netns[d.netns_inode] = watch
        try:
            watch.open()
        except OSError as exc:
            LOG.warning("cannot watch addresses in netns %s: %s; relying on periodic dumps",
                        d.netns_name or d.netns_inode, exc)
            watch.close()
            return
        self.loop.add_reader(watch.fileno(), lambda: self._on_netlink(watch))
        self._evaluate_orphans(d.netns_inode)   # a claimed VIP found up (daemon dead or hung already)

    def _on_netlink(self, watch: NetnsWatch) -> None:
        try:
            changes, overflow = watch.read_changes()
            if overflow:
                LOG.warning("netlink overflow in netns %s; resynchronising", watch.name or watch.inode)
                added, removed = watch.resync()
                changes += [("added", a) for a in added] + [("removed", a) for a in removed]
        except OSError as exc:
            LOG.error("netlink failed in netns %s: %s", watch.name or watch.inode, exc)
            self.loop.remove_reader(watch.fileno())
            watch.close()
            return
        links = [c for c in changes if c[0] == "link"]
        changes = [c for c in changes if c[0] != "link"]
        if links:
            # keepalived enters or leaves FAULT as a link's carrier goes or comes: every daemon here is asked
            watch.pending_dumps |= {d.name for d in self.daemons.values() if d.alive and d.netns_inode == watch.inode}
        if not changes:
            if links and watch.debounce_timer is None:
                watch.debounce_timer = self.loop.call_later(self.settings.vip_debounce,
                                                            lambda: self._flush_vip_dumps(watch))
            return
        claims = self._claims(watch.inode)
        unexplained = False
        unanswered = False
        for action, addr in changes:
            owners = claims.get(addr["address"], [])
            if self.subscribed:
                owner = owners[0] if owners else (None, None)
                self.event("vip", action=action, address=addr["address"], prefix=addr["prefix"],
                           ifname=addr.get("ifname"), netns=watch.name, daemon=owner[0], instance=owner[1],
                           known=bool(owners))
            if action == "removed":
                watch.orphans.pop(addr["address"], None)
                watch.candidates.pop(addr["address"], None)
            targets = {o[0] for o in owners if o[0] in self.daemons and self.daemons[o[0]].alive}
            # Claimed, but only by a daemon that is gone: most likely its restart has just taken the
            # address, before the periodic rescan found it (a preempting node's VIP would wait for that).
            unexplained |= action == "added" and bool(owners) and not targets
            # no claimer can answer a dump (dead, not running, hung): no dump will evaluate the orphan
            unanswered |= action == "added" and bool(owners) and not any(
                self.daemons[o[0]].responsive for o in owners if o[0] in targets)
            if not targets:
                targets = {d.name for d in self.daemons.values() if d.alive and d.netns_inode == watch.inode}
            watch.pending_dumps |= targets
        if unexplained or unanswered:
            def look() -> None:
                if unexplained:
                    self.rescan()   # first: a restarted daemon is not an orphan's owner
                self._evaluate_orphans(watch.inode)
            self.loop.call_later(0, look)
        if watch.debounce_timer is None:
            watch.debounce_timer = self.loop.call_later(self.settings.vip_debounce, lambda: self._flush_vip_dumps(watch))

    def _flush_vip_dumps(self, watch: NetnsWatch) -> None:
        watch.debounce_timer = None
        names = watch.pending_dumps
        watch.pending_dumps = set()
        for name in names:
            d = self.daemons.get(name)
            if d is not None and d.alive:
                self.request_dump(d, "vip")

    def _claims(self, inode: int) -> "Dict[str, List[Tuple[str, str]]]":
        claims = {}  # type: Dict[str, List[Tuple[str, str]]]
        for d in self.daemons.values():
            if d.netns_inode != inode:
                continue
            for iname, inst in d.instances.items():
                for cidr in inst.get("vips", []) + inst.get("excluded_vips", []):
                    claims.setdefault(cidr.split("/")[0], []).append((d.name, iname))
        return claims

    def _orphan_status(self, inode: int) -> "Dict[str, Dict[str, Any]]":
        """VIPs present in the namespace whose claiming instances are not a live, answering MASTER."""
        watch = self.netns.get(inode)
        if watch is None or watch.sock is None:
            return {}
        result = {}
        claims = self._claims(inode)
        for address, addr in watch.present().items():
            owners = claims.get(address)
            if not owners:
                continue
            reasons = []
            for dname, iname in owners:
                d = self.daemons[dname]
                if not d.alive:
                    reasons.append("daemon_stopped" if d.stopped_reason == "stopped" else "daemon_dead")
                elif not d.responsive:
                    reasons.append("daemon_unresponsive")
                elif d.instances.get(iname, {}).get("state") != STATE_MASTER:
                    reasons.append("not_master")
                else:
                    reasons.append(None)
            if None in reasons:
                continue
            reason = "not_master" if "not_master" in reasons else reasons[0]
            dname, iname = owners[reasons.index(reason)]
            owner = self.daemons[dname]
            # A dead main whose VRRP child still runs is shutting down and may yet remove the VIP.
            # An unresponsive one whose VRRP process is stopped (SIGSTOP) will not move it either, nor
            # will one that has not answered since the agent started (its instances are its claims):
            # the grace is for a failover in progress, and the agent never saw one start.
            settled = (reason in ("daemon_dead", "daemon_stopped") and not (
                owner.vrrp_pid is not None and is_alive(self.settings.proc_root, owner.vrrp_pid))) or \
                (reason == "daemon_unresponsive" and (owner.instances_from == SOURCE_CONFIG or process_stopped(
                    self.settings.proc_root, owner.vrrp_pid or owner.pid)))
            result[address] = {"address": address, "prefix": addr["prefix"], "ifname": addr.get("ifname"),
                               "netns": watch.name, "reason": reason, "daemon": dname, "instance": iname,
                               "state": owner.instances.get(iname, {}).get("state"), "_settled": settled}
        return result

    def _evaluate_orphans(self, inode: int) -> None:
        watch = self.netns.get(inode)
        if watch is None:
            return
        status = self._orphan_status(inode)
        current = time.monotonic()
        for address, info in status.items():
            if address in watch.orphans:
                info.pop("_settled")
                watch.orphans[address] = info
                continue
            first = watch.candidates.setdefault(address, current)
            settled = info.pop("_settled")
            if not settled and current - first < self.settings.orphan_grace:
                # a dead main's VRRP child is usually gone within milliseconds: look again soon
                delay = first + self.settings.orphan_grace - current
                if info["reason"] in ("daemon_dead", "daemon_stopped"):
                    delay = min(delay, ORPHAN_DEAD_RECHECK_S)
                self._schedule_orphan_recheck(watch, delay, info)
                continue
            watch.orphans[address] = info
            watch.candidates.pop(address, None)
            if self.subscribed:
                fields = dict(info)
                fields["orphan"] = True
                self.event("vip", action="orphaned", **fields)
        for address in list(watch.candidates):
            if address not in status:
                del watch.candidates[address]
        for address in list(watch.orphans):
            if address not in status:
                info = watch.orphans.pop(address)
                present = address in watch.present()
                if self.subscribed and present:
                    self.event("vip", action="cleared", address=address, prefix=info["prefix"],
                               ifname=info.get("ifname"), netns=watch.name, daemon=info["daemon"],
                               instance=info["instance"], orphan=False)

    def _schedule_orphan_recheck(self, watch: NetnsWatch, delay: float, info: "Dict[str, Any]") -> None:
        if watch.recheck_timer is not None:
            return

        def recheck() -> None:
            watch.recheck_timer = None
            d = self.daemons.get(info["daemon"])
            if d is not None and d.alive:
                self.request_dump(d, "orphan_check")
            else:
                self._evaluate_orphans(watch.inode)
        watch.recheck_timer = self.loop.call_later(max(0.0, delay), recheck)

    # -- dumps -----------------------------------------------------------------------------

    def _signums(self, d: Daemon) -> "Tuple[Optional[int], Optional[int]]":
        key = d.exe_key or d.exe
        if key not in self.signums:
            exe = self.discovery.trusted_binary_for(d)
            probes = self.discovery.probes
            if exe is None:
                # Not the trusted binary: its signal numbers are not asked of it; SIGUSR1 (the text dump) is
                # keepalived's in every version, and it is sent only once the process handles it.
                self.signums[key] = (None, signal.SIGUSR1)
            else:
                self.signums[key] = (probes.signum(exe, "JSON"), probes.signum(exe, "DATA") or signal.SIGUSR1)
        return self.signums[key]

    def request_dump(self, d: Daemon, cause: str, waiter: "Optional[Callable[[Dict[str, Any]], None]]" = None) -> None:
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
        json_sig, data_sig = self._signums(d)
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
        self._start_dump(d, kind, json_sig if kind == "json" else data_sig, cause)

    @staticmethod
    def _config_owner(d: Daemon) -> "Optional[int]":
        """Whose besides root d's dumps may be (config_owner); nobody else's when its configuration belongs to two
        users (the configuration's reads say so)."""
        try:
            return config_owner(d.config, d.fs_root)
        except AgentError:
            return None

    def _start_dump(self, d: Daemon, kind: str, signum: "Optional[int]", cause: str) -> None:
        path = d.dump_file(kind)
        job = DumpJob(kind, path, d.tmp_fs_root, self._config_owner(d), signum or signal.SIGUSR1, cause,
                      self.settings.dump_timeout, self.settings.dump_poll_initial)
        job.waiters = d.waiters
        d.waiters = []
        d.dump_job = job
        d.dump_again = False
        self.tmpdir_busy[os.path.dirname(path)] = d.name
        self._signal_dump(d, job)

    def _signal_dump(self, d: Daemon, job: DumpJob) -> None:
        """Puts a fresh file of the agent's in the dump's place (_claim_dump_file) and signals keepalived, once
        this agent holds the TMPDIR's dump lock (other agents on the node, e.g. a second operator's session, take
        it too). Whatever was there goes, whoever's it is: root may remove another user's file or link even in a
        sticky /tmp. Anything else found there when reading is refused (_read_dump_when_written)."""
        if d.dump_job is not job:
            return
        if job.signum in d.signals_ready:
            pass
        elif signal_caught(self.settings.proc_root, d.pid, job.signum):
            d.signals_ready.add(job.signum)
        else:
            # still starting (or not a keepalived that dumps): the signal would kill it
            if time.monotonic() < job.deadline and is_alive(self.settings.proc_root, d.pid, d.starttime):
                self.loop.call_later(SIGNAL_READY_RETRY_S, lambda: self._signal_dump(d, job))
            else:
                self._finish_dump(d, {"ok": False, "code": E_DUMP_FAILED,
                                      "message": "%s does not handle signal %d (yet); not sent"
                                      % (daemon_label(d.name), job.signum)})
            return
        if not self._lock_dump_dir(os.path.dirname(job.path)):
            if time.monotonic() < job.lock_deadline:
                self.loop.call_later(DUMP_LOCK_RETRY_S, lambda: self._signal_dump(d, job))
            else:
                self._finish_dump(d, {"ok": False, "code": E_BUSY,
                                      "message": "another agent kept the dump lock of %s" % os.path.dirname(job.path)})
            return
        job.started = time.monotonic()
        job.deadline = job.started + job.timeout    # keepalived's time to write runs from the signal, not the lock
        if not self._claim_dump_file(job.path):
            self._finish_dump(d, {"ok": False, "code": E_UNTRUSTED, "message": "%s: its state dump is refused, no "
                                  "state is taken from it: something else was put at %s each time the agent removed "
                                  "what was there; not signalled" % (daemon_label(d.name), job.path)})
            return
        try:
            os.kill(d.pid, job.signum)
        except ProcessLookupError:
            self._finish_dump(d, {"ok": False, "code": E_NOT_RUNNING, "message": "keepalived exited"})
            self.loop.call_later(0, self.rescan)
            return
        except PermissionError:
            self._finish_dump(d, {"ok": False, "code": E_PERMISSION,
                                  "message": "not allowed to signal keepalived pid %d; run the agent with sudo" % d.pid})
            return
        self.loop.call_later(job.delay, lambda: self._poll_dump(d, job))

    @staticmethod
    def _claim_dump_file(path: str) -> bool:
        """Removes the old dump and puts an empty file of the agent's own in its place, for keepalived to write
        into (its fopen_safe opens with O_CREAT|O_TRUNC|O_NOFOLLOW, then makes the file root's, 0600): another user
        who made a file there between the removal and keepalived's write, and kept it open, would have kept writing
        into a file that by then looked root's. Once this file is there, nobody else can replace it in a sticky
        TMPDIR. False when something else took the name right after the removal, twice."""
        for _ in range(2):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                LOG.debug("cannot remove old dump %s: %s", path, exc)
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                                 0o600))
                return True
            except FileExistsError:
                continue
            except OSError as exc:
                LOG.debug("cannot make the dump file %s: %s", path, exc)
                return True     # nothing gained by refusing: what keepalived writes is still checked when read
        return False

    def _lock_dump_dir(self, key: str) -> bool:
        """flock (non-blocking) on <state_dir>/locks/dump-<hash>.lock for this TMPDIR. The file stays
        open between dumps (one per TMPDIR): with 200 daemons, opening it for every dump was a
        measurable part of the agent's idle cost."""
        if key in self.dump_locks_held:
            return True
        fd = self.dump_locks.get(key)
        if fd is None:
            path = Path(self.settings.state_dir) / "locks" / ("dump-%s.lock" % sha256_hex(key.encode())[:16])
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(str(path), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
            except OSError as exc:
                if not self.dump_lock_warned:
                    self.dump_lock_warned = True
                    LOG.warning("cannot create dump locks in %s (%s); dumps are not coordinated with other agents",
                                path.parent, exc)
                return True
            self.dump_locks[key] = fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        self.dump_locks_held.add(key)
        return True

    def _poll_dump(self, d: Daemon, job: DumpJob) -> None:
        if d.dump_job is not job:
            return
        result = None  # type: Optional[Dict[str, Any]]
        try:
            text = self._read_dump_when_written(job)
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
            self._finish_dump(d, result)
            return
        if time.monotonic() >= job.deadline:
            if job.kind == "json" and not job.fallback:
                # JSON is not written when there are no VRRP instances; the text dump always is.
                _, data_sig = self._signums(d)
                self._release_tmpdir(job.path)
                job2 = DumpJob("data", d.dump_file("data"), d.tmp_fs_root, job.owner, data_sig or signal.SIGUSR1,
                               job.cause, self.settings.dump_timeout, self.settings.dump_poll_initial)
                job2.fallback = True
                job2.waiters = job.waiters
                d.dump_job = job2
                self.tmpdir_busy[os.path.dirname(job2.path)] = d.name
                self._signal_dump(d, job2)
                return
            entry = read_proc_stat(self.settings.proc_root, d.pid)
            why = "process is stopped (SIGSTOP?)" if entry is not None and entry.state in ("T", "t") else \
                "no dump in %s within %.1f s" % (os.path.dirname(job.path), self.settings.dump_timeout)
            self._finish_dump(d, {"ok": False, "code": E_DUMP_FAILED, "message": "%s did not answer: %s" % (daemon_label(d.name), why)})
            return
        # keepalived usually writes within a few ms: look often at first, then back off
        job.polls += 1
        if job.polls >= DUMP_FAST_POLLS:
            job.delay = min(job.delay * 2, self.settings.dump_poll_max)
        self.loop.call_later(job.delay, lambda: self._poll_dump(d, job))

    @staticmethod
    def _read_dump_when_written(job: DumpJob) -> "Optional[str]":
        """The dump's text once keepalived has written it (JSON: whenever it is there, a partial one does not
        parse; text: once its size held still between two looks), else None. The TMPDIR is shared (/tmp by
        default): only what read_trusted accepts is read, a regular file root (or the daemon's configuration
        owner) owns that no other user can have put or changed there, and anything else in its place is refused at
        once, by what it is."""
        st = os.lstat(job.path)
        written = job.kind == "json" or (st.st_size > 0 and st.st_size == job.last_size)
        job.last_size = st.st_size
        if not written and stat.S_ISREG(st.st_mode) and trusted_owner(st, job.owner):
            return None
        data, _ = read_trusted(job.path[len(job.fs_root):], MAX_DUMP_FILE_BYTES, job.fs_root, "a state dump",
                               job.owner)
        return data.decode("utf-8", "replace")

    def _release_tmpdir(self, path: str) -> None:
        key = os.path.dirname(path)
        self.tmpdir_busy.pop(key, None)
        if key in self.dump_locks_held:
            self.dump_locks_held.discard(key)
            try:
                fcntl.flock(self.dump_locks[key], fcntl.LOCK_UN)
            except OSError as exc:
                LOG.warning("cannot release the dump lock of %s: %s", key, exc)
        queue = self.tmpdir_queue.get(key)
        while queue:
            name = queue.popleft()
            other = self.daemons.get(name)
            if other is not None and other.alive and other.dump_job is None:
                self.loop.call_later(0, lambda o=other: self.request_dump(o, o.dump_again_cause))
                break
        if queue is not None and not queue:
            self.tmpdir_queue.pop(key, None)

    def _finish_dump(self, d: Daemon, result: "Dict[str, Any]") -> None:
        job = d.dump_job
        d.dump_job = None
        if job is not None:
            self._release_tmpdir(job.path)
            result["duration_ms"] = round((time.monotonic() - job.started) * 1000, 1)
            cause = job.cause
        else:
            cause = "daemon"
        if result.get("ok"):
            self.dumps_taken += 1
            self._apply_snapshot(d, result["instances"], result["source"], cause)
        else:
            self.dumps_failed += 1
            self._dump_failed(d, result, cause)
        for waiter in (job.waiters if job is not None else []):
            try:
                waiter(result)
            except Exception:
                LOG.exception("dump waiter failed")
        if d.alive and d.dump_again:
            d.dump_again = False
            self.request_dump(d, d.dump_again_cause)
        if self.subscribed and d.alive:
            self._schedule_periodic(d)

    def _dump_failed(self, d: Daemon, result: "Dict[str, Any]", cause: str) -> None:
        d.dump_error = {"code": result.get("code"), "message": result.get("message"), "ts": now()}
        if d.alive and result.get("code") == E_BUSY:
            # Another agent kept the lock past our wait: this dump was never asked of keepalived. Ask again rather
            # than lose it (it may be the one that finds a hung daemon: check_stopped asks only once per stop).
            d.dump_again = True
            d.dump_again_cause = cause
        if not d.alive or result.get("code") != E_DUMP_FAILED:
            LOG.warning("dump of %s failed: %s", d.name, result.get("message"))
            return
        # what check_stopped compares with: a daemon found stopped by this dump (before any rescan looked,
        # e.g. hung before the agent started) is dumped again when it resumes
        d.process_stopped = process_stopped(self.settings.proc_root, d.vrrp_pid or d.pid)
        self._mark_unresponsive(d, result.get("message") or "no dump")

    def _mark_unresponsive(self, d: Daemon, message: str) -> None:
        """d answers no dump (hung): said once, with its claims where no dump told its instances, and an orphan
        check of its namespace (a VIP it holds while a peer takes over)."""
        d.dump_error = {"code": E_DUMP_FAILED, "message": message, "ts": now()}
        if d.responsive:
            d.responsive = False
            LOG.warning("%s", message)
            if self.subscribed:
                self.event("daemon", daemon=d.name, action="unresponsive", pid=d.pid, message=message)
        if self._needs_claims(d):
            self._load_claims(d)
        self._evaluate_orphans(d.netns_inode)   # every failed dump: an orphan check may be waiting on it

    def _apply_snapshot(self, d: Daemon, instances: "List[Dict[str, Any]]", source: str, cause: str) -> None:
        fresh = {}
        for inst in instances:
            inst["daemon"] = d.name
            inst["source"] = SOURCE_DUMP
            fresh[inst["instance"]] = inst
        d.snapshot_ts = now()
        d.snapshot_source = source
        d.dump_error = None
        d.instances_from = SOURCE_DUMP      # claims, if any, are replaced for good
        d.claims = None
        d.config_error = None
        if not d.responsive:
            d.responsive = True
            if self.subscribed:
                self.event("daemon", daemon=d.name, action="responsive", pid=d.pid)
        self._replace_instances(d, fresh, cause)
        self._evaluate_orphans(d.netns_inode)

    def _replace_instances(self, d: Daemon, fresh: "Dict[str, Dict[str, Any]]", cause: str) -> None:
        """d's instances become fresh; while subscribed, a state event for each that changed."""
        old = d.instances
        d.instances = fresh
        if self.subscribed:
            for name, inst in fresh.items():
                prev = old.get(name)
                changed = instance_changes(prev, inst)
                if changed:
                    self.emit_state(d, inst, prev, changed, cause)
            for name, prev in old.items():
                if name not in fresh:
                    gone = dict(prev)
                    gone["state"] = "DELETED"
                    self.emit_state(d, gone, prev, ["deleted"], cause)

    def emit_state(self, d: Daemon, inst: "Dict[str, Any]", prev: "Optional[Dict[str, Any]]", changed: "List[str]",
                   cause: str) -> None:
        fields = public_instance(inst)
        fields.update({"daemon": d.name, "netns": d.netns_name, "changed": changed, "cause": cause,
                       "prev_state": prev.get("state") if prev else None,
                       "prev_effective_priority": prev.get("effective_priority") if prev else None})
        self.event("state", **fields)

    def _schedule_periodic(self, d: Daemon, initial: bool = False) -> None:
        if d.periodic_timer is not None:
            d.periodic_timer.cancel()
        interval = self.settings.snapshot_interval
        if interval <= 0:
            return
        delay = stagger(d.name, interval) if initial else interval

        def tick() -> None:
            d.periodic_timer = None
            if self.subscribed and d.alive and d.process_stopped:
                self._schedule_periodic(d)      # a stopped process answers no dump: ask when it resumes
            elif self.subscribed and d.alive:
                self.request_dump(d, "periodic")
        d.periodic_timer = self.loop.call_later(delay, tick)

    # -- monitoring lifecycle ----------------------------------------------------------------

    def start_monitoring(self) -> None:
        if not self.monitoring:
            self.monitoring = True
            for d in list(self.daemons.values()):
                if d.alive:
                    self._watch_daemon(d)
                else:
                    self._ensure_netns(d)   # a dead or never started daemon's claimed VIPs may be up
        if self.rescan_timer is None:
            self._schedule_rescan()

    def _schedule_rescan(self) -> None:
        def tick() -> None:
            self.rescan_timer = None
            if self.subscribed:
                self.rescan()
                self.check_stopped()
                self._schedule_rescan()
        if self.settings.rescan_interval > 0:
            self.rescan_timer = self.loop.call_later(self.settings.rescan_interval, tick)

    def _schedule_heartbeat(self) -> None:
        def tick() -> None:
            self.heartbeat_timer = None
            if not self.subscribed:
                return
            self.heartbeat_seq += 1
            times = os.times()
            self.event("heartbeat", seq=self.heartbeat_seq, uptime_s=round(time.monotonic() - self.started, 3),
                       daemons=sum(1 for d in self.daemons.values() if d.alive),
                       agent={"rss_kb": proc_rss_kb(), "cpu_s": round(times[0] + times[1], 3),
                              "dumps": self.dumps_taken, "dump_failures": self.dumps_failed})
            self._schedule_heartbeat()
        if self.heartbeat_timer is None and self.settings.heartbeat_interval > 0:
            self.heartbeat_timer = self.loop.call_later(self.settings.heartbeat_interval, tick)

    def snapshot_all(self, names: "List[str]", cause: str, reply: "Callable[[], None]") -> None:
        """Fresh dumps of the named daemons, then reply() once all finished (or failed). Counted
        as a request in progress, so a closed stdin still gets this answer before the agent exits."""
        pending = [self.daemons[n] for n in names if self.daemons[n].alive]
        if not pending:
            reply()
            return
        remaining = {"n": len(pending)}
        self.pending_requests += 1

        def one_done(_: "Dict[str, Any]") -> None:
            remaining["n"] -= 1
            if remaining["n"] == 0:
                self.pending_requests -= 1
                reply()
        for d in pending:
            self.request_dump(d, cause, one_done)

    def state_json(self, names: "List[str]") -> "Dict[str, Any]":
        daemons = []
        inodes = set()
        for name in names:
            d = self.daemons[name]
            inodes.add(d.netns_inode)
            daemons.append({"name": d.name, "alive": d.alive, "responsive": d.responsive, "pid": d.pid,
                            "netns": d.netns_name, "snapshot_ts": d.snapshot_ts, "source": d.snapshot_source,
                            "error": d.dump_error, "stopped_reason": d.stopped_reason,
                            "instances_from": d.instances_from, "config_error": d.config_error,
                            "instances": [public_instance(i) for _, i in sorted(d.instances.items())]})
        addresses = []
        orphans = []
        for inode in inodes:
            watch = self.netns.get(inode)
            if watch is None or watch.sock is None:
                continue
            claims = self._claims(inode)
            for address, addr in sorted(watch.present().items()):
                owners = claims.get(address)
                if owners:
                    addresses.append({"address": address, "prefix": addr["prefix"], "ifname": addr.get("ifname"),
                                      "netns": watch.name, "daemon": owners[0][0], "instance": owners[0][1],
                                      "orphan": address in watch.orphans})
            orphans.extend(sorted(watch.orphans.values(), key=lambda o: o["address"]))
        return {"daemons": daemons, "vips_present": addresses, "orphans": orphans,
                "vips_observed": self.monitoring}

    # -- ops ---------------------------------------------------------------------------------

    def op_hello(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        if self.keepalived_info is None:
            self.keepalived_info = self.discovery.probes.version_info(self.keepalived_bin())
        client = args.get("client") or {}
        if client:
            LOG.info("client: %s", json.dumps(client)[:200])
        self.respond(req_id, {
            "protocol": PROTOCOL_VERSION, "agent": AGENT_NAME, "agent_version": AGENT_VERSION,
            "hostname": socket.gethostname(), "pid": os.getpid(), "root": os.geteuid() == 0,
            "user": session_user(),
            "python": "%d.%d.%d" % sys.version_info[:3], "keepalived": self.keepalived_info,
            "capabilities": {
                "ops": list(OPS), "events": list(EVENTS),
                "address_monitor": "netlink", "pidfd": pidfd_probe(),
                "max_request_bytes": MAX_REQUEST_BYTES, "backup_keep": self.settings.backup_keep,
            },
            "settings": {k: self.settings.values[k] for k in (
                "heartbeat_interval", "snapshot_interval", "rescan_interval", "dump_timeout", "orphan_grace",
                "health_adverts", "health_min", "lock_timeout", "state_dir", "audit_log")},
            "unfinished_applies": self.config_ops.unfinished_applies(),
        })

    def op_daemons(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        self.rescan()
        self.respond(req_id, {"daemons": [d.to_json() for _, d in sorted(self.daemons.items())]})

    def op_state_snapshot(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        self.rescan()
        self.start_monitoring()
        names = self._names_arg(args.get("daemon"))
        if args.get("fresh", True):
            self.snapshot_all(names, "request", lambda: self.respond(req_id, self.state_json(names)))
        else:
            self.respond(req_id, self.state_json(names))

    def op_state_subscribe(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        self.rescan()
        self.start_monitoring()
        names = sorted(self.daemons)

        def reply() -> None:
            was = self.subscribed
            self.subscribed = True
            if not was:
                for d in self.daemons.values():
                    if d.alive:
                        self._schedule_periodic(d, initial=True)
                if self.rescan_timer is None:
                    self._schedule_rescan()
                self._schedule_heartbeat()
            for inode in list(self.netns):
                self._evaluate_orphans(inode)
            result = self.state_json(sorted(self.daemons))
            result["subscribed"] = True
            result["heartbeat_interval"] = self.settings.heartbeat_interval
            self.respond(req_id, result)
        if args.get("fresh", True):
            self.snapshot_all(names, "subscribe", reply)
        else:
            reply()

    def op_state_unsubscribe(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        was = self.subscribed
        self.subscribed = False
        for d in self.daemons.values():
            if d.periodic_timer is not None:
                d.periodic_timer.cancel()
                d.periodic_timer = None
        if self.heartbeat_timer is not None:
            self.heartbeat_timer.cancel()
            self.heartbeat_timer = None
        if self.rescan_timer is not None:
            self.rescan_timer.cancel()
            self.rescan_timer = None
        self.respond(req_id, {"subscribed": False, "was_subscribed": was})

    def _names_arg(self, name: "Optional[str]") -> "List[str]":
        if name is None:
            return sorted(self.daemons)
        if name not in self.daemons:
            raise AgentError(E_NOT_FOUND, "no keepalived daemon named %r on this node (known: %s)"
                             % (name, ", ".join(sorted(self.daemons)) or "none"))
        return [name]

    # worker ops (run in threads; return the result or raise AgentError)

    def op_config_read(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        result = ConfigSet(d.config, d.fs_root).load().to_json()
        result["daemon"] = d.name
        return result

    def op_config_check(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        entries = file_entries("config.check", args, with_base=False)
        d = self.find_daemon(args["daemon"])
        targets = self.config_ops.resolve_targets(d, [path for path, _, _ in entries])
        result = self.config_ops.check_files(d, {target: encode_text(text)
                                                 for target, (_, text, _) in zip(targets, entries)})
        result["daemon"] = d.name
        return result

    def op_config_apply(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        entries = file_entries("config.apply", args, with_base=True)
        d = self.find_daemon(args["daemon"])
        targets = self.config_ops.resolve_targets(d, [path for path, _, _ in entries])
        edits = [FileEdit(target, text, base) for target, (_, text, base) in zip(targets, entries)]
        result = self.config_ops.apply_files(d, edits, args.get("reason"), req_id, "apply")
        result["daemon"] = d.name
        return result

    def op_config_backups(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        _, target = self.config_ops.resolve_target(d, args.get("path"))
        return {"daemon": d.name, "path": target, "backups": self.config_ops.list_backups(target),
                "keep": self.settings.backup_keep}

    def op_config_restore(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        _, target = self.config_ops.resolve_target(d, args.get("path"))
        data = self.config_ops.read_backup(target, args["backup"])
        result = self.config_ops.apply(d, target, decode_text(data), args["base_sha256"], args.get("reason"),
                                       req_id, "restore", backup_name=args["backup"])
        result["daemon"] = d.name
        result["restored_from"] = args["backup"]
        return result


def instance_changes(prev: "Optional[Dict[str, Any]]", new: "Dict[str, Any]") -> "List[str]":
    if prev is None:
        return ["new"]
    return [f for f in CHANGE_FIELDS if prev.get(f) != new.get(f)]


def public_instance(inst: "Dict[str, Any]") -> "Dict[str, Any]":
    return {k: inst.get(k) for k in PUBLIC_FIELDS}
