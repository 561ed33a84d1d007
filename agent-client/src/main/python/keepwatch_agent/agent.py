"""The agent: one session, from the daemons found and watched to the requests answered."""

import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

from .channel import Channel
from .claims import ClaimsReader, local_config_id
from .client_operator import operator_from_client, operator_label
from .clock import now, stagger
from .config_ops import ConfigOps
from .config_requests import ConfigRequests
from .daemon import NOT_VISIBLE, Daemon, daemon_key, daemon_label, SOURCE_CONFIG, SOURCE_DUMP
from .daemon_control import DaemonControl
from .daemon_logs import DaemonLogs
from .diagnose import DiagnoseRequests
from .discovery import Discovery
from .dump_locks import DumpLocks
from .dumps import DumpScheduler
from .heartbeat import Heartbeat
from .instances import instance_changes, public_instance
from .launch_records import LaunchRecords
from .linux import pidfd_probe
from .liveness import PidWatch
from .maintenance import Maintenance
from .log import AGENT_NAME, LOG
from .loop import Loop
from .memory import HeapTrimmer
from .proc import proc_rss_kb, process_stopped, read_proc_stat, session_user
from .protocol import (AGENT_VERSION, AgentError, E_BUSY, E_DUMP_FAILED, E_INTERNAL, E_NOT_FOUND, E_NOT_RUNNING,
    E_SHUTTING_DOWN, EVENTS, MAX_REQUEST_BYTES, OPS, PROTOCOL_VERSION)
from .requests import BadRequest, parse_request, WORKER_OPS
from .settings import Settings
from .trust import trusted_keepalived
from .vips import vip_claims, VipMonitor
from .workers import WorkerPool

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Set, Tuple  # noqa: F401
    from .loop import Timer  # noqa: F401
    from .proc import ProcEntry  # noqa: F401

CHILD_RESCAN_DELAY_S = 0.2         # after a VRRP child exits, look for its respawn this soon
MAINTENANCE_DUMP_DELAY_S = 0.2     # after a maintenance weight is written, dump the daemon this soon (its priority)



def fill_from_claims(instances: "List[Dict[str, Any]]", claimed: "List[Dict[str, Any]]") -> None:
    """Dump records completed from the configuration's claims of the same instances: the sync group (no dump says
    it), unicast peers where the JSON dump lists none, and tracked scripts by their vrrp_script names where a JSON
    dump before keepalived 2.3 lists command lines ("'/usr/bin/true'")."""
    by_name = {claim["instance"]: claim for claim in claimed}
    for inst in instances:
        claim = by_name.get(inst["instance"])
        if claim is None:
            continue
        if inst.get("unicast_peers") is None:
            inst["unicast_peers"] = list(claim["unicast_peers"])
        inst["sync_group"] = claim.get("sync_group")
        named = claim.get("configured_track_scripts") or []
        tracked = inst.get("track_scripts") or []
        if any(t.startswith(("'", '"', "/")) for t in tracked) and len(named) == len(tracked):
            inst["track_scripts"] = list(named)


