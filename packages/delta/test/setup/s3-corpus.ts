/**
 * Copies tables of ../shared/delta-corpus into the test bucket as `corpus/<table>/...`, with the
 * raw SDK (not the code under test). Used by the globalSetup for the preloaded tables and by
 * test workers for any other table on first use.
 */

import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The corpus directory: env MERIDIAN_DELTA_CORPUS, else ../shared/delta-corpus beside the project. */
const corpusDir =
  process.env.MERIDIAN_DELTA_CORPUS ?? fileURLToPath(new URL('../../../../../shared/delta-corpus/', import.meta.url));

/** Where and as whom to reach the test server. */
export interface S3Connection {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A plain SDK client for the test server (path-style: the gateway has no bucket host names). */
export function connect(connection: S3Connection): S3Client {
  return new S3Client({
    endpoint: connection.endpoint,
    region: connection.region,
    forcePathStyle: true,
    credentials: { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

/** Every table directory of the corpus (`answers` holds expected results, not a table). */
export async function corpusTables(): Promise<string[]> {
  if (!existsSync(corpusDir)) return [];
  const entries = await readdir(corpusDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && e.name !== 'answers')
    .map((e) => e.name)
    .sort();
}

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

// Written after a table's last file, so a half-finished upload is never taken for a whole one.
const marker = (table: string) => `corpus/.uploaded/${table}`;

/** Uploads the tables not yet in the bucket; returns the number of files uploaded. */
export async function uploadTables(client: S3Client, bucket: string, tables: readonly string[]): Promise<number> {
  const missing: string[] = [];
  for (const table of tables) {
    if (!existsSync(join(corpusDir, table))) throw new Error(`no corpus table ${table} in ${corpusDir}`);
    const present = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: marker(table) })).then(
      () => true,
      () => false,
    );
    if (!present) missing.push(table);
  }
  const files: string[] = [];
  for (const table of missing) {
    for (const entry of await readdir(join(corpusDir, table), { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
    }
  }
  // 16 uploads in flight keep the gateway busy without queueing in it.
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++] as string;
      const key = `corpus/${relative(corpusDir, file).split('\\').join('/')}`;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(file) }));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await Promise.all(
    missing.map((table) => client.send(new PutObjectCommand({ Bucket: bucket, Key: marker(table), Body: '' }))),
  );
  return files.length;
}
