import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Int64, makeData, makeVector, Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { deleteRows } from '../src/write/delete-rows.ts';
import { mergeRows } from '../src/write/merge-rows.ts';
import { optimize } from '../src/write/optimize.ts';
import { replicate } from '../src/write/replicate.ts';
import { updateRows } from '../src/write/update-rows.ts';
import { writeTable } from '../src/write/write-table.ts';
import { duckdbLiveRows, harnessAgainstDuckDB } from './support/duckdb-answer.ts';

const fresh = async (name: string) => join(await mkdtemp(join(tmpdir(), 'meridian-delta-replicate-')), name);
const int64 = (values: readonly number[]) =>
  makeVector(makeData({ type: new Int64(), length: values.length, data: BigInt64Array.from(values, BigInt) }));
const rows = (from: number, n: number, qty = 1) =>
  new Table({
    id: int64(Array.from({ length: n }, (_, i) => from + i)),
    qty: int64(new Array<number>(n).fill(qty)),
  });

async function targetRows(dir: string): Promise<string[]> {
  const t = await (await (await openTable(dir)).snapshot()).toArrow();
  return t
    .toArray()
    .map((r) => `${Number(r.id)}:${r.region}`)
    .sort();
}
/** The source version the target's progress txn names, -1 when none is committed yet. */
async function copiedUpTo(target: string): Promise<number> {
  try {
    const txns = (await (await openTable(target)).snapshot()).txns();
    return [...txns.values()][0] ?? -1;
  } catch {
    return -1;
  }
}
const expected = (n: number, region: string) => Array.from({ length: n }, (_, i) => `${i}:${region}`).sort();

/**
 * The target read by DuckDB (read_parquet over its active files, deletion vectors applied) holds exactly the source's
 * rows as DuckDB reads them, each with the added region, and our reader agrees with DuckDB on every target version.
 */
async function expectSameRows(source: string, target: string, region: string): Promise<number> {
  const want = (await duckdbLiveRows(source, ['id', 'qty'])).map((r) => `${r.id}:${r.qty}:${region}`).sort();
  const got = (await duckdbLiveRows(target, ['id', 'qty', 'region'])).map((r) => `${r.id}:${r.qty}:${r.region}`).sort();
  expect(got).toEqual(want);
  expect((await harnessAgainstDuckDB(target)).map((r) => r.problems)).toEqual([[]]);
  return want.length;
}

const merged = (ids: readonly number[], qty: number) =>
  new Table({ id: int64(ids), qty: int64(new Array<number>(ids.length).fill(qty)) });

describe('replicate (appends, exactly once)', () => {
  it('copies new versions with the added column, re-tags on optimize, and a rerun copies nothing twice', async () => {
    const source = await fresh('source');
    const target = await fresh('target');
    await writeTable(source, rows(0, 10), { mode: 'create' });
    await writeTable(source, rows(10, 10), { mode: 'append' });
    const first = await replicate(source, target, { addColumns: { region: 'eu-west-1' } });
    expect(first).toMatchObject({ versions: [0, 1], upTo: 1, rows: 20 });
    await optimize(source);
    await writeTable(source, rows(20, 5), { mode: 'append' });
    const second = await replicate(source, target, { addColumns: { region: 'eu-west-1' } });
    // The optimize (version 2) packed the two files into one: the target's copies are re-tagged, no row is copied.
    expect(second.copies.map((c) => [c.version, c.kind, c.rows])).toEqual([
      [2, 'rearrange', 0],
      [3, 'append', 5],
    ]);
    expect(await replicate(source, target, { addColumns: { region: 'eu-west-1' } })).toMatchObject({ versions: [] });
    expect(await targetRows(target)).toEqual(expected(25, 'eu-west-1'));
    // A delete after the optimize reaches the re-tagged copies.
    await deleteRows(source, 'id < 3');
    await replicate(source, target, { addColumns: { region: 'eu-west-1' } });
    expect(await expectSameRows(source, target, 'eu-west-1')).toBe(22);
  });

  it('a dry run lists the versions it would copy and writes nothing', async () => {
    const source = await fresh('source');
    const target = await fresh('target');
    await writeTable(source, rows(0, 10), { mode: 'create' });
    await replicate(source, target);
    await writeTable(source, rows(10, 10), { mode: 'append' });
    await deleteRows(source, 'id < 2');
    const dry = await replicate(source, target, { dryRun: true });
    expect(dry.copies.map((c) => [c.version, c.kind, c.operation])).toEqual([
      [1, 'append', 'WRITE'],
      [2, 'change', 'DELETE'],
    ]);
    expect(dry).toMatchObject({ from: 0, upTo: 2, dryRun: true, rows: 0 });
    expect(await copiedUpTo(target)).toBe(0);
  });
});

