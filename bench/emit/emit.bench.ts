/**
 * How long do `meridian check` and emitting every target take, next to the AWS CDK synthesizing the app we emit?
 *   npm run emit -w bench                 (EMIT_BENCH_RUNS=3 for a quicker run)
 * For every example: check plus every registered emitter (`emitters`), median of a few runs; then the generated CDK
 * app, written to a temp dir, synthesized in this process as `cdk synth` would (with cdk-nag's AwsSolutions pack):
 * the first synthesis also starts aws-cdk-lib's CloudFormation validation engine (WASM), so it is shown apart from
 * the median of the later ones. Prints a table and the ratio synth / (check + emit). Asserts nothing.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cdkEmitter, emitters, runEmitter } from '@meridian/emitters';
import { check, loadTopology } from '@meridian/topology';
import { App, type Stack } from 'aws-cdk-lib';
import { Bench } from 'tinybench';

const RUNS = Number(process.env.EMIT_BENCH_RUNS ?? 5);
const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const nodeModules = fileURLToPath(new URL('../../node_modules', import.meta.url));
const examples = ['aragora', 'hld-global', 'nexora', 'orasi-telemetry', 'reference', 'tv-voting'];

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

function synth(addStacks: (app: App) => Record<string, Stack>, outdir: string): number {
  const started = performance.now();
  const app = new App({ outdir });
  addStacks(app);
  app.synth();
  return performance.now() - started;
}

const root = mkdtempSync(join(tmpdir(), 'meridian-bench-emit-'));
const rows: string[] = [];
log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${RUNS} runs per measure`,
);
delete process.env.CDK_DEFAULT_ACCOUNT;
for (const example of examples) {
  const model = await loadTopology(join(examplesDir, example, 'topology.ts'));
  const checkMs = await median('check', () => check(model), RUNS);
  const emitMs = await median(
    'emit',
    () => {
      for (const emitter of emitters) runEmitter(emitter, model, {});
    },
    RUNS,
  );
  const files = runEmitter(cdkEmitter, model, {});
  const dir = join(root, example);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.contents);
  }
  symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
  const { addStacks } = (await import(join(dir, 'lib/app.ts'))) as {
    addStacks: (app: App) => Record<string, Stack>;
  };
  let run = 0;
  const first = synth(addStacks, join(dir, `cdk.out.${run++}`));
  const synthMs = await median('synth', () => synth(addStacks, join(dir, `cdk.out.${run++}`)), Math.max(1, RUNS - 2));
  const ours = checkMs + emitMs;
  rows.push(
    `| ${example} | ${checkMs.toFixed(1)} | ${emitMs.toFixed(1)} | ${first.toFixed(0)} | ${synthMs.toFixed(0)} | ${(synthMs / ours).toFixed(0)}x |`,
  );
  log(`${example}: done`);
}
console.log(`\nemitters: ${emitters.map((e) => e.id).join(', ')}\n`);
console.log(
  '| example | check ms | emit all ms | CDK first synth ms | CDK synth ms (median) | synth / (check + emit) |',
);
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
