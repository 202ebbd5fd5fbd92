/**
 * Typed values of a scan: literals, partition values, file and row-group statistics all become one
 * comparable representation per Delta primitive type (PROTOCOL.md "Primitive Types"), so a predicate
 * compares like with like:
 *   string -> string (compared by code point = UTF-8 byte order), byte/short/integer/float/double/decimal -> number,
 *   long -> bigint, boolean -> boolean, date -> days since 1970-01-01 (number),
 *   timestamp / timestamp_ntz -> microseconds since 1970-01-01 UTC (bigint), binary -> not comparable (undefined).
 */

import { COMPARABLE_PRIMITIVE_NAMES } from '../schema/types.ts';

/** A comparable value of one Delta primitive type. */
export type Value = string | number | bigint | boolean;

/** The Delta primitive types a predicate can compare. */
type PrimitiveTypeName =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'decimal'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz';

/** A primitive column type; decimals carry precision and scale. */
export interface PrimitiveType {
  readonly name: PrimitiveTypeName;
  readonly precision?: number;
  readonly scale?: number;
}

const simpleNames = new Set<string>(COMPARABLE_PRIMITIVE_NAMES);

/** Parses a Delta schema type string (`long`, `decimal(10,2)`) into a primitive type, or undefined for others. */
export function primitiveType(text: string): PrimitiveType | undefined {
  if (simpleNames.has(text)) return { name: text as PrimitiveTypeName };
  const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(text);
  if (decimal) return { name: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  return undefined;
}

/** Orders two values of the same type: negative, zero or positive. Mixed number/bigint compare exactly. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/**
 * Code point order, which is UTF-8 byte order: the order Parquet and Delta statistics use for strings.
 * JavaScript's `<` compares UTF-16 code units, which disagrees for characters above U+FFFF vs U+E000-U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate === ySurrogate) return x - y;
    return xSurrogate ? 1 : -1;
  }
  return a.length - b.length;
}

const MICROS_PER_DAY = 86_400_000_000n;
const timestampPattern =
  /^(-?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Microseconds since the epoch of a timestamp text: `2024-01-01`, `2024-01-01 10:00:00.123456`,
 * ISO 8601 with `T`, `Z` or an offset. Text without a zone is UTC (PROTOCOL.md "Partition Value Serialization"
 * writes timestamps without zone in UTC; timestamp_ntz has no zone at all).
 */
export function parseTimestampMicros(text: string): bigint | undefined {
  const m = timestampPattern.exec(text.trim());
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  const ms = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour ?? 0),
    Number(minute ?? 0),
    Number(second ?? 0),
  );
  if (Number.isNaN(ms)) return undefined;
  let micros = BigInt(ms) * 1000n;
  if (fraction) micros += BigInt(fraction.padEnd(9, '0').slice(0, 6));
  if (zone && zone.toUpperCase() !== 'Z' && zone.toUpperCase() !== 'UTC') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
    micros -= sign * offsetMinutes * 60_000_000n;
  }
  return micros;
}

/** Days since the epoch of `YYYY-MM-DD` (a longer timestamp text yields its UTC day). */
function parseDateDays(text: string): number | undefined {
  const micros = parseTimestampMicros(text);
  if (micros === undefined) return undefined;
  return Number(floorDiv(micros, MICROS_PER_DAY));
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * Converts the text form of a value (a partition value, a `--where` string literal) to its typed value;
 * undefined when the text is not a value of the type.
 */
export function parseValueText(text: string, type: PrimitiveType): Value | undefined {
  switch (type.name) {
    case 'string':
      return text;
    case 'long': {
      if (!/^\s*[-+]?\d+\s*$/.test(text)) return undefined;
      return BigInt(text.trim());
    }
    case 'integer':
    case 'short':
    case 'byte': {
      if (!/^\s*[-+]?\d+\s*$/.test(text)) return undefined;
      return Number(text);
    }
    case 'float':
    case 'double':
    case 'decimal': {
      const trimmed = text.trim();
      if (/^[-+]?nan$/i.test(trimmed)) return Number.NaN;
      if (/^[-+]?(infinity|inf)$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
      if (trimmed === '' || Number.isNaN(Number(trimmed))) return undefined;
      return Number(trimmed);
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      return undefined;
    }
    case 'date':
      return parseDateDays(text);
    case 'timestamp':
    case 'timestamp_ntz':
      return parseTimestampMicros(text);
    case 'binary':
      return undefined;
  }
}

/**
 * A value from a statistics JSON (`minValues`/`maxValues` of an add action): numbers as JSON numbers,
 * dates and timestamps as text. Undefined when the value cannot be trusted as a bound (e.g. a long
 * beyond 2^53 that JSON.parse rounded).
 */
export function statValue(raw: unknown, type: PrimitiveType): Value | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string') {
    if (type.name === 'string') return raw;
    // Stats JSON writes decimals as numbers; a string is a checkpoint's stats_parsed decimal read back as
    // its unscaled integer, whose scale is not known here.
    if (type.name === 'decimal') return undefined;
    return parseValueText(raw, type);
  }
  if (typeof raw === 'number') {
    switch (type.name) {
      case 'long':
        return Number.isSafeInteger(raw) ? BigInt(raw) : undefined;
      case 'integer':
      case 'short':
      case 'byte':
      case 'float':
      case 'double':
      case 'decimal':
        return raw;
      case 'date':
        return Number.isInteger(raw) ? raw : undefined;
      default:
        return undefined;
    }
  }
  if (typeof raw === 'bigint') return type.name === 'long' ? raw : Number(raw);
  if (typeof raw === 'boolean') return type.name === 'boolean' ? raw : undefined;
  if (raw instanceof Date) return toTypedFromDate(raw, type);
  return undefined;
}

function toTypedFromDate(date: Date, type: PrimitiveType): Value | undefined {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return undefined;
  if (type.name === 'timestamp' || type.name === 'timestamp_ntz') return BigInt(ms) * 1000n;
  if (type.name === 'date') return Math.floor(ms / 86_400_000);
  return undefined;
}

/**
 * Coerces a predicate literal to the column's type, or returns undefined when it cannot be one
 * (the binder turns that into an 'invalid-predicate' error naming the column and type).
 */
export function coerceLiteral(
  literal: string | number | bigint | boolean | Date,
  type: PrimitiveType,
): Value | undefined {
  if (literal instanceof Date) return toTypedFromDate(literal, type);
  if (typeof literal === 'string') return parseValueText(literal, type);
  if (typeof literal === 'boolean') return type.name === 'boolean' ? literal : undefined;
  switch (type.name) {
    case 'long':
      if (typeof literal === 'bigint') return literal;
      return Number.isInteger(literal) ? BigInt(literal) : literal;
    case 'integer':
    case 'short':
    case 'byte':
    case 'float':
    case 'double':
    case 'decimal':
      return typeof literal === 'bigint' ? Number(literal) : literal;
    case 'date':
      return typeof literal === 'number' && Number.isInteger(literal) ? literal : undefined;
    case 'timestamp':
    case 'timestamp_ntz':
      return typeof literal === 'bigint' ? literal : undefined;
    default:
      return undefined;
  }
}
