import { DeltaError } from '../errors.ts';

// Constants of the portable RoaringBitmap format (RoaringFormatSpec, github.com/RoaringBitmap/RoaringFormatSpec).
const SERIAL_COOKIE_NO_RUNCONTAINER = 12346;
const SERIAL_COOKIE = 12347;
const NO_OFFSET_THRESHOLD = 4;
const MAX_ARRAY_CARDINALITY = 4096;

function corrupt(why: string): never {
  throw new DeltaError('invalid-log', `deletion vector bitmap is corrupt: ${why}`, {
    hint: 'the deletion vector file does not hold a portable RoaringBitmap',
  });
}

/**
 * Decodes one 32-bit portable RoaringBitmap starting at `pos`, calling `emit` with each value in
 * ascending order; returns the position after it.
 */
function decodeRoaring32(view: DataView, pos: number, emit: (low32: number) => void): number {
  if (pos + 4 > view.byteLength) corrupt('truncated header');
  const cookie = view.getUint32(pos, true);
  pos += 4;
  let size: number;
  let runBitmap: Uint8Array | undefined;
  const hasRuns = (cookie & 0xffff) === SERIAL_COOKIE;
  if (hasRuns) {
    size = (cookie >>> 16) + 1;
    const n = Math.ceil(size / 8);
    runBitmap = new Uint8Array(view.buffer, view.byteOffset + pos, n);
    pos += n;
  } else if (cookie === SERIAL_COOKIE_NO_RUNCONTAINER) {
    size = view.getUint32(pos, true);
    pos += 4;
  } else {
    return corrupt(`unknown cookie ${cookie}`);
  }
  const keys = new Uint16Array(size);
  const cards = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    keys[i] = view.getUint16(pos, true);
    cards[i] = view.getUint16(pos + 2, true) + 1;
    pos += 4;
  }
  // The offset header is present unless the run cookie is used with fewer than 4 containers.
  if (!hasRuns || size >= NO_OFFSET_THRESHOLD) pos += 4 * size;
  for (let i = 0; i < size; i++) {
    const high = (keys[i] as number) << 16;
    const isRun = runBitmap !== undefined && ((runBitmap[i >>> 3] as number) & (1 << (i & 7))) !== 0;
    if (isRun) {
      const runs = view.getUint16(pos, true);
      pos += 2;
      for (let r = 0; r < runs; r++) {
        const start = view.getUint16(pos, true);
        const len = view.getUint16(pos + 2, true);
        pos += 4;
        for (let v = start; v <= start + len; v++) emit((high | v) >>> 0);
      }
    } else if ((cards[i] as number) > MAX_ARRAY_CARDINALITY) {
      for (let w = 0; w < 1024; w++) {
        let lo = view.getUint32(pos + w * 8, true);
        let hi = view.getUint32(pos + w * 8 + 4, true);
        for (let b = 0; lo !== 0 && b < 32; b++, lo >>>= 1) if (lo & 1) emit((high | (w * 64 + b)) >>> 0);
        for (let b = 0; hi !== 0 && b < 32; b++, hi >>>= 1) if (hi & 1) emit((high | (w * 64 + 32 + b)) >>> 0);
      }
      pos += 8192;
    } else {
      for (let c = 0; c < (cards[i] as number); c++) emit((high | view.getUint16(pos + c * 2, true)) >>> 0);
      pos += 2 * (cards[i] as number);
    }
  }
  return pos;
}

/**
 * Decodes a 64-bit RoaringBitmapArray in the portable format Delta uses (PROTOCOL.md "Deletion
 * Vector Format"): an 8-byte bucket count, then per bucket a 4-byte high key and a 32-bit bitmap.
 * Returns the row indexes in ascending order.
 */
export function decodeRoaring64(bytes: Uint8Array): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  if (bytes.byteLength < 8) corrupt('truncated bucket count');
  const buckets = Number(view.getBigUint64(0, true));
  let pos = 8;
  for (let b = 0; b < buckets; b++) {
    const key = view.getUint32(pos, true);
    pos += 4;
    const base = key * 2 ** 32;
    pos = decodeRoaring32(view, pos, (low) => out.push(base + low));
  }
  return Float64Array.from(out);
}

/**
 * Decodes Delta Spark's native RoaringBitmapArray layout (after its magic): a big-endian count of
 * 32-bit bitmaps, then each as a big-endian byte size and a portable 32-bit RoaringBitmap; the
 * bitmap's index is the high 32 bits of its values.
 */
export function decodeNativeRoaringArray(bytes: Uint8Array): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) corrupt('truncated bitmap count');
  const count = view.getUint32(0, false);
  const out: number[] = [];
  let pos = 4;
  for (let b = 0; b < count; b++) {
    const size = view.getUint32(pos, false);
    pos += 4;
    const base = b * 2 ** 32;
    const end = decodeRoaring32(view, pos, (low) => out.push(base + low));
    if (end !== pos + size) corrupt(`bitmap ${b} is ${end - pos} bytes, its header says ${size}`);
    pos = end;
  }
  return Float64Array.from(out);
}
