import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { describeS3, openS3CorpusTable } from './setup/s3-env.ts';
import { plainRows, rowSet } from './support/scan-rows.ts';

const corpus = fileURLToPath(new URL('../../../../shared/delta-corpus/', import.meta.url));

// The same pruned, projected scans over S3 (ranged GETs of footers and column chunks) and over local disk.
describeS3('pruned scans over S3 (Ceph RGW on loopback)', () => {
  const cases = [
    {
      table: 'http_requests',
      where: "date = '2023-04-14' and EdgeResponseBytes > 303",
      columns: ['EdgeStartTimestamp', 'EdgeResponseBytes', 'date'],
    },
    { table: 'table-with-dv-small', where: 'value > 2', columns: undefined },
  ];
  for (const c of cases) {
    it(`${c.table}: ${c.where}`, async () => {
      const options = { where: c.where, ...(c.columns ? { columns: c.columns } : {}) };
      const overS3 = (await openTable(await openS3CorpusTable(c.table))).snapshot();
      const local = (await openTable(`${corpus}${c.table}`)).snapshot();
      const s3Scan = (await overS3).scan(options);
      const s3Rows = plainRows(await s3Scan.toArrow());
      const localScan = (await local).scan(options);
      const localRows = plainRows(await localScan.toArrow());
      expect(s3Rows.length).toBeGreaterThan(0);
      expect(rowSet(s3Rows)).toEqual(rowSet(localRows));
      expect(s3Scan.metrics).toEqual(localScan.metrics);
    });
  }
});
