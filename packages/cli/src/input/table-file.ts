import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { DeltaSchema, DeltaType } from '@meridian/delta';
import {
  Bool,
  type DataType,
  DateDay,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  makeVector,
  Table,
  TimestampMicrosecond,
  tableFromIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { CliInputError } from '../command.ts';

/** The file kinds `meridian delta write --from` reads, by extension. */
const inputKinds = ['.parquet', '.arrow', '.arrows', '.feather', '.jsonl', '.ndjson', '.csv'] as const;

type Cell = string | number | boolean | null;

function bad(file: string, message: string, hint: string): never {
  throw new CliInputError('bad-input-file', `${file}: ${message}`, hint);
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines; an empty unquoted field is null. */
function parseCsv(text: string, file: string): { names: string[]; rows: Cell[][] } {
  const records: { value: string; quoted: boolean }[][] = [];
  let record: { value: string; quoted: boolean }[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
      quoted = true;
    } else if (ch === ',') {
      record.push({ value: field, quoted });
      field = '';
      quoted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push({ value: field, quoted });
      if (!(record.length === 1 && record[0]?.value === '' && !record[0].quoted)) records.push(record);
      record = [];
      field = '';
      quoted = false;
    } else field += ch;
  }
  if (inQuotes) bad(file, 'a quoted field is not closed', 'close every "quoted" field');
  if (field !== '' || quoted || record.length > 0) {
    record.push({ value: field, quoted });
    records.push(record);
  }
  const header = records.shift();
  if (!header) bad(file, 'the file is empty', 'give a header line with the column names');
  const names = header.map((h) => h.value);
  const rows = records.map((r, i) => {
    if (r.length !== names.length)
      bad(file, `line ${i + 2} has ${r.length} fields, the header ${names.length}`, 'give every line the same fields');
    return r.map((c) => (c.value === '' && !c.quoted ? null : c.value));
  });
  return { names, rows };
}

function parseJsonl(text: string, file: string): { names: string[]; rows: Cell[][] } {
  const objects: Record<string, unknown>[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad(file, `line ${i + 1} is not JSON`, 'give one JSON object per line');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      bad(file, `line ${i + 1} is not a JSON object`, 'give one JSON object per line');
    objects.push(value as Record<string, unknown>);
  }
  const names = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  const rows = objects.map((o, i) =>
    names.map((n) => {
      const v = o[n];
      if (v === undefined || v === null) return null;
      if (typeof v === 'object')
        bad(file, `line ${i + 1}: ${n} is nested`, 'nested values need a .parquet or .arrow input');
      return v as Cell;
    }),
  );
  return { names, rows };
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The type of a new table's column from its values: long, double, boolean, else string. */
function inferType(values: readonly Cell[]): DataType {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return new Utf8();
  if (present.every((v) => typeof v === 'boolean' || v === 'true' || v === 'false')) return new Bool();
  if (
    present.every(
      (v) => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && INTEGER.test(v)),
    )
  )
    return new Int64();
  if (present.every((v) => typeof v === 'number' || (typeof v === 'string' && NUMBER.test(v)))) return new Float64();
  return new Utf8();
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

function micros(text: string): bigint | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  let us = BigInt(ms) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0') || '0');
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const minutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    us -= (zone.startsWith('-') ? -1n : 1n) * minutes * 60_000_000n;
  }
  return us;
}

/** The Arrow type a written column needs to match a table column, for the types text inputs can carry. */
function arrowTypeOf(t: DeltaType, column: string, file: string): DataType {
  if (t.kind === 'primitive') {
    switch (t.name) {
      case 'string':
        return new Utf8();
      case 'long':
        return new Int64();
      case 'integer':
        return new Int32();
      case 'short':
        return new Int16();
      case 'byte':
        return new Int8();
      case 'double':
        return new Float64();
      case 'float':
        return new Float32();
      case 'boolean':
        return new Bool();
      case 'date':
        return new DateDay();
      case 'timestamp':
        return new TimestampMicrosecond('UTC');
      case 'timestamp_ntz':
        return new TimestampMicrosecond();
      default:
        break;
    }
  }
  return bad(file, `column ${column} has a type a text file cannot carry`, 'give a .parquet or .arrow input for it');
}

