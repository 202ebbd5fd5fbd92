/**
 * Reads Arrow data parquet-wasm exports through the Arrow C data interface (ArrowSchema / ArrowArray structs in its
 * WebAssembly memory, https://arrow.apache.org/docs/format/CDataInterface.html) and copies every buffer out into a
 * fresh ArrayBuffer. This replaces `Table.intoIPCStream()`, which serialises the table inside wasm memory, copies the
 * stream out and leaves it to be parsed again (bench/README.md, "the full scan": a quarter of a worker's time).
 *
 * Copies, never views: wasm memory is reused and grown after the export is freed (a grow detaches the old buffer).
 * Each copy owns its ArrayBuffer whole, so a worker can transfer it to the calling thread without another copy.
 *
 * Imports nothing (a decode worker loads it): the calling thread turns what it returns into apache-arrow data
 * (ffi-arrow.ts). Only the formats {@link isCopyableFormat} accepts are read; for any other the caller keeps the IPC
 * path (decode.ts), so a type this reader does not know can never be decoded differently.
 */

/** One field of the exported schema: the C struct's format string, name, flags and metadata, and its children. */
export interface CopiedField {
  readonly format: string;
  readonly name: string;
  /** ARROW_FLAG_* bits: 1 dictionary ordered, 2 nullable, 4 map keys sorted. */
  readonly flags: number;
  readonly metadata: readonly (readonly [string, string])[];
  readonly children: readonly CopiedField[];
}

/**
 * One array's data, rebased to offset 0: its validity bitmap (undefined when it has no nulls) and its other buffers
 * in the C data interface's order without the validity one (values; offsets then values for variable-width types;
 * offsets for lists and maps), each a Uint8Array owning its ArrayBuffer.
 */
export interface CopiedData {
  readonly length: number;
  readonly nullCount: number;
  readonly validity: Uint8Array | undefined;
  readonly buffers: readonly Uint8Array[];
  readonly children: readonly CopiedData[];
}

/** A table copied out of wasm memory: its schema (a struct field, as parquet-wasm exports it) and its batches. */
export interface CopiedTable {
  readonly schema: CopiedField;
  readonly batches: readonly CopiedData[];
}

// Struct layouts on wasm32: pointers are 4 bytes, int64 fields 8 bytes aligned to 8 (the C ABI of wasm32).
// ArrowSchema: format 0, name 4, metadata 8, flags 16, n_children 24, children 32, dictionary 36, release 40.
// ArrowArray: length 0, null_count 8, offset 16, n_buffers 24, n_children 32, buffers 40, children 44, dictionary 48.
const SCHEMA = { format: 0, name: 4, metadata: 8, flags: 16, nChildren: 24, children: 32, dictionary: 36 } as const;
const ARRAY = { length: 0, nullCount: 8, offset: 16, nBuffers: 24, nChildren: 32, buffers: 40, children: 44 } as const;

const FIXED_WIDTH: Readonly<Record<string, number>> = {
  c: 1,
  C: 1,
  s: 2,
  S: 2,
  i: 4,
  I: 4,
  l: 8,
  L: 8,
  e: 2,
  f: 4,
  g: 8,
  tdD: 4,
  tdm: 8,
  tts: 4,
  ttm: 4,
  ttu: 8,
  ttn: 8,
  tDs: 8,
  tDm: 8,
  tDu: 8,
  tDn: 8,
};

/** The byte width of a fixed-width format this reader copies, else undefined. */
function fixedWidth(format: string): number | undefined {
  const width = FIXED_WIDTH[format];
  if (width !== undefined) return width;
  if (/^ts[smun]:/.test(format)) return 8;
  if (/^d:\d+,-?\d+(,128)?$/.test(format)) return 16;
  const binary = /^w:(\d+)$/.exec(format);
  if (binary) return Number(binary[1]);
  return undefined;
}

/** The fixed list size of a `+w:N` format, else undefined. */
export function fixedListSize(format: string): number | undefined {
  const match = /^\+w:(\d+)$/.exec(format);
  return match ? Number(match[1]) : undefined;
}

/** True when this reader copies the format (children are checked by {@link isCopyableField}). */
function isCopyableFormat(format: string): boolean {
  if (fixedWidth(format) !== undefined) return true;
  if (fixedListSize(format) !== undefined) return true;
  return ['n', 'b', 'u', 'z', 'U', 'Z', '+l', '+L', '+s', '+m'].includes(format);
}

/** True when the field, every child and none a dictionary, is one this reader copies. */
function isCopyableField(field: CopiedField, dictionary = false): boolean {
  return !dictionary && isCopyableFormat(field.format) && field.children.every((child) => isCopyableField(child));
}

const utf8 = new TextDecoder();

class WasmView {
  readonly view: DataView;
  readonly bytes: Uint8Array;

  constructor(buffer: ArrayBuffer) {
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
  }

  pointer(at: number): number {
    return this.view.getUint32(at, true);
  }

