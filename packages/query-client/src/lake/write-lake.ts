import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { arrowType, type DeltaType, parseSchemaString, writeTable } from '@meridian/delta';
import { type DeltaTable, placementOf, type Topology } from '@meridian/topology';
import {
  type Data,
  type DataType,
  Field,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Type,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { QueryError } from '../errors.ts';

/*
 * A lake of deterministic synthetic rows for a topology's deltaTable components, so anyone (and `./dev demo`) can
 * read real Delta tables and run federated queries on a design without any cloud. Values follow the declared columns (names
 * steer the values: currency codes, service names, status codes); partition columns the table
 * declares but does not list (orasi's `date` and `hour`) are derived from its first timestamp.
 */

/** One table {@link writeLake} wrote. */
export interface LakeTable {
  readonly component: string;
  /** Component name (the last id segment): the `--table` of `meridian query`. */
  readonly name: string;
  readonly region: string;
  readonly path: string;
  readonly rows: number;
  readonly columns: readonly string[];
  readonly partitionColumns: readonly string[];
  /** Set when the model declares no columns and the generator chose them. */
  readonly defaultColumns: boolean;
}

interface Column {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
}

// What a table with no declared columns gets: a small event schema.
const DEFAULT_COLUMNS: readonly Column[] = [
  { name: 'timestamp', type: 'timestamp', nullable: false },
  { name: 'service_name', type: 'string', nullable: false },
  { name: 'metric_value', type: 'double', nullable: true },
  { name: 'status_code', type: 'integer', nullable: true },
];

const SERVICES = ['checkout', 'search', 'auth', 'catalog', 'payments'];
const CURRENCIES = ['EUR', 'GBP', 'CHF', 'USD'];
const START_US = BigInt(Date.UTC(2024, 0, 1)) * 1000n;
// Rows spread over three days, so date partitions hold a few thousand rows between them.
const SPAN_US = 3n * 86_400_000_000n;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** Splits `a,b<c,d>,e` at top-level commas. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** The Delta JSON type of the model's type notation (`decimal(12,2)`, `map<string,string>`, `struct<a:int>`). */
function typeJson(notation: string): unknown {
  const t = notation.trim();
  const generic = /^(array|map|struct)<(.*)>$/i.exec(t);
  if (!generic) return t.toLowerCase() === 'int' ? 'integer' : t.toLowerCase().replace(/\s+/g, '');
  const [, kind = '', inner = ''] = generic;
  const parts = splitTop(inner);
  switch (kind.toLowerCase()) {
    case 'array':
      return { type: 'array', elementType: typeJson(parts[0] ?? 'string'), containsNull: true };
    case 'map':
      return {
        type: 'map',
        keyType: typeJson(parts[0] ?? 'string'),
        valueType: typeJson(parts[1] ?? 'string'),
        valueContainsNull: true,
      };
    default:
      return {
        type: 'struct',
        fields: parts.map((p) => {
          const colon = p.indexOf(':');
          return { name: p.slice(0, colon).trim(), type: typeJson(p.slice(colon + 1)), nullable: true, metadata: {} };
        }),
      };
  }
}

function columnsOf(table: DeltaTable): { columns: Column[]; defaultColumns: boolean } {
  const declared = table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
  const columns = declared.length > 0 ? declared : [...DEFAULT_COLUMNS];
  for (const p of table.partitionColumns) {
    if (columns.some((c) => c.name === p)) continue;
    // A partition column the table does not list: derived from the event time (Hive-style date/hour).
    columns.push({ name: p, type: p === 'hour' ? 'integer' : p === 'date' ? 'date' : 'string', nullable: false });
  }
  return { columns, defaultColumns: declared.length === 0 };
}

type Plain = string | number | bigint | boolean | null | Plain[] | Map<Plain, Plain> | { [k: string]: Plain };

/** A value for one row of one column, steered by its name and type. */
function cellValue(name: string, t: DeltaType, row: number, micros: bigint, region: string, next: () => number): Plain {
  const lower = name.toLowerCase();
  if (t.kind === 'decimal') return BigInt(Math.floor(next() * 10 ** Math.min(t.precision - 1, 7)));
  if (t.kind === 'array')
    return [
      cellValue(name, t.elementType, row, micros, region, next),
      cellValue(name, t.elementType, row + 1, micros, region, next),
    ];
  if (t.kind === 'map')
    return new Map([[`k${row % 3}`, cellValue(`${name}_value`, t.valueType, row, micros, region, next)]]);
  if (t.kind === 'struct')
    return Object.fromEntries(t.fields.map((f) => [f.name, cellValue(f.name, f.type, row, micros, region, next)]));
  switch (t.name) {
    case 'string':
      if (lower === 'region') return region;
      if (lower.includes('currency')) return CURRENCIES[Math.floor(next() * CURRENCIES.length)] as string;
      if (lower.includes('service')) return SERVICES[Math.floor(next() * SERVICES.length)] as string;
      if (lower.includes('unit')) return 'ms';
      if (lower === 'date') return new Date(Number(micros / 1000n)).toISOString().slice(0, 10);
      if (lower.endsWith('_id') || lower === 'id')
        return `${lower.replace(/_id$/, '')}-${region}-${String(row).padStart(6, '0')}`;
      return `${lower}-${Math.floor(next() * 20)}`;
    case 'long':
      return BigInt(row);
    case 'integer':
    case 'short':
    case 'byte':
      if (lower === 'hour') return new Date(Number(micros / 1000n)).getUTCHours();
      if (lower.includes('status')) return next() < 0.9 ? 200 : next() < 0.5 ? 404 : 500;
      return Math.floor(next() * 100);
    case 'double':
    case 'float':
      return Math.round(next() * 100_000) / 100;
    case 'boolean':
      return next() < 0.5;
    case 'date':
      return Number(micros / 86_400_000_000n);
    case 'timestamp':
    case 'timestamp_ntz':
      return micros;
    default:
      return null;
  }
}

/** An Arrow vector of `type` from the generated plain values. */
function vectorOf(type: DataType, values: Plain[]): Vector {
  const length = values.length;
  switch (type.typeId) {
    case Type.Int:
      if ((type as unknown as { bitWidth: number }).bitWidth === 64) {
        return makeVector(makeData({ type, length, data: BigInt64Array.from(values as bigint[]) } as never));
      }
      return vectorFromArray(values as number[], type as never);
    case Type.Timestamp:
      return makeVector(makeData({ type, length, data: BigInt64Array.from(values as bigint[]) } as never));
    case Type.Date:
      return makeVector(makeData({ type, length, data: Int32Array.from(values as number[]) } as never));
    case Type.Decimal: {
      const words = new Uint32Array(length * 4);
      for (const [i, v] of values.entries()) {
        const u = BigInt.asUintN(128, v as bigint);
        for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn);
      }
      return makeVector(makeData({ type, length, data: words } as never));
    }
    default:
      return vectorFromArray(values as never[], type as never);
  }
}

