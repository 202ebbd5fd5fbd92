import type { Table } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { decodeParquet } from './decode.ts';
import { decodedToTable } from './ffi-arrow.ts';

type ParquetWasm = typeof import('parquet-wasm');

let loading: Promise<ParquetWasm> | undefined;

/**
 * parquet-wasm compiles its WebAssembly module when first imported (the `node` export condition
 * loads it synchronously from disk); one dynamic import per process is shared by every read.
 */
export function loadParquetWasm(): Promise<ParquetWasm> {
  loading ??= import('parquet-wasm');
  return loading;
}

/** Options of {@link readParquetBytes}. */
export interface ParquetReadOptions {
  /** Top-level column names to read; all when omitted. */
  readonly columns?: readonly string[];
  /** Row group indexes to read; all when omitted. */
  readonly rowGroups?: readonly number[];
}

/**
 * Decodes a whole parquet file (or its chosen columns and row groups) into an apache-arrow table on this thread, the
 * way a scan's decode does (decode.ts: INT96 relabelled, the table out of wasm memory through the C data interface).
 */
export async function readParquetBytes(
  bytes: Uint8Array,
  where: string,
  options: ParquetReadOptions = {},
): Promise<Table> {
  try {
    const decoded = await decodeParquet(bytes, {
      batchSize: 65_536,
      ...(options.columns ? { columns: [...options.columns] } : {}),
      ...(options.rowGroups ? { rowGroups: [...options.rowGroups] } : {}),
    });
    return decodedToTable(decoded);
  } catch (cause) {
    throw decodeError(cause, where);
  }
}

/**
 * The error for a data file parquet-wasm could not decode. A panic inside the WebAssembly module surfaces as
 * "unreachable" or "Error strings stripped", which says nothing to a user: it is named as the decoder stopping
 * on damaged data, with the file.
 */
export function decodeError(cause: unknown, where: string): DeltaError {
  const reason =
    cause instanceof Error ? `${cause.name === 'Error' ? '' : `${cause.name}: `}${cause.message}` : String(cause);
  const isPanic = /unreachable|strings stripped|RuntimeError|out of bounds|panicked/i.test(reason);
  const message = isPanic
    ? `cannot decode ${where}: the parquet decoder stopped on damaged or unsupported data (it reported: ${reason})`
    : `cannot decode ${where}: ${reason}`;
  return new DeltaError('storage', message, {
    path: where,
    hint: 'the file is damaged, not parquet, or uses an encoding parquet-wasm does not support; check it with another parquet reader',
    ...(cause === undefined ? {} : { cause }),
  });
}
