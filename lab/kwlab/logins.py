"""Logins as operators have them: unprivileged users with and without sudo, and a bastion in front of one node.

The users (all named kw..., see LOGIN_USERS) are created by create_users() in a root directory given to it: "/" for
the basic nodes, which share the host's /etc/passwd, /etc/shadow and /etc/sudoers.d (only /root, /run, /tmp and the
node's keepalived and agent state are private), or a release's root filesystem for nodes that run inside their own.
Each user's ~/.ssh/authorized_keys holds the lab's client key (the lab's sshd reads the lab's own authorized_keys for
every user as well). sudo rules come from one drop-in, SUDOERS_DROPIN, checked with visudo before it is put in place.

The bastion is the namespace kw-bastion on the LAN (BASTION_ADDRESS) running sshd for the user kwjump only, who has
no shell and may only forward connections. The node behind it is n3's second door, BEHIND_PORT: n3's sshd listens
there too, and nftables in n3's namespace drops every connection to that port that does not come from the bastion,
so the workstation reaches it only through the bastion (port 22 of n3 stays as every other test knows it).

Everything made here is recorded in state.json ("logins") and removed by remove_logins(), which lab/down runs with
the basic topology.
"""
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

from .keys import LabKeys
from .state import LabState, process_start_time, same_process
from .system import LabError, find_command, ip_batch, run
from .topology import BRIDGE_NS, LAN_BRIDGE, LAN_PREFIX, PREFIX_LEN, WORKSTATION_ADDRESS, Node

# user -> what it is. Key-only logins get the password "*" (no password, yet not a locked account, which sshd
# without PAM refuses); kwsudopw gets SUDO_PASSWORD, which only sudo asks for (the lab's sshd takes keys only).
LOGIN_USERS = {
    "kwsudo": "passwordless sudo for python3",
    "kwsudopw": "sudo for python3 that asks for the password",
    "kwnosudo": "no sudo",
    "kwjump": "the bastion login, no shell, forwarding only",
}
SUDO_PASSWORD_USER = "kwsudopw"
# A lab secret, not a real one: the lab's nodes take keys only, and only sudo asks for it. Tests read it from
# keys/kwsudopw.password.
SUDO_PASSWORD = "kw-lab sudo password"
SUDOERS_DROPIN = "etc/sudoers.d/kw-lab-logins"
SUDOERS = """# written by lab/up (lab/kwlab/logins.py): the Keepwatch lab's login kinds; lab/down removes it
kwsudo ALL=(root) NOPASSWD: /usr/bin/python3
kwsudopw ALL=(root) /usr/bin/python3
Defaults:kwsudopw passwd_tries=3, lecture=never
"""
NO_SHELL = "/usr/sbin/nologin"

BASTION = Node(name="bastion", kind="logins", address=LAN_PREFIX + ".5", lan_port="kw-bastp")
BASTION_ADDRESS = BASTION.address
BASTION_USER = "kwjump"
BEHIND_NODE = "n3"
BEHIND_ADDRESS = LAN_PREFIX + ".13"
BEHIND_PORT = 2222
NFT_TABLE = "kwlab_behind_bastion"
START_TIMEOUT = 10.0


# ---- users --------------------------------------------------------------------------------------------

def create_users(root: Path, client_public_key: str, created: Callable[[str], None]) -> None:
    """Creates the lab's login users in the system under root ("/" or a release's root filesystem) with the sudoers
    drop-in; tells created() of each user right after it exists (a user that already exists is left as it is)."""
    for user, what in LOGIN_USERS.items():
        if _user_exists(root, user):
            continue
        shell = NO_SHELL if user == BASTION_USER else "/bin/bash"
        run(_in_root(root, "useradd") + ["--create-home", "--shell", shell, "--comment",
                                          "Keepwatch lab login, " + what, user])
        created(user)
        if user == SUDO_PASSWORD_USER:
            run(_in_root(root, "chpasswd"), stdin="%s:%s\n" % (user, SUDO_PASSWORD))
        else:
            run(_in_root(root, "usermod") + ["--password", "*", user])
        home = root / "home" / user
        ssh = home / ".ssh"
        ssh.mkdir(mode=0o700, exist_ok=True)
        (ssh / "authorized_keys").write_text(client_public_key)
        uid, gid = _ids(root, user)
        for path in (ssh, ssh / "authorized_keys"):
            os.chown(str(path), uid, gid)
    write_sudoers(root)


