"""keepalived built without JSON support, from Debian's source package of the keepalived this machine runs, cached.

A node whose keepalived cannot write a JSON dump is watched through its text dump (SIGUSR1, keepalived.data); tests run
the same configuration under both builds to prove the two paths see the same thing. The source is Debian's: the .dsc
of the installed version and its orig tarball, checked against the SHA-256 the .dsc gives, from deb.debian.org. It is
configured as Debian configures it, minus JSON and minus what needs build dependencies the tests never touch (SNMP,
D-Bus, nftables, iptables), built in a temporary directory and installed into its cache directory by one rename,
so a half-built one is never used. The cache survives lab/down: it is outside the lab's state.

    lab/keepalived-nojson build     builds it once (about a minute on two cores), then says where it is
    lab/keepalived-nojson path      prints the executable's path (exit 1 when it is not built)
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

CACHE_ROOT = Path("/var/lib/kw-lab-builds")
MIRROR = "http://deb.debian.org/debian/pool/main/k/keepalived/"
DOWNLOAD_TIMEOUT_S = 120
STAMP = "built-from"
# Debian's configure options without JSON and without the parts whose build dependencies no test needs
CONFIGURE = ["--sysconfdir=/etc", "--localstatedir=/var", "--runstatedir=/run", "--disable-json", "--disable-snmp",
             "--disable-dbus", "--disable-nftables", "--disable-iptables", "--enable-sha1",
             "--with-init=systemd"]
BUILD_PACKAGES = "gcc make pkg-config libc6-dev libssl-dev libnl-3-dev libnl-genl-3-dev"


class BuildError(Exception):
    """What stopped the build, in words an operator can act on."""


def installed_version() -> Dict[str, str]:
    """The installed keepalived's Debian version: {debian: '1:2.2.7-1+b2', source: '2.2.7-1', upstream: '2.2.7'}."""
    try:
        text = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "keepalived"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=True, universal_newlines=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise BuildError("keepalived is not installed from a Debian package here (apt-get install keepalived)")
    without_epoch = text.split(":", 1)[-1]
    source = re.sub(r"\+b\d+$", "", without_epoch)          # a binNMU builds the same source
    return {"debian": text, "source": source, "upstream": source.rsplit("-", 1)[0]}


def cache_dir(upstream: str) -> Path:
    return CACHE_ROOT / ("keepalived-%s-nojson" % upstream)


def executable(upstream: str) -> Path:
    return cache_dir(upstream) / "sbin" / "keepalived"


def built(upstream: str) -> Optional[Path]:
    """The cached build when it is whole (its stamp is written last), else None."""
    exe = executable(upstream)
    return exe if (cache_dir(upstream) / STAMP).is_file() and os.access(str(exe), os.X_OK) else None


def fetch(url: str, target: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as answer, target.open("wb") as out:
            shutil.copyfileobj(answer, out)
    except OSError as exc:
        raise BuildError("cannot download %s: %s" % (url, exc))


def orig_sha256(dsc: str, name: str) -> str:
    """The SHA-256 the .dsc gives for `name`."""
    section = dsc.split("Checksums-Sha256:", 1)[-1]
    for line in section.splitlines()[1:]:
        parts = line.split()
        if len(parts) != 3:
            break
        if parts[2] == name:
            return parts[0]
    raise BuildError("the .dsc names no SHA-256 for %s" % name)


def run(argv: List[str], cwd: Path, log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(argv, cwd=str(cwd), stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-1500:]
        raise BuildError("%s failed (exit %d); the end of its output:\n%s\n(build dependencies: apt-get install %s)"
                         % (" ".join(argv[:2]), done.returncode, tail, BUILD_PACKAGES))


def build() -> Path:
    """Builds the no-JSON keepalived of the installed version unless it is cached; returns its executable."""
    version = installed_version()
    upstream = version["upstream"]
    done = built(upstream)
    if done is not None:
        return done
    if os.geteuid() != 0:
        raise BuildError("the build is cached in %s, which only root can write (try: sudo lab/keepalived-nojson build)"
                         % CACHE_ROOT)
    CACHE_ROOT.mkdir(mode=0o755, parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="keepalived-nojson-", dir=str(CACHE_ROOT)))
    try:
        os.chmod(str(work), 0o755)
        dsc_name = "keepalived_%s.dsc" % version["source"]
        orig_name = "keepalived_%s.orig.tar.gz" % upstream
        fetch(MIRROR + dsc_name, work / dsc_name)
        fetch(MIRROR + orig_name, work / orig_name)
        want = orig_sha256((work / dsc_name).read_text(errors="replace"), orig_name)
        got = hashlib.sha256((work / orig_name).read_bytes()).hexdigest()
        if got != want:
            raise BuildError("%s has SHA-256 %s, not the %s its .dsc gives: not built" % (orig_name, got, want))
        log = work / "build.log"
        run(["tar", "xzf", orig_name], work, log)
        source = work / ("keepalived-%s" % upstream)
        target = cache_dir(upstream)
        run(["./configure", "--prefix=" + str(target)] + CONFIGURE, source, log)
        run(["make", "-j%d" % max(1, os.cpu_count() or 1)], source, log)
        staged = work / "staged"
        run(["make", "install", "DESTDIR=" + str(staged)], source, log)
        # installed under DESTDIR + prefix: move that tree into place with one rename
        tree = staged / str(target).lstrip("/")
        (tree / STAMP).write_text("Debian source %s (%s, SHA-256 %s), configured %s\n"
                                  % (version["source"], orig_name, got, " ".join(CONFIGURE)))
        if target.exists():
            shutil.rmtree(str(target))
        os.rename(str(tree), str(target))
    finally:
        shutil.rmtree(str(work), ignore_errors=True)
    exe = built(upstream)
    if exe is None:
        raise BuildError("the build of keepalived %s finished without %s" % (upstream, executable(upstream)))
    return exe


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="lab/keepalived-nojson", description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("build", "path"))
    args = parser.parse_args(argv)
    try:
        if args.what == "build":
            print(build())
            return 0
        exe = built(installed_version()["upstream"])
        if exe is None:
            print("lab/keepalived-nojson: not built yet (sudo lab/keepalived-nojson build)", file=sys.stderr)
            return 1
        print(exe)
        return 0
    except BuildError as exc:
        print("lab/keepalived-nojson: %s" % exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
