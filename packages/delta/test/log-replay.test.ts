import { rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Bool, Field, Int32, Int64, List, Map_, Struct, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { DeltaError, openStorage, openTable, type Storage } from '../src/index.ts';
import { add, deletionVectorBytes, metaData, remove, tempTable, z85Encode } from './support/delta-log.ts';

const protocol = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };

function inlineDv(rows: number[]) {
  const bytes = deletionVectorBytes(rows);
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  return { storageType: 'i', pathOrInlineDv: z85Encode(padded), sizeInBytes: bytes.length, cardinality: rows.length };
}

async function history() {
  const t = await tempTable();
  await t.commit(0, [
    { commitInfo: { timestamp: 1 } },
    protocol,
    metaData({ id: 'long' }),
    add('a.parquet'),
    add('b.parquet'),
  ]);
  await t.commit(1, [remove('a.parquet'), add('c.parquet'), { txn: { appId: 'app1', version: 1 } }]);
  await t.commit(2, [
    metaData({ id: 'long', note: 'string' }, { configuration: { k: 'v' } }),
    { domainMetadata: { domain: 'd1', configuration: '{}', removed: false } },
    { domainMetadata: { domain: 'd2', configuration: '{"x":1}', removed: false } },
  ]);
  await t.commit(3, [
    { domainMetadata: { domain: 'd1', configuration: '{}', removed: true } },
    { txn: { appId: 'app1', version: 3 } },
    { txn: { appId: 'app2', version: 7 } },
    add('a.parquet'),
    remove('b.parquet'),
  ]);
  await t.commit(4, [remove('c.parquet'), add('c.parquet', { deletionVector: inlineDv([1]) })]);
  return t;
}

