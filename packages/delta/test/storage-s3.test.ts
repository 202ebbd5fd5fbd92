import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { LocalStorage } from '../src/storage/local.ts';
import { openStorage } from '../src/storage/open.ts';
import type { S3Storage } from '../src/storage/s3.ts';
import type { S3StorageOptions } from '../src/storage/s3-config.ts';
import type { ObjectInfo, Storage } from '../src/storage/storage.ts';
import {
  describeS3,
  openS3CorpusTable,
  s3CorpusTableUri,
  s3ScratchUri,
  s3TestEnv,
  s3TestOptions,
} from './setup/s3-env.ts';
import { byteOrder, collect, deltaError, listKeys, storageContract } from './storage-contract.ts';

const corpus = fileURLToPath(new URL('../../../../shared/delta-corpus/', import.meta.url));
const text = (s: string) => new TextEncoder().encode(s);

function scratch(label: string, options: S3StorageOptions = {}): S3Storage {
  return openStorage(s3ScratchUri(label), { s3: { ...s3TestOptions(), ...options } }) as S3Storage;
}

async function infos(storage: Storage, prefix: string): Promise<ObjectInfo[]> {
  return collect(storage.list(prefix));
}

/** Writes `keys` with 32 requests in flight. */
async function putAll(storage: Storage, keys: readonly string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < keys.length) {
        const key = keys[next++] as string;
        await storage.put(key, text(key));
      }
    }),
  );
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describeS3('S3Storage: the storage contract (Ceph RGW on loopback)', () => {
  storageContract(async () => scratch('contract'));
});

