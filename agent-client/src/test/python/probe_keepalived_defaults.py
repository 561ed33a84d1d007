#!/usr/bin/env python3
"""Ask each keepalived version what it does with what a configuration leaves unset: its defaults.

Lint checks a configuration against the keepalived each node runs (ADR 0013). Besides keywords a version does not
know, a router whose members run different versions could behave differently where the configuration says nothing
and the versions' defaults differ. This probe finds such defaults from the daemons themselves, not from reading
their sources: each version is started on the same plain configuration (global_defs and one VRRP instance that set
nothing optional) with `-d` (dump the configuration it runs), in fresh network, mount and PID namespaces, chrooted
into that version's root, and the global and instance settings it prints are compared. Run as root, as the
verdict recorder:

    probe_keepalived_defaults.py --root /=bookworm --root BULLSEYE_ROOT=bullseye --root TRIXIE_ROOT=trixie

It prints, per setting, the value of each version and whether the values differ, and exits 1 when a setting two
versions both print has different values (a default that differs: for docs/lint-agreement.md and a lint rule).
"""
import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

KEEPALIVED = "/usr/sbin/keepalived"
RUN_SECONDS = 4
CONFIG = """global_defs {
    router_id probe
}
vrrp_instance VI_PROBE {
    interface kwp0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        10.9.9.9/32
    }
}
"""
# Lines of the dump that are not settings: the machine, the build and the run (addresses, timers, interfaces).
NOT_SETTINGS = re.compile(r"^(Running on|Starting VRRP child|libnftnl version|Script user .* does not exist|Startup complete|"
                          r"Network namespace|Using src_ip|No sockets allocated|Last advert sent|Router ID|"
                          r"Interface = |Virtual IP|10\.9\.9\.9 )")
STAMP = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ [\d:]+ \d+: ")
SECTION = re.compile(r"^-+< (.+) >-+$")
SECTIONS = ("Global definitions", "VRRP Topology")


def settings(dump: str) -> Dict[str, str]:
    """'section: name' -> value of what a keepalived -d dump prints for the global definitions and the instance;
    a line without a value (a flag such as "nftables without counters") has the value "(said)"."""
    found = {}  # type: Dict[str, str]
    section = None  # type: Optional[str]
    for raw in dump.splitlines():
        line = STAMP.sub("", raw).strip()
        heading = SECTION.match(line)
        if heading:
            section = heading.group(1) if heading.group(1) in SECTIONS else None
            continue
        if section is None or not line or NOT_SETTINGS.match(line) or line.startswith("VRRP Instance = "):
            continue
        name, sep, value = line.partition(" = ")
        key = "%s: %s" % ("global" if section == SECTIONS[0] else "instance", name.strip())
        found[key] = value.strip() if sep else "(said)"
    return found


def compare(by_version: Dict[str, Dict[str, str]]) -> List[Tuple[str, Dict[str, str], bool]]:
    """Every setting with each version's value ("" where a version does not print it), and whether two versions
    that both print it differ."""
    names = sorted({name for found in by_version.values() for name in found})
    rows = []
    for name in names:
        values = {version: found.get(name, "") for version, found in by_version.items()}
        printed = {v for v in values.values() if v}
        rows.append((name, values, len(printed) > 1))
    return rows


def dump(root: Path) -> str:
    """What the version in root prints with -d for CONFIG, run for a few seconds in namespaces of its own."""
    work = Path(tempfile.mkdtemp(prefix="kwdefaults-", dir=str(root / "tmp")))
    try:
        conf = work / "probe.conf"
        conf.write_text(CONFIG, encoding="utf-8")
        inner = "/" + str(conf.relative_to(root))
        # the link is made with the machine's ip before the chroot: a minimal root may have none
        script = ("mount -t proc proc '{root}/proc' 2>/dev/null; mount -t tmpfs none '{root}/run' 2>/dev/null; "
                  "ip link set lo up; ip link add kwp0 type veth peer name kwp1; ip link set kwp0 up; "
                  "ip link set kwp1 up; ip addr add 10.9.9.1/24 dev kwp0; "
                  "exec chroot '{root}' {ka} -n -l -d -P -f '{conf}' -p /run/kwp.pid -r /run/kwp-vrrp.pid").format(
            root=root, ka=KEEPALIVED, conf=inner)
        try:
            out = subprocess.run(["unshare", "--net", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c", script],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 timeout=RUN_SECONDS).stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            out = (e.output or b"").decode("utf-8", "replace")
        return out
    finally:
        shutil.rmtree(str(work), ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", action="append", required=True, metavar="DIR=RELEASE",
                        help="a root with that release's keepalived (/ for the machine's own)")
    args = parser.parse_args()
    by_version = {}  # type: Dict[str, Dict[str, str]]
    for spec in args.root:
        directory, _, release = spec.partition("=")
        text = dump(Path(directory))
        version = re.search(r"Starting Keepalived (v[\d.]+)", text)
        found = settings(text)
        if not found:
            print("%s: no configuration dump; keepalived said:\n%s" % (spec, text), file=sys.stderr)
            return 2
        by_version["%s %s" % (release, version.group(1) if version else "?")] = found
    versions = list(by_version)
    print("\t".join(["setting"] + versions + ["differs"]))
    differing = 0
    for name, values, differs in compare(by_version):
        differing += differs
        print("\t".join([name] + [values[v] or "-" for v in versions] + ["yes" if differs else ""]))
    print("%d settings, %d printed by every version, %d with values that differ" % (
        len(compare(by_version)), sum(all(v for v in values.values()) for _, values, _ in compare(by_version)),
        differing), file=sys.stderr)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
