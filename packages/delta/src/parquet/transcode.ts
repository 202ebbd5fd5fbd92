/**
 * A run of a parquet file rewritten for the decoder: only the run's row groups and the projected columns' chunks,
 * packed one after the other, with zstd and gzip pages decompressed by Node's own zlib (native code, several times
 * parquet-wasm's speed) and the footer rewritten to match. parquet-wasm then decodes a file a fraction of the
 * original's size and decompresses nothing. Snappy, LZ4 and Brotli chunks are copied as written, the decoder
 * decompresses those. Anything this does not follow (encryption, a chunk in another file, a page it does not know, a
 * page that does not decompress to its stated size) leaves the run to the decoder as written: the answer never
 * depends on this rewrite, only the speed. Used for runs decoded on the calling thread (docs/decisions/041).
 */
import * as zlib from 'node:zlib';
import type { DecodeOptions } from './decode.ts';
import { leavesOf, PARQUET_MAGIC } from './footer.ts';
import {
  encodeThriftStruct,
  readThriftStruct,
  setThriftField,
  ThriftDecodeError,
  type ThriftStruct,
  type ThriftValue,
  thriftNumber,
} from './thrift-compact.ts';

/** The bytes of a file a run's decode may read: some of its ranges, or all of it. */
export interface FileSource {
  readonly size: number;
  /** Bytes [start, end), or undefined when they were not fetched. */
  read(start: number, end: number): Uint8Array | undefined;
}

/** Bytes of a file fetched at an offset. */
export interface Piece {
  readonly start: number;
  readonly bytes: Uint8Array;
}

/**
 * A file of `size` bytes of which `pieces` were fetched, ascending by start; a read is served by the last piece
 * starting at or before it, and only when that piece holds all of it.
 */
export function piecesSource(size: number, pieces: readonly Piece[]): FileSource {
  return {
    size,
    read(start, end) {
      // The last piece starting at or before `start`.
      let lo = 0;
      let hi = pieces.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if ((pieces[mid] as { start: number }).start <= start) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const piece = pieces[found];
      if (!piece || end > piece.start + piece.bytes.length) return undefined;
      return piece.bytes.subarray(start - piece.start, end - piece.start);
    },
  };
}

/**
 * MERIDIAN_TRANSCODE=0 leaves every run to the decoder as written, read when this module loads, so bench/delta-scan
 * can time both.
 */
const enabled = process.env.MERIDIAN_TRANSCODE !== '0';

// parquet.thrift CompressionCodec and PageType values.
const UNCOMPRESSED = 0;
const GZIP = 2;
const ZSTD = 6;
const DATA_PAGE = 0;
const INDEX_PAGE = 1;
const DICTIONARY_PAGE = 2;
const DATA_PAGE_V2 = 3;
const utf8 = new TextDecoder();

type Inflate = (bytes: Uint8Array, expected: number) => Uint8Array;

const MAX_CHUNK = 8 * 1024 * 1024;

/**
 * zlib's options for a page of `expected` bytes: its output in one chunk (the default 16 KiB chunks are joined in a
 * copy at the end, which cost as much as the decompression), and no more than the header said.
 */
function outputOf(expected: number): { chunkSize: number; maxOutputLength: number } {
  // zlib allocates a chunk before it decompresses: a header's size is trusted for one up to MAX_CHUNK only.
  return { chunkSize: Math.max(64, Math.min(expected + 1, MAX_CHUNK)), maxOutputLength: Math.max(1, expected) };
}

// zlib.zstdDecompressSync is in Node 23.8 and 22.15 on; an older Node leaves zstd chunks to the decoder.
const zstdDecompress = (zlib as { zstdDecompressSync?: (b: Uint8Array, o: zlib.ZstdOptions) => Buffer })
  .zstdDecompressSync;
const inflaters = new Map<number, Inflate>([
  [GZIP, (bytes, expected) => zlib.gunzipSync(bytes, outputOf(expected))],
  ...(zstdDecompress
    ? [[ZSTD, (bytes: Uint8Array, expected: number) => zstdDecompress(bytes, outputOf(expected))] as const]
    : []),
]);

/** Set where the rewrite stops and leaves the run to the decoder as written. */
class NotTranscoded extends Error {}

const num = thriftNumber;

function struct(value: ThriftValue | undefined): ThriftStruct {
  if (!(value instanceof Map)) throw new NotTranscoded();
  return value;
}

function list(value: ThriftValue | undefined): ThriftValue[] {
  if (!Array.isArray(value)) throw new NotTranscoded();
  return value;
}

function read(source: FileSource, start: number, end: number): Uint8Array {
  if (!(start >= 0 && end >= start && end <= source.size)) throw new NotTranscoded();
  const bytes = source.read(start, end);
  if (!bytes || bytes.length !== end - start) throw new NotTranscoded();
  return bytes;
}

