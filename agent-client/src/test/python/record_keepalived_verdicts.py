#!/usr/bin/env python3
"""Record what `keepalived -t` of each keepalived version says of every file of the lint corpus.

Not a test: the recorded verdicts are committed (corpus/verdicts.tsv) and LintAgreementTest compares the
linter with them. Run it as root after a change to the corpus, with one root file system per keepalived
version to ask (a Debian root built by debootstrap with keepalived in it; "/" is the host's own):

    record_keepalived_verdicts.py --root /=bookworm --root BULLSEYE_ROOT=bullseye --root TRIXIE_ROOT=trixie

Each file is checked in a fresh network, mount and PID namespace, chrooted into the version's root, with an
interface (an empty bridge) for every interface name the file mentions and its include lines commented out (keeping
line numbers), so that what stays is what keepalived says of the text itself. Whatever keepalived still
says about the machine (a missing script, user or interface) is classified "machine", not "config".
"""
import argparse
import csv
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

CORPUS = Path(__file__).resolve().parents[1] / "resources" / "org" / "keepwatch" / "config" / "corpus"
VERDICTS = CORPUS / "verdicts.tsv"
KEEPALIVED = "/usr/sbin/keepalived"
IP = "/usr/sbin/ip"
TIMEOUT_SECONDS = 30
IFNAME_MAX = 15
# Keywords whose next word is an interface name, and blocks whose entries are interface names.
INTERFACE_AFTER = ("interface", "dev", "default_interface", "lvs_sync_daemon", "lvs_sync_daemon_interface",
                   "mcast_src_ip_interface", "bind_if")
INTERFACE_BLOCKS = ("track_interface",)
LINE_MESSAGE = re.compile(r"^\((?:(?P<file>[^:]+): )?Line (?P<line>\d+)\) (?P<text>.*)$")
# What keepalived says about the machine rather than the text (compared in lower case).
MACHINE_PATTERNS = ("doesn't exist", "does not exist", "not found", "no such file", "cannot find",
                    "unknown user", "unable to find", "non-existent interface", "not executable",
                    "cannot access", "permission denied", "is not a directory", "unable to access",
                    "insecure", "unsafe", "no such device", "script_user",
                    "unable to set default user", "invalid smtp server", "uid/gid")
# Lines keepalived prints that are neither a fault of the text nor of the machine.
NOISE_PATTERNS = ("starting keepalived", "running on linux", "command line:", "configuration file",
                  "opening file", "stopped", "exiting", "unable to load ipset library", "(pid",
                  "script user", "pidfile", "keepalived_vrrp", "keepalived_healthcheckers",
                  "netlink", "registering", "initializing")


def interface_names(text: str) -> List[str]:
    """Every interface name the file mentions, so the check does not fail on the machine's interfaces."""
    names = set()
    in_block = False
    for raw in text.splitlines():
        line = re.split(r"[#!]", raw, 1)[0].strip()
        words = line.split()
        if not words:
            continue
        if in_block:
            if words[0] == "}":
                in_block = False
            else:
                names.add(words[0])
            continue
        if words[0] in INTERFACE_BLOCKS and "{" in words:
            in_block = "}" not in words
            continue
        for i, word in enumerate(words[:-1]):
            if word in INTERFACE_AFTER:
                names.add(words[i + 1])
    return sorted(n for n in names if 0 < len(n) <= IFNAME_MAX and re.fullmatch(r"[A-Za-z0-9_.:@-]+", n)
                  and n not in ("lo", "{", "}") and ":" not in n)


def neutralised(text: str) -> str:
    """The file with its include lines commented out, line numbers kept."""
    return "\n".join("# neutralised: " + line if line.strip().startswith("include") else line
                     for line in text.split("\n"))


TRACKED_NOT_FOUND = re.compile(r"track script (\S+) not found")


def machine(text: str, conf_text: str) -> bool:
    """Whether a message is about the machine: "track script X not found" is, unless the file defines no X."""
    tracked = TRACKED_NOT_FOUND.search(text)
    if tracked:
        return re.search(r"^\s*vrrp_script\s+" + re.escape(tracked.group(1)) + r"\s*\{?", conf_text, re.M) is not None
    return any(p in text.lower() for p in MACHINE_PATTERNS)