describe('log replay reconciliation (PROTOCOL.md "Action Reconciliation")', () => {
  it('keeps the latest add or remove of each file, the latest metadata, txn per app, live domains', async () => {
    const t = await history();
    const table = await openTable(t.root);
    const v3 = await table.snapshot({ version: 3 });
    expect(
      v3
        .files()
        .map((f) => f.path)
        .sort(),
    ).toEqual(['a.parquet', 'c.parquet']);
    expect(v3.tombstones().map((r) => r.path)).toEqual(['b.parquet']);
    expect(Object.fromEntries(v3.txns())).toEqual({ app1: 3, app2: 7 });
    expect([...v3.domainMetadata().keys()]).toEqual(['d2']);
    expect(v3.schema.fields.map((f) => f.name)).toEqual(['id', 'note']);
    expect(v3.configuration).toEqual({ k: 'v' });

    const v1 = await table.snapshot({ version: 1 });
    expect(
      v1
        .files()
        .map((f) => f.path)
        .sort(),
    ).toEqual(['b.parquet', 'c.parquet']);
    expect(v1.tombstones().map((r) => r.path)).toEqual(['a.parquet']);
    expect(v1.schema.fields.map((f) => f.name)).toEqual(['id']);
    expect(v1.domainMetadata().size).toBe(0);
    await rm(t.root, { recursive: true });
  });

  it('a commit may list the new DV of a file before the removal of its old one (actions are unordered)', async () => {
    const t = await history();
    await t.commit(5, [
      add('c.parquet', { deletionVector: inlineDv([1, 2]) }),
      remove('c.parquet', { deletionVector: inlineDv([1]) }),
    ]);
    // An add for a path replaces the live add of that path even without a remove (newest pair per path).
    await t.commit(6, [add('a.parquet', { deletionVector: inlineDv([0]) })]);
    const snap = await (await openTable(t.root)).snapshot();
    expect(
      snap
        .files()
        .map((f) => [f.path, f.deletionVector?.cardinality ?? 0])
        .sort(),
    ).toEqual([
      ['a.parquet', 1],
      ['c.parquet', 2],
    ]);
    expect(
      snap
        .tombstones()
        .map((r) => [r.path, r.deletionVector?.cardinality ?? 0])
        .sort(),
    ).toEqual([
      ['b.parquet', 0],
      ['c.parquet', 0],
      ['c.parquet', 1],
    ]);
    await rm(t.root, { recursive: true });
  });

  it('keys files by path and deletion vector: a DV update replaces the file and tombstones the old one', async () => {
    const t = await history();
    const v4 = await (await openTable(t.root)).snapshot();
    expect(v4.version).toBe(4);
    const c = v4.files().filter((f) => f.path === 'c.parquet');
    expect(c).toHaveLength(1);
    expect(c[0]?.deletionVector?.cardinality).toBe(1);
    expect(
      v4
        .tombstones()
        .map((r) => r.path)
        .sort(),
    ).toEqual(['b.parquet', 'c.parquet']);
    await rm(t.root, { recursive: true });
  });

  it('starts from a parquet checkpoint and ignores a wrong _last_checkpoint hint', async () => {
    const t = await history();
    await writeFile(
      join(t.root, '_delta_log', '00000000000000000002.checkpoint.parquet'),
      checkpointParquet(STATE_AT_2),
    );
    await writeFile(join(t.root, '_delta_log', '_last_checkpoint'), JSON.stringify({ version: 99, size: 4 }));
    await expectStateFromCheckpoint(t.root);
    await rm(t.root, { recursive: true });
  });

  it('lists from the checkpoint _last_checkpoint names when that checkpoint is complete', async () => {
    const t = await history();
    await writeFile(
      join(t.root, '_delta_log', '00000000000000000002.checkpoint.parquet'),
      checkpointParquet(STATE_AT_2),
    );
    await writeFile(join(t.root, '_delta_log', '_last_checkpoint'), JSON.stringify({ version: 2, size: 4 }));
    const inner = openStorage(t.root);
    const starts: (string | undefined)[] = [];
    const spy: Storage = Object.assign(Object.create(inner) as Storage, {
      list: (prefix: string, options?: { startAfter?: string }) => {
        starts.push(options?.startAfter);
        return inner.list(prefix, options);
      },
    });
    const table = await openTable(spy);
    expect((await table.snapshot()).version).toBe(4);
    expect(starts).toEqual(['_delta_log/00000000000000000002']);
    // Time travel before the checkpoint needs the whole listing.
    starts.length = 0;
    expect(
      (await table.snapshot({ version: 1 }))
        .files()
        .map((f) => f.path)
        .sort(),
    ).toEqual(['b.parquet', 'c.parquet']);
    expect(starts).toEqual([undefined]);
    await rm(t.root, { recursive: true });
  });

  it('uses a compacted log file in place of the commits it covers', async () => {
    const t = await history();
    // Commits 1..3 reconciled (PROTOCOL.md "Log Compaction Files"); commit 2 itself is gone.
    await writeFile(
      join(t.root, '_delta_log', '00000000000000000001.00000000000000000003.compacted.json'),
      `${[
        metaData({ id: 'long', note: 'string' }, { configuration: { k: 'v' } }),
        { domainMetadata: { domain: 'd2', configuration: '{"x":1}', removed: false } },
        { txn: { appId: 'app1', version: 3 } },
        { txn: { appId: 'app2', version: 7 } },
        add('c.parquet'),
        add('a.parquet'),
        remove('b.parquet'),
      ]
        .map((a) => JSON.stringify(a))
        .join('\n')}\n`,
    );
    await unlink(join(t.root, '_delta_log', '00000000000000000002.json'));
    const table = await openTable(t.root);
    const v3 = await table.snapshot({ version: 3 });
    expect(
      v3
        .files()
        .map((f) => f.path)
        .sort(),
    ).toEqual(['a.parquet', 'c.parquet']);
    expect(Object.fromEntries(v3.txns())).toEqual({ app1: 3, app2: 7 });
    expect([...v3.domainMetadata().keys()]).toEqual(['d2']);
    expect((await table.snapshot()).version).toBe(4);
    // Version 2 alone is not reconstructable: the compaction ends after it and its commit is gone.
    await expect(table.snapshot({ version: 2 })).rejects.toMatchObject({ code: 'versions-not-contiguous' });
    await rm(t.root, { recursive: true });
  });

  it('ignores a compacted log file that does not reconcile and replays the commits instead', async () => {
    const t = await history();
    const expected = await (await openTable(t.root)).snapshot({ version: 3 });
    // Wrong: c.parquet both added and removed, a.parquet added twice.
    const compacted = join(t.root, '_delta_log', '00000000000000000001.00000000000000000003.compacted.json');
    await writeFile(
      compacted,
      `${[
        metaData({ id: 'long', note: 'string' }),
        add('c.parquet'),
        remove('c.parquet'),
        add('a.parquet'),
        add('a.parquet'),
      ]
        .map((a) => JSON.stringify(a))
        .join('\n')}\n`,
    );
    const table = await openTable(t.root);
    const v3 = await table.snapshot({ version: 3 });
    const paths = (s: typeof v3) =>
      s
        .files()
        .map((f) => f.path)
        .sort();
    expect(paths(v3)).toEqual(paths(expected));
    expect(paths(v3)).toEqual(['a.parquet', 'c.parquet']);
    expect(Object.fromEntries(v3.txns())).toEqual(Object.fromEntries(expected.txns()));
    // Without the commits it stands for, the bad compaction is a clear error, not a wrong snapshot.
    await unlink(join(t.root, '_delta_log', '00000000000000000002.json'));
    await expect(table.snapshot({ version: 3 })).rejects.toMatchObject({
      code: 'versions-not-contiguous',
      path: expect.stringContaining('compacted'),
    });
    await rm(t.root, { recursive: true });
  });

  it('reads a multi-part checkpoint and skips one with a missing part', async () => {
    const t = await history();
    const log = join(t.root, '_delta_log');
    await writeFile(
      join(log, '00000000000000000002.checkpoint.0000000001.0000000002.parquet'),
      checkpointParquet(STATE_AT_2.slice(0, 2)),
    );
    await writeFile(
      join(log, '00000000000000000002.checkpoint.0000000002.0000000002.parquet'),
      checkpointParquet(STATE_AT_2.slice(2)),
    );
    // Version 3's checkpoint lost its second part: the reader must fall back to checkpoint 2 + commit 3.
    await writeFile(join(log, '00000000000000000003.checkpoint.0000000001.0000000002.parquet'), checkpointParquet([]));
    await writeFile(join(log, '_last_checkpoint'), JSON.stringify({ version: 3, size: 4, parts: 2 }));
    await expectStateFromCheckpoint(t.root);
    await rm(t.root, { recursive: true });
  });
});

