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
cargo test --workspace
