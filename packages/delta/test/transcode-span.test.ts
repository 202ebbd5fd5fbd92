import {
  Table as ArrowTable,
  Field,
  Int32,
  Int64,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import fc from 'fast-check';
import { Compression, WriterVersion } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import type { DecodeOptions } from '../src/parquet/decode.ts';
import { readThriftStruct, type ThriftStruct } from '../src/parquet/thrift-compact.ts';
import { nullPage, transcodeRun } from '../src/parquet/transcode.ts';
import {
  arrowRsParquet,
  chunkMetas,
  decodeRows,
  footerOf,
  num,
  pagesOf,
  whole,
  withFooter,
} from './support/parquet-footer.ts';

// A run decoded from row `offset` for `limit` rows: the rewrite writes the data pages wholly outside those rows as pages
// of nulls (and drops a dictionary no kept page uses) instead of decompressing them. The rows are arrow-rs's
// (parquet-wasm's writer) and compared with parquet-wasm's decode of the file as written, never with this code's.

const ROWS = 4000;
const GROUP = 1000;

/**
 * A file of 4 row groups of 1,000 rows, pages of about 1 KiB: `must` REQUIRED, `id` and `name` (dictionary) optional
 * with nulls, `items` a list (two levels of nulls, repeated).
 */
function arrowRsFile(codec: Compression, version: WriterVersion): Uint8Array {
  const must = vectorFromArray(
    Array.from({ length: ROWS }, (_, i) => BigInt(i)),
    new Int64(),
  );
  const id = vectorFromArray(
    Array.from({ length: ROWS }, (_, i) => (i % 9 === 0 ? null : BigInt(i * 37))),
    new Int64(),
  );
  const name = vectorFromArray(
    Array.from({ length: ROWS }, (_, i) => (i % 4 === 0 ? null : `name-${i % 50}`)),
    new Utf8(),
  );
  const items = vectorFromArray(
    Array.from({ length: ROWS }, (_, i) => (i % 6 === 0 ? null : [i, i % 3 === 0 ? null : i + 1])),
    new List(new Field('item', new Int32(), true)),
  );
  const schema = new Schema([
    new Field('must', new Int64(), false),
    new Field('id', new Int64(), true),
    new Field('name', new Utf8(), true),
    new Field('items', items.type, true),
  ]);
  const children = [must, id, name, items].map((v) => v.data[0] as NonNullable<(typeof v.data)[0]>);
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length: ROWS, nullCount: 0, children }),
  );
  // Page sizes checked every 100 rows, so a chunk has several pages; `id` plain (about 128 rows a page), `name` a
  // dictionary.
  return arrowRsParquet(new ArrowTable(schema, [batch]), codec, version, {
    rowGroup: GROUP,
    batch: 100,
    plain: ['id'],
  });
}

const files = [Compression.ZSTD, Compression.GZIP].flatMap((codec) =>
  [WriterVersion.V1, WriterVersion.V2].map(
    (version) => [`${Compression[codec]} ${WriterVersion[version]}`, arrowRsFile(codec, version)] as const,
  ),
);

/** The column each chunk of a file holds (its path's first part), and its pages: [offset, header]. */
function chunksOf(bytes: Uint8Array): { column: string; group: number; pages: [number, ThriftStruct][] }[] {
  const groups = footerOf(bytes).meta.get(4) as ThriftStruct[];
  return groups.flatMap((group, g) =>
    (group.get(1) as ThriftStruct[]).map((chunk) => {
      const meta = chunk.get(3) as ThriftStruct;
      const column = new TextDecoder().decode((meta.get(3) as Uint8Array[])[0]);
      return { column, group: g, pages: num(meta.get(7)) > 0 ? pagesOf(bytes, meta) : [] };
    }),
  );
}

/** Whether a page is one the rewrite wrote for rows it drops: the bytes nullPage writes for its row count. */
function isNullPage(bytes: Uint8Array, [at, header]: [number, ThriftStruct]): boolean {
  if (header.get(1) !== 0) return false;
  const count = num((header.get(5) as ThriftStruct).get(1));
  const { end } = readThriftStruct(bytes, at, true);
  const expected = nullPage(count);
  return Buffer.from(bytes.subarray(at, end + num(header.get(3)))).equals(
    Buffer.concat([expected.header, expected.body]),
  );
}

