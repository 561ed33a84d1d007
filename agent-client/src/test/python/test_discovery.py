"""Discovery from /proc, on a fake /proc tree (the real one is exercised by test_live)."""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from kwtlab import AgentProcess, agent_module

ka = agent_module()
ROUTER = "6f1b9a52-3c1e-4e0b-9d7a-2f5c8e1a0b44"
BOOT_TIME = 1700000000


class FakeProc(object):
    def __init__(self, root):
        self.root = Path(root)
        self.proc = self.root / "proc"
        self.netns = self.root / "netns"
        for d in (self.proc / "self" / "ns", self.netns):
            d.mkdir(parents=True)
        (self.proc / "stat").write_text("cpu 0 0 0 0\nbtime %d\n" % BOOT_TIME)
        (self.proc / "self" / "ns" / "net").write_text("own net")
        (self.proc / "self" / "ns" / "mnt").write_text("own mnt")

    def add_netns(self, name):
        path = self.netns / name
        path.write_text(name)
        return path

    def add(self, pid, comm, ppid, argv, state="S", starttime=1000, env=None, netns=None, uid=None, exe="/bin/true"):
        d = self.proc / str(pid)
        (d / "ns").mkdir(parents=True)
        uid = os.geteuid() if uid is None else uid
        (d / "status").write_text("Name:\t%s\nUid:\t%d\t%d\t%d\t%d\n" % (comm, uid, uid, uid, uid))
        fields = [state, str(ppid)] + ["0"] * 17 + [str(starttime)] + ["0"] * 10
        (d / "stat").write_text("%d (%s) %s\n" % (pid, comm, " ".join(fields)))
        (d / "cmdline").write_bytes(b"".join(a.encode() + b"\0" for a in argv))
        (d / "environ").write_bytes(b"".join(("%s=%s" % kv).encode() + b"\0" for kv in (env or {}).items()))
        os.link(str(netns or self.proc / "self" / "ns" / "net"), str(d / "ns" / "net"))
        os.link(str(self.proc / "self" / "ns" / "mnt"), str(d / "ns" / "mnt"))
        os.symlink("/", str(d / "cwd"))
        os.symlink(exe, str(d / "exe"))
        unit = "keepalived.service" if netns is None else "neutron-l3-agent.service"
        (d / "cgroup").write_text("0::/system.slice/%s\n" % unit if comm == "keepalived" else "0::/user.slice\n")

    def remove(self, pid):
        shutil.rmtree(str(self.proc / str(pid)))


class DiscoveryTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kwt-agent-proc-")
        self.fake = FakeProc(self.tmp)
        qrouter = self.fake.add_netns("qrouter-" + ROUTER)
        self.fake.add(1, "init", 0, ["/sbin/init"])
        self.fake.add(100, "keepalived", 1, ["/usr/sbin/keepalived", "--dont-fork", "--log-console"])
        self.fake.add(101, "keepalived", 100, ["/usr/sbin/keepalived", "--dont-fork", "--log-console"])
        neutron_dir = "/var/lib/neutron/ha_confs/%s" % ROUTER
        self.fake.add(200, "keepalived", 1, ["keepalived", "-P", "-f", neutron_dir + "/keepalived.conf",
                                             "-p", neutron_dir + ".pid.keepalived",
                                             "-r", neutron_dir + ".pid.keepalived-vrrp"],
                      env={"TMPDIR": neutron_dir + "/tmp", "PATH": "/usr/bin"}, netns=qrouter, starttime=2000)
        self.fake.add(201, "keepalived", 200, ["keepalived", "-P"], netns=qrouter)
        self.fake.add(300, "keepalived", 1, ["keepalived", "-f", "/etc/keepalived/zombie.conf"], state="Z")
        self.fake.add(400, "sshd", 1, ["sshd: root@notty"])
        self.fake.add(500, "keepalived", 1, ["keepalived", "-t", "-f", "/etc/keepalived/keepalived.conf"])
        self.settings = ka.Settings({"proc_root": str(self.fake.proc), "netns_dir": str(self.fake.netns),
                                     "state_dir": self.tmp + "/state", "systemd_unit_dirs": [self.tmp + "/units"],
                                     "neutron_ha_confs": self.tmp + "/ha_confs"})

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def build_all(self):
        disc = ka.Discovery(self.settings)
        found = disc.scan()
        return found, {pid: disc.build(entry, kids) for pid, (entry, kids) in found.items()}

    def test_mains_children_and_zombies(self):
        found, built = self.build_all()
        self.assertEqual(sorted(found), [100, 200, 500])
        self.assertEqual([k.pid for k in found[100][1]], [101])
        self.assertNotIn(300, found, "a zombie keepalived is dead")
        self.assertIsNone(built[500], "keepalived -t is a probe, not a daemon")

    def test_plain_daemon_defaults(self):
        _, built = self.build_all()
        d = built[100]
        self.assertEqual(d.config, ka.DEFAULT_KEEPALIVED_CONF)
        self.assertEqual(d.pid_file, "/run/keepalived.pid")
        self.assertEqual(d.vrrp_pid_file, "/run/vrrp.pid")
        self.assertEqual(d.tmpdir, "/tmp")
        self.assertTrue(d.own_netns)
        self.assertIsNone(d.netns_name)
        self.assertEqual(d.vrrp_pid, 101)
        self.assertEqual(d.systemd_unit, "keepalived.service")
        self.assertEqual(d.started_at, BOOT_TIME + 1000 / float(os.sysconf("SC_CLK_TCK")))

    def test_neutron_router(self):
        _, built = self.build_all()
        d = built[200]
        self.assertEqual(d.neutron_router, ROUTER)
        self.assertEqual(d.netns_name, "qrouter-" + ROUTER)
        self.assertFalse(d.own_netns)
        self.assertEqual(d.tmpdir, "/var/lib/neutron/ha_confs/%s/tmp" % ROUTER)
        self.assertEqual(d.vrrp_pid_file, "/var/lib/neutron/ha_confs/%s.pid.keepalived-vrrp" % ROUTER)
        self.assertEqual(d.vrrp_pid, 201)
        self.assertEqual(ka.daemon_key(d), "neutron|" + ROUTER)

    def test_a_keepalived_before_2_2_dumps_in_tmp_whatever_its_tmpdir(self) -> None:
        # keepalived 2.1.5 (Debian 11) started with TMPDIR writes keepalived.json to /tmp; 2.2.7 and 2.3.3 in TMPDIR.
        self.assertEqual([ka.dump_dir("/x/tmp", v) for v in ("2.1.5", "2.0.20", "2.2.0", "2.3.3", None, "?")],
                         ["/tmp", "/tmp", "/x/tmp", "/x/tmp", "/x/tmp", "/x/tmp"])
        self.assertEqual(ka.dump_dir(None, "2.3.3"), "/tmp")
        tmpdir = "/var/lib/neutron/ha_confs/%s/tmp" % ROUTER
        for version, dumps in (("2.1.5", "/tmp"), ("2.2.7", tmpdir)):
            disc = ka.Discovery(self.settings)
            disc.version_for = lambda d, v=version: v
            found = disc.scan()
            neutron = disc.build(*found[200])
            # TMPDIR stays what the daemon was started with (a restart gives it the same), its dumps are looked for
            # where this version writes them.
            self.assertEqual((neutron.version, neutron.tmpdir, neutron.dump_dir), (version, tmpdir, dumps))
            self.assertEqual(neutron.dump_file("json"), dumps + "/keepalived.json")

    def test_dump_lock_stays_open_between_dumps_and_still_excludes_another_agent(self) -> None:
        def agent() -> "ka.Agent":
            return ka.Agent(self.settings, stdin_fd=os.open(os.devnull, os.O_RDONLY),
                            stdout_fd=os.open(os.devnull, os.O_WRONLY))
        first, second = agent(), agent()
        key = "/tmp/shared-tmpdir"
        self.assertTrue(first.dump_locks.acquire(key))
        fd = first.dump_locks[key]
        self.assertFalse(second.dump_locks.acquire(key), "held by the first agent")
        first.dumps.release_tmpdir(key + "/keepalived.json")
        self.assertTrue(second.dump_locks.acquire(key), "released")
        self.assertFalse(first.dump_locks.acquire(key), "now held by the second")
        second.dumps.release_tmpdir(key + "/keepalived.json")
        self.assertTrue(first.dump_locks.acquire(key))
        self.assertEqual(first.dump_locks[key], fd, "the same open file, not a new one per dump")

    def test_a_dump_lock_is_closed_once_no_daemon_uses_its_tmpdir(self) -> None:
        agent = ka.Agent(self.settings, stdin_fd=os.open(os.devnull, os.O_RDONLY),
                         stdout_fd=os.open(os.devnull, os.O_WRONLY))
        agent.rescan()
        in_use = os.path.dirname(agent.daemons[ROUTER].dump_file("json"))
        gone = "/var/lib/neutron/ha_confs/deleted-router/tmp"
        dumping = "/var/lib/neutron/ha_confs/router-being-dumped/tmp"
        for key in (in_use, gone, dumping):
            self.assertTrue(agent.dump_locks.acquire(key))
        agent.dumps.release_tmpdir(in_use + "/keepalived.json")
        agent.dumps.release_tmpdir(gone + "/keepalived.json")
        gone_fd = agent.dump_locks[gone]
        gone_inode = os.fstat(gone_fd).st_ino
        agent.rescan()
        self.assertIn(in_use, agent.dump_locks, "a daemon still uses it")
        self.assertIn(dumping, agent.dump_locks, "held by a dump in progress")
        self.assertNotIn(gone, agent.dump_locks)
        try:
            self.assertNotEqual(os.fstat(gone_fd).st_ino, gone_inode, "the lock file was closed")
        except OSError:
            pass    # closed, and the number not reused
        agent.dumps.release_tmpdir(dumping + "/keepalived.json")
        agent.rescan()
        self.assertEqual(sorted(agent.dump_locks), [in_use])

    def test_agent_names_and_lifecycle(self):
        agent = ka.Agent(self.settings, stdin_fd=os.open(os.devnull, os.O_RDONLY),
                         stdout_fd=os.open(os.devnull, os.O_WRONLY))
        agent.rescan()
        self.assertEqual(sorted(agent.daemons), sorted(["keepalived", ROUTER]))
        self.assertEqual(agent.daemons[ROUTER].to_json()["managed_by"], "neutron")
        # the router's keepalived is killed: its record stays (VIPs may be orphans) while its netns exists
        self.fake.remove(201)
        self.fake.remove(200)
        agent.rescan()
        self.assertFalse(agent.daemons[ROUTER].alive)
        self.assertEqual(agent.daemons[ROUTER].stopped_reason, "stopped")   # its pid file is gone too
        # Neutron respawns it: same name, new pid
        self.fake.add(210, "keepalived", 1, ["keepalived", "-P", "-f",
                                             "/var/lib/neutron/ha_confs/%s/keepalived.conf" % ROUTER],
                      netns=self.fake.netns / ("qrouter-" + ROUTER), starttime=3000)
        agent.rescan()
        self.assertTrue(agent.daemons[ROUTER].alive)
        self.assertEqual(agent.daemons[ROUTER].pid, 210)
        # the router is deleted: process and namespace gone, record forgotten
        self.fake.remove(210)
        (self.fake.netns / ("qrouter-" + ROUTER)).unlink()
        agent.rescan()
        self.assertNotIn(ROUTER, agent.daemons)

    def test_a_stopped_process_is_hung_at_the_next_rescan_and_dumped_when_it_resumes(self):
        """Found in the lab: lab/fail hang (SIGSTOP of the VRRP child) changes no address and ends
        no process, so `unresponsive` and the orphan VIP waited for the periodic snapshot (30 s); and
        then, found by the chaos soak, for a dump of our own to time out behind other agents' dumps.
        A stopped process cannot answer: it is unresponsive at once, without a dump."""
        agent = ka.Agent(self.settings, stdin_fd=os.open(os.devnull, os.O_RDONLY),
                         stdout_fd=os.open(os.devnull, os.O_WRONLY))
        agent.rescan()
        dumps = []
        agent.request_dump = lambda d, cause, waiter=None: dumps.append((d.name, cause))
        agent.check_stopped()
        self.assertEqual(dumps, [], "nothing stopped: no dump")
        self.assertTrue(agent.daemons[ROUTER].responsive)
        self.fake.remove(201)
        self.fake.add(201, "keepalived", 200, ["keepalived", "-P"], state="T")   # SIGSTOP of the VRRP child
        agent.check_stopped()
        self.assertFalse(agent.daemons[ROUTER].responsive, "stopped: unresponsive at once")
        self.assertIn("stopped", agent.daemons[ROUTER].dump_error["message"])
        self.assertEqual(dumps, [], "a stopped process is not asked for a dump it cannot write")
        self.fake.remove(201)
        self.fake.add(201, "keepalived", 200, ["keepalived", "-P"])                # SIGCONT
        agent.check_stopped()
        self.assertEqual(dumps, [(ROUTER, "daemon")], "resumed: dumped, which makes it responsive")
        agent.check_stopped()
        self.assertEqual(dumps, [(ROUTER, "daemon")], "once per resume, not at every rescan")

    def test_names_from_config_paths(self):
        self.fake.add(600, "keepalived", 1, ["keepalived", "-f", "/etc/keepalived/lb-front.conf"], starttime=5)
        self.fake.add(700, "keepalived", 1, ["keepalived", "-f", "/srv/gw/keepalived.conf"], starttime=6)
        agent = ka.Agent(self.settings, stdin_fd=os.open(os.devnull, os.O_RDONLY),
                         stdout_fd=os.open(os.devnull, os.O_WRONLY))
        agent.rescan()
        self.assertIn("lb-front", agent.daemons)
        self.assertIn("gw", agent.daemons)

    def test_match_config_filter(self):
        settings = ka.Settings(dict(self.settings.values, match_config="/var/lib/neutron/*"))
        disc = ka.Discovery(settings)
        found = disc.scan()
        kept = [pid for pid, (entry, kids) in found.items() if disc.build(entry, kids) is not None]
        self.assertEqual(kept, [200])

    def test_relative_config_path_uses_the_process_cwd(self):
        self.fake.add(800, "keepalived", 1, ["keepalived", "-f", "conf/k.conf"], starttime=7)
        os.unlink(str(self.fake.proc / "800" / "cwd"))
        os.symlink("/srv/ka", str(self.fake.proc / "800" / "cwd"))
        disc = ka.Discovery(self.settings)
        entry, kids = disc.scan()[800]
        self.assertEqual(disc.build(entry, kids).config, "/srv/ka/conf/k.conf")


