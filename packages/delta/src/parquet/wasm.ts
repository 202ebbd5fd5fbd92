import { type Table, tableFromIPC } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { relabelInt96 } from './int96.ts';

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

// parquet-wasm 0.8's synchronous readParquet ignores `columns`; its ParquetFile reader honours
// projection and row group selection, so a projected read goes through it.
async function decode(
  pw: ParquetWasm,
  bytes: Uint8Array,
  opts: { columns?: string[]; rowGroups?: number[]; batchSize: number },
): Promise<Table> {
  if (!opts.columns && !opts.rowGroups) return tableFromIPC(pw.readParquet(bytes, opts).intoIPCStream());
  const file = await pw.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  try {
    return tableFromIPC((await file.read(opts)).intoIPCStream());
  } finally {
    file.free();
  }
}

/** Decodes a parquet file held in memory into an Arrow table (JS memory, via Arrow IPC). */
export async function readParquetBytes(
  bytes: Uint8Array,
  where: string,
  options: ParquetReadOptions = {},
): Promise<Table> {
  const pw = await loadParquetWasm();
  try {
    const opts: { columns?: string[]; rowGroups?: number[]; batchSize: number } = { batchSize: 65_536 };
    if (options.columns) opts.columns = [...options.columns];
    if (options.rowGroups) opts.rowGroups = [...options.rowGroups];
    const relabelled = relabelInt96(bytes);
    if (relabelled) {
      try {
        return await decode(pw, relabelled, opts);
      } catch {
        // A footer the relabelling does not suit (an embedded Arrow schema insisting on timestamps):
        // decode as written; Delta statistics still bound INT96 values (conform.ts).
      }
    }
    return await decode(pw, bytes, opts);
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
