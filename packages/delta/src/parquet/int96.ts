/*
 * INT96 timestamps (Spark's default parquet timestamp type, deprecated by parquet-format) hold
 * 8 bytes of nanoseconds within the day and 4 bytes of Julian day, little-endian. parquet-wasm
 * (arrow-rs) converts them to int64 nanoseconds with wrapping arithmetic, so instants outside
 * 1677-2262 (Spark's 9999-12-31 "forever" sentinels) come back as wrong dates. The PLAIN and
 * dictionary encodings of INT96 are byte-for-byte those of FIXED_LEN_BYTE_ARRAY(12), so this module
 * re-labels INT96 columns as FLBA(12) in a copy of the footer: the decoder then hands over the raw
 * 12 bytes and `int96ToMicros` converts them exactly.
 */

// Thrift compact protocol type ids (thrift/doc/specs/thrift-compact-protocol.md).
const T_STOP = 0;
const T_TRUE = 1;
const T_FALSE = 2;
const T_BYTE = 3;
const T_I16 = 4;
const T_I32 = 5;
const T_I64 = 6;
const T_DOUBLE = 7;
const T_BINARY = 8;
const T_LIST = 9;
const T_SET = 10;
const T_MAP = 11;
const T_STRUCT = 12;

// parquet.thrift `Type` values.
const INT96 = 3;
const FIXED_LEN_BYTE_ARRAY = 7;

/** Unix epoch as a Julian day number (parquet INT96 day part). */
const JULIAN_EPOCH_DAY = 2_440_588n;

class Cursor {
  // Plain fields, no parameter properties: decode workers load this file with Node's type stripping.
  readonly b: Uint8Array;
  pos: number;
  constructor(b: Uint8Array, pos: number) {
    this.b = b;
    this.pos = pos;
  }
  byte(): number {
    const v = this.b[this.pos++];
    if (v === undefined) throw new RangeError('thrift: truncated');
    return v;
  }
  // Numbers, not BigInt: every value read here is an id, a type, a length or a count; a larger one (an i64 being
  // skipped) only has to be stepped over. BigInt arithmetic made this walk 2 ms per footer, run on every decode.
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const x = this.byte();
      value += (x & 0x7f) * scale;
      if ((x & 0x80) === 0) return value;
      scale *= 128;
    }
  }
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
}

interface FieldVisit {
  readonly id: number;
  readonly type: number;
  readonly headerPos: number;
  readonly valuePos: number;
}

/** A boolean inside a list, set or map is a byte of its own (outside one, it is the field header's type). */
function inCollection(type: number): number {
  return type === T_TRUE || type === T_FALSE ? T_BYTE : type;
}

/** Every element takes at least a byte: a count past the bytes left is refused before the loop. */
function checkSize(c: Cursor, n: number): void {
  if (n > c.b.length - c.pos) throw new RangeError('thrift: a collection runs past the end');
}

function skip(c: Cursor, type: number): void {
  switch (type) {
    case T_TRUE:
    case T_FALSE:
      return;
    case T_BYTE:
      c.pos += 1;
      return;
    case T_I16:
    case T_I32:
    case T_I64:
      c.varint();
      return;
    case T_DOUBLE:
      c.pos += 8;
      return;
    case T_BINARY: {
      const n = c.varint();
      c.pos += n;
      return;
    }
    case T_LIST:
    case T_SET: {
      const h = c.byte();
      let n = h >> 4;
      if (n === 15) n = c.varint();
      checkSize(c, n);
      const et = h & 0x0f;
      for (let i = 0; i < n; i++) skip(c, inCollection(et));
      return;
    }
    case T_MAP: {
      const n = c.varint();
      checkSize(c, n);
      if (n === 0) return;
      const kv = c.byte();
      for (let i = 0; i < n; i++) {
        skip(c, inCollection(kv >> 4));
        skip(c, inCollection(kv & 0x0f));
      }
      return;
    }
    case T_STRUCT:
      struct(c, () => false);
      return;
    default:
      throw new RangeError(`thrift: unknown type ${type}`);
  }
}

/** Walks a struct; `visit` handles a field itself (returns true) or lets it be skipped. */
function struct(c: Cursor, visit: (f: FieldVisit, c: Cursor) => boolean): void {
  let last = 0;
  for (;;) {
    const headerPos = c.pos;
    const h = c.byte();
    const type = h & 0x0f;
    if (type === T_STOP) return;
    const delta = h >> 4;
    const id = delta === 0 ? c.zigzag() : last + delta;
    last = id;
    if (!visit({ id, type, headerPos, valuePos: c.pos }, c)) skip(c, type);
  }
}

