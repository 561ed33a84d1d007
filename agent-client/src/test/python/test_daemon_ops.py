"""Daemon control and logs, piece by piece: the start records and what the agent refuses to believe of them, signals
that never reach a recycled pid, systemctl's command line, log files the agent will not open, and keepalived's log
lines read into time, level and instance. The whole ops against real keepalived are in test_live_daemon.py."""

import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from kwtlab import agent_module, is_root

ka = agent_module()
NOBODY = 65534


def fake_daemon(key="/etc/keepalived/keepalived.conf|own", name="keepalived"):
    d = ka.Daemon(None, None)
    d.key = key
    d.name = name
    d.alive = False
    return d


def record_for(d, exe="/usr/sbin/keepalived"):
    return {"format": 1, "key": d.key, "name": d.name, "exe": exe, "argv": ["keepalived", "--dont-fork"],
            "cwd": "/", "netns": None, "tmpdir": None, "stdout": None, "stderr": None}


class LaunchRecordTest(unittest.TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp(prefix="kwt-agent-launch-"))
        self.addCleanup(subprocess.run, ["rm", "-rf", str(self.root)])
        self.state = self.root / "state"
        self.records = ka.LaunchRecords(ka.Settings({"state_dir": str(self.state)}))
        self.d = fake_daemon()

    def write_record(self, record, owner=None, mode=0o600):
        directory = self.state / "launch"
        directory.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(str(self.state), 0o700)
        path = directory / ka.launch_file_name(self.d.key)
        path.write_text(json.dumps(record))
        os.chmod(str(path), mode)
        if owner is not None:
            os.chown(str(path), owner, owner)
        return path

    def test_a_record_root_wrote_is_read_back(self):
        self.write_record(record_for(self.d))
        self.assertEqual(self.records.recall(self.d)["exe"], "/usr/sbin/keepalived")

    def test_no_record_is_not_found(self):
        with self.assertRaises(ka.AgentError) as caught:
            self.records.recall(self.d)
        self.assertEqual(caught.exception.code, "not_found")

    @unittest.skipUnless(is_root(), "chown needs root")
    def test_a_record_another_user_owns_is_refused(self):
        path = self.write_record(record_for(self.d, exe="/tmp/evil"), owner=NOBODY)
        with self.assertRaises(ka.AgentError) as caught:
            self.records.recall(self.d)
        self.assertEqual(caught.exception.code, "untrusted")
        self.assertIn(str(path), caught.exception.message)
        self.assertIn("uid 65534", caught.exception.message)

    def test_a_record_others_may_write_is_refused(self):
        self.write_record(record_for(self.d), mode=0o666)
        with self.assertRaises(ka.AgentError) as caught:
            self.records.recall(self.d)
        self.assertEqual(caught.exception.code, "untrusted")
        self.assertIn("mode 0666", caught.exception.message)

    def test_a_record_directory_others_may_write_is_refused(self):
        self.write_record(record_for(self.d))
        os.chmod(str(self.state / "launch"), 0o777)
        with self.assertRaises(ka.AgentError) as caught:
            self.records.recall(self.d)
        self.assertEqual(caught.exception.code, "untrusted")
        self.assertIn("launch", caught.exception.message)

    def test_a_record_that_is_a_link_is_not_followed(self):
        real = self.root / "elsewhere.json"
        real.write_text(json.dumps(record_for(self.d)))
        os.chmod(str(real), 0o600)
        directory = self.state / "launch"
        directory.mkdir(parents=True, mode=0o700)
        os.chmod(str(self.state), 0o700)
        (directory / ka.launch_file_name(self.d.key)).symlink_to(real)
        with self.assertRaises(ka.AgentError) as caught:
            self.records.recall(self.d)
        self.assertEqual(caught.exception.code, "untrusted")

    def test_a_record_of_another_daemon_or_with_a_relative_exe_is_refused(self):
        other = record_for(self.d)
        other["key"] = "/etc/other.conf|own"
        self.write_record(other)
        with self.assertRaises(ka.AgentError) as caught:
            self.records.recall(self.d)
        self.assertIn("another daemon", caught.exception.message)
        relative = record_for(self.d, exe="keepalived")
        self.write_record(relative)
        with self.assertRaises(ka.AgentError) as caught:
            self.records.recall(self.d)
        self.assertIn("exe is not an absolute path", caught.exception.message)

    def test_remembering_writes_a_private_file(self):
        me = subprocess.Popen(["sleep", "30"], stdout=subprocess.DEVNULL)
        self.addCleanup(me.wait)
        self.addCleanup(me.kill)
        d = fake_daemon()
        d.alive, d.pid, d.exe, d.cmdline, d.own_netns = True, me.pid, "/bin/sleep", ["sleep", "30"], True
        self.records.remember(d)
        path = self.state / "launch" / ka.launch_file_name(d.key)
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        record = self.records.recall(d)
        self.assertEqual((record["exe"], record["argv"], record["netns"], record["stdout"]),
                         ("/bin/sleep", ["sleep", "30"], None, None))   # stdout is /dev/null: no file

    def test_neutron_and_systemd_daemons_are_not_remembered(self):
        d = fake_daemon()
        d.alive, d.pid, d.exe, d.cmdline = True, os.getpid(), "/usr/sbin/keepalived", ["keepalived"]
        d.neutron_router = "6f1b9a52-3c1e-4e0b-9d7a-2f5c8e1a0b44"
        self.records.remember(d)
        d.neutron_router, d.systemd_unit = None, "keepalived.service"
        booted = tempfile.mkdtemp(prefix="kwt-agent-systemd-")
        self.addCleanup(os.rmdir, booted)
        saved = ka.SYSTEMD_RUNTIME_DIR
        try:
            ka.SYSTEMD_RUNTIME_DIR = booted
            self.records.remember(d)
        finally:
            ka.SYSTEMD_RUNTIME_DIR = saved
        self.assertFalse((self.state / "launch").exists())


