#!/usr/bin/env bash
# Builds the upstream binaries the lab runs (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, etcd, etcdctl, kwok) and the data plane of real hosts, with which the
# render tests check the configs they get (kubelet, kube-proxy, containerd; config-check runs
# the kubelet's and kube-proxy's own validation of a config file), from Go modules at the
# versions pinned in the repository's versions.env (the one pin, which the C++ build reads
# too), into the binary cache that `zerospof apply` pushes from:
#   ${ZEROSPOF_BINARY_CACHE:-/var/cache/zerospof/binaries}/<kubernetes version>/
# with a manifest (name, version, sha256 per line) and kwok-patches (the digest of zerospof's
# patches to kwok, kwok/patches). Go only builds upstream code for the lab; zerospof itself is
# C++. Cached twice: a finished cache directory whose manifest matches the pinned versions and
# checksums, and whose kwok has the current patches, is kept as is (one whose kwok alone is
# stale gets kwok rebuilt alone), and GOCACHE/GOMODCACHE persist between runs.
# Gentle on a shared machine: nice 19 and one Go job unless ZEROSPOF_GO_JOBS says otherwise.
# Prints the cache directory on stdout when done; progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../versions.env
source "$here/../../versions.env"

# Absolute: GOCACHE, the kwok module's replace directive and `go build -o` (run elsewhere) need it.
cache_root=$(realpath -m "${ZEROSPOF_BINARY_CACHE:-/var/cache/zerospof/binaries}")
out=$cache_root/$KUBERNETES_VERSION
manifest=$out/manifest
jobs=${ZEROSPOF_GO_JOBS:-1}
# No VCS stamping: the binaries must not depend on the state of this checkout.
export GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
export GOCACHE=${GOCACHE_OVERRIDE:-${cache_root}/go-build}
export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)}
export GOTOOLCHAIN=local

say() { echo "binaries: $*" >&2; }

# The Go toolchain the modules need (their go.mod `go` line): the first `go` on PATH, else the
# upstream toolchain in /usr/local/go (Debian 12's golang-go, 1.19, is too old for Kubernetes).
use_recent_go() {
  local wanted have
  wanted=$(awk '$1 == "go" {print $2; exit}' "$here/kubernetes/go.mod")
  for candidate in "$(command -v go || true)" /usr/local/go/bin/go; do
    [[ -x $candidate ]] || continue
    have=$("$candidate" env GOVERSION 2>/dev/null | sed 's/^go//')
    if [[ $(printf '%s\n%s\n' "$wanted" "$have" | sort -V | head -n 1) == "$wanted" ]]; then
      PATH=$(dirname "$candidate"):$PATH
      return
    fi
  done
  say "error: the lab binaries need Go $wanted or newer (found: $(go env GOVERSION 2>/dev/null || echo none)); install it from the Go project and put it on PATH"
  exit 4
}

expected_manifest_versions() {
  printf '%s %s\n' etcd "$ETCD_VERSION" etcdctl "$ETCD_VERSION" kwok "$KWOK_VERSION" \
    kube-apiserver "$KUBERNETES_VERSION" kube-controller-manager "$KUBERNETES_VERSION" \
    kube-scheduler "$KUBERNETES_VERSION" kubectl "$KUBERNETES_VERSION" \
    kubelet "$KUBERNETES_VERSION" kube-proxy "$KUBERNETES_VERSION" \
    config-check "$KUBERNETES_VERSION" containerd "$CONTAINERD_VERSION" \
    containerd-shim-runc-v2 "$CONTAINERD_VERSION" ctr "$CONTAINERD_VERSION" runc "$RUNC_VERSION" \
    cni-bridge "$CNI_PLUGINS_VERSION" cni-host-local "$CNI_PLUGINS_VERSION" \
    cni-loopback "$CNI_PLUGINS_VERSION" cni-portmap "$CNI_PLUGINS_VERSION" \
    image-pause.tar "$PAUSE_VERSION" image-coredns.tar "$COREDNS_VERSION" \
    image-agnhost.tar "$AGNHOST_VERSION" image-etcd.tar "$ETCD_VERSION"
}