describeS3('S3Storage (Ceph RGW on loopback)', () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });

  it('pages ListObjectsV2 with a small page size without losing order or startAfter', async () => {
    const storage = scratch('pages', { maxKeys: 7 });
    const keys = Array.from({ length: 40 }, (_, i) => `_delta_log/${String(i * 3).padStart(20, '0')}.json`);
    await putAll(storage, keys);
    expect(await listKeys(storage, '_delta_log/')).toEqual(byteOrder(keys));
    const startAfter = keys[17] as string;
    expect(await listKeys(storage, '_delta_log/', startAfter)).toEqual(byteOrder(keys).slice(18));
    // A startAfter that is no key: strictly greater keys only.
    expect(await listKeys(storage, '_delta_log/', '_delta_log/00000000000000000050')).toEqual(
      byteOrder(keys).filter((k) => k > '_delta_log/00000000000000000050'),
    );
  });

  it('pages past 1000 keys with the default page size', async () => {
    const storage = scratch('thousand');
    const keys = Array.from({ length: 1_050 }, (_, i) => `_delta_log/${String(i).padStart(20, '0')}.json`);
    await putAll(storage, keys);
    expect(await listKeys(storage, '_delta_log/')).toEqual(keys);
    expect(await listKeys(storage, '_delta_log/', keys[400])).toEqual(keys.slice(401));
  });

  it('holds the corpus tables exactly as the local disk does, preloaded or uploaded on first use', async () => {
    expect(s3TestEnv().preloaded).toContain('simple_table');
    expect(s3TestEnv().preloaded).not.toContain('cdf-table');
    for (const table of ['simple_table', 'delta-0.8.0-partitioned', 'checkpoint-v2-table', 'cdf-table']) {
      const local = new LocalStorage(`${corpus}${table}`);
      const s3 = await openS3CorpusTable(table);
      expect(s3.uri).toBe(await s3CorpusTableUri(table));
      const localInfos = await infos(local, '');
      expect((await infos(s3, '')).map((i) => [i.key, i.size])).toEqual(localInfos.map((i) => [i.key, i.size]));
      const commit = localInfos.find((i) => i.key.startsWith('_delta_log/') && i.key.endsWith('.json'));
      expect(
        Buffer.from(await s3.get(commit?.key as string)).equals(Buffer.from(await local.get(commit?.key as string))),
      ).toBe(true);
      // A parquet footer as a reader fetches it: the last 8 bytes (footer length + PAR1), then the footer.
      const parquet = localInfos.find((i) => i.key.endsWith('.parquet')) as ObjectInfo;
      const tail = await s3.getRange(parquet.key, parquet.size - 8, parquet.size);
      expect(new TextDecoder().decode(tail.subarray(4))).toBe('PAR1');
      const footerLength = new DataView(tail.buffer, tail.byteOffset).getUint32(0, true);
      const footer = await s3.getRange(parquet.key, parquet.size - 8 - footerLength, parquet.size - 8);
      expect(
        Buffer.from(footer).equals(
          Buffer.from(await local.getRange(parquet.key, parquet.size - 8 - footerLength, parquet.size - 8)),
        ),
      ).toBe(true);
    }
  });

  it('takes the endpoint from AWS_ENDPOINT_URL and credentials from the SDK default chain', async () => {
    const env = s3TestEnv();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: env.endpoint,
      AWS_ACCESS_KEY_ID: env.accessKeyId,
      AWS_SECRET_ACCESS_KEY: env.secretAccessKey,
      AWS_REGION: env.region,
    });
    delete process.env.AWS_PROFILE;
    const storage = openStorage(await s3CorpusTableUri('simple_table'));
    expect((await storage.head('_delta_log/00000000000000000000.json'))?.size).toBeGreaterThan(0);
  });

  it('reports missing credentials as a storage error that says where credentials come from', async () => {
    for (const key of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
    ]) {
      delete process.env[key];
    }
    // No profile files and no instance metadata: the default chain has nothing to find.
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
    });
    const { credentials: _, ...anonymous } = s3TestOptions();
    // maxAttempts 1 keys a client of its own, not the one an earlier test resolved credentials into.
    const storage = openStorage(await s3CorpusTableUri('simple_table'), { s3: { ...anonymous, maxAttempts: 1 } });
    const error = await deltaError(storage.get('_delta_log/00000000000000000000.json'));
    expect(error.code).toBe('storage');
    expect(error.hint).toMatch(/^no AWS credentials found: set AWS_ACCESS_KEY_ID .* AWS_PROFILE/);
  });

  it('reports a missing bucket as not-found naming the URI', async () => {
    const storage = openStorage('s3://no-such-bucket-meridian/t', { s3: s3TestOptions() });
    const error = await deltaError(storage.get('_delta_log/00000000000000000000.json'));
    expect(error.code).toBe('not-found');
    expect(error.message).toContain('s3://no-such-bucket-meridian/t');
    expect(error.hint).toMatch(/bucket/);
    expect((await deltaError(collect(storage.list('_delta_log/')))).code).toBe('not-found');
    expect(await storage.head('_delta_log/00000000000000000000.json')).toBeUndefined();
  });

  it('reports refused credentials as a storage error naming URI and key, with a credentials hint', async () => {
    const uri = await s3CorpusTableUri('simple_table');
    const storage = openStorage(uri, {
      s3: { ...s3TestOptions(), credentials: { accessKeyId: 'nobody', secretAccessKey: 'wrong-secret' } },
    });
    for (const attempt of [
      () => storage.get('_delta_log/00000000000000000000.json'),
      () => storage.getRange('_delta_log/00000000000000000000.json', 0, 10),
      () => storage.head('_delta_log/00000000000000000000.json'),
      () => storage.putIfAbsent('_delta_log/00000000000000000099.json', text('{}')),
    ]) {
      const error = await deltaError(attempt());
      expect(error.code).toBe('storage');
      expect(error.message).toContain(uri);
      expect(error.message).toContain('_delta_log/');
      expect(error.message).toMatch(/403/);
      expect(error.hint).toMatch(/AWS_ACCESS_KEY_ID/);
    }
    const listing = await deltaError(collect(storage.list('_delta_log/')));
    expect([listing.code, listing.hint]).toEqual(['storage', expect.stringMatching(/credentials/)]);
  });

  it('reports an unreachable endpoint as a storage error with an endpoint hint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const storage = openStorage('s3://lake/t', { s3: { ...s3TestOptions(), endpoint, maxAttempts: 1 } });
    const error = await deltaError(storage.get('_delta_log/00000000000000000000.json'));
    expect(error.code).toBe('storage');
    expect(error.message).toContain(endpoint);
    expect(error.message).toContain('s3://lake/t');
    expect(error.hint).toMatch(/AWS_ENDPOINT_URL/);
  });

  it('addresses the bucket in the path or in the host name as configured', async () => {
    const captured = async (options: S3StorageOptions): Promise<{ hostname: string; path: string }> => {
      const storage = openStorage('s3://lake/tables/t', {
        s3: { ...s3TestOptions(), maxAttempts: 1, ...options },
      }) as S3Storage;
      let request: { hostname: string; path: string } | undefined;
      // Stop each request after signing, before it leaves: the fake host names do not resolve.
      storage.client.middlewareStack.add(
        (_next) => async (args) => {
          request = args.request as { hostname: string; path: string };
          throw new Error('captured');
        },
        { step: 'finalizeRequest', priority: 'low', name: `capture-${Math.random()}` },
      );
      await storage.head('_delta_log/_last_checkpoint').catch(() => undefined);
      expect(request).toBeDefined();
      return request as { hostname: string; path: string };
    };
    expect(await captured({ endpoint: 'http://s3.meridian.invalid:7480', forcePathStyle: false })).toMatchObject({
      hostname: 'lake.s3.meridian.invalid',
      path: '/tables/t/_delta_log/_last_checkpoint',
    });
    expect(await captured({ endpoint: 'http://s3.meridian.invalid:7481', forcePathStyle: true })).toMatchObject({
      hostname: 's3.meridian.invalid',
      path: '/lake/tables/t/_delta_log/_last_checkpoint',
    });
    process.env.AWS_S3_FORCE_PATH_STYLE = 'true';
    const fromEnv = await captured({ endpoint: 'http://s3.meridian.invalid:7482' });
    expect(fromEnv).toMatchObject({
      hostname: 's3.meridian.invalid',
      path: '/lake/tables/t/_delta_log/_last_checkpoint',
    });
  });
});