function list(c: Cursor, each: (c: Cursor, elementType: number) => void): void {
  const h = c.byte();
  let n = h >> 4;
  if (n === 15) n = c.varint();
  checkSize(c, n);
  for (let i = 0; i < n; i++) each(c, h & 0x0f);
}

interface Edit {
  readonly at: number;
  readonly remove: number;
  readonly insert: readonly number[];
}

/**
 * Returns a copy of a parquet file whose footer labels INT96 columns FIXED_LEN_BYTE_ARRAY(12), or
 * undefined when the file has no INT96 column (or a footer this walker does not understand).
 */
export function relabelInt96(bytes: Uint8Array): Uint8Array | undefined {
  const n = bytes.length;
  if (n < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(n - 4, true) !== 0x31524150) return undefined;
  const footerLength = view.getUint32(n - 8, true);
  const start = n - 8 - footerLength;
  if (start < 4) return undefined;
  const footer = bytes.subarray(start, n - 8);
  const edits: Edit[] = [];
  try {
    const c = new Cursor(footer, 0);
    struct(c, (f, c) => {
      if (f.id === 2 && f.type === T_LIST) {
        list(c, (c) => schemaElement(c, edits));
        return true;
      }
      if (f.id === 4 && f.type === T_LIST) {
        list(c, (c) =>
          struct(c, (rg, c) => {
            if (rg.id !== 1 || rg.type !== T_LIST) return false;
            list(c, (c) =>
              struct(c, (cc, c) => {
                if (cc.id !== 3 || cc.type !== T_STRUCT) return false;
                struct(c, (md, c) => {
                  if (md.id !== 1 || md.type !== T_I32) return false;
                  if (c.zigzag() === INT96)
                    edits.push({ at: md.valuePos, remove: c.pos - md.valuePos, insert: [FIXED_LEN_BYTE_ARRAY * 2] });
                  return true;
                });
                return true;
              }),
            );
            return true;
          }),
        );
        return true;
      }
      return false;
    });
  } catch {
    return undefined;
  }
  if (edits.length === 0) return undefined;
  edits.sort((a, b) => a.at - b.at);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const e of edits) {
    parts.push(footer.subarray(from, e.at), Uint8Array.from(e.insert));
    from = e.at + e.remove;
  }
  parts.push(footer.subarray(from));
  const newLength = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(start + newLength + 8);
  out.set(bytes.subarray(0, start), 0);
  let at = start;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  new DataView(out.buffer).setUint32(at, newLength, true);
  out.set(bytes.subarray(n - 4), at + 4);
  return out;
}

/** Queues the edits that turn one INT96 SchemaElement into FLBA(12) (type 7, type_length 12). */
function schemaElement(c: Cursor, edits: Edit[]): void {
  let typeField: FieldVisit | undefined;
  let typeEnd = 0;
  let isInt96 = false;
  let hasLength = false;
  let nextHeader: { pos: number; byte: number } | undefined;
  struct(c, (f, c) => {
    if (typeField && !nextHeader && f.headerPos === typeEnd)
      nextHeader = { pos: f.headerPos, byte: c.b[f.headerPos] as number };
    if (f.id === 1 && f.type === T_I32) {
      typeField = f;
      isInt96 = c.zigzag() === INT96;
      typeEnd = c.pos;
      return true;
    }
    if (f.id === 2) hasLength = true;
    return false;
  });
  if (!isInt96 || !typeField) return;
  edits.push({ at: typeField.valuePos, remove: typeEnd - typeField.valuePos, insert: [FIXED_LEN_BYTE_ARRAY * 2] });
  if (hasLength) return;
  // The field after `type` (or the struct's stop byte) starts where `type` ends.
  const next = nextHeader ?? { pos: typeEnd, byte: c.b[typeEnd] as number };
  // Insert field 2 (type_length = 12, zigzag 24) right after field 1, then shift the next field's
  // short-form delta by one since it now follows field 2.
  const delta = next.byte >> 4;
  const fixedNext =
    (next.byte & 0x0f) !== T_STOP && delta > 1 ? [((delta - 1) << 4) | (next.byte & 0x0f)] : [next.byte];
  edits.push({ at: typeEnd, remove: 1, insert: [(1 << 4) | T_I32, 24, ...fixedNext] });
}

/** Microseconds since the epoch of raw INT96 values (12 bytes each: nanos of day, Julian day). */
export function int96ToMicros(raw: Uint8Array, count: number): BigInt64Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new BigInt64Array(count);
  for (let i = 0; i < count; i++) {
    const nanos = view.getBigInt64(i * 12, true);
    const day = BigInt(view.getInt32(i * 12 + 8, true));
    const us = nanos / 1000n - (nanos % 1000n < 0n ? 1n : 0n);
    out[i] = (day - JULIAN_EPOCH_DAY) * 86_400_000_000n + us;
  }
  return out;
}
