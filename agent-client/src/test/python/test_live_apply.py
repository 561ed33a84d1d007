"""config.apply of several files, and an apply cut short, against real keepalived 2.2.7 (root only; skipped otherwise).

One namespace kwt-agent-<n> with one keepalived whose configuration is a main file and an include (the
instance lives in the include), and the real agent beside it. Tests run in name order and share the node.
"""

import json
import signal
import time
import unittest

from kwtlab import AgentProcess, KeepalivedLab, agent_module, is_root, require_lab

ka = agent_module()
APPLY_TIMEOUT_S = 40.0
START_TIMEOUT_S = 15.0


def sha(path):
    return ka.sha256_hex(path.read_bytes())


def main_text(router_id, extra=""):
    return "global_defs {\n  router_id %s\n}\n%sinclude instances/*.conf\n" % (router_id, extra)


def include_text(priority, extra=""):
    return ("vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 61\n  priority %d\n"
            "  advert_int 1\n  authentication {\n    auth_type PASS\n    auth_pass kwtsecret\n  }\n"
            "  virtual_ipaddress {\n    10.99.0.161/24\n  }\n%s}\n") % (priority, extra)


@unittest.skipUnless(is_root(), "needs root (keepalived in a network namespace)")
class LiveApplyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_lab()
        cls.lab = KeepalivedLab(nodes=1)
        cls.node = cls.lab.nodes[0]
        cls.include = cls.node.dir / "instances" / "vi_1.conf"
        cls.include.parent.mkdir()
        cls.include.write_text(include_text(100))
        cls.node.start(main_text("one"))
        cls.state_dir = cls.lab.root / "agent-state"
        cls.agent = cls.new_agent()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.agent.close()
        finally:
            cls.lab.close()

    @classmethod
    def new_agent(cls, env=None):
        return AgentProcess("--match-config", str(cls.lab.root) + "/*", "--state-dir", str(cls.state_dir), env=env)

    def reloads(self):
        """keepalived's main process logs this line once for each SIGHUP it acts on."""
        return self.node.log.read_text().count("Reloading ...")

    def files(self, main, include):
        return [{"path": str(self.node.conf), "text": main, "base_sha256": sha(self.node.conf)},
                {"path": str(self.include), "text": include, "base_sha256": sha(self.include)}]

    def audit(self):
        path = self.state_dir / "audit.log"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def await_priority(self, priority):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            snap = self.agent.call("state.snapshot")["result"]
            instances = [i for d in snap["daemons"] for i in d["instances"]]
            if instances and instances[0]["effective_priority"] == priority:
                return
            time.sleep(0.2)
        raise AssertionError("VI_1 never had priority %d" % priority)

    def test_1_a_main_file_and_its_include_are_applied_with_one_reload(self):
        self.await_priority(100)
        before, pid = self.reloads(), self.node.main_pid()
        r = self.agent.call("config.apply", {"daemon": self.node.ns, "reason": "both files",
                                             "files": self.files(main_text("two"), include_text(120))},
                            timeout=APPLY_TIMEOUT_S)
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["result"]["result"], "applied")
        [health] = r["result"]["health"]["instances"]
        self.assertEqual((health["instance"], health["effective_priority"]), ("VI_1", 120))
        self.assertEqual(self.reloads() - before, 1, "one reload for both files")
        self.assertEqual(self.node.main_pid(), pid)
        self.assertEqual((self.node.conf.read_text(), self.include.read_text()), (main_text("two"), include_text(120)))
        line = self.audit()[-1]
        self.assertEqual((line["result"], [f["path"] for f in line["files"]]),
                         ("applied", [str(self.node.conf), str(self.include)]))

    def test_2_when_the_include_breaks_health_both_files_are_restored(self):
        flag = self.node.dir / "track.val"
        flag.write_text("1\n")
        # The tracked file is declared in the main file and used in the include: only the two together fault.
        main = main_text("three", 'track_file tf {\n  file "%s"\n  weight 0\n}\n' % flag)
        include = include_text(130, "  track_file {\n    tf\n  }\n")
        before = (self.node.conf.read_text(), self.include.read_text())
        r = self.agent.call("config.apply", {"daemon": self.node.ns, "files": self.files(main, include)},
                            timeout=APPLY_TIMEOUT_S)
        self.assertFalse(r["ok"])
        self.assertEqual(r["error"]["code"], "rolled_back", r)
        self.assertEqual(r["error"]["details"]["faulted"], ["VI_1"])
        self.assertEqual((self.node.conf.read_text(), self.include.read_text()), before, "both files restored")
        self.assertTrue(self.node.alive())
        self.await_priority(120)

    def test_3_an_agent_killed_between_rename_and_reload_is_reported_by_the_next_session(self):
        doomed = self.new_agent(env={"KEEPWATCH_AGENT_TEST_FAULT": "kill:after_rename", "SUDO_USER": "alice"})
        before, pid = self.reloads(), self.node.main_pid()
        old_sha = sha(self.include)
        new_include = include_text(140)
        doomed.send("config.apply", {"daemon": self.node.ns, "path": str(self.include), "text": new_include,
                                     "base_sha256": old_sha, "reason": "cut short"})
        self.assertEqual(doomed.proc.wait(APPLY_TIMEOUT_S), -signal.SIGKILL)
        doomed.close()
        self.assertEqual(self.include.read_text(), new_include, "the new file is on disk ...")
        self.assertEqual(self.reloads(), before, "... and keepalived was never reloaded")
        self.assertEqual(self.node.main_pid(), pid)
        lines = len(self.audit())

        fresh = self.new_agent()
        try:
            [unfinished] = fresh.call("hello")["result"]["unfinished_applies"]
            self.assertEqual((unfinished["daemon"], unfinished["user"], unfinished["reason"], unfinished["on_disk"]),
                             (self.node.ns, "alice", "cut short", "new"))
            [f] = unfinished["files"]
            self.assertEqual((f["path"], f["old_sha256"], f["new_sha256"]),
                             (str(self.include), old_sha, ka.sha256_hex(new_include.encode())))
            audit = self.audit()
            self.assertEqual(len(audit), lines + 1)
            self.assertEqual((audit[-1]["result"], audit[-1]["path"], audit[-1]["user"]),
                             ("interrupted", str(self.include), "alice"))
            # The same text again finishes it: reloaded and checked, not "unchanged".
            r = fresh.call("config.apply", {"daemon": self.node.ns, "path": str(self.include), "text": new_include,
                                            "base_sha256": sha(self.include)}, timeout=APPLY_TIMEOUT_S)
            self.assertEqual(r["result"]["result"], "applied", r)
            self.assertEqual(self.reloads(), before + 1)
            self.assertEqual(fresh.call("hello")["result"]["unfinished_applies"], [])
        finally:
            fresh.close()
        self.await_priority(140)


if __name__ == "__main__":
    unittest.main()
