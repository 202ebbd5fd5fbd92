/**
 * The gateway runner against gateways started in this process: every query shape gives the in-process answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '@meridian/delta';
import { topology } from '@meridian/topology';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  executeQuery,
  gatewayRunner,
  planQuery,
  type QueryGateway,
  replicaRegions,
  sqlToRequest,
  startQueryGateway,
} from '../src/index.ts';
import { lakeRegions, lakeTopology, writeOrders } from './fixtures/lake.ts';

const model = lakeTopology();
let root: string;
let locations: Record<string, string>;
const gateways: QueryGateway[] = [];
const urls: Record<string, string> = {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-gateway-runner-'));
  locations = Object.fromEntries(lakeRegions.map((r) => [`${r}/orders`, join(root, r)]));
  await Promise.all(lakeRegions.map((r, i) => writeOrders(join(root, r), 700, 21 + i, i * 10_000)));
  for (const region of lakeRegions) {
    const gateway = await startQueryGateway({ model, region, locations });
    gateways.push(gateway);
    urls[region] = gateway.url;
  }
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await rm(root, { recursive: true, force: true });
});

async function both(sql: string, from = 'EU') {
  const plan = planQuery(model, { ...sqlToRequest(sql), from }, { locations });
  const local = await executeQuery(plan).toArrow();
  const runner = gatewayRunner({ model, gateways: urls, destination: plan.destination });
  const result = executeQuery(plan, { runner });
  const remote = await result.toArrow();
  const rows = (t: typeof local) =>
    t.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}` : v)));
  return { local: rows(local), remote: rows(remote), runner, result };
}

it.each([
  'SELECT currency, count(*), sum(amount), avg(amount), min(amount), max(amount) FROM orders GROUP BY currency ORDER BY currency',
  'SELECT count(DISTINCT customer) AS customers, stddev_samp(amount) FROM orders',
  'SELECT order_id, amount FROM orders ORDER BY amount DESC, order_id LIMIT 7', // order_id breaks ties: many amounts are NULL
  "SELECT order_id, currency FROM orders WHERE currency = 'CHF' AND order_date >= '2024-01-03'",
])('%s: the same answer through gateways as in process', async (sql) => {
  const { local, remote, runner, result } = await both(sql);
  expect(remote.length).toBeGreaterThan(0);
  expect([...remote].sort()).toEqual([...local].sort());
  expect(result.regions.map((r) => r.runner)).toEqual(['gateway', 'gateway', 'gateway']);
  expect(runner.reports.filter((r) => r.mode !== 'schema').every((r) => r.bytes > 0)).toBe(true);
});

it('fails over to the gateway of the region its store replicates to when the region’s gateway stops mid-query', async () => {
  const replicated = topology('replicated', (t) => {
    const west = t.region('eu-west-1', { role: 'primary', jurisdiction: 'EU' });
    const central = t.region('eu-central-1', { role: 'secondary', jurisdiction: 'EU' });
    const copy = central.objectStore('lake', { bucket: 'lake-central' });
    const store = west.objectStore('lake', { bucket: 'lake-west', replication: { to: copy } });
    west.deltaTable('orders', { store, path: 'delta/orders' });
  });
  const table = replicated.components.find((c) => c.kind === 'deltaTable');
  expect(table && replicaRegions(replicated, table as never)).toEqual(['eu-central-1']);
  const primary = await startQueryGateway({
    model: replicated,
    region: 'eu-west-1',
    locations: { 'eu-west-1/orders': join(root, 'eu-west-1') },
  });
  // The replica's copy: the same files, under the key <component>@<region>.
  const standby = await startQueryGateway({
    model: replicated,
    region: 'eu-central-1',
    locations: { 'eu-west-1/orders@eu-central-1': join(root, 'eu-west-1') },
  });
  try {
    const plan = planQuery(replicated, sqlToRequest('SELECT currency, count(*) AS n FROM orders GROUP BY currency'));
    const expected = await executeQuery(plan, { openStorage: () => openStorage(join(root, 'eu-west-1')) }).toArrow();
    let closing: Promise<void> | undefined;
    const runner = gatewayRunner({
      model: replicated,
      gateways: { 'eu-west-1': primary.url, 'eu-central-1': standby.url },
      retries: 1,
      backoffMs: 10,
      onFragment: (r) => {
        if (r.mode === 'schema') closing = primary.close();
      },
    });
    const result = executeQuery(plan, { runner });
    const answer = await result.toArrow();
    await closing;
    const sorted = (t: typeof answer) =>
      t
        .toArray()
        .map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}` : v)))
        .sort();
    expect(sorted(answer)).toEqual(sorted(expected));
    const partial = runner.reports.find((r) => r.mode === 'partial');
    expect(partial).toMatchObject({ servedBy: 'eu-central-1', replica: true });
    // A gateway the topology gives no replica of the table refuses it.
    const usGateway = await startQueryGateway({ model, region: 'us-east-1', locations });
    try {
      const refused = await fetch(`${usGateway.url}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ version: 1, component: 'eu-west-1/orders', mode: 'schema' }),
      });
      expect(refused.status).toBe(404);
    } finally {
      await usGateway.close();
    }
  } finally {
    await standby.close();
    await primary.close().catch(() => {});
  }
});

it('refuses an aggregates-only export whose groups span regions, which gateways would each thin out on their own', async () => {
  // eu-personal may leave the EU as groups of at least MIN rows. A currency's orders lie in eu-west-1 and eu-central-1:
  // each gateway would drop the groups under MIN in its own region, and the merged count would come back short.
  const MIN = 250;
  const exported = lakeTopology({ aggregatesOnly: true, minGroupSize: MIN });
  const started = await Promise.all(
    lakeRegions.map((region) => startQueryGateway({ model: exported, region, locations })),
  );
  const json = (r: { toJSON(): object }) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}` : v));
  try {
    const own = Object.fromEntries(started.map((g, i) => [lakeRegions[i], g.url]));
    const run = (sql: string) => {
      const plan = planQuery(exported, { ...sqlToRequest(sql), from: 'us-east-1' }, { locations });
      const runner = gatewayRunner({ model: exported, gateways: own, destination: plan.destination });
      return { local: executeQuery(plan).toArrow(), remote: executeQuery(plan, { runner }).toArrow() };
    };
    const split = run('SELECT currency, count(*) AS n FROM orders GROUP BY currency');
    await expect(split.remote).rejects.toMatchObject({
      code: 'engine-unsupported',
      message: expect.stringContaining('counted over eu-west-1, eu-central-1 together'),
    });
    // In process, a currency is kept when its EU rows reach MIN over both regions, though in each alone they do not:
    // exactly the groups each gateway would have dropped.
    const kept = (await split.local).toArray().map((r) => String(r.currency));
    expect(kept.length).toBeGreaterThan(0);
    const perRegion = await executeQuery(
      planQuery(
        model,
        {
          ...sqlToRequest('SELECT _region, currency, count(*) AS n FROM orders GROUP BY _region, currency'),
          from: 'EU',
        },
        { locations },
      ),
    ).toArrow();
    for (const currency of kept) {
      for (const region of ['eu-west-1', 'eu-central-1']) {
        const row = perRegion.toArray().find((r) => r._region === region && r.currency === currency);
        expect(Number(row?.n ?? 0), `${currency} in ${region}`).toBeLessThan(MIN);
      }
    }
    // Grouped by region, a group cannot span regions: the gateways' answer is the in-process one.
    const byRegion = run('SELECT _region, currency, count(*) AS n FROM orders GROUP BY _region, currency');
    const rows = (t: Awaited<typeof byRegion.local>) => t.toArray().map(json).sort();
    const local = rows(await byRegion.local);
    expect(local.length).toBeGreaterThan(0);
    expect(rows(await byRegion.remote)).toEqual(local);
  } finally {
    await Promise.all(started.map((g) => g.close()));
  }
});
