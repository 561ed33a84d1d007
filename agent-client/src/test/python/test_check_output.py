"""Classifying `keepalived -t` output (fixtures/check: real output of keepalived 2.2.7)."""

import unittest

from kwtlab import FIXTURES, agent_module, is_root, require_lab

ka = agent_module()
CHECK_DIR = FIXTURES / "check"

# name: (passes, {severity: count}, a message part that must be an error or None)
EXPECTED = {
    "clean": (True, {}, None),
    "empty": (True, {}, None),
    "include_unmatched": (True, {}, None),
    "track_file_fault": (True, {}, None),
    "vrid300": (False, {"error": 3}, "VRID '300' not valid"),
    "noiface": (False, {"warning": 2, "error": 1}, "Non-existent interface specified"),
    "vip_bad_dev": (False, {"warning": 1, "error": 1}, "Non-existent interface specified"),
    "unknown_kw": (False, {"error": 2}, "Unknown keyword 'advert_intx'"),
    "missing_brace": (False, {"error": 1}, "missing '}'"),
    "trunc": (False, {"error": 2}, "the virtual router id must be set"),
    "bad_ip": (False, {"error": 1, "warning": 1}, "invalid IP 10.99.0.300/24"),
    "bad_prio": (False, {"error": 2}, "outside range"),
    "bad_state": (False, {"error": 1}, "unknown state 'MASTERX'"),
    "dup_vrid": (False, {"error": 1}, "both use VRID 51"),
    "track_missing": (False, {"error": 1}, "track script nosuch not found"),
    "sync_unknown": (False, {"error": 1, "warning": 1}, "VI_9 specified in sync group G1 doesn't exist"),
    "unicast_bad": (False, {"error": 1, "warning": 1}, "malformed unicast peer"),
    "vip_garbage": (False, {"error": 1}, "Unknown configuration entry 'garbage'"),
    "global_bad": (False, {"error": 2}, "invalid number 'abc'"),
    "insecure_script": (False, {"error": 1}, "due to insecure"),
    "include_missing": (False, {"error": 1}, "Config files missing"),
    "nopreempt_master": (True, {"warning": 1}, None),
    "v3_auth": (True, {"warning": 1}, None),
    "no_script_user": (True, {"warning": 1}, None),
    "long_auth_pass": (True, {"warning": 1}, None),
}


# Other releases' keepalived on the same files (captured in their node roots, see capture_check_fixtures.py): the
# verdict must be the same as 2.2.7's. 2.1.5 exits 0 after every error but two, where it crashes (SIGSEGV); 2.3.3
# prints what 2.2.7 prints but one more warning (bad_ip: "No VIP specified").
OTHER_VERSIONS = ("2.1.5", "2.3.3")
# Where a version's own verdict differs, and why: 2.1.5 prints nothing for an include that matches no file (2.2
# added "Config files missing") and runs the rest, so -t gives the agent nothing to refuse.
VERSION_VERDICTS = {("2.1.5", "include_missing"): True}


def load(name, version=None):
    directory = CHECK_DIR / ("keepalived-" + version) if version else CHECK_DIR
    text = (directory / (name + ".out")).read_text()
    first, _, output = text.partition("\n")
    return int(first.split()[-1]), output


