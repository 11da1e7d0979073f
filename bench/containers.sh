#!/usr/bin/env bash
# Benchmark of `run` (issue 3), with hyperfine, and of memory with 200 running containers.
#
# Starts a release `berth daemon` inside a fake host of its own: a network namespace (no
# uplink, nothing of the real host's network is touched) and a mount namespace held by a
# `sleep` (so the daemon's overlay and netns mounts never show in the host's mount table),
# exactly as the end-to-end test harness does. Imports a busybox image built from Debian's
# busybox-static, measures `run --rm --network none busybox true` and `run -d` through berth's
# CLI and the stock docker CLI, and two baselines in the same run: plain libcontainer
# (create, start, wait, delete of `true` on the same root filesystem, through the runtime's
# own helper) and the client+daemon round-trip floor (`berth version`). Then starts
# CONTAINERS containers and reads the RSS of the daemon, of every monitor and of the
# containers' own processes. Writes a markdown table into docs/PERFORMANCE.md (its own section
# only) and the raw results under bench/results/. See bench/README.md. Runs as root.
#
# Knobs (environment): RUNS (default 30), WARMUP (5), CONTAINERS (200), BATCH (10 `run -d` at
# a time while filling up), SKIP_BUILD=1, NO_DOCS=1 (print the table, leave
# docs/PERFORMANCE.md alone).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

RUNS=${RUNS:-30}
WARMUP=${WARMUP:-5}
CONTAINERS=${CONTAINERS:-200}
BATCH=${BATCH:-10}
RUN_TARGET_MS=65        # run --rm --network none busybox true, median
DAEMON_TARGET_KB=51200  # daemon RSS with CONTAINERS running: 50 MB
MONITOR_TARGET_KB=2048  # each monitor: 2 MB

# --- tools -----------------------------------------------------------------------------------
BENCH=containers.sh
FAKEHOST_CGROUPS=berth-cbench # the libcontainer baseline's cgroup parent
. bench/lib/fakehost.sh
. bench/lib/report.sh
fakehost_require_root "it creates namespaces and containers"
fakehost_install hyperfine=hyperfine ip=iproute2 jq=jq "curl=curl ca-certificates" \
  "cc=gcc libc6-dev" nsenter=util-linux /bin/busybox=busybox-static
fakehost_docker_cli

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  # berth-monitor must sit next to berth (the daemon runs it from there); the helper binary
  # is the libcontainer baseline.
  cargo build --release -p berth -p berth-runtime --bins
fi
BIN="${CARGO_TARGET_DIR:-$REPO/target}/release"
for b in berth berth-monitor berth-runtime-helper; do
  [ -x "$BIN/$b" ] || { echo "containers.sh: $BIN/$b not found; build it first" >&2; exit 1; }
done
BIN=$(realpath "$BIN")
BERTH="$BIN/berth"
HELPER="$BIN/berth-runtime-helper"

# --- fake host, daemon, cleanup --------------------------------------------------------------
# Short: the runtime's sockets live at <exec-root>/containers/<64 hex>/monitor.sock (≤ 107).
T=$(mktemp -d /tmp/bcb.XXXXXX)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES="$REPO/bench/results/containers-$STAMP"
mkdir -p "$RES"