type CheckpointRow = { protocol?: object; metaData?: object; add?: object; remove?: object; txn?: object };
const SCHEMA_STRING = JSON.stringify({
  type: 'struct',
  fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }],
});
// The state at version 2 of history(): files b and c, tombstone a, txn app1=1.
const STATE_AT_2: CheckpointRow[] = [
  { protocol: { minReaderVersion: 1, minWriterVersion: 2 }, txn: { appId: 'app1', version: 1n } },
  {
    metaData: {
      id: 'test-table',
      schemaString: SCHEMA_STRING,
      partitionColumns: [],
      configuration: new Map([['from', 'checkpoint']]),
    },
    remove: { path: 'a.parquet', deletionTimestamp: 1n, dataChange: true },
  },
  { add: { path: 'b.parquet', partitionValues: new Map(), size: 100n, modificationTime: 0n, dataChange: false } },
  { add: { path: 'c.parquet', partitionValues: new Map(), size: 100n, modificationTime: 0n, dataChange: false } },
];

function checkpointParquet(rows: CheckpointRow[]): Uint8Array {
  const str = new Utf8();
  const stringMap = () =>
    new Map_(
      new Field('entries', new Struct([new Field('key', str, false), new Field('value', str, true)]), false) as never,
    );
  const types = {
    protocol: new Struct([
      new Field('minReaderVersion', new Int32(), true),
      new Field('minWriterVersion', new Int32(), true),
    ]),
    metaData: new Struct([
      new Field('id', str, true),
      new Field('schemaString', str, true),
      new Field('partitionColumns', new List(new Field('element', str, true)), true),
      new Field('configuration', stringMap(), true),
    ]),
    add: new Struct([
      new Field('path', str, true),
      new Field('partitionValues', stringMap(), true),
      new Field('size', new Int64(), true),
      new Field('modificationTime', new Int64(), true),
      new Field('dataChange', new Bool(), true),
    ]),
    remove: new Struct([
      new Field('path', str, true),
      new Field('deletionTimestamp', new Int64(), true),
      new Field('dataChange', new Bool(), true),
    ]),
    txn: new Struct([new Field('appId', str, true), new Field('version', new Int64(), true)]),
  };
  const columns = Object.fromEntries(
    Object.entries(types).map(([name, type]) => [
      name,
      vectorFromArray(
        rows.map((r) => (r as Record<string, unknown>)[name] ?? null),
        type as never,
      ),
    ]),
  );
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(new Table(columns), 'stream')));
}

