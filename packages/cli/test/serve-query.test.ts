/**
 * End to end (issue 18, "Done means"): three regional orders tables, eu-central-1's on the real S3 server, each
 * behind a `meridian serve-query` gateway running as its own process on loopback; SQL through the gateways equals
 * DuckDB over the union of the same rows; a gateway SIGKILLed mid-query is replaced by the replica region or named
 * as missing; residency refuses raw rows at the planner and, for a hostile client, at the gateway itself. A broadcast
 * join runs at the orders gateways (currencies read once through us-east-1's), and a gateway refuses a join its own
 * topology forbids although the client's model allowed it.
 *
 * DuckDB has no S3 access here, so the rows written to S3 are also written to a local table for it (same seed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { openStorage, writeTable } from '@meridian/delta';
import {
  executeQuery,
  type GatewayFragmentReport,
  gatewayRunner,
  HLL_STANDARD_ERROR,
  KLL_RANK_ERROR,
  planQuery,
  QueryError,
  type QueryPlan,
  sqlToRequest,
} from '@meridian/query-client';
import { topology } from '@meridian/topology';
import { DataType, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeS3, s3ScratchUri, s3TestEnv, s3TestOptions } from '../../delta/test/setup/s3-env.ts';
import { writeOrders } from '../../query-client/test/fixtures/lake.ts';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const ROWS = 1500;
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'] as const;
type Region = (typeof REGIONS)[number];

/**
 * eu-west-1's lake replicates into eu-central-1's (S3 replication); EU personal data may leave only as aggregates.
 * A small `currencies` dimension in us-east-1 (no class) and `customers` in eu-west-1 (EU personal data, except in
 * the `loose` model a careless client plans with).
 */
const model = federated(true);
const loose = federated(false);

function federated(customersArePersonal: boolean) {
  return topology('federated', (t) => {
    const personal = t.dataClass('eu-personal', {
      jurisdictions: ['EU'],
      export: { aggregatesOnly: true, minGroupSize: 10 },
    });
    const west = t.region('eu-west-1', { role: 'primary', jurisdiction: 'EU' });
    const central = t.region('eu-central-1', { role: 'secondary', jurisdiction: 'EU' });
    const us = t.region('us-east-1', { role: 'secondary', jurisdiction: 'US' });
    const centralStore = central.objectStore('lake', { bucket: 'lake-central', dataClasses: [personal] });
    const westStore = west.objectStore('lake', {
      bucket: 'lake-west',
      dataClasses: [personal],
      replication: { to: centralStore },
    });
    const usStore = us.objectStore('lake', { bucket: 'lake-us' });
    const columns = [
      { name: 'order_id', type: 'long', nullable: false },
      { name: 'customer', type: 'string' },
      { name: 'amount', type: 'decimal(12,2)' },
      { name: 'currency', type: 'string' },
      { name: 'order_date', type: 'date', nullable: false },
    ];
    for (const [region, store, classes] of [
      [west, westStore, [personal]],
      [central, centralStore, [personal]],
      [us, usStore, []],
    ] as const) {
      region.deltaTable('orders', {
        store,
        path: 'delta/orders',
        columns,
        partitionColumns: ['order_date'],
        dataClasses: [...classes],
      });
    }
    us.deltaTable('currencies', {
      store: usStore,
      path: 'delta/currencies',
      columns: [
        { name: 'code', type: 'string' },
        { name: 'zone', type: 'string' },
      ],
    });
    west.deltaTable('customers', {
      store: customersArePersonal ? westStore : west.objectStore('open', { bucket: 'open-west' }),
      path: 'delta/customers',
      columns: [
        { name: 'id', type: 'string' },
        { name: 'segment', type: 'string' },
      ],
      dataClasses: customersArePersonal ? [personal] : [],
    });
  });
}

let scratch: string;
let duck: DuckDBInstance;
const gateways = new Map<Region, { child: ChildProcess; url: string }>();
const local: Record<string, string> = {};

function startGateway(region: Region, file: string, locations: Record<string, string>) {
  const env = s3TestEnv();
  const args = ['--conditions=@meridian/source', '--import', tsx, cli, 'serve-query', '--topology', file];
  args.push('--region', region, '--port', '0', '--endpoint', env.endpoint, '--max-body-bytes', '8192');
  for (const [id, uri] of Object.entries(locations)) args.push('--location', `${id}=${uri}`);
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: env.accessKeyId,
      AWS_SECRET_ACCESS_KEY: env.secretAccessKey,
      AWS_REGION: env.region,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.on('exit', (code) => reject(new Error(`serve-query ${region} exited ${code}: ${err}`)));
  });
}

