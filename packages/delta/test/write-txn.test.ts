import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';

const rows = (...v: number[]) => new Table({ v: vectorFromArray(v, new Int32()) });
const fresh = async () => join(await mkdtemp(join(tmpdir(), 'meridian-delta-txn-')), 't');
const values = async (dir: string) =>
  [...((await (await (await openTable(dir)).snapshot()).toArrow()).getChild('v') as Iterable<number>)].sort();

describe('idempotent writes (txn)', () => {
  it('skips a retried write whose application transaction the table already holds', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0), { mode: 'create' });
    const first = await writeTable(dir, rows(1, 2), { mode: 'append', txn: { appId: 'nightly', version: 7 } });
    expect(first).toMatchObject({ version: 1, skipped: false, rows: 2 });
    const retry = await writeTable(dir, rows(1, 2), { mode: 'append', txn: { appId: 'nightly', version: 7 } });
    expect(retry).toMatchObject({ version: 1, skipped: true, rows: 0, added: [] });
    const older = await writeTable(dir, rows(9), { mode: 'append', txn: { appId: 'nightly', version: 3 } });
    expect(older.skipped).toBe(true);
    await writeTable(dir, rows(3), { mode: 'append', txn: { appId: 'nightly', version: 8 } });
    await writeTable(dir, rows(4), { mode: 'append', txn: { appId: 'other', version: 1 } });
    expect(await values(dir)).toEqual([0, 1, 2, 3, 4]);
    const snapshot = await (await openTable(dir)).snapshot();
    expect(Object.fromEntries(snapshot.txns())).toEqual({ nightly: 8, other: 1 });
  });

  it('commits a transaction once when two attempts of it race', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0), { mode: 'create' });
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        writeTable(dir, rows(5, 6), { mode: 'append', txn: { appId: 'job', version: 1 } }),
      ),
    );
    expect(results.filter((r) => !r.skipped)).toHaveLength(1);
    expect(await values(dir)).toEqual([0, 5, 6]);
    expect((await (await openTable(dir)).snapshot()).version).toBe(1);
  });

  it('refuses a transaction without an appId or with a negative version', async () => {
    const dir = await fresh();
    await expect(writeTable(dir, rows(1), { mode: 'create', txn: { appId: '', version: 1 } })).rejects.toMatchObject({
      code: 'unsupported-write',
    });
    await expect(writeTable(dir, rows(1), { mode: 'create', txn: { appId: 'a', version: -1 } })).rejects.toMatchObject({
      code: 'unsupported-write',
    });
  });
});