def write_sudoers(root: Path) -> None:
    """The drop-in, checked by the visudo of the system it is for (a release's own in its root: bullseye's sudo 1.9.5
    parses as bullseye's sudo will) before it is put in place."""
    target = root / SUDOERS_DROPIN
    if not target.parent.is_dir():
        raise LabError("%s: no sudoers.d (is sudo installed in %s?)" % (target.parent, root))
    tmp = target.parent / ".kw-lab-logins.tmp"
    tmp.write_text(SUDOERS)
    os.chmod(str(tmp), 0o440)
    visudo = find_command("visudo") if root == Path("/") else (
        "/usr/sbin/visudo" if (root / "usr/sbin/visudo").is_file() else None)
    if visudo is None and root != Path("/"):
        tmp.unlink()
        raise LabError("%s has no visudo (sudo): the login kinds need sudo in the node's root" % root)
    if visudo is not None:
        try:
            run(_in_root(root, visudo) + ["-cf", "/" + str(tmp.relative_to(root))])
        except LabError:
            tmp.unlink()
            raise
    os.replace(str(tmp), str(target))


def remove_users(root: Path, users: List[str]) -> None:
    target = root / SUDOERS_DROPIN
    if target.exists():
        target.unlink()
    for user in users:
        if _user_exists(root, user):
            run(["pkill", "-KILL", "-u", user], check=False)
            run(_in_root(root, "userdel") + ["--remove", user], check=False)


def _in_root(root: Path, command: str) -> List[str]:
    """A command of the system under root: the machine's own, or the release's own, run chrooted into its root (the
    node's root as its PID 1 sees it, /proc/PID/root), so that its useradd, chpasswd and visudo do the work."""
    return [command] if root == Path("/") else ["chroot", str(root), command]


def _user_exists(root: Path, user: str) -> bool:
    passwd = root / "etc" / "passwd"
    return any(line.split(":", 1)[0] == user for line in passwd.read_text().splitlines())