class ClassifyTest(unittest.TestCase):
    def test_every_fixture_has_an_expectation(self):
        names = sorted(p.stem for p in CHECK_DIR.glob("*.out"))
        self.assertEqual(names, sorted(EXPECTED))

    def test_real_outputs(self):
        for name, (passes, counts, error_part) in sorted(EXPECTED.items()):
            with self.subTest(name=name):
                code, output = load(name)
                result = ka.classify_check_output(output, code)
                got = {}
                for d in result["diagnostics"]:
                    got[d["severity"]] = got.get(d["severity"], 0) + 1
                self.assertEqual(result["ok"], passes, result["diagnostics"])
                self.assertEqual(got, counts, result["diagnostics"])
                if error_part:
                    self.assertTrue(any(error_part in d["message"] and d["severity"] == "error"
                                        for d in result["diagnostics"]), result["diagnostics"])

    def test_other_versions_give_the_same_verdicts(self):
        for version in OTHER_VERSIONS:
            names = sorted(p.stem for p in (CHECK_DIR / ("keepalived-" + version)).glob("*.out"))
            self.assertEqual(names, sorted(EXPECTED), version)
            for name, (passes, _, error_part) in sorted(EXPECTED.items()):
                with self.subTest(version=version, name=name):
                    code, output = load(name, version)
                    result = ka.classify_check_output(output, code, version=version)
                    self.assertEqual(result["ok"], VERSION_VERDICTS.get((version, name), passes), result["diagnostics"])
                    if error_part and code == 0 and (version, name) not in VERSION_VERDICTS:
                        self.assertTrue(any(error_part in d["message"] and d["severity"] == "error"
                                            for d in result["diagnostics"]), result["diagnostics"])

    def test_before_2_2_an_exit_code_of_0_proves_nothing(self):
        code, output = load("vrid300", "2.1.5")
        self.assertEqual(code, 0)
        # Taken for a 2.2 exit code, the same output would pass: the version is what refuses it.
        self.assertTrue(ka.classify_check_output(output, code)["ok"])
        self.assertTrue(ka.classify_check_output(output, code, version="2.2.7")["ok"])
        refused = ka.classify_check_output(output, code, version="2.1.5")
        self.assertFalse(refused["ok"])
        self.assertEqual(refused["errors"], 3)
        # Warnings stay warnings on 2.1.5, and a clean file passes.
        self.assertTrue(ka.classify_check_output(load("nopreempt_master", "2.1.5")[1], 0, version="2.1.5")["ok"])
        self.assertTrue(ka.classify_check_output("", 0, version="2.1.5")["ok"])
        self.assertEqual([ka.exit_code_reports_errors(v) for v in ("2.1.5", "2.0.20", "2.2.0", "2.3.3", None, "?")],
                         [False, False, True, True, True, True])

    def test_exit_codes_alone_do_not_decide(self):
        # vrid300 and nopreempt_master both exit 5: one is refused, the other passes with a warning.
        self.assertEqual(load("vrid300")[0], load("nopreempt_master")[0])
        self.assertFalse(ka.classify_check_output(load("vrid300")[1], 5)["ok"])
        self.assertTrue(ka.classify_check_output(load("nopreempt_master")[1], 5)["ok"])

    def test_locations_and_instances(self):
        code, output = load("vrid300")
        diags = ka.classify_check_output(output.replace("@DIR@", "/etc/keepalived"), code)["diagnostics"]
        self.assertEqual(diags[0], {"file": "/etc/keepalived/vrid300.conf", "line": 7, "severity": "error",
                                    "instance": None, "message": "number '300' outside range [1, 255]"})
        self.assertEqual(diags[1]["instance"], "VI_1")
        self.assertEqual(diags[2], {"file": None, "line": None, "severity": "error", "instance": "VI_1",
                                    "message": "(VI_1) the virtual router id must be set"})

    def test_line_without_file(self):
        code, output = load("global_bad")
        diag = ka.classify_check_output(output, code)["diagnostics"][0]
        self.assertEqual((diag["file"], diag["line"]), (None, 3))

    def test_repeated_lines_are_reported_once(self):
        code, output = load("missing_brace")
        self.assertGreater(output.count("missing '}'"), 1)
        self.assertEqual(len(ka.classify_check_output(output, code)["diagnostics"]), 1)

    def test_candidate_paths_map_back_to_the_real_file(self):
        code, output = load("unknown_kw")
        output = output.replace("@DIR@/unknown_kw.conf", "/etc/keepalived/.keepalived.conf.keepwatch-check-7")
        result = ka.classify_check_output(output, code, {
            "/etc/keepalived/.keepalived.conf.keepwatch-check-7": "/etc/keepalived/keepalived.conf"})
        self.assertEqual({d["file"] for d in result["diagnostics"]}, {"/etc/keepalived/keepalived.conf"})

    def test_unknown_exit_code_fails_even_without_messages(self):
        result = ka.classify_check_output("", 4)
        self.assertFalse(result["ok"])
        self.assertIn("exited with 4", result["diagnostics"][0]["message"])

    def test_unknown_message_severity_follows_the_exit_code(self):
        self.assertEqual(ka.classify_check_output("Something new", 5)["diagnostics"][0]["severity"], "error")
        self.assertEqual(ka.classify_check_output("Something new", 0)["diagnostics"][0]["severity"], "warning")
        self.assertEqual(ka.classify_check_output("NOTICE: tune this", 0)["diagnostics"][0]["severity"], "info")


@unittest.skipUnless(is_root(), "needs root (a keepalived in a network namespace)")
class FixturesAreRealTest(unittest.TestCase):
    """keepalived -t on this machine still prints exactly what the fixtures hold."""

    def test_recapture_matches(self):
        require_lab()
        import capture_check_fixtures
        from kwtlab import KeepalivedLab
        version = ka.probe_keepalived("keepalived")["version"]
        if version != "2.2.7":
            self.skipTest("fixtures are from keepalived 2.2.7, this is %s" % version)
        lab = KeepalivedLab(nodes=1)
        try:
            captured = capture_check_fixtures.capture(lab.names[0])
        finally:
            lab.close()
        for name, text in captured.items():
            with self.subTest(name=name):
                self.assertEqual(text, (CHECK_DIR / (name + ".out")).read_text())


if __name__ == "__main__":
    unittest.main()
