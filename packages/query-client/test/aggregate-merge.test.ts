/**
 * The regional partial aggregate, its border encoding and the final merge, on small in-memory Arrow tables whose
 * answers are worked by hand below (aggregates.test.ts checks the same functions against DuckDB over real Delta
 * tables, in tens of seconds; these run in milliseconds, so the mutation run can use them: bench/mutation).
 */
import { col } from '@meridian/delta';
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float16,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  type RecordBatch,
  Table,
  Type,
  tableFromArrays,
  Uint64,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  type Aggregate,
  buildVector,
  decodePartial,
  encodePartial,
  type Measure,
  measureName,
  mergedTypes,
  mergePartials,
  type PartialAggregate,
  partialAggregate,
} from '../src/aggregate/aggregate.ts';

/** Two regions' rows: g groups, n is a long with a null, x a double with a null, s a string. */
function eu(): Table {
  return new Table({
    g: vectorFromArray(['a', 'a', 'b', null], new Utf8()),
    n: vectorFromArray([1n, 2n, 5n, 7n], new Int64()),
    x: vectorFromArray([1.5, null, 2.5, 4], new Float64()),
    s: vectorFromArray(['p', 'q', 'p', 'r'], new Utf8()),
  });
}
function us(): Table {
  return new Table({
    g: vectorFromArray(['a', 'b', 'b', 'c'], new Utf8()),
    n: vectorFromArray([3n, null, 10n, 4n], new Int64()),
    x: vectorFromArray([0.5, 1, 3, -2], new Float64()),
    s: vectorFromArray(['q', 's', 'p', 'p'], new Utf8()),
  });
}

async function* batches(table: Table): AsyncIterable<RecordBatch> {
  // Each row its own batch: a group's state must carry over from batch to batch.
  for (let i = 0; i < table.numRows; i++) yield* table.slice(i, i + 1).batches;
}

/** A region's partial as the client receives it: computed, encoded to bytes, decoded with the fragment's types. */
async function partial(table: Table, aggregate: Aggregate, region: string): Promise<PartialAggregate> {
  const computed = await partialAggregate(batches(table), aggregate, region, table.schema.fields);
  return decodePartial(encodePartial(computed, aggregate), aggregate, computed.types);
}

/** The merged table as plain rows keyed by column name. */
function rows(table: Table): Record<string, unknown>[] {
  return table.toArray().map((r) => ({ ...(r as object) }) as Record<string, unknown>);
}

const all: Measure[] = [
  { fn: 'count' },
  { fn: 'count', column: 'x' },
  { fn: 'sum', column: 'n' },
  { fn: 'sum', column: 'x' },
  { fn: 'min', column: 'n' },
  { fn: 'max', column: 'n' },
  { fn: 'min', column: 's' },
  { fn: 'max', column: 's' },
  { fn: 'avg', column: 'n' },
  { fn: 'avg', column: 'x' },
  { fn: 'var_samp', column: 'n' },
  { fn: 'var_pop', column: 'n' },
  { fn: 'stddev_samp', column: 'n' },
  { fn: 'stddev_pop', column: 'n' },
  { fn: 'var_samp', column: 'x' },
  { fn: 'var_pop', column: 'x' },
  { fn: 'stddev_samp', column: 'x' },
  { fn: 'count_distinct', column: 's' },
];

