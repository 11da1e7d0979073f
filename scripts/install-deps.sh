#!/usr/bin/env bash
# Installs every Debian package berth's build, tests and benchmarks need (idempotent).
# Runs as root on Debian 12; the Rust toolchain (cargo, rustc, clippy, rustfmt) must already be
# on PATH, as it is on the project's machines.
set -euo pipefail

packages=(
  gcc libc6-dev pkg-config    # crates that build C (libcontainer's `nc`, later)
  iproute2                    # tests look at links and namespaces with `ip`
  iputils-ping                # tests ping containers from the fake host
  libseccomp-dev              # libcontainer's libseccomp feature links -lseccomp
  nftables                    # the firewall layer drives `nft`
  busybox-static              # test images: a rootfs with /bin/busybox and its applets
  hyperfine                   # bench/
  curl ca-certificates        # README examples, debugging
  docker-compose              # compose (v1, Debian's) as a real client in the e2e tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The stock docker CLI is the oracle client of the end-to-end tests. The project's machines
# ship docker 28 in /usr/local/bin; elsewhere Debian's docker.io provides a client, installed
# with service starts forbidden so no Docker daemon ever runs or touches the firewall.
if ! command -v docker >/dev/null 2>&1; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io
  rm -f /usr/sbin/policy-rc.d
fi

# The Docker SDK for Python, a real client of the end-to-end tests (the python3 on PATH).
if ! python3 -c 'import docker' >/dev/null 2>&1; then
  # Debian's own python3 refuses pip installs outside a venv unless told (PEP 668).
  python3 -m pip install -q 'docker>=7' ||
    python3 -m pip install -q --break-system-packages 'docker>=7'
fi

for tool in cargo rustc; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-deps: $tool is not on PATH; install a Rust toolchain (1.89 or newer) first" >&2; exit 1; }
done
