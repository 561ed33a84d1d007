"""Entry point of lab/up, lab/down, lab/status, lab/fail, lab/heal, lab/exec and lab/testbed (see lab/README.md)."""
import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

# Run as a script (lab/up and the others); the modules beside it are the package kwlab, in lab/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kwlab.builder import (build_basic, build_neutron, build_shapes, check_free, ensure_switch, install_node_tools,  # noqa: E402
                           teardown)
from kwlab.faults import ALL_FAULTS, heal, inject, resolve_nodes  # noqa: E402
from kwlab.fleet import write_fleet  # noqa: E402
from kwlab.keys import LabKeys  # noqa: E402
from kwlab.logins import ensure_logins, known_hosts_lines  # noqa: E402
from kwlab.logins import fleet_document as logins_fleet_document  # noqa: E402
from kwlab.state import LabState, lab_dir, locked  # noqa: E402
from kwlab.status import collect, node_command, node_running, render  # noqa: E402
from kwlab.system import LabError, check_prerequisites, link_exists, run  # noqa: E402
from kwlab.testbed import serve  # noqa: E402
from kwlab import roots  # noqa: E402
from kwlab.shapes import SHAPES, ShapesTopology  # noqa: E402
from kwlab.topology import (BASIC, HOST_RELEASE, MAX_BASIC_NODES, MAX_BASIC_ROUTERS, MAX_NEUTRON_ROUTERS, NEUTRON,  # noqa: E402
                            WORKSTATION_LINK, BasicTopology, NeutronTopology)

ELECTION_TIMEOUT = 40.0
ELECTION_POLL = 0.5


def make_topology(kind: str, params: dict):
    if kind == BASIC:
        return BasicTopology(params["nodes"], params["routers"], releases=tuple(params.get("releases", ())),
                             nojson=tuple(params.get("nojson", ())), container=tuple(params.get("container", ())))
    if kind == SHAPES:
        return ShapesTopology(releases=tuple(params.get("releases", ())))
    return NeutronTopology(params["routers"], releases=tuple(params.get("releases", ())))


def fleet_path(directory) -> "os.PathLike":
    return directory / "fleet.json"


