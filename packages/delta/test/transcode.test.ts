import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecodeOptions, decodeParquet } from '../src/parquet/decode.ts';
import { decodedToTable } from '../src/parquet/ffi-arrow.ts';
import {
  encodeThriftStruct,
  readThriftStruct,
  setThriftField,
  type ThriftStruct,
  type ThriftValue,
} from '../src/parquet/thrift-compact.ts';
import { type FileSource, piecesSource, transcodeRun } from '../src/parquet/transcode.ts';
import { duckdb } from './support/corpus-copy.ts';
import { corpus } from './support/shared-corpus.ts';

// Files written by Spark, Databricks and delta-rs (../shared/delta-corpus), and by DuckDB here: none by this code.

function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.parquet'))
    .map((name) => join(dir, name))
    .sort();
}

/** A table's rows and schema as text: equal texts, equal answers (null slots' bytes and buffer padding aside). */
function rowsOf(table: Table): string {
  const rows = JSON.stringify(table.toArray(), (_key, value: unknown) =>
    typeof value === 'bigint'
      ? `${value}n`
      : value instanceof Uint8Array
        ? `0x${Buffer.from(value).toString('hex')}`
        : value,
  );
  return `${table.schema.toString()}\n${rows}`;
}

/** The rows a decode gives, or the decoder's refusal (arrow-rs cannot skip into some DELTA_BINARY_PACKED pages). */
async function decodeRows(bytes: Uint8Array, options: DecodeOptions): Promise<string> {
  try {
    return rowsOf(decodedToTable(await decodeParquet(bytes, options)));
  } catch (error) {
    return `refused: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function whole(bytes: Uint8Array): FileSource {
  return piecesSource(bytes.length, [{ start: 0, bytes }]);
}

/** The footer of a parquet file, read with its wire types, and where it starts. */
function footerOf(bytes: Uint8Array): { meta: ThriftStruct; start: number } {
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 8, true);
  const start = bytes.length - 8 - length;
  return { meta: readThriftStruct(bytes, start, true).value, start };
}

/** The ColumnMetaData of every chunk of every row group. */
function chunkMetas(meta: ThriftStruct): ThriftStruct[] {
  return (meta.get(4) as ThriftStruct[]).flatMap((group) =>
    (group.get(1) as ThriftStruct[]).map((chunk) => chunk.get(3) as ThriftStruct),
  );
}

/** The file with its footer replaced by `meta` written back. */
function withFooter(bytes: Uint8Array, start: number, meta: ThriftStruct): Uint8Array {
  const footer = encodeThriftStruct(meta);
  const file = new Uint8Array(start + footer.length + 8);
  file.set(bytes.subarray(0, start));
  file.set(footer, start);
  new DataView(file.buffer).setUint32(start + footer.length, footer.length, true);
  file.set(bytes.subarray(bytes.length - 4), start + footer.length + 4);
  return file;
}

const num = (value: ThriftValue | undefined) => Number(value);

describe('a run transcoded for the decoder (zstd and gzip pages decompressed by Node, the footer rewritten)', () => {
  let dir: string;
  const written = new Map<string, Uint8Array>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-transcode-'));
    // Nulls, dictionary and plain strings, decimals, timestamps, blobs, lists, structs and maps; 5 row groups.
    const rows = `select
        case when i % 7 = 0 then null else i end as id,
        'host-' || (i % 13) as host,
        md5(i::varchar) as digest,
        i / 3.0 as ratio,
        (i * 1.25)::decimal(18, 2) as amount,
        timestamp '2024-01-01' + to_seconds(i) as ts,
        case when i % 5 = 0 then null else encode('b' || i) end as payload,
        case when i % 11 = 0 then null else [i, i + 1, null] end as items,
        {'a': i, 'b': case when i % 3 = 0 then null else 'x' || i end} as pair,
        map(['k' || (i % 4)], [i]) as tags
      from range(10000) t(i)`;
    for (const codec of ['zstd', 'gzip'])
      for (const version of ['V1', 'V2']) {
        const path = join(dir, `${codec}-${version}.parquet`);
        await duckdb(
          `copy (${rows}) to '${path}' (format parquet, compression ${codec}, row_group_size 2048, parquet_version ${version})`,
        );
        written.set(`${codec} ${version}`, readFileSync(path));
      }
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every corpus file to the rows it reads to as written', async () => {
    const files = parquetFiles(corpus);
    expect(files.length).toBeGreaterThan(300);
    for (const file of files) {
      const bytes = readFileSync(file);
      const run = transcodeRun(whole(bytes), { batchSize: 65_536 });
      expect(run, file).toBeDefined();
      expect(await decodeRows(run?.bytes as Uint8Array, run?.options ?? {}), file).toBe(
        await decodeRows(bytes, { batchSize: 65_536 }),
      );
    }
  }, 120_000);

  it("decompresses DuckDB's zstd and gzip pages, v1 and v2: the same rows for the whole file, a subset of row groups, a projection and a span", async () => {
    for (const [name, bytes] of written) {
      const before = chunkMetas(footerOf(bytes).meta);
      expect(new Set(before.map((m) => num(m.get(4)))), name).toEqual(new Set([name.startsWith('zstd') ? 6 : 2]));
      for (const options of [
        { batchSize: 1024 },
        { batchSize: 1024, rowGroups: [3, 1] },
        { batchSize: 1024, rowGroups: [4], columns: ['items', 'ts'] },
        { batchSize: 1024, rowGroups: [1, 2], offset: 1000, limit: 2500 },
      ] satisfies DecodeOptions[]) {
        const run = transcodeRun(whole(bytes), options);
        expect(run, `${name} ${JSON.stringify(options)}`).toBeDefined();
        const compact = run?.bytes as Uint8Array;
        // Every chunk of the rewritten file is stored uncompressed: the pages were decompressed, not copied.
        const after = chunkMetas(footerOf(compact).meta);
        expect(new Set(after.map((m) => num(m.get(4))))).toEqual(new Set([0]));
        expect(after.length).toBe(((options.rowGroups?.length ?? 5) * before.length) / 5);
        expect(run?.options.rowGroups).toBeUndefined();
        // Each page as stored: no CRC (it covered the compressed bytes), its sizes equal, v2 pages not compressed.
        for (const column of after) {
          const start = num(column.get(11) ?? column.get(9));
          for (let at = start; at < start + num(column.get(7)); ) {
            const { value: page, end } = readThriftStruct(compact, at, true);
            expect(page.has(4)).toBe(false);
            expect(page.get(3)).toBe(page.get(2));
            if (page.get(1) === 3) expect((page.get(8) as ThriftStruct).get(7)).toBe(false);
            at = end + num(page.get(3));
          }
        }
        const rows = await decodeRows(compact, run?.options ?? {});
        expect(rows, `${name} ${JSON.stringify(options)}`).toBe(await decodeRows(bytes, options));
      }
    }
  });

  it('writes files DuckDB reads to the same rows as the originals', async () => {
    for (const [name, bytes] of written) {
      const run = transcodeRun(whole(bytes), { rowGroups: [0, 2, 4] });
      const path = join(dir, `${name.replace(' ', '-')}-transcoded.parquet`);
      await writeFile(path, run?.bytes as Uint8Array);
      const digest = (from: string, where = '') =>
        duckdb(
          `select count(*)::int as n, sum(hash(columns(* exclude (file_row_number))))::varchar as h from read_parquet('${from}', file_row_number = true) ${where}`,
        );
      // Row groups 0, 2 and 4 of 2,048 rows: file rows 0-2047, 4096-6143 and 8192-9999.
      const original = await digest(
        join(dir, `${name.replace(' ', '-')}.parquet`),
        'where file_row_number < 2048 or file_row_number between 4096 and 6143 or file_row_number >= 8192',
      );
      const rewritten = await digest(path);
      expect(rewritten[0]?.n, name).toBe(2048 + 2048 + 1808);
      expect(rewritten, name).toEqual(original);
    }
  });

  it('gives the decoder only what the run reads: a fraction of the file for one row group of one column', () => {
    const bytes = written.get('zstd V1') as Uint8Array;
    const run = transcodeRun(whole(bytes), { rowGroups: [2], columns: ['id'] });
    expect(run).toBeDefined();
    expect(run?.bytes.length).toBeLessThan(bytes.length / 10);
  });

  it('reads only the fetched pieces, and leaves the run to the decoder when a needed range was not fetched', async () => {
    const bytes = written.get('gzip V2') as Uint8Array;
    const { meta, start } = footerOf(bytes);
    const group = (meta.get(4) as ThriftStruct[])[1] as ThriftStruct;
    const metas = (group.get(1) as ThriftStruct[]).map((chunk) => chunk.get(3) as ThriftStruct);
    const first = Math.min(...metas.map((m) => num(m.get(11) ?? m.get(9))).filter((n) => n > 0));
    const last = Math.max(...metas.map((m) => num(m.get(11) ?? m.get(9)) + num(m.get(7))));
    const tail = { start, bytes: bytes.subarray(start) };
    const pieces = [
      { start: 0, bytes: bytes.subarray(0, 4) },
      { start: first, bytes: bytes.subarray(first, last) },
      tail,
    ];
    const run = transcodeRun(piecesSource(bytes.length, pieces), { rowGroups: [1], batchSize: 4096 });
    expect(await decodeRows(run?.bytes as Uint8Array, run?.options ?? {})).toBe(
      await decodeRows(bytes, { rowGroups: [1], batchSize: 4096 }),
    );
    // Row group 2 was not fetched.
    expect(transcodeRun(piecesSource(bytes.length, pieces), { rowGroups: [1, 2] })).toBeUndefined();
    expect(transcodeRun(piecesSource(bytes.length, [tail]), {})).toBeUndefined();
  });

  it('leaves the run to the decoder when a page does not decompress to the size its header states', async () => {
    const bytes = written.get('zstd V1') as Uint8Array;
    const { meta } = footerOf(bytes);
    const column = chunkMetas(meta)[0] as ThriftStruct;
    const at = num(column.get(11) ?? column.get(9));
    const { value: header, end } = readThriftStruct(bytes, at, true);
    const stated = num(header.get(2));
    for (const wrong of [stated - 1, stated + 1]) {
      header.set(2, wrong);
      const rewritten = encodeThriftStruct(header);
      if (rewritten.length !== end - at) continue; // the size's varint changed length: no byte-for-byte splice
      const damaged = bytes.slice();
      damaged.set(rewritten, at);
      expect(transcodeRun(whole(damaged), {}), `header says ${wrong}, page holds ${stated}`).toBeUndefined();
    }
  });

  it("leaves the run to the decoder when a chunk's pages decompress to more than its footer's total (a bomb)", () => {
    const bytes = written.get('gzip V1') as Uint8Array;
    const { meta, start } = footerOf(bytes);
    const column = chunkMetas(meta)[2] as ThriftStruct;
    column.set(6, Math.floor(num(column.get(6)) / 4));
    expect(transcodeRun(whole(withFooter(bytes, start, meta)), {})).toBeUndefined();
    // The same file with the footer written back unchanged is transcoded: the refusal is the size's.
    expect(transcodeRun(whole(withFooter(bytes, start, footerOf(bytes).meta)), {})).toBeDefined();
  });

  it('leaves a chunk stored in another file, or a row group the file lacks, to the decoder', () => {
    const bytes = written.get('zstd V2') as Uint8Array;
    expect(transcodeRun(whole(bytes), { rowGroups: [5] })).toBeUndefined();
    const { meta, start } = footerOf(bytes);
    const group = (meta.get(4) as ThriftStruct[])[0] as ThriftStruct;
    const chunk = (group.get(1) as ThriftStruct[])[0] as ThriftStruct;
    setThriftField(chunk, 1, 'binary', new TextEncoder().encode('elsewhere.parquet'));
    expect(transcodeRun(whole(withFooter(bytes, start, meta)), {})).toBeUndefined();
    chunk.delete(1);
    expect(transcodeRun(whole(withFooter(bytes, start, meta)), {})).toBeDefined();
  });

  it('refuses to write a field whose wire type it was not told', () => {
    const { meta } = footerOf(written.get('zstd V1') as Uint8Array);
    meta.set(99, 1);
    expect(() => encodeThriftStruct(meta)).toThrow(/field 99 has no wire type/);
  });

  it('never answers differently from the decoder on damaged files: same rows, or both refuse, or left to the decoder', async () => {
    const names = [...written.keys()];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (name, edits) => {
          const damaged = (written.get(name) as Uint8Array).slice();
          for (const [where, value] of edits) damaged[Math.floor(where * (damaged.length - 1))] = value;
          const options = { batchSize: 4096, rowGroups: [1, 3] };
          const run = transcodeRun(whole(damaged), options);
          if (!run) return;
          expect(await decodeRows(run.bytes, run.options)).toBe(await decodeRows(damaged, options));
        },
      ),
      { numRuns: 150, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false, seed: 41 },
    );
  }, 30_000);

  it('writes a footer back as it read it: every corpus footer reads back to the same fields', () => {
    for (const file of parquetFiles(corpus)) {
      const bytes = new Uint8Array(readFileSync(file));
      const { meta } = footerOf(bytes);
      const again = readThriftStruct(encodeThriftStruct(meta), 0, true).value;
      expect(again, file).toEqual(meta);
      expect(encodeThriftStruct(again), file).toEqual(encodeThriftStruct(meta));
    }
  });
});
