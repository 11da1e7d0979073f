#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, property, kernel and end-to-end tests.
# Needs root (tests create network namespaces; every kernel object lives inside one).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "test.sh: run as root: the kernel and end-to-end tests create network namespaces" >&2
  exit 1
fi
[ "${SKIP_DEPS:-0}" = 1 ] || ./scripts/install-deps.sh

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

# The end-to-end tests run real containers on a loaded 2-CPU machine; a test that fails is run
# once more on its own, and the suite fails only if it fails again. Every retry is printed, so
# a flaky test stays visible instead of being hidden.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if cargo test --workspace --no-fail-fast 2>&1 | tee "$log"; then
  exit 0
fi
mapfile -t targets < <(grep -oE '(to rerun pass |^ +)`-p [^`]+`' "$log" | grep -oE '`[^`]+`' | tr -d '`' | sort -u)
if [ ${#targets[@]} -eq 0 ]; then
  echo "test.sh: cargo test failed before any test target ran" >&2
  exit 1
fi
status=0
for t in "${targets[@]}"; do
  echo "test.sh: retrying the failed target once: cargo test $t" >&2
  # shellcheck disable=SC2086 # the target's arguments are split on purpose
  cargo test $t || status=1
done
exit $status
