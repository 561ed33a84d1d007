"""daemon.* and log.* where systemd is the init system (root only; skipped otherwise, or when the node's root cannot
be built here).

A node whose PID 1 is systemd (lab/kwlab/systemd_node.py: bookworm's systemd root, lab/roots build --systemd, booted
in namespaces of its own; KWT_SYSTEMD_RELEASE=trixie for systemd 257), keepalived started by systemd as
keepalived.service (Debian's unit, Type=notify), and the real agent run inside the node in a scope of its own: stop,
start, restart and reload go through systemctl (the unit's state and MainPID follow, daemon.step events and the audit
line say so), a start of a running daemon and a stop of a stopped one change nothing, a drain by stopping the unit
ends when it is started by hand, and the log is the unit's journal, read and followed through a reload and a
failover (a state change, logged at info, is notice); a keepalived in a container's payload inside another unit is
never taken for the system's keepalived.service. The root is built on first use (about 2.5 minutes, cached).
Tests run in name order and share the node.
"""

import json
import os
import tempfile
import time
from pathlib import Path
import unittest

from kwtlab import AgentProcess, AGENT_PATH, is_root
from kwlab.system import LabError
from kwlab.systemd_node import DEFAULT_RELEASE, SystemdNode, unavailable

RELEASE_ENV = "KWT_SYSTEMD_RELEASE"      # the release whose systemd root the node boots: bookworm (252, the default)
VIP = "10.99.0.100"
UNIT = "keepalived.service"
AGENT_IN_NODE = "/opt/keepwatch/keepwatch_agent.py"
STATE_DIR = "/var/lib/keepwatch"
RELOAD_TIMEOUT_S = 15
ACTION_TIMEOUT_S = 60.0
SETTLE_TIMEOUT_S = 20.0
CONFIG = """global_defs {
    router_id kwt-systemd
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority 150
    advert_int 1
    virtual_ipaddress {
        %s/24
    }
}
""" % VIP


