"""The VRRP instances a configuration claims (ClaimsReader), and which files the agent reads as root."""

import os
import shutil
import stat
import tempfile
import threading
import unittest
from pathlib import Path

from kwtlab import agent_module, is_root

ka = agent_module()
NEUTRON = 64055     # a network node's neutron user: not root
NOBODY = 65534


class ClaimsTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kwt-agent-claims-"))
        self.reader = ka.ClaimsReader()

    def tearDown(self):
        shutil.rmtree(str(self.dir), ignore_errors=True)

    def write(self, rel, text, mode=0o644):
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(str(path), mode)
        return str(path)

    def load(self, main, config_id="n1"):
        return self.reader.load(main, "", config_id)

    def test_instance_record_from_the_configuration(self):
        main = self.write("keepalived.conf", """
global_defs {
  router_id n1
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  nopreempt
  preempt_delay 5
  authentication {
    auth_type PASS
    auth_pass secret
  }
  virtual_ipaddress {
    10.77.0.101/24 dev eth0 label eth0:vip
    10.77.0.102
  }
  virtual_ipaddress_excluded {
    10.77.1.5/32 dev eth1
  }
  unicast_peer {
    10.77.0.2
  }
}
""")
        instances, error = self.load(main)
        self.assertIsNone(error)
        [inst] = instances
        self.assertEqual({k: inst[k] for k in ("instance", "vrid", "state", "wantstate", "base_priority",
                                               "effective_priority", "interface", "advert_int", "version",
                                               "nopreempt", "preempt_delay", "auth_type", "vips", "excluded_vips",
                                               "unicast_peers", "last_transition", "stats", "source")},
                         {"instance": "VI_1", "vrid": 51, "state": "UNKNOWN", "wantstate": "MASTER",
                          "base_priority": 150, "effective_priority": 150, "interface": "eth0", "advert_int": 1,
                          "version": 2, "nopreempt": True, "preempt_delay": 5, "auth_type": "PASS",
                          "vips": ["10.77.0.101/24", "10.77.0.102/32"], "excluded_vips": ["10.77.1.5/32"],
                          "unicast_peers": ["10.77.0.2"], "last_transition": None, "stats": {}, "source": "config"})
        self.assertEqual([(v["cidr"], v["dev"]) for v in inst["vip_details"]],
                         [("10.77.0.101/24", "eth0"), ("10.77.0.102/32", None), ("10.77.1.5/32", "eth1")])
        self.assertNotIn("secret", repr(inst), "passwords never leave the node")

    def test_an_instance_names_the_sync_group_that_holds_it(self):
        main = self.write("keepalived.conf", """
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
  notify_master /bin/true
}
vrrp_sync_group G2 { group { VI_3 } }
vrrp_instance VI_1 { interface eth0
  virtual_router_id 51 }
vrrp_instance VI_2 { interface eth1
  virtual_router_id 52 }
vrrp_instance VI_3 { interface eth0
  virtual_router_id 53 }
vrrp_instance VI_4 { interface eth0
  virtual_router_id 54 }
""")
        instances, error = self.load(main)
        self.assertIsNone(error)
        self.assertEqual({i["instance"]: i["sync_group"] for i in instances},
                         {"VI_1": "G1", "VI_2": "G1", "VI_3": "G2", "VI_4": None})

    def test_ipv6_versions_defaults_and_one_line_blocks(self):
        main = self.write("keepalived.conf", """
vrrp_instance V6 {
  interface eth0
  virtual_router_id 62
  advert_int 0.5
  virtual_ipaddress { FD00:0098:0000::0200/64 }
  unicast_peer { fd00:98:0::2 }
}
vrrp_instance V4
{
  interface eth1
  virtual_router_id 63
  virtual_ipaddress {
    10.97.0.100/24
  }
}
vrrp_instance V4_v2 {
  interface eth1
  virtual_router_id 64
  version 2
}
global_defs {
  vrrp_version 3
}
""")
        instances, error = self.load(main)
        self.assertIsNone(error)
        by_name = {i["instance"]: i for i in instances}
        self.assertEqual(by_name["V6"]["vips"], ["fd00:98::200/64"], "IPv6 lower-case and compressed")
        self.assertEqual(by_name["V6"]["unicast_peers"], ["fd00:98::2"])
        self.assertEqual((by_name["V6"]["version"], by_name["V6"]["advert_int"]), (3, 0.5))
        self.assertEqual((by_name["V4"]["version"], by_name["V4"]["wantstate"], by_name["V4"]["base_priority"]),
                         (3, "BACKUP", 100), "global vrrp_version 3 (even below the instance), defaults")
        self.assertEqual(by_name["V4_v2"]["version"], 2)

    def test_includes_conditionals_and_variables(self):
        main = self.write("etc/keepalived.conf", """
$VIP=10.77.0.101
@n1 $PRIO=150
@^n1 $PRIO=100
include conf.d/*.conf
@n2 include only-n2.conf
""")
        self.write("etc/conf.d/b.conf", "vrrp_instance VI_B {\n  virtual_router_id 52\n  priority $PRIO\n"
                                        "  virtual_ipaddress {\n    ${VIP}/24\n  }\n}\n")
        self.write("etc/conf.d/a.conf", "vrrp_instance VI_A {\n  virtual_router_id 51\n  include ../nested/vips.conf\n}\n")
        self.write("etc/nested/vips.conf", "virtual_ipaddress {\n  10.77.0.200/24\n}\n")
        self.write("etc/only-n2.conf", "vrrp_instance VI_N2 {\n  virtual_router_id 53\n}\n")
        instances, error = self.load(main, "n1")
        self.assertIsNone(error)
        self.assertEqual([(i["instance"], i["base_priority"], i["vips"]) for i in instances],
                         [("VI_A", 100, ["10.77.0.200/24"]), ("VI_B", 150, ["10.77.0.101/24"])])
        instances, _ = self.load(main, "n2")
        self.assertEqual([(i["instance"], i["base_priority"]) for i in instances],
                         [("VI_A", 100), ("VI_B", 100), ("VI_N2", 100)])

    def test_a_broken_file_gives_an_error_with_file_and_line(self):
        main = self.write("keepalived.conf", "vrrp_instance VI_1 {\n  virtual_router_id 51\ninclude inc.conf\n}\n")
        inc = self.write("inc.conf", "virtual_ipaddress {\n  10.77.0.300/24\n}\n")
        instances, error = self.load(main)
        self.assertEqual(instances, [])
        self.assertEqual((error["code"], error["file"], error["line"]), ("parse_error", inc, 2))
        self.assertIn("10.77.0.300/24", error["message"])
        self.write("keepalived.conf", "vrrp_instance VI_1 {\n  virtual_router_id 51\ninclude inc.conf\n")
        self.write("inc.conf", "virtual_ipaddress {\n  10.77.0.30/24\n}\n")
        instances, error = self.load(main)
        self.assertEqual((error["code"], error["file"], error["line"]), ("parse_error", main, 1),
                         "the block that is never closed")
        self.assertIn("missing '}'", error["message"])
        self.write("keepalived.conf", "vrrp_instance VI_1 {\n  virtual_router_id 300\n}\n")
        _, error = self.load(main)
        self.assertEqual((error["file"], error["line"]), (main, 2))
        self.write("keepalived.conf", "vrrp_instance VI_1 {\n  virtual_router_id 30\n}\n}\n")
        _, error = self.load(main)
        self.assertEqual((error["file"], error["line"], error["message"]),
                         (main, 4, "%s line 4: '}' without a block to close" % main))
        _, error = self.load(str(self.dir / "missing.conf"))
        self.assertEqual(error["code"], "not_found")

    def test_a_result_is_kept_until_a_file_changes(self):
        main = self.write("keepalived.conf", "vrrp_instance VI_1 {\n  virtual_router_id 51\n}\ninclude d/*.conf\n")
        first = self.load(main)
        self.assertIs(self.load(main), first, "nothing changed: not parsed again")
        self.write("d/new.conf", "vrrp_instance VI_2 {\n  virtual_router_id 52\n}\n")
        second = self.load(main)
        self.assertEqual([i["instance"] for i in second[0]], ["VI_1", "VI_2"], "a new include matched")
        os.utime(main, ns=(1, 1))
        third = self.load(main)
        self.assertIsNot(third, second, "mtime changed: read again")
        self.assertIs(self.load(main), third)
        os.chmod(main, 0o664)
        self.assertEqual(self.load(main)[1]["code"], "untrusted", "a chmod alone is seen")
        self.reader.retain(set())
        self.assertEqual(self.reader.results, {})

    # -- trust -------------------------------------------------------------------------------

    def assert_untrusted(self, path, why, code="untrusted", main=None):
        instances, error = self.load(main or path)
        self.assertEqual(instances, [])
        self.assertEqual((error["code"], error["file"]), (code, path))
        self.assertIn(why, error["message"])
        self.assertIn(path, error["message"])

    def test_a_group_or_world_writable_file_is_not_read(self):
        self.assert_untrusted(self.write("g.conf", "vrrp_instance X {\n virtual_router_id 1\n}\n", 0o664),
                              "writable by group or others (mode 0664)")
        self.assert_untrusted(self.write("o.conf", "", 0o602), "writable by group or others")
        main = self.write("main.conf", "include inc.conf\n")
        inc = self.write("inc.conf", "", 0o666)
        self.assert_untrusted(inc, "inc.conf is writable", main=main)

    @unittest.skipUnless(is_root(), "needs root to give a file to another user")
    def test_a_file_owned_by_another_user_is_not_read(self):
        main = self.write("main.conf", "vrrp_instance X {\n virtual_router_id 1\n}\ninclude other.conf\n")
        path = self.write("other.conf", "vrrp_instance Y {\n virtual_router_id 2\n}\n")
        os.chown(path, 65534, 65534)
        self.assert_untrusted(path, "owned by uid 65534, not by root", main=main)

    @unittest.skipUnless(is_root(), "needs root to give files to other users")
    def test_the_configurations_owner_is_no_other_user_but_a_third_one_is(self):
        # Neutron's routers: ha_confs/<router>/ and its files the neutron user's (ADR 0003).
        router = self.dir / "ha_confs" / "r1"
        main = self.write("ha_confs/r1/keepalived.conf", "vrrp_instance X {\n virtual_router_id 1\n}\ninclude inc.conf\n")
        inc = self.write("ha_confs/r1/inc.conf", "vrrp_instance Y {\n virtual_router_id 2\n}\n")
        for path in (self.dir / "ha_confs", router, main, inc):
            os.chown(str(path), NEUTRON, NEUTRON)
        instances, error = self.load(main)
        self.assertEqual((error, [i["instance"] for i in instances]), (None, ["X", "Y"]))
        os.chown(inc, NOBODY, NOBODY)
        self.assert_untrusted(inc, "owned by uid %d, neither by root nor by uid %d, the owner of the daemon's "
                              "configuration" % (NOBODY, NEUTRON), main=main)
        os.chown(inc, NEUTRON, NEUTRON)
        self.assertEqual(self.load(main)[1], None)
        # the router's directory given to a third user: no file changed, yet the claims go
        os.chown(str(router), NOBODY, NOBODY)
        self.assert_untrusted(main, "belongs to two users besides root")
        os.chown(str(router), NEUTRON, NEUTRON)
        self.assertEqual(self.load(main)[1], None)

    def test_a_symlink_is_followed_only_to_a_trusted_file(self):
        # keepalived reads through a link; so does the agent, when nobody else could have made or changed either.
        target = self.write("real.conf", "vrrp_instance X {\n virtual_router_id 1\n}\n")
        link = str(self.dir / "link.conf")
        os.symlink(target, link)
        instances, error = self.load(link)
        self.assertEqual((error, [i["instance"] for i in instances]), (None, ["X"]))
        os.chmod(target, 0o666)
        self.assert_untrusted(link, "%s (a link to %s) is writable by group or others" % (link, target))
        os.chmod(target, 0o644)
        self.assertEqual(self.load(link)[1], None, "a change of the target is seen through the link")
        os.symlink(str(self.dir), str(self.dir / "dir-link.conf"))
        self.assert_untrusted(str(self.dir / "dir-link.conf"), "is a directory, not a regular file")
        os.symlink("loop.conf", str(self.dir / "loop.conf"))
        self.assert_untrusted(str(self.dir / "loop.conf"), "more than 40 symbolic links on the way")

    @unittest.skipUnless(is_root(), "needs root to give a link to another user")
    def test_a_symlink_another_user_owns_is_not_followed(self):
        target = self.write("real.conf", "vrrp_instance X {\n virtual_router_id 1\n}\n")
        link = str(self.dir / "link.conf")
        os.symlink(target, link)
        os.lchown(link, 65534, 65534)
        # the link makes 65534 the configuration's owner, whose link leads only to a file of theirs
        self.assert_untrusted(link, "%s (a link to %s) is reached through %s, a symbolic link of uid 65534"
                              % (link, target, link))
        main = self.write("main.conf", "include link.conf\n")
        self.assert_untrusted(link, "%s is a symbolic link owned by uid 65534, not by root" % link, main=main)
        os.chown(target, 65534, 65534)
        instances, error = self.load(link)
        self.assertEqual((error, [i["instance"] for i in instances]), (None, ["X"]))

    def test_a_fifo_is_not_opened(self):
        fifo = str(self.dir / "fifo.conf")
        os.mkfifo(fifo, 0o600)
        done = []
        worker = threading.Thread(target=lambda: done.append(self.load(fifo)))
        worker.daemon = True
        worker.start()
        worker.join(5)
        self.assertTrue(done, "reading a FIFO would block the agent")
        self.assertEqual(done[0][1]["code"], "untrusted")
        self.assertIn("is a FIFO", done[0][1]["message"])
        self.assert_untrusted(str(self.dir), "is a directory")

    def test_a_file_too_large_is_not_read(self):
        path = self.write("big.conf", "")
        os.truncate(path, ka.MAX_CLAIMS_FILE_BYTES + 1)
        self.assert_untrusted(path, "is %d bytes, more than the %d bytes a configuration file may have here"
                              % (ka.MAX_CLAIMS_FILE_BYTES + 1, ka.MAX_CLAIMS_FILE_BYTES), "too_large")
        data, st = ka.read_trusted(self.write("ok.conf", "x" * 10), 10)
        self.assertEqual((data, stat.S_ISREG(st.st_mode)), (b"x" * 10, True))
        with self.assertRaises(ka.AgentError):
            ka.read_trusted(self.write("eleven.conf", "x" * 11), 10)


