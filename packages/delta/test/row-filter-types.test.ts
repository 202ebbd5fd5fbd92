import {
  Bool,
  type Data,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  LargeUtf8,
  makeData,
  RecordBatch,
  Struct,
  Table,
  Timestamp,
  TimeUnit,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bindPredicate, boundColumns, type StructTypeLike } from '../src/scan/bind.ts';
import { col, type Predicate } from '../src/scan/predicate.ts';
import { filterBatch, firstUnmatchedRow, matchingRows } from '../src/scan/row-filter.ts';

/*
 * The row filter (scan/row-filter.ts) on every Arrow form a column of each Delta type can take: timestamps in
 * seconds, milliseconds, microseconds and nanoseconds, dates in days (Int32) and milliseconds (Date64), decimals of
 * 128 and 256 bits with negative values, booleans in a sliced batch (a bit offset), Utf8 and LargeUtf8,
 * dictionary-encoded values, nested structs with nulls at a parent level. Batches are built by hand, each with
 * a null (so the typed-array fast path is not taken and the per-row reader decides); every expected row list is
 * worked out by hand from the values written here.
 */

type Fields = StructTypeLike['fields'];
type FieldType = Fields[number]['type'];

const primitive = (name: string): FieldType => ({ kind: 'primitive', name });

/** The rows of `batch` for which `predicate`, bound to a schema of `fields`, is true. */
function rows(predicate: Predicate, fields: Fields, batch: RecordBatch): number[] {
  const bound = bindPredicate(predicate, { fields });
  return [...matchingRows(bound, batch, boundColumns(bound))];
}

/** An Arrow validity bitmap (bit i set = row i valid). */
function bitmap(valid: readonly boolean[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(valid.length / 8));
  valid.forEach((v, i) => {
    if (v) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
  });
  return bits;
}

function nullCount(valid: readonly boolean[]): number {
  return valid.filter((v) => !v).length;
}

function one(data: Data): RecordBatch {
  return new RecordBatch({ c: data });
}

describe('timestamps in every Arrow time unit read as microseconds', () => {
  // 1 s, null, 2 s, 3 s, -1.5 ms (so a floor and a cut toward zero differ only where the unit is finer than µs).
  const valid = [true, false, true, true];
  const units: [string, TimeUnit, bigint[]][] = [
    ['seconds', TimeUnit.SECOND, [1n, 7n, 2n, 3n]],
    ['milliseconds', TimeUnit.MILLISECOND, [1_000n, 7n, 2_000n, 3_000n]],
    ['microseconds', TimeUnit.MICROSECOND, [1_000_000n, 7n, 2_000_000n, 3_000_000n]],
    ['nanoseconds', TimeUnit.NANOSECOND, [1_000_000_000n, 7n, 2_000_000_000n, 3_000_000_000n]],
  ];
  for (const name of ['timestamp', 'timestamp_ntz']) {
    for (const [unitName, unit, values] of units) {
      it(`a ${name} column in ${unitName}`, () => {
        const data = makeData({
          type: new Timestamp(unit, name === 'timestamp' ? 'UTC' : null),
          length: 4,
          nullCount: 1,
          nullBitmap: bitmap(valid),
          data: BigInt64Array.from(values),
        });
        const fields: Fields = [{ name: 'c', type: primitive(name) }];
        const batch = one(data);
        expect(rows(col('c').eq(2_000_000n), fields, batch)).toEqual([2]);
        expect(rows(col('c').lt(2_000_000n), fields, batch)).toEqual([0]);
        expect(rows(col('c').gte(2_000_000n), fields, batch)).toEqual([2, 3]);
        expect(rows(col('c').in([1_000_000n, 3_000_000n]), fields, batch)).toEqual([0, 3]);
        expect(rows(col('c').isNull(), fields, batch)).toEqual([1]);
      });
    }
  }

  it('a column without nulls is read to its last row only (is null and in read every row)', () => {
    // No nulls: `is null` and `in` still read each row through the per-row reader (the fast path serves comparisons).
    const data = makeData({
      type: new Timestamp(TimeUnit.SECOND, 'UTC'),
      length: 2,
      data: BigInt64Array.from([1n, 2n]),
    });
    const fields: Fields = [{ name: 'c', type: primitive('timestamp') }];
    expect(rows(col('c').isNull(), fields, one(data))).toEqual([]);
    expect(rows(col('c').isNotNull(), fields, one(data))).toEqual([0, 1]);
    expect(rows(col('c').in([2_000_000n]), fields, one(data))).toEqual([1]);
  });
});

