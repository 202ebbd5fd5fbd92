import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { DeltaError } from '../errors.ts';
import type { DeletionVectorDescriptor } from '../log/actions.ts';
import type { Storage } from '../storage/storage.ts';

// PROTOCOL.md "Deletion Vector Format": the RoaringBitmapArray magic, little-endian, before the 64-bit portable form.
const DV_MAGIC = 1681511377;
// RoaringFormatSpec: the cookie of a bitmap without run containers (an offset header follows the key/cardinality pairs).
const SERIAL_COOKIE_NO_RUNCONTAINER = 12346;
const MAX_ARRAY_CARDINALITY = 4096;
const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/** Z85 (ZeroMQ RFC 32) of bytes whose length is a multiple of 4. */
function z85Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let v =
      ((bytes[i] as number) * 2 ** 24 +
        ((bytes[i + 1] as number) << 16) +
        ((bytes[i + 2] as number) << 8) +
        (bytes[i + 3] as number)) >>>
      0;
    const chunk: string[] = [];
    for (let j = 0; j < 5; j++) {
      chunk.unshift(Z85[v % 85] as string);
      v = Math.floor(v / 85);
    }
    out += chunk.join('');
  }
  return out;
}

/**
 * Serializes ascending row indexes (each below 2^32: one parquet file) as Delta's RoaringBitmapArray: the magic, a
 * bucket count of 1 (8 bytes), the bucket key 0, then one 32-bit portable RoaringBitmap with an array container
 * per 65536-value block of up to 4096 rows and a bitmap container above that (RoaringFormatSpec).
 */
export function serializeRowIndexes(rows: readonly number[]): Uint8Array {
  const blocks = new Map<number, number[]>();
  for (const r of rows) {
    const key = Math.floor(r / 65536);
    const block = blocks.get(key);
    if (block) block.push(r % 65536);
    else blocks.set(key, [r % 65536]);
  }
  const keys = [...blocks.keys()].sort((a, b) => a - b);
  const sizes = keys.map((k) => {
    const n = (blocks.get(k) as number[]).length;
    return n > MAX_ARRAY_CARDINALITY ? 8192 : 2 * n;
  });
  const header32 = 8 + 8 * keys.length;
  const total = 4 + 8 + 4 + header32 + sizes.reduce((a, b) => a + b, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, DV_MAGIC, true);
  view.setBigUint64(4, keys.length === 0 ? 0n : 1n, true);
  if (keys.length === 0) return bytes.subarray(0, 12);
  view.setUint32(12, 0, true);
  const start = 16;
  view.setUint32(start, SERIAL_COOKIE_NO_RUNCONTAINER, true);
  view.setUint32(start + 4, keys.length, true);
  // Offsets count from the start of the 32-bit bitmap (its cookie).
  let offset = header32;
  for (const [i, key] of keys.entries()) {
    view.setUint16(start + 8 + 4 * i, key, true);
    view.setUint16(start + 8 + 4 * i + 2, (blocks.get(key) as number[]).length - 1, true);
    view.setUint32(start + 8 + 4 * keys.length + 4 * i, offset, true);
    offset += sizes[i] as number;
  }
  let pos = start + header32;
  for (const [i, key] of keys.entries()) {
    const block = (blocks.get(key) as number[]).sort((a, b) => a - b);
    if (block.length > MAX_ARRAY_CARDINALITY) {
      for (const v of block) bytes[pos + (v >>> 3)] = (bytes[pos + (v >>> 3)] as number) | (1 << (v & 7));
    } else {
      for (const [j, v] of block.entries()) view.setUint16(pos + 2 * j, v, true);
    }
    pos += sizes[i] as number;
  }
  return bytes;
}

/**
 * Stores a deletion vector as its own file (PROTOCOL.md "Deletion Vector File Storage Format": a version byte 1, then
 * the bitmap's size big-endian, the bitmap, its CRC-32 big-endian) named by a random UUID at the table root, and
 * returns the descriptor an add action carries (storage type 'u', offset 1).
 */
export async function writeDeletionVector(
  storage: Storage,
  rows: readonly number[],
  where: string,
): Promise<DeletionVectorDescriptor> {
  const last = rows[rows.length - 1];
  if (last !== undefined && last >= 2 ** 32) {
    throw new DeltaError(
      'unsupported-write',
      `${where} has more than 2^32 rows; its deletion vector would need buckets`,
      {
        path: where,
        hint: 'disable delta.enableDeletionVectors to rewrite the file instead',
      },
    );
  }
  const bitmap = serializeRowIndexes(rows);
  const file = new Uint8Array(1 + 4 + bitmap.length + 4);
  const view = new DataView(file.buffer);
  file[0] = 1;
  view.setUint32(1, bitmap.length, false);
  file.set(bitmap, 5);
  view.setUint32(5 + bitmap.length, crc32(bitmap), false);
  const uuid = randomUUID();
  const uuidBytes = Uint8Array.from(uuid.replaceAll('-', '').match(/../g) as string[], (h) => Number.parseInt(h, 16));
  await storage.put(`deletion_vector_${uuid}.bin`, file);
  return {
    storageType: 'u',
    pathOrInlineDv: z85Encode(uuidBytes),
    offset: 1,
    sizeInBytes: bitmap.length,
    cardinality: rows.length,
  };
}
