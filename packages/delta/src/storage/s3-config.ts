import { isIP } from 'node:net';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { DeltaError } from '../errors.ts';

/** Static S3 credentials; by default they come from the SDK's provider chain (env, profile, SSO, IMDS...). */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * How S3Storage reaches its bucket. Every field is optional: unset ones come from the
 * environment the AWS CLI reads, then from the SDK's defaults.
 */
export interface S3StorageOptions {
  /** Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:7480`; default env AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS. */
  readonly endpoint?: string;
  /** Signing region; default env AWS_REGION, AWS_DEFAULT_REGION, then `us-east-1` for a custom endpoint, else the SDK's profile lookup. */
  readonly region?: string;
  /**
   * `true` puts the bucket in the path (`http://host/bucket/key`), `false` in the host name
   * (`http://bucket.host/key`). Default env AWS_S3_FORCE_PATH_STYLE, then path-style for an
   * endpoint on an IP address or localhost (where no bucket host name can resolve), else virtual-hosted.
   */
  readonly forcePathStyle?: boolean;
  /** Static credentials, or a function resolving them; default the SDK's default provider chain. */
  readonly credentials?: S3Credentials | (() => Promise<S3Credentials>);
  /** Keys per ListObjectsV2 page (1..1000, default 1000, the S3 maximum). */
  readonly maxKeys?: number;
  /**
   * Attempts per request including retries (default env AWS_MAX_ATTEMPTS, else 3): the SDK's standard retry strategy,
   * exponential backoff with jitter, on throttling, 5xx and timeouts.
   */
  readonly maxAttempts?: number;
  /** Time to establish a TCP connection, per attempt (default env MERIDIAN_S3_CONNECT_TIMEOUT_MS, else 5 000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Time without a byte from the server, per attempt, before it is abandoned (and retried): a server that accepts the
   * connection and never answers, or stops mid-body (default env MERIDIAN_S3_IDLE_TIMEOUT_MS, else 30 000 ms).
   */
  readonly idleTimeoutMs?: number;
  /**
   * Deadline of one storage call, every attempt, backoff and the body included; a server that trickles bytes forever
   * stops here (default env MERIDIAN_S3_TOTAL_TIMEOUT_MS, else 120 000 ms).
   */
  readonly totalTimeoutMs?: number;
  /** A ready client; when given, the connection fields above are ignored. */
  readonly client?: S3Client;
}

/** The settings one S3Client is built from; equal settings share one client. */
export interface S3ConnectionConfig {
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  readonly forcePathStyle: boolean;
  readonly maxAttempts: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly credentials: S3StorageOptions['credentials'];
}

/** Environment variables read, as the AWS CLI names them. */
export type S3Environment = Readonly<Record<string, string | undefined>>;

/** The default limits of every S3 call (docs/security.md lists them). */
const s3Defaults = { connectTimeoutMs: 5_000, idleTimeoutMs: 30_000, totalTimeoutMs: 120_000 } as const;

