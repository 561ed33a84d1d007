"""keepalived's dumps, captured from a real keepalived 2.2.7 (fixtures/dump_*.json and .data)."""

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from kwtlab import AgentProcess, FIXTURES, agent_module, fixture_text, is_root
from test_discovery import FakeProc

ka = agent_module()
NEUTRON = 64055     # a network node's neutron user: not root
ROUTER = "6f1b9a52-3c1e-4e0b-9d7a-2f5c8e1a0b44"
COMPARED_FIELDS = ("instance", "vrid", "state", "wantstate", "base_priority", "effective_priority", "interface",
                   "advert_int", "version", "nopreempt", "auth_type", "last_transition", "vips", "excluded_vips")


def by_name(instances):
    return {i["instance"]: i for i in instances}


class JsonDumpTest(unittest.TestCase):
    def test_master_node(self):
        instances = by_name(ka.parse_json_dump(fixture_text("dump_master.json")))
        self.assertEqual(sorted(instances), ["VI_1", "VI_2"])
        vi1 = instances["VI_1"]
        self.assertEqual(vi1["state"], "MASTER")
        self.assertEqual(vi1["vrid"], 51)
        self.assertEqual(vi1["base_priority"], 150)
        self.assertEqual(vi1["effective_priority"], 150)
        self.assertEqual(vi1["vips"], ["10.99.0.100/24"])
        self.assertTrue(vi1["vips_set"])
        self.assertEqual(vi1["auth_type"], "PASS")
        self.assertEqual(vi1["interface"], "eth0")
        self.assertAlmostEqual(vi1["last_transition"], 1795687580.986303)
        self.assertEqual(vi1["stats"]["become_master"], 1)
        self.assertEqual(instances["VI_2"]["vips"], ["10.99.0.101/24", "10.99.0.102/24"])
        self.assertEqual(instances["VI_2"]["auth_type"], "none")

    def test_backup_node_knows_the_master_priority(self):
        instances = by_name(ka.parse_json_dump(fixture_text("dump_backup.json")))
        self.assertEqual(instances["VI_1"]["state"], "BACKUP")
        self.assertEqual(instances["VI_1"]["master_priority"], 150)
        self.assertFalse(instances["VI_1"]["vips_set"])

    def test_vrrp3_fault_and_excluded_vips(self):
        instances = by_name(ka.parse_json_dump(fixture_text("dump_mixed.json")))
        fast = instances["V3_FAST"]
        self.assertEqual(fast["version"], 3)
        self.assertEqual(fast["advert_int"], 0.2)
        self.assertEqual(fast["excluded_vips"], ["fd00:98::100/64"])
        self.assertEqual(instances["V6_ONLY"]["state"], "FAULT")
        self.assertEqual(instances["V6_ONLY"]["vips"], ["fd00:98::200/64"])
        self.assertEqual(instances["V_FAULT"]["state"], "FAULT")
        self.assertTrue(instances["V_FAULT"]["nopreempt"])

    def test_the_password_never_leaves_the_node(self):
        raw = fixture_text("dump_master.json")
        self.assertIn("secret", raw)     # the fixture does carry auth_data...
        for name in ("dump_master.json", "dump_backup.json", "dump_mixed.json"):
            parsed = ka.parse_json_dump(fixture_text(name))
            self.assertNotIn("secret", json.dumps(parsed))
            self.assertNotIn("auth_data", json.dumps(parsed))
        for name in ("dump_master.data", "dump_backup.data"):
            self.assertNotIn("secret", json.dumps(ka.parse_text_dump(fixture_text(name))))

    def test_json_version_2_object(self):
        entries = json.loads(fixture_text("dump_master.json"))
        wrapped = json.dumps({"vrrp": entries, "track_process": []})
        self.assertEqual(ka.parse_json_dump(wrapped), ka.parse_json_dump(fixture_text("dump_master.json")))

    def test_a_dump_still_being_written_does_not_parse(self):
        text = fixture_text("dump_master.json")
        for cut in (1, len(text) // 3, len(text) // 2, len(text) - 3):
            with self.assertRaises(ValueError):
                ka.parse_json_dump(text[:cut])

    def test_rejects_unexpected_shapes(self):
        for text in ('{"x": 1}', "[1, 2]", '"text"', '[{"stats": {}}]'):
            with self.subTest(text=text):
                if text == '{"x": 1}':
                    self.assertEqual(ka.parse_json_dump(text), [])
                else:
                    with self.assertRaises(ValueError):
                        ka.parse_json_dump(text)

    def test_unknown_state_numbers_are_named(self):
        entry = [{"data": {"iname": "X", "state": 42, "vips": []}}]
        self.assertEqual(ka.parse_json_dump(json.dumps(entry))[0]["state"], "UNKNOWN(42)")


class TextDumpTest(unittest.TestCase):
    def test_text_dump_agrees_with_json_dump(self):
        for stem in ("dump_master", "dump_backup", "dump_mixed"):
            with self.subTest(stem=stem):
                from_json = by_name(ka.parse_json_dump(fixture_text(stem + ".json")))
                from_text = by_name(ka.parse_text_dump(fixture_text(stem + ".data")))
                self.assertEqual(sorted(from_json), sorted(from_text))
                for name, inst in from_json.items():
                    for field in COMPARED_FIELDS:
                        self.assertEqual(from_text[name][field], inst[field], "%s %s" % (name, field))

    def test_backup_master_priority_from_text(self):
        instances = by_name(ka.parse_text_dump(fixture_text("dump_backup.data")))
        self.assertEqual(instances["VI_1"]["master_priority"], 150)
        self.assertEqual(instances["VI_2"]["master_priority"], 140)

    def test_milliseconds_advert_interval(self):
        instances = by_name(ka.parse_text_dump(fixture_text("dump_mixed.data")))
        self.assertEqual(instances["V3_FAST"]["advert_int"], 0.2)
        self.assertEqual(instances["V6_ONLY"]["advert_int"], 1.0)

    def test_empty_or_unrelated_text(self):
        self.assertEqual(ka.parse_text_dump(""), [])
        self.assertEqual(ka.parse_text_dump("------< Global definitions >------\n Router ID = x\n"), [])


class VipTest(unittest.TestCase):
    def test_forms(self):
        self.assertEqual(ka.parse_vip("10.0.0.1/24 dev eth0 scope global set"),
                         {"address": "10.0.0.1", "prefix": 24, "cidr": "10.0.0.1/24", "dev": "eth0", "set": True})
        self.assertEqual(ka.parse_vip("10.0.0.1")["cidr"], "10.0.0.1/32")
        self.assertEqual(ka.parse_vip("FD00:0098::0100/64 dev eth0")["cidr"], "fd00:98::100/64")
        self.assertEqual(ka.parse_vip("fd00::1")["prefix"], 128)
        with self.assertRaises(ValueError):
            ka.parse_vip("   ")


class ChangeTest(unittest.TestCase):
    def test_what_changed(self):
        base = by_name(ka.parse_json_dump(fixture_text("dump_backup.json")))["VI_1"]
        self.assertEqual(ka.instance_changes(None, base), ["new"])
        self.assertEqual(ka.instance_changes(base, dict(base)), [])
        promoted = dict(base, state="MASTER", vips=["10.99.0.100/24", "10.99.0.200/24"])
        self.assertEqual(ka.instance_changes(base, promoted), ["state", "vips"])
        lowered = dict(base, effective_priority=80)
        self.assertEqual(ka.instance_changes(base, lowered), ["effective_priority"])

    def test_public_instance_has_no_internal_fields(self):
        inst = by_name(ka.parse_json_dump(fixture_text("dump_master.json")))["VI_1"]
        public = ka.public_instance(inst)
        self.assertNotIn("vip_details", public)
        self.assertEqual(public["vips"], ["10.99.0.100/24"])


# A stand-in for keepalived that handles SIGUSR1 (the text dump) as told: as keepalived does (writes the dump,
# fopen("w")), or by leaving in its place something of another user's, whatever was there before, so that the
# agent finds it when it reads.
FAKE_DAEMON = """
import os, signal, sys, time
how, path, dump, uid = sys.argv[1], sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4])
def on_signal(signum, frame):
    if how.startswith("nobodys-") and os.path.lexists(path):
        os.unlink(path)     # whatever is there when the agent reads: the attacker's
    if how == "keepalived":
        with open(path, "w") as f:
            f.write(dump)
    elif how == "nobodys-file":
        with open(path, "w") as f:
            f.write(dump)
        os.chown(path, uid, uid)
    elif how == "nobodys-link":
        with open(path + ".real", "w") as f:
            f.write(dump)
        os.chown(path + ".real", uid, uid)
        os.symlink(path + ".real", path)
        os.lchown(path, uid, uid)
    elif how == "nobodys-fifo":
        os.mkfifo(path)
        os.chown(path, uid, uid)
    elif how == "race":
        # Another user made the file between the agent's removal of the old dump and keepalived's write, and
        # keeps it open; keepalived (fopen_safe: O_CREAT|O_TRUNC|O_NOFOLLOW, then fchown to root, fchmod 0600)
        # writes into it and makes it root's; the user writes their state through the descriptor they kept.
        try:
            theirs = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            os.fchown(theirs, uid, uid)
        except FileExistsError:
            theirs = None
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)
        os.fchown(fd, 0, 0)
        os.fchmod(fd, 0o600)
        os.write(fd, dump.encode())
        os.close(fd)
        if theirs is not None:
            os.ftruncate(theirs, 0)
            os.pwrite(theirs, open(sys.argv[5]).read().encode(), 0)
signal.signal(signal.SIGUSR1, on_signal)
print("ready", flush=True)
while True:
    time.sleep(1)
"""


@unittest.skipUnless(is_root(), "needs root (files of another user in the dump's place)")
class DumpTrustTest(unittest.TestCase):
    """keepalived writes its state dump in its TMPDIR, /tmp by default, where any user may put a file, a link or a
    FIFO by that name. The agent reads only a regular file root owns, and never follows another user's link: a
    local user must not feed it false state (the post-apply health check reads the same dumps)."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="kwt-agent-dumps-"))
        self.addCleanup(shutil.rmtree, str(self.tmp), True)
        self.tmp.chmod(0o755)
        self.tmpdir = self.tmp / "tmp"          # a shared TMPDIR, as /tmp
        self.tmpdir.mkdir()
        self.tmpdir.chmod(0o1777)
        self.dump = self.tmpdir / ka.TEXT_DUMP_NAME
        self.fake = FakeProc(str(self.tmp))
        self.fake.add(1, "init", 0, ["/sbin/init"])
        self.nobody = pwd.getpwnam("nobody").pw_uid

    def keepalived(self, how, dump="dump_master.data", false_dump="dump_backup.data", conf=None, uid=None):
        """The stand-in started, and listed in the fake /proc as root's keepalived handling SIGUSR1 (its
        configuration conf, by default a file of root's; `uid` whose its hostile files are, by default nobody's)."""
        process = subprocess.Popen([sys.executable, "-c", FAKE_DAEMON, how, str(self.dump), str(FIXTURES / dump),
                                    str(self.nobody if uid is None else uid), str(FIXTURES / false_dump)],
                                   stdout=subprocess.PIPE, universal_newlines=True)
        self.addCleanup(process.wait)
        self.addCleanup(process.kill)
        self.assertEqual(process.stdout.readline().strip(), "ready")
        if conf is None:
            conf = self.tmp / "keepalived.conf"
            conf.write_text("vrrp_instance VI_1 {\n}\n")
        self.fake.add(process.pid, "keepalived", 1, ["keepalived", "--dont-fork", "-f", str(conf)],
                      env={"TMPDIR": str(self.tmpdir)})
        with (self.fake.proc / str(process.pid) / "status").open("a") as f:
            f.write("SigCgt:\t%016x\n" % (1 << (int(ka.signal.SIGUSR1) - 1)))

    def snapshot(self):
        agent = AgentProcess("--proc-root", str(self.fake.proc), "--netns-dir", str(self.fake.netns),
                             "--state-dir", str(self.tmp / "state"), "--match-config", str(self.tmp) + "/*")
        self.addCleanup(agent.close)
        [daemon] = agent.call("state.snapshot", {"fresh": True})["result"]["daemons"]
        return daemon

    def assert_refused(self, daemon, *why):
        self.assertEqual([i["instance"] for i in daemon["instances"]], [], "state taken from another user's file")
        self.assertEqual(daemon["instances_from"], None)
        self.assertEqual(daemon["error"]["code"], "untrusted", daemon["error"])
        for words in ("keepalived %s: its state dump is refused, no state is taken from it: " % daemon["name"],) + why:
            self.assertIn(words, daemon["error"]["message"])

    def test_the_dump_keepalived_writes_is_read(self):
        self.keepalived("keepalived")
        daemon = self.snapshot()
        self.assertEqual(daemon["error"], None)
        self.assertEqual(sorted(i["instance"] for i in daemon["instances"]), ["VI_1", "VI_2"])

    def test_another_users_file_in_the_dumps_place_is_refused(self):
        self.keepalived("nobodys-file")
        self.assert_refused(self.snapshot(), "%s is owned by uid %d, not by root" % (self.dump, self.nobody))

    def test_another_users_link_in_the_dumps_place_is_refused(self):
        self.keepalived("nobodys-link")
        self.assert_refused(self.snapshot(), "%s is a symbolic link owned by uid %d" % (self.dump, self.nobody))

    def test_a_fifo_in_the_dumps_place_is_refused_at_once(self):
        self.keepalived("nobodys-fifo")
        started = time.monotonic()
        self.assert_refused(self.snapshot(), "%s is a FIFO, not a regular file" % self.dump)
        self.assertLess(time.monotonic() - started, 1.5, "refused by its type, not after the dump timeout")

    def test_a_file_another_user_makes_and_keeps_open_before_keepalived_writes_is_never_theirs(self):
        # keepalived makes a file that is there root's, and the owner check then passes, but the user who made it
        # still writes through the descriptor they kept. The agent puts a file of its own there before it signals.
        self.keepalived("race")
        daemon = self.snapshot()
        self.assertEqual(daemon["error"], None)
        self.assertEqual({i["instance"]: i["state"] for i in daemon["instances"]}["VI_1"], "MASTER",
                         "the state another user wrote through the descriptor they kept")

    def test_a_name_the_agent_cannot_take_for_the_dump_is_not_signalled(self):
        self.dump.mkdir()
        (self.dump / "x").write_text("")
        os.chown(str(self.dump), self.nobody, self.nobody)
        self.keepalived("keepalived")
        self.assert_refused(self.snapshot(), "something else was put at %s each time the agent removed what was there"
                            % self.dump)

    def neutron_router(self):
        """A Neutron router's files as a network node has them: ha_confs/<router>/keepalived.conf and its TMPDIR
        ha_confs/<router>/tmp, the neutron user's from neutron/ down; the dump goes there."""
        router = self.tmp / "neutron" / "ha_confs" / ROUTER
        self.tmpdir = router / "tmp"
        self.tmpdir.mkdir(parents=True)
        self.dump = self.tmpdir / ka.TEXT_DUMP_NAME
        conf = router / "keepalived.conf"
        conf.write_text("vrrp_instance VI_1 {\n}\n")
        for path in (self.tmp / "neutron", router.parent, router, self.tmpdir, conf):
            os.chown(str(path), NEUTRON, NEUTRON)
        return conf

    def test_a_neutron_routers_dump_in_its_tmpdir_the_neutron_user_owns_is_read(self):
        self.keepalived("keepalived", conf=self.neutron_router())
        daemon = self.snapshot()
        self.assertEqual(daemon["error"], None)
        self.assertEqual(sorted(i["instance"] for i in daemon["instances"]), ["VI_1", "VI_2"])

    def test_a_dump_file_of_the_configurations_owner_is_theirs_to_write(self):
        # ADR 0003: the neutron user runs code as root through the router's configuration already.
        self.keepalived("nobodys-file", conf=self.neutron_router(), uid=NEUTRON)
        self.assertEqual(self.snapshot()["error"], None)

    def test_a_third_users_file_in_a_neutron_routers_dump_place_is_refused(self):
        self.keepalived("nobodys-file", conf=self.neutron_router())
        self.assert_refused(self.snapshot(), "%s is owned by uid %d, neither by root nor by uid %d, the owner of the "
                            "daemon's configuration" % (self.dump, self.nobody, NEUTRON))

    def test_a_stale_file_another_user_left_is_removed_before_keepalived_writes_its_own(self):
        # keepalived writes with fopen("w"): into another user's file, which would stay theirs. The agent (root)
        # removes whatever has the dump's name before each signal, even in a sticky /tmp.
        self.dump.write_text(fixture_text("dump_backup.data"))
        os.chown(str(self.dump), self.nobody, self.nobody)
        self.keepalived("keepalived")
        daemon = self.snapshot()
        self.assertEqual(daemon["error"], None)
        self.assertEqual({i["instance"]: i["state"] for i in daemon["instances"]}["VI_1"], "MASTER")
        self.assertEqual(os.stat(str(self.dump)).st_uid, 0)


if __name__ == "__main__":
    unittest.main()
