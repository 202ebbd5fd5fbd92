#!/usr/bin/env bash
# The main job on one example; grows as the packages land.
set -euo pipefail
example=${1:-tv-voting}
file="examples/$example/topology.ts"
[ -f "$file" ] || { echo "demo: no example '$example' (looked for $file)" >&2; exit 2; }
node packages/cli/dist/cli.js validate "$file"
# Diagrams of every view (whole, each region, each tier, data) with the checker's findings; SVG when Chromium is installed.
svg=()
[ -x /usr/bin/chromium ] && svg=(--svg)
node packages/cli/dist/cli.js emit mermaid "$file" --out "out/$example/diagrams" --check "${svg[@]}"
