import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Field, Int16, Int32, Schema, Struct, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '../scripts/conformance/canonical.ts';
import { openTable } from '../src/index.ts';
import { deletionVectorBytes, tempTable, z85Encode } from './support/delta-log.ts';

function parquet(table: Table): Uint8Array {
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')));
}

const field = (name: string, type: unknown, physical: string, id: number) => ({
  name,
  type,
  nullable: true,
  metadata: { 'delta.columnMapping.physicalName': physical, 'delta.columnMapping.id': id },
});

let root = '';

beforeAll(async () => {
  const t = await tempTable();
  root = t.root;
  // Logical schema: id long (widened from short in the file), info struct<note string>, added int
  // (absent from the first file), ts timestamp partition, region string partition.
  const schema = {
    type: 'struct',
    fields: [
      field('id', 'long', 'col-id', 1),
      field('info', { type: 'struct', fields: [field('note', 'string', 'col-note', 3)] }, 'col-info', 2),
      field('added', 'integer', 'col-added', 4),
      field('ts', 'timestamp', 'col-ts', 5),
      field('region', 'string', 'col-region', 6),
    ],
  };
  const noteType = new Struct([new Field('col-note', new Utf8(), true)]);
  const first = new Table({
    'col-id': vectorFromArray([1, 2, 3, 4], new Int16()),
    'col-info': vectorFromArray([{ 'col-note': 'a' }, { 'col-note': 'b' }, null, { 'col-note': 'd' }], noteType),
  });
  const second = new Table({
    'col-id': vectorFromArray([5, 6], new Int16()),
    'col-info': vectorFromArray([{ 'col-note': 'e' }, { 'col-note': null }], noteType),
    'col-added': vectorFromArray([50, null], new Int32()),
  });
  // Partition folders hold characters that need escaping; the log path is percent-encoded.
  await mkdir(join(root, 'col-region=eu west%2F1'), { recursive: true });
  const firstBytes = parquet(first);
  const secondBytes = parquet(second);
  await writeFile(join(root, 'col-region=eu west%2F1', 'part-0.parquet'), firstBytes);
  await writeFile(join(root, 'part-1.parquet'), secondBytes);
  const dv = deletionVectorBytes([1]);
  const padded = new Uint8Array(Math.ceil(dv.length / 4) * 4);
  padded.set(dv);
  await t.commit(0, [
    {
      protocol: {
        minReaderVersion: 3,
        minWriterVersion: 7,
        readerFeatures: ['columnMapping', 'deletionVectors'],
        writerFeatures: ['columnMapping', 'deletionVectors'],
      },
    },
    {
      metaData: {
        id: 'scan-test',
        format: { provider: 'parquet', options: {} },
        schemaString: JSON.stringify(schema),
        partitionColumns: ['ts', 'region'],
        configuration: { 'delta.columnMapping.mode': 'name' },
      },
    },
    {
      add: {
        path: 'col-region=eu%20west%252F1/part-0.parquet',
        partitionValues: { 'col-ts': '2021-09-08 11:11:11', 'col-region': 'eu west/1' },
        size: firstBytes.length,
        modificationTime: 0,
        dataChange: true,
        deletionVector: { storageType: 'i', pathOrInlineDv: z85Encode(padded), sizeInBytes: dv.length, cardinality: 1 },
      },
    },
    {
      add: {
        path: 'part-1.parquet',
        partitionValues: { 'col-ts': null, 'col-region': null },
        size: secondBytes.length,
        modificationTime: 0,
        dataChange: true,
      },
    },
  ]);
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true });
});

