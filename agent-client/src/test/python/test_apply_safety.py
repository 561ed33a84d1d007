"""Attacks on config.check / config.apply (issue 13), performed on files in a temporary directory.

keepalived -t is a fake keepalived (a shell script) that reports what it was given, the reload is the test's
(test_apply.ApplyTestBase), the daemon a real sleeping process. test_live does the same against real keepalived.
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
import time
import unittest
from pathlib import Path

from kwtlab import AgentProcess, agent_module, is_root
from test_apply import NEW, OLD, ApplyTestBase, instance

ka = agent_module()
ORIGINAL_TOKEN = getattr(ka, "random_token", None)
NOBODY = 65534
NEUTRON = 64055     # a network node's neutron user: not root, and no passwd entry here
WRITES_ONLY_ROOTS = ("Keepwatch writes only configurations root alone controls (Neutron, for one, rewrites its own); "
                     "nothing was written")
SECRET = "vrrp_instance VI_1 {\n  priority 120\n  authentication {\n    auth_pass s3cr3t\n  }\n}\n"
# A keepalived -t that says which file it was given (its mode, its owner) and what lies in its TMPDIR.
FAKE_KEEPALIVED = """#!/bin/sh
stat -c 'candidate mode=%a uid=%u' "$3"
for f in "$TMPDIR"/candidate*; do [ -e "$f" ] && stat -c 'in tmpdir: %n mode=%a' "$f"; done
exit 0
"""
INCLUDE_OLD = "! peers\n"
INCLUDE_NEW = "! peers, changed\n"
INCLUDE_BAD = "! peers, breaks the health check\n"


def fake_keepalived(directory):
    path = directory / "keepalived"
    path.write_text(FAKE_KEEPALIVED)
    os.chmod(str(path), 0o755)
    return path


class CandidateTest(ApplyTestBase):
    """auth_pass world-readable during check and apply: the candidate for keepalived -t was written with the umask
    (0644), at a name anyone could guess."""

    def setUp(self):
        ApplyTestBase.setUp(self)
        self.ops.check_files = ka.ConfigOps.check_files.__get__(self.ops)    # the real check, with a fake keepalived
        exe = fake_keepalived(self.tmp)
        self.agent.keepalived_bin = lambda: str(exe)
        self.old_umask = os.umask(0o022)

    def tearDown(self):
        os.umask(self.old_umask)
        if ORIGINAL_TOKEN is not None:
            ka.random_token = ORIGINAL_TOKEN
        ApplyTestBase.tearDown(self)

    @unittest.skipUnless(is_root(), "the candidate is bind-mounted over the configuration, which needs root")
    def test_the_candidate_keepalived_reads_is_0600_while_it_runs(self):
        result = self.ops.check(self.daemon, str(self.conf), SECRET)
        self.assertIn("candidate mode=600 uid=0", result["output"], "keepalived -t reads a file only root can read")
        self.assertEqual(self.conf.read_text(), OLD, "the configuration itself is untouched")
        scratch = Path(self.settings.state_dir) / "tmp"
        self.assertEqual(os.stat(str(scratch)).st_mode & 0o777, 0o700)
        self.assertEqual(list(scratch.iterdir()), [], "the candidate is gone afterwards")

    @unittest.skipUnless(is_root(), "the attacker is another user")
    def test_a_file_planted_at_the_candidates_name_is_neither_followed_nor_used(self):
        scratch = Path(self.settings.state_dir) / "tmp"
        scratch.mkdir(parents=True, mode=0o700)
        victim = self.tmp / "victim"
        victim.write_text("nobody's file\n")
        os.chown(str(victim), NOBODY, NOBODY)
        # the name the agent used to take (pid and thread), and the name it will try first now
        planted = [scratch / ("candidate-%d-%d.conf" % (os.getpid(), threading.get_ident())),
                   scratch / ("candidate-%d-planted.conf" % os.getpid())]
        for name in planted:
            os.symlink(str(victim), str(name))
            os.lchown(str(name), NOBODY, NOBODY)
        tokens = iter(["planted", "fresh1", "fresh2"])
        ka.random_token = lambda: next(tokens)
        result = self.ops.check(self.daemon, str(self.conf), SECRET)
        self.assertEqual(victim.read_text(), "nobody's file\n", "the link was not followed")
        self.assertIn("candidate mode=600 uid=0", result["output"])
        self.assertIn("candidate-%d-fresh1.conf mode=600" % os.getpid(), result["output"], "a name of its own")
        self.assertTrue(all(os.path.islink(str(p)) for p in planted), "what was planted is left alone")

    @unittest.skipUnless(is_root(), "only an agent running as root writes candidates to its scratch directory")
    def test_a_scratch_directory_others_can_write_is_refused(self):
        scratch = Path(self.settings.state_dir) / "tmp"
        scratch.mkdir(parents=True)
        os.chmod(str(scratch), 0o777)
        with self.assertRaises(ka.AgentError) as ctx:
            self.ops.check(self.daemon, str(self.conf), SECRET)
        self.assertEqual(ctx.exception.code, "untrusted")
        self.assertIn("%s (uid %d, mode 0777) may be written by others" % (scratch, os.geteuid()), ctx.exception.message)
        self.assertEqual(list(scratch.iterdir()), [])

    @unittest.skipUnless(is_root(), "a daemon in another mount namespace is root's")
    def test_the_candidate_beside_the_configuration_is_0600(self):
        # A daemon whose files are seen through its root (a container): the candidate is written next to its
        # main file, where the agent used to write it with the umask.
        root = self.tmp / "container"
        (root / "etc").mkdir(parents=True)
        (root / "etc" / "keepalived.conf").write_text(OLD)
        self.daemon.fs_root = str(root)
        self.daemon.config = "/etc/keepalived.conf"
        result = self.ops.check(self.daemon, "/etc/keepalived.conf", SECRET)
        self.assertIn("candidate mode=600 uid=0", result["output"])
        self.assertEqual(sorted(p.name for p in (root / "etc").iterdir()), ["keepalived.conf"])

    @unittest.skipUnless(is_root(), "a daemon in another mount namespace is root's")
    def test_no_candidate_is_written_beside_a_configuration_another_user_owns(self):
        # A containerised Neutron's: the agent reads the neutron user's files for their daemon, and writes none there.
        root = self.tmp / "container"
        conf = root / "var" / "lib" / "neutron" / "keepalived.conf"
        conf.parent.mkdir(parents=True)
        conf.write_text(OLD)
        for path in (conf.parent, conf):
            os.chown(str(path), NEUTRON, NEUTRON)
        self.daemon.fs_root = str(root)
        self.daemon.config = "/var/lib/neutron/keepalived.conf"
        with self.assertRaises(ka.AgentError) as ctx:
            self.ops.check(self.daemon, self.daemon.config, SECRET)
        self.assertEqual(ctx.exception.code, "untrusted")
        self.assertIn("this configuration belongs to uid %d, and %s" % (NEUTRON, WRITES_ONLY_ROOTS), ctx.exception.message)
        self.assertEqual(sorted(p.name for p in conf.parent.iterdir()), ["keepalived.conf"])



class SymlinkTest(ApplyTestBase):
    """A symlinked keepalived.conf was replaced by a regular file on apply: it is written through its target."""

    def setUp(self):
        ApplyTestBase.setUp(self)
        self.real = self.etc / "real" / "keepalived.conf"
        self.real.parent.mkdir()
        self.conf.rename(self.real)
        os.symlink("real/keepalived.conf", str(self.conf))
        self.reloads_of = []
        self.on_reload = lambda: self.reloads_of.append(self.real.read_text())

    def test_apply_writes_the_links_target_and_the_link_stays(self):
        result = self.apply(NEW)
        self.assertEqual(result["result"], "applied")
        self.assertTrue(os.path.islink(str(self.conf)), "the link is still a link")
        self.assertEqual(os.readlink(str(self.conf)), "real/keepalived.conf")
        self.assertEqual(self.real.read_text(), NEW)
        self.assertEqual(self.real.stat().st_mode & 0o7777, 0o640, "the target keeps its mode")
        self.assertEqual(result["files"][0]["target"], str(self.real))
        backup = self.ops.backup_dir(str(self.conf)) / result["backup"]
        self.assertEqual(backup.read_text(), OLD)
        self.assertEqual(sorted(p.name for p in self.real.parent.iterdir()), ["keepalived.conf"], "no temporary left")

    def test_rollback_restores_the_target_and_the_link_stays(self):
        def fault():
            self.agent.instances = [instance(state="FAULT" if self.real.read_text() == NEW else "BACKUP")]
        self.on_reload = fault
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply(NEW)
        self.assertEqual(ctx.exception.code, "rolled_back")
        self.assertTrue(os.path.islink(str(self.conf)))
        self.assertEqual(self.real.read_text(), OLD)

    def test_restore_writes_through_the_link(self):
        first = self.apply(NEW)
        data = self.ops.read_backup(str(self.conf), first["backup"])
        result = self.ops.apply(self.daemon, str(self.conf), ka.decode_text(data), ka.sha256_hex(NEW.encode()),
                                None, 43, "restore", first["backup"])
        self.assertEqual(result["result"], "applied")
        self.assertTrue(os.path.islink(str(self.conf)))
        self.assertEqual(self.real.read_text(), OLD)

    def assert_refused(self, words):
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply(NEW)
        self.assertEqual(ctx.exception.code, "untrusted")
        self.assertIn(words, ctx.exception.message)
        self.assertEqual(self.reloads, [])
        self.assertTrue(os.path.islink(str(self.conf)))

    @unittest.skipUnless(is_root(), "the attacker is another user")
    def test_a_target_another_user_owns_is_refused(self):
        os.chown(str(self.real), NOBODY, NOBODY)
        self.assert_refused("%s (the file the link %s points to) is owned by uid %d, not by root"
                            % (self.real, self.conf, NOBODY))
        self.assertEqual(self.real.read_text(), OLD)

    def test_a_target_in_a_directory_others_can_write_is_refused(self):
        os.chmod(str(self.real.parent), 0o777)
        self.assert_refused("is under %s, a directory writable by group or others (mode 0777)" % self.real.parent)
        self.assertEqual(self.real.read_text(), OLD)

    @unittest.skipUnless(is_root(), "the attacker is another user")
    def test_a_link_another_user_made_is_refused(self):
        os.lchown(str(self.conf), NOBODY, NOBODY)
        self.assert_refused("%s is a symbolic link owned by uid %d, not by root" % (self.conf, NOBODY))


@unittest.skipUnless(is_root(), "the configuration is another user's")
class ConfigOwnerTest(ApplyTestBase):
    """ADR 0003: a root keepalived's configuration that another user owns (Neutron's, the neutron user's) is read for
    its daemon, as root's is, but never written: an apply or restore is refused, saying whose it is."""

    def setUp(self):
        ApplyTestBase.setUp(self)
        self.give(NEUTRON)

    def give(self, uid):
        for path in (self.etc, self.conf):
            os.chown(str(path), uid, uid)

    def assert_refused(self, op, uid_words):
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply(NEW, op=op)
        self.assertEqual(ctx.exception.code, "untrusted")
        self.assertIn("%s is under %s, a directory owned by uid" % (self.conf, self.etc), ctx.exception.message)
        self.assertIn("this configuration belongs to %s, and %s" % (uid_words, WRITES_ONLY_ROOTS), ctx.exception.message)
        self.assertEqual((self.conf.read_text(), self.reloads, self.checks), (OLD, [], []))
        self.assertEqual(sorted(p.name for p in self.etc.iterdir()), ["keepalived.conf"], "no temporary left")

    def test_an_apply_or_restore_is_refused_saying_whose_the_configuration_is(self):
        self.assert_refused("apply", "uid %d" % NEUTRON)
        self.assert_refused("restore", "uid %d" % NEUTRON)
        self.give(NOBODY)
        self.assert_refused("apply", "uid %d (nobody)" % NOBODY)
        self.assertEqual([line["result"] for line in self.audit()], ["failed"] * 3)

    def test_the_agent_reads_such_a_configuration_and_refuses_to_apply_it(self):
        (self.tmp / "proc").mkdir()
        agent = AgentProcess("--default-config", str(self.conf), "--proc-root", str(self.tmp / "proc"),
                             "--state-dir", str(self.tmp / "state"), "--neutron-ha-confs", str(self.tmp / "none"))
        self.addCleanup(agent.close)
        read = agent.call("config.read", {"daemon": "keepalived"})
        self.assertTrue(read["ok"], read)
        self.assertEqual(read["result"]["files"][0]["text"], OLD)
        response = agent.call("config.apply", {"daemon": "keepalived", "text": NEW,
                                               "base_sha256": read["result"]["files"][0]["sha256"]})
        self.assertFalse(response["ok"], response)
        self.assertEqual(response["error"]["code"], "untrusted")
        self.assertIn("this configuration belongs to uid %d, and %s" % (NEUTRON, WRITES_ONLY_ROOTS),
                      response["error"]["message"])
        self.assertEqual(self.conf.read_text(), OLD)


