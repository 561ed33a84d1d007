#!/bin/bash
# PID 1 of a lab node. Runs inside the node's own network, PID, mount, UTS and IPC namespaces
# (lab/up starts it with `ip netns exec NS unshare --pid --fork --mount-proc --mount --uts --ipc`),
# makes the node look like a host of its own, starts sshd and keepalived, then reaps orphans
# until it is killed. Everything node-specific comes from $NODE_DIR/node.env.
set -u
NODE_DIR=$1
KWLAB=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$NODE_DIR/node.env"

fail() {
  echo "node $NODE_NAME: $*" >&2
  echo "$*" > "$NODE_DIR/failed"
  exit 1
}

# A private /run (pid files, sshd's privilege separation dir, this node's netns names) and /tmp
# (keepalived's dump files), and a /sys that shows this node's interfaces.
mount -t tmpfs -o mode=0755,size=64m kw-run /run || fail "cannot mount a private /run"
mkdir -p /run/sshd /run/netns || fail "cannot create /run/sshd"
mount -t tmpfs -o mode=1777,size=256m kw-tmp /tmp || fail "cannot mount a private /tmp"
umount -l /sys && mount -t sysfs kw-sys /sys || fail "cannot mount this node's /sys"
for pair in "${BIND_MOUNTS[@]}"; do
  mount --bind "${pair%%:*}" "${pair#*:}" || fail "cannot bind ${pair%%:*} on ${pair#*:}"
done
hostname "$NODE_NAME" || fail "cannot set the hostname"
ip link set lo up || fail "cannot bring lo up"

if [ -f "$NODE_DIR/setup-net.sh" ]; then
  # shellcheck source=/dev/null
  . "$NODE_DIR/setup-net.sh" || fail "network setup failed"
fi

/usr/sbin/sshd -f "$NODE_DIR/sshd_config" -E "$NODE_DIR/logs/sshd.log" || fail "sshd did not start"
bash "$KWLAB/node-ctl.sh" "$NODE_DIR" start || fail "keepalived did not start"
echo "$$" > "$NODE_DIR/ready"

trap 'exit 0' TERM INT
while :; do
  sleep 3600 &
  wait $! 2>/dev/null
done
