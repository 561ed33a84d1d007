"""The agent's settings: defaults < JSON file (--config) < command line flags."""

import json
import os
from pathlib import Path

from .keepalived_defaults import DEFAULT_KEEPALIVED_CONF, DEFAULT_SYSTEMD_UNIT_DIRS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple  # noqa: F401

DEFAULT_SETTINGS = {
    "heartbeat_interval": 2.0,      # s between heartbeat events while subscribed
    "snapshot_interval": 30.0,      # s between periodic dumps of one daemon (priority-only changes)
    "rescan_interval": 5.0,         # s between /proc scans for started keepalived daemons
    "liveness_interval": 1.0,       # s between pid checks, only where pidfd is unavailable
    "dump_timeout": 2.0,            # s to wait for keepalived to write its dump
    "dump_poll_initial": 0.002,     # s between looks at a dump file while it is expected soon
    "dump_poll_max": 0.05,          # s between looks at a dump file later on
    "vip_debounce": 0.001,          # s to gather address changes before one dump
    "orphan_grace": 1.5,            # s a VIP must stay without a MASTER before it is an orphan
    "batch_interval": 0.0,          # s to hold events for one write; 0 = one write per loop turn
    "health_adverts": 3,            # advert intervals to watch health after a reload
    "health_min": 1.0,              # s, lower bound of the health watch
    "lock_timeout": 30.0,           # s to wait for the apply lock
    "check_timeout": 30.0,          # s for keepalived -t
    "reload_timeout": 30.0,         # s for systemctl reload
    "backup_keep": 20,              # backups kept per file
    "diagnose_listen": 3.0,         # s a diagnosis listens for VRRP adverts when the request names no time
    "diagnose_listen_max": 10.0,    # s a diagnosis listens at most, whatever the request asks
    "state_dir": None,              # backups, locks, audit log; default /var/lib/keepwatch (root)
    "audit_log": None,              # default <state_dir>/audit.log
    "allowed_paths": [],            # extra config paths the client may read and write
    "match_config": None,           # only manage daemons whose config path matches this glob
    "proc_root": "/proc",
    "netns_dir": "/run/netns",
    "default_config": DEFAULT_KEEPALIVED_CONF,      # what keepalived reads without -f
    "systemd_unit_dirs": list(DEFAULT_SYSTEMD_UNIT_DIRS),   # where keepalived.service is looked for, first found
    "neutron_ha_confs": "/var/lib/neutron/ha_confs",  # <router_id>/keepalived.conf per Neutron HA router
    "keepalived_bin": None,         # keepalived for hello and checks of dead daemons
    "log_level": "info",
}

USAGE = """usage: keepwatch_agent.py [serve|version] [--config FILE] [--SETTING VALUE ...]

Speaks the Keepwatch agent protocol (JSON lines) on stdin/stdout; logs go to stderr.
Settings (also keys of the --config JSON object):
%s
"""


class Settings(object):
    """The agent's effective configuration; every interval comes from here."""

    def __init__(self, values: "Dict[str, Any]") -> None:
        self.values = dict(DEFAULT_SETTINGS)
        for key, value in values.items():
            if key not in DEFAULT_SETTINGS:
                raise ValueError("unknown setting %r" % key)
            if value is not None:
                self.values[key] = value
        self._validate()
        is_root = os.geteuid() == 0
        if not self.values["state_dir"]:
            if is_root:
                self.values["state_dir"] = "/var/lib/keepwatch"
            else:
                self.values["state_dir"] = str(Path.home() / ".local" / "state" / "keepwatch")
        if not self.values["audit_log"]:
            self.values["audit_log"] = str(Path(self.values["state_dir"]) / "audit.log")

    def _validate(self) -> None:
        for key, default in DEFAULT_SETTINGS.items():
            value = self.values[key]
            if isinstance(default, float) and not isinstance(value, (int, float)):
                raise ValueError("setting %s must be a number" % key)
            if isinstance(default, float) and value < 0:
                raise ValueError("setting %s must not be negative" % key)
            if isinstance(default, int) and not isinstance(default, bool) and not isinstance(value, int):
                raise ValueError("setting %s must be an integer" % key)
        for key in ("allowed_paths", "systemd_unit_dirs"):
            if not isinstance(self.values[key], list) or not all(isinstance(v, str) for v in self.values[key]):
                raise ValueError("setting %s must be a list of paths" % key)
        for key in ("default_config", "neutron_ha_confs"):
            if not isinstance(self.values[key], str):
                raise ValueError("setting %s must be a path" % key)

    def __getattr__(self, name: str) -> "Any":
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    def public(self) -> "Dict[str, Any]":
        return dict(self.values)


class UsageError(Exception):
    pass


def _convert(key: str, text: str) -> "Any":
    default = DEFAULT_SETTINGS[key]
    try:
        if isinstance(default, float):
            return float(text)
        if isinstance(default, int) and not isinstance(default, bool):
            return int(text)
    except ValueError:
        raise UsageError("--%s needs a number, not %r" % (key.replace("_", "-"), text))
    return text


def parse_cli(argv: "List[str]") -> "Tuple[str, Optional[str], Dict[str, Any]]":
    """serve|version, --config FILE and --setting VALUE (or --setting=VALUE); lists may repeat."""
    command = "serve"
    config = None
    values = {}  # type: Dict[str, Any]
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg in ("-h", "--help"):
            raise UsageError("")
        if not arg.startswith("--"):
            if arg not in ("serve", "version"):
                raise UsageError("unknown command %r" % arg)
            command = arg
            continue
        name, eq, value = arg[2:].partition("=")
        key = name.replace("-", "_")
        if key != "config" and key not in DEFAULT_SETTINGS:
            raise UsageError("unknown option --%s" % name)
        if not eq:
            if i >= len(argv):
                raise UsageError("--%s needs a value" % name)
            value = argv[i]
            i += 1
        if key == "config":
            config = value
        elif isinstance(DEFAULT_SETTINGS[key], list):
            values.setdefault(key, []).append(value)
        else:
            values[key] = _convert(key, value)
    return command, config, values


def load_settings(argv: "List[str]") -> "Tuple[str, Settings]":
    """Defaults, then the --config JSON file, then command line flags."""
    command, config, flags = parse_cli(argv)
    values = {}  # type: Dict[str, Any]
    if config:
        try:
            with open(config, "r") as f:
                loaded = json.load(f)
        except (OSError, ValueError) as exc:
            raise UsageError("cannot read --config %s: %s" % (config, exc))
        if not isinstance(loaded, dict):
            raise UsageError("--config %s must hold a JSON object" % config)
        values.update(loaded)
    values.update(flags)
    try:
        return command, Settings(values)
    except ValueError as exc:
        raise UsageError(str(exc))