cleanup() {
  local rc=$?
  set +e
  trap - INT TERM
  fakehost_stop "$rc"
  [ -f "$T/rm-all.log" ] && cp "$T/rm-all.log" "$RES/rm-all.log"
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fakehost_netns "berth-cbench-$$"
fakehost_mount_ns
fakehost_daemon --data-root "$T/data" --exec-root "$T/r"

# --- the busybox image -----------------------------------------------------------------------
fakehost_busybox_image busybox
R="$T/rootfs"

# --- libcontainer baseline -------------------------------------------------------------------
# berth's own config.json for `run --network none busybox true`, taken from a running
# container (`sleep`, so the bundle is still there), with four changes: the command `true`, root = a plain copy of the same root filesystem (no
# overlay), a new network namespace instead of the daemon's pre-made one (joined by path),
# and a cgroup of its own. The bind-mounted hosts/resolv.conf/hostname are copied alongside.
cid=$("$BERTH" run -d --network none busybox sleep 1000)
cdir="$T/r/containers/$cid"
B="$T/base"
mkdir -p "$B"
cp -a "$R" "$B/rootfs"
for f in hosts resolv.conf hostname; do cp "$T/data/containers/$cid/$f" "$B/$f"; done
jq --arg root "$B/rootfs" --arg b "$B" '
  .root.path = $root
  | .process.args = ["true"]
  | .linux.namespaces |= map(if .type == "network" then {type: "network"} else . end)
  | .linux.cgroupsPath = "/berth-cbench/base"
  | .mounts |= map(if .type == "bind" and (.source | test("/(hosts|resolv.conf|hostname)$"))
                   then .source = ($b + "/" + (.source | split("/") | last)) else . end)
' "$cdir/config.json" >"$B/config.json"
"$BERTH" rm -f "$cid" >/dev/null

# What the monitor asks libcontainer for, without daemon, CLI or monitor: a child subreaper
# (as the monitor is) runs the helper's create, start, waits for the container's init (it is
# re-parented to the subreaper when the helper exits), then runs the helper's delete. It
# enters the fake host first, as the daemon lives there.
cat >"$T/base-run.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char **helper;
static int nhelper;

/* helper OP --root R --id I [EXTRA...], waited for; exits on failure. */
static void call(const char *op, const char *root, const char *id, const char *bundle) {
  char *argv[16];
  int n = 0;
  for (int i = 0; i < nhelper; i++) argv[n++] = helper[i];
  argv[n++] = (char *)op;
  argv[n++] = "--root"; argv[n++] = (char *)root;
  argv[n++] = "--id"; argv[n++] = (char *)id;
  if (bundle) { argv[n++] = "--bundle"; argv[n++] = (char *)bundle; }
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); exit(1); }
  if (pid == 0) { execv(argv[0], argv); perror("execv"); _exit(127); }
  int st;
  if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "base-run: helper %s failed\n", op);
    exit(1);
  }
}

static void enter(const char *path, int type) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, type) < 0) { perror(path); exit(1); }
  close(fd);
}

/* base-run NETNS MNTNS STATE_ROOT ID BUNDLE HELPER [HELPER_ARGS...] */
int main(int argc, char **argv) {
  if (argc < 7) { fprintf(stderr, "usage: base-run NETNS MNTNS ROOT ID BUNDLE HELPER...\n"); return 2; }
  enter(argv[1], CLONE_NEWNET);
  enter(argv[2], CLONE_NEWNS);
  helper = argv + 6;
  nhelper = argc - 6;
  if (nhelper > 8) return 2;
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  call("create", argv[3], argv[4], argv[5]);
  call("start", argv[3], argv[4], NULL);
  int st;
  while (wait(&st) > 0) {} /* the init, re-parented here */
  call("delete", argv[3], argv[4], NULL);
  return 0;
}
EOF
cc -O2 -o "$T/base-run" "$T/base-run.c"
BASE="$T/base-run /run/netns/$NS /proc/$HOLDER_PID/ns/mnt $T/base-state cbench-base $B"
mkdir -p "$T/base-state"
$BASE "$HELPER" >/dev/null   # fails loudly here rather than inside hyperfine

# --- timed rows ------------------------------------------------------------------------------

# Removes every container: the untimed step after each `run -d`. Retried: an `rm -f` that
# races with the container's own start can fail (logged to rm-all.log, counted in the report).
cat >"$T/rm-all.sh" <<EOF
#!/usr/bin/env bash
for _ in 1 2 3 4 5; do
  ids=\$("$BERTH" ps -aq)
  [ -z "\$ids" ] && exit 0
  "$BERTH" rm -f \$ids >/dev/null 2>>"$T/rm-all.log" && exit 0
  sleep 0.1
done
echo "rm-all: containers left: \$ids" >&2
exit 1
EOF
chmod +x "$T/rm-all.sh"

# One hyperfine benchmark each: `bench ID PREPARE COMMAND` (bench/lib/report.sh). hyperfine
# 1.15 has --prepare but no --conclude: the cleanup of a `run -d` is the next run's preparation.
bench berth-version "" "$BERTH version"
bench base-helper "" "$BASE $HELPER"
bench base-berth "" "$BASE $BERTH __runtime"
bench berth-run-rm "" "$BERTH run --rm --network none busybox true"
bench berth-run-d "$T/rm-all.sh" "$BERTH run -d --network none busybox sleep 1000"
"$T/rm-all.sh"
if [ "$HAVE_DOCKER" = 1 ]; then
  bench docker-version "" "docker version"
  bench docker-run-rm "" "docker run --rm --network none busybox true"
  bench docker-run-d "$T/rm-all.sh" "docker run -d --network none busybox sleep 1000"
  "$T/rm-all.sh"
fi

