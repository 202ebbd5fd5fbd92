/**
 * vitest globalSetup: a real S3 server for this test run. Starts Ceph's RADOS Gateway on a free
 * loopback port with ../shared/s3/start.sh (about 12 s), creates a bucket, uploads the tables of
 * ../shared/delta-corpus under `corpus/<table>/`, provides the connection as `meridianS3`
 * (read it through ./s3-env.ts) and stops exactly its daemons at teardown.
 *
 * When the server cannot start, S3 tests skip and say why; with CI=true the run fails instead.
 * No server starts when no selected test file imports ./s3-env.ts.
 * Knobs (not in CI): MERIDIAN_S3=off skips the server; MERIDIAN_S3_ENDPOINT=http://... uses a
 * running server (keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) to save the start-up time.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { connect, corpusTables, createBucket, uploadTables } from './s3-corpus.ts';
import { unavailableS3 } from './s3-env.ts';

const run = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const sharedDir = resolve(projectRoot, '..', 'shared');
const s3Scripts = join(sharedDir, 's3');
// Uploaded before the tests start; any other corpus table is uploaded by the first test that
// asks for it (s3-env.ts). MERIDIAN_S3_CORPUS=all preloads all 50 tables (about 9 s more).
const PRELOADED = [
  'simple_table',
  'simple_table_with_checkpoint',
  'delta-0.8.0-partitioned',
  'checkpoint-v2-table',
  'table-with-dv-small',
];
const BUCKET = 'meridian-delta';
// start.sh's test credentials, used when MERIDIAN_S3_ENDPOINT names a server without AWS_* keys.
const DEFAULT_KEYS = { accessKeyId: 'meridian-test-access', secretAccessKey: 'meridian-test-secret-0123456789abcdef' };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const inCi = process.env.CI === 'true' || process.env.CI === '1';
  const unavailable = (reason: string): (() => Promise<void>) => {
    if (inCi) throw new Error(`S3 test server: ${reason} (CI=true: S3 tests must run, not skip)`);
    const notice = `\n[delta s3] S3 TESTS SKIPPED: ${reason}\n\n`;
    process.stderr.write(notice);
    project.provide('meridianS3', unavailableS3(reason));
    // Said again after the run, beside the summary that counts the skipped tests.
    return async () => {
      process.stderr.write(notice);
    };
  };

  if (!inCi && process.env.MERIDIAN_S3 === 'off') return unavailable('MERIDIAN_S3=off');
  if (!(await selectedFilesUseS3(project))) {
    // Nothing to skip, so no notice: e.g. `vitest run test/log-replay.test.ts` starts no server.
    project.provide('meridianS3', unavailableS3(`no selected test file imports ${S3_ENV}`));
    return async () => {};
  }

  let server: { endpoint: string; accessKeyId: string; secretAccessKey: string; stop: () => Promise<void> };
  const external = inCi ? undefined : process.env.MERIDIAN_S3_ENDPOINT;
  if (external !== undefined && external !== '') {
    server = {
      endpoint: external,
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? DEFAULT_KEYS.accessKeyId,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? DEFAULT_KEYS.secretAccessKey,
      stop: async () => {},
    };
  } else {
    if (!existsSync(join(s3Scripts, 'start.sh')))
      return unavailable(`no ${join(s3Scripts, 'start.sh')} (../shared/s3 beside the project)`);
    try {
      server = await startServer();
    } catch (error) {
      return unavailable(error instanceof Error ? error.message : String(error));
    }
  }

  const serverMs = performance.now() - started;
  const bucket = external ? `${BUCKET}-${Date.now().toString(36)}` : BUCKET;
  const connection = { ...server, region: 'us-east-1' };
  const tables = await corpusTables();
  const preload = process.env.MERIDIAN_S3_CORPUS === 'all' ? tables : PRELOADED.filter((t) => tables.includes(t));
  let files: number;
  const client = connect(connection);
  try {
    await createBucket(client, bucket);
    files = await uploadTables(client, bucket, preload);
  } catch (error) {
    await server.stop();
    return unavailable(
      `the server started but the corpus upload failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    client.destroy();
  }
  const setupMs = Math.round(performance.now() - started);
  process.stderr.write(
    `[delta s3] ${server.endpoint} up in ${(serverMs / 1000).toFixed(1)} s; ${preload.length} corpus tables (${files} files) in s3://${bucket}/corpus/ ${((setupMs - serverMs) / 1000).toFixed(1)} s later\n`,
  );
  project.provide('meridianS3', {
    available: true,
    reason: '',
    endpoint: server.endpoint,
    region: 'us-east-1',
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    bucket,
    tables,
    preloaded: preload,
    setupMs,
  });
  return server.stop;
}

// Test files that use the server import this module (directly; a file that reaches it only
// through another helper should name it in a comment).
const S3_ENV = 'setup/s3-env';

/**
 * Whether any test file of this run mentions S3_ENV, so running other files alone skips the
 * 12 s start. The CLI's file filters are read from vitest's (internal) filenamePattern; when
 * that is unavailable every test file counts as selected.
 */
async function selectedFilesUseS3(project: TestProject): Promise<boolean> {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters !== undefined && filters.length > 0 ? filters : undefined);
  for (const file of testFiles) {
    if ((await readFile(file, 'utf8')).includes(S3_ENV)) return true;
  }
  return false;
}

/** Runs start.sh in a fresh temp directory on a free port; retries once on a port race. */
async function startServer(): Promise<{
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop: () => Promise<void>;
}> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePortPair();
    const parent = await mkdtemp(join(tmpdir(), 'meridian-delta-s3-'));
    const dir = join(parent, 'ceph');
    // If the test process dies without teardown, still stop the daemons: they hold ~150 MB.
    const onExit = () => {
      spawnSync('bash', [join(s3Scripts, 'stop.sh'), '--purge', dir], { stdio: 'ignore' });
    };
    process.once('exit', onExit);
    const stop = async () => {
      process.removeListener('exit', onExit);
      await run('bash', [join(s3Scripts, 'stop.sh'), '--purge', dir]).catch(() => undefined);
      await rm(parent, { recursive: true, force: true });
    };
    try {
      await run('bash', [join(s3Scripts, 'start.sh'), dir], {
        env: { ...process.env, S3_PORT: String(port), MON_PORT: String(port + 10_000) },
        timeout: 200_000,
      });
      const env = parseEnvFile(await readFile(join(dir, 's3.env'), 'utf8'));
      const endpoint = env.AWS_ENDPOINT_URL;
      if (endpoint === undefined) throw new Error(`start.sh wrote no AWS_ENDPOINT_URL to ${dir}/s3.env`);
      return {
        endpoint,
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? DEFAULT_KEYS.accessKeyId,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? DEFAULT_KEYS.secretAccessKey,
        stop,
      };
    } catch (error) {
      await stop();
      const e = error as { stderr?: string; message?: string };
      lastError = (e.stderr?.trim() || e.message || String(error)).split('\n').slice(0, 8).join('\n');
      // Only a port taken between our probe and start.sh is worth another try.
      if (!/already in use/.test(lastError)) break;
    }
  }
  throw new Error(
    `../shared/s3/start.sh failed: ${lastError}${/missing /.test(lastError) ? ' (run ../shared/s3/install.sh as root)' : ''}`,
  );
}

/** A port p with p and p+10000 (the monitor's) both free on 127.0.0.1. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair found on 127.0.0.1 in 20000..39999');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const probe = createServer();
    probe.once('error', () => resolvePromise(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePromise(true)));
  });
}

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2];
  }
  return env;
}
