import {
  Binary,
  type Data,
  DateDay,
  Decimal,
  Field,
  Float32,
  Int16,
  Int32,
  makeData,
  Struct,
  TimestampMillisecond,
  TimestampNanosecond,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { canonicalReader } from '../scripts/conformance/canonical.ts';
import { conform } from '../src/arrow/conform.ts';
import type { DeltaType } from '../src/schema/types.ts';

const prim = (name: string): DeltaType => ({ kind: 'primitive', name }) as DeltaType;

function values(data: Data, t: DeltaType): unknown[] {
  const read = canonicalReader(data, t);
  return Array.from({ length: data.length }, (_, i) => read(i));
}

function widened(data: Data, t: DeltaType): unknown[] {
  return values(conform(data, t, 'none', 'test'), t);
}

describe('conform: file columns to the table schema (PROTOCOL.md "Type Widening")', () => {
  it('widens integers and floats', () => {
    expect(widened(vectorFromArray([1, -2, null], new Int16()).data[0] as Data, prim('long'))).toEqual([
      '1',
      '-2',
      null,
    ]);
    expect(widened(vectorFromArray([7, null], new Int32()).data[0] as Data, prim('double'))).toEqual(['7', null]);
    expect(widened(vectorFromArray([0.5, 1.25], new Float32()).data[0] as Data, prim('double'))).toEqual([
      '0.5',
      '1.25',
    ]);
  });

  it('rescales decimals to the table scale', () => {
    // 12.34 at scale 2 -> decimal(10,4) 12.3400; -0.05 -> -0.0500
    const words = new Uint32Array([1234, 0, 0, 0, 0xfffffffb, 0xffffffff, 0xffffffff, 0xffffffff]);
    const d = makeData({ type: new Decimal(2, 6, 128), length: 2, nullCount: 0, data: words });
    expect(widened(d, { kind: 'decimal', precision: 10, scale: 4 })).toEqual(['12.3400', '-0.0500']);
  });

  it('turns dates into timestamp_ntz at midnight and any timestamp unit into microseconds', () => {
    expect(
      widened(
        makeData({ type: new DateDay(), length: 1, nullCount: 0, data: new Int32Array([19_000]) }),
        prim('timestamp_ntz'),
      ),
    ).toEqual(['2022-01-08T00:00:00.000000']);
    const ms = makeData({
      type: new TimestampMillisecond(),
      length: 1,
      nullCount: 0,
      data: new BigInt64Array([1_500n]),
    });
    expect(widened(ms, prim('timestamp'))).toEqual(['1970-01-01T00:00:01.500000Z']);
    const ns = makeData({
      type: new TimestampNanosecond(),
      length: 2,
      nullCount: 0,
      data: new BigInt64Array([-1n, 1_999n]),
    });
    // Floor division: one nanosecond before the epoch is in the microsecond before it.
    expect(widened(ns, prim('timestamp'))).toEqual(['1969-12-31T23:59:59.999999Z', '1970-01-01T00:00:00.000001Z']);
  });

  it('refuses a shredded variant column rather than returning partial values', () => {
    const shredded = new Struct([
      new Field('metadata', new Binary(), true),
      new Field('value', new Binary(), true),
      new Field('typed_value', new Int32(), true),
    ]);
    const data = vectorFromArray([{ metadata: new Uint8Array([1, 0, 0]), value: null, typed_value: 5 }], shredded)
      .data[0] as Data;
    expect(() => conform(data, prim('variant'), 'none', 'v')).toThrow(
      expect.objectContaining({
        code: 'unsupported-reader-feature',
        message: expect.stringContaining('variantShredding'),
      }),
    );
  });

  it('refuses a column whose file type cannot hold the table type', () => {
    expect(() =>
      conform(vectorFromArray(['x'], undefined).data[0] as Data, prim('long'), 'none', 'f.parquet:id'),
    ).toThrow(expect.objectContaining({ code: 'invalid-log', path: 'f.parquet:id' }));
  });
});

describe('conform: dictionary-encoded file columns', () => {
  it('materialises dictionary strings and numbers (nulls kept)', async () => {
    const { Dictionary, Int8, Int64, Utf8 } = await import('apache-arrow');
    const s = vectorFromArray(['a', 'bb', 'a', null, 'bb'], new Dictionary(new Utf8(), new Int32())).data[0] as Data;
    expect(widened(s, prim('string'))).toEqual(['a', 'bb', 'a', null, 'bb']);
    const n = vectorFromArray([5n, null, 7n, 5n], new Dictionary(new Int64(), new Int8())).data[0] as Data;
    expect(widened(n, prim('long'))).toEqual(['5', null, '7', '5']);
  });
});

describe('conform: 64-bit offsets', () => {
  it('reads LargeUtf8 and LargeBinary columns as strings and bytes', async () => {
    const { LargeBinary, LargeUtf8 } = await import('apache-arrow');
    expect(widened(vectorFromArray(['x', null, 'yz'], new LargeUtf8()).data[0] as Data, prim('string'))).toEqual([
      'x',
      null,
      'yz',
    ]);
    expect(
      widened(vectorFromArray([new Uint8Array([1, 255])], new LargeBinary()).data[0] as Data, prim('binary')),
    ).toEqual(['01ff']);
  });
});

describe('type widening rules (PROTOCOL.md "Type Widening")', () => {
  it('converts integers to decimals', () => {
    expect(
      widened(vectorFromArray([12, -3, null], new Int32()).data[0] as Data, {
        kind: 'decimal',
        precision: 12,
        scale: 2,
      }),
    ).toEqual(['12.00', '-3.00', null]);
  });

  it('accepts the listed changes and refuses others by name', async () => {
    const { isSupportedWidening, assertTypeChangesReadable } = await import('../src/protocol/type-widening.ts');
    const { parseDeltaType } = await import('../src/schema/types.ts');
    const ok = (a: string, b: string) => isSupportedWidening(parseDeltaType(a), parseDeltaType(b));
    expect(ok('byte', 'long')).toBe(true);
    expect(ok('integer', 'double')).toBe(true);
    expect(ok('long', 'double')).toBe(false);
    expect(ok('date', 'timestamp_ntz')).toBe(true);
    expect(ok('date', 'timestamp')).toBe(false);
    expect(ok('decimal(6,2)', 'decimal(10,4)')).toBe(true);
    expect(ok('decimal(6,2)', 'decimal(7,4)')).toBe(false);
    expect(ok('integer', 'decimal(10,0)')).toBe(true);
    expect(ok('long', 'decimal(19,0)')).toBe(false);
    expect(ok('long', 'integer')).toBe(false);
    const schema = (changes: object[]) => ({
      kind: 'struct' as const,
      fields: [{ name: 'e', type: parseDeltaType('long'), nullable: true, metadata: { 'delta.typeChanges': changes } }],
    });
    expect(() =>
      assertTypeChangesReadable(
        schema([
          { fromType: 'short', toType: 'integer' },
          { fromType: 'integer', toType: 'long' },
        ]),
        't',
      ),
    ).not.toThrow();
    expect(() => assertTypeChangesReadable(schema([{ fromType: 'string', toType: 'long' }]), 't')).toThrow(
      expect.objectContaining({
        code: 'unsupported-reader-feature',
        message: expect.stringContaining('string -> long'),
      }),
    );
  });
});

describe('void columns (PROTOCOL.md "Void Type")', () => {
  it('parse, map to Arrow Null and read as nulls', async () => {
    const { parseSchemaString, arrowType } = await import('../src/index.ts');
    const schema = parseSchemaString(
      JSON.stringify({ type: 'struct', fields: [{ name: 'v', type: 'void', nullable: true, metadata: {} }] }),
    );
    const t = schema.fields[0]?.type as DeltaType;
    expect(String(arrowType(t))).toBe('Null');
    const { partitionColumn } = await import('../src/arrow/partition-column.ts');
    expect(values(partitionColumn(t, null, 3), t)).toEqual([null, null, null]);
  });
});