  int64(at: number): number {
    const value = this.view.getBigInt64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
      throw new Error(`Arrow C data interface: an int64 field out of range (${value})`);
    return Number(value);
  }

  cString(at: number): string {
    if (at === 0) return '';
    const end = this.bytes.indexOf(0, at);
    if (end < 0) throw new Error(`Arrow C data interface: the string at ${at} has no end inside wasm memory`);
    return utf8.decode(this.bytes.subarray(at, end));
  }

  /** A fresh copy of `length` bytes at `at` (its own ArrayBuffer, transferable). */
  copy(at: number, length: number): Uint8Array {
    // slice() would cut a range past the end short without a word: a short buffer read as a whole column would be
    // rows turned into garbage. A buffer must lie wholly inside wasm memory.
    if (at < 0 || length < 0 || at + length > this.bytes.length)
      throw new Error(`Arrow C data interface: a buffer of ${length} bytes at ${at} lies outside wasm memory`);
    return this.bytes.slice(at, at + length);
  }
}

/** Reads an exported ArrowSchema (its dictionary, if any, makes the field not copyable: `dictionary` is set). */
function readField(mem: WasmView, at: number): CopiedField & { readonly dictionary: boolean } {
  const metadataAt = mem.pointer(at + SCHEMA.metadata);
  const metadata: [string, string][] = [];
  if (metadataAt !== 0) {
    // int32 pair count, then per pair an int32 length and the key's bytes, an int32 length and the value's bytes.
    const count = mem.view.getInt32(metadataAt, true);
    let cursor = metadataAt + 4;
    for (let i = 0; i < count; i++) {
      const keyLength = mem.view.getInt32(cursor, true);
      const key = utf8.decode(mem.bytes.subarray(cursor + 4, cursor + 4 + keyLength));
      cursor += 4 + keyLength;
      const valueLength = mem.view.getInt32(cursor, true);
      const value = utf8.decode(mem.bytes.subarray(cursor + 4, cursor + 4 + valueLength));
      cursor += 4 + valueLength;
      metadata.push([key, value]);
    }
  }
  const nChildren = mem.int64(at + SCHEMA.nChildren);
  const childrenAt = mem.pointer(at + SCHEMA.children);
  const children: CopiedField[] = [];
  let dictionary = mem.pointer(at + SCHEMA.dictionary) !== 0;
  for (let i = 0; i < nChildren; i++) {
    const child = readField(mem, mem.pointer(childrenAt + 4 * i));
    dictionary ||= child.dictionary;
    children.push(child);
  }
  return {
    format: mem.cString(mem.pointer(at + SCHEMA.format)),
    name: mem.cString(mem.pointer(at + SCHEMA.name)),
    flags: Number(mem.view.getBigInt64(at + SCHEMA.flags, true)),
    metadata,
    children,
    dictionary,
  };
}

const POPCOUNT = new Uint8Array(256).map((_, byte) => {
  let count = 0;
  for (let bits = byte; bits !== 0; bits >>= 1) count += bits & 1;
  return count;
});

/** Copies `count` bits starting at bit `start` of the bitmap at `at`, into a fresh bitmap starting at bit 0. */
function copyBits(mem: WasmView, at: number, start: number, count: number): Uint8Array {
  const byteLength = Math.ceil(count / 8);
  if (start % 8 === 0) {
    const out = mem.copy(at + start / 8, byteLength);
    // Bits past `count` in the last byte are not ours: cleared, so counting set bits counts only ours.
    if (count % 8 !== 0) out[byteLength - 1] = (out[byteLength - 1] as number) & ((1 << (count % 8)) - 1);
    return out;
  }
  const out = new Uint8Array(byteLength);
  for (let i = 0; i < count; i++) {
    const bit = start + i;
    if (((mem.bytes[at + (bit >> 3)] as number) >> (bit & 7)) & 1)
      out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  }
  return out;
}

function countNulls(validity: Uint8Array, length: number): number {
  let set = 0;
  for (let i = 0; i < validity.length; i++) set += POPCOUNT[validity[i] as number] as number;
  return length - set;
}

/** Copies the offsets `[start, start + count]` (int32 or int64), rebased to start at 0; returns them and their span. */
function copyOffsets(
  mem: WasmView,
  at: number,
  start: number,
  count: number,
  wide: boolean,
): { offsets: Uint8Array; first: number; last: number } {
  const width = wide ? 8 : 4;
  const offsets = mem.copy(at + start * width, (count + 1) * width);
  if (wide) {
    const values = new BigInt64Array(offsets.buffer);
    const first = values[0] as bigint;
    const last = values[count] as bigint;
    if (first !== 0n) for (let i = 0; i <= count; i++) values[i] = (values[i] as bigint) - first;
    return { offsets, first: Number(first), last: Number(last) };
  }
  const values = new Int32Array(offsets.buffer);
  const first = values[0] as number;
  const last = values[count] as number;
  if (first !== 0) for (let i = 0; i <= count; i++) values[i] = (values[i] as number) - first;
  return { offsets, first, last };
}

