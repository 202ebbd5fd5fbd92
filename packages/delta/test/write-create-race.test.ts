import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { LOG_DIR } from '../src/log/log-files.ts';
import { openTable } from '../src/snapshot/table.ts';
import { openStorage } from '../src/storage/open.ts';
import type { Storage } from '../src/storage/storage.ts';
import { writeTable } from '../src/write/write-table.ts';
import { describeS3, s3ScratchUri, s3TestOptions } from './setup/s3-env.ts';

// Issue 16 item 9: several writers appending to a table that does not exist yet. One makes version 0;
// the others must land as appends after it (or be refused clearly when their data cannot join it).

const run = promisify(execFile);
const writer = fileURLToPath(new URL('./fixtures/create-race-writer.ts', import.meta.url));

type Outcome = { version: number; attempts: number } | { code: string; message: string; hint: string };

async function race(uri: string, writers: readonly { mode: string; shape: string }[], s3?: object): Promise<Outcome[]> {
  // Late enough that every process has started and loaded its modules on a busy machine.
  const startAt = Date.now() + 6000;
  return Promise.all(
    writers.map((w, i) =>
      run(process.execPath, [writer, uri, String(i + 1), w.mode, w.shape, String(startAt)], {
        env: { ...process.env, ...(s3 ? { MERIDIAN_TEST_S3: JSON.stringify(s3) } : {}) },
        maxBuffer: 1 << 20,
      }).then((r) => JSON.parse(r.stdout) as Outcome),
    ),
  );
}

/** Keys of every object under the table root outside the log. */
async function dataKeys(storage: Storage): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage.list('')) if (!o.key.startsWith(LOG_DIR)) keys.push(o.key);
  return keys.sort();
}

async function raceAppendsIntoNothing(uri: string, storage: Storage, s3?: object): Promise<void> {
  const n = 6;
  const outcomes = await race(
    uri,
    Array.from({ length: n }, () => ({ mode: 'append', shape: 'ids' })),
    s3,
  );
  for (const o of outcomes) expect(o).not.toHaveProperty('code');
  const versions = outcomes.map((o) => ('version' in o ? o.version : -1)).sort((a, b) => a - b);
  expect(versions).toEqual(Array.from({ length: n }, (_, i) => i));
  const snapshot = await (await openTable(storage)).snapshot();
  expect(snapshot.version).toBe(n - 1);
  const ids = [...((await snapshot.toArrow()).getChild('id') as Iterable<bigint>)].map(Number);
  expect(ids).toHaveLength(n * 100);
  expect(new Set(ids).size).toBe(ids.length);
  for (let w = 1; w <= n; w++) expect(ids).toContain(w * 1000 + 99);
  // The losers' first data files were removed when their create lost: every file left is live.
  expect(await dataKeys(storage)).toEqual(
    snapshot
      .files()
      .map((f) => decodeURI(f.path))
      .sort(),
  );
  const retried = outcomes.filter((o) => 'attempts' in o && o.attempts > 1).length;
  process.stderr.write(`[create-race] ${uri}: ${n} appenders into no table, ${retried} retried after losing\n`);
}

describe('appends racing to create a table (real processes, local disk)', () => {
  it('six appenders into a table that does not exist: one creates it, the others land as appends', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-create-race-')), 't');
    await raceAppendsIntoNothing(dir, openStorage(dir));
  }, 120_000);

  it('appenders of two incompatible shapes: the winner’s shape lands, the other is refused by code', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-create-race-')), 't');
    const writers = [
      ...Array.from({ length: 3 }, () => ({ mode: 'append', shape: 'ids' })),
      ...Array.from({ length: 3 }, () => ({ mode: 'append', shape: 'ids-partitioned' })),
      { mode: 'create', shape: 'ids' },
    ];
    const outcomes = await race(dir, writers);
    const snapshot = await (await openTable(dir)).snapshot();
    const winner = snapshot.partitionColumns.length > 0 ? 'ids-partitioned' : 'ids';
    for (const [i, o] of outcomes.entries()) {
      const w = writers[i] as { mode: string; shape: string };
      if (w.mode === 'create' && 'version' in o) expect(o.version).toBe(0);
      else if (w.mode === 'create') expect(o).toMatchObject({ code: 'table-exists' });
      else if (w.shape === winner) expect(o).toHaveProperty('version');
      else expect(o).toMatchObject({ code: 'schema-mismatch' });
    }
    const landed = outcomes.filter((o) => 'version' in o).length;
    expect(snapshot.version).toBe(landed - 1);
    expect((await snapshot.toArrow()).numRows).toBe(landed * 100);
  }, 120_000);
});

describeS3('appends racing to create a table (real processes, S3)', () => {
  it('six appenders into a table that does not exist: one creates it, the others land as appends', async () => {
    const uri = s3ScratchUri('create-race');
    await raceAppendsIntoNothing(uri, openStorage(uri, { s3: s3TestOptions() }), s3TestOptions());
  }, 300_000);
});

function ids(first: number, n: number): Table {
  const data = BigInt64Array.from({ length: n }, (_, i) => BigInt(first + i));
  return new Table({ id: makeVector(makeData({ type: new Int64(), length: n, data })) });
}

