import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaError } from '../src/errors.ts';
import type { DecodeRequest, DecodeResponse } from '../src/parquet/decode-worker.ts';
import { DecodePool } from '../src/parquet/worker-pool.ts';
import { type GeneratedTable, writeTelemetryTable } from './fixtures/telemetry-table.ts';

let dir: string;
let table: GeneratedTable;
const pool = new DecodePool(2);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'delta-workers-'));
  table = await writeTelemetryTable(dir, {
    rows: 120_000,
    regions: ['eu-west-1', 'us-east-1'],
    filesPerRegion: 2,
    rowGroupRows: 10_000,
  });
});

afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

async function fileBytes(index: number): Promise<Uint8Array> {
  return readFile(join(dir, table.files[index]?.path as string));
}

describe('DecodePool', () => {
  it('decodes in workers what parquet-wasm decodes on the main thread, moving the buffers', async () => {
    const bytes = await fileBytes(0);
    const expected = tableFromIPC(
      readParquet(bytes, { columns: ['ts', 'host', 'latency_ms'], rowGroups: [1, 2] }).intoIPCStream(),
    );
    const owned = new Uint8Array(bytes); // owns its whole buffer, so it is transferred
    const actual = await pool.decode({
      bytes: owned,
      columns: ['ts', 'host', 'latency_ms'],
      rowGroups: [1, 2],
      where: 'file-0',
    });
    expect(owned.byteLength).toBe(0); // detached: moved to the worker, not copied
    expect(actual.numRows).toBe(20_000);
    expect(actual.schema.fields.map((f) => f.name)).toEqual(['ts', 'host', 'latency_ms']);
    for (const name of ['ts', 'host', 'latency_ms']) {
      expect(Array.from(actual.getChild(name) ?? [])).toEqual(Array.from(expected.getChild(name) ?? []));
    }
  });

  it("moves a request's bytes back with the answer, so the worker keeps no file it decoded", async () => {
    // A worker's heap is small and seldom collected: bytes it kept until then piled up a file per job (the streamed
    // scan's memory, bench/README.md). Moved back, they are detached in the worker at once.
    const bytes = await fileBytes(1);
    const worker = new Worker(new URL('../src/parquet/decode-worker.ts', import.meta.url), { execArgv: [] });
    try {
      const answer = (request: DecodeRequest, transfer: ArrayBuffer[]) =>
        new Promise<DecodeResponse>((resolve) => {
          worker.once('message', resolve);
          worker.postMessage(request, transfer);
        });
      const owned = new Uint8Array(bytes);
      const moved = await answer({ id: 1, bytes: owned, columns: ['ts'] }, [owned.buffer]);
      expect(owned.byteLength).toBe(0);
      expect('input' in moved && moved.input).toEqual(new Uint8Array(bytes));
      // A view into a larger buffer is copied to the worker, not moved: its copy is the worker's to move back.
      const view = new Uint8Array(bytes.length + 8).subarray(4, 4 + bytes.length);
      view.set(bytes);
      const copied = await answer({ id: 2, bytes: view, columns: ['ts'] }, []);
      expect('input' in copied && copied.input?.byteLength).toBe(bytes.length);
      // Shared memory cannot be moved: nothing comes back.
      const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
      shared.set(bytes);
      const kept = await answer({ id: 3, bytes: shared, columns: ['ts'] }, []);
      expect('copied' in kept || 'ipc' in kept).toBe(true);
      expect('input' in kept).toBe(false);
    } finally {
      await worker.terminate();
    }
  });

  it('lays a file out from its ranges at their offsets, and refuses ranges outside the file', async () => {
    // scan-streamed.test.ts reads real runs this way (their chunks, gaps of zeros between); here the file is cut in
    // two ranges given in reverse order, which only their offsets put back.
    const bytes = await fileBytes(0);
    const direct = await pool.decode({ bytes: new Uint8Array(bytes), rowGroups: [2], where: 'file-0' });
    const half = bytes.length >> 1;
    const reversed = () => {
      const packed = new Uint8Array(bytes.length);
      packed.set(bytes.subarray(half));
      packed.set(bytes.subarray(0, half), bytes.length - half);
      return packed;
    };
    const laidOut = await pool.decode({
      bytes: reversed(),
      layout: { fileSize: bytes.length, ranges: [half, bytes.length - half, 0, half] },
      rowGroups: [2],
      where: 'file-0',
    });
    expect(laidOut.numRows).toBe(direct.numRows);
    for (const name of ['ts', 'host', 'latency_ms'])
      expect(Array.from(laidOut.getChild(name) ?? [])).toEqual(Array.from(direct.getChild(name) ?? []));
    // Laid out as written (the halves swapped), the file is no parquet: refused, not read.
    const swapped = await pool
      .decode({ bytes: reversed(), layout: { fileSize: bytes.length, ranges: [0, bytes.length] }, where: 'swapped' })
      .catch((e: unknown) => e);
    expect(swapped).toBeInstanceOf(DeltaError);
    // A range past the file's end is refused before any decode, naming the file.
    const outside = await pool
      .decode({ bytes: new Uint8Array(8), layout: { fileSize: 4, ranges: [0, 8] }, where: 'outside.parquet' })
      .catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(DeltaError);
    expect((outside as DeltaError).message).toContain('a range of 8 bytes at 0 does not fit a file of 4 bytes');
    expect((outside as DeltaError).path).toBe('outside.parquet');
  });

  it('runs jobs on both workers at once and answers each job with its own file', async () => {
    const jobs = await Promise.all(table.files.map(async (file, i) => ({ file, bytes: await fileBytes(i) })));
    const results = await Promise.all(
      jobs.map(({ file, bytes }) => pool.decode({ bytes, columns: ['ts'], where: file.path })),
    );
    expect(pool.threads()).toHaveLength(2);
    results.forEach((decoded, i) => {
      const file = table.files[i];
      expect(decoded.numRows).toBe(file?.rows);
      expect(decoded.getChild('ts')?.get(0)).toBeDefined();
      const ts = decoded.getChild('ts')?.data[0]?.values as BigInt64Array;
      expect(ts[0]).toBe(file?.minTs);
    });
    expect(pool.pending).toBe(0);
  });

  it('fails a job on bytes that are not parquet with a DeltaError naming the file', async () => {
    const error = await pool
      .decode({ bytes: new TextEncoder().encode('not parquet at all'), where: 'bad.parquet' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeltaError);
    expect((error as DeltaError).code).toBe('storage');
    expect((error as DeltaError).path).toBe('bad.parquet');
  });

  it('fails the job of a killed worker instead of hanging, and keeps serving later jobs', async () => {
    const own = new DecodePool(1);
    try {
      const big = await Promise.all(table.files.map((_, i) => fileBytes(i)));
      const running = own.decode({ bytes: big[0] as Uint8Array, where: 'killed.parquet' });
      const [thread] = own.threads();
      await thread?.terminate();
      const error = await running.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeltaError);
      expect((error as DeltaError).code).toBe('worker-failed');
      expect((error as DeltaError).path).toBe('killed.parquet');
      const after = await own.decode({ bytes: big[1] as Uint8Array, columns: ['status'], where: 'next.parquet' });
      expect(after.numRows).toBe(table.files[1]?.rows);
    } finally {
      await own.close();
    }
  });

  it('rejects queued jobs on close', async () => {
    const own = new DecodePool(1);
    const bytes = await fileBytes(0);
    const first = own.decode({ bytes: new Uint8Array(bytes), where: 'a' }).catch((e: unknown) => e);
    const second = own.decode({ bytes: new Uint8Array(bytes), where: 'b' }).catch((e: unknown) => e);
    await own.close();
    expect(((await first) as DeltaError).code).toBe('worker-failed');
    expect(((await second) as DeltaError).code).toBe('worker-failed');
    expect(own.threads()).toHaveLength(0);
  });

  it('lets a process that never closes its pool exit once the work is done', async () => {
    const poolModule = fileURLToPath(new URL('../src/parquet/worker-pool.ts', import.meta.url));
    const file = join(dir, table.files[0]?.path as string);
    const script = `
      import { readFileSync } from 'node:fs';
      const { DecodePool } = await import(${JSON.stringify(poolModule)});
      const pool = new DecodePool(2);
      const decoded = await pool.decode({ bytes: readFileSync(${JSON.stringify(file)}), columns: ['status'], where: 'x' });
      console.log(decoded.numRows > 0 ? 'decoded' : 'empty');
    `;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 15_000,
    });
    expect(stdout.trim()).toBe('decoded');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
