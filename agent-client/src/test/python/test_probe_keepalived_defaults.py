"""The defaults probe's reading of keepalived's -d dump and its comparison of versions (probe_keepalived_defaults.py);
the probe itself runs the lab's keepalived versions (docs/lint-agreement.md, "Defaults that differ")."""
import unittest

from probe_keepalived_defaults import compare, settings

DUMP_227 = """Sat Dec  5 17:05:58 2026: Starting Keepalived v2.2.7 (01/16,2022)
Sat Dec  5 17:05:58 2026: Starting VRRP child process, pid=30557
Sat Dec  5 17:05:58 2026: ------< Global definitions >------
Sat Dec  5 17:05:58 2026:  Network namespace = (default)
Sat Dec  5 17:05:58 2026:  Router ID = probe
Sat Dec  5 17:05:58 2026:  Gratuitous ARP delay = 5
Sat Dec  5 17:05:58 2026:  Num adverts before down = 3
Sat Dec  5 17:05:58 2026:  nftables without counters
Sat Dec  5 17:05:58 2026: ------< VRRP Topology >------
Sat Dec  5 17:05:58 2026:  VRRP Instance = VI_PROBE
Sat Dec  5 17:05:58 2026:    Interface = kwp0
Sat Dec  5 17:05:58 2026:    Using src_ip = 10.9.9.1
Sat Dec  5 17:05:58 2026:    Gratuitous ARP delay = 5
Sat Dec  5 17:05:58 2026:    Accept = enabled
Sat Dec  5 17:05:58 2026:    Virtual IP (1):
Sat Dec  5 17:05:58 2026:      10.9.9.9 dev kwp0 scope global
Sat Dec  5 17:05:58 2026: ------< Interfaces >------
Sat Dec  5 17:05:58 2026:  Name = lo
Sat Dec  5 17:05:58 2026:    MTU = 65536
"""


class SettingsTest(unittest.TestCase):

    def test_global_and_instance_settings_are_read_and_the_machine_and_the_run_are_not(self) -> None:
        found = settings(DUMP_227)
        self.assertEqual(found, {"global: Gratuitous ARP delay": "5", "global: Num adverts before down": "3",
                                 "global: nftables without counters": "(said)",
                                 "instance: Gratuitous ARP delay": "5", "instance: Accept": "enabled"})

    def test_nothing_outside_a_dump_is_a_setting(self) -> None:
        self.assertEqual(settings("Sat Dec  5 17:05:58 2026: Unknown keyword 'foo'\n"), {})


class CompareTest(unittest.TestCase):

    def test_a_value_two_versions_print_differently_differs_and_one_only_a_version_prints_does_not(self) -> None:
        rows = {name: (values, differs) for name, values, differs in compare({
            "2.1.5": {"global: Gratuitous ARP delay": "5", "instance: Accept": "disabled"},
            "2.2.7": {"global: Gratuitous ARP delay": "5", "instance: Accept": "enabled",
                      "global: Num adverts before down": "3"}})}
        self.assertEqual(rows["global: Gratuitous ARP delay"], ({"2.1.5": "5", "2.2.7": "5"}, False))
        self.assertEqual(rows["instance: Accept"], ({"2.1.5": "disabled", "2.2.7": "enabled"}, True))
        self.assertEqual(rows["global: Num adverts before down"], ({"2.1.5": "", "2.2.7": "3"}, False))


if __name__ == "__main__":
    unittest.main()
