/**
 * How fast does @meridian/delta scan a Delta table, next to DuckDB's read_parquet over the same files?
 *   npm run delta-scan -w bench            (DELTA_SCAN_ROWS=1000000 for a quicker run)
 * Generates (and caches in the temp dir) a 5-million-row telemetry table partitioned by region, zstd, several
 * files of several row groups; times a full scan into Arrow and a selective scan (one region, a 6-hour window
 * the statistics can prune) with our reader (worker pool, and on one thread) and with DuckDB (2 threads) in the
 * same run; then the time to open a table of 10,000 commits with a checkpoint. Prints tables, asserts nothing.
 */
import { execFile } from 'node:child_process';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { col, DecodePool, openTable } from '@meridian/delta';
import { isTelemetryTable, writeTelemetryTable } from '../../packages/delta/test/fixtures/telemetry-table.ts';
import { writeLogTable } from './log-table.ts';

const ROWS = Number(process.env.DELTA_SCAN_ROWS ?? 5_000_000);
const RUNS = Number(process.env.DELTA_SCAN_RUNS ?? 3);
// DELTA_SCAN_CASES=selective (or full, open; comma-separated) times only those cases: a quick rerun on a busy machine.
const CASES = (process.env.DELTA_SCAN_CASES ?? 'full,selective,open').split(',');
const options = { rows: ROWS, filesPerRegion: 4, rowGroupRows: 65_536, seed: 7 };
const dir = join(tmpdir(), 'meridian-bench', `delta-scan-${ROWS}`);
const logDir = join(tmpdir(), 'meridian-bench', 'delta-log-10000');

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * Runs `run` twice to warm up, then RUNS times on the clock; the peak resident set size (the whole process, workers
 * included) is sampled every 5 ms over the timed runs, after a garbage collection, so each case shows its own peak.
 */
async function time<T>(
  run: () => Promise<T>,
): Promise<{ ms: number; best: number; result: T; peakRss: number; cpu: number }> {
  const times: number[] = [];
  const cpus: number[] = [];
  let result: T | undefined;
  // Warm-up: wasm compiled, workers started, JIT settled, files in the page cache.
  await run();
  await run();
  (globalThis as { gc?: () => void }).gc?.();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 5);
  for (let i = 0; i < RUNS; i++) {
    // The previous case's garbage (hundreds of MB of Arrow buffers) is collected before the clock starts
    // (the npm script passes --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    result = await run();
    times.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  return {
    cpu: cpus[Math.floor(cpus.length / 2)] as number,
    ms: times[Math.floor(times.length / 2)] as number,
    best: times[0] as number,
    result: result as T,
    peakRss,
  };
}

/**
 * Runs `a` and `b` alternately (a b, then b a, ...) RUNS times after a warm-up of each, and returns each run's time
 * ratio a / b: on a shared machine, another job's burst then slows both sides of a pair instead of one whole case.
 */
async function timePaired(a: () => Promise<unknown>, b: () => Promise<unknown>, runs = RUNS): Promise<number[]> {
  await a();
  await b();
  const ratios: number[] = [];
  const timed = async (run: () => Promise<unknown>) => {
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    await run();
    return performance.now() - start;
  };
  for (let i = 0; i < runs; i++) {
    let ta: number;
    let tb: number;
    if (i % 2 === 0) {
      ta = await timed(a);
      tb = await timed(b);
    } else {
      tb = await timed(b);
      ta = await timed(a);
    }
    ratios.push(ta / tb);
  }
  return ratios.sort((x, y) => x - y);
}

interface StreamedMemory {
  readonly decoder: string;
  readonly baseline: number;
  readonly firstPeak: number;
  readonly between: number;
  readonly secondPeak: number;
  readonly rows: number;
  readonly largestBatch: number;
}

