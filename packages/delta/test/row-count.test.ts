import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { corpus } from './support/shared-corpus.ts';

// Tables written by Spark, Databricks and delta-rs (../shared/delta-corpus), with and without deletion vectors.

async function scannedRows(table: string): Promise<number> {
  return (await (await (await openTable(join(corpus, table))).snapshot()).toArrow()).numRows;
}

describe('Snapshot.rowCount', () => {
  // Each has numRecords on every file; the first three have deletion vectors on some.
  for (const table of [
    'table-with-dv-small',
    'cdf-table-with-cdc-and-dvs',
    'table_with_deletion_logs',
    'table-without-dv-small',
    'checkpoint-v2-table',
    'http_requests',
  ]) {
    it(`counts the rows a scan of ${table} returns, from the log alone`, async () => {
      const count = (await (await openTable(join(corpus, table))).snapshot()).rowCount();
      expect(count.filesWithoutCount).toBe(0);
      expect(count.rows).toBe(await scannedRows(table));
      expect(count.rows).toBe(count.recorded - count.deleted);
    });
  }

  it('subtracts each deletion vector: table-with-dv-small has 10 rows recorded and 2 deleted', async () => {
    const snapshot = await (await openTable(join(corpus, 'table-with-dv-small'))).snapshot();
    const cardinalities = snapshot.files().map((f) => f.deletionVector?.cardinality ?? 0);
    const count = snapshot.rowCount();
    expect(count.deleted).toBe(cardinalities.reduce((a, b) => a + b, 0));
    expect(count.deleted).toBeGreaterThan(0);
    expect(count.rows).toBeLessThan(count.recorded);
  });

  it('is unknown, not low, when a file has no numRecords statistic', async () => {
    const snapshot = await (await openTable(join(corpus, 'delta-stats-optional'))).snapshot();
    const withoutCount = snapshot.files().filter((f) => f.stats?.numRecords === undefined).length;
    expect(withoutCount).toBeGreaterThan(0);
    expect(snapshot.rowCount()).toMatchObject({ rows: undefined, filesWithoutCount: withoutCount });
  });
});