async function expectStateFromCheckpoint(root: string): Promise<void> {
  // Commits up to the checkpoint are gone: the checkpoint alone must carry the state.
  for (const v of [0, 1, 2]) await unlink(join(root, '_delta_log', `${String(v).padStart(20, '0')}.json`));
  const table = await openTable(root);
  const v3 = await table.snapshot({ version: 3 });
  expect(
    v3
      .files()
      .map((f) => f.path)
      .sort(),
  ).toEqual(['a.parquet', 'c.parquet']);
  expect(v3.tombstones().map((r) => r.path)).toEqual(['b.parquet']);
  expect(Object.fromEntries(v3.txns())).toEqual({ app1: 3, app2: 7 });
  expect(v3.configuration).toEqual({ from: 'checkpoint' });
  expect([...v3.domainMetadata().keys()]).toEqual([]);
  expect(
    (await table.snapshot({ version: 2 }))
      .files()
      .map((f) => f.path)
      .sort(),
  ).toEqual(['b.parquet', 'c.parquet']);
  await expect(table.snapshot({ version: 1 })).rejects.toMatchObject({ code: 'log-incomplete' });
}

describe('invalid logs are refused with their error code', () => {
  it('versions-not-contiguous when a commit is missing', async () => {
    const t = await history();
    await unlink(join(t.root, '_delta_log', '00000000000000000002.json'));
    await expect((await openTable(t.root)).snapshot()).rejects.toMatchObject({ code: 'versions-not-contiguous' });
    // Versions before the gap are still readable.
    expect((await (await openTable(t.root)).snapshot({ version: 1 })).version).toBe(1);
    await rm(t.root, { recursive: true });
  });

  it('log-incomplete when commit 0 is gone and no checkpoint covers it', async () => {
    const t = await history();
    await unlink(join(t.root, '_delta_log', '00000000000000000000.json'));
    await expect((await openTable(t.root)).snapshot()).rejects.toMatchObject({ code: 'log-incomplete' });
    await rm(t.root, { recursive: true });
  });

  it('missing-protocol and missing-metadata, naming the version, the table and what a valid log holds', async () => {
    const a = await tempTable();
    await a.commit(0, [metaData({ id: 'long' }), add('x.parquet')]);
    const tableA = await openTable(a.root);
    await expect(tableA.snapshot()).rejects.toMatchObject({
      code: 'missing-protocol',
      message: 'no protocol action up to version 0',
      path: tableA.uri,
      hint: expect.stringMatching(/declares its protocol in commit 0 or a checkpoint/),
    });
    const b = await tempTable();
    await b.commit(0, [protocol, add('x.parquet')]);
    const tableB = await openTable(b.root);
    await expect(tableB.snapshot()).rejects.toMatchObject({
      code: 'missing-metadata',
      message: 'no metaData action up to version 0',
      path: tableB.uri,
      hint: expect.stringMatching(/declares its metadata in commit 0 or a checkpoint/),
    });
    await rm(a.root, { recursive: true });
    await rm(b.root, { recursive: true });
  });

  it('empty-log when _delta_log holds no commit, not-a-table when there is no log', async () => {
    const a = await tempTable();
    await writeFile(join(a.root, '_delta_log', '_last_checkpoint'), '{"version":3}');
    await expect((await openTable(a.root)).snapshot()).rejects.toMatchObject({ code: 'empty-log' });
    await expect((await openTable(join(a.root, 'nothing-here'))).snapshot()).rejects.toBeInstanceOf(DeltaError);
    await expect((await openTable(join(a.root, 'nothing-here'))).snapshot()).rejects.toMatchObject({
      code: 'not-a-table',
    });
    await rm(a.root, { recursive: true });
  });

  it('version-not-found beyond the latest version', async () => {
    const t = await history();
    await expect((await openTable(t.root)).snapshot({ version: 5 })).rejects.toMatchObject({
      code: 'version-not-found',
    });
    await rm(t.root, { recursive: true });
  });
});