class Agent(object):
    """One session: this node's keepalived daemons (found, watched, dumped, their VIPs and orphans) and the client's
    requests (dispatched, subscriptions kept). What it delegates: framing to the Channel, config operations to the
    WorkerPool and ConfigOps, finding daemons to Discovery, process liveness to PidWatch, dumps to the DumpScheduler
    (and its DumpLocks), VIPs and orphans to the VipMonitor, heartbeats to Heartbeat, freed heap to the HeapTrimmer."""

    def __init__(self, settings: Settings, stdin_fd: int = 0, stdout_fd: int = 1) -> None:
        self.settings = settings
        self.loop = Loop()
        self.trimmer = HeapTrimmer()
        self.channel = Channel(self.loop, settings.batch_interval, self._on_line, self.shutdown, self.trimmer,
                               stdin_fd, stdout_fd)
        self.workers = WorkerPool(self.loop, self.channel, self.trimmer.want)
        self.heartbeat = Heartbeat(self.loop, self.channel, settings.heartbeat_interval, lambda: self.subscribed,
                                   self._heartbeat_status)
        self.discovery = Discovery(settings)
        self.pids = PidWatch(self.loop, settings.proc_root, settings.liveness_interval, self._on_pidfd,
                             self._on_daemon_exit, self.rescan, lambda: self.daemons.values(), lambda: self.monitoring)
        self.claims_reader = ClaimsReader()
        self.config_id = local_config_id()     # what keepalived's @ lines are tested against without -i
        self.config_ops = ConfigOps(self)
        self.maintenance = Maintenance(settings, self.config_id)
        self.daemons = {}  # type: Dict[str, Daemon]
        self.running = True
        self.subscribed = False
        self.monitoring = False
        self.rescan_timer = None  # type: Optional[Timer]
        self.rejected = set()  # type: Set[Tuple[int, int]]
        self.started = time.monotonic()
        self.keepalived_info = None  # type: Optional[Dict[str, Any]]
        self.dump_locks = DumpLocks(settings.state_dir)
        self.dumps = DumpScheduler(self.loop, settings, self.discovery, self.daemons, self.dump_locks,
                                   self._on_dump_result, self._after_dump, self.rescan)
        self.vips = VipMonitor(self.loop, settings, self.channel, self.daemons, lambda: self.subscribed,
                               lambda d, cause: self.request_dump(d, cause), self.rescan)
        self.pending_requests = 0
        self.config_requests = ConfigRequests(self.config_ops, self.find_daemon, settings)
        self.launch_records = LaunchRecords(settings)
        self.daemon_control = DaemonControl(self)
        self.logs = DaemonLogs(self.loop, self.channel, self.find_daemon, settings.proc_root, self.launch_records)
        self.handlers = {
            "hello": self.op_hello, "daemons": self.op_daemons, "state.snapshot": self.op_state_snapshot,
            "state.subscribe": self.op_state_subscribe, "state.unsubscribe": self.op_state_unsubscribe,
            "config.read": self.config_requests.read, "config.check": self.config_requests.check,
            "config.apply": self.config_requests.apply, "config.backups": self.config_requests.backups,
            "config.backup.read": self.config_requests.backup_read, "config.restore": self.config_requests.restore,
            "maintenance.set": self.op_maintenance_set, "maintenance.prepare": self.op_maintenance_prepare,
            "daemon.start": self.daemon_control.start, "daemon.stop": self.daemon_control.stop,
            "daemon.restart": self.daemon_control.restart, "daemon.reload": self.daemon_control.reload,
            "log.read": self.logs.read, "log.follow": self.logs.follow, "log.unfollow": self.logs.unfollow,
            "diagnose": DiagnoseRequests(settings, self.find_daemon, self.blocking_dump,
                                         self.config_ops.write_audit).diagnose,
        }  # type: Dict[str, Callable[[Any, Dict[str, Any]], Any]]
        self.loop.after_turn.append(self._after_turn)

    def _after_turn(self) -> None:
        self.channel.after_turn()
        self.trimmer.after_turn()

    def emit_threadsafe(self, message: "Dict[str, Any]") -> None:
        """From a worker thread (ConfigOps' apply.step events)."""
        self.channel.emit_threadsafe(message)

    # -- requests ----------------------------------------------------------------------------

    def _on_line(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            req_id, op, args = parse_request(line)
        except BadRequest as refused:
            self.channel.respond_error(refused.req_id, refused.error)
            return
        if not self.running:
            self.channel.respond_error(req_id, AgentError(E_SHUTTING_DOWN, "the agent is ending the session"))
            return
        handler = self.handlers[op]
        if op in WORKER_OPS:
            self.workers.start(req_id, op, handler, args)
            return
        try:
            handler(req_id, args)
        except AgentError as err:
            self.channel.respond_error(req_id, err)
        except Exception as exc:
            LOG.exception("op %s failed", op)
            self.channel.respond_error(req_id, AgentError(E_INTERNAL, "internal error in %s: %s" % (op, exc)))

    # -- for worker threads (ConfigOps, ConfigRequests) ----------------------------------------

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
        d = self.loop.call_and_wait(lambda: self.daemons.get(name), self.settings.dump_timeout * 5) \
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
            busy = self.workers.busy()
            if busy:
                LOG.info("waiting for %d running config operation(s) before exiting", busy)

    def serve(self) -> int:
        self.channel.start()
        self.rescan()
        self.trimmer.at_start()
        while True:
            self.loop.run_once()
            if not self.running and not self.workers.busy() and not self.pending_requests:
                break
        self.channel.flush()
        self.close()
        return 0

    def close(self) -> None:
        self.logs.close()
        self.vips.close()
        for d in self.daemons.values():
            self.pids.close(d)

    # -- discovery and liveness --------------------------------------------------------------

    def keepalived_bin(self) -> str:
        """The trusted keepalived; a missing or untrusted one is named so that running it fails in words."""
        return trusted_keepalived(self.settings.keepalived_bin) or (self.settings.keepalived_bin
                                                                    or "keepalived (none trusted on PATH)")

    def rescan(self) -> None:
        """Reconciles the daemon table with /proc; emits daemon events while subscribed."""
        # pids watched by a pidfd need no re-reading: their exit is an event of its own
        unwatched = None  # type: Optional[Set[int]]
        if not self.monitoring or not self.pids.supported:
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
                self.pids.close(replaced)
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
        found = self.discovery.configured(skip, {d.key: d for d in self.daemons.values() if d.configured_only},
                                          self.launch_records.recorded() + self.discovery.seen_by_command_line())
        for name, d in list(self.daemons.items()):
            if not d.configured_only:
                continue
            if found.pop(d.key, None) is None:
                del self.daemons[name]
                LOG.info("forgetting %s: its configuration %s is gone", name, d.config)
                if self.subscribed:
                    self.channel.event("daemon", daemon=name, action="unconfigured", pid=None)
                continue
            reason = self.discovery.stopped_reason(d)
            if reason != d.stopped_reason:
                d.stopped_reason = reason
                if reason == NOT_VISIBLE:
                    LOG.info("keepalived %s: its pid file %s names a process %s cannot see (not root): not visible, "
                             "not dead", name, d.pid_file, session_user())
                if self.subscribed:
                    self.channel.event("daemon", daemon=name, action=d.stopped_reason, pid=None, zombie=False,
                               pid_file_left=d.stopped_reason == "died",
                               instances=[{"instance": n, "state": i["state"], "vips": i["vips"]}
                                          for n, i in d.instances.items()])
            if self.discovery.locate_netns(d) and self.monitoring:
                self.vips.ensure(d)
        for _, d in sorted(found.items()):
            d.name = self._name_for(d)
            self.daemons[d.name] = d
            LOG.info("keepalived %s: not running (%s), config %s, netns %s", d.name, d.stopped_reason, d.config,
                     d.netns_name or "(own)")
            if self.subscribed:
                self.channel.event("daemon", daemon=d.name, action="configured", pid=None, info=d.to_json())
            if self.monitoring:
                self.vips.ensure(d)

    @staticmethod
    def _needs_claims(d: Daemon) -> bool:
        """No dump in this agent's life told its instances, and none can now: hung, dead or not running."""
        return d.instances_from != SOURCE_DUMP and (not d.alive or not d.responsive)

    def _refresh_claims(self) -> None:
        """Claims of every daemon that needs them, read again where a file changed (see ClaimsReader), and every
        daemon's configuration looked at for changes."""
        keys = set()
        for d in list(self.daemons.values()):
            if self._needs_claims(d):
                self._load_claims(d)
            self._watch_config(d)
            keys.add((d.fs_root, d.config, d.config_id or self.config_id))
        self.claims_reader.retain(keys)

    def _watch_config(self, d: Daemon) -> None:
        """A daemon's configuration files changed since the last look (an edit by hand, by a push, a file added to
        an include): a config event, so the workstation reads them at once instead of at its next periodic read.
        Looked at on every rescan (rescan_interval), by lstat alone unless something changed."""
        signature = self.claims_reader.signature(d.config, d.fs_root, d.config_id or self.config_id)
        previous, d.config_signature = d.config_signature, signature
        if previous is not None and previous != signature and self.subscribed:
            self.channel.event("config", daemon=d.name, action="changed", config=d.config)

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
        self.vips.evaluate(d.netns_inode)

    def _fill_from_configuration(self, d: Daemon, instances: "List[Dict[str, Any]]") -> None:
        """What keepalived's dumps do not say, from the daemon's configuration as the claims read it (root's files
        only, as for claims; see fill_from_claims). A configuration edited since the last reload may say otherwise
        than the daemon runs with; one that cannot be read leaves them unknown (null)."""
        claimed, error = self.claims_reader.load(d.config, d.fs_root, d.config_id or self.config_id)
        if error is None:
            fill_from_claims(instances, claimed)

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
            self.pids.watch(d, d.vrrp_pid)
        if self.subscribed and d.vrrp_pid is not None:
            self.channel.event("daemon", daemon=d.name, action="vrrp_restarted" if old_vrrp else "vrrp_started",
                       pid=d.pid, vrrp_pid=d.vrrp_pid, previous_vrrp_pid=old_vrrp)
        if d.vrrp_pid is not None and (self.subscribed or self.monitoring):
            self.request_dump(d, "daemon")

    def _daemon_started(self, d: Daemon, restarted: bool) -> None:
        LOG.info("keepalived %s: pid %d, config %s, netns %s", d.name, d.pid, d.config, d.netns_name or "(own)")
        self.launch_records.remember(d)     # so that a stop now can be undone by a start later
        if self.monitoring:
            self._watch_daemon(d)
        if self.subscribed:
            self.channel.event("daemon", daemon=d.name, action="restarted" if restarted else "started",
                       pid=d.pid, info=d.to_json())
            self.request_dump(d, "daemon")
            self._schedule_periodic(d, initial=True)

    def _watch_daemon(self, d: Daemon) -> None:
        self.pids.watch(d, d.pid)
        self.pids.watch(d, d.vrrp_pid)
        self.vips.ensure(d)

    def _on_pidfd(self, d: Daemon, pid: int) -> None:
        self.discovery.cache.pop(pid, None)     # read it again: it may linger as a zombie
        self.pids.forget(d, pid)
        if pid == d.pid:
            if d.alive:
                self._on_daemon_exit(d)
        else:
            LOG.info("keepalived %s: child %d exited", d.name, pid)
            if d.vrrp_pid == pid:
                d.vrrp_pid = None
                d.children.pop(pid, None)
                if self.subscribed:
                    self.channel.event("daemon", daemon=d.name, action="vrrp_exited", pid=d.pid, vrrp_pid=pid)
            self.loop.call_later(CHILD_RESCAN_DELAY_S, self.rescan)

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
        self.pids.close(d)
        if d.periodic_timer is not None:
            d.periodic_timer.cancel()
            d.periodic_timer = None
        if d.dump_job is not None:
            self.dumps.finish(d, {"ok": False, "code": E_NOT_RUNNING, "message": "keepalived exited"})
        if self.subscribed:
            self.channel.event("daemon", daemon=d.name, action=d.stopped_reason, pid=d.pid, zombie=zombie,
                       pid_file_left=pid_file_left,
                       instances=[{"instance": n, "state": i["state"], "vips": i["vips"]} for n, i in d.instances.items()])
        if self._needs_claims(d):
            self._load_claims(d)
        self.vips.evaluate(d.netns_inode)

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
        self.vips.forget_unused({d.netns_inode for d in self.daemons.values()})
        self.dump_locks.close_unused({os.path.dirname(d.dump_file("json")) for d in self.daemons.values()})

    # -- dumps -----------------------------------------------------------------------------

    def request_dump(self, d: Daemon, cause: str, waiter: "Optional[Callable[[Dict[str, Any]], None]]" = None) -> None:
        """Asks keepalived for a dump (DumpScheduler); the result comes to _on_dump_result."""
        self.dumps.request(d, cause, waiter)

    def _on_dump_result(self, d: Daemon, result: "Dict[str, Any]", cause: str) -> None:
        if result.get("ok"):
            self._apply_snapshot(d, result["instances"], result["source"], cause)
        else:
            self._dump_failed(d, result, cause)

    def _after_dump(self, d: Daemon) -> None:
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
                self.channel.event("daemon", daemon=d.name, action="unresponsive", pid=d.pid, message=message)
        if self._needs_claims(d):
            self._load_claims(d)
        self.vips.evaluate(d.netns_inode)   # every failed dump: an orphan check may be waiting on it

    def _apply_snapshot(self, d: Daemon, instances: "List[Dict[str, Any]]", source: str, cause: str) -> None:
        self._fill_from_configuration(d, instances)
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
                self.channel.event("daemon", daemon=d.name, action="responsive", pid=d.pid)
        self._replace_instances(d, fresh, cause)
        self.vips.evaluate(d.netns_inode)

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
        self.channel.event("state", **fields)

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
                    self.vips.ensure(d)   # a dead or never started daemon's claimed VIPs may be up
        if self.rescan_timer is None:
            self._schedule_rescan()

    def _schedule_rescan(self) -> None:
        def tick() -> None:
            self.rescan_timer = None
            if self.subscribed:
                self.rescan()
                self.check_stopped()
                self._maintenance_changes()
                self._schedule_rescan()
        if self.settings.rescan_interval > 0:
            self.rescan_timer = self.loop.call_later(self.settings.rescan_interval, tick)

    def _heartbeat_status(self) -> "Dict[str, Any]":
        times = os.times()
        return {"uptime_s": round(time.monotonic() - self.started, 3),
                "daemons": sum(1 for d in self.daemons.values() if d.alive),
                "agent": {"rss_kb": proc_rss_kb(), "cpu_s": round(times[0] + times[1], 3),
                          "dumps": self.dumps.taken, "dump_failures": self.dumps.failed}}

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
                            # what kind of keepalived it is, as in the daemon record (the app shows it per node)
                            "version": d.version, "own_root": not d.fs_root,
                            "neutron_router": d.neutron_router,
                            "maintenance": self._maintenance_record(d),
                            "instances": [public_instance(i) for _, i in sorted(d.instances.items())]})
        addresses = []
        orphans = []
        for inode in inodes:
            watch = self.vips.watches.get(inode)
            if watch is None or watch.sock is None:
                continue
            claims = vip_claims(self.daemons.values(), inode)
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
        self.config_ops.operator = operator_from_client(client)
        self.channel.respond(req_id, {
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
        self.channel.respond(req_id, {"daemons": [dict(d.to_json(), maintenance=self.maintenance.record(d))
                                                  for _, d in sorted(self.daemons.items())]})

    def op_state_snapshot(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        self.rescan()
        self.start_monitoring()
        names = self._names_arg(args.get("daemon"))
        if args.get("fresh", True):
            self.snapshot_all(names, "request", lambda: self.channel.respond(req_id, self.state_json(names)))
        else:
            self.channel.respond(req_id, self.state_json(names))

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
                self.heartbeat.start()
            for inode in list(self.vips.watches):
                self.vips.evaluate(inode)
            result = self.state_json(sorted(self.daemons))
            result["subscribed"] = True
            result["heartbeat_interval"] = self.settings.heartbeat_interval
            self.channel.respond(req_id, result)
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
        self.heartbeat.stop()
        if self.rescan_timer is not None:
            self.rescan_timer.cancel()
            self.rescan_timer = None
        self.channel.respond(req_id, {"subscribed": False, "was_subscribed": was})

    def op_maintenance_set(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        self._maintenance(req_id, args, "drain" if args["drained"] else "undrain", args["drained"], False)

    def op_maintenance_prepare(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        self._maintenance(req_id, args, "maintenance.prepare", False, True)

    def _maintenance(self, req_id: "Any", args: "Dict[str, Any]", op: str, drained: bool, prepare: bool) -> None:
        """Writes a daemon's maintenance weight (Maintenance.set; a few bytes, on the loop), one audit line whatever
        the outcome, the maintenance event, and a dump soon after: keepalived has changed its priorities."""
        self.rescan()
        d = self.find_daemon(args["daemon"])
        record = {"op": op, "daemon": d.name, "reason": args.get("reason"), "config": d.config}
        try:
            done = self.maintenance.set(d, drained, args.get("reason"), prepare,
                                        operator_label(self.config_ops.operator, session_user()))
        except AgentError as err:
            record.update({"result": "refused", "code": err.code, "message": err.message})
            self.config_ops.write_audit(record)
            raise
        maintenance = done["record"]
        record.update({"result": "applied" if done["previous"] != done["value"] else "unchanged",
                       "track_file": maintenance["track_file"], "value": done["value"],
                       "previous_value": done["previous"], "instances": maintenance["wired"]})
        self.config_ops.write_audit(record)
        self.maintenance.seen[d.name] = maintenance
        if self.subscribed:
            self.channel.event("maintenance", daemon=d.name, maintenance=maintenance)
        if d.alive:
            self.loop.call_later(MAINTENANCE_DUMP_DELAY_S, lambda: self.request_dump(d, "request") if d.alive else None)
        self.channel.respond(req_id, {"daemon": d.name, "result": record["result"], "value": done["value"],
                                      "previous_value": done["previous"], "maintenance": maintenance})

    def _maintenance_record(self, d: Daemon) -> "Dict[str, Any]":
        record = self.maintenance.record(d)
        self.maintenance.seen[d.name] = record      # what later changes are told against
        return record

    def maintenance_changed(self) -> None:
        """A drain by stopping or its undo (from a daemon.* worker): said now, not at the next rescan."""
        if self.subscribed:
            self._maintenance_changes()

    def _maintenance_changes(self) -> None:
        """A maintenance weight another session set, or a wiring edited: said as a maintenance event."""
        for d, maintenance in self.maintenance.changes(list(self.daemons.values())):
            self.channel.event("maintenance", daemon=d.name, maintenance=maintenance)

    def _names_arg(self, name: "Optional[str]") -> "List[str]":
        if name is None:
            return sorted(self.daemons)
        if name not in self.daemons:
            raise AgentError(E_NOT_FOUND, "no keepalived daemon named %r on this node (known: %s)"
                             % (name, ", ".join(sorted(self.daemons)) or "none"))
        return [name]
