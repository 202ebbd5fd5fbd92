import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeltaError } from '../errors.ts';
import { checkKey, checkPrefix, checkRange } from './keys.ts';
import { resolveS3Config, type S3StorageOptions, s3ClientFor } from './s3-config.ts';
import { httpStatus, type S3Failure, s3DeadlineError, s3Error } from './s3-errors.ts';
import type { ObjectInfo, Storage } from './storage.ts';

// AWS answers 409 ConditionalRequestConflict while another conditional write of the key is in
// flight and asks the caller to retry (S3 User Guide, "Conditional writes"); after a retry the
// winner's object exists and the answer becomes 412.
const CONFLICT_RETRIES = 3;

/**
 * Objects in an S3 bucket under a prefix (`s3://bucket/tables/events`), through
 * @aws-sdk/client-s3 against AWS or any S3-compatible endpoint. `putIfAbsent` is a PutObject
 * with `If-None-Match: *`, which S3 enforces atomically, so Delta commits need no lock table.
 */
export class S3Storage implements Storage {
  readonly uri: string;
  /** The bucket, the host part of `s3://bucket/prefix`. */
  readonly bucket: string;
  /** Keys of this storage live under this prefix of the bucket ('' or ending in '/'). */
  readonly prefix: string;
  /** The client in use; shared by every S3Storage with the same connection settings. */
  readonly client: S3Client;
  private readonly endpoint: string | undefined;
  private readonly maxKeys: number | undefined;
  private readonly totalTimeoutMs: number;

  /** `prefix` (e.g. `tables/events`) roots the storage inside `bucket`. */
  constructor(bucket: string, prefix = '', options: S3StorageOptions = {}) {
    this.bucket = bucket;
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.uri = `s3://${bucket}${this.prefix === '' ? '' : `/${this.prefix.slice(0, -1)}`}`;
    if (this.prefix !== '') checkPrefix(this.prefix, `s3://${bucket}`);
    const config = resolveS3Config(options);
    this.endpoint = options.client === undefined ? config.endpoint : undefined;
    this.client = options.client ?? s3ClientFor(config);
    this.totalTimeoutMs = config.totalTimeoutMs;
    if (
      options.maxKeys !== undefined &&
      !(Number.isInteger(options.maxKeys) && options.maxKeys >= 1 && options.maxKeys <= 1000)
    ) {
      throw new DeltaError('storage', `maxKeys ${options.maxKeys} is outside 1..1000`, {
        path: this.uri,
        hint: 'ListObjectsV2 returns at most 1000 keys a page; pick a page size from 1 to 1000',
      });
    }
    this.maxKeys = options.maxKeys;
  }

