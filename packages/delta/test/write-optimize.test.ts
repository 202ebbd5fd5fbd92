import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, Int64, type RecordBatch, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { deleteRows } from '../src/write/delete-rows.ts';
import { optimize } from '../src/write/optimize.ts';
import { writeTable } from '../src/write/write-table.ts';
import { random } from './fixtures/random.ts';
import { duckdbLiveRows, harnessAgainstDuckDB } from './support/duckdb-answer.ts';

const fresh = async () => join(await mkdtemp(join(tmpdir(), 'meridian-delta-optimize-')), 't');

function rows(from: number, n: number): Table {
  return new Table({
    id: vectorFromArray(
      Array.from({ length: n }, (_, i) => BigInt(from + i)),
      new Int64(),
    ),
    region: vectorFromArray(
      Array.from({ length: n }, (_, i) => ['eu', 'us', 'ap'][(from + i) % 3] as string),
      new Utf8(),
    ),
    qty: vectorFromArray(
      Array.from({ length: n }, (_, i) => (from + i) % 11),
      new Int32(),
    ),
  });
}

async function liveIds(dir: string): Promise<{ ours: number[]; duck: number[] }> {
  const t = await (await (await openTable(dir)).snapshot()).toArrow();
  const ours = [...(t.getChild('id') as Iterable<bigint>)].map(Number).sort((a, b) => a - b);
  const duck = (await duckdbLiveRows(dir, ['id'])).map((r) => Number(r.id)).sort((a, b) => a - b);
  return { ours, duck };
}

describe('optimize (bin-packing)', () => {
  it('compacts the small files of each partition into one, same rows, dataChange false', async () => {
    const dir = await fresh();
    for (let a = 0; a < 6; a++)
      await writeTable(dir, rows(a * 20, 20), { mode: a === 0 ? 'create' : 'append', partitionBy: ['region'] });
    const before = await (await openTable(dir)).snapshot();
    expect(before.files()).toHaveLength(18);
    const dry = await optimize(dir, { dryRun: true });
    expect(dry).toMatchObject({ committed: false, filesRemoved: 18, filesAdded: 0 });
    expect((await (await openTable(dir)).snapshot()).version).toBe(before.version);
    const progress: number[] = [];
    const result = await optimize(dir, { onProgress: (p) => progress.push(p.binsDone) });
    expect(result).toMatchObject({ committed: true, filesRemoved: 18, filesAdded: 3, rows: 120 });
    expect(progress).toEqual([1, 2, 3]);
    const after = await (await openTable(dir)).snapshot();
    expect(after.files()).toHaveLength(3);
    expect(new Set(after.files().map((f) => f.partitionValues.region))).toEqual(new Set(['eu', 'us', 'ap']));
    const ids = await liveIds(dir);
    expect(ids.ours).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(ids.duck).toEqual(ids.ours);
    expect((await harnessAgainstDuckDB(dir)).map((r) => r.problems)).toEqual([[]]);
    // Every add and remove of the commit says the data did not change.
    const commit = await readFile(join(dir, '_delta_log', `${String(after.version).padStart(20, '0')}.json`), 'utf8');
    const actions = commit
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, { dataChange?: boolean }>);
    const fileActions = actions.filter((a) => a.add || a.remove);
    expect(fileActions).toHaveLength(21);
    expect(fileActions.every((a) => (a.add ?? a.remove)?.dataChange === false)).toBe(true);
    // A second optimize finds nothing to do.
    expect(await optimize(dir)).toMatchObject({ committed: false, filesRemoved: 0 });
  });

  it('leaves files at or above the target size alone, and drops the rows deletion vectors delete', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0, 5000), { mode: 'create', configuration: { 'delta.enableDeletionVectors': 'true' } });
    for (let a = 1; a <= 3; a++) await writeTable(dir, rows(10_000 * a, 10), { mode: 'append' });
    await deleteRows(dir, 'id = 10001 or id = 20002');
    const big = (await (await openTable(dir)).snapshot()).files().find((f) => f.stats?.numRecords === 5000);
    const targetSize = (big?.size ?? 0) - 1;
    const result = await optimize(dir, { targetSize });
    expect(result).toMatchObject({ filesRemoved: 3, filesAdded: 1, rows: 28 });
    const after = await (await openTable(dir)).snapshot();
    expect(after.files().map((f) => f.path)).toContain(big?.path);
    expect(after.files().every((f) => f.deletionVector === null)).toBe(true);
    const ids = await liveIds(dir);
    const expected = [
      ...Array.from({ length: 5000 }, (_, i) => i),
      ...[10_000, 20_000, 30_000].flatMap((s) => Array.from({ length: 10 }, (_, i) => s + i)),
    ].filter((id) => id !== 10_001 && id !== 20_002);
    expect(ids.ours).toEqual(expected);
    expect(ids.duck).toEqual(expected);
    expect((await harnessAgainstDuckDB(dir)).map((r) => r.problems)).toEqual([[]]);
  });

  it('writes no change data and refuses a bad target size', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0, 5), { mode: 'create', configuration: { 'delta.enableChangeDataFeed': 'true' } });
    await writeTable(dir, rows(5, 5), { mode: 'append' });
    const { version } = await optimize(dir);
    const changes: RecordBatch[] = [];
    for await (const b of (await openTable(dir)).changes(version, version)) changes.push(b);
    expect(changes.reduce((n, b) => n + b.numRows, 0)).toBe(0);
    await expect(optimize(dir, { targetSize: 0 })).rejects.toMatchObject({ code: 'unsupported-write' });
  });

  it('racing a delete of the same files: one conflicts or both land in order, no row lost or resurrected', async () => {
    const dir = await fresh();
    for (let a = 0; a < 4; a++) await writeTable(dir, rows(a * 10, 10), { mode: a === 0 ? 'create' : 'append' });
    const outcomes = await Promise.allSettled([optimize(dir), deleteRows(dir, 'id < 15')]);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'commit-conflict' });
    const deleted = outcomes[1].status === 'fulfilled';
    const ids = await liveIds(dir);
    const expected = Array.from({ length: 40 }, (_, i) => i).filter((id) => !deleted || id >= 15);
    expect(ids.ours).toEqual(expected);
    expect(ids.duck).toEqual(expected);
  });
});

