"""SSH keys of the lab: one client key pair, host keys per node, and the known_hosts that trusts them.

Keys are kept across lab/down and lab/up so that a known_hosts someone accepted stays valid.
"""
import os
from pathlib import Path
from typing import Iterable

from .system import run
from .topology import Node

HOST_KEY_TYPES = ("ed25519", "ecdsa", "rsa")


class LabKeys:
    def __init__(self, directory: Path):
        self.directory = directory
        self.client_key = directory / "id_ed25519"
        self.authorized_keys = directory / "authorized_keys"
        self.known_hosts = directory / "known_hosts"

    def ensure_client_key(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(str(self.directory), 0o755)
        if not self.client_key.exists():
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "keepwatch-lab",
                 "-f", str(self.client_key)])
        self.authorized_keys.write_text(Path(str(self.client_key) + ".pub").read_text())

    def host_key(self, node: Node, key_type: str) -> Path:
        return self.directory / "hosts" / node.name / ("ssh_host_%s_key" % key_type)

    def ensure_host_keys(self, node: Node) -> None:
        for key_type in HOST_KEY_TYPES:
            path = self.host_key(node, key_type)
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                run(["ssh-keygen", "-q", "-t", key_type, "-N", "", "-C", "%s@keepwatch-lab" % node.name,
                     "-f", str(path)])

    def write_known_hosts(self, nodes: Iterable[Node]) -> None:
        lines = []
        for node in nodes:
            for key_type in HOST_KEY_TYPES:
                public = Path(str(self.host_key(node, key_type)) + ".pub").read_text().split()
                lines.append("%s %s %s" % (node.address, public[0], public[1]))
        tmp = self.known_hosts.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        os.replace(str(tmp), str(self.known_hosts))

    def give_to(self, uid: int, gid: int) -> None:
        """Lets the user who ran sudo open the lab from the app without root."""
        for path in (self.client_key, self.known_hosts):
            if path.exists():
                os.chown(str(path), uid, gid)

    def sshd_config(self, node: Node) -> str:
        host_keys = "\n".join("HostKey %s" % self.host_key(node, t) for t in HOST_KEY_TYPES)
        return """# sshd of lab node {name}, written by lab/up
ListenAddress {address}
Port 22
{host_keys}
PidFile /run/sshd.pid
AuthorizedKeysFile {authorized_keys}
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# the keys live under the lab directory, not in ~/.ssh
StrictModes no
PrintMotd no
Subsystem sftp internal-sftp
ClientAliveInterval 15
# Keepwatch's benchmarks open 100 sessions per node at once (100 to 500 in all). The default
# MaxStartups 10:30:100 starts dropping unauthenticated connections at 10 per node; MaxSessions
# (channels per connection, 10) is enough: a session uses an exec channel and an SFTP channel.
MaxStartups 200
""".format(name=node.name, address=node.address, host_keys=host_keys,
           authorized_keys=self.authorized_keys)
