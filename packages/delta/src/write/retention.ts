/*
 * `delta.deletedFileRetentionDuration` (PROTOCOL.md "Add File and Remove File": a tombstone expires when the
 * current time passes its deletionTimestamp plus this threshold), as Delta Spark spells it: `interval 1 week`
 * (the default), `interval 168 hours`, `7 days`.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

/** Delta's default retention of removed files: one week. */
const DEFAULT_RETENTION_MS = UNIT_MS.week as number;

/**
 * The table's deleted-file retention in ms: the default when the property is absent, undefined when its value
 * cannot be read (then a checkpoint keeps every tombstone and vacuum refuses: never wrong, only larger).
 */
export function deletedFileRetentionMs(configuration: Readonly<Record<string, string>>): number | undefined {
  const value = configuration['delta.deletedFileRetentionDuration'];
  if (value === undefined) return DEFAULT_RETENTION_MS;
  const m = /^\s*(?:interval\s+)?(\d+)\s+(millisecond|second|minute|hour|day|week)s?\s*$/i.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[(m[2] as string).toLowerCase()] as number);
}
