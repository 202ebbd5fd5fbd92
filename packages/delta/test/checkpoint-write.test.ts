import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalize, hashLines } from '../scripts/conformance/canonical.ts';
import { runConformance } from '../scripts/conformance/harness.ts';
import { openTable } from '../src/snapshot/table.ts';
import { LocalStorage } from '../src/storage/local.ts';
import { checkpoint } from '../src/write/checkpoint.ts';
import { deleteRows } from '../src/write/delete-rows.ts';
import { deltaSchemaOf } from '../src/write/schema.ts';
import { writeTable } from '../src/write/write-table.ts';
import { copyOfCorpusTable, duckdb, duckdbOverActiveFiles } from './support/corpus-copy.ts';

const batch = (n: number) =>
  new Table({
    id: vectorFromArray([BigInt(2 * n), BigInt(2 * n + 1)], new Int64()),
    part: vectorFromArray([`p${n % 3}`, `p${n % 3}`], new Utf8()),
    qty: vectorFromArray([n, -n], new Int32()),
  });
const hash = (t: Table) => hashLines(canonicalize(t.batches, deltaSchemaOf(t.schema).fields).rows);
const LOG = '_delta_log';

let dir: string;
let plain: string;
beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'meridian-delta-checkpoint-'));
  dir = join(root, 't');
  await writeTable(dir, batch(0), { mode: 'create', partitionBy: ['part'] });
  const checkpoints: number[] = [];
  for (let n = 1; n <= 25; n++) {
    const r = await writeTable(dir, batch(n), { mode: 'append' });
    if (r.checkpoint !== undefined) checkpoints.push(r.checkpoint);
  }
  expect(checkpoints).toEqual([10, 20]);
  // The same log without checkpoints: what replaying every commit gives.
  plain = join(root, 'plain');
  await cp(dir, plain, { recursive: true });
  for (const f of await readdir(join(plain, LOG))) {
    if (f.includes('checkpoint')) await rm(join(plain, LOG, f));
  }
}, 120_000);

