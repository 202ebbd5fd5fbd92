import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, Int64, makeData, makeVector, type RecordBatch, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { deleteRows } from '../src/write/delete-rows.ts';
import { updateRows } from '../src/write/update-rows.ts';
import { writeTable } from '../src/write/write-table.ts';
import { duckdbOverActiveFiles } from './support/corpus-copy.ts';
import { harnessAgainstDuckDB } from './support/duckdb-answer.ts';

const fresh = async () => join(await mkdtemp(join(tmpdir(), 'meridian-delta-mutate-')), 't');

/** Rows id, day, qty (qty null where given null). */
function rows(ids: number[], day: (i: number) => string, qty: (i: number) => number | null): Table {
  return new Table({
    id: makeVector(makeData({ type: new Int64(), length: ids.length, data: BigInt64Array.from(ids, BigInt) })),
    day: vectorFromArray(
      ids.map((_, i) => day(i)),
      new Utf8(),
    ),
    qty: vectorFromArray(
      ids.map((_, i) => qty(i)),
      new Int32(),
    ),
  });
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

type Row = { id: number; day: string; qty: number | null };

async function ourRows(dir: string): Promise<Row[]> {
  const t = await (await (await openTable(dir)).snapshot()).toArrow();
  return t
    .toArray()
    .map((r) => ({ id: Number(r.id), day: String(r.day), qty: r.qty === null ? null : Number(r.qty) }))
    .sort((a, b) => a.id - b.id);
}

async function duckRows(dir: string): Promise<Row[]> {
  const snapshot = await (await openTable(dir)).snapshot();
  if (snapshot.files().length === 0) return [];
  const out = await duckdbOverActiveFiles(dir, snapshot, (f) => `SELECT id, day, qty FROM ${f} ORDER BY id`);
  return out.map((r) => ({ id: Number(r.id), day: String(r.day), qty: r.qty === null ? null : Number(r.qty) }));
}

/** Our reader, DuckDB over the active files and the harness (DuckDB's own replay of the log) agree with `expected`. */
async function expectTable(dir: string, expected: Row[]): Promise<void> {
  const sorted = [...expected].sort((a, b) => a.id - b.id);
  expect(await ourRows(dir)).toEqual(sorted);
  expect(await duckRows(dir)).toEqual(sorted);
  expect((await harnessAgainstDuckDB(dir)).map((r) => r.problems)).toEqual([[]]);
}

const model = (ids: number[], day: (i: number) => string, qty: (i: number) => number | null): Row[] =>
  ids.map((id, i) => ({ id, day: day(i), qty: qty(i) }));

describe('deleteRows (copy-on-write)', () => {
  it('removes only the matching rows; files of other partitions and files the stats rule out stay as they are', async () => {
    const dir = await fresh();
    const day = (i: number) => (i % 2 === 0 ? 'd1' : 'd2');
    const qty = (i: number) => (i % 5 === 0 ? null : i);
    // Three appends, ids 0-29, 30-59, 60-89: three files per partition, each with its own id range.
    let expected: Row[] = [];
    for (const from of [0, 30, 60]) {
      const ids = range(from, from + 30);
      await writeTable(
        dir,
        rows(
          ids,
          (i) => day(ids[i] as number),
          (i) => qty(ids[i] as number),
        ),
        {
          mode: from === 0 ? 'create' : 'append',
          partitionBy: ['day'],
        },
      );
      expected = expected.concat(
        model(
          ids,
          (i) => day(ids[i] as number),
          (i) => qty(ids[i] as number),
        ),
      );
    }
    const before = await (await openTable(dir)).snapshot();
    const result = await deleteRows(dir, "day = 'd2' and id >= 35 and id < 50 and qty > 36");
    // d2 holds three files; two are ruled out by their id range, d1's by partition value.
    expect(result).toMatchObject({ committed: true, filesTotal: 6, filesSkipped: 5, filesRead: 1, filesRemoved: 1 });
    const gone = (r: Row) => r.day === 'd2' && r.id >= 35 && r.id < 50 && r.qty !== null && r.qty > 36;
    expect(result.rowsMatched).toBe(expected.filter(gone).length);
    expected = expected.filter((r) => !gone(r));
    const after = await (await openTable(dir)).snapshot();
    const untouched = before.files().filter((f) => after.files().some((g) => g.path === f.path));
    expect(untouched).toHaveLength(5);
    // Rows where the predicate is null (qty null) stay.
    expect(expected.some((r) => r.id === 45 && r.qty === null)).toBe(true);
    await expectTable(dir, expected);
    const info = (await (await openTable(dir)).history({ limit: 1 }))[0]?.commitInfo;
    expect(info).toMatchObject({ operation: 'DELETE', isBlindAppend: false });
  });

  it('never reads a file its statistics rule out (such a file, made unreadable, does not fail the delete)', async () => {
    const dir = await fresh();
    await writeTable(
      dir,
      rows(
        range(0, 10),
        () => 'a',
        (i) => i,
      ),
      { mode: 'create' },
    );
    await writeTable(
      dir,
      rows(
        range(100, 110),
        () => 'a',
        (i) => i,
      ),
      { mode: 'append' },
    );
    const snapshot = await (await openTable(dir)).snapshot();
    const far = snapshot.files().find((f) => f.stats?.minValues?.id === 100);
    expect(far).toBeDefined();
    await writeFile(join(dir, decodeURIComponent(far?.path ?? '')), 'not parquet');
    const result = await deleteRows(dir, 'id < 5');
    expect(result).toMatchObject({ filesRead: 1, filesSkipped: 1, rowsMatched: 5, rowsCopied: 5 });
    // The unreadable file is still live: only the rewritten file changed.
    const after = await (await openTable(dir)).snapshot();
    expect(after.files().map((f) => f.path)).toContain(far?.path);
  });

  it('a predicate matching nothing commits nothing; a dry run counts and writes nothing', async () => {
    const dir = await fresh();
    await writeTable(
      dir,
      rows(
        range(0, 20),
        () => 'a',
        (i) => i,
      ),
      { mode: 'create' },
    );
    expect(await deleteRows(dir, 'qty > 100')).toMatchObject({ committed: false, version: 0, rowsMatched: 0 });
    const dry = await deleteRows(dir, 'qty >= 15', { dryRun: true });
    expect(dry).toMatchObject({ committed: false, dryRun: true, rowsMatched: 5, rowsCopied: 15, filesRemoved: 1 });
    expect((await (await openTable(dir)).snapshot()).version).toBe(0);
    const all = await deleteRows(dir, 'id >= 0');
    expect(all).toMatchObject({ committed: true, version: 1, rowsMatched: 20, filesAdded: 0 });
    await expectTable(dir, []);
  });

  it('refuses an append-only table and a bad predicate by code, committing nothing', async () => {
    const dir = await fresh();
    await writeTable(
      dir,
      rows(
        [1, 2],
        () => 'a',
        () => 1,
      ),
      {
        mode: 'create',
        configuration: { 'delta.appendOnly': 'true' },
      },
    );
    await expect(deleteRows(dir, 'id = 1')).rejects.toMatchObject({
      code: 'append-only',
      path: expect.stringContaining(dir),
    });
    await expect(updateRows(dir, 'id = 1', { qty: 2 })).rejects.toMatchObject({ code: 'append-only' });
    const open = await fresh();
    await writeTable(
      open,
      rows(
        [1, 2],
        () => 'a',
        () => 1,
      ),
      { mode: 'create' },
    );
    await expect(deleteRows(open, 'nope = 1')).rejects.toMatchObject({ code: 'invalid-predicate' });
    await expect(deleteRows(open, "id = 'x'")).rejects.toMatchObject({ code: 'invalid-predicate' });
    expect((await (await openTable(open)).snapshot()).version).toBe(0);
  });

  it('works under column mapping (name mode): the rewritten file carries physical names', async () => {
    const dir = await fresh();
    await writeTable(
      dir,
      rows(
        range(0, 10),
        (i) => (i < 5 ? 'x' : 'y'),
        (i) => i,
      ),
      {
        mode: 'create',
        partitionBy: ['day'],
        configuration: { 'delta.columnMapping.mode': 'name' },
      },
    );
    await deleteRows(dir, 'qty in (1, 2, 7)');
    await updateRows(dir, "day = 'y' and qty > 7", { qty: 70 });
    const expected = model(
      range(0, 10),
      (i) => (i < 5 ? 'x' : 'y'),
      (i) => (i > 7 ? 70 : i),
    ).filter((r) => ![1, 2, 7].includes(r.id));
    expect(await ourRows(dir)).toEqual(expected);
    expect((await harnessAgainstDuckDB(dir)).map((r) => r.problems)).toEqual([[]]);
  });
});

describe('in-commit timestamps', () => {
  it('a delete and an update put commitInfo first with an inCommitTimestamp later than the previous one', async () => {
    const dir = await fresh();
    await writeTable(
      dir,
      rows(
        range(0, 5),
        () => 'a',
        (i) => i,
      ),
      {
        mode: 'create',
        configuration: { 'delta.enableInCommitTimestamps': 'true' },
      },
    );
    await deleteRows(dir, 'id = 1');
    await updateRows(dir, 'id = 2', { qty: 20 });
    const stamps: number[] = [];
    for (let v = 0; v <= 2; v++) {
      const text = await readFile(join(dir, '_delta_log', `${String(v).padStart(20, '0')}.json`), 'utf8');
      const first = JSON.parse(text.split('\n')[0] as string) as { commitInfo?: { inCommitTimestamp?: number } };
      expect(typeof first.commitInfo?.inCommitTimestamp).toBe('number');
      stamps.push(first.commitInfo?.inCommitTimestamp as number);
    }
    expect(stamps[1]).toBeGreaterThan(stamps[0] as number);
    expect(stamps[2]).toBeGreaterThan(stamps[1] as number);
    expect((await (await openTable(dir)).snapshot()).timestamp).toBe(stamps[2]);
  });
});

describe('updateRows (copy-on-write)', () => {
  it('sets the columns of matching rows only, and moves rows whose partition column it sets', async () => {
    const dir = await fresh();
    const ids = range(0, 40);
    await writeTable(
      dir,
      rows(
        ids,
        (i) => (i < 20 ? 'd1' : 'd2'),
        (i) => i,
      ),
      {
        mode: 'create',
        partitionBy: ['day'],
        maxRowsPerFile: 10,
      },
    );
    const result = await updateRows(dir, 'qty >= 15 and qty < 25', { qty: null, day: 'd3' });
    expect(result).toMatchObject({ committed: true, rowsMatched: 10, filesRemoved: 2, filesSkipped: 2 });
    const expected = model(
      ids,
      (i) => (i >= 15 && i < 25 ? 'd3' : i < 20 ? 'd1' : 'd2'),
      (i) => (i >= 15 && i < 25 ? null : i),
    );
    await expectTable(dir, expected);
    const snapshot = await (await openTable(dir)).snapshot();
    expect(new Set(snapshot.files().map((f) => f.partitionValues.day))).toEqual(new Set(['d1', 'd2', 'd3']));
  });

  it('refuses values that break a CHECK constraint or the column type, and unknown columns', async () => {
    const dir = await fresh();
    await writeTable(
      dir,
      rows(
        range(0, 5),
        () => 'a',
        (i) => i,
      ),
      {
        mode: 'create',
        configuration: { 'delta.constraints.qty_small': 'qty < 100' },
      },
    );
    await expect(updateRows(dir, 'id = 3', { qty: 500 })).rejects.toMatchObject({
      code: 'constraint-violation',
      message: expect.stringContaining('qty_small'),
    });
    await expect(updateRows(dir, 'id = 3', { qty: 'many' })).rejects.toMatchObject({ code: 'schema-mismatch' });
    await expect(updateRows(dir, 'id = 3', { nope: 1 })).rejects.toMatchObject({ code: 'unknown-column' });
    await updateRows(dir, 'id = 3', { qty: 99 });
    await expectTable(
      dir,
      model(
        range(0, 5),
        () => 'a',
        (i) => (i === 3 ? 99 : i),
      ),
    );
  });
});

async function changeRows(dir: string, from: number): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of (await openTable(dir)).changes(from) as AsyncIterable<RecordBatch>) {
    for (const r of new Table(batch).toArray())
      out.push(`${r._commit_version}:${r._change_type}:${Number(r.id)}:${r.qty === null ? 'null' : Number(r.qty)}`);
  }
  return out.sort();
}