def cmd_up(args) -> int:
    check_prerequisites("up")
    wanted = {}
    releases = [r for r in (args.releases or "").split(",") if r]
    if releases and BASIC not in args.topologies and SHAPES not in args.topologies:
        raise LabError("--releases is for the basic and shapes topologies (their nodes n1..nN, s1..s3)")
    for release in releases:
        if release != HOST_RELEASE:
            roots.check_release(release)
    if BASIC in args.topologies:
        if not 2 <= args.nodes <= MAX_BASIC_NODES or not 1 <= args.routers <= MAX_BASIC_ROUTERS:
            raise LabError("--nodes takes 2..%d and --routers 1..%d" % (MAX_BASIC_NODES, MAX_BASIC_ROUTERS))
        wanted[BASIC] = {"nodes": args.nodes, "routers": args.routers}
        if releases:
            wanted[BASIC]["releases"] = releases
        if args.nojson:
            wanted[BASIC]["nojson"] = nojson_nodes(args.nojson, make_topology(BASIC, wanted[BASIC]))
        if args.container:
            wanted[BASIC]["container"] = node_names("--container", args.container, make_topology(BASIC, wanted[BASIC]))
            both = set(wanted[BASIC]["container"]) & set(wanted[BASIC].get("nojson", ()))
            if both:
                raise LabError("--container and --nojson name %s: a node is one kind or the other" % ", ".join(both))
    elif args.nojson or args.container:
        raise LabError("--nojson and --container are for the basic topology (its nodes n1..nN)")
    if SHAPES in args.topologies:
        wanted[SHAPES] = ShapesTopology(releases=tuple(releases)).params()
    # Missing roots are built first (once; cached in lab/roots' directory, which lab/down keeps).
    for release in releases:
        if not roots.ready(release) and release != HOST_RELEASE:
            roots.build(release, log=lambda line: print(line.replace("lab/roots", "lab/up")))
    if NEUTRON in args.topologies:
        if not 1 <= args.neutron_routers <= MAX_NEUTRON_ROUTERS:
            raise LabError("--neutron-routers takes 1..%d" % MAX_NEUTRON_ROUTERS)
        wanted[NEUTRON] = {"routers": args.neutron_routers}
        if args.neutron_releases:
            wanted[NEUTRON]["releases"] = [r for r in args.neutron_releases.split(",") if r]
            for release in wanted[NEUTRON]["releases"]:
                if release != HOST_RELEASE:
                    roots.check_release(release)
                    if not roots.ready(release):
                        roots.build(release, log=lambda line: print(line.replace("lab/roots", "lab/up")))
    elif args.neutron_releases:
        raise LabError("--neutron-releases is for the neutron topology (its nodes net1, net2)")
    directory = lab_dir()
    with locked(directory):
        state = LabState(directory)
        forget_dead(state)
        to_build = {}
        for kind, params in wanted.items():
            current = state.topologies().get(kind)
            if current == params:
                print("lab/up: the %s topology is already up" % kind)
                continue
            if current is not None and not args.replace:
                raise LabError("the %s topology is up with %s; run lab/down %s first (or lab/up --replace)"
                               % (kind, describe(current), kind))
            if current is not None:
                # The line a caller parses to bring the old one back (LabExtension does, after a mixed run).
                print("lab/up: replacing the %s topology; it was: %s" % (kind, " ".join(up_args(kind, current))))
                teardown(state, kinds=[kind])
            topology = make_topology(kind, params)
            check_free(state, topology)
            to_build[kind] = topology
        keys = LabKeys(directory / "keys")
        keys.ensure_client_key()
        install_node_tools(state)
        try:
            if to_build:
                ensure_switch(state, with_ha=NEUTRON in to_build)
            for kind, topology in to_build.items():
                state.set_topology(kind, topology.params())
                for node in topology.nodes():
                    keys.ensure_host_keys(node)
                {BASIC: build_basic, NEUTRON: build_neutron, SHAPES: build_shapes}[kind](state, keys, topology)
                print("lab/up: %s topology up: %s" % (kind, ", ".join(n.name for n in topology.nodes())))
            if BASIC in state.topologies():
                ensure_logins(state, keys)
            if to_build and link_exists(WORKSTATION_LINK):
                # Nodes made again (--replace, a rebuild) have new MAC addresses: what the workstation learnt of the
                # old ones, or failed to learn while they were being made, must not outlive them (ssh to such a node
                # timed out until the kernel gave up on a FAILED entry)
                run(["ip", "neigh", "flush", "dev", WORKSTATION_LINK])
        except BaseException:
            teardown(state, kinds=list(to_build))
            raise
        publish(state, keys)
    if args.no_wait:
        return 0
    report = wait_for_election(state)
    print(render(report))
    return 0 if all(r["verdict"] == "ONE_MASTER" for r in report["routers"]) else 1


def node_names(option: str, value: str, topology: BasicTopology) -> list:
    names = [n for n in value.split(",") if n]
    nodes = [n.name for n in topology.nodes()]
    for name in names:
        if name not in nodes:
            raise LabError("%s %s: no such node of the basic topology (%s)" % (option, name, ", ".join(nodes)))
    return names


def nojson_nodes(option: str, topology: BasicTopology) -> list:
    """The nodes of --nojson N1,N2: each a node of the topology on the machine's filesystem or on the root of the
    machine's own release (the no-JSON build is of the machine's keepalived, and links the machine's libraries); the
    build is made first when missing (about a minute, cached)."""
    from kwlab import nojson_keepalived
    names = node_names("--nojson", option, topology)
    nodes = {n.name: n for n in topology.nodes()}
    machine = roots.machine_release()
    for name in names:
        release = nodes[name].release
        if release and release != machine:
            raise LabError("--nojson %s: the node runs %s, and the no-JSON keepalived is built from the machine's "
                           "own release (%s): put it on %s or host (--releases)" % (name, release, machine, machine))
    try:
        if names and nojson_keepalived.built(nojson_keepalived.installed_version()["upstream"]) is None:
            print("lab/up: building keepalived without JSON first (lab/keepalived-nojson build)")
            nojson_keepalived.build()
    except nojson_keepalived.BuildError as error:
        raise LabError("--nojson: %s" % error)
    return names