describe('checkpoints', () => {
  it('writes a classic checkpoint every 10 commits and points _last_checkpoint at the newest', async () => {
    const files = (await readdir(join(dir, LOG))).filter((f) => f.includes('checkpoint')).sort();
    expect(files).toEqual([
      '00000000000000000010.checkpoint.parquet',
      '00000000000000000020.checkpoint.parquet',
      '_last_checkpoint',
    ]);
    const last = JSON.parse(await readFile(join(dir, LOG, '_last_checkpoint'), 'utf8'));
    expect(last).toMatchObject({ version: 20, numOfAddFiles: 21 });
  });

  it('reads identically from the checkpoints as from the commits, at every version', async () => {
    for (const version of [9, 10, 11, 20, 25]) {
      const a = await (await openTable(dir)).snapshot({ version });
      const b = await (await openTable(plain)).snapshot({ version });
      expect(
        a
          .files()
          .map((f) => f.path)
          .sort(),
      ).toEqual(
        b
          .files()
          .map((f) => f.path)
          .sort(),
      );
      expect(a.metadata).toEqual(b.metadata);
      expect(a.protocol).toEqual(b.protocol);
      expect(hash(await a.toArrow())).toBe(hash(await b.toArrow()));
      // Statistics survive the checkpoint, so scans still skip files.
      expect((await a.toArrow({ where: 'id = 7' })).numRows).toBe(version >= 3 ? 1 : 0);
    }
  });

  it('needs only the checkpoint and later commits (the commits before it can be gone)', async () => {
    const copy = join(await mkdtemp(join(tmpdir(), 'meridian-delta-checkpoint-')), 't');
    await cp(dir, copy, { recursive: true });
    for (let v = 0; v < 20; v++) await rm(join(copy, LOG, `${String(v).padStart(20, '0')}.json`));
    const snapshot = await (await openTable(copy)).snapshot();
    expect(snapshot.version).toBe(25);
    expect((await snapshot.toArrow()).numRows).toBe(52);
    expect(hash(await snapshot.toArrow())).toBe(hash(await (await (await openTable(plain)).snapshot()).toArrow()));
  });

  it('is read by DuckDB: the checkpoint names the live files, which hold the same rows', async () => {
    const snapshot = await (await openTable(dir)).snapshot({ version: 20 });
    const adds = await duckdb(
      `SELECT count(*) AS n FROM read_parquet('${join(dir, LOG, '00000000000000000020.checkpoint.parquet')}') WHERE add IS NOT NULL`,
    );
    expect(Number(adds[0]?.n)).toBe(snapshot.files().length);
    const rows = await duckdbOverActiveFiles(
      dir,
      snapshot,
      (files) => `SELECT count(*) AS n, sum(qty) AS q FROM ${files}`,
    );
    const ours = await snapshot.toArrow();
    expect(Number(rows[0]?.n)).toBe(ours.numRows);
    expect(Number(rows[0]?.q)).toBe([...(ours.getChild('qty') as Iterable<number>)].reduce((s, q) => s + q, 0));
  });

  it('checkpoints on demand, and keeps tombstones and txns', async () => {
    const copy = join(await mkdtemp(join(tmpdir(), 'meridian-delta-checkpoint-')), 't');
    await cp(dir, copy, { recursive: true });
    await writeTable(copy, batch(99), { mode: 'overwrite' });
    const result = await checkpoint(copy);
    expect(result.version).toBe(26);
    const last = JSON.parse(await readFile(join(copy, LOG, '_last_checkpoint'), 'utf8'));
    expect(last.version).toBe(26);
    for (let v = 0; v <= 26; v++) await rm(join(copy, LOG, `${String(v).padStart(20, '0')}.json`), { force: true });
    const snapshot = await (await openTable(copy)).snapshot();
    expect(snapshot.files()).toHaveLength(1);
    expect(snapshot.tombstones()).toHaveLength(26);
    expect((await snapshot.toArrow()).numRows).toBe(2);
  });

  it('reads every field of its add and remove actions as the commits hold them, non-ASCII text included', async () => {
    // The checkpoint reader takes a chunk of ASCII text as one string and slices it, and reads the validity bitmap
    // itself: paths and partition values outside ASCII, null statistics and tombstones must come back unchanged.
    const root = await mkdtemp(join(tmpdir(), 'meridian-delta-checkpoint-text-'));
    const table = join(root, 't');
    const rows = (n: number, part: string) =>
      new Table({
        id: vectorFromArray([BigInt(n)], new Int64()),
        part: vectorFromArray([part], new Utf8()),
        qty: vectorFromArray([n], new Int32()),
      });
    const parts = ['zürich', 'plain', '東京 tōkyō', 'a b%c', 'plain'];
    await writeTable(table, rows(0, parts[0] as string), { mode: 'create', partitionBy: ['part'] });
    for (let n = 1; n < parts.length; n++) await writeTable(table, rows(n, parts[n] as string), { mode: 'append' });
    await deleteRows(table, 'id = 1');
    const fromCommits = await (await openTable(table)).snapshot();
    await checkpoint(table);
    for (const f of await readdir(join(table, LOG))) if (f.endsWith('.json')) await rm(join(table, LOG, f));
    const fromCheckpoint = await (await openTable(table)).snapshot();
    const files = (s: typeof fromCommits) =>
      s
        .files()
        .map((f) => ({ path: f.path, partitionValues: f.partitionValues, size: f.size, stats: f.stats }))
        .sort((a, b) => a.path.localeCompare(b.path));
    expect(files(fromCheckpoint)).toEqual(files(fromCommits));
    expect(files(fromCheckpoint).map((f) => f.partitionValues.part)).toEqual(
      expect.arrayContaining(['zürich', '東京 tōkyō', 'a b%c']),
    );
    const tombstones = (s: typeof fromCommits) =>
      s.tombstones().map((t) => ({ path: t.path, partitionValues: t.partitionValues, size: t.size }));
    expect(tombstones(fromCheckpoint)).toEqual(tombstones(fromCommits));
    expect(tombstones(fromCheckpoint)).toHaveLength(1);
    expect(hash(await fromCheckpoint.toArrow())).toBe(hash(await fromCommits.toArrow()));
  });

  it('passes the conformance harness against answers DuckDB computes from the JSON commits alone', async () => {
    const corpus = await mkdtemp(join(tmpdir(), 'meridian-delta-checkpoint-corpus-'));
    await cp(dir, join(corpus, 't'), { recursive: true });
    await mkdir(join(corpus, 'answers'));
    // Independent of our reader: the commits' add paths by version (no table here removes a file).
    const answerAt = async (version: number) => {
      const adds = await duckdb(
        `SELECT add.path AS p FROM read_json('${join(dir, LOG)}/0*.json', format = 'newline_delimited', filename = true)
         WHERE add IS NOT NULL AND CAST(regexp_extract(filename, '(\\d{20})\\.json$', 1) AS BIGINT) <= ${version}`,
      );
      const list = adds.map((r) => `'${join(dir, decodeURIComponent(String(r.p)))}'`).join(', ');
      const rows = await duckdb(`SELECT count(*) AS n FROM read_parquet([${list}])`);
      return { version, numFiles: adds.length, numRows: Number(rows[0]?.n), tombstones: 0, partitionColumns: ['part'] };
    };
    const answer = {
      table: 't',
      latestVersion: 25,
      ...(await answerAt(25)),
      timeTravel: [await answerAt(10), await answerAt(20)],
    };
    expect(answer.numRows).toBe(52);
    await writeFile(join(corpus, 'answers', 't.json'), JSON.stringify(answer));
    const results = await runConformance({
      corpus,
      answers: join(corpus, 'answers'),
      openStorage: (path) => new LocalStorage(path),
      openTable,
    });
    expect(results.map((r) => r.problems)).toEqual([[]]);
    expect(results[0]?.passed).toBe(true);
  });

  it('drops tombstones older than delta.deletedFileRetentionDuration from a checkpoint', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-checkpoint-')), 't');
    const configuration = { 'delta.deletedFileRetentionDuration': 'interval 0 seconds' };
    await writeTable(dir, batch(1), { mode: 'create', configuration });
    await writeTable(dir, batch(2), { mode: 'overwrite' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await checkpoint(dir);
    for (let v = 0; v <= 1; v++) await rm(join(dir, LOG, `${String(v).padStart(20, '0')}.json`));
    const snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.tombstones()).toHaveLength(0);
    expect((await snapshot.toArrow()).numRows).toBe(2);
    // With an unreadable duration every tombstone is kept rather than guessed away.
    const kept = join(await mkdtemp(join(tmpdir(), 'meridian-delta-checkpoint-')), 't');
    await writeTable(kept, batch(1), {
      mode: 'create',
      configuration: { 'delta.deletedFileRetentionDuration': 'soon' },
    });
    await writeTable(kept, batch(2), { mode: 'overwrite' });
    await checkpoint(kept);
    for (let v = 0; v <= 1; v++) await rm(join(kept, LOG, `${String(v).padStart(20, '0')}.json`));
    expect((await (await openTable(kept)).snapshot()).tombstones()).toHaveLength(1);
  });

  it('writes v2 checkpoints (JSON, actions inline) for tables with the v2Checkpoint feature', async () => {
    // A table another engine wrote with v2 checkpoints and sidecars: ours reads the same.
    const v2 = await copyOfCorpusTable('checkpoint-v2-table');
    const expected = await (await openTable(v2)).snapshot();
    const result = await checkpoint(v2);
    expect(result.key).toMatch(/_delta_log\/\d{20}\.checkpoint\.[0-9a-f-]{36}\.json$/);
    for (const f of await readdir(join(v2, LOG))) {
      if (f.endsWith('.json') && !result.key.endsWith(f)) await rm(join(v2, LOG, f));
      if (f.includes('.checkpoint.') && f.endsWith('.parquet')) await rm(join(v2, LOG, f));
    }
    await rm(join(v2, LOG, '_sidecars'), { recursive: true, force: true });
    const fromOurs = await (await openTable(v2)).snapshot();
    expect(fromOurs.version).toBe(expected.version);
    expect(
      fromOurs
        .files()
        .map((f) => f.path)
        .sort(),
    ).toEqual(
      expected
        .files()
        .map((f) => f.path)
        .sort(),
    );
    expect(fromOurs.protocol).toEqual(expected.protocol);
    expect(hash(await fromOurs.toArrow())).toBe(hash(await expected.toArrow()));

    // A table of ours asking for them: a v2 checkpoint every 10 commits.
    const mine = join(await mkdtemp(join(tmpdir(), 'meridian-delta-checkpoint-')), 't');
    await writeTable(mine, batch(0), { mode: 'create', configuration: { 'delta.checkpointPolicy': 'v2' } });
    for (let n = 1; n <= 10; n++) await writeTable(mine, batch(n), { mode: 'append' });
    const names = await readdir(join(mine, LOG));
    expect(names.filter((f) => f.includes('.checkpoint.'))).toEqual([
      expect.stringMatching(/^00000000000000000010\.checkpoint\.[0-9a-f-]{36}\.json$/),
    ]);
    for (let v = 0; v <= 10; v++) await rm(join(mine, LOG, `${String(v).padStart(20, '0')}.json`));
    const snapshot = await (await openTable(mine)).snapshot();
    expect(snapshot.protocol.readerFeatures).toContain('v2Checkpoint');
    expect((await snapshot.toArrow()).numRows).toBe(22);
    expect((await snapshot.toArrow({ where: 'id = 7' })).numRows).toBe(1);
  });
});