/** Converts one text or JSON cell to the value apache-arrow's builder takes for `type`. */
function convert(v: Cell, type: DataType, column: string, row: number, file: string): unknown {
  if (v === null) return null;
  const fail = (): never =>
    bad(
      file,
      `row ${row + 1}: ${JSON.stringify(v)} is not a ${String(type)} value for column ${column}`,
      'fix the value or the column',
    );
  if (type instanceof Utf8) return String(v);
  if (type instanceof Bool) {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return fail();
  }
  if (type instanceof Int64) {
    const text = String(v);
    return INTEGER.test(text) ? BigInt(text) : fail();
  }
  if (type instanceof Int32 || type instanceof Int16 || type instanceof Int8) {
    const n = Number(v);
    const bits = type.bitWidth;
    return Number.isInteger(n) && INTEGER.test(String(v)) && Math.abs(n) < 2 ** (bits - 1) + 1 ? n : fail();
  }
  if (type instanceof Float64 || type instanceof Float32) {
    const n = typeof v === 'number' ? v : NUMBER.test(String(v)) ? Number(v) : Number.NaN;
    return Number.isNaN(n) ? fail() : n;
  }
  if (type instanceof DateDay) {
    const us = micros(String(v));
    return us === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? fail() : new Date(Number(us / 1000n));
  }
  if (type instanceof TimestampMicrosecond) {
    const us = micros(String(v));
    return us === undefined ? fail() : us;
  }
  return fail();
}

/** Microsecond timestamps built directly: apache-arrow's builder takes numbers as milliseconds. */
function timestampVector(values: readonly (bigint | null)[], type: TimestampMicrosecond): Vector {
  const data = new BigInt64Array(values.length);
  const validity = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (const [i, v] of values.entries()) {
    if (v === null) nullCount++;
    else {
      data[i] = v;
      validity[i >> 3] = (validity[i >> 3] as number) | (1 << (i & 7));
    }
  }
  return makeVector(makeData({ type, length: values.length, nullCount, nullBitmap: validity, data }));
}

function fromCells(names: string[], rows: Cell[][], schema: DeltaSchema | undefined, file: string): Table {
  const columns: Record<string, Vector> = {};
  for (const [j, name] of names.entries()) {
    const values = rows.map((r) => r[j] ?? null);
    const field = schema?.fields.find((f) => f.name === name);
    const type = field ? arrowTypeOf(field.type, name, file) : inferType(values);
    const converted = values.map((v, i) => convert(v, type, name, i, file));
    columns[name] =
      type instanceof TimestampMicrosecond
        ? timestampVector(converted as (bigint | null)[], type)
        : vectorFromArray(converted as never[], type);
  }
  return new Table(columns);
}

/**
 * Reads `--from` as an Arrow table: parquet and Arrow IPC files as they are; CSV (header line) and
 * JSON lines converted to the existing table's column types (`schema`), or to types inferred from
 * the values for a new table (long, double, boolean, else string).
 */
export async function readTableFile(file: string, schema: DeltaSchema | undefined): Promise<Table> {
  const kind = extname(file).toLowerCase();
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return bad(
      file,
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'check the path',
    );
  }
  switch (kind) {
    case '.parquet': {
      const parquet = await import('parquet-wasm');
      try {
        return tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
      } catch (error) {
        return bad(file, `not a readable parquet file (${String(error)})`, 'give a parquet file');
      }
    }
    case '.arrow':
    case '.arrows':
    case '.feather':
      try {
        return tableFromIPC(bytes);
      } catch (error) {
        return bad(file, `not an Arrow IPC file (${String(error)})`, 'give an Arrow IPC file or stream');
      }
    case '.jsonl':
    case '.ndjson': {
      const { names, rows } = parseJsonl(new TextDecoder().decode(bytes), file);
      return fromCells(names, rows, schema, file);
    }
    case '.csv': {
      const { names, rows } = parseCsv(new TextDecoder().decode(bytes), file);
      return fromCells(names, rows, schema, file);
    }
    default:
      return bad(file, `unknown input kind '${kind}'`, `give one of ${inputKinds.join(', ')}`);
  }
}
