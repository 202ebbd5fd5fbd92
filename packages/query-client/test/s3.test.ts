import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openStorage } from '@meridian/delta';
import { afterAll, beforeAll, expect, it } from 'vitest';
// Reused from @meridian/delta's tests: its globalSetup starts the server when a file imports setup/s3-env.
import { describeS3, s3ScratchUri, s3TestOptions } from '../../delta/test/setup/s3-env.ts';
import { executeQuery, planQuery, QueryError } from '../src/index.ts';
import { lakeModel, lakeRegions, writeOrders } from './fixtures/lake.ts';

const ROWS = 600;

describeS3('federated queries over the S3 server', () => {
  let local: string;
  const s3: Record<string, string> = {};
  beforeAll(async () => {
    local = await mkdtemp(join(tmpdir(), 'meridian-query-s3-'));
    // The same rows in S3 (queried) and on disk (for DuckDB, which has no S3 access here).
    await Promise.all(
      lakeRegions.map(async (region, i) => {
        s3[region] = s3ScratchUri(`query-${region}`);
        await writeOrders(openStorage(s3[region] as string, { s3: s3TestOptions() }), ROWS, 31 + i, i * 10_000);
        await writeOrders(join(local, region), ROWS, 31 + i, i * 10_000);
      }),
    );
  });
  afterAll(async () => {
    await rm(local, { recursive: true, force: true });
  });

  it("returns DuckDB's answer over the same rows", async () => {
    const plan = planQuery(
      lakeModel,
      { table: 'orders', columns: ['order_id', 'currency'], where: "currency in ('EUR', 'GBP')", from: 'EU' },
      { locations: s3 },
    );
    const result = executeQuery(plan, { storage: { s3: s3TestOptions() } });
    const table = await result.toArrow();
    // DuckDB cannot read s3:// without httpfs (not installed, no network): every region runs in JS and says why.
    expect(result.regions.map((r) => r.runner)).toEqual(['js', 'js', 'js']);
    expect(result.regions.every((r) => /httpfs/.test(r.runnerReason ?? ''))).toBe(true);
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    const union = lakeRegions
      .map(
        (r) =>
          `SELECT order_id::VARCHAR AS id, currency, '${r}' AS region FROM read_parquet('${join(local, r)}/*/*.parquet', hive_partitioning = true)`,
      )
      .join(' UNION ALL ');
    const expected = (
      await connection.runAndReadAll(`SELECT * FROM (${union}) WHERE currency IN ('EUR', 'GBP')`)
    ).getRowObjectsJS();
    connection.closeSync();
    duck.closeSync();
    const ours: string[] = [];
    for (let i = 0; i < table.numRows; i++) {
      ours.push(
        JSON.stringify([
          String(table.getChild('order_id')?.get(i)),
          table.getChild('currency')?.get(i),
          table.getChild('_region')?.get(i),
        ]),
      );
    }
    expect(expected.length).toBeGreaterThan(200);
    expect(ours.sort()).toEqual(expected.map((r) => JSON.stringify([r.id, r.currency, r.region])).sort());
  });

  it('treats an unreachable endpoint and a deleted table as dead regions under both policies', async () => {
    const locations = { ...s3, 'eu-central-1': s3ScratchUri('never-written') };
    const plan = planQuery(lakeModel, { table: 'orders', columns: ['order_id'], from: 'EU' }, { locations });
    // us-east-1 goes through an endpoint nothing listens on.
    const open = (uri: string, fragment: { region: string }) =>
      openStorage(uri, {
        s3:
          fragment.region === 'us-east-1'
            ? { ...s3TestOptions(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }
            : s3TestOptions(),
      });
    const partial = executeQuery(plan, { onRegionFailure: 'partial', openStorage: open });
    const table = await partial.toArrow();
    expect(table.numRows).toBe(ROWS);
    expect([...(table.getChild('_region') as Iterable<string>)].every((r) => r === 'eu-west-1')).toBe(true);
    const missing = Object.fromEntries(partial.missingRegions.map((m) => [m.region, m]));
    expect(Object.keys(missing).sort()).toEqual(['eu-central-1', 'us-east-1']);
    expect(missing['eu-central-1']).toMatchObject({ code: 'not-a-table', uri: locations['eu-central-1'] });
    expect(missing['us-east-1']).toMatchObject({ code: 'storage', uri: s3['us-east-1'] });

    const error = await executeQuery(planQuery(lakeModel, { table: 'orders', regions: ['us-east-1'] }, { locations }), {
      openStorage: open,
    })
      .toArrow()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toContain(`us-east-1 (us-east-1/orders at ${s3['us-east-1']})`);
  });
});
