import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { type WriteOptions, writeTable } from '../src/write/write-table.ts';

// Issue 16 item 12: killed writers' leftovers (`.meridian-tmp-*` files, data files no commit references) are
// removed by the writer itself when it writes a checkpoint, once older than delta.deletedFileRetentionDuration.

const DAY = 86_400_000;
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

function age(path: string, days: number): void {
  const t = new Date(Date.now() - days * DAY);
  utimesSync(path, t, t);
}

function filesUnder(dir: string, sub: string): string[] {
  return readdirSync(join(dir, sub)).map((f) => join(dir, sub, f));
}

async function rowCount(dir: string): Promise<number> {
  return (await (await (await openTable(dir)).snapshot()).toArrow()).numRows;
}

interface Planted {
  readonly dir: string;
  /** Leftovers older than the window: the clean-up's to delete. */
  readonly old: { readonly temp: string; readonly rootTemp: string; readonly orphan: string };
  /** Files that must stay whatever happens. */
  readonly kept: readonly string[];
}

/**
 * v0 (create, 10 rows) then v1 (overwrite, 6 rows: v0's files tombstoned now, inside the window), checkpoint every
 * 2 commits, so the next write (v2) checkpoints. Every file, committed or not, is then aged: the old ones 8 days
 * (past the default 7-day window), the recent ones 1 day.
 */
async function tableWithLeftovers(configuration: Record<string, string> = {}): Promise<Planted> {
  const root = await mkdtemp(join(tmpdir(), 'meridian-delta-cleanup-'));
  const dir = join(root, 't');
  await writeTable(dir, rows(0, 10), {
    mode: 'create',
    partitionBy: ['kind'],
    configuration: { 'delta.checkpointInterval': '2', ...configuration },
  });
  const v0Files = [...filesUnder(dir, 'kind=even'), ...filesUnder(dir, 'kind=odd')];
  await writeTable(dir, rows(100, 6), { mode: 'overwrite' });
  const committed = [...filesUnder(dir, 'kind=even'), ...filesUnder(dir, 'kind=odd')].filter(
    (f) => !v0Files.includes(f),
  );
  const old = {
    temp: join(dir, 'kind=even', '.meridian-tmp-0b7f1d6e-killed'),
    rootTemp: join(dir, '.meridian-tmp-5c1a-killed'),
    orphan: join(dir, 'kind=odd', 'part-00000-dead-writer.c000.zstd.parquet'),
  };
  const recentTemp = join(dir, 'kind=odd', '.meridian-tmp-9d2e-uploading');
  const recentOrphan = join(dir, 'part-00000-about-to-commit.c000.zstd.parquet');
  mkdirSync(join(dir, '_hidden'));
  const hidden = [join(dir, '_SUCCESS'), join(dir, '_hidden', 'part-00000-x.parquet')];
  const logTemp = join(dir, '_delta_log', '.meridian-tmp-old-commit');
  const outside = join(root, 'part-00000-beside-the-table.parquet');
  for (const f of [...Object.values(old), recentTemp, recentOrphan, ...hidden, logTemp, outside])
    writeFileSync(f, 'PAR1 not really');
  for (const f of [...Object.values(old), ...v0Files, ...committed, ...hidden, logTemp, outside]) age(f, 8);
  for (const f of [recentTemp, recentOrphan]) age(f, 1);
  return { dir, old, kept: [recentTemp, recentOrphan, ...v0Files, ...committed, ...hidden, logTemp, outside] };
}

const append: WriteOptions = { mode: 'append' };

describe('the writer cleans up after killed writers when it checkpoints', () => {
  it('removes old temp and never-committed files; keeps recent, committed, tombstoned, hidden and outside files', async () => {
    const t = await tableWithLeftovers({ 'delta.checkpointInterval': '3' });
    const before = await rowCount(t.dir);
    expect(before).toBe(6);
    // v2 does not checkpoint: no listing of the table, the leftovers stay.
    const quiet = await writeTable(t.dir, rows(200, 4), append);
    expect(quiet.checkpoint).toBeUndefined();
    expect(quiet.cleanUp).toBeUndefined();
    for (const f of Object.values(t.old)) expect(existsSync(f), f).toBe(true);
    const r = await writeTable(t.dir, rows(300, 5), append);
    expect(r.version).toBe(3);
    expect(r.checkpoint).toBe(3);
    for (const f of Object.values(t.old)) expect(existsSync(f), f).toBe(false);
    for (const f of t.kept) expect(existsSync(f), f).toBe(true);
    expect(r.cleanUp?.error).toBeUndefined();
    expect([...(r.cleanUp?.files ?? [])].sort()).toEqual(
      [
        '.meridian-tmp-5c1a-killed',
        'kind=even/.meridian-tmp-0b7f1d6e-killed',
        'kind=odd/part-00000-dead-writer.c000.zstd.parquet',
      ].sort(),
    );
    expect(r.cleanUp?.bytes).toBe(3 * 'PAR1 not really'.length);
    expect(await rowCount(t.dir)).toBe(before + 4 + 5);
    // The version before the overwrite still reads: its files were removed inside the window and stay.
    expect((await (await (await openTable(t.dir)).snapshot({ version: 0 })).toArrow()).numRows).toBe(10);
  });

  it('keeps everything with cleanUpOnCheckpoint: false', async () => {
    const t = await tableWithLeftovers();
    const r = await writeTable(t.dir, rows(200, 4), { mode: 'append', cleanUpOnCheckpoint: false });
    expect(r.checkpoint).toBe(2);
    expect(r.cleanUp).toBeUndefined();
    for (const f of [...Object.values(t.old), ...t.kept]) expect(existsSync(f), f).toBe(true);
    expect(await rowCount(t.dir)).toBe(10);
  });

  it('a clean-up that cannot run is reported; the commit and its checkpoint stand', async () => {
    // A retention the writer cannot read: no window, so nothing may go (vacuum refuses such a table too).
    const t = await tableWithLeftovers({ 'delta.deletedFileRetentionDuration': 'forever' });
    const r = await writeTable(t.dir, rows(200, 4), append);
    expect(r.version).toBe(2);
    expect(r.checkpoint).toBe(2);
    expect(r.cleanUp?.files).toEqual([]);
    expect(r.cleanUp?.error).toMatch(/deletedFileRetentionDuration/);
    for (const f of [...Object.values(t.old), ...t.kept]) expect(existsSync(f), f).toBe(true);
    expect(await rowCount(t.dir)).toBe(10);
  });

  it('a shorter table window lets younger leftovers go, and only leftovers', async () => {
    const t = await tableWithLeftovers({ 'delta.deletedFileRetentionDuration': 'interval 12 hours' });
    const r = await writeTable(t.dir, rows(200, 4), append);
    // The 1-day-old "recent" leftovers are past a 12-hour window now; committed and tombstoned files stay.
    expect(r.cleanUp?.files).toHaveLength(5);
    for (const f of Object.values(t.old)) expect(existsSync(f), f).toBe(false);
    for (const f of t.kept.filter((k) => !/uploading|about-to-commit/.test(k))) expect(existsSync(f), f).toBe(true);
    expect(await rowCount(t.dir)).toBe(10);
  });
});
