import {
  Table as ArrowTable,
  DateDay,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  makeVector,
  type Table,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { fileStats } from '../src/write/file-stats.ts';
import { deltaSchemaOf } from '../src/write/schema.ts';
import { random } from './fixtures/random.ts';

/*
 * fileStats reads number columns straight from their typed arrays (64-bit ones as two 32-bit words), string columns
 * as UTF-8 bytes four at a time, and validity bitmaps directly. Checked here against bounds computed the slow way,
 * from Arrow's own accessor (Vector.get), on data that reaches every branch: chunks sliced at odd offsets (validity
 * bits not at bit 0), several batches, values either side of 32-bit word boundaries, strings sharing long prefixes.
 */

const utf8 = new TextEncoder();
const byBytes = (a: string, b: string) => Buffer.compare(utf8.encode(a), utf8.encode(b));

/** Nulls, min and max of a column through Vector.get, compared as the protocol orders each type. */
function reference(vector: Vector): { nulls: number; min: unknown; max: unknown; nan: boolean } {
  let nulls = 0;
  let min: unknown;
  let max: unknown;
  let nan = false;
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i) as number | bigint | string | null;
    if (v === null) {
      nulls++;
      continue;
    }
    if (typeof v === 'number' && Number.isNaN(v)) nan = true;
    const less = (a: unknown, b: unknown) =>
      typeof a === 'string' ? byBytes(a, b as string) < 0 : (a as number) < (b as number);
    if (min === undefined || less(v, min)) min = v;
    if (max === undefined || less(max, v)) max = v;
  }
  return { nulls, min, max, nan };
}

function expectStats(table: Table, json: (v: unknown, column: string) => unknown = (v) => v): void {
  const fields = deltaSchemaOf(table.schema).fields;
  const stats = fileStats(table, fields);
  expect(stats.numRecords).toBe(table.numRows);
  for (const f of fields) {
    const want = reference(table.getChild(f.name) as Vector);
    expect(stats.nullCount[f.name], f.name).toBe(want.nulls);
    if (want.nan || want.min === undefined) {
      expect(stats.minValues, f.name).not.toHaveProperty(f.name);
      expect(stats.maxValues, f.name).not.toHaveProperty(f.name);
    } else {
      expect(stats.minValues[f.name], f.name).toEqual(json(want.min, f.name));
      expect(stats.maxValues[f.name], f.name).toEqual(json(want.max, f.name));
    }
  }
}

/** Every fourth value null (by position), so nulls fall on every bit of the validity bytes. */
const withNulls = <T>(values: T[]): (T | null)[] => values.map((v, i) => (i % 4 === 1 ? null : v));

