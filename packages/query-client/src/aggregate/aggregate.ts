import type { Predicate } from '@meridian/delta';
import {
  type Data,
  type DataType,
  Decimal,
  Field,
  type Float,
  Float64,
  type Int,
  Int64,
  makeData,
  makeVector,
  Precision,
  type RecordBatch,
  Schema,
  Table,
  Type,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { QueryError } from '../errors.ts';
import { ACCUMULATORS, type AggregateFunction, isNumeric, NUMERIC_FUNCTIONS, type Value } from './accumulators.ts';
import { compareValues, type HavingRow, keepRow } from './order.ts';

export type { AggregateFunction } from './accumulators.ts';

/** One measure: a function of a column (count counts rows when the column is omitted). */
export interface Measure {
  readonly fn: AggregateFunction;
  /** The column; count counts rows when it is omitted. */
  readonly column?: string;
  /** Output column name; `fn_column` (or `count`) by default. */
  readonly as?: string;
  /** approx_quantile: which quantile, 0 to 1 (0.5 is the median). */
  readonly quantile?: number;
  /** Computed for HAVING or ORDER BY only, not returned. */
  readonly hidden?: boolean;
}

/** One key of an ORDER BY: an output column (a group column or a measure's name) and its direction. */
export interface OrderKey {
  readonly column: string;
  readonly descending?: boolean;
  /** Where nulls go; as Postgres: last ascending, first descending. */
  readonly nulls?: 'first' | 'last';
}

/** Grouping columns (`_region` groups by region), the measures computed per group, and a HAVING filter. */
export interface Aggregate {
  readonly groupBy: readonly string[];
  readonly measures: readonly Measure[];
  /** Groups to keep after the final merge, over output names (`count > 10`). */
  readonly having?: Predicate;
}

/** One group of a partial aggregate: its key values, its row count and one state per measure. */
interface Group {
  readonly keys: Value[];
  rows: number;
  states: unknown[];
}

/** Per-group partial results of one region, merged with other regions' by {@link mergePartials}. */
export interface PartialAggregate {
  /** Arrow types of the group columns and measure inputs as the region's table returned them. */
  readonly types: Map<string, DataType>;
  readonly groups: Map<string, Group>;
}

/** The output name of a measure. */
export function measureName(m: Measure): string {
  return m.as ?? (m.column ? `${m.fn}_${m.column}` : m.fn);
}

const utf8 = new TextDecoder();

function reader(data: Data): (i: number) => Value {
  const valid = (i: number) => data.nullCount === 0 || data.getValid(i);
  switch (data.type.typeId) {
    case Type.Utf8: {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      return (i) => (valid(i) ? utf8.decode(bytes.subarray(offsets[i] as number, offsets[i + 1] as number)) : null);
    }
    case Type.Bool:
      return (i) => {
        if (!valid(i)) return null;
        const at = data.offset + i;
        return (((data.values as Uint8Array)[at >> 3] as number) & (1 << (at & 7))) !== 0;
      };
    case Type.Decimal: {
      const words = data.values as Uint32Array;
      return (i) => {
        if (!valid(i)) return null;
        let v = 0n;
        for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[i * 4 + w] as number);
        return BigInt.asIntN(128, v);
      };
    }
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp: {
      const values = data.values as ArrayLike<number | bigint>;
      return (i) => (valid(i) ? (values[i] as number | bigint) : null);
    }
    default:
      throw new QueryError('invalid-request', `cannot group or aggregate a column of Arrow type ${String(data.type)}`, {
        path: ['request', 'aggregate'],
        hint: 'group by and aggregate strings, numbers, booleans, dates, timestamps or decimals',
      });
  }
}

/** A reader of one column of a batch by name (exported for the top-k of plain rows). */
export function columnReader(
  batch: RecordBatch,
  name: string,
  region: string,
): { read: (i: number) => Value; type: DataType } {
  const index = batch.schema.fields.findIndex((f) => f.name === name);
  const data = batch.data.children[index];
  if (data === undefined) {
    throw new QueryError('unknown-column', `the table in ${region} has no column '${name}'`, {
      path: ['request', 'aggregate'],
      hint: 'group by and aggregate columns every region holds',
    });
  }
  return { read: reader(data), type: data.type };
}

/** The key of a group in a partial aggregate (bigints marked, so 1 and 1n differ). */
export function groupKey(keys: readonly Value[]): string {
  // NaN and infinities marked too: JSON writes them as null, the key of the null group.
  return JSON.stringify(keys, (_k, v) =>
    typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? `${v}f` : v,
  );
}

