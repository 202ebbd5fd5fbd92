import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { canonicalize, hashLines } from '../scripts/conformance/canonical.ts';
import { LOG_DIR } from '../src/log/log-files.ts';
import { openTable } from '../src/snapshot/table.ts';
import { openStorage } from '../src/storage/open.ts';
import type { Storage } from '../src/storage/storage.ts';
import { deltaSchemaOf } from '../src/write/schema.ts';
import { vacuum } from '../src/write/vacuum.ts';
import { writeTable } from '../src/write/write-table.ts';
import { describeS3, s3ScratchUri, s3TestOptions } from './setup/s3-env.ts';
import { copyOfCorpusTable, duckdbOverActiveFiles } from './support/corpus-copy.ts';

// Issue 15 (vacuum) and issue 16 item 12 (what killed writers leave behind).

const HOUR = 3_600_000;
const rows = (first: number, n: number) =>
  new Table({
    id: makeVector(
      makeData({ type: new Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(first + i)) }),
    ),
    kind: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'even' : 'odd')),
      new Utf8(),
    ),
  });

async function rowsHash(uri: string, version?: number): Promise<string> {
  const t = await (await (await openTable(uri)).snapshot(version === undefined ? {} : { version })).toArrow();
  return hashLines(canonicalize(t.batches, deltaSchemaOf(t.schema).fields).rows);
}

/** Every key under the root, the log and hidden files included (local disk: temp files too). */
async function allKeys(storage: Storage): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage.list('', { includeTemporary: true })) keys.push(o.key);
  return keys;
}

async function age(path: string, hours: number): Promise<void> {
  const t = new Date(Date.now() - hours * HOUR);
  await utimes(path, t, t);
}

/** v0: 10 rows; v1: an overwrite with 6 rows (v0's files tombstoned now); v2: 4 rows appended. Retention 1 hour. */
async function tableWithHistory(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-vacuum-')), 't');
  await writeTable(dir, rows(0, 10), {
    mode: 'create',
    partitionBy: ['kind'],
    configuration: { 'delta.deletedFileRetentionDuration': 'interval 1 hours' },
  });
  // The first version's files were written three hours ago.
  for (const part of ['kind=even', 'kind=odd'])
    for (const f of await readdir(join(dir, part))) await age(join(dir, part, f), 3);
  await writeTable(dir, rows(100, 6), { mode: 'overwrite' });
  await writeTable(dir, rows(200, 4), { mode: 'append' });
  return dir;
}

