#!/bin/sh
# cmake/package.cmake: the man page and the completion scripts, made by the built binary.
# Usage: make_help_files.sh ZEROSPOF_BINARY OUTPUT_DIR
set -eu
mkdir -p "$2"
"$1" manual | gzip -9n >"$2/zerospof.1.gz"
"$1" completion bash >"$2/zerospof.bash"
"$1" completion zsh >"$2/_zerospof"
