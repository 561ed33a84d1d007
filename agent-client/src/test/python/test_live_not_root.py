"""The agent run as an ordinary user (a login without sudo: the read-only session of ADR 0014) beside a real
keepalived run by root: it cannot look at keepalived's process (/proc/PID/exe is unreadable for another user), so a
pid file naming a running process is a keepalived it cannot see, "not_visible", not one that "died"; once keepalived
is killed (its pid file left behind) it is "died" again, and once stopped cleanly "stopped". The daemon is found as
Neutron's (the ha_confs directory is one a user may list). Root only (namespaces, and setpriv to drop to nobody).
"""

import os
import shutil
import signal
import time
import unittest
from pathlib import Path

from kwtlab import KeepalivedLab, agent_as_nobody, is_root, require_lab, vrrp_config

ROUTER = "3d611c8b-5c67-58e0-8664-b771a97976f3"
SETTLE_TIMEOUT_S = 20.0


@unittest.skipUnless(is_root() and shutil.which("setpriv"), "needs root and setpriv (to run the agent as nobody)")
class AgentNotRootTest(unittest.TestCase):
    def setUp(self):
        require_lab()
        self.lab = KeepalivedLab(nodes=1)
        self.addCleanup(self.lab.close)
        [self.node] = self.lab.nodes
        # everything the ordinary user is to list or read: traversable, as /var/lib/neutron is on a node
        os.chmod(str(self.lab.root), 0o755)
        os.chmod(str(self.node.dir), 0o755)
        ha_confs = self.lab.root / "ha_confs"
        (ha_confs / ROUTER).mkdir(parents=True)
        os.symlink(str(self.node.conf), str(ha_confs / ROUTER / "keepalived.conf"))
        # keepalived writes (and at a clean stop removes) its pid file where Neutron's would be
        self.node.pid_file = Path(str(ha_confs) + "/" + ROUTER + ".pid.keepalived")
        self.node.start(vrrp_config("n1", 150))
        self.user = "nobody"
        self.agent = agent_as_nobody(self.lab.root, "--neutron-ha-confs", str(ha_confs),
                                     "--default-config", str(self.lab.root / "none.conf"), "--rescan-interval", "0.5")
        self.addCleanup(self.agent.close)

    def daemon(self):
        found = [d for d in self.agent.call("daemons")["result"]["daemons"] if d["name"] == ROUTER]
        self.assertEqual(len(found), 1, "the router's keepalived is known from its configuration")
        return found[0]

    def wait_for_reason(self, reason):
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            d = self.daemon()
            if d["stopped_reason"] == reason:
                return d
            if time.monotonic() > deadline:
                raise AssertionError("never %s: %s" % (reason, d))
            time.sleep(0.3)

    def test_backups_are_said_to_be_roots_not_listed_as_none(self):
        """Pushes run as root and keep their backups in root's state directory: this agent cannot read them, and an
        empty list would say there are none."""
        r = self.agent.call("config.backups", {"daemon": ROUTER})
        self.assertFalse(r["ok"], "config.backups answered %s" % r)
        self.assertEqual(r["error"]["code"], "permission_denied", r)
        self.assertIn("are root's", r["error"]["message"])
        self.assertIn("%s is not root here" % self.user, r["error"]["message"])

    def test_a_running_keepalived_it_cannot_see_is_not_visible_then_died_then_stopped(self):
        hello = self.agent.call("hello")["result"]
        self.assertFalse(hello["root"], "the agent runs as %s: %s" % (self.user, hello))
        self.assertTrue(self.node.alive())
        d = self.wait_for_reason("not_visible")
        self.assertFalse(d["alive"], "it cannot tell it runs: not alive as far as it can see")
        self.assertTrue(self.node.alive(), "and it really runs")
        # a subscription says so too: in the snapshot, not as a dead daemon
        snapshot = self.agent.call("state.subscribe", {"fresh": False})["result"]
        [mine] = [x for x in snapshot["daemons"] if x["name"] == ROUTER]
        self.assertEqual(mine["stopped_reason"], "not_visible")
        self.assertEqual(snapshot["orphans"], [], "what it cannot see is no orphan either")

        # killed: the pid file is left, its process is gone, which an ordinary user can see
        os.kill(self.node.main_pid(), signal.SIGKILL)
        try:
            os.kill(self.node.vrrp_pid(), signal.SIGKILL)
        except (OSError, ValueError):
            pass
        self.wait_for_reason("died")
        self.assertTrue(any(e.get("event") == "daemon" and e.get("daemon") == ROUTER and e.get("action") == "died"
                            for e in self.agent.events), "the change came as an event: %s" % self.agent.events)

        # started again (by root) and stopped cleanly: keepalived removes its pid file
        self.node.proc = None
        self.node.start()
        self.wait_for_reason("not_visible")
        self.node.stop()
        self.wait_for_reason("stopped")


if __name__ == "__main__":
    unittest.main()
