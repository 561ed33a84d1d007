"""The agent against real keepalived 2.2.7 in network namespaces (root only; skipped otherwise).

Two namespaces kwt-agent-<n> joined by a veth pair, one keepalived in each (priority 150 and
100, VRRP instance VI_1, VIP 10.99.0.100), and one agent watching both, as on a node that runs
several keepalived (a Neutron network node). Tests run in name order and share the pair.
"""

import json
import os
import signal
import time
import unittest
from pathlib import Path

from kwtlab import AgentProcess, KeepalivedLab, agent_module, is_root, require_lab, run, vrrp_config

ka = agent_module()
VIP = "10.99.0.100"
ELECTION_TIMEOUT_S = 15.0
EVENT_TIMEOUT_S = 15.0
APPLY_TIMEOUT_S = 40.0


def sha(path):
    return ka.sha256_hex(Path(path).read_bytes())


@unittest.skipUnless(is_root(), "needs root (keepalived in network namespaces)")
class LiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_lab()
        cls.lab = KeepalivedLab(nodes=2)
        cls.a, cls.b = cls.lab.nodes
        cls.conf_a = vrrp_config("node-a", 150)
        cls.conf_b = vrrp_config("node-b", 100)
        cls.a.start(cls.conf_a)
        cls.b.start(cls.conf_b)
        cls.state_dir = cls.lab.root / "agent-state"
        cls.applies = 0
        deadline = time.monotonic() + ELECTION_TIMEOUT_S
        while VIP not in cls.a.addresses():
            if time.monotonic() > deadline:
                cls.lab.close()
                raise AssertionError("node A never became MASTER")
            time.sleep(0.1)
        cls.agent = cls.new_agent()

    @classmethod
    def new_agent(cls, env=None, snapshot_interval="5"):
        return AgentProcess("--match-config", str(cls.lab.root) + "/*", "--state-dir", str(cls.state_dir),
                            "--heartbeat-interval", "0.5", "--snapshot-interval", snapshot_interval,
                            "--rescan-interval", "0.5", env=env)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.agent.close()
        finally:
            cls.lab.close()

    # -- helpers ---------------------------------------------------------------------------

    def daemon_of(self, node):
        return node.ns

    def apply(self, node, text, agent=None, base=None):
        agent = agent or self.agent
        type(self).applies += 1
        return agent.call("config.apply", {"daemon": self.daemon_of(node), "text": text,
                                           "base_sha256": base or sha(node.conf), "reason": "live test"},
                          timeout=APPLY_TIMEOUT_S)

    def instance(self, snapshot, node, name="VI_1"):
        for d in snapshot["daemons"]:
            if d["name"] == node.ns:
                for inst in d["instances"]:
                    if inst["instance"] == name:
                        return inst
        raise AssertionError("no %s on %s in %s" % (name, node.ns, snapshot))

    # -- tests -----------------------------------------------------------------------------

    def test_01_discovery(self):
        hello = self.agent.call("hello")["result"]
        self.assertTrue(hello["root"])
        self.assertTrue(hello["capabilities"]["pidfd"])
        daemons = {d["name"]: d for d in self.agent.call("daemons")["result"]["daemons"]}
        self.assertEqual(sorted(daemons), sorted([self.a.ns, self.b.ns]))
        for node in (self.a, self.b):
            d = daemons[node.ns]
            self.assertTrue(d["alive"])
            self.assertEqual(d["pid"], node.main_pid())
            self.assertEqual(d["vrrp_pid"], node.vrrp_pid())
            self.assertEqual(d["netns"], node.ns)
            self.assertEqual(d["config"], str(node.conf))
            self.assertEqual(d["pid_file"], str(node.pid_file))
            self.assertEqual(d["vrrp_pid_file"], str(node.vrrp_pid_file))
            self.assertEqual(d["tmpdir"], str(node.tmpdir))
            self.assertEqual(d["version"], hello["keepalived"]["version"])
            self.assertEqual(d["managed_by"], "signal")

    def test_02_subscribe_reports_every_router_correctly(self):
        snap = self.agent.call("state.subscribe")["result"]
        a, b = self.instance(snap, self.a), self.instance(snap, self.b)
        self.assertEqual((a["state"], a["effective_priority"], a["vips"]), ("MASTER", 150, [VIP + "/24"]))
        self.assertEqual((b["state"], b["effective_priority"], b["master_priority"]), ("BACKUP", 100, 150))
        self.assertEqual(self.a.dump_state(), {"VI_1": 2}, "agrees with keepalived's own dump")
        self.assertEqual(self.b.dump_state(), {"VI_1": 1})
        present = [(v["address"], v["daemon"], v["orphan"]) for v in snap["vips_present"]]
        self.assertEqual(present, [(VIP, self.a.ns, False)])
        self.assertEqual(snap["orphans"], [])
        self.agent.wait_event(lambda e: e["event"] == "heartbeat" and e["daemons"] == 2)

    def test_03_config_read(self):
        r = self.agent.call("config.read", {"daemon": self.a.ns})["result"]
        self.assertEqual(r["main"], str(self.a.conf))
        [f] = r["files"]
        self.assertEqual((f["text"], f["sha256"], f["role"]), (self.conf_a, sha(self.a.conf), "main"))

    def test_04_vrid_300_is_refused_and_keepalived_untouched(self):
        broken = self.conf_a.replace("virtual_router_id 51", "virtual_router_id 300")
        check = self.agent.call("config.check", {"daemon": self.a.ns, "text": broken})["result"]
        self.assertFalse(check["ok"])
        first = check["diagnostics"][0]
        self.assertEqual((first["file"], first["line"], first["severity"]), (str(self.a.conf), 7, "error"))
        pid, before = self.a.main_pid(), sha(self.a.conf)
        r = self.apply(self.a, broken)
        self.assertEqual(r["error"]["code"], "check_failed", r)
        self.assertTrue(any("VRID '300'" in d["message"] for d in r["error"]["details"]["diagnostics"]))
        self.assertEqual(sha(self.a.conf), before)
        self.assertTrue(self.a.alive())
        self.assertEqual(self.a.main_pid(), pid)
        self.assertIn(VIP, self.a.addresses(), "the VIP stays where it was")
        self.assertNotIn(VIP, self.b.addresses())
        self.assertEqual(self.a.dump_state(), {"VI_1": 2})

    def test_05_check_runs_in_the_daemons_namespace(self):
        run(["ip", "-n", self.a.ns, "link", "add", "kwtonly0", "type", "veth", "peer", "name", "kwtonly1"])
        try:
            text = self.conf_a.replace("interface eth0", "interface kwtonly0")
            check = self.agent.call("config.check", {"daemon": self.a.ns, "text": text})["result"]
            self.assertTrue(check["ok"], check["diagnostics"])
            self.assertEqual(check["netns"], self.a.ns)
            missing = self.agent.call("config.check", {"daemon": self.b.ns, "text": text})["result"]
            self.assertFalse(missing["ok"], "kwtonly0 exists in A's namespace only")
            self.assertTrue(any("Non-existent interface" in d["message"] for d in missing["diagnostics"]))
        finally:
            run(["ip", "-n", self.a.ns, "link", "del", "kwtonly0"], check=False)

    def test_06_apply_priority(self):
        self.agent.call("state.subscribe")
        pid = self.b.main_pid()
        text = self.conf_b.replace("priority 100", "priority 120")
        r = self.apply(self.b, text)
        self.assertTrue(r["ok"], r)
        result = r["result"]
        self.assertEqual(result["result"], "applied")
        self.assertEqual(result["new_sha256"], sha(self.b.conf))
        self.assertEqual(self.b.conf.read_text(), text)
        self.assertEqual(self.b.main_pid(), pid, "reloaded in place")
        self.assertEqual(result["health"]["instances"], [{"instance": "VI_1", "state": "BACKUP",
                                                          "effective_priority": 120}])
        steps = [(e["step"], e["status"]) for e in self.agent.events
                 if e["event"] == "apply.step" and e["id"] == r["id"]]
        self.assertEqual([s for s, status in steps if status != "started"],
                         ["lock", "compare", "check", "backup", "write", "reload", "health", "audit"])
        self.agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.b.ns
                              and e["effective_priority"] == 120 and "effective_priority" in e["changed"])
        type(self).conf_b = text

    def test_07_config_that_fails_health_is_rolled_back(self):
        flag = self.b.dir / "track.val"
        flag.write_text("1\n")
        text = vrrp_config("node-b", 120, before_instance="track_file tf {\n  file \"%s\"\n  weight 0\n}\n" % flag,
                           extra_instance="  track_file {\n    tf\n  }\n")
        check = self.agent.call("config.check", {"daemon": self.b.ns, "text": text})["result"]
        self.assertTrue(check["ok"], "keepalived -t accepts it: only health can tell")
        pid = self.b.main_pid()
        r = self.apply(self.b, text)
        self.assertFalse(r["ok"])
        self.assertEqual(r["error"]["code"], "rolled_back", r)
        self.assertEqual(r["error"]["details"]["faulted"], ["VI_1"])
        self.assertTrue(r["error"]["details"]["daemon_alive"])
        self.assertEqual(self.b.conf.read_text(), self.conf_b, "the previous file is back")
        self.assertTrue(self.b.alive())
        self.assertEqual(self.b.main_pid(), pid, "keepalived kept running")
        deadline = time.monotonic() + 5
        while self.b.dump_state() != {"VI_1": 1} and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.b.dump_state(), {"VI_1": 1}, "back to BACKUP on the old configuration")

    def test_08_conflict_returns_the_current_text(self):
        r = self.apply(self.b, self.conf_b.replace("120", "121"), base="f" * 64)
        self.assertEqual(r["error"]["code"], "conflict")
        self.assertEqual(r["error"]["details"]["current_text"], self.conf_b)
        self.assertEqual(self.b.conf.read_text(), self.conf_b)

    def test_09_two_clients_at_once_one_wins(self):
        other = self.new_agent()
        try:
            base = sha(self.b.conf)
            ids = []
            for agent, prio in ((self.agent, "122"), (other, "123")):
                type(self).applies += 1
                ids.append((agent, agent.send("config.apply", {
                    "daemon": self.b.ns, "text": self.conf_b.replace("priority 120", "priority " + prio),
                    "base_sha256": base})))
            results = [agent.response(i, APPLY_TIMEOUT_S) for agent, i in ids]
            outcomes = sorted("applied" if r["ok"] else r["error"]["code"] for r in results)
            self.assertEqual(outcomes, ["applied", "conflict"])
            type(self).conf_b = self.b.conf.read_text()
        finally:
            other.close()

    def test_10_agent_killed_between_backup_and_rename(self):
        doomed = self.new_agent(env={"KEEPWATCH_AGENT_TEST_FAULT": "kill:before_rename"})
        before, pid = self.b.conf.read_text(), self.b.main_pid()
        doomed.send("config.apply", {"daemon": self.b.ns, "text": before.replace("priority", "priority 1"),
                                     "base_sha256": sha(self.b.conf)})
        self.assertEqual(doomed.proc.wait(APPLY_TIMEOUT_S), -signal.SIGKILL)
        doomed.close()
        self.assertEqual(self.b.conf.read_text(), before, "the old file is whole")
        self.assertEqual(self.b.main_pid(), pid)
        self.assertEqual(self.b.dump_state(), {"VI_1": 1})
        # The killed agent wrote no audit line; the next session reports the apply it left (once: nothing on
        # disk changed) and writes its line.
        fresh = self.new_agent()
        try:
            [unfinished] = fresh.call("hello")["result"]["unfinished_applies"]
            self.assertEqual((unfinished["daemon"], unfinished["on_disk"], unfinished["cleared"]), (self.b.ns, "old", True))
            self.assertEqual(fresh.call("hello")["result"]["unfinished_applies"], [])
        finally:
            fresh.close()
        type(self).applies += 1

    def test_11_backups_and_restore(self):
        backups = self.agent.call("config.backups", {"daemon": self.b.ns})["result"]["backups"]
        self.assertGreaterEqual(len(backups), 3)
        original = [b for b in backups if b["sha256"] == ka.sha256_hex(vrrp_config("node-b", 100).encode())]
        self.assertTrue(original, "the file as it was before the first apply is kept")
        type(self).applies += 1
        r = self.agent.call("config.restore", {"daemon": self.b.ns, "backup": original[0]["name"],
                                               "base_sha256": sha(self.b.conf)}, timeout=APPLY_TIMEOUT_S)
        self.assertTrue(r["ok"], r)
        self.assertEqual(self.b.conf.read_text(), vrrp_config("node-b", 100))
        type(self).conf_b = vrrp_config("node-b", 100)
        bad = self.agent.call("config.restore", {"daemon": self.b.ns, "backup": "../../etc/passwd",
                                                 "base_sha256": sha(self.b.conf)})
        self.assertEqual(bad["error"]["code"], "bad_args")

    def test_12_audit_has_one_line_per_apply(self):
        lines = [json.loads(x) for x in (self.state_dir / "audit.log").read_text().splitlines()]
        self.assertEqual(len(lines), type(self).applies)
        results = [x["result"] for x in lines]
        for expected in ("applied", "refused", "rolled_back", "conflict"):
            self.assertIn(expected, results)
        self.assertTrue(all(x["user"] and len(x["old_sha256"] or "x" * 64) == 64 for x in lines))

    def test_13_forbidden_paths(self):
        r = self.agent.call("config.check", {"daemon": self.a.ns, "text": "", "path": "/etc/passwd"})
        self.assertEqual(r["error"]["code"], "forbidden_path")

    def test_14_two_agents_dump_the_same_daemons(self):
        """Two sessions on one node (two operators) both remove and re-request the same
        keepalived.json; each gets every dump it asks for (dumps take the TMPDIR's dump lock)."""
        other = self.new_agent()
        try:
            requests = []
            for _ in range(15):
                for agent in (self.agent, other):
                    requests.append((agent, agent.send("state.snapshot", {"fresh": True})))
            for agent, req_id in requests:
                r = agent.response(req_id, 30)
                self.assertTrue(r["ok"], r)
                for d in r["result"]["daemons"]:
                    self.assertIsNone(d["error"], d)
                    self.assertEqual([i["instance"] for i in d["instances"]], ["VI_1"])
        finally:
            other.close()

    def test_15_requests_sent_before_stdin_closes_are_answered(self):
        once = self.new_agent()
        once.send_raw(b'{"id":1,"op":"daemons"}\n{"id":2,"op":"state.snapshot"}\n{"id":3,"op":"config.read",'
                      b'"args":{"daemon":"%s"}}\n' % self.a.ns.encode())
        once.proc.stdin.close()
        self.assertTrue(once.response(2)["ok"])
        self.assertTrue(once.response(3)["ok"])
        self.assertEqual(once.proc.wait(10), 0)
        once.close()

    def test_20_stop_and_start(self):
        self.agent.call("state.subscribe")
        mark = self.agent.mark()
        self.a.stop(signal.SIGTERM)
        stopped = self.agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                                        and e["action"] in ("stopped", "died"), EVENT_TIMEOUT_S, since=mark)
        self.assertEqual(stopped["action"], "stopped", "a clean stop removes the pid file")
        self.agent.wait_event(lambda e: e["event"] == "vip" and e["action"] == "removed" and e["netns"] == self.a.ns, since=mark)
        added = self.agent.wait_event(lambda e: e["event"] == "vip" and e["action"] == "added"
                                      and e["netns"] == self.b.ns and e["address"] == VIP, EVENT_TIMEOUT_S, since=mark)
        master = self.agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.b.ns
                                       and e["state"] == "MASTER", EVENT_TIMEOUT_S, since=mark)
        self.assertEqual(master["prev_state"], "BACKUP")
        self.assertLess(master["ts"] - added["ts"], 0.5, "state follows the VIP within milliseconds")
        self.assertFalse([e for e in self.agent.events[mark:] if e["event"] == "vip" and e["action"] == "orphaned"])
        restart = self.agent.mark()
        self.agent.drain(1.5)       # rescans run every 0.5 s: a stopped (maybe unreaped) daemon stays dead
        self.assertFalse([e for e in self.agent.events[restart:] if e["event"] == "daemon"
                          and e["action"] in ("started", "restarted")])
        self.a.start()
        self.agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                              and e["action"] == "restarted", EVENT_TIMEOUT_S, since=restart)
        self.agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.a.ns
                              and e["state"] == "MASTER", EVENT_TIMEOUT_S, since=restart)
        self.agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.b.ns
                              and e["state"] == "BACKUP", EVENT_TIMEOUT_S, since=restart)

    def test_21_sigkill_leaves_an_orphan_vip(self):
        self.agent.call("state.subscribe")
        deadline = time.monotonic() + ELECTION_TIMEOUT_S
        while VIP not in self.a.addresses() and time.monotonic() < deadline:
            time.sleep(0.1)
        mark = self.agent.mark()
        self.a.kill_all()
        died = self.agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                                     and e["action"] in ("died", "stopped"), EVENT_TIMEOUT_S, since=mark)
        self.assertEqual(died["action"], "died")
        orphan = self.agent.wait_event(lambda e: e["event"] == "vip" and e["action"] == "orphaned"
                                       and e["netns"] == self.a.ns, EVENT_TIMEOUT_S, since=mark)
        self.assertEqual((orphan["address"], orphan["reason"], orphan["instance"]), (VIP, "daemon_dead", "VI_1"))
        self.assertLess(orphan["ts"] - died["ts"], 1.0, "no need to wait out the grace for a dead daemon")
        self.agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.b.ns
                              and e["state"] == "MASTER", EVENT_TIMEOUT_S, since=mark)
        self.assertIn(VIP, self.a.addresses(), "SIGKILL leaves the VIP behind: a duplicate address")
        snap = self.agent.call("state.snapshot")["result"]
        self.assertEqual([(o["address"], o["netns"]) for o in snap["orphans"]], [(VIP, self.a.ns)])

    def test_22_sigstop_is_a_hung_daemon(self):
        """SIGSTOP (a hung keepalived): it answers no dump, so it is `unresponsive` and the VIP it
        still holds is an orphan while B takes over; SIGCONT brings it back."""
        if not self.a.alive():
            self.a.start()
        deadline = time.monotonic() + ELECTION_TIMEOUT_S
        while time.monotonic() < deadline and not (VIP in self.a.addresses() and VIP not in self.b.addresses()):
            time.sleep(0.1)
        self.assertIn(VIP, self.a.addresses())
        self.agent.call("state.subscribe")
        pids = [self.a.main_pid(), self.a.vrrp_pid()]
        mark = self.agent.mark()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            hung = self.agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                                         and e["action"] == "unresponsive", 20, since=mark)
            self.assertIn("stopped", hung["message"])
            orphan = self.agent.wait_event(lambda e: e["event"] == "vip" and e["action"] == "orphaned"
                                           and e["netns"] == self.a.ns, EVENT_TIMEOUT_S, since=mark)
            self.assertEqual(orphan["reason"], "daemon_unresponsive")
            self.agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.b.ns
                                  and e["state"] == "MASTER", EVENT_TIMEOUT_S, since=mark)
            self.assertIn(VIP, self.a.addresses(), "a stopped keepalived keeps its VIP: split brain")
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
        self.agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                              and e["action"] == "responsive", 20, since=mark)

    def test_22b_a_hung_daemon_is_found_by_every_agent_on_the_node(self):
        """Two sessions on one node (two operators, or the app beside keepwatch status --watch), the VRRP process
        stopped as `lab/fail hang` stops it. Each agent asks one dump when it sees the stop; the first holds the
        TMPDIR's dump lock while its dump, and then the text fallback, time out. The second used to give up on the
        lock within its own dump timeout and never ask again (no periodic dump here, to see only that): one of
        the two operators saw a healthy BACKUP for as long as the daemon stayed hung."""
        if not self.a.alive():
            self.a.start()
        agents = [self.new_agent(snapshot_interval="600"), self.new_agent(snapshot_interval="600")]
        vrrp = self.a.vrrp_pid()
        try:
            marks = []
            for agent in agents:
                agent.call("state.subscribe")
                marks.append(agent.mark())
            os.kill(vrrp, signal.SIGSTOP)
            try:
                for agent, mark in zip(agents, marks):
                    agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                                     and e["action"] == "unresponsive", 20, since=mark)
            finally:
                os.kill(vrrp, signal.SIGCONT)
            for agent, mark in zip(agents, marks):
                agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                                 and e["action"] == "responsive", 20, since=mark)
        finally:
            for agent in agents:
                agent.close()

    def test_22d_a_stopped_process_is_hung_without_waiting_for_a_dump(self):
        """Another agent holds the TMPDIR's dump lock all along (its own dumps of the hung daemon time out one after
        another): a stopped VRRP process is still reported `unresponsive` by the next rescan, since it cannot
        answer. It used to be known only once a dump of our own had timed out, behind the other agent's: up to
        13 s with two sessions on a node, and never while the lock stayed taken."""
        import fcntl
        if not self.a.alive():
            self.a.start()
        agent = self.new_agent(snapshot_interval="600")
        lock_path = self.state_dir / "locks" / ("dump-%s.lock" % agent_module().sha256_hex(str(self.a.tmpdir).encode())[:16])
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        vrrp = self.a.vrrp_pid()
        with open(str(lock_path), "a") as other_agent:
            fcntl.flock(other_agent.fileno(), fcntl.LOCK_EX)
            try:
                agent.call("state.subscribe")
                mark = agent.mark()
                os.kill(vrrp, signal.SIGSTOP)
                try:
                    hung = agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                                            and e["action"] == "unresponsive", 5, since=mark)
                    self.assertIn("stopped", hung["message"])
                finally:
                    os.kill(vrrp, signal.SIGCONT)
            finally:
                fcntl.flock(other_agent.fileno(), fcntl.LOCK_UN)
        try:
            agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                             and e["action"] == "responsive", 20, since=mark)
        finally:
            agent.close()

    def test_22c_a_backup_that_loses_and_regains_its_link_is_reported_faulted_and_back(self):
        """`lab/fail cut` on a BACKUP: keepalived enters FAULT when the carrier goes and BACKUP when it comes back,
        and no address changes on that node. The agent asked for a dump only when an address changed (or every
        snapshot interval, 30 s by default): a session showed the BACKUP in FAULT for up to 30 s after the link was
        back, and never saw it enter FAULT at all. No periodic dump here: only the link can tell."""
        for node in (self.a, self.b):
            if not node.alive():
                node.start()
        agent = self.new_agent(snapshot_interval="600")
        try:
            agent.call("state.subscribe")
            deadline = time.monotonic() + ELECTION_TIMEOUT_S
            while VIP not in self.a.addresses() and time.monotonic() < deadline:
                time.sleep(0.1)
            mark = agent.mark()
            # A's end of the veth goes down: B's eth0 loses its carrier, as a cut switch port does
            run(["ip", "-n", self.a.ns, "link", "set", "eth0", "down"])
            try:
                agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.b.ns
                                 and e["state"] == "FAULT", EVENT_TIMEOUT_S, since=mark)
            finally:
                back = agent.mark()
                run(["ip", "-n", self.a.ns, "link", "set", "eth0", "up"])
            agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.b.ns
                             and e["state"] in ("BACKUP", "MASTER"), EVENT_TIMEOUT_S, since=back)
        finally:
            agent.close()
            deadline = time.monotonic() + ELECTION_TIMEOUT_S
            while VIP not in self.a.addresses() and time.monotonic() < deadline:
                time.sleep(0.1)

    def test_23_a_restarted_daemon_that_takes_its_vip_is_reported_without_waiting_for_a_rescan(self):
        # An agent whose periodic rescan would come only after a minute: the restart must be found
        # because its address appeared, not because a rescan happened to come by.
        if not self.a.alive():
            self.a.start()      # a second start would run two keepalived in one namespace
        deadline = time.monotonic() + ELECTION_TIMEOUT_S
        while (VIP not in self.a.addresses() or VIP in self.b.addresses()) and time.monotonic() < deadline:
            time.sleep(0.1)     # A preempted B (a SIGKILL before may have left the VIP on A as well)
        agent = AgentProcess("--match-config", str(self.lab.root) + "/*", "--state-dir", str(self.state_dir),
                             "--rescan-interval", "60")
        try:
            agent.call("state.subscribe")
            mark = agent.mark()
            self.a.stop(signal.SIGTERM)
            agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.b.ns
                             and e["state"] == "MASTER", EVENT_TIMEOUT_S, since=mark)
            agent.drain(0.5)        # past the rescan that follows the VRRP child's exit
            restart = agent.mark()
            self.a.start()
            added = agent.wait_event(lambda e: e["event"] == "vip" and e["action"] == "added"
                                     and e["netns"] == self.a.ns and e["address"] == VIP, EVENT_TIMEOUT_S, since=restart)
            master = agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.a.ns
                                      and e["state"] == "MASTER", EVENT_TIMEOUT_S, since=restart)
            self.assertLess(master["ts"] - added["ts"], 1.0, "found through its VIP, not a minute later")
        finally:
            agent.close()



