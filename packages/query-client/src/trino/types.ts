import {
  Bool,
  type DataType,
  DateDay,
  Decimal,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';
import type { Value } from '../aggregate/accumulators.ts';
import { QueryError } from '../errors.ts';

/**
 * A column type as Trino names it in a result's `columns` (the client protocol's `type` field), parsed into what the
 * adapter needs: the Arrow type the embedded reader gives the same Delta column (so a region read through Trino
 * merges with one read in process) and how its JSON values decode exactly.
 */
export type TrinoType =
  | { readonly kind: 'boolean' }
  | { readonly kind: 'tinyint' | 'smallint' | 'integer' | 'bigint' }
  | { readonly kind: 'real' | 'double' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'varchar' }
  | { readonly kind: 'date' }
  /** `timestamp(p)`: Delta's timestamp_ntz is `timestamp(6)` (Trino Delta Lake connector, "Type mapping"). */
  | { readonly kind: 'timestamp'; readonly precision: number }
  /**
   * `timestamp(p) with time zone`: the connector reads a Delta `timestamp` (microseconds) as `timestamp(3) with time
   * zone`, so its values arrive cut to milliseconds; usable where no value is needed (count), refused elsewhere.
   */
  | { readonly kind: 'timestamp-tz'; readonly precision: number }
  /** Anything else (varbinary, array, map, row, time, json...): refused where its values are needed. */
  | { readonly kind: 'other'; readonly name: string };

/** The type of a Trino `columns[].type` text, e.g. `decimal(12,2)`, `varchar(10)`, `timestamp(3) with time zone`. */
export function parseTrinoType(text: string): TrinoType {
  const t = text.trim().toLowerCase();
  if (t === 'boolean') return { kind: 'boolean' };
  if (t === 'tinyint' || t === 'smallint' || t === 'integer' || t === 'bigint') return { kind: t };
  if (t === 'real' || t === 'double') return { kind: t };
  if (t === 'varchar' || /^varchar\(\d+\)$/.test(t)) return { kind: 'varchar' };
  if (t === 'date') return { kind: 'date' };
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  const ts = /^timestamp(?:\((\d+)\))?( with time zone)?$/.exec(t);
  if (ts) {
    // Trino's `timestamp` without a precision is timestamp(3) (Trino "Data types").
    const precision = ts[1] === undefined ? 3 : Number(ts[1]);
    return ts[2] ? { kind: 'timestamp-tz', precision } : { kind: 'timestamp', precision };
  }
  return { kind: 'other', name: t };
}

/** A type's name for messages and for CAST in generated SQL (only for types this module can name). */
export function trinoTypeName(type: TrinoType): string {
  switch (type.kind) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'timestamp':
      return `timestamp(${type.precision})`;
    case 'timestamp-tz':
      return `timestamp(${type.precision}) with time zone`;
    case 'other':
      return type.name;
    default:
      return type.kind;
  }
}

function refuse(column: string, type: TrinoType, why: string): never {
  throw new QueryError('engine-unsupported', `Trino column '${column}' (${trinoTypeName(type)}): ${why}`, {
    path: ['trino', column],
    hint: 'leave the column out of the query, or run this region with the embedded runner',
  });
}

/**
 * The Arrow type of a column whose values the query needs, as @meridian/delta's arrowType gives the same Delta
 * column; a type whose values cannot map exactly is refused with the reason.
 */
export function arrowTypeOf(column: string, type: TrinoType): DataType {
  switch (type.kind) {
    case 'boolean':
      return new Bool();
    case 'tinyint':
      return new Int8();
    case 'smallint':
      return new Int16();
    case 'integer':
      return new Int32();
    case 'bigint':
      return new Int64();
    case 'real':
      return new Float32();
    case 'double':
      return new Float64();
    case 'decimal':
      return new Decimal(type.scale, type.precision, 128);
    case 'varchar':
      return new Utf8();
    case 'date':
      return new DateDay();
    case 'timestamp':
      if (type.precision > 6)
        return refuse(column, type, 'more than microsecond precision has no exact Arrow microsecond value');
      return new TimestampMicrosecond();
    case 'timestamp-tz':
      return refuse(
        column,
        type,
        "Trino's Delta Lake connector reads a Delta timestamp as timestamp(3) with time zone, so its microseconds are lost before they reach the client",
      );
    case 'other':
      return refuse(column, type, 'no exact mapping to the Arrow types the merge reads');
  }
}

function invalid(column: string, type: TrinoType, value: unknown): never {
  throw new QueryError(
    'engine-failed',
    `Trino returned ${JSON.stringify(value)} for '${column}' (${trinoTypeName(type)}), not a value of that type`,
    { path: ['trino', column], hint: 'check the Trino server and connector versions' },
  );
}

/** The unscaled integer of a decimal text with at most `scale` fraction digits (`-12.5` at scale 2 is -1250n). */
export function unscaledDecimal(text: string, scale: number): bigint | undefined {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  if (fraction.length > scale && !/^0*$/.test(fraction.slice(scale))) return undefined;
  const digits = `${m[2]}${fraction.slice(0, scale).padEnd(scale, '0')}`;
  const value = BigInt(digits);
  return m[1] === '-' ? -value : value;
}

const MS_PER_DAY = 86_400_000;

/** Milliseconds since the epoch of a UTC calendar time; unlike Date.UTC, years 0-99 are not taken as 1900-1999. */
function utcMillis(year: number, month: number, day: number, h = 0, m = 0, s = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, m, s, 0);
  return d.getTime();
}

/**
 * A JSON value of the client protocol as the embedded reader would give it (decimals as unscaled bigints, dates as
 * days, timestamps as microseconds). Integers arrive as text where the generated SQL casts them (JSON numbers lose
 * digits past 2^53); a JSON number that is not a safe integer is refused rather than rounded.
 */
export function decodeValue(column: string, type: TrinoType, value: unknown): Value {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? value : invalid(column, type, value);
    case 'tinyint':
    case 'smallint':
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? value : invalid(column, type, value);
    case 'bigint':
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      return invalid(column, type, value);
    case 'real':
    case 'double': {
      // The protocol writes NaN and the infinities as strings.
      const special: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
      const n = typeof value === 'number' ? value : typeof value === 'string' ? special[value] : undefined;
      if (n === undefined) return invalid(column, type, value);
      return type.kind === 'real' ? Math.fround(n) : n;
    }
    case 'decimal': {
      const unscaled = typeof value === 'string' ? unscaledDecimal(value, type.scale) : undefined;
      return unscaled ?? invalid(column, type, value);
    }
    case 'varchar':
      return typeof value === 'string' ? value : invalid(column, type, value);
    case 'date': {
      const m = typeof value === 'string' ? /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(value) : null;
      if (!m) return invalid(column, type, value);
      return utcMillis(Number(m[1]), Number(m[2]), Number(m[3])) / MS_PER_DAY;
    }
    case 'timestamp': {
      const m =
        typeof value === 'string'
          ? /^(-?\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(value)
          : null;
      if (!m) return invalid(column, type, value);
      const ms = utcMillis(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
      return BigInt(ms) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0'));
    }
    case 'timestamp-tz':
    case 'other':
      return arrowTypeOf(column, type) as never;
  }
}