def classify(returncode: int, output: str, name: str, conf_text: str = "") -> Tuple[str, List[str]]:
    """The verdict (accept, config, machine) and the messages that name a line of the file."""
    messages = []
    config_fault = False
    for line in output.splitlines():
        found = LINE_MESSAGE.match(line.strip())
        lowered = line.lower()
        if found:
            text = found.group("text").strip()
            kind = "machine" if machine(text, conf_text) else "config"
            messages.append("{}:{}:{}".format(found.group("line"), kind, text))
            config_fault |= kind == "config"
        elif line.strip() and not any(p in lowered for p in NOISE_PATTERNS) and name not in line:
            kind = "machine" if machine(line, conf_text) else "config"
            messages.append("0:{}:{}".format(kind, line.strip()))
            config_fault |= kind == "config"
    # keepalived 2.1.5's -t exits 0 after reporting most faults, so the messages decide, not the exit status.
    if config_fault:
        return "config", messages
    return ("machine" if messages or returncode != 0 else "accept"), messages


def check(root: Path, conf: Path) -> Tuple[int, str]:
    """keepalived -t on one file inside the root, in fresh namespaces with the file's interfaces present."""
    text = conf.read_text(encoding="utf-8", errors="surrogateescape")
    work = Path(tempfile.mkdtemp(prefix="kwcorpus-", dir=str(root / "tmp")))
    try:
        target = work / conf.name
        target.write_text(neutralised(text), encoding="utf-8", errors="surrogateescape")
        inner = "/" + str(target.relative_to(root))
        links = [[IP, "link", "add", name, "type", "bridge"] for name in interface_names(text)]
        setup = " && ".join(" ".join("'" + a + "'" for a in cmd) for cmd in links) or "true"
        script = ("{setup}; {ip} link set lo up; mount -t proc proc '{root}/proc' 2>/dev/null; "
                  "chroot '{root}' {ka} -t -l -n -f '{conf}' 2>&1").format(
            setup=setup, ip=IP, root=root, ka=KEEPALIVED, conf=inner)
        run = subprocess.run(["unshare", "--net", "--mount", "--pid", "--fork", "sh", "-c", script],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT_SECONDS)
        return run.returncode, run.stdout.decode("utf-8", "replace").replace(str(work) + "/", "")
    finally:
        shutil.rmtree(str(work), ignore_errors=True)


def version(root: Path) -> str:
    """The keepalived version the root holds, as `keepalived -v` prints it."""
    out = subprocess.run(["chroot", str(root), KEEPALIVED, "-v"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT).stdout.decode("utf-8", "replace")
    found = re.search(r"Keepalived v(\d+\.\d+\.\d+)", out)
    if not found:
        raise SystemExit("no keepalived in {}: {}".format(root, out.strip()))
    return found.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", action="append", required=True, metavar="DIR=RELEASE",
                        help="a root file system holding keepalived, and the Debian release it is")
    parser.add_argument("files", nargs="*", help="corpus files to check (default: all)")
    args = parser.parse_args()
    roots: Dict[str, Tuple[Path, str]] = {}
    for spec in args.root:
        directory, _, release = spec.partition("=")
        root = Path(directory)
        roots[release or directory] = (root, version(root))
    files = [CORPUS / f for f in args.files] if args.files else sorted(CORPUS.glob("*.conf"))
    previous = {}
    if VERDICTS.exists() and args.files:
        with VERDICTS.open(encoding="utf-8") as f:
            for row in csv.reader((l for l in f if not l.startswith("#")), delimiter="\t"):
                previous[(row[0], row[1])] = row
    rows = dict(previous)
    for conf in files:
        for release, (root, ka_version) in roots.items():
            code, output = check(root, conf)
            verdict, messages = classify(code, output, conf.name,
                                         conf.read_text(encoding="utf-8", errors="surrogateescape"))
            rows[(conf.name, ka_version)] = [conf.name, ka_version, release, verdict, str(code),
                                             " | ".join(m.replace("\t", " ") for m in messages)]
            print("{:45} {:7} {:8} {}".format(conf.name, ka_version, verdict, "; ".join(messages)[:160]))
    with VERDICTS.open("w", encoding="utf-8") as f:
        f.write("# Generated by src/test/python/record_keepalived_verdicts.py: what keepalived -t of each version says\n")
        f.write("# file\tkeepalived\trelease\tverdict (accept|config|machine)\texit\tmessages (line:kind:text | ...)\n")
        for key in sorted(rows):
            f.write("\t".join(rows[key]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