# What zerospof changes in kwok, a test double, so that it stands in for the kubelet faithfully:
# the patches in kwok/patches, applied in order (each says why). Their digest is kept beside the
# manifest, so that a changed patch rebuilds the cache.
kwok_patches_digest() {
  cat "$here"/kwok/patches/*.patch | sha256sum | cut -d' ' -f1
}

# build_kwok OUTPUT: kwok at the pinned version with the patches applied, from a copy of its
# module (the module cache stays read-only and unchanged) named by a replace directive in a
# copy of kwok/go.mod. The copy's path is fixed, not a temporary name: Go writes it into the
# binary's build information, and the same sources must give the same binary.
build_kwok() {
  local output=$1 work=$cache_root/.kwok-$KWOK_VERSION-patched source patch
  if ! command -v patch >/dev/null; then
    say "error: kwok is patched with patch(1), which is not installed (scripts/install-deps.sh)"
    exit 4
  fi
  rm -rf "$work"
  mkdir -p "$work"
  # Downloaded first: on a fresh machine nothing has fetched the module yet, and `go list -m`
  # then names no directory.
  source=$(cd "$here/kwok" && go mod download sigs.k8s.io/kwok &&
    go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  if [[ -z $source || ! -d $source ]]; then
    say "error: the kwok module's source is not in the module cache ($GOMODCACHE)"
    exit 4
  fi
  cp -r "$source" "$work/kwok"
  chmod -R u+w "$work/kwok"
  for patch in "$here"/kwok/patches/*.patch; do
    say "patching kwok: $(basename "$patch")"
    patch --quiet --batch --forward -p1 -d "$work/kwok" <"$patch"
  done
  cp "$here/kwok/go.mod" "$work/go.mod"
  cp "$here/kwok/go.sum" "$work/go.sum"
  (cd "$here/kwok" && go mod edit -modfile="$work/go.mod" -replace "sigs.k8s.io/kwok=$work/kwok")
  go_build kwok "$output" sigs.k8s.io/kwok/cmd/kwok \
    "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" -modfile="$work/go.mod"
  rm -rf "$work"
}

# Every binary of the pinned versions is in the cache, as its manifest says.
cache_binaries_are_complete() {
  [[ -f $manifest ]] || return 1
  diff <(expected_manifest_versions) <(awk '{print $1, $2}' "$manifest") >/dev/null || return 1
  (cd "$out" && awk '{print $3 "  " $1}' manifest | sha256sum --quiet -c -) >/dev/null 2>&1
}

kwok_has_the_patches() {
  [[ -f $out/kwok-patches && $(cat "$out/kwok-patches") == "$(kwok_patches_digest)" ]]
}

cache_is_complete() {
  cache_binaries_are_complete && kwok_has_the_patches
}

# A cache whose only stale binary is kwok (built before its patches changed, or without them):
# kwok alone is rebuilt and swapped in, its manifest line and digest with it, instead of every
# binary (about 20 minutes).
refresh_kwok() {
  local started=$SECONDS
  say "kwok's patches changed: rebuilding kwok alone"
  build_kwok "$out/.kwok.new"
  # In this order, so that an interrupted refresh leaves a cache that is rebuilt, never one that
  # passes for complete with the wrong kwok.
  rm -f "$out/kwok-patches"
  mv "$out/.kwok.new" "$out/kwok"
  awk -v sum="$(sha256sum "$out/kwok" | cut -d' ' -f1)" 'BEGIN {FS = OFS = "\t"}
    $1 == "kwok" {$3 = sum} {print}' "$manifest" >"$manifest.new"
  mv "$manifest.new" "$manifest"
  kwok_patches_digest >"$out/kwok-patches"
  say "done in $((SECONDS - started))s: $out"
}

# go_build DIR OUTPUT PACKAGE [LDFLAGS [GO BUILD FLAGS...]]: builds one main package of module
# DIR into OUTPUT.
go_build() {
  local dir=$1 output=$2 package=$3 ldflags=${4:-}
  shift $(($# < 4 ? $# : 4))
  local started=$SECONDS
  say "building $(basename "$output") ($package)"
  (cd "$here/$dir" && nice -n 19 go build -p "$jobs" -trimpath -ldflags "-s -w $ldflags" "$@" \
    -o "$output" "$package")
  say "built $(basename "$output") in $((SECONDS - started))s"
}

kubernetes_ldflags() {
  local minor=${KUBERNETES_VERSION#v1.}
  minor=${minor%%.*}
  local prefix=k8s.io/component-base/version
  echo "-X $prefix.gitVersion=$KUBERNETES_VERSION -X $prefix.gitMajor=1" \
    "-X $prefix.gitMinor=$minor -X $prefix.gitTreeState=clean" \
    "-X $prefix.buildDate=1970-01-01T00:00:00Z"
}

# The programs of the lab's real pods and their images: runc (cgo, with seccomp against Debian's
# libseccomp, as upstream's release), the CNI plugins, and the images the pods run, built from
# source under their upstream names by oci_image.py (nothing is pulled; the manifests stay
# unchanged): the pause sandbox (the pinned Kubernetes tree's pause.c, static, as upstream's
# Makefile), CoreDNS, agnhost and etcd.
build_pod_programs() {
  local staging=$1 plugin programs
  programs=$(mktemp -d "$staging/.programs.XXXXXX")
  CGO_ENABLED=1 go_build runc "$staging/runc" github.com/opencontainers/runc \
    "-X main.version=${RUNC_VERSION#v}" -tags seccomp
  for plugin in main/bridge ipam/host-local main/loopback meta/portmap; do
    go_build cni "$staging/cni-${plugin#*/}" \
      "github.com/containernetworking/plugins/plugins/$plugin" \
      "-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION"
  done
  go_build coredns "$programs/coredns" github.com/coredns/coredns
  go_build kubernetes "$programs/agnhost" k8s.io/kubernetes/test/images/agnhost
  local kubernetes_source
  kubernetes_source=$(cd "$here/kubernetes" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)
  local agnhost_tree
  agnhost_tree=$(cat "$kubernetes_source/test/images/agnhost/VERSION")
  if [[ v$agnhost_tree != "$AGNHOST_VERSION" ]]; then
    say "error: versions.env pins agnhost $AGNHOST_VERSION but Kubernetes $KUBERNETES_VERSION has $agnhost_tree"
    exit 4
  fi
  say "building pause ($kubernetes_source/build/pause/linux/pause.c)"
  gcc -Os -Wall -Werror -static "-DVERSION=$PAUSE_VERSION" -o "$programs/pause" \
    "$kubernetes_source/build/pause/linux/pause.c"
  image() { python3 "$here/oci_image.py" --arch "$(go env GOARCH)" "$@" >/dev/null; }
  image "$staging/image-pause.tar" "registry.k8s.io/pause:${PAUSE_VERSION#v}" \
    --entrypoint /pause --user 65535:65535 "/pause=$programs/pause"
  image "$staging/image-coredns.tar" "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" \
    --entrypoint /coredns "/coredns=$programs/coredns"
  image "$staging/image-agnhost.tar" \
    "registry.k8s.io/e2e-test-images/agnhost:${AGNHOST_VERSION#v}" \
    --entrypoint /agnhost "/agnhost=$programs/agnhost"
  # etcd as a workload of the lab's pods (a replicated key-value store whose acknowledged writes
  # a client records), from the lab's own etcd build, where upstream's image has it.
  image "$staging/image-etcd.tar" "registry.k8s.io/etcd:${ETCD_VERSION#v}-0" \
    --entrypoint /usr/local/bin/etcd "/usr/local/bin/etcd=$staging/etcd" \
    "/usr/local/bin/etcdctl=$staging/etcdctl"
  rm -rf "$programs"
}

