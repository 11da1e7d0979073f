#!/usr/bin/env bash
# Benchmark of `network create`, `network rm` and `network ls` (issue 2), with hyperfine.
#
# Starts a release `berth daemon` inside a network namespace of its own (the fake host: no
# uplink, nothing of the real host's network is touched), measures berth's CLI and the stock
# docker CLI against it at the 1st and at the 500th network, and measures two baselines in the
# same run: the bare kernel work done with iproute2 in the same namespace, and the
# client+daemon round-trip floor (`berth version`, `docker version`). Writes a markdown table
# into docs/PERFORMANCE.md (its own section only) and the raw hyperfine JSON under
# bench/results/. See bench/README.md. Runs as root.
#
# Knobs (environment): RUNS (default 100), WARMUP (5), NETWORKS (500), SKIP_BUILD=1,
# NO_DOCS=1 (print the table, leave docs/PERFORMANCE.md alone).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

RUNS=${RUNS:-100}
WARMUP=${WARMUP:-5}
NETWORKS=${NETWORKS:-500}
TARGET_MS=10        # create and rm, median
LS_TARGET_MS=20     # ls with $NETWORKS networks, median
GROWTH_LIMIT=1.15   # "no growth": median at the last network / median at the first
QUIET=${QUIET:-0.25} # seconds of quiet kernel before each timed create/rm (see settle below)

# --- tools -----------------------------------------------------------------------------------
BENCH=networks.sh
. bench/lib/fakehost.sh
. bench/lib/report.sh
fakehost_require_root "it creates a network namespace"
fakehost_install hyperfine=hyperfine ip=iproute2 jq=jq "curl=curl ca-certificates"
fakehost_docker_cli

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p berth
fi
BERTH="${CARGO_TARGET_DIR:-$REPO/target}/release/berth"
[ -x "$BERTH" ] || { echo "networks.sh: $BERTH not found; build it first" >&2; exit 1; }
BERTH=$(realpath "$BERTH")

# --- fake host, daemon, cleanup --------------------------------------------------------------
# Short: the daemon refuses an exec root too long for <exec-root>/containers/<64 hex>/monitor.sock.
T=$(mktemp -d /tmp/bnb.XXXXXX)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES="$REPO/bench/results/networks-$STAMP"
mkdir -p "$RES"

cleanup() {
  local rc=$?
  set +e
  fakehost_stop "$rc"
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fakehost_netns "berth-bench-$$"

# Docker's default pools hold 31 automatic subnets (15 /16s and 16 /20s), too few for 500
# networks; a bigger pool, as dockerd users configure it, lets every network take an
# automatic subnet, so the allocator's cost at 500 networks is part of the measure.
fakehost_daemon --data-root "$T/data" --exec-root "$T/r" \
  --default-address-pool base=10.128.0.0/9,size=24

# Preparation steps run untimed before each timed run (hyperfine --prepare). `settle` waits
# until the kernel is quiet: one bridge per bridge network, no iproute2 helper bridge being
# deleted, then QUIET seconds more. A bridge leaves the link list at the start of its
# deletion, but the kernel holds the RTNL lock through RCU grace periods for tens of
# milliseconds after that (see the `ip link del` row), and every link change waits for it.
cat >"$T/h.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
NS="$NS"; BERTH="$BERTH"; T="$T"; QUIET="$QUIET"
settle() {
  local want have
  for _ in \$(seq 2000); do
    want=\$("\$BERTH" network ls -q --filter driver=bridge | wc -l)
    have=\$(ip -n "\$NS" -o link show type bridge | grep -vc ': bb-' || true)
    if [ "\$have" = "\$want" ] && ! ip -n "\$NS" link show bb-old >/dev/null 2>&1; then
      sleep "\$QUIET"
      return 0
    fi
    sleep 0.005
  done
  echo "settle: bridges did not settle (\$have, want \$want)" >&2
  exit 1
}
case "\$1" in
  # the berth network \$2 does not exist
  berth-absent)  "\$BERTH" network rm "\$2" >/dev/null 2>&1 || true; settle ;;
  # the berth network \$2 exists
  berth-present) "\$BERTH" network rm "\$2" >/dev/null 2>&1 || true; settle
                 "\$BERTH" network create "\$2" >/dev/null ;;
  # \$2 does not exist, and another network has just been removed: the daemon deletes
  # its bridge in the background while the timed command runs
  berth-churn)   "\$BERTH" network rm "\$2" >/dev/null 2>&1 || true; settle
                 "\$BERTH" network create bench-old >/dev/null; settle
                 "\$BERTH" network rm bench-old >/dev/null ;;
  ip-absent)     ip -n "\$NS" link del bb-probe 2>/dev/null || true; settle ;;
  ip-present)    ip -n "\$NS" link del bb-probe 2>/dev/null || true; settle
                 ip -n "\$NS" -batch "\$T/bridge-up.batch" ;;
  # the kernel-only twin of berth-churn: bb-old is deleted in the background
  ip-churn)      ip -n "\$NS" link del bb-probe 2>/dev/null || true; settle
                 ip -n "\$NS" -batch "\$T/old-up.batch"; sleep "\$QUIET"
                 setsid ip -n "\$NS" link del bb-old </dev/null >/dev/null 2>&1 &
                 # the deletion is under way once bb-old has left the link list
                 while ip -n "\$NS" link show bb-old >/dev/null 2>&1; do :; done ;;
  *) echo "h.sh: unknown step \$1" >&2; exit 2 ;;
