/**
 * A run of a parquet file rewritten for the decoder: only the run's row groups and the projected columns' chunks,
 * packed one after the other, with zstd and gzip pages decompressed by Node's own zlib (native code, several times
 * parquet-wasm's speed) and the footer rewritten to match. parquet-wasm then decodes a file a fraction of the
 * original's size and decompresses nothing. Snappy, LZ4 and Brotli chunks are copied as written, the decoder
 * decompresses those. Anything this does not follow (encryption, a chunk in another file, a page it does not know, a
 * page that does not decompress to its stated size) leaves the run to the decoder as written: the answer never
 * depends on this rewrite, only the speed. When the decode keeps a span of the run's rows (an offset, a limit), a data
 * page wholly outside it is written as a page of nulls instead of being decompressed, in a column of one value per
 * row: the decoder drops those rows whatever they hold. Used for runs decoded on the calling thread
 * (docs/decisions/041 and 042).
 */
import type { DecodeOptions } from './decode.ts';
import { leavesOf, PARQUET_MAGIC } from './footer.ts';
import { InflateError, inflatePage, inflates } from './inflate.ts';
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

// parquet.thrift CompressionCodec, PageType and Encoding values.
const UNCOMPRESSED = 0;
const DATA_PAGE = 0;
const INDEX_PAGE = 1;
const DICTIONARY_PAGE = 2;
const DATA_PAGE_V2 = 3;
const PLAIN = 0;
const RLE = 3;
const utf8 = new TextDecoder();

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

/** One page's header and body as they go into the rewritten chunk (a body decompressing, or its bytes). */
interface Page {
  readonly header: Uint8Array;
  readonly body: (Uint8Array | Promise<Uint8Array>)[];
  readonly isDictionary: boolean;
  /** Header and body, decompressed. */
  readonly length: number;
}

/** A page as read, before its body is decompressed. */
interface ReadPage {
  readonly type: number;
  readonly header: ThriftStruct;
  /** Bytes kept as they are (v2 levels, an uncompressed body), then the bytes to decompress to `expected` bytes. */
  readonly kept: Uint8Array;
  readonly packed: Uint8Array | undefined;
  readonly expected: number;
}

/**
 * The rows of a row group the decode keeps, [from, to): a data page wholly outside them is written as a page of nulls
 * instead of being decompressed, and the dictionary of a chunk left with no other page is dropped. Given only for a
 * column with one value per row (no repetition, at most one level of nulls), where a page's values are its rows.
 */
interface KeptRows {
  readonly from: number;
  readonly to: number;
  /** The row group's row count, which the chunk's pages must add up to. */
  readonly rows: number;
}

const varintBytes = (n: number): number[] => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
};

/**
 * A v1 data page of `count` nulls: definition levels one RLE run of 0 (a 4-byte length, the run's header, one byte of
 * value), no values. Compact protocol by hand: fields 1-3 of PageHeader (type, sizes) and 5 (DataPageHeader: values,
 * encoding, level encodings), each an i32 one id after the last (0x15) but the struct (0x2c, two ids on).
 */
export function nullPage(count: number): { header: Uint8Array; body: Uint8Array } {
  const run = [...varintBytes(count * 2), 0];
  const body = Uint8Array.from([run.length, 0, 0, 0, ...run]);
  const i32 = (n: number) => [0x15, ...varintBytes(n * 2)];
  const header = Uint8Array.from([
    ...i32(DATA_PAGE),
    ...i32(body.length),
    ...i32(body.length),
    0x2c,
    ...i32(count),
    ...i32(PLAIN),
    ...i32(RLE),
    ...i32(RLE),
    0,
    0,
  ]);
  return { header, body };
}

