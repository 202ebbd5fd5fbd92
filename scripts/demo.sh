#!/usr/bin/env bash
# A tour of one example (./dev demo [example], default orasi-telemetry): validate and check its topology, emit its
# diagrams, Kubernetes manifests, Terraform JSON and CDK app, write and read its regional Delta tables, run a federated query over them, then a summary of what was
# produced and where. Each step prints a summary, not everything: the commands to see more are named as it goes.
# The design review page goes to out/<example>/review.html (meridian report), beside the emitted artifacts.
# Runs the built CLI (./dev demo builds first). Details of every step are kept in .meridian/demo/<example>/*.log.
# Knobs (for examples/test/demo.test.ts): MERIDIAN_DEMO_DIR=<dir> writes the tables and diagrams under <dir> instead of
# .meridian/demo/<example> and out/<example>/diagrams; MERIDIAN_DEMO_SVG=off skips rendering SVG.
set -euo pipefail
example=${1:-orasi-telemetry}
file="examples/$example/topology.ts"
[ -f "$file" ] || { echo "demo: no example '$example' (looked for $file); one of: $(ls examples | grep -v -e test -e node_modules -e '\.' | tr '\n' ' ')" >&2; exit 2; }
meridian() { node packages/cli/bin/meridian.js "$@"; }
demo="${MERIDIAN_DEMO_DIR:-.meridian/demo}/$example"
diagrams="out/$example/diagrams"
[ -n "${MERIDIAN_DEMO_DIR:-}" ] && diagrams="$MERIDIAN_DEMO_DIR/diagrams"
rm -rf "$demo" "$diagrams"
mkdir -p "$demo"
step() { printf '\n== %s\n' "$*"; }

echo "Meridian tour of $file"
step "1/5 validate: the model loads and every reference is of the right kind"
meridian validate "$file" | sed 's/^/  /'

# The seeds are kept with their flaws, so check exits 1 on them: the tour shows the findings and goes on.
step "2/5 check: what cannot meet the model's own objectives, before anything is deployed"
check_status=0
meridian check "$file" --format json >"$demo/check.json" 2>"$demo/check.log" || check_status=$?
[ "$check_status" -le 1 ] || { cat "$demo/check.log" >&2; exit "$check_status"; }
meridian check "$file" >"$demo/check.txt" 2>/dev/null || true
# Findings grouped by rule with their counts, then the worst few in full: one per rule, errors first, the rules whose
# failure costs most first (data where it may not go, data lost, time down), as `meridian check` prints them.
CHECK_JSON="$demo/check.json" CHECK_TEXT="$demo/check.txt" node -e '
  const fs = require("node:fs");
  const { findings } = JSON.parse(fs.readFileSync(process.env.CHECK_JSON, "utf8"));
  const text = fs.readFileSync(process.env.CHECK_TEXT, "utf8");
  const severities = ["error", "warning", "info"];
  const costliest = ["residency", "rpo", "rto", "sla", "spof", "capacity-n1", "replication", "cycle", "security"];
  const rank = (rule) => (costliest.includes(rule) ? costliest.indexOf(rule) : costliest.length);
  const count = (s) => findings.filter((f) => f.severity === s).length;
  if (findings.length === 0) { console.log("  no findings: the design meets its objectives"); process.exit(0); }
  const groups = new Map();
  for (const f of findings) {
    const key = f.severity + " " + f.rule;
    if (!groups.has(key)) groups.set(key, { severity: f.severity, rule: f.rule, list: [] });
    groups.get(key).list.push(f);
  }
  const ordered = [...groups.values()].sort((a, b) =>
    severities.indexOf(a.severity) - severities.indexOf(b.severity) || rank(a.rule) - rank(b.rule) || b.list.length - a.list.length);
  const rules = new Set(findings.map((f) => f.rule)).size;
  console.log("  " + severities.map((s) => count(s) + " " + s + (s === "info" ? "" : "s")).join(", ") + " from " + rules + " rules:");
  const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
  for (const g of ordered)
    console.log("    " + g.severity.padEnd(8) + g.rule.padEnd(15) + String(g.list.length).padStart(3) + "  " + clip(g.list[0].message, 70));
  const blocks = text.split(/\n\s*\n/);
  const worst = ordered.slice(0, 3);
  console.log("\n  The worst " + worst.length + ", in full:");
  for (const g of worst) {
    const f = g.list[0];
    const block = blocks.find((b) => b.includes(f.message)) ?? f.message + (f.hint ? "\n  hint: " + f.hint : "");
    console.log(block.trimEnd().replace(/^/gm, "  ") + "\n");
  }