@unittest.skipUnless(is_root(), "needs root (a node with systemd as PID 1: namespaces, mounts, cgroups)")
class LiveSystemdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = unavailable()
        if why:
            raise unittest.SkipTest(why)
        release = os.environ.get(RELEASE_ENV, DEFAULT_RELEASE)
        try:
            SystemdNode.build_root(release, log=lambda line: None)
        except LabError as err:
            raise unittest.SkipTest("the systemd node's root cannot be built here: %s" % err)
        cls.node = SystemdNode("kwt-systemd", cls.scratch(), release)
        cls.agent = None
        try:
            cls.boot_state = cls.node.boot()
            # the node's only link: a veth pair of its own (eth0 for keepalived, its peer up so that eth0 is)
            cls.node.run(["ip", "link", "set", "lo", "up"])
            cls.node.run(["ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth1"])
            cls.node.run(["ip", "addr", "add", "10.99.0.1/24", "dev", "eth0"])
            cls.node.run(["ip", "link", "set", "eth1", "up"])
            cls.node.run(["ip", "link", "set", "eth0", "up"])
            cls.node.write("/etc/keepalived/keepalived.conf", CONFIG)
            cls.node.run(["systemctl", "start", UNIT])
            cls.wait_for(lambda: VIP in cls.addresses(), "keepalived (alone, priority 150) never became MASTER")
            cls.node.write(AGENT_IN_NODE, AGENT_PATH.read_text())
            cls.agent = AgentProcess("--state-dir", STATE_DIR, "--rescan-interval", "0.5",
                                     "--reload-timeout", str(RELOAD_TIMEOUT_S),
                                     command=cls.node.scope(["python3", AGENT_IN_NODE, "serve"]))
        except BaseException:
            cls.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.close()

    @classmethod
    def close(cls):
        try:
            if cls.agent is not None:
                cls.agent.close()
        finally:
            cls.node.close()

    @staticmethod
    def scratch():
        return Path(tempfile.mkdtemp(prefix="kwt-systemd-", dir="/var/tmp"))

    @staticmethod
    def wait_for(predicate, message, timeout=SETTLE_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(message)
            time.sleep(0.2)

    @classmethod
    def addresses(cls):
        return cls.node.run(["ip", "-o", "-4", "addr", "show", "dev", "eth0"]).stdout

    def unit(self):
        shown = self.node.unit(UNIT, "ActiveState", "SubState", "MainPID")
        return shown["ActiveState"], int(shown["MainPID"])

    def act(self, action):
        return self.agent.call("daemon." + action, {"daemon": "keepalived", "reason": "systemd live test"},
                               timeout=ACTION_TIMEOUT_S)

    def steps(self, mark, req_id=None):
        return [e for e in self.agent.events[mark:] if e.get("event") == "daemon.step"
                and (req_id is None or e["id"] == req_id)]

    def audit(self):
        return [json.loads(line) for line in self.node.read(STATE_DIR + "/audit.log").splitlines()]

    def daemon(self):
        [d] = self.agent.call("daemons")["result"]["daemons"]
        return d

    # -- tests -----------------------------------------------------------------------------

    def test_01_the_node_boots_with_systemd_and_the_agent_finds_the_unit(self):
        self.assertIn(self.boot_state, ("running", "degraded"))
        self.assertEqual(self.node.run(["cat", "/proc/1/comm"]).stdout.strip(), "systemd")
        state, main_pid = self.unit()
        d = self.daemon()
        self.assertEqual(state, "active")
        self.assertEqual((d["systemd_unit"], d["managed_by"], d["pid"], d["alive"]),
                         (UNIT, "systemd", main_pid, True), d)
        self.assertIsNotNone(d["vrrp_pid"])

    def test_02_restart_through_systemctl_is_a_new_main_pid(self):
        state, before = self.unit()
        mark = self.agent.mark()
        r = self.act("restart")
        self.assertTrue(r["ok"], r)
        result = r["result"]
        state, after = self.unit()
        self.assertEqual(state, "active")
        self.assertNotEqual(after, before)
        self.assertEqual((result["result"], result["method"], result["unit"], result["previous_pid"], result["pid"],
                          result["running"]), ("done", "systemctl", UNIT, before, after, True))
        self.assertIsNotNone(result["vrrp_pid"])
        steps = self.steps(mark)
        started = next(s for s in steps if (s["step"], s["status"]) == ("systemctl", "started"))
        self.assertEqual(started["command"][1:], ["restart", "--", UNIT])
        self.assertTrue(started["command"][0].startswith("/") and started["command"][0].endswith("/systemctl"))
        self.assertEqual([(s["step"], s["status"]) for s in steps if s["step"] != "lock"],
                         [("systemctl", "started"), ("systemctl", "ok"), ("verify", "started"), ("verify", "ok"),
                          ("audit", "ok")])
        line = self.audit()[-1]
        self.assertEqual((line["op"], line["method"], line["result"], line["pid_before"], line["pid_after"],
                          line["running"], line["reason"]),
                         ("daemon.restart", "systemctl", "done", before, after, True, "systemd live test"))
        self.wait_for(lambda: VIP in self.addresses(), "no VIP after the restart")

    def test_03_reload_keeps_the_main_pid_and_the_followed_journal_shows_it(self):
        _, before = self.unit()
        follow = self.agent.call("log.follow", {"daemon": "keepalived"})
        self.assertTrue(follow["ok"], follow)
        self.assertEqual(follow["result"]["source"], {"kind": "journal", "path": None, "unit": UNIT})
        mark = self.agent.mark()
        r = self.act("reload")
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["result"]["result"], r["result"]["method"], r["result"]["pid"], r["result"]["previous_pid"]),
                         ("done", "systemctl", before, before))
        self.assertEqual(self.unit(), ("active", before))
        event = self.agent.wait_event(lambda e: e.get("event") == "log" and e["follow"] == follow["result"]["follow"]
                                      and any(l["text"] == "Reload complete" for l in e["lines"]),
                                      timeout=SETTLE_TIMEOUT_S, since=mark)
        line = next(l for l in event["lines"] if l["text"] == "Reload complete")
        self.assertEqual(line["pid"], before, "keepalived's own journal entry, with its _PID")
        self.assertLess(abs(line["ts"] - time.time()), 30)
        self.assertTrue(self.agent.call("log.unfollow", {"follow": follow["result"]["follow"]})["ok"])
        self.assertEqual(self.audit()[-1]["op"], "daemon.reload")

    def test_04_stop_and_start_through_systemctl(self):
        _, before = self.unit()
        mark = self.agent.mark()
        r = self.act("stop")
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["result"]["result"], r["result"]["running"], r["result"]["previous_pid"],
                          r["result"]["method"]), ("done", False, before, "systemctl"))
        self.assertEqual(self.unit(), ("inactive", 0))
        self.assertNotEqual(self.node.run(["test", "-d", "/proc/%d" % before], check=False).returncode, 0,
                            "the old main process is gone in the node")
        self.assertNotIn(VIP, self.addresses())
        self.assertIn(("systemctl", "ok"), [(s["step"], s["status"]) for s in self.steps(mark)])
        d = self.daemon()
        self.assertEqual((d["alive"], d["systemd_unit"], d["managed_by"]), (False, UNIT, "systemd"),
                         "a stopped unit's daemon is still known, from keepalived.service")
        # a session that begins while the unit is stopped knows the daemon from the unit file alone (Debian's, with its
        # EnvironmentFile), and reads its log from the unit's journal
        other = AgentProcess("--state-dir", STATE_DIR, command=self.node.scope(["python3", AGENT_IN_NODE, "serve"]))
        try:
            [seen] = other.call("daemons")["result"]["daemons"]
            self.assertEqual((seen["alive"], seen["config"], seen["systemd_unit"], seen["managed_by"]),
                             (False, "/etc/keepalived/keepalived.conf", UNIT, "systemd"), seen)
            read = other.call("log.read", {"daemon": seen["name"], "lines": 50})
            self.assertTrue(read["ok"], read)
            self.assertEqual(read["result"]["source"]["kind"], "journal")
            self.assertTrue(any(l["text"].startswith("Stopped Keepalived") and l["pid"] == before
                                for l in read["result"]["lines"]), read["result"]["lines"][-10:])
        finally:
            other.close()

        r = self.act("start")
        self.assertTrue(r["ok"], r)
        state, after = self.unit()
        self.assertEqual(state, "active")
        self.assertEqual((r["result"]["result"], r["result"]["running"], r["result"]["pid"]), ("done", True, after))
        self.assertEqual([(x["op"], x["result"], x["method"]) for x in self.audit()[-2:]],
                         [("daemon.stop", "done", "systemctl"), ("daemon.start", "done", "systemctl")])
        self.wait_for(lambda: VIP in self.addresses(), "no VIP after the start")

    def test_05_a_start_of_the_running_unit_and_a_stop_of_the_stopped_one_change_nothing(self):
        _, pid = self.unit()
        began = time.monotonic()
        mark = self.agent.mark()
        r = self.act("start")
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["result"]["result"], r["result"]["running"], r["result"]["pid"]), ("unchanged", True, pid))
        self.assertLess(time.monotonic() - began, RELOAD_TIMEOUT_S / 2, "answered at once, not after a verify that "
                        "waits for a new process")
        self.assertEqual(self.unit(), ("active", pid))
        self.assertNotIn(("systemctl", "started"), [(s["step"], s["status"]) for s in self.steps(mark)])
        self.assertEqual((self.audit()[-1]["op"], self.audit()[-1]["result"]), ("daemon.start", "unchanged"))

        self.assertEqual(self.act("stop")["result"]["result"], "done")
        r = self.act("stop")
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["result"]["result"], r["result"]["running"]), ("unchanged", False))
        self.assertEqual(self.unit(), ("inactive", 0))
        self.assertEqual((self.audit()[-1]["op"], self.audit()[-1]["result"]), ("daemon.stop", "unchanged"))
        # a reload of the stopped unit answers as the daemon's own way does (not_running, start it instead), not with
        # systemctl's failure, and the unit stays stopped
        mark = self.agent.mark()
        r = self.act("reload")
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["error"]["code"], "not_running", r)
        self.assertIn("start it instead", r["error"]["message"])
        self.assertNotIn(("systemctl", "started"), [(s["step"], s["status"]) for s in self.steps(mark)])
        self.assertEqual(self.unit(), ("inactive", 0))
        self.assertEqual((self.audit()[-1]["op"], self.audit()[-1]["result"], self.audit()[-1]["code"]),
                         ("daemon.reload", "failed", "not_running"))
        self.assertTrue(self.act("start")["ok"])
        self.wait_for(lambda: VIP in self.addresses(), "no VIP after the start")

    def test_06_the_journal_is_read_and_followed_through_a_failover(self):
        follow = self.agent.call("log.follow", {"daemon": "keepalived", "instance": "VI_1", "level": "notice"})["result"]
        mark = self.agent.mark()
        r = self.act("restart")
        self.assertTrue(r["ok"], r)
        pid = r["result"]["pid"]
        vrrp_pid = r["result"]["vrrp_pid"]
        event = self.agent.wait_event(lambda e: e.get("event") == "log" and e["follow"] == follow["follow"] and any(
            "Entering MASTER STATE" in l["text"] for l in e["lines"]), timeout=SETTLE_TIMEOUT_S, since=mark)
        line = next(l for l in event["lines"] if "Entering MASTER STATE" in l["text"])
        self.assertEqual((line["instance"], line["pid"], line["level"]), ("VI_1", vrrp_pid, "notice"),
                         "the VRRP process's journal entry (priority info), a state change: notice")
        self.assertTrue(all(l["instance"] == "VI_1" and l["level"] in ("emerg", "alert", "crit", "err", "warning",
                                                                          "notice") for l in event["lines"]),
                        "filtered on the node")
        self.agent.call("log.unfollow", {"follow": follow["follow"]})

        read = self.agent.call("log.read", {"daemon": "keepalived", "since": time.time() - 60, "lines": 500})
        self.assertTrue(read["ok"], read)
        self.assertEqual(read["result"]["source"], {"kind": "journal", "path": None, "unit": UNIT})
        texts = [(l["pid"], l["text"]) for l in read["result"]["lines"]]
        self.assertIn((vrrp_pid, "(VI_1) Entering MASTER STATE"), texts)
        self.assertIn((pid, "Startup complete"), texts)
        self.assertTrue(any(t.startswith("Reload") for _, t in texts), "the reload of test_03 is in the journal too")
        only = self.agent.call("log.read", {"daemon": "keepalived", "grep": "entering master", "lines": 3})["result"]
        self.assertTrue(only["lines"] and all("Entering MASTER" in l["text"] for l in only["lines"]), only)

    def test_07_a_drain_by_stopping_the_unit_lasts_until_it_is_started_by_hand(self):
        mark = self.agent.mark()
        r = self.agent.call("daemon.stop", {"daemon": "keepalived", "reason": "kernel update", "drain": True},
                            timeout=ACTION_TIMEOUT_S)
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["result"]["running"], r["result"]["drained"], r["result"]["method"]),
                         (False, True, "systemctl"))
        self.assertEqual(self.unit(), ("inactive", 0))
        self.assertEqual([s["step"] for s in self.steps(mark)][-2:], ["drain", "audit"])
        drained = self.daemon()["maintenance"]
        self.assertEqual((drained["drained"], drained["method"], drained["reason"]), (True, "stop", "kernel update"))
        line = self.audit()[-1]
        self.assertEqual((line["op"], line["result"], line.get("drain"), line["method"]),
                         ("daemon.stop", "done", True, "systemctl"))
        self.node.run(["systemctl", "start", UNIT])       # as an operator would, not through Keepwatch
        self.wait_for(lambda: self.daemon()["alive"] and not self.daemon()["maintenance"]["drained"],
                      "keepalived started by hand through systemd still counts as drained")
        self.assertEqual(self.daemon()["pid"], self.unit()[1])

    def test_08_a_keepalived_nested_in_another_unit_is_not_that_units_keepalived(self):
        # A keepalived in a cgroup tree another unit delegates (a container's payload, as nspawn or LXC make it:
        # .../kw-box.service/payload/system.slice/keepalived.service) is not the system's keepalived.service: a
        # daemon.* on it must never run systemctl on the system's unit, nor read that unit's journal as its log.
        self.node.write("/etc/kw-box/keepalived.conf", CONFIG.replace("VI_1", "VI_BOX").replace(
            "virtual_router_id 61", "virtual_router_id 62").replace(VIP, "10.99.0.101"))
        self.node.run(["mkdir", "-p", "/run/kw-box"])
        box = "/sys/fs/cgroup/system.slice/kw-box.service/payload/system.slice/keepalived.service"
        # the box's process waits until it is moved into the payload's cgroup (from outside, as a container manager
        # does), then becomes keepalived
        self.node.run(["systemd-run", "--unit=kw-box", "--property=Delegate=yes", "--quiet", "--", "sh", "-c",
                       'until grep -q /payload/ /proc/self/cgroup; do sleep 0.1; done; exec /usr/sbin/keepalived '
                       '--dont-fork --log-console -f /etc/kw-box/keepalived.conf -p /run/kw-box/keepalived.pid '
                       '-r /run/kw-box/vrrp.pid'])
        try:
            box_pid = self.node.unit("kw-box.service", "MainPID")["MainPID"]
            self.node.run(["sh", "-c", 'mkdir -p "$0" && echo "$1" > "$0/cgroup.procs"', box, box_pid])
            _, unit_pid = self.unit()

            def boxed():
                return next((d for d in self.agent.call("daemons")["result"]["daemons"]
                             if d["config"] == "/etc/kw-box/keepalived.conf" and d["alive"]), None)
            self.wait_for(lambda: boxed() is not None and boxed()["vrrp_pid"], "the agent never saw the boxed keepalived")
            d = boxed()
            self.assertEqual((d["systemd_unit"], d["managed_by"]), ("kw-box.service", "signal"), d)
            r = self.agent.call("log.read", {"daemon": d["name"], "lines": 20})
            self.assertFalse(r["ok"] and r["result"]["source"]["kind"] == "journal", "the system unit's journal is "
                             "not the boxed keepalived's log: %s" % r)
            r = self.agent.call("daemon.stop", {"daemon": d["name"], "reason": "boxed"}, timeout=ACTION_TIMEOUT_S)
            self.assertTrue(r["ok"], r)
            self.assertEqual((r["result"]["method"], r["result"]["running"]), ("signal", False))
            self.assertEqual(self.unit(), ("active", unit_pid), "the system's keepalived.service was not touched")
            self.assertEqual(self.audit()[-1]["method"], "signal")
        finally:
            self.node.run(["systemctl", "stop", "kw-box.service"], check=False)