describe('dates in days and in milliseconds (Date64) read as days since 1970', () => {
  const fields: Fields = [{ name: 'c', type: primitive('date') }];
  const valid = [true, false, true, true];

  it('days (Int32)', () => {
    const data = makeData({
      type: new DateDay(),
      length: 4,
      nullCount: 1,
      nullBitmap: bitmap(valid),
      data: Int32Array.from([19_000, 5, 19_002, -1]),
    });
    expect(rows(col('c').eq(19_002), fields, one(data))).toEqual([2]);
    expect(rows(col('c').lt(0), fields, one(data))).toEqual([3]);
    expect(rows(col('c').isNull(), fields, one(data))).toEqual([1]);
  });

  it('milliseconds (Date64, BigInt64): a day starts at its midnight, a millisecond before 1970 is day -1', () => {
    const day = 86_400_000n;
    const data = makeData({
      type: new DateMillisecond(),
      length: 4,
      nullCount: 1,
      nullBitmap: bitmap(valid),
      data: BigInt64Array.from([19_000n * day, 5n, 19_002n * day + day - 1n, -1n]),
    });
    expect(rows(col('c').eq(19_002), fields, one(data))).toEqual([2]);
    expect(rows(col('c').eq(19_000), fields, one(data))).toEqual([0]);
    expect(rows(col('c').eq(-1), fields, one(data))).toEqual([3]);
    expect(rows(col('c').isNull(), fields, one(data))).toEqual([1]);
  });
});

describe('long columns', () => {
  const fields: Fields = [{ name: 'c', type: primitive('long') }];

  it('Int64 with a null, past 2^53', () => {
    const data = makeData({
      type: new Int64(),
      length: 3,
      nullCount: 1,
      nullBitmap: bitmap([true, false, true]),
      data: BigInt64Array.from([2n ** 53n + 1n, 0n, -5n]),
    });
    expect(rows(col('c').eq(2n ** 53n + 1n), fields, one(data))).toEqual([0]);
    expect(rows(col('c').lt(0n), fields, one(data))).toEqual([2]);
    expect(rows(col('c').isNull(), fields, one(data))).toEqual([1]);
  });

  it('dictionary-encoded Int64 values', () => {
    const [data] = vectorFromArray([5n, null, 7n, 5n], new Dictionary(new Int64(), new Int32())).data;
    expect(rows(col('c').eq(5n), fields, one(data as Data))).toEqual([0, 3]);
    expect(rows(col('c').gt(5n), fields, one(data as Data))).toEqual([2]);
    expect(rows(col('c').isNull(), fields, one(data as Data))).toEqual([1]);
  });
});

describe('decimals of 128 and 256 bits, negative values in two’s complement', () => {
  /** The little-endian 32-bit words of `value` in `bits` bits of two's complement. */
  function words(value: bigint, bits: number): number[] {
    let v = value < 0n ? (1n << BigInt(bits)) + value : value;
    const out: number[] = [];
    for (let k = 0; k < bits / 32; k++) {
      out.push(Number(v & 0xffff_ffffn));
      v >>= 32n;
    }
    return out;
  }

  for (const bits of [128, 256]) {
    it(`${bits}-bit decimal(20,2): 12345.67, null, -0.01, -12345.67, 2^70 / 100, 0`, () => {
      const unscaled = [1_234_567n, 0n, -1n, -1_234_567n, 2n ** 70n, 0n];
      const data = makeData({
        type: new Decimal(2, 20, bits),
        length: 6,
        nullCount: 1,
        nullBitmap: bitmap([true, false, true, true, true, true]),
        data: Uint32Array.from(unscaled.flatMap((u) => words(u, bits))),
      });
      const fields: Fields = [{ name: 'c', type: { kind: 'decimal', precision: 20, scale: 2 } }];
      const batch = one(data);
      expect(rows(col('c').lt(0), fields, batch)).toEqual([2, 3]);
      expect(rows(col('c').eq(-0.01), fields, batch)).toEqual([2]);
      expect(rows(col('c').eq(12345.67), fields, batch)).toEqual([0]);
      expect(rows(col('c').lt(-100), fields, batch)).toEqual([3]);
      // 2^70 / 100 = 11805916207174113034.24, past 2^53: its upper words count.
      expect(rows(col('c').gt(1e19), fields, batch)).toEqual([4]);
      expect(rows(col('c').in([0, -0.01]), fields, batch)).toEqual([2, 5]);
      expect(rows(col('c').isNull(), fields, batch)).toEqual([1]);
    });
  }

  it('a decimal column without nulls is read to its last row only', () => {
    const data = makeData({ type: new Decimal(0, 10, 128), length: 1, data: Uint32Array.from(words(-3n, 128)) });
    const fields: Fields = [{ name: 'c', type: { kind: 'decimal', precision: 10, scale: 0 } }];
    expect(rows(col('c').isNull(), fields, one(data))).toEqual([]);
    expect(rows(col('c').eq(-3), fields, one(data))).toEqual([0]);
    expect(rows(col('c').in([-3]), fields, one(data))).toEqual([0]);
  });
});

