import { arrowType, type DeltaType } from '@meridian/delta';
import { type DataType, Type } from 'apache-arrow';
import { ACCUMULATORS, NUMERIC_FUNCTIONS, type Value } from '../aggregate/accumulators.ts';
import { type Aggregate, groupKey, type Measure, type PartialAggregate } from '../aggregate/aggregate.ts';
import { KllSketch, type SketchItem } from '../aggregate/kll.ts';
import { ident, sqlType } from './duckdb-sql.ts';

/** A group's state that DuckDB's answer does not give exactly: the region runs in JS instead. */
export class NotExact extends Error {}

/** One measure's SQL: the select expressions of its partial state, and the state from their values. */
interface MeasureSql {
  readonly select: readonly string[];
  state(values: readonly unknown[]): unknown;
}

const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(v as bigint | number | string));

/**
 * The partial state of a measure computed in SQL, in the state's wire form (what encodePartial writes and a
 * gateway sends, docs/decisions "partial and final aggregates"), decoded by the accumulator itself. Undefined when
 * DuckDB cannot compute it exactly (the region then runs in JS, which also gives the error of a wrong request).
 */
function measureSql(m: Measure, type: DeltaType | undefined): MeasureSql | undefined {
  const accumulator = ACCUMULATORS[m.fn];
  if (m.column === undefined) {
    if (m.fn !== 'count') return undefined;
    return { select: ['count(*)'], state: ([n]) => accumulator.decode(Number(n), undefined) };
  }
  if (type === undefined) return undefined;
  const sql = sqlType(type);
  if (!sql) return undefined;
  const arrow = arrowType(type);
  const x = ident(m.column);
  const isFloat = arrow.typeId === Type.Float;
  const isDecimal = type.kind === 'decimal';
  const isNumber = isFloat || isDecimal || arrow.typeId === Type.Int;
  if (NUMERIC_FUNCTIONS.has(m.fn) && !isNumber) return undefined;
  switch (m.fn) {
    case 'count':
      return { select: [`count(${x})`], state: ([n]) => accumulator.decode(Number(n), arrow) };
    case 'sum':
    case 'avg':
      // Integers and decimals exactly (decimals as text: DuckDB's JS value of a DECIMAL is a double); doubles by
      // Kahan summation (fsum), as our compensated sum.
      if (isFloat)
        return {
          select: [`count(${x})`, `fsum(${x})`],
          state: ([n, s]) => accumulator.decode([Number(n), Number(s ?? 0), 0], arrow),
        };
      return {
        select: [`count(${x})`, isDecimal ? `CAST(sum(${x}) AS VARCHAR)` : `CAST(sum(${x}) AS HUGEINT)`],
        state: ([n, s]) =>
          accumulator.decode([Number(n), `${s === null ? 0n : isDecimal ? sql.value(s) : big(s)}`], arrow),
      };
    case 'min':
    case 'max':
      return {
        select: [sql.out(`${m.fn}(${x})`)],
        state: ([v]) => {
          const value = sql.value(v ?? null);
          return accumulator.decode(typeof value === 'bigint' ? { b: `${value}` } : value, arrow);
        },
      };
    case 'var_samp':
    case 'var_pop':
    case 'stddev_samp':
    case 'stddev_pop': {
      if (isFloat) {
        // Doubles: moments around the group's mean (n, shift = mean, sum(x - mean) = 0, sum((x - mean)^2) =
        // n var_pop). DuckDB's var_pop (Welford) is off by about 1e-16 |mean| / sd relatively (7e-8 at a mean of 1e9
        // with a spread of 1, test/aggregates.test.ts), where our shifted sums stay near 1e-16: past |mean| / sd =
        // 1e3 (an error of 1e-13) the group is not taken from DuckDB and the region runs in JS.
        return {
          select: [`count(${x})`, `avg(${x})`, `var_pop(${x})`],
          state: ([n, mean, v]) => {
            const count = Number(n);
            if (count === 0) return accumulator.decode([0, 0, 0, 0], arrow);
            const average = Number(mean);
            const variance = Number(v);
            if (count > 1 && average !== 0 && !(Math.abs(average) <= 1e3 * Math.sqrt(variance))) {
              throw new NotExact(
                `${m.fn}(${m.column}): a group's mean is over 1000 standard deviations from 0, where DuckDB's variance loses digits`,
              );
            }
            return accumulator.decode([count, average, 0, variance * count], arrow);
          },
        };
      }
      // Unscaled integers, exactly: beyond 18 digits x * 10^scale could overflow a HUGEINT square; run in JS then.
      if (isDecimal && (type as { precision: number }).precision > 18) return undefined;
      const scale = isDecimal ? (type as { scale: number }).scale : 0;
      const u = isDecimal ? `CAST(${x} * ${10n ** BigInt(scale)} AS HUGEINT)` : `CAST(${x} AS HUGEINT)`;
      return {
        select: [`count(${x})`, `CAST(sum(${u}) AS HUGEINT)`, `CAST(sum(${u} * ${u}) AS HUGEINT)`],
        state: ([n, s, ss]) => accumulator.decode([Number(n), `${big(s)}`, `${big(ss)}`], arrow),
      };
    }
    case 'count_distinct':
    case 'approx_count_distinct':
      // The distinct values; the state adds each (a set, or HyperLogLog registers, which a value sets once).
      return {
        select: [`list(DISTINCT ${sql.out(x)})`],
        state: ([values]) => {
          let state = accumulator.init(arrow);
          for (const v of (values as unknown[] | null) ?? []) {
            const value = sql.value(v);
            if (value !== null) state = accumulator.add(state, value);
          }
          return state;
        },
      };
    case 'approx_quantile':
      // Each distinct value with its count c: c in binary, a copy at level h standing for 2^h rows, is an exact
      // weighted sketch; merging it into an empty one compacts it as KLL does (no error before compaction).
      return {
        select: [`map_keys(histogram(${sql.out(x)}))`, `map_values(histogram(${sql.out(x)}))`],
        state: ([keys, counts]) => {
          const levels: SketchItem[][] = [];
          let n = 0;
          for (const [i, k] of ((keys as unknown[] | null) ?? []).entries()) {
            const value = sql.value(k) as SketchItem;
            let c = Number((counts as unknown[])[i]);
            n += c;
            for (let h = 0; c > 0; h++, c = Math.floor(c / 2)) {
              while (levels.length <= h) levels.push([]);
              if (c % 2 === 1) (levels[h] as SketchItem[]).push(value);
            }
          }
          const sketch = new KllSketch();
          if (n > 0) sketch.merge(KllSketch.decode({ n, levels }));
          return sketch;
        },
      };
  }
}

