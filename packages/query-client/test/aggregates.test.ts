/**
 * Every aggregate's regional partial and final merge against DuckDB over the union of the same regions' files:
 * real Delta tables written by @meridian/delta's writer in three temp-dir regions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeTable } from '@meridian/delta';
import { topology } from '@meridian/topology';
import {
  Table as ArrowTable,
  Float64,
  Int64,
  makeData,
  makeVector,
  type Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random } from '../../delta/test/fixtures/random.ts';
import { executeQuery, HLL_STANDARD_ERROR, KLL_RANK_ERROR, planQuery, sqlToRequest } from '../src/index.ts';
import { lakeModel, lakeRegions, writeOrders } from './fixtures/lake.ts';

const ORDERS = 2000;
const READINGS = 30_000;
let root: string;
let duck: DuckDBInstance;

/** Sensor readings: a double with a mean of 1e9 and a spread of about 1 (sums of squares lose every digit). */
const readingsModel = topology('sensors', (t) => {
  for (const code of lakeRegions) {
    const region = t.region(code, {
      role: code === 'eu-west-1' ? 'primary' : 'secondary',
      jurisdiction: code.startsWith('eu') ? 'EU' : 'US',
    });
    region.deltaTable('readings', {
      store: region.objectStore('lake', { bucket: `sensors-${code}` }),
      path: 'readings',
      columns: [
        { name: 'sensor', type: 'string' },
        { name: 'device', type: 'long' },
        { name: 'value', type: 'double' },
      ],
    });
  }
});

