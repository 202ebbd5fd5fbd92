import { type Data, type Field, makeData, RecordBatch, type Schema, Struct, tableFromIPC } from 'apache-arrow';
import { assertFieldIds, conform, findColumn, type MatchMode, type NanosRange } from '../arrow/conform.ts';
import { partitionColumn } from '../arrow/partition-column.ts';
import { loadDeletionVector } from '../deletion-vectors/descriptor.ts';
import { DeltaError } from '../errors.ts';
import type { DeltaFile } from '../log/files.ts';
import { resolveTablePath } from '../log/table-paths.ts';
import { checkFileSize, parquetFooterOfBytes } from '../parquet/footer.ts';
import { loadParquetWasm, readParquetBytes } from '../parquet/wasm.ts';
import { arrowSchema } from '../schema/arrow.ts';
import { type DeltaSchema, physicalName, type StructField } from '../schema/types.ts';
import { parseTimestampText } from '../schema/value-text.ts';
import type { Storage } from '../storage/storage.ts';
import { checkDecodeSize, checkFooterRows, decodedBytesEstimate, decodeLimit } from './verify-file.ts';

/** Options of a scan. */
export interface ScanOptions {
  /** Logical top-level column names to return, in this order; all columns when omitted. */
  readonly columns?: readonly string[];
  /**
   * Bytes one data file may decode to (estimated from its footer before decoding); 1 GiB by default. A file above it
   * fails with `decode-limit` (a decompression bomb); raise it for a trusted table of very large files.
   */
  readonly maxDecodedBytes?: number;
}

/** What turning data files into logical rows needs to know about the table. */
export interface ScanContext {
  readonly storage: Storage;
  readonly schema: DeltaSchema;
  readonly partitionColumns: readonly string[];
  readonly columnMappingMode: MatchMode;
}

/** The resolved output of a scan: which logical fields, in which order, and their Arrow schema. */
export interface ScanPlan {
  readonly fields: readonly StructField[];
  readonly partition: ReadonlySet<string>;
  readonly schema: Schema;
  readonly maxDecodedBytes: number;
}

/** Resolves a projection against the table schema. */
export function planScan(ctx: ScanContext, options: ScanOptions): ScanPlan {
  const all = ctx.schema.fields;
  let fields: StructField[];
  if (options.columns) {
    fields = options.columns.map((name) => {
      const f = all.find((x) => x.name === name);
      if (!f) {
        throw new DeltaError('unknown-column', `no column '${name}' in the table`, {
          path: ctx.storage.uri,
          hint: `columns are: ${all.map((x) => x.name).join(', ')}`,
        });
      }
      return f;
    });
  } else fields = [...all];
  return {
    fields,
    partition: new Set(ctx.partitionColumns),
    schema: arrowSchema(fields),
    maxDecodedBytes: decodeLimit(options.maxDecodedBytes),
  };
}

async function fileSchemaFields(bytes: Uint8Array, where: string) {
  const pw = await loadParquetWasm();
  try {
    return tableFromIPC(pw.readSchema(bytes).intoIPCStream()).schema.fields;
  } catch (cause) {
    throw new DeltaError('storage', `cannot read the parquet footer: ${String(cause)}`, {
      path: where,
      hint: 'the data file is not valid parquet',
      cause,
    });
  }
}

/**
 * The [min, max) nanosecond bounds the file's statistics give a top-level timestamp column; pass it
 * to `conform` so INT96 instants outside 1677-2262 are recovered (see `conform`).
 */
function timestampRange(file: DeltaFile, f: StructField, mode: MatchMode): NanosRange | undefined {
  if (f.type.kind !== 'primitive' || (f.type.name !== 'timestamp' && f.type.name !== 'timestamp_ntz')) return undefined;
  const stats = file.stats;
  const name = physicalName(f, mode !== 'none');
  const lo = stats?.minValues?.[name];
  const hi = stats?.maxValues?.[name];
  if (typeof lo !== 'string' || typeof hi !== 'string') return undefined;
  const min = parseTimestampText(lo);
  const max = parseTimestampText(hi);
  // Statistics are truncated to milliseconds: the maximum covers the whole millisecond.
  return min === undefined || max === undefined ? undefined : { min: min * 1000n, max: (max + 1000n) * 1000n };
}

/** Rows of one file to drop (a deletion vector) or, for change data, the only rows to keep; ascending file row indexes. */
export interface RowSelection {
  readonly deleted?: Float64Array;
  readonly keepOnly?: Float64Array;
}

/** Slices `batch` (rows [base, base+length) of its file) around the deleted rows. */
function* withoutDeleted(
  batch: RecordBatch,
  base: number,
  deleted: Float64Array,
  cursor: { i: number },
): Generator<RecordBatch> {
  const end = base + batch.numRows;
  let start = base;
  while (cursor.i < deleted.length && (deleted[cursor.i] as number) < end) {
    const d = deleted[cursor.i] as number;
    cursor.i++;
    if (d < start) continue;
    if (d > start) yield batch.slice(start - base, d - base);
    start = d + 1;
  }
  if (start === base) yield batch;
  else if (start < end) yield batch.slice(start - base, end - base);
}