describe('the final merge of regional partials, worked by hand', () => {
  it('merges every measure per group across regions, whichever region comes first', async () => {
    const aggregate: Aggregate = { groupBy: ['g'], measures: all };
    for (const order of [
      ['eu', 'us'],
      ['us', 'eu'],
    ] as const) {
      const partials = await Promise.all(order.map((r) => partial(r === 'eu' ? eu() : us(), aggregate, r)));
      const { table, suppressed } = mergePartials(partials, aggregate, { orderBy: [{ column: 'g' }] });
      expect(suppressed).toBe(0);
      expect(table.schema.fields.map((f) => f.name)).toEqual([
        'g',
        'count',
        'count_x',
        'sum_n',
        'sum_x',
        'min_n',
        'max_n',
        'min_s',
        'max_s',
        'avg_n',
        'avg_x',
        'var_samp_n',
        'var_pop_n',
        'stddev_samp_n',
        'stddev_pop_n',
        'var_samp_x',
        'var_pop_x',
        'stddev_samp_x',
        'count_distinct_s',
      ]);
      const type = (name: string) => table.schema.fields.find((f) => f.name === name)?.type;
      expect(type('g')).toBeInstanceOf(Utf8);
      for (const name of ['count', 'count_x', 'sum_n', 'min_n', 'max_n', 'count_distinct_s']) {
        expect(type(name), name).toBeInstanceOf(Int64);
      }
      for (const name of ['sum_x', 'avg_n', 'avg_x', 'var_samp_n', 'stddev_pop_n', 'var_pop_x']) {
        expect(type(name), name).toBeInstanceOf(Float64);
      }
      expect(type('min_s')?.typeId).toBe(Type.Utf8);
      const [a, b, c, none] = rows(table);
      // a: n = 1, 2, 3; x = 1.5, (null), 0.5; s = p, q, q.
      expect(a).toMatchObject({ g: 'a', count: 3n, count_x: 2n, sum_n: 6n, min_n: 1n, max_n: 3n });
      expect(a).toMatchObject({ min_s: 'p', max_s: 'q', avg_n: 2, var_samp_n: 1, stddev_samp_n: 1 });
      expect(a?.sum_x).toBeCloseTo(2, 12);
      expect(a?.avg_x).toBeCloseTo(1, 12);
      expect(a?.var_pop_n).toBeCloseTo(2 / 3, 12);
      expect(a?.stddev_pop_n).toBeCloseTo(Math.sqrt(2 / 3), 12);
      expect(a?.var_samp_x).toBeCloseTo(0.5, 12);
      expect(a?.var_pop_x).toBeCloseTo(0.25, 12);
      expect(a?.stddev_samp_x).toBeCloseTo(Math.sqrt(0.5), 12);
      expect(a?.count_distinct_s).toBe(2n);
      // b: n = 5, (null), 10; x = 2.5, 1, 3; s = p, s, p.
      expect(b).toMatchObject({ g: 'b', count: 3n, count_x: 3n, sum_n: 15n, min_n: 5n, max_n: 10n });
      expect(b).toMatchObject({ min_s: 'p', max_s: 's', avg_n: 7.5, var_samp_n: 12.5, var_pop_n: 6.25 });
      expect(b?.sum_x).toBeCloseTo(6.5, 12);
      expect(b?.avg_x).toBeCloseTo(6.5 / 3, 12);
      // mean 13/6: squared deviations 4/36 + 49/36 + 25/36 = 13/6.
      expect(b?.var_samp_x).toBeCloseTo(13 / 12, 12);
      expect(b?.var_pop_x).toBeCloseTo(13 / 18, 12);
      expect(b?.count_distinct_s).toBe(2n);
      // c: one row in us only; a sample variance of one value is null, a population one 0.
      expect(c).toMatchObject({ g: 'c', count: 1n, sum_n: 4n, sum_x: -2, min_n: 4n, max_n: 4n, var_pop_n: 0 });
      expect(c).toMatchObject({ var_samp_n: null, stddev_samp_n: null, stddev_pop_n: 0, var_samp_x: null });
      // The null group is a group of its own (ordered last ascending), not merged into another.
      expect(none).toMatchObject({ g: null, count: 1n, sum_n: 7n, sum_x: 4, avg_x: 4, count_distinct_s: 1n });
      expect(table.numRows).toBe(4);
    }
  });

  it('sketches across the border: below their capacity, approx_quantile and approx_count_distinct are exact', async () => {
    // KLL keeps every item up to about 3 k = 600 and HyperLogLog counts small sets by linear counting: exact here.
    const aggregate: Aggregate = {
      groupBy: ['g'],
      measures: [
        { fn: 'approx_quantile', column: 'n', quantile: 0.5, as: 'median_n' },
        { fn: 'approx_quantile', column: 'n', quantile: 1, as: 'top_n' },
        { fn: 'approx_quantile', column: 's', quantile: 0, as: 'first_s' },
        { fn: 'approx_count_distinct', column: 's' },
      ],
    };
    for (const order of [
      ['eu', 'us'],
      ['us', 'eu'],
    ] as const) {
      const partials = await Promise.all(order.map((r) => partial(r === 'eu' ? eu() : us(), aggregate, r)));
      const { table } = mergePartials(partials, aggregate, { orderBy: [{ column: 'g' }] });
      // a: n = 1, 2 (eu), 3 (us): median 2, top 3, both regions' longs (bigints) crossing as strings; s = p, q, q.
      // b: n = 5 (eu), null, 10 (us); s = p (eu), s, p (us). c: n = 4, s = p. null group: n = 7, s = r.
      expect(rows(table)).toEqual([
        { g: 'a', median_n: 2n, top_n: 3n, first_s: 'p', approx_count_distinct_s: 2n },
        { g: 'b', median_n: 5n, top_n: 10n, first_s: 'p', approx_count_distinct_s: 2n },
        { g: 'c', median_n: 4n, top_n: 4n, first_s: 'p', approx_count_distinct_s: 1n },
        { g: null, median_n: 7n, top_n: 7n, first_s: 'r', approx_count_distinct_s: 1n },
      ]);
    }
  });

  it('groups by _region, by a long key across the border, and names measures by `as`', async () => {
    const aggregate: Aggregate = {
      groupBy: ['_region', 'n'],
      measures: [
        { fn: 'count', as: 'rows' },
        { fn: 'sum', column: 'x' },
      ],
    };
    const partials = [await partial(eu(), aggregate, 'eu-west-1'), await partial(us(), aggregate, 'us-east-1')];
    const { table } = mergePartials(partials, aggregate, {
      orderBy: [{ column: '_region' }, { column: 'n', descending: true, nulls: 'last' }],
    });
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['_region', 'Utf8'],
      ['n', 'Int64'],
      ['rows', 'Int64'],
      ['sum_x', 'Float64'],
    ]);
    expect(rows(table).map((r) => [r._region, r.n, r.rows, r.sum_x])).toEqual([
      ['eu-west-1', 7n, 1n, 4],
      ['eu-west-1', 5n, 1n, 2.5],
      ['eu-west-1', 2n, 1n, null],
      ['eu-west-1', 1n, 1n, 1.5],
      ['us-east-1', 10n, 1n, 3],
      ['us-east-1', 4n, 1n, -2],
      ['us-east-1', 3n, 1n, 0.5],
      ['us-east-1', null, 1n, 1],
    ]);
    expect(measureName({ fn: 'count' })).toBe('count');
    expect(measureName({ fn: 'max', column: 'x' })).toBe('max_x');
    expect(measureName({ fn: 'max', column: 'x', as: 'top' })).toBe('top');
  });

  it('a partial over no rows is typed by the table’s columns: the merged types are those over rows', async () => {
    const columns = [new Field('d', new DateDay(), true), new Field('p', new Decimal(2, 12, 128), true)];
    const measures: Measure[] = [
      { fn: 'sum', column: 'p' },
      { fn: 'min', column: 'p' },
      { fn: 'max', column: 'd' },
      { fn: 'approx_quantile', column: 'd', quantile: 0.5 },
      { fn: 'count_distinct', column: 'p' },
    ];
    for (const groupBy of [[], ['d']]) {
      const aggregate: Aggregate = { groupBy, measures };
      const none = await partialAggregate(batches(new Table()), aggregate, 'eu', columns);
      const merged = mergePartials([decodePartial(encodePartial(none, aggregate), aggregate, none.types)], aggregate);
      expect(merged.table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
        ...(groupBy.length > 0 ? ['d:Date32<DAY>'] : []),
        'sum_p:Decimal[38e+2]',
        'min_p:Decimal[12e+2]',
        'max_d:Date32<DAY>',
        'approx_quantile_d:Date32<DAY>',
        'count_distinct_p:Int64',
      ]);
      expect(merged.table.numRows).toBe(groupBy.length > 0 ? 0 : 1);
    }
  });

  it('a global aggregate over no rows is one row: count 0, the rest null; over rows, one row of totals', async () => {
    const measures: Measure[] = [
      { fn: 'count' },
      { fn: 'sum', column: 'n' },
      { fn: 'sum', column: 'x' },
      { fn: 'min', column: 'x' },
      { fn: 'avg', column: 'n' },
      { fn: 'var_pop', column: 'x' },
    ];
    const aggregate: Aggregate = { groupBy: [], measures };
    const empty = await partial(eu().slice(0, 0), aggregate, 'eu');
    const none = mergePartials([empty], aggregate).table;
    expect(rows(none)).toEqual([{ count: 0n, sum_n: null, sum_x: null, min_x: null, avg_n: null, var_pop_x: null }]);
    // Grouped, no rows is no groups at all.
    const grouped: Aggregate = { groupBy: ['g'], measures };
    const noGroups = mergePartials([await partial(eu().slice(0, 0), grouped, 'eu')], grouped).table;
    expect(noGroups.numRows).toBe(0);
    expect(noGroups.schema.fields.map((f) => f.name)).toEqual(['g', ...measures.map(measureName)]);
    const totals = mergePartials(
      [await partial(eu(), aggregate, 'eu'), await partial(us(), aggregate, 'us')],
      aggregate,
    );
    const [row] = rows(totals.table);
    expect(row).toMatchObject({ count: 8n, sum_n: 32n, min_x: -2, avg_n: 32 / 7 });
    expect(row?.sum_x).toBeCloseTo(10.5, 12);
    // x = 1.5, 2.5, 4, 0.5, 1, 3, -2: mean 1.5, squared deviations 0 + 1 + 6.25 + 1 + 0.25 + 2.25 + 12.25 = 23.
    expect(row?.var_pop_x).toBeCloseTo(23 / 7, 12);
    expect(totals.table.numRows).toBe(1);
  });

  it('suppresses groups with fewer rows than minGroupSize from the counted regions, keeps those with none', async () => {
    const aggregate: Aggregate = { groupBy: ['g'], measures: [{ fn: 'count' }] };
    // The merge adds into the first partial's states: each merge gets partials of its own.
    const merge = async (rowsNeeded: number) => {
      const fromEu = await partial(eu(), aggregate, 'eu');
      const fromUs = await partial(us(), aggregate, 'us');
      return mergePartials([fromEu, fromUs], aggregate, {
        orderBy: [{ column: 'g', nulls: 'first' }],
        minGroupSize: { rows: rowsNeeded, counted: new Set([fromEu]) },
      });
    };
    // eu holds a: 2 rows, b: 1, null: 1; c has no eu rows, so nothing of eu can be learnt from it.
    const two = await merge(2);
    expect(rows(two.table).map((r) => [r.g, r.count])).toEqual([
      ['a', 3n],
      ['c', 1n],
    ]);
    expect(two.suppressed).toBe(2);
    const one = await merge(1);
    expect(one.suppressed).toBe(0);
    expect(rows(one.table).map((r) => [r.g, r.count])).toEqual([
      [null, 1n],
      ['a', 3n],
      ['b', 3n],
      ['c', 1n],
    ]);
    const three = await merge(3);
    expect(three.suppressed).toBe(3);
    expect(rows(three.table).map((r) => r.g)).toEqual(['c']);
  });

  it('applies HAVING to the merged groups, then ORDER BY on several keys and LIMIT; hidden measures stay out', async () => {
    const aggregate: Aggregate = {
      groupBy: ['g'],
      measures: [{ fn: 'count' }, { fn: 'max', column: 'x', hidden: true }, { fn: 'sum', column: 'n' }],
      // Per region no group has 3 rows: only the merged counts pass.
      having: col('count').gte(3),
    };
    // The merge adds into the first partial's states: each merge gets partials of its own.
    const partials = async () => [await partial(eu(), aggregate, 'eu'), await partial(us(), aggregate, 'us')];
    const kept = mergePartials(await partials(), aggregate, { orderBy: [{ column: 'sum_n', descending: true }] }).table;
    expect(kept.schema.fields.map((f) => f.name)).toEqual(['g', 'count', 'sum_n']);
    expect(rows(kept)).toEqual([
      { g: 'b', count: 3n, sum_n: 15n },
      { g: 'a', count: 3n, sum_n: 6n },
    ]);
    // Ties on count are broken by the second key; the hidden max orders but is not returned.
    const plain: Aggregate = { groupBy: ['g'], measures: aggregate.measures };
    const ordered = mergePartials(await partials(), plain, {
      orderBy: [
        { column: 'count', descending: true },
        { column: 'max_x', descending: true },
      ],
      limit: 3,
    }).table;
    expect(rows(ordered)).toEqual([
      { g: 'b', count: 3n, sum_n: 15n },
      { g: 'a', count: 3n, sum_n: 6n },
      { g: null, count: 1n, sum_n: 7n },
    ]);
    const nothing = mergePartials(await partials(), { ...aggregate, having: col('count').gt(3) }).table;
    expect(nothing.numRows).toBe(0);
    expect(nothing.schema.fields.filter((f) => !f.nullable)).toEqual([]);
    expect(nothing.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['g', 'Utf8'],
      ['count', 'Int64'],
      ['sum_n', 'Int64'],
    ]);
    expect(mergePartials(await partials(), plain, { limit: 0 }).table.numRows).toBe(0);
  });

  it('keeps double sums and variances where they cancel: compensation, a mean of 1e9, a region of only nulls', async () => {
    const doubles = (g: string[], x: (number | null)[]) =>
      new Table({ g: vectorFromArray(g, new Utf8()), x: vectorFromArray(x, new Float64()) });
    const first = doubles(['cancel', 'late', 'mixed'], [2, null, 5]);
    const big = 1e9;
    const second = doubles(
      ['cancel', 'cancel', 'cancel', 'late', 'late', 'late', 'mixed', 'solo', 'solo', 'solo', 'solo'],
      [1e16, 1, -1e16, big + 0.5, big + 1.5, big + 2.5, null, 1, 1e16, -1e16, 2],
    );
    const aggregate: Aggregate = {
      groupBy: ['g'],
      measures: [
        { fn: 'sum', column: 'x' },
        { fn: 'avg', column: 'x' },
        { fn: 'min', column: 'x' },
        { fn: 'var_samp', column: 'x' },
      ],
    };
    const partials = [await partial(first, aggregate, 'us'), await partial(second, aggregate, 'eu')];
    const byGroup = new Map(
      rows(mergePartials(partials, aggregate).table).map((r) => [r.g, r] as [unknown, Record<string, unknown>]),
    );
    // 1e16 + 1 - 1e16 is 0 in doubles; the compensated sum keeps the 1, also when it arrives in a merged partial.
    expect(byGroup.get('cancel')?.sum_x).toBe(3);
    expect(byGroup.get('solo')?.sum_x).toBe(3);
    expect(byGroup.get('solo')?.avg_x).toBe(0.75);
    // The first region has only nulls in 'late': the merge takes the other's state as it is (shifted near 1e9).
    expect(byGroup.get('late')?.var_samp_x).toBe(1);
    expect(byGroup.get('late')?.sum_x).toBe(3 * big + 4.5);
    // A region whose values are all null leaves the other's minimum alone.
    expect(byGroup.get('mixed')).toMatchObject({ min_x: 5, sum_x: 5, avg_x: 5, var_samp_x: null });
  });

  it('sums decimals exactly at their scale, as a decimal column; averages and variances them as doubles', async () => {
    const price = new Decimal(2, 10, 128);
    const table = (cents: bigint[]) =>
      new Table({
        g: vectorFromArray(
          cents.map(() => 'a'),
          new Utf8(),
        ),
        p: buildVector(price, cents),
      });
    const aggregate: Aggregate = {
      groupBy: ['g'],
      measures: [
        { fn: 'sum', column: 'p' },
        { fn: 'avg', column: 'p' },
        { fn: 'var_pop', column: 'p' },
        { fn: 'min', column: 'p' },
      ],
    };
    // 1.23 + 2.00 in eu, 0.01 in us.
    const partials = [await partial(table([123n, 200n]), aggregate, 'eu'), await partial(table([1n]), aggregate, 'us')];
    const merged = mergePartials(partials, aggregate).table;
    const type = (name: string) => merged.schema.fields.find((f) => f.name === name)?.type;
    expect(type('sum_p')).toBeInstanceOf(Decimal);
    expect((type('sum_p') as Decimal).scale).toBe(2);
    expect(type('avg_p')).toBeInstanceOf(Float64);
    expect(type('min_p')).toBeInstanceOf(Decimal);
    // The unscaled 128-bit values, low word first: 3.24 and 0.01.
    const words = (name: string) => [...((merged.getChild(name)?.data[0]?.values as Uint32Array) ?? [])];
    expect(words('sum_p')).toEqual([324, 0, 0, 0]);
    expect(words('min_p')).toEqual([1, 0, 0, 0]);
    const [row] = rows(merged);
    expect(row?.avg_p).toBeCloseTo(3.24 / 3, 12);
    // 1.23, 2.00, 0.01: mean 1.08, squared deviations 0.0225 + 0.8464 + 1.1449 = 2.0138.
    expect(row?.var_pop_p).toBeCloseTo(2.0138 / 3, 12);
  });

  it('refuses a column the region lacks and a sum of strings, naming the region and the column, rows or none', async () => {
    for (const rows of [1, 0]) {
      const table = tableFromArrays({ s: ['a'] }).slice(0, rows);
      await expect(
        partialAggregate(
          batches(table),
          { groupBy: ['g'], measures: [{ fn: 'count' }] },
          'eu-west-1',
          table.schema.fields,
        ),
      ).rejects.toMatchObject({ code: 'unknown-column', message: "the table in eu-west-1 has no column 'g'" });
      const strings = new Table({ s: vectorFromArray(['a'], new Utf8()) }).slice(0, rows);
      await expect(
        partialAggregate(
          batches(strings),
          { groupBy: [], measures: [{ fn: 'avg', column: 's' }] },
          'eu-west-1',
          strings.schema.fields,
        ),
      ).rejects.toMatchObject({ code: 'invalid-request', hint: 'use min, max, count or count_distinct on s' });
    }
  });

  it('widens a column typed Int32 in one region and Int64 in another to Int64, Float32 and Float64 to Float64, in either order', async () => {
    // eu-west-1 reads numbers (Int32, Float32), us-east-1 bigints and doubles: key 1 and 1n must be one group, the
    // extremes bigints of an Int64 column, the output typed by the wider type whichever region comes first.
    const narrow = new Table({
      k: vectorFromArray([1, 1, 2], new Int32()),
      v: vectorFromArray([5, -3, 7], new Int32()),
      f: vectorFromArray([0.5, 1.5, 2.25], new Float32()),
      h: vectorFromArray([4, 9, 1], new Int16()),
    });
    const wide = new Table({
      k: vectorFromArray([1n, 3n], new Int64()),
      v: vectorFromArray([5n, 2n ** 40n], new Int64()),
      f: vectorFromArray([0.25, 4], new Float64()),
      h: vectorFromArray([-2, 8], new Int32()),
    });
    const aggregate: Aggregate = {
      groupBy: ['k'],
      measures: [
        { fn: 'count' },
        { fn: 'sum', column: 'v' },
        { fn: 'min', column: 'v' },
        { fn: 'max', column: 'v' },
        { fn: 'avg', column: 'v' },
        { fn: 'count_distinct', column: 'v' },
        { fn: 'min', column: 'f' },
        { fn: 'max', column: 'f' },
        { fn: 'sum', column: 'f' },
        { fn: 'min', column: 'h' },
        { fn: 'max', column: 'h' },
        { fn: 'count_distinct', column: 'h' },
      ],
    };
    const answers: unknown[] = [];
    for (const order of [
      ['eu-west-1', 'us-east-1'],
      ['us-east-1', 'eu-west-1'],
    ]) {
      const partials = await Promise.all(order.map((r) => partial(r === 'eu-west-1' ? narrow : wide, aggregate, r)));
      const { table } = mergePartials(partials, aggregate, { orderBy: [{ column: 'k' }], regions: order });
      const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
      expect(types).toEqual({
        k: 'Int64',
        count: 'Int64',
        sum_v: 'Int64',
        min_v: 'Int64',
        max_v: 'Int64',
        avg_v: 'Float64',
        count_distinct_v: 'Int64',
        min_f: 'Float64',
        max_f: 'Float64',
        sum_f: 'Float64',
        min_h: 'Int32',
        max_h: 'Int32',
        count_distinct_h: 'Int64',
      });
      // k = 1: v 5, -3 (eu), 5n (us: the same value, one distinct); f 0.5, 1.5, 0.25; h 4, 9, -2. k = 2: eu only.
      // k = 3: us only.
      expect(rows(table)).toEqual([
        {
          k: 1n,
          count: 3n,
          sum_v: 7n,
          min_v: -3n,
          max_v: 5n,
          avg_v: 7 / 3,
          count_distinct_v: 2n,
          min_f: 0.25,
          max_f: 1.5,
          sum_f: 2.25,
          min_h: -2,
          max_h: 9,
          count_distinct_h: 3n,
        },
        {
          k: 2n,
          count: 1n,
          sum_v: 7n,
          min_v: 7n,
          max_v: 7n,
          avg_v: 7,
          count_distinct_v: 1n,
          min_f: 2.25,
          max_f: 2.25,
          sum_f: 2.25,
          min_h: 1,
          max_h: 1,
          count_distinct_h: 1n,
        },
        {
          k: 3n,
          count: 1n,
          sum_v: 2n ** 40n,
          min_v: 2n ** 40n,
          max_v: 2n ** 40n,
          avg_v: 2 ** 40,
          count_distinct_v: 1n,
          min_f: 4,
          max_f: 4,
          sum_f: 4,
          min_h: 8,
          max_h: 8,
          count_distinct_h: 1n,
        },
      ]);
      answers.push(rows(table));
    }
    expect(answers[1]).toEqual(answers[0]);
    // Keys of Int16 and Int32 widen to Int32 and stay numbers: h = -2, 1, 4, 8, 9, each once; 1 and 1 one group.
    const byH: Aggregate = { groupBy: ['h'], measures: [{ fn: 'count' }] };
    const extra = new Table({ h: vectorFromArray([1], new Int32()) });
    const hs = mergePartials([await partial(narrow, byH, 'eu-west-1'), await partial(extra, byH, 'us-east-1')], byH, {
      orderBy: [{ column: 'h' }],
    }).table;
    expect(String(hs.schema.fields[0]?.type)).toBe('Int32');
    expect(rows(hs)).toEqual([
      { h: 1, count: 2n },
      { h: 4, count: 1n },
      { h: 9, count: 1n },
    ]);
  });

  it('refuses a column of two types that do not widen to one, naming the column and every region’s type, in either order', async () => {
    const cases: [string, Table, Table, string][] = [
      [
        'a string and a long',
        new Table({ c: vectorFromArray(['1'], new Utf8()) }),
        new Table({ c: vectorFromArray([1n], new Int64()) }),
        "column 'c' has no one type across the regions: Int64 in us-east-1, Utf8 in eu-west-1",
      ],
      [
        'an integer and a double',
        new Table({ c: vectorFromArray([1], new Int32()) }),
        new Table({ c: vectorFromArray([1], new Float64()) }),
        "column 'c' has no one type across the regions: Float64 in us-east-1, Int32 in eu-west-1",
      ],
      [
        'an unsigned and a signed long (neither holds the other)',
        new Table({ c: vectorFromArray([1n], new Uint64()) }),
        new Table({ c: vectorFromArray([1n], new Int64()) }),
        "column 'c' has no one type across the regions: Int64 in us-east-1, Uint64 in eu-west-1",
      ],
      [
        'decimals of two scales',
        new Table({ c: buildVector(new Decimal(2, 12, 128), [150n]) }),
        new Table({ c: buildVector(new Decimal(3, 12, 128), [2500n]) }),
        `column 'c' has no one type across the regions: ${String(new Decimal(2, 12, 128))} in eu-west-1, ${String(new Decimal(3, 12, 128))} in us-east-1`,
      ],
    ];
    // Two columns in conflict: the refusal names the first by name, whichever region comes first.
    const two = (c: string, b: bigint) =>
      new Table({ c: vectorFromArray([c], new Utf8()), b: vectorFromArray([b], new Int64()) });
    const twoOther = new Table({ c: vectorFromArray([1n], new Int64()), b: vectorFromArray(['x'], new Utf8()) });
    const byName: Aggregate = { groupBy: ['c', 'b'], measures: [{ fn: 'count' }] };
    const pa = await partial(two('1', 2n), byName, 'eu-west-1');
    const pb = await partial(twoOther, byName, 'us-east-1');
    for (const [partials, regions] of [
      [
        [pa, pb],
        ['eu-west-1', 'us-east-1'],
      ],
      [
        [pb, pa],
        ['us-east-1', 'eu-west-1'],
      ],
    ] as [PartialAggregate[], string[]][]) {
      expect(() => mergePartials(partials, byName, { regions })).toThrow(
        "column 'b' has no one type across the regions: Int64 in eu-west-1, Utf8 in us-east-1",
      );
    }
    for (const [what, eu, us, message] of cases) {
      for (const aggregate of [
        { groupBy: ['c'], measures: [{ fn: 'count' }] },
        { groupBy: [], measures: [{ fn: 'max', column: 'c' }] },
      ] as Aggregate[]) {
        const a = await partial(eu, aggregate, 'eu-west-1');
        const b = await partial(us, aggregate, 'us-east-1');
        for (const [partials, regions] of [
          [
            [a, b],
            ['eu-west-1', 'us-east-1'],
          ],
          [
            [b, a],
            ['us-east-1', 'eu-west-1'],
          ],
        ] as [PartialAggregate[], string[]][]) {
          let error: unknown;
          try {
            mergePartials(partials, aggregate, { regions });
          } catch (e) {
            error = e;
          }
          expect(error, `${what}, ${regions.join(' then ')}`).toMatchObject({
            code: 'schema-conflict',
            message,
            path: ['request', 'aggregate', 'c'],
          });
        }
      }
    }
  });
});

