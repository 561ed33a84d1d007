"""The maintenance weight (maintenance.set, maintenance.prepare): the wiring read from a configuration, the track
file written only where root alone can write, refusals (Neutron, not wired), attacks on the track file's place, and
real keepalived obeying the number (priority down to 1, back again) through the agent as the client runs it."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from kwtlab import AgentProcess, KeepalivedLab, agent_module, is_root, require_lab

ka = agent_module()
NOBODY = 65534


def wired_config(track_path, priority=150, weight="-1", keyword="track_file", extra=""):
    return ("%s keepwatch_maintenance {\n  file \"%s\"\n  weight %s\n}\n"
            "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 61\n  priority %d\n"
            "  advert_int 1\n  track_file {\n    keepwatch_maintenance\n  }\n"
            "  virtual_ipaddress {\n    10.99.0.161/24\n  }\n}\n%s") % (keyword, track_path, weight, priority, extra)


PLAIN = ("vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 61\n  priority 150\n"
         "  virtual_ipaddress {\n    10.99.0.161/24\n  }\n}\n")


def statements(text):
    lines = [("/k.conf", n, ka.strip_comment(line).strip()) for n, line in enumerate(text.splitlines(), 1)]
    return ka.claim_statements([entry for entry in lines if entry[2]])


class WiringTest(unittest.TestCase):
    TRACK = "/var/lib/keepwatch/maintenance/keepalived.weight"

    def test_an_instance_tracking_the_file_with_weight_minus_one_is_wired(self):
        result = ka.wiring(statements(wired_config(self.TRACK)), self.TRACK)
        self.assertEqual(result["wired"], ["VI_1"])
        self.assertEqual(result["unwired"], [])
        self.assertEqual(result["blocks"], ["keepwatch_maintenance"])

    def test_the_deprecated_keyword_counts_too(self):
        result = ka.wiring(statements(wired_config(self.TRACK, keyword="vrrp_track_file")), self.TRACK)
        self.assertEqual(result["wired"], ["VI_1"])

    def test_an_instance_without_the_track_file_is_not_wired_and_says_why(self):
        result = ka.wiring(statements(PLAIN), self.TRACK)
        self.assertEqual(result["wired"], [])
        self.assertEqual(result["unwired"], [{"instance": "VI_1", "reason": "does not track %s" % self.TRACK}])

    def test_another_weight_is_not_wiring(self):
        result = ka.wiring(statements(wired_config(self.TRACK, weight="-2")), self.TRACK)
        self.assertEqual(result["unwired"][0]["reason"], "tracks %s with weight -2, Keepwatch needs -1" % self.TRACK)
        reverse = ka.wiring(statements(wired_config(self.TRACK, weight="1 reverse")), self.TRACK)
        self.assertEqual(reverse["wired"], ["VI_1"], "weight 1 reverse is -1")

    def test_a_block_on_another_file_is_not_keepwatchs(self):
        result = ka.wiring(statements(wired_config("/tmp/other.weight")), self.TRACK)
        self.assertEqual(result["blocks"], [])
        self.assertEqual(result["wired"], [])

    def test_an_address_owner_cannot_be_wired(self):
        result = ka.wiring(statements(wired_config(self.TRACK, priority=255)), self.TRACK)
        self.assertEqual(result["wired"], [])
        self.assertIn("priority 255, the address owner", result["unwired"][0]["reason"])

    def test_a_sync_group_member_without_tracking_weight_cannot_be_wired(self):
        group = "vrrp_sync_group G1 {\n  group {\n    VI_1\n  }\n}\n"
        result = ka.wiring(statements(wired_config(self.TRACK, extra=group)), self.TRACK)
        self.assertIn("in sync group G1 without sync_group_tracking_weight", result["unwired"][0]["reason"])
        tracking = "vrrp_sync_group G1 {\n  group {\n    VI_1\n  }\n  sync_group_tracking_weight\n}\n"
        self.assertEqual(ka.wiring(statements(wired_config(self.TRACK, extra=tracking)), self.TRACK)["wired"], ["VI_1"])


class MaintenanceTestBase(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="kwt-agent-maint-"))
        os.chmod(str(self.tmp), 0o755)
        self.state = self.tmp / "state"
        self.settings = ka.Settings({"state_dir": str(self.state)})
        self.maintenance = ka.Maintenance(self.settings, "test")
        self.conf = self.tmp / "keepalived.conf"
        self.daemon = ka.Daemon(None, None)
        self.daemon.name = "keepalived"
        self.daemon.config = str(self.conf)
        self.track = self.state / "maintenance" / "keepalived.weight"
        self.conf.write_text(wired_config(self.track))

    def tearDown(self):
        shutil.rmtree(str(self.tmp), ignore_errors=True)


class MaintenanceSetTest(MaintenanceTestBase):
    def test_the_drain_names_the_operator_the_client_named(self):
        operator = ka.operator_from_client({"operator": {"user": "alice", "workstation": "desk-7"}})
        done = self.maintenance.set(self.daemon, True, "patching", by=ka.operator_label(operator, "root"))
        self.assertEqual(done["record"]["by"], "alice@desk-7")
        self.assertEqual(ka.operator_label(None, "root"), "root", "no operator named: the node's login")

    def test_drain_writes_253_only_root_can_read_and_undrain_writes_0(self):
        done = self.maintenance.set(self.daemon, True, "patching")
        self.assertEqual(self.track.read_text(), "253\n")
        self.assertEqual(self.track.stat().st_mode & 0o777, 0o600)
        self.assertEqual(self.track.parent.stat().st_mode & 0o777, 0o700)
        self.assertEqual((done["previous"], done["value"]), (None, 253))
        record = done["record"]
        self.assertTrue(record["drained"])
        self.assertEqual(record["reason"], "patching")
        self.assertEqual(record["by"], ka.session_user())
        self.assertAlmostEqual(record["since"], time.time(), delta=5)
        self.assertEqual(record["wired"], ["VI_1"])
        undone = self.maintenance.set(self.daemon, False, "done")
        self.assertEqual(self.track.read_text(), "0\n")
        self.assertEqual((undone["previous"], undone["value"]), (253, 0))
        self.assertFalse(undone["record"]["drained"])
        self.assertIsNone(undone["record"]["since"])
        self.assertEqual(sorted(p.name for p in self.track.parent.iterdir()), ["keepalived.weight"], "the note goes")

    def test_a_daemon_without_the_wiring_is_refused_and_nothing_is_written(self):
        self.conf.write_text(PLAIN)
        with self.assertRaises(ka.AgentError) as ctx:
            self.maintenance.set(self.daemon, True, None)
        self.assertEqual(ctx.exception.code, "not_wired")
        self.assertIn("keepalived is not wired for Keepwatch's maintenance weight", ctx.exception.message)
        self.assertIn("VI_1 does not track %s" % self.track, ctx.exception.message)
        self.assertFalse(self.track.exists())

    def test_prepare_makes_the_file_keepalived_will_watch_and_keeps_a_drain(self):
        self.conf.write_text(PLAIN)
        done = self.maintenance.set(self.daemon, False, None, prepare=True)
        self.assertEqual(self.track.read_text(), "0\n")
        self.assertEqual(done["value"], 0)
        self.conf.write_text(wired_config(self.track))
        self.maintenance.set(self.daemon, True, None)
        again = self.maintenance.set(self.daemon, False, None, prepare=True)
        self.assertEqual(self.track.read_text(), "253\n", "a prepare never undrains")
        self.assertEqual(again["value"], 253)

    def test_a_neutron_daemon_is_refused_with_why(self):
        self.daemon.neutron_router = "3d611c8b-5c67-58e0-8664-b771a97976f3"
        with self.assertRaises(ka.AgentError) as ctx:
            self.maintenance.set(self.daemon, True, None)
        self.assertEqual(ctx.exception.code, "neutron_managed", "the same code as daemon.* of a Neutron router")
        self.assertIn("belongs to the Neutron l3 agent", ctx.exception.message)
        record = self.maintenance.record(self.daemon)
        self.assertFalse(record["available"])
        self.assertIn("Neutron l3 agent", record["refusal"])
        self.assertFalse(self.state.exists(), "nothing made for it")

    def test_the_record_says_the_wiring_and_the_value(self):
        record = self.maintenance.record(self.daemon)
        self.assertEqual(record["track_file"], str(self.track))
        self.assertEqual((record["value"], record["drained"]), (None, False))
        self.assertEqual(record["wired"], ["VI_1"])
        self.assertFalse(self.state.exists(), "reading makes nothing")

    def test_changes_tell_a_drain_made_by_another_session(self):
        self.assertEqual(self.maintenance.changes([self.daemon]), [], "the first look tells nothing")
        other = ka.Maintenance(self.settings, "test")
        other.set(self.daemon, True, "someone else")
        changed = self.maintenance.changes([self.daemon])
        self.assertEqual(len(changed), 1)
        self.assertTrue(changed[0][1]["drained"])
        self.assertEqual(self.maintenance.changes([self.daemon]), [])


@unittest.skipUnless(is_root(), "the attacker is another user")
class MaintenanceAttackTest(MaintenanceTestBase):
    def setUp(self):
        MaintenanceTestBase.setUp(self)
        self.victim = self.tmp / "victim"
        self.victim.write_text("nobody's file\n")
        os.chown(str(self.victim), NOBODY, NOBODY)

    def assert_refused(self, fragment):
        with self.assertRaises(ka.AgentError) as ctx:
            self.maintenance.set(self.daemon, True, None)
        self.assertEqual(ctx.exception.code, "untrusted")
        self.assertIn(fragment, ctx.exception.message)
        self.assertEqual(self.victim.read_text(), "nobody's file\n")
        return ctx.exception

    def test_a_link_at_the_track_files_name_is_neither_followed_nor_replaced(self):
        self.track.parent.mkdir(parents=True, mode=0o700)
        os.symlink(str(self.victim), str(self.track))
        os.lchown(str(self.track), NOBODY, NOBODY)
        self.assert_refused("%s is a symbolic link" % self.track)
        self.assertTrue(self.track.is_symlink(), "left as it was")
        self.assertIn("is a symbolic link", self.maintenance.record(self.daemon)["error"])

    def test_another_users_file_at_the_track_files_name_is_refused(self):
        self.track.parent.mkdir(parents=True, mode=0o700)
        self.track.write_text("0\n")
        os.chown(str(self.track), NOBODY, NOBODY)
        self.assert_refused("%s (uid %d, mode 0644) may be written by others" % (self.track, NOBODY))
        self.assertEqual(self.track.read_text(), "0\n")

    def test_a_fifo_at_the_track_files_name_is_refused_without_blocking(self):
        self.track.parent.mkdir(parents=True, mode=0o700)
        os.mkfifo(str(self.track))
        self.assert_refused("is a FIFO")

    def test_a_maintenance_directory_another_user_owns_is_refused(self):
        self.track.parent.mkdir(parents=True, mode=0o700)
        os.chown(str(self.track.parent), NOBODY, NOBODY)
        self.assert_refused("may be written by others")
        self.assertEqual(list(self.track.parent.iterdir()), [])

    def test_a_link_in_place_of_the_maintenance_directory_is_refused(self):
        elsewhere = self.tmp / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        self.state.mkdir(mode=0o700)
        os.symlink(str(elsewhere), str(self.track.parent))
        self.assert_refused("is a symbolic link, not a directory of the agent's")
        self.assertEqual(list(elsewhere.iterdir()), [])

    def test_a_refused_drain_writes_an_audit_line_through_the_agent(self):
        self.track.parent.mkdir(parents=True, mode=0o700)
        os.symlink(str(self.victim), str(self.track))
        agent = AgentProcess("--match-config", str(self.conf), "--state-dir", str(self.state),
                             "--default-config", str(self.conf))
        try:
            agent.call("hello")
            names = [d["name"] for d in agent.call("daemons")["result"]["daemons"]]
            self.assertIn("keepalived", names)
            answer = agent.call("maintenance.set", {"daemon": "keepalived", "drained": True, "reason": "test"})
        finally:
            agent.close()
        self.assertEqual(answer["error"]["code"], "untrusted")
        lines = [json.loads(l) for l in (self.state / "audit.log").read_text().splitlines()]
        self.assertEqual([(l["op"], l["result"], l["code"]) for l in lines], [("drain", "refused", "untrusted")])
        self.assertEqual(self.victim.read_text(), "nobody's file\n")


@unittest.skipUnless(is_root(), "needs root (keepalived in a network namespace)")
class LiveMaintenanceTest(unittest.TestCase):
    """Real keepalived reads the number the agent renames into place: priority 150 becomes 1, then 150 again."""

    @classmethod
    def setUpClass(cls):
        require_lab()
        cls.lab = KeepalivedLab(nodes=1)
        cls.node = cls.lab.nodes[0]
        cls.state_dir = cls.lab.root / "agent-state"
        cls.agent = AgentProcess("--match-config", str(cls.lab.root) + "/*", "--state-dir", str(cls.state_dir))
        cls.name = cls.node.ns
        cls.track = cls.state_dir / "maintenance" / ka.track_file_name(cls.name)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.agent.close()
        finally:
            cls.lab.close()

    def priority(self):
        return self.node.dump_state()

    def effective(self):
        snapshot = self.agent.call("state.snapshot", {"daemon": self.name})["result"]["daemons"][0]
        return snapshot["instances"][0]["effective_priority"], snapshot["maintenance"]

    def wait_effective(self, expected):
        deadline = time.time() + 10
        while True:
            value, record = self.effective()
            if value == expected or time.time() > deadline:
                return value, record
            time.sleep(0.2)

    def test_drain_and_undrain_move_keepalived_s_priority(self):
        self.agent.call("hello")
        self.node.start(PLAIN.replace("priority 150", "priority 150\n  state MASTER"))
        self.agent.call("daemons")
        prepared = self.agent.call("maintenance.prepare", {"daemon": self.name})
        self.assertTrue(prepared["ok"], prepared)
        self.assertEqual(self.track.read_text(), "0\n")
        refused = self.agent.call("maintenance.set", {"daemon": self.name, "drained": True})
        self.assertEqual(refused["error"]["code"], "not_wired")
        self.node.stop()
        self.node.start(wired_config(self.track).replace("priority 150", "priority 150\n  state MASTER"))
        self.assertEqual(self.wait_effective(150)[0], 150)
        sub = self.agent.call("state.subscribe")
        self.assertTrue(sub["ok"])
        mark = self.agent.mark()
        drained = self.agent.call("maintenance.set", {"daemon": self.name, "drained": True, "reason": "lab"})
        self.assertTrue(drained["ok"], drained)
        self.assertEqual(drained["result"]["value"], 253)
        event = self.agent.wait_event(lambda e: e.get("event") == "maintenance", since=mark)
        self.assertTrue(event["maintenance"]["drained"])
        self.agent.wait_event(lambda e: e.get("event") == "state" and e.get("effective_priority") == 1, since=mark)
        value, record = self.wait_effective(1)
        self.assertEqual(value, 1, "keepalived took 253 off priority 150 (clamped to 1), not FAULT")
        self.assertTrue(record["drained"])
        self.assertEqual(record["reason"], "lab")
        undrained = self.agent.call("maintenance.set", {"daemon": self.name, "drained": False})
        self.assertTrue(undrained["ok"], undrained)
        self.assertEqual(self.wait_effective(150)[0], 150)
        audit = [json.loads(l) for l in (self.state_dir / "audit.log").read_text().splitlines()]
        self.assertEqual([(l["op"], l["result"]) for l in audit],
                         [("maintenance.prepare", "applied"), ("drain", "refused"), ("drain", "applied"),
                          ("undrain", "applied")])


if __name__ == "__main__":
    unittest.main()
