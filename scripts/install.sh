#!/usr/bin/env bash
# Installs berth and runs it: builds the release binary, installs it as /usr/local/bin/berth,
# starts `berth daemon` with its embedded defaults (socket /run/berth/berth.sock, state in
# /var/lib/berth, default bridge berth0 on 172.17.0.0/16), then creates a first network.
# Run as root. This changes the host: it adds the berth0 bridge and berth's own bridges.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cargo build --release -p berth
install -m 0755 target/release/berth /usr/local/bin/berth

if ! berth version >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup /usr/local/bin/berth daemon >/var/log/berth.log 2>&1 &
  echo "berth daemon started (pid $!, log /var/log/berth.log)"
  for _ in $(seq 100); do berth version >/dev/null 2>&1 && break; sleep 0.1; done
fi

berth network inspect first-net >/dev/null 2>&1 || berth network create first-net
berth network ls