function readingsTable(rows: number, seed: number): Table {
  const next = random(seed);
  const device = new BigInt64Array(rows);
  const value = new Float64Array(rows);
  const sensors: string[] = [];
  for (let i = 0; i < rows; i++) {
    sensors.push(`s${Math.floor(next() * 5)}`);
    device[i] = BigInt(Math.floor(next() * 80_000));
    value[i] = 1e9 + (next() + next() + next() - 1.5) * 2;
  }
  return new ArrowTable({
    sensor: vectorFromArray(sensors, new Utf8()),
    device: makeVector(makeData({ type: new Int64(), length: rows, data: device })),
    value: makeVector(makeData({ type: new Float64(), length: rows, data: value })),
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-aggregates-'));
  await Promise.all(
    lakeRegions.flatMap((r, i) => [
      writeOrders(join(root, 'orders', r), ORDERS, 21 + i, i * 100_000),
      writeTable(join(root, 'readings', r), readingsTable(READINGS, 31 + i), { mode: 'create', maxRowsPerFile: 5000 }),
    ]),
  );
  duck = await DuckDBInstance.create(':memory:');
}, 120_000);

afterAll(async () => {
  duck.closeSync();
  await rm(root, { recursive: true, force: true });
});

async function duckdb(table: 'orders' | 'readings', sql: string): Promise<Record<string, unknown>[]> {
  const union = lakeRegions
    .map(
      (r) =>
        `SELECT *, '${r}' AS _region FROM read_parquet('${join(root, table, r)}/**/*.parquet', hive_partitioning = true)`,
    )
    .join(' UNION ALL ');
  const connection = await duck.connect();
  try {
    return (await connection.runAndReadAll(`WITH ${table} AS (${union}) ${sql}`)).getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

async function federated(model: typeof lakeModel, table: 'orders' | 'readings', sql: string): Promise<Table> {
  const locations = Object.fromEntries(lakeRegions.map((r) => [r, join(root, table, r)]));
  return executeQuery(planQuery(model, { ...sqlToRequest(sql), from: 'EU' }, { locations })).toArrow();
}

function rows(table: Table): Record<string, unknown>[] {
  return table.toArray().map((r) => r.toJSON() as Record<string, unknown>);
}

function close(actual: unknown, expected: unknown, relative: number): void {
  const a = Number(actual);
  const e = Number(expected);
  expect(Math.abs(a - e), `${a} vs ${e}`).toBeLessThanOrEqual(relative * Math.max(Math.abs(e), 1e-300));
}

describe('partial and final aggregates', () => {
  it("count, sum, min, max, avg, variance and stddev of a decimal per group equal DuckDB's", async () => {
    const sql =
      'SELECT currency, count(*) AS n, count(customer) AS c, sum(amount) AS s, min(amount) AS lo, max(order_id) AS hi, avg(amount) AS mean, var_samp(amount) AS vs, var_pop(amount) AS vp, stddev_samp(amount) AS ss, stddev_pop(amount) AS sp FROM orders GROUP BY currency';
    const ours = rows(await federated(lakeModel, 'orders', sql));
    const theirs = await duckdb(
      'orders',
      `${sql.replace(/sum\(amount\) AS s/, 'sum(amount)::DOUBLE AS s').replace(/min\(amount\) AS lo/, 'min(amount)::DOUBLE AS lo')}`,
    );
    expect(ours).toHaveLength(4);
    for (const t of theirs) {
      const o = ours.find((r) => r.currency === t.currency) as Record<string, unknown>;
      expect(String(o.n)).toBe(String(t.n));
      expect(String(o.c)).toBe(String(t.c));
      expect(String(o.hi)).toBe(String(t.hi));
      for (const k of ['mean', 'vs', 'vp', 'ss', 'sp']) close(o[k], t[k], 1e-12);
    }
  });

  it('variance of doubles with a mean of 1e9 stays accurate where sums of squares lose every digit', async () => {
    const sql =
      'SELECT sensor, count(*) AS n, avg(value) AS mean, var_samp(value) AS vs, stddev_pop(value) AS sp, sum(value) AS total FROM readings GROUP BY sensor';
    const ours = rows(await federated(readingsModel, 'readings', sql));
    const theirs = await duckdb('readings', sql);
    expect(ours).toHaveLength(5);
    for (const t of theirs) {
      const o = ours.find((r) => r.sensor === t.sensor) as Record<string, unknown>;
      expect(String(o.n)).toBe(String(t.n));
      close(o.vs, t.vs, 1e-6);
      close(o.sp, t.sp, 1e-6);
      close(o.mean, t.mean, 1e-13);
      close(o.total, t.total, 1e-13);
    }
    // The exact variance of the doubles stored (near 1e9 each is a multiple of 2^-23: exact as bigints), and the same
    // data through raw (n, sum, sum of squares) in doubles: what the test guards against.
    const values = (await duckdb('readings', "SELECT value FROM readings WHERE sensor = 's0'")).map(
      (r) => r.value as number,
    );
    const scaled = values.map((v) => BigInt(v * 2 ** 23));
    expect(values.every((v) => Number.isInteger(v * 2 ** 23))).toBe(true);
    const n = BigInt(values.length);
    const s = scaled.reduce((a, b) => a + b, 0n);
    const ss = scaled.reduce((a, b) => a + b * b, 0n);
    const exact = Number(n * ss - s * s) / Number(n * (n - 1n)) / 2 ** 46;
    const s0 = ours.find((r) => r.sensor === 's0') as Record<string, unknown>;
    close(s0.vs, exact, 1e-12);
    // The compensated sum is exact to the last bits: the mean of the stored values, rounded once.
    close(s0.mean, Number(s) / 2 ** 23 / values.length, 1e-15);
    const fs = values.reduce((a, b) => a + b, 0);
    const fss = values.reduce((a, b) => a + b * b, 0);
    const naive = (fss - (fs * fs) / values.length) / (values.length - 1);
    expect(Math.abs(naive - exact) / exact).toBeGreaterThan(0.01);
  });

  it("count(DISTINCT) ships keys and equals DuckDB's; approx_count_distinct is within 3 standard errors", async () => {
    const exact = rows(
      await federated(
        lakeModel,
        'orders',
        'SELECT currency, count(DISTINCT customer) AS d FROM orders GROUP BY currency',
      ),
    );
    const expected = await duckdb(
      'orders',
      'SELECT currency, count(DISTINCT customer) AS d FROM orders GROUP BY currency',
    );
    expect(exact.map((r) => `${r.currency}=${r.d}`).sort()).toEqual(expected.map((r) => `${r.currency}=${r.d}`).sort());

    const [approx] = rows(
      await federated(
        readingsModel,
        'readings',
        'SELECT approx_count_distinct(device) AS a, count(DISTINCT device) AS d FROM readings',
      ),
    );
    const [truth] = await duckdb('readings', 'SELECT count(DISTINCT device) AS d FROM readings');
    const d = Number(truth?.d);
    expect(d).toBeGreaterThan(40_000); // past linear counting: the raw HyperLogLog estimate is what is tested
    expect(Number(approx?.d)).toBe(d);
    expect(Math.abs(Number(approx?.a) - d) / d).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR);
  });

  it('approx_quantile returns a value whose rank in the union is within the KLL bound', async () => {
    const qs = [0.01, 0.25, 0.5, 0.9, 0.99];
    const select = qs.map((q, i) => `approx_quantile(value, ${q}) AS q${i}`).join(', ');
    const [ours] = rows(await federated(readingsModel, 'readings', `SELECT ${select} FROM readings`));
    const n = 3 * READINGS;
    for (const [i, q] of qs.entries()) {
      const v = ours?.[`q${i}`] as number;
      const [rank] = await duckdb(
        'readings',
        `SELECT count(*) FILTER (WHERE value < ${v}) AS lo, count(*) FILTER (WHERE value <= ${v}) AS hi FROM readings`,
      );
      const lo = Number(rank?.lo);
      const hi = Number(rank?.hi);
      const target = q * n;
      // The rank interval of the value returned meets [target - e n, target + e n].
      expect(hi, `q=${q}`).toBeGreaterThanOrEqual(target - KLL_RANK_ERROR * n);
      expect(lo, `q=${q}`).toBeLessThanOrEqual(target + KLL_RANK_ERROR * n);
    }
  });

  it("ORDER BY ... LIMIT over rows merges the regions' top k to DuckDB's first k", async () => {
    const sql =
      'SELECT order_id, amount, currency FROM orders WHERE amount IS NOT NULL ORDER BY amount DESC, order_id LIMIT 25';
    const ours = rows(await federated(lakeModel, 'orders', sql));
    const theirs = await duckdb(
      'orders',
      sql
        .replace('order_id, amount', 'order_id::VARCHAR AS order_id, amount::VARCHAR AS amount')
        .replace('ORDER BY amount DESC', 'ORDER BY amount::DECIMAL(12,2) DESC')
        .replace(', order_id LIMIT', ', order_id::BIGINT LIMIT'),
    );
    expect(ours.map((r) => String(r.order_id))).toEqual(theirs.map((r) => r.order_id));
    expect(ours.map((r) => r._region)).toBeDefined();
  });

  it('HAVING, ORDER BY and LIMIT on an aggregate apply after the final merge', async () => {
    const sql =
      'SELECT customer, count(*) AS n, sum(amount) AS s FROM orders WHERE customer IS NOT NULL GROUP BY customer HAVING count(*) > 22 AND sum(amount) > 100000 ORDER BY n DESC, customer LIMIT 10';
    const ours = rows(await federated(lakeModel, 'orders', sql));
    const theirs = await duckdb('orders', sql.replace('sum(amount) AS s', 'sum(amount)::VARCHAR AS s'));
    expect(theirs.length).toBe(10);
    expect(ours.map((r) => `${r.customer} ${r.n}`)).toEqual(theirs.map((r) => `${r.customer} ${r.n}`));
    // A group that is large in no single region but large in the union passes HAVING: merged before filtering.
    const [perRegionMax] = await duckdb(
      'orders',
      'SELECT max(n) AS m FROM (SELECT count(*) AS n FROM orders WHERE customer IS NOT NULL GROUP BY _region, customer)',
    );
    expect(Number(perRegionMax?.m)).toBeLessThanOrEqual(22);
  });
});
