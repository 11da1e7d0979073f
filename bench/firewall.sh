#!/usr/bin/env bash
# Benchmark of the firewall (issue 6): throughput through a published port against going
# straight to the container's address, the cost of publishing 1, 100 and 1,000 ports, and the
# cost of the 500th container's rules against the 1st.
#
# Runs a release `berth daemon` in a fake host of its own (bench/lib/fakehost.sh: a network
# namespace with no uplink and a private mount namespace; nothing of the real host's network
# is touched), plus "another host": a namespace of the script's own wired to the fake host by a
# veth (198.18.0.2 there, 198.18.0.1 on the fake host). In the same run it measures:
#
# - iperf3 (the host's binary, run inside the namespaces) to a container publishing
#   `-p 5201:5201`: from the fake host through its own address 198.18.0.1 (DNAT in output) and
#   through 127.0.0.1 (DNAT plus route_localnet), each against the fake host going straight to
#   the container's address; from the other host through 198.18.0.1 (DNAT in prerouting),
#   against the other host going straight to the container's address;
# - hyperfine: `berth start` of containers publishing 0, 1, 100 and 1,000 ports (a range);
# - hyperfine: `berth start` of a probe with one published port and of one without, first
#   with no other container, then with CONTAINERS-1 others running, each publishing a port;
# - the firewall's own cost per change, which a whole `start` (tens of ms, growing with the
#   host's links) would drown: crates/firewall/examples/apply_timing.rs applies, with the
#   daemon's driver in a namespace of its own, the change of a container publishing a port
#   starting as the 1st and as the CONTAINERS-th, and of one publishing 1 and 1,000 ports.
#
# Writes its section of docs/PERFORMANCE.md and the raw results under bench/results/. See
# bench/README.md. Runs as root.
#
# Knobs (environment): RUNS (30), WARMUP (3), CONTAINERS (500), BATCH (10 `run -d` at a time
# while filling up), IPERF_RUNS (9), IPERF_SECONDS (5), SKIP_BUILD=1, NO_DOCS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
CONTAINERS=${CONTAINERS:-500}
BATCH=${BATCH:-10}
IPERF_RUNS=${IPERF_RUNS:-9}
IPERF_SECONDS=${IPERF_SECONDS:-5}
ADDR_TARGET=0.95   # through the host's address / straight to the container
LOOP_TARGET=0.9    # through 127.0.0.1 / straight to the container
PORTS_MAX=2.0      # start with 1,000 ports / start with 1
FILL_MAX=1.1       # the firewall's apply for the CONTAINERS-th container / for the 1st

BENCH=firewall.sh
. bench/lib/fakehost.sh
. bench/lib/report.sh
. bench/lib/iperf.sh
fakehost_require_root "it creates namespaces and containers"
fakehost_install hyperfine=hyperfine jq=jq iperf3=iperf3 ip=iproute2 nsenter=util-linux \
  nft=nftables "curl=curl ca-certificates" file=file /bin/busybox=busybox-static

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  # berth-monitor must sit next to berth: the daemon runs it from there.
  cargo build --release -p berth -p berth-runtime --bins
  cargo build --release -p berth-firewall --example apply_timing
fi
BIN="${CARGO_TARGET_DIR:-$REPO/target}/release"
for b in berth berth-monitor examples/apply_timing; do
  [ -x "$BIN/$b" ] || { echo "firewall.sh: $BIN/$b not found; build it first" >&2; exit 1; }
done
BERTH=$(realpath "$BIN/berth")
APPLY_TIMING=$(realpath "$BIN/examples/apply_timing")

# Short: the runtime's sockets live at <exec-root>/containers/<64 hex>/monitor.sock (≤ 107).
T=$(mktemp -d /tmp/bfw.XXXXXX)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES="$REPO/bench/results/firewall-$STAMP"
mkdir -p "$RES"
FH="berth-fw-$$"       # the fake host
OUT="berth-fw-$$-out"  # the other host
OUT_MADE=0