esac
EOF
chmod +x "$T/h.sh"
# The kernel work of a bridge network's create, as one iproute2 process (three netlink requests).
cat >"$T/bridge-up.batch" <<'EOF'
link add name bb-probe type bridge
addr add 192.0.2.1/24 dev bb-probe
link set bb-probe up
EOF
sed 's/bb-probe/bb-old/; s/192.0.2.1/198.51.100.1/' "$T/bridge-up.batch" >"$T/old-up.batch"

H="$T/h.sh"
PROBE=bench-probe

# One hyperfine benchmark each: `bench ID PREPARE COMMAND` (bench/lib/report.sh).

# measure PHASE: every row at the current number of networks (PHASE names the files).
measure() {
  local p=$1
  bench "berth-version-$p" "" "$BERTH version"
  bench "berth-create-$p" "$H berth-absent $PROBE" "$BERTH network create $PROBE"
  bench "berth-rm-$p" "$H berth-present $PROBE" "$BERTH network rm $PROBE"
  bench "ip-create-$p" "$H ip-absent" "ip -n $NS -batch $T/bridge-up.batch"
  bench "ip-rm-$p" "$H ip-present" "ip -n $NS link del bb-probe"
  bench "berth-churn-$p" "$H berth-churn $PROBE" "$BERTH network create $PROBE"
  bench "ip-churn-$p" "$H ip-churn" "ip -n $NS -batch $T/bridge-up.batch"
  if [ "$HAVE_DOCKER" = 1 ]; then
    bench "docker-version-$p" "" "docker version"
    bench "docker-create-$p" "$H berth-absent $PROBE" "docker network create $PROBE"
    bench "docker-rm-$p" "$H berth-present $PROBE" "docker network rm $PROBE"
  fi
  "$H" berth-absent "$PROBE"
}
# measure_ls PHASE: ls rows with the networks that exist now.
measure_ls() {
  local p=$1
  bench "berth-ls-$p" "" "$BERTH network ls"
  bench "ip-ls-$p" "" "ip -n $NS -o link show type bridge"
  [ "$HAVE_DOCKER" = 1 ] && bench "docker-ls-$p" "" "docker network ls"
  return 0
}

# Phase 1: only the predefined networks (bridge, host, none) exist; the probe is the 1st.
measure first
measure_ls first

# Fill up to NETWORKS-1 user networks; the probe is then the NETWORKS-th.
fill_start=$(date +%s%N)
for i in $(seq 2 "$NETWORKS"); do
  "$BERTH" network create "bench-fill-$i" >/dev/null
done
fill_ms=$(( ($(date +%s%N) - fill_start) / 1000000 ))
fill_n=$((NETWORKS - 1))

measure last
# ls with NETWORKS user networks.
"$BERTH" network create "bench-fill-last" >/dev/null
measure_ls last
all_networks=$("$BERTH" network ls -q | wc -l)
user_networks=$((all_networks - 3))

# --- report ----------------------------------------------------------------------------------
verdict() { if lt "$1" "$2"; then echo "met (< $2 ms)"; else echo "**MISSED** (≥ $2 ms)"; fi; }

# row CLIENT OP PHASE LABEL TARGET [TITLE]: one line of the table (TARGET "" for none).
row() {
  local client=$1 op=$2 p=$3 label=$4 target=$5 title=${6:-"\`$1 network $2\`"}
  local m kern floor
  m=$(median_ms "$client-$op-$p")
  kern=$(median_ms "ip-$op-$p")
  floor=$(median_ms "$client-version-$p")
  local t="–"
  [ -n "$target" ] && t=$(verdict "$m" "$target")
  echo "| $title | $label | $(fmt "$m") ± $(fmt "$(stddev_ms "$client-$op-$p")") | $(fmt "$kern") | $(ratio "$m" "$kern")× | $(fmt "$floor") | $(ratio "$m" "$floor")× | $t |"
}
growth() {
  local client=$1 op=$2 a b g
  a=$(median_ms "$client-$op-first"); b=$(median_ms "$client-$op-last")
  g=$(ratio "$b" "$a")
  local v="met (≤ ${GROWTH_LIMIT}×)"
  LC_ALL=C awk -v g="$g" -v l="$GROWTH_LIMIT" 'BEGIN { exit !(g > l) }' && v="**MISSED** (> ${GROWTH_LIMIT}×)"
  local title="\`$client network $op\`"
  [ "$client" = ip ] && title="kernel baseline ($op, iproute2)"
  echo "| $title | $(fmt "$a") | $(fmt "$b") | ${g}× | $v |"
}


