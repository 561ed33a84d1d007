#!/usr/bin/env python3
"""Ask each keepalived version's own parser which keywords of the engine's table it does not know.

Writes src/main/resources/org/keepwatch/config/keywords-versions.tsv, the table lint uses for a node that runs
another keepalived than the one keywords.tsv was generated from. For every keyword of keywords.tsv and
keywords-extra.tsv it writes one probe file holding that keyword inside its block, runs
`keepalived -t` of each version on it (inside that version's root, in fresh namespaces) and records the keywords
the version answers "Unknown keyword" for, at the keyword's own line. Run as root, as the verdict recorder:

    probe_keepalived_keywords.py --root /=bookworm --root BULLSEYE_ROOT=bullseye --root TRIXIE_ROOT=trixie
"""
import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Set, Tuple

RESOURCES = Path(__file__).resolve().parents[2] / "main" / "resources" / "org" / "keepwatch" / "config"
TABLES = ("keywords.tsv", "keywords-extra.tsv")
OUTPUT = RESOURCES / "keywords-versions.tsv"
KEEPALIVED = "/usr/sbin/keepalived"
TIMEOUT_SECONDS = 5
WORKERS = 2
LIST_BLOCKS = {"notification_email", "static_ipaddress", "static_routes", "static_rules", "virtual_ipaddress",
               "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules", "track_interface", "track_script",
               "track_file", "track_process", "track_bfd", "group", "unicast_peer", "linkbeat_interfaces",
               "interfaces", "interface_up_down_delays", "virtual_server_group"}
# What a block's opening line needs after its keyword to be parsed at all.
HEADER_ARGS = {"virtual_server": "10.9.9.9 80", "real_server": "10.9.9.10 80", "global_defs": "", "SSL": "",
               "garp_group": "", "url": "", "host": "", "static_ipaddress": "", "static_routes": "",
               "static_rules": "", "HTTP_GET": "", "SSL_GET": "", "TCP_CHECK": "", "SMTP_CHECK": "",
               "DNS_CHECK": "", "MISC_CHECK": "", "BFD_CHECK": "", "UDP_CHECK": "", "PING_CHECK": "",
               "FILE_CHECK": "", "authentication": "", "sorry_server": "10.9.9.11 80"}
UNKNOWN = re.compile(r"Line (\d+)\) Unknown keyword '([^']+)'")


def load_table() -> Dict[str, List[Tuple[str, bool]]]:
    """Block path -> [(keyword, takes a block)] of the engine's table."""
    table: Dict[str, Dict[str, bool]] = defaultdict(dict)
    for name in TABLES:
        for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            block = len(fields) > 3 and fields[3] in ("block", "list")
            table[fields[0]][fields[1]] = table[fields[0]].get(fields[1], False) or block
    return {path: sorted(keywords.items()) for path, keywords in table.items()}


def probe(path: str, keyword: str, block: bool) -> Tuple[str, int]:
    """A file holding one keyword inside its block, and the line it is on."""
    lines: List[str] = []
    parents = [p for p in path.split("/") if p]
    if parents and parents[-1] in LIST_BLOCKS:
        return "", 0
    for parent in parents:
        lines.append(" ".join(w for w in (parent, HEADER_ARGS.get(parent, "P"), "{") if w))
    line = len(lines) + 1
    if block:
        lines.append(" ".join(w for w in (keyword, HEADER_ARGS.get(keyword, "P"), "{") if w))
        lines.append("}")
    else:
        lines.append(keyword + " 1")
    lines.extend("}" for _ in parents)
    return "\n".join(lines) + "\n", line


