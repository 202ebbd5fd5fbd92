import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table as ArrowTable, Field, Int32, Int64, List, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, WriterVersion, writeParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DecodeOptions } from '../src/parquet/decode.ts';
import {
  encodeThriftStruct,
  readThriftStruct,
  setThriftField,
  type ThriftStruct,
  type ThriftValue,
} from '../src/parquet/thrift-compact.ts';
import { piecesSource, transcodeRun } from '../src/parquet/transcode.ts';
import { duckdb } from './support/corpus-copy.ts';
import {
  arrowRsParquet,
  chunkMetas,
  decodeRows,
  footerOf,
  num,
  pagesOf,
  parquetFiles,
  whole,
  withFooter,
} from './support/parquet-footer.ts';
import { corpus } from './support/shared-corpus.ts';

// Files written by Spark, Databricks and delta-rs (../shared/delta-corpus), and by DuckDB here: none by this code.

/** A file parquet-wasm (arrow-rs) writes: v2 data pages, page indexes, 4 row groups, nulls and a list column. */
function arrowRsFile(codec: Compression, version: WriterVersion): Uint8Array {
  const n = 4000;
  const ids = Array.from({ length: n }, (_, i) => (i % 9 === 0 ? null : BigInt(i * 37)));
  const names = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : `name-${i % 50}`));
  const lists = Array.from({ length: n }, (_, i) => (i % 6 === 0 ? null : [i, i % 3 === 0 ? null : i + 1]));
  const table = new ArrowTable({
    id: vectorFromArray(ids, new Int64()),
    name: vectorFromArray(names, new Utf8()),
    items: vectorFromArray(lists, new List(new Field('item', new Int32(), true))),
  });
  return arrowRsParquet(table, codec, version, { rowGroup: 1000 });
}

/** Every chunk of a rewritten file: no pointer into the original (page indexes, bloom filters, row-group offsets),
 * its offsets naming its own pages: the dictionary page where the chunk starts, when there is one, then the data. */
