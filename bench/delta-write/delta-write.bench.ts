/**
 * How fast does @meridian/delta write a Delta table, next to DuckDB writing the same rows as parquet?
 *   npm run delta-write -w bench            (DELTA_WRITE_ROWS=1000000 for a quicker run)
 * 1. Append the scan benchmark's rows (5 million, partitioned by region) as a new table with writeTable, and
 *    DuckDB's COPY ... TO ... (FORMAT parquet, COMPRESSION zstd, PARTITION_BY region) of the same rows held in
 *    a DuckDB table, in the same run, with the same zstd level and row group size; prints the ratio (goal: at
 *    most 1.5x DuckDB's time), and writeTable on one thread for the worker pool's share.
 * 2. Commits per second with 8 concurrent writers (25 appends of 100 rows each) on local disk, and on the S3
 *    server: the one MERIDIAN_S3_ENDPOINT (plus AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) names, else one
 *    started from ../shared/s3/start.sh for the run (DELTA_WRITE_S3=off skips it).
 * 3. The cost of one append at commit 11 and at commit 1,001, with a checkpoint at 990 (as the writer leaves
 *    them every 10 commits) and without one.
 * Prints tables, asserts nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { DecodePool, openStorage, openTable, type Storage, writeTable } from '@meridian/delta';
import { Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { isTelemetryTable, writeTelemetryTable } from '../../packages/delta/test/fixtures/telemetry-table.ts';
import { connect, createBucket } from '../../packages/delta/test/setup/s3-corpus.ts';
import { writeLogTable } from '../delta-scan/log-table.ts';

const ROWS = Number(process.env.DELTA_WRITE_ROWS ?? 5_000_000);
const RUNS = Number(process.env.DELTA_WRITE_RUNS ?? 3);
const source = join(tmpdir(), 'meridian-bench', `delta-scan-${ROWS}`);
const sourceOptions = { rows: ROWS, filesPerRegion: 4, rowGroupRows: 65_536, seed: 7 };
const scratch = await mkdtemp(join(tmpdir(), 'meridian-bench-write-'));

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/**
 * Median and best wall time of `runs` runs, and the median CPU time they used: this process's, user and system, which
 * counts the pool's worker threads and DuckDB's threads alike (both run in this process). On a machine others load,
 * wall time is mostly waiting for a core and CPU time is what the work cost.
 */
