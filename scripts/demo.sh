#!/usr/bin/env bash
# The main job on one example: validate and check the topology, emit its artifacts, then read its Delta
# tables and run a federated query over them. Runs the built CLI (./dev demo builds first).
set -euo pipefail
example=${1:-orasi-telemetry}
file="examples/$example/topology.ts"
[ -f "$file" ] || { echo "demo: no example '$example' (looked for $file); one of: $(ls examples | grep -v -e test -e node_modules -e '\.' | tr '\n' ' ')" >&2; exit 2; }
echo "== validate $file"
node packages/cli/dist/cli.js validate "$file"
# The seeds are kept with their flaws, so check exits 1 on them: the demo shows the findings and goes on.
echo "== check $file (findings, then the availability arithmetic, RTO/RPO budgets and N-1 table)"
check_status=0
node packages/cli/dist/cli.js check "$file" --explain || check_status=$?
[ "$check_status" -le 1 ] || exit "$check_status"
echo "== emit mermaid: out/$example/diagrams"
# Diagrams of every view (whole, each region, each tier, data) with the checker's findings; SVG when Chromium is installed.
svg=()
[ -x /usr/bin/chromium ] && svg=(--svg)
node packages/cli/dist/cli.js emit mermaid "$file" --out "out/$example/diagrams" --with-check "${svg[@]}"
# Delta and federated query: demo tables for the example's deltaTable components (deterministic rows), one of them
# described by `delta info`, then the table held by the most regions queried across all of them.
meridian() { node packages/cli/dist/cli.js "$@"; }
demo=".meridian/demo/$example"
echo "== delta: demo tables in $demo"
tables=$(meridian demo-data "$file" --out "$demo" --json)
if [ "$tables" = "[]" ]; then
  echo "demo: $example declares no Delta tables; skipping delta info and query"
  exit 0
fi
# The table name most regions hold; its paths as --location flags; its regions as candidate --from sides.
mapfile -t pick < <(TABLES="$tables" node -e '
  const tables = JSON.parse(process.env.TABLES);
  const count = new Map();
  for (const t of tables) count.set(t.name, (count.get(t.name) ?? 0) + 1);
  const name = [...count].sort((a, b) => b[1] - a[1])[0][0];
  const chosen = tables.filter((t) => t.name === name);
  console.log(name);
  console.log(chosen[0].path);
  console.log(chosen.map((t) => `--location=${t.component}=${t.path}`).join(" "));
  console.log(chosen.map((t) => t.region).join(" "));')
table=${pick[0]}
read -r -a locations <<<"${pick[2]}"
echo "== delta info ${pick[1]}"
meridian delta info "${pick[1]}"
# Results must stay where the data may go: try each region as the querying side and show the first refusal.
from=""
for region in ${pick[3]}; do
  if meridian query "$file" --table "$table" --from "$region" "${locations[@]}" --explain >/dev/null 2>"$demo/refusal.txt"; then
    from=$region
    break
  fi
  echo "== query from $region: refused"
  cat "$demo/refusal.txt"
done
[ -n "$from" ] || { echo "demo: no region may receive every region's $table" >&2; exit 1; }
if [ "$from" = "${pick[3]%% *}" ] && ! meridian query "$file" --table "$table" --from US "${locations[@]}" --explain >/dev/null 2>"$demo/refusal.txt"; then
  echo "== query from US: refused"
  cat "$demo/refusal.txt"
fi
echo "== query plan: $table from $from"
meridian query "$file" --table "$table" --from "$from" "${locations[@]}" --explain
echo "== query: 5 rows of $table from every region"
meridian query "$file" --table "$table" --from "$from" "${locations[@]}" --limit 5
echo "== query: rows per region (partial counts per region, merged)"
meridian query "$file" --table "$table" --from "$from" "${locations[@]}" --group-by _region --agg count
