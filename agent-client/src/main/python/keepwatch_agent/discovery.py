"""Finding keepalived daemons: running ones in /proc, and those this node's configuration would run."""

import fnmatch
import os
from pathlib import Path

from .daemon import NOT_VISIBLE, Daemon, daemon_key
from .keepalived_defaults import (DEFAULT_CHECKERS_PID_FILE, DEFAULT_KEEPALIVED_CONF, DEFAULT_PID_FILE, DEFAULT_TMPDIR,
    DEFAULT_VRRP_PID_FILE, NEUTRON_CONF_NAME, NEUTRON_CONF_RE, NEUTRON_NETNS_PREFIX, NEUTRON_PID_SUFFIX, NEUTRON_ROUTER_RE,
    NEUTRON_VRRP_PID_SUFFIX, SYSTEMD_UNIT_NAME, dump_dir)
from .log import LOG
from .probes import ProbeCache
from .proc import ProcEntry, process_uids, read_cmdline, read_environ, read_proc_stat, systemd_unit
from .protocol import AgentError
from .settings import Settings
from .systemd_unit import parse_env_file, parse_unit, unit_exec_argv
from .text_bytes import decode_text
from .trust import lstat_signature, read_trusted, trusted_keepalived, trusted_owner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Set, Tuple  # noqa: F401

FULL_RESCAN_EVERY = 12             # every Nth rescan re-reads every pid, catching pid reuse

PROBE_CACHE_FILE = "cache/keepalived-probes.json"   # under the state dir

MAX_PID_FILE_BYTES = 64                 # a pid file holds one number
MAX_UNIT_FILE_BYTES = 64 * 1024         # keepalived.service and its EnvironmentFile (read as root, never run)

KA_SHORT_WITH_ARG = set("fprcbsiSguMA")
KA_LONG_WITH_ARG = {
    "use-file": "f", "pid": "p", "vrrp_pid": "r", "checkers_pid": "c", "bfd_pid": "b",
    "namespace": "s", "config-id": "i", "log-facility": "S", "log-file": "g", "umask": "u",
    "core-dump-pattern": "M", "snmp-agent-socket": "A",
}
KA_LONG_FLAGS = {"vrrp": "P", "check": "C", "no_bfd": "B", "dont-fork": "n", "log-console": "l",
                 "log-detail": "D", "dont-respawn": "R", "all": "all"}


def _text(value: "Any") -> "Optional[str]":
    """An option's value when it has one (a flag given without it parses as True)."""
    return value if isinstance(value, str) and value else None


def parse_keepalived_argv(argv: "List[str]") -> "Dict[str, Any]":
    """getopt_long-compatible parse of a keepalived command line into {letter: value}."""
    opts = {}  # type: Dict[str, Any]
    i = 1
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if name in KA_LONG_WITH_ARG:
                if not eq and i < len(argv):
                    value = argv[i]
                    i += 1
                opts[KA_LONG_WITH_ARG[name]] = value
            elif name in KA_LONG_FLAGS:
                opts[KA_LONG_FLAGS[name]] = True
            elif name == "config-test":
                opts["t"] = value or True
            else:
                opts[name] = value if eq else True
        elif arg.startswith("-") and len(arg) > 1:
            j = 1
            while j < len(arg):
                letter = arg[j]
                j += 1
                if letter in KA_SHORT_WITH_ARG:
                    value = arg[j:]
                    if not value and i < len(argv):
                        value = argv[i]
                        i += 1
                    opts[letter] = value
                    break
                opts[letter] = True
    return opts