describe('vacuum on local disk', () => {
  it('keeps what versions inside the window read; removes old orphans and temp files, never the log', async () => {
    const dir = await tableWithHistory();
    const latest = await rowsHash(dir);
    const v0 = await rowsHash(dir, 0);
    // What killed writers leave: a data file no commit names, temp files of unfinished uploads (3 hours old),
    // and a fresh orphan a writer may still be about to commit.
    const orphan = join(dir, 'kind=odd', 'part-00000-dead-writer.c000.zstd.parquet');
    const temp = join(dir, 'kind=even', '.meridian-tmp-0b7f1d6e-killed');
    const rootTemp = join(dir, '.meridian-tmp-5c1a-killed');
    const fresh = join(dir, 'part-00000-in-flight.c000.zstd.parquet');
    const logJunk = join(dir, '_delta_log', '.meridian-tmp-old-commit');
    for (const f of [orphan, temp, rootTemp, fresh, logJunk]) await writeFile(f, 'PAR1 not really');
    for (const f of [orphan, temp, rootTemp, logJunk]) await age(f, 3);
    const storage = openStorage(dir);
    const before = await allKeys(storage);

    const dry = await vacuum(dir, { dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.retentionHours).toBe(1);
    expect(dry.files.map((f) => [f.key, f.reason])).toEqual([
      ['.meridian-tmp-5c1a-killed', 'temporary'],
      ['kind=even/.meridian-tmp-0b7f1d6e-killed', 'temporary'],
      ['kind=odd/part-00000-dead-writer.c000.zstd.parquet', 'unreferenced'],
    ]);
    expect(await allKeys(storage)).toEqual(before);

    const done = await vacuum(dir);
    expect(done.files.map((f) => f.key)).toEqual(dry.files.map((f) => f.key));
    const after = await allKeys(storage);
    expect(after).toEqual(before.filter((k) => !dry.files.some((f) => f.key === k)));
    expect(after).toContain('_delta_log/.meridian-tmp-old-commit');
    expect(after).toContain('part-00000-in-flight.c000.zstd.parquet');
    // v0's files were removed inside the window (the overwrite just now): time travel to v0 still reads.
    expect(await rowsHash(dir)).toBe(latest);
    expect(await rowsHash(dir, 0)).toBe(v0);
  });

  it('refuses a window shorter than the table’s unless forced; forced, the tombstoned files go', async () => {
    const dir = await tableWithHistory();
    const latest = await rowsHash(dir);
    await expect(vacuum(dir, { retentionHours: 0 })).rejects.toMatchObject({
      code: 'retention-too-short',
      message: expect.stringContaining('delta.deletedFileRetentionDuration=interval 1 hours'),
    });
    const forced = await vacuum(dir, { retentionHours: 0, force: true });
    const snapshot = await (await openTable(dir)).snapshot();
    expect(forced.files.filter((f) => f.reason === 'unreferenced')).toHaveLength(2); // v0's two files
    expect(forced.kept).toBe(snapshot.files().length);
    expect(await rowsHash(dir)).toBe(latest);
    await expect((await (await openTable(dir)).snapshot({ version: 0 })).toArrow()).rejects.toMatchObject({
      code: 'not-found',
    });
    // DuckDB over the files the log names reads the same rows.
    const [count] = await duckdbOverActiveFiles(
      dir,
      snapshot,
      (files) => `select count(*)::int as n, sum(id)::bigint as s from ${files}`,
    );
    expect(count).toEqual({ n: 10, s: BigInt(100 * 6 + 15 + 200 * 4 + 6) });
  });

  it('removes what a writer killed with SIGKILL mid-upload left, and the table reads as before', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-vacuum-kill-')), 't');
    const ids = new Table({
      id: makeVector(makeData({ type: new Int64(), length: 2, data: BigInt64Array.of(-1n, -2n) })),
    });
    await writeTable(dir, ids, { mode: 'create' });
    const writer = fileURLToPath(new URL('./fixtures/slow-append-writer.ts', import.meta.url));
    // Killed once five of its 200 data files are stored and before its commit.
    const child = execFile(process.execPath, [writer, dir, '200000']);
    const stored = await new Promise<boolean>((resolve) => {
      child.stdout?.on('data', (d: Buffer) => d.includes('uploaded') && resolve(true));
      child.once('exit', () => resolve(false));
    });
    expect(stored).toBe(true);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const snapshot0 = await (await openTable(dir)).snapshot();
    expect(snapshot0.version).toBe(0);
    const leftovers = (await allKeys(openStorage(dir))).filter((k) => !k.startsWith(LOG_DIR)).length - 1;
    expect(leftovers).toBeGreaterThanOrEqual(5);
    const latest = await rowsHash(dir);
    const result = await vacuum(dir, { retentionHours: 0, force: true });
    const snapshot = await (await openTable(dir)).snapshot();
    const live = snapshot
      .files()
      .map((f) => decodeURI(f.path))
      .sort();
    expect((await allKeys(openStorage(dir))).filter((k) => !k.startsWith(LOG_DIR))).toEqual(live);
    expect(await rowsHash(dir)).toBe(latest);
    process.stderr.write(`[vacuum] a killed writer left ${leftovers} files; vacuum removed ${result.files.length}\n`);
  }, 120_000);

  it('a corpus table (Delta Spark, deletion vectors) copied to a temp dir reads identically after vacuum', async () => {
    const dir = await copyOfCorpusTable('cdf-table-with-cdc-and-dvs');
    const latest = await rowsHash(dir);
    const log = await readdir(join(dir, '_delta_log'));
    const changeData = await readdir(join(dir, '_change_data'));
    // The copy's files are all new: the default window keeps everything.
    expect((await vacuum(dir)).files).toEqual([]);
    const r = await vacuum(dir, { retentionHours: 0, force: true });
    expect(r.files.length).toBeGreaterThan(0);
    expect(r.files.some((f) => f.key.startsWith('deletion_vector_'))).toBe(true);
    expect(await rowsHash(dir)).toBe(latest);
    expect(await readdir(join(dir, '_delta_log'))).toEqual(log);
    expect(await readdir(join(dir, '_change_data'))).toEqual(changeData);
  });

  it('a corpus table without deletion vectors: DuckDB over the active files agrees after vacuum', async () => {
    const dir = await copyOfCorpusTable('simple_table');
    const latest = await rowsHash(dir);
    const r = await vacuum(dir, { retentionHours: 0, force: true });
    expect(r.files.length).toBeGreaterThan(0);
    const snapshot = await (await openTable(dir)).snapshot();
    expect(await rowsHash(dir)).toBe(latest);
    const [d] = await duckdbOverActiveFiles(dir, snapshot, (files) => `select count(*)::int as n from ${files}`);
    expect(d).toEqual({ n: (await snapshot.toArrow()).numRows });
  });

  it('never deletes through a symlink to a folder outside the table', async () => {
    const dir = await tableWithHistory();
    const outside = await mkdtemp(join(tmpdir(), 'meridian-delta-vacuum-outside-'));
    await mkdir(join(outside, 'precious'));
    const precious = join(outside, 'precious', 'part-00000-keep.parquet');
    await writeFile(precious, 'not the table’s');
    await age(precious, 10);
    await symlink(join(outside, 'precious'), join(dir, 'linked'));
    await expect(vacuum(dir, { retentionHours: 0, force: true })).rejects.toMatchObject({ code: 'outside-table' });
    expect((await stat(precious)).isFile()).toBe(true);
  });

  it('refuses tables with features it does not implement, by name', async () => {
    const dir = await copyOfCorpusTable('table_with_liquid_clustering');
    await expect(vacuum(dir, { retentionHours: 0, force: true })).rejects.toMatchObject({
      code: 'unsupported-writer-feature',
      message: expect.stringContaining('rowTracking'),
    });
  });

  it('refuses options of the wrong type', async () => {
    const dir = await tableWithHistory();
    for (const bad of [{ retentionHours: -1 }, { retentionHours: '24' }, { dryRun: 'yes' }, { force: 1 }])
      await expect(vacuum(dir, bad as never)).rejects.toMatchObject({ code: 'unsupported-write' });
  });
});