/** A region's partial over its table as one batch of many rows (nulls among values, booleans past the first). */
async function partialWhole(table: Table, aggregate: Aggregate, region: string): Promise<PartialAggregate> {
  async function* whole(): AsyncIterable<RecordBatch> {
    yield* table.batches;
  }
  const computed = await partialAggregate(whole(), aggregate, region, table.schema.fields);
  return decodePartial(encodePartial(computed, aggregate), aggregate, computed.types);
}

/** The thrown error of `f` (sync or async), for checking its code, message, path and hint together. */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('group keys, nulls, booleans, sum ranges and refusals, worked by hand', () => {
  it('keeps NaN, ±Infinity, null, 1 and "" apart as group keys across the border, in batches of one row or many', async () => {
    const count: Aggregate = { groupBy: ['k'], measures: [{ fn: 'count' }] };
    const byKey = (table: Table) => Object.fromEntries(rows(table).map((r) => [String(r.k), r.count]));
    for (const read of [partial, partialWhole]) {
      const xs = [
        await read(new Table({ k: vectorFromArray([Number.NaN, null, Infinity, 1], new Float64()) }), count, 'eu'),
        await read(new Table({ k: vectorFromArray([null, Number.NaN, -Infinity, 1], new Float64()) }), count, 'us'),
      ];
      expect(byKey(mergePartials(xs, count).table)).toEqual({
        NaN: 2n,
        null: 2n,
        Infinity: 1n,
        '-Infinity': 1n,
        1: 2n,
      });
      const ss = [
        await read(new Table({ k: vectorFromArray(['', null, 'a'], new Utf8()) }), count, 'eu'),
        await read(new Table({ k: vectorFromArray([null, '', ''], new Utf8()) }), count, 'us'),
      ];
      expect(byKey(mergePartials(ss, count).table)).toEqual({ '': 3n, null: 2n, a: 1n });
    }
  });

  it('groups by a boolean (null its own group) into a boolean column, reading bits past the first row', async () => {
    const aggregate: Aggregate = { groupBy: ['b'], measures: [{ fn: 'count' }, { fn: 'sum', column: 'n' }] };
    const eu = new Table({
      b: vectorFromArray([false, true, null, true], new Bool()),
      n: vectorFromArray([1n, 2n, 4n, 8n], new Int64()),
    });
    const us = new Table({
      b: vectorFromArray([true, false], new Bool()),
      n: vectorFromArray([16n, 32n], new Int64()),
    });
    for (const read of [partial, partialWhole]) {
      const merged = mergePartials([await read(eu, aggregate, 'eu'), await read(us, aggregate, 'us')], aggregate).table;
      expect(merged.schema.fields[0]?.type.typeId).toBe(Type.Bool);
      const got = rows(merged).map((r) => [r.b, r.count, r.sum_n]);
      expect(got).toHaveLength(3);
      expect(got).toEqual(
        expect.arrayContaining([
          [true, 3n, 26n],
          [false, 2n, 33n],
          [null, 1n, 4n],
        ]),
      );
    }
  });

  it('reads nulls in a batch of many rows as nulls (longs, doubles, decimals), values beside them as values', async () => {
    const price = new Decimal(2, 10, 128);
    const table = new Table({
      n: vectorFromArray([null, 5n, 3n], new Int64()),
      p: buildVector(price, [null, 150n, 700n]),
      x: vectorFromArray([2.5, null, 1], new Float64()),
    });
    const aggregate: Aggregate = {
      groupBy: [],
      measures: [
        { fn: 'count', column: 'n' },
        { fn: 'min', column: 'n' },
        { fn: 'count', column: 'p' },
        { fn: 'min', column: 'p' },
        { fn: 'count', column: 'x' },
        { fn: 'max', column: 'x' },
      ],
    };
    const merged = mergePartials([await partialWhole(table, aggregate, 'eu')], aggregate).table;
    const [row] = rows(merged);
    expect(row).toMatchObject({ count_n: 2n, min_n: 3n, count_p: 2n, count_x: 2n, max_x: 2.5 });
    // min(p) is 1.50: unscaled 150, low word first.
    expect([...((merged.getChild('min_p')?.data[0]?.values as Uint32Array) ?? [])]).toEqual([150, 0, 0, 0]);
  });

  it('writes decimal sums past 32 bits into the right words of each row', async () => {
    const price = new Decimal(0, 20, 128);
    const aggregate: Aggregate = { groupBy: ['g'], measures: [{ fn: 'sum', column: 'p' }] };
    const table = new Table({
      g: vectorFromArray(['a', 'b'], new Utf8()),
      p: buildVector(price, [3_000_000_000n, 7n]),
    });
    const other = new Table({ g: vectorFromArray(['a'], new Utf8()), p: buildVector(price, [2_000_000_000n]) });
    const merged = mergePartials(
      [await partial(table, aggregate, 'eu'), await partial(other, aggregate, 'us')],
      aggregate,
      {
        orderBy: [{ column: 'g' }],
      },
    ).table;
    // a: 5e9 = 1 * 2^32 + 705032704; b: 7.
    expect([...((merged.getChild('sum_p')?.data[0]?.values as Uint32Array) ?? [])]).toEqual([
      705032704, 1, 0, 0, 7, 0, 0, 0,
    ]);
  });

  it('refuses a sum past its output type (Int64, decimal(38)) and answers one at the edge', async () => {
    const longs: Aggregate = { groupBy: [], measures: [{ fn: 'sum', column: 'n' }] };
    const long = (v: bigint) => new Table({ n: vectorFromArray([v], new Int64()) });
    const sumOf = async (a: bigint, b: bigint) =>
      mergePartials([await partial(long(a), longs, 'eu'), await partial(long(b), longs, 'us')], longs).table;
    const e62 = 2n ** 62n;
    expect(rows(await sumOf(e62, e62 - 1n))[0]?.sum_n).toBe(2n ** 63n - 1n);
    expect(rows(await sumOf(-e62, -e62))[0]?.sum_n).toBe(-(2n ** 63n));
    for (const [a, b] of [
      [e62, e62],
      [-e62, -e62 - 1n],
    ] as const) {
      expect(await thrown(() => sumOf(a, b))).toMatchObject({
        code: 'invalid-request',
        message: 'sum_n: sum(n) is past the range of Int64',
        path: ['request', 'aggregate', 'measures'],
        hint: 'sum fewer rows (a WHERE or a GROUP BY), or avg(n) * count(n)',
      });
    }
    const type = new Decimal(0, 38, 128);
    const decimals: Aggregate = { groupBy: [], measures: [{ fn: 'sum', column: 'p' }] };
    const dec = (v: bigint) => new Table({ p: buildVector(type, [v]) });
    const decSum = async (a: bigint, b: bigint) =>
      mergePartials([await partial(dec(a), decimals, 'eu'), await partial(dec(b), decimals, 'us')], decimals).table;
    const half = 5n * 10n ** 37n;
    // 10^38 - 1 fits a decimal(38, 0) (and is far past an Int64): its words, low first, are those of the bigint.
    const edge = 10n ** 38n - 1n;
    const words = [0, 1, 2, 3].map((w) => Number((edge >> BigInt(32 * w)) & 0xffffffffn));
    const fits = await decSum(half, half - 1n);
    expect([...((fits.getChild('sum_p')?.data[0]?.values as Uint32Array) ?? [])]).toEqual(words);
    expect(await thrown(() => decSum(half, half))).toMatchObject({
      code: 'invalid-request',
      message: `sum_p: sum(p) is past the range of ${String(new Decimal(0, 38, 128))}`,
    });
  });

  it('refusals name their path and hint: a column the table lacks, a sum of strings, a type it cannot read', async () => {
    const strings = new Table({ s: vectorFromArray(['a'], new Utf8()) });
    const two = new Table({ s: vectorFromArray(['a'], new Utf8()), t: vectorFromArray(['b'], new Utf8()) });
    expect(
      await thrown(() =>
        partialAggregate(batches(two), { groupBy: ['g'], measures: [] }, 'eu-west-1', two.schema.fields),
      ),
    ).toMatchObject({
      code: 'unknown-column',
      path: ['request', 'aggregate'],
      hint: 'group by and aggregate columns every region holds: s, t',
    });
    expect(
      await thrown(() =>
        partialAggregate(
          batches(strings),
          { groupBy: [], measures: [{ fn: 'sum', column: 's' }] },
          'eu-west-1',
          strings.schema.fields,
        ),
      ),
    ).toMatchObject({
      code: 'invalid-request',
      message: "sum of 's' (Utf8): only numbers can be added up",
      path: ['request', 'aggregate', 'measures'],
    });
    // The table's columns say g is there, its batch has no g: the reader refuses, naming the region.
    const withG = [...strings.schema.fields, new Field('g', new Utf8(), true)];
    expect(
      await thrown(() => partialAggregate(batches(strings), { groupBy: ['g'], measures: [] }, 'eu-west-1', withG)),
    ).toMatchObject({
      code: 'unknown-column',
      message: "the table in eu-west-1 has no column 'g'",
      path: ['request', 'aggregate'],
      hint: 'group by and aggregate columns every region holds',
    });
    const binary = new Table({ c: vectorFromArray([new Uint8Array([1])], new Binary()) });
    expect(
      await thrown(() =>
        partialAggregate(batches(binary), { groupBy: ['c'], measures: [] }, 'eu-west-1', binary.schema.fields),
      ),
    ).toMatchObject({
      code: 'invalid-request',
      message: 'cannot group or aggregate a column of Arrow type Binary',
      path: ['request', 'aggregate'],
      hint: 'group by and aggregate strings, numbers, booleans, dates, timestamps or decimals',
    });
    // A batch whose column is not of the table's type is an internal error, not a wrong merge.
    const ints = new Table({ g: vectorFromArray([1], new Int32()) });
    expect(
      await thrown(() =>
        partialAggregate(batches(ints), { groupBy: ['g'], measures: [] }, 'eu-west-1', [
          new Field('g', new Int64(), true),
        ]),
      ),
    ).toMatchObject({ message: "internal: column 'g' of eu-west-1 is Int32 in a batch, Int64 in its table" });
  });

  it('a refusal of two types without region names numbers the partials, sorted, with its hint; Float16 does not widen', async () => {
    const aggregate: Aggregate = { groupBy: ['c'], measures: [{ fn: 'count' }] };
    const a = await partial(new Table({ c: vectorFromArray(['1'], new Utf8()) }), aggregate, 'eu');
    const b = await partial(new Table({ c: vectorFromArray([1n], new Int64()) }), aggregate, 'us');
    expect(await thrown(() => mergePartials([a, b], aggregate))).toMatchObject({
      code: 'schema-conflict',
      message: "column 'c' has no one type across the regions: Int64 in partial 2, Utf8 in partial 1",
      hint: "give c one type in every region's table (a narrower integer or a Float32 widens by itself), or leave regions out",
    });
    const half = await partial(new Table({ c: vectorFromArray([1], new Float16()) }), aggregate, 'eu');
    const double = await partial(new Table({ c: vectorFromArray([1], new Float64()) }), aggregate, 'us');
    expect(await thrown(() => mergePartials([half, double], aggregate, { regions: ['eu', 'us'] }))).toMatchObject({
      code: 'schema-conflict',
      message: "column 'c' has no one type across the regions: Float16 in eu, Float64 in us",
    });
    // A decimal of precision 2 is no float (Precision.DOUBLE is 2 too): refused beside a Float32.
    const dec = await partial(new Table({ c: buildVector(new Decimal(0, 2, 128), [7n]) }), aggregate, 'eu');
    const single = await partial(new Table({ c: vectorFromArray([1], new Float32()) }), aggregate, 'us');
    expect(await thrown(() => mergePartials([dec, single], aggregate, { regions: ['eu', 'us'] }))).toMatchObject({
      code: 'schema-conflict',
    });
    // The refusal names only the regions whose types hold the column.
    expect(
      await thrown(() =>
        mergedTypes([
          { types: new Map([['c', new Utf8()]]), region: 'eu' },
          { types: new Map(), region: 'ap' },
          { types: new Map([['c', new Int64()]]), region: 'us' },
        ]),
      ),
    ).toMatchObject({ message: "column 'c' has no one type across the regions: Int64 in us, Utf8 in eu" });
  });
});

