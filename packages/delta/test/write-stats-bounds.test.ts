import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  Table as ArrowTable,
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  makeData,
  makeVector,
  Struct,
  Timestamp,
  TimeUnit,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseDecimalAtScale } from '../src/schema/value-text.ts';
import { openTable } from '../src/snapshot/table.ts';
import { fileStats } from '../src/write/file-stats.ts';
import { deltaSchemaOf } from '../src/write/schema.ts';
import { writeTable } from '../src/write/write-table.ts';
import { random } from './fixtures/random.ts';

/*
 * The JSON bounds fileStats writes, worked by hand (issue 22: the statistics were never mutation-tested). Each value
 * below sits where a plausible bug changes the output: a microsecond minimum before 1970 that must be floored, a long
 * exactly at 2^53 - 1, a string of exactly 32 code points that are each two UTF-16 units, a decimal a double cannot
 * hold, a struct whose own null hides its children. write-stats.test.ts checks the typed-array paths against Arrow's
 * own accessor; this file pins the text each bound is written as.
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function stats(table: ArrowTable) {
  return fileStats(table, deltaSchemaOf(table.schema).fields);
}

/** A timestamp column of microseconds; null entries are null rows (their slot holds 0). */
function timestamps(values: (bigint | null)[], timezone: string | null) {
  const type = new Timestamp(TimeUnit.MICROSECOND, timezone);
  const nulls = values.filter((v) => v === null).length;
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  for (const [i, v] of values.entries())
    if (v !== null) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  const data = BigInt64Array.from(values, (v) => v ?? 0n);
  return makeVector(
    makeData({ type, length: values.length, data, ...(nulls > 0 ? { nullCount: nulls, nullBitmap } : {}) } as never),
  );
}

function decimals(values: (bigint | null)[], precision: number, scale: number) {
  const words = new Uint32Array(values.length * 4);
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  for (const [i, v] of values.entries()) {
    if (v === null) {
      nullCount++;
      continue;
    }
    nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
    let u = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(u & 0xffffffffn);
      u >>= 32n;
    }
  }
  const type = new Decimal(scale, precision, 128);
  return makeVector(makeData({ type, length: values.length, nullCount, nullBitmap, data: words }));
}