cleanup() {
  local rc=$?
  set +e
  trap - INT TERM
  if [ -n "$IPERF_PID" ]; then
    kill -KILL "$IPERF_PID" 2>/dev/null
    wait "$IPERF_PID" 2>/dev/null
  fi
  fakehost_stop "$rc"
  [ "$OUT_MADE" = 1 ] && ip netns del "$OUT"
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fakehost_netns "$FH"
fakehost_mount_ns
fakehost_daemon --data-root "$T/data" --exec-root "$T/r"
fakehost_busybox_image busybox

# The other host: its veth is made inside the fake host and its peer born in the other
# namespace, so the real host's namespace never holds either.
ip netns add "$OUT"
OUT_MADE=1
ip -n "$OUT" link set lo up
ip -n "$FH" link add fw-out type veth peer name eth0 netns "$OUT"
ip -n "$FH" addr add 198.18.0.1/24 dev fw-out
ip -n "$FH" link set fw-out up
ip -n "$OUT" addr add 198.18.0.2/24 dev eth0
ip -n "$OUT" link set eth0 up
ip -n "$OUT" route add default via 198.18.0.1
HOST_NS="/run/netns/$FH"
OUT_NS="/run/netns/$OUT"

# --- throughput through a published port -----------------------------------------------------
"$BERTH" run -d --name srv -p 5201:5201 busybox sleep 1d >>"$T/ids"
SRV_NS="/proc/$("$BERTH" inspect -f '{{.State.Pid}}' srv)/ns/net"
SRV_IP=$("$BERTH" inspect -f '{{.NetworkSettings.IPAddress}}' srv)
# ROW CLIENT_NETNS TARGET: the rows, each a client and where it connects (port 5201 always).
ROWS=(
  "host-direct $HOST_NS $SRV_IP"
  "host-addr $HOST_NS 198.18.0.1"
  "host-loop $HOST_NS 127.0.0.1"
  "out-direct $OUT_NS $SRV_IP"
  "out-addr $OUT_NS 198.18.0.1"
)
for row in "${ROWS[@]}"; do : >"$T/iperf-${row%% *}"; done
for i in $(seq "$IPERF_RUNS"); do
  # Rows take turns, starting one further each run, so a drift weighs on all of them alike.
  line=""
  for k in $(seq 0 $((${#ROWS[@]} - 1))); do
    read -r id ns target <<<"${ROWS[$(( (k + i) % ${#ROWS[@]} ))]}"
    iperf "$SRV_NS" "$ns" "$target" "$RES/iperf-$id-$i.json" >>"$T/iperf-$id"
    line+=" $id $(fmt "$(tail -n 1 "$T/iperf-$id")")"
  done
  echo "== iperf3 run $i of $IPERF_RUNS (Gbit/s):$line"
done
"$BERTH" rm -f srv >/dev/null
gb() { median_of "$T/iperf-$1"; }

# --- publishing 0, 1, 100, 1,000 ports ------------------------------------------------------
"$BERTH" create --name p0 busybox sleep 1d >>"$T/ids"
"$BERTH" create --name p1 -p 30000:80 busybox sleep 1d >>"$T/ids"
"$BERTH" create --name p100 -p 30100-30199:1100-1199 busybox sleep 1d >>"$T/ids"
"$BERTH" create --name p1000 -p 31000-31999:1000-1999 busybox sleep 1d >>"$T/ids"
BEFORE_ROUND=wait_idle
stop() { echo "$BERTH stop -t 0 $1"; }
bench_rounds \
  start-p0 "$(stop p0)" "$BERTH start p0" \
  start-p1 "$(stop p1)" "$BERTH start p1" \
  start-p100 "$(stop p100)" "$BERTH start p100" \
  start-p1000 "$(stop p1000)" "$BERTH start p1000"
"$BERTH" start p1000 >/dev/null
elems=$(ip netns exec "$FH" nft -j list map inet berth dnat4_port | jq '[.nftables[].map.elem // [] | length] | add')
rules=$(ip netns exec "$FH" nft -j list table inet berth | jq '[.nftables[] | select(.rule)] | length')
"$BERTH" rm -f p0 p1 p100 p1000 >/dev/null

# --- the 1st container's rules against the 500th's -------------------------------------------
"$BERTH" create --name probe-port -p 40000:80 busybox sleep 1d >>"$T/ids"
"$BERTH" create --name probe-none busybox sleep 1d >>"$T/ids"
probe_rows() {
  bench_rounds \
    "probe-port-$1" "$(stop probe-port)" "$BERTH start probe-port" \
    "probe-none-$1" "$(stop probe-none)" "$BERTH start probe-none"
}
probe_rows first
fill_start=$(date +%s)
seq 2 "$CONTAINERS" | xargs -r -P "$BATCH" -I{} "$BERTH" run -d -p 80 busybox sleep 1d >>"$T/ids"
fill_s=$(( $(date +%s) - fill_start ))
running=$("$BERTH" ps -q | wc -l)
fill_elems=$(ip netns exec "$FH" nft -j list map inet berth dnat4_port | jq '[.nftables[].map.elem // [] | length] | add')
probe_rows last

# --- the firewall's own cost per change ------------------------------------------------------
wait_idle
"$APPLY_TIMING" --containers "$CONTAINERS" --runs "$RUNS" >"$RES/apply_timing.txt"
read -r apply_first apply_nth apply_one apply_thousand <"$RES/apply_timing.txt"

# --- report ----------------------------------------------------------------------------------
ms() { fmt "$(median_ms "$1")"; }
minus() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
le() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
ge() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
met() { if "$@"; then echo "met"; else echo "**missed**"; fi; }
list() { paste -sd' ' "$T/iperf-$1" | LC_ALL=C awk '{ for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? ", " : ""), $i }'; }

# A ratio is the median of the per-run ratios: rows of one run were measured seconds apart,
# while runs drift by ±15% on this kind of machine.
paired() {
  paste "$T/iperf-$1" "$T/iperf-$2" | LC_ALL=C awk '{ printf "%.4f\n", $1 / $2 }' >"$T/pair"
  fmt "$(median_of "$T/pair")"
}
r_addr=$(paired host-addr host-direct)
r_loop=$(paired host-loop host-direct)
r_out=$(paired out-addr out-direct)
r_ports=$(ratio "$(median_ms start-p1000)" "$(median_ms start-p1)")
r_ports100=$(ratio "$(median_ms start-p100)" "$(median_ms start-p1)")
r_start=$(ratio "$(median_ms probe-port-last)" "$(median_ms probe-port-first)")
r_none=$(ratio "$(median_ms probe-none-last)" "$(median_ms probe-none-first)")
r_apply=$(ratio "$apply_nth" "$apply_first")
r_apply_ports=$(ratio "$apply_thousand" "$apply_one")

SECTION="$T/section.md"
{
  echo "## Firewall: published ports (issue 6)"
  echo
  echo "Measured by \`bench/firewall.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $(machine_notes), $(nft --version), $(iperf3 --version 2>/dev/null | awk 'NR == 1 { print $1, $2 }'). The daemon runs in a network namespace and a mount namespace of its own (the fake host); \"another host\" is a namespace wired to it by a veth; the image is Debian's busybox-static. Each iperf3 run and each round of 5 hyperfine runs starts once the CPUs were under 10% busy for a second, or after 30 s (readings: median $(median_of "$RES/busy")%, max $(sort -n "$RES/busy" | tail -n 1)%)."
  echo
  echo "| Figure | Result | Target |"
  echo "| --- | --- | --- |"
  echo "| iperf3 from the host through its own address (DNAT) ÷ straight to the container | ${r_addr}× | ≥ ${ADDR_TARGET}×, $(met ge "$r_addr" "$ADDR_TARGET") |"
  echo "| iperf3 from the host through 127.0.0.1 ÷ straight to the container | ${r_loop}× | ≥ ${LOOP_TARGET}×, $(met ge "$r_loop" "$LOOP_TARGET") |"
  echo "| iperf3 from another host through the host's address ÷ straight to the container | ${r_out}× | ≥ ${ADDR_TARGET}×, $(met ge "$r_out" "$ADDR_TARGET") |"
  echo "| \`start\` with 1,000 published ports ÷ with 1 | ${r_ports}× (100 ports: ${r_ports100}×) | ≤ ${PORTS_MAX}×, $(met le "$r_ports" "$PORTS_MAX") |"
  echo "| the firewall's change for the ${CONTAINERS}th container ÷ for the 1st | ${r_apply}× ($(fmt "$apply_first") → $(fmt "$apply_nth") ms) | the same (≤ ${FILL_MAX}×), $(met le "$r_apply" "$FILL_MAX") |"
  echo "| the firewall's change for 1,000 ports ÷ for 1 | ${r_apply_ports}× ($(fmt "$apply_one") → $(fmt "$apply_thousand") ms) | – (one transaction, 2 map updates) |"
  echo
  echo "iperf3, $IPERF_RUNS runs of $IPERF_SECONDS s per row, the rows taking turns; server and client pinned to CPUs 0 and 1 (\`-A\`); the server listens on 5201 in the container \`srv\` (\`-p 5201:5201\`), the client connects to port 5201 of the target; the ratios above are medians of the per-run ratios. Gbit/s, median and runs:"
  echo
  echo "| Client → target | Gbit/s | Runs |"
  echo "| --- | --- | --- |"
  echo "| fake host → container address | $(fmt "$(gb host-direct)") | $(list host-direct) |"
  echo "| fake host → its own address 198.18.0.1 | $(fmt "$(gb host-addr)") | $(list host-addr) |"
  echo "| fake host → 127.0.0.1 | $(fmt "$(gb host-loop)") | $(list host-loop) |"
  echo "| other host → container address | $(fmt "$(gb out-direct)") | $(list out-direct) |"
  echo "| other host → 198.18.0.1 | $(fmt "$(gb out-addr)") | $(list out-addr) |"
  echo
  echo "\`berth start\` (hyperfine, $RUNS runs per row after $WARMUP warm-up, in rounds of 5 taking turns; \`berth stop -t 0\` before each run, untimed), ms:"
  echo
  echo "| Container | Median | ± | Note |"
  echo "| --- | --- | --- | --- |"
  echo "| no published port | $(ms start-p0) | $(fmt "$(stddev_ms start-p0)") | |"
  echo "| \`-p 30000:80\` | $(ms start-p1) | $(fmt "$(stddev_ms start-p1)") | |"
  echo "| \`-p 30100-30199:1100-1199\` | $(ms start-p100) | $(fmt "$(stddev_ms start-p100)") | |"
  echo "| \`-p 31000-31999:1000-1999\` | $(ms start-p1000) | $(fmt "$(stddev_ms start-p1000)") | the table then held $rules rules and $elems elements in \`dnat4_port\` |"
  echo "| probe, \`-p 40000:80\`, alone | $(ms probe-port-first) | $(fmt "$(stddev_ms probe-port-first)") | |"
  echo "| probe, no port, alone | $(ms probe-none-first) | $(fmt "$(stddev_ms probe-none-first)") | |"
  echo "| probe, \`-p 40000:80\`, $running running | $(ms probe-port-last) | $(fmt "$(stddev_ms probe-port-last)") | ${r_start}× alone; $fill_elems elements in \`dnat4_port\` |"
  echo "| probe, no port, $running running | $(ms probe-none-last) | $(fmt "$(stddev_ms probe-none-last)") | ${r_none}× alone (the rest of start grows with the host's links) |"
  echo
  echo "The firewall's change (\`apply_timing\`, median of $RUNS, each after the change before it, as in the daemon): the driver sends the elements that differ (\`delete element\` / \`add element\` in one \`nft -j -f -\` transaction), so its cost follows the size of the change, not of the table. The rest of a \`start\` grows with the links on the host, as the probe rows show (the port's own change is ~$(fmt "$apply_first") ms of it)."
  echo
  echo "Filling up to $running running containers (\`run -d -p 80\`, $BATCH at a time) took $fill_s s. Raw results: \`bench/results/firewall-<date>/\` (iperf3 and hyperfine JSON)."
} >"$SECTION"
cat "$SECTION"
[ "${NO_DOCS:-0}" = 1 ] || write_section firewall "$SECTION"
