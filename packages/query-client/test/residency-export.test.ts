/**
 * Residency that can say yes: eu-personal may leave the EU as aggregates of groups of 10 or more rows. A query from
 * the US is finished inside the EU; these tests try to get rows, identifiers or small groups out anyway.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BorderCrossing, executeQuery, planQuery, QueryError, sqlToRequest } from '../src/index.ts';
import { lakeRegions, lakeTopology, writeOrders } from './fixtures/lake.ts';

const ROWS = 2000;
const MIN = 10;
const model = lakeTopology({ aggregatesOnly: true, minGroupSize: MIN });
let root: string;
let locations: Record<string, string>;
let duck: DuckDBInstance;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-export-'));
  locations = Object.fromEntries(lakeRegions.map((r) => [r, join(root, r)]));
  await Promise.all(lakeRegions.map((r, i) => writeOrders(join(root, r), ROWS, 41 + i, i * 100_000)));
  duck = await DuckDBInstance.create(':memory:');
});

afterAll(async () => {
  duck.closeSync();
  await rm(root, { recursive: true, force: true });
});

async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const union = lakeRegions
    .map(
      (r) => `SELECT *, '${r}' AS _region FROM read_parquet('${join(root, r)}/*/*.parquet', hive_partitioning = true)`,
    )
    .join(' UNION ALL ');
  const connection = await duck.connect();
  try {
    return (await connection.runAndReadAll(`WITH orders AS (${union}) ${sql}`)).getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

async function run(sql: string, from: string) {
  const crossings: { crossing: BorderCrossing; payload: string }[] = [];
  const plan = planQuery(model, { ...sqlToRequest(sql), from }, { locations });
  const result = executeQuery(plan, {
    onCrossing: (crossing, payload) =>
      crossings.push({ crossing, payload: payload ? Buffer.from(payload).toString('latin1') : '' }),
  });
  const table = await result.toArrow();
  const rows = table.toArray().map((r) => r.toJSON() as Record<string, unknown>);
  return { plan, result, rows, crossings };
}

function refusal(sql: string, from: string): QueryError {
  try {
    planQuery(model, { ...sqlToRequest(sql), from }, { locations });
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} from ${from} to be refused`);
}

describe('aggregates-only export', () => {
  it('finishes the aggregate in the EU and sends only final groups to the US, equal to DuckDB', async () => {
    const sql =
      'SELECT currency, count(*) AS n, avg(amount) AS mean, count(DISTINCT customer) AS d FROM orders GROUP BY currency';
    const { plan, result, rows, crossings } = await run(sql, 'us-east-1');
    expect(plan.aggregateSite).toMatchObject({ region: 'eu-west-1', jurisdiction: 'EU', minGroupSize: MIN });
    const expected = await duckdb(`${sql.replace('AS d', 'AS d, 0 AS pad')}`);
    expect(rows.map((r) => `${r.currency} ${r.n} ${r.d}`).sort()).toEqual(
      expected.map((r) => `${r.currency} ${r.n} ${r.d}`).sort(),
    );
    for (const e of expected) {
      const mean = rows.find((r) => r.currency === e.currency)?.mean as number;
      expect(Math.abs(mean - Number(e.mean))).toBeLessThan(1e-9 * Math.abs(Number(e.mean)));
    }
    expect(result.suppressedGroups).toBe(0);
    expect(crossings.map((c) => `${c.crossing.from} -> ${c.crossing.to}: ${c.crossing.what}`).sort()).toEqual([
      'eu-central-1 -> eu-west-1: partial aggregates',
      'eu-west-1 -> us-east-1: final aggregates',
      'us-east-1 -> eu-west-1: partial aggregates',
    ]);
    // No customer identifier crosses into the US; the distinct keys stay in the EU.
    const intoUs = crossings.filter((c) => c.crossing.toJurisdiction === 'US');
    expect(intoUs).toHaveLength(1);
    expect(intoUs[0]?.payload).not.toMatch(/c-\d/);
    // Queried from the EU, partials are merged at the destination and carry the keys: what the rewrite prevents.
    const fromEu = await run(sql, 'eu-west-1');
    expect(fromEu.plan.aggregateSite).toBeUndefined();
    expect(fromEu.crossings.find((c) => c.crossing.from === 'eu-central-1')?.payload).toMatch(/c-\d/);
  });

  it('suppresses every group of a GROUP BY on a unique key inside the EU; HAVING cannot get them back', async () => {
    const { rows, result } = await run('SELECT order_id, count(*) AS n FROM orders GROUP BY order_id', 'US');
    // The US rows (ids from 200000) are not restricted; not one EU order id leaves.
    expect(rows.every((r) => Number(r.order_id) >= 200_000)).toBe(true);
    expect(rows).toHaveLength(ROWS);
    expect(result.suppressedGroups).toBe(2 * ROWS);
    const having = await run(
      'SELECT order_id, count(*) AS n FROM orders WHERE order_id < 200000 GROUP BY order_id HAVING count(*) < 10',
      'US',
    );
    expect(having.rows).toEqual([]);
    // One row narrowed by WHERE, no GROUP BY: suppressed, not a count of 0.
    const one = await run('SELECT count(*) AS n FROM orders WHERE order_id = 5', 'US');
    expect(one.rows).toEqual([]);
    expect(one.result.suppressedGroups).toBe(1);
  });

  it('keeps a group of an identifier only when it has at least minGroupSize EU rows, as DuckDB counts them', async () => {
    const { rows, result } = await run(
      'SELECT customer, count(*) AS n, count(DISTINCT order_id) AS orders FROM orders WHERE customer IS NOT NULL GROUP BY customer',
      'US',
    );
    const expected = await duckdb(
      `SELECT customer, count(*) AS n FROM orders WHERE customer IS NOT NULL GROUP BY customer
       HAVING count(*) FILTER (WHERE _region <> 'us-east-1') = 0 OR count(*) FILTER (WHERE _region <> 'us-east-1') >= ${MIN}`,
    );
    const [all] = await duckdb('SELECT count(DISTINCT customer) AS c FROM orders WHERE customer IS NOT NULL');
    expect(result.suppressedGroups).toBe(Number(all?.c) - expected.length);
    expect(result.suppressedGroups).toBeGreaterThan(10);
    expect(rows.map((r) => `${r.customer} ${r.n}`).sort()).toEqual(expected.map((r) => `${r.customer} ${r.n}`).sort());
  });

  it('refuses rows (a LIMIT without aggregation) naming the table, class and jurisdiction', () => {
    const error = refusal('SELECT customer FROM orders LIMIT 5', 'us-east-1');
    expect(error.code).toBe('residency-violation');
    expect(error.message).toContain('the query returns rows');
    expect(error.message).toContain("eu-west-1/orders holds 'eu-personal'");
    expect(error.message).toContain('may leave EU only as aggregates');
    expect(error.message).toContain('us-east-1 (US)');
    expect(error.hint).toContain('aggregate instead');
  });

  it('refuses the value of one row (max, a quantile)', () => {
    for (const sql of [
      'SELECT currency, max(amount) FROM orders GROUP BY currency',
      'SELECT approx_quantile(amount, 0.99) FROM orders',
    ]) {
      const error = refusal(sql, 'US');
      expect(error.code, sql).toBe('residency-violation');
      expect(error.message).toContain('is the value of one row');
    }
  });

  it("names the measure, the hint and the table in the refusal of one row's value, min too", () => {
    for (const [sql, measure] of [
      ['SELECT currency, min(amount) FROM orders GROUP BY currency', 'min(amount)'],
      ['SELECT currency, max(amount) AS top FROM orders GROUP BY currency', 'max(amount)'],
    ] as const) {
      const error = refusal(sql, 'us-east-1');
      expect(error, sql).toMatchObject({
        code: 'residency-violation',
        path: ['components', 'eu-west-1/orders', 'dataClasses'],
        hint: 'use count, sum, avg, variance, stddev or count(DISTINCT ...) across the border',
      });
      expect(error.message).toBe(
        `${measure} is the value of one row, not an aggregate that hides it: eu-west-1/orders holds 'eu-personal', which may leave EU only as aggregates, and the results go to us-east-1 (US)`,
      );
    }
    // A measure given without a column (the request API allows it) is named with *.
    let error: unknown;
    try {
      planQuery(model, { table: 'orders', from: 'US', aggregate: { groupBy: [], measures: [{ fn: 'max' }] } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toMatch(
      /^max\(\*\) is the value of one row, not an aggregate that hides it: /,
    );
  });

  it('still refuses aggregates of a class without an export rule', () => {
    const strict = lakeTopology();
    expect(() =>
      planQuery(strict, { ...sqlToRequest('SELECT count(*) FROM orders'), from: 'US' }, { locations }),
    ).toThrow(/may only be in EU/);
  });
});