# --- memory with CONTAINERS running ----------------------------------------------------------
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
# Memory the process alone holds (private pages, clean or dirty): what one more costs.
private_kb() { awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s + 0 }' "/proc/$1/smaps_rollup" 2>/dev/null || true; }
fill_start=$(date +%s%N)
seq "$CONTAINERS" | xargs -P "$BATCH" -I{} "$BERTH" run -d --network none busybox sleep 100000 >>"$T/ids"
fill_ms=$(( ($(date +%s%N) - fill_start) / 1000000 ))
running=$("$BERTH" ps -q | wc -l)
sleep 2   # let the daemon settle after the burst
[ "$(cat "/proc/$DAEMON_PID/comm")" = berth ] || { echo "containers.sh: $DAEMON_PID is not the daemon" >&2; exit 1; }
daemon_kb=$(rss_kb "$DAEMON_PID")
daemon_priv_kb=$(private_kb "$DAEMON_PID")
: >"$T/monitors.kb"
: >"$T/monitors-private.kb"
for pid in $(fakehost_pids); do
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = berth-monitor ]; then
    rss_kb "$pid" >>"$T/monitors.kb"
    private_kb "$pid" >>"$T/monitors-private.kb"
  fi
done
: >"$T/containers.kb"
for pid in $(fakehost_container_pids); do rss_kb "$pid" >>"$T/containers.kb"; done
sort -n -o "$T/monitors.kb" "$T/monitors.kb"
sort -n -o "$T/containers.kb" "$T/containers.kb"
sort -n -o "$T/monitors-private.kb" "$T/monitors-private.kb"
# stats FILE: count min median max sum (kB)
stats() { awk '{ v[NR] = $1; s += $1 } END { if (NR == 0) { print "0 0 0 0 0"; exit }
  m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
  print NR, v[1], m, v[NR], s }' "$1"; }
read -r mon_n mon_min mon_med mon_max mon_sum < <(stats "$T/monitors.kb")
read -r _ monp_min monp_med monp_max monp_sum < <(stats "$T/monitors-private.kb")
read -r ctr_n ctr_min ctr_med ctr_max ctr_sum < <(stats "$T/containers.kb")
cp "$T/monitors.kb" "$T/monitors-private.kb" "$T/containers.kb" "$RES/"
jq -n --argjson daemon "$daemon_kb" --argjson daemon_priv "$daemon_priv_kb" --rawfile monp "$T/monitors-private.kb" --argjson running "$running" --argjson fill_ms "$fill_ms" \
  --rawfile mon "$T/monitors.kb" --rawfile ctr "$T/containers.kb" \
  '{containers_running: $running, fill_ms: $fill_ms, daemon_rss_kb: $daemon, daemon_private_kb: $daemon_priv,
    monitor_private_kb: ($monp | split("\n") | map(select(. != "") | tonumber)),
    monitor_rss_kb: ($mon | split("\n") | map(select(. != "") | tonumber)),
    container_rss_kb: ($ctr | split("\n") | map(select(. != "") | tonumber))}' >"$RES/memory.json"

