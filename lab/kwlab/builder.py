"""Brings topologies up and tears everything recorded down again."""
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import List

from . import roots, shapes
from .diagnose_faults import stop_stranger
from .keys import LabKeys
from .logins import remove_logins
from .state import LabState, process_start_time, same_process
from .system import LabError, find_command, ip_batch, link_exists, netns_list, run
from .topology import (AGENT_STATE_PATH, BASIC, BRIDGE_NS, HA_BRIDGE, LAN_BRIDGE, LAN_CIDR, NEUTRON,
                      NEUTRON_GID, NEUTRON_STATE_PATH, NEUTRON_UID, PREFIX_LEN, WORKSTATION_ADDRESS,
                      WORKSTATION_LINK, WORKSTATION_PORT, BasicTopology, NeutronRouter, NeutronTopology, Node)

KWLAB_DIR = Path(__file__).resolve().parent
# Scripts that run on the nodes. They are copied into the lab directory because a checkout under
# /tmp or /run would be hidden on the node by its private mounts.
NODE_TOOLS = ("node-init.sh", "node-ctl.sh", "probe.py")
NODE_START_TIMEOUT = 20.0
NODE_START_PER_DAEMON = 0.5         # s more per keepalived: 200 Neutron routers took longer than 20 s
POLL = 0.05


def node_dir(state: LabState, node: Node) -> Path:
    return state.directory / "nodes" / node.name


def tools_dir(directory: Path) -> Path:
    return directory / "bin"


def install_node_tools(state: LabState) -> None:
    target = tools_dir(state.directory)
    target.mkdir(parents=True, exist_ok=True)
    for name in NODE_TOOLS:
        shutil.copy2(str(KWLAB_DIR / name), str(target / name))


# ---- checks before anything is created -------------------------------------------------------

def check_free(state: LabState, topology) -> None:
    """Refuses names and addresses that exist but are not the lab's, before creating anything."""
    existing = set(netns_list())
    wanted = [n.netns for n in topology.nodes()] + [BRIDGE_NS]
    foreign = [ns for ns in wanted if ns in existing and not state.owns("netns", ns)]
    if foreign:
        raise LabError("network namespace %s exists but was not created by this lab (no record in %s); "
                       "remove it or stop whatever made it, then run lab/up again"
                       % (", ".join(foreign), state.path))
    if link_exists(WORKSTATION_LINK) and not state.owns("links", WORKSTATION_LINK):
        raise LabError("link %s exists in the root namespace but was not created by this lab"
                       % WORKSTATION_LINK)
    if not state.owns("links", WORKSTATION_LINK):
        routes = run(["ip", "-4", "route", "show", "match", WORKSTATION_ADDRESS])
        taken = [r for r in routes.splitlines() if r and not r.startswith("default")]
        if taken:
            raise LabError("the lab's network %s is already routed on this machine (%s); "
                           "the lab would shadow it" % (LAN_CIDR, taken[0].strip()))


# ---- the switch and the workstation's link ---------------------------------------------------

def ensure_switch(state: LabState, with_ha: bool) -> None:
    if not state.owns("netns", BRIDGE_NS):
        run(["ip", "netns", "add", BRIDGE_NS])
        state.add("netns", BRIDGE_NS)
        # Snooping off: VRRP adverts (224.0.0.18) must reach every port, as on a plain switch.
        ip_batch(["link set lo up",
                  "link add %s type bridge mcast_snooping 0 stp_state 0" % LAN_BRIDGE,
                  "link set %s up" % LAN_BRIDGE], netns=BRIDGE_NS)
    if with_ha and not link_exists(HA_BRIDGE, BRIDGE_NS):
        ip_batch(["link add %s type bridge mcast_snooping 0 stp_state 0" % HA_BRIDGE,
                  "link set %s up" % HA_BRIDGE], netns=BRIDGE_NS)
    if not state.owns("links", WORKSTATION_LINK):
        run(["ip", "link", "add", WORKSTATION_LINK, "type", "veth",
             "peer", "name", WORKSTATION_PORT, "netns", BRIDGE_NS])
        state.add("links", WORKSTATION_LINK)
        run(["ip", "addr", "add", "%s/%d" % (WORKSTATION_ADDRESS, PREFIX_LEN), "dev", WORKSTATION_LINK])
        run(["ip", "link", "set", WORKSTATION_LINK, "up"])
        ip_batch(["link set %s master %s" % (WORKSTATION_PORT, LAN_BRIDGE),
                  "link set %s up" % WORKSTATION_PORT], netns=BRIDGE_NS)


