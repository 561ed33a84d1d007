"""config.check, config.apply, config.backups, config.backup.read and config.restore (run in worker threads)."""

import errno
import fcntl
import json
import os
import re
import signal
import socket
import stat
import time
from pathlib import Path

from .apply_run import ApplyRun
from .bootstrap import agent_command, BOOTSTRAP_DEPLOY_EXIT, BOOTSTRAP_DEPLOY_MARK
from .check_exec import CHECK_EXEC_FAILED
from .check_output import classify_check_output
from .clock import compact_time, iso_time, now
from .commands import run_command
from .config_files import ConfigSet, find_instance_names, MAX_CONFIG_FILE_BYTES
from .daemon import Daemon, STATE_FAULT
from .edits import FileEdit, INTENT_FORMAT, on_disk_summary, on_disk_version
from .keepalived_defaults import DEFAULT_ADVERT_INT_S, DEFAULT_TMPDIR
from .log import LOG
from .private_files import (atomic_write, check_write_directory, open_lock_file, private_dir, unlink_quietly,
    write_all, write_private)
from .proc import is_alive, session_user, signal_caught
from .protocol import (AgentError, E_BAD_ARGS, E_BUSY, E_FORBIDDEN_PATH, E_IO, E_NOT_FOUND, E_NOT_RUNNING,
    E_PERMISSION, E_RELOAD_FAILED, E_ROLLED_BACK, E_TOO_LARGE, E_UNSUPPORTED, E_UNTRUSTED, UntrustedOwner)
from .sha256 import sha256_hex
from .text_bytes import decode_text, encode_text
from .trust import check_trusted, read_trusted, resolve_trusted, user_label

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple  # noqa: F401
    from .agent import Agent  # noqa: F401

LOCK_POLL_S = 0.05
HEALTH_POLL_S = 0.1

MAX_INTENT_BYTES = 256 * 1024
BACKUP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.conf\Z")


