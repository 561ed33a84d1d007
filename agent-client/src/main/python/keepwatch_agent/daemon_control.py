"""daemon.start, daemon.stop, daemon.restart and daemon.reload (run in worker threads): systemctl for a systemd unit,
otherwise the daemon's own way (signals, and started again as it was started); the outcome verified, one audit line."""

import errno
import json
import os
import re
import signal
import stat
import sys
import time

from .bootstrap import agent_command
from .client_operator import operator_label
from .clock import now
from .commands import run_command
from .daemon import Daemon
from .daemon_exec import DAEMON_EXEC_FAILED
from .daemon_logs import read_log_tail
from .launch_records import launch_of_process, startable, systemd_unit_of
from .linux import libc, pidfd_open
from .log import LOG
from .proc import is_alive, session_user, signal_caught
from .protocol import (AgentError, E_BAD_ARGS, E_IO, E_NEUTRON_MANAGED, E_NOT_FOUND, E_NOT_RUNNING, E_PERMISSION,
    E_UNSUPPORTED, E_UNTRUSTED)
from .trust import check_trusted, resolve_trusted, trusted_directory

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple  # noqa: F401
    from .agent import Agent  # noqa: F401

E_CONTROL_FAILED = "control_failed"
DAEMON_ACTIONS = ("start", "stop", "restart", "reload")
TRUSTED_PROGRAM_DIRS = ("/usr/bin", "/bin", "/usr/sbin", "/sbin")
SYSTEMD_UNIT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:_.@\\-]*\.service$")
SYS_PIDFD_SEND_SIGNAL = 424        # same number on every architecture (unified syscall table)
CONTROL_POLL_S = 0.1
DAEMON_START_HELPER_TIMEOUT_S = 10.0
LOG_TAIL_BYTES = 2048


def trusted_program(name: str, dirs: "Tuple[str, ...]" = TRUSTED_PROGRAM_DIRS) -> str:
    """The absolute path of `name` in the fixed system directories (never the caller's PATH), only when root alone
    controls it and the way to it; AgentError naming it otherwise."""
    for directory in dirs:
        path = os.path.join(directory, name)
        try:
            real = resolve_trusted(path)
            st = os.lstat(real)
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            continue
        check_trusted(path if real == path else "%s (a link to %s)" % (path, real), st, sys.maxsize, "a program")
        if not st.st_mode & stat.S_IXUSR:
            raise AgentError(E_UNTRUSTED, "%s is not executable" % path, {"file": path})
        return real
    raise AgentError(E_UNSUPPORTED, "no %s in %s" % (name, ", ".join(dirs)))


def systemctl_argv(systemctl: str, action: str, unit: str) -> "List[str]":
    """systemctl ACTION UNIT, only for a keepalived service unit name (never an option, never a pattern)."""
    if action not in DAEMON_ACTIONS:
        raise AgentError(E_BAD_ARGS, "unknown daemon action %r" % action)
    if not SYSTEMD_UNIT_RE.match(unit) or not unit.startswith("keepalived"):
        raise AgentError(E_UNSUPPORTED, "%r is not a keepalived service unit; Keepwatch controls keepalived units only"
                         % unit)
    return [systemctl, action, "--", unit]


def not_running_for_reload(d: Daemon) -> AgentError:
    return AgentError(E_NOT_RUNNING, "keepalived %s is not running; start it instead of reloading it" % d.name)


def signal_daemon(proc_root: str, pid: int, starttime: "Optional[int]", signum: int, what: str) -> None:
    """signum to pid only while it is still the process the agent knows (same start time): through a pidfd opened
    first and checked after, so a pid recycled meanwhile never gets it. AgentError naming `what` otherwise."""
    try:
        fd = pidfd_open(pid)
    except ProcessLookupError:
        fd = None
    try:
        if starttime is None or not is_alive(proc_root, pid, starttime):
            raise AgentError(E_NOT_RUNNING, "%s (pid %d) is no longer running: the pid is gone or now belongs to "
                             "another process; nothing was signalled" % (what, pid))
        if fd is not None:
            import ctypes
            if libc().syscall(SYS_PIDFD_SEND_SIGNAL, ctypes.c_int(fd), ctypes.c_int(signum), None,
                              ctypes.c_uint(0)) < 0:
                err = ctypes.get_errno()
                raise OSError(err, os.strerror(err))
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        raise AgentError(E_NOT_RUNNING, "%s (pid %d) exited before it was signalled" % (what, pid))
    except PermissionError:
        raise AgentError(E_PERMISSION, "not allowed to signal %s (pid %d); run the agent with sudo" % (what, pid))
    except OSError as exc:
        if exc.errno == errno.ESRCH:
            raise AgentError(E_NOT_RUNNING, "%s (pid %d) exited before it was signalled" % (what, pid))
        raise AgentError(E_IO, "cannot signal %s (pid %d): %s" % (what, pid, exc.strerror or exc))
    finally:
        if fd is not None:
            os.close(fd)


