import { type Data, type Struct, type Table, Type } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { readParquetBytes } from '../parquet/wasm.ts';
import type { Storage } from '../storage/storage.ts';
import { type Action, parseCommit, toAction } from './actions.ts';
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

/**
 * The rows of an `add` or `remove` column as objects of one fixed shape. A checkpoint holds one add per live
 * file (thousands): objects built field by field under names known only at run time cost more than reading the
 * columns, so the two actions that come in thousands are read field by field by name; toAction still checks them.
 * `stats_parsed` is converted on first access only (large, and only a scan's file skipping asks for it).
 */
function fileActionRows(chunk: Data, name: 'add' | 'remove'): (i: number) => Row {
  const isValid = validity(chunk);
  const path = childReader(chunk, 'path');
  const partitionValues = childReader(chunk, 'partitionValues');
  const size = childReader(chunk, 'size');
  const dataChange = childReader(chunk, 'dataChange');
  const tags = childReader(chunk, 'tags');
  const deletionVector = childReader(chunk, 'deletionVector');
  if (name === 'remove') {
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
  const modificationTime = childReader(chunk, 'modificationTime');
  const stats = childReader(chunk, 'stats');
  const baseRowId = childReader(chunk, 'baseRowId');
  const defaultRowCommitVersion = childReader(chunk, 'defaultRowCommitVersion');
  const clusteringProvider = childReader(chunk, 'clusteringProvider');
  const j = (chunk.type as Struct).children.findIndex((f) => f.name === 'stats_parsed');
  const parsed = chunk.children[j];
  const row = (i: number) => ({
    path: path(i),
    partitionValues: partitionValues(i),
    size: size(i),
    modificationTime: modificationTime(i),
    dataChange: dataChange(i),
    stats: stats(i),
    tags: tags(i),
    deletionVector: deletionVector(i),
    baseRowId: baseRowId(i),
    defaultRowCommitVersion: defaultRowCommitVersion(i),
    clusteringProvider: clusteringProvider(i),
  });
  if (parsed === undefined) return (i) => (!isValid(i) ? null : row(i));
  let readParsed: PlainReader | undefined;
  return (i) => {
    if (!isValid(i)) return null;
    const o: Record<string, unknown> = row(i);
    Object.defineProperty(o, 'stats_parsed', {
      enumerable: true,
      get: () => {
        readParsed ??= plainReader(parsed);
        return readParsed(i);
      },
    });
    return o;
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
      const read =
        (name === 'add' || name === 'remove') && chunk.type.typeId === Type.Struct
          ? fileActionRows(chunk, name)
          : plainReader(chunk, LAZY);
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
  const actions: Action[] = [];
  for (const file of cp.files) {
    const bytes = await storage.get(file.key);
    if (cp.format === 'json') actions.push(...parseCommit(bytes, file.key));
    else actions.push(...actionsFromTable(await readParquetBytes(bytes, file.key), file.key));
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