/**
 * Copies elements `[start, start + count)` of the array at `at` (counted from the array's own offset) whose field is
 * `field`. The C interface's offset of a struct applies to its children too, and list offsets index the child from
 * its own offset: both become windows of the child read here.
 */
function readData(mem: WasmView, field: CopiedField, at: number, start: number, count: number): CopiedData {
  const physical = mem.int64(at + ARRAY.offset) + start;
  const nBuffers = mem.int64(at + ARRAY.nBuffers);
  const buffersAt = mem.pointer(at + ARRAY.buffers);
  const childrenAt = mem.pointer(at + ARRAY.children);
  const buffer = (i: number): number => (i < nBuffers ? mem.pointer(buffersAt + 4 * i) : 0);
  const child = (i: number): number => mem.pointer(childrenAt + 4 * i);
  const { format } = field;
  if (format === 'n') return { length: count, nullCount: count, validity: undefined, buffers: [], children: [] };

  let validity: Uint8Array | undefined;
  let nullCount = 0;
  const validityAt = buffer(0);
  if (validityAt !== 0 && mem.int64(at + ARRAY.nullCount) !== 0 && count > 0) {
    validity = copyBits(mem, validityAt, physical, count);
    nullCount = countNulls(validity, count);
    if (nullCount === 0) validity = undefined;
  }
  const done = (buffers: Uint8Array[], children: CopiedData[] = []): CopiedData => ({
    length: count,
    nullCount,
    validity,
    buffers,
    children,
  });

  if (format === 'b') return done([copyBits(mem, buffer(1), physical, count)]);
  const width = fixedWidth(format);
  if (width !== undefined) return done([mem.copy(buffer(1) + physical * width, count * width)]);
  if (format === 'u' || format === 'z' || format === 'U' || format === 'Z') {
    const { offsets, first, last } = copyOffsets(mem, buffer(1), physical, count, format === 'U' || format === 'Z');
    return done([offsets, mem.copy(buffer(2) + first, last - first)]);
  }
  if (format === '+l' || format === '+L' || format === '+m') {
    const { offsets, first, last } = copyOffsets(mem, buffer(1), physical, count, format === '+L');
    return done([offsets], [readData(mem, field.children[0] as CopiedField, child(0), first, last - first)]);
  }
  const listSize = fixedListSize(format);
  if (listSize !== undefined)
    return done([], [readData(mem, field.children[0] as CopiedField, child(0), physical * listSize, count * listSize)]);
  if (format === '+s')
    return done(
      [],
      field.children.map((f, i) => readData(mem, f, child(i), physical, count)),
    );
  throw new Error(`Arrow C data interface: format ${JSON.stringify(format)} is not read here`);
}

/** The part of a WebAssembly.Memory read here (parquet-wasm's wasmMemory()). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The parts of parquet-wasm's FFIStream (Table.intoFFI) this reader uses. */
export interface FFIStreamLike {
  numArrays(): number;
  arrayAddr(chunk: number): number;
  schemaAddr(): number;
}

/** Reads the schema of an exported stream: undefined when some field is not copyable (a dictionary, an unknown format). */
export function readCopyableSchema(memory: WasmMemory, schemaAddr: number): CopiedField | undefined {
  const field = readField(new WasmView(memory.buffer), schemaAddr);
  return isCopyableField(field, field.dictionary) ? stripDictionaryFlag(field) : undefined;
}

function stripDictionaryFlag(field: CopiedField): CopiedField {
  return {
    format: field.format,
    name: field.name,
    flags: field.flags,
    metadata: field.metadata,
    children: field.children.map(stripDictionaryFlag),
  };
}

/**
 * Copies every batch of an exported stream whose schema {@link readCopyableSchema} accepted. The caller frees the
 * stream afterwards; nothing returned points into wasm memory.
 */
export function copyStream(memory: WasmMemory, stream: FFIStreamLike, schema: CopiedField): CopiedTable {
  const batches: CopiedData[] = [];
  const count = stream.numArrays();
  for (let i = 0; i < count; i++) {
    const at = stream.arrayAddr(i);
    // Taken after the call: any allocation may have grown (and so detached) the previous buffer.
    const mem = new WasmView(memory.buffer);
    batches.push(readData(mem, schema, at, 0, mem.int64(at + ARRAY.length)));
  }
  return { schema, batches };
}

/** Every ArrayBuffer a copied table holds: the transfer list to move it to another thread. */
export function copiedBuffers(table: CopiedTable): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const walk = (data: CopiedData): void => {
    if (data.validity) out.push(data.validity.buffer as ArrayBuffer);
    for (const b of data.buffers) out.push(b.buffer as ArrayBuffer);
    for (const c of data.children) walk(c);
  };
  for (const batch of table.batches) walk(batch);
  return out;
}