class SignalTest(unittest.TestCase):
    def spawn(self):
        proc = subprocess.Popen(["sleep", "30"], stdout=subprocess.DEVNULL)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        return proc, ka.read_proc_stat("/proc", proc.pid).starttime

    def test_a_recycled_pid_is_never_signalled(self):
        """The pid the agent knew now belongs to another process (another start time): nothing is sent."""
        proc, starttime = self.spawn()
        with self.assertRaises(ka.AgentError) as caught:
            ka.signal_daemon("/proc", proc.pid, starttime - 1, signal.SIGTERM, "keepalived test")
        self.assertEqual(caught.exception.code, "not_running")
        self.assertIn("another process", caught.exception.message)
        time.sleep(0.1)
        self.assertIsNone(proc.poll(), "the other process still runs")

    def test_the_known_process_gets_the_signal(self):
        proc, starttime = self.spawn()
        ka.signal_daemon("/proc", proc.pid, starttime, signal.SIGTERM, "keepalived test")
        self.assertEqual(proc.wait(5), -signal.SIGTERM)

    def test_a_pid_that_is_gone_is_not_running(self):
        proc, starttime = self.spawn()
        proc.kill()
        proc.wait()
        with self.assertRaises(ka.AgentError) as caught:
            ka.signal_daemon("/proc", proc.pid, starttime, signal.SIGTERM, "keepalived test")
        self.assertEqual(caught.exception.code, "not_running")