# ---- nodes -------------------------------------------------------------------------------------

def create_node_netns(state: LabState, node: Node) -> None:
    run(["ip", "netns", "add", node.netns])
    state.add("netns", node.netns)
    run(["ip", "link", "add", node.lan_port, "netns", BRIDGE_NS, "type", "veth",
         "peer", "name", "eth0", "netns", node.netns])
    ip_batch(["link set %s master %s" % (node.lan_port, LAN_BRIDGE),
              "link set %s up" % node.lan_port], netns=BRIDGE_NS)
    ip_batch(["addr add %s/%d dev eth0" % (node.address, PREFIX_LEN),
              "link set eth0 up", "link set lo up"], netns=node.netns)


def write_node_files(state: LabState, keys: LabKeys, node: Node, env: str, setup_net: str = None) -> Path:
    directory = node_dir(state, node)
    if directory.exists():
        shutil.rmtree(str(directory))
    (directory / "logs").mkdir(parents=True)
    if node.release:
        # The node's own writes over its release's cached root: fresh on every lab/up.
        for part in ("upper", "work", "merged"):
            (directory / "root" / part).mkdir(parents=True)
    home = directory / "home"
    home.mkdir(mode=0o700)
    (directory / "keepwatch").mkdir(mode=0o700)
    (directory / "node.env").write_text(env)
    if setup_net is not None:
        (directory / "setup-net.sh").write_text(setup_net)
    (directory / "sshd_config").write_text(keys.sshd_config(node))
    return directory


def ensure_mountpoint(state: LabState, path: str) -> None:
    """Bind mounts need a directory to land on; create it (and remember to remove it) if missing."""
    target = Path(path)
    if not target.exists():
        target.mkdir(parents=True)
        state.add("dirs", str(target))


def start_node(state: LabState, node: Node, directory: Path, daemons: int = 1) -> None:
    log = open(str(directory / "logs" / "init.log"), "ab")
    args = ["ip", "netns", "exec", node.netns,
            "unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--mount", "--uts", "--ipc",
            "bash", str(tools_dir(state.directory) / "node-init.sh"), str(directory)]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    log.close()
    record = {"netns": node.netns, "kind": node.kind, "dir": str(directory), "release": node.release or "host",
              "unshare_pid": proc.pid, "unshare_start": process_start_time(proc.pid) or 0}
    state.set_node(node.name, record)
    timeout = NODE_START_TIMEOUT + NODE_START_PER_DAEMON * max(0, daemons - 1)
    deadline = time.monotonic() + timeout
    init_pid = None
    while time.monotonic() < deadline:
        if init_pid is None:
            init_pid = _child_of(proc.pid)
            if init_pid is not None:
                record.update(init_pid=init_pid, init_start=process_start_time(init_pid) or 0)
                state.set_node(node.name, record)
        if (directory / "ready").exists():
            return
        if (directory / "failed").exists() or proc.poll() is not None:
            reason = (directory / "failed").read_text().strip() if (directory / "failed").exists() \
                else "node init exited with %s" % proc.poll()
            raise LabError("node %s did not come up: %s (log: %s)"
                           % (node.name, reason, directory / "logs" / "init.log"))
        time.sleep(POLL)
    raise LabError("node %s did not come up within %.0f s (log: %s)"
                   % (node.name, timeout, directory / "logs"))