class IncludeTestBase(ApplyTestBase):
    """A main file including conf.d/peers.conf."""

    def setUp(self):
        ApplyTestBase.setUp(self)
        self.inc = self.etc / "conf.d" / "peers.conf"
        self.inc.parent.mkdir()
        self.inc.write_text(INCLUDE_OLD)
        self.main_old = "include conf.d/*.conf\n" + OLD
        self.main_new = "include conf.d/*.conf\n" + NEW
        self.conf.write_text(self.main_old)
        self.on_reload = self.reload_both
        self.reloaded = []       # (main, include) at each reload

    def reload_both(self):
        self.reloaded.append((self.conf.read_text(), self.inc.read_text()))
        bad = self.inc.read_text() == INCLUDE_BAD
        self.agent.instances = [instance(state="FAULT" if bad else "BACKUP")]

    def edits(self, main, include):
        return [ka.FileEdit(str(self.conf), main, ka.sha256_hex(self.conf.read_bytes())),
                ka.FileEdit(str(self.inc), include, ka.sha256_hex(self.inc.read_bytes()))]


class MultiFileApplyTest(IncludeTestBase):
    """A multi-file edit was pushed file by file with no joint rollback: it is one apply now."""

    def test_two_files_are_checked_written_and_reloaded_as_one(self):
        result = self.ops.apply_files(self.daemon, self.edits(self.main_new, INCLUDE_NEW), "both", 7, "apply")
        self.assertEqual(result["result"], "applied")
        self.assertEqual(self.checks, [{str(self.conf): self.main_new, str(self.inc): INCLUDE_NEW}], "one check of both")
        self.assertEqual(self.reloaded, [(self.main_new, INCLUDE_NEW)], "one reload, with both files new")
        self.assertEqual([f["path"] for f in result["files"]], [str(self.conf), str(self.inc)])
        for f, old in zip(result["files"], (self.main_old, INCLUDE_OLD)):
            self.assertEqual(self.ops.read_backup(f["path"], f["backup"]).decode(), old)
        [line] = self.audit()
        self.assertEqual((line["result"], [f["path"] for f in line["files"]]), ("applied", [str(self.conf), str(self.inc)]))
        oks = [e["step"] for e in self.agent.events if e["status"] == "ok"]
        self.assertEqual(oks, ["lock", "compare", "check", "backup", "write", "reload", "health", "audit"])
        self.assertTrue(all(e["paths"] == [str(self.conf), str(self.inc)] for e in self.agent.events))

    def test_when_the_second_file_fails_the_health_check_both_are_restored(self):
        with self.assertRaises(ka.AgentError) as ctx:
            self.ops.apply_files(self.daemon, self.edits(self.main_new, INCLUDE_BAD), "both", 7, "apply")
        self.assertEqual(ctx.exception.code, "rolled_back")
        self.assertEqual(ctx.exception.details["faulted"], ["VI_1"])
        self.assertEqual([r["path"] for r in ctx.exception.details["restored"]], [str(self.conf), str(self.inc)])
        self.assertEqual((self.conf.read_text(), self.inc.read_text()), (self.main_old, INCLUDE_OLD), "both restored")
        self.assertEqual(self.reloaded, [(self.main_new, INCLUDE_BAD), (self.main_old, INCLUDE_OLD)])
        self.assertEqual([a["result"] for a in self.audit()], ["rolled_back"])
        self.assertFalse(self.ops.intent_path(self.daemon).exists())

    def test_a_conflict_in_the_second_file_writes_nothing(self):
        edits = self.edits(self.main_new, INCLUDE_NEW)
        self.inc.write_text("! changed by someone else\n")
        with self.assertRaises(ka.AgentError) as ctx:
            self.ops.apply_files(self.daemon, edits, None, 7, "apply")
        self.assertEqual(ctx.exception.code, "conflict")
        self.assertEqual(ctx.exception.details["path"], str(self.inc))
        self.assertEqual(self.conf.read_text(), self.main_old)
        self.assertEqual((self.checks, self.reloads), ([], []))

    def test_a_file_that_cannot_be_written_puts_back_the_ones_written_before_it(self):
        original = ka.atomic_write

        def failing(target, data, like=None, fault=None):
            if Path(target) == self.inc and data == INCLUDE_NEW.encode():
                raise OSError(28, "No space left on device")
            original(target, data, like, fault)
        ka.atomic_write = failing
        try:
            with self.assertRaises(ka.AgentError) as ctx:
                self.ops.apply_files(self.daemon, self.edits(self.main_new, INCLUDE_NEW), None, 7, "apply")
        finally:
            ka.atomic_write = original
        self.assertEqual(ctx.exception.code, "io_error")
        self.assertIn("the files written before it were put back, keepalived was not reloaded", ctx.exception.message)
        self.assertEqual((self.conf.read_text(), self.inc.read_text()), (self.main_old, INCLUDE_OLD))
        self.assertEqual(self.reloads, [])
        self.assertFalse(self.ops.intent_path(self.daemon).exists())


    def test_a_rollback_that_cannot_put_a_file_back_leaves_the_apply_reported(self):
        original = ka.atomic_write

        def failing(target, data, like=None, fault=None):
            if Path(target) == self.inc and data == INCLUDE_OLD.encode():
                raise OSError(28, "No space left on device")
            original(target, data, like, fault)
        ka.atomic_write = failing
        try:
            with self.assertRaises(ka.AgentError) as ctx:
                self.ops.apply_files(self.daemon, self.edits(self.main_new, INCLUDE_BAD), None, 7, "apply")
        finally:
            ka.atomic_write = original
        self.assertEqual(ctx.exception.code, "io_error")
        self.assertIn("peers.conf: [Errno 28] No space left on device", ctx.exception.message)
        self.assertEqual((self.conf.read_text(), self.inc.read_text()), (self.main_old, INCLUDE_BAD))
        [report] = self.ops.unfinished_applies()
        self.assertEqual((report["outcome"], report["on_disk"]), ("rollback_failed", "mixed"))
        self.assertEqual([a["result"] for a in self.audit()], ["rollback_failed"], "its line is written, once")