describe('file statistics over typed arrays', () => {
  it('bounds longs across 32-bit words and signs, in sliced chunks of several batches', () => {
    const next = random(11);
    const edges = [0n, -1n, 1n, 2n ** 31n - 1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n)];
    const values = Array.from({ length: 3000 }, (_, i) =>
      i < edges.length * 50
        ? (edges[i % edges.length] as bigint) + BigInt(Math.floor(next() * 3) - 1) * 2n ** 32n
        : BigInt(Math.floor((next() - 0.5) * 2 ** 52)),
    );
    for (const [lo, hi] of [
      [0, 3000],
      [7, 1999],
      [1333, 1334],
      [3, 450],
    ] as const) {
      const slice = values.slice(lo, hi);
      const table = new ArrowTable({
        a: makeVector(makeData({ type: new Int64(), length: slice.length, data: BigInt64Array.from(slice) })),
        b: vectorFromArray(withNulls(slice), new Int64()),
      });
      // Sliced tables keep the batches' buffers and move the offset: validity bits no longer start at bit 0.
      const toJson = (v: unknown) => Number(v as bigint);
      expectStats(table, toJson);
      expectStats(table.slice(5, Math.max(6, slice.length - 3)), toJson);
      expectStats(new ArrowTable([...table.batches, ...table.slice(1).batches]), toJson);
    }
  });

  it('bounds every width of number and dates, with nulls, NaN and all-null columns', () => {
    const next = random(12);
    const n = 1024;
    const ints = Array.from({ length: n }, () => Math.floor((next() - 0.5) * 250));
    const doubles = Array.from({ length: n }, () => (next() - 0.5) * 1e6);
    const table = new ArrowTable({
      i8: vectorFromArray(withNulls(ints), new Int8()),
      i16: vectorFromArray(
        ints.map((v) => v * 100),
        new Int16(),
      ),
      i32: vectorFromArray(withNulls(ints.map((v) => v * 1e6)), new Int32()),
      f32: vectorFromArray(withNulls(doubles), new Float32()),
      f64: vectorFromArray(doubles, new Float64()),
      nan: vectorFromArray(
        doubles.map((v, i) => (i === 700 ? Number.NaN : v)),
        new Float64(),
      ),
      none: vectorFromArray(new Array<number | null>(n).fill(null), new Float64()),
      day: vectorFromArray(withNulls(ints.map((v) => new Date((v + 19_000) * 86_400_000))), new DateDay()),
    });
    // Vector.get gives a date as epoch milliseconds; the statistics hold it as YYYY-MM-DD.
    const toJson = (v: unknown, column: string) =>
      column === 'day' ? new Date(v as number).toISOString().slice(0, 10) : v;
    expectStats(table, toJson);
    expectStats(table.slice(9, 1001), toJson);
    expectStats(table.slice(700, 701), toJson);
  });

  it('counts the values of batches without nulls and with them together: as many valid values in each still bound', () => {
    // One batch has no validity bitmap and two values, the next a bitmap and two valid values around a null: the
    // bounds come from both, whichever loop read each batch.
    for (const type of [new Int32(), new Float64(), new Int16()]) {
      const plain = new ArrowTable({ x: vectorFromArray([1, 2], type) });
      const holed = new ArrowTable({ x: vectorFromArray([3, null, 4], type) });
      expect(plain.batches[0]?.data.children[0]?.nullCount).toBe(0);
      const table = new ArrowTable([...plain.batches, ...holed.batches]);
      expect(fileStats(table, deltaSchemaOf(table.schema).fields)).toEqual({
        numRecords: 5,
        minValues: { x: 1 },
        maxValues: { x: 4 },
        nullCount: { x: 1 },
      });
      // And the other way round: the batch with nulls first.
      const reversed = new ArrowTable([...holed.batches, ...plain.batches]);
      expect(fileStats(reversed, deltaSchemaOf(reversed.schema).fields).minValues).toEqual({ x: 1 });
      expectStats(table);
    }
  });

  it('orders strings by their UTF-8 bytes, four at a time, when they share long prefixes', () => {
    const next = random(13);
    // Values that differ at every position of a 4-byte word, in the tail after the last whole word, by length
    // alone, and in multi-byte characters (é is two bytes, 🚀 four, 丽 three): byte order is code point order.
    const stems = ['eu-west-1-host-', 'eu-west-1-host-0', 'abcd', 'abc', 'abcde', 'é', 'e', '🚀', '丽', ''];
    const values = Array.from(
      { length: 2000 },
      () =>
        `${stems[Math.floor(next() * stems.length)]}${String.fromCharCode(97 + Math.floor(next() * 4)).repeat(Math.floor(next() * 6))}`,
    );
    const table = new ArrowTable({
      s: vectorFromArray(values, new Utf8()),
      n: vectorFromArray(withNulls(values), new Utf8()),
    });
    expectStats(table);
    expectStats(table.slice(3, 1777));
    for (let i = 0; i < 40; i++) {
      const at = Math.floor(next() * 1990);
      expectStats(table.slice(at, at + 1 + Math.floor(next() * 9)));
    }
  });
});