def _child_of(pid: int):
    try:
        children = Path("/proc/%d/task/%d/children" % (pid, pid)).read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


# ---- the plain topology ------------------------------------------------------------------------

def build_basic(state: LabState, keys: LabKeys, topology: BasicTopology) -> None:
    ensure_mountpoint(state, "/etc/keepalived")
    ensure_mountpoint(state, AGENT_STATE_PATH)
    for index, node in enumerate(topology.nodes(), start=1):
        create_node_netns(state, node)
        in_container = node.name in topology.container
        directory = write_node_files(state, keys, node, basic_env(state, node, nojson=node.name in topology.nojson,
                                                                  container=in_container))
        etc = directory / "etc-keepalived"
        etc.mkdir()
        if in_container:
            # the configuration exists only inside the container's root: the node's own /etc/keepalived stays as the
            # package left it
            make_container_root(directory / CONTAINER_DIR)
            etc_inside = directory / CONTAINER_DIR / "etc" / "keepalived"
        else:
            etc_inside = etc
        if node.release:
            # What the release's package put in /etc/keepalived, which the node's own directory is mounted over:
            # trixie's keepalived does not start without its keepalived.config-opts there.
            for packaged in (roots.require(node.release) / "etc" / "keepalived").iterdir():
                shutil.copy2(str(packaged), str(etc / packaged.name))
                if in_container:
                    shutil.copy2(str(packaged), str(etc_inside / packaged.name))
        (etc_inside / "keepalived.conf").write_text(topology.keepalived_conf(index))
        start_node(state, node, directory)


CONTAINER_DIR = "container"     # a container node's keepalived root, in the node's directory


def make_container_root(root: Path) -> None:
    """An empty root for keepalived in a container, shaped as lab/kwlab/container.py makes one (the node's /usr and
    /etc/alternatives bound read-only over it when keepalived starts, /proc, /sys and /dev the kernel's)."""
    from .container import LINKS, READ_ONLY, SPECIAL
    for directory in ("etc/keepalived", "run", "tmp", "var/log") + READ_ONLY + SPECIAL:
        (root / directory).mkdir(parents=True, exist_ok=True)
    os.chmod(str(root / "tmp"), 0o1777)
    for name, target in LINKS.items():
        (root / name).symlink_to(target)


def basic_env(state: LabState, node: Node, nojson: bool = False, container: bool = False) -> str:
    directory = node_dir(state, node)
    keepalived = ""
    if nojson:
        # The node's /usr/sbin/keepalived is the no-JSON build (bound over it in the node's own mount namespace): what
        # the node starts, what the agent finds on root's PATH and what lab/status asks for its signal numbers.
        from . import nojson_keepalived
        built = nojson_keepalived.built(nojson_keepalived.installed_version()["upstream"])
        if built is None:
            raise LabError("node %s: keepalived without JSON is not built (lab/keepalived-nojson build)" % node.name)
        keepalived = "NODE_KEEPALIVED=%s\n" % built
    return _env_header(node, directory, [
        "%s/home:/root" % directory,
        "%s/etc-keepalived:/etc/keepalived" % directory,
    ]) + keepalived + (CONTAINER_ENV % (directory / CONTAINER_DIR) if container else BASIC_DAEMON)