/** The SQL of a region's partial aggregate and the reading of its rows, or why it cannot run in DuckDB. */
export interface AggregateSql {
  /** The query over a region's rows (`from`: the source of {@link regionSource}). */
  sql(from: string): string;
  readonly columns: readonly string[];
  read(rows: readonly (readonly unknown[])[]): PartialAggregate;
}

/** The columns an aggregate reads (group columns but `_region`, measure inputs). */
export function aggregateColumns(aggregate: Aggregate): string[] {
  const names = [
    ...aggregate.groupBy.filter((g) => g !== '_region'),
    ...aggregate.measures.flatMap((m) => (m.column === undefined ? [] : [m.column])),
  ];
  return [...new Set(names)];
}

/**
 * `SELECT keys, count(*), states FROM <from> WHERE <where> GROUP BY keys`, and the partial aggregate of its rows:
 * the same groups, row counts and states the JS `partialAggregate` computes, `_region` keyed by the region.
 */
export function aggregateSql(
  aggregate: Aggregate,
  typeOf: (column: string) => DeltaType | undefined,
  where: string | undefined,
  region: string,
): AggregateSql | string {
  const keys: { name: string; select: string | undefined; value: (v: unknown) => Value }[] = [];
  const types = new Map<string, DataType>();
  for (const name of aggregate.groupBy) {
    if (name === '_region') {
      keys.push({ name, select: undefined, value: () => region });
      continue;
    }
    const type = typeOf(name);
    const sql = type && sqlType(type);
    if (!type || !sql) return `group column '${name}' is not of a type the DuckDB runner reads`;
    types.set(name, arrowType(type));
    keys.push({ name, select: sql.out(ident(name)), value: (v) => sql.value(v) });
  }
  const measures: MeasureSql[] = [];
  for (const m of aggregate.measures) {
    const type = m.column === undefined ? undefined : typeOf(m.column);
    const sql = measureSql(m, type);
    if (!sql) return `${m.fn}(${m.column ?? '*'}) is not computed in DuckDB for this column`;
    if (m.column !== undefined && type) types.set(m.column, arrowType(type));
    measures.push(sql);
  }
  const keySelects = keys.flatMap((k) => (k.select === undefined ? [] : [k.select]));
  const select = [...keySelects, 'count(*)', ...measures.flatMap((m) => m.select)];
  const groupBy = keySelects.length > 0 ? ` GROUP BY ${keySelects.map((_, i) => i + 1).join(', ')}` : '';
  return {
    sql: (from) => `SELECT ${select.join(', ')} FROM ${from} AS s${where ? ` WHERE ${where}` : ''}${groupBy}`,
    columns: aggregateColumns(aggregate),
    read(rows) {
      const groups: PartialAggregate['groups'] = new Map();
      for (const row of rows) {
        let at = 0;
        const values = keys.map((k) => (k.select === undefined ? k.value(null) : k.value(row[at++] ?? null)));
        const count = Number(row[at++]);
        // A global aggregate over no rows is one SQL row of count 0; the JS partial has no group then.
        if (count === 0) continue;
        const states = measures.map((m) => {
          const part = row.slice(at, at + m.select.length);
          at += m.select.length;
          return m.state(part);
        });
        groups.set(groupKey(values), { keys: values, rows: count, states });
      }
      return { types, groups };
    },
  };
}