describe('file statistics: the JSON each bound is written as', () => {
  it('timestamps: a sub-millisecond minimum is floored and a maximum ceiled, before 1970 and after; whole milliseconds stay', () => {
    const table = new ArrowTable({
      // 1.5 ms and 2.5 ms: min floored to 1 ms, max ceiled to 3 ms.
      after: timestamps([1500n, 2500n, 2000n], 'UTC'),
      // -2.5 ms and -1.5 ms: min floored to -3 ms (.997), max ceiled to -1 ms (.999); cutting toward zero would give
      // -2 ms for the minimum (above -2.5 ms, not a lower bound) and -2 ms for the maximum (below -1.5 ms).
      before: timestamps([-1500n, -2500n, -2000n], 'UTC'),
      // Whole milliseconds either side of the epoch: written as they are, not widened.
      whole: timestamps([3000n, -2000n, 0n], 'UTC'),
      // timestamp_ntz: the same arithmetic, written without the zone.
      ntz: timestamps([-1500n, -2500n, 1500n], null),
    });
    const s = stats(table);
    expect(s.minValues).toEqual({
      after: '1970-01-01T00:00:00.001Z',
      before: '1969-12-31T23:59:59.997Z',
      whole: '1969-12-31T23:59:59.998Z',
      ntz: '1969-12-31T23:59:59.997',
    });
    expect(s.maxValues).toEqual({
      after: '1970-01-01T00:00:00.003Z',
      before: '1969-12-31T23:59:59.999Z',
      whole: '1970-01-01T00:00:00.003Z',
      ntz: '1970-01-01T00:00:00.002',
    });
    expect(s.nullCount).toEqual({ after: 0, before: 0, whole: 0, ntz: 0 });
    expect(s.numRecords).toBe(3);
  });

  it('timestamps with nulls take the same bounds; an all-null column has a null count and no bounds', () => {
    const table = new ArrowTable({
      ts: timestamps([null, -1500n, null, 2500n], 'UTC'),
      none: timestamps([null, null, null, null], 'UTC'),
    });
    const s = stats(table);
    expect(s.minValues).toEqual({ ts: '1969-12-31T23:59:59.998Z' });
    expect(s.maxValues).toEqual({ ts: '1970-01-01T00:00:00.003Z' });
    expect(s.nullCount).toEqual({ ts: 2, none: 4 });
  });

  it('longs: exactly 2^53 - 1 either way is written, one past it is not (a JSON number is a double to most readers)', () => {
    const long = (values: bigint[]) => vectorFromArray(values, new Int64());
    const table = new ArrowTable({
      edge: long([MAX_SAFE, -MAX_SAFE, 0n]),
      above: long([MAX_SAFE + 1n, 5n, 0n]),
      below: long([-MAX_SAFE - 1n, 5n, 0n]),
    });
    const s = stats(table);
    expect(s.minValues).toEqual({ edge: -Number.MAX_SAFE_INTEGER, above: 0, below: undefined });
    expect(s.maxValues).toEqual({ edge: Number.MAX_SAFE_INTEGER, above: undefined, below: 5 });
    expect(Object.keys(s.minValues)).toEqual(['edge', 'above']);
    expect(Object.keys(s.maxValues)).toEqual(['edge', 'below']);
  });

  it('decimals: at their scale, nulls counted, and none past 2^53 - 1 unscaled', () => {
    const table = new ArrowTable({
      // decimal(10,2): -123.45, null, 0.50, 99.99
      d: decimals([-12345n, null, 50n, 9999n], 10, 2),
      // decimal(38,0) at and past the largest exact double.
      edge: decimals([MAX_SAFE, -MAX_SAFE, 1n, null], 38, 0),
      above: decimals([MAX_SAFE + 1n, 1n, 2n, 3n], 38, 0),
      below: decimals([-MAX_SAFE - 1n, 1n, 2n, 3n], 38, 0),
    });
    const s = stats(table);
    expect(s.minValues).toEqual({ d: -123.45, edge: -Number.MAX_SAFE_INTEGER, above: 1 });
    expect(s.maxValues).toEqual({ d: 99.99, edge: Number.MAX_SAFE_INTEGER, below: 3 });
    expect(s.nullCount).toEqual({ d: 1, edge: 1, above: 0, below: 0 });
  });

  it('strings: 32 code points are kept whole; a longer minimum is cut to 32 code points and a longer maximum dropped', () => {
    const rocket32 = '🚀'.repeat(32); // 32 code points, 64 UTF-16 units
    const long = `b${'🚀'.repeat(40)}`;
    const table = new ArrowTable({
      exact: vectorFromArray([rocket32, rocket32], new Utf8()),
      cut: vectorFromArray([long, 'z'], new Utf8()),
      dropped: vectorFromArray(['a', long], new Utf8()),
    });
    const s = stats(table);
    expect(s.minValues).toEqual({ exact: rocket32, cut: `b${'🚀'.repeat(31)}`, dropped: 'a' });
    expect(s.maxValues).toEqual({ exact: rocket32, cut: 'z' });
  });

  it('booleans and binary have null counts only', () => {
    const table = new ArrowTable({
      b: vectorFromArray([true, null, false], new Bool()),
      bin: vectorFromArray([new Uint8Array([1]), new Uint8Array([0, 2]), null], new Binary()),
    });
    const s = stats(table);
    expect(s).toEqual({ numRecords: 3, minValues: {}, maxValues: {}, nullCount: { b: 1, bin: 1 } });
  });

  it('structs: a null struct row is null in every child; bounds per child by type; NaN in a child drops its bounds', () => {
    const type = new Struct([
      new Field('i', new Int32(), true),
      new Field('l', new Int64(), true),
      new Field('s', new Utf8(), true),
      new Field('x', new Float64(), true),
      new Field('ts', new Timestamp(TimeUnit.MICROSECOND, 'UTC'), true),
      new Field('flag', new Bool(), true),
    ]);
    // Row 1 is a null struct whose children still hold values (Arrow leaves them as written): they must not count.
    const children = [
      vectorFromArray([5, 100, -3, null], new Int32()),
      vectorFromArray([-(2n ** 40n), -(2n ** 50n), 7n, 2n ** 40n + 1n], new Int64()),
      vectorFromArray(['m', 'a', null, 'b'], new Utf8()),
      vectorFromArray([Number.NaN, 0, 1.5, 2.5], new Float64()),
      timestamps([-1500n, -9000n, 2500n, null], 'UTC'),
      vectorFromArray([true, true, null, false], new Bool()),
    ].map((v) => v.data[0]);
    const vector = makeVector(
      makeData({ type, length: 4, nullCount: 1, nullBitmap: new Uint8Array([0b1101]), children } as never),
    );
    const flags = new ArrowTable({
      t: vectorFromArray([{ f: true }, { f: null }], new Struct([new Field('f', new Bool(), true)])),
    });
    const s = stats(new ArrowTable({ st: vector }));
    expect(s.nullCount).toEqual({ st: { i: 2, l: 1, s: 2, x: 1, ts: 2, flag: 2 } });
    expect(s.minValues).toEqual({ st: { i: -3, l: -(2 ** 40), s: 'b', ts: '1969-12-31T23:59:59.998Z' } });
    expect(s.maxValues).toEqual({ st: { i: 5, l: 2 ** 40 + 1, s: 'm', ts: '1970-01-01T00:00:00.003Z' } });
    // A struct of booleans only: null counts, and no empty object under minValues or maxValues.
    expect(stats(flags)).toEqual({ numRecords: 2, minValues: {}, maxValues: {}, nullCount: { t: { f: 1 } } });
  });

  it('structs: every bounded type inside a struct, read row by row, with the null struct row left out', () => {
    const type = new Struct([
      new Field('b8', new Int8(), true),
      new Field('i16', new Int16(), true),
      new Field('f32', new Float32(), true),
      new Field('x', new Float64(), true),
      new Field('d', new DateDay(), true),
      new Field('dec', new Decimal(2, 10, 128), true),
      new Field('ntz', new Timestamp(TimeUnit.MICROSECOND, null), true),
    ]);
    // Row 1 is the null struct; its children hold values beyond every bound of the other rows.
    const children = [
      vectorFromArray([3, 100, -7, null], new Int8()),
      vectorFromArray([-300, -9999, 200, 1], new Int16()),
      vectorFromArray([0.5, -9, null, 1.5], new Float32()),
      // NaN after a value: the bounds found before it must be dropped too.
      vectorFromArray([1.5, 0, Number.NaN, 2.5], new Float64()),
      makeVector(makeData({ type: new DateDay(), length: 4, data: Int32Array.from([0, -1000, -1, 365]) })),
      decimals([-12345n, 99999n, null, 50n], 10, 2),
      timestamps([-1500n, 9_000_000n, 2500n, null], null),
    ].map((v) => v.data[0]);
    const vector = makeVector(
      makeData({ type, length: 4, nullCount: 1, nullBitmap: new Uint8Array([0b1101]), children } as never),
    );
    const s = stats(new ArrowTable({ st: vector }));
    expect(s.numRecords).toBe(4);
    expect(s.nullCount).toEqual({ st: { b8: 2, i16: 1, f32: 2, x: 1, d: 1, dec: 2, ntz: 2 } });
    expect(s.minValues).toEqual({
      st: { b8: -7, i16: -300, f32: 0.5, d: '1969-12-31', dec: -123.45, ntz: '1969-12-31T23:59:59.998' },
    });
    expect(s.maxValues).toEqual({
      st: { b8: 3, i16: 200, f32: 1.5, d: '1971-01-01', dec: 0.5, ntz: '1970-01-01T00:00:00.003' },
    });
  });

  it('a top-level column with nulls and a NaN has a null count and no bounds', () => {
    const s = stats(new ArrowTable({ x: vectorFromArray([1, null, Number.NaN, 2], new Float64()) }));
    expect(s).toEqual({ numRecords: 4, minValues: {}, maxValues: {}, nullCount: { x: 1 } });
  });

  it('decimals a double cannot print back exactly get no bound (826018966975.7564 printed as ...7563: a maximum below its value)', () => {
    // JSON numbers are read back from their text, exactly, by Spark and delta-rs (a decimal column's statistics are
    // decimals). Sixteen digits with a fraction may not survive a double: decimal(16,4) 826018966975.7564 is the
    // double printed 826018966975.7563, which as a maximum makes `d = 826018966975.7564` skip the file that holds it.
    const stats16 = stats(new ArrowTable({ d: decimals([8260189669757564n, 8260189669757564n], 16, 4) }));
    expect(stats16.minValues).toEqual({});
    expect(stats16.maxValues).toEqual({});
    expect(stats16.nullCount).toEqual({ d: 0 });
    // Fifteen digits always print back (a double holds 15 significant decimal digits): written exactly.
    expect(stats(new ArrowTable({ d: decimals([-123456789012345n, 1n], 15, 4) })).minValues).toEqual({
      d: -12345678901.2345,
    });
    // Every written bound, read back from the JSON text as a decimal at the column's scale, is the value itself.
    const next = random(22);
    let written = 0;
    for (let k = 0; k < 300; k++) {
      const scale = 1 + Math.floor(next() * 6);
      const value = BigInt(Math.floor(next() * 9e15)) * (next() < 0.5 ? -1n : 1n);
      const json = JSON.parse(JSON.stringify(stats(new ArrowTable({ d: decimals([value], 38, scale) }))));
      for (const bound of [json.minValues.d, json.maxValues.d]) {
        if (bound === undefined) continue;
        written++;
        expect({ value, scale, read: parseDecimalAtScale(String(bound), 38, scale) }).toEqual({
          value,
          scale,
          read: value,
        });
      }
    }
    // Most are written: the bound is dropped only where the text would not be the value.
    expect(written).toBeGreaterThan(400);
  });
});

