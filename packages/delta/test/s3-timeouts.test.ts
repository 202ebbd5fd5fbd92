import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeltaError, openTable, S3Storage } from '../src/index.ts';

// S3 servers that accept a connection and then do not answer, or stop mid-body (issue 16, item 4): every call fails
// with DeltaError 'timeout' within its limits instead of hanging for good. Real TCP servers on loopback, the real SDK.

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A TCP server on loopback that hands each connection to `onConnection`; resolves to its http:// endpoint. */
async function server(onConnection: (socket: Socket) => void): Promise<string> {
  const s = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const address = s.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Reads the request, then answers headers for a 1000-byte body and sends only 10 bytes of it. */
function stopsMidBody(socket: Socket): void {
  socket.once('data', () => {
    socket.write(
      'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n' +
        'Last-Modified: Wed, 02 Dec 2026 10:00:00 GMT\r\n\r\n0123456789',
    );
  });
}

async function failure(run: () => Promise<unknown>): Promise<{ error: DeltaError; ms: number }> {
  const started = Date.now();
  try {
    await run();
  } catch (error) {
    if (!(error instanceof DeltaError)) throw error;
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected a failure');
}

describe('S3 requests to a server that does not answer', () => {
  it('a server that accepts and never answers: get fails with timeout after the idle limit and bounded retries', async () => {
    let connections = 0;
    const endpoint = await server(() => {
      connections++;
    });
    const storage = new S3Storage('bucket', 'table', {
      endpoint,
      credentials,
      idleTimeoutMs: 300,
      totalTimeoutMs: 20_000,
      maxAttempts: 2,
    });
    const { error, ms } = await failure(() => storage.get('_delta_log/00000000000000000000.json'));
    expect(error.code).toBe('timeout');
    expect(error.path).toContain('00000000000000000000.json');
    expect(error.message).toContain(endpoint);
    expect(error.hint).toMatch(/idleTimeoutMs|MERIDIAN_S3/);
    expect(ms).toBeLessThan(10_000);
    expect(connections).toBe(2);
  });

  it('a server that stops mid-body: the read fails with timeout', async () => {
    const endpoint = await server(stopsMidBody);
    const storage = new S3Storage('bucket', 'table', { endpoint, credentials, idleTimeoutMs: 300, maxAttempts: 1 });
    const { error, ms } = await failure(() => storage.get('part-0.parquet'));
    expect(error.code).toBe('timeout');
    expect(ms).toBeLessThan(10_000);
  });

  it('a server that trickles a byte at a time is stopped by the total deadline', async () => {
    const endpoint = await server((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
        const drip = setInterval(() => socket.write('x'), 50);
        socket.on('close', () => clearInterval(drip));
      });
    });
    const storage = new S3Storage('bucket', 'table', {
      endpoint,
      credentials,
      idleTimeoutMs: 5_000,
      totalTimeoutMs: 1_500,
      maxAttempts: 1,
    });
    const { error, ms } = await failure(() => storage.get('part-0.parquet'));
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('1.5 s');
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(8_000);
  });

  it('opening a table on a silent server fails instead of hanging', async () => {
    const endpoint = await server(() => undefined);
    const storage = new S3Storage('bucket', 'table', { endpoint, credentials, idleTimeoutMs: 300, maxAttempts: 1 });
    const { error } = await failure(async () => (await openTable(storage)).snapshot());
    expect(error.code).toBe('timeout');
  });

  it('limits must be positive numbers', () => {
    expect(() => new S3Storage('bucket', '', { endpoint: 'http://127.0.0.1:1', idleTimeoutMs: -1 })).toThrow(
      /idleTimeoutMs/,
    );
  });
});
