import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DeltaError } from '../src/errors.ts';
import { LocalStorage } from '../src/storage/local.ts';
import { MemoryStorage } from '../src/storage/memory.ts';
import { openStorage } from '../src/storage/open.ts';
import { S3Storage } from '../src/storage/s3.ts';
import { resolveS3Config, s3ClientConfig } from '../src/storage/s3-config.ts';

function refusal(uri: string): DeltaError {
  try {
    openStorage(uri);
  } catch (error) {
    expect(error).toBeInstanceOf(DeltaError);
    return error as DeltaError;
  }
  throw new Error(`openStorage(${JSON.stringify(uri)}) did not throw`);
}

describe('openStorage', () => {
  it('opens plain paths and file:// URLs on the local disk', () => {
    const relative = openStorage('some/table');
    expect(relative).toBeInstanceOf(LocalStorage);
    expect((relative as LocalStorage).root).toBe(resolve('some/table'));
    expect((openStorage('/data/events/') as LocalStorage).root).toBe('/data/events');
    expect((openStorage('file:///data/my%20events') as LocalStorage).root).toBe('/data/my events');
    expect((openStorage('file://localhost/data/t') as LocalStorage).root).toBe('/data/t');
    expect((openStorage('file:/data/t') as LocalStorage).root).toBe('/data/t');
    expect(openStorage('/data/t').uri).toBe(pathToFileURL('/data/t').href);
    // A colon inside a name is a path, not a scheme.
    expect(openStorage('snapshots:2024/t')).toBeInstanceOf(LocalStorage);
  });

  it('opens s3://bucket/prefix with the prefix as the root', () => {
    const storage = openStorage('s3://lake/tables/events/', { s3: { endpoint: 'http://127.0.0.1:9' } });
    expect(storage).toBeInstanceOf(S3Storage);
    const s3 = storage as S3Storage;
    expect([s3.bucket, s3.prefix, s3.uri]).toEqual(['lake', 'tables/events/', 's3://lake/tables/events']);
    const root = openStorage('s3://lake', { s3: { endpoint: 'http://127.0.0.1:9' } }) as S3Storage;
    expect([root.prefix, root.uri]).toEqual(['', 's3://lake']);
  });

  it('opens memory://name and memory://name/prefix', () => {
    const storage = openStorage('memory://open-test/t1') as MemoryStorage;
    expect(storage).toBeInstanceOf(MemoryStorage);
    expect([storage.name, storage.prefix, storage.uri]).toEqual(['open-test', 't1/', 'memory://open-test/t1']);
    expect((openStorage('memory://') as MemoryStorage).name).toBe('');
  });

  it.each([
    ['', /empty/, /path/],
    ['   ', /empty/, /path/],
    ['s3://', /no bucket/, /s3:\/\/bucket/],
    ['s3:lake/t', /starts with s3:\/\//, /s3:\/\/bucket/],
    ['s3://lake//t', /empty/, /s3:\/\/bucket/],
    ['s3://lake/a/../b', /\.\./, /s3:\/\/bucket/],
    ['s3://my bucket/t', /not a bucket name/, /letters, digits/],
    ['s3://ab/t', /not a bucket name/, /letters, digits/],
    ['s3a://lake/t', /Hadoop/, /s3:\/\/lake\/t/],
    ['gs://lake/t', /not supported/, /s3:\/\/bucket/],
    ['https://example.com/t', /not supported/, /file:\/\/\//],
    ['abfss://c@acct.dfs.core.windows.net/t', /not supported/, /memory:\/\//],
    ['file://fileserver/share/t', /host fileserver/, /file:\/\/\//],
    ['memory:name', /starts with memory:\/\//, /memory:\/\/name/],
  ])('refuses %j as invalid-uri with a hint', (uri, reason, hint) => {
    const error = refusal(uri);
    expect(error.code).toBe('invalid-uri');
    expect(error.message).toMatch(reason);
    expect(error.hint).toMatch(hint);
    expect(error.path).toBe(uri);
  });
});

describe('S3 connection settings', () => {
  it('takes options over the environment, and the environment over defaults', () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://general.example:9000',
      AWS_ENDPOINT_URL_S3: 'http://s3-only.example:9000',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_S3_FORCE_PATH_STYLE: 'true',
    };
    expect(resolveS3Config({}, env)).toMatchObject({
      endpoint: 'http://s3-only.example:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
    expect(
      resolveS3Config({ endpoint: 'https://minio.internal', region: 'ap-south-1', forcePathStyle: false }, env),
    ).toMatchObject({ endpoint: 'https://minio.internal', region: 'ap-south-1', forcePathStyle: false });
    expect(
      resolveS3Config({}, { AWS_ENDPOINT_URL: 'http://general.example:9000', AWS_DEFAULT_REGION: 'us-west-2' }),
    ).toMatchObject({
      endpoint: 'http://general.example:9000',
      region: 'us-west-2',
      forcePathStyle: false,
    });
  });

  it('defaults to AWS, virtual-hosted, region from the SDK chain', () => {
    const config = resolveS3Config({}, {});
    expect(config).toMatchObject({ endpoint: undefined, region: undefined, forcePathStyle: false, maxAttempts: 3 });
    const client = s3ClientConfig(config);
    expect(client).not.toHaveProperty('endpoint');
    expect(client).not.toHaveProperty('region');
    // Against AWS the SDK's checksum defaults stay.
    expect(client).not.toHaveProperty('requestChecksumCalculation');
    expect(client.followRegionRedirects).toBe(true);
  });

  it('uses path-style for endpoints on an IP address or localhost, where bucket host names cannot resolve', () => {
    for (const endpoint of [
      'http://127.0.0.1:7480',
      'http://[::1]:7480',
      'http://localhost:9000',
      'http://minio.localhost',
    ]) {
      expect(resolveS3Config({ endpoint }, {}).forcePathStyle, endpoint).toBe(true);
    }
    expect(resolveS3Config({ endpoint: 'https://s3.eu-central-1.wasabisys.com' }, {}).forcePathStyle).toBe(false);
    expect(
      resolveS3Config({ endpoint: 'http://127.0.0.1:7480' }, { AWS_S3_FORCE_PATH_STYLE: 'false' }).forcePathStyle,
    ).toBe(false);
    const custom = s3ClientConfig(resolveS3Config({ endpoint: 'http://127.0.0.1:7480' }, {}));
    expect(custom).toMatchObject({
      region: 'us-east-1',
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  });

  it('refuses an endpoint that is not an http(s) URL and a path-style flag that is not a boolean', () => {
    for (const endpoint of ['127.0.0.1:7480', 'ftp://host', 'not a url']) {
      expect(() => resolveS3Config({ endpoint }, {}), endpoint).toThrow(
        expect.objectContaining({ code: 'invalid-uri', hint: expect.stringMatching(/http:\/\//) }),
      );
    }
    expect(() => resolveS3Config({}, { AWS_S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(
      expect.objectContaining({ code: 'invalid-uri', path: 'AWS_S3_FORCE_PATH_STYLE' }),
    );
  });

  it('shares one client among storages with the same connection, and keeps others apart', () => {
    const options = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1' };
    const a = openStorage('s3://one/t', { s3: options }) as S3Storage;
    const b = openStorage('s3://two/u', { s3: { ...options } }) as S3Storage;
    const c = openStorage('s3://one/t', { s3: { ...options, forcePathStyle: false } }) as S3Storage;
    const d = openStorage('s3://one/t', {
      s3: { ...options, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    }) as S3Storage;
    expect(a.client).toBe(b.client);
    expect(c.client).not.toBe(a.client);
    expect(d.client).not.toBe(a.client);
  });

  it('refuses a list page size S3 cannot serve', () => {
    expect(() => new S3Storage('lake', 't', { endpoint: 'http://127.0.0.1:9', maxKeys: 0 })).toThrow(
      expect.objectContaining({ code: 'storage', hint: expect.stringMatching(/1 to 1000/) }),
    );
  });
});
