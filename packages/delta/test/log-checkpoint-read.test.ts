/**
 * Reading a classic parquet checkpoint's actions (PROTOCOL.md "Checkpoints"): adds read column by column, strings
 * decoded per chunk when ASCII, empty partition values shared. The answers must not depend on those shortcuts.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Bool,
  type Data,
  Field,
  Int32,
  Int64,
  List,
  Map_,
  makeData,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { openTable } from '../src/index.ts';
import { plainReader } from '../src/log/arrow-rows.ts';
import { tempTable } from './support/delta-log.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

const stringMap = () =>
  new Map_(
    new Field(
      'key_value',
      new Struct([new Field('key', new Utf8(), false), new Field('value', new Utf8(), true)] as never[]),
      false,
    ),
  );

interface AddRow {
  path: string;
  partitionValues: Map<string, string | null>;
  size: bigint;
  modificationTime: bigint;
  dataChange: boolean;
  stats: string | null;
}

/** A classic checkpoint: protocol and metaData rows, then one row per add (null for an absent action). */
function checkpointBytes(adds: (AddRow | null)[], partitionColumns: string[]): Uint8Array {
  const addType = new Struct([
    new Field('path', new Utf8(), true),
    new Field('partitionValues', stringMap(), true),
    new Field('size', new Int64(), true),
    new Field('modificationTime', new Int64(), true),
    new Field('dataChange', new Bool(), true),
    new Field('stats', new Utf8(), true),
  ]);
  const metaType = new Struct([
    new Field('id', new Utf8(), true),
    new Field(
      'format',
      new Struct([new Field('provider', new Utf8(), true), new Field('options', stringMap(), true)]),
      true,
    ),
    new Field('schemaString', new Utf8(), true),
    new Field('partitionColumns', new List(new Field('element', new Utf8(), true)), true),
    new Field('configuration', stringMap(), true),
    new Field('createdTime', new Int64(), true),
  ]);
  const protocolType = new Struct([
    new Field('minReaderVersion', new Int32(), true),
    new Field('minWriterVersion', new Int32(), true),
  ]);
  const schemaString = JSON.stringify({
    type: 'struct',
    fields: [
      { name: 'id', type: 'long', nullable: true, metadata: {} },
      { name: 'p', type: 'string', nullable: true, metadata: {} },
    ],
  });
  const meta = {
    id: 'checkpoint-read',
    format: { provider: 'parquet', options: new Map() },
    schemaString,
    partitionColumns,
    configuration: new Map(),
    createdTime: 0n,
  };
  const table = new Table({
    protocol: vectorFromArray(
      [{ minReaderVersion: 1, minWriterVersion: 2 }, null, ...adds.map(() => null)],
      protocolType,
    ),
    metaData: vectorFromArray([null, meta, ...adds.map(() => null)] as never[], metaType),
    add: vectorFromArray([null, null, ...adds] as never[], addType),
  });
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')));
}

async function tableWithCheckpoint(adds: (AddRow | null)[], partitionColumns: string[] = []): Promise<string> {
  const t = await tempTable();
  roots.push(t.root);
  await writeFile(
    join(t.root, '_delta_log', `${String(3).padStart(20, '0')}.checkpoint.parquet`),
    checkpointBytes(adds, partitionColumns),
  );
  await writeFile(
    join(t.root, '_delta_log', '_last_checkpoint'),
    JSON.stringify({ version: 3, size: adds.length + 2 }),
  );
  return t.root;
}

const row = (path: string, extra: Partial<AddRow> = {}): AddRow => ({
  path,
  partitionValues: new Map(),
  size: 10n,
  modificationTime: 5n,
  dataChange: true,
  stats: '{"numRecords":1}',
  ...extra,
});

