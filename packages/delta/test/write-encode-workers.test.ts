import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Int64, makeData, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaError } from '../src/errors.ts';
import { encodeIPCToParquet } from '../src/parquet/encode.ts';
import { DecodePool, sharedDecodePool } from '../src/parquet/worker-pool.ts';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';
import { random } from './fixtures/random.ts';

/*
 * writeTable encodes data files in the scan's worker pool (an Arrow IPC stream moved in, parquet bytes moved out)
 * while the main thread computes statistics. The pool must give the very bytes the main thread gives, fail a job
 * with a DeltaError naming the file, and leave tables that read back as written.
 */

let root: string;
const pool = new DecodePool(2);
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-delta-encode-'));
});
afterAll(async () => {
  await pool.close();
  await rm(root, { recursive: true, force: true });
});

function rows(n: number, seed: number): Table {
  const next = random(seed);
  return new Table({
    id: makeVector(
      makeData({ type: new Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) }),
    ),
    region: vectorFromArray(
      Array.from({ length: n }, (_, i) => ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3] as string),
      new Utf8(),
    ),
    host: vectorFromArray(
      Array.from({ length: n }, () => `host-${Math.floor(next() * 50)}`),
      new Utf8(),
    ),
    latency: vectorFromArray(
      Array.from({ length: n }, () => (next() < 0.05 ? null : next() * 1000)),
      new Float64(),
    ),
  });
}

describe('encoding data files in the worker pool', () => {
  it('gives the bytes the main thread gives, moving the stream to the worker', async () => {
    const table = rows(20_000, 1);
    const settings = { compression: 'zstd', rowGroupRows: 4096 } as const;
    const expected = encodeIPCToParquet(tableToIPC(table, 'stream'), settings);
    const ipc = tableToIPC(table, 'stream');
    expect(ipc.byteLength).toBe(ipc.buffer.byteLength); // owns its whole buffer, so it is transferred
    const actual = await pool.encode({ ipc, settings, where: 'part-0.parquet' });
    expect(ipc.byteLength).toBe(0); // detached: moved, not copied
    expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
  });

  it('fails a job the encoder refuses with a DeltaError naming the file, and serves the next job', async () => {
    const settings = { compression: 'snappy', rowGroupRows: 100 } as const;
    const error = await pool.encode({ ipc: new Uint8Array([1, 2, 3, 4]), settings, where: 'x/part-9.parquet' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeltaError);
    expect(error).toMatchObject({ code: 'unsupported-write', path: 'x/part-9.parquet' });
    expect((error as Error).message).toContain('x/part-9.parquet');
    const next = await pool.encode({ ipc: tableToIPC(rows(10, 2), 'stream'), settings, where: 'y' });
    expect(next.byteLength).toBeGreaterThan(0);
  });

  it('encodes a small write on the calling thread and starts the shared pool only for a large one', async () => {
    const shared = sharedDecodePool();
    await writeTable(join(root, 'small'), rows(99_999, 5), { mode: 'create' });
    expect(shared.threads()).toHaveLength(0);
    await writeTable(join(root, 'large'), rows(100_000, 5), { mode: 'create' });
    expect(shared.threads().length).toBeGreaterThan(0);
    expect((await (await (await openTable(join(root, 'large'))).snapshot()).toArrow()).numRows).toBe(100_000);
  });

  it('refuses an encoder that is neither a pool nor main-thread, naming the option, before writing', async () => {
    const dir = join(root, 'refused');
    const error = await writeTable(dir, rows(10, 4), { mode: 'create', encoder: 'workers' as never }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'unsupported-write', path: 'encoder' });
    expect((error as Error).message).toContain('"workers"');
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes the same table from the pool and from the main thread, file for file', async () => {
    const table = rows(30_000, 3);
    const options = { mode: 'create', partitionBy: ['region'], maxRowsPerFile: 4000, rowGroupRows: 1000 } as const;
    const inPool = join(root, 'pool');
    const onMain = join(root, 'main');
    await writeTable(inPool, table, { ...options, encoder: pool });
    await writeTable(onMain, table, { ...options, encoder: 'main-thread' });
    const files = async (dir: string) => {
      const snapshot = await (await openTable(dir)).snapshot();
      return Promise.all(
        snapshot.files().map(async (f) => ({
          // File names differ by the write's UUID; their order and contents must not.
          name: decodeURIComponent(f.path).replace(/-[0-9a-f-]{36}-/, '-'),
          stats: f.stats,
          bytes: (await readFile(join(dir, decodeURIComponent(f.path)))).toString('base64'),
        })),
      );
    };
    const a = await files(inPool);
    expect(a.length).toBe(9);
    expect(a).toEqual(await files(onMain));
    const back = await (await (await openTable(inPool)).snapshot()).toArrow();
    expect(back.numRows).toBe(30_000);
    expect((await readdir(join(inPool, 'region=eu-west-1'))).length).toBe(3);
  });
});