/** The pages of one chunk as written, each header checked. */
function readPages(chunk: Uint8Array): ReadPage[] {
  const pages: ReadPage[] = [];
  let pos = 0;
  while (pos < chunk.length) {
    const { value: header, end } = readThriftStruct(chunk, pos, true);
    const type = num(header.get(1));
    const compressed = num(header.get(3));
    const uncompressed = num(header.get(2));
    if (type === undefined || compressed === undefined || uncompressed === undefined) throw new NotTranscoded();
    if (compressed < 0 || uncompressed < 0 || end + compressed > chunk.length) throw new NotTranscoded();
    const body = chunk.subarray(end, end + compressed);
    pos = end + compressed;
    if (type === DATA_PAGE_V2) {
      // Levels are never compressed; the values after them are unless is_compressed says false.
      const v2 = struct(header.get(8));
      const levels = (num(v2.get(5)) ?? 0) + (num(v2.get(6)) ?? 0);
      if (levels < 0 || levels > compressed || levels > uncompressed) throw new NotTranscoded();
      const asWritten = v2.get(7) === false;
      const expected = uncompressed - levels;
      const packed = asWritten || (levels === compressed && expected === 0) ? undefined : body.subarray(levels);
      pages.push({ type, header, kept: asWritten ? body : body.subarray(0, levels), packed, expected });
      setThriftField(v2, 7, 'bool', false);
    } else if (type === INDEX_PAGE) pages.push({ type, header, kept: body, packed: undefined, expected: 0 });
    else if (type === DATA_PAGE || type === DICTIONARY_PAGE)
      pages.push({ type, header, kept: body.subarray(0, 0), packed: body, expected: uncompressed });
    else throw new NotTranscoded();
  }
  return pages;
}

/** The rows of a data page (one value per row: `KeptRows`); undefined for any other page. */
function rowsOf(page: ReadPage): number | undefined {
  if (page.type === DATA_PAGE) return num(struct(page.header.get(5)).get(1));
  if (page.type === DATA_PAGE_V2) return num(struct(page.header.get(8)).get(3));
  return undefined;
}

/**
 * The pages of one chunk with their bodies decompressed (or decompressing), every header rewritten (sizes, no CRC: it
 * covered the compressed bytes). At most `budget` bytes are decompressed: a page claiming more than the footer said is
 * refused before anything is. With `keep`, pages wholly outside its rows become pages of nulls.
 */
function inflateChunk(
  chunk: Uint8Array,
  codec: number,
  budget: number,
  keep: KeptRows | undefined,
  offload: boolean,
): Page[] {
  const read = readPages(chunk);
  // Which data pages hold kept rows; with none, the dictionary is not needed either.
  const skipped = new Set<ReadPage>();
  if (keep) {
    let row = 0;
    for (const page of read) {
      const rows = rowsOf(page);
      if (rows === undefined) continue;
      if (rows < 0) throw new NotTranscoded();
      if (rows > 0 && (row + rows <= keep.from || row >= keep.to)) skipped.add(page);
      row += rows;
    }
    // Pages adding up to another count are not one value per row: leave the run to the decoder.
    if (row !== keep.rows) throw new NotTranscoded();
    const needsDictionary = read.some((page) => rowsOf(page) !== undefined && !skipped.has(page));
    if (!needsDictionary) for (const page of read) if (page.type === DICTIONARY_PAGE) skipped.add(page);
  }
  let inflated = 0;
  for (const page of read) {
    if (skipped.has(page)) continue;
    inflated += page.kept.length + (page.packed ? page.expected : 0);
    if (inflated > budget) throw new NotTranscoded();
  }
  // The largest bodies first: they go to the thread pool (inflate.ts), and this thread takes the others meanwhile.
  const bodies = new Map<ReadPage, Uint8Array | Promise<Uint8Array>>();
  for (const page of [...read].sort((a, b) => (b.packed?.length ?? 0) - (a.packed?.length ?? 0)))
    if (page.packed && !skipped.has(page)) bodies.set(page, inflatePage(codec, page.packed, page.expected, offload));
  const pages: Page[] = [];
  for (const page of read) {
    if (skipped.has(page)) {
      if (page.type === DICTIONARY_PAGE) continue;
      const { header, body } = nullPage(rowsOf(page) as number);
      pages.push({ header, body: [body], isDictionary: false, length: header.length + body.length });
      continue;
    }
    const length = page.kept.length + (page.packed ? page.expected : 0);
    page.header.set(3, length);
    page.header.delete(4);
    const header = encodeThriftStruct(page.header);
    const body = bodies.get(page);
    pages.push({
      header,
      body: body ? [page.kept, body] : [page.kept],
      isDictionary: page.type === DICTIONARY_PAGE,
      length: header.length + length,
    });
  }
  return pages;
}