class ConfigOps(object):
    """config.check / config.apply / config.backups / config.restore for one agent."""

    def __init__(self, agent: "Agent") -> None:
        self.agent = agent
        self.settings = agent.settings
        self.operator = None  # type: Optional[Dict[str, str]]  # who the client says acts (hello), for the audit log

    # -- the agent's own files and the daemon's ---------------------------------------------------

    def state_dir(self) -> Path:
        return Path(self.settings.state_dir)

    def private(self, *parts: str) -> Path:
        """<state_dir>/<parts...>, each level checked (and made 0700 when missing) by private_dir."""
        path = private_dir(self.state_dir())
        for part in parts:
            path = private_dir(path / part)
        return path

    @staticmethod
    def _slug(path: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", path.strip("/"))[-80:] + "-" + sha256_hex(path.encode())[:10]

    def backup_dir(self, key: str) -> Path:
        """Where the backups of one file are kept: `key` is backup_key's."""
        return self.state_dir() / "backups" / self._slug(key)

    @staticmethod
    def backup_key(d: Daemon, path: str) -> str:
        """Whose file `path` is, for its backups: the path itself for a daemon that sees the agent's own files; with its
        root's device and inode for a daemon in a root of its own (a container's /etc/keepalived/keepalived.conf is
        not the host's, and shared backups would list, restore and prune each other's; /proc/<pid>/root itself
        changes with every start, the directory it leads to does not)."""
        if not d.fs_root:
            return path
        try:
            root = os.stat(d.fs_root)
        except OSError as exc:
            raise AgentError(E_NOT_RUNNING, "the root of keepalived %s (%s) cannot be looked at: %s"
                             % (d.name, d.fs_root, exc.strerror or exc))
        return "%s@root-%x-%x" % (path, root.st_dev, root.st_ino)

    def lock_name(self, d: Daemon) -> str:
        """One name per configuration (its main file, links followed), for its apply lock and apply record:
        the main file and its includes are applied one apply at a time."""
        try:
            identity = resolve_trusted(d.config, d.fs_root)
        except (AgentError, OSError):
            identity = d.config
        return "daemon-" + self._slug(d.fs_root + identity)

    def lock_path(self, d: Daemon) -> Path:
        return self.state_dir() / "locks" / (self.lock_name(d) + ".lock")

    def intent_path(self, d: Daemon) -> Path:
        return self.state_dir() / "intents" / (self.lock_name(d) + ".json")

    def resolve_target(self, d: Daemon, path: "Optional[str]") -> "Tuple[ConfigSet, str]":
        cset = ConfigSet(d.config, d.fs_root).load()
        return cset, self._known_target(d, cset, path)

    def resolve_targets(self, d: Daemon, paths: "List[Optional[str]]") -> "List[str]":
        """The files of one request, each a file of the daemon's configuration (or allowed_paths), none twice."""
        cset = ConfigSet(d.config, d.fs_root).load()
        targets = []  # type: List[str]
        for path in paths:
            target = self._known_target(d, cset, path)
            if target in targets:
                raise AgentError(E_BAD_ARGS, "%s is named twice in one request" % target)
            targets.append(target)
        return targets

    def _known_target(self, d: Daemon, cset: ConfigSet, path: "Optional[str]") -> str:
        target = path or d.config
        if target not in cset.paths() and target not in self.settings.allowed_paths:
            raise AgentError(E_FORBIDDEN_PATH, "%s is not a configuration file of daemon %s "
                             "(files: %s)" % (target, d.name, ", ".join(cset.paths())))
        return target

    def write_target(self, d: Daemon, path: str) -> Path:
        """The file an apply of `path` writes: a symlink's target, so that the link stays a link. It must be a
        regular file root owns and only root can write, in a directory only root can write (so that the
        temporary file renamed over it, and the rename, cannot be tampered with). The configuration's owner
        (config_owner) is no exception here: the agent reads their files for their daemon, and writes none."""
        try:
            try:
                real = resolve_trusted(path, d.fs_root)
                st = os.lstat(d.fs_root + real)
            except FileNotFoundError:
                raise AgentError(E_NOT_FOUND, "%s does not exist" % path)
            fs_real = d.fs_root + real
            where = path if real == path else "%s (the file the link %s points to)" % (real, path)
            check_trusted(where, st, MAX_CONFIG_FILE_BYTES)
            check_write_directory(d.fs_root, os.path.dirname(real))
        except UntrustedOwner as exc:
            raise AgentError(E_UNTRUSTED, "%s: this configuration belongs to %s, and Keepwatch writes only "
                             "configurations root alone controls (Neutron, for one, rewrites its own); nothing was "
                             "written" % (exc.message, user_label(exc.uid, d.fs_root)), exc.details)
        except OSError as exc:
            raise AgentError(E_IO, "cannot look at %s: %s" % (path, exc.strerror or exc))
        return Path(fs_real)

    # -- check ------------------------------------------------------------------------------

    def keepalived_exe(self, d: Daemon) -> str:
        """The trusted keepalived (never the daemon's own binary through /proc: see trusted_keepalived)."""
        return self.agent.keepalived_bin()

    def check(self, d: Daemon, target: str, text: str) -> "Dict[str, Any]":
        """keepalived -t on the configuration with `target` replaced by `text`."""
        return self.check_files(d, {target: encode_text(text)})

    def check_files(self, d: Daemon, candidates: "Dict[str, bytes]") -> "Dict[str, Any]":
        """keepalived -t on d's configuration with each file named in candidates replaced by its bytes, all at
        once, in d's netns. The candidates are files of mode 0600 (they hold auth_pass) that only this call made."""
        for path, data in candidates.items():
            if len(data) > MAX_CONFIG_FILE_BYTES:
                raise AgentError(E_TOO_LARGE, "the candidate for %s is larger than %d bytes" % (path, MAX_CONFIG_FILE_BYTES))
        started = time.monotonic()
        exe = self.keepalived_exe(d)
        extra = []  # type: List[str]
        if d.config_id:
            extra += ["-i", d.config_id]
        if isinstance(d.options.get("s"), str):
            extra += ["-s", d.options["s"]]
        path_map = {}  # type: Dict[str, str]
        cleanup = []  # type: List[Path]
        scratch = None  # type: Optional[Path]
        try:
            if os.geteuid() == 0 and not d.fs_root:
                scratch = self.private("tmp")
                netns = None if d.own_netns else self._netns_for_check(d)
                argv = agent_command(["_check-exec"])
                for path, data in candidates.items():
                    candidate = write_private(scratch, lambda token: "candidate-%d-%s.conf" % (os.getpid(), token), data)
                    cleanup.append(candidate)
                    argv += ["--bind", str(candidate), d.fs_root + path]
                if netns:
                    argv += ["--netns", netns]
                argv += ["--", exe, "-t", "-f", d.config] + extra
            else:
                others = sorted(p for p in candidates if p != d.config)
                if others:
                    raise AgentError(E_UNSUPPORTED, "checking an include file (%s) needs the agent to run as root"
                                     % ", ".join(others))
                main = d.fs_root + d.config
                if d.config in candidates:
                    self.write_target(d, d.config)      # beside it only where an apply could write it
                    name = Path(d.config).name
                    try:
                        candidate = write_private(Path(main).parent, lambda token: ".%s.keepwatch-check-%d-%s"
                                                  % (name, os.getpid(), token), candidates[d.config])
                    except OSError as exc:
                        raise AgentError(E_PERMISSION if exc.errno in (errno.EACCES, errno.EPERM) else E_IO,
                                         "cannot write the candidate next to %s: %s" % (d.config, exc.strerror))
                    cleanup.append(candidate)
                    path_map[d.fs_root + str(candidate)] = d.config
                    path_map[str(candidate)] = d.config
                    main = str(candidate)
                argv = [exe, "-t", "-f", main] + extra
            env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C", "LC_ALL": "C",
                   "TMPDIR": str(scratch) if scratch is not None else DEFAULT_TMPDIR}
            code, output, _ = run_command(argv, self.settings.check_timeout, env=env, merge_stderr=True)
        finally:
            for path in cleanup:
                unlink_quietly(path)
        if code == CHECK_EXEC_FAILED:
            raise AgentError(E_UNSUPPORTED, "cannot run keepalived -t in the daemon's namespace: %s" % output.strip())
        if code == BOOTSTRAP_DEPLOY_EXIT and BOOTSTRAP_DEPLOY_MARK in output:
            raise AgentError(E_IO, "cannot run keepalived -t: the agent's file is no longer the one this session "
                             "runs: %s" % output.strip())
        # The daemon's version is the trusted keepalived's (discovery reads it only when the daemon runs that file).
        result = classify_check_output(output, code, path_map, d.version)
        result["output"] = output
        result["duration_ms"] = int((time.monotonic() - started) * 1000)
        result["path"] = next(iter(candidates), d.config)
        result["paths"] = list(candidates)
        result["netns"] = d.netns_name
        return result

    def _netns_for_check(self, d: Daemon) -> "Optional[str]":
        if d.alive and is_alive(self.settings.proc_root, d.pid, d.starttime):
            return d.netns_path
        if d.netns_name:
            return os.path.join(self.settings.netns_dir, d.netns_name)
        raise AgentError(E_NOT_RUNNING, "daemon %s is not running and its network namespace has no name; "
                         "cannot check interface names" % d.name)

    # -- apply ------------------------------------------------------------------------------

    def apply(self, d: Daemon, target: str, text: str, base_sha: str, reason: "Optional[str]",
              request_id: "Any", op: str, backup_name: "Optional[str]" = None) -> "Dict[str, Any]":
        """An apply of one file (see apply_files)."""
        return self.apply_files(d, [FileEdit(target, text, base_sha)], reason, request_id, op, backup_name)

    def apply_files(self, d: Daemon, edits: "List[FileEdit]", reason: "Optional[str]", request_id: "Any", op: str,
                    restored_from: "Optional[str]" = None) -> "Dict[str, Any]":
        """One apply of one or more files of d's configuration: checked together, written together, one reload
        and one health watch, all rolled back together (ApplyRun)."""
        return ApplyRun(self, d, edits, reason, request_id, op, restored_from).run()

    def stepper(self, d: Daemon, paths: "List[str]", request_id: "Any", op: str) -> "Callable[..., None]":
        def step(name: str, status: str, **detail: "Any") -> None:
            event = {"event": "apply.step", "id": request_id, "op": op, "daemon": d.name, "path": paths[0],
                     "paths": paths, "step": name, "status": status}
            event.update(detail)
            self.agent.emit_threadsafe(event)
        return step

    def lock(self, d: Daemon, step: "Callable[..., None]") -> int:
        """The daemon's apply lock (one per configuration, shared by every agent on the node), waited for up to
        lock_timeout; its file descriptor, to be closed when the apply ends."""
        step("lock", "started")
        path = self.private("locks") / (self.lock_name(d) + ".lock")
        fd = open_lock_file(path)
        deadline = time.monotonic() + self.settings.lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
            if time.monotonic() >= deadline:
                os.close(fd)
                step("lock", "failed", message="another apply to this daemon's configuration holds the lock")
                raise AgentError(E_BUSY, "busy: another apply to daemon %s (%s and its includes) has held its lock %s "
                                 "for %.0f s; nothing was changed, apply again once it has finished"
                                 % (d.name, d.config, path, self.settings.lock_timeout))
            time.sleep(LOCK_POLL_S)
        step("lock", "ok", lock=str(path))
        return fd

    def try_lock(self, name: str) -> "Optional[int]":
        """The apply lock `name` if nobody holds it now (its file descriptor), else None."""
        fd = open_lock_file(self.private("locks") / (name + ".lock"))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise
        return fd

    def backup(self, key: str, data: bytes) -> Path:
        """The bytes of a file (`key`: backup_key's) before an apply, kept 0600 (they hold auth_pass); the newest
        backup_keep stay."""
        directory = private_dir(self.private("backups") / self._slug(key))
        stamp = compact_time(time.time())
        backup = directory / ("%s-%s.conf" % (stamp, sha256_hex(data)[:12]))
        atomic_write(backup, data)
        atomic_write(directory / "ORIGIN", encode_text(key + "\n"))
        backups = sorted(p for p in directory.glob("*.conf"))
        for old in backups[:-max(1, self.settings.backup_keep)]:
            unlink_quietly(old)
        return backup

    def _reload(self, d: Daemon, step: "Callable[..., None]") -> None:
        unit = d.reload_unit()
        step("reload", "started", method="systemctl" if unit else "SIGHUP")
        if unit:
            code, out, err = run_command(["systemctl", "reload", unit], self.settings.reload_timeout)
            if code != 0:
                step("reload", "failed", message=(err or out).strip())
                raise AgentError(E_RELOAD_FAILED, "systemctl reload %s failed: %s" % (unit, (err or out).strip()))
        else:
            if not signal_caught(self.settings.proc_root, d.pid, signal.SIGHUP):
                step("reload", "failed", message="keepalived does not handle SIGHUP (still starting?)")
                raise AgentError(E_RELOAD_FAILED, "keepalived (pid %d) does not handle SIGHUP yet; "
                                 "a SIGHUP now would kill it" % d.pid)
            try:
                os.kill(d.pid, signal.SIGHUP)
            except ProcessLookupError:
                step("reload", "failed", message="process gone")
                raise AgentError(E_RELOAD_FAILED, "keepalived (pid %d) exited before the reload" % d.pid)
            except PermissionError:
                step("reload", "failed", message="permission denied")
                raise AgentError(E_PERMISSION, "not allowed to signal keepalived pid %d; run the agent with sudo" % d.pid)
        step("reload", "ok", pid=d.pid)

    def _health(self, d: Daemon, before: "Dict[str, Dict[str, Any]]", step: "Callable[..., None]") -> "Dict[str, Any]":
        cset = ConfigSet(d.config, d.fs_root).load()
        expected = find_instance_names(cset.texts())
        adverts = [i.get("advert_int") or DEFAULT_ADVERT_INT_S for i in before.values()]
        advert = max(adverts) if adverts else DEFAULT_ADVERT_INT_S
        window = max(self.settings.health_min, self.settings.health_adverts * advert)
        step("health", "started", window_s=window, expected_instances=sorted(expected))
        deadline = time.monotonic() + window
        while time.monotonic() < deadline:
            if not is_alive(self.settings.proc_root, d.pid, d.starttime):
                step("health", "failed", message="keepalived exited after the reload")
                raise AgentError(E_ROLLED_BACK, "keepalived (pid %d) exited after the reload" % d.pid,
                                 {"daemon_alive": False})
            time.sleep(min(HEALTH_POLL_S, max(0.0, deadline - time.monotonic())))
        if not expected:
            step("health", "ok", instances=[])
            return {"window_s": window, "instances": []}
        snap = self.agent.blocking_dump(d.name, "apply", self.settings.dump_timeout * 3)
        if not snap.get("ok"):
            step("health", "failed", message=snap.get("message"))
            raise AgentError(E_ROLLED_BACK, "no fresh state from keepalived after the reload: %s" % snap.get("message"))
        now_instances = {i["instance"]: i for i in snap["instances"]}
        missing = sorted(expected - set(now_instances))
        faulted = sorted(n for n, i in now_instances.items()
                         if i["state"] == STATE_FAULT and (before.get(n) or {}).get("state") != STATE_FAULT)
        if missing or faulted:
            problems = []
            if missing:
                problems.append("instances missing after reload: %s" % ", ".join(missing))
            if faulted:
                problems.append("instances in FAULT after reload: %s" % ", ".join(faulted))
            step("health", "failed", missing=missing, faulted=faulted)
            raise AgentError(E_ROLLED_BACK, "; ".join(problems), {"missing": missing, "faulted": faulted})
        summary = [{"instance": n, "state": i["state"], "effective_priority": i["effective_priority"]}
                   for n, i in sorted(now_instances.items())]
        step("health", "ok", instances=summary)
        return {"window_s": window, "instances": summary}

    def write_audit(self, record: "Dict[str, Any]", step: "Optional[Callable[..., None]]" = None) -> None:
        """One JSON line appended to the audit log (created 0600, never through a link), with the operator the client
        named in hello (null when it named none)."""
        ts = now()
        line = {"ts": ts, "time": iso_time(ts), "user": session_user(), "ssh_client": os.environ.get("SSH_CLIENT") or None,
                "host": socket.gethostname(), "agent_pid": os.getpid(), "operator": self.operator}
        line.update(record)
        path = Path(self.settings.audit_log)
        try:
            if path.parent == self.state_dir():
                self.private()
            else:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(str(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                         0o600)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise OSError(errno.EINVAL, "not a regular file")
                fcntl.flock(fd, fcntl.LOCK_EX)
                write_all(fd, encode_text(json.dumps(line, sort_keys=True) + "\n"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if step is not None:
                step("audit", "ok", audit_log=str(path), result=record["result"])
        except (OSError, AgentError) as exc:
            LOG.error("cannot append to the audit log %s: %s", path, exc)
            if step is not None:
                step("audit", "failed", message=str(exc))

    # -- applies that did not finish ----------------------------------------------------------------

    def unfinished_applies(self) -> "List[Dict[str, Any]]":
        """Every apply whose agent ended between its first rename and its end (its record is there and nobody
        holds its lock), each settled (settle_unfinished); for hello."""
        try:
            root = private_dir(self.state_dir(), create=False)
            directory = private_dir(root / "intents", create=False) if root is not None else None
        except AgentError as exc:
            LOG.warning("apply records not looked at: %s", exc.message)
            return []
        if directory is None:
            return []
        reports = []
        for path in sorted(directory.glob("*.json")):
            fd = None
            try:
                fd = self.try_lock(path.stem)
                if fd is not None:          # else an apply holds it: under way, not unfinished
                    reports.append(self.settle_unfinished(path)[1])
            except (AgentError, OSError, ValueError) as exc:
                LOG.warning("cannot read the apply record %s: %s", path, getattr(exc, "message", exc))
            finally:
                if fd is not None:
                    os.close(fd)
        return reports

    def take_unfinished(self, d: Daemon) -> "Optional[Dict[str, Any]]":
        """The record of an apply of d that did not finish and left a file changed (the caller holds d's lock), or
        None. It stays until an apply of d reloads keepalived on what is on disk."""
        path = self.intent_path(d)
        if not os.path.lexists(str(path)):
            return None
        try:
            record, report = self.settle_unfinished(path)
        except (AgentError, OSError, ValueError) as exc:
            LOG.warning("cannot read the apply record %s: %s", path, getattr(exc, "message", exc))
            return None
        return None if report["cleared"] else record

    def settle_unfinished(self, path: Path) -> "Tuple[Dict[str, Any], Dict[str, Any]]":
        """The record at `path` of an apply that did not finish (the caller holds its lock) and its report: which
        version of each file is on disk now. The audit log gets one line for it, once; a record whose files are
        all the old ones (nothing was changed) is dropped once reported."""
        data, _ = read_trusted(str(path), MAX_INTENT_BYTES)
        record = json.loads(decode_text(data))
        if not isinstance(record, dict) or record.get("format") != INTENT_FORMAT or not isinstance(record.get("files"), list):
            raise ValueError("not an apply record of this agent's")
        files = [dict(f, on_disk=on_disk_version(f)) for f in record["files"] if isinstance(f, dict)]
        report = {key: record.get(key) for key in ("daemon", "config", "op", "request_id", "reason", "restored_from",
                                                   "ts", "time", "user", "ssh_client", "agent_pid", "outcome")}
        report["files"] = files
        report["on_disk"] = on_disk_summary(files)
        report["cleared"] = report["on_disk"] == "old"
        if not record.get("audited"):
            self.write_audit(self._interrupted_line(report))
            record["audited"] = now()
            if not report["cleared"]:
                atomic_write(path, encode_text(json.dumps(record, sort_keys=True)))
        if report["cleared"]:
            unlink_quietly(path)
        return record, report

    @staticmethod
    def _interrupted_line(report: "Dict[str, Any]") -> "Dict[str, Any]":
        line = {"op": report["op"], "daemon": report["daemon"], "result": "interrupted", "reason": report["reason"],
                "request_id": report["request_id"], "restored_from": report["restored_from"], "started": report["ts"],
                "user": report["user"], "ssh_client": report["ssh_client"], "agent_pid": report["agent_pid"],
                "noticed_by_pid": os.getpid(), "noticed_by_user": session_user(), "on_disk": report["on_disk"],
                "files": report["files"],
                "message": "the agent (pid %s) ended during this apply, after it started writing and before keepalived "
                           "was reloaded and checked; on disk now: %s" % (report["agent_pid"], report["on_disk"])}
        if len(report["files"]) == 1:
            only = report["files"][0]
            line.update({"path": only.get("path"), "old_sha256": only.get("old_sha256"),
                         "new_sha256": only.get("new_sha256"), "backup": only.get("backup")})
        return line

    # -- backups ----------------------------------------------------------------------------

    def list_backups(self, key: str) -> "List[Dict[str, Any]]":
        """The backups of one file (`key`: backup_key's), newest first."""
        directory = self.backup_dir(key)
        result = []
        if directory.is_dir():
            for path in sorted(directory.glob("*.conf"), reverse=True):
                try:
                    data, st = read_trusted(str(path), MAX_CONFIG_FILE_BYTES)
                except (OSError, AgentError):
                    continue
                result.append({"name": path.name, "created": st.st_mtime, "size": len(data),
                               "sha256": sha256_hex(data)})
        return result

    def read_backup(self, key: str, name: str) -> bytes:
        return self.read_backup_file(key, name)[0]

    def read_backup_file(self, key: str, name: str) -> "Tuple[bytes, os.stat_result]":
        """The bytes of one backup of a file (`key`: backup_key's, of a file of the daemon's configuration, already
        checked) and its stat: `name` is a bare file name from config.backups, looked up only in that file's backup
        directory, so that neither a path nor another file's (or another root's) backup can be named."""
        target = key.split("@root-", 1)[0]
        if not BACKUP_NAME.match(name):
            raise AgentError(E_BAD_ARGS, "backup %r is not a backup name: it must be a name returned by config.backups "
                             "(no path)" % name)
        path = self.backup_dir(key) / name
        try:
            return read_trusted(str(path), MAX_CONFIG_FILE_BYTES, what="a backup")
        except FileNotFoundError:
            raise AgentError(E_NOT_FOUND, "no backup %s of %s (config.backups lists them)" % (name, target))