/**
 * The input types of an aggregate, from the table's columns (not from the rows read: a region that reads no row
 * must type its partial as one that reads some, or a sum of decimals over no rows would come out as Int64).
 * Checks every column exists and that functions of numbers get numbers, whatever the number of rows.
 */
function aggregateTypes(aggregate: Aggregate, columns: readonly Field[], region: string): Map<string, DataType> {
  const types = new Map<string, DataType>();
  const typeOf = (name: string): DataType => {
    const field = columns.find((f) => f.name === name);
    if (field === undefined) {
      throw new QueryError('unknown-column', `the table in ${region} has no column '${name}'`, {
        path: ['request', 'aggregate'],
        hint: `group by and aggregate columns every region holds: ${columns.map((f) => f.name).join(', ')}`,
      });
    }
    types.set(name, field.type);
    return field.type;
  };
  for (const name of aggregate.groupBy) if (name !== '_region') typeOf(name);
  for (const m of aggregate.measures) {
    if (m.column === undefined) continue;
    const type = typeOf(m.column);
    if (NUMERIC_FUNCTIONS.has(m.fn) && !isNumeric(type)) {
      throw new QueryError(
        'invalid-request',
        `${m.fn} of '${m.column}' (${String(type)}): only numbers can be added up`,
        {
          path: ['request', 'aggregate', 'measures'],
          hint: `use min, max, count or count_distinct on ${m.column}`,
        },
      );
    }
  }
  return types;
}

/**
 * A region's partial aggregate over its batches (the scan has already applied the predicate). `columns` are the
 * table's (its snapshot's schema): they type the partial, also when no row is read.
 */
export async function partialAggregate(
  batches: AsyncIterable<RecordBatch>,
  aggregate: Aggregate,
  region: string,
  columns: readonly Field[],
): Promise<PartialAggregate> {
  const types = aggregateTypes(aggregate, columns, region);
  const groups = new Map<string, Group>();
  const accumulators = aggregate.measures.map((m) => ACCUMULATORS[m.fn]);
  for await (const batch of batches) {
    const column = (name: string) => {
      const { read, type } = columnReader(batch, name, region);
      // The rows must be of the table's type (the reader follows the batch, the output the table).
      if (String(type) !== String(types.get(name))) {
        throw new Error(
          `internal: column '${name}' of ${region} is ${String(type)} in a batch, ${String(types.get(name))} in its table`,
        );
      }
      return read;
    };
    const keyReaders = aggregate.groupBy.map((name) => (name === '_region' ? () => region : column(name)));
    const measureReaders = aggregate.measures.map((m) => (m.column === undefined ? undefined : column(m.column)));
    for (let i = 0; i < batch.numRows; i++) {
      const keys = keyReaders.map((r) => r(i));
      const key = groupKey(keys);
      let group = groups.get(key);
      if (!group) {
        group = {
          keys,
          rows: 0,
          states: aggregate.measures.map((m, j) =>
            (accumulators[j] as (typeof accumulators)[number]).init(
              m.column === undefined ? undefined : types.get(m.column),
            ),
          ),
        };
        groups.set(key, group);
      }
      group.rows++;
      for (let j = 0; j < accumulators.length; j++) {
        const read = measureReaders[j];
        const v = read === undefined ? 1 : read(i);
        if (v !== null) group.states[j] = (accumulators[j] as (typeof accumulators)[number]).add(group.states[j], v);
      }
    }
  }
  return { types, groups };
}

/**
 * NaN and infinities as `{ "nf": "NaN" }`: JSON has no such numbers and would write null, so a max of NaN, a double
 * sum gone to Infinity or a NaN group key would arrive as null (the sum then adding null as 0).
 */
function nonFinite(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { nf: String(v) } : v;
}
function finite(_key: string, v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const nf = (v as { nf?: unknown }).nf;
  return typeof nf === 'string' && Object.keys(v).length === 1 ? Number(nf) : v;
}

/** A partial aggregate as the bytes that cross a border (JSON: group keys, row counts, encoded states). */
export function encodePartial(partial: PartialAggregate, aggregate: Aggregate): Uint8Array {
  const groups = [...partial.groups.values()].map((g) => [
    g.keys.map((k) => (typeof k === 'bigint' ? { b: `${k}` } : k)),
    g.rows,
    g.states.map((s, j) => ACCUMULATORS[(aggregate.measures[j] as Measure).fn].encode(s)),
  ]);
  return new TextEncoder().encode(JSON.stringify(groups, nonFinite));
}

