"""The lab's shapes topology without bringing it up (lab/kwlab/shapes.py): what its nodes' keepalived.conf say, so that
the routers' members agree on what keepalived compares between them, and how lab/up brings a replaced one back."""

import re
import unittest

import kwtlab  # noqa: F401 (puts the lab's package kwlab on the path)
from kwlab import shapes
from kwlab.cli import describe, up_args
from kwlab.fleet import fleet_document
from kwlab.keys import LabKeys


def instances(conf: str) -> dict:
    """vrrp_instance name -> its body's lines (stripped)."""
    found = {}
    for match in re.finditer(r"^vrrp_instance (\S+) \{\n(.*?)^\}$", conf, re.M | re.S):
        found[match.group(1)] = [line.strip() for line in match.group(2).splitlines()]
    return found


def block(lines: list, keyword: str) -> list:
    start = lines.index(keyword + " {") + 1
    return lines[start:lines.index("}", start)]


class ShapesTopologyTest(unittest.TestCase):
    def setUp(self) -> None:
        self.confs = {i: shapes.keepalived_conf(i) for i in range(1, shapes.NODES + 1)}

    def test_the_members_of_each_router_advertise_the_same_vrid_version_and_addresses(self):
        per_node = {i: instances(conf) for i, conf in self.confs.items()}
        self.assertEqual(len(per_node[1]), 12)
        for name, lines in per_node[1].items():
            for other in (2, 3):
                theirs = per_node[other][name]
                for keyword in ("virtual_router_id", "version", "advert_int", "interface"):
                    self.assertEqual([x for x in lines if x.startswith(keyword + " ")],
                                     [x for x in theirs if x.startswith(keyword + " ")], (name, other, keyword))
                self.assertEqual(block(lines, "virtual_ipaddress"), block(theirs, "virtual_ipaddress"), name)

    def test_priorities_make_s1_the_master_everywhere_and_every_instance_starts_backup(self):
        for i, conf in self.confs.items():
            for name, lines in instances(conf).items():
                self.assertIn("state BACKUP", lines, name)
                self.assertIn("priority %d" % shapes.PRIORITIES[i - 1], lines, name)

    def test_unicast_peers_are_the_other_nodes_and_the_source_the_node_itself(self):
        for i, conf in self.confs.items():
            lines = instances(conf)["SH_UNICAST"]
            self.assertIn("unicast_src_ip 10.77.0.%d" % (30 + i), lines)
            self.assertEqual(sorted(block(lines, "unicast_peer")),
                             ["10.77.0.%d" % (30 + j) for j in (1, 2, 3) if j != i])

    def test_the_ipv6_instance_lists_a_link_local_vip_first_as_keepalived_2_1_requires(self):
        vips = block(instances(self.confs[1])["SH_V6"], "virtual_ipaddress")
        self.assertTrue(vips[0].startswith("fe80::"), vips)
        self.assertIn("version 3", instances(self.confs[1])["SH_V6"])

    def test_no_instance_has_nopreempt_with_preempt_delay_which_keepalived_resets(self):
        for name, lines in instances(self.confs[1]).items():
            self.assertFalse("nopreempt" in lines and any(x.startswith("preempt_delay") for x in lines), name)

    def test_many_vips_and_excluded_ones(self):
        lines = instances(self.confs[1])["SH_MANY"]
        self.assertEqual(len(block(lines, "virtual_ipaddress")), shapes.MANY_VIPS)
        self.assertEqual(len(block(lines, "virtual_ipaddress_excluded")), shapes.MANY_EXCLUDED + 1)

    def test_the_sync_group_names_two_instances_on_two_links_and_the_script_is_under_script_security(self):
        conf = self.confs[1]
        self.assertIn("vrrp_sync_group SH_SYNC {\n    group {\n        SH_SYNC_A\n        SH_SYNC_B\n", conf)
        self.assertIn("interface eth1", instances(conf)["SH_SYNC_B"])
        self.assertIn("enable_script_security", conf)
        self.assertIn('script "/etc/keepalived/kw-shapes/check"', conf)

    def test_releases_cycle_and_lab_up_can_bring_a_replaced_one_back(self):
        topology = shapes.ShapesTopology(releases=("bookworm", "trixie"))
        self.assertEqual([(n.name, n.release, n.address) for n in topology.nodes()],
                         [("s1", "bookworm", "10.77.0.31"), ("s2", "trixie", "10.77.0.32"),
                          ("s3", "bookworm", "10.77.0.33")])
        self.assertEqual(up_args(shapes.SHAPES, topology.params()), ["--releases", "bookworm,trixie"])
        self.assertEqual(up_args(shapes.SHAPES, shapes.ShapesTopology().params()), [])
        self.assertEqual(describe(shapes.ShapesTopology().params()), "3 nodes and 12 routers")

    def test_its_fleet_group_says_what_it_is(self):
        document = fleet_document(shapes.ShapesTopology().nodes(), LabKeys(__import__("pathlib").Path("/nonexistent")))
        self.assertEqual({n["group"] for n in document["nodes"]}, {"lab-shapes"})
        self.assertIn("every shape", document["groups"][0]["description"])


if __name__ == "__main__":
    unittest.main()
