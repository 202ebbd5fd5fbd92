/**
 * Residency of broadcast joins: shipping a dimension into a region is a border crossing of its class, and the joined
 * rows carry the classes of both tables. These tests try to get rows, identifiers or small groups out through a join.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BorderCrossing, executeQuery, planQuery, QueryError, sqlToRequest } from '../src/index.ts';
import { joinRegions, joinTopology, writeJoinLake } from './fixtures/join-lake.ts';

const MIN = 10;
const exportRule = { aggregatesOnly: true, minGroupSize: MIN } as const;
let root: string;
let locations: Record<string, string>;
let duck: DuckDBInstance;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-join-residency-'));
  locations = await writeJoinLake(root, 2000);
  duck = await DuckDBInstance.create(':memory:');
}, 120_000);

afterAll(async () => {
  duck.closeSync();
  await rm(root, { recursive: true, force: true });
});

async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const orders = joinRegions
    .map((r) => `SELECT * FROM read_parquet('${join(root, r, 'orders')}/*/*.parquet', hive_partitioning = true)`)
    .join(' UNION ALL ');
  const connection = await duck.connect();
  try {
    const withs = `WITH orders AS (${orders}), customers AS (SELECT * FROM read_parquet('${join(root, 'eu-west-1/customers')}/*.parquet'))`;
    return (await connection.runAndReadAll(`${withs} ${sql}`)).getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

type Model = ReturnType<typeof joinTopology>;

function refusal(model: Model, sql: string, from: string): QueryError {
  try {
    planQuery(model, { ...sqlToRequest(sql), from }, { locations });
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} from ${from} to be refused`);
}

async function run(model: Model, sql: string, from: string) {
  const crossings: { crossing: BorderCrossing; payload: string }[] = [];
  const plan = planQuery(model, { ...sqlToRequest(sql), from }, { locations });
  const result = executeQuery(plan, {
    onCrossing: (crossing, payload) =>
      crossings.push({ crossing, payload: payload ? Buffer.from(payload).toString('latin1') : '' }),
  });
  const rows = (await result.toArrow()).toArray().map((r) => r.toJSON() as Record<string, unknown>);
  return { plan, result, rows, crossings };
}

describe('the broadcast is a border crossing of the dimension class', () => {
  const restricted = joinTopology({ customersClass: true });

  it('refuses to broadcast an EU-only dimension into a US region, naming table, class and jurisdiction', () => {
    // A LEFT join can only broadcast its right side, and orders has a region in the US.
    const sql =
      'SELECT c.segment, count(*) AS n FROM orders o LEFT JOIN customers c ON o.customer = c.id GROUP BY c.segment';
    for (const model of [restricted, joinTopology({ customersClass: true, exportRule })]) {
      const error = refusal(model, sql, 'EU');
      expect(error.code).toBe('residency-violation');
      expect(error.message).toContain('broadcasting eu-west-1/customers into us-east-1 (US)');
      expect(error.message).toContain("'eu-personal'");
      expect(error.message).toContain('may only be in EU');
      expect(error.path).toEqual(['components', 'eu-west-1/customers', 'dataClasses']);
    }
  });

  it('refuses aggregates of joined rows that carry the dimension class where it may not go, saying the join carried it', () => {
    // The orders carry no class and stay in the EU; the customers may enter their regions, but not the US.
    const model = joinTopology({ customersClass: true, ordersClass: false, ordersIn: ['eu-west-1', 'eu-central-1'] });
    const error = refusal(
      model,
      'SELECT c.segment, count(*) AS n FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.segment',
      'US',
    );
    expect(error.code).toBe('residency-violation');
    expect(error.message).toContain("'eu-personal'");
    expect(error.message).toContain('may only be in EU');
    expect(error.message).toContain('the joined rows carry eu-personal from eu-west-1/customers');
  });

  it('runs an inner join the other way: the orders go to the dimension, equal to DuckDB, no customer row leaves the EU', async () => {
    const sql =
      'SELECT c.segment, count(*) AS n, sum(o.amount) AS total FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.segment';
    const { plan, rows, crossings } = await run(restricted, sql, 'EU');
    expect(plan.join?.choices.map((c) => c.broadcast)).toEqual(['left']);
    expect(plan.join?.refused[0]?.reason).toContain('broadcasting eu-west-1/customers into us-east-1');
    const expected = await duckdb(sql);
    expect(rows.map((r) => `${r.segment} ${r.n}`).sort()).toEqual(expected.map((r) => `${r.segment} ${r.n}`).sort());
    expect(
      crossings
        .filter((c) => c.crossing.what === 'broadcast')
        .map((c) => `${c.crossing.from} -> ${c.crossing.to}`)
        .sort(),
    ).toEqual(['eu-central-1 -> eu-west-1', 'us-east-1 -> eu-west-1']);
    expect(crossings.some((c) => c.crossing.toJurisdiction === 'US')).toBe(false);
    // The only direction allowed is over the limit: the refusal says why the smaller side is not broadcast.
    const plan2 = planQuery(restricted, { ...sqlToRequest(sql), from: 'EU' }, { locations });
    const error = await executeQuery(plan2, { maxBroadcastBytes: 2000 })
      .toArrow()
      .catch((e: unknown) => e);
    expect((error as QueryError).code).toBe('broadcast-too-large');
    expect((error as QueryError).message).toContain('broadcasting customers instead is refused');
  });
});

describe('aggregates-only export through a join', () => {
  const both = joinTopology({ customersClass: true, exportRule });

  it('suppresses every group of one customer row however many orders it joined (a re-identifying join)', async () => {
    const sql = 'SELECT c.id, count(*) AS n FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.id';
    // Counted as joined rows, most customers would pass: each has about 20 orders.
    const [passing] = await duckdb(`SELECT count(*) AS k FROM (${sql} HAVING count(*) >= ${MIN})`);
    expect(Number(passing?.k)).toBeGreaterThan(100);
    const { rows, result, plan, crossings } = await run(both, sql, 'US');
    expect(plan.aggregateSite).toMatchObject({ region: 'eu-west-1', minGroupSize: MIN });
    expect(rows).toEqual([]);
    expect(result.suppressedGroups).toBeGreaterThan(200);
    const intoUs = crossings.filter((c) => c.crossing.toJurisdiction === 'US');
    expect(intoUs.map((c) => c.crossing.what)).toEqual(['final aggregates']);
    expect(intoUs[0]?.payload).not.toMatch(/c-\d/);
  });

  it('counts the broadcast rows behind a group too: one customer joined into many EU orders is one row', async () => {
    // Orders only in the EU: the customers may be broadcast to them, and the join runs where the orders are.
    const model = joinTopology({ customersClass: true, exportRule, ordersIn: ['eu-west-1', 'eu-central-1'] });
    const sql = 'SELECT c.id, count(*) AS n FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.id';
    const { rows, result, plan } = await run(model, sql, 'US');
    expect(plan.join?.choices[0]?.broadcast).toBe('right');
    expect(plan.join?.choices[0]?.protection).toEqual({
      probe: ['eu-west-1/orders', 'eu-central-1/orders'],
      build: ['eu-west-1/customers'],
    });
    expect(rows).toEqual([]);
    expect(result.suppressedGroups).toBeGreaterThan(200);
  });

  it('keeps a group only with at least minGroupSize distinct rows of each restricted table, as DuckDB counts them', async () => {
    const sql =
      'SELECT c.segment, count(*) AS n FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.segment';
    const { rows, result } = await run(both, sql, 'US');
    const expected = await duckdb(
      `SELECT c.segment, count(*) AS n, count(DISTINCT (c.id, c.segment)) AS people,
         count(DISTINCT o.order_id) FILTER (WHERE o.order_id < 200000) AS eu_orders
       FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.segment`,
    );
    const kept = expected.filter(
      (e) =>
        (Number(e.people) === 0 || Number(e.people) >= MIN) &&
        (Number(e.eu_orders) === 0 || Number(e.eu_orders) >= MIN),
    );
    expect(kept.length).toBeGreaterThan(3);
    expect(result.suppressedGroups).toBe(expected.length - kept.length);
    expect(rows.map((r) => `${r.segment} ${r.n}`).sort()).toEqual(kept.map((r) => `${r.segment} ${r.n}`).sort());
    // The duplicate-key rows are one customer row each, whatever their order count.
    expect(rows.some((r) => r.segment === 'duplicate-a')).toBe(false);
  });

  it('suppresses a join on a unique key that would rebuild rows, and refuses joined rows outright', async () => {
    const sql =
      'SELECT o.order_id, c.segment, sum(o.amount) AS s FROM orders o JOIN customers c ON o.customer = c.id GROUP BY o.order_id, c.segment';
    const { rows, result } = await run(both, sql, 'US');
    const [groups] = await duckdb(`SELECT count(*) AS k FROM (${sql})`);
    expect(rows).toEqual([]);
    expect(result.suppressedGroups).toBe(Number(groups?.k));
    expect(result.suppressedGroups).toBeGreaterThan(4000);
    const error = refusal(
      both,
      'SELECT o.order_id, c.segment FROM orders o JOIN customers c ON o.customer = c.id LIMIT 5',
      'US',
    );
    expect(error.code).toBe('residency-violation');
    expect(error.message).toContain('the query returns rows');
  });

  it('counts distinct fact rows, not joined rows, when duplicate dimension keys multiply them', async () => {
    // Orders restricted, customers not: c-11 has two customer rows (and 10 orders in the EU), so each of its orders is two joined rows.
    const model = joinTopology({ exportRule });
    const ids = (
      await duckdb("SELECT order_id FROM orders WHERE customer = 'c-11' AND order_id < 200000 ORDER BY order_id")
    ).map((r) => Number(r.order_id));
    expect(ids.length).toBeGreaterThanOrEqual(MIN);
    const sql = (n: number) =>
      `SELECT o.customer, count(*) AS n FROM orders o JOIN customers c ON o.customer = c.id WHERE o.customer = 'c-11' AND o.order_id < 200000 AND o.order_id <= ${ids[n - 1]} GROUP BY o.customer`;
    // 6 orders are 12 joined rows: over the minimum as joined rows, under it as orders.
    const six = await run(model, sql(6), 'US');
    expect(six.rows).toEqual([]);
    expect(six.result.suppressedGroups).toBe(1);
    const ten = await run(model, sql(MIN), 'US');
    expect(ten.rows.map((r) => `${r.customer} ${r.n}`)).toEqual([`c-11 ${2 * MIN}`]);
  });
});
