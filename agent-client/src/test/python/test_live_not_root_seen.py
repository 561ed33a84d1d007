"""The agent run as an ordinary user (a login without sudo: the read-only session of ADR 0014) beside a keepalived root
runs with a configuration file of its own (neither keepalived.service's, nor the default, nor Neutron's): the agent
cannot look at its process, but its command line is world-readable, so the daemon is listed by its configuration
file, "not_visible", "seen_from": "command_line", and its configuration can be read. A program called keepalived that
another ordinary user runs is not listed, whatever its command line says. Root only (namespaces, setpriv, runuser).
"""

import os
import pwd
import shutil
import signal
import subprocess
import time
import unittest

from kwtlab import KeepalivedLab, agent_as_nobody, is_root, require_lab, vrrp_config

SETTLE_TIMEOUT_S = 20.0


@unittest.skipUnless(is_root() and shutil.which("setpriv") and shutil.which("runuser"),
                     "needs root, setpriv and runuser (to run the agent as nobody, and a program as another user)")
class AgentNotRootSeenTest(unittest.TestCase):
    def setUp(self):
        require_lab()
        self.lab = KeepalivedLab(nodes=1)
        self.addCleanup(self.lab.close)
        [self.node] = self.lab.nodes
        os.chmod(str(self.lab.root), 0o755)
        os.chmod(str(self.node.dir), 0o755)
        self.node.start(vrrp_config("n1", 150))
        os.chmod(str(self.node.conf), 0o644)
        self.agent = agent_as_nobody(self.lab.root, "--neutron-ha-confs", str(self.lab.root / "no-ha-confs"),
                                     "--default-config", str(self.lab.root / "none.conf"),
                                     "--match-config", str(self.lab.root) + "/*", "--rescan-interval", "0.5")
        self.addCleanup(self.agent.close)

    def daemons(self):
        return self.agent.call("daemons")["result"]["daemons"]

    def wait_for(self, predicate, what):
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            found = self.daemons()
            if predicate(found):
                return found
            if time.monotonic() > deadline:
                raise AssertionError("never %s: %s" % (what, found))
            time.sleep(0.3)

    @staticmethod
    def planted_runs(uid, planted):
        for name in os.listdir("/proc"):
            try:
                with open("/proc/%s/comm" % name) as f:
                    comm = f.read().strip()
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    argv = f.read().split(b"\0")
                if comm == "keepalived" and str(planted).encode() in argv and os.stat("/proc/" + name).st_uid == uid:
                    return True
            except (OSError, ValueError):
                continue
        return False

    def test_roots_keepalived_is_listed_from_its_command_line_and_its_configuration_read(self):
        self.assertFalse(self.agent.call("hello")["result"]["root"])
        [d] = self.wait_for(lambda ds: len(ds) == 1, "one daemon")
        self.assertEqual(d["config"], str(self.node.conf))
        self.assertEqual(d["name"], self.node.dir.name, "named by its configuration's directory (keepalived.conf)")
        self.assertEqual(d["seen_from"], "command_line")
        self.assertEqual(d["stopped_reason"], "not_visible", "its pid file names root's process: running, not seen")
        self.assertFalse(d["alive"])
        self.assertEqual(d["pid_file"], str(self.node.pid_file), "from its -p")
        self.assertEqual(d["netns"], None, "its namespace cannot be read")
        read = self.agent.call("config.read", {"daemon": d["name"]})
        self.assertTrue(read["ok"], read)
        self.assertIn("vrrp_instance", "".join(f.get("text", "") for f in read["result"]["files"]))

        # stopped by root: it goes, since nothing names it any more
        self.node.stop()
        self.wait_for(lambda ds: ds == [], "gone once stopped")

    def test_a_program_called_keepalived_of_another_user_is_not_listed(self):
        # the attack: an ordinary user runs a program called keepalived whose command line names a file of its
        # choosing, for the read-only agent to offer as a daemon of root's
        fake = self.lab.root / "keepalived"
        shutil.copy("/bin/bash", str(fake))     # comm "keepalived", and it takes any arguments
        os.chmod(str(fake), 0o755)
        planted = self.lab.root / "planted.conf"
        planted.write_text("vrrp_instance PLANTED {\n}\n")
        os.chmod(str(planted), 0o644)
        other = pwd.getpwnam("daemon")
        proc = subprocess.Popen(["runuser", "-u", other.pw_name, "--", str(fake), "-c", "sleep 600; :", "keepalived",
                                 "-f", str(planted)], stdin=subprocess.DEVNULL, start_new_session=True)
        self.addCleanup(proc.wait)
        self.addCleanup(os.killpg, proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while not self.planted_runs(other.pw_uid, planted):
            self.assertLess(time.monotonic(), deadline, "the planted keepalived never ran")
            time.sleep(0.1)
        time.sleep(1.5)     # three rescans
        self.assertTrue(self.planted_runs(other.pw_uid, planted))
        found = self.wait_for(lambda ds: any(d["seen_from"] == "command_line" for d in ds), "root's keepalived seen")
        self.assertEqual([d["config"] for d in found], [str(self.node.conf)], "only root's: %s" % found)


if __name__ == "__main__":
    unittest.main()