'
check_summary=$(node -e '
  const f = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).findings;
  const n = (s) => f.filter((x) => x.severity === s).length;
  console.log(`${n("error")} errors, ${n("warning")} warnings, ${n("info")} info in ${new Set(f.map((x) => x.rule)).size} rules`);' "$demo/check.json")
cat <<EOF
  Every finding with its code frame:          npx meridian check $file
  The availability, RTO/RPO and N-1 arithmetic:  npx meridian check $file --explain
EOF

step "3/5 emit: diagrams, Kubernetes manifests, Terraform JSON, a CDK app and the review page, all from the one model"
# SVG when Chromium is installed (./dev test installs it when it may); the .mmd files either way.
svg=()
if [ "${MERIDIAN_DEMO_SVG:-on}" != off ] && { [ -n "${MERIDIAN_CHROMIUM:-}" ] || command -v chromium >/dev/null; }; then
  svg=(--svg)
  echo "  rendering every view to SVG in Chromium, for the diagrams and the review page (about 3 s a view, twice)"
fi
meridian emit mermaid "$file" --out "$diagrams" --with-check "${svg[@]}" >"$demo/emit.txt" 2>"$demo/emit.log" ||
  { cat "$demo/emit.log" >&2; exit 1; }
views=$(grep -c '\.mmd$' "$demo/emit.txt" || true)
svgs=$(grep -c '\.svg$' "$demo/emit.txt" || true)
names=$(sed -n 's|.*/[^.]*\.\(.*\)\.mmd$|\1|p' "$demo/emit.txt" | tr '\n' ' ')
echo "  mermaid    $views views, findings overlaid: $names"
echo "             in $diagrams/: $views .mmd$([ "$svgs" -gt 0 ] && echo ", $svgs .svg")"
# The deployable targets, each in a folder of its own beside the diagrams. Kubernetes refuses a workload it would
# have to guess (no image, a pod the namespace's security standard rejects): the tour shows how many and why,
# then writes the rest with --skip-refused, as a team would while fixing the model.
artifacts="$(dirname "$diagrams")"
for target in k8s terraform cdk; do
  rm -rf "${artifacts:?}/$target"
  note=""
  if ! meridian emit "$target" "$file" --out "$artifacts/$target" >"$demo/emit-$target.txt" 2>"$demo/emit-$target.log"; then
    if [ "$target" = k8s ] && grep -q '^error refused-component' "$demo/emit-$target.log"; then
      note=", $(sed -n 's/^error refused-component: k8s: \([0-9]* components\{0,1\} refused\).*/\1/p' "$demo/emit-$target.log")"
      note="$note (first: $(sed -n '2{s/^ *[^ ]* ([a-z-]*): //;s/:.*//;p}' "$demo/emit-$target.log"); the rest written with --skip-refused)"
      meridian emit k8s "$file" --out "$artifacts/k8s" --skip-refused >"$demo/emit-$target.txt" 2>>"$demo/emit-$target.log" ||
        { cat "$demo/emit-$target.log" >&2; exit 1; }
    else
      cat "$demo/emit-$target.log" >&2
      exit 1
    fi
  fi
  printf '  %-10s %s files in %s/%s\n' "$target" "$(find "$artifacts/$target" -type f | wc -l | tr -d ' ')" "$artifacts/$target" "$note"
