#!/usr/bin/env bash
# Installs every Debian package that zerospof's build, tests, benchmarks and lab use.
# Idempotent: packages already present are left alone, and apt is asked only when one is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git python3
  libfyaml-dev nlohmann-json3-dev libcli11-dev libfmt-dev libexpected-dev
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  clang-14 libclang-rt-14-dev clang-format-14
  openssl libssl-dev openssh-client openssh-server
  libcurl4-openssl-dev  # observe: the HTTP client for the Kubernetes API and etcd
  chromium-headless-shell  # tests/drill: the drill's HTML report rendered in headless Chromium
  time golang-go  # scripts/bench-linearizability.sh: /usr/bin/time, the Porcupine harness
  # tests/render validates every rendered config with the program that reads it.
  haproxy keepalived nftables systemd
)
if [[ "${ZEROSPOF_LAB_PACKAGES:-1}" == 1 ]]; then
  # debootstrap verifies the Debian release with the archive keyring, a mere recommendation of
  # debootstrap that --no-install-recommends would skip.
  packages+=(systemd-container debootstrap debian-archive-keyring iproute2 nftables
             openssh-client haproxy keepalived)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
