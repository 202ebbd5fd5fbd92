/**
 * What the S3 globalSetup (test/setup/s3.ts) hands to test files, and helpers to use it. The
 * setup starts the server only when a selected test file imports this module (by the text
 * `setup/s3-env`), so import it from the test file itself:
 *
 * ```ts
 * import { describeS3, openS3CorpusTable, s3CorpusTableUri, s3TestOptions } from './setup/s3-env.ts';
 * describeS3('reads simple_table from S3', () => {
 *   it('lists the log', async () => { const storage = await openS3CorpusTable('simple_table'); ... });
 *   it('opens by URI', async () => { const uri = await s3CorpusTableUri('cdf-table'); // + { s3: s3TestOptions() }
 *   });
 * });
 * ```
 */

import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, inject } from 'vitest';
import { openStorage } from '../../src/storage/open.ts';
import type { S3StorageOptions } from '../../src/storage/s3-config.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { connect, uploadTables } from './s3-corpus.ts';

/** The S3 server of this test run, or why there is none. */
export interface S3TestEnv {
  readonly available: boolean;
  /** Why the S3 tests skip; '' when the server runs. */
  readonly reason: string;
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Bucket holding the corpus under `corpus/<table>/` and test scratch under `scratch/`. */
  readonly bucket: string;
  /** Every corpus table by directory name (e.g. `simple_table`); each is uploaded on first use. */
  readonly tables: readonly string[];
  /** The tables uploaded before the tests started. */
  readonly preloaded: readonly string[];
  /** Milliseconds the setup took: server start plus upload. */
  readonly setupMs: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    meridianS3: S3TestEnv;
  }
}

/** The environment of a run without an S3 server, and why there is none. */
export function unavailableS3(reason: string): S3TestEnv {
  return {
    available: false,
    reason,
    endpoint: '',
    region: '',
    accessKeyId: '',
    secretAccessKey: '',
    bucket: '',
    tables: [],
    preloaded: [],
    setupMs: 0,
  };
}

const missing = unavailableS3('the S3 globalSetup (test/setup/s3.ts) did not run: use packages/delta/vitest.config.ts');

/** The S3 server of this run as the globalSetup provided it. */
export function s3TestEnv(): S3TestEnv {
  return (inject('meridianS3') as S3TestEnv | undefined) ?? missing;
}

/** Connection options for the test server: its endpoint, keys, region, path-style. */
export function s3TestOptions(): S3StorageOptions {
  const env = s3TestEnv();
  return {
    endpoint: env.endpoint,
    region: env.region,
    forcePathStyle: true,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
  };
}

let client: S3Client | undefined;
const uploads = new Map<string, Promise<void>>();

/**
 * `s3://<bucket>/corpus/<table>`: a table of ../shared/delta-corpus in the test bucket, uploaded
 * first if no test has yet (a few tables are preloaded). Open it with `{ s3: s3TestOptions() }`.
 */
export async function s3CorpusTableUri(table: string): Promise<string> {
  const env = s3TestEnv();
  if (!env.available) throw new Error(`the S3 test server is not running: ${env.reason}`);
  if (!env.tables.includes(table)) throw new Error(`no corpus table ${table}; tables: ${env.tables.join(', ')}`);
  if (!env.preloaded.includes(table)) {
    let upload = uploads.get(table);
    if (upload === undefined) {
      client ??= connect(env);
      upload = uploadTables(client, env.bucket, [table]).then(() => undefined);
      uploads.set(table, upload);
    }
    await upload;
  }
  return `s3://${env.bucket}/corpus/${table}`;
}

/** Storage over a corpus table in the test bucket, e.g. `await openS3CorpusTable('simple_table')`. */
export async function openS3CorpusTable(table: string): Promise<Storage> {
  return openStorage(await s3CorpusTableUri(table), { s3: s3TestOptions() });
}

/** A fresh, empty `s3://<bucket>/scratch/<label>-<uuid>` prefix for a test that writes. */
export function s3ScratchUri(label: string): string {
  return `s3://${s3TestEnv().bucket}/scratch/${label}-${randomUUID()}`;
}

/**
 * `describe` when the S3 server runs; otherwise the suite is reported as skipped with the reason
 * in its name, so a skip is never silent. (In CI the globalSetup fails the run instead.)
 */
export function describeS3(name: string, body: () => void): void {
  const env = s3TestEnv();
  if (env.available) describe(name, body);
  else describe.skip(`${name} [S3 SKIPPED: ${env.reason}]`, body);
}