function expectFooterNamesPages(compact: Uint8Array): void {
  for (const group of footerOf(compact).meta.get(4) as ThriftStruct[]) {
    expect([group.has(5), group.has(6)]).toEqual([false, false]);
    for (const chunk of group.get(1) as ThriftStruct[]) {
      expect([4, 5, 6, 7].map((f) => chunk.has(f))).toEqual([false, false, false, false]);
      const column = chunk.get(3) as ThriftStruct;
      expect([10, 14, 15].map((f) => column.has(f))).toEqual([false, false, false]);
      const pages = pagesOf(compact, column);
      expect(num(chunk.get(2))).toBe(pages[0]?.[0]);
      const dictionary = pages.filter(([, p]) => p.get(1) === 2);
      expect(dictionary.length).toBeLessThanOrEqual(1);
      if (dictionary[0]) expect([num(column.get(11)), pages[0]?.[0]]).toEqual([dictionary[0][0], dictionary[0][0]]);
      else expect(column.has(11)).toBe(false);
      expect(num(column.get(9))).toBe(pages.find(([, p]) => p.get(1) !== 2)?.[0]);
    }
  }
}

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
        // A copy of its own: a Buffer's slice() is a view, and tests damage their slices.
        written.set(`${codec} ${version}`, new Uint8Array(readFileSync(path)));
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
      const run = await transcodeRun(whole(bytes), { batchSize: 65_536 });
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
        const run = await transcodeRun(whole(bytes), options);
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
      const run = await transcodeRun(whole(bytes), { rowGroups: [0, 2, 4] });
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

  it("decompresses arrow-rs's v2 pages (levels kept, values decompressed) and v1 pages, zstd and gzip", async () => {
    for (const codec of [Compression.ZSTD, Compression.GZIP])
      for (const version of [WriterVersion.V1, WriterVersion.V2]) {
        const bytes = arrowRsFile(codec, version);
        const name = `${Compression[codec]} ${WriterVersion[version]}`;
        const types = new Set(
          chunkMetas(footerOf(bytes).meta).flatMap((m) => pagesOf(bytes, m).map(([, p]) => p.get(1))),
        );
        expect(types.has(version === WriterVersion.V2 ? 3 : 0), name).toBe(true);
        for (const options of [{ batchSize: 512 }, { batchSize: 512, rowGroups: [2, 0], columns: ['items'] }]) {
          const run = await transcodeRun(whole(bytes), options);
          expect(run, name).toBeDefined();
          const compact = run?.bytes as Uint8Array;
          for (const column of chunkMetas(footerOf(compact).meta).filter((m) => num(m.get(7)) > 0))
            for (const [, page] of pagesOf(compact, column)) {
              expect(page.get(3)).toBe(page.get(2));
              if (page.get(1) === 3) expect((page.get(8) as ThriftStruct).get(7)).toBe(false);
            }
          expect(await decodeRows(compact, run?.options ?? {}), name).toBe(await decodeRows(bytes, options));
        }
      }
  });

  it('writes a footer whose offsets name the rewritten pages, with no pointer left into the original file', async () => {
    const bytes = arrowRsFile(Compression.ZSTD, WriterVersion.V1);
    const { meta, start } = footerOf(bytes);
    const groups = meta.get(4) as ThriftStruct[];
    const chunks = groups.flatMap((g) => g.get(1) as ThriftStruct[]);
    // The original has page indexes; a bloom filter's offset and length are added, as other writers write them.
    expect(chunks.every((c) => c.has(4) && c.has(6))).toBe(true);
    for (const chunk of chunks) {
      setThriftField(chunk.get(3) as ThriftStruct, 14, 'i64', 4);
      setThriftField(chunk.get(3) as ThriftStruct, 15, 'i32', 10);
    }
    for (const group of groups) setThriftField(group, 5, 'i64', 4);
    const run = await transcodeRun(whole(withFooter(bytes, start, meta)), { rowGroups: [1, 3] });
    expect(num(footerOf(run?.bytes as Uint8Array).meta.get(3))).toBe(2000);
    expectFooterNamesPages(run?.bytes as Uint8Array);
    // DuckDB leaves some columns without a dictionary (the md5 digests, the ratios).
    const duck = await transcodeRun(whole(written.get('zstd V1') as Uint8Array), { rowGroups: [0, 4] });
    const duckColumns = chunkMetas(footerOf(duck?.bytes as Uint8Array).meta);
    expect(duckColumns.some((c) => !c.has(11)) && duckColumns.some((c) => c.has(11))).toBe(true);
    expectFooterNamesPages(duck?.bytes as Uint8Array);
    // A projection: the other chunks keep their metadata, uncompressed, of no bytes, with no dictionary.
    const projected = await transcodeRun(whole(written.get('zstd V1') as Uint8Array), { columns: ['digest'] });
    for (const column of chunkMetas(footerOf(projected?.bytes as Uint8Array).meta)) {
      const top = new TextDecoder().decode((column.get(3) as Uint8Array[])[0]);
      if (top === 'digest') expect(num(column.get(7))).toBeGreaterThan(0);
      else expect([num(column.get(4)), num(column.get(7)), column.has(11)]).toEqual([0, 0, false]);
    }
  });

  it('reads a dictionary_page_offset of 0 as no dictionary, as writers that write 0 mean it', async () => {
    const bytes = written.get('zstd V1') as Uint8Array;
    const { meta, start } = footerOf(bytes);
    const withoutDictionary = chunkMetas(meta).filter((m) => !m.has(11));
    expect(withoutDictionary.length).toBeGreaterThan(0);
    for (const column of withoutDictionary) setThriftField(column, 11, 'i64', 0);
    const file = withFooter(bytes, start, meta);
    const run = await transcodeRun(whole(file), { rowGroups: [0] });
    expect(run).toBeDefined();
    expect(await decodeRows(run?.bytes as Uint8Array, run?.options ?? {})).toBe(
      await decodeRows(bytes, { rowGroups: [0] }),
    );
  });

  it('drops the CRC of a page it decompresses (it covered the compressed bytes)', async () => {
    // A one-column, one-row-group zstd file, its page headers given a CRC as parquet-mr writes them.
    const table = new ArrowTable({
      id: vectorFromArray(
        Array.from({ length: 3000 }, (_, i) => BigInt(i % 700)),
        new Int64(),
      ),
    });
    const plain = writeParquet(
      WasmTable.fromIPCStream(tableToIPC(table, 'stream')),
      new WriterPropertiesBuilder().setCompression(Compression.ZSTD).setDataPageSizeLimit(1024).build(),
    );
    const { meta } = footerOf(plain);
    const group = (meta.get(4) as ThriftStruct[])[0] as ThriftStruct;
    const chunk = (group.get(1) as ThriftStruct[])[0] as ThriftStruct;
    const column = chunk.get(3) as ThriftStruct;
    const pages = pagesOf(plain, column);
    const rewritten: Uint8Array[] = [plain.subarray(0, 4)];
    let at = 4;
    let data: number | undefined;
    for (const [offset, header] of pages) {
      if (header.get(1) !== 2) data ??= at;
      const end = readThriftStruct(plain, offset, true).end;
      setThriftField(header, 4, 'i32', 0x1234567);
      const encoded = encodeThriftStruct(header);
      const body = plain.subarray(end, end + num(header.get(3)));
      rewritten.push(encoded, body);
      at += encoded.length + body.length;
    }
    if (column.has(11)) setThriftField(column, 11, 'i64', 4);
    setThriftField(column, 9, 'i64', data as number);
    setThriftField(column, 7, 'i64', at - 4);
    setThriftField(chunk, 2, 'i64', 4);
    for (const field of [4, 5, 6, 7]) chunk.delete(field);
    const withCrc = withFooter(new Uint8Array(Buffer.concat([...rewritten, plain.subarray(-4)])), at, meta);
    expect(pagesOf(withCrc, chunkMetas(footerOf(withCrc).meta)[0] as ThriftStruct).every(([, p]) => p.has(4))).toBe(
      true,
    );
    const run = await transcodeRun(whole(withCrc), {});
    const compact = run?.bytes as Uint8Array;
    const after = pagesOf(compact, chunkMetas(footerOf(compact).meta)[0] as ThriftStruct);
    expect(after.length).toBe(pages.length);
    expect(after.some(([, p]) => p.has(4))).toBe(false);
    expect(await decodeRows(compact, run?.options ?? {})).toBe(await decodeRows(plain, {}));
  });

  it('serves a read from one fetched piece only: not before the first, not past a piece, not across two', () => {
    const source = piecesSource(100, [
      { start: 10, bytes: Uint8Array.from({ length: 20 }, (_, i) => i) },
      { start: 30, bytes: Uint8Array.from({ length: 10 }, (_, i) => 100 + i) },
    ]);
    expect([...(source.read(12, 15) ?? [])]).toEqual([2, 3, 4]);
    expect([...(source.read(30, 32) ?? [])]).toEqual([100, 101]);
    expect(source.read(5, 12)).toBeUndefined();
    expect(source.read(0, 4)).toBeUndefined();
    expect(source.read(25, 35)).toBeUndefined();
    expect(source.read(38, 41)).toBeUndefined();
  });

  it('refuses a source that hands back other bytes than asked, and passes on an error it does not know', async () => {
    const bytes = written.get('gzip V1') as Uint8Array;
    const short = { size: bytes.length, read: (start: number, end: number) => bytes.subarray(start, end - 1) };
    expect(await transcodeRun(short, {})).toBeUndefined();
    const failing = {
      size: bytes.length,
      read: () => {
        throw new Error('the storage went away');
      },
    };
    await expect(transcodeRun(failing, {})).rejects.toThrow('the storage went away');
  });

  it('leaves a damaged or signed footer to the decoder', async () => {
    const bytes = written.get('zstd V2') as Uint8Array;
    const { meta, start } = footerOf(bytes);
    // The footer cut short: the length says more bytes than the file has, or the thrift ends early.
    const long = bytes.slice();
    new DataView(long.buffer).setUint32(long.length - 8, long.length, true);
    expect(await transcodeRun(whole(long), {})).toBeUndefined();
    const cut = bytes.slice();
    new DataView(cut.buffer).setUint32(cut.length - 8, 3, true);
    expect(await transcodeRun(whole(cut), {})).toBeUndefined();
    // footer_signing_key_metadata: a plaintext footer of an encrypted file.
    setThriftField(meta, 9, 'binary', new Uint8Array([1, 2, 3]));
    expect(await transcodeRun(whole(withFooter(bytes, start, meta)), {})).toBeUndefined();
  });

  it('leaves a footer the thrift reader cannot read, and a page of an unknown type, to the decoder', async () => {
    const bytes = written.get('gzip V2') as Uint8Array;
    const { start } = footerOf(bytes);
    // A footer of one byte: a list field whose header never comes.
    const broken = new Uint8Array(start + 1 + 8);
    broken.set(bytes.subarray(0, start));
    broken[start] = 0x19;
    new DataView(broken.buffer).setUint32(start + 1, 1, true);
    broken.set(bytes.subarray(bytes.length - 4), start + 5);
    expect(() => readThriftStruct(broken.subarray(start, start + 1), 0)).toThrow(/unexpected end/);
    expect(await transcodeRun(whole(broken), {})).toBeUndefined();
    // The first page's type set to 7, which parquet-format does not define.
    const column = chunkMetas(footerOf(bytes).meta)[0] as ThriftStruct;
    const at = num(column.get(11) ?? column.get(9));
    const { value: header } = readThriftStruct(bytes, at, true);
    header.set(1, 7);
    const damaged = bytes.slice();
    damaged.set(encodeThriftStruct(header), at);
    expect(await transcodeRun(whole(damaged), { rowGroups: [0] })).toBeUndefined();
  });

  it('leaves a row group named twice, and a chunk whose path is not its schema leaf, to the decoder', async () => {
    const bytes = written.get('zstd V1') as Uint8Array;
    expect(await transcodeRun(whole(bytes), { rowGroups: [1, 3] })).toBeDefined();
    expect(await transcodeRun(whole(bytes), { rowGroups: [1, 1] })).toBeUndefined();
    // The decoder reads chunk i for schema leaf i: two chunks' paths swapped would make the rewrite keep the wrong one.
    const { meta, start } = footerOf(bytes);
    const group = (meta.get(4) as ThriftStruct[])[0] as ThriftStruct;
    const [first, second] = (group.get(1) as ThriftStruct[]).map((chunk) => chunk.get(3) as ThriftStruct);
    const path = first?.get(3) as ThriftValue[];
    const other = second?.get(3) as ThriftValue[];
    const swapped = [...path];
    path.splice(0, path.length, ...other);
    other.splice(0, other.length, ...swapped);
    expect(
      await transcodeRun(whole(withFooter(bytes, start, meta)), { rowGroups: [0], columns: ['id'] }),
    ).toBeUndefined();
  });

  it("keeps what parquet-wasm's projection reads: a column named with a dot beside the column it starts with", async () => {
    const n = 500;
    const table = new ArrowTable({
      a: vectorFromArray(
        Array.from({ length: n }, (_, i) => BigInt(i)),
        new Int64(),
      ),
      'a.b': vectorFromArray(
        Array.from({ length: n }, (_, i) => `v${i}`),
        new Utf8(),
      ),
      c: vectorFromArray(
        Array.from({ length: n }, (_, i) => BigInt(-i)),
        new Int64(),
      ),
    });
    const bytes = writeParquet(
      WasmTable.fromIPCStream(tableToIPC(table, 'stream')),
      new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build(),
    );
    for (const columns of [['a'], ['a.b'], ['c'], ['a', 'c']]) {
      const run = await transcodeRun(whole(bytes), { columns });
      expect(run, columns.join()).toBeDefined();
      expect(await decodeRows(run?.bytes as Uint8Array, run?.options ?? {}), columns.join()).toBe(
        await decodeRows(bytes, { columns }),
      );
    }
    expect(await transcodeRun(whole(bytes), { columns: ['é'] })).toBeUndefined();
  });

  it('is off with MERIDIAN_TRANSCODE=0', async () => {
    vi.stubEnv('MERIDIAN_TRANSCODE', '0');
    vi.resetModules();
    try {
      const fresh = await import('../src/parquet/transcode.ts');
      expect(await fresh.transcodeRun(whole(written.get('zstd V1') as Uint8Array), {})).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it('gives the decoder only what the run reads: a fraction of the file for one row group of one column', async () => {
    const bytes = written.get('zstd V1') as Uint8Array;
    const run = await transcodeRun(whole(bytes), { rowGroups: [2], columns: ['id'] });
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
    const run = await transcodeRun(piecesSource(bytes.length, pieces), { rowGroups: [1], batchSize: 4096 });
    expect(await decodeRows(run?.bytes as Uint8Array, run?.options ?? {})).toBe(
      await decodeRows(bytes, { rowGroups: [1], batchSize: 4096 }),
    );
    // Row group 2 was not fetched.
    expect(await transcodeRun(piecesSource(bytes.length, pieces), { rowGroups: [1, 2] })).toBeUndefined();
    expect(await transcodeRun(piecesSource(bytes.length, [tail]), {})).toBeUndefined();
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
      expect(await transcodeRun(whole(damaged), {}), `header says ${wrong}, page holds ${stated}`).toBeUndefined();
    }
  });

  it("leaves the run to the decoder when a chunk's pages decompress to more than its footer's total (a bomb)", async () => {
    const bytes = written.get('gzip V1') as Uint8Array;
    const { meta, start } = footerOf(bytes);
    const column = chunkMetas(meta)[2] as ThriftStruct;
    column.set(6, Math.floor(num(column.get(6)) / 4));
    expect(await transcodeRun(whole(withFooter(bytes, start, meta)), {})).toBeUndefined();
    // The same file with the footer written back unchanged is transcoded: the refusal is the size's.
    expect(await transcodeRun(whole(withFooter(bytes, start, footerOf(bytes).meta)), {})).toBeDefined();
  });

  it('leaves a chunk stored in another file, or a row group the file lacks, to the decoder', async () => {
    const bytes = written.get('zstd V2') as Uint8Array;
    expect(await transcodeRun(whole(bytes), { rowGroups: [5] })).toBeUndefined();
    const { meta, start } = footerOf(bytes);
    const group = (meta.get(4) as ThriftStruct[])[0] as ThriftStruct;
    const chunk = (group.get(1) as ThriftStruct[])[0] as ThriftStruct;
    setThriftField(chunk, 1, 'binary', new TextEncoder().encode('elsewhere.parquet'));
    expect(await transcodeRun(whole(withFooter(bytes, start, meta)), {})).toBeUndefined();
    chunk.delete(1);
    expect(await transcodeRun(whole(withFooter(bytes, start, meta)), {})).toBeDefined();
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
          const run = await transcodeRun(whole(damaged), options);
          if (!run) return;
          expect(await decodeRows(run.bytes, run.options)).toBe(await decodeRows(damaged, options));
        },
      ),
      { numRuns: 150, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false, seed: 41 },
    );
  }, 30_000);
});
