import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { writeTable } from '@meridian/delta';
import { type DeltaTable, topology, trinoTableName } from '@meridian/topology';
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
import { random } from '../../../delta/test/fixtures/random.ts';
import { executeQuery, jsRunner, planQuery, QueryError, sqlToRequest, trinoRunner } from '../../src/index.ts';
import { statementPages } from '../../src/trino/protocol.ts';
import { lakeModel, lakeRegions, writeOrders } from '../fixtures/lake.ts';
import { FakeTrino } from './support/trino-server.ts';

// eu-west-1 and us-east-1 run in "Trino" (the loopback server, DuckDB executing the generated SQL over the same
// parquet files); eu-central-1 runs embedded through the fallback: one query mixes both kinds of region.
const TRINO_REGIONS = ['eu-west-1', 'us-east-1'];
let root: string;
let duck: DuckDBInstance;
let connection: DuckDBConnection;
let server: FakeTrino;
let url: string;
let locations: Record<string, string>;

/** Readings: a double with a mean of 1e9 and a spread of about 2, and bigint ids just past 2^53 (odd ones too). */
const sensorsModel = topology('sensors', (t) => {
  for (const code of TRINO_REGIONS as ['eu-west-1', 'us-east-1']) {
    const region = t.region(code, { role: code === 'eu-west-1' ? 'primary' : 'secondary', jurisdiction: 'US' });
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

function readingsTable(rows: number, seed: number): ArrowTable {
  const next = random(seed);
  const device = new BigInt64Array(rows);
  const value = new Float64Array(rows);
  const sensors: string[] = [];
  for (let i = 0; i < rows; i++) {
    sensors.push(`s${Math.floor(next() * 4)}`);
    device[i] = 2n ** 53n + BigInt(Math.floor(next() * 500));
    value[i] = 1e9 + (next() + next() + next() - 1.5) * 2;
  }
  return new ArrowTable({
    sensor: vectorFromArray(sensors, new Utf8()),
    device: makeVector(makeData({ type: new Int64(), length: rows, data: device })),
    value: makeVector(makeData({ type: new Float64(), length: rows, data: value })),
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-trino-'));
  locations = Object.fromEntries(lakeRegions.map((r) => [r, join(root, r)]));
  await Promise.all(lakeRegions.map((r, i) => writeOrders(join(root, r), 700, 41 + i, i * 100_000)));
  duck = await DuckDBInstance.create(':memory:');
  connection = await duck.connect();
  for (const table of lakeModel.components.filter((c) => c.kind === 'deltaTable')) {
    const region = lakeRegions.find((r) => table.id.startsWith(`${r}/`)) as string;
    const name = trinoTableName(lakeModel, table);
    await connection.run(`ATTACH ':memory:' AS ${name.catalog}`);
    await connection.run(`CREATE SCHEMA ${name.catalog}.${name.schema}`);
    await connection.run(
      `CREATE TABLE ${name.catalog}.${name.schema}.${name.table} AS SELECT * FROM read_parquet('${join(root, region)}/**/*.parquet', hive_partitioning = true)`,
    );
  }
  for (const [i, region] of TRINO_REGIONS.entries()) {
    const dir = join(root, 'readings', region);
    await writeTable(dir, readingsTable(900, 61 + i), { mode: 'create' });
    const catalog = `delta_${region.replaceAll('-', '_')}`;
    await connection.run(`CREATE SCHEMA ${catalog}.sensors`);
    await connection.run(`CREATE TABLE ${catalog}.sensors.readings AS SELECT * FROM read_parquet('${dir}/*.parquet')`);
  }
  server = new FakeTrino({ connection, pageSize: 40 });
  url = await server.start();
}, 120_000);

afterAll(async () => {
  await server.stop();
  connection.closeSync();
  duck.closeSync();
  await rm(root, { recursive: true, force: true });
});

function runner(retry = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 }) {
  return trinoRunner({
    model: lakeModel,
    regions: Object.fromEntries(TRINO_REGIONS.map((r) => [r, { server: url, user: 'meridian-test' }])),
    fallback: jsRunner,
    retry,
  });
}

function rows(table: Table): unknown[] {
  return table.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

async function both(sql: string, options: { signal?: AbortSignal } = {}) {
  const plan = planQuery(lakeModel, { ...sqlToRequest(sql), from: 'EU' }, { locations });
  const embedded = await executeQuery(plan, { runner: jsRunner }).toArrow();
  const result = executeQuery(plan, { runner: runner(), ...options });
  const viaTrino = await result.toArrow();
  return { embedded, viaTrino, result };
}

describe('trinoRunner over the client protocol (a loopback server; DuckDB runs the generated SQL)', () => {
  const queries = [
    'SELECT currency, count(*) AS n, sum(amount) AS total, avg(amount) AS mean FROM orders GROUP BY currency ORDER BY currency',
    'SELECT _region, min(amount) AS lo, max(amount) AS hi, min(order_id) AS first_id, max(customer) AS last FROM orders GROUP BY _region ORDER BY _region',
    'SELECT order_date, var_samp(amount) AS v, stddev_pop(amount) AS s, var_pop(order_id) AS vi FROM orders GROUP BY order_date ORDER BY order_date',
    'SELECT count(DISTINCT customer) AS customers, approx_count_distinct(customer) AS approx, count(amount) AS priced FROM orders',
    "SELECT currency, count(*) AS n FROM orders WHERE customer <> 'c-7' AND amount > 100.5 AND order_date >= '2024-01-02' GROUP BY currency HAVING count(*) > 3 ORDER BY n DESC, currency",
    'SELECT order_id, customer, amount FROM orders ORDER BY amount DESC, order_id LIMIT 9',
    "SELECT order_id, amount FROM orders WHERE currency IN ('EUR', 'CHF') AND customer IS NULL ORDER BY order_id LIMIT 5",
  ];
  for (const sql of queries) {
    it(`answers as the embedded runner does: ${sql}`, async () => {
      const { embedded, viaTrino, result } = await both(sql);
      expect(viaTrino.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(
        embedded.schema.fields.map((f) => `${f.name}:${f.type}`),
      );
      expect(rows(viaTrino)).toEqual(rows(embedded));
      expect(embedded.numRows).toBeGreaterThan(0);
      const runners = Object.fromEntries(result.regions.map((r) => [r.region, r.runner]));
      expect(runners).toEqual({ 'eu-west-1': 'trino', 'eu-central-1': 'js', 'us-east-1': 'trino' });
    });
  }

  it('answers a global aggregate over no rows as SQL does, with the decimal type of a sum over rows', async () => {
    const { embedded, viaTrino } = await both(
      "SELECT count(*) AS n, sum(amount) AS s FROM orders WHERE customer = 'nobody'",
    );
    expect(rows(viaTrino)).toEqual(['{"n":"0n","s":null}']);
    expect(rows(viaTrino)).toEqual(rows(embedded));
    // The embedded partials are typed by the table's columns, not by the rows read (none here).
    expect(String(viaTrino.schema.fields[1]?.type)).toBe('Decimal[38e+2]');
    expect(String(embedded.schema.fields[1]?.type)).toBe('Decimal[38e+2]');
  });

  it('keeps bigints past 2^53 exact and doubles within rounding, as the embedded runner computes them', async () => {
    const sql =
      'SELECT sensor, count(*) AS n, sum(device) AS ids, min(device) AS lo, max(device) AS hi, count(DISTINCT device) AS devices, sum(value) AS total, avg(value) AS mean, var_samp(value) AS v, stddev_pop(value) AS s FROM readings GROUP BY sensor ORDER BY sensor';
    const sensorLocations = Object.fromEntries(TRINO_REGIONS.map((r) => [r, join(root, 'readings', r)]));
    const plan = planQuery(sensorsModel, sqlToRequest(sql), { locations: sensorLocations });
    const embedded = (await executeQuery(plan, { runner: jsRunner }).toArrow()).toArray().map((r) => r.toJSON());
    const trino = trinoRunner({
      model: sensorsModel,
      regions: Object.fromEntries(TRINO_REGIONS.map((r) => [r, { server: url, user: 'u' }])),
    });
    const viaTrino = (await executeQuery(plan, { runner: trino }).toArrow()).toArray().map((r) => r.toJSON());
    expect(viaTrino).toHaveLength(4);
    for (const [i, row] of viaTrino.entries()) {
      const mine = embedded[i] as Record<string, unknown>;
      for (const exact of ['sensor', 'n', 'ids', 'lo', 'hi', 'devices']) expect(row[exact], exact).toEqual(mine[exact]);
      for (const [name, relative] of [
        ['total', 1e-15],
        ['mean', 1e-15],
        // Sums of x - shift in both (shifts differ: the group's minimum there, the first value here). The engine's own
        // var_pop differed from these by up to 4e-8 with a mean 1e9 times the spread.
        ['v', 1e-12],
        ['s', 1e-12],
      ] as const) {
        const a = row[name] as number;
        const e = mine[name] as number;
        expect(Math.abs(a - e), `${name}: ${a} vs ${e}`).toBeLessThanOrEqual(relative * Math.abs(e));
      }
    }
    // Odd ids past 2^53 have no double: a JSON number would have rounded them.
    expect(viaTrino.some((r) => (r.hi as bigint) % 2n === 1n || (r.lo as bigint) % 2n === 1n)).toBe(true);
  });

  it('streams plain rows page by page with exact types, and sends the user on every statement', async () => {
    const before = server.statements.length;
    const requestsBefore = server.requests.length;
    const plan = planQuery(
      lakeModel,
      { table: 'orders', columns: ['order_id', 'amount', 'order_date'], regions: ['us-east-1'] },
      { locations },
    );
    const viaTrino = await executeQuery(plan, { runner: runner() }).toArrow();
    const embedded = await executeQuery(plan, { runner: jsRunner }).toArrow();
    const sorted = (t: Table) => rows(t).sort();
    expect(viaTrino.numRows).toBe(700);
    expect(sorted(viaTrino)).toEqual(sorted(embedded));
    expect(server.statements.length - before).toBe(2);
    const posts = server.requests.slice(requestsBefore).filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((r) => r.user === 'meridian-test')).toBe(true);
  });

  it('retries 502, 503 and 504 with backoff, then answers', async () => {
    const start = server.requests.length;
    server.faults.push(503, 502, 504);
    const { embedded, viaTrino } = await both(
      'SELECT currency, count(*) AS n FROM orders GROUP BY currency ORDER BY currency',
    );
    expect(rows(viaTrino)).toEqual(rows(embedded));
    const failed = server.requests.slice(start).filter((r) => r.status >= 500);
    expect(failed.map((r) => r.status)).toEqual([503, 502, 504]);
  });

  it('backs off exponentially between retries of one request', async () => {
    const start = server.requests.length;
    server.faults.push(503, 502, 504);
    const pages = statementPages({ server: url, user: 'u' }, 'SELECT 42 AS answer', {
      signal: new AbortController().signal,
      retry: { attempts: 4, baseDelayMs: 30, maxDelayMs: 1000 },
    });
    const all = [];
    for await (const page of pages) all.push(...page.data);
    expect(all).toEqual([[42]]);
    const seen = server.requests.slice(start);
    expect(seen.map((r) => r.status).slice(0, 4)).toEqual([503, 502, 504, 200]);
    // Waits of 30-60, 60-120 and 120-240 ms: each gap at least the doubled base.
    for (const [i, floor] of [30, 60, 120].entries()) {
      expect((seen[i + 1]?.at ?? 0) - (seen[i]?.at ?? 0)).toBeGreaterThanOrEqual(floor - 1);
    }
  });

  it('gives up after the bound of attempts with engine-failed naming the status', async () => {
    const start = server.requests.length;
    server.faults.push(503, 503, 503, 503, 503, 503);
    const plan = planQuery(lakeModel, { table: 'orders', regions: ['eu-west-1'], limit: 1, from: 'EU' }, { locations });
    const error = await executeQuery(plan, { runner: runner({ attempts: 3, baseDelayMs: 2, maxDelayMs: 5 }) })
      .toArrow()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(String((error as QueryError).cause instanceof QueryError ? (error as QueryError).cause : error)).toMatch(
      /503 3 times/,
    );
    expect(server.requests.length - start).toBe(3);
    server.faults.length = 0;
  });

  it('does not retry other statuses', async () => {
    const start = server.requests.length;
    server.faults.push(500);
    const pages = statementPages({ server: url, user: 'u' }, 'SELECT 1', { signal: new AbortController().signal });
    await expect(pages.next()).rejects.toThrow(/HTTP 500/);
    expect(server.requests.length - start).toBe(1);
  });

  it("names Trino's error when the statement fails", async () => {
    const pages = statementPages({ server: url, user: 'u' }, 'SELECT nope FROM nowhere', {
      signal: new AbortController().signal,
    });
    const error = await pages.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('engine-failed');
    expect((error as QueryError).message).toMatch(/SYNTAX_ERROR \(USER_ERROR\)/);
  });

  it('cancels with a DELETE of nextUri when the signal aborts mid-query', async () => {
    server.pageDelayMs = 300;
    try {
      const controller = new AbortController();
      const pages = statementPages({ server: url, user: 'u' }, 'SELECT * FROM delta_eu_west_1.lake.orders', {
        signal: controller.signal,
      });
      const first = await pages.next();
      expect(first.done).toBe(false);
      const deletedBefore = server.deleted.length;
      setTimeout(() => controller.abort(new Error('user cancelled')), 20);
      const error = await pages.next().catch((e: unknown) => e);
      expect((error as QueryError).code).toBe('aborted');
      expect(server.deleted.length).toBe(deletedBefore + 1);
      expect(server.deleted.at(-1)).toMatch(/^\/v1\/statement\/executing\/q\d+\/s1\/2$/);
    } finally {
      server.pageDelayMs = 0;
    }
  });

  it('cancels a statement aborted while its POST is in flight, once the answer names a nextUri', async () => {
    server.postDelayMs = 200;
    try {
      const controller = new AbortController();
      const deletedBefore = server.deleted.length;
      const pages = statementPages({ server: url, user: 'u' }, 'SELECT * FROM delta_us_east_1.lake.orders', {
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error('user cancelled')), 20);
      const started = performance.now();
      const error = await pages.next().catch((e: unknown) => e);
      expect((error as QueryError).code).toBe('aborted');
      // The caller is released at the abort, not when the POST answers.
      expect(performance.now() - started).toBeLessThan(180);
      for (let i = 0; i < 100 && server.deleted.length === deletedBefore; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(server.deleted.length).toBe(deletedBefore + 1);
    } finally {
      server.postDelayMs = 0;
    }
  });

  it('cancels when the consumer stops early', async () => {
    const pages = statementPages({ server: url, user: 'u' }, 'SELECT * FROM delta_us_east_1.lake.orders', {
      signal: new AbortController().signal,
    });
    const deletedBefore = server.deleted.length;
    for await (const _page of pages) break;
    expect(server.deleted.length).toBe(deletedBefore + 1);
  });

  it('refuses a column whose values Trino cuts (a Delta timestamp read as timestamp(3) with time zone)', async () => {
    await connection.run(
      "CREATE TABLE delta_eu_west_1.lake.events AS SELECT 1::BIGINT AS id, TIMESTAMPTZ '2024-01-01 00:00:00.123456+00' AS happened",
    );
    const model = { ...lakeModel, components: [...lakeModel.components] };
    const orders = lakeModel.components.find((c) => c.id === 'eu-west-1/orders') as DeltaTable;
    model.components.push({ ...orders, id: 'eu-west-1/events', name: 'events', columns: [] });
    const trino = trinoRunner({ model, regions: { 'eu-west-1': { server: url, user: 'u' } } });
    const plan = (sql: string) => planQuery(model, { ...sqlToRequest(sql), from: 'EU' }, { locations });
    const error = await executeQuery(plan('SELECT max(happened) AS last FROM events'), { runner: trino })
      .toArrow()
      .catch((e: unknown) => e);
    expect(String((error as QueryError).cause ?? error)).toMatch(
      /timestamp\(3\) with time zone.*microseconds are lost/,
    );
    // count needs no value: it runs.
    const counted = await executeQuery(plan('SELECT count(happened) AS n FROM events'), { runner: trino }).toArrow();
    expect(rows(counted)).toEqual(['{"n":"1n"}']);
  });
});
