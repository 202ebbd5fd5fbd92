import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { type PlainRow, plainRows, rowSet } from './support/scan-rows.ts';

// Tables written by Spark, Databricks and delta-rs (../shared/delta-corpus): partitioned, with statistics,
// from JSON commits and from checkpoints, with column mapping.
const corpus = fileURLToPath(new URL('../../../../shared/delta-corpus/', import.meta.url));

interface Case {
  readonly table: string;
  readonly where: string;
  /** The same condition written independently, on rows of the unpruned scan (timestamps in epoch ms). */
  readonly matches: (row: PlainRow) => boolean;
  readonly skippedByPartition?: number;
  readonly skippedByStats?: number;
  /** Every row matches (the case checks that nothing is skipped wrongly). */
  readonly keepsAll?: boolean;
}

const ms = (text: string) => Date.parse(text);

const cases: Case[] = [
  {
    table: 'http_requests',
    where: "date = '2023-04-14'",
    matches: (r) => r.date === '2023-04-14',
    skippedByPartition: 1,
  },
  {
    table: 'http_requests',
    where: "EdgeStartTimestamp < '2023-04-13 23:59:59'",
    matches: (r) => (r.EdgeStartTimestamp as number) < ms('2023-04-13T23:59:59Z'),
    skippedByStats: 1,
  },
  {
    // Statistics from a checkpoint's stats_parsed: the decimal comes back unscaled and must not prune.
    table: 'delta-checkpoint-stats-optional',
    where: "decimal > -10 and decimal < 0 and date = '2022-10-24'",
    matches: () => true,
    keepsAll: true,
  },
  {
    table: 'python-0.25.5-checkpoint',
    where: 'x >= 3 or x is null',
    matches: (r) => r.x === 3n,
  },
  {
    table: 'delta-2.2.0-partitioned-types',
    where: 'c1 = 5 and c3 >= 6',
    matches: (r) => r.c1 === 5 && (r.c3 as number) >= 6,
    skippedByPartition: 2,
  },
  {
    table: 'delta-2.2.0-partitioned-types',
    where: "c2 in ('a', 'b') or c3 > 100",
    matches: (r) => r.c2 === 'a' || r.c2 === 'b' || (r.c3 as number) > 100,
    skippedByStats: 1,
  },
  {
    table: 'table_with_partitioning_mapping',
    where: 'newid = 2',
    matches: (r) => r.newid === 2,
    skippedByPartition: 1,
  },
];

describe('pruned scans of corpus tables', () => {
  for (const c of cases) {
    it(`${c.table}: ${c.where}`, async () => {
      const snapshot = await (await openTable(`${corpus}${c.table}`)).snapshot();
      const everything = plainRows(await snapshot.toArrow({ decoder: 'main-thread' }));
      const scan = snapshot.scan({ where: c.where, decoder: 'main-thread' });
      const rows = plainRows(await scan.toArrow());
      const expected = everything.filter(c.matches);
      expect(expected.length).toBeGreaterThan(0);
      if (c.keepsAll) expect(expected.length).toBe(everything.length);
      else expect(expected.length).toBeLessThan(everything.length);
      expect(rowSet(rows)).toEqual(rowSet(expected));
      expect(scan.metrics.filesSkippedByPartition).toBe(c.skippedByPartition ?? 0);
      expect(scan.metrics.filesSkippedByStats).toBe(c.skippedByStats ?? 0);
    });
  }
});