/** Storage on which another writer creates the table just before this writer's version 0 lands. */
function losingStorage(inner: Storage, other: (s: Storage) => Promise<unknown>): Storage {
  let raced = false;
  return {
    uri: inner.uri,
    list: (p, o) => inner.list(p, o),
    get: (k) => inner.get(k),
    getRange: (k, s, e) => inner.getRange(k, s, e),
    head: (k) => inner.head(k),
    put: (k, b) => inner.put(k, b),
    delete: (k) => inner.delete(k),
    async putIfAbsent(key, body) {
      if (!raced && key === `${LOG_DIR}${'0'.repeat(20)}.json`) {
        raced = true;
        await other(inner);
      }
      return inner.putIfAbsent(key, body);
    },
  };
}

describe('a write that loses the race to create the table', () => {
  it('appends after the winner when the schema matches, its first files removed', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-create-lost-')), 't');
    const storage = losingStorage(openStorage(dir), (s) => writeTable(s, ids(0, 5), { mode: 'append' }));
    const result = await writeTable(storage, ids(100, 7), { mode: 'append' });
    expect(result).toMatchObject({ version: 1, attempts: 2 });
    const snapshot = await (await openTable(dir)).snapshot();
    expect((await snapshot.toArrow()).numRows).toBe(12);
    expect(await dataKeys(openStorage(dir))).toEqual(
      snapshot
        .files()
        .map((f) => decodeURI(f.path))
        .sort(),
    );
  });

  it('accepts properties the winner already set, and refuses different ones by name', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-create-lost-')), 't');
    const configuration = { 'delta.checkpointInterval': '5' };
    const winner = (s: Storage) => writeTable(s, ids(0, 5), { mode: 'append', configuration });
    await writeTable(losingStorage(openStorage(dir), winner), ids(100, 7), { mode: 'append', configuration });
    const other = join(await mkdtemp(join(tmpdir(), 'meridian-delta-create-lost-')), 't');
    const refused = writeTable(losingStorage(openStorage(other), winner), ids(100, 7), {
      mode: 'append',
      configuration: { 'delta.checkpointInterval': '7' },
    });
    await expect(refused).rejects.toMatchObject({
      code: 'unsupported-write',
      message: expect.stringMatching(/^another writer created .* first and this append cannot join that table/),
    });
  });

  it('is refused with schema-mismatch naming the race when its columns differ, leaving no files', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-create-lost-')), 't');
    const named = new Table({
      id: makeVector(makeData({ type: new Int64(), length: 2, data: BigInt64Array.of(1n, 2n) })),
      name: vectorFromArray(['a', 'b'], new Utf8()),
    });
    const storage = losingStorage(openStorage(dir), (s) => writeTable(s, named, { mode: 'create' }));
    await expect(writeTable(storage, ids(100, 7), { mode: 'append' })).rejects.toMatchObject({
      code: 'schema-mismatch',
      message: expect.stringContaining('another writer created'),
    });
    const snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.version).toBe(0);
    expect(await dataKeys(openStorage(dir))).toEqual(
      snapshot
        .files()
        .map((f) => decodeURI(f.path))
        .sort(),
    );
  });

  it('in create mode is table-exists with a hint to append, its files removed', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-create-lost-')), 't');
    const storage = losingStorage(openStorage(dir), (s) => writeTable(s, ids(0, 5), { mode: 'create' }));
    await expect(writeTable(storage, ids(100, 7), { mode: 'create' })).rejects.toMatchObject({
      code: 'table-exists',
      hint: expect.stringContaining("mode 'append'"),
    });
    const snapshot = await (await openTable(dir)).snapshot();
    expect(await dataKeys(openStorage(dir))).toEqual(
      snapshot
        .files()
        .map((f) => decodeURI(f.path))
        .sort(),
    );
  });
});

/** Storage whose conditional PUTs land but report a lost race, as an S3 PUT retried after a lost response (412). */
function lostResponses(inner: Storage): Storage {
  return {
    uri: inner.uri,
    list: (p, o) => inner.list(p, o),
    get: (k) => inner.get(k),
    getRange: (k, s, e) => inner.getRange(k, s, e),
    head: (k) => inner.head(k),
    put: (k, b) => inner.put(k, b),
    delete: (k) => inner.delete(k),
    async putIfAbsent(key, body) {
      await inner.putIfAbsent(key, body);
      return false;
    },
  };
}

describe('a commit that landed although the store said the version was taken', () => {
  it('is recognised as this write’s own: an append is committed once, a create keeps its files', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-own-commit-')), 't');
    const storage = lostResponses(openStorage(dir));
    expect(await writeTable(storage, ids(0, 5), { mode: 'append' })).toMatchObject({ version: 0, attempts: 1 });
    expect(await writeTable(storage, ids(100, 7), { mode: 'append' })).toMatchObject({ version: 1, attempts: 1 });
    const snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.version).toBe(1);
    expect((await snapshot.toArrow()).numRows).toBe(12);
    expect(await dataKeys(openStorage(dir))).toEqual(
      snapshot
        .files()
        .map((f) => decodeURI(f.path))
        .sort(),
    );
  });
});