/** The demo rows of one table in one region. */
function demoRows(table: DeltaTable, region: string, rows: number): { data: Table; defaultColumns: boolean } {
  const { columns, defaultColumns } = columnsOf(table);
  let schema: ReturnType<typeof parseSchemaString>;
  try {
    schema = parseSchemaString(
      JSON.stringify({
        type: 'struct',
        fields: columns.map((c) => ({ name: c.name, type: typeJson(c.type), nullable: c.nullable, metadata: {} })),
      }),
    );
  } catch (error) {
    throw new QueryError('invalid-request', `${table.id}: ${error instanceof Error ? error.message : String(error)}`, {
      path: ['components', table.id, 'columns'],
      hint: 'declare columns with Delta types (string, long, decimal(p,s), map<string,string>, ...)',
      cause: error,
    });
  }
  const next = random(seedOf(table.id));
  const step = SPAN_US / BigInt(Math.max(1, rows));
  const values = schema.fields.map(() => [] as Plain[]);
  for (let row = 0; row < rows; row++) {
    const micros = START_US + BigInt(row) * step + BigInt(Math.floor(next() * 1000));
    for (const [j, f] of schema.fields.entries())
      (values[j] as Plain[]).push(cellValue(f.name, f.type, row, micros, region, next));
  }
  const fields = schema.fields.map((f) => new Field(f.name, arrowType(f.type), f.nullable));
  const vectors = fields.map((f, j) => vectorOf(f.type, values[j] as Plain[]));
  const schemaOut = new Schema(fields);
  const children = vectors.map((v) => v.data[0] as Data);
  const data = new Table(schemaOut, [
    new RecordBatch(schemaOut, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children })),
  ]);
  return { data, defaultColumns };
}

/** Where {@link writeLake} puts a table: `<dir>/<region>/<name>`. */
function lakePath(model: Topology, table: DeltaTable, dir: string): string {
  const region = placementOf(model, table).region ?? 'global';
  return join(dir, region, table.name ?? table.id.split('/').at(-1) ?? table.id);
}

/**
 * The location of every deltaTable of a lake folder {@link writeLake} wrote, by component id: the `locations` of
 * planQuery. `planQuery(model, request, { locations: lakeLocations(model, '.meridian/lake') })`
 */
export function lakeLocations(model: Topology, dir: string): Record<string, string> {
  return Object.fromEntries(
    model.components
      .filter((c): c is DeltaTable => c.kind === 'deltaTable')
      .map((t) => [t.id, lakePath(model, t, dir)]),
  );
}

/**
 * Writes every deltaTable of the model as `<out>/<region>/<name>` (replacing what a previous run
 * wrote), `rows` deterministic rows each shaped like its declared columns, partitioned as declared.
 * `await writeLake(model, '.meridian/lake', 3000)`
 */
export async function writeLake(
  model: Topology,
  out: string,
  rows: number,
  progress: (line: string) => void = () => {},
): Promise<LakeTable[]> {
  const written: LakeTable[] = [];
  for (const table of model.components.filter((c): c is DeltaTable => c.kind === 'deltaTable')) {
    const region = placementOf(model, table).region ?? 'global';
    const name = table.name ?? table.id.split('/').at(-1) ?? table.id;
    const path = lakePath(model, table, out);
    const { data, defaultColumns } = demoRows(table, region, rows);
    await rm(path, { recursive: true, force: true });
    const compression = table.compression;
    await writeTable(path, data, { mode: 'create', partitionBy: table.partitionColumns, compression, name });
    progress(
      `wrote ${table.id}: ${rows} rows, ${data.schema.fields.length} columns${table.partitionColumns.length ? `, partitioned by ${table.partitionColumns.join(', ')}` : ''}${defaultColumns ? ' (no columns declared: demo columns)' : ''} -> ${path}`,
    );
    written.push({
      component: table.id,
      name,
      region,
      path,
      rows,
      columns: data.schema.fields.map((f) => f.name),
      partitionColumns: table.partitionColumns,
      defaultColumns,
    });
  }
  return written;
}
