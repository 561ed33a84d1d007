"""Node roots: a minimal Debian of each release (debootstrap --variant=minbase) with the release's own
keepalived, sshd and python3, built once and cached under /var/lib/kw-lab-roots/<release>/ (lab/roots).

A lab node of a release runs on an overlay of its root (node-init.sh): the cache itself is never written
by a node, and lab/down never removes it. A root is built in a temporary directory beside the cache and
renamed into place only once complete, so a half-built root is never used; its stamp (STAMP_NAME) says
what recipe built it, and a root whose stamp is missing or from another recipe is built again.
"""
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from .system import LabError, find_command

DEFAULT_ROOTS_DIR = "/var/lib/kw-lab-roots"
RELEASES = ("bullseye", "bookworm", "trixie")
HOST = "host"                     # a node on the machine's own filesystem (the default lab)
MIRROR = "http://deb.debian.org/debian"
# What a node needs inside its root: the daemons under test and what node-init.sh, node-ctl.sh, probe.py,
# the faults (nft, ip, pgrep, kill) and the agent run there; sudo (and its visudo) for the login kinds, whose users and
# sudoers drop-in lab/up writes into every node's root; libmagic1, which the no-JSON keepalived (lab/keepalived-nojson,
# built from the machine's release) links and Debian's keepalived does not: a node of the machine's release runs it.
PACKAGES = ("keepalived", "python3", "openssh-server", "iproute2", "procps", "nftables", "sudo", "libmagic1")
# A variant of a release's root: its own directory (<release>-<variant>) and stamp, the release's packages and more.
# systemd: systemd as PID 1 of a node (test_live_systemd.py boots it in namespaces of its own, kwlab/systemd_node.py).
VARIANTS = {"systemd": ("systemd", "systemd-sysv", "dbus")}
# Packages named otherwise in a release (trixie's 64-bit time_t transition renamed the library's package).
RENAMED = {"trixie": {"libmagic1": "libmagic1t64"}}
# Bumped whenever the steps after debootstrap change: every cached root is then built again. A root whose stamp lists
# other packages than packages(release) is built again as well, without a new recipe: a root with more packages
# stays good for code that knows fewer (a branch behind this one does not build it again, nor back and forth).
RECIPE = 1
STAMP_NAME = "kw-lab-root.json"   # in the root's /etc: written last, so its presence means complete
BUILD_TIMEOUT = 1800
LOCK_NAME = ".lock"


def packages(release: str, variant: Optional[str] = None) -> List[str]:
    """What a root of the release (and variant) is built with: PACKAGES under the release's own names, then the
    variant's."""
    names = RENAMED.get(release, {})
    return [names.get(package, package) for package in PACKAGES + VARIANTS.get(variant, ())]


def roots_dir() -> Path:
    return Path(os.environ.get("KW_LAB_ROOTS", DEFAULT_ROOTS_DIR))


def root_name(release: str, variant: Optional[str] = None) -> str:
    return release if variant is None else "%s-%s" % (release, variant)


def root_path(release: str, variant: Optional[str] = None) -> Path:
    return roots_dir() / root_name(release, variant)


def check_release(release: str) -> None:
    if release not in RELEASES:
        raise LabError("unknown release %r: one of %s (or %s for the machine's own filesystem)"
                       % (release, ", ".join(RELEASES), HOST))


def check_variant(variant: Optional[str]) -> None:
    if variant is not None and variant not in VARIANTS:
        raise LabError("unknown root variant %r: one of %s" % (variant, ", ".join(sorted(VARIANTS))))


