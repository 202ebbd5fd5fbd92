import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, makeData, makeVector, Table, TimestampMicrosecond, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../scripts/conformance/harness.ts';
import { openTable } from '../src/snapshot/table.ts';
import { LocalStorage } from '../src/storage/local.ts';
import { writeTable } from '../src/write/write-table.ts';
import { duckdb } from './support/corpus-copy.ts';

/*
 * Tables the writer makes with each feature pass the conformance harness against answers DuckDB
 * computes from the JSON commits and the parquet files alone (no code of ours in the answers).
 */

const fresh = async () => join(await mkdtemp(join(tmpdir(), 'meridian-delta-interop-')), 't');

async function duckdbAnswer(dir: string, version: number, partitionColumns: string[]) {
  const log = `read_json('${join(dir, '_delta_log')}/0*.json', format = 'newline_delimited', filename = true, union_by_name = true)`;
  const upTo = `CAST(regexp_extract(filename, '(\\d{20})\\.json$', 1) AS BIGINT) <= ${version}`;
  const paths = async (kind: 'add' | 'remove') =>
    (await duckdb(`SELECT ${kind}.path AS p FROM ${log} WHERE ${kind} IS NOT NULL AND ${upTo}`)).map((r) =>
      String(r.p),
    );
  // A log without a remove action has no remove column for DuckDB to bind.
  const hasRemoves = (await duckdb(`DESCRIBE SELECT * FROM ${log}`)).some((r) => r.column_name === 'remove');
  const removed = new Set(hasRemoves ? await paths('remove') : []);
  const active = (await paths('add')).filter((p) => !removed.has(p));
  const list = active.map((p) => `'${join(dir, decodeURIComponent(p))}'`).join(', ');
  const rows =
    active.length === 0 ? 0 : Number((await duckdb(`SELECT count(*) AS n FROM read_parquet([${list}])`))[0]?.n);
  return { version, numFiles: active.length, numRows: rows, partitionColumns };
}

async function passesHarness(dir: string, partitionColumns: string[]): Promise<void> {
  const latest = (await (await openTable(dir)).snapshot()).version;
  const corpus = await mkdtemp(join(tmpdir(), 'meridian-delta-interop-corpus-'));
  await cp(dir, join(corpus, 't'), { recursive: true });
  await mkdir(join(corpus, 'answers'));
  const older = [];
  for (let v = 0; v < latest; v++) older.push(await duckdbAnswer(dir, v, partitionColumns));
  const answer = {
    table: 't',
    latestVersion: latest,
    ...(await duckdbAnswer(dir, latest, partitionColumns)),
    timeTravel: older,
  };
  await writeFile(join(corpus, 'answers', 't.json'), JSON.stringify(answer));
  const results = await runConformance({
    corpus,
    answers: join(corpus, 'answers'),
    openStorage: (path) => new LocalStorage(path),
    openTable,
  });
  expect(results.map((r) => r.problems)).toEqual([[]]);
  expect(results[0]?.checked.length).toBe(latest + 1);
}

const rows = (ids: number[], tag: string) =>
  new Table({
    id: vectorFromArray(ids, new Int32()),
    tag: vectorFromArray(
      ids.map(() => tag),
      new Utf8(),
    ),
  });

describe('tables the writer makes pass the conformance harness against DuckDB-computed answers', () => {
  it('column mapping (name), appends and an overwrite', async () => {
    const dir = await fresh();
    await writeTable(dir, rows([1, 2, 3], 'a'), {
      mode: 'create',
      configuration: { 'delta.columnMapping.mode': 'name' },
    });
    await writeTable(dir, rows([4], 'b'), { mode: 'append' });
    await writeTable(dir, rows([5, 6], 'c'), { mode: 'overwrite' });
    await writeTable(dir, rows([7], 'd'), { mode: 'append' });
    await passesHarness(dir, []);
  });

  it('partitions by a timestamp, replaceWhere and mergeSchema', async () => {
    const dir = await fresh();
    const at = (us: bigint[], ids: number[]) =>
      new Table({
        ts: makeVector(
          makeData({ type: new TimestampMicrosecond('UTC'), length: us.length, data: BigInt64Array.from(us) }),
        ),
        id: vectorFromArray(ids, new Int32()),
      });
    await writeTable(dir, at([0n, 1n, 3_600_000_000n], [1, 2, 3]), { mode: 'create', partitionBy: ['ts'] });
    await writeTable(dir, at([1n], [20]), { mode: 'overwrite', replaceWhere: "ts = '1970-01-01 00:00:00.000001'" });
    const wider = new Table({
      ts: makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: 1, data: BigInt64Array.of(7n) })),
      id: vectorFromArray([30], new Int32()),
      note: vectorFromArray(['n'], new Utf8()),
    });
    await writeTable(dir, wider, { mode: 'append', mergeSchema: true });
    await passesHarness(dir, ['ts']);
  });
});
