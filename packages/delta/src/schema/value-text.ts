/**
 * The one parser of values written as text: partition values of add actions (PROTOCOL.md "Partition Value
 * Serialization"), string literals of predicates and the values the writer serializes. File pruning, reading
 * and writing all call it, so they cannot disagree on what a partition value means.
 * Every function returns undefined for text that is not a value of the type; callers decide between
 * refusing (reading, writing) and not pruning (file skipping).
 */

import type { DeltaType } from './types.ts';

/** A decimal as written: `unscaled * 10^-scale`. */
interface DecimalText {
  readonly unscaled: bigint;
  readonly scale: number;
}

/** The text a null partition value may be written as: JSON null, an empty string, or Hive's null directory name. */
const HIVE_NULL_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/**
 * Whether a serialized partition value stands for null. PROTOCOL.md writes null as JSON null; an empty string
 * is null in every engine (Spark turns it into `__HIVE_DEFAULT_PARTITION__` and back into null), and Hive's
 * name for the null directory is null wherever it appears as a value, as Spark's partition parsing reads it.
 */
export function isNullPartitionValue(text: string | null | undefined): text is null | undefined | '' {
  return text === null || text === undefined || text === '' || text === HIVE_NULL_PARTITION;
}

const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (valid for any year, no Date.UTC two-digit-year quirk). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days of a valid calendar date, else undefined (2023-02-29 and month 13 are not rolled over). */
function validDays(year: string, month: string, day: string): number | undefined {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return daysFromCivil(y, m, d);
}

const DATE = /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})$/;

/** Days since the epoch of a date, `{year}-{month}-{day}` (PROTOCOL.md: `1970-01-01`). */
export function parseDateText(text: string): number | undefined {
  const m = DATE.exec(text.trim());
  return m ? validDays(m[1] as string, m[2] as string, m[3] as string) : undefined;
}

// `{year}-{month}-{day} {hour}:{minute}:{second}[.{microsecond}]`, ISO 8601 with `T`, `Z` or an offset
// (PROTOCOL.md "Partition Value Serialization"), a trailing `UTC` as some writers print it, or a bare date.
const TIMESTAMP =
  /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Microseconds since the epoch of a timestamp text. Text without a zone is UTC: Delta writes timestamp
 * partition values in UTC, and timestamp_ntz has no zone at all, so an offset on a timestamp_ntz is refused
 * (pass `withZone: false`). Digits beyond microseconds are dropped (toward the earlier instant).
 */
export function parseTimestampText(text: string, withZone = true): bigint | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  const days = validDays(year as string, month as string, day as string);
  if (days === undefined) return undefined;
  const h = Number(hour ?? 0);
  const min = Number(minute ?? 0);
  const s = Number(second ?? 0);
  if (h > 23 || min > 59 || s > 59) return undefined;
  let micros =
    BigInt(days) * MICROS_PER_DAY +
    BigInt(h * 3600 + min * 60 + s) * 1_000_000n +
    BigInt((fraction ?? '').padEnd(6, '0').slice(0, 6));
  const upper = zone?.toUpperCase();
  if (zone && upper !== 'Z' && upper !== 'UTC') {
    if (!withZone) return undefined;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2, 4) || '0');
    if (offsetHours > 18 || offsetMinutes > 59) return undefined;
    const sign = zone.startsWith('-') ? -1n : 1n;
    micros -= sign * BigInt(offsetHours * 60 + offsetMinutes) * 60_000_000n;
  }
  return micros;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A decimal text (`-12.50`, `1E+3`) exactly, with the scale it was written at (at least 0). */
function parseDecimalText(text: string): DecimalText | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const [, sign, whole = '', fraction = '', exponent] = m;
  if (whole === '' && fraction === '') return undefined;
  const scale = fraction.length - Number(exponent ?? '0');
  const digits = BigInt(`${whole}${fraction}` || '0');
  const unscaled = scale < 0 ? digits * 10n ** BigInt(-scale) : digits;
  return { unscaled: sign === '-' ? -unscaled : unscaled, scale: Math.max(0, scale) };
}

/**
 * The unscaled integer of a decimal text at `scale`, or undefined when that would drop non-zero digits
 * (`1.234` is not a decimal(10,2)) or need more than `precision` digits.
 */
export function parseDecimalAtScale(text: string, precision: number, scale: number): bigint | undefined {
  const d = parseDecimalText(text);
  if (!d) return undefined;
  let unscaled = d.unscaled;
  if (d.scale > scale) {
    const divisor = 10n ** BigInt(d.scale - scale);
    if (unscaled % divisor !== 0n) return undefined;
    unscaled /= divisor;
  } else unscaled *= 10n ** BigInt(scale - d.scale);
  const magnitude = unscaled < 0n ? -unscaled : unscaled;
  return magnitude < 10n ** BigInt(precision) ? unscaled : undefined;
}

const INTEGER = /^[+-]?\d+$/;
const INTEGER_BITS = { byte: 8, short: 16, integer: 32, long: 64 } as const;

/** A whole number of `bits` bits (two's complement range), or undefined (`2021.0` is not an integer). */
export function parseIntegerText(text: string, type: keyof typeof INTEGER_BITS): bigint | undefined {
  const trimmed = text.trim();
  if (!INTEGER.test(trimmed)) return undefined;
  const value = BigInt(trimmed);
  return BigInt.asIntN(INTEGER_BITS[type], value) === value ? value : undefined;
}

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A float or double: decimal or exponent notation, `NaN`, `Infinity`, `-Infinity` (Java's and Rust's spellings). */
export function parseFloatText(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^[+-]?nan$/i.test(trimmed)) return Number.NaN;
  if (/^[+-]?(?:infinity|inf)$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
  return FLOAT.test(trimmed) ? Number(trimmed) : undefined;
}

/** `true` or `false`, in any case. */
export function parseBooleanText(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/** Binary partition values are strings of escaped bytes (`"\u0001\u0002"`): one character per byte. */
function parseBinaryText(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) return undefined;
    bytes[i] = code;
  }
  return bytes;
}

/**
 * A non-null serialized partition value of a column of type `t`, parsed: a string, the bytes of a binary,
 * a bigint for integers, a number for floats, the unscaled bigint of a decimal, days of a date, microseconds of a
 * timestamp; undefined when the text is not a value of the type.
 */
export function parsePartitionValue(
  text: string,
  t: DeltaType,
): string | number | bigint | boolean | Uint8Array | undefined {
  if (t.kind === 'decimal') return parseDecimalAtScale(text, t.precision, t.scale);
  if (t.kind !== 'primitive') return undefined;
  switch (t.name) {
    case 'string':
      return text;
    case 'binary':
      return parseBinaryText(text);
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
      return parseIntegerText(text, t.name);
    case 'float':
    case 'double':
      return parseFloatText(text);
    case 'boolean':
      return parseBooleanText(text);
    case 'date':
      return parseDateText(text);
    case 'timestamp':
      return parseTimestampText(text);
    case 'timestamp_ntz':
      return parseTimestampText(text, false);
    default:
      return undefined;
  }
}