# keepalived in a container: in a mount namespace of its own (unshare), the node's /usr and /etc/alternatives bound
# read-only into the container's root, /proc, /sys and /dev the node's, chrooted there; keepalived without -f reads the
# container's /etc/keepalived/keepalived.conf and writes its pid files in the container's /run, its dumps in its /tmp.
CONTAINER_ENV = """CONTAINER_ROOT=%s
DAEMONS=(keepalived)
daemon_pidfile() { echo "$CONTAINER_ROOT/run/keepalived.pid"; }
daemon_vrrp_pidfile() { echo "$CONTAINER_ROOT/run/vrrp.pid"; }
daemon_log() { echo "$NODE_DIR/logs/keepalived.log"; }
daemon_start() {
  TMPDIR=/tmp setsid unshare --mount --propagation private sh -c '
    r=$1
    for d in usr etc/alternatives; do mount --bind -o ro "/$d" "$r/$d" || exit 1; done
    for d in proc sys dev; do mount --rbind "/$d" "$r/$d" || exit 1; done
    exec chroot "$r" /usr/sbin/keepalived --dont-fork --log-console --log-detail' sh "$CONTAINER_ROOT" \\
    >>"$(daemon_log "$1")" 2>&1 </dev/null &
}
"""

BASIC_DAEMON = """DAEMONS=(keepalived)
daemon_pidfile() { echo /run/keepalived.pid; }
daemon_vrrp_pidfile() { echo /run/vrrp.pid; }
daemon_log() { echo "$NODE_DIR/logs/keepalived.log"; }
daemon_start() {
  setsid keepalived --dont-fork --log-console --log-detail \\
    >>"$(daemon_log "$1")" 2>&1 </dev/null &
}
"""


def _env_header(node: Node, directory: Path, binds: List[str]) -> str:
    # Shared, the agents of different nodes would keep each other's config backups and audit log,
    # and take each other's dump lock (it is named after TMPDIR, which is /tmp on every node).
    binds = binds + ["%s/keepwatch:%s" % (directory, AGENT_STATE_PATH)]
    root = ""
    if node.release:
        root = "NODE_RELEASE=%s\nNODE_ROOT=%s\nLAB_DIR=%s\n" % (
            node.release, roots.require(node.release), directory.parent.parent)
    return ("# written by lab/up for node %s\n" % node.name
            + "NODE_NAME=%s\nNODE_KIND=%s\nNODE_DIR=%s\n" % (node.name, node.kind, directory) + root
            + "BIND_MOUNTS=(%s)\n" % " ".join('"%s"' % b for b in binds))


# ---- the shapes topology (shapes.py) --------------------------------------------------------------

def build_shapes(state: LabState, keys: LabKeys, topology) -> None:
    ensure_mountpoint(state, "/etc/keepalived")
    ensure_mountpoint(state, AGENT_STATE_PATH)
    shapes.ensure_track_bridge()
    for index, node in enumerate(topology.nodes(), start=1):
        run(["ip", "netns", "add", node.netns])
        state.add("netns", node.netns)
        shapes.create_node_links(node, index)
        directory = write_node_files(state, keys, node, basic_env(state, node))
        etc = directory / "etc-keepalived"
        etc.mkdir()
        if node.release:
            shapes.copy_packaged(roots.require(node.release), etc)
        shapes.write_script(etc)
        (etc / "keepalived.conf").write_text(topology.keepalived_conf(index))
        start_node(state, node, directory)


# ---- the Neutron network node pair ---------------------------------------------------------------

def build_neutron(state: LabState, keys: LabKeys, topology: NeutronTopology) -> None:
    ensure_mountpoint(state, NEUTRON_STATE_PATH)
    ensure_mountpoint(state, AGENT_STATE_PATH)
    routers = topology.routers()
    for node_index, node in enumerate(topology.nodes(), start=1):
        create_node_netns(state, node)
        # HA ports: one veth per router, bridge end on the HA network, node end moved into
        # qrouter-<id> by the node itself (the qrouter namespaces live in the node's own /run/netns).
        root_side = []
        bridge_side = []
        for router in routers:
            port = NeutronRouter.ha_bridge_port(node_index, router.index)
            root_side.append("link add %s netns %s type veth peer name %s netns %s"
                             % (port, BRIDGE_NS, router.ha_port(node_index), node.netns))
            bridge_side += ["link set %s master %s" % (port, HA_BRIDGE), "link set %s up" % port]
        ip_batch(root_side)
        ip_batch(bridge_side, netns=BRIDGE_NS)
        directory = write_node_files(state, keys, node, neutron_env(state, node, routers),
                                     neutron_setup(routers, node_index))
        ha_confs = directory / "neutron" / "ha_confs"
        ha_confs.mkdir(parents=True)
        give_to_neutron(ha_confs.parent, ha_confs)
        for router in routers:
            conf_dir = ha_confs / router.router_id
            (conf_dir / "tmp").mkdir(parents=True)
            (conf_dir / "keepalived.conf").write_text(topology.keepalived_conf(router, node_index))
            give_to_neutron(conf_dir, conf_dir / "tmp", conf_dir / "keepalived.conf")
        start_node(state, node, directory, daemons=len(routers))


