#!/usr/bin/env bash
# The main job on one example; grows as the packages land.
set -euo pipefail
example=${1:-tv-voting}
file="examples/$example/topology.ts"
[ -f "$file" ] || { echo "demo: no example '$example' (looked for $file)" >&2; exit 2; }
node packages/cli/dist/cli.js validate "$file"
