import { type Data, type Struct, type Table, Type } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { readParquetBytes } from '../parquet/wasm.ts';
import type { Storage } from '../storage/storage.ts';
import { type Action, addAction, parseCommit, readStatsParsedOnAccess, toAction } from './actions.ts';
import { type PlainReader, plainReader, validity } from './arrow-rows.ts';
import { type CheckpointFiles, LOG_DIR } from './log-files.ts';

// Converted only when a scan asks for statistics.
const LAZY: ReadonlySet<string> = new Set(['stats_parsed']);

const ACTION_COLUMNS = [
  'protocol',
  'metaData',
  'add',
  'remove',
  'txn',
  'domainMetadata',
  'sidecar',
  'checkpointMetadata',
];

type Row = Record<string, unknown> | null;

/** A reader of one named child of a struct chunk, or of nothing (every row undefined) when the writer left it out. */
function childReader(chunk: Data, name: string): PlainReader {
  const j = (chunk.type as Struct).children.findIndex((f) => f.name === name);
  const child = chunk.children[j];
  return child === undefined ? () => undefined : plainReader(child);
}

/** One shared, frozen object for the empty partition values of unpartitioned tables' adds (thousands per checkpoint). */
const NO_PARTITION_VALUES: Readonly<Record<string, string | null>> = Object.freeze({});

/** A reader of a `map<string, string>` child that hands out one shared frozen object for every empty map. */
function partitionValuesReader(chunk: Data): PlainReader {
  const j = (chunk.type as Struct).children.findIndex((f) => f.name === 'partitionValues');
  const child = chunk.children[j];
  if (child === undefined) return () => undefined;
  const read = plainReader(child);
  if (child.type.typeId !== Type.Map) return read;
  const isValid = validity(child);
  const offsets = child.valueOffsets;
  return (i) => (isValid(i) && offsets[i] === offsets[i + 1] ? NO_PARTITION_VALUES : read(i));
}

/**
 * The `add` actions of one chunk of a checkpoint's `add` column, appended to `out`. A checkpoint holds one add per
 * live file (thousands): each row's fields are read column by column into one reused scratch object and checked by
 * the same addAction a JSON commit's add goes through, so a row costs its AddAction and nothing else.
 * `stats_parsed` is converted on first access only (large, and only a scan's file skipping asks for it).
 */
function readAdds(chunk: Data, where: string, firstRow: number, out: Action[]): void {
  const isValid = validity(chunk);
  const path = childReader(chunk, 'path');
  const partitionValues = partitionValuesReader(chunk);
  const size = childReader(chunk, 'size');
  const modificationTime = childReader(chunk, 'modificationTime');
  const dataChange = childReader(chunk, 'dataChange');
  const stats = childReader(chunk, 'stats');
  const tags = childReader(chunk, 'tags');
  const deletionVector = childReader(chunk, 'deletionVector');
  const baseRowId = childReader(chunk, 'baseRowId');
  const defaultRowCommitVersion = childReader(chunk, 'defaultRowCommitVersion');
  const clusteringProvider = childReader(chunk, 'clusteringProvider');
  const j = (chunk.type as Struct).children.findIndex((f) => f.name === 'stats_parsed');
  const parsed = chunk.children[j];
  let readParsed: PlainReader | undefined;
  const row: Record<string, unknown> = {
    path: undefined,
    partitionValues: undefined,
    size: undefined,
    modificationTime: undefined,
    dataChange: undefined,
    stats: undefined,
    tags: undefined,
    deletionVector: undefined,
    baseRowId: undefined,
    defaultRowCommitVersion: undefined,
    clusteringProvider: undefined,
  };
  let i = 0;
  const at = () => `${where} row ${firstRow + i}`;
  for (; i < chunk.length; i++) {
    if (!isValid(i)) continue;
    const p = path(i);
    // Null structs some writers emit for absent actions: skip rows without a path.
    if (typeof p !== 'string') continue;
    row.path = p;
    row.partitionValues = partitionValues(i);
    row.size = size(i);
    row.modificationTime = modificationTime(i);
    row.dataChange = dataChange(i);
    row.stats = stats(i);
    row.tags = tags(i);
    row.deletionVector = deletionVector(i);
    row.baseRowId = baseRowId(i);
    row.defaultRowCommitVersion = defaultRowCommitVersion(i);
    row.clusteringProvider = clusteringProvider(i);
    const add = addAction(row, at);
    if (parsed !== undefined) {
      const k = i;
      readStatsParsedOnAccess(add, () => {
        readParsed ??= plainReader(parsed);
        return readParsed(k);
      });
    }
    out.push({ type: 'add', add });
  }
}