class DaemonLockTest(IncludeTestBase):
    """The lock was per file, not per daemon: applies to a main file and its include ran at once."""

    def test_an_apply_to_the_include_waits_for_the_one_to_the_main_file_then_is_busy(self):
        in_reload = threading.Event()
        release = threading.Event()

        def hold():
            in_reload.set()
            release.wait(10)
        self.on_reload = hold
        outcome = {}

        def main_apply():
            outcome["main"] = self.apply(self.main_new)["result"]
        first = threading.Thread(target=main_apply)
        first.start()
        try:
            self.assertTrue(in_reload.wait(10))
            with self.assertRaises(ka.AgentError) as ctx:
                self.ops.apply(self.daemon, str(self.inc), INCLUDE_NEW, ka.sha256_hex(self.inc.read_bytes()), None, 9, "apply")
        finally:
            release.set()
            first.join(10)
        self.assertEqual(ctx.exception.code, "busy")
        self.assertIn("busy: another apply to daemon test (%s and its includes) has held its lock" % self.conf,
                      ctx.exception.message)
        self.assertEqual(self.inc.read_text(), INCLUDE_OLD, "the include was not touched")
        self.assertEqual(outcome, {"main": "applied"})
        self.assertEqual(sorted(a["result"] for a in self.audit()), ["applied", "busy"])

    def test_the_lock_file_is_root_only_and_never_a_link(self):
        self.apply(self.main_new)
        lock = self.ops.lock_path(self.daemon)
        self.assertEqual(lock.stat().st_mode & 0o777, 0o600)
        self.assertEqual(lock.parent.stat().st_mode & 0o777, 0o700)
        victim = self.tmp / "victim"
        victim.write_text("x")
        lock.unlink()
        os.symlink(str(victim), str(lock))
        with self.assertRaises(ka.AgentError) as ctx:
            self.apply(self.main_old)
        self.assertEqual(ctx.exception.code, "untrusted")
        self.assertIn("the lock file %s is a symbolic link" % lock, ctx.exception.message)
        self.assertEqual(self.conf.read_text(), self.main_new)

    def test_one_lock_for_the_main_file_however_it_is_named(self):
        link = self.tmp / "other-name.conf"
        os.symlink(str(self.conf), str(link))
        other = ka.Daemon(self.daemon.pid, self.daemon.starttime)
        other.config = str(link)
        self.assertEqual(self.ops.lock_path(other), self.ops.lock_path(self.daemon))