describe('scan', () => {
  it('maps physical columns to logical ones, materialises partitions, applies the DV, fills missing columns', async () => {
    const snap = await (await openTable(root)).snapshot();
    expect(snap.columnMappingMode).toBe('name');
    const table = await snap.toArrow();
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id', 'info', 'added', 'ts', 'region']);
    expect(String(table.schema.fields[0]?.type)).toBe('Int64');
    const rows = canonicalize(table.batches, snap.schema.fields).rows.sort();
    expect(rows).toEqual([
      '["1",{"note":"a"},null,"2021-09-08T11:11:11.000000Z","eu west/1"]',
      '["3",null,null,"2021-09-08T11:11:11.000000Z","eu west/1"]',
      '["4",{"note":"d"},null,"2021-09-08T11:11:11.000000Z","eu west/1"]',
      '["5",{"note":"e"},"50",null,null]',
      '["6",{"note":null},null,null,null]',
    ]);
  });

  it('projects columns in the order asked, one batch stream per file', async () => {
    const snap = await (await openTable(root)).snapshot();
    const seen: string[][] = [];
    let rows = 0;
    for await (const b of snap.scan({ columns: ['region', 'id'] })) {
      seen.push(b.schema.fields.map((f) => f.name));
      rows += b.numRows;
    }
    expect(rows).toBe(5);
    expect(new Set(seen.map((s) => s.join(',')))).toEqual(new Set(['region,id']));
    await expect(async () => snap.toArrow({ columns: ['nope'] })).rejects.toMatchObject({ code: 'unknown-column' });
  });

  it('time travel by timestamp picks the latest commit at or before it', async () => {
    const table = await openTable(root);
    const [entry] = await table.history();
    expect(entry?.version).toBe(0);
    expect((await table.snapshot({ timestamp: (entry?.timestamp ?? 0) + 1 })).version).toBe(0);
    await expect(table.snapshot({ timestamp: 0 })).rejects.toMatchObject({ code: 'version-not-found' });
  });
});

describe('column mapping by id', () => {
  it('matches file columns by parquet field id, nested ones too, whatever their names', async () => {
    const t = await tempTable();
    const withId = (name: string, type: Utf8 | Int32 | Struct, id: number) =>
      new Field(name, type, true, new Map([['PARQUET:field_id', String(id)]]));
    const inner = new Struct([withId('renamed-inner', new Utf8(), 12)]);
    const schema = new Schema([withId('renamed-a', new Int32(), 10), withId('renamed-s', inner, 11)]);
    const data = new Table(schema, {
      'renamed-a': vectorFromArray([1, 2], new Int32()),
      'renamed-s': vectorFromArray([{ 'renamed-inner': 'x' }, null], inner),
    } as never);
    const bytes = parquet(data);
    await writeFile(join(t.root, 'f.parquet'), bytes);
    const logical = {
      type: 'struct',
      fields: [
        field('a', 'integer', 'col-a', 10),
        field('s', { type: 'struct', fields: [field('inner', 'string', 'col-inner', 12)] }, 'col-s', 11),
      ],
    };
    await t.commit(0, [
      { protocol: { minReaderVersion: 2, minWriterVersion: 5 } },
      {
        metaData: {
          id: 'id-mode',
          format: { provider: 'parquet' },
          schemaString: JSON.stringify(logical),
          partitionColumns: [],
          configuration: { 'delta.columnMapping.mode': 'id' },
        },
      },
      { add: { path: 'f.parquet', partitionValues: {}, size: bytes.length, modificationTime: 0, dataChange: true } },
    ]);
    const snap = await (await openTable(t.root)).snapshot();
    expect(snap.columnMappingMode).toBe('id');
    const table = await snap.toArrow();
    expect(canonicalize(table.batches, snap.schema.fields).rows.sort()).toEqual(['["1",{"inner":"x"}]', '["2",null]']);
    await rm(t.root, { recursive: true });
  });

  it('refuses a file without field ids instead of guessing by name', async () => {
    const t = await tempTable();
    const bytes = parquet(new Table({ 'col-a': vectorFromArray([1], new Int32()) }));
    await writeFile(join(t.root, 'f.parquet'), bytes);
    await t.commit(0, [
      { protocol: { minReaderVersion: 2, minWriterVersion: 5 } },
      {
        metaData: {
          id: 'id-mode',
          format: { provider: 'parquet' },
          schemaString: JSON.stringify({ type: 'struct', fields: [field('a', 'integer', 'col-a', 10)] }),
          partitionColumns: [],
          configuration: { 'delta.columnMapping.mode': 'id' },
        },
      },
      { add: { path: 'f.parquet', partitionValues: {}, size: bytes.length, modificationTime: 0, dataChange: true } },
    ]);
    const snap = await (await openTable(t.root)).snapshot();
    await expect(async () => snap.toArrow()).rejects.toMatchObject({
      code: 'invalid-log',
      message: expect.stringContaining('field ids'),
    });
    await rm(t.root, { recursive: true });
  });
});