describeS3('vacuum on the S3 server', () => {
  it('removes tombstoned files and orphan objects when forced; the table reads the same', async () => {
    const uri = s3ScratchUri('vacuum');
    const storage = openStorage(uri, { s3: s3TestOptions() });
    await writeTable(storage, rows(0, 10), { mode: 'create', partitionBy: ['kind'] });
    await writeTable(storage, rows(100, 6), { mode: 'overwrite' });
    await storage.put('kind=odd/part-00009-orphan.c000.zstd.parquet', new TextEncoder().encode('orphan'));
    const snapshot = await (await openTable(storage)).snapshot();
    const before = (await snapshot.toArrow()).numRows;
    expect((await vacuum(storage)).files).toEqual([]);
    const r = await vacuum(storage, { retentionHours: 0, force: true });
    expect(r.files.map((f) => f.key)).toContain('kind=odd/part-00009-orphan.c000.zstd.parquet');
    expect(r.files).toHaveLength(3);
    const keys = (await allKeys(storage)).filter((k) => !k.startsWith(LOG_DIR)).sort();
    expect(keys).toEqual(
      snapshot
        .files()
        .map((f) => decodeURI(f.path))
        .sort(),
    );
    expect((await (await (await openTable(storage)).snapshot()).toArrow()).numRows).toBe(before);
  }, 120_000);
});