describe('unsigned 64-bit columns', () => {
  it('group and take extremes of a Uint64 column across regions, at and past 2^63 (buildVector threw on any)', async () => {
    const aggregate: Aggregate = {
      groupBy: ['u'],
      measures: [{ fn: 'count' }, { fn: 'max', column: 'v' }, { fn: 'min', column: 'v' }],
    };
    const eu = new Table({
      u: vectorFromArray([1n, 2n ** 63n, 1n], new Uint64()),
      v: vectorFromArray([2n ** 64n - 1n, 5n, 0n], new Uint64()),
    });
    const us = new Table({
      u: vectorFromArray([2n ** 63n, null], new Uint64()),
      v: vectorFromArray([2n ** 63n + 7n, 9n], new Uint64()),
    });
    const { table } = mergePartials(
      [await partial(eu, aggregate, 'eu'), await partial(us, aggregate, 'us')],
      aggregate,
      {
        orderBy: [{ column: 'u' }],
      },
    );
    expect(String(table.schema.fields.find((f) => f.name === 'u')?.type)).toBe('Uint64');
    // Worked by hand: group 1 holds v 2^64-1 and 0; group 2^63 holds 5 and 2^63+7; the null group holds 9.
    expect(rows(table).map((r) => [r.u, r.count, r.max_v, r.min_v].map((x) => (x === null ? x : `${x}`)))).toEqual([
      ['1', '2', `${2n ** 64n - 1n}`, '0'],
      [`${2n ** 63n}`, '2', `${2n ** 63n + 7n}`, '5'],
      [null, '1', '9', '9'],
    ]);
  });
});
