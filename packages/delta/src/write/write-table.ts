import { randomUUID } from 'node:crypto';
import { Schema, Table } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import type { AddAction, MetadataAction, ProtocolAction } from '../log/actions.ts';
import type { DeltaSchema } from '../schema/types.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { openTable } from '../snapshot/table.ts';
import { type OpenStorageOptions, openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import { checkWriteOptions } from './check-options.ts';
import { type CommitIsolation, commit } from './commit.ts';
import { fileStats } from './file-stats.ts';
import { compressionSuffix, encodeParquet, type WriteCompression } from './parquet.ts';
import { partitionDirectory, splitPartitions } from './partition.ts';
import { deltaSchemaOf, sameDeltaType, schemaString, usesTimestampNtz } from './schema.ts';

/** How a write treats an existing table. */
export type WriteMode =
  /** Make a new table; refused when one exists. */
  | 'create'
  /** Add rows to the table (made when absent); the schema must match. */
  | 'append'
  /** Replace every row (the table is made when absent); a new schema or partitioning replaces the old. */
  | 'overwrite';

/** Options of {@link writeTable}. */
export interface WriteOptions extends OpenStorageOptions {
  readonly mode: WriteMode;
  /** Partition columns of a new table; an existing table keeps its own, and must be given the same or none. */
  readonly partitionBy?: readonly string[];
  /** Parquet codec of the data files; zstd by default. */
  readonly compression?: WriteCompression;
  /** Rows per parquet row group (64 Ki by default). */
  readonly rowGroupRows?: number;
  /** Rows per data file at most (1 Mi by default); a partition with more is split into several files. */
  readonly maxRowsPerFile?: number;
  /** Table name and description recorded in a new table's metadata. */
  readonly name?: string;
  readonly description?: string;
  /** Table properties (`metaData.configuration`) of a new table. */
  readonly configuration?: Readonly<Record<string, string>>;
  /** Commit attempts before giving up when other writers keep taking the next version (100). */
  readonly maxCommitAttempts?: number;
}

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
}

const NOT_A_TABLE = new Set(['not-a-table', 'empty-log']);
const PARALLEL_UPLOADS = 4;

async function currentSnapshot(storage: Storage): Promise<Snapshot | undefined> {
  try {
    return await (await openTable(storage)).snapshot();
  } catch (error) {
    if (error instanceof DeltaError && NOT_A_TABLE.has(error.code)) return undefined;
    throw error;
  }
}

function mismatch(storage: Storage, message: string, hint: string): DeltaError {
  return new DeltaError('schema-mismatch', message, { path: storage.uri, hint });
}

/** Reorders the data's columns to the table's order after checking names, types and nullability. */
function conformToTable(storage: Storage, data: Table, dataSchema: DeltaSchema, table: DeltaSchema): Table {
  const names = dataSchema.fields.map((f) => f.name);
  const missing = table.fields.filter((f) => !names.includes(f.name)).map((f) => f.name);
  const extra = names.filter((n) => !table.fields.some((f) => f.name === n));
  if (missing.length > 0 || extra.length > 0) {
    throw mismatch(
      storage,
      `the data's columns differ from the table's${missing.length ? `; missing: ${missing.join(', ')}` : ''}${extra.length ? `; not in the table: ${extra.join(', ')}` : ''}`,
      `give exactly the table's columns (${table.fields.map((f) => f.name).join(', ')}), or write with mode 'overwrite' to replace the schema`,
    );
  }
  for (const field of table.fields) {
    const given = dataSchema.fields.find((f) => f.name === field.name);
    if (given && !sameDeltaType(given.type, field.type)) {
      throw mismatch(
        storage,
        `column ${field.name} is ${JSON.stringify(schemaString({ kind: 'struct', fields: [given] }))} in the data but the table holds ${JSON.stringify(schemaString({ kind: 'struct', fields: [field] }))}`,
        `cast ${field.name} to the table's type before writing`,
      );
    }
  }
  return data.select(table.fields.map((f) => f.name));
}

function checkNullability(storage: Storage, data: Table, schema: DeltaSchema): void {
  for (const field of schema.fields) {
    if (!field.nullable && (data.getChild(field.name)?.nullCount ?? 0) > 0) {
      throw mismatch(
        storage,
        `column ${field.name} is not nullable but the data holds nulls`,
        `fill or drop the null ${field.name} rows`,
      );
    }
  }
}