/** The rows of a `remove` column as objects of one fixed shape (toAction checks them). */
function removeRows(chunk: Data): (i: number) => Row {
  const isValid = validity(chunk);
  const path = childReader(chunk, 'path');
  const partitionValues = childReader(chunk, 'partitionValues');
  const size = childReader(chunk, 'size');
  const dataChange = childReader(chunk, 'dataChange');
  const tags = childReader(chunk, 'tags');
  const deletionVector = childReader(chunk, 'deletionVector');
  const deletionTimestamp = childReader(chunk, 'deletionTimestamp');
  const extendedFileMetadata = childReader(chunk, 'extendedFileMetadata');
  return (i) =>
    !isValid(i)
      ? null
      : {
          path: path(i),
          deletionTimestamp: deletionTimestamp(i),
          dataChange: dataChange(i),
          extendedFileMetadata: extendedFileMetadata(i),
          partitionValues: partitionValues(i),
          size: size(i),
          tags: tags(i),
          deletionVector: deletionVector(i),
        };
}

/** Reads the actions of an Arrow table whose top-level columns are action kinds (a checkpoint or sidecar). */
function actionsFromTable(table: Table, where: string): Action[] {
  const out: Action[] = [];
  for (const name of ACTION_COLUMNS) {
    const col = table.getChild(name);
    if (!col) continue;
    let row = 0;
    for (const chunk of col.data) {
      if (name === 'add' && chunk.type.typeId === Type.Struct) {
        readAdds(chunk, where, row, out);
        row += chunk.length;
        continue;
      }
      const read =
        name === 'remove' && chunk.type.typeId === Type.Struct ? removeRows(chunk) : plainReader(chunk, LAZY);
      for (let i = 0; i < chunk.length; i++, row++) {
        const v = read(i) as Record<string, unknown> | null;
        if (v === null) continue;
        // Null structs some writers emit for absent actions: skip rows without their key field.
        if ((name === 'add' || name === 'remove') && typeof v.path !== 'string') continue;
        if (name === 'protocol' && (v.minReaderVersion === null || v.minReaderVersion === undefined)) continue;
        if (name === 'metaData' && (v.id === null || v.id === undefined)) continue;
        if (name === 'txn' && typeof v.appId !== 'string') continue;
        if (name === 'domainMetadata' && typeof v.domain !== 'string') continue;
        const a = toAction({ [name]: v }, `${where} row ${row}`);
        if (a) out.push(a);
      }
    }
  }
  return out;
}

function sidecarKey(path: string): string {
  // PROTOCOL.md "Sidecar Files": they always live in _delta_log/_sidecars/; writers store the file name.
  const name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  return `${LOG_DIR}_sidecars/${name}`;
}

/**
 * Reads every action of one checkpoint: all parts of a classic or multi-part checkpoint, or a v2
 * checkpoint's top-level file (JSON or parquet) plus the sidecar files it names.
 */
export async function readCheckpoint(storage: Storage, cp: CheckpointFiles): Promise<Action[]> {
  let actions: Action[] = [];
  for (const file of cp.files) {
    const bytes = await storage.get(file.key);
    const read =
      cp.format === 'json'
        ? parseCommit(bytes, file.key)
        : actionsFromTable(await readParquetBytes(bytes, file.key), file.key);
    if (cp.files.length === 1) actions = read;
    else for (const a of read) actions.push(a);
  }
  const sidecars = actions.filter((a) => a.type === 'sidecar');
  if (sidecars.length === 0) return actions;
  const rest: Action[] = actions.filter((a) => a.type !== 'sidecar');
  for (const s of sidecars) {
    const key = sidecarKey(s.sidecar.path);
    let bytes: Uint8Array;
    try {
      bytes = await storage.get(key);
    } catch (cause) {
      throw new DeltaError(
        'log-incomplete',
        `the checkpoint at version ${cp.version} names a sidecar that is missing`,
        {
          path: key,
          hint: 'the v2 checkpoint is incomplete; the table cannot be read at this version',
          cause,
        },
      );
    }
    rest.push(...actionsFromTable(await readParquetBytes(bytes, key), key));
  }
  return rest;
}