if __name__ == "__main__":
    unittest.main()


class OnlyRootsKeepalivedTest(unittest.TestCase):
    """Anyone can start a program called keepalived. Only root's, running a binary nobody else could have
    written, is a daemon; nothing of any other is read, and none is ever run (issue 13: a local user's
    fake keepalived made the agent run it as root)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kwt-agent-trust-")
        self.fake = FakeProc(self.tmp)
        self.fake.add(1, "init", 0, ["/sbin/init"], uid=0)
        self.settings = ka.Settings({"proc_root": str(self.fake.proc), "netns_dir": str(self.fake.netns),
                                     "state_dir": self.tmp + "/state", "systemd_unit_dirs": [self.tmp + "/units"],
                                     "neutron_ha_confs": self.tmp + "/ha_confs"})

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def built(self, pid):
        disc = ka.Discovery(self.settings)
        found = disc.scan()
        entry, kids = found[pid]
        return disc.build(entry, kids)

    def test_a_keepalived_of_another_user_is_not_a_daemon(self):
        self.fake.add(700, "keepalived", 1, ["keepalived", "-f", "/etc/shadow"], uid=os.geteuid() + 4242)
        self.assertIsNone(self.built(700))

    def test_a_keepalived_whose_binary_others_can_write_is_not_a_daemon(self):
        binary = Path(self.tmp) / "keepalived"
        shutil.copy("/bin/true", str(binary))
        binary.chmod(0o777)
        self.fake.add(701, "keepalived", 1, ["keepalived"], exe=str(binary))
        self.assertIsNone(self.built(701))
        binary.chmod(0o755)
        self.assertIsNotNone(self.built(701), "the same process with a binary only its owner writes is one")


FAKE_KEEPALIVED_C = r"""
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv) {
    /* Whatever the agent asks of it (--version, --signum=JSON, -t): leave a mark, as an attacker's code would. */
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] != 'f') { close(open(MARK, O_CREAT | O_WRONLY, 0644)); return 0; }
    for (;;) pause();
}
"""


@unittest.skipUnless(os.geteuid() == 0, "needs root (runs the fake as another user)")
class FakeKeepalivedAttackTest(unittest.TestCase):
    """The attack itself, on the real /proc: a fake keepalived run by `nobody`, and one run by root from a
    binary `nobody` owns. The real agent lists neither and runs neither."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="kwt-agent-attack-"))
        self.tmp.chmod(0o755)
        self.mark = self.tmp / "ran-as-root"
        source = self.tmp / "fake.c"
        source.write_text(FAKE_KEEPALIVED_C.replace("MARK", '"%s"' % self.mark))
        gcc = shutil.which("gcc") or shutil.which("cc")
        if gcc is None and os.environ.get("KW_LAB_ROOT_RELEASE"):
            shutil.rmtree(str(self.tmp), ignore_errors=True)
            self.skipTest("no C compiler in the %s node root (run-under-releases): the attack runs in the machine's "
                          "own run of these tests" % os.environ["KW_LAB_ROOT_RELEASE"])
        if gcc is None:
            raise AssertionError("this test needs `gcc`, which is not installed here: apt-get install gcc")
        self.binary = self.tmp / "keepalived"
        subprocess.run([gcc, "-o", str(self.binary), str(source)], check=True)
        nobody = pwd.getpwnam("nobody")
        os.chown(str(self.binary), nobody.pw_uid, nobody.pw_gid)
        (self.tmp / "keepalived.conf").write_text("vrrp_instance VI_1 {\n}\n")
        self.processes = []

    def tearDown(self):
        for p in self.processes:
            p.kill()
            p.wait()
        shutil.rmtree(str(self.tmp), ignore_errors=True)

    def start(self, as_nobody):
        nobody = pwd.getpwnam("nobody")
        command = [str(self.binary), "-f", str(self.tmp / "keepalived.conf")]
        if as_nobody:
            command = ["setpriv", "--reuid", str(nobody.pw_uid), "--regid", str(nobody.pw_gid), "--clear-groups"] + command
        p = subprocess.Popen(command, start_new_session=True)
        self.processes.append(p)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                if Path("/proc/%d/comm" % p.pid).read_text().strip() == "keepalived":
                    return p
            except OSError:
                pass
            time.sleep(0.02)
        raise AssertionError("the fake keepalived did not start")

    def agent_daemons(self):
        # The default configuration outside the glob: another keepalived on this machine started without -f (the
        # project lab's) would take it as its configuration and match.
        agent = AgentProcess("--match-config", str(self.tmp) + "/*", "--state-dir", str(self.tmp / "state"),
                             "--default-config", "/nonexistent/keepwatch-test/none.conf")
        try:
            daemons = agent.call("daemons")["result"]["daemons"]
            agent.call("state.snapshot")
            return daemons
        finally:
            agent.close()

    def test_a_fake_run_by_another_user_is_neither_listed_nor_run(self):
        self.start(as_nobody=True)
        self.assertEqual([d for d in self.agent_daemons() if d.get("pid")], [])
        self.assertFalse(self.mark.exists(), "the agent ran the user's program as root")

    def test_a_root_process_running_a_binary_another_user_owns_is_neither_listed_nor_run(self):
        self.start(as_nobody=False)
        self.assertEqual([d for d in self.agent_daemons() if d.get("pid")], [])
        self.assertFalse(self.mark.exists(), "the agent ran a binary another user could have written")