class UnitTest(unittest.TestCase):
    def test_exec_start_with_environment(self):
        unit = ka.parse_unit("[Unit]\nExecStart=/bin/false\n[Service]\nType=notify\nEnvironment=A=1 \"B=two words\"\n"
                             "EnvironmentFile=-/etc/default/keepalived\nExecStart=\nExecStart=-/usr/sbin/keepalived \\\n"
                             "  --dont-fork $DAEMON_ARGS \"${B}\"\n")
        self.assertEqual(unit["exec_start"], "-/usr/sbin/keepalived  --dont-fork $DAEMON_ARGS \"${B}\"")
        self.assertEqual(unit["env_files"], [("/etc/default/keepalived", True)])
        env = dict(unit["environment"])
        env.update(ka.parse_env_file("# comment\nDAEMON_ARGS=\"-f /srv/k.conf  -p /run/k.pid\"\nexport X=1\n"))
        self.assertEqual(ka.unit_exec_argv(unit["exec_start"], env),
                         ["/usr/sbin/keepalived", "--dont-fork", "-f", "/srv/k.conf", "-p", "/run/k.pid", "two words"])
        self.assertEqual(ka.unit_exec_argv("@/usr/sbin/keepalived keepalived -D", {}), ["keepalived", "-D"])


if __name__ == "__main__":
    unittest.main()