  async *list(prefix: string, options: { startAfter?: string } = {}): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix, this.uri);
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        const continuation = token;
        page = await this.call('list', prefix, (abortSignal) =>
          this.client.send(
            new ListObjectsV2Command({
              Bucket: this.bucket,
              Prefix: this.prefix + prefix,
              // S3 lists in UTF-8 binary order and ignores StartAfter once a continuation token is sent.
              ...(continuation === undefined && options.startAfter !== undefined
                ? { StartAfter: this.prefix + options.startAfter }
                : {}),
              ...(continuation !== undefined ? { ContinuationToken: continuation } : {}),
              ...(this.maxKeys !== undefined ? { MaxKeys: this.maxKeys } : {}),
            }),
            { abortSignal },
          ),
        );
      } catch (error) {
        throw this.fail(error, 'list', prefix);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key.slice(this.prefix.length),
          size: object.Size ?? 0,
          lastModified: object.LastModified?.getTime() ?? 0,
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async get(key: string): Promise<Uint8Array> {
    checkKey(key, this.uri);
    try {
      return await this.call('get', key, async (abortSignal) => {
        const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }), {
          abortSignal,
        });
        return readBody(response.Body, response.ContentLength, abortSignal);
      });
    } catch (error) {
      throw this.fail(error, 'get', key);
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    checkKey(key, this.uri);
    checkRange(key, this.uri, start, end);
    if (start === end) {
      // An empty range cannot be written as an HTTP Range; still report a missing key.
      if ((await this.head(key)) === undefined) throw this.fail({ name: 'NoSuchKey' }, 'get', key);
      return new Uint8Array(0);
    }
    try {
      return await this.call('get', key, async (abortSignal) => {
        const response = await this.client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Range: `bytes=${start}-${end - 1}` }),
          { abortSignal },
        );
        const bytes = await readBody(response.Body, response.ContentLength, abortSignal);
        // A server that ignores Range answers 200 with the whole object.
        return response.ContentRange === undefined ? bytes.subarray(start, end) : bytes;
      });
    } catch (error) {
      // 416: the range starts at or past the end of the object.
      if (httpStatus(error) === 416) return new Uint8Array(0);
      throw this.fail(error, 'get', key);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    checkKey(key, this.uri);
    try {
      const response = await this.call('head', key, (abortSignal) =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }), { abortSignal }),
      );
      return { key, size: response.ContentLength ?? 0, lastModified: response.LastModified?.getTime() ?? 0 };
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw this.fail(error, 'head', key);
    }
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    checkKey(key, this.uri);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.putObject(key, body, true);
        return true;
      } catch (error) {
        const status = httpStatus(error);
        if (status === 412) return false;
        if (status === 409) {
          // Still conflicting after the retries: another writer holds the key, so this one lost.
          if (attempt >= CONFLICT_RETRIES) return false;
          await sleep(25 * 2 ** attempt + Math.random() * 25);
          continue;
        }
        throw this.fail(error, 'put', key);
      }
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    checkKey(key, this.uri);
    try {
      await this.putObject(key, body, false);
    } catch (error) {
      throw this.fail(error, 'put', key);
    }
  }

  /** One PutObject of the whole body; `ifAbsent` makes it conditional (If-None-Match: *). */
  private async putObject(key: string, body: Uint8Array, ifAbsent: boolean): Promise<void> {
    await this.call('put', key, (abortSignal) =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + key,
          Body: body,
          ContentLength: body.byteLength,
          ...(ifAbsent ? { IfNoneMatch: '*' } : {}),
        }),
        { abortSignal },
      ),
    );
  }

  async delete(key: string): Promise<void> {
    checkKey(key, this.uri);
    try {
      await this.call('delete', key, (abortSignal) =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }), { abortSignal }),
      );
    } catch (error) {
      if (httpStatus(error) === 404 && (error as { name?: string }).name !== 'NoSuchBucket') return;
      throw this.fail(error, 'delete', key);
    }
  }

  /**
   * Runs one storage call under the total deadline (S3StorageOptions totalTimeoutMs): when it passes, the call fails
   * with `timeout` and its request is aborted, whatever the SDK's retries and the body are doing.
   */
  private async call<T>(
    operation: S3Failure['operation'],
    key: string,
    run: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(s3DeadlineError({ operation, uri: this.uri, key, endpoint: this.endpoint }, this.totalTimeoutMs));
        controller.abort();
      }, this.totalTimeoutMs);
    });
    try {
      return await Promise.race([run(controller.signal), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private fail(error: unknown, operation: S3Failure['operation'], key: string): DeltaError {
    return s3Error(error, { operation, uri: this.uri, key, endpoint: this.endpoint });
  }
}

/**
 * Collects a response body into one array, allocated once at the announced length, so a large
 * object is copied once from the socket chunks rather than concatenated and copied again.
 */
async function readBody(body: unknown, length: number | undefined, abortSignal: AbortSignal): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  const chunks = body as AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => void };
  // Past the deadline the body's socket is closed, so the read below ends instead of waiting on it.
  abortSignal.addEventListener('abort', () => chunks.destroy?.(new Error('aborted at the deadline')), { once: true });
  if (length !== undefined) {
    const bytes = new Uint8Array(length);
    let filled = 0;
    for await (const chunk of chunks) {
      if (filled + chunk.byteLength > length) throw new Error(`response body longer than its Content-Length ${length}`);
      bytes.set(chunk, filled);
      filled += chunk.byteLength;
    }
    if (filled !== length) throw new Error(`response body ended after ${filled} of ${length} bytes`);
    return bytes;
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    total += chunk.byteLength;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}
