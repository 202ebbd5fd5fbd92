import { type DataType, type Decimal, Type } from 'apache-arrow';
import type { Value } from '../aggregate/accumulators.ts';
import { QueryError } from '../errors.ts';

/**
 * Which values of two key columns can be equal: Postgres compares int with bigint and numeric exactly, text with
 * text, and refuses text = integer; a float against an exact number is refused here too (1.1::float is not 1.1).
 */
type KeyClass = 'exact' | 'float' | 'text' | 'bool' | 'date' | 'timestamp';

function keyClass(type: DataType): KeyClass | undefined {
  switch (type.typeId) {
    case Type.Int:
    case Type.Decimal:
      return 'exact';
    case Type.Float:
      return 'float';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'text';
    case Type.Bool:
      return 'bool';
    case Type.Date:
      return 'date';
    case Type.Timestamp:
      return 'timestamp';
    default:
      return undefined;
  }
}

/** An exact number as its shortest decimal text: 7 (int), 700 (bigint) and 7.00 (decimal(12,2)) are all "7". */
function exactText(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const fraction = digits.slice(-scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}${fraction === '' ? '' : `.${fraction}`}`;
}

/** The canonical text of one key value, the same for equal values of compatible types; null for SQL NULL. */
export function keyText(type: DataType): (value: Value) => string | null {
  switch (keyClass(type)) {
    case 'exact': {
      const scale = type.typeId === Type.Decimal ? (type as Decimal).scale : 0;
      return (v) => (v === null ? null : exactText(typeof v === 'bigint' ? v : BigInt(v as number), scale));
    }
    case 'float':
      return (v) => (v === null ? null : `${Object.is(v, -0) ? 0 : Number(v)}`);
    case 'timestamp': {
      // Arrow's TimeUnit: 0 s, 1 ms, 2 us, 3 ns; compared in microseconds.
      const unit = (type as unknown as { unit: number }).unit;
      const toMicros = [1_000_000n, 1_000n, 1n, 1n][unit] ?? 1n;
      return (v) =>
        v === null ? null : `${unit === 3 ? BigInt(v as bigint) / 1_000n : BigInt(v as bigint) * toMicros}`;
    }
    default:
      return (v) => (v === null ? null : `${v}`);
  }
}

/**
 * Refuses key columns whose values cannot be compared (text = integer, date = timestamp, a float and an exact
 * number), naming both columns and types: a join that silently matched nothing would be a wrong answer.
 */
export function checkKeyTypes(
  probe: { readonly column: string; readonly type: DataType; readonly where: string },
  build: { readonly column: string; readonly type: DataType; readonly where: string },
): void {
  const a = keyClass(probe.type);
  const b = keyClass(build.type);
  if (a !== undefined && a === b) return;
  throw new QueryError(
    'join-key-mismatch',
    `join key ${probe.column} (${String(probe.type)} in ${probe.where}) cannot equal ${build.column} (${String(build.type)} in ${build.where})`,
    {
      path: ['request', 'join', 'on'],
      hint: 'join columns of comparable types: integers and decimals, text, booleans, dates, timestamps, or floats with floats',
    },
  );
}