describe('file statistics of a LargeUtf8 column (64-bit offsets)', () => {
  it('are the bounds DuckDB finds in the written parquet file, in code point order (writeTable threw a TypeError before)', async () => {
    // deltaSchemaOf accepts LargeUtf8 as a string; its offsets are bigints, which the statistics read as numbers.
    // U+E000 sorts below U+1F680 in code points (UTF-8 bytes) but above it in UTF-16 units (JS `<`).
    const values = ['b', 'a', '\u{1F680}', '\uE000', null, 'a'];
    const table = new ArrowTable({ s: vectorFromArray(values, new LargeUtf8()) });
    const dir = await mkdtemp(join(tmpdir(), 'meridian-stats-large-utf8-'));
    try {
      await writeTable(join(dir, 't'), table, { mode: 'append' });
      const [file] = (await (await openTable(join(dir, 't'))).snapshot()).files();
      expect(file?.stats).toEqual({
        numRecords: 6,
        minValues: { s: 'a' },
        maxValues: { s: '\u{1F680}' },
        nullCount: { s: 1 },
      });
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        const parquet = join(dir, 't', decodeURIComponent(file?.path ?? ''));
        const sql = `select min(s) as lo, max(s) as hi, count(*) - count(s) as nulls from read_parquet('${parquet}')`;
        const [duck] = (await connection.runAndReadAll(sql)).getRowObjectsJS();
        expect(duck).toEqual({ lo: 'a', hi: '\u{1F680}', nulls: 1n });
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
