"""config.apply / config.restore step by step, on files in a temporary directory.

keepalived -t, the reload and the dumps are stubs here (test_live runs them for real); the
"daemon" is a real sleeping process, so liveness checks are real.
"""

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

from kwtlab import AGENT_PATH, agent_module

ka = agent_module()
OLD = "vrrp_instance VI_1 {\n  priority 100\n}\n"
NEW = "vrrp_instance VI_1 {\n  priority 120\n}\n"
STEP_ORDER = ["lock", "compare", "check", "backup", "write", "reload", "health", "audit"]


def instance(name="VI_1", state="BACKUP", advert=0.01):
    return {"instance": name, "state": state, "advert_int": advert, "effective_priority": 100}


class FakeAgent(object):
    def __init__(self, settings):
        self.settings = settings
        self.events = []
        self.instances = [instance()]
        self.log = []      # ("reload", text) from the test's fake reload, ("dump", cause) from here, in order

    def blocking_dump(self, name, cause, timeout):
        self.log.append(("dump", cause))
        return {"ok": True, "instances": [dict(i) for i in self.instances], "source": "json"}

    def emit_threadsafe(self, message):
        self.events.append(message)

    def keepalived_bin(self):
        return "keepalived"


class ApplyTestBase(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="kwt-agent-apply-"))
        self.etc = self.tmp / "etc"
        self.etc.mkdir()
        self.conf = self.etc / "keepalived.conf"
        self.conf.write_text(OLD)
        os.chmod(str(self.conf), 0o640)
        self.sleeper = subprocess.Popen(["sleep", "600"])
        entry = ka.read_proc_stat("/proc", self.sleeper.pid)
        self.daemon = ka.Daemon(self.sleeper.pid, entry.starttime)
        self.daemon.name = "test"
        self.daemon.config = str(self.conf)
        self.settings = ka.Settings({"state_dir": str(self.tmp / "state"), "health_min": 0.05,
                                     "lock_timeout": 0.3, "backup_keep": 3})
        self.agent = FakeAgent(self.settings)
        self.ops = ka.ConfigOps(self.agent)
        self.checks = []
        self.reloads = []
        self.check_result = {"ok": True, "errors": 0, "warnings": 0, "diagnostics": [], "exit_code": 0, "output": ""}
        self.ops.check_files = self.fake_check
        self.ops._reload = self.fake_reload
        self.on_reload = None

    def tearDown(self):
        self.sleeper.kill()
        self.sleeper.wait()
        shutil.rmtree(str(self.tmp), ignore_errors=True)

    def fake_check(self, d, candidates):
        self.checks.append({path: data.decode() for path, data in candidates.items()})
        return dict(self.check_result)

    def fake_reload(self, d, step):
        step("reload", "started", method="SIGHUP")
        self.reloads.append(self.conf.read_text())
        self.agent.log.append(("reload", self.conf.read_text()))
        if self.on_reload:
            self.on_reload()
        step("reload", "ok", pid=d.pid)

    def apply(self, text=NEW, base=None, op="apply"):
        base = base or ka.sha256_hex(self.conf.read_bytes())
        return self.ops.apply(self.daemon, str(self.conf), text, base, "test change", 42, op)

    def steps(self):
        return [(e["step"], e["status"]) for e in self.agent.events]

    def audit(self):
        path = Path(self.settings.audit_log)
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class ClientOperatorTest(unittest.TestCase):
    def test_what_the_client_says_is_kept_when_short_and_printable(self):
        self.assertEqual(ka.operator_from_client({"operator": {"user": "alice", "workstation": "desk 7.example"}}),
                         {"user": "alice", "workstation": "desk 7.example"})

    def test_a_client_cannot_write_control_characters_or_floods_into_the_audit_log(self):
        said = {"operator": {"user": "alice\n{\"result\":\"applied\"}", "workstation": "w" * 65, "extra": "x"}}
        self.assertIsNone(ka.operator_from_client(said))
        self.assertEqual(ka.operator_from_client({"operator": {"user": "bob", "workstation": 7}}), {"user": "bob"})
        self.assertIsNone(ka.operator_from_client({"operator": "alice"}))
        self.assertIsNone(ka.operator_from_client(None))


