import type { AddAction } from '../log/actions.ts';

/** Per-file statistics (PROTOCOL.md "Per-file Statistics"), keyed by physical column names as written. */
export interface FileStats {
  readonly numRecords?: number;
  readonly minValues?: Readonly<Record<string, unknown>>;
  readonly maxValues?: Readonly<Record<string, unknown>>;
  readonly nullCount?: Readonly<Record<string, unknown>>;
  /** False when a deletion vector made min/max loose bounds. */
  readonly tightBounds?: boolean;
}

/** The statistics of an add action: `stats_parsed` from a checkpoint when present, else the JSON `stats` string. */
export function parseStats(add: AddAction): FileStats | undefined {
  if (add.statsParsed) {
    const s = add.statsParsed;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) if (v !== null && v !== undefined) out[k] = v;
    return out as FileStats;
  }
  if (typeof add.stats !== 'string' || add.stats === '') return undefined;
  try {
    const j = JSON.parse(add.stats) as Record<string, unknown>;
    return typeof j === 'object' && j !== null ? (j as FileStats) : undefined;
  } catch {
    // PROTOCOL.md makes statistics optional; unreadable statistics are treated as absent.
    return undefined;
  }
}