describe('booleans', () => {
  const fields: Fields = [{ name: 'c', type: primitive('boolean') }];
  // Rows 0-9: t f t t f f t f t t, row 7 null.
  const values = [true, false, true, true, false, false, true, null, true, true];
  const batch = new RecordBatch({ c: vectorFromArray(values, new Bool()).data[0] as Data });

  it('a whole batch', () => {
    expect(rows(col('c').eq(true), fields, batch)).toEqual([0, 2, 3, 6, 8, 9]);
    expect(rows(col('c').eq(false), fields, batch)).toEqual([1, 4, 5]);
    expect(rows(col('c').isNull(), fields, batch)).toEqual([7]);
  });

  it('a slice whose bits start at an offset (rows 3-9: t f f t null t t)', () => {
    const slice = batch.slice(3, 10);
    expect(rows(col('c').eq(true), fields, slice)).toEqual([0, 3, 5, 6]);
    expect(rows(col('c').eq(false), fields, slice)).toEqual([1, 2]);
    expect(rows(col('c').isNull(), fields, slice)).toEqual([4]);
  });
});

describe('strings: Utf8, LargeUtf8, dictionary-encoded', () => {
  const fields: Fields = [{ name: 'c', type: primitive('string') }];

  it('Utf8 and LargeUtf8 (64-bit offsets) give the same rows', () => {
    const text = ['b', null, 'ab', 'é', 'b'];
    const utf8 = vectorFromArray(text, new Utf8()).data[0] as Data;
    const bytes = new TextEncoder().encode('babéb');
    const large = makeData({
      type: new LargeUtf8(),
      length: 5,
      nullCount: 1,
      nullBitmap: bitmap([true, false, true, true, true]),
      valueOffsets: BigInt64Array.from([0n, 1n, 1n, 3n, 5n, 6n]),
      data: bytes,
    });
    for (const data of [utf8, large]) {
      expect(rows(col('c').eq('b'), fields, one(data))).toEqual([0, 4]);
      expect(rows(col('c').lt('b'), fields, one(data))).toEqual([2]);
      expect(rows(col('c').gt('b'), fields, one(data))).toEqual([3]);
      expect(rows(col('c').isNull(), fields, one(data))).toEqual([1]);
    }
  });

  it('dictionary-encoded strings', () => {
    const data = vectorFromArray(['x', 'y', null, 'x'], new Dictionary(new Utf8(), new Int32())).data[0] as Data;
    expect(rows(col('c').eq('x'), fields, one(data))).toEqual([0, 3]);
    expect(rows(col('c').in(['y', 'z']), fields, one(data))).toEqual([1]);
    expect(rows(col('c').isNull(), fields, one(data))).toEqual([2]);
  });

  it('a dictionary of doubles keeps fractions (a double is never made a bigint)', () => {
    const data = vectorFromArray([1.5, 2.5, null, 1.5], new Dictionary(new Float64(), new Int32())).data[0] as Data;
    const doubles: Fields = [{ name: 'c', type: primitive('double') }];
    expect(rows(col('c').eq(1.5), doubles, one(data))).toEqual([0, 3]);
    expect(rows(col('c').gt(2), doubles, one(data))).toEqual([1]);
    expect(rows(col('c').isNull(), doubles, one(data))).toEqual([2]);
  });
});

