import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaError } from '../src/errors.ts';
import { DecodePool } from '../src/parquet/worker-pool.ts';
import { col } from '../src/scan/predicate.ts';
import type { Snapshot } from '../src/snapshot/snapshot.ts';
import { openTable } from '../src/snapshot/table.ts';
import { type GeneratedTable, writeTelemetryTable } from './fixtures/telemetry-table.ts';
import { type PlainRow, plainRows, rowSet } from './support/scan-rows.ts';

// 4 regions x 2 files x 25,000 rows, 5 row groups a file; each region spans 2024-01-01 .. 2024-01-08,
// so a file holds 3.5 days and a row group 0.7 days of one region.
let dir: string;
let generated: GeneratedTable;
let snapshot: Snapshot;
let everything: PlainRow[];
const pool = new DecodePool(2);

const micros = (text: string): bigint => BigInt(Date.parse(text)) * 1000n;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'delta-scan-'));
  generated = await writeTelemetryTable(dir, { rows: 200_000, filesPerRegion: 2, rowGroupRows: 5_000 });
  snapshot = await (await openTable(dir)).snapshot();
  everything = plainRows(await snapshot.toArrow({ decoder: pool }));
});

afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a selective scan of a generated table', () => {
  it('reads every row when nothing is selected', () => {
    expect(everything).toHaveLength(200_000);
    expect(Object.keys(everything[0] ?? {})).toEqual([
      'ts',
      'region',
      'service',
      'host',
      'latency_ms',
      'status',
      'bytes',
      'message',
    ]);
  });

  it('skips files by partition and statistics and row groups by theirs, and returns what filtering everything returns', async () => {
    const from = micros('2024-01-02T00:00:00Z');
    const to = micros('2024-01-02T12:00:00Z');
    const scan = snapshot.scan({
      where: "region = 'eu-west-1' and ts >= '2024-01-02' and ts < '2024-01-02 12:00:00'",
      decoder: pool,
    });
    const rows = plainRows(await scan.toArrow());
    const expected = everything.filter(
      (r) =>
        r.region === 'eu-west-1' && (r.ts as number) * 1000 >= Number(from) && (r.ts as number) * 1000 < Number(to),
    );
    expect(rows.length).toBeGreaterThan(1000);
    expect(rowSet(rows)).toEqual(rowSet(expected));
    expect(scan.metrics).toMatchObject({
      filesTotal: 8,
      filesSkippedByPartition: 6,
      filesSkippedByStats: 1, // the region's second file starts on Jan 4
      filesRead: 1,
      rowGroupsTotal: 5,
      rowGroupsSkipped: 3, // day 1.0-1.5 lies in groups [0.7, 1.4) and [1.4, 2.1)
      rowsReturned: rows.length,
    });
    expect(scan.metrics.rowsDecoded).toBe(10_000);
    // The same selection from the log alone, before any data file is read (what EXPLAIN shows).
    const planned = snapshot
      .scan({ where: "region = 'eu-west-1' and ts >= '2024-01-02' and ts < '2024-01-02 12:00:00'" })
      .selectFiles();
    expect([planned.files.length, planned.skippedByPartition, planned.skippedByStats]).toEqual([1, 6, 1]);
  });

  it('answers as DuckDB does over the same parquet files', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const sql = `select epoch_us(ts) as ts, host, bytes, status from read_parquet('${dir}/*/*.parquet', hive_partitioning = true)
        where region in ('eu-west-1', 'sa-east-1') and ts >= timestamptz '2024-01-03 06:00:00+00' and ts <= timestamptz '2024-01-05 00:00:00+00'
          and (status >= 500 or latency_ms < 20) order by ts, host`;
      const duck = (await connection.runAndReadAll(sql)).getRowObjectsJS();
      const scan = snapshot.scan({
        columns: ['ts', 'host', 'bytes', 'status'],
        where: col('region')
          .in(['eu-west-1', 'sa-east-1'])
          .and(col('ts').between(new Date('2024-01-03T06:00:00Z'), new Date('2024-01-05T00:00:00Z')))
          .and(col('status').gte(500).or(col('latency_ms').lt(20))),
        decoder: pool,
      });
      const table = await scan.toArrow();
      const ours = table.toArray().map((r) => r.toJSON() as { host: string; bytes: bigint });
      const oursMicros = table.getChild('ts')?.data.flatMap((d) => [...(d.values as BigInt64Array)]) ?? [];
      expect(duck.length).toBeGreaterThan(100);
      expect(ours).toHaveLength(duck.length);
      const key = (ts: bigint, host: string) => `${ts}|${host}`;
      expect(oursMicros.map((ts, i) => key(ts, ours[i]?.host as string)).sort()).toEqual(
        duck.map((d) => key(d.ts as bigint, d.host as string)).sort(),
      );
      expect(ours.map((o) => o.bytes).reduce((a, b) => a + b, 0n)).toBe(
        duck.map((d) => d.bytes as bigint).reduce((a, b) => a + b, 0n),
      );
      expect(scan.metrics.filesSkippedByPartition).toBe(4);
      expect(scan.metrics.rowGroupsSkipped).toBeGreaterThan(0);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('keeps a file whose statistics hold its timestamps only to the millisecond', async () => {
    const file = generated.files.find((f) => f.maxTs % 1000n !== 0n) as GeneratedTable['files'][number];
    expect(file).toBeDefined();
    // The stats say max = maxTs cut to the millisecond, below maxTs itself; the file must still be read.
    const rows = plainRows(await snapshot.toArrow({ where: col('ts').eq(file.maxTs), decoder: pool }));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.region).toBe(file.region);
  });

  it('does not use a string maximum cut to 32 characters as an upper bound', async () => {
    const messages = everything.map((r) => r.message).filter((m): m is string => typeof m === 'string');
    const longest = [...messages].sort().at(-1) as string;
    expect(longest.length).toBeGreaterThan(32);
    const rows = plainRows(await snapshot.toArrow({ where: col('message').eq(longest), decoder: pool }));
    expect(rows.length).toBe(messages.filter((m) => m === longest).length);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('treats nulls as SQL does', async () => {
    const nulls = plainRows(
      await snapshot.toArrow({ where: 'latency_ms is null', columns: ['latency_ms'], decoder: pool }),
    );
    expect(nulls.length).toBe(everything.filter((r) => r.latency_ms === null).length);
    expect(nulls.length).toBeGreaterThan(0);
    const notAbove = plainRows(
      await snapshot.toArrow({ where: 'not latency_ms > 1000', columns: ['latency_ms'], decoder: pool }),
    );
    expect(notAbove.length).toBe(
      everything.filter((r) => r.latency_ms !== null && (r.latency_ms as number) <= 1000).length,
    );
  });

  it('projects, limits, and decodes the same on the calling thread', async () => {
    const limited = await snapshot.toArrow({
      columns: ['host', 'ts'],
      where: "service = 'auth'",
      limit: 10,
      decoder: pool,
    });
    expect(limited.numRows).toBe(10);
    expect(limited.schema.fields.map((f) => f.name)).toEqual(['host', 'ts']);
    const where = "region = 'us-east-1' and status = 404 and bytes < 1000000000";
    const inPool = plainRows(await snapshot.toArrow({ where, decoder: pool }));
    const onThread = plainRows(await snapshot.toArrow({ where, decoder: 'main-thread' }));
    expect(rowSet(onThread)).toEqual(rowSet(inPool));
    expect(rowSet(inPool)).toEqual(
      rowSet(
        everything.filter((r) => r.region === 'us-east-1' && r.status === 404 && (r.bytes as bigint) < 1_000_000_000n),
      ),
    );
  });

  it('refuses a predicate on a column the table lacks', () => {
    expect(() => snapshot.scan({ where: "regoin = 'x'" })).toThrow(DeltaError);
  });
});

