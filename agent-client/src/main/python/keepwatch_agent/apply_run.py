"""One config.apply or config.restore, step by step."""

import json
import os
import time

from .clock import iso_time, now
from .commands import run_command
from .config_files import MAX_CONFIG_FILE_BYTES
from .daemon import Daemon
from .edits import FileEdit, INTENT_FORMAT
from .log import LOG
from .private_files import atomic_write, FAULT_ENV, inject_fault, remove_stale_temps, unlink_quietly
from .proc import is_alive, session_user
from .protocol import AgentError, E_BUSY, E_CHECK_FAILED, E_CONFLICT, E_IO, E_NOT_FOUND, E_NOT_RUNNING, E_ROLLED_BACK
from .sha256 import sha256_hex
from .text_bytes import decode_text, encode_text
from .trust import read_trusted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional  # noqa: F401
    from .config_ops import ConfigOps  # noqa: F401


class ApplyRun(object):
    """One config.apply or config.restore of one or more files of one daemon: lock, compare, check, backup, write,
    reload, health (and rollback), audit, each reported as an apply.step event (docs/protocol.md). Before its first
    rename it leaves a record in <state_dir>/intents, removed when it ends: an agent killed in between is found out
    by the next session (ConfigOps.unfinished_applies)."""

    def __init__(self, ops: "ConfigOps", d: Daemon, edits: "List[FileEdit]", reason: "Optional[str]", request_id: "Any",
                 op: str, restored_from: "Optional[str]") -> None:
        self.ops = ops
        self.settings = ops.settings
        self.d = d
        self.edits = edits
        self.op = op
        self.reason = reason
        self.request_id = request_id
        self.restored_from = restored_from
        self.fault = os.environ.get(FAULT_ENV)
        self.started = time.monotonic()
        self.step = ops.stepper(d, [e.path for e in edits], request_id, op)
        self.result = "failed"
        self.message = None  # type: Optional[str]
        self.unfinished = None  # type: Optional[Dict[str, Any]]   # the record of an earlier apply of d that did not finish
        self.intent = None  # type: Optional[Dict[str, Any]]       # this run's record, once written

    def changed(self) -> "List[FileEdit]":
        return [e for e in self.edits if e.changed]

    def run(self) -> "Dict[str, Any]":
        lock = None
        try:
            lock = self.ops.lock(self.d, self.step)
            return self._locked()
        except AgentError as exc:
            self.message = exc.message
            if self.result == "failed":
                self.result = {E_CONFLICT: "conflict", E_CHECK_FAILED: "refused", E_ROLLED_BACK: "rolled_back",
                               E_BUSY: "busy"}.get(exc.code, "failed")
            raise
        except Exception as exc:
            self.message = "internal error: %s" % exc
            raise
        finally:
            self.ops.write_audit(self._audit_line(), self.step)
            if lock is not None:
                try:
                    self._settle_intent()
                except (OSError, AgentError) as exc:
                    LOG.error("cannot settle the apply record of %s: %s", self.d.name, exc)
                finally:
                    os.close(lock)

    def _locked(self) -> "Dict[str, Any]":
        self.unfinished = self.ops.take_unfinished(self.d)
        self._compare()
        if not self.changed() and self.unfinished is None:
            self.result = "unchanged"
            for name in ("check", "backup", "write", "reload", "health"):
                self.step(name, "skipped", message="the file already has this content" if len(self.edits) == 1
                          else "the files already have this content")
            return self._answer()
        if not self.d.alive or not is_alive(self.settings.proc_root, self.d.pid, self.d.starttime):
            raise AgentError(E_NOT_RUNNING, "daemon %s is not running; start it before applying" % self.d.name)
        check = self._check()
        self._backup()
        inject_fault(self.fault, "after_backup")
        self._write()
        # reload and health, against the state just before the reload
        pre = self.ops.agent.blocking_dump(self.d.name, "apply", self.settings.dump_timeout * 3)
        before = {i["instance"]: i for i in pre.get("instances", [])} if pre.get("ok") else \
            {name: dict(inst) for name, inst in self.d.instances.items()}
        try:
            self.ops._reload(self.d, self.step)
            health = self.ops._health(self.d, before, self.step)
        except AgentError as exc:
            self._rollback(exc)             # raises: rolled_back, or io_error when a file cannot be put back
        self.result = "applied"
        return self._answer(check, health)

    def _per_file(self, key: str, value: "Callable[[FileEdit], Any]",
                  edits: "Optional[List[FileEdit]]" = None) -> "Dict[str, Any]":
        """A step's detail for each file ({"files": [...]}) when the apply has several."""
        edits = self.edits if edits is None else edits
        return {"files": [{"path": e.path, key: value(e)} for e in edits]} if len(self.edits) > 1 else {}

    def _compare(self) -> None:
        self.step("compare", "started")
        for e in self.edits:
            try:
                e.target = self.ops.write_target(self.d, e.path)
                e.old_data, e.old_stat = read_trusted(str(e.target), MAX_CONFIG_FILE_BYTES)
            except FileNotFoundError:
                self.step("compare", "failed", file=e.path, message="the file does not exist")
                raise AgentError(E_NOT_FOUND, "%s does not exist" % e.path)
            except AgentError as exc:
                self.step("compare", "failed", file=e.path, message=exc.message)
                raise
            e.old_sha = sha256_hex(e.old_data)
            if e.old_sha != e.base_sha:
                self.step("compare", "failed", file=e.path, current_sha256=e.old_sha)
                raise AgentError(E_CONFLICT, "%s changed since the editor read it (sha256 %s, expected %s); "
                                 "review the current text and apply again" % (e.path, e.old_sha[:12], e.base_sha[:12]),
                                 {"current_sha256": e.old_sha, "current_text": decode_text(e.old_data), "path": e.path})
        self.step("compare", "ok", sha256=self.edits[0].old_sha, **self._per_file("sha256", lambda e: e.old_sha))

    def _check(self) -> "Dict[str, Any]":
        self.step("check", "started")
        check = self.ops.check_files(self.d, {e.path: e.new_data for e in self.edits})
        if not check["ok"]:
            self.step("check", "failed", errors=check["errors"], warnings=check["warnings"])
            raise AgentError(E_CHECK_FAILED, "keepalived -t rejected the configuration (%d error(s)); "
                             "keepalived was not touched" % check["errors"],
                             {"diagnostics": check["diagnostics"], "exit_code": check["exit_code"],
                              "output": check["output"]})
        self.step("check", "ok", errors=0, warnings=check["warnings"])
        return check

    def _backup(self) -> None:
        changed = self.changed()
        if not changed:
            self.step("backup", "skipped", message="no file changes")
            return
        self.step("backup", "started")
        for e in changed:
            e.backup = self.ops.backup(self.ops.backup_key(self.d, e.path), e.old_data)
        self.step("backup", "ok", backup=changed[0].backup_name(), **self._per_file("backup", FileEdit.backup_name, changed))

    def _write(self) -> None:
        changed = self.changed()
        if not changed:
            self.step("write", "skipped", message="the files already have this content; keepalived is reloaded to "
                      "finish an earlier apply that did not")
            return
        self.step("write", "started")
        self._record_intent(changed)
        for e in changed:
            stale = remove_stale_temps(e.target)
            if stale:
                LOG.warning("removed temporary files of an interrupted apply: %s", ", ".join(stale))
            try:
                atomic_write(e.target, e.new_data, e.old_stat, self.fault)
            except (OSError, AgentError) as exc:
                self.step("write", "failed", file=e.path, message=str(exc))
                failures = self._restore()
                if failures:
                    self.result = "rollback_failed"
                    raise AgentError(E_IO, "cannot write %s (%s), and putting back the files written before it failed: "
                                     "%s; the backups are %s" % (e.path, exc, "; ".join(failures), self._backups()))
                raise AgentError(E_IO, "cannot write %s: %s; %skeepalived was not reloaded"
                                 % (e.path, exc, "the files written before it were put back, " if e is not changed[0] else ""))
            e.written = True
        self.step("write", "ok", sha256=changed[0].new_sha, **self._per_file("sha256", lambda e: e.new_sha, changed))
        inject_fault(self.fault, "before_reload")

    def _record_intent(self, changed: "List[FileEdit]") -> None:
        """The record that this apply is under way, written (0600, root-only directory) before its first rename."""
        ts = now()
        record = {"format": INTENT_FORMAT, "op": self.op, "daemon": self.d.name, "config": self.d.config,
                  "request_id": self.request_id, "reason": self.reason, "restored_from": self.restored_from,
                  "ts": ts, "time": iso_time(ts), "user": session_user(),
                  "ssh_client": os.environ.get("SSH_CLIENT") or None, "agent_pid": os.getpid(),
                  "files": [{"path": e.path, "target": str(e.target), "old_sha256": e.old_sha, "new_sha256": e.new_sha,
                             "backup": e.backup_name()} for e in changed]}
        path = self.ops.private("intents") / (self.ops.lock_name(self.d) + ".json")
        remove_stale_temps(path)
        atomic_write(path, encode_text(json.dumps(record, sort_keys=True)))
        self.intent = record

    def _restore(self) -> "List[str]":
        """Puts back the bytes of every file this run wrote, newest first; what failed, in words."""
        failures = []
        for e in reversed([e for e in self.edits if e.written]):
            try:
                atomic_write(e.target, e.old_data, e.old_stat)
                e.written = False
            except (OSError, AgentError) as exc:
                failures.append("%s: %s" % (e.path, exc))
        return failures

    def _backups(self) -> str:
        return ", ".join("%s for %s" % (e.backup, e.path) for e in self.edits if e.backup) or "none"

    def _rollback(self, cause: AgentError) -> None:
        """After a failed reload or health watch: every file back as it was, keepalived reloaded (or started again by
        systemd); raises rolled_back (or io_error when a file cannot be put back)."""
        self.step("rollback", "started", reason=cause.message)
        changed = self.changed()
        details = dict(cause.details or {})
        details.update({"reason": cause.message, "backup": changed[0].backup_name() if changed else None,
                        "restored_sha256": changed[0].old_sha if changed else None})
        if len(self.edits) > 1:
            details["restored"] = [{"path": e.path, "sha256": e.old_sha, "backup": e.backup_name()} for e in changed]
        failures = self._restore()
        if failures:
            self.step("rollback", "failed", message="cannot restore: %s" % "; ".join(failures))
            self.result = "rollback_failed"
            raise AgentError(E_IO, "health check failed (%s) and restoring failed: %s; the backups are %s"
                             % (cause.message, "; ".join(failures), self._backups()), details)
        d = self.d
        alive = is_alive(self.settings.proc_root, d.pid, d.starttime)
        unit = d.reload_unit()
        if alive:
            try:
                self.ops._reload(d, self.step)
                time.sleep(self.settings.health_min)
                alive = is_alive(self.settings.proc_root, d.pid, d.starttime)
            except AgentError as exc:
                details["reload_error"] = exc.message
        elif unit:
            code, out, err = run_command(["systemctl", "start", unit], self.settings.reload_timeout)
            details["restarted_with"] = "systemctl start %s" % unit
            if code != 0:
                details["restart_error"] = (err or out).strip()
        details["daemon_alive"] = alive
        restored = []  # type: List[Dict[str, Any]]
        if alive:
            # A fresh dump on the restored files: the client sees the instances leave the state the
            # failed config put them in (nothing else would tell it before the periodic snapshot).
            snap = self.ops.agent.blocking_dump(d.name, "apply", self.settings.dump_timeout * 3)
            if snap.get("ok"):
                restored = [{"instance": i["instance"], "state": i["state"], "effective_priority": i["effective_priority"]}
                            for i in sorted(snap["instances"], key=lambda i: i["instance"])]
                details["instances"] = restored
        self.step("rollback", "ok" if alive else "failed", daemon_alive=alive, instances=restored)
        self.result = "rolled_back"
        message = "%s; the previous configuration was restored" % cause.message
        if not alive:
            message += " but keepalived is not running: start it again"
        raise AgentError(E_ROLLED_BACK, message, details)

    def _settle_intent(self) -> None:
        """Once the run ended: the record goes when keepalived runs what is on disk (applied, rolled back); it stays
        while a file this run wrote is still on disk unchecked (a rollback that failed, an unexpected error), for the
        next sessions to report, its audit line written. A run that put everything back leaves the record of an
        earlier unfinished apply as it found it."""
        path = self.ops.intent_path(self.d)
        if self.result in ("applied", "rolled_back"):
            unlink_quietly(path)
        elif self.intent is not None and any(e.written for e in self.edits):
            atomic_write(path, encode_text(json.dumps(dict(self.intent, audited=now(), outcome=self.result),
                                                      sort_keys=True)))
        elif self.intent is not None and self.unfinished is not None:
            atomic_write(path, encode_text(json.dumps(self.unfinished, sort_keys=True)))
        elif self.intent is not None:
            unlink_quietly(path)

    def _answer(self, check: "Optional[Dict[str, Any]]" = None,
                health: "Optional[Dict[str, Any]]" = None) -> "Dict[str, Any]":
        result = {"result": self.result, "files": [e.to_json() for e in self.edits],
                  "duration_ms": int((time.monotonic() - self.started) * 1000)}  # type: Dict[str, Any]
        if len(self.edits) == 1:
            only = self.edits[0]
            result.update({"path": only.path, "old_sha256": only.old_sha, "new_sha256": only.new_sha,
                           "backup": only.backup_name()})
        if check is not None:
            result["check"] = {"warnings": check["warnings"], "diagnostics": check["diagnostics"]}
        if health is not None:
            result["health"] = health
        if self.unfinished is not None:
            result["finished_unfinished"] = self._earlier()
        return result

    def _earlier(self) -> "Dict[str, Any]":
        earlier = self.unfinished or {}
        return {key: earlier.get(key) for key in ("time", "user", "agent_pid", "request_id", "op")}

    def _audit_line(self) -> "Dict[str, Any]":
        line = {"op": self.op, "daemon": self.d.name, "result": self.result, "message": self.message,
                "reason": self.reason, "request_id": self.request_id, "restored_from": self.restored_from,
                "files": [e.to_json() for e in self.edits]}  # type: Dict[str, Any]
        if len(self.edits) == 1:
            only = self.edits[0]
            line.update({"path": only.path, "old_sha256": only.old_sha or None,
                         "new_sha256": only.new_sha if only.old_sha else None, "backup": only.backup_name()})
        if self.unfinished is not None:
            line["finishes"] = self._earlier()
        return line
