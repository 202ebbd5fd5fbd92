import type { Table } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { readParquetBytes } from '../parquet/wasm.ts';
import type { Storage } from '../storage/storage.ts';
import { type Action, parseCommit, toAction } from './actions.ts';
import { plainReader } from './arrow-rows.ts';
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

/** Reads the actions of an Arrow table whose top-level columns are action kinds (a checkpoint or sidecar). */
function actionsFromTable(table: Table, where: string): Action[] {
  const out: Action[] = [];
  for (const name of ACTION_COLUMNS) {
    const col = table.getChild(name);
    if (!col) continue;
    let row = 0;
    for (const chunk of col.data) {
      const read = plainReader(chunk, LAZY);
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