describe('a file split across workers by row groups', () => {
  it('returns the rows in file order, as the calling thread does', async () => {
    const own = await mkdtemp(join(tmpdir(), 'delta-split-'));
    const splitPool = new DecodePool(2);
    try {
      // Above the size a one-file scan decodes on the calling thread (table-scan.ts CALLING_THREAD_ROWS).
      await writeTelemetryTable(own, {
        rows: 240_000,
        regions: ['eu-west-1'],
        filesPerRegion: 1,
        rowGroupRows: 30_000,
      });
      const split = await (await openTable(own)).snapshot();
      for (const where of [undefined, "ts >= '2024-01-02 12:00' and status <> 200"]) {
        const options = where ? { where } : {};
        const inWorkers = split.scan({ ...options, decoder: splitPool });
        const workerTable = await inWorkers.toArrow();
        const onThread = await split.toArrow({ ...options, decoder: 'main-thread' });
        expect(workerTable.numRows).toBe(onThread.numRows);
        const ts = (t: typeof onThread) =>
          t.getChild('ts')?.data.flatMap((d) => [...(d.values as BigInt64Array)]) ?? [];
        expect(ts(workerTable)).toEqual(ts(onThread));
        expect(plainRows(workerTable).slice(0, 50)).toEqual(plainRows(onThread).slice(0, 50));
        expect(inWorkers.metrics.rowsDecoded).toBeGreaterThan(0);
      }
      expect(splitPool.threads()).toHaveLength(2);
    } finally {
      await splitPool.close();
      await rm(own, { recursive: true, force: true });
    }
  });
});

describe('a scan of one small file', () => {
  it('decodes on the calling thread: no worker is started for it', async () => {
    const own = await mkdtemp(join(tmpdir(), 'delta-one-file-'));
    const idle = new DecodePool(2);
    try {
      await writeTelemetryTable(own, { rows: 40_000, regions: ['eu-west-1'], filesPerRegion: 1, rowGroupRows: 10_000 });
      const one = await (await openTable(own)).snapshot();
      const scan = one.scan({ where: "ts >= '2024-01-02 12:00'", decoder: idle });
      const table = await scan.toArrow();
      expect(table.numRows).toBe(
        (await one.toArrow({ where: "ts >= '2024-01-02 12:00'", decoder: 'main-thread' })).numRows,
      );
      expect(scan.metrics.filesRead).toBe(1);
      expect(idle.threads()).toHaveLength(0);
    } finally {
      await idle.close();
      await rm(own, { recursive: true, force: true });
    }
  });
});

describe('a limited scan', () => {
  it('decodes only the rows the limit needs when every row is kept', async () => {
    const scan = snapshot.scan({ columns: ['host', 'ts'], limit: 7, decoder: pool });
    const table = await scan.toArrow();
    expect(table.numRows).toBe(7);
    expect(scan.metrics.filesRead).toBe(1);
    expect(scan.metrics.rowsDecoded).toBe(7);
    expect(plainRows(table)).toEqual(everything.slice(0, 7).map((r) => ({ host: r.host, ts: r.ts })));
    const filtered = snapshot.scan({ where: 'status = 503', limit: 3, decoder: pool });
    expect((await filtered.toArrow()).numRows).toBe(3);
    expect(filtered.metrics.rowsDecoded).toBeGreaterThan(3);
  });
});
