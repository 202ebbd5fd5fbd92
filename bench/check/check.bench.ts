/**
 * How does `meridian check` grow with the size of a topology?
 *   npm run check -w bench                 (CHECK_BENCH_SIZES=2x50,3x200 for a quicker run)
 * Generates synthetic topologies (regions x services, up to 10,000 components and 50,000 flows), then times
 * parseTopology, toGraph and check (all 15 rules plus the explanation), median of a few runs. The peer is the
 * naive approach a checker that enumerates request paths would take: every path from the users to a sink, each
 * multiplied out, stopped after a time budget; its path count (counted exactly, by dynamic programming) shows why
 * check reduces the graph instead. Prints tables, asserts nothing.
 */
import { check, parseTopology, ruleIds, type Topology, toGraph } from '@meridian/topology';
import { Bench } from 'tinybench';
import { syntheticTopology } from './synthetic-topology.ts';

const sizes = (process.env.CHECK_BENCH_SIZES ?? '2x50,3x200,5x400,5x1000,6x1400,6x1650')
  .split(',')
  .map((size) => size.split('x').map(Number) as [number, number]);
const ENUMERATION_BUDGET_MS = Number(process.env.CHECK_BENCH_ENUMERATION_MS ?? 2000);

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function median(name: string, fn: () => unknown, iterations: number): Promise<number> {
  const bench = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0]?.result as { latency?: { p50?: number } } | undefined;
  return result?.latency?.p50 ?? Number.NaN;
}

// Sync request edges: what a path-enumerating checker walks.
function syncAdjacency(model: Topology): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const flow of model.flows) if (flow.sync) out.set(flow.from, [...(out.get(flow.from) ?? []), flow.to]);
  return out;
}

function countPaths(out: Map<string, string[]>, from: string, memo = new Map<string, bigint>()): bigint {
  const known = memo.get(from);
  if (known !== undefined) return known;
  memo.set(from, 0n);
  const next = out.get(from) ?? [];
  const count = next.length === 0 ? 1n : next.reduce((sum, to) => sum + countPaths(out, to, memo), 0n);
  memo.set(from, count);
  return count;
}

// The peer: depth-first enumeration of every path, availability multiplied along each, within a time budget.
function enumeratePaths(
  out: Map<string, string[]>,
  from: string,
  budgetMs: number,
): { paths: number; ms: number; finished: boolean } {
  const started = performance.now();
  let paths = 0;
  let worst = 1;
  const stack: { node: string; product: number; depth: number }[] = [{ node: from, product: 1, depth: 0 }];
  while (stack.length > 0) {
    if ((paths & 0xfff) === 0 && performance.now() - started > budgetMs)
      return { paths, ms: performance.now() - started, finished: false };
    const { node, product, depth } = stack.pop() as { node: string; product: number; depth: number };
    const next = out.get(node) ?? [];
    if (next.length === 0 || depth > 64) {
      paths++;
      worst = Math.min(worst, product);
      continue;
    }
    for (const to of next) stack.push({ node: to, product: product * 0.9999, depth: depth + 1 });
  }
  return { paths, ms: performance.now() - started, finished: worst <= 1 };
}

const rows: string[][] = [];
let largest: Topology | undefined;
for (const [regions, services] of sizes) {
  const input = syntheticTopology(regions, services);
  const model = parseTopology(input);
  largest = model;
  const iterations = model.components.length > 3000 ? 3 : 7;
  log(`${regions}x${services}: ${model.components.length} components, ${model.flows.length} flows ...`);
  const parseMs = await median('parse', () => parseTopology(input), iterations);
  const graphMs = await median('graph', () => toGraph(model), iterations);
  const checkMs = await median('check', () => check(model), iterations);
  const result = check(model);
  const out = syncAdjacency(model);
  const paths = countPaths(out, 'users');
  const peer = enumeratePaths(out, 'users', ENUMERATION_BUDGET_MS);
  rows.push([
    `${regions}x${services}`,
    String(model.components.length),
    String(model.flows.length),
    parseMs.toFixed(1),
    graphMs.toFixed(1),
    checkMs.toFixed(1),
    ((checkMs / (model.components.length + model.flows.length)) * 1000).toFixed(2),
    String(result.findings.length),
    paths.toLocaleString('en-US'),
    peer.finished ? peer.ms.toFixed(0) : `>${ENUMERATION_BUDGET_MS} (${peer.paths.toLocaleString('en-US')} paths)`,
    peer.finished ? (peer.ms / checkMs).toFixed(1) : `>${(ENUMERATION_BUDGET_MS / checkMs).toFixed(1)}`,
  ]);
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

process.stdout.write(
  `\nmeridian check on synthetic topologies (median ms; us/elem = check time per component+flow; the peer enumerates request paths)\n${table(
    [
      'size',
      'components',
      'flows',
      'parse ms',
      'graph ms',
      'check ms',
      'us/elem',
      'findings',
      'request paths',
      'enumerate ms',
      'peer/check',
    ],
    rows,
  )}\n`,
);

// Depth: the same number of services in more layers. Request paths multiply by the fan-out per layer; check does not.
const depthRows: string[][] = [];
for (const layers of (process.env.CHECK_BENCH_LAYERS ?? '4,6,8,10,12').split(',').map(Number)) {
  const model = parseTopology(syntheticTopology(3, 600, { layers }));
  log(`3x600 in ${layers} layers ...`);
  const checkMs = await median('check', () => check(model), 5);
  const out = syncAdjacency(model);
  const peer = enumeratePaths(out, 'users', ENUMERATION_BUDGET_MS);
  depthRows.push([
    String(layers),
    String(model.components.length),
    String(model.flows.length),
    checkMs.toFixed(1),
    countPaths(out, 'users').toLocaleString('en-US'),
    peer.finished ? peer.ms.toFixed(0) : `>${ENUMERATION_BUDGET_MS} (${peer.paths.toLocaleString('en-US')} paths)`,
    peer.finished ? (peer.ms / checkMs).toFixed(1) : `>${(ENUMERATION_BUDGET_MS / checkMs).toFixed(1)}`,
  ]);
}
process.stdout.write(
  `\ndepth: 3 regions x 600 services in more layers (fan-out 3)\n${table(['layers', 'components', 'flows', 'check ms', 'request paths', 'enumerate ms', 'peer/check'], depthRows)}\n`,
);

if (largest) {
  // Each rule alone minus a run of no rule (the context and the topology graph every run builds).
  const model = largest;
  const baseline = await median('context', () => check(model, { rules: [], explain: false }), 5);
  const perRule: string[][] = [];
  for (const id of ruleIds) {
    const ms = await median(id, () => check(model, { rules: [id], explain: false }), 5);
    perRule.push([id, Math.max(0, ms - baseline).toFixed(1)]);
  }
  perRule.sort((a, b) => Number(b[1]) - Number(a[1]));
  process.stdout.write(
    `\nper rule on the largest size: each rule alone minus the ${baseline.toFixed(1)} ms every run spends on context and graph (shared analyses counted in each rule that needs them)\n${table(['rule', 'ms'], perRule)}\n`,
  );
}
