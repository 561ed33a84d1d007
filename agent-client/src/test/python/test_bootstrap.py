"""How the agent starts: BOOTSTRAP (hash check, one process, the cached compiled code) and the
cache of keepalived's probe answers in the state dir."""

import ast
import json
import marshal
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from kwtlab import AGENT_PATH, agent_module

ka = agent_module()

CACHE_TAG = sys.implementation.cache_tag
VERSION_LINE = '"agent_version"'


def sha256_hex(data: bytes) -> str:
    return ka.sha256_hex(data)


class BootstrapTest(unittest.TestCase):
    """BOOTSTRAP run as the client runs it: python3 -S -c BOOTSTRAP PATH --sha256=HASH COMMAND."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kwt-boot-"))
        self.addCleanup(shutil.rmtree, str(self.dir), True)
        self.source = AGENT_PATH.read_bytes()
        self.sha = sha256_hex(self.source)
        self.agent = self.dir / ("agent-%s.py" % self.sha[:16])
        self.agent.write_bytes(self.source)
        self.cache = self.dir / ("agent-%s.%s.kwc" % (self.sha[:16], CACHE_TAG))

    def run_boot(self, *args, path=None, sha=None):
        argv = [sys.executable, "-S", "-c", ka.BOOTSTRAP, str(path or self.agent)]
        if sha is not False:
            argv.append("--sha256=%s" % (sha or self.sha))
        return subprocess.run(argv + list(args or ["version"]), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=30)

    def cache_key(self, source: bytes, magic: bytes = None, hexversion: int = None) -> bytes:
        import importlib.util
        return (ka.BOOTSTRAP_CACHE_MAGIC + (magic or importlib.util.MAGIC_NUMBER)
                + (hexversion or sys.hexversion).to_bytes(4, "big") + bytes.fromhex(sha256_hex(source)))

    def write_cache(self, key: bytes, code) -> None:
        payload = marshal.dumps(code)
        self.cache.write_bytes(key + bytes.fromhex(sha256_hex(payload)) + payload)

    # -- the program itself ----------------------------------------------------------------

    def test_constants_agree_with_the_program(self):
        self.assertIn("sys.exit(%d)" % ka.BOOTSTRAP_DEPLOY_EXIT, ka.BOOTSTRAP)
        self.assertIn('"%s ' % ka.BOOTSTRAP_DEPLOY_MARK, ka.BOOTSTRAP)
        self.assertIn('b"%s"' % ka.BOOTSTRAP_CACHE_MAGIC.decode(), ka.BOOTSTRAP)

    def test_program_can_be_single_quoted_and_is_python_36(self):
        self.assertNotIn("'", ka.BOOTSTRAP)
        text = AGENT_PATH.read_text()
        start = text.index('# --- bootstrap start ---\nBOOTSTRAP = r"""') + len('# --- bootstrap start ---\nBOOTSTRAP = r"""')
        self.assertEqual(text[start:text.index('"""\n# --- bootstrap end ---', start)], ka.BOOTSTRAP)
        if sys.version_info >= (3, 8):
            ast.parse(ka.BOOTSTRAP, feature_version=(3, 6))

    # -- the hash check --------------------------------------------------------------------

    def test_runs_the_agent_in_one_process_when_the_hash_matches(self):
        out = self.run_boot("version")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(VERSION_LINE, out.stdout)

    def test_a_missing_file_is_not_deployed(self):
        out = self.run_boot("serve", path=self.dir / "agent-missing.py")
        self.assertEqual(out.returncode, ka.BOOTSTRAP_DEPLOY_EXIT)
        self.assertIn(ka.BOOTSTRAP_DEPLOY_MARK, out.stderr)
        self.assertEqual(out.stdout, "")

    def test_a_different_file_is_not_deployed_and_never_runs(self):
        self.agent.write_text("import sys; sys.stdout.write('ran\\n')\n")
        out = self.run_boot("serve")
        self.assertEqual(out.returncode, ka.BOOTSTRAP_DEPLOY_EXIT)
        self.assertIn(ka.BOOTSTRAP_DEPLOY_MARK, out.stderr)
        self.assertIn("not %s" % self.sha, out.stderr)
        self.assertNotIn("ran", out.stdout)
        self.assertFalse(self.cache.exists())

    def test_by_hand_without_a_hash_runs_and_caches_nothing(self):
        out = subprocess.run([sys.executable, str(self.agent), "version"], stdout=subprocess.PIPE,
                             universal_newlines=True, timeout=30)
        self.assertEqual(out.returncode, 0)
        self.assertIn(VERSION_LINE, out.stdout)
        self.assertEqual(self.run_boot("version", sha=False).returncode, 0)
        self.assertEqual(sorted(p.name for p in self.dir.iterdir()), [self.agent.name])

    # -- the compiled-code cache -----------------------------------------------------------

    def test_first_start_writes_the_cache_atomically_and_privately(self):
        self.assertEqual(self.run_boot().returncode, 0)
        data = self.cache.read_bytes()
        key = self.cache_key(self.source)
        self.assertTrue(data.startswith(key))
        payload = data[len(key) + 32:]
        self.assertEqual(data[len(key):len(key) + 32], bytes.fromhex(sha256_hex(payload)))
        self.assertEqual(stat.S_IMODE(self.cache.stat().st_mode), 0o600)
        self.assertEqual([p for p in self.dir.iterdir() if p.name.endswith(".tmp")], [])

    def test_cache_hit_runs_the_cached_code(self):
        # A valid entry for this source whose code says so: a hit runs it, compiles nothing.
        self.write_cache(self.cache_key(self.source),
                         compile("def main():\n    print('from the cache')\n    return 0\n", str(self.agent), "exec"))
        before = self.cache.stat()
        out = self.run_boot()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "from the cache\n")
        after = self.cache.stat()
        self.assertEqual((before.st_ino, before.st_mtime_ns), (after.st_ino, after.st_mtime_ns))

    def test_a_real_cache_hit_is_the_agent(self):
        self.assertEqual(self.run_boot().returncode, 0)
        first = self.cache.stat()
        out = self.run_boot()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(VERSION_LINE, out.stdout)
        self.assertEqual(first.st_ino, self.cache.stat().st_ino)     # not rewritten

    def assert_ignored_and_rewritten(self):
        out = self.run_boot()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(VERSION_LINE, out.stdout)
        self.assertNotIn("from the cache", out.stdout)
        self.assertTrue(self.cache.read_bytes().startswith(self.cache_key(self.source)))
        payload = self.cache.read_bytes()[len(self.cache_key(self.source)) + 32:]
        self.assertEqual(type(marshal.loads(payload)), type(compile("", "x", "exec")))

    def test_stale_cache_of_another_source_is_ignored(self):
        self.write_cache(self.cache_key(b"an older agent"), compile("print('from the cache')", "x", "exec"))
        self.assert_ignored_and_rewritten()

    def test_cache_of_another_python_is_ignored(self):
        code = compile("print('from the cache')", "x", "exec")
        self.write_cache(self.cache_key(self.source, magic=b"\x00\x00\r\n"), code)
        self.assert_ignored_and_rewritten()
        self.write_cache(self.cache_key(self.source, hexversion=sys.hexversion ^ 0x100), code)
        self.assert_ignored_and_rewritten()

    def test_corrupt_cache_is_ignored(self):
        self.assertEqual(self.run_boot().returncode, 0)
        good = self.cache.read_bytes()
        flipped = bytearray(good)
        flipped[-100] ^= 0x40                      # a bit inside the marshalled code
        for bad in (bytes(flipped), good[:len(good) // 2], b"", b"garbage" * 100, good[:40]):
            self.cache.write_bytes(bad)
            self.assert_ignored_and_rewritten()

    def test_checksummed_but_unloadable_cache_is_ignored(self):
        key = self.cache_key(self.source)
        for payload in (b"\xff\x00not marshal", marshal.dumps(["a list, not code"])):
            self.cache.write_bytes(key + bytes.fromhex(sha256_hex(payload)) + payload)
            self.assert_ignored_and_rewritten()

    def test_a_directory_it_cannot_write_only_means_compiling(self):
        if os.geteuid() == 0:
            # root writes anyway: make the cache path a directory instead, which no one can rename over
            self.cache.mkdir()
        else:
            self.dir.chmod(0o500)
            self.addCleanup(self.dir.chmod, 0o700)
        out = self.run_boot()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(VERSION_LINE, out.stdout)
        self.assertEqual([p for p in self.dir.iterdir() if p.name.endswith(".tmp")], [])


class ProbeCacheTest(unittest.TestCase):
    """keepalived's --version and --signum answers kept per executable in the state dir."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kwt-probes-"))
        self.addCleanup(shutil.rmtree, str(self.dir), True)
        self.calls = self.dir / "calls"
        self.exe = self.dir / "keepalived"
        self.write_exe("2.2.7", 42)
        self.path = self.dir / "state" / ka.PROBE_CACHE_FILE

    def write_exe(self, version: str, json_signum: int) -> None:
        self.exe.write_text(
            "#!/bin/sh\n"
            "echo \"$@\" >> '%s'\n"
            "case \"$1\" in\n"
            "  --version) echo 'Keepalived v%s (01/16,2022)' >&2; echo 'Config options:  LVS VRRP' >&2 ;;\n"
            "  --signum=JSON) echo %d ;;\n"
            "  --signum=DATA) echo 10 ;;\n"
            "  *) exit 1 ;;\n"
            "esac\n" % (self.calls, version, json_signum))
        self.exe.chmod(0o755)

    def probe_calls(self):
        return self.calls.read_text().splitlines() if self.calls.exists() else []

    def test_second_session_reads_the_answers_without_running_keepalived(self):
        first = ka.ProbeCache(self.path)
        self.assertEqual(first.version_info(str(self.exe))["version"], "2.2.7")
        self.assertEqual(first.signum(str(self.exe), "JSON"), 42)
        self.assertEqual(first.signum(str(self.exe), "DATA"), 10)
        self.assertEqual(len(self.probe_calls()), 3)
        second = ka.ProbeCache(self.path)                   # the next agent
        info = second.version_info(str(self.exe))
        self.assertEqual((info["version"], info["build_date"], info["config_options"], info["path"]),
                         ("2.2.7", "01/16,2022", ["LVS", "VRRP"], str(self.exe)))
        self.assertEqual(second.signum(str(self.exe), "JSON"), 42)
        self.assertEqual(second.signum(str(self.exe), "DATA"), 10)
        self.assertEqual(len(self.probe_calls()), 3)
        self.assertEqual(stat.S_IMODE(self.path.stat().st_mode), 0o600)

    def test_a_replaced_executable_is_probed_again(self):
        ka.ProbeCache(self.path).signum(str(self.exe), "JSON")
        time.sleep(0.01)
        self.write_exe("2.3.1", 43)
        self.assertEqual(ka.ProbeCache(self.path).signum(str(self.exe), "JSON"), 43)
        self.assertEqual(ka.ProbeCache(self.path).version_info(str(self.exe))["version"], "2.3.1")
        self.assertEqual(len(self.probe_calls()), 3)

    def test_same_mtime_and_size_but_a_new_file_is_probed_again(self):
        ka.ProbeCache(self.path).signum(str(self.exe), "JSON")
        st = self.exe.stat()
        replacement = self.dir / "keepalived.new"
        shutil.copy2(str(self.exe), str(replacement))
        os.utime(str(replacement), ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(str(replacement), str(self.exe))         # as a package upgrade does
        ka.ProbeCache(self.path).signum(str(self.exe), "JSON")
        self.assertEqual(len(self.probe_calls()), 2)

    def test_corrupt_or_implausible_cache_is_a_miss_and_is_rewritten(self):
        key = ka.ProbeCache.key(str(self.exe))
        self.path.parent.mkdir(parents=True)
        for text in ("{not json", "[]", json.dumps({"format": 99, "entries": {key: {"signum:JSON": 42}}}),
                     json.dumps({"format": 1, "entries": {key: {"signum:JSON": 9999}}}),
                     json.dumps({"format": 1, "entries": {key: {"signum:JSON": "9"}}}),
                     json.dumps({"format": 1, "entries": {key: {"version": {"version": 7}}}})):
            self.path.write_text(text)
            cache = ka.ProbeCache(self.path)
            self.assertEqual(cache.signum(str(self.exe), "JSON"), 42)
            self.assertEqual(cache.version_info(str(self.exe))["version"], "2.2.7")
            self.assertEqual(json.loads(self.path.read_text())["entries"][key]["signum:JSON"], 42)
        self.assertEqual(len(self.probe_calls()), 12)

    def test_a_keepalived_that_cannot_run_is_not_remembered(self):
        self.exe.chmod(0o644)
        cache = ka.ProbeCache(self.path)
        self.assertIsNone(cache.signum(str(self.exe), "JSON"))
        self.assertIn("error", cache.version_info(str(self.exe)))
        self.assertFalse(self.path.exists())
        self.exe.chmod(0o755)
        self.assertEqual(ka.ProbeCache(self.path).signum(str(self.exe), "JSON"), 42)

    def test_a_definite_no_is_remembered(self):
        self.write_exe("2.0.0", 0)                           # prints 0: no such signal in this build
        self.assertIsNone(ka.ProbeCache(self.path).signum(str(self.exe), "JSON"))
        self.assertIsNone(ka.ProbeCache(self.path).signum(str(self.exe), "JSON"))
        self.assertEqual(len(self.probe_calls()), 1)

    def test_without_a_state_dir_or_with_an_unwritable_one_it_still_answers(self):
        self.assertEqual(ka.ProbeCache(None).signum(str(self.exe), "JSON"), 42)
        blocked = self.dir / "file"
        blocked.write_text("")
        self.assertEqual(ka.ProbeCache(blocked / "cache" / "x.json").signum(str(self.exe), "JSON"), 42)
        self.assertEqual(len(self.probe_calls()), 2)

    def test_entries_are_bounded(self):
        cache = ka.ProbeCache(self.path)
        for i in range(ka.PROBE_CACHE_MAX_ENTRIES + 5):
            cache._store("exe-%d" % i, "signum:JSON", i + 1)
        entries = json.loads(self.path.read_text())["entries"]
        self.assertEqual(len(entries), ka.PROBE_CACHE_MAX_ENTRIES)
        self.assertIn("exe-%d" % (ka.PROBE_CACHE_MAX_ENTRIES + 4), entries)
        self.assertNotIn("exe-0", entries)


if __name__ == "__main__":
    unittest.main()