section="$RES/section.md"
{
  echo "## Networks: create, rm, ls"
  echo
  echo "Measured by \`bench/networks.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $(machine_notes), docker CLI $(docker_version), iproute2 $(ip -V | sed 's/.*iproute2-//'). $RUNS runs after $WARMUP warm-up runs per row; the daemon runs in a network namespace of its own (\`--default-address-pool base=10.128.0.0/9,size=24\`, automatic subnets)."
  echo
  echo "Medians in milliseconds (± standard deviation). Each figure is set against two baselines measured in the same run: **kernel** = the same kernel work done by iproute2 in the same namespace (create: \`ip -n NS -batch\` of \`link add name X type bridge\`, \`addr add 192.0.2.1/24 dev X\`, \`link set X up\`; rm: \`ip -n NS link del X\`; ls: \`ip -n NS -o link show type bridge\`; create right after an rm: the same create while an \`ip link del\` of another bridge runs in the background), and **floor** = the client+daemon round trip of the same client (\`berth version\` / \`docker version\`). \"1st\" = the first user network (only bridge, host and none exist); \"${NETWORKS}th\" = $((NETWORKS - 1)) user networks exist already."
  echo
  echo "| Command | Networks | Median (ms) | Kernel (ms) | ÷ kernel | Floor (ms) | ÷ floor | Target |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
  row berth create first "1st" "$TARGET_MS"
  row berth create last "${NETWORKS}th" "$TARGET_MS"
  row berth rm first "1st" "$TARGET_MS"
  row berth rm last "${NETWORKS}th" "$TARGET_MS"
  row berth churn first "1st" "" "\`berth network create\` right after an \`rm\`"
  row berth churn last "${NETWORKS}th" "" "\`berth network create\` right after an \`rm\`"
  row berth ls first "3 (predefined)" ""
  row berth ls last "$user_networks + 3" "$LS_TARGET_MS"
  if [ "$HAVE_DOCKER" = 1 ]; then
    row docker create first "1st" ""
    row docker create last "${NETWORKS}th" ""
    row docker rm first "1st" ""
    row docker rm last "${NETWORKS}th" ""
    row docker ls first "3 (predefined)" ""
    row docker ls last "$user_networks + 3" ""
  fi
  echo
  echo "Growth from the 1st to the ${NETWORKS}th network (median at the ${NETWORKS}th ÷ median at the 1st; target: no growth, taken as ≤ ${GROWTH_LIMIT}×):"
  echo
  echo "| Command | 1st (ms) | ${NETWORKS}th (ms) | Growth | Target |"
  echo "| --- | ---: | ---: | ---: | --- |"
  growth berth create
  growth berth rm
  growth ip create
  growth ip rm
  if [ "$HAVE_DOCKER" = 1 ]; then
    growth docker create
    growth docker rm
  fi
  echo
  echo "Filling up: $fill_n \`berth network create\` back to back took $fill_ms ms, $(ratio "$fill_ms" "$fill_n") ms each (no settling between them, so the daemon's own work overlaps)."
  echo
  echo "Commands (each timed run is one process, hyperfine \`-N\`; preparation between runs is untimed): \`berth network create bench-probe\` after \`berth network rm bench-probe\`, \`berth network rm bench-probe\` after \`berth network create bench-probe\`, the same with \`docker\` (\`DOCKER_HOST=unix://…\`), each preparation also waiting until the bridges in the namespace match the networks and then ${QUIET} s more (the daemon deletes a bridge in the background after \`rm\` returns, and the kernel keeps working on a deletion after the bridge has left the link list). \"Right after an \`rm\`\": the preparation creates and removes another network, and the timed create starts at once, while that bridge is being deleted (the \`docker compose down && up\` pattern). Raw results: \`bench/results/networks-<date>/*.json\`."
} >"$section"

echo
cat "$section"

# --- docs/PERFORMANCE.md: replace this benchmark's section, keep the others ------------------
if [ "${NO_DOCS:-0}" != 1 ]; then
  write_section networks "$section"
  echo "networks.sh: wrote docs/PERFORMANCE.md; raw results in ${RES#"$REPO"/}"
fi
