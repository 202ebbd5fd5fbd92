import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openStorage, type Storage, writeTable } from '@meridian/delta';
import type { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeQuery, planQuery, QueryError, type QueryRequest, sqlToRequest } from '../src/index.ts';
import { lakeModel, lakeRegions, ordersTable, writeOrders } from './fixtures/lake.ts';

const ROWS = 2000;
let root: string;
let locations: Record<string, string>;
let duck: DuckDBInstance;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-query-'));
  locations = Object.fromEntries(lakeRegions.map((r) => [r, join(root, r)]));
  await Promise.all(lakeRegions.map((r, i) => writeOrders(join(root, r), ROWS, 11 + i, i * 100_000)));
  duck = await DuckDBInstance.create(':memory:');
});

afterAll(async () => {
  duck.closeSync();
  await rm(root, { recursive: true, force: true });
});

/** DuckDB over the same parquet files, every region's with its name as `_region`. */
async function duckdb(select: string, where = 'true', tail = ''): Promise<Record<string, unknown>[]> {
  const union = lakeRegions
    .map(
      (r) => `SELECT *, '${r}' AS _region FROM read_parquet('${join(root, r)}/*/*.parquet', hive_partitioning = true)`,
    )
    .join(' UNION ALL ');
  const connection = await duck.connect();
  try {
    return (
      await connection.runAndReadAll(`SELECT ${select} FROM (${union}) WHERE ${where} ${tail}`)
    ).getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

function decimalText(words: Uint32Array | null, scale: number): string | null {
  if (words === null) return null;
  let v = 0n;
  for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[w] as number);
  v = BigInt.asIntN(128, v);
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function rowsOf(table: Table, columns: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < table.numRows; i++) {
    out.push(
      JSON.stringify(
        columns.map((c) => {
          const v = table.getChild(c)?.get(i);
          if (c === 'amount' || c === 'total' || c.startsWith('sum_amount') || c.endsWith('_amount'))
            return decimalText(v ?? null, 2);
          return typeof v === 'bigint' ? v.toString() : (v ?? null);
        }),
      ),
    );
  }
  return out.sort();
}

const plan = (request: Omit<QueryRequest, 'table'>, where = locations) =>
  planQuery(lakeModel, { table: 'orders', from: 'EU', ...request }, { locations: where });

describe('executeQuery', () => {
  it("returns DuckDB's rows for the same filter over the same files, with _region", async () => {
    const result = executeQuery(
      plan({ columns: ['order_id', 'amount', 'currency'], where: "currency = 'EUR' and amount > 100" }),
    );
    const table = await result.toArrow();
    expect(table.schema.fields.map((f) => f.name)).toEqual(['order_id', 'amount', 'currency', '_region']);
    const expected = await duckdb(
      'order_id::VARCHAR AS order_id, amount::VARCHAR AS amount, currency, _region',
      "currency = 'EUR' AND amount > 100",
    );
    expect(expected.length).toBeGreaterThan(500);
    expect(rowsOf(table, ['order_id', 'amount', 'currency', '_region'])).toEqual(
      expected.map((r) => JSON.stringify([r.order_id, r.amount, r.currency, r._region])).sort(),
    );
    expect(result.missingRegions).toEqual([]);
    expect(result.regions.map((r) => r.region).sort()).toEqual([...lakeRegions].sort());
    expect(result.regions.reduce((s, r) => s + r.rows, 0)).toBe(expected.length);
  });

  it('stops at the global limit, reading less than every region could return', async () => {
    const limit = 1000;
    const result = executeQuery(plan({ columns: ['order_id'], limit }));
    const table = await result.toArrow();
    expect(table.numRows).toBe(limit);
    // Each region alone may return up to the limit (it is pushed down); cancelled, they read less.
    expect(result.regions.reduce((s, r) => s + r.rows, 0)).toBeLessThan(lakeRegions.length * limit);
  });

  it('cancels the outstanding scans when the consumer stops early', async () => {
    const reads = { count: 0 };
    const counting = (uri: string): Storage => {
      const storage = openStorage(uri);
      return Object.assign(Object.create(storage) as Storage, {
        getRange: (key: string, start: number, end: number) => {
          reads.count++;
          return storage.getRange(key, start, end);
        },
        get: (key: string) => {
          reads.count++;
          return storage.get(key);
        },
      });
    };
    const quiet = async () => {
      let last = -1;
      while (reads.count !== last) {
        last = reads.count;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return last;
    };
    await executeQuery(plan({ columns: ['order_id'] }), { openStorage: counting }).toArrow();
    const full = await quiet();
    reads.count = 0;
    for await (const batch of executeQuery(plan({ columns: ['order_id'] }), { openStorage: counting })) {
      expect(batch.numRows).toBeGreaterThan(0);
      break;
    }
    const early = await quiet();
    // Enough reads for the comparison to mean something (fewer since a scan reuses the footer read for the page indexes).
    expect(full).toBeGreaterThan(50);
    expect(early).toBeLessThan(full / 2);
  });

  it('throws aborted, not a shortened result, when the signal aborts', async () => {
    const controller = new AbortController();
    let batches = 0;
    const error = await (async () => {
      for await (const _ of executeQuery(plan({ columns: ['order_id'] }), { signal: controller.signal })) {
        batches++;
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(batches).toBe(1);
    expect(error).toMatchObject({ code: 'aborted' });
  });

  it('fails naming the region and URI when a region is dead, by default', async () => {
    const dead = { ...locations, 'us-east-1': join(root, 'deleted-table') };
    const error = await executeQuery(plan({ regions: ['eu-west-1', 'us-east-1'] }, dead))
      .toArrow()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ code: 'region-failed', path: ['us-east-1/orders'] });
    expect((error as QueryError).message).toContain('us-east-1');
    expect((error as QueryError).message).toContain(join(root, 'deleted-table'));
    expect((error as QueryError).hint).toContain("leave it out: regions: ['eu-west-1']");
    expect((error as QueryError).hint).toContain("onRegionFailure: 'partial'");
    expect((error as QueryError).hint).not.toContain('--');
  });

  it('returns the other regions and lists the dead one under the partial policy', async () => {
    const dead = { ...locations, 'us-east-1': join(root, 'deleted-table') };
    const result = executeQuery(plan({ columns: ['order_id'] }, dead), { onRegionFailure: 'partial' });
    const table = await result.toArrow();
    expect(table.numRows).toBe(2 * ROWS);
    expect(new Set([...(table.getChild('_region') as Iterable<string>)])).toEqual(
      new Set(['eu-west-1', 'eu-central-1']),
    );
    expect(result.missingRegions).toEqual([
      expect.objectContaining({
        region: 'us-east-1',
        component: 'us-east-1/orders',
        uri: join(root, 'deleted-table'),
        code: 'not-a-table',
        rowsBeforeFailure: 0,
      }),
    ]);
  });

  it('lists a region whose table lacks a requested column as missing instead of returning fewer columns', async () => {
    const other = join(root, 'other-schema');
    const slim = ordersTable(50, 99, 900_000).select(['order_id', 'order_date']);
    await writeTable(other, slim, { mode: 'create' });
    const request = plan({ columns: ['order_id', 'customer'] }, { ...locations, 'us-east-1': other });
    const result = executeQuery(request, { onRegionFailure: 'partial' });
    const table = await result.toArrow();
    expect(table.numRows).toBe(2 * ROWS);
    expect(result.missingRegions).toEqual([expect.objectContaining({ region: 'us-east-1', code: 'unknown-column' })]);
    await expect(executeQuery(request).toArrow()).rejects.toMatchObject({
      code: 'region-failed',
      path: ['us-east-1/orders'],
    });
  });

  it("aggregates per region and merges to DuckDB's answer", async () => {
    const aggregate = {
      groupBy: ['currency'],
      measures: [
        { fn: 'count' as const },
        { fn: 'count' as const, column: 'customer' },
        { fn: 'sum' as const, column: 'amount' },
        { fn: 'min' as const, column: 'order_id' },
        { fn: 'max' as const, column: 'amount' },
      ],
    };
    const table = await executeQuery(plan({ aggregate, where: 'order_id >= 50' })).toArrow();
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      'currency',
      'count',
      'count_customer',
      'sum_amount',
      'min_order_id',
      'max_amount',
    ]);
    const expected = await duckdb(
      'currency, count(*)::VARCHAR AS n, count(customer)::VARCHAR AS c, sum(amount)::VARCHAR AS s, min(order_id)::VARCHAR AS mi, max(amount)::VARCHAR AS ma',
      'order_id >= 50',
      'GROUP BY currency',
    );
    expect(rowsOf(table, ['currency', 'count', 'count_customer', 'sum_amount', 'min_order_id', 'max_amount'])).toEqual(
      expected.map((r) => JSON.stringify([r.currency, r.n, r.c, r.s, r.mi, r.ma])).sort(),
    );

    const perRegion = await executeQuery(
      plan({ aggregate: { groupBy: ['_region'], measures: [{ fn: 'sum', column: 'amount', as: 'total_amount' }] } }),
    ).toArrow();
    const expectedPerRegion = await duckdb('_region, sum(amount)::VARCHAR AS s', 'true', 'GROUP BY _region');
    expect(rowsOf(perRegion, ['_region', 'total_amount'])).toEqual(
      expectedPerRegion.map((r) => JSON.stringify([r._region, r.s])).sort(),
    );
  });

  it("runs SQL to DuckDB's answer over the same files", async () => {
    const request = sqlToRequest(
      "SELECT currency, count(*) AS n, sum(amount) AS total FROM orders WHERE order_date BETWEEN '2024-01-01' AND '2024-01-03' AND _region IN ('eu-west-1', 'us-east-1') GROUP BY currency",
    );
    const result = executeQuery(planQuery(lakeModel, { ...request, from: 'EU' }, { locations }));
    const table = await result.toArrow();
    expect(result.regions.map((r) => r.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    const expected = await duckdb(
      'currency, count(*)::VARCHAR AS n, sum(amount)::VARCHAR AS s',
      "order_date BETWEEN '2024-01-01' AND '2024-01-03' AND _region IN ('eu-west-1', 'us-east-1')",
      'GROUP BY currency',
    );
    expect(expected.length).toBe(4);
    expect(rowsOf(table, ['currency', 'n', 'total'])).toEqual(
      expected.map((r) => JSON.stringify([r.currency, r.n, r.s])).sort(),
    );
  });
});
