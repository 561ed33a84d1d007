"""How the corpus verdict recorder reads keepalived -t's output (no keepalived needed)."""
import unittest

import record_keepalived_verdicts as recorder


class ClassifyTest(unittest.TestCase):

    def test_a_fault_of_the_text_is_config_even_when_keepalived_exits_0(self) -> None:
        # keepalived 2.1.5 reports and exits 0
        verdict, messages = recorder.classify(0, "(/tmp/x/a.conf: Line 9) Unknown keyword 'garp_master_delay'\n", "a.conf")
        self.assertEqual("config", verdict)
        self.assertEqual(["9:config:Unknown keyword 'garp_master_delay'"], messages)

    def test_what_depends_on_the_machine_is_machine(self) -> None:
        output = ("(Line 14) Unable to set default user for vrrp script chk - removing\n"
                  "Disabling track script chk since not found/accessible\n")
        verdict, messages = recorder.classify(5, output, "a.conf", "vrrp_script chk {\n}\n")
        self.assertEqual("machine", verdict)
        self.assertEqual(2, len(messages))

    def test_a_tracked_script_the_file_never_defines_is_the_texts_fault(self) -> None:
        output = "(VI_1) track script chk not found, ignoring...\n"
        self.assertEqual("config", recorder.classify(5, output, "a.conf", "vrrp_instance VI_1 {\n}\n")[0])
        self.assertEqual("machine", recorder.classify(5, output, "a.conf", "vrrp_script chk {\n}\n")[0])

    def test_nothing_said_is_accept(self) -> None:
        self.assertEqual(("accept", []), recorder.classify(0, "", "a.conf"))


class PreparationTest(unittest.TestCase):

    def test_every_interface_the_file_names_is_created(self) -> None:
        text = ("vrrp_instance A {\n interface eth0 # comment\n track_interface {\n  eth1 weight 2\n }\n"
                " virtual_ipaddress {\n  10.0.0.1/24 dev bond0.57 label bond0.57:1\n }\n}\n")
        self.assertEqual(["bond0.57", "eth0", "eth1"], recorder.interface_names(text))

    def test_includes_are_commented_out_and_lines_kept(self) -> None:
        self.assertEqual("a\n# neutralised: include x/*.conf\nb", recorder.neutralised("a\ninclude x/*.conf\nb"))


if __name__ == "__main__":
    unittest.main()
