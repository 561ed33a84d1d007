"""lab/bench-failover: what a router's clients see during each kind of planned (and unplanned) failover, side by
side. For each round the router's VIP is probed from the workstation every 10 ms (vip_probe), the failover is
made, and the round ends when only the new master has answered for a while; then it is undone and the router
waits to be whole again (its first master back) before the next round.

Kinds:
  stop      lab/fail stop on the master: keepalived's clean shutdown (what a plain `systemctl stop` does)
  crash     lab/fail crash on the master (SIGKILL: for reference; the VIP stays behind)
  drain     the command given with --drain (and undone with --undrain), e.g. keepwatch drain {node} --yes
  fallback  the command given with --fallback (and --unfallback): the drain of a node without the maintenance weight
Every command template gets {node} (the master at the start of the round), {router} and {fleet}.
"""
import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional

from .faults import heal, inject
from .state import LabState, lab_dir
from .status import collect, node_command
from .system import LabError, run
from .topology import LAN_PREFIX, WORKSTATION_ADDRESS, WORKSTATION_LINK
from .vip_probe import Probe

KINDS = ("drain", "fallback", "stop", "crash")
BASELINE_S = 1.0
MOVED_QUIET_S = 2.0          # the new master alone for this long: the failover is over
ROUND_TIMEOUT_S = 20.0
WHOLE_TIMEOUT_S = 60.0
WHOLE_POLL_S = 0.5
ROUTER_VIP = {"VI_%d" % r: "%s.%d" % (LAN_PREFIX, 100 + r) for r in range(1, 10)}


def lab_router(state: LabState, router: str) -> dict:
    """The lab's truth about one router of the basic topology (VI_n is the router of VRID 50+n)."""
    vrid = 50 + int(router.split("_")[1])
    for entry in collect(state)["routers"]:
        if entry["router"] == "vrid %d" % vrid:
            return entry
    raise LabError("no router %s (vrid %d) in the lab: lab/up basic" % (router, vrid))


def masters(state: LabState, router: str) -> List[str]:
    return sorted(lab_router(state, router)["masters"])


def router_whole(state: LabState, router: str, master: str) -> bool:
    """Its first master back, every member MASTER or BACKUP, and each VIP on one node only."""
    entry = lab_router(state, router)
    return (entry["masters"] == [master] and all(m["state"] in ("MASTER", "BACKUP") for m in entry["members"])
            and all(len(holders) == 1 for holders in entry["vip_holders"].values()))


def node_macs(state: LabState) -> Dict[str, str]:
    macs = {}
    for name, record in state.nodes().items():
        if record.get("kind") != "basic":
            continue
        try:
            macs[run(node_command(record, ["cat", "/sys/class/net/eth0/address"])).strip()] = name
        except LabError:
            pass
    return macs