/** One page's header and body as they go into the rewritten chunk. */
interface Page {
  readonly header: Uint8Array;
  readonly body: Uint8Array[];
  readonly isDictionary: boolean;
}

/**
 * The pages of one chunk with their bodies decompressed, every header rewritten (sizes, no CRC: it covered the
 * compressed bytes). At most `budget` bytes are decompressed: a page claiming more than the footer said is refused.
 */
function inflateChunk(chunk: Uint8Array, inflate: Inflate, budget: number): Page[] {
  const pages: Page[] = [];
  let pos = 0;
  let inflated = 0;
  while (pos < chunk.length) {
    const { value: header, end } = readThriftStruct(chunk, pos, true);
    const type = num(header.get(1));
    const compressed = num(header.get(3));
    const uncompressed = num(header.get(2));
    if (compressed === undefined || uncompressed === undefined || compressed < 0 || uncompressed < 0)
      throw new NotTranscoded();
    if (end + compressed > chunk.length) throw new NotTranscoded();
    const body = chunk.subarray(end, end + compressed);
    pos = end + compressed;
    // The body once rewritten: bytes kept as they are (v2 levels, an uncompressed body), then the bytes to
    // decompress, to `expected` bytes.
    let kept = body.subarray(0, 0);
    let packed: Uint8Array | undefined = body;
    let expected = uncompressed;
    if (type === DATA_PAGE_V2) {
      // Levels are never compressed; the values after them are unless is_compressed says false.
      const v2 = struct(header.get(8));
      const levels = (num(v2.get(5)) ?? 0) + (num(v2.get(6)) ?? 0);
      if (levels < 0 || levels > compressed || levels > uncompressed) throw new NotTranscoded();
      kept = v2.get(7) === false ? body : body.subarray(0, levels);
      expected = uncompressed - levels;
      packed = v2.get(7) === false || (levels === compressed && expected === 0) ? undefined : body.subarray(levels);
      setThriftField(v2, 7, 'bool', false);
    } else if (type === INDEX_PAGE) {
      kept = body;
      packed = undefined;
    } else if (type !== DATA_PAGE && type !== DICTIONARY_PAGE) throw new NotTranscoded();
    const length = kept.length + (packed ? expected : 0);
    // Refused before the page is decompressed: the footer's total bounds the chunk (and the scan bounds the footer's).
    inflated += length;
    if (inflated > budget) throw new NotTranscoded();
    const parts = packed ? [kept, inflateExactly(inflate, packed, expected)] : [kept];
    header.set(3, length);
    header.delete(4);
    pages.push({ header: encodeThriftStruct(header), body: parts, isDictionary: type === DICTIONARY_PAGE });
  }
  return pages;
}

function inflateExactly(inflate: Inflate, body: Uint8Array, expected: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = inflate(body, expected);
  } catch {
    throw new NotTranscoded();
  }
  if (out.length !== expected) throw new NotTranscoded();
  return out;
}

/**
 * The run `options` pick from the file `source` reads, as a parquet file of its own, with the options that decode it
 * (its row groups are the run's, in order, so it takes no `rowGroups`); undefined when the run is left to the decoder
 * as written.
 */
export function transcodeRun(
  source: FileSource,
  options: DecodeOptions,
): { bytes: Uint8Array; options: DecodeOptions } | undefined {
  if (!enabled) return undefined;
  try {
    const bytes = transcode(source, options.rowGroups, options.columns);
    const { rowGroups: _, ...rest } = options;
    return { bytes, options: rest };
  } catch (error) {
    // The thrift reader's and encoder's errors on a malformed footer or header, and zlib's, end the rewrite too.
    if (
      error instanceof NotTranscoded ||
      error instanceof ThriftDecodeError ||
      error instanceof RangeError ||
      error instanceof TypeError
    )
      return undefined;
    throw error;
  }
}

