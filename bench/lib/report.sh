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
