import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Int32, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseCommit } from '../src/log/actions.ts';
import { writerFeaturesOf } from '../src/protocol/writer-features.ts';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';
import { copyOfCorpusTable, duckdb, duckdbOverActiveFiles, fileList } from './support/corpus-copy.ts';
import { tempTable } from './support/delta-log.ts';

async function commitActions(dir: string, version: number) {
  const key = join(dir, '_delta_log', `${String(version).padStart(20, '0')}.json`);
  return parseCommit(await readFile(key), key);
}

describe('writeTable honours the writer features of tables other engines wrote', () => {
  it('appends to a column-mapping (name) table with physical names and field ids, so the rows are not NULL', async () => {
    const dir = await copyOfCorpusTable('table_with_column_mapping');
    const before = await (await openTable(dir)).snapshot();
    const data = new Table({
      'Company Very Short': vectorFromArray(['ACME', 'ACME'], new Utf8()),
      'Super Name': vectorFromArray(['Road Runner', 'Coyote'], new Utf8()),
    });
    await writeTable(dir, data, { mode: 'append' });
    const after = await (await openTable(dir)).snapshot();
    const rows = await after.toArrow({ where: '"Company Very Short" = \'ACME\'' });
    expect(rows.numRows).toBe(2);
    expect([...(rows.getChild('Super Name') as Iterable<string | null>)].sort()).toEqual(['Coyote', 'Road Runner']);
    expect((await after.toArrow()).numRows).toBe((await before.toArrow()).numRows + 2);

    // An independent reader sees the physical column with the values and the field id in the file.
    const physical = after.schema.fields.find((f) => f.name === 'Super Name')?.metadata[
      'delta.columnMapping.physicalName'
    ] as string;
    const partition = after.schema.fields.find((f) => f.name === 'Company Very Short')?.metadata[
      'delta.columnMapping.physicalName'
    ] as string;
    const added = after.files().filter((f) => f.partitionValues[partition] === 'ACME');
    expect(added).toHaveLength(1);
    const duck = await duckdbOverActiveFiles(
      dir,
      after,
      (files) => `SELECT "${physical}" AS s FROM ${files} ORDER BY 1`,
    );
    expect(duck.map((r) => r.s)).toContain('Road Runner');
    const ids = await duckdb(
      `SELECT name, field_id FROM parquet_schema(${fileList(dir, added)}) WHERE name = '${physical}'`,
    );
    expect(ids.map((r) => Number(r.field_id))).toEqual([2]);
    // Statistics are keyed by physical names too (PROTOCOL.md "Per-file Statistics").
    expect(added[0]?.stats?.nullCount).toHaveProperty(physical, 0);
  });

  it('refuses to append to a table whose writer features it does not implement, by name', async () => {
    const dir = await copyOfCorpusTable('table_with_liquid_clustering');
    const snapshot = await (await openTable(dir)).snapshot();
    const data = await snapshot.toArrow();
    await expect(writeTable(dir, data, { mode: 'append' })).rejects.toMatchObject({
      code: 'unsupported-writer-feature',
      message: expect.stringMatching(/'rowTracking'.*|'liquid'/),
      path: expect.stringContaining('table_with_liquid_clustering'),
    });
    expect((await (await openTable(dir)).snapshot()).version).toBe(snapshot.version);
  });

  it('refuses to append to a table with an identity column, naming the column and the feature', async () => {
    const dir = await copyOfCorpusTable('checkpoint-v2-table');
    const snapshot = await (await openTable(dir)).snapshot();
    await expect(writeTable(dir, await snapshot.toArrow(), { mode: 'append' })).rejects.toMatchObject({
      code: 'unsupported-writer-feature',
      message: expect.stringContaining("'identityColumns'"),
    });
  });

  it('refuses a writer version above 7', async () => {
    const t = await tempTable();
    await t.commit(0, [
      { protocol: { minReaderVersion: 1, minWriterVersion: 8 } },
      {
        metaData: {
          id: 'x',
          format: { provider: 'parquet', options: {} },
          schemaString: JSON.stringify({
            type: 'struct',
            fields: [{ name: 'a', type: 'integer', nullable: true, metadata: {} }],
          }),
          partitionColumns: [],
          configuration: {},
        },
      },
    ]);
    const data = new Table({ a: vectorFromArray([1], new Int32()) });
    await expect(writeTable(t.root, data, { mode: 'append' })).rejects.toMatchObject({
      code: 'unsupported-writer-version',
    });
  });

  it('writes a monotonic inCommitTimestamp first in every commit of an In-Commit Timestamps table', async () => {
    const dir = await copyOfCorpusTable('cdc_ict_table');
    const before = await (await openTable(dir)).snapshot();
    const data = new Table({
      name: vectorFromArray(['Zed'], new Utf8()),
      birthyear: vectorFromArray([1999], new Int32()),
      age: vectorFromArray([25], new Int32()),
    });
    const { version } = await writeTable(dir, data, { mode: 'append' });
    const previous = (await commitActions(dir, version - 1))[0];
    const written = (await commitActions(dir, version))[0];
    expect(written?.type).toBe('commitInfo');
    const t = written?.type === 'commitInfo' ? written.commitInfo.inCommitTimestamp : undefined;
    const p = previous?.type === 'commitInfo' ? previous.commitInfo.inCommitTimestamp : undefined;
    expect(typeof t).toBe('number');
    expect(t as number).toBeGreaterThan(p as number);
    const after = await (await openTable(dir)).snapshot();
    expect(after.timestamp).toBe(t);
    expect((await after.toArrow()).numRows).toBe((await before.toArrow()).numRows + 1);
  });

  it('overwrites a deletion-vector table with removes that name the deletion vector', async () => {
    const dir = await copyOfCorpusTable('table-with-dv-small');
    const before = await (await openTable(dir)).snapshot();
    const withDv = before.files().filter((f) => f.deletionVector !== null);
    expect(withDv.length).toBeGreaterThan(0);
    const data = new Table({ value: vectorFromArray([7, 8, 9], new Int32()) });
    const { version } = await writeTable(dir, data, { mode: 'overwrite' });
    const removes = (await commitActions(dir, version)).filter((a) => a.type === 'remove');
    for (const f of withDv) {
      const r = removes.find((a) => a.type === 'remove' && a.remove.path === f.path);
      expect(r?.type === 'remove' ? r.remove.deletionVector : undefined).toEqual(f.deletionVector);
    }
    const after = await (await openTable(dir)).snapshot();
    expect(after.tombstones().length).toBeGreaterThanOrEqual(withDv.length);
    expect([...((await after.toArrow()).getChild('value') as Iterable<number>)].sort()).toEqual([7, 8, 9]);
  });
});