@unittest.skipUnless(is_root(), "needs root (keepalived in network namespaces)")
class ConfigOwnerLiveTest(unittest.TestCase):
    """A network node's layout (ADR 0003): the neutron user owns the router's directory, its keepalived.conf and the
    TMPDIR keepalived (root) writes its dumps into. The agent takes the dumps, reads the configuration and claims
    from it, and refuses to write it, saying whose it is."""
    NEUTRON = 64055

    @classmethod
    def setUpClass(cls):
        require_lab()
        cls.lab = KeepalivedLab(nodes=1)
        [cls.node] = cls.lab.nodes
        cls.node.conf.write_text(vrrp_config("net1", 150))
        for path in (cls.node.dir, cls.node.tmpdir, cls.node.conf):
            os.chown(str(path), cls.NEUTRON, cls.NEUTRON)
            os.chmod(str(path), 0o755 if path.is_dir() else 0o644)
        cls.node.start()
        cls.agents = []
        deadline = time.monotonic() + ELECTION_TIMEOUT_S
        while VIP not in cls.node.addresses():
            if time.monotonic() > deadline:
                cls.lab.close()
                raise AssertionError("the node never became MASTER")
            time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        try:
            for agent in cls.agents:
                agent.close()
        finally:
            cls.lab.close()

    def new_agent(self):
        agent = AgentProcess("--match-config", str(self.lab.root) + "/*", "--state-dir", str(self.lab.root / "state"),
                             "--default-config", "/nonexistent/keepwatch-test/keepalived.conf",
                             "--neutron-ha-confs", str(self.lab.root / "no-ha-confs"))
        self.agents.append(agent)
        return agent

    def daemon(self, agent):
        [d] = agent.call("state.snapshot", {"fresh": True})["result"]["daemons"]
        return d

    def test_1_its_dumps_are_read_and_its_configuration_too_but_not_written(self):
        agent = self.new_agent()
        d = self.daemon(agent)
        self.assertEqual((d["error"], d["instances_from"]), (None, "dump"), d)
        self.assertEqual([(i["instance"], i["state"]) for i in d["instances"]], [("VI_1", "MASTER")])
        read = agent.call("config.read", {"daemon": self.node.ns})
        self.assertTrue(read["ok"], read)
        response = agent.call("config.apply", {"daemon": self.node.ns, "text": vrrp_config("net1", 120),
                                               "base_sha256": sha(self.node.conf)}, timeout=APPLY_TIMEOUT_S)
        self.assertEqual(response["error"]["code"], "untrusted", response)
        self.assertIn("this configuration belongs to uid %d, and Keepwatch writes only configurations root alone "
                      "controls" % self.NEUTRON, response["error"]["message"])
        self.assertEqual(self.node.conf.read_text(), vrrp_config("net1", 150))

    def test_2_a_hung_daemon_is_claimed_from_its_configuration(self):
        vrrp_pid = self.node.vrrp_pid()
        os.kill(vrrp_pid, signal.SIGSTOP)
        try:
            d = self.daemon(self.new_agent())
            self.assertEqual((d["responsive"], d["instances_from"], d["config_error"]), (False, "config", None), d)
            self.assertEqual([(i["instance"], i["source"]) for i in d["instances"]], [("VI_1", "config")])
        finally:
            os.kill(vrrp_pid, signal.SIGCONT)