# --- report ----------------------------------------------------------------------------------
mb() { LC_ALL=C awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { if lt "$1" "$2"; then echo "met (< $3)"; else echo "**MISSED** (≥ $3)"; fi; }

# row ID TITLE TARGET: one line of the timing table (TARGET "" for none).
row() {
  local id=$1 title=$2 target=$3 m base floor t="–"
  m=$(median_ms "$id")
  base=$(median_ms base-helper)
  floor=$(median_ms berth-version)
  [ -n "$target" ] && t=$(verdict "$m" "$target" "$target ms")
  echo "| $title | $(fmt "$m") ± $(fmt "$(stddev_ms "$id")") | $(fmt "$(min_ms "$id")") | $(ratio "$m" "$base")× | $(ratio "$m" "$floor")× | $t |"
}


section="$RES/section.md"
{
  echo "## Containers: run, and memory with $CONTAINERS running"
  echo
  echo "Measured by \`bench/containers.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $(machine_notes), docker CLI $(docker_version). $RUNS runs per row after $WARMUP warm-up. The daemon runs in a network namespace and a mount namespace of its own; the image is Debian's busybox-static (\`/bin/busybox\` and one symlink per applet), imported with \`berth import\`."
  echo
  echo "Medians in milliseconds (± standard deviation), with the fastest run. Each figure is set against two baselines measured in the same run: **libcontainer** = the runtime helper alone doing create, start, wait and delete of \`true\` on the same root filesystem (see below), and **floor** = the client+daemon round trip, \`berth version\`."
  echo
  echo "| Command | Median (ms) | Min (ms) | ÷ libcontainer | ÷ floor | Target |"
  echo "| --- | ---: | ---: | ---: | ---: | --- |"
  row berth-run-rm "\`berth run --rm --network none busybox true\`" "$RUN_TARGET_MS"
  row berth-run-d "\`berth run -d --network none busybox sleep 1000\`" ""
  if [ "$HAVE_DOCKER" = 1 ]; then
    row docker-run-rm "\`docker run --rm --network none busybox true\` (stock CLI → berth)" ""
    row docker-run-d "\`docker run -d --network none busybox sleep 1000\` (stock CLI → berth)" ""
  fi
  row base-helper "baseline: libcontainer (\`berth-runtime-helper\`)" ""
  row base-berth "the same through \`berth __runtime\` (what the monitor runs)" ""
  row berth-version "baseline: floor, \`berth version\`" ""
  [ "$HAVE_DOCKER" = 1 ] && row docker-version "\`docker version\` (stock CLI → berth)" ""
  echo
  echo "For scale: on this kind of machine Docker 20.10 takes about 325 ms for \`docker run --rm --network none busybox true\` and about 310 ms for \`run -d\`."
  echo
  echo "The libcontainer baseline is a small C program, compiled by the script, that does what the per-container monitor asks of libcontainer and nothing else: it enters the daemon's namespaces, becomes a child subreaper (as the monitor is), runs the runtime's helper \`create --root S --id I --bundle B\`, then \`start\`, waits for the container's init (re-parented to it when the helper exits), then runs \`delete\`: three helper processes, as in berth. The bundle is berth's own \`config.json\` for this container (same namespaces, mounts, capabilities, seccomp profile, masked paths), with the root filesystem a plain directory holding the same busybox files instead of an overlay, a new network namespace instead of the daemon's pre-made one, and a cgroup of its own. It leaves out the CLI, the API, image and container records, the overlay mount, the netns the daemon prepares for \`--network none\`, the monitor and the attach/wait streams. \`berth-runtime-helper\` and \`berth __runtime\` run the same code (\`berth_runtime::helper_main\`); the second row shows what starting the 20 MB \`berth\` binary instead of the 9 MB helper costs, three times per container."
  echo
  echo "Memory with $running containers running (\`berth run -d --network none busybox sleep 100000\`, $BATCH at a time: $fill_ms ms for all, $(ratio "$fill_ms" "$CONTAINERS") ms each), RSS from \`/proc/PID/status\` (VmRSS, which counts the pages shared with other processes, such as the binary's, in full for every process), and private memory from \`/proc/PID/smaps_rollup\` (Private_Clean + Private_Dirty: what one more process costs):"
  echo
  echo "| Process | Count | RSS (MB) | Private (MB) | Target (RSS) |"
  echo "| --- | ---: | --- | --- | --- |"
  echo "| daemon (\`berth daemon\`) | 1 | $(mb "$daemon_kb") | $(mb "$daemon_priv_kb") | $(verdict "$daemon_kb" "$DAEMON_TARGET_KB" "50 MB") |"
  echo "| monitor (\`berth-monitor\`), each | $mon_n | min $(mb "$mon_min") / median $(mb "$mon_med") / max $(mb "$mon_max") | min $(mb "$monp_min") / median $(mb "$monp_med") / max $(mb "$monp_max") (all: $(mb "$monp_sum")) | $(verdict "$mon_max" "$MONITOR_TARGET_KB" "2 MB, the largest") |"
  echo "| container process (\`sleep\`), each, for scale | $ctr_n | min $(mb "$ctr_min") / median $(mb "$ctr_med") / max $(mb "$ctr_max") | – | – |"
  echo
  echo "For scale: Docker here, with 50 containers: dockerd 92 MB, containerd 47 MB, and 13 MB for each containerd-shim."
  echo
  rm_failures=0
  [ -f "$T/rm-all.log" ] && rm_failures=$(grep -c . "$T/rm-all.log" || true)
  echo "Commands (each timed run is one process, hyperfine \`-N\`): every \`run -d\` row removes all containers (\`berth rm -f\`, retried; $rm_failures error lines from failed attempts in this run) untimed before each run. Raw results: \`bench/results/containers-<date>/*.json\` (\`memory.json\`: every RSS)."
} >"$section"

echo
cat "$section"

# --- docs/PERFORMANCE.md: replace this benchmark's section, keep the others ------------------
if [ "${NO_DOCS:-0}" != 1 ]; then
  write_section containers "$section"
  echo "containers.sh: wrote docs/PERFORMANCE.md; raw results in ${RES#"$REPO"/}"
fi
