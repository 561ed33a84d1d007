#!/bin/bash
# Starts, stops and breaks the keepalived daemons of one lab node. Runs on the node
# (lab/fail and lab/heal enter it with nsenter). Daemons, their pid files and their logs come from node.env.
set -u
NODE_DIR=$1
# shellcheck source=/dev/null
. "$NODE_DIR/node.env"
WAIT_STEPS=400   # x 0.05 s: 20 s, for five daemons of a release root starting on a loaded machine
START_RETRIES=5  # starts more of a daemon that keepalived refused as already running (wait_all_started)
RETRY_STEPS=10   # x 0.05 s: half a second between them
declare -A LOG_LINES_AT_START=()
# A daemon's working directory is /, as systemd gives it: not the caller's (a test's directory under /tmp is not
# there in the node's private /tmp, and the agent will not restart a daemon whose working directory is gone).
cd / || exit 1

pid_in() { [ -s "$1" ] && cat "$1"; }

alive() {
  local pid=$1
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = keepalived ] || return 1
  local stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

start_one() {
  local d=$1 main
  main=$(pid_in "$(daemon_pidfile "$d")")
  if alive "$main"; then return 0; fi
  rm -f "$(daemon_pidfile "$d")" "$(daemon_vrrp_pidfile "$d")"
  LOG_LINES_AT_START[$d]=$(log_lines "$d")
  daemon_start "$d"
}

# keepalived 2.3 checks, under a lock, pid files that every daemon of a node shares unless told otherwise (such as
# /run/bfd.pid, which Neutron's command line does not name): of several daemons starting at once, one may see another's
# lock and exit with "daemon is already running". Neutron's process monitor respawns a keepalived that died; so does
# the lab, a few times, and only for that refusal written since this start (any other failure stays a failure).
log_lines() { wc -l 2>/dev/null < "$(daemon_log "$1")" || echo 0; }

refused_as_running() {
  local d=$1
  alive "$(pid_in "$(daemon_pidfile "$d")")" && return 1
  (( $(log_lines "$d") > ${LOG_LINES_AT_START[$d]:-0} )) || return 1
  tail -n 1 "$(daemon_log "$d")" 2>/dev/null | grep -q 'daemon is already running$'
}

wait_all_started() {
  local d i
  local -A retries=() refused_at=()
  for ((i = 0; i < WAIT_STEPS; i++)); do
    local waiting=0
    for d in "${DAEMONS[@]}"; do
      alive "$(pid_in "$(daemon_vrrp_pidfile "$d")")" && continue
      waiting=1
      if ((${retries[$d]:-0} < START_RETRIES)) && refused_as_running "$d"; then
        # not at once: the lock it saw is held for as long as another daemon takes to start
        [ -n "${refused_at[$d]:-}" ] || refused_at[$d]=$i
        if ((i - refused_at[$d] >= RETRY_STEPS)); then
          retries[$d]=$((${retries[$d]:-0} + 1))
          unset "refused_at[$d]"
          echo "keepalived $d on $NODE_NAME refused to start as already running (a shared pid file's lock): again" >&2
          start_one "$d"
        fi
      fi
    done
    ((waiting)) || return 0
    sleep 0.05
  done
  for d in "${DAEMONS[@]}"; do
    alive "$(pid_in "$(daemon_vrrp_pidfile "$d")")" || echo "keepalived $d on $NODE_NAME did not start: see $NODE_DIR/logs" >&2
  done
  return 1
}

wait_gone() {
  local pid=$1 i
  for ((i = 0; i < WAIT_STEPS; i++)); do
    alive "$pid" || return 0
    sleep 0.05
  done
}

cmd=${2:-}
case "$cmd" in
  start)
    for d in "${DAEMONS[@]}"; do start_one "$d"; done
    wait_all_started || exit 1
    ;;
  stop)      # a clean shutdown: keepalived drops its VIPs and sends priority 0
    for d in "${DAEMONS[@]}"; do
      main=$(pid_in "$(daemon_pidfile "$d")")
      alive "$main" && kill -TERM "$main"
    done
    for d in "${DAEMONS[@]}"; do wait_gone "$(pid_in "$(daemon_pidfile "$d")")"; done
    ;;
  crash)     # SIGKILL of keepalived and its VRRP child: the VIP stays behind on this node
    for d in "${DAEMONS[@]}"; do
      main=$(pid_in "$(daemon_pidfile "$d")")
      vrrp=$(pid_in "$(daemon_vrrp_pidfile "$d")")
      # Stop the parent first so it cannot respawn the child between the two kills.
      alive "$main" && kill -STOP "$main"
      alive "$vrrp" && kill -KILL "$vrrp"
      alive "$main" && kill -KILL "$main"
    done
    ;;
  hang)      # the VRRP process stops answering but keeps its VIP
    for d in "${DAEMONS[@]}"; do
      vrrp=$(pid_in "$(daemon_vrrp_pidfile "$d")")
      alive "$vrrp" && kill -STOP "$vrrp"
    done
    ;;
  resume)
    for d in "${DAEMONS[@]}"; do
      for f in "$(daemon_pidfile "$d")" "$(daemon_vrrp_pidfile "$d")"; do
        pid=$(pid_in "$f")
        alive "$pid" && kill -CONT "$pid"
      done
    done
    ;;
  sshd-kill)   # the node's sshd, listener and every session: the workstation loses the node
    # OpenSSH 9.8 and later (trixie) run each session as sshd-session (and its login as sshd-auth).
    pids=$(pgrep -x 'sshd|sshd-session|sshd-auth' || true)
    [ -n "$pids" ] && kill -KILL $pids
    ;;
  sshd-start)
    pgrep -x sshd >/dev/null || /usr/sbin/sshd -f "$NODE_DIR/sshd_config" -E "$NODE_DIR/logs/sshd.log"
    ;;
  *)
    echo "usage: node-ctl.sh NODE_DIR start|stop|crash|hang|resume|sshd-kill|sshd-start" >&2
    exit 2
    ;;
esac
exit 0
