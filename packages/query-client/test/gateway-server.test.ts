/**
 * The query gateway's HTTP protocol and limits, against a gateway started in this process over real Delta tables:
 * what it streams for a valid fragment, and the stable error codes hostile requests get.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QueryGateway, startQueryGateway } from '../src/index.ts';
import { lakeRegions, lakeTopology, writeOrders } from './fixtures/lake.ts';

const ROWS = 800;
let root: string;
let gateway: QueryGateway;
const model = lakeTopology();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-gateway-'));
  await Promise.all(lakeRegions.map((r, i) => writeOrders(join(root, r), ROWS, 11 + i, i * 10_000)));
  gateway = await startQueryGateway({
    model,
    region: 'us-east-1',
    locations: { 'us-east-1/orders': join(root, 'us-east-1') },
    maxBodyBytes: 4096,
    bodyTimeoutMs: 500,
    maxConcurrent: 2,
  });
});

afterAll(async () => {
  await gateway.close();
  await rm(root, { recursive: true, force: true });
});

const fragment = { version: 1, component: 'us-east-1/orders', mode: 'rows', columns: ['order_id', 'currency'] };

async function post(body: string | object, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return response;
}

async function errorOf(response: Response): Promise<{ status: number; code: string; body: Record<string, unknown> }> {
  const body = (await response.json()) as { error: { code: string } };
  return { status: response.status, code: body.error.code, body: body.error };
}

describe('a valid fragment', () => {
  it('streams the region’s rows as Arrow IPC', async () => {
    const response = await post({ ...fragment, where: "currency = 'EUR'" });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['order_id', 'currency']);
    expect(table.numRows).toBeGreaterThan(100);
    expect(table.numRows).toBeLessThan(ROWS);
    expect(
      table
        .getChild('currency')
        ?.toArray()
        .every((c: string) => c === 'EUR'),
    ).toBe(true);
  });

  it('answers the health checks', async () => {
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, tables: [{ component: 'us-east-1/orders', ok: true }] });
  });
});

describe('hostile requests get a stable code', () => {
  it('an oversized body: 413 payload-too-large', async () => {
    const response = await post({ ...fragment, where: `currency = '${'x'.repeat(10_000)}'` });
    expect(await errorOf(response)).toMatchObject({ status: 413, code: 'payload-too-large' });
  });

  it('malformed JSON: 400 malformed-json', async () => {
    expect(await errorOf(await post('{"version": 1, "component": '))).toMatchObject({
      status: 400,
      code: 'malformed-json',
    });
  });

  it('a field the protocol does not know, or SQL text: 400 invalid-fragment naming the path', async () => {
    const { status, code, body } = await errorOf(await post({ ...fragment, sql: 'DROP TABLE orders' }));
    expect({ status, code }).toEqual({ status: 400, code: 'invalid-fragment' });
    expect(JSON.stringify(body.issues)).toContain('sql');
  });

  it('a table the topology places in another region: 404 unknown-table', async () => {
    const { status, code, body } = await errorOf(await post({ ...fragment, component: 'eu-west-1/orders' }));
    expect({ status, code }).toEqual({ status: 404, code: 'unknown-table' });
    expect(body.hint).toContain('us-east-1/orders');
  });

  it('a path the topology does not declare: 403 undeclared-location', async () => {
    const other = join(root, 'eu-west-1');
    expect(await errorOf(await post({ ...fragment, uri: other }))).toMatchObject({
      status: 403,
      code: 'undeclared-location',
    });
  });

  it('raw rows of a class restricted to the EU asked from the US: 403 residency-violation (gateway of eu-west-1)', async () => {
    const eu = await startQueryGateway({
      model,
      region: 'eu-west-1',
      locations: { 'eu-west-1/orders': join(root, 'eu-west-1') },
    });
    try {
      const response = await fetch(`${eu.url}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...fragment, component: 'eu-west-1/orders', from: 'us-east-1' }),
      });
      expect(await errorOf(response)).toMatchObject({ status: 403, code: 'residency-violation' });
      const anonymous = await fetch(`${eu.url}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...fragment, component: 'eu-west-1/orders' }),
      });
      expect(await errorOf(anonymous)).toMatchObject({ status: 403, code: 'destination-required' });
    } finally {
      await eu.close();
    }
  });

  // The eu-west-1 gateway of a lake whose class may leave only as aggregates (groups of 10 or more), and a partial
  // asked of it directly from the US by a hostile client: the gateway applies the rule itself.
  const exportGateway = () =>
    startQueryGateway({
      model: lakeTopology({ aggregatesOnly: true, minGroupSize: 10 }),
      region: 'eu-west-1',
      locations: { 'eu-west-1/orders': join(root, 'eu-west-1') },
    });
  const askPartial = (gatewayUrl: string, aggregate: object) =>
    fetch(`${gatewayUrl}/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: 1,
        component: 'eu-west-1/orders',
        mode: 'partial',
        from: 'us-east-1',
        aggregate,
      }),
    });

  it('a partial of a class that may leave only as aggregates leaves without its groups under minGroupSize', async () => {
    const eu = await exportGateway();
    const groups = async (groupBy: string) => {
      const response = await askPartial(eu.url, { groupBy: [groupBy], measures: [{ fn: 'count' }] });
      expect(response.status).toBe(200);
      const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
      return table
        .getChild('partial')
        ?.toArray()
        .flatMap((chunk: string) => JSON.parse(chunk) as unknown[]).length;
    };
    try {
      expect(await groups('currency')).toBe(4);
      // Every order_id is its own group of one row: none may leave.
      expect(await groups('order_id')).toBe(0);
    } finally {
      await eu.close();
    }
  });

  it('a partial leaves across the border only when its state holds no row values: sums and counts yes, extremes, keys and sketches no', async () => {
    const eu = await exportGateway();
    const statusOf = async (fn: string) => {
      const response = await askPartial(eu.url, {
        groupBy: ['currency'],
        measures: [{ fn, ...(fn === 'count' ? {} : { column: 'amount' }) }],
      });
      if (response.status === 200) {
        await response.arrayBuffer();
        return 200;
      }
      const { status, code, body } = await errorOf(response);
      // A distinct count's partial is refused by its state; the hint offers only what this gateway lets through.
      if (fn.includes('count_distinct'))
        expect(body.hint).toBe(
          'use count, sum, avg, variance or stddev across the border: distinct counts, their sketches, extremes and quantiles carry row values',
        );
      return `${status} ${code}`;
    };
    const refused = '403 residency-violation';
    try {
      const statuses: Record<string, number | string> = {};
      for (const fn of [
        'count',
        'sum',
        'avg',
        'var_samp',
        'var_pop',
        'stddev_samp',
        'stddev_pop',
        'min',
        'max',
        'count_distinct',
        'approx_count_distinct',
        'approx_quantile',
      ])
        statuses[fn] = await statusOf(fn);
      expect(statuses).toEqual({
        count: 200,
        sum: 200,
        avg: 200,
        var_samp: 200,
        var_pop: 200,
        stddev_samp: 200,
        stddev_pop: 200,
        // An extreme is one row's value; distinct keys, a HyperLogLog's registers and a quantile sketch's items are
        // row values (or hashes of them) too.
        min: refused,
        max: refused,
        count_distinct: refused,
        approx_count_distinct: refused,
        approx_quantile: refused,
      });
    } finally {
      await eu.close();
    }
  });

  it('a predicate outside the grammar: 422 fragment-failed with the cause', async () => {
    expect(await errorOf(await post({ ...fragment, where: "currency = 'EUR'; DROP TABLE x" }))).toMatchObject({
      status: 422,
      code: 'fragment-failed',
    });
  });

  it('a body that is not JSON typed: 415; another route: 404; GET on /v1/query: 405', async () => {
    expect(await errorOf(await post('x', { 'content-type': 'text/plain' }))).toMatchObject({ status: 415 });
    expect(await errorOf(await fetch(`${gateway.url}/v1/other`))).toMatchObject({ status: 404, code: 'not-found' });
    expect(await errorOf(await fetch(`${gateway.url}/v1/query`))).toMatchObject({
      status: 405,
      code: 'method-not-allowed',
    });
  });

  it('a fragment that runs past the query timeout: 504 timeout', async () => {
    const hasty = await startQueryGateway({
      model,
      region: 'us-east-1',
      locations: { 'us-east-1/orders': join(root, 'us-east-1') },
      queryTimeoutMs: 1,
    });
    try {
      const response = await fetch(`${hasty.url}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...fragment,
          mode: 'partial',
          columns: undefined,
          aggregate: { groupBy: ['currency'], measures: [{ fn: 'count' }] },
        }),
      });
      expect(await errorOf(response)).toMatchObject({ status: 504, code: 'timeout' });
    } finally {
      await hasty.close();
    }
  });

  it('another protocol version: 400 unsupported-version', async () => {
    expect(await errorOf(await post({ ...fragment, version: 2 }))).toMatchObject({ code: 'unsupported-version' });
  });

  it('a slow client that never finishes its body: 408 request-timeout', async () => {
    const url = new URL(gateway.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          'POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"vers',
        );
      });
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect(answer).toContain('"code":"request-timeout"');
  });

  it('more fragments than the concurrency limit: 429 too-many-requests with Retry-After', async () => {
    // Two slow clients hold both slots (their bodies trickle in), the third is refused at once.
    const url = new URL(gateway.url);
    const holders = [0, 1].map(
      () =>
        new Promise<void>((resolve) => {
          const req = httpRequest({
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/v1/query',
            headers: { 'content-type': 'application/json', 'content-length': '100' },
          });
          req.on('response', (r) => {
            r.resume();
            r.on('end', resolve);
          });
          req.on('error', () => resolve());
          req.write('{');
        }),
    );
    await new Promise((r) => setTimeout(r, 100));
    const response = await post(fragment);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await errorOf(response)).code).toBe('too-many-requests');
    await Promise.all(holders);
  });
});
