import { DeltaError } from '../errors.ts';

/** What was being done when an S3 call failed, for the message. */
export interface S3Failure {
  readonly operation: 'list' | 'get' | 'head' | 'put' | 'delete';
  /** `s3://bucket/prefix` of the storage. */
  readonly uri: string;
  /** Key relative to the storage root ('' for a listing of the root). */
  readonly key: string;
  /** The endpoint in use, or undefined for AWS. */
  readonly endpoint: string | undefined;
}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** HTTP status of a failed SDK call, when the server answered. */
export function httpStatus(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/**
 * Maps an SDK failure to a DeltaError: a missing key or bucket is `not-found`, anything else
 * `storage`, each naming the URI and key and with a hint for the usual cause.
 */
export function s3Error(error: unknown, failure: S3Failure): DeltaError {
  if (error instanceof DeltaError) return error;
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? '';
  const status = httpStatus(error);
  const where = failure.key === '' ? failure.uri : `${failure.key} in ${failure.uri}`;
  const path = failure.key === '' ? failure.uri : `${failure.uri.replace(/\/$/, '')}/${failure.key}`;
  const endpoint = failure.endpoint ?? 'AWS S3';
  const details = { path, cause: error };

  // The SDK's connection and inactivity limits (S3StorageOptions connectTimeoutMs, idleTimeoutMs), after its retries.
  if (name === 'TimeoutError' || e.code === 'ETIMEDOUT') {
    return new DeltaError(
      'timeout',
      `${endpoint} did not answer ${failure.operation} ${where} in time: ${e.message ?? name}`,
      {
        ...details,
        hint:
          'the server accepted the request but did not answer (or stopped mid-body); check the endpoint, or raise the ' +
          'limits: S3StorageOptions connectTimeoutMs/idleTimeoutMs/maxAttempts, env MERIDIAN_S3_IDLE_TIMEOUT_MS, AWS_MAX_ATTEMPTS',
      },
    );
  }
  if (name === 'NoSuchBucket') {
    return new DeltaError('not-found', `bucket of ${failure.uri} does not exist at ${endpoint}`, {
      ...details,
      hint: 'check the bucket name in the URI and the endpoint (option endpoint or env AWS_ENDPOINT_URL)',
    });
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new DeltaError('not-found', `no object ${where}`, {
      ...details,
      hint: 'check the key: the object does not exist in the bucket',
    });
  }
  // A HEAD answer has no body, so the SDK can only call it 'Unknown'/'UnknownError'.
  const parts = [
    status !== undefined ? `HTTP ${status}` : '',
    name !== '' && name !== 'Unknown' && name !== 'Error' ? name : '',
    e.message !== undefined && e.message !== 'UnknownError' && e.message !== name ? e.message : '',
  ].filter((part) => part !== '');
  const reason = parts.length > 0 ? parts.join(' ') : String(error);
  const message = `cannot ${failure.operation} ${where} at ${endpoint}: ${reason}`;
  return new DeltaError('storage', message, {
    ...details,
    hint: hintFor(name, e.code, status, e.message ?? '', failure),
  });
}

function hintFor(
  name: string,
  code: string | undefined,
  status: number | undefined,
  message: string,
  failure: S3Failure,
): string {
  const endpointHint = failure.endpoint === undefined ? 'AWS S3' : failure.endpoint;
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or pass options.credentials';
  }
  if (
    status === 403 ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'AccessDenied' ||
    name === 'Forbidden'
  ) {
    const missing =
      failure.operation === 'head'
        ? '; S3 also answers 403 for a missing key when the credentials lack s3:ListBucket'
        : '';
    return `the server refused the credentials: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and the bucket policy${missing}`;
  }
  if (
    status === 301 ||
    name === 'PermanentRedirect' ||
    name === 'AuthorizationHeaderMalformed' ||
    /region/i.test(message)
  ) {
    return "set the bucket's region: env AWS_REGION or options.region";
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    name === 'TimeoutError'
  ) {
    return `cannot reach ${endpointHint}: check the endpoint (option endpoint or env AWS_ENDPOINT_URL) and that the server runs; for a server without bucket host names set forcePathStyle or AWS_S3_FORCE_PATH_STYLE=true`;
  }
  if (status !== undefined && status >= 500) return 'the server failed: retry, and check its logs';
  return 'check the URI, the endpoint (env AWS_ENDPOINT_URL) and the credentials';
}

/** The error of a storage call stopped by its total deadline (S3StorageOptions totalTimeoutMs). */
export function s3DeadlineError(failure: S3Failure, totalTimeoutMs: number): DeltaError {
  const where = failure.key === '' ? failure.uri : `${failure.key} in ${failure.uri}`;
  const path = failure.key === '' ? failure.uri : `${failure.uri.replace(/\/$/, '')}/${failure.key}`;
  const seconds = Number((totalTimeoutMs / 1000).toFixed(3));
  return new DeltaError(
    'timeout',
    `${failure.endpoint ?? 'AWS S3'} did not complete ${failure.operation} ${where} within ${seconds} s (every attempt included)`,
    {
      path,
      hint: 'the server is too slow or stalls; check the endpoint, or raise the deadline: S3StorageOptions totalTimeoutMs, env MERIDIAN_S3_TOTAL_TIMEOUT_MS',
    },
  );
}