class SystemctlTest(unittest.TestCase):
    def test_the_command_line(self):
        self.assertEqual(ka.systemctl_argv("/usr/bin/systemctl", "restart", "keepalived.service"),
                         ["/usr/bin/systemctl", "restart", "--", "keepalived.service"])
        self.assertEqual(ka.systemctl_argv("/usr/bin/systemctl", "reload", "keepalived@vi1.service")[-1],
                         "keepalived@vi1.service")

    def test_only_keepalived_service_units(self):
        for unit in ("sshd.service", "--help", "keepalived.service --now", "keepalived*.service", "keepalived.timer"):
            with self.subTest(unit):
                with self.assertRaises(ka.AgentError):
                    ka.systemctl_argv("/usr/bin/systemctl", "stop", unit)
        with self.assertRaises(ka.AgentError) as caught:
            ka.systemctl_argv("/usr/bin/systemctl", "kill", "keepalived.service")
        self.assertEqual(caught.exception.code, "bad_args")

    def test_a_unit_counts_only_where_systemd_is_the_init_system(self):
        d = fake_daemon()
        d.systemd_unit = "keepalived.service"
        booted = tempfile.mkdtemp(prefix="kwt-agent-systemd-")
        self.addCleanup(os.rmdir, booted)
        saved = ka.SYSTEMD_RUNTIME_DIR
        try:
            ka.SYSTEMD_RUNTIME_DIR = booted
            self.assertEqual(ka.systemd_unit_of(d), "keepalived.service")
            self.assertFalse(ka.startable(d), "systemd starts it, not the agent")
            d.systemd_unit = "ssh.service"      # started from a login shell: its cgroup is sshd's
            self.assertIsNone(ka.systemd_unit_of(d))
            d.systemd_unit = "keepalived.service"
            ka.SYSTEMD_RUNTIME_DIR = booted + "/not-booted"
            self.assertIsNone(ka.systemd_unit_of(d), "a unit file without systemd running it")
        finally:
            ka.SYSTEMD_RUNTIME_DIR = saved

    def test_the_unit_is_the_one_systemd_manages_the_process_in(self):
        proc = Path(tempfile.mkdtemp(prefix="kwt-agent-cgroup-"))
        self.addCleanup(shutil.rmtree, str(proc))
        (proc / "7").mkdir()
        cases = {
            "0::/system.slice/keepalived.service\n": "keepalived.service",
            "0::/system.slice/system-keepalived.slice/keepalived@vi1.service\n": "keepalived@vi1.service",
            # hybrid and v1: the systemd hierarchy's line, not a controller's
            "4:memory:/box/keepalived.service\n1:name=systemd:/system.slice/keepalived.service\n"
            "0::/system.slice/keepalived.service\n": "keepalived.service",
            "4:memory:/system.slice/keepalived.service\n1:name=systemd:/user.slice/user-0.slice/session-2.scope\n":
                None,
            # a container's payload (nspawn, LXC) or a user's own manager: the unit is the delegating one
            "0::/machine.slice/machine-box.scope/payload/system.slice/keepalived.service\n": None,
            "0::/system.slice/kw-box.service/payload/system.slice/keepalived.service\n": "kw-box.service",
            "0::/user.slice/user-0.slice/user@0.service/app.slice/keepalived.service\n": "user@0.service",
            # outside the agent's cgroup namespace: not its systemd's
            "0::/../../system.slice/keepalived.service\n": None,
            "0::/\n": None,
        }
        for text, unit in cases.items():
            with self.subTest(text):
                (proc / "7" / "cgroup").write_text(text)
                self.assertEqual(ka.systemd_unit(str(proc), 7), unit)
        self.assertIsNone(ka.systemd_unit(str(proc), 8), "no such process")

    def test_the_real_systemctl_is_found_where_root_alone_controls_it(self):
        if os.environ.get("KW_LAB_ROOT_RELEASE") and not any(Path(d, "systemctl").exists()
                                                             for d in ka.TRUSTED_PROGRAM_DIRS):
            self.skipTest("no systemd in the %s node root (run-under-releases)" % os.environ["KW_LAB_ROOT_RELEASE"])
        found = ka.trusted_program("systemctl")
        self.assertTrue(found.startswith("/") and found.endswith("systemctl"), found)
        self.assertEqual(os.stat(found).st_uid, 0)

    def test_a_program_others_may_replace_is_refused(self):
        root = Path(tempfile.mkdtemp(prefix="kwt-agent-bin-"))
        self.addCleanup(subprocess.run, ["rm", "-rf", str(root)])
        os.chmod(str(root), 0o755)
        program = root / "systemctl"
        program.write_text("#!/bin/sh\ntouch %s/ran\n" % root)
        os.chmod(str(program), 0o777)
        with self.assertRaises(ka.AgentError) as caught:
            ka.trusted_program("systemctl", (str(root),))
        self.assertEqual(caught.exception.code, "untrusted")
        os.chmod(str(program), 0o755)
        os.chmod(str(root), 0o777)
        with self.assertRaises(ka.AgentError) as caught:
            ka.trusted_program("systemctl", (str(root),))
        self.assertIn("a directory", caught.exception.message)
        self.assertFalse((root / "ran").exists())

    def test_none_at_all_is_unsupported(self):
        with self.assertRaises(ka.AgentError) as caught:
            ka.trusted_program("systemctl", ("/nonexistent-kwt",))
        self.assertEqual(caught.exception.code, "unsupported")


