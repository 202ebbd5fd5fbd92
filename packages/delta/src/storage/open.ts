import { fileURLToPath } from 'node:url';
import { DeltaError } from '../errors.ts';
import { LocalStorage } from './local.ts';
import { MemoryStorage } from './memory.ts';
import { S3Storage } from './s3.ts';
import type { S3StorageOptions } from './s3-config.ts';
import type { Storage } from './storage.ts';

/** Per-backend settings for openStorage; each applies only to URIs of its scheme. */
export interface OpenStorageOptions {
  /** Endpoint, region, addressing style and credentials for `s3://` URIs. */
  readonly s3?: S3StorageOptions;
}

const SUPPORTED = 'a path, file:///path, s3://bucket/prefix or memory://name';
// Schemes people write for object stores we do not serve, to refuse them by name rather than
// take `gs:bucket` for a relative path.
const KNOWN_SCHEMES = new Set([
  'file',
  's3',
  's3a',
  's3n',
  'memory',
  'gs',
  'gcs',
  'az',
  'abfs',
  'abfss',
  'wasb',
  'wasbs',
  'adl',
  'hdfs',
  'http',
  'https',
]);

/**
 * Opens the storage a table URI names: a local path or `file://` URL, `s3://bucket/prefix`,
 * or `memory://name`. Nothing is read until the first call; a URI no backend serves is refused
 * with DeltaError `invalid-uri`.
 *
 * ```ts
 * const storage = openStorage('s3://lake/events', { s3: { endpoint: 'http://127.0.0.1:7480' } });
 * ```
 */
export function openStorage(uri: string, options: OpenStorageOptions = {}): Storage {
  if (uri.trim() === '') throw invalid(uri, 'the table URI is empty');
  // Two or more letters: `C:\data` is a Windows drive, not a scheme.
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || (!uri.slice(scheme.length + 1).startsWith('//') && !KNOWN_SCHEMES.has(scheme))) {
    return new LocalStorage(uri);
  }
  switch (scheme) {
    case 'file':
      return new LocalStorage(fileUrlPath(uri));
    case 's3': {
      const { host, path } = splitAuthority(uri, 's3', 's3://bucket/prefix');
      if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{2,254}$/.test(host)) {
        throw invalid(
          uri,
          `${JSON.stringify(host)} is not a bucket name`,
          'a bucket name has 3 or more letters, digits, dots and hyphens, e.g. s3://my-lake/tables/events',
        );
      }
      return new S3Storage(host, path, options.s3);
    }
    case 'memory': {
      const { host, path } = splitAuthority(uri, 'memory', 'memory://name');
      return new MemoryStorage(host, path);
    }
    case 's3a':
    case 's3n':
      throw invalid(uri, `scheme ${scheme}:// is Hadoop's name for S3`, `write s3://${uri.slice(scheme.length + 3)}`);
    default:
      throw invalid(uri, `scheme ${scheme}: is not supported`, `use ${SUPPORTED}`);
  }
}

/** `scheme://host/rest/of/path/` -> host and the path without its outer slashes; needs `//`. */
function splitAuthority(uri: string, scheme: string, example: string): { host: string; path: string } {
  const rest = uri.slice(scheme.length + 1);
  if (!rest.startsWith('//')) throw invalid(uri, `a ${scheme} URI starts with ${scheme}://`, `write it as ${example}`);
  const body = rest.slice(2);
  const slash = body.indexOf('/');
  const host = slash === -1 ? body : body.slice(0, slash);
  const path = slash === -1 ? '' : body.slice(slash + 1).replace(/\/+$/, '');
  if (scheme === 's3' && host === '') throw invalid(uri, 'the S3 URI names no bucket', `write it as ${example}`);
  if (
    path
      .split('/')
      .some((segment, _i, all) => (segment === '' && all.length > 1) || segment === '.' || segment === '..')
  ) {
    throw invalid(
      uri,
      'the path has an empty, . or .. segment',
      `write it as ${example}, without // . or .. inside the path`,
    );
  }
  return { host, path };
}

function fileUrlPath(uri: string): string {
  try {
    const url = new URL(uri);
    // A host other than localhost names another machine, which file:// cannot reach.
    if (url.hostname !== '' && url.hostname !== 'localhost') {
      throw invalid(
        uri,
        `file URI names host ${url.hostname}`,
        'write a local path as file:///abs/path (three slashes) or as a plain path',
      );
    }
    return fileURLToPath(url);
  } catch (error) {
    if (error instanceof DeltaError) throw error;
    throw invalid(
      uri,
      'the file URI does not parse',
      'write a local path as file:///abs/path (three slashes) or as a plain path',
    );
  }
}

function invalid(uri: string, reason: string, hint = `use ${SUPPORTED}`): DeltaError {
  return new DeltaError('invalid-uri', `invalid table URI ${JSON.stringify(uri)}: ${reason}`, { path: uri, hint });
}
