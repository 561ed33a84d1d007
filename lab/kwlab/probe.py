"""Runs ON a lab node (lab/status enters it with nsenter) and prints that node's VRRP truth as JSON:
every keepalived daemon with the instances of its own JSON dump (its text dump when built without JSON), and every
address in each of the node's network namespaces. Standard library only.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

DUMP_TIMEOUT = 3.0
POLL = 0.02
STATES = {0: "INIT", 1: "BACKUP", 2: "MASTER", 3: "FAULT"}


def proc_stat(pid: int):
    text = Path("/proc/%d/stat" % pid).read_text()
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])    # state, ppid


def comm(pid: int) -> str:
    try:
        return Path("/proc/%d/comm" % pid).read_text().strip()
    except OSError:
        return ""


def keepalived_processes():
    """Main keepalived processes (whose parent is not keepalived) with their VRRP child."""
    procs = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and comm(int(entry.name)) == "keepalived":
            try:
                procs[int(entry.name)] = proc_stat(int(entry.name))
            except (OSError, ValueError):
                pass
    mains = []
    for pid, (state, ppid) in sorted(procs.items()):
        if ppid in procs or state == "Z":
            continue
        children = [c for c, (s, p) in procs.items() if p == pid and s != "Z"]
        mains.append((pid, state, children, procs))
    return mains


def netns_names():
    names = {}
    try:
        for entry in Path("/run/netns").iterdir():
            try:
                names[entry.stat().st_ino] = entry.name
            except OSError:
                pass
    except OSError:
        pass
    return names


def environ(pid: int) -> dict:
    try:
        raw = Path("/proc/%d/environ" % pid).read_bytes()
    except OSError:
        return {}
    pairs = [item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item]
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in pairs}


def config_file(cmdline) -> str:
    for i, arg in enumerate(cmdline):
        if arg in ("-f", "--use-file") and i + 1 < len(cmdline):
            return cmdline[i + 1]
        if arg.startswith("--use-file="):
            return arg.split("=", 1)[1]
    return "/etc/keepalived/keepalived.conf"


def json_signal():
    """keepalived's JSON signal, or None when the node's keepalived is built without JSON (lab/up --nojson): its
    truth then comes from the text dump (SIGUSR1, keepalived.data), read here by the lab's own few lines."""
    out = subprocess.run(["keepalived", "--signum=JSON"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, universal_newlines=True, timeout=5)
    number = out.stdout.strip()
    return int(number) if out.returncode == 0 and number.isdigit() else None


def dump(pid: int, tmpdir: str, signum):
    # through the daemon's own root: a keepalived in a container (lab/up --container) writes into the container's /tmp;
    # in its TMPDIR, or in /tmp whatever its TMPDIR says (keepalived before 2.2: bullseye's, a Neutron node of it)
    name = "keepalived.json" if signum is not None else "keepalived.data"
    paths = [Path("/proc/%d/root" % pid) / directory.lstrip("/") / name for directory in sorted({tmpdir, "/tmp"})]
    before = {}
    for candidate in paths:
        try:
            before[candidate] = candidate.stat().st_mtime_ns
        except OSError:
            before[candidate] = None
    os.kill(pid, signum if signum is not None else signal.SIGUSR1)
    deadline = time.monotonic() + DUMP_TIMEOUT
    while time.monotonic() < deadline:
        for path in paths:
            result = _read_new(path, before[path], signum)
            if result is not None:
                return result
        time.sleep(POLL)
    return None


def _read_new(path: Path, before, signum):
    """The dump at path once it is newer than before and whole; None until then."""
    try:
        if path.stat().st_mtime_ns == before:
            return None
        text = path.read_text()
        if signum is not None:
            return [instance(entry) for entry in json.loads(text)]
        time.sleep(POLL)
        if path.read_text() != text or "VRRP Topology" not in text:
            return None     # half written
        return text_instances(text)
    except (OSError, ValueError):
        pass    # not there yet, or half written
    return None


def text_instances(text: str) -> list:
    """The VRRP Topology section of keepalived.data: the fields instance() takes from the JSON dump."""
    found = []
    current = None
    in_vips = False
    in_topology = False
    for line in text.splitlines():
        if line.startswith("------<"):
            in_topology = "VRRP Topology" in line
            current = None
            continue
        if not in_topology:
            continue
        if line.startswith(" VRRP Instance = "):
            current = {"name": line.split("=", 1)[1].strip(), "vrid": None, "state": None, "priority": None,
                       "effective_priority": None, "interface": None, "vips": [], "last_transition": None}
            found.append(current)
            in_vips = False
            continue
        if current is None:
            continue
        if in_vips and line.startswith("     "):
            current["vips"].append(line.split()[0].split("/")[0])
            continue
        in_vips = line.startswith("   Virtual IP (") or line.startswith("   Virtual IP :")
        if " = " not in line:
            continue
        key, value = (part.strip() for part in line.split(" = ", 1))
        first = value.split()[0] if value.split() else ""
        if key == "State":
            current["state"] = value
        elif key == "Virtual Router ID" and first.isdigit():
            current["vrid"] = int(first)
        elif key == "Priority" and first.isdigit():
            current["priority"] = int(first)
        elif key == "Effective priority" and first.isdigit():
            current["effective_priority"] = int(first)
        elif key == "Interface":
            current["interface"] = value
        elif key == "Last transition":
            try:
                current["last_transition"] = float(first)
            except ValueError:
                pass
    return found


def addresses(netns: str):
    args = ["ip"] + (["-n", netns] if netns else []) + ["-j", "addr", "show"]
    out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         universal_newlines=True, timeout=5)
    result = []
    for link in json.loads(out.stdout or "[]"):
        for info in link.get("addr_info", []):
            result.append({"dev": link.get("ifname"), "address": info.get("local"),
                           "prefixlen": info.get("prefixlen")})
    return result


def main() -> int:
    names = netns_names()
    signum = json_signal()
    daemons = []
    namespaces = {""}
    for pid, state, children, procs in keepalived_processes():
        cmdline = Path("/proc/%d/cmdline" % pid).read_bytes().decode(errors="replace").split("\0")[:-1]
        try:
            netns = names.get(os.stat("/proc/%d/ns/net" % pid).st_ino, "")
        except OSError:
            netns = ""
        namespaces.add(netns)
        tmpdir = environ(pid).get("TMPDIR", "/tmp")
        stopped = state == "T" or any(procs[c][0] == "T" for c in children)
        daemon = {"pid": pid, "netns": netns, "config": config_file(cmdline), "tmpdir": tmpdir,
                  "children": children, "stopped": stopped, "instances": None}
        if not stopped:
            daemon["dump"] = "json" if signum is not None else "text"
            daemon["instances"] = dump(pid, tmpdir, signum)
        daemons.append(daemon)
    for netns in names.values():
        namespaces.add(netns)
    result = {"hostname": os.uname()[1], "daemons": daemons,
              "addresses": {ns: addresses(ns) for ns in sorted(namespaces)}}
    json.dump(result, sys.stdout)
    return 0


def instance(entry: dict) -> dict:
    data = entry.get("data", {})
    return {"name": data.get("iname"), "vrid": data.get("vrid"),
            "state": STATES.get(data.get("state"), str(data.get("state"))),
            "priority": data.get("base_priority"), "effective_priority": data.get("effective_priority"),
            "interface": data.get("ifp_ifname"),
            "vips": [v.split()[0].split("/")[0] for v in data.get("vips", [])],
            "last_transition": data.get("last_transition")}


if __name__ == "__main__":
    sys.exit(main())