/** Options + environment -> the connection settings, with the defaults documented on S3StorageOptions. */
export function resolveS3Config(options: S3StorageOptions = {}, env: S3Environment = process.env): S3ConnectionConfig {
  const endpoint = options.endpoint ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  let host: string | undefined;
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new DeltaError('invalid-uri', `S3 endpoint ${JSON.stringify(endpoint)} is not an http(s) URL`, {
        path: endpoint,
        hint: 'give the endpoint as a URL with scheme and host, e.g. http://127.0.0.1:7480 (option endpoint or env AWS_ENDPOINT_URL)',
      });
    }
    host = url.hostname.replace(/^\[|\]$/g, '');
  }
  const forcePathStyle =
    options.forcePathStyle ??
    parseFlag(env.AWS_S3_FORCE_PATH_STYLE) ??
    (host !== undefined && (isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost')));
  const region =
    options.region ??
    nonEmpty(env.AWS_REGION) ??
    nonEmpty(env.AWS_DEFAULT_REGION) ??
    (endpoint !== undefined ? 'us-east-1' : undefined);
  return {
    endpoint,
    region,
    forcePathStyle,
    maxAttempts: limit('maxAttempts', options.maxAttempts, env.AWS_MAX_ATTEMPTS, 'AWS_MAX_ATTEMPTS', 3),
    connectTimeoutMs: limit(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      env.MERIDIAN_S3_CONNECT_TIMEOUT_MS,
      'MERIDIAN_S3_CONNECT_TIMEOUT_MS',
      s3Defaults.connectTimeoutMs,
    ),
    idleTimeoutMs: limit(
      'idleTimeoutMs',
      options.idleTimeoutMs,
      env.MERIDIAN_S3_IDLE_TIMEOUT_MS,
      'MERIDIAN_S3_IDLE_TIMEOUT_MS',
      s3Defaults.idleTimeoutMs,
    ),
    totalTimeoutMs: limit(
      'totalTimeoutMs',
      options.totalTimeoutMs,
      env.MERIDIAN_S3_TOTAL_TIMEOUT_MS,
      'MERIDIAN_S3_TOTAL_TIMEOUT_MS',
      s3Defaults.totalTimeoutMs,
    ),
    credentials: options.credentials,
  };
}

// An option wins over the environment variable, which wins over the default; each must be a positive whole number.
function limit(
  name: string,
  option: number | undefined,
  fromEnv: string | undefined,
  variable: string,
  fallback: number,
): number {
  const text = nonEmpty(fromEnv);
  const value = option ?? (text === undefined ? fallback : Number(text));
  if (!Number.isInteger(value) || value < 1) {
    const source = option !== undefined ? `${name} ${option}` : `${variable}=${JSON.stringify(fromEnv)}`;
    throw new DeltaError('storage', `${source} is not a positive whole number`, {
      path: option !== undefined ? name : variable,
      hint: `leave it out for the default (${fallback})`,
    });
  }
  return value;
}

/** The S3Client options for one connection config. */
export function s3ClientConfig(config: S3ConnectionConfig): S3ClientConfig {
  return {
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    ...(config.region !== undefined ? { region: config.region } : {}),
    ...(config.credentials !== undefined ? { credentials: config.credentials } : {}),
    forcePathStyle: config.forcePathStyle,
    maxAttempts: config.maxAttempts,
    // Without these a server that accepts the connection and never answers hangs the request for good. socketTimeout
    // is the inactivity limit of an attempt (also while the body streams); the SDK retries a TimeoutError.
    requestHandler: { connectionTimeout: config.connectTimeoutMs, socketTimeout: config.idleTimeoutMs },
    // A bucket in another region answers 301; follow it instead of failing when the region is a guess.
    followRegionRedirects: true,
    // SDK 3.729+ adds CRC32 trailers to every upload by default, which several S3-compatible
    // servers reject; against them send checksums only where the API requires one.
    ...(config.endpoint !== undefined
      ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
  };
}

// One client per connection, so every table on one endpoint shares its sockets and credentials cache.
const clients = new Map<string, S3Client>();
const credentialIds = new WeakMap<object, number>();
let lastCredentialsId = 0;

/** The shared client for a connection config, made on first use. */
export function s3ClientFor(config: S3ConnectionConfig): S3Client {
  let credentialsId = 0;
  if (config.credentials !== undefined) {
    credentialsId = credentialIds.get(config.credentials) ?? 0;
    if (credentialsId === 0) {
      credentialsId = ++lastCredentialsId;
      credentialIds.set(config.credentials, credentialsId);
    }
  }
  const key = JSON.stringify([
    config.endpoint,
    config.region,
    config.forcePathStyle,
    config.maxAttempts,
    config.connectTimeoutMs,
    config.idleTimeoutMs,
    credentialsId,
  ]);
  let client = clients.get(key);
  if (client === undefined) {
    client = new S3Client(s3ClientConfig(config));
    clients.set(key, client);
  }
  return client;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parseFlag(value: string | undefined): boolean | undefined {
  const v = nonEmpty(value)?.toLowerCase();
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new DeltaError('invalid-uri', `AWS_S3_FORCE_PATH_STYLE=${JSON.stringify(value)} is neither true nor false`, {
    path: 'AWS_S3_FORCE_PATH_STYLE',
    hint: 'set AWS_S3_FORCE_PATH_STYLE to true (bucket in the path) or false (bucket in the host name)',
  });
}
