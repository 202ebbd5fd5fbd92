import { isNullPartitionValue } from '../schema/value-text.ts';
import type { BoundColumn, BoundNode } from './bind.ts';
import { type Domain, evaluateOnDomains } from './domain.ts';
import { parseValueText, statValue, type Value } from './values.ts';

/**
 * Per-file statistics of an add action (PROTOCOL.md "Per-file Statistics"), parsed from the `stats`
 * JSON string or taken from a checkpoint's `stats_parsed` struct. Keys are physical column names.
 */
export interface FileStatistics {
  readonly numRecords?: number | bigint;
  readonly minValues?: Readonly<Record<string, unknown>>;
  readonly maxValues?: Readonly<Record<string, unknown>>;
  readonly nullCount?: Readonly<Record<string, unknown>>;
  readonly tightBounds?: boolean;
}

/** What data skipping needs of one active file. */
export interface SkippableFile {
  /** PROTOCOL.md "Partition Value Serialization": keys are physical names, values the text form or null. */
  readonly partitionValues?: Readonly<Record<string, string | null>>;
  /** The `stats` JSON string of the add action. */
  readonly stats?: string | null | undefined;
  /** The checkpoint's `stats_parsed`, preferred when present. */
  readonly statsParsed?: FileStatistics | null | undefined;
}

/** Parses an add action's stats JSON; undefined when absent or unreadable (the file is then never skipped by stats). */
function parseFileStatistics(stats: string | null | undefined): FileStatistics | undefined {
  if (!stats) return undefined;
  try {
    const parsed: unknown = JSON.parse(stats);
    return typeof parsed === 'object' && parsed !== null ? (parsed as FileStatistics) : undefined;
  } catch {
    return undefined;
  }
}

// Delta writers keep string statistics to a prefix (delta.dataSkippingStringPrefixLength, 32 by default):
// a prefix is still a lower bound, but a cut maximum is not an upper bound, so a max that long is dropped.
const STRING_PREFIX_LENGTH = 32;
// Statistics JSON writes timestamps with millisecond precision (e.g. "2024-01-01T10:00:00.123Z") while data has
// microseconds. Writers floor to the millisecond (Spark's floorDiv, chrono's formatting), so a minimum stays a
// lower bound and a maximum read from text with at most 3 fraction digits is widened by 999 µs.
const MILLIS_SLACK = 999n;

function lookup(record: Readonly<Record<string, unknown>> | undefined, path: readonly string[]): unknown {
  let current: unknown = record;
  for (const name of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

function toCount(raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw === 'bigint') return Number(raw);
  return undefined;
}

function boundFromStat(raw: unknown, column: BoundColumn, side: 'min' | 'max'): Value | undefined {
  const value = statValue(raw, column.type);
  if (value === undefined) return undefined;
  if (
    column.type.name === 'string' &&
    side === 'max' &&
    typeof value === 'string' &&
    [...value].length >= STRING_PREFIX_LENGTH
  ) {
    return undefined;
  }
  if ((column.type.name === 'timestamp' || column.type.name === 'timestamp_ntz') && typeof value === 'bigint') {
    const fraction = typeof raw === 'string' ? /\.(\d+)/.exec(raw)?.[1] : undefined;
    const precise = fraction !== undefined && fraction.length > 3;
    if (!precise && side === 'max') return value + MILLIS_SLACK;
  }
  return value;
}

/** The domain of a column over one file, from its partition value or its statistics. */
export function fileColumnDomain(
  column: BoundColumn,
  file: SkippableFile,
  statistics: FileStatistics | undefined,
): Domain | undefined {
  if (column.isPartition) {
    const values = file.partitionValues ?? {};
    const physical = column.physicalPath[0] as string;
    const raw = physical in values ? values[physical] : values[column.path[0] as string];
    if (raw === undefined) return undefined;
    // The same null the reader materialises (arrow/partition-column.ts): JSON null, '' or Hive's null name.
    if (isNullPartitionValue(raw)) return { kind: 'exact', value: null };
    const value = parseValueText(raw, column.type);
    return value === undefined ? undefined : { kind: 'exact', value };
  }
  if (!statistics) return undefined;
  const rowCount = toCount(statistics.numRecords);
  return {
    kind: 'range',
    min: boundFromStat(lookup(statistics.minValues, column.physicalPath), column, 'min'),
    max: boundFromStat(lookup(statistics.maxValues, column.physicalPath), column, 'max'),
    nullCount: toCount(lookup(statistics.nullCount, column.physicalPath)),
    rowCount,
  };
}

/**
 * False only when the predicate is provably false (or null) for every row of the file, from its partition
 * values and statistics; such a file can be skipped. Missing or unreadable statistics never skip a file.
 */
export function fileMightMatch(predicate: BoundNode, file: SkippableFile): boolean {
  const statistics = file.statsParsed ?? parseFileStatistics(file.stats);
  return evaluateOnDomains(predicate, (column) => fileColumnDomain(column, file, statistics)).canBeTrue;
}
