import { type Data, makeData } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { arrowType } from '../schema/arrow.ts';
import type { DeltaType } from '../schema/types.ts';
import { nullData } from './null-data.ts';

function bad(value: string, type: string): never {
  throw new DeltaError('invalid-log', `partition value '${value}' is not a valid ${type}`, {
    hint: 'the add action carries a partition value its column type cannot hold (PROTOCOL.md "Partition Value Serialization")',
  });
}

const DAY_US = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (valid for any year). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const DATE = /^([+-]?\d{4,6})-(\d{2})-(\d{2})$/;
const TS = /^([+-]?\d{4,6})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses a serialized date partition value into days since the epoch. */
function parseDate(value: string): number {
  const m = DATE.exec(value.trim());
  if (!m) bad(value, 'date');
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * Parses a serialized timestamp partition value into microseconds since the epoch. Values without
 * a zone are UTC: Delta writes `2021-09-08 11:11:11` in UTC (PROTOCOL.md "Partition Value Serialization").
 */
export function parseTimestampMicros(value: string): bigint {
  const m = TS.exec(value.trim());
  if (!m) bad(value, 'timestamp');
  const days = BigInt(daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])));
  const secs = BigInt(Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6] ?? '0'));
  const frac = BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  let us = days * DAY_US + secs * 1_000_000n + frac;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const offMin = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    us -= sign * offMin * 60_000_000n;
  }
  return us;
}

/** Parses a decimal string into its unscaled integer at `scale`. */
function parseDecimalUnscaled(value: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) bad(value, 'decimal');
  const exp = Number(m[4] ?? '0');
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let pointShift = (m[3] ?? '').length - exp;
  // unscaled = digits * 10^(scale - pointShift)
  let shift = scale - pointShift;
  if (shift < 0) {
    digits = digits.slice(0, Math.max(0, digits.length + shift)) || '0';
    shift = 0;
  }
  pointShift = 0;
  const v = BigInt(digits || '0') * 10n ** BigInt(shift);
  return m[1] === '-' ? -v : v;
}

function fill<T extends { fill(v: never): unknown }>(arr: T, v: unknown): T {
  arr.fill(v as never);
  return arr;
}

/**
 * A column of `length` copies of one partition value, typed as the column's Delta type.
 * `null` (and the empty string) is a null partition value.
 */
export function partitionColumn(t: DeltaType, value: string | null | undefined, length: number): Data {
  const type = arrowType(t);
  if (value === null || value === undefined || value === '') return nullData(type, length);
  const base = { type, length, nullCount: 0 };
  if (t.kind === 'decimal') {
    let u = BigInt.asUintN(128, parseDecimalUnscaled(value, t.scale));
    const words = new Uint32Array(4);
    for (let w = 0; w < 4; w++) {
      words[w] = Number(u & 0xffffffffn);
      u >>= 32n;
    }
    const data = new Uint32Array(length * 4);
    for (let i = 0; i < length; i++) data.set(words, i * 4);
    return makeData({ ...base, data } as never);
  }
  if (t.kind !== 'primitive') bad(value, t.kind);
  switch (t.name) {
    case 'string':
    case 'binary': {
      // PROTOCOL.md "Partition Value Serialization": binary values are strings of escaped bytes
      // ("\u0001\u0002"), one character per byte; strings are UTF-8.
      const bytes =
        t.name === 'string' ? new TextEncoder().encode(value) : Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff);
      const data = new Uint8Array(bytes.length * length);
      const valueOffsets = new Int32Array(length + 1);
      // Doubling copies: log2(length) memcpy calls instead of one small copy per row (a scan's hot spot).
      if (length > 0) data.set(bytes, 0);
      for (let filled = bytes.length; filled > 0 && filled < data.length; filled *= 2)
        data.copyWithin(filled, 0, Math.min(filled, data.length - filled));
      for (let i = 1; i <= length; i++) valueOffsets[i] = i * bytes.length;
      return makeData({ ...base, data, valueOffsets } as never);
    }
    case 'long':
      if (!/^[+-]?\d+$/.test(value.trim())) bad(value, 'long');
      return makeData({ ...base, data: fill(new BigInt64Array(length), BigInt(value.trim())) } as never);
    case 'integer':
    case 'short':
    case 'byte': {
      if (!/^[+-]?\d+$/.test(value.trim())) bad(value, t.name);
      const A = t.name === 'integer' ? Int32Array : t.name === 'short' ? Int16Array : Int8Array;
      return makeData({ ...base, data: fill(new A(length), Number(value)) } as never);
    }
    case 'float':
    case 'double': {
      const n = Number(value);
      if (Number.isNaN(n) && value.trim() !== 'NaN') bad(value, t.name);
      const A = t.name === 'float' ? Float32Array : Float64Array;
      return makeData({ ...base, data: fill(new A(length), n) } as never);
    }
    case 'boolean': {
      const v = value.trim().toLowerCase();
      if (v !== 'true' && v !== 'false') bad(value, 'boolean');
      return makeData({ ...base, data: fill(new Uint8Array(Math.ceil(length / 8)), v === 'true' ? 0xff : 0) } as never);
    }
    case 'date':
      return makeData({ ...base, data: fill(new Int32Array(length), parseDate(value)) } as never);
    case 'timestamp':
    case 'timestamp_ntz':
      return makeData({ ...base, data: fill(new BigInt64Array(length), parseTimestampMicros(value)) } as never);
    case 'variant':
    case 'void':
      return bad(value, t.name);
  }
}
