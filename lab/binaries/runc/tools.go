//go:build tools

// Records the upstream main package this module builds, so `go mod tidy` keeps it.
package tools

import _ "github.com/opencontainers/runc"
