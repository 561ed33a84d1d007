"""Small pieces: rtnetlink parsing, keepalived command lines, settings and the command line."""

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from kwtlab import agent_module

ka = agent_module()


def rtattr(atype, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, atype) + payload + b"\0" * ((4 - length % 4) % 4)


def nlmsg(mtype, payload, seq=0, flags=0):
    length = 16 + len(payload)
    return struct.pack("=IHHII", length, mtype, flags, seq, 0) + payload + b"\0" * ((4 - length % 4) % 4)


def newaddr_v4(address, prefix, index, label):
    body = struct.pack("=BBBBI", socket.AF_INET, prefix, 0, 0, index)
    body += rtattr(ka.IFA_ADDRESS, socket.inet_pton(socket.AF_INET, address))
    body += rtattr(ka.IFA_LOCAL, socket.inet_pton(socket.AF_INET, address))
    body += rtattr(ka.IFA_LABEL, label.encode() + b"\0")
    return body


class NetlinkTest(unittest.TestCase):
    def test_address_messages(self):
        v6 = struct.pack("=BBBBI", socket.AF_INET6, 64, 0, 0, 7) + rtattr(
            ka.IFA_ADDRESS, socket.inet_pton(socket.AF_INET6, "fd00:98::100"))
        data = nlmsg(ka.RTM_NEWADDR, newaddr_v4("10.99.0.100", 24, 5, "eth0")) + nlmsg(ka.RTM_DELADDR, v6, seq=9)
        messages = ka.parse_netlink(data)
        self.assertEqual([(m[0], m[2]) for m in messages], [(ka.RTM_NEWADDR, 0), (ka.RTM_DELADDR, 9)])
        v4 = ka.parse_ifaddr(messages[0][3])
        self.assertEqual((v4["address"], v4["prefix"], v4["ifindex"], v4["label"], v4["family"]),
                         ("10.99.0.100", 24, 5, "eth0", 4))
        addr6 = ka.parse_ifaddr(messages[1][3])
        self.assertEqual((addr6["address"], addr6["prefix"], addr6["ifindex"], addr6["label"]),
                         ("fd00:98::100", 64, 7, None))

    def test_link_message(self):
        body = struct.pack("=BxHiII", socket.AF_UNSPEC, 1, 4, 0, 0) + rtattr(ka.IFLA_IFNAME, b"eth0\0")
        self.assertEqual(ka.parse_ifinfo(body), (4, "eth0", False))
        with_carrier = struct.pack("=BxHiII", socket.AF_UNSPEC, 1, 4, ka.IFF_LOWER_UP | 0x1, 0) + rtattr(ka.IFLA_IFNAME, b"eth0\0")
        self.assertEqual(ka.parse_ifinfo(with_carrier), (4, "eth0", True))

    def test_truncated_input_is_ignored(self):
        data = nlmsg(ka.RTM_NEWADDR, newaddr_v4("10.0.0.1", 32, 1, "lo"))
        self.assertEqual(ka.parse_netlink(data[:-10]), [])
        self.assertIsNone(ka.parse_ifaddr(b"\x02"))

    def test_dump_request(self):
        request = ka.netlink_dump_request(ka.RTM_GETADDR, 3)
        length, mtype, flags, seq, _ = struct.unpack_from("=IHHII", request)
        self.assertEqual((length, mtype, seq), (len(request), ka.RTM_GETADDR, 3))
        self.assertEqual(flags, ka.NLM_F_REQUEST | ka.NLM_F_DUMP)

    def test_a_real_socket_in_our_namespace(self):
        sock = ka.open_netlink_socket(None)
        try:
            watch = ka.NetnsWatch(0, None, None)
            watch.sock = sock
            watch.resync()
            self.assertTrue(watch.links, "every namespace has at least lo")
            self.assertTrue(all(not ka.is_link_local(a) for a, _ in watch.addrs))
        finally:
            sock.close()


class KeepalivedArgvTest(unittest.TestCase):
    def test_neutron_command_line(self):
        argv = ["keepalived", "-P", "-f", "/var/lib/neutron/ha_confs/R/keepalived.conf", "-p",
                "/var/lib/neutron/ha_confs/R.pid.keepalived", "-r", "/var/lib/neutron/ha_confs/R.pid.keepalived-vrrp"]
        opts = ka.parse_keepalived_argv(argv)
        self.assertEqual(opts["f"], "/var/lib/neutron/ha_confs/R/keepalived.conf")
        self.assertEqual(opts["r"], "/var/lib/neutron/ha_confs/R.pid.keepalived-vrrp")
        self.assertTrue(opts["P"])

    def test_long_and_clustered_forms(self):
        opts = ka.parse_keepalived_argv(["keepalived", "--dont-fork", "--log-console", "--use-file=/a.conf",
                                         "--vrrp_pid", "/v.pid", "-lDn", "-i", "node1", "-f/b.conf"])
        self.assertEqual(opts["f"], "/b.conf")
        self.assertEqual(opts["r"], "/v.pid")
        self.assertEqual(opts["i"], "node1")
        self.assertTrue(opts["n"] and opts["l"] and opts["D"])

    def test_probes_are_recognised(self):
        self.assertIn("t", ka.parse_keepalived_argv(["keepalived", "-t", "-f", "x"]))
        self.assertIn("signum", ka.parse_keepalived_argv(["keepalived", "--signum=JSON"]))


