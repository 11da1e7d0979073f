# The fake host the bench/ scripts run berth in, sourced (not run) by them.
#
# A fake host is a network namespace of the script's own (no uplink: nothing of the real
# host's network is touched), optionally with a private mount namespace held by a `sleep`
# (so the daemon's overlay and netns mounts never show in the host's mount table), and a
# release `berth daemon` started inside with a temporary socket, data-root and exec-root.
# `fakehost_stop` undoes all of it by PID and by name, whatever state the script died in.
#
# The caller sets, before calling anything here: BENCH (its name, for messages), T (its
# temporary directory), RES (its results directory) and BERTH (the berth binary).

NS=""
NS_MADE=0
HOLDER_PID=""
MNT_NS=""
DAEMON_PID=""
HAVE_DOCKER=0

# fakehost_require_root WHY: stops the script unless it runs as root.
fakehost_require_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "$BENCH: run as root ($1)" >&2
    exit 1
  fi
}

# fakehost_install COMMAND=PACKAGES...: installs the Debian packages of every COMMAND that is
# not on PATH (a COMMAND starting with / is a file that must be executable), in one apt run.
fakehost_install() {
  local need=() spec cmd
  for spec in "$@"; do
    cmd=${spec%%=*}
    if [ "${cmd#/}" != "$cmd" ]; then
      [ -x "$cmd" ] && continue
    else
      command -v "$cmd" >/dev/null 2>&1 && continue
    fi
    # shellcheck disable=SC2206 # PACKAGES is a space-separated list on purpose
    need+=(${spec#*=})
  done
  if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
}

# fakehost_docker_cli: the stock docker CLI, installed by scripts/install-deps.sh (which never
# starts a Docker daemon) if missing; sets HAVE_DOCKER. Without it the docker rows are left out.
fakehost_docker_cli() {
  if ! command -v docker >/dev/null 2>&1 && [ -x scripts/install-deps.sh ]; then
    ./scripts/install-deps.sh || true
  fi
  HAVE_DOCKER=0
  command -v docker >/dev/null 2>&1 && HAVE_DOCKER=1
  return 0
}

# fakehost_netns NAME: the fake host's network namespace, with only `lo`, up.
fakehost_netns() {
  NS=$1
  ip netns add "$NS"
  NS_MADE=1
  ip -n "$NS" link set lo up
}

# fakehost_mount_ns: a private mount namespace, held by a `sleep` (HOLDER_PID, MNT_NS).
fakehost_mount_ns() {
  unshare --mount --propagation private -- sleep infinity </dev/null >/dev/null 2>&1 &
  HOLDER_PID=$!
  local host_mnt
  host_mnt=$(readlink /proc/self/ns/mnt)
  for _ in $(seq 500); do
    MNT_NS=$(readlink "/proc/$HOLDER_PID/ns/mnt" 2>/dev/null || true)
    [ -n "$MNT_NS" ] && [ "$MNT_NS" != "$host_mnt" ] && return 0
    MNT_NS=""
    sleep 0.01
  done
  echo "$BENCH: the mount namespace holder did not start" >&2
  exit 1
}

# fakehost_daemon DAEMON_ARGS...: starts `berth daemon` in the fake host (DAEMON_PID), waits
# for /_ping, and points both CLIs at it (BERTH_HOST, DOCKER_HOST, an empty DOCKER_CONFIG).
fakehost_daemon() {
  if [ -n "$HOLDER_PID" ]; then
    # Not `ip netns exec`: it remounts /sys, which hides the cgroup hierarchies from the
    # daemon. nsenter execs the daemon (no --fork), so $! is the daemon's own PID.
    nsenter --net="/run/netns/$NS" --mount="/proc/$HOLDER_PID/ns/mnt" -- "$BERTH" daemon \
      --host "unix://$T/berth.sock" "$@" >"$T/daemon.log" 2>&1 &
  else
    # `ip netns exec` execs the command too: $! is the daemon.
    ip netns exec "$NS" "$BERTH" daemon --host "unix://$T/berth.sock" "$@" >"$T/daemon.log" 2>&1 &
  fi
  DAEMON_PID=$!
  for _ in $(seq 200); do
    curl -sf --unix-socket "$T/berth.sock" http://berth/_ping >/dev/null 2>&1 && break
    kill -0 "$DAEMON_PID" 2>/dev/null || { echo "$BENCH: the daemon exited" >&2; exit 1; }
    sleep 0.05
  done
  curl -sf --unix-socket "$T/berth.sock" http://berth/_ping >/dev/null
  export BERTH_HOST="unix://$T/berth.sock"
  export DOCKER_HOST="unix://$T/berth.sock"
  export DOCKER_CONFIG="$T/docker-config" # no user config, no CLI plugins, no contexts
  mkdir -p "$DOCKER_CONFIG"
}

# PIDs of the processes in the fake host's mount namespace (the daemon, the monitors: they
# outlive the daemon by design), the holder left out.
fakehost_pids() {
  [ -n "$MNT_NS" ] || return 0
  local p pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = "$HOLDER_PID" ] && continue
    [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$MNT_NS" ] && echo "$pid"
  done
  return 0
}

# PIDs of the containers' processes: every process in one of this run's cgroups (containers
# have mount namespaces of their own, so fakehost_pids does not see them). $T/ids lists the
# containers of this run, one full ID a line.
fakehost_container_pids() {
  local id
  [ -f "$T/ids" ] || return 0
  while read -r id; do
    cat "/sys/fs/cgroup/pids/berth/$id/cgroup.procs" 2>/dev/null || true
  done <"$T/ids"
}

# fakehost_stop RC: removes every container through the daemon, stops the daemon by its PID,
# kills whatever is left of this run (by cgroup and by mount namespace), then the holder,
# removes this run's cgroups, keeps the daemon's log in RES (its tail on stderr if RC says the
# script failed) and deletes the namespace. Runs with `set +e`, from the caller's EXIT trap.
fakehost_stop() {
  local rc=$1 ids pid d id name
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    # Through the daemon first: it removes the containers' cgroups and mounts.
    "$BERTH" ps -aq --no-trunc 2>/dev/null >>"$T/ids"
    ids=$("$BERTH" ps -aq 2>/dev/null)
    [ -n "$ids" ] && echo "$ids" | xargs -r -n 50 "$BERTH" rm -f >/dev/null 2>&1
    kill -TERM "$DAEMON_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
  fi
  for _ in 1 2 3; do
    for pid in $(fakehost_container_pids) $(fakehost_pids); do kill -KILL "$pid" 2>/dev/null; done
    sleep 0.1
  done
  if [ -n "$HOLDER_PID" ]; then
    kill -KILL "$HOLDER_PID" 2>/dev/null
    wait "$HOLDER_PID" 2>/dev/null
  fi
  # Cgroup leaves of this run, then the shared `berth` parents (and the caller's own, named in
  # FAKEHOST_CGROUPS) if nothing else uses them (rmdir fails on a non-empty directory: other
  # daemons' containers are left alone). Only a fake host with a mount namespace runs containers.
  if [ -f "$T/ids" ]; then
    while read -r id; do
      [ -n "$id" ] || continue
      for d in /sys/fs/cgroup/*/berth/"$id"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
    done <"$T/ids"
  fi
  if [ -n "$HOLDER_PID" ]; then
    for name in berth ${FAKEHOST_CGROUPS:-}; do
      for d in /sys/fs/cgroup/*/"$name"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
    done
  fi
  [ -f "$T/daemon.log" ] && cp "$T/daemon.log" "$RES/daemon.log"
  if [ "$rc" != 0 ] && [ -f "$T/daemon.log" ]; then
    echo "$BENCH: failed (exit $rc); last daemon log lines:" >&2
    tail -n 20 "$T/daemon.log" >&2
  fi
  # The daemon's mounts lived in the (now dead) mount namespace.
  [ "$NS_MADE" = 1 ] && ip netns del "$NS"
  return 0
}

# fakehost_busybox_image NAME: imports Debian's static busybox as image NAME: /bin/busybox, one
# symlink per applet, and the two files user lookup reads.
fakehost_busybox_image() {
  # Debian's busybox (dynamic) would not run in a rootfs without a libc.
  file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || {
    echo "$BENCH: /bin/busybox is not static; install busybox-static" >&2
    exit 1
  }
  local r="$T/rootfs" a
  mkdir -p "$r/bin" "$r/etc" "$r/tmp"
  cp /bin/busybox "$r/bin/busybox"
  for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
  tar -C "$r" -c . | "$BERTH" import - "$1" >/dev/null
}
