/**
 * How fast do deleteRows and mergeRows change 1 % of a Delta table, next to DuckDB rewriting the same files?
 *   npm run delta-mutate -w bench            (DELTA_MUTATE_ROWS=1000000 for a quicker run)
 * A table of ROWS rows (id, region partition, value), 4 partitions x 4 files. Then, each on a fresh copy:
 * 1. deleteRows of `value < 0.01` (1 % of the rows, spread over every file) by copy-on-write, and with deletion
 *    vectors; DuckDB's COPY (SELECT ... WHERE NOT (value < 0.01)) TO parquet over the same files.
 * 2. mergeRows of 1 % of the keys (whenMatched update) by copy-on-write; DuckDB's COPY of the files joined with the
 *    source (LEFT JOIN ... coalesce), the same rewrite.
 * Prints the times and ratios, asserts nothing.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { deleteRows, mergeRows, openTable, writeTable } from '@meridian/delta';
import { Float64, Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';

const ROWS = Number(process.env.DELTA_MUTATE_ROWS ?? 5_000_000);
const scratch = await mkdtemp(join(tmpdir(), 'meridian-bench-mutate-'));
const regions = ['eu-west-1', 'us-east-1', 'ap-south-1', 'sa-east-1'];

// A fixed pseudo-random sequence, so every run deletes the same rows.
function values(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x / 2 ** 32;
  }
  return out;
}

function rows(ids: BigInt64Array, value: Float64Array): Table {
  return new Table({
    id: makeVector(makeData({ type: new Int64(), length: ids.length, data: ids })),
    region: vectorFromArray(
      Array.from(ids, (id) => regions[Number(id % 4n)] as string),
      new Utf8(),
    ),
    value: makeVector(makeData({ type: new Float64(), length: value.length, data: value })),
  });
}

async function duck(sql: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    const started = performance.now();
    await c.run(sql);
    return performance.now() - started;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

async function copyOf(dir: string, name: string): Promise<string> {
  const to = join(scratch, name);
  await cp(dir, to, { recursive: true });
  return to;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
}

const base = join(scratch, 'base');
const baseDv = join(scratch, 'base-dv');
const ids = BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i));
const data = rows(ids, values(ROWS, 7));
const perFile = Math.ceil(ROWS / 16);
await writeTable(base, data, { mode: 'create', partitionBy: ['region'], maxRowsPerFile: perFile });
await writeTable(baseDv, data, {
  mode: 'create',
  partitionBy: ['region'],
  maxRowsPerFile: perFile,
  configuration: { 'delta.enableDeletionVectors': 'true' },
});
const snapshot = await (await openTable(base)).snapshot();
const files = `[${snapshot
  .files()
  .map((f) => `'${join(base, decodeURIComponent(f.path))}'`)
  .join(', ')}]`;
process.stderr.write(
  `table: ${ROWS.toLocaleString('en-US')} rows in ${snapshot.files().length} files; load ${loadavg()[0]?.toFixed(1)}\n`,
);

const cow = await timed(async () => deleteRows(await copyOf(base, 'cow'), 'value < 0.01'));
const dv = await timed(async () => deleteRows(await copyOf(baseDv, 'dv'), 'value < 0.01'));
const duckDelete = await duck(
  `COPY (SELECT * FROM read_parquet(${files}, hive_partitioning = true) WHERE NOT (value < 0.01)) TO '${join(scratch, 'duck-delete')}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY region)`,
);

// 1 % of the keys, spread evenly, with new values.
const keys = BigInt64Array.from({ length: Math.floor(ROWS / 100) }, (_, i) => BigInt(i * 100 + 37));
const source = rows(keys, values(keys.length, 11));
const merge = await timed(async () =>
  mergeRows(await copyOf(base, 'merge'), source, { on: ['id'], whenMatched: 'update' }),
);
const duckMerge = await duck(
  `CREATE TABLE src AS SELECT (range * 100 + 37)::BIGINT AS id, random() AS value FROM range(${keys.length});
   COPY (SELECT t.id, t.region, coalesce(s.value, t.value) AS value FROM read_parquet(${files}, hive_partitioning = true) t LEFT JOIN src s USING (id))
   TO '${join(scratch, 'duck-merge')}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY region)`,
);

const line = (what: string, ms: number, peer: number) =>
  `${what.padEnd(44)} ${Math.round(ms).toString().padStart(7)} ms   DuckDB ${Math.round(peer).toString().padStart(7)} ms   ratio ${(ms / peer).toFixed(2)}`;
process.stdout.write(
  [
    `delete and merge of 1 % of ${ROWS.toLocaleString('en-US')} rows (${snapshot.files().length} files)`,
    line(
      `deleteRows copy-on-write (${cow.result.rowsMatched} rows, ${cow.result.filesRemoved} files)`,
      cow.ms,
      duckDelete,
    ),
    line(`deleteRows deletion vectors (${dv.result.deletionVectors} DVs)`, dv.ms, duckDelete),
    line(`mergeRows update (${merge.result.rowsMatched} rows)`, merge.ms, duckMerge),
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (2 cores: above 2, both sides ran under load)`,
    '',
  ].join('\n'),
);
await rm(scratch, { recursive: true, force: true });
