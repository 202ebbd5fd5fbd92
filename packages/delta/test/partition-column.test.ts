import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Data, Int32, LargeUtf8, makeVector, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decimal128At } from '../src/arrow/cells.ts';
import { partitionColumn } from '../src/arrow/partition-column.ts';
import { DeltaError } from '../src/errors.ts';
import type { DeltaType, PrimitiveTypeName } from '../src/schema/types.ts';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';

/*
 * The column a partition value becomes when a file is read (arrow/partition-column.ts): `length` copies of one
 * parsed value in the Arrow layout of its type (issue 22: never mutation-tested). Values sit at the edges of each
 * type's width (a 32-bit minimum read through a 16-bit array would be 0), strings are repeated at lengths that end a
 * doubling copy early, late and exactly, decimals are negative (every 32-bit word of the 128-bit value matters).
 */

const prim = (name: PrimitiveTypeName): DeltaType => ({ kind: 'primitive', name });
const cells = (data: Data) => [...makeVector(data)];

describe('partitionColumn: one parsed partition value, repeated', () => {
  it('strings and binary at every length around a doubling copy, offsets included', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 7, 8, 9, 17]) {
      const data = partitionColumn(prim('string'), 'eu-€', length);
      expect(data.length).toBe(length);
      expect(data.nullCount).toBe(0);
      expect(cells(data)).toEqual(new Array(length).fill('eu-€'));
      // 'eu-€' is 6 UTF-8 bytes.
      expect([...(data.valueOffsets as Int32Array)]).toEqual(Array.from({ length: length + 1 }, (_, i) => i * 6));
    }
    const binary = partitionColumn(prim('binary'), '\u0001\u00ff\u0000', 3);
    expect(cells(binary)).toEqual([
      new Uint8Array([1, 255, 0]),
      new Uint8Array([1, 255, 0]),
      new Uint8Array([1, 255, 0]),
    ]);
    // An empty binary value is not null (only a string's empty text is): three empty values.
    expect(cells(partitionColumn(prim('string'), 'x', 3))).toEqual(['x', 'x', 'x']);
  });

  it('integers at the edges of their widths, longs and timestamps as bigints, floats at their precision', () => {
    expect(cells(partitionColumn(prim('integer'), '-2147483648', 2))).toEqual([-2147483648, -2147483648]);
    expect(cells(partitionColumn(prim('short'), '-32768', 2))).toEqual([-32768, -32768]);
    expect(cells(partitionColumn(prim('byte'), '-128', 2))).toEqual([-128, -128]);
    expect(cells(partitionColumn(prim('long'), '-9223372036854775808', 2))).toEqual([
      -9223372036854775808n,
      -9223372036854775808n,
    ]);
    const micros = (t: DeltaType, text: string) => [...(partitionColumn(t, text, 2).values as BigInt64Array)];
    expect(micros(prim('timestamp'), '1969-12-31 23:59:59.999999')).toEqual([-1n, -1n]);
    expect(micros(prim('timestamp'), '2024-01-01T01:00:00+01:00')).toEqual([
      1_704_067_200_000_000n,
      1_704_067_200_000_000n,
    ]);
    expect(micros(prim('timestamp_ntz'), '2024-01-01 00:00:00.5')).toEqual([
      1_704_067_200_500_000n,
      1_704_067_200_500_000n,
    ]);
    // 0.1 as a float is 0.100000001490116...; as a double it is 0.1.
    expect(cells(partitionColumn(prim('float'), '0.1', 2))).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    expect(cells(partitionColumn(prim('double'), '0.1', 2))).toEqual([0.1, 0.1]);
    expect([...(partitionColumn(prim('date'), '1969-12-31', 3).values as Int32Array)]).toEqual([-1, -1, -1]);
  });

  it('booleans fill every bit of the bitmap, past one byte', () => {
    expect(cells(partitionColumn(prim('boolean'), 'true', 9))).toEqual(new Array(9).fill(true));
    expect(cells(partitionColumn(prim('boolean'), 'FALSE', 9))).toEqual(new Array(9).fill(false));
  });

  it('decimals: the unscaled value in all four 32-bit words, negative ones included', () => {
    const unscaled = (t: DeltaType, text: string, length: number) => {
      const data = partitionColumn(t, text, length);
      return Array.from({ length }, (_, i) => decimal128At(data.values as Uint32Array, i));
    };
    expect(unscaled({ kind: 'decimal', precision: 10, scale: 2 }, '-1.5', 3)).toEqual([-150n, -150n, -150n]);
    const big = '-12345678901234567890123456789012345678';
    expect(unscaled({ kind: 'decimal', precision: 38, scale: 0 }, big, 2)).toEqual([BigInt(big), BigInt(big)]);
    expect(unscaled({ kind: 'decimal', precision: 38, scale: 0 }, '79228162514264337593543950337', 1)).toEqual([
      2n ** 96n + 1n,
    ]);
  });

  it('null, the empty string and __HIVE_DEFAULT_PARTITION__ are null rows of the column type', () => {
    for (const value of [null, undefined, '', '__HIVE_DEFAULT_PARTITION__']) {
      const data = partitionColumn(prim('integer'), value, 4);
      expect({ value, length: data.length, nulls: data.nullCount, cells: cells(data) }).toEqual({
        value,
        length: 4,
        nulls: 4,
        cells: [null, null, null, null],
      });
    }
  });

  it('refuses a value its type cannot hold, and a type a partition cannot have, naming both', () => {
    const refusal = (t: DeltaType, text: string) => {
      try {
        partitionColumn(t, text, 1);
      } catch (error) {
        if (error instanceof DeltaError) {
          // Every refusal points at the protocol's serialization rules.
          expect(error.hint).toBe(
            'the add action carries a partition value its column type cannot hold (PROTOCOL.md "Partition Value Serialization")',
          );
          return { code: error.code, message: error.message };
        }
        throw error;
      }
      return undefined;
    };
    expect(refusal(prim('integer'), '2147483648')).toEqual({
      code: 'invalid-log',
      message: "partition value '2147483648' is not a valid integer",
    });
    expect(refusal({ kind: 'decimal', precision: 4, scale: 2 }, '1.234')).toEqual({
      code: 'invalid-log',
      message: "partition value '1.234' is not a valid decimal(4,2)",
    });
    expect(refusal({ kind: 'array', elementType: prim('integer'), containsNull: true }, '1')).toEqual({
      code: 'invalid-log',
      message: "partition value '1' is not a valid array<integer>",
    });
    expect(refusal(prim('variant'), '1')).toEqual({
      code: 'invalid-log',
      message: "partition value '1' is not a valid variant",
    });
  });
});

describe('a LargeUtf8 partition column (64-bit offsets)', () => {
  it('is written as its strings and read back as them (writeTable threw a TypeError serializing it)', async () => {
    const table = new Table({
      region: vectorFromArray(['eu-€', 'us', null, 'eu-€'], new LargeUtf8()),
      n: vectorFromArray([1, 2, 3, 4], new Int32()),
    });
    const dir = await mkdtemp(join(tmpdir(), 'meridian-partition-large-utf8-'));
    try {
      await writeTable(join(dir, 't'), table, { mode: 'create', partitionBy: ['region'] });
      const snapshot = await (await openTable(join(dir, 't'))).snapshot();
      const values = snapshot.files().map((f) => f.partitionValues.region ?? null);
      // One file per partition; the null one is Hive's null (null in the log). sort() orders null as 'null'.
      expect(values.sort()).toEqual(['eu-€', null, 'us']);
      const read = await snapshot.toArrow();
      const rows = [...read].map((r) => `${r.n}:${r.region}`).sort();
      expect(rows).toEqual(['1:eu-€', '2:us', '3:null', '4:eu-€']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
