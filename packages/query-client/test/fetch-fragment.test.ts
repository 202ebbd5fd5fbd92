/**
 * The client side of the gateway protocol against small HTTP servers that misbehave on purpose: busy (429), slow,
 * cut mid-stream. Retries, failover and hedging must answer; a cut stream must fail, never look like a whole one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Int32, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterEach, expect, it } from 'vitest';
import { fetchFragment } from '../src/gateway/fetch-fragment.ts';
import type { FragmentRequest } from '../src/gateway/protocol.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()) && s.closeAllConnections())),
  );
});

const stream = tableToIPC(
  new Table({
    a: vectorFromArray(
      Array.from({ length: 5000 }, (_, i) => i),
      new Int32(),
    ),
  }),
);

async function serve(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<string> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, n++));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function arrow(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/vnd.apache.arrow.stream' });
  res.end(stream);
}

const request = (mode: FragmentRequest['mode']): FragmentRequest => ({ version: 1, component: 'r/t', mode });

async function rows(batches: AsyncIterable<{ numRows: number }>): Promise<number> {
  let n = 0;
  for await (const b of batches) n += b.numRows;
  return n;
}

it('retries a busy gateway after its Retry-After, then reads the whole stream', async () => {
  const url = await serve((_req, res, n) => {
    if (n === 0) {
      res.writeHead(429, { 'retry-after': '0.05', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'too-many-requests', message: 'busy' } }));
    } else arrow(res);
  });
  const response = await fetchFragment(
    [{ region: 'r', url, replica: false }],
    request('top-k'),
    {},
    new AbortController().signal,
  );
  expect(response.attempts).toBe(2);
  expect(await rows(response.batches)).toBe(5000);
});

it('fails over to the replica when the region’s gateway is down; a refusal is not retried', async () => {
  const down = await serve((_req, res) => res.destroy());
  const replica = await serve((_req, res) => arrow(res));
  const targets = [
    { region: 'a', url: down, replica: false },
    { region: 'b', url: replica, replica: true },
  ];
  const response = await fetchFragment(
    targets,
    request('partial'),
    { retries: 1, backoffMs: 1 },
    new AbortController().signal,
  );
  expect(response.target.region).toBe('b');
  expect(response.attempts).toBe(3);
  const refusing = await serve((_req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'residency-violation', message: 'no' } }));
  });
  await expect(
    fetchFragment(
      [
        { region: 'a', url: refusing, replica: false },
        { region: 'b', url: replica, replica: true },
      ],
      request('partial'),
      { retries: 3 },
      new AbortController().signal,
    ),
  ).rejects.toMatchObject({ code: 'residency-violation', retryable: false });
});

it('hedges: a second request to the next gateway wins when the first is slow', async () => {
  const slow = await serve((_req, res) => {
    setTimeout(() => arrow(res), 5000);
  });
  const fast = await serve((_req, res) => arrow(res));
  const started = performance.now();
  const response = await fetchFragment(
    [
      { region: 'a', url: slow, replica: false },
      { region: 'b', url: fast, replica: true },
    ],
    request('partial'),
    { hedgeAfterMs: 100 },
    new AbortController().signal,
  );
  expect(response.hedged).toBe(true);
  expect(response.target.region).toBe('b');
  expect(performance.now() - started).toBeLessThan(4000);
});

it('a stream cut mid-way fails (collected: retried, then an error; rows: an error while reading)', async () => {
  const cut = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.apache.arrow.stream' });
    res.write(stream.subarray(0, Math.floor(stream.length / 2)));
    setTimeout(() => res.destroy(), 20);
  });
  const target = [{ region: 'a', url: cut, replica: false }];
  await expect(
    fetchFragment(target, request('partial'), { retries: 1, backoffMs: 1 }, new AbortController().signal),
  ).rejects.toMatchObject({ code: 'broken-stream' });
  const response = await fetchFragment(target, request('rows'), {}, new AbortController().signal);
  await expect(rows(response.batches)).rejects.toMatchObject({ code: 'broken-stream' });
});

it('times out an attempt that does not answer', async () => {
  const silent = await serve(() => {});
  await expect(
    fetchFragment(
      [{ region: 'a', url: silent, replica: false }],
      request('partial'),
      { timeoutMs: 100, retries: 0 },
      new AbortController().signal,
    ),
  ).rejects.toMatchObject({ code: 'timeout' });
});