def up_args(kind: str, params: dict) -> list:
    """The lab/up options that bring a topology of these parameters up."""
    if kind == NEUTRON:
        return ["--neutron-routers", str(params["routers"])] + (
            ["--neutron-releases", ",".join(params["releases"])] if params.get("releases") else [])
    if kind == SHAPES:
        return ["--releases", ",".join(params["releases"])] if params.get("releases") else []
    args = ["--nodes", str(params["nodes"]), "--routers", str(params["routers"])]
    if params.get("releases"):
        args += ["--releases", ",".join(params["releases"])]
    if params.get("nojson"):
        args += ["--nojson", ",".join(params["nojson"])]
    if params.get("container"):
        args += ["--container", ",".join(params["container"])]
    return args


def describe(params: dict) -> str:
    counts = " and ".join("%d %s" % (count, what) for what, count in sorted(params.items())
                          if isinstance(count, int))
    if params.get("releases"):
        counts += " on releases %s" % ",".join(params["releases"])
    if params.get("nojson"):
        counts += ", keepalived without JSON on %s" % ",".join(params["nojson"])
    if params.get("container"):
        counts += ", keepalived in a container on %s" % ",".join(params["container"])
    return counts


def forget_dead(state: LabState) -> None:
    """A topology whose node processes died (killed, or the machine rebooted) is rebuilt from scratch."""
    dead = {record.get("kind") for record in state.nodes().values() if not node_running(record)}
    if dead:
        print("lab/up: removing the remains of a broken %s topology" % ", ".join(sorted(dead)))
        teardown(state, kinds=sorted(dead))


def shapes_fleet_path(directory) -> "os.PathLike":
    return directory / "fleet-shapes.json"


def logins_fleet_path(directory) -> "os.PathLike":
    return directory / "fleet-logins.json"


def publish(state: LabState, keys: LabKeys) -> None:
    nodes = [n for kind, params in state.topologies().items() for n in make_topology(kind, params).nodes()]
    keys.write_known_hosts(nodes)
    # The shapes' nodes have a fleet file of their own: fleet.json stays the basic and Neutron nodes whatever else is up.
    write_fleet(fleet_path(state.directory), [n for n in nodes if n.kind != SHAPES], keys)
    shared = [fleet_path(state.directory)]
    shapes_fleet = shapes_fleet_path(state.directory)
    if SHAPES in state.topologies():
        write_fleet(shapes_fleet, [n for n in nodes if n.kind == SHAPES], keys)
        shared.append(shapes_fleet)
    elif shapes_fleet.exists():
        shapes_fleet.unlink()
    logins_fleet = logins_fleet_path(state.directory)
    if state.data.get("logins"):
        # A second fleet file, so that what reads fleet.json sees the same nodes as before.
        known_hosts = keys.directory / "known_hosts-logins"
        write_text(known_hosts, keys.known_hosts.read_text() + "\n".join(known_hosts_lines(keys)) + "\n")
        write_text(logins_fleet, json.dumps(logins_fleet_document(keys, known_hosts), indent=2) + "\n")
        shared += [known_hosts, logins_fleet, keys.directory / "kwsudopw.password"]
    elif logins_fleet.exists():
        logins_fleet.unlink()
    sudo_uid = os.environ.get("SUDO_UID")
    if sudo_uid and sudo_uid.isdigit():
        gid = int(os.environ.get("SUDO_GID", sudo_uid))
        keys.give_to(int(sudo_uid), gid)
        for path in shared:
            os.chown(str(path), int(sudo_uid), gid)
    print("lab/up: fleet file %s" % fleet_path(state.directory))
    if SHAPES in state.topologies():
        print("lab/up: the shapes topology's fleet file %s" % shapes_fleet)
    if state.data.get("logins"):
        print("lab/up: login kinds (kwsudo, kwsudopw, kwnosudo, a bastion before n3) in %s" % logins_fleet)


