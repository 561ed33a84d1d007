"""How the agent starts: BOOTSTRAP (hash check, one process, the cached compiled code) and the
cache of keepalived's probe answers in the state dir."""

import ast
import json
import marshal
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from kwtlab import AGENT_PATH, AgentProcess, agent_module

ka = agent_module()

CACHE_TAG = sys.implementation.cache_tag
VERSION_LINE = '"agent_version"'


def sha256_hex(data: bytes) -> str:
    return ka.sha256_hex(data)


def root_cache_bootstrap(directory: Path, sha: str):
    """BOOTSTRAP with its root cache directory moved to `directory` (the test's, not the node's
    /var/cache/keepwatch), and the cache file a root run of the agent whose hash is sha uses there."""
    program = ka.BOOTSTRAP.replace('"%s"' % ka.BOOTSTRAP_ROOT_CACHE_DIR, '"%s"' % directory)
    assert program != ka.BOOTSTRAP, "BOOTSTRAP no longer names its root cache directory as a constant string"
    return program, directory / ("agent-%s.%s.kwc" % (sha[:16], CACHE_TAG))


class BootstrapTest(unittest.TestCase):
    """BOOTSTRAP run as the client runs it: python3 -I -S -c BOOTSTRAP PATH --sha256=HASH COMMAND. Its compiled-code
    cache is beside the file when not root, and in root's own directory as root (here a temporary one, which
    stands for /var/cache/keepwatch)."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kwt-boot-"))
        self.addCleanup(shutil.rmtree, str(self.dir), True)
        self.source = AGENT_PATH.read_bytes()
        self.sha = sha256_hex(self.source)
        self.agent = self.dir / ("agent-%s.py" % self.sha[:16])
        self.agent.write_bytes(self.source)
        self.bootstrap, self.cache = root_cache_bootstrap(self.dir / "root-cache", self.sha)
        if os.geteuid() != 0:
            self.cache = self.dir / ("agent-%s.%s.kwc" % (self.sha[:16], CACHE_TAG))

    def run_boot(self, *args, path=None, sha=None):
        argv = [sys.executable] + ka.BOOTSTRAP_PYTHON_FLAGS + ["-c", self.bootstrap, str(path or self.agent)]
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
        self.cache.parent.mkdir(mode=0o700, exist_ok=True)
        self.cache.write_bytes(key + bytes.fromhex(sha256_hex(payload)) + payload)

    # -- the program itself ----------------------------------------------------------------

    def test_constants_agree_with_the_program(self):
        self.assertIn("sys.exit(%d)" % ka.BOOTSTRAP_DEPLOY_EXIT, ka.BOOTSTRAP)
        self.assertIn('"%s ' % ka.BOOTSTRAP_DEPLOY_MARK, ka.BOOTSTRAP)
        self.assertIn('b"%s"' % ka.BOOTSTRAP_CACHE_MAGIC.decode(), ka.BOOTSTRAP)
        self.assertIn('"%s"' % ka.BOOTSTRAP_ROOT_CACHE_DIR, ka.BOOTSTRAP)
        self.assertEqual(ka.BOOTSTRAP.count(str(ka.BOOTSTRAP_MAX_SOURCE_BYTES)), 3)
        self.assertIn("time.time() - %d" % ka.BOOTSTRAP_STALE_CACHE_S, ka.BOOTSTRAP)

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

    def test_only_a_regular_file_of_a_bounded_size_is_read_as_the_agent(self):
        # The login user owns the file's directory: as root, a link to another file, a FIFO (the read would
        # wait for ever) or a file with no end is not read, and the client deploys the file again over it.
        copy = self.dir / "copy.py"
        copy.write_bytes(self.source)
        self.agent.unlink()
        self.agent.symlink_to(copy)
        fifo = self.dir / "agent-fifo.py"
        os.mkfifo(str(fifo))
        huge = self.dir / "agent-huge.py"
        with huge.open("wb") as f:
            f.truncate(ka.BOOTSTRAP_MAX_SOURCE_BYTES + 1)
        for path, why in ((self.agent, "a symbolic link"), (fifo, "not a regular file"),
                          (huge, "more than %d bytes" % ka.BOOTSTRAP_MAX_SOURCE_BYTES)):
            with self.subTest(why=why):
                out = self.run_boot("serve", path=path)
                self.assertEqual(out.returncode, ka.BOOTSTRAP_DEPLOY_EXIT)
                self.assertIn("%s cannot read %s: %s" % (ka.BOOTSTRAP_DEPLOY_MARK, path, why), out.stderr)
                self.assertEqual(out.stdout, "")

    def test_by_hand_without_a_hash_runs_and_caches_nothing(self):
        out = subprocess.run([sys.executable, str(self.agent), "version"], stdout=subprocess.PIPE,
                             universal_newlines=True, timeout=30)
        self.assertEqual(out.returncode, 0)
        self.assertIn(VERSION_LINE, out.stdout)
        self.assertEqual(self.run_boot("version", sha=False).returncode, 0)
        self.assertEqual(sorted(p.name for p in self.dir.iterdir()), [self.agent.name])
        self.assertFalse(self.cache.exists())

    # -- the compiled-code cache -----------------------------------------------------------

    def test_first_start_writes_the_cache_atomically_and_privately(self):
        self.assertEqual(self.run_boot().returncode, 0)
        data = self.cache.read_bytes()
        key = self.cache_key(self.source)
        self.assertTrue(data.startswith(key))
        payload = data[len(key) + 32:]
        self.assertEqual(data[len(key):len(key) + 32], bytes.fromhex(sha256_hex(payload)))
        self.assertEqual(stat.S_IMODE(self.cache.stat().st_mode), 0o600)
        self.assertEqual([p for p in self.cache.parent.iterdir() if p.name.endswith(".tmp")], [])
        if os.geteuid() == 0:
            self.assertEqual(sorted(p.name for p in self.dir.iterdir()), sorted([self.agent.name, "root-cache"]),
                             "nothing beside the file as root")
            self.assertEqual((self.cache.parent.stat().st_uid, stat.S_IMODE(self.cache.parent.stat().st_mode)),
                             (0, 0o700))

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
        self.cache.parent.mkdir(mode=0o700, exist_ok=True)
        for payload in (b"\xff\x00not marshal", marshal.dumps(["a list, not code"])):
            self.cache.write_bytes(key + bytes.fromhex(sha256_hex(payload)) + payload)
            self.assert_ignored_and_rewritten()

    def test_a_directory_it_cannot_write_only_means_compiling(self):
        if os.geteuid() == 0:
            # root writes anyway: make the cache path a directory instead, which no one can rename over
            self.cache.parent.mkdir(mode=0o700)
            self.cache.mkdir()
        else:
            self.dir.chmod(0o500)
            self.addCleanup(self.dir.chmod, 0o700)
        out = self.run_boot()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(VERSION_LINE, out.stdout)
        self.assertEqual([p for p in self.cache.parent.iterdir() if p.name.endswith(".tmp")], [])


MARK_MODULE = "import os\nopen(os.path.join(%r, %r), %r).close()\n"
# Modules a root run must never import from the login user's directory: the bootstrap's own (_sha256 is an
# extension module in some builds, a file of that name in the working directory came first) and the agent's.
PLANTED_MODULES = ("_sha256", "hashlib", "os", "marshal", "json", "re", "selectors", "socket", "struct",
                   "fnmatch", "heapq", "collections", "signal", "fcntl", "errno")


@unittest.skipUnless(os.geteuid() == 0, "needs root (the login user is nobody, the agent runs as root)")
class RootStartAttackTest(unittest.TestCase):
    """The start command run as root (as sudo -n runs it: in the login user's home, the agent deployed
    there) by a login user, nobody, who owns that home and everything deployed in it."""

    def setUp(self):
        self.nobody = pwd.getpwnam("nobody")
        self.top = Path(tempfile.mkdtemp(prefix="kwt-boot-root-"))
        self.addCleanup(shutil.rmtree, str(self.top), True)
        self.top.chmod(0o755)
        self.marks = self.top / "marks"             # root's: the login user's code leaves its mark here
        self.marks.mkdir()
        self.marks.chmod(0o777)
        self.home = self.top / "home"
        self.source = AGENT_PATH.read_bytes()
        self.sha = sha256_hex(self.source)
        self.relative = ".cache/keepwatch/agent-%s.py" % self.sha[:16]
        self.home.mkdir(mode=0o755)
        os.chown(str(self.home), self.nobody.pw_uid, self.nobody.pw_gid)      # the login user's home
        self.as_nobody("mkdir", "-p", str(self.home / ".cache/keepwatch"))
        self.as_nobody("cp", str(AGENT_PATH), str(self.home / self.relative))
        self.root_cache = self.top / "root-cache"     # stands for /var/cache/keepwatch
        self.bootstrap = ka.BOOTSTRAP.replace(ka.BOOTSTRAP_ROOT_CACHE_DIR, str(self.root_cache))

    def as_nobody(self, *command):
        subprocess.run(["setpriv", "--reuid", str(self.nobody.pw_uid), "--regid", str(self.nobody.pw_gid),
                        "--clear-groups"] + list(command), check=True, cwd=str(self.top), stdout=subprocess.DEVNULL)

    def plant(self, relative, data: bytes):
        """A file the login user writes under their home."""
        subprocess.run(["setpriv", "--reuid", str(self.nobody.pw_uid), "--regid", str(self.nobody.pw_gid),
                        "--clear-groups", "tee", str(self.home / relative)], input=data, check=True,
                       stdout=subprocess.DEVNULL)

    def run_as_root(self, command="version"):
        """The client's start command (python3 FLAGS -c BOOTSTRAP PATH --sha256=HASH COMMAND) run by root in the
        login user's home, as sudo -n runs it there."""
        argv = ([sys.executable] + list(ka.BOOTSTRAP_PYTHON_FLAGS) + ["-c", self.bootstrap, self.relative,
                "--sha256=" + self.sha, command])
        return subprocess.run(argv, cwd=str(self.home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=60, env={"PATH": os.environ.get("PATH", "/usr/bin")})

    def marks_left(self):
        return sorted(p.name for p in self.marks.iterdir())

    def test_a_compiled_code_cache_the_login_user_forged_is_never_run_by_root(self):
        import importlib.util
        key = (ka.BOOTSTRAP_CACHE_MAGIC + importlib.util.MAGIC_NUMBER + sys.hexversion.to_bytes(4, "big")
               + bytes.fromhex(self.sha))
        forged = compile("def main():\n    open(%r, 'w').close()\n    print('forged')\n    return 0\n"
                         % str(self.marks / "forged-cache-ran"), "forged", "exec")
        payload = marshal.dumps(forged)
        self.plant(".cache/keepwatch/agent-%s.%s.kwc" % (self.sha[:16], CACHE_TAG),
                   key + bytes.fromhex(sha256_hex(payload)) + payload)
        for _ in range(2):      # the first run compiles, the second may hit a cache: neither runs the forgery
            out = self.run_as_root()
            self.assertEqual(self.marks_left(), [], "root ran the login user's compiled code")
            self.assertNotIn("forged", out.stdout)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn(VERSION_LINE, out.stdout)

    def test_a_module_in_the_login_users_directory_is_never_imported_by_root(self):
        for name in PLANTED_MODULES:
            self.plant(name + ".py", (MARK_MODULE % (str(self.marks), name, "w")).encode())
        self.plant(".cache/keepwatch/json.py", (MARK_MODULE % (str(self.marks), "json-beside-agent", "w")).encode())
        for command in ("version", "version"):
            out = self.run_as_root(command)
            self.assertEqual(self.marks_left(), [], "root imported the login user's modules")
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn(VERSION_LINE, out.stdout)


    def forged_cache(self, mark: str) -> bytes:
        """A cache entry for the real agent's source whose code is the login user's: it leaves `mark`."""
        import importlib.util
        key = (ka.BOOTSTRAP_CACHE_MAGIC + importlib.util.MAGIC_NUMBER + sys.hexversion.to_bytes(4, "big")
               + bytes.fromhex(self.sha))
        code = compile("def main():\n    open(%r, 'w').close()\n    return 0\n" % str(self.marks / mark), "forged", "exec")
        payload = marshal.dumps(code)
        return key + bytes.fromhex(sha256_hex(payload)) + payload

    def test_roots_cache_is_used_only_in_a_directory_that_root_alone_may_write(self):
        _, cache = root_cache_bootstrap(self.root_cache, self.sha)
        elsewhere = self.top / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        cases = {"owned by nobody": (0o700, self.nobody.pw_uid, False), "world-writable": (0o777, 0, False),
                 "sticky and world-writable": (0o1777, 0, False), "a symbolic link": (0o700, 0, True)}
        for case, (mode, owner, link) in cases.items():
            with self.subTest(case=case):
                shutil.rmtree(str(self.root_cache), ignore_errors=True)
                if self.root_cache.is_symlink():
                    self.root_cache.unlink()
                real = elsewhere if link else self.root_cache
                real.mkdir(mode=0o700, exist_ok=True)
                os.chmod(str(real), mode)
                os.chown(str(real), owner, owner)
                if link:
                    self.root_cache.symlink_to(real)
                forged = self.forged_cache(case.replace(" ", "-"))
                (real / cache.name).write_bytes(forged)
                out = self.run_as_root()
                self.assertEqual(self.marks_left(), [], "root ran a cache from a directory it does not alone control")
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertIn(VERSION_LINE, out.stdout)
                self.assertEqual((real / cache.name).read_bytes(), forged, "nothing is written there either")
                self.assertEqual(sorted(p.name for p in real.iterdir()), [cache.name])

    def test_a_cache_file_root_does_not_own_alone_is_not_run(self):
        _, cache = root_cache_bootstrap(self.root_cache, self.sha)
        self.root_cache.mkdir(mode=0o700)
        forged_elsewhere = self.top / "forged.kwc"
        forged_elsewhere.write_bytes(self.forged_cache("through-a-link"))
        cases = {"owned by nobody": lambda: (cache.write_bytes(self.forged_cache("nobodys")),
                                             os.chown(str(cache), self.nobody.pw_uid, self.nobody.pw_gid)),
                 "group-writable": lambda: (cache.write_bytes(self.forged_cache("group-writable")),
                                            cache.chmod(0o664)),
                 "a symbolic link": lambda: cache.symlink_to(forged_elsewhere)}
        for case, plant in cases.items():
            with self.subTest(case=case):
                plant()
                out = self.run_as_root()
                self.assertEqual(self.marks_left(), [], "root ran a cache file that is not root's alone")
                self.assertEqual(out.returncode, 0, out.stderr)
                st = cache.lstat()
                self.assertEqual((stat.S_ISREG(st.st_mode), st.st_uid, stat.S_IMODE(st.st_mode)), (True, 0, 0o600),
                                 "replaced by root's own")
                cache.unlink()

    def test_a_root_run_caches_its_code_once_and_uses_it(self):
        _, cache = root_cache_bootstrap(self.root_cache, self.sha)
        self.assertEqual(self.run_as_root().returncode, 0)
        first = cache.stat()
        self.assertEqual((first.st_uid, stat.S_IMODE(first.st_mode)), (0, 0o600))
        self.assertEqual((self.root_cache.stat().st_uid, stat.S_IMODE(self.root_cache.stat().st_mode)), (0, 0o700))
        self.assertEqual(sorted(p.name for p in (self.home / ".cache/keepwatch").iterdir()),
                         ["agent-%s.py" % self.sha[:16]], "nothing beside the login user's file")
        out = self.run_as_root()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(VERSION_LINE, out.stdout)
        self.assertEqual((first.st_ino, first.st_mtime_ns), (cache.stat().st_ino, cache.stat().st_mtime_ns), "a hit")

    def test_versions_root_has_not_written_for_a_month_go_when_it_writes_a_new_one(self):
        self.root_cache.mkdir(mode=0o700)
        old = ["agent-0123456789abcdef.cpython-311.kwc", "agent-0123456789abcdef.cpython-39.kwc.4711.tmp"]
        kept = ["agent-fedcba9876543210.cpython-311.kwc", "notes.txt"]
        month_ago = time.time() - ka.BOOTSTRAP_STALE_CACHE_S - 3600
        for name in old + kept:
            (self.root_cache / name).write_text("x")
        for name in old + kept[1:]:
            os.utime(str(self.root_cache / name), (month_ago, month_ago))
        self.assertEqual(self.run_as_root().returncode, 0)
        _, cache = root_cache_bootstrap(self.root_cache, self.sha)
        self.assertEqual(sorted(p.name for p in self.root_cache.iterdir()), sorted(kept + [cache.name]))

    def test_a_run_as_the_login_user_keeps_its_cache_beside_its_file(self):
        self.as_nobody(sys.executable, *ka.BOOTSTRAP_PYTHON_FLAGS, "-c", self.bootstrap,
                       str(self.home / self.relative), "--sha256=" + self.sha, "version")
        beside = self.home / (".cache/keepwatch/agent-%s.%s.kwc" % (self.sha[:16], CACHE_TAG))
        self.assertEqual(beside.stat().st_uid, self.nobody.pw_uid)
        self.assertFalse(self.root_cache.exists(), "not root: root's directory is not touched")

    def test_keepalived_t_as_root_never_runs_a_file_the_login_user_swapped_in_since_the_start(self):
        # config.check as root runs the agent again (_check-exec) to put the candidate in place for keepalived -t:
        # it ran `python3 FILE`, the file as it is by then, with a module beside it imported first.
        conf = self.top / "etc" / "keepalived.conf"
        conf.parent.mkdir(mode=0o755)
        conf.write_text("vrrp_instance VI_1 {\n}\n")
        fake_keepalived = self.top / "keepalived"
        fake_keepalived.write_text("#!/bin/sh\nexit 0\n")
        fake_keepalived.chmod(0o755)
        (self.top / "proc").mkdir()
        command = ([sys.executable] + ka.BOOTSTRAP_PYTHON_FLAGS + ["-c", self.bootstrap, self.relative,
                   "--sha256=" + self.sha, "serve"])
        agent = AgentProcess("--default-config", str(conf), "--proc-root", str(self.top / "proc"),
                             "--state-dir", str(self.top / "state"), "--keepalived-bin", str(fake_keepalived),
                             command=command, cwd=str(self.home))
        self.addCleanup(agent.close)
        self.assertTrue(agent.call("hello")["ok"])
        self.plant(self.relative, (MARK_MODULE % (str(self.marks), "swapped-agent-ran", "w")).encode())
        self.plant(".cache/keepwatch/json.py", (MARK_MODULE % (str(self.marks), "json-beside-agent", "w")).encode())
        response = agent.call("config.check", {"daemon": "keepalived", "text": "vrrp_instance VI_1 {\n}\n"})
        self.assertEqual(self.marks_left(), [], "root ran what the login user put in the agent's directory")
        self.assertFalse(response["ok"], response)
        self.assertEqual(response["error"]["code"], "io_error")
        self.assertIn("the agent's file is no longer the one this session runs", response["error"]["message"])


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