/** The streamed full scan's memory, each decoder in a fresh process (streamed-memory.ts says what is measured). */
async function streamedMemory(decoder: 'pool' | 'main-thread'): Promise<StreamedMemory> {
  const script = fileURLToPath(new URL('./streamed-memory.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--conditions=@meridian/source', '--import', 'tsx', script, dir, decoder],
    { maxBuffer: 1 << 20 },
  );
  return { decoder, ...(JSON.parse(stdout.trim().split('\n').at(-1) as string) as Omit<StreamedMemory, 'decoder'>) };
}

if (!(await isTelemetryTable(dir, options))) {
  log(`generating ${ROWS.toLocaleString()} rows into ${dir} ...`);
  const started = performance.now();
  await writeTelemetryTable(dir, options);
  log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} else log(`using the cached table in ${dir}`);

const table = await openTable(dir);
const snapshot = await table.snapshot();
const files = snapshot.files();
const bytes = files.reduce((sum, f) => sum + f.size, 0);
log(`${files.length} files, ${(bytes / 1e6).toFixed(0)} MB, cores available: ${availableParallelism()}`);

const poolSize = Math.max(2, availableParallelism());
const pool = new DecodePool(poolSize);
const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await duck.connect();
const source = `read_parquet('${dir}/*/*.parquet', hive_partitioning = true)`;

/** Runs `sql` in DuckDB and fetches its chunks one by one, keeping none; the rows it returned. */
async function duckdbStreamed(sql: string): Promise<number> {
  const result = await connection.run(sql);
  let count = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk())
    count += chunk.rowCount;
  return count;
}

/** The median and range of paired ratios (sorted by timePaired), against the goal. */
function pairedLine(label: string, ratios: readonly number[], goal: string): string {
  const median = ratios[Math.floor(ratios.length / 2)] as number;
  return `${label}, ${ratios.length} alternating pairs: median ${fmt(median, 2)}x (range ${fmt(ratios[0] as number, 2)}-${fmt(ratios.at(-1) as number, 2)}x; goal ${goal})`;
}

const selective = {
  text: "region = 'eu-west-1' and ts >= '2024-01-03 00:00:00' and ts < '2024-01-03 06:00:00'",
  predicate: col('region')
    .eq('eu-west-1')
    .and(col('ts').gte(new Date('2024-01-03T00:00:00Z')), col('ts').lt(new Date('2024-01-03T06:00:00Z'))),
  sql: `select * from ${source} where region = 'eu-west-1' and ts >= timestamptz '2024-01-03 00:00:00+00' and ts < timestamptz '2024-01-03 06:00:00+00'`,
};

interface Row {
  readonly case: string;
  readonly engine: string;
  readonly ms: number;
  /** The fastest run: on a shared machine, the least disturbed one. */
  readonly best: number;
  readonly rows: number;
  /** Peak resident set size of the process over the timed runs, bytes. */
  readonly peakRss: number;
  /** Median CPU time of a run, this process's threads (workers included, DuckDB's too), ms. */
  readonly cpu: number;
  readonly note?: string;
}
const results: Row[] = [];
let pairedRatios: number[] = [];
let selectivePaired: number[] = [];
const memory: StreamedMemory[] = [];

