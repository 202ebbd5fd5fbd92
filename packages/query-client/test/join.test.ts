/**
 * Broadcast joins against DuckDB over the union of the same files: inner and left joins, NULL keys that must not
 * match, duplicate dimension keys, an int key against a bigint one, join plus GROUP BY plus HAVING, ORDER BY LIMIT.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BorderCrossing,
  executeQuery,
  explainPlan,
  explainQuery,
  formatExplanation,
  planQuery,
  QueryError,
  sqlToRequest,
} from '../src/index.ts';
import { joinRegions, joinTopology, writeJoinLake } from './fixtures/join-lake.ts';

const ORDERS = 2000;
const model = joinTopology();
let root: string;
let locations: Record<string, string>;
let duck: DuckDBInstance;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-join-'));
  locations = await writeJoinLake(root, ORDERS);
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
    const withs = `WITH orders AS (${orders}), customers AS (SELECT * FROM read_parquet('${join(root, 'eu-west-1/customers')}/*.parquet')), promos AS (SELECT * FROM read_parquet('${join(root, 'us-east-1/promos')}/*.parquet'))`;
    return (await connection.runAndReadAll(`${withs} ${sql}`)).getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

async function run(sql: string, options: { from?: string; maxBroadcastBytes?: number } = {}) {
  const crossings: BorderCrossing[] = [];
  const plan = planQuery(model, { ...sqlToRequest(sql), from: options.from ?? 'EU' }, { locations });
  const result = executeQuery(plan, {
    onCrossing: (c) => crossings.push(c),
    ...(options.maxBroadcastBytes !== undefined ? { maxBroadcastBytes: options.maxBroadcastBytes } : {}),
  });
  const rows = (await result.toArrow()).toArray().map((r) => r.toJSON() as Record<string, unknown>);
  return { plan, result, rows, crossings };
}

/** Rows as sorted lines of the named columns (numbers and bigints alike, decimals as DuckDB prints them). */
function lines(rows: readonly Record<string, unknown>[], columns: readonly string[]): string[] {
  return rows
    .map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? 'null' : String(r[c]))).join(' | '))
    .sort();
}