main() {
  if cache_is_complete; then
    say "cache is complete for kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION, containerd $CONTAINERD_VERSION and the lab's pods"
    echo "$out"
    return
  fi
  use_recent_go
  if cache_binaries_are_complete; then
    refresh_kwok
    echo "$out"
    return
  fi
  local started=$SECONDS staging
  mkdir -p "$cache_root"
  staging=$(mktemp -d "$cache_root/.staging.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  go_build etcd "$staging/etcd" ./cmd/etcd
  go_build etcd "$staging/etcdctl" go.etcd.io/etcd/etcdctl/v3
  build_kwok "$staging/kwok"
  kwok_patches_digest >"$staging/kwok-patches"
  local component
  for component in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet \
    kube-proxy; do
    go_build kubernetes "$staging/$component" "k8s.io/kubernetes/cmd/$component" \
      "$(kubernetes_ldflags)"
  done
  go_build kubernetes "$staging/config-check" ./cmd/config-check "$(kubernetes_ldflags)"
  local containerd_version="-X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION"
  for component in containerd containerd-shim-runc-v2 ctr; do
    go_build containerd "$staging/$component" \
      "github.com/containerd/containerd/v2/cmd/$component" "$containerd_version"
  done
  build_pod_programs "$staging"
  expected_manifest_versions | while read -r name version; do
    printf '%s\t%s\t%s\n' "$name" "$version" "$(sha256sum "$staging/$name" | cut -d' ' -f1)"
  done >"$staging/manifest"
  rm -rf "$out"
  mv "$staging" "$out"
  trap - EXIT
  chmod 0755 "$out"
  say "done in $((SECONDS - started))s: $out"
  echo "$out"
}

main "$@"