def write_text(path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(str(tmp), str(path))


def expected_routers(state: LabState) -> int:
    return sum(params["routers"] for params in state.topologies().values())


def wait_for_election(state: LabState) -> dict:
    deadline = time.monotonic() + ELECTION_TIMEOUT
    while True:
        report = collect(state)
        settled = (len(report["routers"]) == expected_routers(state)
                   and all(r["verdict"] == "ONE_MASTER" for r in report["routers"]))
        if settled or time.monotonic() > deadline:
            return report
        time.sleep(ELECTION_POLL)


def cmd_down(args) -> int:
    check_prerequisites("down")
    directory = lab_dir()
    with locked(directory):
        state = LabState(directory)
        if state.is_empty():
            print("lab/down: nothing to remove")
            return 0
        kinds = args.topologies or None
        removed = teardown(state, kinds=kinds)
        for name in list(os.listdir(str(directory / "nodes"))) if (directory / "nodes").exists() else []:
            if name not in state.nodes():
                shutil.rmtree(str(directory / "nodes" / name), ignore_errors=True)
        if state.topologies():
            publish(state, LabKeys(directory / "keys"))
        else:
            for path in (fleet_path(directory), logins_fleet_path(directory), shapes_fleet_path(directory)):
                if path.exists():
                    path.unlink()
        print("lab/down: removed %s" % (", ".join(removed) or "nothing"))
    return 0


def cmd_status(args) -> int:
    check_prerequisites("status")
    state = LabState(lab_dir())
    if not state.nodes():
        print("lab/status: the lab is down (lab/up brings it up)", file=sys.stderr)
        return 3
    report = collect(state)
    print(json.dumps(report, indent=2) if args.json else render(report))
    healthy = all(r["verdict"] == "ONE_MASTER" for r in report["routers"])
    return 0 if healthy and all("error" not in n for n in report["nodes"].values()) else 1


def cmd_fail(args) -> int:
    check_prerequisites("fail")
    with locked(lab_dir()):
        state = LabState(lab_dir())
        nodes = inject(state, args.fault, args.nodes, undo=args.undo)
    print("lab/fail: %s%s on %s" % ("undid " if args.undo else "", args.fault, ", ".join(nodes)))
    return 0


def cmd_heal(args) -> int:
    check_prerequisites("heal")
    with locked(lab_dir()):
        heal(LabState(lab_dir()))
    print("lab/heal: every fault undone")
    return 0


def cmd_exec(args) -> int:
    check_prerequisites("exec")
    state = LabState(lab_dir())
    name = resolve_nodes(state, [args.node])[0]
    record = state.nodes()[name]
    if not node_running(record):
        raise LabError("node %s is not running" % name)
    command = args.command or ["bash"]
    os.execvp("nsenter", node_command(record, command))
    return 0


def cmd_testbed(args) -> int:
    return serve(args.prefix, Path(args.dir).resolve(), Path(args.config), args.nodes, args.network)


def cmd_roots(args) -> int:
    if args.action != "run":
        # RELEASE... is argparse.REMAINDER (for run's command), which swallows the flags written after the action
        for flag in ("--force", "--json", "--systemd"):
            while flag in args.releases:
                args.releases.remove(flag)
                setattr(args, flag[2:], True)
    if args.action == "list":
        rows = roots.listing(variants=True)
        print(json.dumps(rows, indent=2) if args.json else roots.render(rows))
        return 0
    if args.action == "run":
        if not args.releases:
            raise LabError("lab/roots run RELEASE [--bind DIR]... -- COMMAND...")
        command = args.releases[1:]
        binds = list(args.bind)
        while command[:1] == ["--bind"] and len(command) > 1:      # --bind after RELEASE
            binds.append(command[1])
            command = command[2:]
        if command[:1] == ["--"]:
            command = command[1:]
        if not command:
            raise LabError("lab/roots run %s: no command" % args.releases[0])
        return roots.run_in(args.releases[0], command, [os.path.abspath(b) for b in binds], os.getcwd())
    for release in args.releases or roots.RELEASES:
        roots.check_release(release)
    for release in args.releases or roots.RELEASES:
        roots.build(release, force=args.force, variant="systemd" if args.systemd else None)
    return 0


def parsers():
    """The lab's argument parser, and the fail sub-parser (parsed on its own, see main)."""
    p = argparse.ArgumentParser(prog="lab", description="The Keepwatch keepalived lab (see lab/README.md)")
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="bring topologies up (default: basic)")
    up.add_argument("topologies", nargs="*", metavar="{basic,neutron,shapes}", help="default: basic")
    up.add_argument("--nodes", type=int, default=3, help="nodes of the basic topology (2..9, default 3)")
    up.add_argument("--routers", type=int, default=3, help="VRRP routers of the basic topology (default 3)")
    up.add_argument("--neutron-routers", type=int, default=5, help="routers on the Neutron pair (default 5)")
    up.add_argument("--releases", metavar="R1,R2,...",
                    help="a mixed lab: basic node i runs on the root of release i (cycling; %s; %s: the "
                         "machine's own filesystem; default: every node on the machine's)"
                         % ("/".join(roots.RELEASES), HOST_RELEASE))
    up.add_argument("--neutron-releases", metavar="R1,R2",
                    help="network node netj runs on the root of release j (%s; %s: the machine's own filesystem)"
                         % ("/".join(roots.RELEASES), HOST_RELEASE))
    up.add_argument("--nojson", metavar="N1,N2,...",
                    help="these basic nodes run keepalived built without JSON (lab/keepalived-nojson; the machine's "
                         "release, so on the machine's filesystem or its release's root): read from its text dump")
    up.add_argument("--container", metavar="N1,N2,...",
                    help="these basic nodes run keepalived in a container: a root of its own (the node's /usr read-only, "
                         "its own /etc/keepalived, /run, /tmp) in a mount namespace of its own")
    up.add_argument("--replace", action="store_true",
                    help="a topology up with other parameters is taken down and brought up with these")
    up.add_argument("--no-wait", action="store_true", help="do not wait for the first election")
    up.set_defaults(func=cmd_up)
    down = sub.add_parser("down", help="remove everything lab/up created (or one topology)")
    down.add_argument("topologies", nargs="*", metavar="{basic,neutron,shapes}", help="default: everything")
    down.set_defaults(func=cmd_down)
    status = sub.add_parser("status", help="instances, states and VIP holders from keepalived's JSON dump")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    fail = sub.add_parser("fail", help="inject a failure (or --undo it)")
    fail.add_argument("fault", choices=ALL_FAULTS)
    fail.add_argument("nodes", nargs="*", help="node names (default: every node)")
    fail.add_argument("--undo", action="store_true")
    fail.set_defaults(func=cmd_fail)
    heal_p = sub.add_parser("heal", help="undo every fault on every node")
    heal_p.set_defaults(func=cmd_heal)
    ex = sub.add_parser("exec", help="run a command on a node (default: a shell)")
    ex.add_argument("node")
    ex.add_argument("command", nargs=argparse.REMAINDER)
    ex.set_defaults(func=cmd_exec)
    rts = sub.add_parser("roots", help="node roots per Debian release: build them (cached) or list them")
    rts.add_argument("action", choices=("build", "list", "run"))
    rts.add_argument("releases", nargs=argparse.REMAINDER, metavar="RELEASE",
                     help="build: default %s; run: RELEASE -- COMMAND..." % " ".join(roots.RELEASES))
    rts.add_argument("--bind", action="append", default=[], metavar="DIR",
                     help="run: a directory of the machine seen at its own path in the root (repeatable)")
    rts.add_argument("--force", action="store_true", help="build again even when a complete root is cached")
    rts.add_argument("--systemd", action="store_true",
                     help="build: the systemd variant, RELEASE-systemd (systemd as PID 1 of a node; test_live_systemd)")
    rts.add_argument("--json", action="store_true", help="list: as JSON")
    rts.set_defaults(func=cmd_roots)
    bed = sub.add_parser("testbed", help="a test's own keepalived in namespaces PREFIXn, held until stdin closes")
    bed.add_argument("--prefix", required=True, help="namespace names: PREFIX1, PREFIX2, ... (never kw-)")
    bed.add_argument("--dir", required=True, help="where the nodes' files go (one node: in DIR itself)")
    bed.add_argument("--config", required=True, help="keepalived.conf template; %%N becomes the namespace's number")
    bed.add_argument("--nodes", type=int, choices=(1, 2), default=1)
    bed.add_argument("--network", default="10.99.%N", help="node i has NETWORK.(i+1)/24 on eth0 (default 10.99.%%N)")
    bed.set_defaults(func=cmd_testbed)
    return p, fail


def main(argv) -> int:
    p, fail_parser = parsers()
    if argv and argv[0] == "fail":
        # Lets --undo stand anywhere, also after the node names.
        args = fail_parser.parse_intermixed_args(argv[1:], argparse.Namespace(command="fail"))
    else:
        args = p.parse_args(argv)
    if args.command in ("up", "down"):
        unknown = [t for t in args.topologies if t not in (BASIC, NEUTRON, SHAPES)]
        if unknown:
            p.error("unknown topology %s (basic, neutron or shapes)" % ", ".join(unknown))
        if args.command == "up" and not args.topologies:
            args.topologies = [BASIC]
    try:
        return args.func(args)
    except LabError as error:
        print("lab/%s: %s" % (args.command, error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
