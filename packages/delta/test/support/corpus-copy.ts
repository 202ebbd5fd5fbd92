import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DeltaFile } from '../../src/log/files.ts';
import type { Snapshot } from '../../src/snapshot/snapshot.ts';

/** The shared corpus of tables written by other engines (/work/shared/delta-corpus). */
const CORPUS = fileURLToPath(new URL('../../../../../shared/delta-corpus/', import.meta.url));

/** A copy of a corpus table in a fresh temp dir, so a test may write to it. */
export async function copyOfCorpusTable(name: string): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-corpus-')), name);
  await cp(join(CORPUS, name), dir, { recursive: true });
  return dir;
}

/** A DuckDB list literal of the data files' local paths. */
export function fileList(dir: string, files: readonly DeltaFile[]): string {
  return `[${files.map((f) => `'${join(dir, decodeURIComponent(f.path)).replaceAll("'", "''")}'`).join(', ')}]`;
}

/** Runs one query in a fresh in-memory DuckDB. */
export async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Runs `sql` in DuckDB over the snapshot's active files read with read_parquet (by name, so a
 * column absent from a file reads as NULL): `files` in the SQL stands for that table function.
 */
export function duckdbOverActiveFiles(
  dir: string,
  snapshot: Snapshot,
  sql: (files: string) => string,
): Promise<Record<string, unknown>[]> {
  return duckdb(sql(`read_parquet(${fileList(dir, snapshot.files())}, union_by_name = true)`));
}