/**
 * The run `options` pick from the file `source` reads, as a parquet file of its own, with the options that decode it
 * (its row groups are the run's, in order, so it takes no `rowGroups`); undefined when the run is left to the decoder
 * as written. With `offload`, its largest pages are decompressed on libuv's thread pool meanwhile. The scan asks for
 * it when it reads one file: the bench's selective scan takes about 10 % less with it, while its streamed full scan of
 * 16 files on the calling thread took 5-15 % longer (docs/decisions/042).
 */
export async function transcodeRun(
  source: FileSource,
  options: DecodeOptions,
  offload = false,
): Promise<{ bytes: Uint8Array; options: DecodeOptions } | undefined> {
  if (!enabled) return undefined;
  try {
    const bytes = await transcode(source, options, offload);
    const { rowGroups: _, ...rest } = options;
    return { bytes, options: rest };
  } catch (error) {
    // The thrift reader's and encoder's errors on a malformed footer or header, and zlib's, end the rewrite too.
    if (
      error instanceof NotTranscoded ||
      error instanceof InflateError ||
      error instanceof ThriftDecodeError ||
      error instanceof RangeError ||
      error instanceof TypeError
    )
      return undefined;
    throw error;
  }
}

async function transcode(source: FileSource, options: DecodeOptions, offload: boolean): Promise<Uint8Array> {
  const { rowGroups, columns: projection } = options;
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
  const schema = leavesOf(list(meta.get(2)));
  const leaves = schema.map((leaf) => leaf.path.join('.'));
  // The decode keeps rows [first, last) of the run (offset and limit count over its row groups in order).
  const first = options.offset ?? 0;
  const last = options.limit === undefined ? Number.POSITIVE_INFINITY : first + options.limit;
  const spans = options.offset !== undefined || options.limit !== undefined;
  if (projection?.some((name) => !/^[\x20-\x7e]*$/.test(name))) throw new NotTranscoded();
  const projected = (dotted: string) =>
    !projection || projection.some((name) => dotted === name || dotted.startsWith(`${name}.`));
  const kept: ThriftValue[] = [];
  const parts: (Uint8Array | Promise<Uint8Array>)[] = [PARQUET_MAGIC];
  let at = PARQUET_MAGIC.length;
  let numRows = 0;
  for (const index of wanted) {
    const group = struct(groups[index]);
    kept.push(group);
    const groupRows = num(group.get(3)) ?? 0;
    const keep: KeptRows = { from: first - numRows, to: last - numRows, rows: groupRows };
    numRows += groupRows;
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
      if (!inflates(codec)) {
        // Copied as written (uncompressed, or a codec the decoder decompresses): only its place moves.
        const shift = at - start;
        setThriftField(column, 9, 'i64', data + shift);
        if (dictionary !== undefined && dictionary > 0) setThriftField(column, 11, 'i64', dictionary + shift);
        setThriftField(chunk, 2, 'i64', at);
        parts.push(bytes);
        at += bytes.length;
        continue;
      }
      // Pages of nulls stand for rows the decode drops, only in a column of one value per row.
      const flat = schema[leaf]?.maxRepetition === 0 && schema[leaf]?.maxDefinition === 1;
      const pages = inflateChunk(bytes, codec, num(column.get(6)) ?? 0, spans && flat ? keep : undefined, offload);
      const chunkStart = at;
      let dataOffset: number | undefined;
      let dictionaryOffset: number | undefined;
      for (const page of pages) {
        if (page.isDictionary && dataOffset === undefined && dictionaryOffset === undefined) dictionaryOffset = at;
        else if (!page.isDictionary) dataOffset ??= at;
        parts.push(page.header, ...page.body);
        at += page.length;
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
  for (const part of await Promise.all(parts)) {
    file.set(part, offset);
    offset += part.length;
  }
  file.set(footer, offset);
  new DataView(file.buffer).setUint32(offset + footer.length, footer.length, true);
  file.set(PARQUET_MAGIC, offset + footer.length + 4);
  return file;
}