class LogFileTrustTest(unittest.TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp(prefix="kwt-agent-logs-"))
        self.addCleanup(subprocess.run, ["rm", "-rf", str(self.root)])
        os.chmod(str(self.root), 0o755)
        self.log = self.root / "keepalived.log"
        self.log.write_text("Sat Dec  5 09:21:23 2026: (VI_1) Entering MASTER STATE\n")
        os.chmod(str(self.log), 0o644)

    def refused(self, path):
        with self.assertRaises(ka.AgentError) as caught:
            ka.read_log(ka.LogSource("file", path=str(path)), ka.LogFilter({}), 10)
        self.assertEqual(caught.exception.code, "untrusted")
        return caught.exception.message

    def test_roots_log_is_read(self):
        result = ka.read_log(ka.LogSource("file", path=str(self.log)), ka.LogFilter({}), 10)
        [line] = result["lines"]
        self.assertEqual((line["instance"], line["level"], line["text"]), ("VI_1", "notice", "(VI_1) Entering MASTER STATE"))

    @unittest.skipUnless(is_root(), "chown needs root")
    def test_a_log_another_user_owns_is_refused(self):
        os.chown(str(self.log), NOBODY, NOBODY)
        self.assertIn("uid 65534", self.refused(self.log))

    def test_a_log_others_may_write_is_refused(self):
        os.chmod(str(self.log), 0o666)
        self.assertIn("mode 0666", self.refused(self.log))

    def test_a_symlinked_log_is_not_followed(self):
        secret = self.root / "secret"
        secret.write_text("root's secret\n")
        os.chmod(str(secret), 0o600)
        link = self.root / "link.log"
        link.symlink_to(secret)
        self.assertIn("symbolic link", self.refused(link))

    @unittest.skipUnless(is_root(), "chown needs root")
    def test_a_log_in_a_directory_another_user_owns_is_refused(self):
        theirs = self.root / "theirs"
        theirs.mkdir()
        os.chown(str(theirs), NOBODY, NOBODY)
        log = theirs / "keepalived.log"
        log.write_text("x\n")
        self.assertIn("uid 65534", self.refused(log))

    def test_a_fifo_is_refused_without_blocking(self):
        fifo = self.root / "fifo.log"
        os.mkfifo(str(fifo), 0o644)
        started = time.monotonic()
        self.assertIn("FIFO", self.refused(fifo))
        self.assertLess(time.monotonic() - started, 2)

    def test_a_big_log_is_read_in_its_last_window_only(self):
        with self.log.open("a") as f:
            for i in range(200000):
                f.write("Sat Dec  5 09:21:23 2026: line %d of filler text to make the file large enough\n" % i)
            f.write("Sat Dec  5 09:21:24 2026: (VI_2) Entering FAULT STATE\n")
        result = ka.read_log(ka.LogSource("file", path=str(self.log)), ka.LogFilter({"instance": "VI_2"}), 10)
        self.assertTrue(result["truncated"])
        self.assertEqual([(l["instance"], l["level"]) for l in result["lines"]], [("VI_2", "err")])


