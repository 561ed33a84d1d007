"""The files of one keepalived configuration: includes resolved the way keepalived does."""

import os
import pwd
import shutil
import tempfile
import threading
import unittest
from pathlib import Path

from kwtlab import AgentProcess, agent_module, is_root

ka = agent_module()
NEUTRON = 64055     # the neutron user of a network node: a uid that is not root's (no passwd entry needed)
NOBODY = 65534
ROUTER = "6f1b9a52-3c1e-4e0b-9d7a-2f5c8e1a0b44"


class ConfigSetTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kwt-agent-conf-"))

    def tearDown(self):
        shutil.rmtree(str(self.dir), ignore_errors=True)

    def write(self, rel, text):
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return str(path)

    def test_includes_relative_glob_absolute_nested(self):
        inc_abs = self.write("abs/peers.conf", "! peers\n")
        main = self.write("keepalived.conf",
                          "global_defs {\n}\ninclude conf.d/*.conf\ninclude %s  # absolute\n" % inc_abs)
        self.write("conf.d/b.conf", "vrrp_instance VI_B {\n}\n")
        self.write("conf.d/a.conf", "vrrp_instance VI_A {\n}\ninclude ../nested/x.conf\n")
        self.write("conf.d/ignored.txt", "vrrp_instance NOPE {\n}\n")
        self.write("nested/x.conf", "vrrp_instance VI_X {\n}\n")
        cset = ka.ConfigSet(main).load()
        self.assertEqual(cset.paths(), [main, str(self.dir / "conf.d/a.conf"), str(self.dir / "nested/x.conf"),
                                        str(self.dir / "conf.d/b.conf"), inc_abs])
        self.assertEqual(ka.find_instance_names(cset.texts()), {"VI_A", "VI_B", "VI_X"})
        doc = cset.to_json()
        self.assertEqual(doc["files"][0]["role"], "main")
        self.assertEqual(doc["files"][1]["included_from"], main)
        self.assertEqual(doc["files"][0]["sha256"], ka.sha256_hex(Path(main).read_bytes()))
        self.assertEqual(doc["unmatched_includes"], [])

    def test_comments_conditionals_and_quotes(self):
        main = self.write("keepalived.conf",
                          "# include commented.conf\n"
                          "! include also-commented.conf\n"
                          "@node1 include \"only-node1.conf\"\n"
                          "vrrp_instance VI_1 { # trailing comment with include x\n}\n")
        self.write("only-node1.conf", "vrrp_instance VI_N1 {\n}\n")
        cset = ka.ConfigSet(main).load()
        self.assertEqual([Path(p).name for p in cset.paths()], ["keepalived.conf", "only-node1.conf"])
        self.assertEqual(ka.find_instance_names(cset.texts()), {"VI_1", "VI_N1"})

    def test_missing_and_unmatched_includes_are_reported(self):
        main = self.write("keepalived.conf", "include none-*.conf\ninclude missing.conf\n")
        cset = ka.ConfigSet(main).load()
        self.assertEqual(cset.paths(), [main])
        self.assertEqual(sorted(Path(p).name for p in cset.unmatched), ["missing.conf", "none-*.conf"])

    def test_cycles_terminate(self):
        main = self.write("keepalived.conf", "include other.conf\n")
        self.write("other.conf", "include keepalived.conf\n")
        self.assertEqual(len(ka.ConfigSet(main).load().paths()), 2)

    def test_missing_main_file(self):
        with self.assertRaises(ka.AgentError) as ctx:
            ka.ConfigSet(str(self.dir / "nope.conf")).load()
        self.assertEqual(ctx.exception.code, ka.E_NOT_FOUND)

    def test_bytes_that_are_not_utf8_survive(self):
        main = self.dir / "keepalived.conf"
        main.write_bytes(b"! caf\xe9\nvrrp_instance VI_1 {\n}\n")
        text = ka.ConfigSet(str(main)).load().to_json()["files"][0]["text"]
        self.assertEqual(ka.encode_text(text), main.read_bytes())

    def test_strip_comment(self):
        self.assertEqual(ka.strip_comment('script "/bin/echo #1" # x'), 'script "/bin/echo #1" ')
        self.assertEqual(ka.strip_comment("auth_pass 'a!b'"), "auth_pass 'a!b'")
        self.assertEqual(ka.strip_comment("! all"), "")