describe('nested struct columns: a null at any parent level makes the field null', () => {
  // id (no nulls), then s: struct<k: int, t: struct<x: int>>.
  //   row:        0     1     2     3
  //   s valid:    y     n     y     y
  //   s.k:        10    11    12    13   (no nulls of its own)
  //   s.t valid:  y     y     n     y
  //   s.t.x:      100   101   102   null
  const int = (values: number[], valid?: boolean[]): Data =>
    makeData({
      type: new Int32(),
      length: values.length,
      data: Int32Array.from(values),
      ...(valid ? { nullCount: nullCount(valid), nullBitmap: bitmap(valid) } : {}),
    });
  const tType = new Struct([new Field('x', new Int32(), true)]);
  const sType = new Struct([new Field('k', new Int32(), true), new Field('t', tType, true)]);
  const sValid = [true, false, true, true];
  const tValid = [true, true, false, true];
  const t = makeData({
    type: tType,
    length: 4,
    nullCount: nullCount(tValid),
    nullBitmap: bitmap(tValid),
    children: [int([100, 101, 102, 0], [true, true, true, false])],
  });
  const s = makeData({
    type: sType,
    length: 4,
    nullCount: nullCount(sValid),
    nullBitmap: bitmap(sValid),
    children: [int([10, 11, 12, 13]), t],
  });
  const batch = new RecordBatch({ id: int([0, 1, 2, 3]), s });
  const int32 = primitive('integer');
  const fields: Fields = [
    { name: 'id', type: int32 },
    {
      name: 's',
      type: {
        kind: 'struct',
        fields: [
          { name: 'k', type: int32 },
          { name: 't', type: { kind: 'struct', fields: [{ name: 'x', type: int32 }] } },
        ],
      },
    },
  ];

  it('a field of a struct (two levels)', () => {
    expect(rows(col('s', 'k').isNull(), fields, batch)).toEqual([1]);
    expect(rows(col('s', 'k').gte(10), fields, batch)).toEqual([0, 2, 3]);
    expect(rows(col('s', 'k').eq(11), fields, batch)).toEqual([]);
  });

  it('a field of a struct in a struct (three levels): the outer and the inner parent both count', () => {
    expect(rows(col('s', 't', 'x').isNull(), fields, batch)).toEqual([1, 2, 3]);
    expect(rows(col('s', 't', 'x').gte(100), fields, batch)).toEqual([0]);
    expect(
      rows(
        col('id')
          .lt(2)
          .and(col('s', 't', 'x').isNotNull()),
        fields,
        batch,
      ),
    ).toEqual([0]);
  });

  it('a nested column the batch lacks, or holds under a parent that is not a struct, reads as null', () => {
    const schema: Fields = [
      ...fields,
      { name: 'm', type: { kind: 'struct', fields: [{ name: 'z', type: int32 }] } },
      { name: 'id2', type: { kind: 'struct', fields: [{ name: 'z', type: int32 }] } },
    ];
    // `m` is not in the batch; `id2` is in it as an int, not the struct the schema names.
    const withInt = new RecordBatch({ id: int([0, 1, 2, 3]), s, id2: int([5, 6, 7, 8]) });
    expect(rows(col('m', 'z').isNull(), schema, withInt)).toEqual([0, 1, 2, 3]);
    expect(rows(col('id2', 'z').isNull(), schema, withInt)).toEqual([0, 1, 2, 3]);
    expect(rows(col('id2', 'z').gte(0), schema, withInt)).toEqual([]);
  });
});

describe('a column whose Arrow type is not one its Delta type takes reads as null, not as a guess', () => {
  // In a scan conform (arrow/conform.ts) makes every file column fit its Delta type before the filter; this pins the
  // filter's own guard for data that did not pass through it.
  const micros = makeData({
    type: new Timestamp(TimeUnit.MICROSECOND, null),
    length: 2,
    data: BigInt64Array.of(5n, 6n),
  });
  const int64 = makeData({ type: new Int64(), length: 2, data: BigInt64Array.of(5n, 86_400_000n * 3n) });
  const days = makeData({ type: new DateDay(), length: 2, data: Int32Array.of(5, 6) });
  const cases: [string, Data][] = [
    ['long', micros],
    ['long', days],
    ['timestamp', int64],
    ['date', int64],
  ];
  for (const [name, data] of cases) {
    it(`a ${name} column holding ${data.type}`, () => {
      const fields: Fields = [{ name: 'c', type: primitive(name) }];
      expect(rows(col('c').isNull(), fields, one(data))).toEqual([0, 1]);
      const literal = name === 'date' ? 3 : 5n;
      expect(rows(col('c').gte(literal), fields, one(data))).toEqual([]);
      expect(rows(col('c').neq(literal), fields, one(data))).toEqual([]);
    });
  }
});