function protocolFor(schema: DeltaSchema): ProtocolAction {
  // PROTOCOL.md "Timestamp without timezone": the timestampNtz feature needs table features (3, 7).
  if (usesTimestampNtz(schema)) {
    return {
      minReaderVersion: 3,
      minWriterVersion: 7,
      readerFeatures: ['timestampNtz'],
      writerFeatures: ['timestampNtz'],
    };
  }
  return { minReaderVersion: 1, minWriterVersion: 2 };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
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
export async function writeTable(target: string | Storage, data: Table, options: WriteOptions): Promise<WriteResult> {
  checkWriteOptions(options);
  const storage = typeof target === 'string' ? openStorage(target, options) : target;
  const existing = await currentSnapshot(storage);
  if (existing && options.mode === 'create') {
    throw new DeltaError(
      'table-exists',
      `a Delta table already exists at ${storage.uri} (version ${existing.version})`,
      {
        path: storage.uri,
        hint: "write with mode 'append' or 'overwrite', or choose another location",
      },
    );
  }
  let schema = deltaSchemaOf(data.schema);
  let partitionBy = options.partitionBy ?? [];
  const replacing = existing === undefined || options.mode === 'overwrite';
  if (existing && options.mode === 'append') {
    data = conformToTable(storage, data, schema, existing.schema);
    schema = existing.schema;
    if (
      options.partitionBy !== undefined &&
      JSON.stringify(options.partitionBy) !== JSON.stringify(existing.partitionColumns)
    ) {
      throw mismatch(
        storage,
        `the table is partitioned by [${existing.partitionColumns.join(', ')}], not [${options.partitionBy.join(', ')}]`,
        'leave partitionBy out when appending, or overwrite to change the partitioning',
      );
    }
    partitionBy = existing.partitionColumns;
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

  const compression = options.compression ?? 'zstd';
  const maxRows = options.maxRowsPerFile ?? 1 << 20;
  const rowGroupRows = options.rowGroupRows ?? 1 << 16;
  const jobs: { dir: string; values: Readonly<Record<string, string | null>>; table: Table }[] = [];
  for (const part of splitPartitions(data, schema.fields, partitionBy)) {
    const dir = partitionDirectory(partitionBy, part.values);
    for (let start = 0; start < part.table.numRows; start += maxRows) {
      jobs.push({
        dir,
        values: part.values,
        table: part.table.slice(start, Math.min(start + maxRows, part.table.numRows)),
      });
    }
  }
  const dataFields = schema.fields.filter((f) => !partitionBy.includes(f.name));
  const writeId = randomUUID();
  const added = await mapLimit(
    jobs.map((job, i) => ({ job, i })),
    PARALLEL_UPLOADS,
    async ({ job, i }): Promise<AddAction> => {
      // Rebuilt on the data schema so the parquet file carries exactly the data columns, in order.
      const fileTable = new Table(new Schema(job.table.schema.fields), job.table.batches);
      const bytes = await encodeParquet(fileTable, compression, rowGroupRows);
      const name = `part-${String(i).padStart(5, '0')}-${writeId}-c000${compressionSuffix[compression]}.parquet`;
      const key = job.dir === '' ? name : `${job.dir}/${name}`;
      await storage.put(key, bytes);
      return {
        // The log holds a URI: the key percent-encoded (Hive already escaped the partition values).
        path: encodeURI(key),
        partitionValues: job.values,
        size: bytes.length,
        modificationTime: Date.now(),
        dataChange: true,
        stats: JSON.stringify(fileStats(fileTable, dataFields)),
      };
    },
  );

  const now = Date.now();
  const metadata: MetadataAction | undefined = replacing
    ? {
        id: existing?.metadata.id ?? randomUUID(),
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.description !== undefined ? { description: options.description } : {}),
        format: { provider: 'parquet', options: {} },
        schemaString: schemaString(schema),
        partitionColumns: [...partitionBy],
        configuration: { ...(existing?.metadata.configuration ?? {}), ...(options.configuration ?? {}) },
        createdTime: existing?.metadata.createdTime ?? now,
      }
    : undefined;
  const metadataChanged =
    metadata !== undefined &&
    (existing === undefined ||
      metadata.schemaString !== existing.metadata.schemaString ||
      JSON.stringify(metadata.partitionColumns) !== JSON.stringify(existing.partitionColumns));
  const removes = options.mode === 'overwrite' && existing ? existing.files() : [];
  const isolation: CommitIsolation =
    existing === undefined ? 'create' : options.mode === 'append' ? 'append' : 'serializable';
  const operation = existing === undefined ? (options.mode === 'create' ? 'CREATE TABLE AS SELECT' : 'WRITE') : 'WRITE';
  const lines = (): Uint8Array => {
    const actions: unknown[] = [
      {
        commitInfo: {
          timestamp: now,
          operation,
          operationParameters: {
            mode: options.mode === 'overwrite' ? 'Overwrite' : options.mode === 'append' ? 'Append' : 'ErrorIfExists',
            partitionBy: JSON.stringify(partitionBy),
          },
          readVersion: existing?.version ?? -1,
          isBlindAppend: options.mode !== 'overwrite',
          engineInfo: 'meridian-delta/0.1.0',
        },
      },
    ];
    if (existing === undefined) actions.push({ protocol: protocolFor(schema) });
    if (metadataChanged && metadata) {
      if (existing && JSON.stringify(protocolFor(schema)) !== JSON.stringify(protocolFor(existing.schema)))
        actions.push({ protocol: protocolFor(schema) });
      actions.push({ metaData: metadata });
    }
    for (const file of removes) {
      actions.push({
        remove: {
          path: file.path,
          deletionTimestamp: now,
          dataChange: true,
          extendedFileMetadata: true,
          partitionValues: file.partitionValues,
          size: file.size,
        },
      });
    }
    for (const add of added) actions.push({ add });
    return new TextEncoder().encode(`${actions.map((a) => JSON.stringify(a)).join('\n')}\n`);
  };
  const { version, attempts } = await commit(
    storage,
    existing?.version ?? -1,
    isolation,
    lines,
    options.maxCommitAttempts ?? 100,
  );
  return { version, added, removed: removes.length, rows: data.numRows, attempts };
}
