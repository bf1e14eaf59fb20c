// Builds kwok (a stand-in for kubelet on lab hosts) at the version pinned in the repository's
// versions.env.
module zerospof.lab/binaries/kwok

go 1.26.0

require sigs.k8s.io/kwok v0.8.0