class Discovery(object):
    """Finds keepalived processes in /proc, caching what it learnt about every pid."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.proc_root = settings.proc_root
        self.cache = {}  # type: Dict[int, ProcEntry]
        self.scans = 0
        self.boot_time = self._boot_time()
        self.clock_ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.own_netns = self._inode("%s/self/ns/net" % self.proc_root)
        self.own_mntns = self._inode("%s/self/ns/mnt" % self.proc_root)
        self.version_cache = {}  # type: Dict[Tuple[int, int], Optional[str]]
        self.refused = set()  # type: Set[int]
        self.probes = ProbeCache(Path(settings.state_dir) / PROBE_CACHE_FILE if settings.state_dir else None)
        self.netns_cache = None  # type: Optional[Tuple[int, Dict[int, str]]]
        self.unit_cache = None  # type: Optional[Tuple[str, List[Tuple[str, Any]], Optional[Dict[str, Any]]]]

    def _boot_time(self) -> float:
        try:
            with open("%s/stat" % self.proc_root, "r") as f:
                for line in f:
                    if line.startswith("btime "):
                        return float(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0.0

    @staticmethod
    def _inode(path: str) -> int:
        try:
            return os.stat(path).st_ino
        except OSError:
            return 0

    def netns_names(self) -> "Dict[int, str]":
        """{inode: name} of the named network namespaces, read once per scan (stat of each)."""
        if self.netns_cache is not None and self.netns_cache[0] == self.scans:
            return self.netns_cache[1]
        names = {}
        try:
            with os.scandir(self.settings.netns_dir) as it:
                for entry in it:
                    try:
                        names[os.stat(entry.path).st_ino] = entry.name
                    except OSError:
                        continue
        except OSError:
            pass
        self.netns_cache = (self.scans, names)
        return names

    def scan(self, recheck: "Optional[Set[int]]" = None) -> "Dict[int, Tuple[ProcEntry, List[ProcEntry]]]":
        """Every live keepalived main process (zombies are dead): {pid: (entry, children)}.

        Known pids are not read again (pidfds report their exit) except those in `recheck` and,
        every FULL_RESCAN_EVERY scans, all of them (which also catches a pid reused in between)."""
        self.scans += 1
        full = self.scans % FULL_RESCAN_EVERY == 0
        try:
            pids = [int(name) for name in os.listdir(self.proc_root) if name.isdigit()]
        except OSError as exc:
            LOG.error("cannot list %s: %s", self.proc_root, exc)
            return {}
        present = set(pids)
        for pid in list(self.cache):
            if pid not in present:
                del self.cache[pid]
        self.refused &= present
        for pid in pids:
            entry = self.cache.get(pid)
            if entry is not None and not full and (not entry.keepalived or not recheck or pid not in recheck):
                continue
            fresh = read_proc_stat(self.proc_root, pid)
            if fresh is None:
                self.cache.pop(pid, None)
                continue
            if entry is not None and entry.starttime == fresh.starttime and entry.keepalived:
                fresh.keepalived = True
            else:
                fresh.keepalived = self._looks_like_keepalived(fresh)
            self.cache[pid] = fresh
        ka = {pid: e for pid, e in self.cache.items() if e.keepalived and e.state not in ("Z", "X", "x")}
        mains = {}  # type: Dict[int, Tuple[ProcEntry, List[ProcEntry]]]
        for e in ka.values():
            if e.ppid not in ka:
                mains[e.pid] = (e, [])
        for e in ka.values():
            if e.ppid in mains:
                mains[e.ppid][1].append(e)
        return mains

    def _trusted_process(self, pid: int) -> bool:
        """Root's keepalived (or the agent's own user's, when it does not run as root) whose executable nobody
        else can have written. Refusals are logged once per pid."""
        uids = process_uids(self.proc_root, pid)
        why = None  # type: Optional[str]
        if uids is None or any(uid not in (0, os.geteuid()) for uid in uids):
            why = "it runs as uid %s" % (uids[0] if uids else "unknown")
        else:
            try:
                if not trusted_owner(os.stat("%s/%d/exe" % (self.proc_root, pid))):
                    why = "its executable is owned by another user or writable by others"
            except OSError as exc:
                why = "its executable cannot be looked at (%s)" % (exc.strerror or exc)
        if why is not None and pid not in self.refused:
            self.refused.add(pid)
            LOG.warning("pid %d is called keepalived but is not managed: %s", pid, why)
        return why is None

    def _looks_like_keepalived(self, entry: ProcEntry) -> bool:
        if entry.comm.startswith("keepalived"):
            return True
        parent = self.cache.get(entry.ppid)
        if parent is not None and parent.keepalived:
            argv = read_cmdline(self.proc_root, entry.pid)
            return bool(argv) and os.path.basename(argv[0]) == "keepalived"
        return False

    def build(self, entry: ProcEntry, kids: "List[ProcEntry]") -> "Optional[Daemon]":
        """The static facts of one keepalived main process; None if it is not a daemon to manage."""
        argv = read_cmdline(self.proc_root, entry.pid)
        if not argv:
            return None
        opts = parse_keepalived_argv(argv)
        if any(k in opts for k in ("t", "v", "h", "T", "signum", "d")):
            return None     # a config test or a probe, not a daemon
        if not self._trusted_process(entry.pid):
            return None     # anyone can start a program called keepalived: nothing of it is read or run
        netns_names = self.netns_names()
        d = Daemon(entry.pid, entry.starttime)
        d.cmdline = argv
        d.options = opts
        cwd = self._readlink("%s/%d/cwd" % (self.proc_root, entry.pid)) or "/"
        # without -f keepalived reads its built-in default; the agent's default_config is that file in the agent's
        # own mount namespace only (a daemon in another one, a container or a lab node, reads its own root's)
        own_mounts = self._inode("%s/%d/ns/mnt" % (self.proc_root, entry.pid)) in (0, self.own_mntns)
        d.config = self._absolute(opts.get("f") or (self.settings.default_config if own_mounts
                                                    else DEFAULT_KEEPALIVED_CONF), cwd)
        if self.settings.match_config and not fnmatch.fnmatch(d.config, self.settings.match_config):
            return None     # not ours to manage: nothing more is read of it, and nothing is run for it
        d.config_id = opts.get("i") if isinstance(opts.get("i"), str) else None
        d.pid_file = self._absolute(opts.get("p") or DEFAULT_PID_FILE, cwd)
        d.vrrp_pid_file = self._absolute(opts.get("r") or DEFAULT_VRRP_PID_FILE, cwd)
        d.checkers_pid_file = self._absolute(opts.get("c") or DEFAULT_CHECKERS_PID_FILE, cwd)
        env = read_environ(self.proc_root, entry.pid)
        d.tmpdir = env.get("TMPDIR") or DEFAULT_TMPDIR
        d.netns_inode = self._inode("%s/%d/ns/net" % (self.proc_root, entry.pid))
        d.own_netns = d.netns_inode == self.own_netns
        d.netns_name = None if d.own_netns else netns_names.get(d.netns_inode)
        d.netns_path = (os.path.join(self.settings.netns_dir, d.netns_name) if d.netns_name
                        else "%s/%d/ns/net" % (self.proc_root, entry.pid))
        mntns = self._inode("%s/%d/ns/mnt" % (self.proc_root, entry.pid))
        root = "%s/%d/root" % (self.proc_root, entry.pid)
        if mntns and mntns != self.own_mntns:
            d.fs_root = "" if self._same_file(d.config, root + d.config) else root
        m = NEUTRON_CONF_RE.search(d.config)
        if m:
            d.neutron_router = m.group(1)
        d.systemd_unit = systemd_unit(self.proc_root, entry.pid)
        if self.boot_time:
            d.started_at = round(self.boot_time + entry.starttime / float(self.clock_ticks), 3)
        exe_link = "%s/%d/exe" % (self.proc_root, entry.pid)
        target = self._readlink(exe_link)
        d.exe = target[:-len(" (deleted)")] if target and target.endswith(" (deleted)") else (target or "")
        try:
            st = os.stat(exe_link)
            d.exe_key = (st.st_dev, st.st_ino)
        except OSError:
            d.exe_key = None
        d.version = self.version_for(d)
        d.dump_dir = dump_dir(env.get("TMPDIR"), d.version)    # a keepalived before 2.2 ignores its TMPDIR
        if mntns and mntns != self.own_mntns:
            d.tmp_fs_root = "" if self._same_file(d.dump_dir, root + d.dump_dir) else root
        self.children(d, kids)
        return d

    def children(self, d: Daemon, kids: "List[ProcEntry]") -> None:
        """Which child is the VRRP process: the -r pid file says, else the only child under -P."""
        roles = {}
        for role, pid_file in (("vrrp", d.vrrp_pid_file), ("checker", d.checkers_pid_file)):
            try:
                with open(d.fs_root + pid_file, "r") as f:
                    roles[int(f.read().strip() or 0)] = role
            except (OSError, ValueError):
                pass
        kids = sorted(kids, key=lambda e: e.pid)
        d.children = {}
        for e in kids:
            role = roles.get(e.pid, "unknown")
            d.children[e.pid] = (role, e.starttime)
        vrrp = [pid for pid, (role, _) in d.children.items() if role == "vrrp"]
        if not vrrp and len(kids) == 1 and "C" not in d.options:
            vrrp = [kids[0].pid]
            d.children[kids[0].pid] = ("vrrp", kids[0].starttime)
        d.vrrp_pid = vrrp[0] if vrrp else None

    def _readlink(self, path: str) -> "Optional[str]":
        try:
            return os.readlink(path)
        except OSError:
            return None

    @staticmethod
    def _absolute(path: str, cwd: str) -> str:
        return os.path.normpath(path if path.startswith("/") else os.path.join(cwd, path))

    @staticmethod
    def _same_file(a: str, b: str) -> bool:
        try:
            sa, sb = os.stat(a), os.stat(b)
        except OSError:
            return False
        return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)

    # -- configurations keepalived would run (whether or not it runs) --------------------------

    def configured(self, skip: "Set[str]", known: "Optional[Dict[str, Daemon]]" = None,
                   recorded: "Optional[List[Dict[str, Any]]]" = None) -> "Dict[str, Daemon]":
        """Daemons this node's configuration would run, keyed by daemon_key, leaving out the keys in
        `skip` (daemons already known from /proc): keepalived.service's command line, the default
        configuration, and every Neutron HA router in neutron_ha_confs. A candidate exists while its
        configuration file does (read or not: an untrusted one is reported, not skipped). A Neutron
        router in `known` (by key) is that daemon again, not a new one: one lstat per rescan. `recorded`: the start
        records some agent kept of daemons it saw running (LaunchRecords.recorded), each a daemon of its own while its
        configuration is there."""
        found = {}  # type: Dict[str, Daemon]
        known = known or {}
        unit = self.unit_command()
        if unit is not None:
            opts = parse_keepalived_argv(unit["argv"])
            netns = opts.get("s") if isinstance(opts.get("s"), str) else None
            self._add_configured(found, skip, self.configured_daemon(
                self._absolute(opts.get("f") or self.settings.default_config, "/"),
                pid_file=self._absolute(opts.get("p") or DEFAULT_PID_FILE, "/"),
                vrrp_pid_file=self._absolute(opts.get("r") or DEFAULT_VRRP_PID_FILE, "/"),
                checkers_pid_file=self._absolute(opts.get("c") or DEFAULT_CHECKERS_PID_FILE, "/"),
                config_id=opts.get("i") if isinstance(opts.get("i"), str) else None,
                netns_name=netns, unit=unit["unit"], argv=unit["argv"]))
        self._add_configured(found, skip, self.configured_daemon(self.settings.default_config))
        for record in recorded or []:
            if record["key"] in skip or record["key"] in found:
                continue
            opts = parse_keepalived_argv(record["argv"])
            cwd = record["cwd"]
            d = self.configured_daemon(
                self._absolute(_text(opts.get("f")) or self.settings.default_config, cwd),
                pid_file=self._absolute(_text(opts.get("p")) or DEFAULT_PID_FILE, cwd),
                vrrp_pid_file=self._absolute(_text(opts.get("r")) or DEFAULT_VRRP_PID_FILE, cwd),
                checkers_pid_file=self._absolute(_text(opts.get("c")) or DEFAULT_CHECKERS_PID_FILE, cwd),
                config_id=_text(opts.get("i")), netns_name=record["netns"], argv=record["argv"])
            d.seen_from = record.get("seen_from")
            if d.key == record["key"]:
                self._add_configured(found, skip, d)
        ha_confs = self.settings.neutron_ha_confs
        if ha_confs:
            try:
                names = os.listdir(ha_confs)
            except OSError:
                names = []
            for router in names:
                key = "neutron|" + router
                if key in skip or not NEUTRON_ROUTER_RE.match(router):
                    continue    # a running router costs no stat
                if key in known:
                    if os.path.lexists(known[key].config):
                        found[key] = known[key]
                    continue
                base = os.path.join(ha_confs, router)
                self._add_configured(found, skip, self.configured_daemon(
                    os.path.join(base, NEUTRON_CONF_NAME), pid_file=base + NEUTRON_PID_SUFFIX,
                    vrrp_pid_file=base + NEUTRON_VRRP_PID_SUFFIX, netns_name=NEUTRON_NETNS_PREFIX + router,
                    neutron_router=router))
        return found

    def seen_by_command_line(self) -> "List[Dict[str, Any]]":
        """Not root: root's running keepalived daemons as their command lines say (world-readable, unless /proc hides
        them), in the form of start records, so each becomes a daemon known from its configuration (configured()),
        "not_visible" while its pid file names a process this user cannot look at. Only a main process whose every uid
        is 0 and whose executable this user may not look at counts (root's; another user's program called keepalived
        is nothing); a relative -f (its working directory cannot be read), a Neutron router's (found in
        neutron_ha_confs, by its router id) and probes (-t, -v, ...) are left out. Its
        network and mount namespaces cannot be read: it is taken to run in the agent's own (seen_from says so)."""
        if os.geteuid() == 0:
            return []
        ka = {pid: e for pid, e in self.cache.items() if e.keepalived and e.state not in ("Z", "X", "x")}
        records = []  # type: List[Dict[str, Any]]
        for pid, entry in sorted(ka.items()):
            if entry.ppid in ka:
                continue    # a VRRP or checker child
            uids = process_uids(self.proc_root, pid)
            if not uids or any(uid != 0 for uid in uids):
                continue
            try:
                os.readlink("%s/%d/exe" % (self.proc_root, pid))
                continue    # one it may look at is found by scan() and build()
            except PermissionError:
                pass
            except OSError:
                continue
            argv = read_cmdline(self.proc_root, pid)
            if not argv:
                continue
            opts = parse_keepalived_argv(argv)
            if any(k in opts for k in ("t", "v", "h", "T", "signum", "d")):
                continue
            config = _text(opts.get("f"))
            if config is not None and (not config.startswith("/") or NEUTRON_CONF_RE.search(config)):
                continue    # relative: its working directory cannot be read; Neutron's: found in neutron_ha_confs
            d = self.configured_daemon(config or self.settings.default_config, config_id=_text(opts.get("i")),
                                       argv=argv)
            records.append({"key": d.key, "argv": argv, "cwd": "/", "netns": None, "seen_from": "command_line"})
        return records

    def _add_configured(self, found: "Dict[str, Daemon]", skip: "Set[str]", d: "Daemon") -> None:
        if d.key in skip or d.key in found or not os.path.lexists(d.config):
            return
        if self.settings.match_config and not fnmatch.fnmatch(d.config, self.settings.match_config):
            return
        d.stopped_reason = self.stopped_reason(d)
        found[d.key] = d

    def configured_daemon(self, config: str, pid_file: str = DEFAULT_PID_FILE,
                          vrrp_pid_file: str = DEFAULT_VRRP_PID_FILE, checkers_pid_file: str = DEFAULT_CHECKERS_PID_FILE,
                          config_id: "Optional[str]" = None, netns_name: "Optional[str]" = None,
                          neutron_router: "Optional[str]" = None, unit: "Optional[str]" = None,
                          argv: "Optional[List[str]]" = None) -> "Daemon":
        """A daemon known only from its configuration: not running (pid null)."""
        d = Daemon(None, None)
        d.alive = False
        d.responsive = False
        d.configured_only = True
        d.config = config
        d.pid_file = pid_file
        d.vrrp_pid_file = vrrp_pid_file
        d.checkers_pid_file = checkers_pid_file
        d.config_id = config_id
        d.netns_name = netns_name
        d.neutron_router = neutron_router
        d.systemd_unit = os.path.basename(unit) if unit else None
        d.cmdline = list(argv or [])
        d.exe = d.cmdline[0] if d.cmdline else ""
        self.locate_netns(d)
        d.key = daemon_key(d)
        return d

    def locate_netns(self, d: "Daemon") -> bool:
        """The network namespace of a daemon known from its configuration: the named one (when it
        exists; inode 0 until then) or the agent's own. True when it changed."""
        before = (d.netns_inode, d.own_netns)
        if d.netns_name is None or d.netns_name == "":
            d.netns_name = None
            d.netns_inode, d.own_netns, d.netns_path = self.own_netns, True, ""
        else:
            d.netns_path = os.path.join(self.settings.netns_dir, d.netns_name)
            d.netns_inode = self._inode(d.netns_path)
            d.own_netns = False
        return (d.netns_inode, d.own_netns) != before

    def stopped_reason(self, d: "Daemon") -> str:
        """keepalived removes its pid file when it stops; a kill (or a crash) leaves it behind. An agent that is not
        root cannot look at another user's process (its /proc/PID/exe, or all of /proc/PID under hidepid): a pid file
        it cannot read, or one naming a process that exists, or that /proc hides from it, is a keepalived it cannot
        see (NOT_VISIBLE), not a dead one."""
        path = d.fs_root + d.pid_file
        if not os.path.lexists(path):
            return "stopped"
        if os.geteuid() == 0:
            return "died"
        return NOT_VISIBLE if self._pid_file_process_unseen(path) else "died"

    def _pid_file_process_unseen(self, path: str) -> bool:
        """Not root: whether the pid file names a process this user may not see (or cannot be read at all)."""
        try:
            with open(path, "rb") as f:
                text = f.read(MAX_PID_FILE_BYTES)
        except PermissionError:
            return True
        except OSError:
            return False
        try:
            pid = int(text.split()[0])
        except (ValueError, IndexError):
            return False
        proc_dir = Path(self.proc_root, str(pid))
        try:
            proc_dir.stat()
        except PermissionError:
            return True
        except FileNotFoundError:
            # gone, or hidden: /proc mounted with hidepid shows a user only its own processes
            return self._proc_hides_others()
        except OSError:
            return False
        entry = read_proc_stat(self.proc_root, pid)     # /proc/PID/stat: world-readable
        if entry is not None and entry.state == "Z":
            return False        # exited, not reaped yet: dead, whoever ran it
        try:
            os.readlink(str(proc_dir / "exe"))
        except PermissionError:
            return True         # it runs, as another user: keepalived as far as this agent can tell
        except OSError:
            return False
        return False            # a process of this user's own, yet not found as keepalived: the pid was reused

    def _proc_hides_others(self) -> bool:
        """/proc is mounted with hidepid (1, 2, invisible, noaccess): other users' processes are not listed."""
        try:
            with open("%s/self/mountinfo" % self.proc_root, "r") as f:
                for line in f:
                    fields = line.split(" - ")
                    if len(fields) == 2 and fields[1].startswith("proc ") and "hidepid=" in fields[1] \
                            and "hidepid=0" not in fields[1] and "hidepid=off" not in fields[1]:
                        return True
        except OSError:
            return False
        return False

    def unit_command(self) -> "Optional[Dict[str, Any]]":
        """{unit, argv}: the first keepalived.service found in systemd_unit_dirs, its ExecStart with
        Environment and EnvironmentFile variables expanded; None without one that may be read. Kept
        while the unit and its environment files are unchanged (one lstat each per rescan)."""
        unit_path = None
        for directory in self.settings.systemd_unit_dirs:
            path = os.path.join(directory, SYSTEMD_UNIT_NAME)
            if directory and os.path.lexists(path):
                unit_path = path
                break
        if unit_path is None:
            self.unit_cache = None
            return None
        cached = self.unit_cache
        if cached is not None and cached[0] == unit_path and \
                all(lstat_signature(path) == sig for path, sig in cached[1]):
            return cached[2]
        signature = []  # type: List[Tuple[str, Any]]
        result = None  # type: Optional[Dict[str, Any]]
        current = unit_path
        try:
            signature.append((unit_path, lstat_signature(unit_path)))
            data, _ = read_trusted(unit_path, MAX_UNIT_FILE_BYTES, what="a unit file")
            unit = parse_unit(decode_text(data))
            env = dict(unit["environment"])
            for current, _optional in unit["env_files"]:
                signature.append((current, lstat_signature(current)))
                try:
                    env_data, _ = read_trusted(current, MAX_UNIT_FILE_BYTES, what="an environment file")
                except FileNotFoundError:
                    continue    # systemd starts without an optional one (and fails without another)
                env.update(parse_env_file(decode_text(env_data)))
            argv = unit_exec_argv(unit["exec_start"], env) if unit["exec_start"] else []
            if argv:
                result = {"unit": unit_path, "argv": argv}
        except AgentError as exc:
            LOG.warning("not using %s: %s", unit_path, exc.message)
        except OSError as exc:
            LOG.warning("not using %s: cannot read %s: %s", unit_path, current, exc.strerror or exc)
        self.unit_cache = (unit_path, signature, result)
        return result

    def version_for(self, d: Daemon) -> "Optional[str]":
        """The version of the trusted keepalived, if the daemon runs that very file; else unknown (its binary was
        replaced since it started, or it lives in a container's root): a daemon's own binary is never run."""
        trusted = self.trusted_binary_for(d)
        if trusted is None:
            return None
        if d.exe_key not in self.version_cache:
            self.version_cache[d.exe_key] = self.probes.version_info(trusted).get("version")
        return self.version_cache[d.exe_key]

    def trusted_binary_for(self, d: Daemon) -> "Optional[str]":
        """The trusted keepalived when it is the file the daemon runs (same device and inode), else None."""
        trusted = trusted_keepalived(self.settings.keepalived_bin)
        if trusted is None or d.exe_key is None:
            return None
        try:
            st = os.stat(trusted)
        except OSError:
            return None
        return trusted if (st.st_dev, st.st_ino) == d.exe_key else None