class ApplyTest(ApplyTestBase):
    def test_applied(self):
        old_sha = ka.sha256_hex(OLD.encode())
        result = self.apply()
        self.assertEqual(result["result"], "applied")
        self.assertEqual(self.conf.read_text(), NEW)
        self.assertEqual(self.conf.stat().st_mode & 0o7777, 0o640, "mode kept")
        self.assertEqual(self.reloads, [NEW], "reloaded once, after the write")
        self.assertEqual(result["old_sha256"], old_sha)
        self.assertEqual(result["new_sha256"], ka.sha256_hex(NEW.encode()))
        backup = self.ops.backup_dir(str(self.conf)) / result["backup"]
        self.assertEqual(backup.read_text(), OLD)
        self.assertEqual(backup.stat().st_mode & 0o777, 0o600, "backups may hold passwords")
        order = [s for s, status in self.steps() if status in ("ok", "failed", "skipped")]
        self.assertEqual(order, STEP_ORDER)
        self.assertTrue(all(e["id"] == 42 and e["event"] == "apply.step" for e in self.agent.events))
        self.assertEqual(self.agent.events[0]["step"], "lock")
        [line] = self.audit()
        self.assertEqual((line["result"], line["old_sha256"], line["new_sha256"], line["op"], line["reason"]),
                         ("applied", old_sha, result["new_sha256"], "apply", "test change"))
        self.assertIn("time", line)
        self.assertIn("user", line)
        self.assertIsNone(line["operator"], "no client named an operator")
        self.assertEqual(sorted(p.name for p in self.etc.iterdir()), ["keepalived.conf"], "no temporary left")

    def test_the_audit_line_names_the_operator_the_client_named(self):
        self.ops.operator = ka.operator_from_client({"name": "keepwatch", "operator": {"user": "alice", "workstation": "desk-7"}})
        self.apply()
        [line] = self.audit()
        self.assertEqual(line["operator"], {"user": "alice", "workstation": "desk-7"})

    def test_conflict_returns_the_current_text(self):
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply(base="0" * 64)
        err = ctx.exception
        self.assertEqual(err.code, "conflict")
        self.assertEqual(err.details["current_text"], OLD)
        self.assertEqual(err.details["current_sha256"], ka.sha256_hex(OLD.encode()))
        self.assertEqual(self.conf.read_text(), OLD)
        self.assertEqual((self.checks, self.reloads), ([], []))
        self.assertEqual(self.ops.list_backups(str(self.conf)), [])
        self.assertEqual([a["result"] for a in self.audit()], ["conflict"])

    def test_check_failure_touches_nothing(self):
        self.check_result = {"ok": False, "errors": 1, "warnings": 0, "exit_code": 5, "output": "x",
                             "diagnostics": [{"file": str(self.conf), "line": 2, "severity": "error",
                                              "instance": None, "message": "number '300' outside range [1, 255]"}]}
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply()
        self.assertEqual(ctx.exception.code, "check_failed")
        self.assertEqual(ctx.exception.details["diagnostics"][0]["line"], 2)
        self.assertEqual(self.conf.read_text(), OLD)
        self.assertEqual(self.reloads, [])
        self.assertEqual(self.ops.list_backups(str(self.conf)), [])
        self.assertIn(("check", "failed"), self.steps())
        self.assertEqual([a["result"] for a in self.audit()], ["refused"])

    def test_unhealthy_instance_rolls_back(self):
        def fault():
            self.agent.instances = [instance(state="FAULT")]
        self.on_reload = fault
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply()
        err = ctx.exception
        self.assertEqual(err.code, "rolled_back")
        self.assertEqual(err.details["faulted"], ["VI_1"])
        self.assertTrue(err.details["daemon_alive"])
        self.assertEqual(self.conf.read_text(), OLD, "previous configuration restored")
        self.assertEqual(self.reloads, [NEW, OLD], "reloaded again with the restored file")
        self.assertIn(("rollback", "ok"), self.steps())
        self.assertEqual([a["result"] for a in self.audit()], ["rolled_back"])

    def test_rollback_dumps_the_restored_daemon_after_its_reload(self):
        """Found in the lab: a BACKUP put in FAULT by the failed config went back to BACKUP on the
        restored file, but no client heard of it until the periodic snapshot (30 s later)."""
        def fault():
            self.agent.instances = [instance(state="FAULT" if self.conf.read_text() == NEW else "BACKUP")]
        self.on_reload = fault
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply()
        log = self.agent.log
        self.assertEqual(log[-2:], [("reload", OLD), ("dump", "apply")], "a fresh dump after the restoring reload")
        self.assertEqual(ctx.exception.details["instances"],
                         [{"instance": "VI_1", "state": "BACKUP", "effective_priority": 100}])
        rollback_ok = [e for e in self.agent.events if e["step"] == "rollback" and e["status"] == "ok"]
        self.assertEqual(rollback_ok[0]["instances"][0]["state"], "BACKUP")

    def test_instance_missing_after_reload_rolls_back(self):
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply(NEW + "vrrp_instance VI_NEW {\n}\n")
        self.assertEqual(ctx.exception.code, "rolled_back")
        self.assertEqual(ctx.exception.details["missing"], ["VI_NEW"])
        self.assertEqual(self.conf.read_text(), OLD)

    def test_a_fault_that_was_there_before_is_not_blamed_on_the_change(self):
        self.agent.instances = [instance(state="FAULT")]
        self.assertEqual(self.apply()["result"], "applied")

    def test_daemon_exiting_after_reload_rolls_back(self):
        def die():
            self.sleeper.kill()
            self.sleeper.wait()
        self.on_reload = die
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply()
        self.assertEqual(ctx.exception.code, "rolled_back")
        self.assertFalse(ctx.exception.details["daemon_alive"])
        self.assertIn("not running", ctx.exception.message)
        self.assertEqual(self.conf.read_text(), OLD)
        self.assertEqual(self.reloads, [NEW], "a dead daemon is not signalled")

    def test_not_running_daemon_is_refused(self):
        self.sleeper.kill()
        self.sleeper.wait()
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply()
        self.assertEqual(ctx.exception.code, "not_running")
        self.assertEqual(self.conf.read_text(), OLD)

    def test_unchanged_text_is_a_no_op(self):
        result = self.apply(OLD)
        self.assertEqual(result["result"], "unchanged")
        self.assertEqual((self.checks, self.reloads), ([], []))
        self.assertEqual([a["result"] for a in self.audit()], ["unchanged"])

    def test_backups_keep_the_newest(self):
        texts = ["vrrp_instance VI_1 {\n  priority %d\n}\n" % p for p in range(101, 106)]
        for text in texts:
            self.apply(text)
        backups = self.ops.list_backups(str(self.conf))
        self.assertEqual(len(backups), 3)
        self.assertEqual([b["sha256"] for b in backups],
                         [ka.sha256_hex(t.encode()) for t in reversed(texts[1:4])], "newest first")
        self.assertEqual(len(self.audit()), 5, "one audit line per apply")

    def test_restore(self):
        first = self.apply()
        self.apply("vrrp_instance VI_1 {\n  priority 130\n}\n")
        data = self.ops.read_backup(str(self.conf), first["backup"])
        result = self.ops.apply(self.daemon, str(self.conf), ka.decode_text(data),
                                ka.sha256_hex(self.conf.read_bytes()), None, 43, "restore", first["backup"])
        self.assertEqual(result["result"], "applied")
        self.assertEqual(self.conf.read_text(), OLD)
        self.assertEqual(self.audit()[-1]["op"], "restore")
        self.assertEqual(self.audit()[-1]["restored_from"], first["backup"])

    def test_a_daemon_in_a_root_of_its_own_keeps_its_backups_apart(self):
        """A container's keepalived names its file /etc/keepalived/keepalived.conf as the machine's does: its
        backups must not be listed, restored or pruned as the machine's, and must stay its own across restarts,
        where /proc/<pid>/root (its fs_root) changes but leads to the same directory."""
        container_root = self.tmp / "container-root"
        container_root.mkdir()
        in_container = ka.Daemon(self.sleeper.pid, self.daemon.starttime)
        in_container.name = "in-container"
        in_container.fs_root = str(container_root)
        machine = ka.Daemon(self.sleeper.pid, self.daemon.starttime)
        machine.name = "machine"
        path = "/etc/keepalived/keepalived.conf"
        machine_key = self.ops.backup_key(machine, path)
        container_key = self.ops.backup_key(in_container, path)
        self.assertEqual(machine_key, path, "the machine's own files keep the key they always had")
        self.assertNotEqual(container_key, machine_key)
        self.ops.backup(container_key, b"the container's file\n")
        for n in range(5):       # more than backup_keep: pruning one must not touch the other's
            self.ops.backup(machine_key, ("the machine's file %d\n" % n).encode())
        [kept] = self.ops.list_backups(container_key)
        self.assertEqual(self.ops.read_backup(container_key, kept["name"]), b"the container's file\n")
        machine_backups = self.ops.list_backups(machine_key)
        self.assertEqual(len(machine_backups), 3)
        self.assertNotIn(kept["name"], [b["name"] for b in machine_backups])
        with self.assertRaises(ka.AgentError) as ctx:
            self.ops.read_backup(machine_key, kept["name"])
        self.assertEqual(ctx.exception.code, "not_found", "the container's backup cannot be named as the machine's")
        # started again: another /proc/<pid>/root, the same root directory
        again = self.tmp / "proc-root-after-restart"
        again.symlink_to(container_root)
        in_container.fs_root = str(again)
        self.assertEqual(self.ops.backup_key(in_container, path), container_key)

    def test_backup_names_are_checked(self):
        for name in ("../x.conf", ".hidden.conf", "a/b.conf", "x.txt"):
            with self.assertRaises(ka.AgentError) as ctx:
                self.ops.read_backup(str(self.conf), name)
            self.assertEqual(ctx.exception.code, "bad_args")
        with self.assertRaises(ka.AgentError) as ctx:
            self.ops.read_backup(str(self.conf), "20200101T000000.000000Z-abc.conf")
        self.assertEqual(ctx.exception.code, "not_found")

    def test_backup_read_gives_one_backups_text(self):
        """config.backup.read: the text of one backup of one of the daemon's files, with its sha256."""
        first = self.apply()
        requests = ka.ConfigRequests(self.ops, lambda name: self.daemon, self.settings)
        result = requests.backup_read(7, {"daemon": "test", "backup": first["backup"]})
        self.assertEqual((result["text"], result["path"], result["name"], result["daemon"]),
                         (OLD, str(self.conf), first["backup"], "test"))
        self.assertEqual(result["sha256"], ka.sha256_hex(OLD.encode()))
        self.assertEqual(result["size"], len(OLD.encode()))

    def include_backup(self):
        """An include of the daemon's configuration with one backup: (the include, its backup's name, requests)."""
        inc = self.etc / "peers.conf"
        inc.write_text("! peers\n")
        self.conf.write_text("include peers.conf\n" + OLD)
        base = ka.sha256_hex(inc.read_bytes())
        inc_backup = self.ops.apply(self.daemon, str(inc), "! peers 2\n", base, "r", 1, "apply")["backup"]
        return inc, inc_backup, ka.ConfigRequests(self.ops, lambda name: self.daemon, self.settings)

    def test_backup_read_refuses_paths_and_other_files_backups(self):
        """The attacks: a path in the name, a file outside the daemon's configuration, another file's backup
        (an include's backup named against the main file), a NUL byte."""
        inc, inc_backup, requests = self.include_backup()
        for args, code in (({"backup": "../" + inc_backup}, "bad_args"),
                           ({"backup": "/etc/passwd"}, "bad_args"),
                           ({"backup": "x\0.conf"}, "bad_args"),
                           ({"backup": "..conf"}, "bad_args"),
                           ({"backup": inc_backup, "path": "/etc/passwd"}, "forbidden_path"),
                           ({"backup": inc_backup}, "not_found")):
            with self.subTest(args=args):
                with self.assertRaises(ka.AgentError) as ctx:
                    requests.backup_read(8, dict(args, daemon="test"))
                self.assertEqual(ctx.exception.code, code)
        self.assertEqual(requests.backup_read(9, {"daemon": "test", "backup": inc_backup, "path": str(inc)})["text"],
                         "! peers\n")

    @unittest.skipUnless(os.geteuid() == 0, "the attack is on an agent running as root: only root can plant a link to "
                                            "another user's file among root's backups")
    def test_a_link_planted_among_the_backups_is_not_read(self):
        inc, _, requests = self.include_backup()
        secret = self.tmp / "secret"
        secret.write_text("not a backup")
        os.chmod(str(secret), 0o644)
        os.chown(str(secret), 65534, 65534)
        link = self.ops.backup_dir(str(inc)) / "20300101T000000.000000Z-000000000000.conf"
        os.symlink(str(secret), str(link))
        with self.assertRaises(ka.AgentError) as ctx:
            requests.backup_read(10, {"daemon": "test", "backup": link.name, "path": str(inc)})
        self.assertEqual(ctx.exception.code, "untrusted", "a file another user controls is not read as a backup")

    def test_lock_held_elsewhere_means_busy(self):
        lock = self.ops.lock_path(self.daemon)
        lock.parent.mkdir(parents=True, exist_ok=True)
        with lock.open("a") as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX)
            with self.assertRaises(ka.AgentError) as ctx:
                self.apply()
        self.assertEqual(ctx.exception.code, "busy")
        self.assertEqual(self.conf.read_text(), OLD)
        self.assertEqual([a["result"] for a in self.audit()], ["busy"])

    def test_two_applies_at_once_one_wins_one_conflicts(self):
        base = ka.sha256_hex(self.conf.read_bytes())
        self.settings.values["lock_timeout"] = 10.0
        outcomes = []

        def run(text):
            try:
                outcomes.append(self.ops.apply(self.daemon, str(self.conf), text, base, None, 1, "apply")["result"])
            except ka.AgentError as exc:
                outcomes.append(exc.code)
        threads = [threading.Thread(target=run, args=(t,)) for t in (NEW, NEW.replace("120", "130"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(outcomes), ["applied", "conflict"])

    def test_paths_are_only_the_daemons_files(self):
        inc = self.etc / "conf.d" / "peers.conf"
        inc.parent.mkdir()
        inc.write_text("! peers\n")
        self.conf.write_text("include conf.d/*.conf\n" + OLD)
        _, target = self.ops.resolve_target(self.daemon, str(inc))
        self.assertEqual(target, str(inc))
        self.assertEqual(self.ops.resolve_target(self.daemon, None)[1], str(self.conf))
        for path in ("/etc/passwd", str(self.etc / "other.conf")):
            with self.assertRaises(ka.AgentError) as ctx:
                self.ops.resolve_target(self.daemon, path)
            self.assertEqual(ctx.exception.code, "forbidden_path")
        self.settings.values["allowed_paths"] = [str(self.etc / "other.conf")]
        self.assertEqual(self.ops.resolve_target(self.daemon, str(self.etc / "other.conf"))[1], str(self.etc / "other.conf"))


FAULT_SCRIPT = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
from kwtlab import agent_module
from test_apply import FakeAgent
ka = agent_module()
conf, state, pid, starttime = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
d = ka.Daemon(pid, starttime)
d.name, d.config = "test", conf
ops = ka.ConfigOps(FakeAgent(ka.Settings({"state_dir": state, "health_min": 0.05})))
ops.check_files = lambda d, candidates: {"ok": True, "errors": 0, "warnings": 0, "diagnostics": []}
ops._reload = lambda d, step: None
base = ka.sha256_hex(open(conf, "rb").read())
ops.apply(d, conf, sys.argv[6], base, None, 1, "apply")
print("survived")
"""


class FaultInjectionTest(ApplyTestBase):
    """The agent killed mid-apply (KEEPWATCH_AGENT_TEST_FAULT) never leaves a half-written file."""

    def run_with_fault(self, fault):
        env = dict(os.environ, KEEPWATCH_AGENT_TEST_FAULT=fault)
        return subprocess.run([sys.executable, "-c", FAULT_SCRIPT, str(Path(__file__).parent), str(self.conf),
                               str(self.tmp / "state"), str(self.daemon.pid), str(self.daemon.starttime), NEW],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)

    def test_killed_before_rename(self):
        proc = self.run_with_fault("kill:before_rename")
        self.assertEqual(proc.returncode, -signal.SIGKILL, proc.stderr.decode())
        self.assertEqual(self.conf.read_text(), OLD, "the old file is whole")
        leftovers = [p.name for p in self.etc.iterdir() if p.name != "keepalived.conf"]
        self.assertEqual(len(leftovers), 1)
        self.assertTrue(leftovers[0].startswith(".keepalived.conf.keepwatch-"))
        self.assertEqual(len(self.ops.list_backups(str(self.conf))), 1, "the backup was taken")
        # the next apply clears the dead agent's temporary file
        self.assertEqual(self.apply()["result"], "applied")
        self.assertEqual(sorted(p.name for p in self.etc.iterdir()), ["keepalived.conf"])

    def test_killed_after_backup(self):
        proc = self.run_with_fault("kill:after_backup")
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        self.assertEqual(self.conf.read_text(), OLD)
        self.assertEqual(sorted(p.name for p in self.etc.iterdir()), ["keepalived.conf"])

    def test_without_fault_it_completes(self):
        proc = self.run_with_fault("")
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        self.assertEqual(self.conf.read_text(), NEW)

    def test_fault_variable_is_ignored_unless_it_names_a_point(self):
        self.assertTrue(str(AGENT_PATH).endswith("keepwatch_agent.py"))
        proc = self.run_with_fault("kill:nowhere")
        self.assertEqual(proc.returncode, 0)


if __name__ == "__main__":
    unittest.main()