def _ids(root: Path, user: str):
    for line in (root / "etc" / "passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3])
    raise LabError("user %s is not in %s/etc/passwd" % (user, root))


# ---- the bastion ------------------------------------------------------------------------------------------

def bastion_sshd_config(keys: LabKeys, directory: Path) -> str:
    host_keys = "\n".join("HostKey %s" % keys.host_key(BASTION, t) for t in ("ed25519", "ecdsa", "rsa"))
    return """# sshd of the lab's bastion, written by lab/up (lab/kwlab/logins.py)
ListenAddress {address}
Port 22
{host_keys}
PidFile {directory}/sshd.pid
AuthorizedKeysFile {authorized_keys}
AllowUsers {user}
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
# a jump host: it forwards to the LAN and runs nothing
AllowTcpForwarding local
PermitOpen *:22 {behind}:{behind_port}
X11Forwarding no
PermitTTY no
ForceCommand /bin/false
""".format(address=BASTION_ADDRESS, host_keys=host_keys, directory=directory,
           authorized_keys=keys.authorized_keys, user=BASTION_USER, behind=BEHIND_ADDRESS, behind_port=BEHIND_PORT)


def start_bastion(state: LabState, keys: LabKeys) -> dict:
    """The namespace kw-bastion on the LAN with sshd in a mount namespace of its own (a private /run for sshd's
    privilege separation directory); returns its record."""
    directory = state.directory / "bastion"
    if directory.exists():
        shutil.rmtree(str(directory))
    directory.mkdir(parents=True)
    keys.ensure_host_keys(BASTION)
    (directory / "sshd_config").write_text(bastion_sshd_config(keys, directory))
    run(["ip", "netns", "add", BASTION.netns])
    state.add("netns", BASTION.netns)
    run(["ip", "link", "add", BASTION.lan_port, "netns", BRIDGE_NS, "type", "veth",
         "peer", "name", "eth0", "netns", BASTION.netns])
    ip_batch(["link set %s master %s" % (BASTION.lan_port, LAN_BRIDGE),
              "link set %s up" % BASTION.lan_port], netns=BRIDGE_NS)
    ip_batch(["addr add %s/%d dev eth0" % (BASTION_ADDRESS, PREFIX_LEN),
              "link set eth0 up", "link set lo up"], netns=BASTION.netns)
    log = open(str(directory / "sshd.log"), "ab")
    script = ("mount -t tmpfs -o mode=0755 kw-bastion-run /run && mkdir -p /run/sshd && "
              "exec /usr/sbin/sshd -D -e -f \"$1\"")
    proc = subprocess.Popen(["ip", "netns", "exec", BASTION.netns, "unshare", "--mount", "--propagation", "private",
                             "sh", "-c", script, "sh", str(directory / "sshd_config")],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    log.close()
    record = {"pid": proc.pid, "start": process_start_time(proc.pid) or 0, "dir": str(directory)}
    _wait_listening(BASTION.netns, 22, proc, directory / "sshd.log")
    return record


def stop_bastion(record: Optional[dict]) -> None:
    if not record:
        return
    pid = record.get("pid", 0)
    if pid and same_process(pid, record.get("start", -1)):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _wait_listening(netns: str, port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        out = run(["ip", "netns", "exec", netns, "ss", "-Htln", "sport = :%d" % port], check=False)
        if out.strip():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise LabError("the bastion's sshd did not start (log: %s)" % log)


# ---- the node behind it -----------------------------------------------------------------------------------

def open_behind_door(state: LabState) -> None:
    """n3's sshd listens on BEHIND_PORT as well (its config gets the ListenAddress, and a running sshd re-reads it
    on SIGHUP), and nftables in n3's namespace lets only the bastion reach that port."""
    from .status import node_command      # the status module imports nothing of this one
    record = state.nodes().get(BEHIND_NODE)
    if record is None:
        raise LabError("the bastion's node %s is not up" % BEHIND_NODE)
    config = Path(record["dir"]) / "sshd_config"
    listen = "ListenAddress %s:%d" % (BEHIND_ADDRESS, BEHIND_PORT)
    text = config.read_text()
    if listen not in text:
        # an explicit port on a ListenAddress replaces Port for it; the plain address keeps port 22
        text = text.replace("ListenAddress %s\n" % BEHIND_ADDRESS,
                            "ListenAddress %s:22\n%s\n" % (BEHIND_ADDRESS, listen))
        config.write_text(text)
        run(node_command(record, ["sh", "-c", "kill -HUP \"$(cat /run/sshd.pid)\""]))
    nft = find_command("nft")
    if nft is None:
        raise LabError("nft not found (apt-get install nftables): the node behind the bastion needs it")
    rules = """table inet {table} {{
  chain input {{
    type filter hook input priority 0; policy accept;
    tcp dport {port} ip saddr != {bastion} counter drop
  }}
}}
""".format(table=NFT_TABLE, port=BEHIND_PORT, bastion=BASTION_ADDRESS)
    run(["ip", "netns", "exec", record["netns"], nft, "delete", "table", "inet", NFT_TABLE], check=False)
    run(["ip", "netns", "exec", record["netns"], nft, "-f", "-"], stdin=rules)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if run(["ip", "netns", "exec", record["netns"], "ss", "-Htln", "sport = :%d" % BEHIND_PORT],
               check=False).strip():
            return
        time.sleep(0.05)
    raise LabError("%s's sshd does not listen on port %d (log: %s/logs/sshd.log)"
                   % (BEHIND_NODE, BEHIND_PORT, record["dir"]))


# ---- all of it ----------------------------------------------------------------------------------------------

def ensure_logins(state: LabState, keys: LabKeys) -> Dict[str, str]:
    """Sets up whatever of the login kinds is missing (lab/up runs it whenever the basic topology is up); returns
    the files the login fleet needs."""
    logins = state.data.setdefault("logins", {})
    public_key = Path(str(keys.client_key) + ".pub").read_text()
    logins.setdefault("users", [])
    logins["sudoers"] = "/" + SUDOERS_DROPIN
    state.save()

    def created(user: str) -> None:
        logins["users"].append(user)
        state.save()
    create_users(Path("/"), public_key, created)
    for name, record in sorted(state.nodes().items()):
        root = node_root(record)
        if root is not None:
            # a node of a release: its users live in its own root (the overlay's upper layer, fresh on every lab/up,
            # gone with the node), so nothing is recorded to remove
            create_users(root, public_key, lambda user: None)
    password_file = keys.directory / (SUDO_PASSWORD_USER + ".password")
    password_file.write_text(SUDO_PASSWORD + "\n")
    os.chmod(str(password_file), 0o600)
    bastion = logins.get("bastion")
    if not (bastion and same_process(bastion.get("pid", 0), bastion.get("start", -1))):
        if bastion or BASTION.netns in run(["ip", "netns", "list"]):
            _remove_bastion(state)
        logins["bastion"] = start_bastion(state, keys)
        state.save()
    open_behind_door(state)
    return {"password": str(password_file)}


def node_root(record: dict) -> Optional[Path]:
    """The root filesystem of a basic node that runs on a release's root, as its PID 1 sees it (/proc/PID/root: the
    overlay it pivoted into); None for a node on the machine's filesystem (or one that is not a basic node)."""
    if record.get("kind") != "basic" or record.get("release", "host") == "host":
        return None
    pid = record.get("init_pid", 0)
    if not (pid and same_process(pid, record.get("init_start", -1))):
        raise LabError("node %s (%s) is not running: its login users cannot be made" % (record.get("netns"),
                                                                                        record.get("release")))
    return Path("/proc/%d/root" % pid)


def remove_logins(state: LabState) -> List[str]:
    """Removes what ensure_logins recorded: the bastion, the users and the sudoers drop-in."""
    logins = state.data.get("logins")
    if not logins:
        return []
    removed = []
    if logins.get("bastion") or state.owns("netns", BASTION.netns):
        _remove_bastion(state)
        removed.append(BASTION.netns)
    remove_users(Path("/"), logins.get("users", []))
    removed += logins.get("users", [])
    state.data.pop("logins", None)
    state.save()
    return removed


def _remove_bastion(state: LabState) -> None:
    logins = state.data.get("logins", {})
    stop_bastion(logins.pop("bastion", None))
    if BASTION.netns in run(["ip", "netns", "list"]).split():
        run(["ip", "netns", "del", BASTION.netns])
    state.remove("netns", BASTION.netns)
    state.save()


def known_hosts_lines(keys: LabKeys) -> List[str]:
    """The bastion's keys at its address, and n3's at its second door."""
    lines = []
    for key_type in ("ed25519", "ecdsa", "rsa"):
        bastion = Path(str(keys.host_key(BASTION, key_type)) + ".pub").read_text().split()
        lines.append("%s %s %s" % (BASTION_ADDRESS, bastion[0], bastion[1]))
        behind = Path(str(keys.host_key(Node(BEHIND_NODE, "basic", BEHIND_ADDRESS, ""), key_type))
                      + ".pub").read_text().split()
        lines.append("[%s]:%d %s %s" % (BEHIND_ADDRESS, BEHIND_PORT, behind[0], behind[1]))
    return lines


def fleet_document(keys: LabKeys, known_hosts: Path) -> dict:
    """The login kinds as fleet nodes: each on a basic node, under another name than the root login's."""
    def entry(name: str, host: str, user: str, sudo: bool, port: int = 22, jump: Optional[str] = None,
              group: str = "lab-logins") -> dict:
        node = {"name": name, "group": group, "host": host, "port": port, "user": user,
                "identityFile": str(keys.client_key), "knownHostsFile": str(known_hosts), "sudo": sudo}
        if jump:
            node["jumpHost"] = jump
        return node
    return {
        "version": 1,
        "name": "keepwatch-lab-logins",
        # n3 is in the fleet twice (kwnosudo, and root behind the bastion): in one group its two entries would be two
        # members of each router, both holding n3's VIP, a split brain that is not there
        "groups": [{"name": "lab-logins", "description": "Keepwatch lab: the basic nodes as unprivileged logins"},
                   {"name": "lab-bastion", "description": "Keepwatch lab: n3 reachable only through the bastion"}],
        "nodes": [
            entry("n1-kwsudo", LAN_PREFIX + ".11", "kwsudo", True),
            entry("n2-kwsudopw", LAN_PREFIX + ".12", "kwsudopw", True),
            entry("n3-kwnosudo", LAN_PREFIX + ".13", "kwnosudo", False),
            entry("n3-bastion", BEHIND_ADDRESS, "root", False, BEHIND_PORT,
                  "%s@%s" % (BASTION_USER, BASTION_ADDRESS), group="lab-bastion"),
        ],
    }


# the workstation's address, for messages and the README
WORKSTATION = WORKSTATION_ADDRESS
