/**
 * The gateway runner against gateways started in this process: every query shape gives the in-process answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  executeQuery,
  gatewayRunner,
  planQuery,
  type QueryGateway,
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
  'SELECT order_id, amount FROM orders ORDER BY amount DESC LIMIT 7',
  "SELECT order_id, currency FROM orders WHERE currency = 'CHF' AND order_date >= '2024-01-03'",
])('%s: the same answer through gateways as in process', async (sql) => {
  const { local, remote, runner, result } = await both(sql);
  expect(remote.length).toBeGreaterThan(0);
  expect([...remote].sort()).toEqual([...local].sort());
  expect(result.regions.map((r) => r.runner)).toEqual(['gateway', 'gateway', 'gateway']);
  expect(runner.reports.filter((r) => r.mode !== 'schema').every((r) => r.bytes > 0)).toBe(true);
});
