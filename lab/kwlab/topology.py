"""What the lab is made of: nodes, links, VRRP routers and the keepalived configs they run.

Pure data, no side effects: cli.py and builder.py turn it into namespaces and processes.
"""
import uuid
from dataclasses import dataclass
from typing import List, Tuple

PREFIX = "kw-"
BRIDGE_NS = "kw-br"            # the "switch": a namespace holding the lab's bridges
LAN_BRIDGE = "kwbr0"           # node and workstation addresses, VRRP of the plain topology
HA_BRIDGE = "kwha0"            # Neutron's HA network between the two network nodes
WORKSTATION_LINK = "kw-ws"     # veth in the root namespace: how this machine reaches the nodes
WORKSTATION_PORT = "kw-wsp"    # its peer on the LAN bridge; never isolated, so it reaches every node
LAN_PREFIX = "10.77.0"
LAN_CIDR = LAN_PREFIX + ".0/24"
WORKSTATION_ADDRESS = LAN_PREFIX + ".1"
PREFIX_LEN = 24

BASIC = "basic"
NEUTRON = "neutron"

MAX_BASIC_NODES = 9
MAX_BASIC_ROUTERS = 9
MAX_NEUTRON_ROUTERS = 250
NEUTRON_NODES = 2
ADVERT_INT = 1
NEUTRON_ADVERT_INT = 2
NEUTRON_PRIORITY = 50
NEUTRON_STATE_PATH = "/var/lib/neutron"
# Whose Neutron's state is on a network node: the neutron user owns /var/lib/neutron, ha_confs, each router's
# directory, its keepalived.conf and the TMPDIR keepalived (root) writes its dumps into. A uid with no passwd entry
# on the host (Debian's neutron user has a system uid of its own): nothing is added to /etc/passwd.
NEUTRON_UID = 64055
NEUTRON_GID = 64055
HOST_RELEASE = "host"          # in --releases: a node on the machine's own filesystem
# The Keepwatch agent's state (config backups, audit log, apply and dump locks): per host, so per node.
AGENT_STATE_PATH = "/var/lib/keepwatch"

# Stable ids: the same router always gets the same uuid, so configs and fleet files stay comparable.
_ID_NAMESPACE = uuid.UUID("6f1d5a3e-2b7c-4d8e-9f10-4b6565706174")


def stable_uuid(label: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, label))


@dataclass(frozen=True)
class Node:
    name: str            # hostname on the node and name in the fleet file
    kind: str            # BASIC or NEUTRON
    address: str         # on the LAN bridge; sshd listens here
    lan_port: str        # bridge-side end of the node's eth0
    release: str = ""    # the Debian release whose root the node runs on (lab/roots); "" the machine's own

    @property
    def netns(self) -> str:
        return PREFIX + self.name


@dataclass(frozen=True)
class BasicRouter:
    """One VRRP router of the plain topology: a VRID on the LAN, one instance per node."""
    index: int
    node_count: int

    @property
    def name(self) -> str:
        return "VI_%d" % self.index

    @property
    def vrid(self) -> int:
        return 50 + self.index

    @property
    def vip(self) -> str:
        return "%s.%d" % (LAN_PREFIX, 100 + self.index)

    def rank(self, node_index: int) -> int:
        """0 for the node meant to be MASTER; routers rotate so every node masters one of them."""
        return (node_index - self.index) % self.node_count

    def priority(self, node_index: int) -> int:
        step = 100 // max(1, self.node_count - 1)
        return 150 - self.rank(node_index) * step