for (const [name, where, sql] of [
  ['full scan', undefined, `select * from ${source}`],
  ['selective scan', selective.predicate, selective.sql],
] as const) {
  if (!CASES.includes(name.split(' ')[0] as string)) continue;
  log(`timing ${name} ...`);
  if (!where) {
    // Batches dropped as they come: memory bounded by the files in flight, not the table. Timed first, so its peak
    // RSS is not the peak an earlier case left behind (RSS seldom shrinks).
    const streamed = await time(async () => {
      let rows = 0;
      for await (const batch of snapshot.scan({ decoder: pool })) rows += batch.numRows;
      return rows;
    });
    results.push({
      case: name,
      engine: `meridian, ${poolSize} workers, streamed`,
      ms: streamed.ms,
      best: streamed.best,
      rows: streamed.result,
      peakRss: streamed.peakRss,
      cpu: streamed.cpu,
      note: 'batches dropped as they come',
    });
  }
  const ours = await time(async () => {
    const scan = snapshot.scan({ ...(where ? { where } : {}), decoder: pool });
    const arrow = await scan.toArrow();
    return { rows: arrow.numRows, metrics: scan.metrics };
  });
  const m = ours.result.metrics;
  const skipped = where
    ? `files skipped ${m.filesSkippedByPartition} by partition + ${m.filesSkippedByStats} by stats of ${m.filesTotal}; row groups skipped ${m.rowGroupsSkipped} of ${m.rowGroupsTotal}; ${m.rowsDecoded.toLocaleString('en-US')} rows decoded`
    : `${m.filesRead} files, ${m.rowGroupsTotal} row groups`;
  results.push({
    case: name,
    engine: `meridian, ${poolSize} workers`,
    ms: ours.ms,
    best: ours.best,
    rows: ours.result.rows,
    peakRss: ours.peakRss,
    cpu: ours.cpu,
    note: skipped,
  });
  const single = await time(
    async () => (await snapshot.scan({ ...(where ? { where } : {}), decoder: 'main-thread' }).toArrow()).numRows,
  );
  results.push({
    case: name,
    engine: 'meridian, 1 thread',
    ms: single.ms,
    best: single.best,
    rows: single.result,
    peakRss: single.peakRss,
    cpu: single.cpu,
  });
  // DuckDB decodes every row into its vectors, which we fetch chunk by chunk (no JavaScript values are made):
  // the counterpart of our Arrow batches. runAndReadAll, which also keeps every chunk, is timed for reference.
  const duckdb = await time(() => duckdbStreamed(sql));
  results.push({
    case: name,
    engine: 'duckdb read_parquet, 2 threads',
    ms: duckdb.ms,
    best: duckdb.best,
    rows: duckdb.result,
    peakRss: duckdb.peakRss,
    cpu: duckdb.cpu,
    note: 'chunks streamed',
  });
  const kept = await time(async () => (await connection.runAndReadAll(sql)).currentRowCount);
  results.push({
    case: name,
    engine: 'duckdb, runAndReadAll',
    ms: kept.ms,
    best: kept.best,
    rows: kept.result,
    peakRss: kept.peakRss,
    cpu: kept.cpu,
    note: 'every chunk kept',
  });
  // DuckDB's decode alone: every column consumed by an aggregate, nothing handed to JavaScript.
  const aggregate = sql.replace(
    'select *',
    'select count(*)::int as n, sum(epoch_us(ts)), sum(length(service)), sum(length(host)), sum(latency_ms), sum(status), sum(bytes), sum(length(message)), sum(length(region))',
  );
  const decodeOnly = await time(async () =>
    Number((await connection.runAndReadAll(aggregate)).getRowObjectsJS()[0]?.n),
  );
  results.push({
    case: name,
    engine: 'duckdb, decode only',
    ms: decodeOnly.ms,
    best: decodeOnly.best,
    rows: decodeOnly.result,
    peakRss: decodeOnly.peakRss,
    cpu: decodeOnly.cpu,
    note: 'aggregate of every column',
  });
  if (where) {
    // The goal's ratio, in alternating pairs as for the full scan: a burst of other work lands on both sides.
    log('timing the selective scan (1 thread) against DuckDB in alternating pairs ...');
    selectivePaired = await timePaired(
      async () => (await snapshot.scan({ where, decoder: 'main-thread' }).toArrow()).numRows,
      () => duckdbStreamed(sql),
      // A pair takes a tenth of a second: enough of them for a median.
      Math.max(RUNS, 21),
    );
  }
  if (!where) {
    log('timing the full scan against DuckDB in alternating pairs ...');
    pairedRatios = await timePaired(
      async () => (await snapshot.scan({ decoder: pool }).toArrow()).numRows,
      () => duckdbStreamed(sql),
    );
    log('measuring the streamed full scan in processes of its own ...');
    memory.push(await streamedMemory('pool'), await streamedMemory('main-thread'));
  }
}