describe('a checkpoint’s add actions', () => {
  it('read ASCII and non-ASCII paths, partition values and statistics exactly, skipping null rows', async () => {
    const root = await tableWithCheckpoint(
      [
        row('p=a/part-0.parquet', { partitionValues: new Map([['p', 'a']]) }),
        null,
        row('p=%C3%BC/t%C3%A9st-😀.parquet', {
          partitionValues: new Map([['p', 'ü']]),
          stats: '{"numRecords":2,"minValues":{"p":"é"}}',
        }),
        row('p=a/part-1.parquet', { partitionValues: new Map([['p', null]]), stats: null, size: 7n }),
      ],
      ['p'],
    );
    const snapshot = await (await openTable(root)).snapshot();
    const files = [...snapshot.files()].sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(snapshot.version).toBe(3);
    expect(
      files.map((f) => ({ path: f.path, pv: { ...f.partitionValues }, size: f.size, stats: f.stats ?? null })),
    ).toEqual([
      {
        path: 'p=%C3%BC/t%C3%A9st-😀.parquet',
        pv: { p: 'ü' },
        size: 10,
        stats: { numRecords: 2, minValues: { p: 'é' } },
      },
      { path: 'p=a/part-0.parquet', pv: { p: 'a' }, size: 10, stats: { numRecords: 1 } },
      { path: 'p=a/part-1.parquet', pv: { p: null }, size: 7, stats: null },
    ]);
  });

  it('of an unpartitioned table have empty partition values that cannot be changed through one file', async () => {
    const root = await tableWithCheckpoint([row('a.parquet'), row('b.parquet')]);
    const files = (await (await openTable(root)).snapshot()).files();
    expect(files.map((f) => f.partitionValues)).toEqual([{}, {}]);
    // Shared between files: a write through one would show in every other; it must fail loudly instead.
    expect(() => {
      (files[0]?.partitionValues as Record<string, string>).p = 'x';
    }).toThrow(TypeError);
    expect(files[1]?.partitionValues).toEqual({});
  });

  it('a row whose size is not a byte count makes the checkpoint unreadable, naming it and the row', async () => {
    const root = await tableWithCheckpoint([row('a.parquet'), row('b.parquet', { size: -1n })]);
    const error = await (await openTable(root)).snapshot().catch((e: unknown) => e);
    // No commits stand behind the checkpoint, so the reader cannot fall back: it names the broken file and why.
    expect(error).toMatchObject({
      code: 'log-incomplete',
      path: '_delta_log/00000000000000000003.checkpoint.parquet',
      cause: {
        code: 'invalid-log',
        message: expect.stringContaining('b.parquet: size must be a whole number of bytes'),
        path: '_delta_log/00000000000000000003.checkpoint.parquet row 3',
      },
    });
  });
});

describe('the plain reader of a string column', () => {
  const encoder = new TextEncoder();
  /** A Utf8 Data over raw bytes (valid UTF-8 or not), values given as byte arrays. */
  function utf8Data(values: Uint8Array[]): Data<Utf8> {
    const offsets = new Int32Array(values.length + 1);
    for (let i = 0; i < values.length; i++) offsets[i + 1] = (offsets[i] as number) + (values[i] as Uint8Array).length;
    const data = new Uint8Array(offsets[values.length] as number);
    values.forEach((v, i) => {
      data.set(v, offsets[i]);
    });
    return makeData({ type: new Utf8(), length: values.length, valueOffsets: offsets, data, nullCount: 0 });
  }
  const lenient = new TextDecoder();

  it.each([
    ['ASCII only', [encoder.encode('abc'), encoder.encode(''), encoder.encode('{"numRecords":1}')]],
    ['two- to four-byte characters', [encoder.encode('é'), encoder.encode('x€y'), encoder.encode('😀z')]],
    ['bytes that are not UTF-8', [encoder.encode('ok'), new Uint8Array([0x61, 0xff, 0x62]), new Uint8Array([0xc3])]],
    ['a lone continuation byte per value', [new Uint8Array([0x80]), new Uint8Array([0x41])]],
  ])('decodes each value as a per-value UTF-8 decode would: %s', (_name, values) => {
    const read = plainReader(utf8Data(values));
    expect(values.map((_, i) => read(i))).toEqual(values.map((v) => lenient.decode(v)));
  });

  it('decodes a slice of a chunk (offsets not starting at 0)', () => {
    const data = utf8Data(['aa', 'bé', 'cc', 'dd'].map((s) => encoder.encode(s))).slice(1, 2);
    const read = plainReader(data);
    expect([read(0), read(1)]).toEqual(['bé', 'cc']);
    const ascii = plainReader(utf8Data(['aa', 'bb', 'cc'].map((s) => encoder.encode(s))).slice(1, 2));
    expect([ascii(0), ascii(1)]).toEqual(['bb', 'cc']);
  });
});