describe('optimize (Z-order)', () => {
  /** Rows whose a and b are spread over 0..999 in every append, so no file's min/max rules out any range. */
  function spread(seed: number, from: number, n: number): Table {
    const next = random(seed);
    return new Table({
      id: vectorFromArray(
        Array.from({ length: n }, (_, i) => BigInt(from + i)),
        new Int64(),
      ),
      a: vectorFromArray(
        Array.from({ length: n }, () => Math.floor(next() * 1000)),
        new Int32(),
      ),
      b: vectorFromArray(
        Array.from({ length: n }, () => `k${String(Math.floor(next() * 1000)).padStart(3, '0')}`),
        new Utf8(),
      ),
    });
  }

  /** Files a scan with `where` skips by statistics, and the rows it returns. */
  async function skipped(dir: string, where: string): Promise<{ skipped: number; total: number; rows: number }> {
    const scan = (await (await openTable(dir)).snapshot()).scan({ where });
    const rows = (await scan.toArrow()).numRows;
    return { skipped: scan.metrics.filesSkippedByStats, total: scan.metrics.filesTotal, rows };
  }

  it('sorts rows by interleaved bits of both columns: skipping on either column skips more files, rows unchanged', async () => {
    const dir = await fresh();
    for (let k = 0; k < 12; k++)
      await writeTable(dir, spread(k + 1, k * 1000, 1000), { mode: k === 0 ? 'create' : 'append' });
    const predicates = ['a < 100', "b >= 'k900'", 'a >= 400 and a < 450'];
    const before = await Promise.all(predicates.map((p) => skipped(dir, p)));
    const rowsBefore = (await duckdbLiveRows(dir, ['id', 'a', 'b'])).map((r) => `${r.id}:${r.a}:${r.b}`).sort();
    const size = (await (await openTable(dir)).snapshot()).files().reduce((n, f) => n + f.size, 0);

    const result = await optimize(dir, { zOrderBy: ['a', 'b'], targetSize: Math.ceil(size / 16) });
    expect(result).toMatchObject({ committed: true, filesRemoved: 12, rows: 12_000 });
    expect(result.filesAdded).toBeGreaterThanOrEqual(12);
    const after = await Promise.all(predicates.map((p) => skipped(dir, p)));
    for (const [i, p] of predicates.entries()) {
      // The same rows match; now most files' ranges of a (or b) rule the predicate out.
      expect({ p, rows: after[i]?.rows }).toEqual({ p, rows: before[i]?.rows });
      expect(before[i]?.skipped).toBe(0);
      expect((after[i]?.skipped ?? 0) / (after[i]?.total ?? 1)).toBeGreaterThan(0.4);
    }
    process.stderr.write(
      `[z-order] files skipped before -> after: ${predicates.map((p, i) => `${p}: ${before[i]?.skipped}/${before[i]?.total} -> ${after[i]?.skipped}/${after[i]?.total}`).join('; ')}\n`,
    );
    const rowsAfter = (await duckdbLiveRows(dir, ['id', 'a', 'b'])).map((r) => `${r.id}:${r.a}:${r.b}`).sort();
    expect(rowsAfter).toEqual(rowsBefore);
    const log = await readFile(join(dir, '_delta_log', `${String(result.version).padStart(20, '0')}.json`), 'utf8');
    const actions = log
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as Record<string, { dataChange?: boolean; operationParameters?: { zOrderBy?: string } }>,
      );
    expect(actions.filter((a) => a.add || a.remove).every((a) => (a.add ?? a.remove)?.dataChange === false)).toBe(true);
    expect(actions[0]?.commitInfo?.operationParameters?.zOrderBy).toBe('["a","b"]');
    expect((await harnessAgainstDuckDB(dir)).map((r) => r.problems)).toEqual([[]]);
  });

  it('refuses a partition column or an unknown column, naming it', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0, 30), { mode: 'create', partitionBy: ['region'] });
    await expect(optimize(dir, { zOrderBy: ['region'] })).rejects.toMatchObject({
      code: 'unsupported-write',
      message: expect.stringContaining('region: it is a partition column'),
    });
    await expect(optimize(dir, { zOrderBy: ['nosuch'] })).rejects.toMatchObject({ code: 'unknown-column' });
  });
});