describe('broadcast joins equal DuckDB', () => {
  it('inner join with GROUP BY and HAVING: duplicate dimension keys count twice, null keys never match', async () => {
    const sql =
      'SELECT c.segment, count(*) AS n, count(DISTINCT o.customer) AS people, avg(o.order_id) AS mean FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.segment HAVING count(*) > 5';
    const { rows, crossings, plan } = await run(sql);
    const expected = await duckdb(sql);
    expect(rows.length).toBeGreaterThan(4);
    expect(lines(rows, ['segment', 'n', 'people'])).toEqual(lines(expected, ['segment', 'n', 'people']));
    // The duplicate rows of c-7 and c-11 are groups of their own: each order of c-7 matched both of its rows.
    expect(rows.some((r) => r.segment === 'duplicate-a')).toBe(true);
    expect(rows.some((r) => r.segment === 'no-id')).toBe(false);
    for (const e of expected) {
      const mean = rows.find((r) => r.segment === e.segment)?.mean as number;
      expect(Math.abs(mean - Number(e.mean))).toBeLessThan(1e-6);
    }
    // customers (eu-west-1) is the small side: broadcast to the two other regions, read once.
    expect(plan.join?.choices[0]?.broadcast).toBe('right');
    const broadcasts = crossings.filter((c) => c.what === 'broadcast');
    expect(broadcasts.map((c) => `${c.from} -> ${c.to}`).sort()).toEqual([
      'eu-west-1 -> eu-central-1',
      'eu-west-1 -> us-east-1',
    ]);
    expect(broadcasts.every((c) => c.count === 253 && c.bytes > 253 * 4)).toBe(true);
  });

  it('left join keeps every order, unmatched ones with null columns; WHERE on the right side filters after the join', async () => {
    const sql =
      'SELECT c.segment, count(*) AS n, count(c.id) AS matched, sum(o.amount) AS total FROM orders o LEFT JOIN customers c ON o.customer = c.id GROUP BY c.segment';
    const { rows } = await run(sql);
    const expected = await duckdb(sql);
    expect(lines(rows, ['segment', 'n', 'matched'])).toEqual(lines(expected, ['segment', 'n', 'matched']));
    const unmatched = rows.find((r) => r.segment === null);
    expect(Number(unmatched?.n)).toBeGreaterThan(Number(unmatched?.matched));
    // An anti-join: orders without a customer row (null customer, or c-250 and up). Pushed into the customers scan,
    // the condition would keep every order.
    const anti = 'SELECT count(*) AS n FROM orders o LEFT JOIN customers c ON o.customer = c.id WHERE c.id IS NULL';
    const [theirs] = await duckdb(anti);
    const ours = await run(anti);
    expect(String(ours.rows[0]?.n)).toBe(String(theirs?.n));
    expect(Number(theirs?.n)).toBeGreaterThan(0);
  });

  it('ORDER BY ... LIMIT over joined rows, with conditions on both sides and two keys', async () => {
    const sql =
      "SELECT o.order_id, o.currency, c.segment, c.vip FROM orders o JOIN customers c ON o.customer = c.id AND o.currency = c.home WHERE o.amount > 100 AND c.segment <> 'pro' ORDER BY o.order_id DESC, c.segment LIMIT 40";
    const { rows } = await run(sql);
    const expected = await duckdb(sql);
    expect(rows).toHaveLength(40);
    expect(rows.map((r) => `${r.order_id} ${r.currency} ${r.segment} ${r.vip}`)).toEqual(
      expected.map((r) => `${r.order_id} ${r.currency} ${r.segment} ${r.vip}`),
    );
  });

  it('streams joined rows with the region that joined them, through the structured request too', async () => {
    const sql =
      "SELECT o.order_id, c.segment, c.id FROM orders o JOIN customers c ON o.customer = c.id WHERE o.currency = 'CHF'";
    const { rows } = await run(sql);
    const expected = await duckdb(sql);
    expect(rows.length).toBeGreaterThan(500);
    expect(lines(rows, ['order_id', 'segment', 'id'])).toEqual(lines(expected, ['order_id', 'segment', 'id']));
    // _region is where the order is (the probe side), here from its order_id range.
    for (const r of rows) expect(r._region).toBe(joinRegions[Math.floor(Number(r.order_id) / 100_000)]);
    const structured = executeQuery(
      planQuery(
        model,
        {
          table: 'orders',
          columns: ['order_id', 'segment', 'id'],
          where: "currency = 'CHF'",
          join: { table: 'customers', kind: 'inner', on: [{ left: 'customer', right: 'id' }] },
          from: 'EU',
        },
        { locations },
      ),
    );
    const again = (await structured.toArrow()).toArray().map((r) => r.toJSON() as Record<string, unknown>);
    expect(lines(again, ['order_id', 'segment', 'id'])).toEqual(lines(expected, ['order_id', 'segment', 'id']));
  });

  it('joins an int key to a bigint one, and the bigger table written first still broadcasts the smaller', async () => {
    const sql =
      'SELECT p.promo, count(*) AS n, sum(o.amount) AS total FROM orders o JOIN promos p ON o.order_id = p.order_id GROUP BY p.promo';
    const { rows, crossings } = await run(sql);
    const expected = await duckdb(sql);
    expect(lines(rows, ['promo', 'n'])).toEqual(lines(expected, ['promo', 'n']));
    expect(rows).toHaveLength(5);
    expect(crossings.filter((c) => c.what === 'broadcast').map((c) => c.from)).toEqual(['us-east-1', 'us-east-1']);
    // Written the other way round, customers is the left side and still the one broadcast (the smaller by its log).
    const flipped = await run(
      'SELECT c.segment, count(*) AS n FROM customers c JOIN orders o ON c.id = o.customer GROUP BY c.segment',
    );
    const theirs = await duckdb(
      'SELECT c.segment, count(*) AS n FROM customers c JOIN orders o ON c.id = o.customer GROUP BY c.segment',
    );
    expect(lines(flipped.rows, ['segment', 'n'])).toEqual(lines(theirs, ['segment', 'n']));
    expect(flipped.crossings.filter((c) => c.what === 'broadcast').map((c) => c.from)).toEqual([
      'eu-west-1',
      'eu-west-1',
    ]);
  });

  it('refuses a side over the broadcast limit, naming it and its size, and runs when the option raises the limit', async () => {
    const sql =
      'SELECT c.segment, count(*) AS n FROM orders o LEFT JOIN customers c ON o.customer = c.id GROUP BY c.segment';
    const error = await run(sql, { maxBroadcastBytes: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('broadcast-too-large');
    expect((error as QueryError).message).toMatch(
      /broadcast customers: .* KiB in 3 files, 253 rows .* over the broadcast limit of 1\.0 KiB/,
    );
    expect((error as QueryError).hint).toContain('maxBroadcastBytes');
    const { rows } = await run(sql, { maxBroadcastBytes: 1 << 20 });
    expect(rows.length).toBeGreaterThan(4);
  });

  it.each([
    [
      'SELECT order_id FROM orders o JOIN promos p ON o.order_id = p.order_id',
      'invalid-request',
      "'order_id' is ambiguous",
    ],
    ['SELECT o.nope FROM orders o JOIN customers c ON o.customer = c.id', 'unknown-column', "column 'nope'"],
    ['SELECT segmnt FROM orders o JOIN customers c ON o.customer = c.id', 'unknown-column', "has a column 'segmnt'"],
    [
      'SELECT _region, count(*) FROM orders o JOIN customers c ON o.customer = c.id GROUP BY _region',
      'invalid-request',
      '_region in a join',
    ],
    ['SELECT * FROM orders o JOIN customers c ON o.customer = c.id', 'invalid-request', 'every column'],
    [
      'SELECT o.order_id FROM orders o JOIN customers c ON o.customer = c.id ORDER BY o.order_id',
      'invalid-request',
      'needs a LIMIT',
    ],
  ])('refuses %s when planning (%s)', (sql, code, message) => {
    let error: unknown;
    try {
      planQuery(model, { ...sqlToRequest(sql), from: 'EU' }, { locations });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe(code);
    expect((error as QueryError).message).toContain(message);
    expect((error as QueryError).hint).toBeTruthy();
  });

  it('refuses key columns that cannot be equal (text against a bigint)', async () => {
    const error = await run('SELECT count(*) AS n FROM orders o JOIN customers c ON o.order_id = c.id').catch(
      (e: unknown) => e,
    );
    expect((error as QueryError).message).toMatch(
      /join key order_id \(Int64 in orders in eu-west-1\) cannot equal id \(Utf8 in customers\)/,
    );
  });

  it('EXPLAIN shows the broadcast as a crossing per region it goes to, with estimated and actual bytes', async () => {
    const sql =
      'SELECT c.segment, count(*) AS n FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.segment';
    const plan = planQuery(model, { ...sqlToRequest(sql), from: 'EU' }, { locations });
    expect(explainPlan(plan)).toContain('inner join orders with customers on o.customer = c.id');
    const explanation = await explainQuery(plan, { analyze: true });
    const broadcasts = explanation.crossings.filter((c) => c.what === 'broadcast');
    expect(broadcasts.map((c) => `${c.from} -> ${c.to}`).sort()).toEqual([
      'eu-west-1 -> eu-central-1',
      'eu-west-1 -> us-east-1',
    ]);
    for (const c of broadcasts) {
      expect(c.estimatedBytes).toBeGreaterThan(0);
      expect(c.actualBytes).toBeGreaterThan(0);
      // The estimate is rows times the columns' widths: within a factor of 3 of the buffers that crossed.
      expect((c.estimatedBytes as number) / (c.actualBytes as number)).toBeGreaterThan(1 / 3);
      expect((c.estimatedBytes as number) / (c.actualBytes as number)).toBeLessThan(3);
    }
    expect(explanation.regions.find((r) => r.broadcast)?.component).toBe('eu-west-1/customers');
    const text = formatExplanation(explanation);
    expect(text).toContain('eu-west-1/customers');
    expect(text).toContain('(broadcast side of the join)');
    expect(text).toMatch(
      /eu-west-1 -> us-east-1 {2}broadcast {2}crosses EU -> US {2}est [\d.]+ KiB {2}actual [\d.]+ KiB/,
    );
    expect(text).toMatch(/join: customers is broadcast \([\d.]+ KiB, 253 rows by its Delta log; orders: [\d.]+ KiB\)/);
  });
});