describe('writeTable enforces appendOnly and CHECK constraints', () => {
  const orders = (qty: (number | null)[]) =>
    new Table({
      id: vectorFromArray(
        qty.map((_, i) => BigInt(i)),
        new Int64(),
      ),
      qty: vectorFromArray(qty, new Int32()),
    });

  it('refuses an overwrite of an append-only table and keeps its rows', async () => {
    const t = await tempTable();
    await writeTable(t.root, orders([1, 2]), { mode: 'create', configuration: { 'delta.appendOnly': 'true' } });
    const snapshot = await (await openTable(t.root)).snapshot();
    expect(writerFeaturesOf(snapshot.protocol)).toContain('appendOnly');
    await expect(writeTable(t.root, orders([3]), { mode: 'overwrite' })).rejects.toMatchObject({ code: 'append-only' });
    await writeTable(t.root, orders([3]), { mode: 'append' });
    expect((await (await openTable(t.root)).snapshot()).files()).toHaveLength(2);
    // Properties are never dropped silently: an append cannot carry them.
    await expect(
      writeTable(t.root, orders([4]), { mode: 'append', configuration: { 'delta.appendOnly': 'false' } }),
    ).rejects.toMatchObject({ code: 'unsupported-write' });
  });

  it('refuses rows that break a CHECK constraint (false or null) and accepts rows that keep it', async () => {
    const t = await tempTable();
    await writeTable(t.root, orders([1, 2]), {
      mode: 'create',
      configuration: { 'delta.constraints.qty_positive': 'qty > 0' },
    });
    const snapshot = await (await openTable(t.root)).snapshot();
    expect(writerFeaturesOf(snapshot.protocol)).toContain('checkConstraints');
    await expect(writeTable(t.root, orders([5, -1]), { mode: 'append' })).rejects.toMatchObject({
      code: 'constraint-violation',
      message: expect.stringMatching(/^row 1 breaks the constraint qty_positive/),
    });
    await expect(writeTable(t.root, orders([null]), { mode: 'append' })).rejects.toMatchObject({
      code: 'constraint-violation',
    });
    await expect(
      writeTable(t.root, orders([0]), {
        mode: 'create',
        configuration: { 'delta.constraints.qty_positive': 'qty > 0' },
      }),
    ).rejects.toMatchObject({ code: 'table-exists' });
    await writeTable(t.root, orders([4]), { mode: 'append' });
    const after = await (await openTable(t.root)).snapshot();
    expect([...((await after.toArrow()).getChild('qty') as Iterable<number>)].sort()).toEqual([1, 2, 4]);
  });

  it('refuses a CHECK constraint it cannot evaluate instead of skipping it', async () => {
    const t = await tempTable();
    await expect(
      writeTable(t.root, orders([1]), {
        mode: 'create',
        configuration: { 'delta.constraints.odd': 'qty % 2 = 1' },
      }),
    ).rejects.toMatchObject({ code: 'unsupported-writer-feature', message: expect.stringContaining('odd') });
  });

  it('upgrades the protocol for every property that needs a writer feature', async () => {
    const t = await tempTable();
    const configuration = {
      'delta.enableChangeDataFeed': 'true',
      'delta.constraints.qty_positive': 'qty > 0',
      'delta.enableDeletionVectors': 'true',
      'delta.enableInCommitTimestamps': 'true',
      'delta.columnMapping.mode': 'name',
    };
    await writeTable(t.root, orders([1, 2]), { mode: 'create', configuration });
    await writeTable(t.root, orders([3]), { mode: 'append' });
    const snapshot = await (await openTable(t.root)).snapshot();
    expect(snapshot.protocol.minReaderVersion).toBe(3);
    expect(snapshot.protocol.minWriterVersion).toBe(7);
    expect(snapshot.protocol.readerFeatures).toEqual(expect.arrayContaining(['deletionVectors', 'columnMapping']));
    expect(snapshot.protocol.writerFeatures).toEqual(
      expect.arrayContaining([
        'changeDataFeed',
        'checkConstraints',
        'deletionVectors',
        'inCommitTimestamp',
        'columnMapping',
      ]),
    );
    expect(snapshot.columnMappingMode).toBe('name');
    const physical = snapshot.schema.fields.map((f) => f.metadata['delta.columnMapping.physicalName']);
    expect(physical.every((p) => typeof p === 'string' && p.startsWith('col-'))).toBe(true);
    expect(snapshot.configuration['delta.columnMapping.maxColumnId']).toBe('2');
    expect([...((await snapshot.toArrow()).getChild('qty') as Iterable<number>)].sort()).toEqual([1, 2, 3]);
    const duck = await duckdbOverActiveFiles(
      t.root,
      snapshot,
      (files) => `SELECT sum("${physical[1]}") AS q FROM ${files}`,
    );
    expect(Number(duck[0]?.q)).toBe(6);
    for (const v of [0, 1]) {
      const first = (await commitActions(t.root, v))[0];
      expect(first?.type === 'commitInfo' ? typeof first.commitInfo.inCommitTimestamp : undefined).toBe('number');
    }
    const changes = [];
    for await (const batch of (await openTable(t.root)).changes(1)) changes.push(batch.numRows);
    expect(changes.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('writes field ids a reader matching by id (column mapping mode id) finds, after a rename', async () => {
    const t = await tempTable();
    await writeTable(t.root, orders([1, 2]), { mode: 'create', configuration: { 'delta.columnMapping.mode': 'id' } });
    // Rename qty to quantity in the schema only, as an engine's RENAME COLUMN does: the id stays.
    const snapshot = await (await openTable(t.root)).snapshot();
    const renamed = {
      type: 'struct',
      fields: snapshot.schema.fields.map((f) => ({
        name: f.name === 'qty' ? 'quantity' : f.name,
        type: f.type.kind === 'primitive' ? f.type.name : 'string',
        nullable: f.nullable,
        metadata: { ...f.metadata, 'delta.columnMapping.physicalName': `renamed-${f.name}` },
      })),
    };
    await writeFile(
      join(t.root, '_delta_log', '00000000000000000001.json'),
      `${JSON.stringify({ metaData: { ...snapshot.metadata, schemaString: JSON.stringify(renamed) } })}\n`,
    );
    const after = await (await openTable(t.root)).snapshot();
    expect(after.columnMappingMode).toBe('id');
    const read = await after.toArrow();
    expect([...(read.getChild('quantity') as Iterable<number>)].sort()).toEqual([1, 2]);
  });

  it('records an overwrite of a change data feed table so the feed shows its deletes and inserts', async () => {
    const t = await tempTable();
    await writeTable(t.root, orders([1, 2]), {
      mode: 'create',
      configuration: { 'delta.enableChangeDataFeed': 'true' },
    });
    await writeTable(t.root, orders([7]), { mode: 'overwrite' });
    const kinds: string[] = [];
    for await (const batch of (await openTable(t.root)).changes(1)) {
      const type = batch.getChild('_change_type');
      const qty = batch.getChild('qty');
      for (let i = 0; i < batch.numRows; i++) kinds.push(`${String(type?.get(i))}:${String(qty?.get(i))}`);
    }
    expect(kinds.sort()).toEqual(['delete:1', 'delete:2', 'insert:7']);
  });
});