function transcode(
  source: FileSource,
  rowGroups: readonly number[] | undefined,
  projection: readonly string[] | undefined,
): Uint8Array {
  const size = source.size;
  const trailer = read(source, size - 8, size);
  const footerLength = new DataView(trailer.buffer, trailer.byteOffset, 8).getUint32(0, true);
  if (trailer.subarray(4).some((b, i) => b !== PARQUET_MAGIC[i])) throw new NotTranscoded();
  const footerStart = size - 8 - footerLength;
  if (footerStart < PARQUET_MAGIC.length) throw new NotTranscoded();
  const { value: meta } = readThriftStruct(read(source, footerStart, size - 8), 0, true);
  // Encrypted files (encryption_algorithm, footer_signing_key_metadata) stay with the decoder.
  if (meta.has(8) || meta.has(9)) throw new NotTranscoded();
  const groups = list(meta.get(4));
  const wanted = rowGroups ?? groups.map((_, i) => i);
  // A group named twice would be rewritten in place twice (the decoder repeats it).
  if (new Set(wanted).size !== wanted.length) throw new NotTranscoded();
  // The decoder takes chunk i for schema leaf i whatever the chunk's own path says, and picks a projected column's
  // leaves by dotted path (parquet-wasm: the name, or the name then a dot); the rewrite keeps exactly those. A chunk
  // whose path is not its leaf's, or a name it may compare differently (not ASCII), stays with the decoder.
  const leaves = leavesOf(list(meta.get(2))).map((leaf) => leaf.path.join('.'));
  if (projection?.some((name) => !/^[\x20-\x7e]*$/.test(name))) throw new NotTranscoded();
  const projected = (dotted: string) =>
    !projection || projection.some((name) => dotted === name || dotted.startsWith(`${name}.`));
  const kept: ThriftValue[] = [];
  const parts: Uint8Array[] = [PARQUET_MAGIC];
  let at = PARQUET_MAGIC.length;
  let numRows = 0;
  for (const index of wanted) {
    const group = struct(groups[index]);
    kept.push(group);
    numRows += num(group.get(3)) ?? 0;
    group.delete(5); // file_offset
    group.delete(6); // total_compressed_size
    const chunks = list(group.get(1));
    if (chunks.length !== leaves.length) throw new NotTranscoded();
    for (const [leaf, chunkValue] of chunks.entries()) {
      const chunk = struct(chunkValue);
      // A chunk in another file, or encrypted, stays with the decoder.
      if (chunk.has(1) || chunk.has(8) || chunk.has(9)) throw new NotTranscoded();
      for (const field of [4, 5, 6, 7]) chunk.delete(field); // page indexes: they locate the original pages
      const column = struct(chunk.get(3));
      for (const field of [10, 14, 15]) column.delete(field); // index page, bloom filter
      const dotted = list(column.get(3))
        .map((part) => (part instanceof Uint8Array ? utf8.decode(part) : '\u0000'))
        .join('.');
      if (dotted !== leaves[leaf]) throw new NotTranscoded();
      const dictionary = num(column.get(11));
      const data = num(column.get(9));
      const length = num(column.get(7));
      if (data === undefined || length === undefined) throw new NotTranscoded();
      const start = dictionary !== undefined && dictionary > 0 ? Math.min(dictionary, data) : data;
      if (!projected(dotted)) {
        // Not decoded: a chunk of no bytes, which a read would refuse rather than misread.
        column.delete(11);
        setThriftField(column, 4, 'i32', UNCOMPRESSED);
        setThriftField(column, 9, 'i64', at);
        setThriftField(column, 7, 'i64', 0);
        setThriftField(chunk, 2, 'i64', at);
        continue;
      }
      const bytes = read(source, start, start + length);
      const codec = num(column.get(4));
      const inflate = codec === undefined ? undefined : inflaters.get(codec);
      if (!inflate) {
        // Copied as written (uncompressed, or a codec the decoder decompresses): only its place moves.
        const shift = at - start;
        setThriftField(column, 9, 'i64', data + shift);
        if (dictionary !== undefined && dictionary > 0) setThriftField(column, 11, 'i64', dictionary + shift);
        setThriftField(chunk, 2, 'i64', at);
        parts.push(bytes);
        at += bytes.length;
        continue;
      }
      const pages = inflateChunk(bytes, inflate, num(column.get(6)) ?? 0);
      const chunkStart = at;
      let dataOffset: number | undefined;
      let dictionaryOffset: number | undefined;
      for (const page of pages) {
        if (page.isDictionary && dataOffset === undefined && dictionaryOffset === undefined) dictionaryOffset = at;
        else if (!page.isDictionary) dataOffset ??= at;
        parts.push(page.header, ...page.body);
        at += page.header.length + page.body.reduce((sum, part) => sum + part.length, 0);
      }
      setThriftField(column, 4, 'i32', UNCOMPRESSED);
      setThriftField(column, 7, 'i64', at - chunkStart);
      setThriftField(column, 9, 'i64', dataOffset ?? chunkStart);
      if (dictionaryOffset !== undefined) setThriftField(column, 11, 'i64', dictionaryOffset);
      else column.delete(11);
      setThriftField(chunk, 2, 'i64', chunkStart);
    }
  }
  // The same list object keeps its element type for the encoder.
  groups.splice(0, groups.length, ...kept);
  setThriftField(meta, 3, 'i64', numRows);
  const footer = encodeThriftStruct(meta);
  const file = new Uint8Array(at + footer.length + 8);
  let offset = 0;
  for (const part of parts) {
    file.set(part, offset);
    offset += part.length;
  }
  file.set(footer, offset);
  new DataView(file.buffer).setUint32(offset + footer.length, footer.length, true);
  file.set(PARQUET_MAGIC, offset + footer.length + 4);
  return file;
}
