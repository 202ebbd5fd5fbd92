/**
 * Writes a Delta table whose log has many commits and one classic parquet checkpoint near the end
 * (PROTOCOL.md "Checkpoints"): the shape of a long-lived streaming table, for timing how long opening it takes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Bool, Field, Int32, Int64, List, Map_, Struct, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import * as parquet from 'parquet-wasm';

const schemaString = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: false, metadata: {} },
    { name: 'value', type: 'string', nullable: true, metadata: {} },
  ],
});

const protocol = { minReaderVersion: 1, minWriterVersion: 2 };
const metaData = {
  id: '0f8e8a3c-8a52-4b0e-9d6f-3c1d2b4a5e60',
  format: { provider: 'parquet', options: {} },
  schemaString,
  partitionColumns: [] as string[],
  configuration: {} as Record<string, string>,
  createdTime: 1_704_067_200_000,
};

function addAction(version: number) {
  return {
    path: `part-${String(version).padStart(6, '0')}.parquet`,
    partitionValues: {} as Record<string, string>,
    size: 1000 + version,
    modificationTime: 1_704_067_200_000 + version * 1000,
    dataChange: true,
    stats: `{"numRecords":10,"minValues":{"id":${version * 10}},"maxValues":{"id":${version * 10 + 9}},"nullCount":{"id":0}}`,
  };
}

/** Every tenth commit removes the file the commit five versions earlier added, so replay has work to do. */
function removedAt(version: number): number | undefined {
  return version % 10 === 0 && version >= 5 ? version - 5 : undefined;
}

const stringMap = () =>
  new Map_(
    new Field(
      'key_value',
      new Struct<{ key: Utf8; value: Utf8 }>([
        new Field('key', new Utf8(), false),
        new Field('value', new Utf8(), true),
      ]),
      false,
    ),
  );

function checkpointTable(live: number[]): Table {
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
  const adds = [
    null,
    null,
    ...live.map((v) => {
      const a = addAction(v);
      return { ...a, partitionValues: new Map(), size: BigInt(a.size), modificationTime: BigInt(a.modificationTime) };
    }),
  ];
  const metas = [
    null,
    {
      ...metaData,
      format: { provider: 'parquet', options: new Map() },
      configuration: new Map(),
      createdTime: BigInt(metaData.createdTime),
    },
    ...live.map(() => null),
  ];
  const protocols = [protocol, null, ...live.map(() => null)];
  return new Table({
    protocol: vectorFromArray(protocols, protocolType),
    metaData: vectorFromArray(metas as never[], metaType),
    add: vectorFromArray(adds as never[], addType),
  });
}

/** Writes a table of `commits` commits with a checkpoint at `checkpointAt` (cached by a marker file). */
export async function writeLogTable(dir: string, commits: number, checkpointAt: number): Promise<void> {
  const marker = join(dir, 'generator.json');
  const options = JSON.stringify({ commits, checkpointAt });
  try {
    if ((await readFile(marker, 'utf8')) === options) return;
  } catch {
    // not generated yet
  }
  const log = join(dir, '_delta_log');
  await mkdir(log, { recursive: true });
  const live = new Set<number>();
  for (let version = 0; version < commits; version++) {
    const lines: unknown[] = [{ commitInfo: { timestamp: 1_704_067_200_000 + version * 1000, operation: 'WRITE' } }];
    if (version === 0) lines.push({ protocol }, { metaData });
    lines.push({ add: addAction(version) });
    live.add(version);
    const removed = removedAt(version);
    if (removed !== undefined) {
      lines.push({
        remove: {
          path: addAction(removed).path,
          deletionTimestamp: 1_704_067_200_000 + version * 1000,
          dataChange: true,
        },
      });
      live.delete(removed);
    }
    await writeFile(
      join(log, `${String(version).padStart(20, '0')}.json`),
      `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
    );
    if (version === checkpointAt) {
      const table = checkpointTable([...live].sort((a, b) => a - b));
      const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')));
      await writeFile(join(log, `${String(version).padStart(20, '0')}.checkpoint.parquet`), bytes);
      await writeFile(join(log, '_last_checkpoint'), JSON.stringify({ version, size: table.numRows }));
    }
  }
  await writeFile(marker, options);
}