def command(template: str, node: str, router: str, fleet: str) -> None:
    args = [part.format(node=node, router=router, fleet=fleet) for part in shlex.split(template)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise LabError("%s failed (%d): %s" % (" ".join(args), done.returncode, (done.stderr or done.stdout).strip()[-400:]))


def one_round(state: LabState, kind: str, router: str, args: argparse.Namespace, macs: Dict[str, str]) -> dict:
    [master] = masters(state, router)
    master_mac = next((mac for mac, name in macs.items() if name == master), None)
    probe = Probe(WORKSTATION_LINK, WORKSTATION_ADDRESS, ROUTER_VIP[router]).start()
    time.sleep(BASELINE_S)
    acted = time.monotonic()
    if kind in ("stop", "crash"):
        inject(state, kind, [master], False)
    else:
        command(getattr(args, kind), master, router, args.fleet)
    action_s = time.monotonic() - acted
    deadline = acted + ROUND_TIMEOUT_S
    while time.monotonic() < deadline:
        time.sleep(0.1)
        recent = [mac for at, mac in probe.arp_replies if at >= time.monotonic() - MOVED_QUIET_S]
        moved = [at for at, mac in probe.arp_replies if mac != master_mac]
        if moved and time.monotonic() - moved[0] >= MOVED_QUIET_S and recent and master_mac not in recent:
            break
    probe.stop()
    report = probe.report(macs, (acted - BASELINE_S / 2, time.monotonic()))
    report.update({"kind": kind, "router": router, "from": master, "action_s": round(action_s, 3),
                   "moved": bool(report["answered_after"]) and master not in report["answered_after"]})
    undo(state, kind, master, router, args)
    return report


def undo(state: LabState, kind: str, master: str, router: str, args: argparse.Namespace) -> None:
    if kind in ("stop", "crash"):
        heal(state)
    else:
        command(getattr(args, "un" + kind), master, router, args.fleet)
    deadline = time.monotonic() + WHOLE_TIMEOUT_S
    while not router_whole(state, router, master):
        if time.monotonic() > deadline:
            raise LabError("%s is not whole again %d s after undoing %s on %s" % (router, WHOLE_TIMEOUT_S, kind, master))
        time.sleep(WHOLE_POLL_S)
    time.sleep(2.0)   # the returning master's own takeover is over before the next round probes


def summary(rounds: List[dict]) -> dict:
    silences = [r["longest_silence_ms"] for r in rounds if r["longest_silence_ms"] is not None]
    return {"rounds": len(rounds), "moved": sum(1 for r in rounds if r["moved"]),
            "lost_total": sum(r["lost"] for r in rounds), "lost_max": max(r["lost"] for r in rounds),
            "silence_p50_ms": round(statistics.median(silences), 1) if silences else None,
            "silence_max_ms": max(silences) if silences else None,
            "overlap_max_ms": max(r["overlap_ms"] for r in rounds),
            "overlap_rounds_total": sum(r["overlap_rounds"] for r in rounds)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="lab/bench-failover", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kinds", nargs="*", default=["stop", "crash"], help="of: " + ", ".join(KINDS))
    parser.add_argument("--router", default="VI_1", choices=sorted(ROUTER_VIP))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fleet", default=str(lab_dir() / "fleet.json"))
    for kind in ("drain", "fallback"):
        parser.add_argument("--" + kind, help="command that makes a %s of {node}" % kind)
        parser.add_argument("--un" + kind, help="command that undoes it")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    for kind in args.kinds:
        if kind not in KINDS:
            parser.error("unknown kind %s (kinds: %s)" % (kind, ", ".join(KINDS)))
        if kind in ("drain", "fallback") and not (getattr(args, kind) and getattr(args, "un" + kind)):
            parser.error("%s needs --%s and --un%s" % (kind, kind, kind))
    state = LabState(lab_dir())
    macs = node_macs(state)
    results = {}
    for kind in args.kinds:
        rounds = []
        for number in range(args.rounds):
            round_report = one_round(state, kind, args.router, args, macs)
            rounds.append(round_report)
            if not args.json:
                print("%-8s round %d: %s -> %s, lost %d of %d, longest silence %s ms, two answering %d rounds (longest %s ms)"
                      % (kind, number + 1, round_report["from"], ",".join(round_report["answered_after"]),
                         round_report["lost"], round_report["probes"], round_report["longest_silence_ms"],
                         round_report["overlap_rounds"], round_report["overlap_ms"]), flush=True)
        results[kind] = {"summary": summary(rounds), "rounds": rounds}
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print("\n%-8s %6s %6s %9s %9s %11s %11s" % ("kind", "rounds", "moved", "lost max", "silence", "silence max",
                                                     "overlap max"))
        for kind, result in results.items():
            s = result["summary"]
            print("%-8s %6d %6d %9d %7s ms %8s ms %8s ms" % (kind, s["rounds"], s["moved"], s["lost_max"],
                                                             s["silence_p50_ms"], s["silence_max_ms"], s["overlap_max_ms"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
