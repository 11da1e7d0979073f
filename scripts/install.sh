#!/usr/bin/env bash
# Installs berth and runs it: builds the release binary, installs it as /usr/local/bin/berth,
# starts `berth daemon` with its embedded defaults (socket /run/berth/berth.sock, state in
# /var/lib/berth, default bridge berth0 on 172.17.0.0/16), then creates a first network, a
# first image and a first container.
# Run as root. This changes the host: it adds the berth0 bridge and berth's own bridges.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cargo build --release -p berth -p berth-runtime --bins
install -m 0755 target/release/berth /usr/local/bin/berth
# the per-container monitor lives next to berth (it must stay small: one runs per container)
install -m 0755 target/release/berth-monitor /usr/local/bin/berth-monitor

if ! berth version >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup /usr/local/bin/berth daemon >/var/log/berth.log 2>&1 &
  echo "berth daemon started (pid $!, log /var/log/berth.log)"
  for _ in $(seq 100); do berth version >/dev/null 2>&1 && break; sleep 0.1; done
fi

berth network inspect first-net >/dev/null 2>&1 || berth network create first-net
berth network ls

# A first image, made from Debian's busybox-static (berth needs no registry), and a first
# container on the first network.
if ! berth image inspect busybox >/dev/null 2>&1; then
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | berth import - busybox
  rm -rf "$rootfs"
fi
berth run --rm --network first-net busybox sh -c 'echo "hello from a berth container at $(ip -o -4 addr show eth0 | awk "{print \$4}")"'
