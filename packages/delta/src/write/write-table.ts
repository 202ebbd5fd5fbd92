import { randomUUID } from 'node:crypto';
import type { Table } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import type { Action, AddAction, MetadataAction } from '../log/actions.ts';
import type { DeltaFile } from '../log/files.ts';
import { readerFeaturesOf } from '../protocol/features.ts';
import {
  assertWritable,
  assertWritableMetadata,
  featuresNeeded,
  isAppendOnly,
  upgradeProtocol,
  writesInCommitTimestamps,
} from '../protocol/writer-features.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { openTable } from '../snapshot/table.ts';
import { openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import { afterCommit, nextInCommitTimestamp } from './after-commit.ts';
import { checkWriteOptions } from './check-options.ts';
import { assignColumnMapping, needsColumnMapping } from './column-mapping.ts';
import { type CommitIsolation, commit } from './commit.ts';
import { checkNullability, conformToTable, mismatch } from './conform-data.ts';
import { enforceRowRules, rowRules } from './constraints.ts';
import { writeDataFiles } from './data-files.ts';
import type { WriteOptions } from './options.ts';

// Where the options were declared before options.ts; tests and callers import them from here too.
export type { WriteMode, WriteOptions } from './options.ts';

import { planReplaceWhere } from './replace-where.ts';
import { deltaSchemaOf, sameDeltaType, schemaString, usesTimestampNtz } from './schema.ts';
import type { LeftoverCleanUp } from './vacuum.ts';

/** What {@link writeTable} committed. */
export interface WriteResult {
  /** The table version the commit created. */
  readonly version: number;
  /** The add actions of the commit. */
  readonly added: readonly AddAction[];
  /** Files the commit removed (overwrite). */
  readonly removed: number;
  readonly rows: number;
  /** How many versions were tried: more than 1 when other writers committed first. */
  readonly attempts: number;
  /** True when the write was skipped because the table already holds its `txn` (nothing was committed). */
  readonly skipped: boolean;
  /** The version of the checkpoint written after the commit, when the commit reached the table's interval. */
  readonly checkpoint?: number;
  /** What the clean-up after the checkpoint deleted, or why it stopped (`error`); absent when none ran. */
  readonly cleanUp?: LeftoverCleanUp;
}

/**
 * How one replicated source version lands in the target (replicate.ts, not public): the data is written piece by
 * piece, each piece to its own files carrying its tags (the source file it copies), and the target files `plan` picks
 * from the snapshot the commit is made against are removed, or added again with new tags, in the same commit.
 */
export interface ReplicaCommit {
  /** Consecutive row ranges of the data, in order, each written to its own files with these tags. */
  readonly pieces: readonly { readonly rows: number; readonly tags: Readonly<Record<string, string>> }[];
  /** The target files this commit removes, and those it adds again unchanged but for their tags. */
  readonly plan: (existing: Snapshot | undefined) => {
    readonly removes: readonly DeltaFile[];
    readonly readds: readonly AddAction[];
  };
  /** False when the source version only rearranged rows (optimize): PROTOCOL.md "Add File and Remove File". */
  readonly dataChange: boolean;
  /** commitInfo.operation of the target commit. */
  readonly operation: string;
}

const NOT_A_TABLE = new Set(['not-a-table', 'empty-log']);

async function currentSnapshot(storage: Storage): Promise<Snapshot | undefined> {
  try {
    return await (await openTable(storage)).snapshot();
  } catch (error) {
    if (error instanceof DeltaError && NOT_A_TABLE.has(error.code)) return undefined;
    throw error;
  }
}

/**
 * Writes an Arrow table as a Delta table version: parquet data files first (zstd by default, with
 * per-file statistics), then one commit file made with putIfAbsent, so a writer that dies early
 * leaves only unreferenced data files and never a partial version. Concurrent appends retry at
 * the next version; conflicting concurrent changes are refused with `commit-conflict`.
 *
 * ```ts
 * await writeTable('file:///data/orders', orders, { mode: 'create', partitionBy: ['order_date'] });
 * ```
 */
export async function writeTable(
  target: string | Storage,
  data: Table,
  options: WriteOptions,
  replica?: ReplicaCommit,
): Promise<WriteResult> {
  checkWriteOptions(options);
  const storage = typeof target === 'string' ? openStorage(target, options) : target;
  try {
    return await writeVersion(storage, data, options, false, replica);
  } catch (error) {
    if (!(error instanceof LostCreate)) throw error;
    if (options.mode === 'create') {
      throw new DeltaError('table-exists', `another writer created the table at ${storage.uri} first`, {
        path: storage.uri,
        hint: "nothing of this write was committed (its data files were removed); write with mode 'append' to add the rows to that table",
        cause: error.cause,
      });
    }
  }
  // Several writers appended to (or overwrote) a table that did not exist yet and another one made it
  // first: this write becomes an append (or overwrite) of the table that writer made, under the same
  // checks as any write to an existing table, so an incompatible schema or partitioning is refused.
  try {
    const result = await writeVersion(storage, data, options, true, replica);
    return { ...result, attempts: result.attempts + 1 };
  } catch (error) {
    if (!(error instanceof DeltaError)) throw error;
    throw new DeltaError(
      error.code,
      `another writer created ${storage.uri} first and this ${options.mode} cannot join that table: ${error.message}`,
      {
        ...(error.path !== undefined ? { path: error.path } : {}),
        ...(error.hint !== undefined ? { hint: error.hint } : {}),
        cause: error,
      },
    );
  }
}

/** A 'rewrite' commit's check: another writer removed a file this commit removes or re-adds (a lost update). */
function removedMeanwhile(paths: readonly string[]): (actions: readonly Action[]) => string | undefined {
  const mine = new Set(paths);
  return (actions) => {
    const hit = actions.find((a) => a.type === 'remove' && mine.has(a.remove.path));
    return hit?.type === 'remove' ? `it removed ${hit.remove.path}, which this commit replaces` : undefined;
  };
}

/** Thrown by {@link writeVersion} when another writer committed version 0 of a table this write meant to make. */
class LostCreate extends Error {}

/**
 * One attempt at writing a version against the table as it is now. `joining`: the table was made by another
 * writer while this write was creating it, so properties this write asked for are accepted when the table
 * already has them.
 */
async function writeVersion(
  storage: Storage,
  data: Table,
  options: WriteOptions,
  joining: boolean,
  replica?: ReplicaCommit,
): Promise<WriteResult> {
  const existing = await currentSnapshot(storage);
  if (existing) assertWritable(existing.protocol, storage.uri);
  if (existing && options.mode === 'create') {
    throw new DeltaError(
      'table-exists',
      `a Delta table already exists at ${storage.uri} (version ${existing.version})`,
      {
        path: storage.uri,
        hint: "write with mode: 'append' or mode: 'overwrite', or choose another location",
      },
    );
  }
  if (existing && options.mode === 'overwrite' && isAppendOnly(existing.protocol, existing.configuration)) {
    // PROTOCOL.md "Append-only Tables": no data may be removed while delta.appendOnly is true.
    throw new DeltaError(
      'append-only',
      `${storage.uri} is append-only (delta.appendOnly=true): an overwrite would remove its rows`,
      {
        path: storage.uri,
        hint: "write with mode: 'append', or unset delta.appendOnly with the engine that set it",
      },
    );
  }
  const txn = options.txn;
  const done = txn === undefined ? undefined : existing?.txns().get(txn.appId);
  if (existing && txn && done !== undefined && done >= txn.version) {
    return { version: existing.version, added: [], removed: 0, rows: 0, attempts: 0, skipped: true };
  }
  let schema = deltaSchemaOf(data.schema);
  let partitionBy = options.partitionBy ?? [];
  const replacing = existing === undefined || options.mode === 'overwrite';
  if (existing && (options.mode === 'append' || options.overwriteSchema !== true)) {
    // Appends, and overwrites not asked to change the schema, keep the table's columns and partitioning.
    ({ data, schema } = conformToTable(storage, data, schema, existing.schema, options.mergeSchema === true));
    if (
      options.partitionBy !== undefined &&
      JSON.stringify(options.partitionBy) !== JSON.stringify(existing.partitionColumns)
    ) {
      throw mismatch(
        storage,
        `the table is partitioned by [${existing.partitionColumns.join(', ')}], not [${options.partitionBy.join(', ')}]`,
        `leave partitionBy out to keep the table's partitioning, or write with ${options.mode === 'overwrite' ? '' : "mode: 'overwrite' and "}overwriteSchema: true to change it`,
      );
    }
    partitionBy = existing.partitionColumns;
  } else if (existing && sameDeltaType(schema, existing.schema)) {
    // The same columns: keep the table's fields, with their column-mapping ids and invariants.
    schema = existing.schema;
  }
  for (const column of partitionBy) {
    if (!schema.fields.some((f) => f.name === column)) {
      throw new DeltaError('unknown-column', `partition column ${column} is not a column of the data`, {
        path: storage.uri,
        hint: `partition by some of: ${schema.fields.map((f) => f.name).join(', ')}`,
      });
    }
  }
  if (partitionBy.length > 0 && partitionBy.length === schema.fields.length) {
    throw new DeltaError(
      'unsupported-write',
      'every column is a partition column; a data file needs at least one other',
      {
        path: storage.uri,
        hint: 'partition by fewer columns',
      },
    );
  }
  checkNullability(storage, data, schema);
  if (
    existing &&
    !replacing &&
    options.configuration !== undefined &&
    (!joining || Object.entries(options.configuration).some(([k, v]) => existing.metadata.configuration[k] !== v))
  ) {
    throw new DeltaError('unsupported-write', 'table properties are set by a create or an overwrite, not an append', {
      path: storage.uri,
      hint: "leave configuration out of the append, or set it with mode: 'overwrite'",
    });
  }
  // The table's properties and protocol after this write: a property that needs a feature upgrades
  // the protocol in the same commit (PROTOCOL.md "Table Features": enablement needs the feature).
  const configuration: Record<string, string> = replacing
    ? { ...(existing?.metadata.configuration ?? {}), ...(options.configuration ?? {}) }
    : { ...(existing?.metadata.configuration ?? {}) };
  let protocol = existing?.protocol ?? { minReaderVersion: 1, minWriterVersion: 2 };
  if (replacing) {
    const needed = featuresNeeded(configuration, storage.uri);
    if (usesTimestampNtz(schema)) needed.push({ feature: 'timestampNtz', reader: true });
    protocol = upgradeProtocol(existing?.protocol, needed);
  }
  const mode = configuration['delta.columnMapping.mode'];
  const mapped = readerFeaturesOf(protocol).includes('columnMapping') && (mode === 'name' || mode === 'id');
  if (mapped && needsColumnMapping(schema)) {
    const assigned = assignColumnMapping(schema, Number(configuration['delta.columnMapping.maxColumnId'] ?? 0) || 0);
    schema = assigned.schema;
    configuration['delta.columnMapping.maxColumnId'] = String(assigned.maxColumnId);
  }
  assertWritableMetadata(protocol, schema, storage.uri);
  enforceRowRules(rowRules(protocol, configuration, schema), data, schema, storage.uri);

  const replacement =
    existing && options.replaceWhere !== undefined
      ? await planReplaceWhere(existing, options.replaceWhere, data)
      : undefined;
  const layout = {
    schema,
    partitionBy,
    columnMapping: mapped,
    compression: options.compression ?? 'zstd',
    maxRowsPerFile: options.maxRowsPerFile ?? 1 << 20,
    rowGroupRows: options.rowGroupRows ?? 1 << 16,
    encoder: options.encoder,
    onFile: options.onProgress,
  } as const;
  const added: AddAction[] = [];
  if (replica) {
    // One piece at a time, so every file holds the rows of one source file and carries its tags.
    let offset = 0;
    for (const piece of replica.pieces) {
      const slice = data.slice(offset, offset + piece.rows);
      offset += piece.rows;
      if (piece.rows === 0) continue;
      for (const add of await writeDataFiles(storage, [slice], layout)) {
        added.push({ ...add, dataChange: replica.dataChange, tags: { ...(add.tags ?? {}), ...piece.tags } });
      }
    }
  } else {
    added.push(...(await writeDataFiles(storage, [data, ...(replacement?.kept ?? [])], layout)));
  }
  const planned = replica?.plan(existing) ?? { removes: [], readds: [] };

  const now = Date.now();
  // The table's metadata after the write: what the table had (name, description, format, creation
  // time kept) with this write's schema, partitioning and properties.
  const metadata: MetadataAction = {
    ...(existing?.metadata ?? { format: { provider: 'parquet', options: {} } }),
    id: existing?.metadata.id ?? randomUUID(),
    ...(replacing && options.name !== undefined ? { name: options.name } : {}),
    ...(replacing && options.description !== undefined ? { description: options.description } : {}),
    // An unchanged schema keeps the table's own text, so no append rewrites another engine's metadata.
    schemaString: existing && schema === existing.schema ? existing.metadata.schemaString : schemaString(schema),
    partitionColumns: [...partitionBy],
    configuration,
    createdTime: existing?.metadata.createdTime ?? now,
  };
  const metadataChanged =
    existing === undefined ||
    (replacing && (options.name !== undefined || options.description !== undefined)) ||
    metadata.schemaString !== existing.metadata.schemaString ||
    JSON.stringify(metadata.partitionColumns) !== JSON.stringify(existing.partitionColumns) ||
    JSON.stringify(metadata.configuration) !== JSON.stringify(existing.metadata.configuration);
  const protocolChanged = existing === undefined || JSON.stringify(protocol) !== JSON.stringify(existing.protocol);
  const inCommitTimestamps = writesInCommitTimestamps(protocol, configuration);
  const enablesInCommitTimestamps =
    inCommitTimestamps &&
    existing !== undefined &&
    !writesInCommitTimestamps(existing.protocol, existing.configuration);
  const removes = replacement
    ? replacement.removes
    : options.mode === 'overwrite' && existing
      ? existing.files()
      : planned.removes;
  const replaces = planned.removes.length > 0 || planned.readds.length > 0;
  const isolation: CommitIsolation =
    existing === undefined ? 'create' : replaces ? 'rewrite' : options.mode === 'append' ? 'append' : 'serializable';
  const operation =
    replica?.operation ??
    (existing === undefined ? (options.mode === 'create' ? 'CREATE TABLE AS SELECT' : 'WRITE') : 'WRITE');
  const dataChange = replica?.dataChange ?? true;
  const lines = async (version: number): Promise<Uint8Array> => {
    // PROTOCOL.md "Writer Requirements for In-Commit Timestamps": commitInfo is the first action and
    // its inCommitTimestamp is later than the previous commit's.
    const inCommitTimestamp = inCommitTimestamps
      ? await nextInCommitTimestamp(storage, existing, version, now)
      : undefined;
    const actions: unknown[] = [
      {
        commitInfo: {
          ...(inCommitTimestamp !== undefined ? { inCommitTimestamp } : {}),
          timestamp: now,
          operation,
          operationParameters: {
            mode: options.mode === 'overwrite' ? 'Overwrite' : options.mode === 'append' ? 'Append' : 'ErrorIfExists',
            partitionBy: JSON.stringify(partitionBy),
            ...(options.replaceWhere !== undefined ? { predicate: JSON.stringify([options.replaceWhere]) } : {}),
          },
          readVersion: existing?.version ?? -1,
          isBlindAppend: options.mode !== 'overwrite' && !replaces,
          engineInfo: 'meridian-delta/0.1.0',
        },
      },
    ];
    if (protocolChanged) actions.push({ protocol });
    if (metadataChanged) {
      const enablement =
        enablesInCommitTimestamps && inCommitTimestamp !== undefined
          ? {
              'delta.inCommitTimestampEnablementVersion': String(version),
              'delta.inCommitTimestampEnablementTimestamp': String(inCommitTimestamp),
            }
          : {};
      actions.push({ metaData: { ...metadata, configuration: { ...metadata.configuration, ...enablement } } });
    }
    if (txn) actions.push({ txn: { appId: txn.appId, version: txn.version, lastUpdated: now } });
    for (const file of removes) {
      actions.push({
        remove: {
          path: file.path,
          deletionTimestamp: now,
          dataChange,
          extendedFileMetadata: true,
          partitionValues: file.partitionValues,
          size: file.size,
          // PROTOCOL.md "Deletion Vectors": a remove names the logical file, path and deletion vector.
          ...(file.deletionVector ? { deletionVector: file.deletionVector } : {}),
        },
      });
    }
    for (const add of added) actions.push({ add });
    for (const add of planned.readds) actions.push({ add: { ...add, dataChange: false } });
    return new TextEncoder().encode(`${actions.map((a) => JSON.stringify(a)).join('\n')}\n`);
  };
  let committed: Awaited<ReturnType<typeof commit>>;
  try {
    committed = await commit(
      storage,
      existing?.version ?? -1,
      isolation,
      lines,
      options.maxCommitAttempts,
      txn,
      replaces
        ? removedMeanwhile([...planned.removes.map((f) => f.path), ...planned.readds.map((a) => a.path)])
        : undefined,
    );
  } catch (error) {
    if (!(isolation === 'create' && error instanceof DeltaError && error.code === 'table-exists')) throw error;
    // Another writer made the table first: the files written for our version 0 are referenced by no
    // commit, so they go now rather than waiting for a vacuum.
    await Promise.all(added.map((a) => storage.delete(decodeURI(a.path)).catch(() => undefined)));
    throw new LostCreate('another writer created the table first', { cause: error });
  }
  const { version, attempts, skipped } = committed;
  if (skipped) return { version, added: [], removed: 0, rows: 0, attempts, skipped: true };
  const { checkpoint: checkpointed, cleanUp } = await afterCommit(
    storage,
    configuration,
    version,
    options.cleanUpOnCheckpoint,
  );
  return {
    version,
    added,
    removed: removes.length,
    rows: data.numRows,
    attempts,
    skipped: false,
    ...(checkpointed !== undefined ? { checkpoint: checkpointed } : {}),
    ...(cleanUp !== undefined ? { cleanUp } : {}),
  };
}
