import { describe, expect, it } from 'vitest';
import type { DeltaType, PrimitiveTypeName } from '../src/schema/types.ts';
import {
  isNullPartitionValue,
  parseBooleanText,
  parseDateText,
  parseDecimalAtScale,
  parseFloatText,
  parseIntegerText,
  parsePartitionValue,
  parseTimestampText,
} from '../src/schema/value-text.ts';

/*
 * The edges of the one parser of value text (schema/value-text.ts; issue 22: never mutation-tested), each value on
 * the boundary a plausible bug moves: the last day of every month in leap and common years (1900 is not a leap year,
 * 2000 is), years before 1 and before 100, 23:59:59 and one past, zone offsets of exactly 18 hours and 59 minutes,
 * a decimal with exactly `precision` digits. Dates are checked against JavaScript's own proleptic Gregorian calendar
 * (Date.setUTCFullYear, which takes any year and rolls impossible days over, so it also says which dates do not exist).
 */

const US_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of y-m-d by Date, or undefined when Date rolls the day over (no such date). */
function oracleDays(y: number, m: number, d: number): number | undefined {
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.getTime() / 86_400_000;
}

const year = (y: number) => (y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0'));
const two = (n: number) => String(n).padStart(2, '0');
const prim = (name: PrimitiveTypeName): DeltaType => ({ kind: 'primitive', name });

describe('value text at its edges', () => {
  it('dates: the first and last days of every month, and the days after, in leap, century and early years', () => {
    for (const y of [-401, -1, 0, 1, 4, 99, 100, 1600, 1700, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999]) {
      for (let m = 1; m <= 12; m++) {
        for (const d of [1, 28, 29, 30, 31]) {
          const text = `${year(y)}-${two(m)}-${two(d)}`;
          expect({ text, days: parseDateText(text) }).toEqual({ text, days: oracleDays(y, m, d) });
        }
      }
    }
    for (const text of ['2024-00-10', '2024-13-01', '2024-01-00', '2024-01-32'])
      expect(parseDateText(text)).toBeUndefined();
    // Spaces around a date are trimmed, as around every other value text.
    expect(parseDateText(' 1970-01-02 ')).toBe(1);
  });

  it('timestamps: the last second of a day, one past it, and every part of a zone offset', () => {
    const day = BigInt(oracleDays(2024, 3, 1) as number) * US_PER_DAY;
    const at = (h: number, m: number, s: number) => day + BigInt(h * 3600 + m * 60 + s) * 1_000_000n;
    expect(parseTimestampText('2024-03-01 23:59:59')).toBe(at(23, 59, 59));
    expect(parseTimestampText('2024-03-01 23:59')).toBe(at(23, 59, 0));
    for (const text of ['2024-03-01 24:00:00', '2024-03-01 23:60:00', '2024-03-01 23:59:60'])
      expect(parseTimestampText(text), text).toBeUndefined();
    // An offset is subtracted: 12:00 at +18:00 is 18:00 earlier in UTC, at -05:30 five and a half hours later.
    expect(parseTimestampText('2024-03-01T18:00:00+18:00')).toBe(at(0, 0, 0));
    expect(parseTimestampText('2024-03-01T00:00:00-05:30')).toBe(at(5, 30, 0));
    expect(parseTimestampText('2024-03-01T00:00:00-0559')).toBe(at(5, 59, 0));
    expect(parseTimestampText('2024-03-01T05:00:00+05')).toBe(at(0, 0, 0));
    expect(parseTimestampText('2024-03-01T00:00:00z')).toBe(at(0, 0, 0));
    expect(parseTimestampText('2024-03-01 00:00:00 utc', false)).toBe(at(0, 0, 0));
    for (const text of ['2024-03-01T00:00:00+19:00', '2024-03-01T00:00:00+05:60'])
      expect(parseTimestampText(text), text).toBeUndefined();
    expect(parseTimestampText('2024-03-01 00:00:00.000001')).toBe(day + 1n);
    expect(parseTimestampText(' 2024-03-01 00:00:00.9999999 ')).toBe(day + 999_999n);
  });

  it('decimals: a missing whole or fraction part, exponents both ways, and exactly `precision` digits', () => {
    expect(parseDecimalAtScale('.5', 4, 1)).toBe(5n);
    expect(parseDecimalAtScale('5.', 4, 1)).toBe(50n);
    expect(parseDecimalAtScale('+1.5', 4, 1)).toBe(15n);
    expect(parseDecimalAtScale('1e-2', 4, 2)).toBe(1n);
    expect(parseDecimalAtScale('-1.5E1', 4, 0)).toBe(-15n);
    expect(parseDecimalAtScale('1.5e-1', 4, 1)).toBeUndefined();
    expect(parseDecimalAtScale('9999', 4, 0)).toBe(9999n);
    expect(parseDecimalAtScale('-99.99', 4, 2)).toBe(-9999n);
    expect(parseDecimalAtScale('10000', 4, 0)).toBeUndefined();
    expect(parseDecimalAtScale('-100.00', 4, 2)).toBeUndefined();
    for (const text of ['.', '', '-', 'e5', '1.2.3']) expect(parseDecimalAtScale(text, 4, 0), text).toBeUndefined();
  });

  it('integers at the edges of each width; floats, infinities and NaN in every spelling; booleans in any case', () => {
    expect(parseIntegerText(' +7 ', 'short')).toBe(7n);
    expect(parseIntegerText('32767', 'short')).toBe(32_767n);
    expect(parseIntegerText('-32769', 'short')).toBeUndefined();
    expect(parseIntegerText('-2147483648', 'integer')).toBe(-2_147_483_648n);
    expect(parseIntegerText('2147483648', 'integer')).toBeUndefined();
    expect(parseIntegerText('127', 'byte')).toBe(127n);
    expect(parseIntegerText('-129', 'byte')).toBeUndefined();
    expect(parseFloatText('+inf')).toBe(Infinity);
    expect(parseFloatText('INF')).toBe(Infinity);
    expect(parseFloatText('-inf')).toBe(-Infinity);
    expect(parseFloatText('+Infinity')).toBe(Infinity);
    expect(parseFloatText('-nan')).toBeNaN();
    expect(parseFloatText(' .5 ')).toBe(0.5);
    expect(parseFloatText('5.')).toBe(5);
    expect(parseFloatText('-1.5E-3')).toBe(-0.0015);
    for (const text of ['1e', 'abc', '0x10', '1_000', 'nanny']) expect(parseFloatText(text), text).toBeUndefined();
    expect(parseBooleanText(' TRUE ')).toBe(true);
    expect(parseBooleanText('False')).toBe(false);
    expect(parseBooleanText('yes')).toBeUndefined();
  });

  it('every parser takes the whole text and only it: nothing before, nothing after, however the text ends', () => {
    // Text around a value is not that value: a parser that matched a part (an anchor lost) would read one.
    for (const text of ['x2021-01-01', '2021-01-01x', '1234567-01-01', '2021-01-01 00:00'])
      expect(parseDateText(text), text).toBeUndefined();
    for (const text of [
      'x2021-01-01 00:00:00',
      '2021-01-01 00:00:00junk',
      '1234567-01-01T00:00:00Z',
      '2021-01-01T00:00:00Zx',
    ])
      expect(parseTimestampText(text), text).toBeUndefined();
    for (const text of ['x12.5', '12.5x', '1.5E+3x', '--1', '1.2.3'])
      expect(parseDecimalAtScale(text, 10, 2), text).toBeUndefined();
    for (const text of ['x1.5', '1.5x', 'banana', 'xnan', 'nanx', 'info', 'xinf', 'infinityx', '-inf-', '1e5x'])
      expect(parseFloatText(text), text).toBeUndefined();
    // Signs, exponents of more than one digit, fractions of more than one digit, and spaces trimmed everywhere.
    expect(parseTimestampText('-0001-12-31 23:59:59')).toBe(
      BigInt(oracleDays(-1, 12, 31) as number) * US_PER_DAY + 86_399_000_000n,
    );
    expect(parseTimestampText('+2021-01-01 00:00:00')).toBe(BigInt(oracleDays(2021, 1, 1) as number) * US_PER_DAY);
    expect(parseDecimalAtScale('1E+10', 12, 0)).toBe(10_000_000_000n);
    expect(parseDecimalAtScale('12345E-12', 12, 12)).toBe(12_345n);
    expect(parseDecimalAtScale(' 1.5 ', 5, 1)).toBe(15n);
    expect(parseDecimalAtScale('-0.25', 5, 2)).toBe(-25n);
    expect(parseFloatText('.25')).toBe(0.25);
    expect(parseFloatText('12.5')).toBe(12.5);
    expect(parseFloatText('-.125e1')).toBe(-1.25);
    expect(parseFloatText('1e10')).toBe(1e10);
    expect(parseFloatText('2.5E-12')).toBe(2.5e-12);
    expect(parseFloatText(' -Infinity ')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('parsePartitionValue reads each type with its own parser and width, and nothing else', () => {
    expect(parsePartitionValue('128', prim('byte'))).toBeUndefined();
    expect(parsePartitionValue('127', prim('byte'))).toBe(127n);
    expect(parsePartitionValue('40000', prim('short'))).toBeUndefined();
    expect(parsePartitionValue('40000', prim('integer'))).toBe(40_000n);
    expect(parsePartitionValue('3000000000', prim('integer'))).toBeUndefined();
    expect(parsePartitionValue('3000000000', prim('long'))).toBe(3_000_000_000n);
    expect(parsePartitionValue('1.5', prim('float'))).toBe(1.5);
    expect(parsePartitionValue('1.5', prim('double'))).toBe(1.5);
    expect(parsePartitionValue('1.5', prim('integer'))).toBeUndefined();
    expect(parsePartitionValue('true', prim('boolean'))).toBe(true);
    expect(parsePartitionValue('1970-01-02', prim('date'))).toBe(1);
    expect(parsePartitionValue('1970-01-01T01:00:00+01:00', prim('timestamp'))).toBe(0n);
    expect(parsePartitionValue('1970-01-01T01:00:00+01:00', prim('timestamp_ntz'))).toBeUndefined();
    expect(parsePartitionValue('1970-01-01 00:00:01', prim('timestamp_ntz'))).toBe(1_000_000n);
    expect(parsePartitionValue('1.25', { kind: 'decimal', precision: 3, scale: 2 })).toBe(125n);
    expect(
      parsePartitionValue('1', { kind: 'array', elementType: prim('integer'), containsNull: true }),
    ).toBeUndefined();
    expect(parsePartitionValue('1', prim('variant'))).toBeUndefined();
    // Hive's null directory name is null exactly, not with a space or in another case.
    expect(isNullPartitionValue('__HIVE_DEFAULT_PARTITION__')).toBe(true);
    for (const text of [' ', 'NULL', 'null', '__HIVE_DEFAULT_PARTITION__ ', '__hive_default_partition__'])
      expect(isNullPartitionValue(text)).toBe(false);
  });
});
