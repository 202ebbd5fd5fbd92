import { randomUUID } from 'node:crypto';
import {
  Bool,
  type DataType,
  Field,
  Int32,
  Int64,
  List,
  Map_,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import type { AddAction, DeletionVectorDescriptor, RemoveAction } from '../log/actions.ts';
import { LOG_DIR, versionKey } from '../log/log-files.ts';
import { writerFeaturesOf } from '../protocol/writer-features.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { type DeltaTable, openTable } from '../snapshot/table.ts';
import { openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import { encodeParquet } from './parquet.ts';
import { deletedFileRetentionMs } from './retention.ts';

// PROTOCOL.md "Checkpoint Schema": one struct column per action kind, one action per row.
const field = (name: string, type: DataType) => new Field(name, type, true);
const stringList = new List(field('element', new Utf8()));
const stringMap = new Map_(
  new Field(
    'key_value',
    new Struct([new Field('key', new Utf8(), false), field('value', new Utf8())]),
    false,
  ) as Field<never>,
);
const deletionVector = new Struct([
  field('storageType', new Utf8()),
  field('pathOrInlineDv', new Utf8()),
  field('offset', new Int32()),
  field('sizeInBytes', new Int32()),
  field('cardinality', new Int64()),
]);
const COLUMNS = {
  txn: new Struct([field('appId', new Utf8()), field('version', new Int64()), field('lastUpdated', new Int64())]),
  add: new Struct([
    field('path', new Utf8()),
    field('partitionValues', stringMap),
    field('size', new Int64()),
    field('modificationTime', new Int64()),
    field('dataChange', new Bool()),
    field('stats', new Utf8()),
    field('tags', stringMap),
    field('deletionVector', deletionVector),
    field('baseRowId', new Int64()),
    field('defaultRowCommitVersion', new Int64()),
    field('clusteringProvider', new Utf8()),
  ]),
  remove: new Struct([
    field('path', new Utf8()),
    field('deletionTimestamp', new Int64()),
    field('dataChange', new Bool()),
    field('extendedFileMetadata', new Bool()),
    field('partitionValues', stringMap),
    field('size', new Int64()),
    field('tags', stringMap),
    field('deletionVector', deletionVector),
  ]),
  metaData: new Struct([
    field('id', new Utf8()),
    field('name', new Utf8()),
    field('description', new Utf8()),
    field('format', new Struct([field('provider', new Utf8()), field('options', stringMap)])),
    field('schemaString', new Utf8()),
    field('partitionColumns', stringList),
    field('configuration', stringMap),
    field('createdTime', new Int64()),
  ]),
  protocol: new Struct([
    field('minReaderVersion', new Int32()),
    field('minWriterVersion', new Int32()),
    field('readerFeatures', stringList),
    field('writerFeatures', stringList),
  ]),
  domainMetadata: new Struct([
    field('domain', new Utf8()),
    field('configuration', new Utf8()),
    field('removed', new Bool()),
  ]),
};
type Column = keyof typeof COLUMNS;

const big = (n: number | null | undefined): bigint | null =>
  n === null || n === undefined || !Number.isFinite(n) ? null : BigInt(Math.trunc(n));
const map = (o: Readonly<Record<string, string | null>> | null | undefined) =>
  o === null || o === undefined ? null : new Map(Object.entries(o));
const dv = (d: DeletionVectorDescriptor | null | undefined) =>
  d ? { ...d, offset: d.offset ?? null, cardinality: BigInt(d.cardinality) } : null;

function addRow(a: AddAction): Record<string, unknown> {
  return {
    path: a.path,
    partitionValues: map(a.partitionValues),
    size: big(a.size),
    modificationTime: big(a.modificationTime),
    // PROTOCOL.md "Checkpoints": actions in a checkpoint carry dataChange = false.
    dataChange: false,
    // Statistics a checkpoint held only as stats_parsed are dropped rather than re-serialised by
    // guess: without them a file is never skipped, which is slower but never wrong.
    stats: a.stats ?? null,
    tags: map(a.tags),
    deletionVector: dv(a.deletionVector),
    baseRowId: big(a.baseRowId),
    defaultRowCommitVersion: big(a.defaultRowCommitVersion),
    clusteringProvider: a.clusteringProvider ?? null,
  };
}

function removeRow(r: RemoveAction): Record<string, unknown> {
  return {
    path: r.path,
    deletionTimestamp: big(r.deletionTimestamp),
    dataChange: false,
    extendedFileMetadata: r.extendedFileMetadata ?? null,
    partitionValues: map(r.partitionValues),
    size: big(r.size),
    tags: map(r.tags),
    deletionVector: dv(r.deletionVector),
  };
}

/** The rows of a classic checkpoint of `snapshot`, each a `{ column: action }` pair. */
function checkpointRows(snapshot: Snapshot): { column: Column; value: Record<string, unknown> }[] {
  const m = snapshot.metadata;
  const p = snapshot.protocol;
  const rows: { column: Column; value: Record<string, unknown> }[] = [
    {
      column: 'protocol',
      value: {
        minReaderVersion: p.minReaderVersion,
        minWriterVersion: p.minWriterVersion,
        readerFeatures: p.readerFeatures ? [...p.readerFeatures] : null,
        writerFeatures: p.writerFeatures ? [...p.writerFeatures] : null,
      },
    },
    {
      column: 'metaData',
      value: {
        id: m.id,
        name: m.name ?? null,
        description: m.description ?? null,
        format: { provider: m.format.provider, options: map(m.format.options ?? {}) },
        schemaString: m.schemaString,
        partitionColumns: [...m.partitionColumns],
        configuration: map(m.configuration),
        createdTime: big(m.createdTime),
      },
    },
  ];
  for (const [appId, version] of snapshot.txns())
    rows.push({ column: 'txn', value: { appId, version: BigInt(version), lastUpdated: null } });
  for (const d of snapshot.domainMetadata().values()) rows.push({ column: 'domainMetadata', value: { ...d } });
  for (const f of snapshot.files()) rows.push({ column: 'add', value: addRow(f.add) });
  // PROTOCOL.md "Checkpoints": tombstones stay until delta.deletedFileRetentionDuration has passed,
  // so VACUUM still knows what it may delete; older ones are dropped, as other engines do.
  const retention = deletedFileRetentionMs(snapshot.configuration);
  const cutoff = retention === undefined ? Number.NEGATIVE_INFINITY : Date.now() - retention;
  for (const r of snapshot.tombstones()) {
    if ((r.deletionTimestamp ?? Number.POSITIVE_INFINITY) >= cutoff)
      rows.push({ column: 'remove', value: removeRow(r) });
  }
  return rows;
}

/** What {@link checkpoint} wrote. */
export interface CheckpointResult {
  /** The version the checkpoint stands for. */
  readonly version: number;
  /** The checkpoint file's key, `_delta_log/<version>.checkpoint.parquet`. */
  readonly key: string;
  /** Actions (rows) in the checkpoint. */
  readonly actions: number;
  readonly sizeInBytes: number;
}

/**
 * Writes a checkpoint of the table at `version` (the latest by default), classic parquet, and points
 * `_last_checkpoint` at it (PROTOCOL.md "Checkpoints", "Last Checkpoint File"), so readers start
 * from it instead of replaying every commit (a v2 checkpoint for tables with the v2Checkpoint feature).
 *
 * ```ts
 * await checkpoint('s3://lake/events');
 * ```
 */
export async function checkpoint(
  target: string | Storage | DeltaTable,
  options: { readonly version?: number } = {},
): Promise<CheckpointResult> {
  const table =
    typeof target === 'string'
      ? await openTable(openStorage(target))
      : 'snapshot' in target
        ? target
        : await openTable(target);
  const snapshot = await table.snapshot(options.version === undefined ? {} : { version: options.version });
  return writeCheckpoint(snapshot);
}

/**
 * Writes the checkpoint of one snapshot (see {@link checkpoint}): a classic parquet checkpoint, or
 * for tables with the v2Checkpoint feature a v2 checkpoint (PROTOCOL.md "V2 Spec Checkpoints"): one
 * UUID-named JSON file led by checkpointMetadata, every action inline (no sidecars).
 */
export async function writeCheckpoint(snapshot: Snapshot): Promise<CheckpointResult> {
  const storage = snapshot.storage;
  const rows = checkpointRows(snapshot);
  const prefix = versionKey(snapshot.version);
  let key: string;
  let bytes: Uint8Array;
  if (writerFeaturesOf(snapshot.protocol).includes('v2Checkpoint')) {
    // PROTOCOL.md "V2 Checkpoint Table Feature": such tables take v2 spec checkpoints only.
    key = `${prefix}.checkpoint.${randomUUID()}.json`;
    const lines = [
      { checkpointMetadata: { version: snapshot.version } },
      ...rows.map((r) => ({ [r.column]: r.value })),
    ];
    bytes = new TextEncoder().encode(`${lines.map((l) => JSON.stringify(l, jsonValue)).join('\n')}\n`);
    // Named by a fresh UUID: nothing to replace, and a reader only sees the file once it is whole.
    if (!(await storage.putIfAbsent(key, bytes))) throw new Error(`v2 checkpoint ${key} already exists`);
  } else {
    const columns = Object.fromEntries(
      (Object.keys(COLUMNS) as Column[]).map((name) => [
        name,
        vectorFromArray(
          rows.map((r) => (r.column === name ? r.value : null)),
          COLUMNS[name],
        ),
      ]),
    );
    key = `${prefix}.checkpoint.parquet`;
    bytes = await encodeParquet(
      new Table(columns),
      { compression: 'snappy', rowGroupRows: 1 << 16 },
      'main-thread',
      key,
    );
    // A checkpoint of a version is the same whoever writes it, so replacing one is harmless.
    await storage.put(key, bytes);
  }
  const last = await readLastCheckpoint(storage);
  if (last === undefined || last < snapshot.version) {
    const numOfAddFiles = rows.filter((r) => r.column === 'add').length;
    const body = { version: snapshot.version, size: rows.length, sizeInBytes: bytes.length, numOfAddFiles };
    await storage.put(`${LOG_DIR}_last_checkpoint`, new TextEncoder().encode(JSON.stringify(body)));
  }
  return { version: snapshot.version, key, actions: rows.length, sizeInBytes: bytes.length };
}

/** JSON for checkpoint rows built for parquet: maps as objects, 64-bit integers as numbers. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}

async function readLastCheckpoint(storage: Storage): Promise<number | undefined> {
  try {
    const v = (
      JSON.parse(new TextDecoder().decode(await storage.get(`${LOG_DIR}_last_checkpoint`))) as { version?: unknown }
    ).version;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}
