import {
  type Data,
  type DataType,
  Decimal,
  Field,
  Float64,
  Int64,
  makeData,
  makeVector,
  type RecordBatch,
  Schema,
  Table,
  Type,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { QueryError } from '../errors.ts';

/** An aggregate function of a measure. */
export type AggregateFunction = 'count' | 'sum' | 'min' | 'max';

/** One measure: `count` (of rows, or of a column's non-null values), `sum`, `min` or `max` of a column. */
export interface Measure {
  readonly fn: AggregateFunction;
  /** The column; count counts rows when it is omitted. */
  readonly column?: string;
  /** Output column name; `fn_column` (or `count`) by default. */
  readonly as?: string;
}

/** Grouping columns (`_region` groups by region) and the measures computed per group. */
export interface Aggregate {
  readonly groupBy: readonly string[];
  readonly measures: readonly Measure[];
}

type Value = string | number | bigint | boolean | null;

/** Per-group partial results of one region, merged with other regions' by {@link mergePartials}. */
export interface PartialAggregate {
  /** Arrow types of the group columns and measure inputs as the region's table returned them. */
  readonly types: ReadonlyMap<string, DataType>;
  readonly groups: Map<string, { readonly keys: Value[]; readonly acc: Value[] }>;
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

function isNumeric(type: DataType): boolean {
  return type.typeId === Type.Int || type.typeId === Type.Float || type.typeId === Type.Decimal;
}

function combine(fn: AggregateFunction, a: Value, b: Value): Value {
  if (b === null) return a;
  if (a === null) return b;
  switch (fn) {
    case 'count':
    case 'sum':
      return typeof a === 'bigint' || typeof b === 'bigint'
        ? BigInt(a as number) + BigInt(b as number)
        : (a as number) + (b as number);
    case 'min':
      return b < a ? b : a;
    case 'max':
      return b > a ? b : a;
  }
}

/** A region's partial aggregate over its batches (the scan has already applied the predicate). */
export async function partialAggregate(
  batches: AsyncIterable<RecordBatch>,
  aggregate: Aggregate,
  region: string,
): Promise<PartialAggregate> {
  const types = new Map<string, DataType>();
  const groups = new Map<string, { keys: Value[]; acc: Value[] }>();
  for await (const batch of batches) {
    const column = (name: string) => {
      const index = batch.schema.fields.findIndex((f) => f.name === name);
      const data = batch.data.children[index];
      if (data === undefined) {
        throw new QueryError('unknown-column', `the table in ${region} has no column '${name}'`, {
          path: ['request', 'aggregate'],
          hint: 'group by and aggregate columns every region holds',
        });
      }
      types.set(name, data.type);
      return reader(data);
    };
    const keyReaders = aggregate.groupBy.map((name) => (name === '_region' ? () => region : column(name)));
    const measureReaders = aggregate.measures.map((m) => {
      if (m.column === undefined) return undefined;
      const read = column(m.column);
      const type = types.get(m.column) as DataType;
      if (m.fn === 'sum' && !isNumeric(type)) {
        throw new QueryError('invalid-request', `sum of '${m.column}' (${String(type)}): only numbers can be summed`, {
          path: ['request', 'aggregate', 'measures'],
          hint: `use min, max or count on ${m.column}`,
        });
      }
      return read;
    });
    for (let i = 0; i < batch.numRows; i++) {
      const keys = keyReaders.map((r) => r(i));
      const key = JSON.stringify(keys, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
      let group = groups.get(key);
      if (!group) {
        group = { keys, acc: aggregate.measures.map((m) => (m.fn === 'count' ? 0 : null)) };
        groups.set(key, group);
      }
      for (const [j, m] of aggregate.measures.entries()) {
        const read = measureReaders[j];
        const v = read === undefined ? 1 : read(i);
        if (m.fn === 'count') {
          if (v !== null) group.acc[j] = (group.acc[j] as number) + 1;
        } else {
          // Sums of integers are exact: accumulate as bigint.
          const x =
            m.fn === 'sum' && typeof v === 'number' && types.get(m.column as string)?.typeId === Type.Int
              ? BigInt(v)
              : v;
          group.acc[j] = combine(m.fn, group.acc[j] as Value, x);
        }
      }
    }
  }
  return { types, groups };
}

/** Merges regions' partial aggregates into one Arrow table: group columns, then measures. */
export function mergePartials(partials: readonly PartialAggregate[], aggregate: Aggregate): Table {
  const merged = new Map<string, { keys: Value[]; acc: Value[] }>();
  const types = new Map<string, DataType>();
  for (const partial of partials) {
    for (const [name, type] of partial.types) if (!types.has(name)) types.set(name, type);
    for (const [key, group] of partial.groups) {
      const into = merged.get(key);
      if (!into) merged.set(key, { keys: group.keys, acc: [...group.acc] });
      else
        for (const [j, m] of aggregate.measures.entries())
          into.acc[j] = combine(m.fn === 'count' ? 'sum' : m.fn, into.acc[j] as Value, group.acc[j] as Value);
    }
  }
  const rows = [...merged.values()];
  const fields: Field[] = [];
  const vectors: Vector[] = [];
  for (const [k, name] of aggregate.groupBy.entries()) {
    const type = name === '_region' ? new Utf8() : (types.get(name) ?? new Utf8());
    fields.push(new Field(name, type, true));
    vectors.push(
      build(
        type,
        rows.map((r) => r.keys[k] as Value),
      ),
    );
  }
  for (const [j, m] of aggregate.measures.entries()) {
    const input = m.column === undefined ? undefined : types.get(m.column);
    let type: DataType;
    if (m.fn === 'count' || input === undefined) type = new Int64();
    else if (m.fn === 'sum')
      type =
        input.typeId === Type.Float
          ? new Float64()
          : input.typeId === Type.Decimal
            ? new Decimal((input as Decimal).scale, 38, 128)
            : new Int64();
    else type = input;
    const values = rows.map((r) => {
      const v = r.acc[j] as Value;
      return m.fn === 'count' || (m.fn === 'sum' && type.typeId === Type.Int)
        ? v === null
          ? null
          : BigInt(v as number)
        : v;
    });
    fields.push(new Field(measureName(m), type, true));
    vectors.push(build(type, values));
  }
  const schema = new Schema(fields);
  if (rows.length === 0) return new Table(schema);
  const columns = Object.fromEntries(fields.map((f, i) => [f.name, vectors[i] as Vector]));
  return new Table(columns);
}

/** An Arrow vector of `type` from plain values (numbers, bigints, strings, booleans, nulls). */
function build(type: DataType, values: readonly Value[]): Vector {
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
      (data as unknown as (number | bigint)[])[i] = data instanceof BigInt64Array ? BigInt(v as number) : Number(v);
    }
  }
  return makeVector(
    makeData({ type, length, nullCount, nullBitmap: nullCount > 0 ? nullBitmap : new Uint8Array(0), data } as never),
  );
}