describe('timestamp time travel across the enablement of in-commit timestamps', () => {
  it('uses file times before the enablement version and inCommitTimestamp from it on', async () => {
    const t = await tempTable();
    const T = Date.now() + 1e9;
    await t.commit(0, [protocol, metaData({ id: 'long' }), add('a.parquet')]);
    await t.commit(1, [add('b.parquet')]);
    const ict = {
      'delta.enableInCommitTimestamps': 'true',
      'delta.inCommitTimestampEnablementVersion': '2',
      'delta.inCommitTimestampEnablementTimestamp': String(T),
    };
    await t.commit(2, [{ commitInfo: { inCommitTimestamp: T } }, metaData({ id: 'long' }, { configuration: ict })]);
    await t.commit(3, [{ commitInfo: { inCommitTimestamp: T + 10 } }, add('c.parquet')]);
    const table = await openTable(t.root);
    expect((await table.snapshot({ timestamp: Date.now() + 1000 })).version).toBe(1);
    expect((await table.snapshot({ timestamp: T + 5 })).version).toBe(2);
    expect((await table.snapshot({ timestamp: T + 10 })).version).toBe(3);
    const history = await table.history();
    expect(history.map((h) => h.version)).toEqual([3, 2, 1, 0]);
    expect(history[0]?.timestamp).toBe(T + 10);
    expect(history[2]?.timestamp).toBeLessThan(T);
    await rm(t.root, { recursive: true });
  });
});

describe('reading the commits after a checkpoint', () => {
  it('keeps at most 16 commit reads ahead, tops them up in groups, and applies them in log order', async () => {
    const t = await tempTable();
    await t.commit(0, [protocol, metaData({ id: 'long' }), add('f0.parquet')]);
    // Each commit adds a file; every 7th removes the one the commit before it added, so order matters.
    for (let v = 1; v < 60; v++) {
      await t.commit(v, v % 7 === 0 ? [remove(`f${v - 1}.parquet`), add(`f${v}.parquet`)] : [add(`f${v}.parquet`)]);
    }
    const local = openStorage(t.root);
    let inFlight = 0;
    let most = 0;
    // Reads started in one synchronous run (before any microtask) form one group.
    const groups: number[] = [];
    let open = false;
    const counting: Storage = {
      uri: local.uri,
      list: (prefix, options) => local.list(prefix, options),
      get: async (key) => {
        if (!key.endsWith('.json')) return local.get(key);
        if (!open) {
          open = true;
          groups.push(0);
          queueMicrotask(() => {
            open = false;
          });
        }
        groups[groups.length - 1] = (groups.at(-1) as number) + 1;
        most = Math.max(most, ++inFlight);
        try {
          await new Promise((r) => setTimeout(r, 1));
          return await local.get(key);
        } finally {
          inFlight--;
        }
      },
      getRange: (key, start, end) => local.getRange(key, start, end),
      head: (key) => local.head(key),
      putIfAbsent: (key, body) => local.putIfAbsent(key, body),
      put: (key, body) => local.put(key, body),
      delete: (key) => local.delete(key),
    };
    const files = (await (await openTable(counting)).snapshot()).files().map((f) => f.path);
    const expected = Array.from({ length: 60 }, (_, v) => v)
      .filter((v) => (v + 1) % 7 !== 0 || v === 59)
      .map((v) => `f${v}.parquet`);
    expect([...files].sort()).toEqual([...expected].sort());
    expect(groups.reduce((a, b) => a + b, 0)).toBe(60);
    // 16 ahead of the one being applied.
    expect(most).toBeLessThanOrEqual(17);
    // Half a window at a time: the first 16, then groups of 8, where a read after each commit applied would make
    // groups of one.
    expect(groups[0]).toBe(16);
    expect(groups.slice(1, -1).every((n) => n === 8)).toBe(true);
    expect(groups.length).toBeLessThanOrEqual(8);
    await rm(t.root, { recursive: true, force: true });
  });
});