def unknown_in(root: Path, text: str) -> Set[int]:
    """The lines a version's keepalived -t calls an unknown keyword."""
    work = Path(tempfile.mkdtemp(prefix="kwprobe-", dir=str(root / "tmp")))
    try:
        conf = work / "probe.conf"
        conf.write_text(text, encoding="utf-8")
        inner = "/" + str(conf.relative_to(root))
        script = "mount -t proc proc '{}/proc' 2>/dev/null; chroot '{}' {} -t -l -n -f '{}' 2>&1".format(
            root, root, KEEPALIVED, inner)
        try:
            out = subprocess.run(["unshare", "--net", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c", script],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 timeout=TIMEOUT_SECONDS).stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            out = (e.output or b"").decode("utf-8", "replace")
        return {int(m.group(1)) for m in UNKNOWN.finditer(out)}
    finally:
        shutil.rmtree(str(work), ignore_errors=True)


# Blocks searched for keywords the table lacks, with the lines that open them.
DISCOVER_BLOCKS = {"": [], "global_defs": ["global_defs {"], "vrrp_instance": ["vrrp_instance P {"],
                   "vrrp_script": ["vrrp_script P {"], "vrrp_sync_group": ["vrrp_sync_group P {"],
                   "virtual_server": ["virtual_server 10.9.9.9 80 {"],
                   "virtual_server/real_server": ["virtual_server 10.9.9.9 80 {", "real_server 10.9.9.10 80 {"],
                   "virtual_server/real_server/HTTP_GET": ["virtual_server 10.9.9.9 80 {", "real_server 10.9.9.10 80 {",
                                                           "HTTP_GET {"],
                   "virtual_server/real_server/TCP_CHECK": ["virtual_server 10.9.9.9 80 {", "real_server 10.9.9.10 80 {",
                                                            "TCP_CHECK {"],
                   "track_file": ["track_file P {"], "vrrp_track_process": ["vrrp_track_process P {"],
                   "bfd_instance": ["bfd_instance P {"]}
IDENTIFIER = re.compile(rb"(?<![A-Za-z0-9_])[a-z][a-z0-9_]{3,40}(?=\x00)")


def discover(roots: List[Tuple[Path, str]]) -> int:
    """Print the keywords some version's parser takes that the table lacks: every identifier in its binary is tried
    in each main block, one per line; those it does not answer "Unknown keyword" for, checked again alone, are
    printed for a person to add to keywords-extra.tsv with a reason (then run the probe again)."""
    table = load_table()
    for root, ka_version in roots:
        words = sorted({m.group(0).decode() for m in IDENTIFIER.finditer((root / KEEPALIVED.lstrip("/")).read_bytes())})
        for path, head in DISCOVER_BLOCKS.items():
            known = {k for k, _ in table.get(path, [])}
            candidates = [w for w in words if w not in known and w != "include"]
            lines = head + [w + " 1" for w in candidates] + ["}"] * len(head)
            unknown = unknown_in(root, "\n".join(lines) + "\n")
            kept = [w for i, w in enumerate(candidates) if len(head) + i + 1 not in unknown]
            confirmed = []
            for word in kept:
                text = "\n".join(head + [word + " 1"] + ["}"] * len(head)) + "\n"
                if len(head) + 1 not in unknown_in(root, text):
                    confirmed.append(word)
            if confirmed:
                print("{}\t{}\t{}".format(ka_version, path or "(top level)", " ".join(confirmed)))
    return 0


def version(root: Path) -> str:
    out = subprocess.run(["chroot", str(root), KEEPALIVED, "-v"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT).stdout.decode("utf-8", "replace")
    found = re.search(r"Keepalived v(\d+\.\d+\.\d+)", out)
    if not found:
        raise SystemExit("no keepalived in {}".format(root))
    return found.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", action="append", required=True, metavar="DIR=RELEASE")
    parser.add_argument("--discover", action="store_true",
                        help="print keywords a version takes that the table lacks, instead of writing the table")
    args = parser.parse_args()
    roots = [(Path(spec.partition("=")[0]), version(Path(spec.partition("=")[0]))) for spec in args.root]
    if args.discover:
        return discover(roots)
    unknown: Dict[Tuple[str, str], List[str]] = defaultdict(list)
    jobs = []
    for path, keywords in sorted(load_table().items()):
        for keyword, block in keywords:
            text, line = probe(path, keyword, block)
            if text:
                jobs.extend((path, keyword, text, line, root, ka_version) for root, ka_version in roots)

    def run(job: Tuple[str, str, str, int, Path, str]) -> None:
        path, keyword, text, line, root, ka_version = job
        if line in unknown_in(root, text):
            unknown[(path, keyword)].append(ka_version)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(run, jobs))
    with OUTPUT.open("w", encoding="utf-8") as f:
        f.write("# Keywords of keywords.tsv that a keepalived version's parser does not know, as its own `keepalived -t`\n")
        f.write("# answers \"Unknown keyword\" for them (generated by src/test/python/probe_keepalived_keywords.py).\n")
        f.write("# Versions asked: {}\n".format(", ".join(v for _, v in roots)))
        f.write("# block path\tkeyword\tversions that do not know it\n")
        for (path, keyword), versions in sorted(unknown.items()):
            f.write("{}\t{}\t{}\n".format(path, keyword, ",".join(sorted(set(versions)))))
    print("wrote {} ({} keywords unknown to some version)".format(OUTPUT, len(unknown)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
