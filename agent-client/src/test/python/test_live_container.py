"""keepalived in a container (lab/kwlab/container.py: a root of its own, its own mount namespace, a test bed node's
network namespace), paired over VRRP with a keepalived outside any container: the agent, running on the machine,
discovers the containerised daemon, watches it through the container's TMPDIR, reads and edits its configuration
through the container's view of its files (never the machine's /etc/keepalived), and does not follow a link the
container plants out of it. Root only; skipped otherwise.
"""

import hashlib
import time
import unittest
from pathlib import Path

from kwtlab import AgentProcess, KeepalivedLab, is_root, require_lab, vrrp_config
from kwlab.container import CONFIG, Container

VIP = "10.99.0.100"
SETTLE_TIMEOUT_S = 20.0
APPLY_TIMEOUT_S = 90.0


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@unittest.skipUnless(is_root(), "needs root (namespaces, mounts, chroot)")
class LiveContainerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_lab()
        cls.lab = KeepalivedLab(nodes=2)
        cls.a, cls.b = cls.lab.nodes
        cls.container = Container(cls.a, cls.lab.root / "container-root")
        cls.container.start(vrrp_config("in-container", 150))
        cls.b.start(vrrp_config("outside", 100))
        cls.agent = AgentProcess("--match-config", CONFIG, "--state-dir", str(cls.lab.root / "state"),
                                 "--rescan-interval", "0.5")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.agent.close()
        finally:
            cls.container.stop()
            cls.lab.close()

    def wait_for(self, predicate, message, timeout=SETTLE_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(message)
            time.sleep(0.2)

    def daemon(self):
        daemons = self.agent.call("state.snapshot", {"fresh": True})["result"]["daemons"]
        self.assertEqual(len(daemons), 1, "only the containerised keepalived matches: %s" % daemons)
        return daemons[0]

    def test_1_discovered_and_watched_through_the_containers_files(self):
        self.wait_for(lambda: VIP in self.a.addresses(), "the containerised keepalived (150) never became MASTER")
        d = self.daemon()
        self.assertEqual(d["pid"], self.container.main_pid())
        [info] = [x for x in self.agent.call("daemons")["result"]["daemons"] if x["name"] == d["name"]]
        self.assertEqual(info["config"], CONFIG, "the path as the container sees it")
        self.assertFalse(info["own_root"], "its files are the container's: %s" % info)
        # the state snapshot says the same of it, with its version, so a watcher needs no daemons call
        self.assertFalse(d["own_root"], "the snapshot's record: %s" % d)
        self.assertEqual(d["version"], info["version"])
        self.assertIsNone(d["neutron_router"])
        self.assertEqual(d["error"], None)
        [vi1] = d["instances"]
        self.assertEqual((vi1["instance"], vi1["state"], vi1["effective_priority"]), ("VI_1", "MASTER", 150))
        self.assertEqual(d["source"], "json", "dumped into the container's own /tmp and read there")
        self.assertFalse(Path(CONFIG).exists(), "the machine has no such file: only the container does")

    def test_2_read_and_edited_through_the_containers_view(self):
        d = self.daemon()
        read = self.agent.call("config.read", {"daemon": d["name"]})["result"]
        [main] = [f for f in read["files"] if f["path"] == CONFIG]
        on_disk = self.container.path(CONFIG).read_bytes()
        self.assertEqual(main["text"], on_disk.decode())
        text = on_disk.decode().replace("priority 150", "priority 90")
        r = self.agent.call("config.apply", {"daemon": d["name"], "path": CONFIG, "text": text,
                                             "base_sha256": sha(on_disk), "reason": "container edit"},
                            timeout=APPLY_TIMEOUT_S)
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["result"]["result"], "applied", r)
        self.assertEqual(self.container.path(CONFIG).read_text(), text, "written inside the container's root")
        self.assertFalse(Path(CONFIG).exists(), "nothing written at that path on the machine")
        backups = self.agent.call("config.backups", {"daemon": d["name"]})["result"]["backups"]
        self.assertTrue(backups, "the previous file was backed up")
        self.wait_for(lambda: VIP in self.b.addresses(), "B (100) never took over from the container (now 90)")
        self.wait_for(lambda: self.daemon()["instances"][0]["effective_priority"] == 90,
                      "the reloaded container never said priority 90")

    def test_3_a_link_the_container_plants_is_not_followed_out_of_it(self):
        d = self.daemon()
        secret = self.lab.root / "machine-secret"
        secret.write_text("the machine's secret\n")
        real = self.container.path(CONFIG)
        kept = real.read_bytes()
        real.unlink()
        real.symlink_to(str(secret))          # absolute: inside the container it names <root>/<that path>, absent
        try:
            r = self.agent.call("config.read", {"daemon": d["name"]})
            self.assertNotIn("the machine's secret", str(r), "the machine's file was read through the container's link")
            r = self.agent.call("config.apply", {"daemon": d["name"], "path": CONFIG, "text": "x\n",
                                                 "base_sha256": sha(kept)}, timeout=APPLY_TIMEOUT_S)
            self.assertFalse(r["ok"], r)
            self.assertEqual(secret.read_text(), "the machine's secret\n", "nothing written through it")
        finally:
            real.unlink()
            real.write_bytes(kept)


if __name__ == "__main__":
    unittest.main()
