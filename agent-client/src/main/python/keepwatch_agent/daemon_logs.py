"""A keepalived daemon's log: where it is (the journal of its systemd unit, the file its stdout goes to, a syslog
file), its lines read with a time, level and instance, filtered on the node, and followed (log.read, log.follow,
log.unfollow; docs/protocol.md)."""

import collections
import json
import os
import re
import stat
import subprocess
import sys
import time

from .launch_records import output_target, systemd_unit_of
from .log import LOG
from .protocol import AgentError, E_BAD_ARGS, E_BUSY, E_NOT_FOUND, E_UNTRUSTED
from .text_bytes import decode_text
from .trust import check_trusted, file_kind, resolve_trusted, trusted_owner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Tuple  # noqa: F401
    from .channel import Channel  # noqa: F401
    from .daemon import Daemon  # noqa: F401
    from .launch_records import LaunchRecords  # noqa: F401
    from .loop import Loop, Timer  # noqa: F401

LOG_LEVELS_ORDER = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
LOG_DEFAULT_LINES = 200
LOG_MAX_LINES = 5000
LOG_TAIL_WINDOW_BYTES = 8 * 1024 * 1024     # a file's log is searched in its last 8 MiB at most
LOG_MAX_LINE_CHARS = 4096                   # longer lines are cut
LOG_JOURNAL_SCAN_FACTOR = 20                # journal lines looked at per line asked, for the node-side filters
LOG_JOURNAL_MAX_SCAN = 100000
LOG_JOURNAL_TIMEOUT_S = 30.0
LOG_FOLLOW_INTERVAL_S = 0.5                 # at most two log events per second per follow
LOG_FOLLOW_MAX_LINES = 200                  # lines per event; more in one interval are counted as dropped
LOG_FOLLOW_READ_BYTES = 256 * 1024          # read per interval from a followed file
LOG_MAX_FOLLOWS = 8
LOG_SYSLOG_FILES = ("/var/log/syslog", "/var/log/messages")
LOG_TRUSTED_BIN_DIRS = ("/usr/bin", "/bin")
LOG_CONSOLE_RE = re.compile(r"^(?:[A-Z][a-z]{2} ){2}[ \d]\d \d\d:\d\d:\d\d \d{4}: ")
LOG_SYSLOG_ISO_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:?\d\d)? (\S+) ([^:\[\s]+)(?:\[(\d+)\])?: ?(.*)$")
LOG_SYSLOG_BSD_RE = re.compile(r"^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) ([^:\[\s]+)(?:\[(\d+)\])?: ?(.*)$")
LOG_INSTANCE_RE = re.compile(r"^\s*(?:VRRP_Instance)?\(([A-Za-z0-9_.@-]+)\)|VRRP_Instance\(([A-Za-z0-9_.@-]+)\)")
LOG_ERR_WORDS = re.compile(r"\berror\b|\bfailed\b|\bfailure\b|\bcannot\b|\bunable\b|FAULT|\binvalid\b|\bmissing\b", re.I)
LOG_WARNING_WORDS = re.compile(r"\bwarning\b|\btruncating\b|\bdeprecated\b|\bignoring\b|\bunknown\b", re.I)
LOG_NOTICE_WORDS = re.compile(r"\bnotice\b|\bentering\b|\bstarting\b|\bstopping\b|\bstopped\b|\breload", re.I)


def keepalived_level(message: str) -> str:
    """A level for a line that carries none (keepalived's console output, syslog lines): from keepalived's own words,
    "err" for errors and FAULT, "warning", "notice" for state changes, starts and stops, else "info"."""
    if LOG_ERR_WORDS.search(message):
        return "err"
    if LOG_WARNING_WORDS.search(message):
        return "warning"
    if LOG_NOTICE_WORDS.search(message):
        return "notice"
    return "info"


def line_instance(message: str) -> "Optional[str]":
    """The VRRP instance a line is about: "(VI_1) Entering MASTER STATE", "VRRP_Instance(VI_1) ..."."""
    m = LOG_INSTANCE_RE.search(message)
    return (m.group(1) or m.group(2)) if m else None


def log_line(ts: "Optional[float]", level: "Optional[str]", text: str, pid: "Optional[int]" = None) -> "Dict[str, Any]":
    text = text[:LOG_MAX_LINE_CHARS]
    return {"ts": ts, "level": level or keepalived_level(text), "instance": line_instance(text), "text": text,
            "pid": pid}


def parse_console_line(raw: str, previous_ts: "Optional[float]") -> "Dict[str, Any]":
    """keepalived --log-console: "Sat Dec  5 09:21:20 2026: (VI_1) Entering MASTER STATE" (local time); a line without
    the stamp (a continuation) takes the previous line's time."""
    if LOG_CONSOLE_RE.match(raw):
        stamp, _, message = raw.partition(": ")
        try:
            return log_line(time.mktime(time.strptime(stamp, "%a %b %d %H:%M:%S %Y")), None, message)
        except (ValueError, OverflowError):
            pass
    return log_line(previous_ts, None, raw)


def parse_syslog_line(raw: str, year: int) -> "Optional[Dict[str, Any]]":
    """A syslog line of keepalived's (its tag starts with Keepalived), RFC 3339 or BSD time stamps; None for any
    other program's line."""
    m = LOG_SYSLOG_ISO_RE.match(raw)
    if m:
        stamp, zone, _host, tag, pid, message = m.groups()
        if not tag.lower().startswith("keepalived"):
            return None
        ts = iso_to_ts(stamp, zone)
        return log_line(ts, None, message, int(pid) if pid else None)
    m = LOG_SYSLOG_BSD_RE.match(raw)
    if m:
        stamp, _host, tag, pid, message = m.groups()
        if not tag.lower().startswith("keepalived"):
            return None
        try:
            ts = time.mktime(time.strptime("%d %s" % (year, stamp), "%Y %b %d %H:%M:%S"))
            if ts > time.time() + 86400:
                ts = time.mktime(time.strptime("%d %s" % (year - 1, stamp), "%Y %b %d %H:%M:%S"))
        except (ValueError, OverflowError):
            ts = None
        return log_line(ts, None, message, int(pid) if pid else None)
    return None


def iso_to_ts(stamp: str, zone: "Optional[str]") -> "Optional[float]":
    import calendar
    whole, _, fraction = stamp.partition(".")
    try:
        base = time.strptime(whole, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    if not zone:
        ts = time.mktime(base)
    else:
        ts = calendar.timegm(base)
        if zone != "Z":
            sign = -1 if zone[0] == "+" else 1
            digits = zone[1:].replace(":", "")
            ts += sign * (int(digits[:2]) * 3600 + int(digits[2:4]) * 60)
    return ts + (float("0." + fraction) if fraction else 0.0)


def parse_journal_entry(raw: str) -> "Optional[Dict[str, Any]]":
    """One line of journalctl -o json: its time (__REALTIME_TIMESTAMP), level, pid and message. The level is the more
    severe of the entry's PRIORITY and keepalived's own words (keepalived_level): keepalived logs its state changes,
    starts, stops and most errors at info, and a line of its log file gets its level from the words alone, so a
    filter on notice finds a failover in either."""
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    message = entry.get("MESSAGE")
    if isinstance(message, list):       # not UTF-8: the journal gives the bytes
        message = bytes(b for b in message if isinstance(b, int) and 0 <= b < 256).decode("utf-8", "replace")
    if not isinstance(message, str):
        return None
    try:
        ts = int(entry.get("__REALTIME_TIMESTAMP")) / 1e6
    except (TypeError, ValueError):
        ts = None
    try:
        priority = LOG_LEVELS_ORDER[int(entry.get("PRIORITY"))]    # type: Optional[str]
    except (TypeError, ValueError, IndexError):
        priority = None
    words = keepalived_level(message)
    level = words if priority is None else min(priority, words, key=LOG_LEVELS_ORDER.index)
    try:
        pid = int(entry.get("_PID"))    # type: Optional[int]
    except (TypeError, ValueError):
        pid = None
    return log_line(ts, level, message, pid)


class LogFilter(object):
    """The node-side filters of log.read and log.follow: time range, instance, lowest level, text (any case)."""

    def __init__(self, args: "Dict[str, Any]") -> None:
        self.since = args.get("since")
        self.until = args.get("until")
        self.instance = args.get("instance")
        level = args.get("level")
        if level is not None and level not in LOG_LEVELS_ORDER:
            raise AgentError(E_BAD_ARGS, "level must be one of %s" % ", ".join(LOG_LEVELS_ORDER))
        self.max_level = LOG_LEVELS_ORDER.index(level) if level else None
        self.grep = args.get("grep").lower() if args.get("grep") else None
        for name in ("since", "until"):
            value = args.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise AgentError(E_BAD_ARGS, "%s must be a time in seconds since the epoch" % name)

    def accepts(self, line: "Dict[str, Any]") -> bool:
        ts = line["ts"]
        if self.since is not None and (ts is None or ts < self.since):
            return False
        if self.until is not None and (ts is None or ts > self.until):
            return False
        if self.instance is not None and line["instance"] != self.instance:
            return False
        if self.max_level is not None and LOG_LEVELS_ORDER.index(line["level"]) > self.max_level:
            return False
        return self.grep is None or self.grep in line["text"].lower()


def trusted_bin(name: str) -> "Optional[str]":
    """An absolute program root alone controls (and the way to it) in the fixed directories, else None."""
    for directory in LOG_TRUSTED_BIN_DIRS:
        path = os.path.join(directory, name)
        try:
            real = resolve_trusted(path)
            st = os.lstat(real)
            check_trusted(path, st, sys.maxsize, "a program")
            return real
        except (OSError, AgentError):
            continue
    return None


def open_log_file(path: str) -> "Tuple[int, os.stat_result]":
    """A log file opened for reading only when root alone controls it and the way to it (as files the agent reads,
    but of any size), without following a final link and without blocking: AgentError untrusted naming the file
    and why otherwise; FileNotFoundError if missing."""
    if stat.S_ISLNK(os.lstat(path).st_mode):
        raise AgentError(E_UNTRUSTED, "%s is a symbolic link; a log is read only under its own name, never through a "
                         "link" % path, {"file": path})
    real = resolve_trusted(path)
    shown = path if real == path else "%s (reached through a link, %s)" % (path, real)
    check_trusted(shown, os.lstat(real), sys.maxsize, "a log file")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | os.O_NOCTTY)
    except OSError as exc:
        raise AgentError(E_UNTRUSTED, "%s cannot be opened without following a link (%s); it is not read"
                         % (shown, exc.strerror or exc), {"file": path})
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or not trusted_owner(st):
        os.close(fd)
        raise AgentError(E_UNTRUSTED, "%s is %s; it is not read" % (
            shown, file_kind(st.st_mode) if not stat.S_ISREG(st.st_mode)
            else "owned by uid %d with mode %04o: another user could write it" % (st.st_uid, st.st_mode & 0o7777)),
            {"file": path})
    return fd, st


def read_window(fd: int, size: int, window: int) -> "Tuple[bytes, bool]":
    """The last `window` bytes of an open file (from the start of a line), and whether earlier bytes were left out."""
    start = max(0, size - window)
    os.lseek(fd, start, os.SEEK_SET)
    chunks = []
    left = size - start
    while left > 0:
        chunk = os.read(fd, min(left, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    data = b"".join(chunks)
    if start > 0:
        newline = data.find(b"\n")
        data = data[newline + 1:] if newline >= 0 else b""
    return data, start > 0


def read_log_tail(path: str, nbytes: int) -> str:
    """The last lines (about nbytes) of a trusted log file, on one line, for a message."""
    fd, st = open_log_file(path)
    try:
        data, _ = read_window(fd, st.st_size, nbytes)
    finally:
        os.close(fd)
    lines = [line.strip() for line in decode_text(data).splitlines() if line.strip()]
    return " | ".join(lines[-8:])


class LogSource(object):
    """Where one daemon's log is: kind journal (unit), file (the file its stdout goes to) or syslog (path)."""

    def __init__(self, kind: str, path: "Optional[str]" = None, unit: "Optional[str]" = None) -> None:
        self.kind = kind
        self.path = path
        self.unit = unit

    def to_json(self) -> "Dict[str, Any]":
        return {"kind": self.kind, "path": self.path, "unit": self.unit}

    def parse(self, raw: str, previous_ts: "Optional[float]", year: int) -> "Optional[Dict[str, Any]]":
        if self.kind == "journal":
            return parse_journal_entry(raw)
        if self.kind == "syslog":
            return parse_syslog_line(raw, year)
        return parse_console_line(raw, previous_ts)


def log_source(d: "Daemon", proc_root: str, records: "LaunchRecords") -> LogSource:
    """The journal of its keepalived systemd unit; else the file its stdout (or stderr) goes to, now or when it last
    ran under an agent; else the first syslog file there is. AgentError not_found saying so when none."""
    unit = systemd_unit_of(d)
    if unit and trusted_bin("journalctl"):
        return LogSource("journal", unit=unit)
    if d.fs_root:
        raise AgentError(E_NOT_FOUND, "keepalived %s runs in another filesystem view; its log is not read" % d.name)
    targets = []  # type: List[Optional[str]]
    if d.alive and d.pid is not None:
        for fd in (1, 2):
            try:
                targets.append(output_target(os.readlink("%s/%d/fd/%d" % (proc_root, d.pid, fd))))
            except OSError:
                continue
    else:
        try:
            record = records.recall(d)
            targets += [record.get("stdout"), record.get("stderr")]
        except (AgentError, OSError):
            pass
    for target in targets:
        if target:
            return LogSource("file", path=target)
    for path in LOG_SYSLOG_FILES:
        if os.path.lexists(path):
            return LogSource("syslog", path=path)
    raise AgentError(E_NOT_FOUND, "keepalived %s writes its log nowhere Keepwatch can read: it is no systemd unit, "
                     "its output goes to no file, and there is no %s" % (d.name, " nor ".join(LOG_SYSLOG_FILES)))


def read_log(source: LogSource, flt: LogFilter, count: int) -> "Dict[str, Any]":
    """The last `count` lines of the source that pass flt: a bounded deque, whatever the size of the log."""
    kept = collections.deque(maxlen=count)  # type: Deque[Dict[str, Any]]
    truncated = False
    year = time.localtime().tm_year
    if source.kind == "journal":
        journalctl = trusted_bin("journalctl")
        if journalctl is None:
            raise AgentError(E_NOT_FOUND, "no journalctl only root controls in %s" % ", ".join(LOG_TRUSTED_BIN_DIRS))
        scan = min(LOG_JOURNAL_MAX_SCAN, count * LOG_JOURNAL_SCAN_FACTOR)
        argv = [journalctl, "--output=json", "--no-pager", "--lines=%d" % scan, "--unit=" + str(source.unit)]
        if flt.since is not None:
            argv.append("--since=@%d" % int(flt.since))
        if flt.until is not None:
            argv.append("--until=@%d" % (int(flt.until) + 1))
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "SYSTEMD_PAGER": ""})
        deadline = time.monotonic() + LOG_JOURNAL_TIMEOUT_S
        try:
            for raw in proc.stdout:
                line = source.parse(decode_text(raw).rstrip("\n"), None, year)
                if line is not None and flt.accepts(line):
                    kept.append(line)
                if time.monotonic() > deadline:
                    truncated = True
                    break
        finally:
            proc.kill()
            proc.wait()
        return {"lines": list(kept), "truncated": truncated}
    fd, st = open_log_file(str(source.path))
    try:
        data, truncated = read_window(fd, st.st_size, LOG_TAIL_WINDOW_BYTES)
    finally:
        os.close(fd)
    previous = None  # type: Optional[float]
    for raw in decode_text(data).splitlines():
        line = source.parse(raw, previous, year)
        if line is None:
            continue
        previous = line["ts"]
        if flt.accepts(line):
            kept.append(line)
    return {"lines": list(kept), "truncated": truncated}


class LogFollow(object):
    """One followed log: new lines, filtered, sent as `log` events at most every LOG_FOLLOW_INTERVAL_S, at most
    LOG_FOLLOW_MAX_LINES each (the rest counted as dropped). A file is polled through the descriptor opened under
    the trust rules and opened again the same way when it is rotated; a journal is read from journalctl -f."""

    def __init__(self, follow_id: int, daemon: str, source: LogSource, flt: LogFilter, loop: "Loop",
                 channel: "Channel") -> None:
        self.follow_id = follow_id
        self.daemon = daemon
        self.source = source
        self.flt = flt
        self.loop = loop
        self.channel = channel
        self.pending = collections.deque(maxlen=LOG_FOLLOW_MAX_LINES)  # type: Deque[Dict[str, Any]]
        self.dropped = 0
        self.partial = b""
        self.previous_ts = None  # type: Optional[float]
        self.fd = None  # type: Optional[int]
        self.ino = None  # type: Optional[Tuple[int, int]]
        self.offset = 0
        self.proc = None  # type: Optional[subprocess.Popen]
        self.timer = None  # type: Optional[Timer]
        self.error = None  # type: Optional[str]

    def start(self) -> None:
        if self.source.kind == "journal":
            journalctl = trusted_bin("journalctl")
            if journalctl is None:
                raise AgentError(E_NOT_FOUND, "no journalctl only root controls")
            self.proc = subprocess.Popen(
                [journalctl, "--output=json", "--no-pager", "--follow", "--lines=0", "--unit=" + str(self.source.unit)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "SYSTEMD_PAGER": ""})
            fd = self.proc.stdout.fileno()
            os.set_blocking(fd, False)
            self.loop.add_reader(fd, self._on_journal)
        else:
            self._open(at_end=True)
        self.timer = self.loop.call_later(LOG_FOLLOW_INTERVAL_S, self._tick)

    def _open(self, at_end: bool) -> None:
        fd, st = open_log_file(str(self.source.path))
        if self.fd is not None:
            os.close(self.fd)
        self.fd = fd
        self.ino = (st.st_dev, st.st_ino)
        self.offset = st.st_size if at_end else 0
        self.partial = b""

    def _on_journal(self) -> None:
        assert self.proc is not None
        try:
            data = os.read(self.proc.stdout.fileno(), LOG_FOLLOW_READ_BYTES)
        except BlockingIOError:
            return
        if not data:
            self.loop.remove_reader(self.proc.stdout.fileno())
            self.error = "journalctl ended"
            return
        self._take(data)

    def _take(self, data: bytes) -> None:
        year = time.localtime().tm_year
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = lines.pop()[-LOG_MAX_LINE_CHARS * 4:]
        for raw in lines:
            line = self.source.parse(decode_text(raw), self.previous_ts, year)
            if line is None:
                continue
            self.previous_ts = line["ts"]
            if self.flt.accepts(line):
                if len(self.pending) == self.pending.maxlen:
                    self.dropped += 1
                self.pending.append(line)

    def _poll_file(self) -> None:
        try:
            st = os.lstat(str(self.source.path))
            if (st.st_dev, st.st_ino) != self.ino:
                self._drain_file()          # what was written before the rotation
                self._open(at_end=False)
        except FileNotFoundError:
            pass                            # rotated away; the new file comes later
        except AgentError as err:
            self.error = err.message
            self.close()
            return
        self._drain_file()

    def _drain_file(self) -> None:
        if self.fd is None:
            return
        size = os.fstat(self.fd).st_size
        if size < self.offset:              # truncated (copytruncate)
            self.offset = 0
            self.partial = b""
        if size > self.offset:
            os.lseek(self.fd, self.offset, os.SEEK_SET)
            data = os.read(self.fd, min(size - self.offset, LOG_FOLLOW_READ_BYTES))
            self.offset += len(data)
            self._take(data)

    def _tick(self) -> None:
        self.timer = None
        if self.source.kind != "journal":
            self._poll_file()
        if self.pending or self.dropped or self.error:
            self.channel.event("log", daemon=self.daemon, follow=self.follow_id, lines=list(self.pending),
                               dropped=self.dropped, error=self.error)
            self.pending.clear()
            self.dropped = 0
        if self.error is None:
            self.timer = self.loop.call_later(LOG_FOLLOW_INTERVAL_S, self._tick)

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.proc is not None:
            self.loop.remove_reader(self.proc.stdout.fileno())
            self.proc.kill()
            self.proc.wait()
            self.proc.stdout.close()
            self.proc = None


class DaemonLogs(object):
    """log.read (a worker thread), log.follow and log.unfollow (the loop thread) of one agent."""

    def __init__(self, loop: "Loop", channel: "Channel", find_daemon: "Callable[[str], Daemon]", proc_root: str,
                 records: "LaunchRecords") -> None:
        self.loop = loop
        self.channel = channel
        self.find_daemon = find_daemon
        self.proc_root = proc_root
        self.records = records
        self.follows = {}  # type: Dict[int, LogFollow]
        self.next_id = 1

    def read(self, req_id: "Any", args: "Dict[str, Any]") -> "Dict[str, Any]":
        d = self.find_daemon(args["daemon"])
        count = args.get("lines", LOG_DEFAULT_LINES)
        if not 1 <= count <= LOG_MAX_LINES:
            raise AgentError(E_BAD_ARGS, "lines must be between 1 and %d" % LOG_MAX_LINES)
        flt = LogFilter(args)
        source = log_source(d, self.proc_root, self.records)
        try:
            result = read_log(source, flt, count)
        except FileNotFoundError:
            raise AgentError(E_NOT_FOUND, "the log of keepalived %s, %s, is gone" % (d.name, source.path))
        result.update({"daemon": d.name, "source": source.to_json()})
        return result

    def follow(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        d = self.find_daemon(args["daemon"])
        if len(self.follows) >= LOG_MAX_FOLLOWS:
            raise AgentError(E_BUSY, "%d logs are already followed in this session; unfollow one first" % LOG_MAX_FOLLOWS)
        flt = LogFilter(args)
        source = log_source(d, self.proc_root, self.records)
        follow = LogFollow(self.next_id, d.name, source, flt, self.loop, self.channel)
        try:
            follow.start()
        except FileNotFoundError:
            raise AgentError(E_NOT_FOUND, "the log of keepalived %s, %s, is not there" % (d.name, source.path))
        self.follows[follow.follow_id] = follow
        self.next_id += 1
        self.channel.respond(req_id, {"daemon": d.name, "follow": follow.follow_id, "source": source.to_json(),
                                      "interval_s": LOG_FOLLOW_INTERVAL_S})

    def unfollow(self, req_id: "Any", args: "Dict[str, Any]") -> None:
        wanted = args.get("follow")
        ids = [wanted] if wanted is not None else sorted(self.follows)
        if wanted is not None and wanted not in self.follows:
            raise AgentError(E_NOT_FOUND, "no log follow %r in this session" % wanted)
        for follow_id in ids:
            self.follows.pop(follow_id).close()
        self.channel.respond(req_id, {"unfollowed": ids})

    def close(self) -> None:
        for follow in self.follows.values():
            try:
                follow.close()
            except OSError as exc:
                LOG.warning("closing a log follow: %s", exc)
        self.follows = {}