/** The partial aggregate {@link encodePartial} wrote; `types` travel as the fragment's schema. */
export function decodePartial(bytes: Uint8Array, aggregate: Aggregate, types: Map<string, DataType>): PartialAggregate {
  const groups = new Map<string, Group>();
  for (const [keys, rows, states] of JSON.parse(utf8.decode(bytes), finite) as [unknown[], number, unknown[]][]) {
    const values = keys.map((k) =>
      typeof k === 'object' && k !== null ? BigInt((k as { b: string }).b) : (k as Value),
    );
    groups.set(groupKey(values), {
      keys: values,
      rows,
      states: states.map((s, j) => {
        const m = aggregate.measures[j] as Measure;
        return ACCUMULATORS[m.fn].decode(s, m.column === undefined ? undefined : types.get(m.column));
      }),
    });
  }
  return { types, groups };
}

/** Options of {@link mergePartials}: the query's ORDER BY and LIMIT, applied after HAVING. */
export interface MergeOptions {
  readonly orderBy?: readonly OrderKey[];
  readonly limit?: number;
  /**
   * Groups with fewer rows than this from `countedRegions` partials are dropped (a data class's export rule:
   * minGroupSize); how many were dropped is returned in `suppressed`.
   */
  readonly minGroupSize?: { readonly rows: number; readonly counted: ReadonlySet<PartialAggregate> };
  /** The region of each partial, in the same order: a refusal of two types names them (else `partial 1`, ...). */
  readonly regions?: readonly string[];
}

/**
 * The type both of two regions' types of one column convert to exactly, or undefined: the same type; the wider of
 * two signed integers (Int32 and Int64: Int64, every Int32 is an Int64); the wider of two floats (Float32 and
 * Float64: Float64, every single is a double). As DuckDB and Trino type a UNION's column. Nothing else widens here:
 * an integer and a double (an Int64 is not always a double), decimals of two scales or precisions (refused since
 * the sum of 1.50 and 2.500 added them unscaled), a string and a number.
 */
function widerOf(a: DataType, b: DataType): DataType | undefined {
  if (String(a) === String(b)) return a;
  const int = (t: DataType) => t.typeId === Type.Int && (t as Int).isSigned;
  if (int(a) && int(b)) return (a as Int).bitWidth >= (b as Int).bitWidth ? a : b;
  const float = (t: DataType) =>
    t.typeId === Type.Float &&
    ((t as Float).precision === Precision.SINGLE || (t as Float).precision === Precision.DOUBLE);
  if (float(a) && float(b)) return (a as Float).precision >= (b as Float).precision ? a : b;
  return undefined;
}

/**
 * The type of every column of an aggregate across the regions' partials: each column's types widened by
 * {@link widerOf}. Widening is within one family (signed integers, floats) and takes the widest, so the result does
 * not depend on the order the regions answer in; a column whose types do not widen to one is a `schema-conflict`
 * naming the column and every region's type (a guess of one of them would merge values of two kinds).
 */
export function mergedTypes(
  partials: readonly { readonly types: ReadonlyMap<string, DataType>; readonly region: string }[],
): Map<string, DataType> {
  const merged = new Map<string, DataType>();
  const conflicts = new Set<string>();
  for (const { types } of partials) {
    for (const [name, type] of types) {
      const seen = merged.get(name);
      const wider = seen === undefined ? type : widerOf(seen, type);
      if (wider === undefined) conflicts.add(name);
      else merged.set(name, wider);
    }
  }
  const [name] = [...conflicts].sort();
  if (name !== undefined) {
    const each = partials
      .filter((p) => p.types.has(name))
      .map((p) => `${String(p.types.get(name))} in ${p.region}`)
      .sort();
    throw new QueryError('schema-conflict', `column '${name}' has no one type across the regions: ${each.join(', ')}`, {
      path: ['request', 'aggregate', name],
      hint: `give ${name} one type in every region's table (a narrower integer or a Float32 widens by itself), or leave regions out`,
    });
  }
  return merged;
}

/**
 * A partial's groups with the keys of columns widened to a 64-bit integer as bigints (an Int32 region reads
 * numbers, an Int64 one bigints), so 1 and 1n are one group. States need nothing: sums and moments of integers are
 * bigints in every region, min and max compare numbers with bigints by value, and the output makes a number in an
 * Int64 column a bigint (mergePartials).
 */