def stamp(release: str, variant: Optional[str] = None) -> Optional[dict]:
    """The stamp of a complete root of the current recipe, or None (missing, half-built, older recipe)."""
    try:
        data = json.loads((root_path(release, variant) / "etc" / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return None
    if (data.get("recipe") != RECIPE or data.get("release") != release or data.get("variant") != variant
            or data.get("packages") != packages(release, variant)):
        return None
    return data


def machine_release() -> str:
    """The Debian release of the machine itself (VERSION_CODENAME of /etc/os-release), or "" when it does not say."""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("VERSION_CODENAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


def ready(release: str) -> bool:
    return release == HOST or stamp(release) is not None


def require(release: str) -> Path:
    """The root of a release for a node to run on; a clear error when it was not built."""
    check_release(release)
    if stamp(release) is None:
        raise LabError("no node root for %s in %s (or one from an older recipe): run lab/roots build %s"
                       % (release, roots_dir(), release))
    return root_path(release)


def _in_root(root: Path, args: List[str]) -> str:
    done = subprocess.run(["chroot", str(root)] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=60)
    return done.stdout.strip()


def _versions(root: Path) -> Dict[str, str]:
    keepalived = _in_root(root, ["keepalived", "--version"]).splitlines()
    python = _in_root(root, ["python3", "-c", "import platform; print(platform.python_version())"])
    sshd = _in_root(root, ["dpkg-query", "-W", "-f", "${Version}", "openssh-server"])
    return {"keepalived": keepalived[0] if keepalived else "?", "python": python, "openssh": sshd,
            "keepalived_build": "\n".join(keepalived[1:])}


def _size(root: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(str(root)):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def build(release: str, force: bool = False, log=print, variant: Optional[str] = None) -> dict:
    """Builds the root of a release (or of its variant) unless a complete one of this recipe is cached; returns its
    stamp."""
    check_release(release)
    check_variant(variant)
    name = root_name(release, variant)
    if os.geteuid() != 0:
        raise LabError("building a node root needs root (debootstrap and chroot): try sudo lab/roots build")
    for command, package in (("debootstrap", "debootstrap"), ("chroot", "coreutils")):
        if find_command(command) is None:
            raise LabError("%s not found (apt-get install %s)" % (command, package))
    base = roots_dir()
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(str(base), 0o755)
    with open(str(base / LOCK_NAME), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)        # one build at a time; a second waiter then finds it cached
        if not force and stamp(release, variant) is not None:
            log("lab/roots: %s is cached in %s" % (name, root_path(release, variant)))
            return stamp(release, variant)
        temp = base / (".build-%s-%d" % (name, os.getpid()))
        _remove_stale(base, name)
        log("lab/roots: building %s in %s (debootstrap --variant=minbase: %s)"
            % (name, temp, ", ".join(packages(release, variant))))
        started = time.monotonic()
        build_log = base / ("%s.log" % name)
        try:
            with open(str(build_log), "w") as out:
                done = subprocess.run(["debootstrap", "--variant=minbase", "--include=" + ",".join(packages(release, variant)),
                                       release, str(temp), MIRROR],
                                      stdout=out, stderr=subprocess.STDOUT, timeout=BUILD_TIMEOUT)
            if done.returncode != 0:
                raise LabError("debootstrap %s failed (exit %d): see %s" % (release, done.returncode, build_log))
            _finish(temp)
            data = dict(_versions(temp), release=release, recipe=RECIPE, packages=packages(release, variant),
                        built=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                        build_seconds=round(time.monotonic() - started, 1))
            if variant is not None:
                data["variant"] = variant
            data["size"] = _size(temp)
            (temp / "etc" / STAMP_NAME).write_text(json.dumps(data, indent=2) + "\n")
            target = root_path(release, variant)
            if target.exists():
                old = base / (".old-%s-%d" % (name, os.getpid()))
                os.rename(str(target), str(old))
                os.rename(str(temp), str(target))
                shutil.rmtree(str(old), ignore_errors=True)
            else:
                os.rename(str(temp), str(target))
        except BaseException:
            shutil.rmtree(str(temp), ignore_errors=True)
            raise
        log("lab/roots: %s built in %.0f s: %s, Python %s, %s"
            % (name, data["build_seconds"], data["keepalived"], data["python"], _human(data["size"])))
        return data


def _remove_stale(base: Path, name: str) -> None:
    """Temporary directories a killed build of this root left behind (under the lock, no build is running): those of
    this name only (bookworm's never touch bookworm-systemd's: the pid follows the name)."""
    stale = re.compile(r"^\.(?:build|old)-%s-\d+$" % re.escape(name))
    for entry in base.iterdir():
        if stale.match(entry.name):
            shutil.rmtree(str(entry), ignore_errors=True)


def _finish(root: Path) -> None:
    """What a node root needs beyond the packages: no host keys of its own (each node brings its keys), no package
    lists (space), and the directories the nodes mount over."""
    for key in (root / "etc" / "ssh").glob("ssh_host_*"):
        key.unlink()
    shutil.rmtree(str(root / "var" / "lib" / "apt" / "lists"), ignore_errors=True)
    (root / "var" / "lib" / "apt" / "lists" / "partial").mkdir(parents=True)
    shutil.rmtree(str(root / "var" / "cache" / "apt" / "archives"), ignore_errors=True)
    (root / "var" / "cache" / "apt" / "archives" / "partial").mkdir(parents=True)
    for directory in ("etc/keepalived", "var/lib/keepwatch", "run/sshd"):
        (root / directory).mkdir(parents=True, exist_ok=True)


# Runs a command in a throwaway overlay of a root (lab/roots run; KW_LAB_ROOT_RELEASE names the release in there): the machine's /dev, /sys and /run (so that
# `ip netns` names are shared with the machine), a /proc, a private /tmp, and the given directories at their own
# paths. In a mount namespace of its own (unshare -m: private), so nothing of it outlives the command.
RUN_SCRIPT = r"""set -e
root=$1 scratch=$2 workdir=$3; shift 3
binds=()
while [ "$1" != -- ]; do binds+=("$1"); shift; done
shift
m=$scratch/merged
mkdir -p "$scratch/upper" "$scratch/work" "$m"
mount -t overlay kw-root-run -o "lowerdir=$root,upperdir=$scratch/upper,workdir=$scratch/work" "$m"
mount -t proc kw-proc "$m/proc"
mount --rbind /sys "$m/sys"
mount --rbind /dev "$m/dev"
mount --rbind /run "$m/run"
mount -t tmpfs -o mode=1777 kw-tmp "$m/tmp"
for dir in "${binds[@]}"; do
  mkdir -p "$m$dir"
  mount --rbind "$dir" "$m$dir"
done
# pivot_root, not chroot: the overlay must be the namespace's root, or a process in a namespace made from this one
# (ip netns exec) shows its executable in /proc/PID/exe with the overlay's path in front.
cd "$m"
pivot_root . .
umount -l .
exec /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  LANG=C.UTF-8 KW_LAB_ROOT_RELEASE="${root##*/}" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
"""


def run_in(release: str, command: List[str], binds: List[str], workdir: str) -> int:
    """Runs command as root in a throwaway overlay of the release's root, with binds (absolute directories) at their
    own paths and workdir as its working directory; returns its exit code."""
    root = require(release)
    if os.geteuid() != 0:
        raise LabError("running in a node root needs root (mounts and chroot): try sudo lab/roots run")
    for directory in binds + [workdir]:
        if not os.path.isabs(directory) or not os.path.isdir(directory):
            raise LabError("%s: no such directory (lab/roots run --bind DIR)" % directory)
    scratch = tempfile.mkdtemp(prefix="kw-root-run-%s-" % release, dir="/var/tmp")
    try:
        return subprocess.call(["unshare", "--mount", "--propagation", "private", "bash", "-c", RUN_SCRIPT,
                                "lab/roots run", str(root), scratch, workdir] + binds + ["--"] + command)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _human(size: int) -> str:
    return "%.0f MB" % (size / 1e6)


def listing(variants: bool = False) -> List[dict]:
    """A row per release's root; with variants, also one per variant root there is (built or half-built)."""
    rows = []
    for release in RELEASES:
        for variant in (None,) + (tuple(sorted(VARIANTS)) if variants else ()):
            if variant is not None and not root_path(release, variant).exists():
                continue
            data = stamp(release, variant)
            name = root_name(release, variant)
            if data is None:
                state = "half-built or old recipe" if root_path(release, variant).exists() else "not built"
                rows.append({"release": release, "variant": variant, "name": name, "state": state})
            else:
                rows.append(dict(data, name=name, state="ready", path=str(root_path(release, variant)),
                                 json=_has_json(data)))
    return rows


def _has_json(data: dict) -> bool:
    """keepalived -v lists JSON among its "Config options" when it was built with --enable-json."""
    options = [line for line in data.get("keepalived_build", "").splitlines() if line.startswith("Config options:")]
    return bool(options) and "JSON" in options[0].split()


def render(rows: List[dict]) -> str:
    width = max([9] + [len(row["name"]) + 1 for row in rows])
    lines = ["%-*s %-6s %-31s %-5s %-7s %-7s %s" % (width, "RELEASE", "STATE", "KEEPALIVED", "JSON", "PYTHON", "SIZE",
                                                      "BUILT")]
    for row in rows:
        if row["state"] != "ready":
            lines.append("%-*s %s" % (width, row["name"], row["state"]))
            continue
        lines.append("%-*s %-6s %-31s %-5s %-7s %-7s %s in %s s" % (
            width, row["name"], row["state"], row["keepalived"][:31], "yes" if row["json"] else "no", row["python"],
            _human(row["size"]), row["built"], row["build_seconds"]))
    lines.append("cache: %s (kept across lab/down)" % roots_dir())
    return "\n".join(lines)