class SettingsTest(unittest.TestCase):
    def test_defaults_file_and_flags(self):
        tmp = Path(tempfile.mkdtemp(prefix="kwt-agent-settings-"))
        try:
            conf = tmp / "agent.json"
            conf.write_text(json.dumps({"heartbeat_interval": 5, "allowed_paths": ["/etc/x.conf"],
                                        "state_dir": str(tmp)}))
            command, settings = ka.load_settings(["serve", "--config", str(conf), "--heartbeat-interval", "0.5",
                                                  "--snapshot-interval=60", "--backup-keep", "3"])
            self.assertEqual(command, "serve")
            self.assertEqual(settings.heartbeat_interval, 0.5)          # flag beats file
            self.assertEqual(settings.snapshot_interval, 60.0)
            self.assertEqual(settings.backup_keep, 3)
            self.assertEqual(settings.allowed_paths, ["/etc/x.conf"])
            self.assertEqual(settings.audit_log, str(tmp / "audit.log"))
            self.assertEqual(settings.rescan_interval, ka.DEFAULT_SETTINGS["rescan_interval"])
        finally:
            shutil.rmtree(str(tmp), ignore_errors=True)

    def test_bad_input(self):
        for argv in (["--nope", "1"], ["--heartbeat-interval", "abc"], ["frobnicate"], ["--heartbeat-interval"],
                     ["--heartbeat-interval", "-1"]):
            with self.subTest(argv=argv):
                with self.assertRaises(ka.UsageError):
                    ka.load_settings(argv)
        with self.assertRaises(ValueError):
            ka.Settings({"unknown": 1})

    def test_help(self):
        import contextlib
        import io
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(ka.main(["--help"]), 0)
            self.assertEqual(ka.main(["--bogus"]), 2)
        self.assertIn("--heartbeat-interval", err.getvalue())
        self.assertIn("unknown option --bogus", err.getvalue())


class SmallHelpersTest(unittest.TestCase):
    def test_sha256_matches_hashlib(self):
        import hashlib
        for data in (b"", b"keepalived", os.urandom(5000)):
            self.assertEqual(ka.sha256_hex(data), hashlib.sha256(data).hexdigest())

    def test_times(self):
        self.assertEqual(ka.iso_time(0.5), "1970-01-01T00:00:00.500000Z")
        self.assertEqual(ka.compact_time(86400.25), "19700102T000000.250000Z")

    def test_stagger_is_stable_and_in_range(self):
        self.assertEqual(ka.stagger("r1", 30.0), ka.stagger("r1", 30.0))
        self.assertTrue(all(0 <= ka.stagger("r%d" % i, 30.0) < 30.0 for i in range(100)))

    def test_signal_readiness_from_proc_status(self):
        tmp = Path(tempfile.mkdtemp(prefix="kwt-agent-sig-"))
        try:
            (tmp / "7").mkdir()
            status = tmp / "7" / "status"
            status.write_text("Name:\tkeepalived\nSigBlk:\t0000000000000000\nSigCgt:\t0000000000000000\n")
            self.assertFalse(ka.signal_caught(str(tmp), 7, 36), "a starting keepalived: SIGJSON would kill it")
            status.write_text("SigBlk:\t4000000800014a03\nSigIgn:\tbffffff7fffab034\nSigCgt:\t0000000000000000\n")
            for signum in (36, 10, 1):       # JSON, USR1, HUP as keepalived 2.2.7 blocks them
                self.assertTrue(ka.signal_caught(str(tmp), 7, signum))
            status.write_text("SigBlk:\t0\nSigCgt:\t0000000000000200\n")
            self.assertTrue(ka.signal_caught(str(tmp), 7, 10), "a handler counts too")
            self.assertFalse(ka.signal_caught(str(tmp), 8, 10), "no such process")
        finally:
            shutil.rmtree(str(tmp), ignore_errors=True)

    def test_pidfd_probe(self):
        self.assertIsInstance(ka.pidfd_probe(), bool)


class SignalCaughtRealProcessTest(unittest.TestCase):
    """A keepalived found right after exec would die of the dump signal: the agent asks /proc first."""

    SIGNUM = signal.SIGRTMIN + 2    # what keepalived --signum=JSON says on Linux

    def child(self, code: str) -> int:
        proc = subprocess.Popen([sys.executable, "-c", code + "; print('ready', flush=True); import time; time.sleep(30)"],
                                stdout=subprocess.PIPE)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        self.assertEqual(proc.stdout.readline().strip(), b"ready")
        return proc.pid

    def test_a_process_that_neither_blocks_nor_catches_the_signal_does_not_take_it(self) -> None:
        self.assertFalse(ka.signal_caught("/proc", self.child("pass"), self.SIGNUM))

    def test_blocked_or_caught_it_does(self) -> None:
        blocked = self.child("import signal; signal.pthread_sigmask(signal.SIG_BLOCK, {%d})" % self.SIGNUM)
        caught = self.child("import signal; signal.signal(%d, lambda *a: None)" % self.SIGNUM)
        for pid in (blocked, caught):
            self.assertTrue(ka.signal_caught("/proc", pid, self.SIGNUM), pid)
        self.assertFalse(ka.signal_caught("/proc", blocked, signal.SIGUSR1), "only the signal that is blocked")

    def test_a_process_that_is_gone_is_not_signalled(self) -> None:
        proc = subprocess.Popen([sys.executable, "-c", "pass"])
        proc.wait()
        self.assertFalse(ka.signal_caught("/proc", proc.pid, self.SIGNUM))


if __name__ == "__main__":
    unittest.main()
