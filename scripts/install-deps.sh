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
  patch  # lab/binaries/build.sh: zerospof's patches to kwok (lab/binaries/kwok/patches)
  procps  # tests/drill: the drill's pause of a unit (pkill) run on real processes
  zsh  # tests/cli: the zsh completion script run by zsh
  dpkg-dev  # cmake/package.cmake: dpkg-shlibdeps; the package test: dpkg-scanpackages
  libseccomp-dev  # lab/binaries/build.sh: runc for the lab's real pods (cgo, seccomp)
)
if [[ "${ZEROSPOF_LAB_PACKAGES:-1}" == 1 ]]; then
  # debootstrap verifies the Debian release with the archive keyring, a mere recommendation of
  # debootstrap that --no-install-recommends would skip.
  packages+=(systemd-container debootstrap debian-archive-keyring iproute2 nftables
             openssh-client haproxy keepalived)
fi

# The Debian packages zerospof's own package depends on (cmake/package.cmake: dpkg-shlibdeps and
# openssh-client), with everything they depend on, as .debs in a local directory: the package
# test installs zerospof in a clean lab container with no network, apt resolving its Depends
# from this directory only (tests/e2e/package_test.cpp).
package_runtime=(libc6 libcurl4 libfmt9 libfyaml0 libgcc-s1 libssl3 libstdc++6 openssh-client)
package_debs=/var/cache/zerospof/debs
fetch_package_debs() {
  local stamp="$package_debs/.list" want="${package_runtime[*]}"
  [[ -f $stamp && $(cat "$stamp") == "$want" ]] && return 0
  echo "install-deps: the package test's dependency .debs into $package_debs"
  mkdir -p "$package_debs"
  local closure
  closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "${package_runtime[@]}" | grep '^[a-z0-9]' | sort -u)
  download() {
    (
      cd "$package_debs"
      for package in $closure; do
        # Virtual names (debconf-2.0) have nothing to download; a real one missing fails the test.
        apt-get download -qq "$package" >/dev/null 2>&1 || true
      done
    )
  }
  download
  if ! compgen -G "$package_debs/libcurl4_*.deb" >/dev/null; then
    apt-get update -qq  # the package lists were stale or absent
    download
  fi
  if ! compgen -G "$package_debs/libcurl4_*.deb" >/dev/null; then
    echo "install-deps: could not download the package test's dependencies" >&2
    return 1
  fi
  echo "$want" >"$stamp"
}

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  if [[ $(id -u) -eq 0 && "${ZEROSPOF_LAB_PACKAGES:-1}" == 1 ]]; then fetch_package_debs; fi
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
if [[ "${ZEROSPOF_LAB_PACKAGES:-1}" == 1 ]]; then fetch_package_debs; fi