@dataclass(frozen=True)
class NeutronRouter:
    """One Neutron HA router: namespace qrouter-<id> on each network node, VRID on the HA network."""
    index: int

    @property
    def router_id(self) -> str:
        return stable_uuid("router-%d" % self.index)

    @property
    def vrid(self) -> int:
        return self.index

    @property
    def netns(self) -> str:
        return "qrouter-" + self.router_id

    @property
    def vip(self) -> str:
        return "169.254.0.%d" % self.vrid

    @property
    def qr_port(self) -> str:
        return "qr-" + stable_uuid("qr-%d" % self.index)[:11]

    @property
    def qg_port(self) -> str:
        return "qg-" + stable_uuid("qg-%d" % self.index)[:11]

    @property
    def internal_address(self) -> str:
        return "10.%d.%d.1/24" % (100 + self.index // 256, self.index % 256)

    @property
    def gateway_address(self) -> str:
        return "172.24.4.%d/24" % (self.index + 4)

    def ha_port(self, node_index: int) -> str:
        return "ha-" + stable_uuid("ha-%d-%d" % (node_index, self.index))[:11]

    def ha_address(self, node_index: int) -> str:
        # Neutron's HA network is 169.254.192.0/18; each port gets its own address.
        return "169.254.%d.%d/18" % (191 + node_index, self.index)

    @staticmethod
    def ha_bridge_port(node_index: int, index: int) -> str:
        return "kwq%dh%d" % (node_index, index)


@dataclass
class BasicTopology:
    node_count: int = 3
    router_count: int = 3
    kind: str = BASIC
    # A mixed lab: node i runs on releases[(i-1) % len] ("host": the machine's own filesystem). Empty: every
    # node on the machine's filesystem, as the default lab.
    releases: Tuple[str, ...] = ()
    # Nodes whose keepalived is the machine's release built without JSON (lab/keepalived-nojson): their state is read
    # from the text dump, by the agent and by lab/status alike.
    nojson: Tuple[str, ...] = ()
    # Nodes whose keepalived runs in a container (lab/up --container): a root of its own under the node's directory,
    # its own mount namespace, the node's network; its configuration only inside that root.
    container: Tuple[str, ...] = ()

    def release(self, node_index: int) -> str:
        if not self.releases:
            return ""
        release = self.releases[(node_index - 1) % len(self.releases)]
        return "" if release == HOST_RELEASE else release

    def nodes(self) -> List[Node]:
        return [Node("n%d" % i, BASIC, "%s.%d" % (LAN_PREFIX, 10 + i), "kw-n%dp" % i, self.release(i))
                for i in range(1, self.node_count + 1)]

    def routers(self) -> List[BasicRouter]:
        return [BasicRouter(r, self.node_count) for r in range(1, self.router_count + 1)]

    def params(self) -> dict:
        params = {"nodes": self.node_count, "routers": self.router_count}
        if self.releases:
            params["releases"] = list(self.releases)
        if self.nojson:
            params["nojson"] = list(self.nojson)
        if self.container:
            params["container"] = list(self.container)
        return params

    def keepalived_conf(self, node_index: int) -> str:
        node = self.nodes()[node_index - 1]
        lines = [
            "! keepalived.conf of lab node %s, written by lab/up" % node.name,
            "global_defs {",
            "    router_id %s" % node.name,
            "}",
        ]
        for router in self.routers():
            master = router.rank(node_index) == 0
            lines += [
                "",
                "vrrp_instance %s {" % router.name,
                "    state %s" % ("MASTER" if master else "BACKUP"),
                "    interface eth0",
                "    virtual_router_id %d" % router.vrid,
                "    priority %d" % router.priority(node_index),
                "    advert_int %d" % ADVERT_INT,
                "    authentication {",
                "        auth_type PASS",
                "        auth_pass kwlab%d" % router.index,
                "    }",
                "    virtual_ipaddress {",
                "        %s/%d dev eth0" % (router.vip, PREFIX_LEN),
                "    }",
                "}",
            ]
        return "\n".join(lines) + "\n"


@dataclass
class NeutronTopology:
    router_count: int = 5
    kind: str = NEUTRON
    # net j runs on releases[j-1] (lab/up --neutron-releases; "host" or none: the machine's own filesystem)
    releases: Tuple[str, ...] = ()

    def release(self, node_index: int) -> str:
        if not self.releases:
            return ""
        release = self.releases[(node_index - 1) % len(self.releases)]
        return "" if release == HOST_RELEASE else release

    def nodes(self) -> List[Node]:
        return [Node("net%d" % j, NEUTRON, "%s.%d" % (LAN_PREFIX, 20 + j), "kw-net%dp" % j, self.release(j))
                for j in range(1, NEUTRON_NODES + 1)]

    def routers(self) -> List[NeutronRouter]:
        return [NeutronRouter(k) for k in range(1, self.router_count + 1)]

    def params(self) -> dict:
        params = {"routers": self.router_count}
        if self.releases:
            params["releases"] = list(self.releases)
        return params

    @staticmethod
    def keepalived_conf(router: NeutronRouter, node_index: int) -> str:
        """The shape neutron/agent/linux/keepalived.py generates for an HA router."""
        ha = router.ha_port(node_index)
        gateway = router.gateway_address.split("/")[0].rsplit(".", 1)[0] + ".1"
        lines = [
            "global_defs {",
            "    notification_email_from neutron@openstack.local",
            "    router_id neutron",
            "}",
            "vrrp_instance VR_%d {" % router.vrid,
            "    state BACKUP",
            "    interface %s" % ha,
            "    virtual_router_id %d" % router.vrid,
            "    priority %d" % NEUTRON_PRIORITY,
            "    garp_master_delay 60",
            "    nopreempt",
            "    advert_int %d" % NEUTRON_ADVERT_INT,
            "    track_interface {",
            "        %s" % ha,
            "    }",
            "    virtual_ipaddress {",
            "        %s/24 dev %s" % (router.vip, ha),
            "    }",
            "    virtual_ipaddress_excluded {",
            "        %s dev %s" % (router.internal_address, router.qr_port),
            "        %s dev %s" % (router.gateway_address, router.qg_port),
            "    }",
            "    virtual_routes {",
            "        0.0.0.0/0 via %s dev %s" % (gateway, router.qg_port),
            "    }",
            "}",
        ]
        return "\n".join(lines)
