/**
 * Typed values of a scan: literals, partition values, file and row-group statistics all become one
 * comparable representation per Delta primitive type (PROTOCOL.md "Primitive Types"), so a predicate
 * compares like with like:
 *   string -> string (compared by code point = UTF-8 byte order), byte/short/integer/float/double/decimal -> number,
 *   long -> bigint, boolean -> boolean, date -> days since 1970-01-01 (number),
 *   timestamp / timestamp_ntz -> microseconds since 1970-01-01 UTC (bigint), binary -> not comparable (undefined).
 */

import { COMPARABLE_PRIMITIVE_NAMES } from '../schema/types.ts';
import {
  parseBooleanText,
  parseDateText,
  parseDecimalAtScale,
  parseFloatText,
  parseIntegerText,
  parseTimestampText,
} from '../schema/value-text.ts';

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

/**
 * Converts the text form of a value (a partition value, a `--where` string literal) to its typed value;
 * undefined when the text is not a value of the type.
 */
export function parseValueText(text: string, type: PrimitiveType): Value | undefined {
  switch (type.name) {
    case 'string':
      return text;
    case 'long':
      return parseIntegerText(text, 'long');
    case 'integer':
    case 'short':
    case 'byte': {
      const value = parseIntegerText(text, type.name);
      return value === undefined ? undefined : Number(value);
    }
    case 'float':
    case 'double':
      return parseFloatText(text);
    case 'decimal':
      return decimalValue(text, type);
    case 'boolean':
      return parseBooleanText(text);
    case 'date':
      return parseDateText(text);
    case 'timestamp':
      return parseTimestampText(text);
    case 'timestamp_ntz':
      return parseTimestampText(text, false);
    case 'binary':
      return undefined;
  }
}

/**
 * A decimal as a comparable number: exact at the column's scale (the reader refuses `1.234` for a
 * decimal(10,2) partition value, so pruning must not read it either) and only while the number holds it exactly.
 */
function decimalValue(text: string, type: PrimitiveType): number | undefined {
  const scale = type.scale ?? 0;
  const unscaled = parseDecimalAtScale(text, type.precision ?? 38, scale);
  if (unscaled === undefined) return undefined;
  const magnitude = unscaled < 0n ? -unscaled : unscaled;
  return magnitude > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(`${unscaled}e-${scale}`);
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
