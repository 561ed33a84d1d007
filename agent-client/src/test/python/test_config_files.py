"""The files of one keepalived configuration: includes resolved the way keepalived does."""

import os
import shutil
import tempfile
import unittest
from pathlib import Path

from kwtlab import agent_module

ka = agent_module()


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
