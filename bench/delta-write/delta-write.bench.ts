/**
 * How fast does @meridian/delta write a Delta table, next to DuckDB writing the same rows as parquet?
 *   npm run delta-write -w bench            (DELTA_WRITE_ROWS=1000000 for a quicker run)
 * 1. Append the scan benchmark's rows (5 million, partitioned by region) as a new table with writeTable, and
 *    DuckDB's COPY ... TO ... (FORMAT parquet, COMPRESSION zstd, PARTITION_BY region) of the same rows held in
 *    a DuckDB table, in the same run; prints the ratio (goal: at most 1.5x DuckDB's time).
 * 2. Commits per second with 8 concurrent writers (25 appends of 100 rows each) on local disk, and on an S3
 *    server when MERIDIAN_S3_ENDPOINT (plus AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) names one.
 * 3. The cost of one append at commit 11 and at commit 1,001, with a checkpoint at 990 (as the writer leaves
 *    them every 10 commits) and without one.
 * Prints tables, asserts nothing.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openStorage, openTable, type Storage, writeTable } from '@meridian/delta';
import { Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { isTelemetryTable, writeTelemetryTable } from '../../packages/delta/test/fixtures/telemetry-table.ts';
import { writeLogTable } from '../delta-scan/log-table.ts';

const ROWS = Number(process.env.DELTA_WRITE_ROWS ?? 5_000_000);
const RUNS = Number(process.env.DELTA_WRITE_RUNS ?? 3);
const source = join(tmpdir(), 'meridian-bench', `delta-scan-${ROWS}`);
const sourceOptions = { rows: ROWS, filesPerRegion: 4, rowGroupRows: 65_536, seed: 7 };
const scratch = await mkdtemp(join(tmpdir(), 'meridian-bench-write-'));

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function time(
  runs: number,
  prepare: () => Promise<void>,
  run: () => Promise<void>,
): Promise<{ ms: number; best: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await prepare();
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] as number, best: times[0] as number };
}

const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const lines: string[] = [];
/** A Markdown table: the first `textColumns` columns left-aligned, the numbers after them right-aligned. */
const print = (header: string[], rows: string[][], textColumns = 2) => {
  lines.push(`| ${header.join(' | ')} |`, `|${header.map((_h, i) => (i < textColumns ? '---' : '---:')).join('|')}|`);
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  lines.push('');
};

// 1. Bulk write against DuckDB.
if (!(await isTelemetryTable(source, sourceOptions))) {
  log(`generating ${ROWS.toLocaleString()} rows into ${source} ...`);
  await writeTelemetryTable(source, sourceOptions);
}
const data = await (await (await openTable(source)).snapshot()).toArrow();
log(
  `${data.numRows.toLocaleString()} rows in memory; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await duck.connect();
await connection.run(
  `CREATE TABLE rows AS SELECT * FROM read_parquet('${source}/*/*.parquet', hive_partitioning = true)`,
);
const ourDir = join(scratch, 'ours');
const duckDir = join(scratch, 'duckdb');
const clear = (dir: string) => () => rm(dir, { recursive: true, force: true });
log('timing writeTable ...');
const ours = await time(RUNS, clear(ourDir), async () => {
  await writeTable(ourDir, data, { mode: 'create', partitionBy: ['region'] });
});
log('timing DuckDB COPY ...');
const theirs = await time(RUNS, clear(duckDir), async () => {
  await connection.run(`COPY rows TO '${duckDir}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (region))`);
});
connection.closeSync();
duck.closeSync();
print(
  ['case', 'engine', 'median ms', 'best ms', 'rows/s (median)', "time / DuckDB's"],
  [
    [
      'write 1 table',
      'meridian writeTable (zstd, stats, commit)',
      fmt(ours.ms),
      fmt(ours.best),
      fmt(ROWS / (ours.ms / 1000), 0),
      `${(ours.ms / theirs.ms).toFixed(2)}x`,
    ],
    [
      'write 1 table',
      'duckdb COPY TO parquet zstd, 2 threads',
      fmt(theirs.ms),
      fmt(theirs.best),
      fmt(ROWS / (theirs.ms / 1000), 0),
      '',
    ],
  ],
);

// 2. Commits per second with 8 concurrent writers.
const small = (w: number, a: number) =>
  new Table({
    id: makeVector(
      makeData({
        type: new Int64(),
        length: 100,
        data: BigInt64Array.from({ length: 100 }, (_, i) => BigInt(w * 1e6 + a * 1e3 + i)),
      }),
    ),
    tag: vectorFromArray(
      Array.from({ length: 100 }, () => 'x'),
      new Utf8(),
    ),
  });
async function concurrent(storage: Storage): Promise<{ commits: number; ms: number; retries: number }> {
  await writeTable(storage, small(99, 0), { mode: 'create' });
  const start = performance.now();
  const attempts = await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      let n = 0;
      for (let a = 0; a < 25; a++)
        n += (await writeTable(storage, small(w, a), { mode: 'append', maxCommitAttempts: 1000 })).attempts;
      return n;
    }),
  );
  return { commits: 200, ms: performance.now() - start, retries: attempts.reduce((s, n) => s + n, 0) - 200 };
}
const targets: [string, Storage][] = [['local disk', openStorage(join(scratch, 'concurrent'))]];
const endpoint = process.env.MERIDIAN_S3_ENDPOINT;
if (endpoint) {
  const bucket = process.env.MERIDIAN_S3_BUCKET ?? 'meridian-delta';
  targets.push([
    `S3 ${endpoint}`,
    openStorage(`s3://${bucket}/bench/concurrent-${Date.now()}`, {
      s3: { endpoint, region: 'us-east-1', forcePathStyle: true },
    }),
  ]);
} else log('no MERIDIAN_S3_ENDPOINT: the S3 case is skipped');
const concurrency: string[][] = [];
for (const [name, storage] of targets) {
  log(`timing 8 writers x 25 appends on ${name} ...`);
  const r = await concurrent(storage);
  concurrency.push([
    name,
    '8 writers x 25 appends of 100 rows',
    fmt(r.ms),
    fmt(r.commits / (r.ms / 1000)),
    String(r.retries),
  ]);
}
print(['storage', 'case', 'total ms', 'commits/s', 'retries'], concurrency);

// 3. The cost of an append as the log grows.
const logCases: [string, number, number][] = [
  ['append at commit 11 (no checkpoint)', 11, 1_000_000],
  ['append at commit 1,001, checkpoint at 990', 1001, 990],
  ['append at commit 1,001, no checkpoint', 1001, 1_000_000],
];
const appendRows: string[][] = [];
for (const [name, commits, checkpointAt] of logCases) {
  const template = join(tmpdir(), 'meridian-bench', `delta-write-log-${commits}-${checkpointAt}`);
  await writeLogTable(template, commits, checkpointAt);
  const dir = join(scratch, `log-${commits}-${checkpointAt}`);
  const rows = new Table({
    id: makeVector(
      makeData({ type: new Int64(), length: 10, data: BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i)) }),
    ),
    value: vectorFromArray(
      Array.from({ length: 10 }, () => 'v'),
      new Utf8(),
    ),
  });
  const r = await time(
    Math.max(RUNS, 5),
    async () => {
      await rm(dir, { recursive: true, force: true });
      await cp(template, dir, { recursive: true });
    },
    async () => {
      await writeTable(dir, rows, { mode: 'append' });
    },
  );
  appendRows.push([name, fmt(r.ms), fmt(r.best)]);
}
print(['case', 'median ms', 'best ms'], appendRows, 1);

await rm(scratch, { recursive: true, force: true });
console.log(lines.join('\n'));
