import { type Data, RecordBatch, Table, tableToIPC } from 'apache-arrow';
import { type EncodeSettings, encodeError, encodeIPCToParquet, type WriteCompression } from '../parquet/encode.ts';
import type { DecodePool } from '../parquet/worker-pool.ts';

export type { WriteCompression } from '../parquet/encode.ts';

/** The file-name infix Spark uses for each codec (`part-...-c000.zstd.parquet`). */
export const compressionSuffix: Readonly<Record<WriteCompression, string>> = {
  zstd: '.zstd',
  snappy: '.snappy',
  gzip: '.gz',
  lz4: '.lz4',
  none: '',
};

/** Where parquet files are encoded: in a worker pool (the scan's, parquet/worker-pool.ts), or on the calling thread. */
export type Encoder = DecodePool | 'main-thread';

/**
 * Encodes an Arrow table as one parquet file through parquet-wasm (arrow-rs's writer): the table goes over as an Arrow
 * IPC stream, moved (not copied) to a worker of `encoder`, whose parquet bytes come back moved too.
 */
export async function encodeParquet(
  table: Table,
  settings: EncodeSettings,
  encoder: Encoder,
  where: string,
): Promise<Uint8Array> {
  const ipc = tableToIPC(withUnsharedBuffers(table), 'stream');
  if (encoder !== 'main-thread') return encoder.encode({ ipc, settings, where });
  try {
    return encodeIPCToParquet(ipc, settings);
  } catch (cause) {
    throw encodeError(cause, where);
  }
}

/**
 * apache-arrow's IPC writer (21.x) writes a short record batch body when two buffers of a batch cover the same bytes
 * (one column used twice, two columns made from one typed array): parquet-wasm then fails reading the stream ("failed
 * to fill whole buffer"). A buffer overlapping one met before in the batch is copied; views of one allocation that do
 * not overlap (what reading an IPC file gives) are left as they are.
 */
function withUnsharedBuffers(table: Table): Table {
  let changed = false;
  const batches = table.batches.map((batch) => {
    const seen = new Map<ArrayBufferLike, [number, number][]>();
    const data = unshare(batch.data, seen);
    if (data === batch.data) return batch;
    changed = true;
    return new RecordBatch(batch.schema, data);
  });
  return changed ? new Table(table.schema, batches) : table;
}

type View = Data['values'] | Data['valueOffsets'] | Data['nullBitmap'] | Data['typeIds'] | undefined;

function unshare<D extends Data>(data: D, seen: Map<ArrayBufferLike, [number, number][]>): D {
  const buffers: View[] = [data.valueOffsets, data.values, data.nullBitmap, data.typeIds];
  let changed = false;
  for (const [i, view] of buffers.entries()) {
    if (view === undefined || view === null || view.byteLength === 0) continue;
    const start = view.byteOffset;
    const end = start + view.byteLength;
    const ranges = seen.get(view.buffer) ?? [];
    if (ranges.some(([s, e]) => start < e && s < end)) {
      const copy = view.slice();
      buffers[i] = copy;
      changed = true;
      seen.set(copy.buffer, [[0, copy.byteLength]]);
    } else {
      ranges.push([start, end]);
      seen.set(view.buffer, ranges);
    }
  }
  const children = data.children.map((child) => unshare(child, seen));
  if (!changed && children.every((child, i) => child === data.children[i])) return data;
  return data.clone(
    data.type,
    data.offset,
    data.length,
    data.nullCount,
    buffers as unknown as Parameters<D['clone']>[4],
    children,
  ) as D;
}