describe('change data feed', () => {
  it('writes _change_data files with every deleted row and update pre- and post-images', async () => {
    const dir = await fresh();
    await writeTable(
      dir,
      rows(
        range(0, 6),
        (i) => (i < 3 ? 'a' : 'b'),
        (i) => i,
      ),
      {
        mode: 'create',
        partitionBy: ['day'],
        configuration: { 'delta.enableChangeDataFeed': 'true' },
      },
    );
    // Partition a loses every row (its file goes whole), b keeps some.
    await deleteRows(dir, 'id < 3 or id = 4');
    await updateRows(dir, 'id = 5', { qty: 50 });
    expect(await changeRows(dir, 1)).toEqual(
      [
        '1:delete:0:0',
        '1:delete:1:1',
        '1:delete:2:2',
        '1:delete:4:4',
        '2:update_preimage:5:5',
        '2:update_postimage:5:50',
      ].sort(),
    );
    const commit = (await (await openTable(dir)).history({ limit: 1 }))[0]?.commitInfo;
    expect(commit?.operationMetrics).toMatchObject({ numAddedChangeFiles: '1' });
    await expectTable(dir, [
      { id: 3, day: 'b', qty: 3 },
      { id: 5, day: 'b', qty: 50 },
    ]);
  });

  it('change data files of a column-mapped table carry physical names, read back by the logical ones', async () => {
    const dir = await fresh();
    await writeTable(
      dir,
      rows(
        range(0, 4),
        () => 'a',
        (i) => i,
      ),
      {
        mode: 'create',
        configuration: { 'delta.enableChangeDataFeed': 'true', 'delta.columnMapping.mode': 'name' },
      },
    );
    await updateRows(dir, 'id = 1', { qty: 10 });
    await deleteRows(dir, 'id = 2');
    expect(await changeRows(dir, 1)).toEqual(
      ['1:update_preimage:1:1', '1:update_postimage:1:10', '2:delete:2:2'].sort(),
    );
  });
});
