/**
 * Broadcast joins through query gateways (in process, on loopback): the broadcast side is read once through its own
 * gateway and each probe region's gateway joins it; the answers equal the in-process join's, minGroupSize is counted
 * by distinct rows at the gateway, and what a gateway's topology forbids is refused there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  executeQuery,
  type GatewayFragmentReport,
  gatewayRunner,
  planQuery,
  QueryError,
  type QueryGateway,
  sqlToRequest,
  startQueryGateway,
} from '../src/index.ts';
import { joinRegions, joinTopology, writeJoinLake } from './fixtures/join-lake.ts';

// Small enough that one region's orders of c-11 (two customer rows) are over it as joined rows, under it as orders.
const MIN = 6;
const exportRule = { aggregatesOnly: true, minGroupSize: MIN } as const;
// Orders are EU personal data that may leave as aggregates; customers are not restricted.
const model = joinTopology({ exportRule });
let root: string;
let locations: Record<string, string>;
const gateways: QueryGateway[] = [];
const urls: Record<string, string> = {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-gateway-join-'));
  locations = await writeJoinLake(root, 2000);
  for (const region of joinRegions) {
    const gateway = await startQueryGateway({ model, region, locations });
    gateways.push(gateway);
    urls[region] = gateway.url;
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await rm(root, { recursive: true, force: true });
});

const text = (t: { toArray(): { toJSON(): unknown }[] }) =>
  t
    .toArray()
    .map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}` : v)))
    .sort();

async function both(sql: string, from: string, clientModel = model) {
  const plan = planQuery(clientModel, { ...sqlToRequest(sql), from }, { locations });
  const local = executeQuery(plan);
  const localRows = text(await local.toArrow());
  const reports: GatewayFragmentReport[] = [];
  const runner = gatewayRunner({
    model: clientModel,
    gateways: urls,
    destination: plan.destination,
    onFragment: (r) => reports.push(r),
  });
  const result = executeQuery(plan, { runner });
  const remote = text(await result.toArrow());
  return { local: localRows, remote, result, reports, localResult: local };
}

describe('a broadcast join through gateways', () => {
  it.each([
    [
      'EU',
      'SELECT c.segment, count(*) AS n, sum(o.amount) AS s FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.segment',
    ],
    [
      'EU',
      'SELECT o.order_id, c.segment FROM orders o JOIN customers c ON o.customer = c.id ORDER BY o.order_id DESC LIMIT 7',
    ],
    [
      'EU',
      "SELECT o.order_id, c.segment FROM orders o JOIN customers c ON o.customer = c.id WHERE o.currency = 'CHF' AND o.order_id < 1000",
    ],
    [
      'EU',
      'SELECT c.segment, count(*) AS n FROM orders o LEFT JOIN customers c ON o.customer = c.id GROUP BY c.segment',
    ],
  ])('from %s, %s: the same answer as the in-process join', async (from, sql) => {
    const { local, remote, result, reports } = await both(sql, from);
    expect(local.length).toBeGreaterThan(0);
    expect(remote).toEqual(local);
    expect(result.regions.map((r) => r.runner)).toEqual(['gateway', 'gateway', 'gateway']);
    // customers was read once, through eu-west-1's gateway; every orders gateway got a join fragment.
    expect(reports.filter((r) => r.component === 'eu-west-1/customers' && r.mode === 'rows')).toHaveLength(1);
  });

  it('counts distinct orders, not joined rows, at the gateway: a customer with two rows does not double its orders', async () => {
    // c-11 has two customer rows, so each of its orders is two joined rows. Its orders in eu-west-1 alone:
    const idQuery = "SELECT order_id FROM orders WHERE customer = 'c-11' AND order_id < 100000";
    const idPlan = planQuery(model, { ...sqlToRequest(idQuery), from: 'EU' }, { locations });
    const west = (await executeQuery(idPlan).toArrow()).toArray().length;
    expect(west * 2).toBeGreaterThanOrEqual(MIN);
    expect(west).toBeLessThan(MIN);
    const sql = `SELECT o.customer, count(*) AS n FROM orders o JOIN customers c ON o.customer = c.id WHERE o.customer = 'c-11' AND o.order_id < 100000 GROUP BY o.customer`;
    // Over the minimum as joined rows, under it as orders: the merge drops the group in process. Through gateways the
    // orders of eu-west-1 and eu-central-1 would each be thinned out on their own: refused (gatewayRunner's checkPlan).
    const plan = planQuery(model, { ...sqlToRequest(sql), from: 'US' }, { locations });
    expect(text(await executeQuery(plan).toArrow())).toEqual([]);
    const runner = gatewayRunner({ model, gateways: urls, destination: plan.destination });
    await expect(executeQuery(plan, { runner }).toArrow()).rejects.toMatchObject({ code: 'engine-unsupported' });
  });

  it("refuses at the gateway what its topology forbids, whatever the client's model says", async () => {
    // The client believes orders unrestricted and asks for joined rows from the US; the gateways know better.
    const careless = joinTopology({ ordersClass: false });
    const sql = 'SELECT o.order_id, c.segment FROM orders o JOIN customers c ON o.customer = c.id LIMIT 5';
    const plan = planQuery(careless, { ...sqlToRequest(sql), from: 'US' }, { locations });
    const runner = gatewayRunner({ model: careless, gateways: urls, destination: plan.destination });
    const error = await executeQuery(plan, { runner })
      .toArrow()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(((error as QueryError).cause as QueryError).code).toBe('residency-violation');
  });

  it.each([
    ['count(DISTINCT o.customer)', 'count_distinct(customer)'],
    ['approx_count_distinct(o.customer)', 'approx_count_distinct(customer)'],
  ])(
    "refuses at the gateway a joined partial of %s, whose state holds the orders' row values",
    async (measure, named) => {
      // The client believes orders unrestricted; each orders gateway of the EU knows they leave only as aggregates.
      // A distinct count is such an aggregate, but its partial state is the distinct keys (or a sketch's items).
      const careless = joinTopology({ ordersClass: false });
      const sql = `SELECT c.segment, ${measure} AS m FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.segment`;
      const plan = planQuery(careless, { ...sqlToRequest(sql), from: 'US' }, { locations });
      // Sums and counts of the same join leave (the first test's query): only the measure decides.
      expect(plan.aggregate?.measures.map((m) => `${m.fn}(${m.column ?? '*'})`)).toEqual([named]);
      const runner = gatewayRunner({ model: careless, gateways: urls, destination: plan.destination });
      const error = await executeQuery(plan, { runner })
        .toArrow()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryError);
      const cause = (error as QueryError).cause as QueryError;
      expect(cause.code).toBe('residency-violation');
      expect(cause.message).toMatch(
        new RegExp(
          `\\(eu-[a-z]+-1\\) .*${named.replace(/[()]/g, '\\$&')}'s partial state holds row values of eu-[a-z]+-1/orders \\('eu-personal'\\), which may leave EU only as aggregates`,
        ),
      );
    },
  );

  it('refuses a broadcast over maxBroadcastBytes rather than reading it in process', async () => {
    const sql =
      'SELECT c.segment, count(*) AS n FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.segment';
    const plan = planQuery(model, { ...sqlToRequest(sql), from: 'EU' }, { locations });
    const runner = gatewayRunner({ model, gateways: urls, destination: plan.destination });
    const error = await executeQuery(plan, { runner, maxBroadcastBytes: 100 })
      .toArrow()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('broadcast-too-large');
    expect((error as QueryError).message).toMatch(/customers: over 100 bytes/);
  });
});