def give_to_neutron(*paths: Path) -> None:
    """As on a real network node, where neutron-l3-agent (the neutron user) writes ha_confs and keepalived runs as
    root: a file mode of 0644 and a directory mode of 0755, the neutron user's."""
    for path in paths:
        os.chown(str(path), NEUTRON_UID, NEUTRON_GID)
        os.chmod(str(path), 0o755 if path.is_dir() else 0o644)


def neutron_env(state: LabState, node: Node, routers: List[NeutronRouter]) -> str:
    directory = node_dir(state, node)
    return _env_header(node, directory, [
        "%s/home:/root" % directory,
        "%s/neutron:%s" % (directory, NEUTRON_STATE_PATH),
    ]) + "HA_CONFS=%s/ha_confs\n" % NEUTRON_STATE_PATH + "DAEMONS=(%s)\n" % " ".join(
        r.router_id for r in routers) + """daemon_pidfile() { echo "$HA_CONFS/$1.pid.keepalived"; }
daemon_vrrp_pidfile() { echo "$HA_CONFS/$1.pid.keepalived-vrrp"; }
daemon_log() { echo "$NODE_DIR/logs/keepalived-$1.log"; }
daemon_start() {
  # As neutron-l3-agent runs it, plus console logging into the lab's log directory and a
  # TMPDIR of its own so that the dump files of the routers do not collide (lab/up made it
  # the neutron user's, as the rest of ha_confs/<router>).
  mkdir -p "$HA_CONFS/$1/tmp"
  TMPDIR="$HA_CONFS/$1/tmp" setsid ip netns exec "qrouter-$1" \\
    keepalived -P -f "$HA_CONFS/$1/keepalived.conf" \\
    -p "$(daemon_pidfile "$1")" -r "$(daemon_vrrp_pidfile "$1")" \\
    --dont-fork --log-console --log-detail \\
    >>"$(daemon_log "$1")" 2>&1 </dev/null &
}
"""


def neutron_setup(routers: List[NeutronRouter], node_index: int) -> str:
    """Network setup run by the node itself: qrouter namespaces with their ha-, qr- and qg- ports."""
    main = []
    per_router = []
    for router in routers:
        ha = router.ha_port(node_index)
        qr_tap = "tap" + router.qr_port[3:]
        qg_tap = "tap" + router.qg_port[3:]
        main += ["netns add %s" % router.netns,
                 "link set %s netns %s" % (ha, router.netns),
                 "link add %s type veth peer name %s" % (router.qr_port, qr_tap),
                 "link add %s type veth peer name %s" % (router.qg_port, qg_tap),
                 "link set %s netns %s" % (router.qr_port, router.netns),
                 "link set %s netns %s" % (router.qg_port, router.netns),
                 "link set %s up" % qr_tap, "link set %s up" % qg_tap]
        per_router.append((router.netns, ["link set lo up",
                                          "addr add %s dev %s" % (router.ha_address(node_index), ha),
                                          "link set %s up" % ha,
                                          "link set %s up" % router.qr_port,
                                          "link set %s up" % router.qg_port]))
    lines = ["# written by lab/up: this network node's qrouter namespaces",
             "ip -batch - <<'EOF' || return 1"] + main + ["EOF"]
    for netns, commands in per_router:
        lines += ["ip -n %s -batch - <<'EOF' || return 1" % netns] + commands + ["EOF"]
    return "\n".join(lines) + "\n"


