"""The text dump against the same truth as the JSON dump: one pair of real keepalived daemons, first Debian's (built with
JSON) and then the same version built without JSON (lab/keepalived-nojson), the same configurations, the same states;
the agent must report every instance the same way from keepalived.data as from keepalived.json (root only; skipped
otherwise; fails, naming the command, when the no-JSON build is missing: .ci/run builds it).

Instances of several shapes: a sync group, VRRPv2 with PASS authentication and several VIPs (one excluded), VRRPv3
nopreempt with a preempt_delay, unicast peers, a tracked interface.
"""

import os
import subprocess
import time
import unittest
from pathlib import Path

from kwtlab import AgentProcess, KeepalivedLab, is_root, require_lab

LAB = Path(__file__).resolve().parents[4] / "lab"
SETTLE_TIMEOUT_S = 20.0
# what both dumps carry and the agent must report alike (stats and last_transition: counters and times differ by run;
# unicast peers: keepalived 2.2.7's JSON dump does not carry them, the agent takes them from the configuration;
# the states of VI_3, nopreempt,
# depend on which node started first, so each run is checked against who holds its VIP instead)
COMPARED = ("instance", "vrid", "state", "wantstate", "base_priority", "effective_priority", "interface", "advert_int",
            "version", "nopreempt", "preempt_delay", "auth_type", "vips", "excluded_vips", "track_interfaces",
            "unicast_peers", "sync_group")
RACED = ("state", "wantstate")


def config(name: str, me: str, peer: str, priority: int) -> str:
    return """global_defs {
  router_id %(name)s
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority %(priority)d
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass kwtsecret
  }
  virtual_ipaddress {
    10.99.0.100/24
    10.99.0.101/24
  }
  virtual_ipaddress_excluded {
    10.99.0.102/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 52
  version 3
  priority %(priority)d
  advert_int 1
  virtual_ipaddress {
    10.99.0.110/24
  }
}
vrrp_instance VI_3 {
  state BACKUP
  nopreempt
  preempt_delay 5
  interface eth0
  virtual_router_id 53
  priority %(low)d
  advert_int 2
  unicast_src_ip %(me)s
  unicast_peer {
    %(peer)s
  }
  track_interface {
    eth0
  }
  virtual_ipaddress {
    10.99.0.120/24
  }
}
""" % {"name": name, "me": me, "peer": peer, "priority": priority, "low": 250 - priority}


def nojson_keepalived() -> str:
    done = subprocess.run([str(LAB / "keepalived-nojson"), "path"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if done.returncode != 0:
        raise AssertionError("the keepalived built without JSON is missing: run `lab/keepalived-nojson build` as root "
                             "(.ci/run does): %s" % done.stderr.strip())
    return done.stdout.strip()


@unittest.skipUnless(is_root(), "needs root (keepalived in network namespaces)")
@unittest.skipIf(os.environ.get("KW_LAB_ROOT_RELEASE"), "in a release's node root: the no-JSON build is of the machine's "
                 "own keepalived, and is proven on the machine")
class LiveTextDumpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_lab()
        cls.nojson = nojson_keepalived()
        cls.lab = KeepalivedLab(nodes=2)
        cls.a, cls.b = cls.lab.nodes

    @classmethod
    def tearDownClass(cls):
        cls.lab.close()

    def run_pair(self, keepalived: str, *agent_args: str):
        """Both nodes under `keepalived`; the agent's instances once the elections settled, keyed (node, instance)."""
        self.a.start(config("node-a", self.a.address, self.b.address, 150), keepalived=keepalived)
        self.b.start(config("node-b", self.b.address, self.a.address, 100), keepalived=keepalived)
        agent = AgentProcess("--match-config", str(self.lab.root) + "/*", "--state-dir", str(self.lab.root / "state"),
                             *agent_args)
        try:
            deadline = time.monotonic() + SETTLE_TIMEOUT_S
            while True:
                daemons = agent.call("state.snapshot", {"fresh": True})["result"]["daemons"]
                seen = {(d["name"], i["instance"]): i for d in daemons for i in d["instances"]}
                states = {key: i["state"] for key, i in seen.items()}
                settled = (len(seen) == 6 and states[(self.a.ns, "VI_1")] == "MASTER"
                           and states[(self.b.ns, "VI_1")] == "BACKUP" and states[(self.a.ns, "VI_2")] == "MASTER"
                           and sorted(states[(n.ns, "VI_3")] for n in (self.a, self.b)) == ["BACKUP", "MASTER"])
                if settled or time.monotonic() > deadline:
                    holders = {n.ns: [a.split("/")[0] for a in n.addresses()] for n in (self.a, self.b)}
                    return daemons, seen, holders
                time.sleep(0.5)
        finally:
            agent.close()
            for node in (self.a, self.b):
                node.stop()

    def test_the_text_dump_reports_every_instance_as_the_json_dump_does(self):
        json_daemons, from_json, json_holders = self.run_pair("keepalived")
        text_daemons, from_text, text_holders = self.run_pair(self.nojson, "--keepalived-bin", self.nojson)
        self.assertEqual({d["source"] for d in json_daemons}, {"json"}, json_daemons)
        self.assertEqual({d["source"] for d in text_daemons}, {"data"},
                         "the no-JSON build is dumped as text, asked of itself: %s" % text_daemons)
        self.assertEqual(sorted(from_json), sorted(from_text))
        self.assertEqual(len(from_json), 6)
        for key in sorted(from_json):
            with self.subTest(daemon=key[0], instance=key[1]):
                compared = [f for f in COMPARED if key[1] != "VI_3" or f not in RACED]
                json_view = {f: from_json[key].get(f) for f in compared}
                text_view = {f: from_text[key].get(f) for f in compared}
                self.assertEqual(json_view, text_view)
                for seen, holders in ((from_json, json_holders), (from_text, text_holders)):
                    holds = "10.99.0.120" in holders[key[0]]
                    if key[1] == "VI_3":
                        self.assertEqual(seen[key]["state"], "MASTER" if holds else "BACKUP", holders)
                peer = self.b.address if key[0] == self.a.ns else self.a.address
                self.assertEqual(from_text[key]["unicast_peers"], [peer] if key[1] == "VI_3" else [])
                self.assertEqual(from_json[key]["unicast_peers"], [peer] if key[1] == "VI_3" else [],
                                 "keepalived's JSON dump does not say: the agent reads the configuration")
                self.assertEqual(from_text[key]["sync_group"], "G1" if key[1] in ("VI_1", "VI_2") else None,
                                 "no dump names it: the agent reads the configuration")
        # the truth both agree with, checked by hand once: VI_1 on A with its two VIPs and the excluded one
        vi1 = from_text[(self.a.ns, "VI_1")]
        self.assertEqual((vi1["state"], vi1["base_priority"], vi1["auth_type"]), ("MASTER", 150, "PASS"))
        self.assertEqual(sorted(vi1["vips"]), ["10.99.0.100/24", "10.99.0.101/24"])
        self.assertEqual(vi1["excluded_vips"], ["10.99.0.102/24"])
        vi3 = from_text[(self.b.ns, "VI_3")]
        self.assertEqual((vi3["version"], vi3["nopreempt"], vi3["advert_int"]), (2, True, 2))


if __name__ == "__main__":
    unittest.main()