function widenedGroups(partial: PartialAggregate, types: ReadonlyMap<string, DataType>, aggregate: Aggregate) {
  const toBig = (name: string) => {
    const to = types.get(name);
    const from = partial.types.get(name);
    return (
      to !== undefined &&
      from !== undefined &&
      to.typeId === Type.Int &&
      (to as Int).bitWidth === 64 &&
      (from as Int).bitWidth !== 64
    );
  };
  const keys = aggregate.groupBy.map(toBig);
  if (!keys.includes(true)) return partial.groups;
  const groups = new Map<string, Group>();
  for (const group of partial.groups.values()) {
    const values = group.keys.map((k, i) => (keys[i] && typeof k === 'number' ? BigInt(k) : k));
    groups.set(groupKey(values), { keys: values, rows: group.rows, states: group.states });
  }
  return groups;
}

/** Merges partial aggregates into one, in place of the first (the merge a region or the client does). */
function combinePartials(
  partials: readonly PartialAggregate[],
  aggregate: Aggregate,
  regions: readonly string[] | undefined,
): PartialAggregate {
  const types = mergedTypes(partials.map((p, i) => ({ types: p.types, region: regions?.[i] ?? `partial ${i + 1}` })));
  const groups = new Map<string, Group>();
  for (const partial of partials) {
    for (const [key, group] of widenedGroups(partial, types, aggregate)) {
      const into = groups.get(key);
      if (!into) groups.set(key, { keys: group.keys, rows: group.rows, states: [...group.states] });
      else {
        into.rows += group.rows;
        for (const [j, m] of aggregate.measures.entries())
          into.states[j] = ACCUMULATORS[m.fn].merge(into.states[j], group.states[j]);
      }
    }
  }
  return { types, groups };
}

/** The Arrow type of a measure's output, given its input column's type. */
function outputType(m: Measure, input: DataType | undefined): DataType {
  switch (m.fn) {
    case 'count':
    case 'count_distinct':
    case 'approx_count_distinct':
      return new Int64();
    case 'sum':
      if (input === undefined || input.typeId === Type.Int) return new Int64();
      if (input.typeId === Type.Decimal) return new Decimal((input as Decimal).scale, 38, 128);
      return new Float64();
    case 'avg':
    case 'var_samp':
    case 'var_pop':
    case 'stddev_samp':
    case 'stddev_pop':
      return new Float64();
    case 'min':
    case 'max':
    case 'approx_quantile':
      return input ?? new Int64();
  }
}

/**
 * An exact sum must fit its output type (Int64, or decimal(38, s) unscaled): written into it, a larger one would wrap
 * around silently. DuckDB answers in HUGEINT and Trino refuses; the merge refuses too.
 */
function checkSumRange(m: Measure, sum: bigint, type: DataType): void {
  const limit = type.typeId === Type.Decimal ? 10n ** 38n : 2n ** 63n;
  if (sum < limit && sum >= -limit) return;
  throw new QueryError('invalid-request', `${measureName(m)}: sum(${m.column}) is past the range of ${String(type)}`, {
    path: ['request', 'aggregate', 'measures'],
    hint: `sum fewer rows (a WHERE or a GROUP BY), or avg(${m.column}) * count(${m.column})`,
  });
}

/** The result of a final merge: the table, and how many groups minGroupSize suppressed. */
export interface MergedAggregate {
  readonly table: Table;
  readonly suppressed: number;
}

/**
 * The final merge: partials combined, measures finalised, groups below minGroupSize suppressed, HAVING applied,
 * then ORDER BY and LIMIT, as one Arrow table (group columns, then the measures not hidden).
 */
