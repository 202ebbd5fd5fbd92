import * as zlib from 'node:zlib';
import { Table as ArrowTable, Int64, tableToIPC, vectorFromArray } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { InflateError, inflatePage, inflates } from '../src/parquet/inflate.ts';
import { readThriftStruct, type ThriftStruct } from '../src/parquet/thrift-compact.ts';
import { transcodeRun } from '../src/parquet/transcode.ts';
import { chunkMetas, decodeRows, footerOf, num, pagesOf, whole } from './support/parquet-footer.ts';

const ZSTD = 6;
const GZIP = 2;

/** Bytes zstd cannot shrink much (a linear congruential sequence), so `n` of them compress to about `n`. */
function noise(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('page bodies decompressed by Node (inflate.ts)', () => {
  it('decompresses zstd and gzip to exactly the stated size, on the thread pool only when asked and large', async () => {
    for (const [codec, compress] of [
      [ZSTD, zlib.zstdCompressSync],
      [GZIP, zlib.gzipSync],
    ] as const) {
      expect(inflates(codec)).toBe(true);
      for (const size of [1000, 300_000]) {
        const raw = noise(size);
        const packed = compress(raw);
        const large = packed.length >= 64 * 1024;
        expect(large).toBe(size > 64 * 1024);
        const offloaded = inflatePage(codec, packed, size, true);
        expect(offloaded instanceof Promise).toBe(large);
        expect(Buffer.from(await offloaded).equals(raw)).toBe(true);
        const here = inflatePage(codec, packed, size, false);
        expect(here).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(here as Uint8Array).equals(raw)).toBe(true);
        // Another stated size, or bytes that are not the codec's, fail the same way on either path.
        for (const offload of [false, true]) {
          await expect(async () => inflatePage(codec, packed, size - 1, offload)).rejects.toThrow(InflateError);
          await expect(async () => inflatePage(codec, packed, size + 1, offload)).rejects.toThrow(InflateError);
          await expect(async () => inflatePage(codec, noise(packed.length, 3), size, offload)).rejects.toThrow(
            InflateError,
          );
        }
      }
    }
    expect(inflates(0)).toBe(false);
    expect(inflates(undefined)).toBe(false);
  });

  it('rewrites a file of large zstd pages with the thread pool to the rows it reads to as written, or leaves it', async () => {
    const n = 200_000;
    const values = vectorFromArray(
      Array.from(noise(n * 2), (b, i) => BigInt(b) * 1_000_003n + BigInt(i)).slice(0, n),
      new Int64(),
    );
    // A second column of small pages (a repeating pattern zstd shrinks), decompressed on this thread.
    const small = vectorFromArray(
      Array.from({ length: n }, (_, i) => BigInt(i % 7)),
      new Int64(),
    );
    const properties = new WriterPropertiesBuilder()
      .setCompression(Compression.ZSTD)
      .setDictionaryEnabled(false)
      .setMaxRowGroupSize(100_000)
      .build();
    const bytes = writeParquet(
      WasmTable.fromIPCStream(tableToIPC(new ArrowTable({ v: values, w: small }), 'stream')),
      properties,
    );
    const pages = chunkMetas(footerOf(bytes).meta).flatMap((m) => pagesOf(bytes, m));
    // Some pages are large enough for the thread pool.
    expect(pages.some(([, p]) => num(p.get(3)) >= 64 * 1024)).toBe(true);
    for (const options of [{ batchSize: 8192 }, { batchSize: 8192, rowGroups: [1], offset: 10, limit: 50_000 }]) {
      const run = await transcodeRun(whole(bytes), options, true);
      expect(run).toBeDefined();
      expect(await decodeRows(run?.bytes as Uint8Array, run?.options ?? {})).toBe(await decodeRows(bytes, options));
    }
    // A large page's zstd frame damaged (its magic number): its decompression fails on the pool, and the run is left
    // to the decoder (no rejection escapes: vitest fails a test on an unhandled one).
    const [at] = pages.find(([, p]) => num(p.get(3)) >= 64 * 1024) as [number, ThriftStruct];
    const damaged = new Uint8Array(bytes);
    const body = readThriftStruct(bytes, at).end;
    damaged.fill(0x55, body, body + 4);
    expect(await transcodeRun(whole(damaged), { batchSize: 8192 }, true)).toBeUndefined();
    // The same, and a small page of the next column damaged too: this thread's page fails first, the rewrite stops,
    // and the pool's failure comes after it, with nothing awaiting it any more. It is handled, not a rejection that
    // ends the process (vitest reports one as an error).
    const next = pages.find(
      ([, p], i) =>
        i > pages.indexOf(pages.find(([o]) => o === at) as [number, ThriftStruct]) && num(p.get(3)) < 64 * 1024,
    );
    expect(next).toBeDefined();
    const both = new Uint8Array(damaged);
    const smallBody = readThriftStruct(bytes, (next as [number, ThriftStruct])[0]).end;
    both.fill(0x55, smallBody, smallBody + 4);
    expect(await transcodeRun(whole(both), { batchSize: 8192 }, true)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
});