done
# The design review: one self-contained HTML page (diagrams, findings, availability/RTO/RPO charts, N-1 table).
# It renders every view in Chromium, so it is written only when the SVG diagrams are.
report="$artifacts/review.html"
if [ ${#svg[@]} -gt 0 ]; then
  rm -f "$report"
  meridian report "$file" --out "$report" >"$demo/report.txt" 2>"$demo/report.log" || { cat "$demo/report.log" >&2; exit 1; }
  report_line="$report ($(($(wc -c <"$report") / 1024)) KiB; open it in a browser)"
else
  report_line="not written: it renders the diagrams in Chromium (none found, or MERIDIAN_DEMO_SVG=off)"
fi
printf '  %-10s %s\n' report "$report_line"

# Delta and federated query: demo tables for the example's deltaTable components (deterministic rows), one of them
# described by `delta info`, then the table held by the most regions queried across all of them.
step "4/5 delta: the example's Delta tables, one per region that declares one"
tables=$(meridian demo-data "$file" --out "$demo" --json 2>"$demo/demo-data.log")
summary() {
  echo
  echo "== Summary"
  echo "  check     $check_summary"
  echo "  diagrams  $diagrams/ ($views views)"
  echo "  emitted   $artifacts/{k8s,terraform,cdk}/ (meridian emit --list names every target)"
  echo "  report    $report_line"
  [ -n "${1:-}" ] && printf '%s\n' "$@"
  echo "  next      npx meridian --help; npx meridian init my-platform starts a project of your own"
}
if [ "$tables" = "[]" ]; then
  echo "  $example declares no Delta tables: no tables to read and nothing to query"
  summary
  exit 0
fi
TABLES="$tables" node -e '
  for (const t of JSON.parse(process.env.TABLES))
    console.log("  " + t.component.padEnd(26) + String(t.rows.toLocaleString("en-US")).padStart(6) + " rows  " + t.path.replace(process.cwd() + "/", ""));'
# The table name most regions hold; its paths as --location flags; its regions as candidate --from sides.
mapfile -t pick < <(TABLES="$tables" node -e '
  const tables = JSON.parse(process.env.TABLES);
  const count = new Map();
  for (const t of tables) count.set(t.name, (count.get(t.name) ?? 0) + 1);
  const name = [...count].sort((a, b) => b[1] - a[1])[0][0];
  const chosen = tables.filter((t) => t.name === name);
  console.log(name);
  console.log(chosen[0].path.replace(process.cwd() + "/", ""));
  console.log(chosen.map((t) => `--location=${t.component}=${t.path}`).join(" "));
  console.log(chosen.map((t) => t.region).join(" "));')
table=${pick[0]}
read -r -a locations <<<"${pick[2]}"
echo
echo "  meridian delta info ${pick[1]}"
meridian delta info "${pick[1]}" | sed 's/^/    /'

step "5/5 query: $table over every region's copy, planned from the model"
# Results must stay where the data may go: try each region as the querying side; show the first refusal.
from=""
refused=""
for region in ${pick[3]}; do
  if meridian query "$file" --table "$table" --from "$region" "${locations[@]}" --explain >/dev/null 2>"$demo/refusal.txt"; then
    from=$region
    break
  fi
  if [ -z "$refused" ]; then
    refused=$region
    echo "  from $region: refused"
    sed 's/^/    /' "$demo/refusal.txt"
  fi
done
[ -n "$from" ] || { echo "demo: no region may receive every region's $table" >&2; exit 1; }
echo "  from $from: the plan (--explain)"
meridian query "$file" --table "$table" --from "$from" "${locations[@]}" --explain | sed 's/^/    /'
echo "  from $from: the first 5 rows to arrive (--limit 5)"
meridian query "$file" --table "$table" --from "$from" "${locations[@]}" --limit 5 2>"$demo/query.log" | sed 's/^/    /'
# The tables are a lake (meridian lake init writes one for any topology): SQL over every region, the aggregate split
# into a partial per region and a final merge (--group-by _region --agg count says the same without SQL).
echo "  from $from: rows per region in SQL over the example's lake, counted in each region and merged (--lake, --sql)"
meridian query "$file" --lake "$demo" --from "$from" \
  --sql "SELECT _region, count(*) AS n FROM \"$table\" GROUP BY _region ORDER BY n DESC" \
  2>>"$demo/query.log" | sed 's/^/    /'

summary "  tables    $demo/ ($(TABLES="$tables" node -e 'const t=JSON.parse(process.env.TABLES); console.log(`${t.length} Delta tables, ${t.reduce((n,x)=>n+x.rows,0).toLocaleString("en-US")} rows`)'))" \
  "  query     $table from $from over ${#locations[@]} regions${refused:+; from $refused refused (residency)}"
