import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RecordBatch, Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodePool } from '../src/parquet/worker-pool.ts';
import type { TableScanOptions } from '../src/scan/table-scan.ts';
import type { Snapshot } from '../src/snapshot/snapshot.ts';
import { openTable } from '../src/snapshot/table.ts';
import { type GeneratedTable, writeTelemetryTable } from './fixtures/telemetry-table.ts';
import { plainRows } from './support/scan-rows.ts';

// Files of 150,000 rows in row groups of 40,000: a streamed scan on workers decodes each file in four runs, each
// fetching its own chunks into a buffer of its own (table-scan.ts); toArrow() on the calling thread decodes each
// file whole. Both must give the same rows in the same order.
let dir: string;
let generated: GeneratedTable;
let snapshot: Snapshot;
const pool = new DecodePool(2);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'delta-streamed-'));
  generated = await writeTelemetryTable(dir, {
    rows: 300_000,
    regions: ['eu-west-1'],
    filesPerRegion: 2,
    rowGroupRows: 40_000,
  });
  snapshot = await (await openTable(dir)).snapshot();
});

afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

async function streamed(options: TableScanOptions) {
  const scan = snapshot.scan({ ...options, decoder: pool });
  const batches: RecordBatch[] = [];
  for await (const batch of scan) batches.push(batch);
  return { rows: plainRows(new Table(batches)), metrics: { ...scan.metrics } };
}

describe('a streamed scan on workers, file by file in runs of row groups', () => {
  it('returns every row in order, as the calling thread decodes whole files', async () => {
    const whole = plainRows(await snapshot.toArrow({ decoder: 'main-thread' }));
    const { rows, metrics } = await streamed({});
    expect(whole).toHaveLength(300_000);
    expect(rows).toEqual(whole);
    // Each run fetched its own chunks, and the files' tails were read once: about the files' bytes, not 4 times.
    const sizes = await Promise.all(generated.files.map(async (f) => (await stat(join(dir, f.path))).size));
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(metrics.bytesFetched).toBeGreaterThan(0.9 * total);
    expect(metrics.bytesFetched).toBeLessThan(1.5 * total);
  });

  it('projects and filters in each run as in the whole file', async () => {
    const options: TableScanOptions = {
      where: "ts >= '2024-01-02 06:00:00' and ts < '2024-01-06' and latency_ms > 100",
      columns: ['ts', 'host', 'latency_ms'],
    };
    const whole = plainRows(await snapshot.toArrow({ ...options, decoder: 'main-thread' }));
    expect(whole.length).toBeGreaterThan(10_000);
    expect((await streamed(options)).rows).toEqual(whole);
  });

  it('splits each file across more workers than files, each part copied from one fetch of the file', async () => {
    const whole = plainRows(await snapshot.toArrow({ decoder: 'main-thread' }));
    const three = new DecodePool(3);
    try {
      const scan = snapshot.scan({ decoder: three });
      expect(plainRows(await scan.toArrow())).toEqual(whole);
      // Two files, each fetched once whole.
      const sizes = await Promise.all(generated.files.map(async (f) => (await stat(join(dir, f.path))).size));
      expect(scan.metrics.bytesFetched).toBe(sizes.reduce((a, b) => a + b, 0));
      expect(sizes).toHaveLength(2);
      expect(three.threads()).toHaveLength(3);
    } finally {
      await three.close();
    }
  });

  it('stops at a limit in the middle of a run', async () => {
    const whole = plainRows(await snapshot.toArrow({ decoder: 'main-thread' }));
    const { rows } = await streamed({ limit: 100_000 });
    expect(rows).toEqual(whole.slice(0, 100_000));
  });
});
