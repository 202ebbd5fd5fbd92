import type { ColumnChunkStatistics, ParquetFooter, ParquetLeaf, RowGroupInfo } from '../parquet/footer.ts';
import type { BoundColumn, BoundNode } from './bind.ts';
import { type Domain, evaluateOnDomains } from './domain.ts';
import type { Value } from './values.ts';

/*
 * Row-group skipping: parquet column-chunk statistics (parquet-format "Statistics": min_value/max_value are
 * sound bounds in the column's sort order, NaN excluded) become column domains of the row group.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

function littleEndianInt(bytes: Uint8Array, width: 4 | 8): number | bigint | undefined {
  if (bytes.length !== width) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return width === 4 ? view.getInt32(0, true) : view.getBigInt64(0, true);
}

function bigEndianSigned(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  const bits = BigInt(bytes.length * 8);
  return bytes.length > 0 && (bytes[0] as number) >= 0x80 ? value - (1n << bits) : value;
}

/** Decodes one statistics bound to the column's comparable value; undefined when it cannot serve as a bound. */
function decodeStatistic(
  bytes: Uint8Array,
  leaf: ParquetLeaf,
  column: BoundColumn,
  side: 'min' | 'max',
): Value | undefined {
  const type = column.type.name;
  const { physicalType, annotation } = leaf;
  // Unsigned integers sort differently from the signed values JavaScript reads; skip rather than risk it.
  if (annotation.isUnsigned) return undefined;
  let raw: number | bigint | string | boolean | undefined;
  switch (physicalType) {
    case 'BOOLEAN':
      raw = bytes.length === 1 ? bytes[0] === 1 : undefined;
      break;
    case 'INT32':
      raw = littleEndianInt(bytes, 4);
      break;
    case 'INT64':
      raw = littleEndianInt(bytes, 8);
      break;
    case 'FLOAT':
      raw = bytes.length === 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true) : undefined;
      break;
    case 'DOUBLE':
      raw = bytes.length === 8 ? new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true) : undefined;
      break;
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      if (annotation.decimalScale !== undefined) raw = bigEndianSigned(bytes);
      else if (type === 'string') {
        try {
          raw = utf8.decode(bytes);
        } catch {
          // A bound cut inside a multi-byte character is not a valid string.
          return undefined;
        }
      } else return undefined;
      break;
    default:
      // INT96 timestamps have no defined sort order in parquet-format.
      return undefined;
  }
  if (raw === undefined) return undefined;
  if (typeof raw === 'number' && Number.isNaN(raw)) return undefined;
  switch (type) {
    case 'string':
      return typeof raw === 'string' ? raw : undefined;
    case 'boolean':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'long':
      return typeof raw === 'bigint' ? raw : typeof raw === 'number' ? BigInt(raw) : undefined;
    case 'integer':
    case 'short':
    case 'byte':
    case 'float':
    case 'double':
      return typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : undefined;
    case 'decimal': {
      if (typeof raw !== 'number' && typeof raw !== 'bigint') return undefined;
      const scale = annotation.decimalScale ?? column.type.scale ?? 0;
      // Rounding to a double may move the bound inward; widen it by one unit in the last place.
      const value = Number(raw) / 10 ** scale;
      const ulp = Math.max(Math.abs(value) * Number.EPSILON * 2, Number.MIN_VALUE);
      return side === 'min' ? value - ulp : value + ulp;
    }
    case 'date':
      return typeof raw === 'number' ? raw : undefined;
    case 'timestamp':
    case 'timestamp_ntz': {
      if (typeof raw !== 'bigint' && typeof raw !== 'number') return undefined;
      const n = BigInt(raw);
      switch (annotation.timestampUnit) {
        case 'MILLIS':
          return n * 1000n;
        case 'NANOS':
          return side === 'min' ? floorDiv(n, 1000n) : -floorDiv(-n, 1000n);
        case 'MICROS':
          return n;
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** The domain of a column over rows whose statistics (chunk or page) are `min`, `max` and `nullCount`. */
export function statisticsDomain(
  column: BoundColumn,
  leaf: ParquetLeaf,
  min: Uint8Array | undefined,
  max: Uint8Array | undefined,
  nullCount: number | undefined,
  rowCount: number,
): Domain {
  return {
    kind: 'range',
    min: min ? decodeStatistic(min, leaf, column, 'min') : undefined,
    max: max ? decodeStatistic(max, leaf, column, 'max') : undefined,
    nullCount,
    rowCount,
  };
}

/** The parquet leaf a bound column reads, when the file has it. */
export function leafOf(column: BoundColumn, footer: ParquetFooter): ParquetLeaf | undefined {
  const key = column.physicalPath.join('\u0000');
  return footer.leaves.find((l) => l.path.join('\u0000') === key);
}

/** The domain of a column within one row group, from the chunk statistics. */
function rowGroupColumnDomain(column: BoundColumn, group: RowGroupInfo, footer: ParquetFooter): Domain | undefined {
  const key = column.physicalPath.join('\u0000');
  const chunk = group.columns.find((c) => c.path.join('\u0000') === key);
  const leaf = leafOf(column, footer);
  if (!chunk || !leaf) return undefined;
  const stats: ColumnChunkStatistics | undefined = chunk.statistics;
  return statisticsDomain(column, leaf, stats?.min, stats?.max, stats?.nullCount, group.numRows);
}

/**
 * The row groups a predicate can match, by their statistics; `exactColumn` gives the domain of columns
 * with one value for the whole file (partition columns).
 */
export function rowGroupsToRead(
  predicate: BoundNode | undefined,
  footer: ParquetFooter,
  exactColumn: (column: BoundColumn) => Domain | undefined = () => undefined,
): RowGroupInfo[] {
  if (!predicate) return footer.rowGroups.filter((group) => group.numRows > 0);
  return footer.rowGroups.filter(
    (group) =>
      group.numRows > 0 &&
      evaluateOnDomains(predicate, (column) => exactColumn(column) ?? rowGroupColumnDomain(column, group, footer))
        .canBeTrue,
  );
}