describe('firstUnmatchedRow: the first row, across batches, the predicate does not hold for', () => {
  const fields: Fields = [{ name: 'c', type: primitive('integer') }];
  const batch = (values: (number | null)[]): RecordBatch =>
    new RecordBatch({ c: vectorFromArray(values, new Int32()).data[0] as Data });
  const first = (predicate: Predicate, batches: RecordBatch[]): number | undefined => {
    const bound = bindPredicate(predicate, { fields });
    return firstUnmatchedRow(bound, new Table(batches), boundColumns(bound));
  };

  it('counts the rows of the batches before it', () => {
    // Rows 0-2 hold; in the second batch row 0 (3) holds, row 1 (4) does not, row 2 (5) holds.
    expect(first(col('c').gte(1), [batch([1, 2, 3]), batch([5, 0, 7])])).toBe(4);
    expect(first(col('c').gte(1), [batch([1, 2, 3]), batch([0, 5])])).toBe(3);
    expect(first(col('c').gte(1), [batch([1, 2]), batch([5, 6, null])])).toBe(4);
  });

  it('is undefined when every row holds, and 0 when the first does not', () => {
    expect(first(col('c').gte(1), [batch([1, 2]), batch([3])])).toBeUndefined();
    expect(first(col('c').gte(1), [batch([0, 2]), batch([3])])).toBe(0);
  });
});

describe('filterBatch: a few long runs as slices, many short ones gathered into one batch', () => {
  const fields: Fields = [
    { name: 'id', type: primitive('integer') },
    { name: 'keep', type: primitive('integer') },
  ];
  /** A batch of ids 0.. and keep = 1 in `runs` runs of `length` rows each, one row apart. */
  function runsOf(runs: number, length: number): RecordBatch {
    const keep: number[] = [];
    for (let r = 0; r < runs; r++) keep.push(...new Array(length).fill(1), 0);
    return new RecordBatch({
      id: makeData({ type: new Int32(), length: keep.length, data: Int32Array.from(keep, (_, i) => i) }),
      keep: makeData({ type: new Int32(), length: keep.length, data: Int32Array.from(keep) }),
    });
  }
  /** [rows of each returned batch, the ids they hold in order]. */
  function filter(batch: RecordBatch): [number[], number[]] {
    const bound = bindPredicate(col('keep').eq(1), { fields });
    const out = filterBatch(bound, batch, boundColumns(bound));
    return [out.map((b) => b.numRows), out.flatMap((b) => [...(b.getChild('id')?.toArray() ?? [])] as number[])];
  }
  /** The ids of runs of `length` one row apart. */
  const ids = (runs: number, length: number): number[] =>
    Array.from({ length: runs * length }, (_, k) => Math.floor(k / length) * (length + 1) + (k % length));

  it('no rows: no batch', () => {
    const bound = bindPredicate(col('keep').eq(2), { fields });
    expect(filterBatch(bound, runsOf(2, 3), boundColumns(bound))).toEqual([]);
  });

  it('every row: the batch', () => {
    const batch = runsOf(1, 5).slice(0, 5);
    expect(filter(batch)).toEqual([[5], [0, 1, 2, 3, 4]]);
  });

  it('4 runs: 4 slices; 5 short runs: one gathered batch', () => {
    expect(filter(runsOf(4, 2))).toEqual([[2, 2, 2, 2], ids(4, 2)]);
    expect(filter(runsOf(5, 2))).toEqual([[10], ids(5, 2)]);
    expect(filter(runsOf(5, 300))).toEqual([[1500], ids(5, 300)]);
  });

  it('5 runs of 1024 rows on average: 5 slices', () => {
    expect(filter(runsOf(5, 1024))).toEqual([[1024, 1024, 1024, 1024, 1024], ids(5, 1024)]);
  });
});
