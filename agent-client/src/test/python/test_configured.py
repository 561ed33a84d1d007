"""Daemons known from configuration only: keepalived.conf, keepalived.service and Neutron's ha_confs
on a fake /proc and in temporary directories (the real thing is in test_live)."""

import os
import shutil
import tempfile
import unittest
from pathlib import Path

from kwtlab import agent_module, is_root
from test_discovery import FakeProc

ka = agent_module()
RUNNING = "6f1b9a52-3c1e-4e0b-9d7a-2f5c8e1a0b44"
STOPPED = "0d4b1e2a-9c3f-4a5b-8e7d-1f2a3b4c5d6e"
CONF = "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id %d\n  virtual_ipaddress {\n    %s\n  }\n}\n"


def conf(vrid=51, vip="10.77.0.101/24"):
    return CONF % (vrid, vip)


class ConfiguredTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="kwt-agent-configured-"))
        self.fake = FakeProc(str(self.tmp))
        self.fake.add(1, "init", 0, ["/sbin/init"])
        self.etc = self.tmp / "etc"
        self.units = [self.tmp / "etc-systemd", self.tmp / "lib-systemd"]
        self.ha_confs = self.tmp / "neutron" / "ha_confs"
        for d in self.units + [self.etc, self.ha_confs]:
            d.mkdir(parents=True)
        self.values = {"proc_root": str(self.fake.proc), "netns_dir": str(self.fake.netns),
                       "state_dir": str(self.tmp / "state"), "default_config": str(self.etc / "keepalived.conf"),
                       "systemd_unit_dirs": [str(d) for d in self.units], "neutron_ha_confs": str(self.ha_confs)}

    def tearDown(self):
        shutil.rmtree(str(self.tmp), ignore_errors=True)

    def write(self, path, text, mode=0o644):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(str(path), mode)
        return str(path)

    def agent(self, **values):
        settings = ka.Settings(dict(self.values, **values))
        agent = ka.Agent(settings, stdin_fd=os.open(os.devnull, os.O_RDONLY),
                         stdout_fd=os.open(os.devnull, os.O_WRONLY))
        agent.rescan()
        return agent

    def daemons(self, agent):
        return {d["name"]: d for d in (d.to_json() for d in agent.daemons.values())}

    def test_the_default_configuration_never_started(self):
        self.write(self.values["default_config"], conf())
        agent = self.agent()
        info = self.daemons(agent)["keepalived"]
        self.assertEqual((info["alive"], info["pid"], info["stopped_reason"], info["instances_from"], info["config"]),
                         (False, None, "stopped", "config", self.values["default_config"]))
        [inst] = agent.daemons["keepalived"].instances.values()
        self.assertEqual((inst["instance"], inst["state"], inst["source"], inst["vips"]),
                         ("VI_1", "UNKNOWN", "config", ["10.77.0.101/24"]))
        snap = agent.state_json(["keepalived"])["daemons"][0]
        self.assertEqual((snap["instances_from"], snap["config_error"], snap["pid"]), ("config", None, None))
        self.assertEqual(snap["instances"][0]["source"], "config")
        # keepalived is started (no -f: the default configuration): the same daemon, now running
        self.fake.add(100, "keepalived", 1, ["/usr/sbin/keepalived", "--dont-fork"])
        agent.rescan()
        self.assertEqual(sorted(agent.daemons), ["keepalived"])
        d = agent.daemons["keepalived"]
        self.assertEqual((d.alive, d.pid, d.configured_only, d.instances_from), (True, 100, False, "config"))
        # its configuration is removed after it stopped: it stays, as any dead daemon (its VIPs may be up)
        self.fake.remove(100)
        os.unlink(self.values["default_config"])
        agent.rescan()
        self.assertFalse(agent.daemons["keepalived"].alive)

    def test_a_changed_configuration_is_said_once_as_a_config_event(self):
        main = self.write(self.values["default_config"], conf())
        agent = self.agent()
        events = []
        # the claims' own state events (a VIP the configuration names changed) are not what is asserted here
        agent.channel.event = lambda name, **fields: events.append(dict(fields, event=name)) if name == "config" else None
        agent.subscribed = True
        agent.rescan()
        self.assertEqual(events, [], "nothing changed")
        # an edit by hand: the next look says it, once
        self.write(main, conf(vip="10.77.0.102/24") + "# edited\n")
        agent.rescan()
        self.assertEqual([(e["event"], e["daemon"], e["action"], e["config"]) for e in events],
                         [("config", "keepalived", "changed", main)])
        agent.rescan()
        self.assertEqual(len(events), 1, "not again while nothing changes")
        # a file an include names, added later: the configuration changed too
        self.write(main, conf() + "include %s/conf.d/*.conf\n" % self.etc)
        agent.rescan()
        self.write(self.etc / "conf.d" / "extra.conf", "# more\n")
        agent.rescan()
        self.assertEqual(len(events), 3, [e.get("config") for e in events])
        # not subscribed: no event, but the look goes on (the next change after subscribing is said)
        agent.subscribed = False
        self.write(main, conf())
        agent.rescan()
        self.assertEqual(len(events), 3)

    def test_a_configuration_no_longer_there_is_forgotten(self):
        self.write(self.values["default_config"], conf())
        agent = self.agent()
        self.assertIn("keepalived", agent.daemons)
        os.unlink(self.values["default_config"])
        agent.rescan()
        self.assertEqual(agent.daemons, {})

    def test_systemd_unit_with_environment_file_first_found(self):
        env = self.write(self.tmp / "default" / "keepalived",
                         'DAEMON_ARGS="-f %s -p %s"\n' % (self.tmp / "srv" / "lb.conf", self.tmp / "run" / "lb.pid"))
        self.write(self.units[0] / "keepalived.service",
                   "[Service]\nEnvironmentFile=-%s\nExecStart=/usr/sbin/keepalived --dont-fork $DAEMON_ARGS\n" % env)
        self.write(self.units[1] / "keepalived.service", "[Service]\nExecStart=/usr/sbin/keepalived -f /nowhere.conf\n")
        self.write(self.tmp / "srv" / "lb.conf", conf())
        agent = self.agent()
        self.assertEqual(sorted(agent.daemons), ["lb"])
        info = self.daemons(agent)["lb"]
        self.assertEqual((info["config"], info["pid_file"], info["stopped_reason"], info["systemd_unit"], info["managed_by"]
                          if ka.which("systemctl") and os.path.isdir(ka.SYSTEMD_RUNTIME_DIR) else "systemd"),
                         (str(self.tmp / "srv" / "lb.conf"), str(self.tmp / "run" / "lb.pid"), "stopped",
                          "keepalived.service", "systemd"))
        self.assertEqual(info["cmdline"], ["/usr/sbin/keepalived", "--dont-fork", "-f", str(self.tmp / "srv" / "lb.conf"),
                                           "-p", str(self.tmp / "run" / "lb.pid")])
        # a kill left the pid file behind: died
        self.write(self.tmp / "run" / "lb.pid", "4242\n")
        agent.rescan()
        self.assertEqual(agent.daemons["lb"].stopped_reason, "died")
        # RHEL's way: KEEPALIVED_OPTIONS from /etc/sysconfig/keepalived, and a default configuration beside it
        self.write(env, 'KEEPALIVED_OPTIONS="-D -f %s"\n' % (self.tmp / "srv" / "rhel.conf"))
        self.write(self.tmp / "srv" / "rhel.conf", conf(52))
        self.write(self.values["default_config"], conf(53, "10.77.0.103"))
        self.write(self.units[0] / "keepalived.service",
                   "[Service]\nEnvironmentFile=%s\nExecStart=/usr/sbin/keepalived $KEEPALIVED_OPTIONS\n" % env)
        agent.rescan()
        self.assertEqual(sorted(agent.daemons), ["keepalived", "rhel"])
        self.assertEqual(agent.daemons["keepalived"].instances["VI_1"]["vips"], ["10.77.0.103/32"])

    def test_an_untrusted_unit_is_not_used(self):
        self.write(self.tmp / "srv" / "lb.conf", conf())
        unit = self.write(self.units[0] / "keepalived.service",
                          "[Service]\nExecStart=/usr/sbin/keepalived -f %s\n" % (self.tmp / "srv" / "lb.conf"), 0o666)
        self.assertEqual(self.agent().daemons, {}, "a world-writable unit is not read")
        os.chmod(unit, 0o644)
        self.assertEqual(sorted(self.agent().daemons), ["lb"])
        env = self.write(self.tmp / "env", "DAEMON_ARGS=-f /elsewhere.conf\n", 0o620)
        self.write(unit, "[Service]\nEnvironmentFile=%s\nExecStart=/usr/sbin/keepalived -f %s $DAEMON_ARGS\n"
                   % (env, self.tmp / "srv" / "lb.conf"))
        self.assertEqual(self.agent().daemons, {}, "nor one whose environment file is group-writable")

    def test_an_untrusted_configuration_is_reported_without_claims(self):
        path = self.write(self.values["default_config"], conf(), 0o664)
        agent = self.agent()
        info = self.daemons(agent)["keepalived"]
        self.assertEqual(info["instances_from"], None)
        self.assertEqual((info["config_error"]["code"], info["config_error"]["file"]), ("untrusted", path))
        self.assertIn("writable by group or others", info["config_error"]["message"])
        self.assertEqual(agent.daemons["keepalived"].instances, {})
        os.chmod(path, 0o644)
        agent.rescan()
        self.assertEqual((agent.daemons["keepalived"].instances_from, agent.daemons["keepalived"].config_error),
                         ("config", None))
        os.unlink(path)
        os.symlink(str(self.tmp), path)
        agent.rescan()
        self.assertIn("(a link to %s) is a directory, not a regular file" % self.tmp,
                      agent.daemons["keepalived"].config_error["message"])

    @unittest.skipUnless(is_root(), "needs root to give a file to another user")
    def test_a_configuration_owned_by_another_user_is_reported_without_claims(self):
        self.write(self.values["default_config"], conf() + "include peers.conf\n")
        path = self.write(self.etc / "peers.conf", "! peers\n")
        os.chown(path, 65534, 65534)
        info = self.daemons(self.agent())["keepalived"]
        self.assertEqual((info["config_error"]["code"], info["config_error"]["file"]), ("untrusted", path))
        self.assertIn("owned by uid 65534", info["config_error"]["message"])

    @unittest.skipUnless(is_root(), "needs root to give files to another user")
    def test_neutron_routers_whose_files_the_neutron_user_owns_are_claimed(self):
        # As on a network node: /var/lib/neutron and everything below it the neutron user's.
        path = self.write(self.ha_confs / STOPPED / "keepalived.conf", conf(52, "10.78.0.1/24"))
        for owned in (self.ha_confs.parent, self.ha_confs, self.ha_confs / STOPPED, Path(path)):
            os.chown(str(owned), 64055, 64055)
        d = self.agent().daemons[STOPPED]
        self.assertEqual((d.config_error, d.instances_from), (None, "config"))
        self.assertEqual(d.instances["VI_1"]["vips"], ["10.78.0.1/24"])

    def test_neutron_routers_that_do_not_run(self):
        qrouter = self.fake.add_netns("qrouter-" + RUNNING)
        running_conf = self.write(self.ha_confs / RUNNING / "keepalived.conf", conf())
        self.fake.add(200, "keepalived", 1, ["keepalived", "-P", "-f", running_conf,
                                             "-p", str(self.ha_confs / RUNNING) + ".pid.keepalived"],
                      netns=qrouter, starttime=2000)
        self.write(self.ha_confs / STOPPED / "keepalived.conf", conf(52, "10.78.0.1/24"))
        self.write(str(self.ha_confs / STOPPED) + ".pid.keepalived", "999\n")
        (self.ha_confs / "not-a-router").mkdir()
        agent = self.agent()
        self.assertEqual(sorted(agent.daemons), sorted([RUNNING, STOPPED]))
        self.assertTrue(agent.daemons[RUNNING].alive)
        self.assertEqual(agent.daemons[RUNNING].instances_from, None, "running and not dumped yet: no claims")
        d = agent.daemons[STOPPED]
        info = d.to_json()
        self.assertEqual((info["alive"], info["pid"], info["stopped_reason"], info["neutron_router"], info["netns"],
                          info["managed_by"], info["instances_from"]),
                         (False, None, "died", STOPPED, "qrouter-" + STOPPED, "neutron", "config"))
        self.assertEqual(d.netns_inode, 0, "its namespace does not exist")
        self.assertEqual(d.instances["VI_1"]["vips"], ["10.78.0.1/24"])
        # its namespace appears: it is watched there
        self.fake.add_netns("qrouter-" + STOPPED)
        agent.rescan()
        self.assertEqual(d.netns_inode, os.stat(str(self.fake.netns / ("qrouter-" + STOPPED))).st_ino)
        # the router is deleted: its configuration goes, and so does the record
        shutil.rmtree(str(self.ha_confs / STOPPED))
        agent.rescan()
        self.assertEqual(sorted(agent.daemons), [RUNNING])

    def test_match_config_applies_to_configured_daemons(self):
        self.write(self.values["default_config"], conf())
        self.write(self.ha_confs / STOPPED / "keepalived.conf", conf(52))
        agent = self.agent(match_config=str(self.ha_confs) + "/*")
        self.assertEqual(sorted(agent.daemons), [STOPPED])

    def test_names_of_configured_daemons_do_not_clash(self):
        self.write(self.tmp / "a" / "keepalived" / "keepalived.conf", conf())
        self.write(self.units[0] / "keepalived.service", "[Service]\nExecStart=/usr/sbin/keepalived -f %s\n"
                   % (self.tmp / "a" / "keepalived" / "keepalived.conf"))
        self.write(self.values["default_config"], conf(52))
        agent = self.agent()
        self.assertEqual(sorted(agent.daemons), ["keepalived", "keepalived-2"])


if __name__ == "__main__":
    unittest.main()
