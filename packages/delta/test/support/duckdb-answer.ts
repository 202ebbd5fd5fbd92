import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformance, type TableResult } from '../../scripts/conformance/harness.ts';
import { loadDeletionVector } from '../../src/deletion-vectors/descriptor.ts';
import { openTable } from '../../src/snapshot/table.ts';
import { LocalStorage } from '../../src/storage/local.ts';
import { duckdb } from './corpus-copy.ts';

/*
 * Answers for the conformance harness computed by DuckDB from the JSON commits and the parquet files alone (no code
 * of ours in them): active files by replaying add/remove paths, rows by read_parquet over them less the rows their
 * deletion vectors mark (`deletedRows`, counted by the test from the log's cardinalities, when a table has any).
 */

const LOG = (dir: string) =>
  `read_json('${join(dir, '_delta_log')}/0*.json', format = 'newline_delimited', filename = true, union_by_name = true, maximum_object_size = 67108864)`;

/**
 * The active files at `version` as DuckDB replays the log: an add stays until a later remove of the same path and
 * deletion vector (PROTOCOL.md "Reconciliation": the logical file is path plus deletion vector id), and a later add of
 * the same logical file replaces it (a file re-added with new statistics or tags is one file, counted once).
 */
async function duckdbActive(dir: string, version: number): Promise<{ path: string; dvCardinality: number }[]> {
  const log = LOG(dir);
  const types = new Map(
    (await duckdb(`DESCRIBE SELECT * FROM ${log}`)).map((r) => [String(r.column_name), String(r.column_type)]),
  );
  const hasDv = (kind: string) => (types.get(kind) ?? '').includes('deletionVector');
  const dvId = (kind: string) =>
    hasDv(kind)
      ? `coalesce(${kind}.deletionVector.storageType || ${kind}.deletionVector.pathOrInlineDv || coalesce(CAST(${kind}.deletionVector."offset" AS VARCHAR), ''), '')`
      : `''`;
  const versioned = `(SELECT *, CAST(regexp_extract(filename, '(\\d{20})\\.json$', 1) AS BIGINT) AS v FROM ${log})`;
  const removes = types.has('remove')
    ? `SELECT remove.path AS p, ${dvId('remove')} AS d, v FROM ${versioned} WHERE remove IS NOT NULL AND v <= ${version}`
    : `SELECT NULL::VARCHAR AS p, NULL::VARCHAR AS d, NULL::BIGINT AS v WHERE false`;
  const card = hasDv('add') ? 'coalesce(add.deletionVector.cardinality, 0)' : '0';
  const rows = await duckdb(`
    WITH adds AS (SELECT add.path AS p, ${dvId('add')} AS d, ${card} AS c, v FROM ${versioned} WHERE add IS NOT NULL AND v <= ${version}),
         removes AS (${removes})
    SELECT p, c FROM (SELECT * FROM adds QUALIFY row_number() OVER (PARTITION BY p, d ORDER BY v DESC) = 1) a WHERE NOT EXISTS (SELECT 1 FROM removes r WHERE r.p = a.p AND r.d = a.d AND r.v >= a.v)`);
  return rows.map((r) => ({ path: String(r.p), dvCardinality: Number(r.c) }));
}

async function answerAt(dir: string, version: number, partitionColumns: readonly string[]) {
  const active = await duckdbActive(dir, version);
  const list = active.map((a) => `'${join(dir, decodeURIComponent(a.path)).replaceAll("'", "''")}'`).join(', ');
  const physical =
    active.length === 0 ? 0 : Number((await duckdb(`SELECT count(*) AS n FROM read_parquet([${list}])`))[0]?.n);
  const deleted = active.reduce((n, a) => n + a.dvCardinality, 0);
  return { version, numFiles: active.length, numRows: physical - deleted, partitionColumns };
}

/** Runs the conformance harness over every version of the table at `dir` against DuckDB's answers. */
export async function harnessAgainstDuckDB(dir: string): Promise<TableResult[]> {
  const snapshot = await (await openTable(dir)).snapshot();
  const latest = snapshot.version;
  const partitionColumns = snapshot.partitionColumns;
  const corpus = await mkdtemp(join(tmpdir(), 'meridian-delta-answers-'));
  await cp(dir, join(corpus, 't'), { recursive: true });
  await mkdir(join(corpus, 'answers'));
  const older = [];
  for (let v = 0; v < latest; v++) older.push(await answerAt(dir, v, partitionColumns));
  const answer = {
    table: 't',
    latestVersion: latest,
    ...(await answerAt(dir, latest, partitionColumns)),
    timeTravel: older,
  };
  await writeFile(join(corpus, 'answers', 't.json'), JSON.stringify(answer));
  return runConformance({
    corpus,
    answers: join(corpus, 'answers'),
    openStorage: (path) => new LocalStorage(path),
    openTable,
  });
}

/**
 * The live rows of the table's active files as DuckDB's read_parquet reads them, less the positions each file's
 * deletion vector marks (decoded by the reader, which reads the corpus's Spark and delta-rs vectors): what DuckDB's
 * delta extension would return, which cannot be installed offline.
 */
export async function duckdbLiveRows(dir: string, columns: readonly string[]): Promise<Record<string, unknown>[]> {
  const snapshot = await (await openTable(dir)).snapshot();
  const out: Record<string, unknown>[] = [];
  for (const f of snapshot.files()) {
    const dead = f.deletionVector ? [...(await loadDeletionVector(snapshot.storage, f.deletionVector))] : [];
    const path = join(dir, decodeURIComponent(f.path)).replaceAll("'", "''");
    const skip = dead.length === 0 ? '' : `WHERE file_row_number NOT IN (${dead.join(', ')})`;
    out.push(
      ...(await duckdb(
        `SELECT ${columns.join(', ')} FROM read_parquet('${path}', file_row_number = true, hive_partitioning = false) ${skip}`,
      )),
    );
  }
  return out;
}
