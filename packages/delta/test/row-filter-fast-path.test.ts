import {
  type Data,
  type DataType,
  DateDay,
  DateMillisecond,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  Timestamp,
  TimeUnit,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { BoundColumn } from '../src/scan/bind.ts';
import { compareDense, denseOf } from '../src/scan/row-filter.ts';
import type { PrimitiveType } from '../src/scan/values.ts';

/*
 * Which columns take the row filter's typed-array fast path, and what it computes (issue 22). The per-row path gives
 * the same rows (row-filter-dense.test.ts compares both with DuckDB), so a fast path that silently stopped being taken
 * would only show as a slower scan: these tests pin that it is taken, for every column kind it serves, and refused
 * where it would be wrong.
 */

const column = (name: PrimitiveType['name'], path: string[] = ['c']): BoundColumn => ({
  path,
  physicalPath: path,
  type: { name } as PrimitiveType,
  key: path.join('.'),
  isPartition: false,
});

function data(type: DataType, values: unknown[]): Data {
  const [chunk] = vectorFromArray(values, type).data;
  if (!chunk) throw new Error('vectorFromArray made no data');
  return chunk;
}

describe('denseOf: the columns the fast path reads as one typed array', () => {
  const cases: [PrimitiveType['name'], DataType, unknown[], unknown][] = [
    ['byte', new Int8(), [1, 2], Int8Array],
    ['short', new Int16(), [1, 2], Int16Array],
    ['integer', new Int32(), [1, 2], Int32Array],
    ['long', new Int64(), [1n, 2n], BigInt64Array],
    ['float', new Float32(), [1.5, 2.5], Float32Array],
    ['double', new Float64(), [1.5, 2.5], Float64Array],
  ];
  for (const [name, type, values, kind] of cases) {
    it(`a ${name} column without nulls is its values array itself`, () => {
      const d = data(type, values);
      const dense = denseOf(d, column(name));
      expect(dense).toBeInstanceOf(kind);
      expect(dense).toBe(d.values);
    });
  }

  it('a date column (days) and a microsecond timestamp, with or without zone, are taken', () => {
    const days = makeData({ type: new DateDay(), length: 2, data: Int32Array.of(19_000, 19_001) });
    expect(denseOf(days, column('date'))).toBe(days.values);
    for (const name of ['timestamp', 'timestamp_ntz'] as const) {
      const micros = makeData({
        type: new Timestamp(TimeUnit.MICROSECOND, name === 'timestamp' ? 'UTC' : null),
        length: 2,
        data: BigInt64Array.of(1n, 2n),
      });
      expect(denseOf(micros, column(name))).toBe(micros.values);
    }
  });

  it('refused: nulls, a nested column, other timestamp units, a date in milliseconds, a long read as int32, strings', () => {
    const withNull = data(new Int32(), [1, null, 3]);
    expect(withNull.nullCount).toBe(1);
    expect(denseOf(withNull, column('integer'))).toBeUndefined();
    const one = data(new Int32(), [1, 2, 3]);
    expect(denseOf(one, column('integer', ['s', 'c']))).toBeUndefined();
    expect(denseOf(one, column('integer', []))).toBeUndefined();
    for (const unit of [TimeUnit.SECOND, TimeUnit.MILLISECOND, TimeUnit.NANOSECOND]) {
      const ts = makeData({ type: new Timestamp(unit, null), length: 1, data: BigInt64Array.of(1n) });
      expect(denseOf(ts, column('timestamp_ntz'))).toBeUndefined();
    }
    // A timestamp column whose file holds dates, and a date column whose file holds microseconds: no fast path.
    const days = makeData({ type: new DateDay(), length: 1, data: Int32Array.of(1) });
    expect(denseOf(days, column('timestamp'))).toBeUndefined();
    const millis = makeData({ type: new DateMillisecond(), length: 1, data: BigInt64Array.of(86_400_000n) });
    expect(denseOf(millis, column('date'))).toBeUndefined();
    // A long column (Delta's type) whose parquet holds int32: its values are not 64-bit, the per-row path converts.
    expect(denseOf(one, column('long'))).toBeUndefined();
    // A date column whose data is plain integers.
    expect(denseOf(one, column('date'))).toBeUndefined();
    expect(denseOf(data(new Utf8(), ['a']), column('string'))).toBeUndefined();
  });
});

describe('compareDense: one loop per comparison', () => {
  const ops: [string, number[]][] = [
    ['eq', [0, 0, 1, 1, 0]],
    ['neq', [1, 1, 0, 0, 1]],
    ['lt', [1, 1, 0, 0, 0]],
    ['lte', [1, 1, 1, 1, 0]],
    ['gt', [0, 0, 0, 0, 1]],
    ['gte', [0, 0, 1, 1, 1]],
  ];
  for (const [op, expected] of ops) {
    it(`${op} 3 over 1, 2, 3, 3, 4 in every array kind, the literal held twice`, () => {
      for (const values of [
        Int8Array.of(1, 2, 3, 3, 4),
        Int16Array.of(1, 2, 3, 3, 4),
        Int32Array.of(1, 2, 3, 3, 4),
        Float32Array.of(1, 2, 3, 3, 4),
        Float64Array.of(1, 2, 3, 3, 4),
      ]) {
        const out = new Uint8Array(5).fill(7);
        expect(compareDense(op, values, 3, out)).toBe(true);
        expect([...out]).toEqual(expected);
      }
      const out = new Uint8Array(5).fill(7);
      expect(compareDense(op, BigInt64Array.of(1n, 2n, 3n, 3n, 4n), 3n, out)).toBe(true);
      expect([...out]).toEqual(expected);
    });
  }

  it('NaN data: only <> keeps it, as SQL comparisons do', () => {
    const values = Float64Array.of(Number.NaN, 1);
    const kept = (op: string) => {
      const out = new Uint8Array(2);
      expect(compareDense(op, values, 1, out)).toBe(true);
      return [...out];
    };
    expect(kept('neq')).toEqual([1, 0]);
    for (const op of ['eq', 'lt', 'lte', 'gt', 'gte']) expect(kept(op)[0]).toBe(0);
  });

  it('declined, output untouched: a number against 64-bit data, a bigint against 32-bit, a NaN literal, an unknown operator', () => {
    const declined = (values: Int32Array | BigInt64Array, literal: number | bigint, op = 'eq') => {
      const out = new Uint8Array(values.length).fill(7);
      const taken = compareDense(op, values, literal, out);
      return { taken, out: [...out] };
    };
    expect(declined(BigInt64Array.of(1n, 2n), 1)).toEqual({ taken: false, out: [7, 7] });
    expect(declined(Int32Array.of(1, 2), 1n)).toEqual({ taken: false, out: [7, 7] });
    expect(declined(Int32Array.of(1, 2), Number.NaN)).toEqual({ taken: false, out: [7, 7] });
    expect(declined(Int32Array.of(1, 2), 1, 'like')).toEqual({ taken: false, out: [7, 7] });
  });
});