describe('a run transcoded for a span of its rows (pages wholly outside it not decompressed)', () => {
  it('writes a page of nulls that reads back as its count of nulls, in a valid header', async () => {
    for (const count of [1, 63, 64, 20_000, 2 ** 21]) {
      const { header, body } = nullPage(count);
      const { value, end } = readThriftStruct(header, 0, true);
      expect(end).toBe(header.length);
      expect([num(value.get(1)), num(value.get(2)), num(value.get(3))]).toEqual([0, body.length, body.length]);
      const data = value.get(5) as ThriftStruct;
      // num_values, PLAIN values (none: every slot is null), RLE definition and repetition levels.
      expect([1, 2, 3, 4].map((f) => num(data.get(f)))).toEqual([count, 0, 3, 3]);
      // The levels: a 4-byte length, then one RLE run (header count << 1, then the value 0 in one byte).
      const levels = new DataView(body.buffer, body.byteOffset).getUint32(0, true);
      expect(levels).toBe(body.length - 4);
      let run = 0;
      let shift = 1;
      let at = 4;
      for (;;) {
        const b = body[at++] as number;
        run += (b & 0x7f) * shift;
        shift *= 128;
        if ((b & 0x80) === 0) break;
      }
      expect([run / 2, run % 2, body[at], at + 1]).toEqual([count, 0, 0, body.length]);
    }
  });

  it('reads every span to the rows the file reads to as written, null pages only where no row is kept', async () => {
    for (const [name, bytes] of files) {
      for (const options of [
        // Rows 1,300-2,450 of the file: row group 0 wholly outside, 1 and 2 in part.
        { batchSize: 300, rowGroups: [0, 1, 2], offset: 1300, limit: 1150 },
        { batchSize: 300, rowGroups: [3, 1], offset: 450, limit: 900, columns: ['id', 'items'] },
        { batchSize: 300, limit: 10 },
        { batchSize: 300, offset: 3990 },
      ] satisfies DecodeOptions[]) {
        const label = `${name} ${JSON.stringify(options)}`;
        const run = await transcodeRun(whole(bytes), options);
        expect(run, label).toBeDefined();
        const compact = run?.bytes as Uint8Array;
        expect(await decodeRows(compact, run?.options ?? {}), label).toBe(await decodeRows(bytes, options));
        const chunks = chunksOf(compact);
        const nulls = (column: string) =>
          chunks.filter((c) => c.column === column).flatMap((c) => c.pages.filter((p) => isNullPage(compact, p)));
        // Only the optional columns of one value per row get pages of nulls; the required and the list never.
        expect(nulls('must'), label).toEqual([]);
        expect(nulls('items'), label).toEqual([]);
        // A page of nulls holds no row the decode keeps: rows [first, last) of the run, its groups 1,000 rows each.
        const first = options.offset ?? 0;
        const last = options.limit === undefined ? Number.POSITIVE_INFINITY : first + options.limit;
        for (const chunk of chunks.filter((c) => c.column === 'id' || c.column === 'name')) {
          let row = chunk.group * GROUP;
          for (const page of chunk.pages) {
            const type = page[1].get(1);
            if (type === 2) continue;
            const rows = num(
              type === 0 ? (page[1].get(5) as ThriftStruct).get(1) : (page[1].get(8) as ThriftStruct).get(3),
            );
            if (isNullPage(compact, page)) expect(row + rows <= first || row >= last, label).toBe(true);
            row += rows;
          }
        }
        // The first span keeps rows 1,300-2,449. v1 pages of 200 rows: 5 pages before it in group 0, 1 in group 1 and
        // 2 after it in group 2 are nulls. arrow-rs writes one v2 page a chunk here: group 0's.
        if (options.offset === 1300) expect(nulls('id').length, label).toBe(name.endsWith('V1') ? 8 : 1);
      }
    }
  });

  it('drops the dictionary of a chunk whose every page is outside the span, and decompresses none of it', async () => {
    for (const [name, bytes] of files) {
      const run = await transcodeRun(whole(bytes), { rowGroups: [0, 1], offset: 1200, limit: 300 });
      const compact = run?.bytes as Uint8Array;
      const first = chunksOf(compact).filter((c) => c.group === 0 && c.column === 'name')[0];
      const written = chunksOf(bytes).filter((c) => c.group === 0 && c.column === 'name')[0];
      expect(
        written?.pages.some(([, p]) => p.get(1) === 2),
        name,
      ).toBe(true);
      expect(first?.pages.length, name).toBeGreaterThan(0);
      expect(
        first?.pages.every((p) => isNullPage(compact, p)),
        name,
      ).toBe(true);
      const meta = chunkMetas(footerOf(compact).meta)[2] as ThriftStruct;
      expect(meta.has(11), name).toBe(false);
      expect(await decodeRows(compact, run?.options ?? {}), name).toBe(
        await decodeRows(bytes, { rowGroups: [0, 1], offset: 1200, limit: 300 }),
      );
    }
  });

  it("leaves a run to the decoder when a flat chunk's pages do not add up to its row group's rows", async () => {
    for (const [name, bytes] of files) {
      const { meta, start } = footerOf(bytes);
      const groups = meta.get(4) as ThriftStruct[];
      (groups[1] as ThriftStruct).set(3, GROUP + 1);
      const wrong = withFooter(bytes, start, meta);
      expect(await transcodeRun(whole(wrong), { rowGroups: [1], offset: 900, limit: 50 }), name).toBeUndefined();
      // Without a span nothing is counted: the run is rewritten, and reads as the file does.
      const run = await transcodeRun(whole(wrong), { rowGroups: [1] });
      expect(await decodeRows(run?.bytes as Uint8Array, run?.options ?? {}), name).toBe(
        await decodeRows(wrong, { rowGroups: [1] }),
      );
    }
  });

  it('never reads a span to other rows than the file as written (random row groups, offsets, limits, columns)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: ROWS }),
        fc.option(fc.integer({ min: 0, max: ROWS }), { nil: undefined }),
        fc.subarray(['must', 'id', 'name', 'items'], { minLength: 1 }),
        async ([name, bytes], rowGroups, offset, limit, columns) => {
          const options: DecodeOptions = {
            batchSize: 512,
            rowGroups,
            offset,
            columns,
            ...(limit === undefined ? {} : { limit }),
          };
          const run = await transcodeRun(whole(bytes), options);
          expect(run).toBeDefined();
          expect(await decodeRows(run?.bytes as Uint8Array, run?.options ?? {}), `${name}`).toBe(
            await decodeRows(bytes, options),
          );
        },
      ),
      { numRuns: 200, seed: 20261204 },
    );
  });
});
