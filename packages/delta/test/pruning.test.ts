import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Float64, Int32, Int64, type RecordBatch, Table, tableFromArrays, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherBatch } from '../src/arrow/gather.ts';
import { parquetFooterOfBytes } from '../src/parquet/footer.ts';
import { type BoundNode, bindPredicate, type StructTypeLike } from '../src/scan/bind.ts';
import { fileColumnDomain, fileMightMatch } from '../src/scan/file-skipping.ts';
import { parsePredicate } from '../src/scan/predicate-parser.ts';
import { filterBatch, matchingRows } from '../src/scan/row-filter.ts';
import { rowGroupsToRead } from '../src/scan/row-group-skipping.ts';
import { residualPredicate } from '../src/scan/table-scan.ts';
import { type GeneratedTable, writeTelemetryTable } from './fixtures/telemetry-table.ts';

const schema: StructTypeLike = {
  fields: [
    { name: 'region', type: { kind: 'primitive', name: 'string' } },
    { name: 'ts', type: { kind: 'primitive', name: 'timestamp' } },
    { name: 'tn', type: { kind: 'primitive', name: 'timestamp_ntz' } },
    { name: 'n', type: { kind: 'primitive', name: 'long' } },
    { name: 'x', type: { kind: 'primitive', name: 'double' } },
    { name: 's', type: { kind: 'primitive', name: 'string' } },
    {
      name: 'nested',
      type: {
        kind: 'struct',
        fields: [
          {
            name: 'k',
            type: { kind: 'primitive', name: 'integer' },
            metadata: { 'delta.columnMapping.physicalName': 'col-k' },
          },
        ],
      },
    },
  ],
};

const bind = (text: string): BoundNode => bindPredicate(parsePredicate(text), schema, { partitionColumns: ['region'] });
const stats = (value: object) => JSON.stringify(value);

