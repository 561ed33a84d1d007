"""keepalived's dumps, captured from a real keepalived 2.2.7 (fixtures/dump_*.json and .data)."""

import json
import unittest

from kwtlab import agent_module, fixture_text

ka = agent_module()
COMPARED_FIELDS = ("instance", "vrid", "state", "wantstate", "base_priority", "effective_priority", "interface",
                   "advert_int", "version", "nopreempt", "auth_type", "last_transition", "vips", "excluded_vips")


def by_name(instances):
    return {i["instance"]: i for i in instances}


class JsonDumpTest(unittest.TestCase):
    def test_master_node(self):
        instances = by_name(ka.parse_json_dump(fixture_text("dump_master.json")))
        self.assertEqual(sorted(instances), ["VI_1", "VI_2"])
        vi1 = instances["VI_1"]
        self.assertEqual(vi1["state"], "MASTER")
        self.assertEqual(vi1["vrid"], 51)
        self.assertEqual(vi1["base_priority"], 150)
        self.assertEqual(vi1["effective_priority"], 150)
        self.assertEqual(vi1["vips"], ["10.99.0.100/24"])
        self.assertTrue(vi1["vips_set"])
        self.assertEqual(vi1["auth_type"], "PASS")
        self.assertEqual(vi1["interface"], "eth0")
        self.assertAlmostEqual(vi1["last_transition"], 1795687580.986303)
        self.assertEqual(vi1["stats"]["become_master"], 1)
        self.assertEqual(instances["VI_2"]["vips"], ["10.99.0.101/24", "10.99.0.102/24"])
        self.assertEqual(instances["VI_2"]["auth_type"], "none")

    def test_backup_node_knows_the_master_priority(self):
        instances = by_name(ka.parse_json_dump(fixture_text("dump_backup.json")))
        self.assertEqual(instances["VI_1"]["state"], "BACKUP")
        self.assertEqual(instances["VI_1"]["master_priority"], 150)
        self.assertFalse(instances["VI_1"]["vips_set"])

    def test_vrrp3_fault_and_excluded_vips(self):
        instances = by_name(ka.parse_json_dump(fixture_text("dump_mixed.json")))
        fast = instances["V3_FAST"]
        self.assertEqual(fast["version"], 3)
        self.assertEqual(fast["advert_int"], 0.2)
        self.assertEqual(fast["excluded_vips"], ["fd00:98::100/64"])
        self.assertEqual(instances["V6_ONLY"]["state"], "FAULT")
        self.assertEqual(instances["V6_ONLY"]["vips"], ["fd00:98::200/64"])
        self.assertEqual(instances["V_FAULT"]["state"], "FAULT")
        self.assertTrue(instances["V_FAULT"]["nopreempt"])

    def test_the_password_never_leaves_the_node(self):
        raw = fixture_text("dump_master.json")
        self.assertIn("secret", raw)     # the fixture does carry auth_data...
        for name in ("dump_master.json", "dump_backup.json", "dump_mixed.json"):
            parsed = ka.parse_json_dump(fixture_text(name))
            self.assertNotIn("secret", json.dumps(parsed))
            self.assertNotIn("auth_data", json.dumps(parsed))
        for name in ("dump_master.data", "dump_backup.data"):
            self.assertNotIn("secret", json.dumps(ka.parse_text_dump(fixture_text(name))))

    def test_json_version_2_object(self):
        entries = json.loads(fixture_text("dump_master.json"))
        wrapped = json.dumps({"vrrp": entries, "track_process": []})
        self.assertEqual(ka.parse_json_dump(wrapped), ka.parse_json_dump(fixture_text("dump_master.json")))

    def test_a_dump_still_being_written_does_not_parse(self):
        text = fixture_text("dump_master.json")
        for cut in (1, len(text) // 3, len(text) // 2, len(text) - 3):
            with self.assertRaises(ValueError):
                ka.parse_json_dump(text[:cut])

    def test_rejects_unexpected_shapes(self):
        for text in ('{"x": 1}', "[1, 2]", '"text"', '[{"stats": {}}]'):
            with self.subTest(text=text):
                if text == '{"x": 1}':
                    self.assertEqual(ka.parse_json_dump(text), [])
                else:
                    with self.assertRaises(ValueError):
                        ka.parse_json_dump(text)

    def test_unknown_state_numbers_are_named(self):
        entry = [{"data": {"iname": "X", "state": 42, "vips": []}}]
        self.assertEqual(ka.parse_json_dump(json.dumps(entry))[0]["state"], "UNKNOWN(42)")


class TextDumpTest(unittest.TestCase):
    def test_text_dump_agrees_with_json_dump(self):
        for stem in ("dump_master", "dump_backup", "dump_mixed"):
            with self.subTest(stem=stem):
                from_json = by_name(ka.parse_json_dump(fixture_text(stem + ".json")))
                from_text = by_name(ka.parse_text_dump(fixture_text(stem + ".data")))
                self.assertEqual(sorted(from_json), sorted(from_text))
                for name, inst in from_json.items():
                    for field in COMPARED_FIELDS:
                        self.assertEqual(from_text[name][field], inst[field], "%s %s" % (name, field))

    def test_backup_master_priority_from_text(self):
        instances = by_name(ka.parse_text_dump(fixture_text("dump_backup.data")))
        self.assertEqual(instances["VI_1"]["master_priority"], 150)
        self.assertEqual(instances["VI_2"]["master_priority"], 140)

    def test_milliseconds_advert_interval(self):
        instances = by_name(ka.parse_text_dump(fixture_text("dump_mixed.data")))
        self.assertEqual(instances["V3_FAST"]["advert_int"], 0.2)
        self.assertEqual(instances["V6_ONLY"]["advert_int"], 1.0)

    def test_empty_or_unrelated_text(self):
        self.assertEqual(ka.parse_text_dump(""), [])
        self.assertEqual(ka.parse_text_dump("------< Global definitions >------\n Router ID = x\n"), [])


class VipTest(unittest.TestCase):
    def test_forms(self):
        self.assertEqual(ka.parse_vip("10.0.0.1/24 dev eth0 scope global set"),
                         {"address": "10.0.0.1", "prefix": 24, "cidr": "10.0.0.1/24", "dev": "eth0", "set": True})
        self.assertEqual(ka.parse_vip("10.0.0.1")["cidr"], "10.0.0.1/32")
        self.assertEqual(ka.parse_vip("FD00:0098::0100/64 dev eth0")["cidr"], "fd00:98::100/64")
        self.assertEqual(ka.parse_vip("fd00::1")["prefix"], 128)
        with self.assertRaises(ValueError):
            ka.parse_vip("   ")


class ChangeTest(unittest.TestCase):
    def test_what_changed(self):
        base = by_name(ka.parse_json_dump(fixture_text("dump_backup.json")))["VI_1"]
        self.assertEqual(ka.instance_changes(None, base), ["new"])
        self.assertEqual(ka.instance_changes(base, dict(base)), [])
        promoted = dict(base, state="MASTER", vips=["10.99.0.100/24", "10.99.0.200/24"])
        self.assertEqual(ka.instance_changes(base, promoted), ["state", "vips"])
        lowered = dict(base, effective_priority=80)
        self.assertEqual(ka.instance_changes(base, lowered), ["effective_priority"])

    def test_public_instance_has_no_internal_fields(self):
        inst = by_name(ka.parse_json_dump(fixture_text("dump_master.json")))["VI_1"]
        public = ka.public_instance(inst)
        self.assertNotIn("vip_details", public)
        self.assertEqual(public["vips"], ["10.99.0.100/24"])


if __name__ == "__main__":
    unittest.main()