class LogLineTest(unittest.TestCase):
    def test_console_lines(self):
        line = ka.parse_console_line("Sat Dec  5 09:21:25 2026: (VI_1) Backup received priority 0 advertisement", None)
        self.assertEqual(line["ts"], time.mktime((2026, 12, 5, 9, 21, 25, 0, 0, -1)))
        self.assertEqual((line["instance"], line["level"]), ("VI_1", "info"))
        more = ka.parse_console_line("              '/tmp/x/keepalived.conf' '-p'", 1.5)
        self.assertEqual((more["ts"], more["instance"]), (1.5, None))
        fault = ka.parse_console_line("Sat Dec  5 09:21:20 2026: (VI_1): entering FAULT state (interface eth0 down)", None)
        self.assertEqual((fault["instance"], fault["level"]), ("VI_1", "err"))
        for text in ("VRRP sockpool: [ifindex(  2), family(IPv4), proto(112), fd(12,13) multicast]",
                     "(/etc/keepalived/keepalived.conf: Line 12) Truncating auth_pass to 8 characters"):
            with self.subTest(text):
                self.assertIsNone(ka.line_instance(text))
        self.assertEqual(ka.parse_console_line("Sat Dec  5 09:21:20 2026: (/x.conf: Line 12) Truncating auth_pass to 8 "
                                               "characters", None)["level"], "warning")

    def test_syslog_lines(self):
        iso = ka.parse_syslog_line("2026-12-05T09:21:23.250000+00:00 net1 Keepalived_vrrp[812]: "
                                   "VRRP_Instance(VI_3) Transition to MASTER STATE", 2026)
        self.assertEqual((iso["ts"], iso["pid"], iso["instance"]), (1796462483.25, 812, "VI_3"))
        bsd = ka.parse_syslog_line("Dec  5 09:21:23 net1 Keepalived_vrrp[812]: (VI_1) Entering BACKUP STATE", 2026)
        self.assertEqual((bsd["instance"], bsd["level"], bsd["pid"]), ("VI_1", "notice", 812))
        self.assertIsNone(ka.parse_syslog_line("Dec  5 09:21:23 net1 sshd[1]: Accepted publickey for root", 2026))

    def test_journal_entries(self):
        entry = ka.parse_journal_entry(json.dumps({"__REALTIME_TIMESTAMP": "1796462483250000", "PRIORITY": "3",
                                                   "_PID": "812", "MESSAGE": "(VI_1) Entering MASTER STATE"}))
        self.assertEqual((entry["ts"], entry["level"], entry["pid"], entry["instance"]),
                         (1796462483.25, "err", 812, "VI_1"))
        raw = ka.parse_journal_entry(json.dumps({"PRIORITY": "6", "MESSAGE": list(b"(VI_2) \xff bytes")}))
        self.assertEqual((raw["instance"], raw["level"]), ("VI_2", "info"))
        # keepalived logs its state changes, starts and stops at info, its errors mostly too: the level is the more
        # severe of the entry's PRIORITY and keepalived's own words, as a file's line gets from the words alone
        levels = [ka.parse_journal_entry(json.dumps({"PRIORITY": priority, "MESSAGE": message}))["level"]
                  for priority, message in (("6", "(VI_1) Entering MASTER STATE"), ("6", "Startup complete"),
                                            ("6", "(VI_1) Entering FAULT STATE"), ("3", "(VI_1) Entering BACKUP STATE"),
                                            ("4", "Startup complete"), ("7", "(VI_1) Entering MASTER STATE"))]
        self.assertEqual(levels, ["notice", "info", "err", "err", "warning", "notice"])
        self.assertIsNone(ka.parse_journal_entry("not json"))

    def test_filters(self):
        lines = [ka.log_line(100.0, "err", "(VI_1) Entering FAULT STATE"), ka.log_line(200.0, "info", "(VI_2) hello"),
                 ka.log_line(300.0, "notice", "(VI_1) Entering MASTER STATE")]
        keep = lambda args: [l["ts"] for l in lines if ka.LogFilter(args).accepts(l)]
        self.assertEqual(keep({"instance": "VI_1"}), [100.0, 300.0])
        self.assertEqual(keep({"level": "notice"}), [100.0, 300.0])
        self.assertEqual(keep({"level": "err"}), [100.0])
        self.assertEqual(keep({"grep": "master"}), [300.0])
        self.assertEqual(keep({"since": 150, "until": 250}), [200.0])
        with self.assertRaises(ka.AgentError):
            ka.LogFilter({"level": "loud"})


class DaemonStartHelperTest(unittest.TestCase):
    def test_bad_usage_runs_nothing(self):
        for argv in ([], ["--", "/bin/true"], ["--cwd", "/", "--", "relative", "x"], ["--evil", "x", "--cwd", "/", "--",
                                                                                    "/bin/true", "true"]):
            with self.subTest(argv):
                with self.assertRaises((ValueError, IndexError)):
                    ka.parse_daemon_exec_args(argv)


if __name__ == "__main__":
    unittest.main()