async function time(
  runs: number,
  prepare: () => Promise<void>,
  run: () => Promise<void>,
): Promise<{ ms: number; best: number; cpu: number }> {
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    await prepare();
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    const used = process.cpuUsage();
    await run();
    const { user, system } = process.cpuUsage(used);
    times.push(performance.now() - start);
    cpus.push((user + system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  return {
    ms: times[Math.floor(times.length / 2)] as number,
    best: times[0] as number,
    cpu: cpus[Math.floor(cpus.length / 2)] as number,
  };
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
log(`${data.numRows.toLocaleString()} rows in memory; load average ${load()}`);
lines.push(`load average at the start: ${load()}; cores: ${availableParallelism()}`, '');
const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await duck.connect();
await connection.run(
  `CREATE TABLE rows AS SELECT * FROM read_parquet('${source}/*/*.parquet', hive_partitioning = true)`,
);
const ourDir = join(scratch, 'ours');
const duckDir = join(scratch, 'duckdb');
const clear = (dir: string) => () => rm(dir, { recursive: true, force: true });
log('timing writeTable ...');
// Like for like: both write zstd at level 3 (parquet-wasm's Compression.ZSTD is arrow-rs's ZstdLevel::default(),
// the zstd crate's default level 3, which is also DuckDB's default) and 65,536-row row groups (writeTable's
// default; DuckDB's is 122,880). DuckDB gets both cores; so does writeTable (a pool of one worker per core).
const ROW_GROUP = 65_536;
const pool = new DecodePool(Math.max(2, availableParallelism()));
const ours = await time(RUNS, clear(ourDir), async () => {
  await writeTable(ourDir, data, { mode: 'create', partitionBy: ['region'], rowGroupRows: ROW_GROUP, encoder: pool });
});
log('timing writeTable on one thread ...');
const oneThread = await time(RUNS, clear(ourDir), async () => {
  await writeTable(ourDir, data, {
    mode: 'create',
    partitionBy: ['region'],
    rowGroupRows: ROW_GROUP,
    encoder: 'main-thread',
  });
});
await pool.close();
log('timing DuckDB COPY ...');
const copyOptions = `FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 3, ROW_GROUP_SIZE ${ROW_GROUP}, PARTITION_BY (region)`;
const theirs = await time(RUNS, clear(duckDir), async () => {
  await connection.run(`COPY rows TO '${duckDir}' (${copyOptions})`);
});
connection.closeSync();
duck.closeSync();
print(
  ['case', 'engine', 'median ms', 'best ms', 'rows/s (median)', "time / DuckDB's", 'CPU ms (median)', "CPU / DuckDB's"],
  [
    [
      'write 1 table',
      `meridian writeTable, ${pool.size} encode workers (zstd, stats, commit)`,
      fmt(ours.ms),
      fmt(ours.best),
      fmt(ROWS / (ours.ms / 1000), 0),
      `${(ours.ms / theirs.ms).toFixed(2)}x`,
      fmt(ours.cpu, 0),
      `${(ours.cpu / theirs.cpu).toFixed(2)}x`,
    ],
    [
      'write 1 table',
      'meridian writeTable, main thread only',
      fmt(oneThread.ms),
      fmt(oneThread.best),
      fmt(ROWS / (oneThread.ms / 1000), 0),
      `${(oneThread.ms / theirs.ms).toFixed(2)}x`,
      fmt(oneThread.cpu, 0),
      `${(oneThread.cpu / theirs.cpu).toFixed(2)}x`,
    ],
    [
      'write 1 table',
      'duckdb COPY TO parquet, 2 threads',
      fmt(theirs.ms),
      fmt(theirs.best),
      fmt(ROWS / (theirs.ms / 1000), 0),
      '',
      fmt(theirs.cpu, 0),
      '',
    ],
  ],
);
lines.push(
  `Both: zstd level 3, ${ROW_GROUP.toLocaleString('en-US')}-row row groups, partitioned by region. DuckDB: COPY rows TO dir (${copyOptions}).`,
  `writeTable: at most 1,048,576 rows a file (the default), parquet-wasm with a 32 KiB dictionary page limit, page statistics and page index (DuckDB writes neither), Delta statistics, one commit. Load average after: ${load()}.`,
  '',
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
const s3 = await s3Server();
if (s3) {
  const client = connect({ ...s3, region: 'us-east-1' });
  const bucket = `meridian-bench-${Date.now().toString(36)}`;
  await createBucket(client, bucket);
  client.destroy();
  targets.push([
    `S3 (Ceph RGW, ${s3.endpoint})`,
    openStorage(`s3://${bucket}/concurrent`, {
      s3: {
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      },
    }),
  ]);
}
const concurrency: string[][] = [];
for (const [name, storage] of targets) {
  log(`timing 8 writers x 25 appends on ${name} ...`);
  const r = await concurrent(storage);
  concurrency.push([
    `${name}, load ${load()}`,
    '8 writers x 25 appends of 100 rows',
    fmt(r.ms),
    fmt(r.commits / (r.ms / 1000)),
    String(r.retries),
  ]);
}
await s3?.stop();
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

/**
 * The S3 server of the concurrency case: MERIDIAN_S3_ENDPOINT's, or a Ceph gateway started for this run with
 * ../shared/s3/start.sh (stopped at the end); undefined, with the reason logged, when neither is there.
 */
async function s3Server(): Promise<
  { endpoint: string; accessKeyId: string; secretAccessKey: string; stop: () => Promise<void> } | undefined
> {
  const keys = { accessKeyId: 'meridian-test-access', secretAccessKey: 'meridian-test-secret-0123456789abcdef' };
  const given = process.env.MERIDIAN_S3_ENDPOINT;
  if (given) {
    return {
      endpoint: given,
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? keys.accessKeyId,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? keys.secretAccessKey,
      stop: async () => {},
    };
  }
  const scripts = fileURLToPath(new URL('../../../shared/s3/', import.meta.url));
  if (process.env.DELTA_WRITE_S3 === 'off' || !existsSync(join(scripts, 'start.sh'))) {
    log(`no S3 server (DELTA_WRITE_S3=off or no ${scripts}start.sh): the S3 case is skipped`);
    return undefined;
  }
  const run = promisify(execFile);
  const dir = join(scratch, 'ceph');
  const port = 20_000 + Math.floor(Math.random() * 10_000);
  log(`starting the S3 server (${scripts}start.sh, port ${port}) ...`);
  const stop = async () => {
    await run('bash', [join(scripts, 'stop.sh'), '--purge', dir]).catch(() => undefined);
  };
  try {
    await run('bash', [join(scripts, 'start.sh'), dir], {
      env: { ...process.env, S3_PORT: String(port), MON_PORT: String(port + 10_000) },
      timeout: 200_000,
    });
    const env = Object.fromEntries(
      (await readFile(join(dir, 's3.env'), 'utf8'))
        .split('\n')
        .map((l) => /^(?:export\s+)?(\w+)=['"]?([^'"]*)['"]?$/.exec(l.trim()))
        .filter((m) => m !== null)
        .map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    const endpoint = env.AWS_ENDPOINT_URL;
    if (!endpoint) throw new Error(`start.sh wrote no AWS_ENDPOINT_URL to ${dir}/s3.env`);
    return {
      endpoint,
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? keys.accessKeyId,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? keys.secretAccessKey,
      stop,
    };
  } catch (error) {
    await stop();
    log(
      `the S3 server did not start (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): the S3 case is skipped`,
    );
    return undefined;
  }
}