class DaemonControl(object):
    """The daemon.* requests of one agent. Each takes the daemon's apply lock (no stop in the middle of a push),
    reports its steps as daemon.step events, verifies the outcome from /proc and answers with it."""

    def __init__(self, agent: "Agent") -> None:
        self.agent = agent
        self.settings = agent.settings
        self.records = agent.launch_records

    def start(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        return self.run("start", req_id, args)

    def stop(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        return self.run("stop", req_id, args)

    def restart(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        return self.run("restart", req_id, args)

    def reload(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        return self.run("reload", req_id, args)

    # -- one action ---------------------------------------------------------------------------

    def run(self, action: str, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.agent.find_daemon(args["daemon"])
        reason = args.get("reason")
        started = time.monotonic()
        step = self.stepper(d, req_id, action)
        audit = {"op": "daemon." + action, "daemon": d.name, "reason": reason, "request_id": req_id,
                 "config": d.config, "pid_before": d.pid if d.alive else None}  # type: Dict[str, Any]
        if d.neutron_router:
            message = ("keepalived %s is a Neutron HA router's: the neutron l3 agent starts, stops and reloads it (and "
                       "would undo what Keepwatch did); act on the router through Neutron" % d.name)
            audit.update(result="refused", message=message, method=None)
            self.agent.config_ops.write_audit(audit)
            raise AgentError(E_NEUTRON_MANAGED, message, {"daemon": d.name, "neutron_router": d.neutron_router})
        unit = systemd_unit_of(d)
        audit["method"] = "systemctl" if unit else "signal"
        drain = bool(args.get("drain")) and action == "stop"
        stopped = (d.pid, d.starttime) if d.alive else (None, None)
        # looked at before the start: the agent's own rescan may clear the note as soon as it sees the new process
        was_drained = action in ("start", "restart") and self.agent.maintenance.has_stopped_note(d)
        if drain:
            audit["drain"] = True
        lock = None  # type: Optional[int]
        try:
            if drain:
                self._check_drainable(d, unit)
            lock = self.agent.config_ops.lock(d, step)
            if unit:
                outcome = self._systemd(action, d, unit, step)
            else:
                outcome = getattr(self, "_own_" + action)(d, step)
            if drain and not outcome["running"]:
                self.agent.maintenance.mark_stopped(d, operator_label(self.agent.config_ops.operator, session_user()),
                                                    reason, stopped)
                step("drain", "ok", message="drained: keepalived stays stopped until it is started again")
                outcome["drained"] = True
            elif action in ("start", "restart") and outcome["running"] and (self.agent.maintenance.forget_stopped(d)
                                                                              or was_drained):
                step("undrain", "ok", message="no longer drained")
                audit["undrained"] = outcome["undrained"] = True
        except AgentError as err:
            audit.update(result="failed", message=err.message, code=err.code)
            self.agent.config_ops.write_audit(audit, step)
            raise
        finally:
            if lock is not None:
                os.close(lock)
        outcome.update({"daemon": d.name, "action": action, "method": audit["method"], "unit": unit,
                        "duration_ms": int((time.monotonic() - started) * 1000)})
        if drain or outcome.get("undrained"):
            self.agent.loop.call_soon_threadsafe(self.agent.maintenance_changed)
        audit.update(result=outcome["result"], pid_after=outcome.get("pid"), running=outcome["running"])
        self.agent.config_ops.write_audit(audit, step)
        return outcome

    def _check_drainable(self, d: Daemon, unit: "Optional[str]") -> None:
        """A drain by stopping must be undone by a start: refused (nothing stopped) where Keepwatch could not start
        the daemon again, or may not drain it at all."""
        self.agent.maintenance.check_stoppable(d)
        if unit or not d.alive:
            return
        current = self.agent.find_daemon(d.name)
        record = launch_of_process(self.settings.proc_root, current) if startable(current) else None
        if record is None:
            raise AgentError(E_UNSUPPORTED, "keepalived %s runs in a namespace or filesystem view Keepwatch cannot start "
                             "it in again, so stopping it would not be a drain that can be undone; nothing was stopped"
                             % d.name)
        self._check_launch(d, record, "its running process")

    def stepper(self, d: Daemon, req_id: "Any", action: str) -> "Callable[..., None]":
        def step(name: str, status: str, **detail: "Any") -> None:
            event = {"event": "daemon.step", "id": req_id, "op": "daemon." + action, "daemon": d.name,
                     "step": name, "status": status}
            event.update(detail)
            self.agent.emit_threadsafe(event)
        return step

    # -- systemd ------------------------------------------------------------------------------

    def _systemd(self, action: str, d: Daemon, unit: str, step: "Callable[..., None]") -> "Dict[str, Any]":
        """systemctl ACTION -- UNIT, verified. A start of a running daemon runs nothing (systemctl would do nothing,
        and no new process would come for the verify); a stop of a stopped one still runs systemctl stop (it also
        cancels a restart systemd has pending), and both answer unchanged, as the daemon's own way does. A reload of a
        stopped one runs nothing either and answers not_running, as the daemon's own way does (systemctl's own
        refusal would read as a failure of control)."""
        before = self.observe(d.key)
        if action == "start" and before["running"]:
            step("systemctl", "skipped", message="already running")
            return dict(before, result="unchanged")
        if action == "reload" and not before["running"]:
            step("systemctl", "skipped", message="not running")
            raise not_running_for_reload(d)
        argv = systemctl_argv(trusted_program("systemctl"), action, unit)
        step("systemctl", "started", command=argv)
        code, out, err = run_command(argv, self.settings.reload_timeout, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                                                             "LANG": "C", "LC_ALL": "C"})
        if code != 0:
            message = (err or out).strip()
            step("systemctl", "failed", exit_code=code, message=message)
            raise AgentError(E_CONTROL_FAILED, "%s failed (exit %d): %s" % (" ".join(argv), code, message),
                             {"exit_code": code})
        step("systemctl", "ok")
        outcome = self.verify(d, action, before, step)
        if action == "stop" and not before["running"]:
            outcome["result"] = "unchanged"
        return outcome

    # -- the daemon's own way -----------------------------------------------------------------

    def _own_stop(self, d: Daemon, step: "Callable[..., None]") -> "Dict[str, Any]":
        before = self.observe(d.key)
        if not before["running"]:
            step("stop", "skipped", message="not running")
            return dict(before, result="unchanged")
        self.records.remember(self.agent.find_daemon(d.name))
        self._signal(before, signal.SIGTERM, "stop", d, step)
        return self.verify(d, "stop", before, step)

    def _own_reload(self, d: Daemon, step: "Callable[..., None]") -> "Dict[str, Any]":
        before = self.observe(d.key)
        if not before["running"]:
            raise not_running_for_reload(d)
        if not signal_caught(self.settings.proc_root, before["pid"], signal.SIGHUP):
            raise AgentError(E_CONTROL_FAILED, "keepalived %s (pid %d) does not handle SIGHUP yet (still starting?); "
                             "a SIGHUP now would kill it" % (d.name, before["pid"]))
        self._signal(before, signal.SIGHUP, "reload", d, step)
        return self.verify(d, "reload", before, step)

    def _own_start(self, d: Daemon, step: "Callable[..., None]") -> "Dict[str, Any]":
        before = self.observe(d.key)
        if before["running"]:
            step("start", "skipped", message="already running")
            return dict(before, result="unchanged")
        record = self._record(d)
        self._launch(d, record, step)
        return self.verify(d, "start", before, step)

    def _own_restart(self, d: Daemon, step: "Callable[..., None]") -> "Dict[str, Any]":
        before = self.observe(d.key)
        if before["running"]:
            current = self.agent.find_daemon(d.name)
            record = launch_of_process(self.settings.proc_root, current) if startable(current) else None
            if record is None:
                raise AgentError(E_UNSUPPORTED, "keepalived %s runs in a namespace or filesystem view Keepwatch cannot "
                                 "start it in again; nothing was stopped" % d.name)
            self.records.remember(current)
            self._check_launch(d, record, "its running process")
            self._signal(before, signal.SIGTERM, "stop", d, step)
            self.verify(d, "stop", before, step)
        else:
            record = self._record(d)
        self._launch(d, record, step)
        return self.verify(d, "restart", before, step)

    def _signal(self, before: "Dict[str, Any]", signum: int, name: str, d: Daemon, step: "Callable[..., None]") -> None:
        step(name, "started", signal=signal.Signals(signum).name, pid=before["pid"])
        try:
            signal_daemon(self.settings.proc_root, before["pid"], before["starttime"], signum, "keepalived " + d.name)
        except AgentError as err:
            step(name, "failed", message=err.message)
            raise
        step(name, "ok", pid=before["pid"])

    def _record(self, d: Daemon) -> "Dict[str, Any]":
        if not startable(d):
            raise AgentError(E_UNSUPPORTED, "keepalived %s runs in a namespace or filesystem view Keepwatch cannot "
                             "start it in" % d.name)
        try:
            record = self.records.recall(d)
        except AgentError as err:
            if err.code == E_NOT_FOUND:
                raise AgentError(E_NOT_FOUND, "keepalived %s is not a systemd service and Keepwatch has not seen it "
                                 "running, so it does not know how it is started; start it once by hand (an agent "
                                 "then remembers how)" % d.name)
            raise
        self._check_launch(d, record, "its start record")
        return record

    def _check_launch(self, d: Daemon, record: "Dict[str, Any]", where: str) -> None:
        """What a start runs, uses and writes must be root's alone: the executable, the working directory, the output
        files (and the way to each); the network namespace must exist. AgentError naming what and why."""
        exe = record["exe"]
        try:
            real = resolve_trusted(exe)
            st = os.lstat(real)
            check_trusted(exe, st, sys.maxsize, "a program")
        except FileNotFoundError:
            raise AgentError(E_NOT_FOUND, "keepalived %s: the executable %s (from %s) is gone" % (d.name, exe, where))
        except AgentError as err:
            raise AgentError(E_UNTRUSTED, "keepalived %s is not started: %s" % (d.name, err.message), {"file": exe})
        if not st.st_mode & stat.S_IXUSR:
            raise AgentError(E_UNTRUSTED, "keepalived %s is not started: %s is not executable" % (d.name, exe))
        try:
            cwd = resolve_trusted(record["cwd"])
            st = os.lstat(cwd)
            if not stat.S_ISDIR(st.st_mode) or not trusted_directory(st):
                raise AgentError(E_UNTRUSTED, "%s is not a directory only root may write" % record["cwd"])
        except FileNotFoundError:
            raise AgentError(E_NOT_FOUND, "keepalived %s: its working directory %s is gone" % (d.name, record["cwd"]))
        except AgentError as err:
            raise AgentError(E_UNTRUSTED, "keepalived %s is not started: %s" % (d.name, err.message))
        for name in ("stdout", "stderr"):
            path = record[name]
            if path is None:
                continue
            try:
                parent = resolve_trusted(os.path.dirname(path))
                check_write_dir = os.lstat(parent)
                if not trusted_directory(check_write_dir):
                    raise AgentError(E_UNTRUSTED, "%s is in a directory others may write" % path)
                st = os.lstat(parent + "/" + os.path.basename(path))
                check_trusted(path, st, sys.maxsize, "a log file")
            except FileNotFoundError:
                continue    # made anew by the start (0640, root's)
            except AgentError as err:
                raise AgentError(E_UNTRUSTED, "keepalived %s is not started: its %s %s" % (d.name, name, err.message),
                                 {"file": path})
        if record["netns"] is not None and not os.path.exists(os.path.join(self.settings.netns_dir, record["netns"])):
            raise AgentError(E_NOT_FOUND, "keepalived %s: its network namespace %s is gone" % (d.name, record["netns"]))

    def _launch(self, d: Daemon, record: "Dict[str, Any]", step: "Callable[..., None]") -> None:
        argv = agent_command(["_daemon-start", "--cwd", record["cwd"]])
        if record["netns"] is not None:
            argv += ["--netns", os.path.join(self.settings.netns_dir, record["netns"])]
        for option, name in (("--out", "stdout"), ("--err", "stderr"), ("--tmpdir", "tmpdir")):
            if record[name] is not None:
                argv += [option, record[name]]
        argv += ["--", record["exe"]] + list(record["argv"])
        step("start", "started", command=[record["exe"]] + list(record["argv"])[1:], cwd=record["cwd"],
             netns=record["netns"], output=record["stdout"])
        code, out, _ = run_command(argv, DAEMON_START_HELPER_TIMEOUT_S)
        try:
            answer = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        except ValueError:
            answer = {}
        if code != 0 or "pid" not in answer:
            message = answer.get("error") or out.strip() or "exit %d" % code
            step("start", "failed", message=message)
            raise AgentError(E_CONTROL_FAILED if code == DAEMON_EXEC_FAILED else E_IO,
                             "keepalived %s did not start: %s" % (d.name, message))
        step("start", "ok", pid=answer["pid"])

    # -- outcome ------------------------------------------------------------------------------

    def observe(self, key: str) -> "Dict[str, Any]":
        """The daemon with this key as /proc shows it now (after a rescan on the loop thread)."""
        def look() -> "Dict[str, Any]":
            self.agent.rescan()
            for d in self.agent.daemons.values():
                if d.key == key and d.alive and d.pid is not None:
                    vrrp = d.vrrp_pid if d.vrrp_pid and is_alive(self.settings.proc_root, d.vrrp_pid) else None
                    return {"running": True, "pid": d.pid, "starttime": d.starttime, "vrrp_pid": vrrp}
            return {"running": False, "pid": None, "starttime": None, "vrrp_pid": None}
        return self.agent.loop.call_and_wait(look, self.settings.dump_timeout * 5)

    def verify(self, d: Daemon, action: str, before: "Dict[str, Any]", step: "Callable[..., None]") -> "Dict[str, Any]":
        """Waits (up to reload_timeout) for the outcome asked: stopped; running with its VRRP child (a new process
        for a start or restart, the same one for a reload). AgentError control_failed, with the log's last lines
        where the daemon writes one, when it does not come."""
        want = "stopped" if action == "stop" else "running"
        step("verify", "started", want=want)
        deadline = time.monotonic() + self.settings.reload_timeout
        settle = time.monotonic() + (self.settings.health_min if action == "reload" else 0.0)
        seen = before
        while True:
            seen = self.observe(d.key)
            if action == "stop":
                ok = not seen["running"]
            elif action == "reload":
                ok = seen["running"] and seen["pid"] == before["pid"] and seen["vrrp_pid"] is not None
                ok = ok and time.monotonic() >= settle
            else:
                ok = seen["running"] and seen["vrrp_pid"] is not None and seen["pid"] != before["pid"]
            if ok:
                break
            if time.monotonic() >= deadline or (action == "reload" and not seen["running"]):
                message = self._failure(d, action, seen)
                step("verify", "failed", message=message)
                raise AgentError(E_CONTROL_FAILED, message, {"running": seen["running"], "pid": seen["pid"]})
            time.sleep(CONTROL_POLL_S)
        result = {"result": "done", "running": seen["running"], "pid": seen["pid"], "vrrp_pid": seen["vrrp_pid"],
                  "previous_pid": before["pid"], "ts": now()}
        step("verify", "ok", running=seen["running"], pid=seen["pid"], vrrp_pid=seen["vrrp_pid"])
        return result

    def _failure(self, d: Daemon, action: str, seen: "Dict[str, Any]") -> str:
        if action == "stop":
            return "keepalived %s (pid %s) still runs %.0f s after SIGTERM" % (d.name, seen["pid"],
                                                                                self.settings.reload_timeout)
        if not seen["running"]:
            message = "keepalived %s is not running after the %s" % (d.name, action)
        else:
            message = "keepalived %s (pid %d) runs but its VRRP process did not come up" % (d.name, seen["pid"])
        tail = self._log_tail(d)
        return message + (("; its log ends: " + tail) if tail else "")

    def _log_tail(self, d: Daemon) -> str:
        try:
            record = self.records.recall(d)
        except (AgentError, OSError):
            return ""
        if not record.get("stdout"):
            return ""
        try:
            return read_log_tail(record["stdout"], LOG_TAIL_BYTES)
        except (AgentError, OSError) as exc:
            LOG.info("no log tail of %s: %s", d.name, exc)
            return ""
