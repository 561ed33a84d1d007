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
cd / || exit 1   # what the node starts runs in /, as under systemd, not in lab/up's caller's directory

fail() {
  echo "node $NODE_NAME: $*" >&2
  echo "$*" > "$NODE_DIR/failed"
  exit 1
}

# A node of a Debian release (NODE_ROOT set) runs on its own root: an overlay of the release's cached root
# (lab/roots) with this node's writes in $NODE_DIR/root, which becomes / (pivot_root), so that keepalived,
# sshd, python3 and every tool run on the node, also through nsenter, are the release's own. The lab
# directory is bound at the same path inside (node.env, logs, keys, tools). Without NODE_ROOT the node
# keeps the machine's filesystem.
NEW_ROOT=
if [ -n "${NODE_ROOT:-}" ]; then
  NEW_ROOT=$NODE_DIR/root/merged
  mount -t overlay kw-root -o "lowerdir=$NODE_ROOT,upperdir=$NODE_DIR/root/upper,workdir=$NODE_DIR/root/work" \
    "$NEW_ROOT" || fail "cannot mount the overlay of $NODE_ROOT"
  mount -t proc kw-proc "$NEW_ROOT/proc" || fail "cannot mount /proc in the node's root"
  mount -t sysfs kw-sys "$NEW_ROOT/sys" || fail "cannot mount /sys in the node's root"
  # A minimal /dev: the usual character devices, a pty instance of its own, /dev/shm.
  mount -t tmpfs -o mode=0755,size=1m kw-dev "$NEW_ROOT/dev" || fail "cannot mount /dev in the node's root"
  for dev in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    name=${dev%%:*} numbers=${dev#*:}
    mknod -m 666 "$NEW_ROOT/dev/$name" c "${numbers%:*}" "${numbers#*:}" || fail "cannot create /dev/$name"
  done
  mkdir -p "$NEW_ROOT/dev/pts" "$NEW_ROOT/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 kw-pts "$NEW_ROOT/dev/pts" || fail "cannot mount /dev/pts"
  mount -t tmpfs -o mode=1777,size=16m kw-shm "$NEW_ROOT/dev/shm" || fail "cannot mount /dev/shm"
  ln -s pts/ptmx "$NEW_ROOT/dev/ptmx"
  ln -s /proc/self/fd "$NEW_ROOT/dev/fd"
  ln -s /proc/self/fd/0 "$NEW_ROOT/dev/stdin"
  ln -s /proc/self/fd/1 "$NEW_ROOT/dev/stdout"
  ln -s /proc/self/fd/2 "$NEW_ROOT/dev/stderr"
  mkdir -p "$NEW_ROOT$LAB_DIR" || fail "cannot create $LAB_DIR in the node's root"
  mount --bind "$LAB_DIR" "$NEW_ROOT$LAB_DIR" || fail "cannot bind $LAB_DIR into the node's root"
else
  umount -l /sys && mount -t sysfs kw-sys /sys || fail "cannot mount this node's /sys"
fi

# A private /run (pid files, sshd's privilege separation dir, this node's netns names) and /tmp
# (keepalived's dump files), and a /sys that shows this node's interfaces.
mount -t tmpfs -o mode=0755,size=64m kw-run "$NEW_ROOT/run" || fail "cannot mount a private /run"
mkdir -p "$NEW_ROOT/run/sshd" "$NEW_ROOT/run/netns" || fail "cannot create /run/sshd"
mount -t tmpfs -o mode=1777,size=256m kw-tmp "$NEW_ROOT/tmp" || fail "cannot mount a private /tmp"
for pair in "${BIND_MOUNTS[@]}"; do
  target=$NEW_ROOT${pair#*:}
  [ -z "$NEW_ROOT" ] || mkdir -p "$target" || fail "cannot create ${pair#*:} in the node's root"
  mount --bind "${pair%%:*}" "$target" || fail "cannot bind ${pair%%:*} on ${pair#*:}"
done
if [ -n "${NODE_KEEPALIVED:-}" ]; then
  # keepalived built without JSON (lab/up --nojson), in place of the node's own: only this node sees it
  mount --bind "$NODE_KEEPALIVED" "$NEW_ROOT/usr/sbin/keepalived" || fail "cannot bind $NODE_KEEPALIVED on keepalived"
fi
if [ -n "$NEW_ROOT" ]; then
  # The old root goes: nothing of the machine's filesystem but the lab directory stays visible.
  cd "$NEW_ROOT" && pivot_root . . && umount -l . && cd / || fail "cannot pivot_root into $NEW_ROOT"
fi
hostname "$NODE_NAME" || fail "cannot set the hostname"
if [ -n "$NEW_ROOT" ] && ! grep -qw "$NODE_NAME" /etc/hosts 2>/dev/null; then
  # as Debian's installer writes it: the host resolves its own name (sudo warns on every call otherwise)
  echo "127.0.1.1 $NODE_NAME" >> /etc/hosts || fail "cannot name the node in /etc/hosts"
fi
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