describe('file skipping', () => {
  const file = {
    partitionValues: { region: 'eu-west-1' },
    stats: stats({
      numRecords: 10,
      minValues: { ts: '2024-01-01T00:00:00.000Z', n: 5, x: 1.5, s: 'apple', nested: { 'col-k': 3 } },
      maxValues: { ts: '2024-01-01T10:00:00.123Z', n: 50, x: 9.5, s: 'pear', nested: { 'col-k': 7 } },
      nullCount: { ts: 0, n: 0, x: 2, s: 0, nested: { 'col-k': 0 } },
    }),
  };
  const cases: [string, boolean][] = [
    ["region = 'eu-west-1'", true],
    ["region = 'us-east-1'", false],
    ["region <> 'eu-west-1'", false],
    ["region in ('us-east-1', 'eu-west-1')", true],
    ['region is null', false],
    ['n > 50', false],
    ['n >= 50', true],
    ['n < 5', false],
    ['n between 51 and 60', false],
    ['n = 20', true],
    ['n <> 20', true],
    ['n in (1, 2, 100)', false],
    ['not n < 60', false], // every n is below 60, so `not` is false everywhere
    ['x is null', true],
    ['x is not null', true],
    ["s > 'pear'", false],
    ["s >= 'pear'", true],
    ["s < 'apple'", false],
    ['nested.k > 7', false],
    ['nested.k = 7', true],
    // The max 10:00:00.123 was cut to the millisecond: 10:00:00.123456 may exist.
    ["ts > '2024-01-01 10:00:00.123'", true],
    ["ts > '2024-01-01 10:00:00.124'", false],
    ["ts < '2024-01-01'", false],
    ["n > 50 or region = 'eu-west-1'", true],
    ["n > 50 and region = 'eu-west-1'", false],
    ['n = null', false],
  ];
  for (const [text, expected] of cases) {
    it(`${text} -> ${expected ? 'read' : 'skip'}`, () => {
      expect(fileMightMatch(bind(text), file)).toBe(expected);
    });
  }

  it('never skips on missing or unreadable statistics', () => {
    expect(fileMightMatch(bind('n > 1000'), { partitionValues: { region: 'x' } })).toBe(true);
    expect(fileMightMatch(bind('n > 1000'), { stats: '{not json' })).toBe(true);
    for (const notAnObject of ['5', 'true', '"text"', 'null', '']) {
      for (const text of ['n > 1000', 'n is null', 'n is not null']) {
        expect(fileMightMatch(bind(text), { stats: notAnObject }), `${text} on ${notAnObject}`).toBe(true);
      }
    }
    expect(fileMightMatch(bind('n > 1000'), { stats: stats({ numRecords: 3, minValues: {}, maxValues: {} }) })).toBe(
      true,
    );
  });

  it('skips all-null columns for comparisons but not for is null', () => {
    const allNull = { stats: stats({ numRecords: 4, minValues: {}, maxValues: {}, nullCount: { n: 4 } }) };
    expect(fileMightMatch(bind('n = 1'), allNull)).toBe(false);
    expect(fileMightMatch(bind('n is null'), allNull)).toBe(true);
    expect(fileMightMatch(bind('n is not null'), allNull)).toBe(false);
  });

  it('does not use a 32-character string maximum as a bound (writers cut it)', () => {
    const cut = 'a'.repeat(32);
    const file = { stats: stats({ numRecords: 1, minValues: { s: 'a' }, maxValues: { s: cut }, nullCount: { s: 0 } }) };
    expect(fileMightMatch(bind(`s = '${cut}zzz'`), file)).toBe(true);
    const short = {
      stats: stats({ numRecords: 1, minValues: { s: 'a' }, maxValues: { s: 'abc' }, nullCount: { s: 0 } }),
    };
    expect(fileMightMatch(bind("s = 'abd'"), short)).toBe(false);
  });

  it("reads a checkpoint's bigint counts, and a count that is not a number is no count", () => {
    // stats_parsed from a checkpoint holds longs as bigints: 4 nulls in 4 rows is a column of nulls.
    const parsed = { statsParsed: { numRecords: 4n, minValues: {}, maxValues: {}, nullCount: { n: 4n } } };
    expect(fileMightMatch(bind('n = 1'), parsed)).toBe(false);
    expect(fileMightMatch(bind('n is null'), parsed)).toBe(true);
    // A row count written as text is not a count: without it, 4 nulls do not prove the column is all null.
    const textCount = { stats: stats({ numRecords: '4', minValues: {}, maxValues: {}, nullCount: { n: 4 } }) };
    expect(fileMightMatch(bind('n = 1'), textCount)).toBe(true);
  });

  it('reads JSON null in place of a statistics object or a nested struct as no statistics', () => {
    const nulls = { stats: stats({ numRecords: 3, minValues: null, maxValues: { nested: null }, nullCount: null }) };
    expect(fileMightMatch(bind('n > 1'), nulls)).toBe(true);
    expect(fileMightMatch(bind('nested.k > 7'), nulls)).toBe(true);
    expect(fileMightMatch(bind('nested.k is null'), nulls)).toBe(true);
  });

  it('uses a 32-character string minimum as a bound: a prefix is still a lower bound', () => {
    const long = 'b'.repeat(40);
    const file = {
      stats: stats({ numRecords: 2, minValues: { s: long }, maxValues: { s: 'c' }, nullCount: { s: 0 } }),
    };
    expect(fileMightMatch(bind("s < 'b'"), file)).toBe(false);
    expect(fileMightMatch(bind(`s <= '${long}'`), file)).toBe(true);
  });

  it('widens only a millisecond maximum by 999 µs: a microsecond maximum and every minimum are exact', () => {
    const micros = {
      stats: stats({
        numRecords: 2,
        minValues: { ts: '2024-01-01T00:00:00.000Z' },
        maxValues: { ts: '2024-01-01T10:00:00.123456Z' },
        nullCount: { ts: 0 },
      }),
    };
    expect(fileMightMatch(bind("ts > '2024-01-01 10:00:00.123456'"), micros)).toBe(false);
    expect(fileMightMatch(bind("ts >= '2024-01-01 10:00:00.123456'"), micros)).toBe(true);
    // The minimum 00:00:00.000 is a lower bound as it is: a row at 00:00:00.0005 may exist.
    expect(fileMightMatch(bind("ts < '2024-01-01 00:00:00.0005'"), micros)).toBe(true);
    expect(fileMightMatch(bind("ts < '2024-01-01 00:00:00'"), micros)).toBe(false);
  });

  it('widens a timestamp_ntz millisecond maximum as a timestamp one', () => {
    const file = {
      stats: stats({
        numRecords: 2,
        minValues: { tn: '2024-01-01T00:00:00.000' },
        maxValues: { tn: '2024-01-01T10:00:00.123' },
        nullCount: { tn: 0 },
      }),
    };
    expect(fileMightMatch(bind("tn > '2024-01-01 10:00:00.123'"), file)).toBe(true);
    expect(fileMightMatch(bind("tn > '2024-01-01 10:00:00.124'"), file)).toBe(false);
  });

  it('never skips on a partition value the file does not record', () => {
    expect(fileMightMatch(bind("region = 'eu-west-1'"), { partitionValues: {} })).toBe(true);
    expect(fileMightMatch(bind('region is null'), {})).toBe(true);
    expect(fileMightMatch(bind('region is not null'), {})).toBe(true);
  });

  it('treats an empty partition value as null, as the reader does', () => {
    expect(fileMightMatch(bind('region is null'), { partitionValues: { region: '' } })).toBe(true);
    expect(fileMightMatch(bind("region = ''"), { partitionValues: { region: '' } })).toBe(false);
  });
});

