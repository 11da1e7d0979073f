# Timing with hyperfine and reporting into docs/PERFORMANCE.md, sourced (not run) by the bench/
# scripts. The caller sets RES (its results directory), WARMUP and RUNS, and REPO.

# bench ID PREPARE COMMAND: one hyperfine benchmark, raw results in RES/ID.json. No shell (-N):
# each timed run is exactly one process of the command line, unless BENCH_SHELL names a shell
# (then hyperfine subtracts that shell's own start-up). PREPARE ("" for none) runs untimed
# before each run.
bench() {
  local id=$1 prep=$2 cmd=$3
  local args=(--shell "${BENCH_SHELL:-none}" --style basic --warmup "$WARMUP" --runs "$RUNS"
    --export-json "$RES/$id.json")
  [ -n "$prep" ] && args+=(--prepare "$prep")
  echo "== $id"
  hyperfine "${args[@]}" "$cmd"
}
# bench_rounds ID PREPARE COMMAND [ID PREPARE COMMAND]...: like `bench` for each command, but
# in rounds of ROUND_RUNS (5) runs each, the commands taking turns, so that a slow drift of the
# machine weighs on all of them alike and differences between them hold. PREPARE also runs
# after each command's block (it undoes what the command did). Warm-up in the first round
# only; BEFORE_ROUND, if set, is a command run before each round. RES/ID.json holds every run
# of ID, in hyperfine's layout (results[0]: median, mean, stddev, min, max, times).
bench_rounds() {
  local block=${ROUND_RUNS:-5} rounds r i warm id prep cmd
  rounds=$(( (RUNS + block - 1) / block ))
  for r in $(seq "$rounds"); do
    [ -z "${BEFORE_ROUND:-}" ] || $BEFORE_ROUND
    warm=0
    [ "$r" = 1 ] && warm=$WARMUP
    for ((i = 1; i <= $#; i += 3)); do
      id=${!i}
      prep=$(( i + 1 )); prep=${!prep}
      cmd=$(( i + 2 )); cmd=${!cmd}
      local args=(--shell none --style none --warmup "$warm" --runs "$block"
        --export-json "$RES/$id.r$r.json")
      [ -n "$prep" ] && args+=(--prepare "$prep")
      hyperfine "${args[@]}" "$cmd"
      [ -z "$prep" ] || $prep
    done
  done
  for ((i = 1; i <= $#; i += 3)); do
    id=${!i}
    jq -s '[.[].results[0].times[]] as $t | ($t | sort) as $s | ($t | length) as $n
      | ($t | add / $n) as $mean
      | {results: [{command: .[0].results[0].command, times: $t, mean: $mean, min: $s[0],
          max: $s[-1],
          median: (if $n % 2 == 1 then $s[($n - 1) / 2] else ($s[$n / 2 - 1] + $s[$n / 2]) / 2 end),
          stddev: (if $n > 1 then (($t | map(. - $mean | . * .) | add) / ($n - 1) | sqrt) else 0 end)}]}' \
      "$RES/$id".r*.json >"$RES/$id.json"
    rm -f "$RES/$id".r*.json
    echo "== $id: median $(fmt "$(median_ms "$id")") ms ± $(fmt "$(stddev_ms "$id")") ($rounds × $block runs)"
  done
}
median_ms() { jq -r '.results[0].median * 1000' "$RES/$1.json"; }
stddev_ms() { jq -r '.results[0].stddev * 1000' "$RES/$1.json"; }
min_ms() { jq -r '.results[0].min * 1000' "$RES/$1.json"; }

fmt() { LC_ALL=C printf '%.2f' "$1"; }
ratio() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
lt() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# The machine, for the first line of a section: CPUs, kernel, berth's revision, hyperfine.
machine_notes() {
  local cpu rev
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
  rev=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
  echo "$(nproc) CPUs${cpu:+ ($cpu)}, kernel $(uname -r), berth $rev (release build), $(hyperfine --version)"
}
docker_version() {
  if [ "${HAVE_DOCKER:-0}" = 1 ]; then
    docker version --format '{{.Client.Version}}' 2>/dev/null || echo unknown
  else
    echo "not installed"
  fi
}

# write_section NAME FILE: replaces the section between <!-- bench:NAME:begin/end --> in
# docs/PERFORMANCE.md with FILE (appends it, with its markers, if it is not there yet) and
# leaves the other sections alone.
write_section() {
  local doc="$REPO/docs/PERFORMANCE.md" f=$2
  local begin="<!-- bench:$1:begin -->" end="<!-- bench:$1:end -->"
  if [ ! -f "$doc" ]; then
    cat >"$doc" <<'EOF'
# Performance

Each benchmark under `bench/` writes its own section below, between its markers, and replaces
only that section when it runs again (`bench/README.md` says how to run them). Figures are
medians, always set against baselines measured in the same run on the same machine, so they
can be compared across machines by their ratios.
EOF
  fi
  if grep -qF "$begin" "$doc"; then
    awk -v b="$begin" -v e="$end" -v f="$f" '
      $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
      $0 == e { skip = 0 }
      !skip { print }' "$doc" >"$doc.new"
  else
    { cat "$doc"; echo; echo "$begin"; cat "$f"; echo "$end"; } >"$doc.new"
  fi
  mv "$doc.new" "$doc"
}