@unittest.skipUnless(is_root(), "needs root (keepalived in network namespaces)")
class FaultsBeforeTheAgentTest(unittest.TestCase):
    """Issue 12: faults made before the agent started. Without a dump to tell, a daemon's claims
    come from its configuration, and the VIP it left up is an orphan in the agent's first answer.
    Its own pair of namespaces: A (priority 150) is broken in turn, B takes over."""

    @classmethod
    def setUpClass(cls):
        require_lab()
        cls.lab = KeepalivedLab(nodes=2)
        cls.a, cls.b = cls.lab.nodes
        cls.a.start(vrrp_config("node-a", 150))
        cls.b.start(vrrp_config("node-b", 100))
        for node in (cls.a, cls.b):
            os.chmod(str(node.conf), 0o644)     # read as root only if nobody else may write it
        cls.state_dir = cls.lab.root / "agent-state"
        cls.units = cls.lab.root / "units"
        cls.units.mkdir()
        cls.agents = []
        cls.wait_for(lambda: VIP in cls.a.addresses() and VIP not in cls.b.addresses(), "A is MASTER")

    @classmethod
    def tearDownClass(cls):
        try:
            for agent in cls.agents:
                agent.close()
        finally:
            cls.lab.close()

    @staticmethod
    def wait_for(condition, what, timeout=ELECTION_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("not within %.0f s: %s" % (timeout, what))
            time.sleep(0.1)

    def new_agent(self):
        """An agent as on a node whose keepalived.service runs A's configuration (in A's namespace). The
        default configuration is outside --match-config: a keepalived without -f (another lab's) is not ours."""
        agent = AgentProcess("--match-config", str(self.lab.root) + "/*", "--state-dir", str(self.state_dir),
                             "--rescan-interval", "0.5", "--systemd-unit-dirs", str(self.units),
                             "--default-config", "/nonexistent/keepwatch-test/keepalived.conf",
                             "--neutron-ha-confs", str(self.lab.root / "no-ha-confs"))
        self.agents.append(agent)
        return agent

    def write_unit(self, node):
        env = self.units / "keepalived.env"
        env.write_text('DAEMON_ARGS="--namespace %s -f %s -p %s -r %s -c %s"\n' % (
            node.ns, node.conf, node.pid_file, node.vrrp_pid_file, node.checkers_pid_file))
        unit = self.units / "keepalived.service"
        unit.write_text("[Service]\nType=notify\nEnvironmentFile=-%s\n"
                        "ExecStart=/usr/sbin/keepalived --dont-fork $DAEMON_ARGS\n" % env)
        for path in (env, unit):
            os.chmod(str(path), 0o644)

    def daemon(self, snapshot, node):
        [d] = [d for d in snapshot["daemons"] if d["name"] == node.ns]
        return d

    def assert_claims(self, d):
        self.assertEqual(d["instances_from"], "config", d)
        self.assertIsNone(d["config_error"])
        [inst] = d["instances"]
        self.assertEqual((inst["instance"], inst["state"], inst["source"], inst["vrid"], inst["base_priority"],
                          inst["wantstate"], inst["interface"], inst["vips"], inst["last_transition"]),
                         ("VI_1", "UNKNOWN", "config", 51, 150, "BACKUP", "eth0", [VIP + "/24"], None))

    def assert_orphan(self, snapshot, node, reason):
        self.assertIn((VIP, node.ns, node.ns, "VI_1", True),
                      [(v["address"], v["netns"], v["daemon"], v["instance"], v["orphan"])
                       for v in snapshot["vips_present"]])
        self.assertEqual([(o["address"], o["netns"], o["reason"], o["daemon"], o["instance"])
                          for o in snapshot["orphans"]], [(VIP, node.ns, reason, node.ns, "VI_1")])

    def test_1_vrrp_process_stopped_before_the_agent_starts(self):
        vrrp_pid = self.a.vrrp_pid()
        os.kill(vrrp_pid, signal.SIGSTOP)
        try:
            self.wait_for(lambda: VIP in self.b.addresses(), "B takes over")
            self.assertIn(VIP, self.a.addresses(), "the stopped node keeps its VIP: split brain")
            agent = self.new_agent()
            snap = agent.call("state.subscribe")["result"]
            a = self.daemon(snap, self.a)
            self.assertEqual((a["alive"], a["responsive"], a["pid"], a["error"]["code"]),
                             (True, False, self.a.main_pid(), "dump_failed"))
            self.assert_claims(a)
            self.assert_orphan(snap, self.a, "daemon_unresponsive")
            b = self.daemon(snap, self.b)
            self.assertEqual((b["instances_from"], b["instances"][0]["state"], b["instances"][0]["source"]),
                             ("dump", "MASTER", "dump"))
            mark = agent.mark()
        finally:
            os.kill(vrrp_pid, signal.SIGCONT)
        agent.wait_event(lambda e: e["event"] == "daemon" and e["daemon"] == self.a.ns
                         and e["action"] == "responsive", 20, since=mark)
        dumped = agent.wait_event(lambda e: e["event"] == "state" and e["daemon"] == self.a.ns, since=mark)
        self.assertEqual(dumped["source"], "dump", "a dump replaces the claims")
        self.assertIn("source", dumped["changed"])
        self.wait_for(lambda: VIP in self.a.addresses() and VIP not in self.b.addresses(), "A preempts again")
        agent.close()

    def test_2_both_processes_killed_before_the_agent_starts(self):
        self.write_unit(self.a)
        self.a.kill_all()
        self.assertTrue(self.a.pid_file.exists(), "a kill leaves the pid file")
        self.wait_for(lambda: VIP in self.b.addresses(), "B takes over")
        self.assertIn(VIP, self.a.addresses(), "SIGKILL leaves the VIP behind")
        agent = self.new_agent()
        snap = agent.call("state.snapshot")["result"]
        a = self.daemon(snap, self.a)
        self.assertEqual((a["alive"], a["pid"], a["stopped_reason"]), (False, None, "died"))
        self.assert_claims(a)
        self.assert_orphan(snap, self.a, "daemon_dead")
        [info] = [d for d in agent.call("daemons")["result"]["daemons"] if d["name"] == self.a.ns]
        self.assertEqual((info["alive"], info["pid"], info["config"], info["pid_file"], info["netns"],
                          info["systemd_unit"], info["instances_from"]),
                         (False, None, str(self.a.conf), str(self.a.pid_file), self.a.ns, "keepalived.service", "config"))
        agent.close()

    def test_3_a_configuration_never_started(self):
        self.write_unit(self.a)
        if self.a.alive():
            self.a.kill_all()
        for path in (self.a.pid_file, self.a.vrrp_pid_file):
            if path.exists():
                path.unlink()
        if VIP in self.a.addresses():
            run(["ip", "-n", self.a.ns, "addr", "del", VIP + "/24", "dev", "eth0"])
        agent = self.new_agent()
        snap = agent.call("state.subscribe")["result"]
        a = self.daemon(snap, self.a)
        self.assertEqual((a["alive"], a["pid"], a["stopped_reason"]), (False, None, "stopped"))
        self.assert_claims(a)
        self.assertEqual([v for v in snap["vips_present"] if v["netns"] == self.a.ns], [])
        self.assertEqual(snap["orphans"], [], "nothing claimed is up")
        mark = agent.mark()
        run(["ip", "-n", self.a.ns, "addr", "add", VIP + "/24", "dev", "eth0"])
        try:
            orphan = agent.wait_event(lambda e: e["event"] == "vip" and e["action"] == "orphaned"
                                      and e["netns"] == self.a.ns, EVENT_TIMEOUT_S, since=mark)
            self.assertEqual((orphan["address"], orphan["reason"], orphan["daemon"], orphan["instance"]),
                             (VIP, "daemon_stopped", self.a.ns, "VI_1"))
            self.assert_orphan(agent.call("state.snapshot", {"fresh": False})["result"], self.a, "daemon_stopped")
            first = self.new_agent().call("state.snapshot")["result"]
            self.assert_orphan(first, self.a, "daemon_stopped")
        finally:
            run(["ip", "-n", self.a.ns, "addr", "del", VIP + "/24", "dev", "eth0"], check=False)
        agent.wait_event(lambda e: e["event"] == "vip" and e["action"] == "removed" and e["netns"] == self.a.ns,
                         EVENT_TIMEOUT_S, since=mark)
        self.assertEqual(agent.call("state.snapshot", {"fresh": False})["result"]["orphans"], [])


if __name__ == "__main__":
    unittest.main()