function urls(): Record<string, string> {
  return Object.fromEntries([...gateways].map(([region, g]) => [region, g.url]));
}

async function duckdb(sql: string, regions: readonly Region[] = REGIONS): Promise<Record<string, unknown>[]> {
  const union = regions
    .map((r) => `SELECT *, '${r}' AS _region FROM read_parquet('${local[r]}/*/*.parquet', hive_partitioning = true)`)
    .join(' UNION ALL ');
  const connection = await duck.connect();
  try {
    return (await connection.runAndReadAll(`WITH orders AS (${union}) ${sql}`)).getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

/** Our result's rows with decimals as numbers (Arrow gives the unscaled integer) and dates as YYYY-MM-DD. */
function rowsOf(table: Table): Record<string, unknown>[] {
  return table.toArray().map((row) => {
    const out = row.toJSON() as Record<string, unknown>;
    for (const field of table.schema.fields) {
      const v = out[field.name];
      if (v === null || v === undefined) continue;
      if (DataType.isDecimal(field.type)) out[field.name] = Number(String(v)) / 10 ** field.type.scale;
      else if (DataType.isDate(field.type)) out[field.name] = new Date(Number(v)).toISOString().slice(0, 10);
    }
    return out;
  });
}

function plain(rows: readonly Record<string, unknown>[]): string[] {
  return rows
    .map((r) =>
      JSON.stringify(
        Object.values(r).map((v) => {
          if (v === null || v === undefined) return null;
          if (v instanceof Date) return v.toISOString().slice(0, 10);
          const n = Number(typeof v === 'object' ? String(v) : v);
          // Averages and standard deviations differ in the last bits between engines: 6 significant digits.
          return Number.isFinite(n) && typeof v !== 'string' ? Number(n.toPrecision(6)) : String(v);
        }),
      ),
    )
    .sort();
}

async function viaGateways(
  sql: string,
  from: string,
  options: { partial?: boolean; plan?: QueryPlan; model?: typeof model } = {},
) {
  const clientModel = options.model ?? model;
  const plan = options.plan ?? planQuery(clientModel, { ...sqlToRequest(sql), from });
  const reports: GatewayFragmentReport[] = [];
  const runner = gatewayRunner({
    model: clientModel,
    gateways: urls(),
    destination: plan.destination,
    retries: 1,
    backoffMs: 50,
    onFragment: (r) => reports.push(r),
  });
  const result = executeQuery(plan, { runner, onRegionFailure: options.partial ? 'partial' : 'fail' });
  const rows = rowsOf(await result.toArrow());
  return { rows, result, reports };
}

describeS3('federated SQL through three serve-query gateways', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'meridian-serve-query-'));
    const file = join(scratch, 'topology.json');
    await writeFile(file, JSON.stringify(model));
    const s3Uri = s3ScratchUri('gateway-eu-central-1');
    await Promise.all(
      REGIONS.map(async (region, i) => {
        local[region] = join(scratch, region);
        await writeOrders(local[region] as string, ROWS, 71 + i, i * 100_000);
        if (region === 'eu-central-1')
          await writeOrders(openStorage(s3Uri, { s3: s3TestOptions() }), ROWS, 71 + i, i * 100_000);
      }),
    );
    local.currencies = join(scratch, 'currencies');
    await writeTable(
      local.currencies,
      new Table({
        code: vectorFromArray(['EUR', 'CHF', 'GBP', 'USD', 'JPY'], new Utf8()),
        zone: vectorFromArray(['europe', 'europe', 'europe', 'americas', 'asia'], new Utf8()),
      }),
      { mode: 'create' },
    );
    local.customers = join(scratch, 'customers');
    const ids = Array.from({ length: 300 }, (_, i) => `c-${i}`);
    await writeTable(
      local.customers,
      new Table({
        id: vectorFromArray(ids, new Utf8()),
        segment: vectorFromArray(
          ids.map((_, i) => ['gold', 'silver', 'bronze'][i % 3] as string),
          new Utf8(),
        ),
      }),
      { mode: 'create' },
    );
    // S3 replication's copy of eu-west-1's table, in eu-central-1: the same files.
    const replica = join(scratch, 'replica-of-eu-west-1');
    await cp(local['eu-west-1'] as string, replica, { recursive: true });
    const started = await Promise.all([
      startGateway('eu-west-1', file, {
        'eu-west-1/orders': local['eu-west-1'] as string,
        'eu-west-1/customers': local.customers as string,
      }),
      startGateway('eu-central-1', file, { 'eu-central-1/orders': s3Uri, 'eu-west-1/orders@eu-central-1': replica }),
      startGateway('us-east-1', file, {
        'us-east-1/orders': local['us-east-1'] as string,
        'us-east-1/currencies': local.currencies as string,
      }),
    ]);
    for (const [i, region] of REGIONS.entries())
      gateways.set(region, started[i] as { child: ChildProcess; url: string });
    duck = await DuckDBInstance.create(':memory:');
  }, 240_000);

  afterAll(async () => {
    for (const g of gateways.values())
      if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGTERM');
    duck?.closeSync();
    await rm(scratch, { recursive: true, force: true });
  });

  it.each([
    'SELECT currency, count(*) AS n, sum(amount) AS total, avg(amount) AS mean, min(amount) AS low, max(amount) AS high FROM orders GROUP BY currency',
    'SELECT _region, count(DISTINCT customer) AS customers, stddev_samp(amount) AS sd FROM orders GROUP BY _region',
    "SELECT order_date, count(*) AS n FROM orders WHERE currency = 'EUR' GROUP BY order_date",
    'SELECT order_id, amount, _region FROM orders WHERE amount IS NOT NULL ORDER BY amount DESC LIMIT 5',
  ])("%s equals DuckDB's answer over all files", async (sql) => {
    const { rows, result, reports } = await viaGateways(sql, 'EU');
    expect(plain(rows)).toEqual(plain(await duckdb(sql)));
    expect(result.regions.map((r) => r.runner)).toEqual(['gateway', 'gateway', 'gateway']);
    // Every region answered through its own gateway, and what crossed is counted per region.
    expect(new Set(reports.map((r) => r.servedBy))).toEqual(new Set(REGIONS));
    expect(reports.filter((r) => r.mode !== 'schema').every((r) => r.bytes > 0)).toBe(true);
  });

  it('approx_count_distinct equals the in-process sketch and is within the HyperLogLog bound of the exact count', async () => {
    const sql =
      'SELECT currency, approx_count_distinct(customer) AS approx, approx_count_distinct(order_id) AS ids FROM orders GROUP BY currency';
    const { rows, result } = await viaGateways(sql, 'EU');
    expect(result.regions.map((r) => r.runner)).toEqual(['gateway', 'gateway', 'gateway']);
    // In process over the same rows (eu-central-1's S3 table has a local twin written from the same seed).
    const plan = planQuery(model, { ...sqlToRequest(sql), from: 'EU' });
    const inProcess = rowsOf(
      await executeQuery({
        ...plan,
        fragments: plan.fragments.map((f) => ({ ...f, uri: local[f.region] as string })),
      }).toArrow(),
    );
    expect(plain(rows)).toEqual(plain(inProcess));
    const exact = await duckdb(
      'SELECT currency, count(DISTINCT customer) AS approx, count(DISTINCT order_id) AS ids FROM orders GROUP BY currency',
    );
    expect(rows.length).toBe(exact.length);
    for (const row of rows) {
      const truth = exact.find((e) => e.currency === row.currency) as Record<string, unknown>;
      for (const measure of ['approx', 'ids']) {
        const d = Number(truth[measure]);
        expect(d).toBeGreaterThan(100);
        expect(Math.abs(Number(row[measure]) - d) / d, `${String(row.currency)} ${measure}`).toBeLessThanOrEqual(
          3 * HLL_STANDARD_ERROR,
        );
      }
    }
  });

  it("approx_quantile through the gateways is within the KLL rank bound of DuckDB's exact ranks", async () => {
    const qs = [0.1, 0.5, 0.9];
    const select = qs.map((q, i) => `approx_quantile(amount, ${q}) AS q${i}`).join(', ');
    const { rows, result } = await viaGateways(`SELECT ${select} FROM orders`, 'EU');
    expect(result.regions.map((r) => r.runner)).toEqual(['gateway', 'gateway', 'gateway']);
    const [total] = await duckdb('SELECT count(amount) AS n FROM orders');
    const n = Number(total?.n);
    expect(n).toBeGreaterThan(3 * ROWS * 0.9);
    for (const [i, q] of qs.entries()) {
      const value = Number(rows[0]?.[`q${i}`]);
      // The returned item's rank interval [below, atOrBelow] must come within the bound of q * n.
      const [rank] = await duckdb(
        `SELECT count(*) FILTER (WHERE amount < ${value}) AS below, count(*) FILTER (WHERE amount <= ${value}) AS at FROM orders`,
      );
      expect(Number(rank?.at), `q=${q}`).toBeGreaterThanOrEqual(q * n - KLL_RANK_ERROR * n);
      expect(Number(rank?.below), `q=${q}`).toBeLessThanOrEqual(q * n + KLL_RANK_ERROR * n);
    }
  });

  it('residency: raw EU rows to the US are refused; the aggregate is rewritten and small groups suppressed', async () => {
    expect(() => planQuery(model, { ...sqlToRequest('SELECT customer FROM orders'), from: 'us-east-1' })).toThrow(
      QueryError,
    );
    // Each gateway drops its own groups under minGroupSize, so a currency's group over eu-west-1 and eu-central-1 could
    // come back short: refused. Grouped by region as well, no group spans regions: the rewrite's answer is exact.
    const sql = 'SELECT currency, count(*) AS n, sum(amount) AS total FROM orders GROUP BY currency';
    await expect(viaGateways(sql, 'us-east-1')).rejects.toMatchObject({ code: 'engine-unsupported' });
    const byRegion =
      'SELECT _region, currency, count(*) AS n, sum(amount) AS total FROM orders GROUP BY _region, currency';
    const { rows } = await viaGateways(byRegion, 'us-east-1');
    expect(rows.length).toBeGreaterThan(0);
    expect(plain(rows)).toEqual(plain(await duckdb(byRegion)));
    // A GROUP BY on a unique key from the US: every group has one row, so nothing leaves.
    const unique = await viaGateways('SELECT order_id, count(*) AS n FROM orders GROUP BY order_id', 'us-east-1', {
      plan: planQuery(model, {
        ...sqlToRequest('SELECT order_id, count(*) AS n FROM orders GROUP BY order_id'),
        from: 'us-east-1',
        regions: ['eu-west-1'],
      }),
    });
    expect(unique.rows).toEqual([]);
  });

  it('a hostile client asking a gateway directly gets the stable refusal codes', async () => {
    const west = gateways.get('eu-west-1')?.url as string;
    const post = async (body: unknown) => {
      const response = await fetch(`${west}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
    };
    const base = { version: 1, component: 'eu-west-1/orders' };
    // Raw rows, and the identifiers inside an exact count distinct's partial, may not leave the EU.
    expect(await post({ ...base, mode: 'rows', from: 'us-east-1' })).toEqual({
      status: 403,
      code: 'residency-violation',
    });
    expect(
      await post({
        ...base,
        mode: 'partial',
        from: 'us-east-1',
        aggregate: { groupBy: [], measures: [{ fn: 'count_distinct', column: 'customer' }] },
      }),
    ).toEqual({ status: 403, code: 'residency-violation' });
    expect(await post({ ...base, mode: 'rows', from: 'EU', uri: local['us-east-1'] })).toEqual({
      status: 403,
      code: 'undeclared-location',
    });
    expect(await post({ ...base, component: 'us-east-1/orders', mode: 'rows' })).toEqual({
      status: 404,
      code: 'unknown-table',
    });
    expect(await post('{"version":1,')).toEqual({ status: 400, code: 'malformed-json' });
    expect(await post({ ...base, mode: 'rows', where: 'x'.repeat(9000) })).toEqual({
      status: 413,
      code: 'payload-too-large',
    });
  });

  it("a broadcast join with GROUP BY through the gateways equals DuckDB's answer over all files", async () => {
    const sql =
      'SELECT c.zone, count(*) AS n, sum(o.amount) AS total, avg(o.amount) AS mean FROM orders o JOIN currencies c ON o.currency = c.code GROUP BY c.zone';
    const { rows, result, reports } = await viaGateways(sql, 'EU');
    const reference = await duckdb(
      `, currencies AS (SELECT * FROM read_parquet('${local.currencies}/*.parquet')) ${sql}`,
    );
    expect(reference.length).toBe(2);
    expect(plain(rows)).toEqual(plain(reference));
    // The join ran at the three orders gateways; currencies was read once, through us-east-1's gateway, as rows.
    expect(result.regions.map((r) => [r.region, r.runner])).toEqual(REGIONS.map((r) => [r, 'gateway']));
    expect(reports.filter((r) => r.component === 'us-east-1/currencies').map((r) => r.mode)).toEqual([
      'schema',
      'rows',
    ]);
    expect(
      reports
        .filter((r) => r.mode === 'partial')
        .map((r) => r.servedBy)
        .sort(),
    ).toEqual([...REGIONS].sort());
    expect(
      result.crossings
        .filter((c) => c.what === 'broadcast')
        .map((c) => c.to)
        .sort(),
    ).toEqual(['eu-central-1', 'eu-west-1']);
  });

  it('a join the gateways refuse: their topology keeps customers out of the US, whatever the client planned', async () => {
    const sql =
      "SELECT c.segment, count(*) AS n FROM orders o JOIN customers c ON o.customer = c.id WHERE c.segment = 'gold' GROUP BY c.segment";
    // The careless client's model has customers unrestricted, so it broadcasts them to every orders region.
    const error = await viaGateways(sql, 'EU', { model: loose }).catch((e: unknown) => e);
    // The region's failure names the gateway's refusal (its code kept) and why.
    expect(error).toBeInstanceOf(QueryError);
    const cause = (error as QueryError).cause as QueryError;
    expect(cause).toBeInstanceOf(QueryError);
    expect(cause.code).toBe('residency-violation');
    expect(cause.message).toMatch(/broadcasting customers is refused: .*eu-personal/);
    // With the true model the planner broadcasts orders to eu-west-1 instead: 4,500 rows, over the gateways'
    // 8 KiB request limit, refused as such (never read in process instead).
    const big = await viaGateways(sql, 'EU').catch((e: unknown) => e);
    expect(big).toBeInstanceOf(QueryError);
    expect(((big as QueryError).cause as QueryError).code).toBe('broadcast-too-large');
    expect((big as QueryError).message).toMatch(/request size limit/);
  });

  it('with us-east-1 SIGKILLed mid-query and no replica, partial names it and the rest equals DuckDB', async () => {
    const sql = 'SELECT currency, count(*) AS n, sum(amount) AS total FROM orders GROUP BY currency';
    const plan = planQuery(model, { ...sqlToRequest(sql), from: 'EU' });
    const us = gateways.get('us-east-1');
    const runner = gatewayRunner({
      model,
      gateways: urls(),
      destination: plan.destination,
      retries: 1,
      backoffMs: 50,
      // Killed once every region has opened: the query is under way when the gateway dies.
      onFragment: (r) => {
        if (r.mode === 'schema' && r.region === 'us-east-1') us?.child.kill('SIGKILL');
      },
    });
    const result = executeQuery(plan, { runner, onRegionFailure: 'partial' });
    const rows = rowsOf(await result.toArrow());
    expect(result.missingRegions.map((m) => [m.region, m.code])).toEqual([['us-east-1', 'gateway-failed']]);
    expect(plain(rows)).toEqual(plain(await duckdb(sql, ['eu-west-1', 'eu-central-1'])));
  });

  it('with eu-west-1 SIGKILLed mid-query, the replica in eu-central-1 answers and the result stays whole', async () => {
    const sql = 'SELECT _region, currency, count(*) AS n, avg(amount) AS mean FROM orders GROUP BY _region, currency';
    const plan = planQuery(model, { ...sqlToRequest(sql), from: 'EU', regions: ['eu-west-1', 'eu-central-1'] });
    const west = gateways.get('eu-west-1');
    const reports: GatewayFragmentReport[] = [];
    const runner = gatewayRunner({
      model,
      gateways: urls(),
      destination: plan.destination,
      retries: 1,
      backoffMs: 50,
      onFragment: (r) => {
        reports.push(r);
        if (r.mode === 'schema' && r.region === 'eu-west-1') west?.child.kill('SIGKILL');
      },
    });
    const result = executeQuery(plan, { runner });
    const rows = rowsOf(await result.toArrow());
    expect(result.missingRegions).toEqual([]);
    expect(plain(rows)).toEqual(plain(await duckdb(sql, ['eu-west-1', 'eu-central-1'])));
    const partial = reports.find((r) => r.region === 'eu-west-1' && r.mode === 'partial');
    expect(partial).toMatchObject({ servedBy: 'eu-central-1', replica: true });
    expect(partial?.attempts).toBeGreaterThan(1);
  });
});