const opened = results.length;
if (CASES.includes('open')) {
  log('timing table open (10,000 commits, checkpoint at 9,900) ...');
  await writeLogTable(logDir, 10_000, 9_900);
  const open = await time(async () => (await (await openTable(logDir)).snapshot()).files().length);
  results.push({
    case: 'open 10,000 commits + checkpoint',
    engine: 'meridian',
    ms: open.ms,
    best: open.best,
    rows: open.result,
    peakRss: open.peakRss,
    cpu: open.cpu,
    note: 'live files after replay',
  });
}

await pool.close();
connection.closeSync();
duck.closeSync();

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const lines = [
  `| case | engine | median ms (${RUNS} runs) | best ms | rows | rows/s (median) | time / DuckDB's (median) | peak RSS MB | CPU ms (median) | notes |`,
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
];
for (const [i, row] of results.entries()) {
  const peer =
    i < opened ? results.find((r) => r.case === row.case && r.engine.startsWith('duckdb read_parquet')) : undefined;
  const ratio = peer && row !== peer ? `${fmt(row.ms / peer.ms, 2)}x` : '';
  lines.push(
    `| ${row.case} | ${row.engine} | ${fmt(row.ms, 1)} | ${fmt(row.best, 1)} | ${fmt(row.rows)} | ${fmt((row.rows / row.ms) * 1000)} | ${ratio} | ${fmt(row.peakRss / 2 ** 20)} | ${fmt(row.cpu)} | ${row.note ?? ''} |`,
  );
}
if (pairedRatios.length > 0)
  lines.push(
    `\n${pairedLine(`full scan, meridian toArrow (${poolSize} workers) / DuckDB chunks streamed`, pairedRatios, '<= 0.7x')}`,
  );
if (memory.length > 0) {
  const mb = (n: number) => fmt(n / 2 ** 20);
  lines.push(
    '\nstreamed full scan (batches dropped as they come), each in a fresh process; a batch = the largest batch returned',
    '| decoder | RSS before the scan MB | first scan: peak above it MB | in batches | RSS between scans MB | second scan: peak above that MB | in batches | batch MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const m of memory) {
    const batches = (n: number) => fmt(n / m.largestBatch, 1);
    lines.push(
      `| ${m.decoder === 'pool' ? '2 workers' : 'calling thread'} | ${mb(m.baseline)} | ${mb(m.firstPeak - m.baseline)} | ${batches(m.firstPeak - m.baseline)} | ${mb(m.between)} | ${mb(m.secondPeak - m.between)} | ${batches(m.secondPeak - m.between)} | ${fmt(m.largestBatch / 2 ** 20, 1)} |`,
    );
  }
  lines.push(
    'first scan: workers started and parquet-wasm compiled and grown during it (fixed cost included); second scan: what batches in flight and their garbage add',
  );
}
const pooled = results.filter((r) => r.engine.startsWith('meridian,') && r.engine.endsWith('workers'));
lines.push(
  `\nload average during the run: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores`,
);
for (const p of pooled) {
  const one = results.find((r) => r.case === p.case && r.engine === 'meridian, 1 thread');
  if (one)
    lines.push(
      `\nworker pool speedup, ${p.case}: ${fmt(one.ms / p.ms, 2)}x over one thread (best runs: ${fmt(one.best / p.best, 2)}x)`,
    );
}
// Issue 19's goal for the selective scan: at most DuckDB's time (streamed chunks) in the same run, judged cold (each
// run is a new scan: no footer, page index or data is kept between scans).
const duckSelective = results.find((r) => r.case === 'selective scan' && r.engine.startsWith('duckdb read_parquet'));
if (duckSelective) {
  const ratios = results
    .filter((r) => r.case === 'selective scan' && r.engine.startsWith('meridian'))
    .map((r) => `${r.engine} ${fmt(r.ms / duckSelective.ms, 2)}x (best runs ${fmt(r.best / duckSelective.best, 2)}x)`);
  lines.push(`\nselective scan / DuckDB's time (goal <= 1.0x): ${ratios.join('; ')}`);
}
if (selectivePaired.length > 0)
  lines.push(pairedLine('selective scan, meridian 1 thread / DuckDB chunks streamed', selectivePaired, '<= 1.0x'));
console.log(lines.join('\n'));
