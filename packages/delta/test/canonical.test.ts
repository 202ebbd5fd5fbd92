import { Field, Int32, Map_, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  canonicalDouble,
  canonicalFloat,
  canonicalize,
  canonicalVariant,
  hashLines,
} from '../scripts/conformance/canonical.ts';
import { partitionColumn } from '../src/arrow/partition-column.ts';
import { formatDate, formatDecimal, formatMicros } from '../src/arrow/variant.ts';
import type { DeltaType, StructField } from '../src/schema/types.ts';

const field = (name: string, type: DeltaType): StructField => ({ name, type, nullable: true, metadata: {} });

describe('canonical values (ANSWERS.md "Canonical rows")', () => {
  it('floats: shortest decimal that round-trips through float32', () => {
    expect(canonicalFloat(Math.fround(0.1))).toBe('0.1');
    expect(canonicalFloat(Math.fround(3.14))).toBe('3.14');
    expect(canonicalFloat(Math.fround(16777217))).toBe('16777216');
    expect(canonicalFloat(Number.NaN)).toBe('NaN');
    expect(canonicalFloat(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
  });

  it('doubles: String(x) with -0 as 0', () => {
    expect(canonicalDouble(-0)).toBe('0');
    expect(canonicalDouble(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(canonicalDouble(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });

  it('decimals keep exactly `scale` fraction digits', () => {
    expect(formatDecimal(-50n, 2)).toBe('-0.50');
    expect(formatDecimal(1200n, 2)).toBe('12.00');
    expect(formatDecimal(-567800n, 5)).toBe('-5.67800');
    expect(formatDecimal(7n, 0)).toBe('7');
  });

  it('dates and timestamps, including before 1970 and beyond year 9999', () => {
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate(-1)).toBe('1969-12-31');
    expect(formatDate(2_932_896)).toBe('9999-12-31');
    expect(formatDate(2_932_897)).toBe('+010000-01-01');
    expect(formatDate(-719_529)).toBe('-000001-12-31');
    expect(formatMicros(-1n)).toBe('1969-12-31T23:59:59.999999');
    expect(formatMicros(1_631_099_471_000_000n)).toBe('2021-09-08T11:11:11.000000');
  });

  it('maps are sorted pairs, structs keyed by name, rows hashed sorted', () => {
    const mapType: DeltaType = {
      kind: 'map',
      keyType: { kind: 'primitive', name: 'string' },
      valueType: { kind: 'primitive', name: 'integer' },
      valueContainsNull: true,
    };
    const arrowMap = new Map_(
      new Field(
        'entries',
        new Struct([new Field('key', new Utf8(), false), new Field('value', new Int32())]),
        false,
      ) as never,
    );
    const m = vectorFromArray(
      [
        new Map([
          ['b', 2],
          ['a', null],
        ]),
        null,
      ],
      arrowMap,
    );
    const s = vectorFromArray(['x', 'y'], new Utf8());
    const schema = new Schema([new Field('m', arrowMap), new Field('s', new Utf8())]);
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children: [m.data[0], s.data[0]] as never }),
    );
    const fields = [field('m', mapType), field('s', { kind: 'primitive', name: 'string' })];
    const { rows, columns } = canonicalize([batch], fields);
    expect(rows).toEqual(['[[["a",null],["b","2"]],"x"]', '[null,"y"]']);
    expect(columns.get('s')).toEqual(['"x"', '"y"']);
    expect(hashLines([])).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashLines(['b', 'a'])).toBe(hashLines(['a', 'b']));
  });

  it('partition columns carry their Delta type', () => {
    const d = partitionColumn({ kind: 'decimal', precision: 10, scale: 2 }, '-1.5', 3);
    const { rows } = canonicalize(
      [
        new RecordBatch(
          new Schema([new Field('d', d.type)]),
          makeData({ type: new Struct([new Field('d', d.type)]), length: 3, nullCount: 0, children: [d] }),
        ),
      ],
      [field('d', { kind: 'decimal', precision: 10, scale: 2 })],
    );
    expect(rows).toEqual(['["-1.50"]', '["-1.50"]', '["-1.50"]']);
  });

  it('variants decode to canonical JSON with sorted keys', () => {
    // metadata: version 1, dictionary ["b", "a"]; value: object {b: 1 (int8), a: "hi" (short string)}
    const metadata = new Uint8Array([0x01, 2, 0, 1, 2, 0x62, 0x61]);
    const value = new Uint8Array([
      0x02, // object, 1-byte ids and offsets
      2, // two fields
      0,
      1, // field ids b, a
      0,
      2,
      5, // offsets
      0x0c,
      1, // int8 1
      0x09,
      0x68,
      0x69, // short string "hi"
    ]);
    expect(canonicalVariant(metadata, value)).toBe('{"a":"hi","b":1}');
  });
});

describe('partition values of every type', () => {
  const one = (t: DeltaType, v: string | null) => {
    const d = partitionColumn(t, v, 2);
    const { rows } = canonicalize(
      [
        new RecordBatch(
          new Schema([new Field('x', d.type)]),
          makeData({ type: new Struct([new Field('x', d.type)]), length: 2, nullCount: 0, children: [d] }),
        ),
      ],
      [field('x', t)],
    );
    return rows[0];
  };
  it('parses each serialized form into its Delta type', () => {
    const p = (name: string) => ({ kind: 'primitive', name }) as DeltaType;
    expect(one(p('binary'), '\u0001\u00ff')).toBe('["01ff"]');
    expect(one(p('string'), 'é/ü')).toBe('["é/ü"]');
    expect(one(p('long'), '-9007199254740993')).toBe('["-9007199254740993"]');
    expect(one(p('byte'), '-128')).toBe('["-128"]');
    expect(one(p('double'), '2021.0')).toBe('["2021"]');
    expect(one(p('float'), '0.1')).toBe('["0.1"]');
    expect(one(p('boolean'), 'true')).toBe('["true"]');
    expect(one(p('date'), '2021-09-08')).toBe('["2021-09-08"]');
    expect(one(p('timestamp_ntz'), '2021-09-08 11:11:11.5')).toBe('["2021-09-08T11:11:11.500000"]');
    expect(one(p('timestamp'), '1970-01-01T00:00:00.000001Z')).toBe('["1970-01-01T00:00:00.000001Z"]');
    expect(one({ kind: 'decimal', precision: 5, scale: 3 }, '1.5E-2')).toBe('["0.015"]');
    expect(one(p('integer'), null)).toBe('[null]');
    expect(one(p('integer'), '')).toBe('[null]');
  });
  it('refuses a value its type cannot hold', () => {
    expect(() => partitionColumn({ kind: 'primitive', name: 'integer' }, 'abc', 1)).toThrow(
      expect.objectContaining({ code: 'invalid-log' }),
    );
    expect(() => partitionColumn({ kind: 'primitive', name: 'date' }, '2021/09/08', 1)).toThrow(
      expect.objectContaining({ code: 'invalid-log' }),
    );
  });
});