class ConfigTrustTest(unittest.TestCase):
    """The files a daemon's configuration names are read as root only if no other user controls them: the file,
    every directory on the way and every symbolic link followed (config.read, check and apply read through
    ConfigSet). The configuration's own owner is no other user (ADR 0003): whoever owns a root keepalived's
    configuration, as the neutron user owns Neutron's, runs code as root through it already. Includes that are not
    regular files or are too large are refused by what they are."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kwt-agent-trust-"))
        self.addCleanup(shutil.rmtree, str(self.dir), True)
        self.dir.chmod(0o755)
        self.nobody = pwd.getpwnam("nobody")

    def write(self, rel, text, mode=0o644):
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)
        return str(path)

    def give_to_nobody(self, path):
        os.lchown(str(path), self.nobody.pw_uid, self.nobody.pw_gid)

    def neutron_tree(self):
        """ha_confs/<router>/keepalived.conf and an include, as a network node has them: the neutron user's from
        neutron/ down (the test's directory above it is root's, as /var/lib is)."""
        conf = self.write("neutron/ha_confs/%s/keepalived.conf" % ROUTER, "vrrp_instance VR_1 {\n}\ninclude peers.conf\n")
        peers = self.write("neutron/ha_confs/%s/peers.conf" % ROUTER, "! peers\n")
        base = self.dir / "neutron"
        for path in (base, base / "ha_confs", base / "ha_confs" / ROUTER, conf, peers):
            os.lchown(str(path), NEUTRON, NEUTRON)
        return conf, peers

    def refused(self, main, *why, code="untrusted"):
        """ConfigSet(main).load() fails with code, its message naming each of why; returns the message."""
        done = []

        def load():
            try:
                done.append(ka.ConfigSet(main).load())
            except ka.AgentError as exc:
                done.append(exc)
        worker = threading.Thread(target=load)
        worker.daemon = True
        worker.start()
        worker.join(10)
        self.assertTrue(done, "reading %s blocked the worker" % main)
        [exc] = done
        self.assertIsInstance(exc, ka.AgentError, "read, and nothing refused")
        self.assertEqual(exc.code, code, exc.message)
        for words in why:
            self.assertIn(words, exc.message)
        return exc.message

    @unittest.skipUnless(is_root(), "needs root to give files to another user")
    def test_a_configuration_that_belongs_to_one_user_besides_root_is_read(self):
        # Neutron's: read as keepalived reads it (root's notify scripts are the neutron user's to name anyway).
        conf, peers = self.neutron_tree()
        cset = ka.ConfigSet(conf).load()
        self.assertEqual(cset.paths(), [conf, peers])
        self.assertEqual(cset.owner, NEUTRON)
        self.assertEqual(cset.files[0]["data"], Path(conf).read_bytes())

    @unittest.skipUnless(is_root(), "needs root to give files to other users")
    def test_a_file_of_a_third_user_in_such_a_configuration_is_not_read(self):
        conf, peers = self.neutron_tree()
        os.chown(peers, NOBODY, NOBODY)
        self.refused(conf, "include 'peers.conf': %s is owned by uid %d, neither by root nor by uid %d, the owner of "
                     "the daemon's configuration" % (peers, NOBODY, NEUTRON))
        os.chown(peers, NEUTRON, NEUTRON)
        os.chown(conf, NOBODY, NOBODY)      # the main file another user's, in the neutron user's directory
        self.refused(conf, "%s belongs to two users besides root" % conf, "a directory owned by uid %d" % NEUTRON,
                     "%s is owned by uid %d, neither by root nor by uid %d" % (conf, NOBODY, NEUTRON))

    @unittest.skipUnless(is_root(), "needs root to give files to another user")
    def test_a_configuration_owners_file_or_directory_others_may_write_is_not_read(self):
        conf, peers = self.neutron_tree()
        os.chmod(peers, 0o664)
        self.refused(conf, "include 'peers.conf': %s is writable by group or others (mode 0664)" % peers)
        os.chmod(peers, 0o644)
        os.chmod(os.path.dirname(conf), 0o775)
        self.refused(conf, "is under %s, a directory writable by group or others (mode 0775)" % os.path.dirname(conf))

    @unittest.skipUnless(is_root(), "needs root to plant a link as another user")
    def test_a_link_of_the_configurations_owner_leads_only_to_a_file_of_theirs(self):
        # They could make root's keepalived read /etc/shadow anyway, but the agent does not show a file of root's
        # under a name they chose; to a file of theirs the link is followed, as keepalived follows it.
        conf, peers = self.neutron_tree()
        os.unlink(conf)
        os.symlink("/etc/shadow", conf)
        os.lchown(conf, NEUTRON, NEUTRON)
        message = self.refused(conf, "%s (a link to /etc/shadow) is reached through %s, a symbolic link of uid %d, the "
                               "owner of the daemon's configuration, and is owned by uid 0" % (conf, conf, NEUTRON))
        self.assertNotIn("root:", message)
        os.unlink(conf)
        os.symlink("peers.conf", conf)
        os.lchown(conf, NEUTRON, NEUTRON)
        self.assertEqual(ka.ConfigSet(conf).load().files[0]["data"], b"! peers\n")

    @unittest.skipUnless(is_root(), "needs root to give a directory to another user")
    def test_an_include_in_a_directory_another_user_owns_is_not_read(self):
        # The main file and its way root's alone: a user's directory an include names is theirs to fill.
        home = self.dir / "home"
        inc = self.write("home/peers.conf", "! peers\n")
        self.give_to_nobody(home)
        main = self.write("etc/keepalived.conf", "include %s\n" % inc)
        self.refused(main, "include '%s': %s is under %s, a directory owned by uid %d, not by root"
                     % (inc, inc, home, self.nobody.pw_uid))

    def test_a_configuration_in_a_directory_others_may_write_is_not_read(self):
        main = self.write("shared/keepalived.conf", "vrrp_instance VI_1 {\n}\n")
        (self.dir / "shared").chmod(0o777)
        self.refused(main, main, "is under %s, a directory writable by group or others (mode 0777)" % (self.dir / "shared"))
        inc = self.write("etc/conf.d/vi.conf", "vrrp_instance VI_2 {\n}\n")
        main = self.write("etc/keepalived.conf", "include conf.d/*.conf\n")
        (self.dir / "etc/conf.d").chmod(0o775)
        self.refused(main, "include 'conf.d/*.conf': %s is under" % inc, "writable by group or others (mode 0775)")

    @unittest.skipUnless(is_root(), "needs root to give a file to another user")
    def test_an_include_another_user_owns_is_not_read(self):
        inc = self.write("etc/peers.conf", "! peers\n")
        self.give_to_nobody(inc)
        main = self.write("etc/keepalived.conf", "include peers.conf\n")
        self.refused(main, "include 'peers.conf': %s is owned by uid %d" % (inc, self.nobody.pw_uid))

    @unittest.skipUnless(is_root(), "needs root to plant a link as another user")
    def test_a_link_to_etc_shadow_a_user_planted_is_not_followed(self):
        # In the user's own directory, and in a sticky world-writable one such as /tmp where they may add names.
        home = self.dir / "home"
        home.mkdir()
        tmp = self.dir / "tmp"
        tmp.mkdir()
        tmp.chmod(0o1777)
        for directory in (home, tmp):
            link = directory / "keepalived.conf"
            os.symlink("/etc/shadow", str(link))
            self.give_to_nobody(link)
        self.give_to_nobody(home)
        for directory in (home, tmp):
            # the link makes nobody the configuration's owner, whose links lead only to their own files
            link = directory / "keepalived.conf"
            message = self.refused(str(link), "%s (a link to /etc/shadow) is reached through %s, a symbolic link of "
                                   "uid %d" % (link, link, self.nobody.pw_uid), "is owned by uid 0")
            self.assertNotIn("root:", message)
        main = self.write("etc/keepalived.conf", "include %s\n" % (tmp / "keepalived.conf"))
        self.refused(main, "include '%s'" % (tmp / "keepalived.conf"), "a symbolic link owned by uid")

    def test_a_link_root_made_to_a_file_root_owns_is_followed(self):
        # As configuration management leaves them: keepalived reads through the link, and so does the agent.
        real = self.write("srv/keepalived-lb1.conf", "vrrp_instance VI_1 {\n}\ninclude %s/srv/conf.d/*.conf\n" % self.dir)
        self.write("srv/conf.d/a.conf", "vrrp_instance VI_A {\n}\n")
        (self.dir / "etc").mkdir()
        main = str(self.dir / "etc/keepalived.conf")
        os.symlink("../srv/keepalived-lb1.conf", main)
        cset = ka.ConfigSet(main).load()
        self.assertEqual(cset.paths(), [main, str(self.dir / "srv/conf.d/a.conf")])
        self.assertEqual(cset.files[0]["data"], Path(real).read_bytes())

    def test_a_fifo_device_or_socket_include_is_refused_by_its_type_before_it_is_opened(self):
        main = self.write("keepalived.conf", "include conf.d/*.conf\n")
        self.write("conf.d/a.conf", "vrrp_instance VI_A {\n}\n")
        fifo = self.dir / "conf.d" / "b.conf"
        os.mkfifo(str(fifo), 0o600)
        self.refused(main, "include 'conf.d/*.conf': %s is a FIFO, not a regular file" % fifo)
        fifo.unlink()
        main = self.write("keepalived.conf", "include /dev/zero\n")
        self.refused(main, "include '/dev/zero': /dev/zero is a character device, not a regular file")
        import socket
        sock = socket.socket(socket.AF_UNIX)
        self.addCleanup(sock.close)
        sock.bind(str(self.dir / "conf.d" / "c.conf"))
        main = self.write("keepalived.conf", "include conf.d/*.conf\n")
        self.refused(main, "include 'conf.d/*.conf': %s is a socket, not a regular file" % (self.dir / "conf.d/c.conf"))

    def test_an_include_larger_than_the_limit_is_refused_by_its_size(self):
        big = self.write("conf.d/big.conf", "")
        os.truncate(big, ka.MAX_CONFIG_FILE_BYTES + 1)
        main = self.write("keepalived.conf", "include conf.d/*.conf\n")
        self.refused(main, "include 'conf.d/*.conf': %s is %d bytes, more than the %d bytes"
                     % (big, ka.MAX_CONFIG_FILE_BYTES + 1, ka.MAX_CONFIG_FILE_BYTES), code="too_large")

    @unittest.skipUnless(is_root(), "needs root to give a directory to another user")
    def test_config_read_of_a_daemon_whose_configuration_a_user_controls_returns_nothing_of_it(self):
        # The agent as the client runs it, its daemon the default configuration: a link to /etc/shadow in a
        # directory the user nobody owns.
        home = self.dir / "home"
        home.mkdir()
        os.symlink("/etc/shadow", str(home / "keepalived.conf"))
        self.give_to_nobody(home / "keepalived.conf")
        self.give_to_nobody(home)
        (self.dir / "proc").mkdir()
        agent = AgentProcess("--default-config", str(home / "keepalived.conf"), "--proc-root", str(self.dir / "proc"),
                             "--state-dir", str(self.dir / "state"))
        self.addCleanup(agent.close)
        response = agent.call("config.read", {"daemon": "keepalived"})
        self.assertFalse(response["ok"], "config.read returned %s" % str(response)[:200])
        self.assertEqual(response["error"]["code"], "untrusted")
        self.assertIn("%s (a link to /etc/shadow) is reached through %s, a symbolic link of uid %d"
                      % (home / "keepalived.conf", home / "keepalived.conf", self.nobody.pw_uid),
                      response["error"]["message"])
        self.assertNotIn("root:", str(response))

    @unittest.skipUnless(is_root(), "needs root to give files to another user")
    def test_config_read_of_a_neutron_router_returns_its_configuration_and_its_claims(self):
        # The real agent on a network node's layout: the neutron user owns ha_confs and what is in it.
        conf, peers = self.neutron_tree()
        Path(conf).write_text("vrrp_instance VR_1 {\n  interface ha-1\n  virtual_router_id 1\n}\n")
        (self.dir / "proc").mkdir()
        agent = AgentProcess("--neutron-ha-confs", str(self.dir / "neutron" / "ha_confs"), "--default-config",
                             str(self.dir / "none.conf"), "--proc-root", str(self.dir / "proc"),
                             "--state-dir", str(self.dir / "state"))
        self.addCleanup(agent.close)
        response = agent.call("config.read", {"daemon": ROUTER})
        self.assertTrue(response["ok"], response)
        self.assertEqual([f["path"] for f in response["result"]["files"]], [conf])
        [daemon] = agent.call("daemons")["result"]["daemons"]
        self.assertEqual((daemon["config_error"], daemon["instances_from"]), (None, "config"))


class AtomicWriteTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kwt-agent-write-"))

    def tearDown(self):
        shutil.rmtree(str(self.dir), ignore_errors=True)

    def test_replaces_keeping_mode_and_leaves_no_temporary(self):
        target = self.dir / "keepalived.conf"
        target.write_text("old\n")
        os.chmod(str(target), 0o640)
        before = target.stat()
        ka.atomic_write(target, b"new\n", before)
        self.assertEqual(target.read_text(), "new\n")
        self.assertEqual(target.stat().st_mode & 0o7777, 0o640)
        self.assertNotEqual(target.stat().st_ino, before.st_ino)   # renamed over, not rewritten in place
        self.assertEqual(sorted(p.name for p in self.dir.iterdir()), ["keepalived.conf"])

    def test_stale_temporaries_of_dead_agents_are_removed(self):
        target = self.dir / "keepalived.conf"
        target.write_text("x")
        dead = [self.dir / ".keepalived.conf.keepwatch-999999999.tmp",
                self.dir / ".keepalived.conf.keepwatch-999999998-0123456789ab.tmp"]
        for path in dead:
            path.write_text("half")
        mine = self.dir / (".keepalived.conf.keepwatch-%d-0123456789ab.tmp" % os.getpid())
        mine.write_text("in progress")
        self.assertEqual(sorted(ka.remove_stale_temps(target)), sorted(p.name for p in dead))
        self.assertFalse(any(p.exists() for p in dead))
        self.assertTrue(mine.exists())

    def test_a_file_planted_at_the_temporary_name_is_not_what_replaces_the_target(self):
        # Whoever keeps a file open at the temporary's name would hold the new configuration once renamed.
        target = self.dir / "keepalived.conf"
        target.write_text("old\n")
        planted = [self.dir / (".keepalived.conf.keepwatch-%d.tmp" % os.getpid()),
                   self.dir / (".keepalived.conf.keepwatch-%d-planted.tmp" % os.getpid())]
        for path in planted:
            path.write_text("planted\n")
        tokens = iter(["planted", "fresh"])
        original, ka.random_token = getattr(ka, "random_token", None), lambda: next(tokens)
        try:
            ka.atomic_write(target, b"new\n", target.stat())
        finally:
            ka.random_token = original
        self.assertEqual(target.read_text(), "new\n")
        self.assertNotIn(target.stat().st_ino, [p.stat().st_ino for p in planted])
        self.assertEqual([p.read_text() for p in planted], ["planted\n", "planted\n"])

    def test_a_temporary_is_0600_from_its_creation(self):
        seen = []
        original = ka.os.fsync

        def look(fd):
            seen.append(os.fstat(fd).st_mode & 0o777)
            original(fd)
        old_umask = os.umask(0o022)
        ka.os.fsync = look
        try:
            ka.atomic_write(self.dir / "backup.conf", b"auth_pass secret\n")
        finally:
            ka.os.fsync = original
            os.umask(old_umask)
        self.assertEqual(seen[0], 0o600)
        self.assertEqual((self.dir / "backup.conf").stat().st_mode & 0o777, 0o600)


if __name__ == "__main__":
    unittest.main()