describe('the residual predicate of a file', () => {
  const residual = (text: string, region: string | null) =>
    residualPredicate(bind(text), (column) =>
      column.isPartition ? fileColumnDomain(column, { partitionValues: { region } }, undefined) : undefined,
    );
  it('decides partition comparisons once per file and keeps the rest', () => {
    expect(residual("region = 'eu' and n > 5", 'eu')).toEqual(bind('n > 5'));
    expect(residual("region = 'us' and n > 5", 'eu')).toEqual({ kind: 'constant', value: false });
    expect(residual("region = 'us' or n > 5", 'eu')).toEqual(bind('n > 5'));
    expect(residual("not region = 'eu'", 'eu')).toEqual({ kind: 'constant', value: false });
    expect(residual("region in ('eu', 'us')", 'eu')).toEqual({ kind: 'constant', value: true });
    // A null partition value makes the comparison null, which `not` keeps null.
    const onNull = residual("not region = 'eu'", null);
    expect(onNull).toMatchObject({ kind: 'not', child: { kind: 'compare', value: null } });
    expect(residual('region is null', null)).toEqual({ kind: 'constant', value: true });
  });
});

describe('row-group skipping on parquet footers', () => {
  let dir: string;
  let table: GeneratedTable;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'delta-rg-'));
    table = await writeTelemetryTable(dir, {
      rows: 40_000,
      regions: ['eu-west-1'],
      filesPerRegion: 1,
      rowGroupRows: 8_000,
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('decodes the footer and keeps only the row groups whose statistics can match', () => {
    const footer = parquetFooterOfBytes(readFileSync(join(dir, table.files[0]?.path as string)), 'file');
    expect(footer.rowGroups.map((g) => g.numRows)).toEqual([8000, 8000, 8000, 8000, 8000]);
    expect(footer.rowGroups.map((g) => g.firstRow)).toEqual([0, 8000, 16000, 24000, 32000]);
    expect(footer.leaves.find((l) => l.path[0] === 'ts')).toMatchObject({
      physicalType: 'INT64',
      annotation: { timestampUnit: 'MICROS' },
    });
    const telemetry: StructTypeLike = {
      fields: [
        { name: 'ts', type: { kind: 'primitive', name: 'timestamp' } },
        { name: 'status', type: { kind: 'primitive', name: 'integer' } },
        { name: 'host', type: { kind: 'primitive', name: 'string' } },
        { name: 'latency_ms', type: { kind: 'primitive', name: 'double' } },
      ],
    };
    const groups = (text: string) =>
      rowGroupsToRead(bindPredicate(parsePredicate(text), telemetry), footer).map((g) => g.index);
    // 7 days over 5 groups: 1.4 days each.
    expect(groups("ts < '2024-01-02'")).toEqual([0]);
    expect(groups("ts >= '2024-01-05 12:00'")).toEqual([3, 4]);
    expect(groups("ts >= '2024-01-03' and ts < '2024-01-04'")).toEqual([1, 2]);
    expect(groups('status > 503')).toEqual([]);
    expect(groups("host = 'eu-west-1-host-000'")).toEqual([0, 1, 2, 3, 4]);
    expect(groups("host < 'eu-west-1-host-000'")).toEqual([]);
    expect(groups('latency_ms > 2000')).toEqual([]);
    expect(groups('latency_ms is null')).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('row filtering', () => {
  const withStrings = tableFromArrays({
    n: Int32Array.from([1, 2, 3, 4, 5, 6]),
    x: Float64Array.from([0.5, Number.NaN, 2, 3, 4, 5]),
    s: ['a', null, 'c', 'dd', null, 'f'],
  }).batches[0] as RecordBatch;
  const local: StructTypeLike = {
    fields: [
      { name: 'n', type: { kind: 'primitive', name: 'integer' } },
      { name: 'x', type: { kind: 'primitive', name: 'double' } },
      { name: 's', type: { kind: 'primitive', name: 'string' } },
    ],
  };
  const rows = (text: string) => {
    const bound = bindPredicate(parsePredicate(text), local);
    const cols = ['n', 'x', 's'].map(
      (name) =>
        ({
          path: [name],
          physicalPath: [name],
          key: name,
          isPartition: false,
          type: { name: name === 'n' ? 'integer' : name === 'x' ? 'double' : 'string' },
        }) as const,
    );
    return [...matchingRows(bound, withStrings, cols)];
  };

  it('keeps rows where the predicate is true, with SQL nulls and NaN', () => {
    expect(rows('n >= 3 and n < 5')).toEqual([2, 3]);
    expect(rows('x > 1')).toEqual([2, 3, 4, 5]); // NaN compares false
    expect(rows('x <> 2')).toEqual([0, 1, 3, 4, 5]);
    expect(rows("s = 'c' or s is null")).toEqual([1, 2, 4]);
    expect(rows("not s = 'c'")).toEqual([0, 3, 5]); // null stays unknown under not
    expect(rows("s in ('a', null)")).toEqual([0]);
    expect(rows("s > 'b'")).toEqual([2, 3, 5]);
  });

  it('keeps the rows DuckDB keeps, on both sides of a bound and exactly on it, for NOT IN with a NULL, constants and IS NULL', async () => {
    // Dense columns (no nulls: int, long, double) take the typed-array fast path; m and s (with nulls) the
    // per-row path. Every comparison is made at 3, a value some rows hold exactly, so `<=` and `<` differ.
    const batch = new Table({
      n: vectorFromArray([1, 2, 3, 4, 5, 6], new Int32()),
      l: vectorFromArray([1n, 2n, 3n, 3n, 4n, 5n], new Int64()),
      x: vectorFromArray([0.5, 2, 3, 3, 4.5, 6], new Float64()),
      m: vectorFromArray([1, null, 3, 4, null, 6], new Int32()),
      s: vectorFromArray(['a', null, 'c', 'dd', null, 'f'], new Utf8()),
    }).batches[0] as RecordBatch;
    const types = { n: 'integer', l: 'long', x: 'double', m: 'integer', s: 'string' } as const;
    const schemaOf: StructTypeLike = {
      fields: Object.entries(types).map(([name, type]) => ({ name, type: { kind: 'primitive', name: type } })),
    };
    const cols = Object.entries(types).map(
      ([name, type]) =>
        ({ path: [name], physicalPath: [name], key: name, isPartition: false, type: { name: type } }) as const,
    );
    const values = [0, 1, 2, 3, 4, 5]
      .map((i) => {
        const cell = (name: string) => {
          const v = batch.getChild(name)?.get(i);
          return v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v);
        };
        return `(${i}, ${cell('n')}::INTEGER, ${cell('l')}::BIGINT, ${cell('x')}::DOUBLE, ${cell('m')}::INTEGER, ${cell('s')}::VARCHAR)`;
      })
      .join(', ');
    const predicates = [
      ...['n', 'l', 'x', 'm'].flatMap((c) => ['=', '<>', '<', '<=', '>', '>='].map((op) => `${c} ${op} 3`)),
      ...['n', 'l', 'm'].flatMap((c) => [
        `${c} in (1, 3)`,
        `${c} in (1, null)`,
        `not (${c} in (1, null))`,
        `not (${c} in (1, 3))`,
      ]),
      "s in ('a', 'c')",
      "not (s in ('a', null))",
      "not (s in ('a', 'c'))",
      "s <= 'c'",
      "s < 'c'",
      // Constants (true / false bind to constant nodes) alone and under AND / OR / NOT with unknown rows.
      'true',
      'false',
      'm > 3 or true',
      'm > 3 and true',
      'm > 3 or false',
      'not (m > 3 and false)',
      // IS NULL on a column with nulls and on one without (the typed-array column), and negated.
      'm is null',
      'm is not null',
      's is null',
      'n is null',
      'not (x is null)',
      'l between 2 and 4',
    ];
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      for (const predicate of predicates) {
        const sql = `select i from (values ${values}) t(i, n, l, x, m, s) where ${predicate} order by i`;
        const duck = (await connection.runAndReadAll(sql)).getRowObjectsJS().map((r) => r.i);
        const ours = [...matchingRows(bindPredicate(parsePredicate(predicate), schemaOf), batch, cols)];
        expect({ predicate, rows: ours }).toEqual({ predicate, rows: duck });
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    // The bound itself, by hand: n <= 3 keeps rows 0..2, n < 3 only 0..1; NOT IN with a NULL keeps nothing.
    const keep = (text: string) => [...matchingRows(bindPredicate(parsePredicate(text), schemaOf), batch, cols)];
    expect(keep('n <= 3')).toEqual([0, 1, 2]);
    expect(keep('l >= 3')).toEqual([2, 3, 4, 5]);
    expect(keep('not (m in (1, null))')).toEqual([]);
  });

  it('per-row path: NaN compares false except <>, NULL is unknown, and AND / OR / NOT keep unknown apart', () => {
    // x and m have nulls, so the per-row path compares (not the typed-array fast path); y has none (fast path).
    //   row: 0    1    2     3  4
    //   x:   0.5  NaN  null  3  4.5
    //   m:   1    2    3     4  null
    //   y:   0.5  NaN  2     3  4.5
    const batch = new Table({
      x: vectorFromArray([0.5, Number.NaN, null, 3, 4.5], new Float64()),
      m: vectorFromArray([1, 2, 3, 4, null], new Int32()),
      y: vectorFromArray([0.5, Number.NaN, 2, 3, 4.5], new Float64()),
    }).batches[0] as RecordBatch;
    const types = { x: 'double', m: 'integer', y: 'double' } as const;
    const schemaOf: StructTypeLike = {
      fields: Object.entries(types).map(([name, type]) => ({ name, type: { kind: 'primitive', name: type } })),
    };
    const cols = Object.entries(types).map(
      ([name, type]) =>
        ({ path: [name], physicalPath: [name], key: name, isPartition: false, type: { name: type } }) as const,
    );
    const keep = (text: string) => [...matchingRows(bindPredicate(parsePredicate(text), schemaOf), batch, cols)];
    expect(keep('x = 3')).toEqual([3]);
    expect(keep('x <> 3')).toEqual([0, 1, 4]);
    expect(keep('x < 3')).toEqual([0]);
    expect(keep('x <= 3')).toEqual([0, 3]);
    expect(keep('x > 0.5')).toEqual([3, 4]);
    expect(keep('x >= 0.5')).toEqual([0, 3, 4]);
    // A NaN literal equals nothing, NaN included; <> NaN holds for every non-null value, on both paths.
    expect(keep("x = 'NaN'")).toEqual([]);
    expect(keep("x <> 'NaN'")).toEqual([0, 1, 3, 4]);
    expect(keep("y <> 'NaN'")).toEqual([0, 1, 2, 3, 4]);
    expect(keep("y < 'NaN'")).toEqual([]);
    expect(keep("x <= 'NaN'")).toEqual([]);
    expect(keep("x >= 'NaN'")).toEqual([]);
    // A NULL literal compares unknown with every row, so neither the comparison nor its negation keeps any.
    expect(keep('not (m = null)')).toEqual([]);
    expect(keep('not (y = null)')).toEqual([]);
    // IN is = on each value: NaN data is in no list (it once matched every number: compareValues(NaN, 7) is 0).
    expect(keep("x in ('NaN', 3)")).toEqual([3]);
    expect(keep('x in (7)')).toEqual([]);
    expect(keep('not (x in (7))')).toEqual([0, 1, 3, 4]);
    // x >= 3: F F U T T; m = 4: F F F T U. AND: F F F T U; NOT of it: T T T F U.
    expect(keep('x >= 3 and m = 4')).toEqual([3]);
    expect(keep('not (x >= 3 and m = 4)')).toEqual([0, 1, 2]);
    // x > 10: F F U F F; OR with m = 4: F F U T U; NOT of it: T T U F U.
    expect(keep('x > 10 or m = 4')).toEqual([3]);
    expect(keep('not (x > 10 or m = 4)')).toEqual([0, 1]);
  });

  it('gathers scattered rows into new buffers and slices long runs', () => {
    const gathered = gatherBatch(withStrings, Int32Array.from([5, 1, 3]));
    expect(gathered.toArray().map((r) => r.toJSON())).toEqual([
      { n: 6, x: 5, s: 'f' },
      { n: 2, x: Number.NaN, s: null },
      { n: 4, x: 3, s: 'dd' },
    ]);
    const cols = [
      { path: ['n'], physicalPath: ['n'], key: 'n', isPartition: false, type: { name: 'integer' } } as const,
    ];
    const parts = filterBatch(bindPredicate(parsePredicate('n <> 3'), local), withStrings, cols);
    expect(parts.map((p) => p.numRows)).toEqual([2, 3]);
    expect(parts.flatMap((p) => p.toArray().map((r) => r.toJSON().n))).toEqual([1, 2, 4, 5, 6]);
  });
});