# ---- teardown --------------------------------------------------------------------------------------

def stop_node(record: dict) -> None:
    """Kills the node's PID 1 (the kernel then kills every process of the node) if it is still ours."""
    for pid_key, start_key in (("init_pid", "init_start"), ("unshare_pid", "unshare_start")):
        pid = record.get(pid_key, 0)
        if pid and same_process(pid, record.get(start_key, -1)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for pid_key, start_key in (("init_pid", "init_start"), ("unshare_pid", "unshare_start")):
        pid = record.get(pid_key, 0)
        deadline = time.monotonic() + 5
        while pid and same_process(pid, record.get(start_key, -1)) and time.monotonic() < deadline:
            time.sleep(POLL)


def teardown(state: LabState, kinds=None) -> List[str]:
    """Removes what the record lists (all of it, or the nodes of the given topology kinds)."""
    removed = []
    if kinds is None or "basic" in kinds:
        stop_stranger(state)        # the stranger's sender lives on the LAN: it goes first
        removed += remove_logins(state)     # the bastion is on the LAN too, and its node is a basic one
    for name, record in state.nodes().items():
        if kinds is not None and record.get("kind") not in kinds:
            continue
        stop_node(record)
        netns = record.get("netns")
        if netns and state.owns("netns", netns):
            _delete_netns(netns)
            state.remove("netns", netns)
            removed.append(netns)
        state.drop_node(name)
    for kind in list(state.topologies()):
        if kinds is None or kind in kinds:
            state.set_topology(kind, None)
    # Namespaces recorded without a node (a lab/up that died before starting it).
    node_ns = {r.get("netns") for r in state.nodes().values()}
    for netns in list(state.data["netns"]):
        if netns == BRIDGE_NS or netns in node_ns:
            continue
        if kinds is None or _netns_kind(netns) in kinds:
            _delete_netns(netns)
            state.remove("netns", netns)
            removed.append(netns)
    if not state.topologies():
        if state.owns("links", WORKSTATION_LINK):
            if link_exists(WORKSTATION_LINK):
                run(["ip", "link", "del", WORKSTATION_LINK])
            state.remove("links", WORKSTATION_LINK)
            removed.append(WORKSTATION_LINK)
        if state.owns("netns", BRIDGE_NS):
            _delete_netns(BRIDGE_NS)
            state.remove("netns", BRIDGE_NS)
            removed.append(BRIDGE_NS)
        for directory in list(state.data["dirs"]):
            try:
                os.rmdir(directory)
            except OSError:
                pass    # not empty: someone else uses it now; leave it
            state.remove("dirs", directory)
    elif kinds is not None and NEUTRON in kinds and state.owns("netns", BRIDGE_NS):
        if link_exists(HA_BRIDGE, BRIDGE_NS):
            run(["ip", "-n", BRIDGE_NS, "link", "del", HA_BRIDGE])
    if kinds is not None and shapes.SHAPES in kinds and state.owns("netns", BRIDGE_NS) and BRIDGE_NS in netns_list():
        shapes.remove_track_bridge()
    return removed


def _netns_kind(netns: str) -> str:
    if netns.startswith("kw-s") and netns[4:].isdigit():
        return shapes.SHAPES
    return NEUTRON if netns.startswith("kw-net") else BASIC


def _delete_netns(netns: str) -> None:
    if netns in netns_list():
        run(["ip", "netns", "del", netns])


def find_keepalived() -> str:
    found = find_command("keepalived")
    if found is None:
        raise LabError("keepalived not found (apt-get install keepalived)")
    return found
