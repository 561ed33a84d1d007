"""The text dump against the JSON dump of the same daemon, for every keepalived the lab's node roots hold (bullseye's
2.1.5, bookworm's 2.2.7, trixie's 2.3.3): one real keepalived per release, in namespaces of its own, chrooted into a
throwaway copy of that release's root (lab/roots run), asked for both dumps in the same state; the agent must read
every instance alike from keepalived.data as from keepalived.json. test_live_text_dump does the same for the machine's
keepalived built with and without JSON; this one proves the text parser on the other versions' text, whose lines
differ (2.1.5 writes its dumps in /tmp and prints no "Last transition" in some forms).

Root only, and only with the cached roots (`lab/roots build`; .ci/run builds them first): skipped otherwise, naming
what is missing.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from kwtlab import agent_module, is_root

ka = agent_module()
LAB = Path(__file__).resolve().parents[4] / "lab"
ROOTS_DIR = Path(os.environ.get("KW_LAB_ROOTS_DIR", "/var/lib/kw-lab-roots"))
RELEASES = ("bullseye", "bookworm", "trixie")
STAMP = "etc/kw-lab-root.json"
RUN_TIMEOUT_S = 60
# what both dumps carry and the agent must report alike (not stats, counters, times: the two dumps are moments apart)
COMPARED = ("instance", "vrid", "state", "wantstate", "base_priority", "effective_priority", "interface", "advert_int",
            "version", "nopreempt", "preempt_delay", "auth_type", "vips", "excluded_vips", "track_interfaces",
            "vmac_interface", "track_scripts", "unicast_peers", "sync_group")
CONFIG = """global_defs {
    router_id versions
    script_user root
}
vrrp_script kwv_check {
    script "/usr/bin/true"
    interval 1
    weight -10
}
vrrp_instance VI_V2 {
    state MASTER
    interface kwv0
    virtual_router_id 61
    priority 150
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass kwv2pass
    }
    track_interface {
        kwu0
    }
    virtual_ipaddress {
        10.98.0.100/24
        10.98.0.101/24
    }
    virtual_ipaddress_excluded {
        10.98.0.102/24
    }
}
vrrp_instance VI_V3 {
    state BACKUP
    interface kwv0
    virtual_router_id 62
    version 3
    priority 120
    advert_int 2
    nopreempt
    track_script {
        kwv_check
    }
    virtual_ipaddress {
        10.98.0.110/24
    }
}
vrrp_instance VI_DELAY {
    state BACKUP
    interface kwu0
    virtual_router_id 63
    priority 90
    preempt_delay 3
    unicast_src_ip 10.98.1.1
    unicast_peer {
        10.98.1.2
    }
    virtual_ipaddress {
        10.98.1.120/24
    }
}
"""
# keepalived 2.1.5's VRRP child crashes (SIGSEGV) with VRRPv2, VRRPv3 and a unicast instance on one interface (the
# shapes topology found the same, lab/README.md): the unicast instance has a link of its own.
# Inside the root, in a network namespace of its own: two links, keepalived, a few seconds to become master of what it
# can, then both dumps (the JSON one by keepalived's own signal number), copied out for the test to read.
RUN = """set -e
ip link set lo up
ip link add kwv0 type veth peer name kwv1
ip link set kwv0 up; ip link set kwv1 up
ip addr add 10.98.0.1/24 dev kwv0
ip link add kwu0 type veth peer name kwu1
ip link set kwu0 up; ip link set kwu1 up
ip addr add 10.98.1.1/24 dev kwu0
mkdir -p /run/keepalived
rm -f /tmp/keepalived.data /tmp/keepalived.json
# not forking (2.2.7 forked from a throwaway root leaves no pid file where asked): $! is the main process
keepalived -P -n -l -f {work}/keepalived.conf -p /run/kwv.pid -r /run/kwv-vrrp.pid > {work}/keepalived.log 2>&1 &
main=$!
sleep 6
kill -USR1 "$main"
kill -"$(keepalived --signum=JSON)" "$main"
for _ in $(seq 50); do [ -s /tmp/keepalived.data ] && [ -s /tmp/keepalived.json ] && break; sleep 0.1; done
sleep 0.3
cp /tmp/keepalived.data /tmp/keepalived.json {work}/
keepalived --version > {work}/version 2>&1 || true
kill -TERM "$main"
wait "$main" || true
"""


def root_ready(release: str) -> bool:
    return (ROOTS_DIR / release / STAMP).is_file()


@unittest.skipUnless(is_root(), "needs root: keepalived in namespaces of its own")
@unittest.skipIf(os.environ.get("KW_LAB_ROOT_RELEASE"), "inside a node root already: it runs the roots from the machine")
class TextDumpVersionsTest(unittest.TestCase):

    def dumps(self, release: str) -> "tuple":
        """(version line, instances from the JSON dump, instances from the text dump) of the release's keepalived."""
        work = Path(tempfile.mkdtemp(prefix="kwt-dump-versions-"))
        try:
            (work / "keepalived.conf").write_text(CONFIG)
            os.chmod(str(work / "keepalived.conf"), 0o644)
            (work / "run.sh").write_text(RUN.replace("{work}", str(work)))
            done = subprocess.run(["unshare", "--net", str(LAB / "roots"), "run", release, "--bind", str(work), "--",
                                   "sh", str(work / "run.sh")], cwd=str(work), stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, universal_newlines=True, timeout=RUN_TIMEOUT_S)
            self.assertEqual(done.returncode, 0, "keepalived in %s's root: %s" % (release, done.stdout))
            version = (work / "version").read_text().splitlines()[0]
            from_json = ka.parse_json_dump((work / "keepalived.json").read_text())
            from_text = ka.parse_text_dump((work / "keepalived.data").read_text())
            # completed from the configuration as the agent completes every dump (sync groups, unicast peers, scripts)
            claimed, error = ka.ClaimsReader().load(str(work / "keepalived.conf"), "", "versions")
            self.assertIsNone(error)
            ka.fill_from_claims(from_json, claimed)
            ka.fill_from_claims(from_text, claimed)
            return version, from_json, from_text
        finally:
            shutil.rmtree(str(work), ignore_errors=True)

    def test_every_release_text_dump_reads_as_its_json_dump(self) -> None:
        missing = [r for r in RELEASES if not root_ready(r)]
        if len(missing) == len(RELEASES):
            self.skipTest("no node roots in %s (lab/roots build)" % ROOTS_DIR)
        for release in RELEASES:
            if release in missing:
                continue
            with self.subTest(release=release):
                version, from_json, from_text = self.dumps(release)
                by_json = {i["instance"]: i for i in from_json}
                by_text = {i["instance"]: i for i in from_text}
                self.assertEqual(sorted(by_json), ["VI_DELAY", "VI_V2", "VI_V3"], version)
                self.assertEqual(sorted(by_text), sorted(by_json), version)
                for name in sorted(by_json):
                    json_view = {f: by_json[name].get(f) for f in COMPARED}
                    text_view = {f: by_text[name].get(f) for f in COMPARED}
                    self.assertEqual(text_view, json_view, "%s, %s" % (version, name))
                # the truth both agree with, by hand: alone on its link, each instance is master of its VRID
                v2 = by_text["VI_V2"]
                self.assertEqual((v2["state"], v2["base_priority"], v2["auth_type"], v2["vips"], v2["excluded_vips"]),
                                 ("MASTER", 150, "PASS", ["10.98.0.100/24", "10.98.0.101/24"], ["10.98.0.102/24"]),
                                 version)
                v3 = by_text["VI_V3"]
                self.assertEqual((v3["version"], v3["nopreempt"], v3["advert_int"]), (3, True, 2), version)
                self.assertEqual(by_text["VI_DELAY"]["preempt_delay"], 3, version)
                self.assertEqual(by_text["VI_DELAY"]["unicast_peers"], ["10.98.1.2"], version)
                self.assertEqual(by_json["VI_V3"]["track_scripts"], ["kwv_check"], version)
                self.assertNotIn("kwv2pass", json.dumps(from_text) + json.dumps(from_json), "no secret read out")


if __name__ == "__main__":
    unittest.main()
