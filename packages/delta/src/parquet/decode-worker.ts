/**
 * A decode worker of the pool (worker-pool.ts): compiles parquet-wasm once, then turns parquet bytes into
 * Arrow buffers per request (copied out of wasm memory through the C data interface, or an Arrow IPC stream) and
 * transfers them back (no copy); for writes, an Arrow IPC stream
 * into parquet bytes. Loaded by Node directly, so it uses erasable TypeScript only and imports nothing but
 * the decoder and the encoder.
 */
import { parentPort } from 'node:worker_threads';
import { type DecodeOptions, decodeParquet } from './decode.ts';
import { type EncodeSettings, encodeIPCToParquet } from './encode.ts';
import { type CopiedTable, copiedBuffers } from './ffi-copy.ts';

/** A request: decode `bytes` (the whole file, or a sparse copy holding the needed ranges). */
export interface DecodeRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  /** `bytes` holds these (offset, length) ranges of a file of `fileSize` bytes, one after the other. */
  readonly layout?: { readonly fileSize: number; readonly ranges: number[] };
  readonly columns?: string[];
  readonly rowGroups?: number[];
  readonly batchSize?: number;
  readonly limit?: number;
  readonly offset?: number;
}

/** A write's request: encode the Arrow IPC stream `encode` as a parquet file. */
export interface EncodeRequest {
  readonly id: number;
  readonly encode: Uint8Array;
  readonly settings: EncodeSettings;
}

/** The answer: an Arrow IPC stream, a parquet file, or the decoder's or encoder's message. */
export type DecodeResponse =
  | { readonly id: number; readonly ipc: Uint8Array; readonly input?: Uint8Array }
  | { readonly id: number; readonly copied: CopiedTable; readonly input?: Uint8Array }
  | { readonly id: number; readonly parquet: Uint8Array }
  | { readonly id: number; readonly error: string };

/**
 * The request's bytes, moved back to the caller with the answer: moving detaches them here at once, where a worker's
 * small heap would keep them until its next garbage collection (a file's bytes for each request it decoded). They
 * are this worker's whether they were moved here or copied (a view into a larger buffer); shared memory stays.
 * The caller drops them.
 */
function giveBack(bytes: Uint8Array): { input: Uint8Array } | Record<string, never> {
  return bytes.buffer instanceof ArrayBuffer ? { input: bytes } : {};
}

/** The largest file laid out in the reused buffer; a larger one gets a buffer of its own, dropped after. */
const SCRATCH_MAX_BYTES = 64 * 1024 * 1024;
let scratch = new Uint8Array(0);

/**
 * The file a request describes: its bytes, or its ranges laid out at their offsets in a zeroed buffer (the bytes
 * between them zero, as a file-sized copy on the calling thread had them). The buffer is reused by the next request,
 * once this one is decoded: the pool sends a worker one job at a time.
 */
function fileOf(request: DecodeRequest): Uint8Array {
  const layout = request.layout;
  if (!layout) return request.bytes;
  let file: Uint8Array;
  if (layout.fileSize > SCRATCH_MAX_BYTES) file = new Uint8Array(layout.fileSize);
  else {
    if (scratch.length < layout.fileSize) scratch = new Uint8Array(layout.fileSize);
    file = scratch.subarray(0, layout.fileSize);
    file.fill(0);
  }
  let at = 0;
  for (let i = 0; i + 1 < layout.ranges.length; i += 2) {
    const offset = layout.ranges[i] as number;
    const length = layout.ranges[i + 1] as number;
    if (offset < 0 || length < 0 || offset + length > file.length || at + length > request.bytes.length)
      throw new RangeError(`a range of ${length} bytes at ${offset} does not fit a file of ${file.length} bytes`);
    file.set(request.bytes.subarray(at, at + length), offset);
    at += length;
  }
  return file;
}

const port = parentPort;
if (port) {
  port.on('message', async (request: DecodeRequest | EncodeRequest) => {
    if ('encode' in request) {
      try {
        const parquet = encodeIPCToParquet(request.encode, request.settings);
        const response: DecodeResponse = { id: request.id, parquet };
        port.postMessage(response, [parquet.buffer as ArrayBuffer]);
      } catch (error) {
        const response: DecodeResponse = {
          id: request.id,
          error: error instanceof Error ? error.message : String(error),
        };
        port.postMessage(response);
      }
      return;
    }
    try {
      const options: DecodeOptions = {};
      if (request.columns) options.columns = request.columns;
      if (request.rowGroups) options.rowGroups = request.rowGroups;
      if (request.batchSize) options.batchSize = request.batchSize;
      if (request.limit !== undefined) options.limit = request.limit;
      if (request.offset !== undefined) options.offset = request.offset;
      const decoded = await decodeParquet(fileOf(request), options);
      const response: DecodeResponse = { id: request.id, ...decoded, ...giveBack(request.bytes) };
      // Every buffer moves (each copy owns its ArrayBuffer whole): nothing is copied between the threads.
      port.postMessage(response, [
        ...('ipc' in decoded ? [decoded.ipc.buffer as ArrayBuffer] : copiedBuffers(decoded.copied)),
        ...('input' in response ? [response.input.buffer as ArrayBuffer] : []),
      ]);
    } catch (error) {
      const response: DecodeResponse = {
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      };
      port.postMessage(response);
    }
  });
}