FAULT_SCRIPT = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
from kwtlab import agent_module
from test_apply import FakeAgent
ka = agent_module()
conf, inc, state, pid, starttime = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
d = ka.Daemon(pid, starttime)
d.name, d.config = "test", conf
ops = ka.ConfigOps(FakeAgent(ka.Settings({"state_dir": state, "health_min": 0.05})))
ops.check_files = lambda d, candidates: {"ok": True, "errors": 0, "warnings": 0, "diagnostics": []}
ops._reload = lambda d, step: None
edits = [ka.FileEdit(conf, sys.argv[7], ka.sha256_hex(open(conf, "rb").read()))]
if len(sys.argv) > 8:
    edits.append(ka.FileEdit(inc, sys.argv[8], ka.sha256_hex(open(inc, "rb").read())))
ops.apply_files(d, edits, "before the crash", 5, "apply")
print("survived")
"""


class UnfinishedApplyTest(IncludeTestBase):
    """A crash after the rename left the new file on disk, never reloaded nor health-checked, with no audit line."""

    def kill_during_apply(self, fault, *texts):
        env = dict(os.environ, KEEPWATCH_AGENT_TEST_FAULT=fault, SUDO_USER="alice")
        proc = subprocess.run([sys.executable, "-c", FAULT_SCRIPT, str(Path(__file__).parent), str(self.conf),
                               str(self.inc), str(self.tmp / "state"), str(self.daemon.pid), str(self.daemon.starttime)]
                              + list(texts), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(proc.returncode, -signal.SIGKILL, proc.stderr.decode())
        return proc

    def test_killed_between_rename_and_reload_the_next_session_reports_it_and_audits_it(self):
        self.kill_during_apply("kill:before_reload", self.main_new)
        self.assertEqual(self.conf.read_text(), self.main_new, "the new file is on disk, keepalived never reloaded")
        self.assertEqual(self.audit(), [], "the killed agent wrote no line")
        [report] = self.ops.unfinished_applies()        # what a new session's hello says
        self.assertEqual((report["daemon"], report["op"], report["user"], report["reason"], report["request_id"]),
                         ("test", "apply", "alice", "before the crash", 5))
        [f] = report["files"]
        self.assertEqual((f["path"], f["old_sha256"], f["new_sha256"], f["on_disk"]),
                         (str(self.conf), ka.sha256_hex(self.main_old.encode()), ka.sha256_hex(self.main_new.encode()), "new"))
        self.assertEqual(self.ops.read_backup(str(self.conf), f["backup"]).decode(), self.main_old)
        self.assertEqual((report["on_disk"], report["cleared"]), ("new", False))
        self.assertAlmostEqual(report["ts"], time.time(), delta=30)
        [line] = self.audit()
        self.assertEqual((line["result"], line["user"], line["on_disk"], line["path"], line["new_sha256"]),
                         ("interrupted", "alice", "new", str(self.conf), f["new_sha256"]))
        self.assertIn("ended during this apply", line["message"])
        # every later session says it again, the audit log has it once
        self.assertEqual(len(self.ops.unfinished_applies()), 1)
        self.assertEqual(len(self.audit()), 1)
        record = self.ops.intent_path(self.daemon)
        self.assertEqual((record.stat().st_mode & 0o777, record.parent.stat().st_mode & 0o777), (0o600, 0o700))

    def test_an_apply_of_the_same_text_finishes_it_with_a_reload(self):
        self.kill_during_apply("kill:before_reload", self.main_new)
        result = self.apply(self.main_new)
        self.assertEqual(result["result"], "applied", "not unchanged: keepalived never ran this file")
        self.assertEqual(self.reloaded, [(self.main_new, INCLUDE_OLD)])
        self.assertEqual(result["finished_unfinished"]["request_id"], 5)
        self.assertEqual(self.ops.unfinished_applies(), [])
        self.assertEqual([a["result"] for a in self.audit()], ["interrupted", "applied"])

    def test_an_apply_that_fails_early_leaves_the_report_standing(self):
        self.kill_during_apply("kill:before_reload", self.main_new)
        with self.assertRaises(ka.AgentError):
            self.apply(NEW, base="0" * 64)
        self.assertEqual(len(self.ops.unfinished_applies()), 1)

    def test_killed_between_two_renames_says_which_file_is_which(self):
        self.kill_during_apply("kill:after_rename", self.main_new, INCLUDE_NEW)
        [report] = self.ops.unfinished_applies()
        self.assertEqual([(f["path"], f["on_disk"]) for f in report["files"]],
                         [(str(self.conf), "new"), (str(self.inc), "old")])
        self.assertEqual(report["on_disk"], "mixed")

    def test_killed_before_any_rename_it_is_reported_once_and_dropped(self):
        self.kill_during_apply("kill:before_rename", self.main_new)
        [report] = self.ops.unfinished_applies()
        self.assertEqual((report["on_disk"], report["cleared"]), ("old", True))
        self.assertEqual(self.ops.unfinished_applies(), [])
        self.assertEqual([a["result"] for a in self.audit()], ["interrupted"])

    def test_an_apply_under_way_is_not_unfinished(self):
        self.kill_during_apply("kill:before_reload", self.main_new)
        lock = self.ops.lock_path(self.daemon)
        with lock.open("a") as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX)
            self.assertEqual(self.ops.unfinished_applies(), [])
        self.assertEqual(self.audit(), [])


class ProtocolTest(unittest.TestCase):
    """config.apply's two request shapes, and bad ones refused in words."""

    def test_one_file_or_several(self):
        sha = "a" * 64
        self.assertEqual(ka.file_entries("config.apply", {"text": "x", "base_sha256": sha}, True), [(None, "x", sha)])
        files = [{"path": "/etc/k.conf", "text": "x", "base_sha256": sha}, {"path": "/etc/i.conf", "text": "y", "base_sha256": sha}]
        self.assertEqual(ka.file_entries("config.apply", {"files": files}, True),
                         [("/etc/k.conf", "x", sha), ("/etc/i.conf", "y", sha)])
        self.assertEqual(ka.file_entries("config.check", {"files": [{"path": "/etc/k.conf", "text": "x"}]}, False),
                         [("/etc/k.conf", "x", None)])

    def test_bad_shapes_are_named(self):
        sha = "a" * 64
        cases = [
            ({}, "config.apply needs argument 'text' (one file) or 'files' (several)"),
            ({"text": "x"}, "config.apply needs argument 'base_sha256'"),
            ({"files": [], "text": "x"}, "config.apply takes 'files' or 'text', not both"),
            ({"files": []}, "config.apply: 'files' is empty"),
            ({"files": ["x"]}, "files[0] must be an object {path, text, base_sha256}"),
            ({"files": [{"path": "k.conf", "text": "x", "base_sha256": sha}]}, "files[0].path must be an absolute path"),
            ({"files": [{"path": "/k", "text": "x", "base_sha256": "zz"}]}, "files[0].base_sha256 must be 64 hex digits"),
            ({"files": [{"path": "/k", "text": "x", "base_sha256": sha, "mode": 1}]}, "files[0] has unknown fields: mode"),
        ]
        for args, words in cases:
            with self.assertRaises(ka.AgentError) as ctx:
                ka.file_entries("config.apply", args, True)
            self.assertEqual(ctx.exception.code, "bad_args")
            self.assertIn(words, ctx.exception.message)


if __name__ == "__main__":
    unittest.main()