export function mergePartials(
  partials: readonly PartialAggregate[],
  aggregate: Aggregate,
  options: MergeOptions = {},
): MergedAggregate {
  const merged = combinePartials(partials, aggregate, options.regions);
  const types = merged.types;
  let suppressed = 0;
  let groups = [...merged.groups.values()];
  const minimum = options.minGroupSize;
  if (minimum !== undefined) {
    // Rows each group has from the restricted regions: a group is suppressed when 0 < rows < minimum.
    const restricted = new Map<string, number>();
    for (const p of minimum.counted)
      for (const [key, g] of p.groups) restricted.set(key, (restricted.get(key) ?? 0) + g.rows);
    groups = groups.filter((g) => {
      const rows = restricted.get(groupKey(g.keys)) ?? 0;
      const keep = rows === 0 || rows >= minimum.rows;
      if (!keep) suppressed++;
      return keep;
    });
  }
  // A global aggregate (no GROUP BY) over no rows is one row, as in SQL: count 0, the rest null.
  if (aggregate.groupBy.length === 0 && merged.groups.size === 0) {
    groups = [
      {
        keys: [],
        rows: 0,
        states: aggregate.measures.map((m) =>
          ACCUMULATORS[m.fn].init(m.column === undefined ? undefined : types.get(m.column)),
        ),
      },
    ];
  }
  const names = [...aggregate.groupBy, ...aggregate.measures.map(measureName)];
  const columnTypes = [
    ...aggregate.groupBy.map((name) => (name === '_region' ? new Utf8() : (types.get(name) ?? new Utf8()))),
    ...aggregate.measures.map((m) => outputType(m, m.column === undefined ? undefined : types.get(m.column))),
  ];
  const typeOf = new Map(names.map((n, i) => [n, columnTypes[i] as DataType]));
  let rows: HavingRow[] = groups.map((g) => {
    const values = [
      ...g.keys,
      ...aggregate.measures.map((m, j) => {
        const input = m.column === undefined ? undefined : types.get(m.column);
        const value = ACCUMULATORS[m.fn].final(g.states[j], input, m.quantile);
        if (m.fn === 'sum' && typeof value === 'bigint') checkSumRange(m, value, outputType(m, input));
        return value;
      }),
    ];
    return new Map(names.map((n, i) => [n, values[i] as Value]));
  });
  if (aggregate.having !== undefined) {
    const having = aggregate.having;
    rows = rows.filter((row) => keepRow(having.node, row, typeOf));
  }
  if (options.orderBy !== undefined && options.orderBy.length > 0) {
    const keys = options.orderBy;
    rows.sort((a, b) => {
      for (const k of keys) {
        const c = compareValues(a.get(k.column) ?? null, b.get(k.column) ?? null, k);
        if (c !== 0) return c;
      }
      return 0;
    });
  }
  if (options.limit !== undefined) rows = rows.slice(0, options.limit);

  const fields: Field[] = [];
  const vectors: Vector[] = [];
  const shown = [...aggregate.groupBy.map(() => true), ...aggregate.measures.map((m) => m.hidden !== true)];
  for (const [i, name] of names.entries()) {
    if (!shown[i]) continue;
    const type = columnTypes[i] as DataType;
    fields.push(new Field(name, type, true));
    vectors.push(
      buildVector(
        type,
        rows.map((r) => {
          const v = r.get(name) ?? null;
          return type.typeId === Type.Int && (type as Int64).bitWidth === 64 && typeof v === 'number' ? BigInt(v) : v;
        }),
      ),
    );
  }
  const schema = new Schema(fields);
  if (rows.length === 0) return { table: new Table(schema), suppressed };
  return { table: new Table(Object.fromEntries(fields.map((f, i) => [f.name, vectors[i] as Vector]))), suppressed };
}

/** An Arrow vector of `type` from plain values (numbers, bigints, strings, booleans, nulls). */
export function buildVector(type: DataType, values: readonly Value[]): Vector {
  const length = values.length;
  if (type.typeId === Type.Utf8 || type.typeId === Type.Bool) return vectorFromArray(values as never[], type as never);
  const nullBitmap = new Uint8Array(((length + 63) & ~63) >> 3);
  let nullCount = 0;
  for (const [i, v] of values.entries()) {
    if (v === null) nullCount++;
    else nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  }
  let data: Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array | Uint32Array;
  if (type.typeId === Type.Decimal) {
    data = new Uint32Array(length * 4);
    for (const [i, v] of values.entries()) {
      const u = BigInt.asUintN(128, (v as bigint | null) ?? 0n);
      for (let w = 0; w < 4; w++) data[i * 4 + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn);
    }
  } else {
    const Ctor = (type as unknown as { ArrayType: new (n: number) => typeof data }).ArrayType;
    data = new Ctor(length);
    for (const [i, v] of values.entries()) {
      if (v === null) continue;
      // 64-bit columns, signed or not, hold bigints; Number() of a bigint into a BigUint64Array throws.
      const wide = data instanceof BigInt64Array || data instanceof BigUint64Array;
      (data as unknown as (number | bigint)[])[i] = wide ? BigInt(v as number) : Number(v);
    }
  }
  return makeVector(
    makeData({ type, length, nullCount, nullBitmap: nullCount > 0 ? nullBitmap : new Uint8Array(0), data } as never),
  );
}
