/**
 * Page bodies decompressed by Node's own zlib (native zstd and gzip, several times parquet-wasm's speed), each to
 * exactly the size its page header states. The largest go to libuv's thread pool, so the calling thread goes on with
 * the rest of a run meanwhile. Used by the run rewrite (transcode.ts).
 */
import * as zlib from 'node:zlib';

// parquet.thrift CompressionCodec values.
const GZIP = 2;
const ZSTD = 6;

/** A page body that did not decompress to the size its header states (or not at all). */
export class InflateError extends Error {}

const MAX_CHUNK = 8 * 1024 * 1024;

/**
 * zlib's options for a page of `expected` bytes: its output in one chunk (the default 16 KiB chunks are joined in a
 * copy at the end, which cost as much as the decompression), and no more than the header said.
 */
function outputOf(expected: number): { chunkSize: number; maxOutputLength: number } {
  // zlib allocates a chunk before it decompresses: a header's size is trusted for one up to MAX_CHUNK only.
  return { chunkSize: Math.max(64, Math.min(expected + 1, MAX_CHUNK)), maxOutputLength: Math.max(1, expected) };
}

type Callback = (error: Error | null, result: Buffer) => void;
type Options = ReturnType<typeof outputOf>;

interface Codec {
  readonly now: (bytes: Uint8Array, options: Options) => Buffer;
  /** On the thread pool (a name other than `async`, which Node's type stripping reads as an async arrow). */
  readonly later: (bytes: Uint8Array, options: Options, done: Callback) => void;
}

// zstd is in zlib from Node 23.8 and 22.15 on; an older Node leaves zstd chunks to the decoder.
const zstd = zlib as {
  zstdDecompressSync?: Codec['now'];
  zstdDecompress?: Codec['later'];
};
const codecs = new Map<number, Codec>([
  [GZIP, { now: zlib.gunzipSync, later: zlib.gunzip }],
  ...(zstd.zstdDecompressSync && zstd.zstdDecompress
    ? [[ZSTD, { now: zstd.zstdDecompressSync, later: zstd.zstdDecompress }] as const]
    : []),
]);

/** Whether pages of this parquet codec are decompressed here. */
export function inflates(codec: number | undefined): codec is number {
  return codec !== undefined && codecs.has(codec);
}

/**
 * A page body of at least this many compressed bytes may be decompressed on the thread pool. Below it the hop costs
 * more than it saves: every page of a run on the pool was slower than none, while the selective scan's 300-500 KB
 * dictionaries, most of its bytes, gain from it (docs/decisions/042).
 */
const OFFLOAD_MIN = 64 * 1024;

function exactly(expected: number): (bytes: Uint8Array) => Uint8Array {
  return (bytes) => {
    if (bytes.length !== expected)
      throw new InflateError(`a page decompressed to ${bytes.length} bytes, not ${expected}`);
    return bytes;
  };
}

/**
 * `packed` decompressed with `codec` to exactly `expected` bytes: at once, or with `offload` a promise for a large page
 * (which settles on the thread pool while the caller goes on). Fails with InflateError, thrown or rejected.
 */
export function inflatePage(
  codec: number,
  packed: Uint8Array,
  expected: number,
  offload: boolean,
): Uint8Array | Promise<Uint8Array> {
  const { now, later } = codecs.get(codec) as Codec;
  if (!offload || packed.length < OFFLOAD_MIN) {
    let out: Uint8Array;
    try {
      out = now(packed, outputOf(expected));
    } catch (cause) {
      throw new InflateError(String(cause));
    }
    return exactly(expected)(out);
  }
  const out = new Promise<Uint8Array>((resolve, reject) =>
    later(packed, outputOf(expected), (error, result) =>
      error ? reject(new InflateError(String(error))) : resolve(result),
    ),
  ).then(exactly(expected));
  // Awaited with the run's other pages unless the rewrite stops first: never an unhandled rejection.
  out.catch(() => undefined);
  return out;
}
