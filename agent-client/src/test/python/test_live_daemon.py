"""daemon.* and log.* against real keepalived 2.2.7 in a test bed (root only; skipped otherwise).

Two namespaces kwt-agent-<n>, keepalived A (priority 150, MASTER of VI_1) and B (100), run as the lab runs them
(--dont-fork --log-console, output appended to a file), and one agent: stop, start, restart and reload the daemon's
own way, the outcome verified; a start record someone else could have written, never run; the log read and followed
through a failover. Tests run in name order and share the pair.
"""

import json
import os
import signal
import time
import unittest

from kwtlab import AgentProcess, KeepalivedLab, is_root, require_lab, vrrp_config

VIP = "10.99.0.100"
ELECTION_TIMEOUT_S = 15.0
ACTION_TIMEOUT_S = 60.0
NOBODY = 65534


@unittest.skipUnless(is_root(), "needs root (keepalived in network namespaces)")
class LiveDaemonTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_lab()
        cls.lab = KeepalivedLab(nodes=2)
        cls.a, cls.b = cls.lab.nodes
        cls.a.start(vrrp_config("node-a", 150))
        cls.b.start(vrrp_config("node-b", 100))
        cls.state_dir = cls.lab.root / "agent-state"
        cls.wait_for(lambda: VIP in cls.a.addresses(), "node A never became MASTER")
        cls.agent = AgentProcess("--match-config", str(cls.lab.root) + "/*", "--state-dir", str(cls.state_dir),
                                 "--rescan-interval", "0.5", "--reload-timeout", "15")
        cls.agent.call("state.subscribe")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.agent.close()
        finally:
            cls.lab.close()     # kills what the agent started in the namespaces too

    @staticmethod
    def wait_for(predicate, message, timeout=ELECTION_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(message)
            time.sleep(0.1)

    def act(self, action, node, reason="live test"):
        self.a.reap()
        self.b.reap()
        return self.agent.call("daemon." + action, {"daemon": node.ns, "reason": reason}, timeout=ACTION_TIMEOUT_S)

    def daemon(self, node):
        return next(d for d in self.agent.call("daemons")["result"]["daemons"] if d["name"] == node.ns)

    def audit(self):
        return [json.loads(line) for line in (self.state_dir / "audit.log").read_text().splitlines()]

    # -- tests -----------------------------------------------------------------------------

    def test_01_stop_moves_the_vip_and_start_brings_the_daemon_back(self):
        pid = self.a.main_pid()
        mark = self.agent.mark()
        r = self.act("stop", self.a)
        self.assertTrue(r["ok"], r)
        result = r["result"]
        self.assertEqual((result["result"], result["running"], result["method"], result["previous_pid"]),
                         ("done", False, "signal", pid))
        self.a.reap()
        self.assertFalse(self.a.alive())
        self.wait_for(lambda: VIP in self.b.addresses(), "B never took the VIP over")
        steps = [(e["step"], e["status"]) for e in self.agent.events[mark:] if e.get("event") == "daemon.step"]
        self.assertIn(("stop", "ok"), steps)
        self.assertEqual(steps[-2:], [("verify", "ok"), ("audit", "ok")])
        self.assertEqual(self.act("stop", self.a)["result"]["result"], "unchanged")

        r = self.act("start", self.a)
        self.assertTrue(r["ok"], r)
        result = r["result"]
        self.assertEqual((result["result"], result["running"]), ("done", True))
        self.assertIsNotNone(result["vrrp_pid"])
        d = self.daemon(self.a)
        self.assertTrue(d["alive"])
        self.assertEqual(d["pid"], result["pid"])
        self.assertEqual(d["tmpdir"], str(self.a.tmpdir), "started again with its TMPDIR")
        self.assertEqual(d["netns"], self.a.ns, "in its network namespace")
        self.assertEqual(os.readlink("/proc/%d/fd/1" % result["pid"]), str(self.a.log), "writing to its log file")
        self.assertNotEqual(os.getsid(result["pid"]), os.getsid(0), "in a session of its own")
        self.wait_for(lambda: VIP in self.a.addresses(), "A (150) never took its VIP back")
        lines = [(x["op"], x["result"], x["daemon"]) for x in self.audit()]
        self.assertEqual(lines[-3:], [("daemon.stop", "done", self.a.ns), ("daemon.stop", "unchanged", self.a.ns),
                                      ("daemon.start", "done", self.a.ns)])
        self.assertEqual(self.audit()[-1]["reason"], "live test")

    def test_02_reload_keeps_the_process(self):
        before = self.daemon(self.a)["pid"]
        r = self.act("reload", self.a)
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["result"]["result"], r["result"]["pid"], r["result"]["running"]), ("done", before, True))
        read = self.agent.call("log.read", {"daemon": self.a.ns, "grep": "reload", "lines": 5})["result"]
        self.assertTrue(any("Reloading" in line["text"] for line in read["lines"]), read)

    def test_03_restart_is_a_new_process_and_the_log_shows_the_failover(self):
        before = self.daemon(self.a)["pid"]
        follow = self.agent.call("log.follow", {"daemon": self.b.ns, "instance": "VI_1"})["result"]
        self.assertEqual(follow["source"], {"kind": "file", "path": str(self.b.log), "unit": None})
        mark = self.agent.mark()
        r = self.act("restart", self.a)
        self.assertTrue(r["ok"], r)
        self.assertNotEqual(r["result"]["pid"], before)
        self.assertTrue(r["result"]["running"])
        event = self.agent.wait_event(lambda e: e.get("event") == "log" and e["follow"] == follow["follow"] and any(
            "Entering MASTER STATE" in line["text"] for line in e["lines"]), timeout=20, since=mark)
        line = next(l for l in event["lines"] if "Entering MASTER STATE" in l["text"])
        self.assertEqual((line["instance"], line["level"]), ("VI_1", "notice"))
        self.assertLess(abs(line["ts"] - time.time()), 30)
        self.assertTrue(all(l["instance"] == "VI_1" for l in event["lines"]), "filtered on the node")
        self.agent.call("log.unfollow", {"follow": follow["follow"]})
        # read afterwards: the lines around the failover, B's view
        read = self.agent.call("log.read", {"daemon": self.b.ns, "since": time.time() - 60, "instance": "VI_1",
                                            "level": "notice"})["result"]
        texts = [l["text"] for l in read["lines"]]
        self.assertIn("(VI_1) Entering MASTER STATE", texts)
        self.assertTrue(all(l["level"] in ("emerg", "alert", "crit", "err", "warning", "notice") for l in read["lines"]))
        self.wait_for(lambda: VIP in self.a.addresses(), "A never took its VIP back after the restart")

    def test_04_a_start_record_another_user_wrote_is_never_run(self):
        self.assertTrue(self.act("stop", self.b)["ok"])
        [record] = [p for p in (self.state_dir / "launch").iterdir() if self.b.ns in p.name]
        original = record.read_bytes()
        marker = self.lab.root / "evil-ran"
        evil = self.lab.root / "evil.sh"
        evil.write_text("#!/bin/sh\ntouch %s\n" % marker)
        os.chmod(str(evil), 0o755)
        planted = json.loads(original)
        planted.update(exe="/bin/sh", argv=["sh", str(evil)])
        try:
            record.write_text(json.dumps(planted))
            os.chown(str(record), NOBODY, NOBODY)
            r = self.act("start", self.b)
            self.assertEqual(r["error"]["code"], "untrusted", r)
            self.assertIn("uid 65534", r["error"]["message"])
            other = AgentProcess("--match-config", str(self.lab.root) + "/*", "--state-dir", str(self.state_dir))
            try:
                names = [d["name"] for d in other.call("daemons")["result"]["daemons"]]
                self.assertNotIn(self.b.ns, names, "a stopped daemon is never made up from a record another user "
                                 "could have written")
            finally:
                other.close()
            os.chown(str(record), 0, 0)
            os.chmod(str(record), 0o666)
            r = self.act("start", self.b)
            self.assertEqual(r["error"]["code"], "untrusted", r)
            os.chmod(str(record), 0o600)
            os.chown(str(evil), NOBODY, NOBODY)
            planted.update(exe=str(evil), argv=[str(evil)])
            record.write_text(json.dumps(planted))
            r = self.act("start", self.b)
            self.assertEqual(r["error"]["code"], "untrusted", r)
            self.assertIn(str(evil), r["error"]["message"])
            self.assertFalse(marker.exists(), "nothing of the planted record ran")
            self.assertFalse(self.daemon(self.b)["alive"])
            self.assertEqual(self.audit()[-1]["result"], "failed")
        finally:
            record.write_bytes(original)
            os.chmod(str(record), 0o600)
            r = self.act("start", self.b)
        self.assertTrue(r["ok"], r)
        self.assertTrue(self.daemon(self.b)["alive"])

    def test_05_a_symlinked_log_is_not_followed(self):
        d = self.daemon(self.b)
        secret = self.lab.root / "secret"
        secret.write_text("root's secret\n")
        os.chmod(str(secret), 0o600)
        self.assertTrue(self.act("stop", self.b)["ok"])
        self.b.log.rename(self.lab.root / "b.log.real")
        self.b.log.symlink_to(secret)
        try:
            r = self.agent.call("log.read", {"daemon": self.b.ns})
            self.assertEqual(r["error"]["code"], "untrusted", r)
            self.assertIn("symbolic link", r["error"]["message"])
            r = self.act("start", self.b)
            self.assertEqual(r["error"]["code"], "untrusted", "a start never writes its output through a link: %s" % r)
            self.assertEqual(secret.read_text(), "root's secret\n")
        finally:
            self.b.log.unlink()
            (self.lab.root / "b.log.real").rename(self.b.log)
        self.assertTrue(self.act("start", self.b)["ok"])
        self.assertNotEqual(self.daemon(self.b)["pid"], d["pid"])

    def test_06_drain_by_stopping_is_marked_until_a_start(self):
        pid = self.daemon(self.a)["pid"]
        mark = self.agent.mark()
        r = self.agent.call("daemon.stop", {"daemon": self.a.ns, "reason": "kernel update", "drain": True},
                            timeout=ACTION_TIMEOUT_S)
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["result"]["running"], r["result"]["drained"]), (False, True))
        self.wait_for(lambda: VIP in self.b.addresses(), "B never took the VIP over")
        event = self.agent.wait_event(lambda e: e.get("event") == "maintenance" and e["daemon"] == self.a.ns
                                      and e["maintenance"]["drained"], timeout=5, since=mark)
        record = event["maintenance"]
        self.assertEqual((record["method"], record["reason"], record["value"]), ("stop", "kernel update", None))
        self.assertTrue(record["by"])
        self.assertEqual(self.daemon(self.a)["maintenance"]["method"], "stop", "the daemons record says it too")
        line = self.audit()[-1]
        self.assertEqual((line["op"], line["result"], line.get("drain")), ("daemon.stop", "done", True))
        # a new session (another operator, a reconnect) sees the drain
        other = AgentProcess("--match-config", str(self.lab.root) + "/*", "--state-dir", str(self.state_dir))
        try:
            seen = next(d for d in other.call("daemons")["result"]["daemons"] if d["name"] == self.a.ns)
            self.assertEqual((seen["maintenance"]["drained"], seen["maintenance"]["method"]), (True, "stop"))
        finally:
            other.close()

        mark = self.agent.mark()
        r = self.act("start", self.a)
        self.assertTrue(r["ok"], r)
        self.assertTrue(r["result"]["undrained"])
        self.assertNotEqual(r["result"]["pid"], pid)
        self.agent.wait_event(lambda e: e.get("event") == "maintenance" and e["daemon"] == self.a.ns
                              and not e["maintenance"]["drained"], timeout=5, since=mark)
        self.assertTrue(self.audit()[-1]["undrained"])
        self.wait_for(lambda: VIP in self.a.addresses(), "A (150) never took its VIP back")

    def test_07_a_drain_by_stopping_started_by_hand_is_over(self):
        self.assertTrue(self.agent.call("daemon.stop", {"daemon": self.b.ns, "drain": True},
                                        timeout=ACTION_TIMEOUT_S)["ok"])
        note = [p for p in (self.state_dir / "maintenance").iterdir() if p.name.endswith(".stopped.json")]
        self.assertEqual(len(note), 1, note)
        self.b.reap()
        self.b.start(vrrp_config("node-b", 100))        # as an operator would by hand, not through Keepwatch
        self.wait_for(lambda: self.daemon(self.b)["alive"] and not self.daemon(self.b)["maintenance"]["drained"],
                      "B started by hand still counts as drained")
        self.wait_for(lambda: not note[0].exists(), "the note of the drain stays", timeout=5)

    def test_08_a_drain_by_stopping_is_refused_before_anything_stops_where_its_note_could_be_planted(self):
        pid = self.daemon(self.b)["pid"]
        target = self.lab.root / "root-file"
        target.write_text("root's\n")
        # the note is named as the daemon's track file, in the same directory
        track = self.daemon(self.b)["maintenance"]["track_file"]
        link = self.state_dir / "maintenance" / (os.path.basename(track)[:-len(".weight")] + ".stopped.json")
        link.symlink_to(target)
        try:
            r = self.agent.call("daemon.stop", {"daemon": self.b.ns, "drain": True}, timeout=ACTION_TIMEOUT_S)
            self.assertEqual(r["error"]["code"], "untrusted", r)
            self.assertTrue(self.daemon(self.b)["alive"], "nothing was stopped")
            self.assertEqual(self.daemon(self.b)["pid"], pid)
            self.assertEqual(target.read_text(), "root's\n")
            self.assertFalse(self.daemon(self.b)["maintenance"]["drained"])
        finally:
            link.unlink()

    def test_09_unknown_daemon_and_bad_arguments(self):
        r = self.agent.call("daemon.stop", {"daemon": "nope"})
        self.assertEqual(r["error"]["code"], "not_found")
        r = self.agent.call("log.read", {"daemon": self.a.ns, "level": "loud"})
        self.assertEqual(r["error"]["code"], "bad_args")
        r = self.agent.call("log.read", {"daemon": self.a.ns, "lines": 0})
        self.assertEqual(r["error"]["code"], "bad_args")
        r = self.agent.call("log.unfollow", {"follow": 999})
        self.assertEqual(r["error"]["code"], "not_found")
        r = self.agent.call("daemon.stop", {"daemon": self.a.ns, "drain": "yes"})
        self.assertEqual(r["error"]["code"], "bad_args")


if __name__ == "__main__":
    unittest.main()
