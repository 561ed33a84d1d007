"""The protocol, end to end: the agent as a subprocess speaking JSON lines (no keepalived needed).

The agent gets an empty fake /proc, so it finds no daemon whatever runs on this machine.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from kwtlab import AgentProcess, agent_module

ka = agent_module()
GARBAGE_LINES = 10000


class ProtocolTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="kwt-agent-proto-"))
        for d in ("proc", "netns", "state"):
            (self.tmp / d).mkdir()
        self.agent = AgentProcess("--proc-root", str(self.tmp / "proc"), "--netns-dir", str(self.tmp / "netns"),
                                  "--state-dir", str(self.tmp / "state"), "--heartbeat-interval", "0.2")

    def tearDown(self):
        self.agent.close()
        shutil.rmtree(str(self.tmp), ignore_errors=True)

    def error_code(self, response):
        self.assertFalse(response["ok"], response)
        return response["error"]["code"]

    def test_hello(self):
        r = self.agent.call("hello", {"client": {"name": "test", "version": "1"}})
        self.assertTrue(r["ok"])
        result = r["result"]
        self.assertEqual(result["protocol"], ka.PROTOCOL_VERSION)
        self.assertEqual(result["agent_version"], ka.AGENT_VERSION)
        self.assertEqual(sorted(result["capabilities"]["ops"]), sorted(ka.OPS))
        self.assertEqual(sorted(result["capabilities"]["events"]), sorted(ka.EVENTS))
        self.assertEqual(result["capabilities"]["max_request_bytes"], 4 * 1024 * 1024)
        self.assertEqual(result["root"], os.geteuid() == 0)
        self.assertIn("hostname", result)
        self.assertIn("version", result["keepalived"])
        self.assertIsInstance(r["ts"], float)

    def test_exactly_the_documented_operations(self):
        self.assertEqual(ka.OPS, ("hello", "daemons", "state.snapshot", "state.subscribe", "state.unsubscribe",
                                  "config.read", "config.check", "config.apply", "config.backups",
                                  "config.backup.read", "config.restore", "maintenance.set", "maintenance.prepare",
                                  "daemon.start", "daemon.stop", "daemon.restart", "daemon.reload",
                                  "log.read", "log.follow", "log.unfollow", "diagnose"))
        self.assertEqual(self.error_code(self.agent.call("shell", {"cmd": "id"})), "unknown_op")
        self.assertEqual(self.error_code(self.agent.call("config.write")), "unknown_op")

    def test_no_daemons(self):
        self.assertEqual(self.agent.call("daemons")["result"], {"daemons": []})
        snap = self.agent.call("state.snapshot")["result"]
        self.assertEqual((snap["daemons"], snap["orphans"], snap["vips_present"]), ([], [], []))

    def test_malformed_requests_are_answered(self):
        cases = [
            (b"not json", "parse_error"),
            (b"{", "parse_error"),
            (b"\xff\xfe\xfd", "parse_error"),
            (b"[1, 2]", "bad_request"),
            (b'"just a string"', "bad_request"),
            (b'{"op": "hello"}', "bad_request"),
            (b'{"id": true, "op": "hello"}', "bad_request"),
            (b'{"id": 1.5, "op": "hello"}', "bad_request"),
            (b'{"id": [1], "op": "hello"}', "bad_request"),
            (b"[" * 100000, "parse_error"),
        ]
        for line, code in cases:
            with self.subTest(line=line[:30]):
                before = len(self.agent.all_responses)
                self.agent.send_raw(line + b"\n")
                deadline = time.monotonic() + 10
                while len(self.agent.all_responses) == before and time.monotonic() < deadline:
                    self.agent._read_some(0.2)
                response = self.agent.all_responses[-1]
                self.assertIsNone(response["id"])
                self.assertEqual(self.error_code(response), code)
        self.assertTrue(self.agent.call("hello")["ok"])

    def test_request_level_errors_keep_the_id(self):
        a = self.agent
        r = a.response(a.send("hello", req_id="text-id"))
        self.assertTrue(r["ok"])
        a.send_raw(b'{"id": 7, "op": "hello", "extra": 1}\n')
        self.assertEqual(self.error_code(a.response(7)), "bad_request")
        a.send_raw(b'{"id": 8, "op": "hello", "args": [1]}\n')
        self.assertEqual(self.error_code(a.response(8)), "bad_args")
        self.assertEqual(self.error_code(a.call("hello", {"nope": 1})), "bad_args")
        self.assertEqual(self.error_code(a.call("config.read", {})), "bad_args")
        self.assertEqual(self.error_code(a.call("config.read", {"daemon": 5})), "bad_args")
        self.assertEqual(self.error_code(a.call("state.snapshot", {"fresh": "yes"})), "bad_args")
        self.assertEqual(self.error_code(a.call("config.apply", {"daemon": "x", "text": "", "base_sha256": "zz"})),
                         "bad_args")
        self.assertEqual(self.error_code(a.call("config.check", {"daemon": "x", "text": "", "path": "rel/x"})),
                         "bad_args")
        r = a.call("config.read", {"daemon": "nosuch"})
        self.assertEqual(self.error_code(r), "not_found")
        self.assertIn("nosuch", r["error"]["message"])
        self.assertEqual(self.error_code(a.call("state.snapshot", {"daemon": "nosuch"})), "not_found")

    def test_requests_over_4_mib_are_refused(self):
        big = b'{"id": 77, "op": "config.check", "args": {"daemon": "x", "text": "' + b"x" * (4 * 1024 * 1024) + b'"}}\n'
        self.agent.send_raw(big)
        r = self.agent.response(77)
        self.assertEqual(self.error_code(r), "too_large")
        self.assertTrue(self.agent.call("hello")["ok"], "still serving after a refused request")
        # just under the limit is read (and answered on its merits)
        fits = b'{"id": 78, "op": "config.read", "args": {"daemon": "' + b"y" * (4 * 1024 * 1024 - 100) + b'"}}\n'
        self.agent.send_raw(fits)
        self.assertEqual(self.error_code(self.agent.response(78)), "not_found")

    def test_10000_garbage_lines_then_still_serving(self):
        rng = random.Random(4)
        lines = []
        for i in range(GARBAGE_LINES):
            kind = i % 6
            if kind == 0:
                lines.append(bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 80))).replace(b"\n", b"."))
            elif kind == 1:
                lines.append(b"{" * rng.randrange(1, 50))
            elif kind == 2:
                lines.append(json.dumps([i, "x"]).encode())
            elif kind == 3:
                lines.append(json.dumps({"id": "g%d" % i, "op": "op%d" % i}).encode())
            elif kind == 4:
                lines.append(json.dumps({"id": "g%d" % i, "op": "config.read", "args": {"daemon": i}}).encode())
            else:
                lines.append(json.dumps({"id": "g%d" % i}).encode())
        blank = sum(1 for line in lines if not line.strip())
        self.agent.send_raw(b"\n".join(lines) + b"\n")
        r = self.agent.call("hello", timeout=60)
        self.assertTrue(r["ok"])
        garbage = [x for x in self.agent.all_responses if x is not r]
        self.assertEqual(len(garbage), GARBAGE_LINES - blank)
        self.assertTrue(all(not x["ok"] for x in garbage))
        self.assertEqual({x["error"]["code"] for x in garbage}, {"parse_error", "bad_request", "unknown_op", "bad_args"})

    def test_subscribe_heartbeats_and_unsubscribe(self):
        r = self.agent.call("state.subscribe")["result"]
        self.assertTrue(r["subscribed"])
        self.assertEqual(r["heartbeat_interval"], 0.2)
        first = self.agent.wait_event(lambda e: e["event"] == "heartbeat", timeout=5)
        second = self.agent.wait_event(lambda e: e["event"] == "heartbeat" and e["seq"] > first["seq"], timeout=5)
        self.assertGreater(second["ts"], first["ts"])
        self.assertGreater(first["agent"]["rss_kb"], 0)
        self.assertEqual(first["daemons"], 0)
        self.assertTrue(self.agent.call("state.unsubscribe")["result"]["was_subscribed"])
        self.agent.drain(0.3)
        count = len(self.agent.events)
        self.agent.drain(0.7)
        self.assertEqual(len(self.agent.events), count, "no heartbeat after unsubscribe")

    def test_every_message_carries_a_timestamp(self):
        self.agent.call("state.subscribe")
        self.agent.call("hello")
        self.agent.send_raw(b"garbage\n")
        self.agent.drain(0.5)
        for message in self.agent.events + self.agent.all_responses:
            self.assertIsInstance(message.get("ts"), float, message)

    def test_closed_stdin_ends_the_agent_cleanly(self):
        self.agent.call("state.subscribe")
        started = time.monotonic()
        self.assertEqual(self.agent.close(), 0)
        self.assertLess(time.monotonic() - started, 5)
        self.assertNotIn("Traceback", self.agent.stderr())

    def test_last_line_without_newline_is_still_answered(self):
        self.agent.send_raw(b'{"id": 5, "op": "hello"}')
        self.agent.proc.stdin.close()
        self.assertTrue(self.agent.response(5)["ok"])
        self.assertEqual(self.agent.proc.wait(10), 0)

    def test_closed_stdout_ends_the_agent_cleanly(self):
        self.agent.call("hello")
        self.agent.proc.stdout.close()          # the client went away: the next write hits EPIPE
        for _ in range(20):
            try:
                self.agent.send("hello")
            except (BrokenPipeError, ValueError):
                break
            time.sleep(0.05)
        self.assertEqual(self.agent.proc.wait(10), 0)
        err = self.agent.proc.stderr.read().decode()
        self.assertNotIn("Traceback", err)
        self.assertIn("stdout closed", err)

    def test_sigterm_ends_the_agent_cleanly(self):
        self.agent.call("hello")
        self.agent.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.proc.wait(10), 0)

    def test_stdout_carries_only_protocol_lines(self):
        self.agent.call("hello")
        self.agent.call("state.subscribe")
        self.agent.drain(0.5)
        self.agent.proc.stdin.close()
        rest = self.agent.proc.stdout.read()
        self.agent.proc.wait(10)
        for line in rest.splitlines():
            json.loads(line.decode())
        self.assertIn("serving protocol", self.agent.stderr() + self.agent.proc.stderr.read().decode())


class NeverKillsAStartingKeepalivedTest(unittest.TestCase):
    """A keepalived that has not set up its signalfd yet would die of SIGJSON or SIGUSR1 (their
    default action). A stand-in with that property, a script named keepalived (its comm), is
    found, asked for no dump, and left alive. The script is Python, not sh: a shell looping over
    `sleep` blocks every signal for a moment at each fork, which the agent rightly reads as handled
    (keepalived blocks them for its signalfd), and under load it was caught doing so."""

    def test_no_signal_before_the_process_handles_it(self):
        tmp = Path(tempfile.mkdtemp(prefix="kwt-agent-starting-"))
        script = tmp / "keepalived"
        script.write_text("#!%s\nimport time\nwhile True:\n    time.sleep(0.2)\n" % sys.executable)
        script.chmod(0o755)
        conf = tmp / "keepalived.conf"
        conf.write_text("vrrp_instance VI_1 {\n}\n")
        fake = subprocess.Popen([str(script), "-f", str(conf)], start_new_session=True)
        agent = AgentProcess("--match-config", str(tmp) + "/*", "--state-dir", str(tmp / "state"),
                             "--dump-timeout", "0.5", "--heartbeat-interval", "0.2")
        try:
            daemons = agent.call("daemons")["result"]["daemons"]
            self.assertEqual([d["pid"] for d in daemons], [fake.pid])
            snap = agent.call("state.snapshot")["result"]
            self.assertIn("does not handle signal", snap["daemons"][0]["error"]["message"])
            time.sleep(0.5)
            self.assertIsNone(fake.poll(), "the agent must not have killed it")
        finally:
            agent.close()
            fake.kill()
            fake.wait()
            shutil.rmtree(str(tmp), ignore_errors=True)


class VersionCommandTest(unittest.TestCase):
    def test_version(self):
        import subprocess
        import sys
        from kwtlab import AGENT_PATH
        out = subprocess.run([sys.executable, str(AGENT_PATH), "version"], stdout=subprocess.PIPE, check=True).stdout
        self.assertEqual(json.loads(out.decode()), {"agent_version": ka.AGENT_VERSION, "protocol": ka.PROTOCOL_VERSION})


if __name__ == "__main__":
    unittest.main()
