"""Captures `keepalived -t` output for every fixtures/check/*.conf from the real keepalived.

Run as root on a machine with keepalived (the fixtures were captured with 2.2.7 on Debian 12):

    python3 src/test/python/capture_check_fixtures.py

With --version-dir, the output goes to fixtures/check/keepalived-VERSION/ instead (another release's keepalived,
run in its node root: lab/roots run bullseye --bind REPO -- python3 capture_check_fixtures.py --version-dir).

Each NAME.conf gets NAME.out: the first line is '# exit N', the rest is keepalived's output with
the case directory written as @DIR@. Interface names resolve in a kwt-agent-<n> namespace that
has eth0 (and no eth7 or eth9), the way the agent runs the check in the daemon's namespace.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kwtlab import FIXTURES, KeepalivedLab, lab_available

CHECK_DIR = FIXTURES / "check"
CHECK_TIMEOUT_S = 30


def prepare(case_dir: Path) -> None:
    """Files some cases refer to: an insecure (world-writable) script and a track_file value."""
    script = case_dir / "chk.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o777)
    (case_dir / "tf.val").write_text("1\n")


def run_case(ns: str, case_dir: Path, conf: Path) -> str:
    target = case_dir / conf.name
    target.write_text(conf.read_text().replace("@DIR@", str(case_dir)))
    proc = subprocess.run(["ip", "netns", "exec", ns, "keepalived", "-t", "-f", str(target)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=CHECK_TIMEOUT_S, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                                        "TMPDIR": str(case_dir)})
    return "# exit %d\n%s" % (proc.returncode, proc.stdout.replace(str(case_dir), "@DIR@"))


def capture(ns: str) -> dict:
    case_dir = Path(tempfile.mkdtemp(prefix="kwt-agent-check-"))
    try:
        prepare(case_dir)
        return {conf.stem: run_case(ns, case_dir, conf) for conf in sorted(CHECK_DIR.glob("*.conf"))}
    finally:
        shutil.rmtree(str(case_dir), ignore_errors=True)


def main() -> int:
    if not lab_available():
        sys.stderr.write("needs root, ip and keepalived\n")
        return 1
    out_dir = CHECK_DIR
    if "--version-dir" in sys.argv[1:]:
        version = subprocess.run(["keepalived", "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 universal_newlines=True).stdout.split()[1].lstrip("v")
        out_dir = CHECK_DIR / ("keepalived-" + version)
        out_dir.mkdir(exist_ok=True)
    lab = KeepalivedLab(nodes=1)
    try:
        for name, text in capture(lab.names[0]).items():
            (out_dir / (name + ".out")).write_text(text)
            print("%-20s %s" % (name, text.splitlines()[0]))
    finally:
        lab.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
