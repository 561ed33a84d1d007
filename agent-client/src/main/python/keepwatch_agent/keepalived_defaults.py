"""What keepalived, systemd and Neutron use when nothing says otherwise: a daemon's files, its advert interval."""

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional  # noqa: F401

DEFAULT_ADVERT_INT_S = 1.0

DEFAULT_KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf"
DEFAULT_PID_FILE = "/run/keepalived.pid"
DEFAULT_VRRP_PID_FILE = "/run/vrrp.pid"
DEFAULT_CHECKERS_PID_FILE = "/run/checkers.pid"
DEFAULT_BFD_PID_FILE = "/run/bfd.pid"
DEFAULT_TMPDIR = "/tmp"
# keepalived before 2.2 writes its dumps to /tmp whatever its TMPDIR says (2.1.5, Debian 11, measured; 2.2.7 and
# 2.3.3 write them in TMPDIR).
DUMPS_IN_TMPDIR_SINCE = (2, 2)
JSON_DUMP_NAME = "keepalived.json"
TEXT_DUMP_NAME = "keepalived.data"
NEUTRON_CONF_RE = re.compile(r"/ha_confs/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/keepalived\.conf$")
NEUTRON_NETNS_PREFIX = "qrouter-"
NEUTRON_ROUTER_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
NEUTRON_PID_SUFFIX = ".pid.keepalived"          # <ha_confs>/<router_id>.pid.keepalived
NEUTRON_VRRP_PID_SUFFIX = ".pid.keepalived-vrrp"
NEUTRON_CONF_NAME = "keepalived.conf"           # <ha_confs>/<router_id>/keepalived.conf
SYSTEMD_UNIT_NAME = "keepalived.service"
DEFAULT_SYSTEMD_UNIT_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system",
                             "/usr/lib/systemd/system"]


def dump_dir(tmpdir_env: "Optional[str]", version: "Optional[str]") -> str:
    """Where a keepalived of this version (None: unknown, taken as current) started with this TMPDIR writes its
    dump files."""
    parts = re.match(r"(\d+)\.(\d+)", version or "")
    if parts is not None and (int(parts.group(1)), int(parts.group(2))) < DUMPS_IN_TMPDIR_SINCE:
        return DEFAULT_TMPDIR
    return tmpdir_env or DEFAULT_TMPDIR