describe('replicate (deletes, updates and merges in the source)', () => {
  for (const [name, configuration] of [
    ['copy-on-write with the change data feed', { 'delta.enableChangeDataFeed': 'true' }],
    ['deletion vectors', { 'delta.enableDeletionVectors': 'true' }],
  ] as const) {
    it(`carries them by file (${name}): the target ends with exactly the source's rows`, async () => {
      const source = await fresh('source');
      const target = await fresh('target');
      await writeTable(source, rows(0, 50), { mode: 'create', configuration });
      await writeTable(source, rows(50, 50), { mode: 'append' });
      await replicate(source, target, { addColumns: { region: 'eu-west-1' } });
      await deleteRows(source, 'id >= 10 and id < 20');
      await updateRows(source, 'id >= 45 and id < 55', { qty: 7 });
      await mergeRows(source, merged([0, 1, 99, 200, 201], 9), {
        on: ['id'],
        whenMatched: 'update',
        whenNotMatched: 'insert',
      });
      await writeTable(source, rows(300, 5), { mode: 'append' });
      await deleteRows(source, 'id = 300');
      const result = await replicate(source, target, { addColumns: { region: 'eu-west-1' } });
      expect(result.copies.map((c) => c.kind)).toEqual(['change', 'change', 'change', 'append', 'change']);
      expect(await expectSameRows(source, target, 'eu-west-1')).toBe(100 - 10 + 2 + 5 - 1);
    });
  }

  it('an optimize of the source into several files copies them again, and the rows stay exact', async () => {
    const source = await fresh('source');
    const target = await fresh('target');
    await writeTable(source, rows(0, 4000), { mode: 'create', maxRowsPerFile: 500 });
    for (let i = 0; i < 6; i++) await writeTable(source, rows(4000 + i * 10, 10), { mode: 'append' });
    await replicate(source, target, { addColumns: { region: 'us-east-1' } });
    const packed = await optimize(source, { targetSize: 3000 });
    expect(packed.filesAdded).toBeGreaterThan(1);
    await deleteRows(source, 'id >= 4000 and id < 4015');
    const result = await replicate(source, target, { addColumns: { region: 'us-east-1' } });
    expect(result.copies.map((c) => c.kind)).toEqual(['rearrange', 'change']);
    expect(await expectSameRows(source, target, 'us-east-1')).toBe(4045);
  });

  it('refuses a removed source file with no tagged copy in the target, naming the version, after copying what came before', async () => {
    const source = await fresh('source');
    const target = await fresh('target');
    await writeTable(source, rows(0, 10), { mode: 'create' });
    const appId = 'legacy';
    // A target as replicate wrote it before it tagged its files: the rows and the progress txn, no tags.
    await writeTable(target, rows(0, 10), { mode: 'create', txn: { appId, version: 0 } });
    await writeTable(source, rows(10, 10), { mode: 'append' });
    await deleteRows(source, 'id < 2');
    await expect(replicate(source, target, { appId })).rejects.toMatchObject({
      code: 'replica-unmapped',
      message: expect.stringContaining('version 2'),
    });
    expect(await copiedUpTo(target)).toBe(1);
    expect((await (await (await openTable(target)).snapshot()).toArrow()).numRows).toBe(20);
  });

  it('killed at random points and rerun, with deletes, updates, merges and optimizes in the source between runs, the target holds the source rows exactly once', async () => {
    const source = await fresh('source');
    const target = await fresh('target');
    const versions = 12;
    for (let v = 0; v < versions; v++)
      await writeTable(source, rows(v * 10, 10), {
        mode: v === 0 ? 'create' : 'append',
        ...(v === 0 ? { configuration: { 'delta.enableDeletionVectors': 'true' } } : {}),
      });
    const runner = fileURLToPath(new URL('./fixtures/replicate-runner.ts', import.meta.url));
    let kills = 0;
    const progress: number[] = [];
    const changes: string[] = [];
    let next = 10_000;
    for (let run = 0; run < 16; run++) {
      const child = spawn(process.execPath, [runner, source, target, 'us-east-1'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Killed after 1 to 3 versions of this run were committed, plus up to 30 ms: inside the next version's read,
      // file write or commit.
      const after = 1 + Math.floor(Math.random() * 3);
      let seen = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l.startsWith('copied')).length;
        if (seen >= after) setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 30));
      });
      const code = await exited;
      if (code === 0 && run >= 8) break;
      if (code !== 0) kills++;
      progress.push(await copiedUpTo(target));
      // The source changes while no replicate runs (and between kills): two changes of five kinds each time (an
      // optimize into one file or, with a small target size, into several).
      for (let k = 0; k < 2; k++) {
        const at = Math.floor(Math.random() * versions * 10);
        const op = ['delete', 'update', 'merge', 'append', 'optimize'][Math.floor(Math.random() * 5)];
        changes.push(`${op}@${at}`);
        if (op === 'delete') await deleteRows(source, `id >= ${at} and id < ${at + 3}`);
        else if (op === 'update') await updateRows(source, `id >= ${at} and id < ${at + 4}`, { qty: run + 2 });
        else if (op === 'merge')
          await mergeRows(source, merged([at, next++], run + 100), {
            on: ['id'],
            whenMatched: 'update',
            whenNotMatched: 'insert',
          });
        else if (op === 'optimize') await optimize(source, { targetSize: 1 << (10 + Math.floor(Math.random() * 4)) });
        else await writeTable(source, rows(next, 3, run + 50), { mode: 'append' }).then(() => (next += 3));
      }
    }
    const final = await replicate(source, target, { addColumns: { region: 'us-east-1' } });
    expect(final.upTo).toBe((await (await openTable(source)).snapshot()).version);
    const n = await expectSameRows(source, target, 'us-east-1');
    process.stderr.write(
      `[replicate-crash] ${kills} kills (source versions copied at each: ${progress.join(', ')}); source changes between runs: ${changes.join(' ')}; ${n} rows; the last run copied ${final.versions.length} versions\n`,
    );
    expect(kills).toBeGreaterThanOrEqual(5);
  }, 600_000);
});