/** Slices `batch` down to the kept rows, one slice per run of consecutive rows. */
function* onlyKept(
  batch: RecordBatch,
  base: number,
  keep: Float64Array,
  cursor: { i: number },
): Generator<RecordBatch> {
  const end = base + batch.numRows;
  while (cursor.i < keep.length && (keep[cursor.i] as number) < end) {
    const first = keep[cursor.i] as number;
    let last = first;
    cursor.i++;
    while (cursor.i < keep.length && keep[cursor.i] === last + 1 && last + 1 < end) {
      last++;
      cursor.i++;
    }
    if (first >= base) yield batch.slice(first - base, last + 1 - base);
  }
}

/** The top-level file columns a plan needs (physical names as the file spells them). */
function physicalColumns(ctx: ScanContext, plan: ScanPlan, fileFields: readonly Field[]): string[] {
  const wanted = new Set<string>();
  for (const f of plan.fields) {
    if (plan.partition.has(f.name)) continue;
    const ff = fileFields[findColumn(fileFields, f, ctx.columnMappingMode)];
    if (ff) wanted.add(ff.name);
  }
  // Row counts still come from the file when only partition columns (or none) are asked for.
  if (wanted.size === 0 && fileFields[0]) wanted.add(fileFields[0].name);
  return [...wanted];
}

/**
 * Turns one batch as decoded from a data file into the plan's logical batch: columns matched by
 * physical name or field id and conformed to the table schema, partition values materialised,
 * columns the file lacks (added later by schema evolution) all-null.
 */
export function toLogicalBatch(ctx: ScanContext, plan: ScanPlan, file: DeltaFile, physical: RecordBatch): RecordBatch {
  const mode = ctx.columnMappingMode;
  assertFieldIds(physical.schema.fields, mode, file.path);
  const n = physical.numRows;
  const children: Data[] = plan.fields.map((f) => {
    if (plan.partition.has(f.name)) {
      const pv = file.partitionValues;
      const k = physicalName(f, mode !== 'none');
      return partitionColumn(f.type, k in pv ? pv[k] : pv[f.name], n);
    }
    const i = findColumn(physical.schema.fields, f, mode);
    const child = i >= 0 ? physical.data.children[i] : undefined;
    if (!child) {
      // A column the file lacks reads as NULL (added to the schema after the file was written), but a NOT NULL
      // column cannot have been added later: the file is not one of this table's (issue 16, item 7).
      if (!f.nullable) {
        throw new DeltaError(
          'data-file-mismatch',
          `${file.path} has no column '${f.name}', which the table declares NOT NULL: it is not one of this table's files`,
          { path: file.path, hint: 'the data file was replaced or damaged; restore it from a copy of the table' },
        );
      }
      return partitionColumn(f.type, null, n);
    }
    return conform(child, f.type, mode, `${file.path}:${f.name}`, timestampRange(file, f, mode));
  });
  return new RecordBatch(
    plan.schema,
    makeData({ type: new Struct(plan.schema.fields), length: n, nullCount: 0, children }),
  );
}

/**
 * Applies a row selection to consecutive logical batches of one file; `firstRow` is the file row
 * index of the batch's first row (deletion vectors index rows file-wide, across row groups).
 */
export function* selectRows(
  batch: RecordBatch,
  firstRow: number,
  selection: RowSelection,
  cursor: { i: number },
): Generator<RecordBatch> {
  if (selection.keepOnly) yield* onlyKept(batch, firstRow, selection.keepOnly, cursor);
  else if (selection.deleted && selection.deleted.length > 0)
    yield* withoutDeleted(batch, firstRow, selection.deleted, cursor);
  else yield batch;
}

/** What to throw for an error reading a data file: a missing file (`not-found`) is named as one of the snapshot's. */
export function dataFileError(cause: unknown, file: DeltaFile, key: string): unknown {
  if (cause instanceof DeltaError && cause.code === 'not-found') {
    return new DeltaError('not-found', `a data file of the snapshot is missing: ${file.path}`, {
      path: key,
      hint: 'the table references a file that was deleted (vacuumed or copied partially)',
      cause,
    });
  }
  return cause;
}

/**
 * Reads one data file into logical record batches: the columns the plan needs, conformed to the
 * table schema, partition values materialised, deletion vector applied (or `selection` when given).
 */
export async function* readFile(
  ctx: ScanContext,
  plan: ScanPlan,
  file: DeltaFile,
  selection?: RowSelection,
): AsyncGenerator<RecordBatch> {
  const key = resolveTablePath(ctx.storage.uri, file.path);
  const dvPromise =
    !selection && file.deletionVector ? loadDeletionVector(ctx.storage, file.deletionVector) : undefined;
  dvPromise?.catch(() => undefined);
  let bytes: Uint8Array;
  try {
    bytes = await ctx.storage.get(key);
  } catch (cause) {
    throw dataFileError(cause, file, key);
  }
  checkFileSize(key, file.size, bytes.length);
  const footer = parquetFooterOfBytes(bytes, key);
  checkFooterRows(file, footer, key);
  const fileFields = await fileSchemaFields(bytes, key);
  const columns = physicalColumns(ctx, plan, fileFields);
  const estimate = decodedBytesEstimate(footer, footer.rowGroups, new Set(columns));
  checkDecodeSize(file, estimate, plan.maxDecodedBytes, key);
  const table = await readParquetBytes(bytes, key, columns.length < fileFields.length ? { columns } : {});
  const sel: RowSelection = selection ?? (dvPromise ? { deleted: await dvPromise } : {});
  const cursor = { i: 0 };
  let firstRow = 0;
  for (const batch of table.batches) {
    yield* selectRows(toLogicalBatch(ctx, plan, file, batch), firstRow, sel, cursor);
    firstRow += batch.numRows;
  }
}
