"""The lab's mixed fleet without building anything: which node runs which release, what the fleet file says, what
lab/up prints to bring a replaced topology back, and which cached root counts as complete (lab/kwlab/roots.py)."""

import contextlib
import io
import json
import os
import shutil
import tempfile
import unittest
from pathlib import Path

import kwtlab  # noqa: F401 (puts the lab's package kwlab on the path)
from kwlab import cli, roots
from kwlab.cli import describe, make_topology, node_names, nojson_nodes, up_args
from kwlab.fleet import fleet_document
from kwlab.keys import LabKeys
from kwlab.system import LabError
from kwlab.topology import BasicTopology


class MixedTopologyTest(unittest.TestCase):
    def test_node_i_runs_release_i_cycling_and_host_is_the_machine(self):
        topology = BasicTopology(4, 3, releases=("bullseye", "host", "trixie"))
        self.assertEqual([(n.name, n.release) for n in topology.nodes()],
                         [("n1", "bullseye"), ("n2", ""), ("n3", "trixie"), ("n4", "bullseye")])
        self.assertEqual(topology.params(), {"nodes": 4, "routers": 3, "releases": ["bullseye", "host", "trixie"]})

    def test_the_default_lab_is_unchanged(self):
        topology = BasicTopology()
        self.assertEqual({n.release for n in topology.nodes()}, {""})
        self.assertEqual(topology.params(), {"nodes": 3, "routers": 3}, "the state lab/up compares stays the same")

    def test_the_fleet_file_names_each_nodes_release(self):
        keys = LabKeys(Path("/nonexistent/keys"))
        mixed = fleet_document(BasicTopology(3, 3, releases=("bullseye", "bookworm", "host")).nodes(), keys)
        self.assertEqual([n.get("release") for n in mixed["nodes"]], ["bullseye", "bookworm", None])
        self.assertIn("n1 bullseye, n2 bookworm, n3 host", mixed["groups"][0]["description"])
        plain = fleet_document(BasicTopology().nodes(), keys)
        self.assertTrue(all("release" not in n for n in plain["nodes"]))
        self.assertNotIn("release", plain["groups"][0]["description"])

    def test_a_replaced_topology_is_printed_as_the_options_that_bring_it_back(self):
        self.assertEqual(up_args("basic", {"nodes": 3, "routers": 3}), ["--nodes", "3", "--routers", "3"])
        self.assertEqual(up_args("basic", {"nodes": 3, "routers": 2, "releases": ["bullseye", "trixie"]}),
                         ["--nodes", "3", "--routers", "2", "--releases", "bullseye,trixie"])
        self.assertEqual(up_args("neutron", {"routers": 5}), ["--neutron-routers", "5"])
        self.assertEqual(describe({"nodes": 3, "routers": 3, "releases": ["trixie"]}),
                         "3 nodes and 3 routers on releases trixie")


class NodeKindsTest(unittest.TestCase):
    """lab/up --nojson and --container: which nodes, what state.json compares, what brings a topology back."""

    def test_the_node_kinds_are_parameters_of_the_topology_and_come_back_from_the_replaced_line(self):
        topology = make_topology("basic", {"nodes": 3, "routers": 3, "releases": ["bullseye", "bookworm", "trixie"],
                                           "nojson": ["n2"], "container": ["n3"]})
        self.assertEqual((topology.nojson, topology.container), (("n2",), ("n3",)))
        self.assertEqual(up_args("basic", topology.params()),
                         ["--nodes", "3", "--routers", "3", "--releases", "bullseye,bookworm,trixie", "--nojson", "n2",
                          "--container", "n3"])
        self.assertEqual(BasicTopology().params(), {"nodes": 3, "routers": 3}, "the default lab compares the same")
        self.assertEqual(describe(topology.params()), "3 nodes and 3 routers on releases bullseye,bookworm,trixie, "
                         "keepalived without JSON on n2, keepalived in a container on n3")

    def test_the_network_nodes_run_on_releases_of_their_own(self):
        topology = make_topology("neutron", {"routers": 5, "releases": ["bullseye", "trixie"]})
        self.assertEqual([(n.name, n.release) for n in topology.nodes()], [("net1", "bullseye"), ("net2", "trixie")])
        self.assertEqual(up_args("neutron", topology.params()),
                         ["--neutron-routers", "5", "--neutron-releases", "bullseye,trixie"])
        self.assertEqual(make_topology("neutron", {"routers": 5}).params(), {"routers": 5}, "the default lab's")

    def test_a_node_that_is_not_there_is_refused_by_name(self):
        with self.assertRaisesRegex(LabError, r"--container n4: no such node of the basic topology \(n1, n2, n3\)"):
            node_names("--container", "n4", BasicTopology())

    def test_the_no_json_build_runs_only_on_the_machines_release(self):
        machine = roots.machine_release()
        other = "bullseye" if machine != "bullseye" else "trixie"
        topology = BasicTopology(3, 3, releases=(other, "host", "trixie"))
        with self.assertRaisesRegex(LabError, "--nojson n1: the node runs %s, and the no-JSON keepalived is built from "
                                              "the machine's own release" % other):
            nojson_nodes("n1", topology)


class RootStampTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kwt-lab-roots-")
        self.saved = os.environ.get("KW_LAB_ROOTS")
        os.environ["KW_LAB_ROOTS"] = self.tmp

    def tearDown(self):
        if self.saved is None:
            os.environ.pop("KW_LAB_ROOTS", None)
        else:
            os.environ["KW_LAB_ROOTS"] = self.saved
        shutil.rmtree(self.tmp, ignore_errors=True)

    def stamp(self, release, **fields):
        etc = Path(self.tmp, release, "etc")
        etc.mkdir(parents=True, exist_ok=True)
        data = dict({"release": release, "recipe": roots.RECIPE, "packages": roots.packages(release), "keepalived": "Keepalived v2.1.5", "python": "3.9.2",
                     "size": 1, "built": "now", "build_seconds": 1,
                     "keepalived_build": "Config options:  LVS VRRP JSON BFD"}, **fields)
        (etc / roots.STAMP_NAME).write_text(json.dumps(data))

    def test_only_a_complete_root_of_this_recipe_is_used(self):
        Path(self.tmp, "bullseye", "usr").mkdir(parents=True)     # debootstrap's work without a stamp
        self.assertFalse(roots.ready("bullseye"))
        with self.assertRaisesRegex(LabError, "no node root for bullseye in %s.*lab/roots build bullseye" % self.tmp):
            roots.require("bullseye")
        self.stamp("bullseye", recipe=roots.RECIPE - 1)
        self.assertIsNone(roots.stamp("bullseye"), "an older recipe is built again")
        self.stamp("bullseye", packages=[p for p in roots.packages("bullseye") if p != "sudo"])
        self.assertIsNone(roots.stamp("bullseye"), "a root built without a package the recipe has now is built again")
        self.stamp("bullseye")
        self.assertEqual(roots.require("bullseye"), Path(self.tmp, "bullseye"))
        self.assertTrue(roots.ready("host"), "the machine's own filesystem needs no root")

    def test_the_listing_says_what_is_cached_and_whether_keepalived_has_json(self):
        self.stamp("trixie")
        self.stamp("bookworm", keepalived_build="Config options:  LVS VRRP BFD")
        Path(self.tmp, "bullseye").mkdir()
        rows = {row["release"]: row for row in roots.listing()}
        self.assertEqual(rows["bullseye"]["state"], "half-built or old recipe")
        self.assertEqual((rows["trixie"]["state"], rows["trixie"]["json"]), ("ready", True))
        self.assertFalse(rows["bookworm"]["json"])
        self.assertIn("trixie    ready", roots.render(roots.listing()))

    def test_the_systemd_variant_is_a_root_and_a_stamp_of_its_own(self):
        self.stamp("bookworm")
        self.assertIsNone(roots.stamp("bookworm", "systemd"), "the release's root is not its systemd variant")
        variant = Path(self.tmp, "bookworm-systemd", "etc")
        variant.mkdir(parents=True)
        data = json.loads(Path(self.tmp, "bookworm", "etc", roots.STAMP_NAME).read_text())
        (variant / roots.STAMP_NAME).write_text(json.dumps(data))
        self.assertIsNone(roots.stamp("bookworm", "systemd"), "a stamp without the variant's packages is not its")
        data.update(packages=roots.packages("bookworm", "systemd"), variant="systemd")
        (variant / roots.STAMP_NAME).write_text(json.dumps(data))
        self.assertEqual(roots.stamp("bookworm", "systemd")["variant"], "systemd")
        self.assertEqual(roots.packages("bookworm", "systemd")[-3:], ["systemd", "systemd-sysv", "dbus"])
        self.assertEqual(roots.root_path("bookworm", "systemd"), Path(self.tmp, "bookworm-systemd"))
        self.assertEqual([row["name"] for row in roots.listing()], ["bullseye", "bookworm", "trixie"],
                         "lab/up's listing: the releases only")
        rows = {row["name"]: row for row in roots.listing(variants=True)}
        self.assertEqual((rows["bookworm-systemd"]["state"], rows["bookworm"]["state"]), ("ready", "ready"))
        self.assertIn("bookworm-systemd  ready", roots.render(roots.listing(variants=True)))
        with self.assertRaisesRegex(LabError, "unknown root variant 'upstart'"):
            roots.build("bookworm", variant="upstart")

    def test_flags_written_after_the_action_are_flags(self):
        self.stamp("trixie")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(cli.main(["roots", "list", "--json"]), 0)
        self.assertEqual([row["state"] for row in json.loads(out.getvalue())], ["not built", "not built", "ready"])

    def test_a_builds_leftovers_are_removed_for_its_own_root_only(self):
        for name in (".build-bookworm-12", ".old-bookworm-13", ".build-bookworm-systemd-14", ".build-bookworm-x"):
            Path(self.tmp, name).mkdir()
        roots._remove_stale(Path(self.tmp), "bookworm")
        self.assertEqual(sorted(p.name for p in Path(self.tmp).iterdir()),
                         [".build-bookworm-systemd-14", ".build-bookworm-x"],
                         "a build of bookworm never removes the systemd variant's build in progress")

    def test_unknown_releases_are_refused_by_name(self):
        with self.assertRaisesRegex(LabError, "unknown release 'buster': one of bullseye, bookworm, trixie"):
            roots.check_release("buster")


if __name__ == "__main__":
    unittest.main()
