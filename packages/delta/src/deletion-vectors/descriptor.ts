import { DeltaError } from '../errors.ts';
import type { DeletionVectorDescriptor } from '../log/actions.ts';
import { resolveTablePath } from '../log/table-paths.ts';
import type { Storage } from '../storage/storage.ts';
import { decodeNativeRoaringArray, decodeRoaring64 } from './roaring.ts';
import { z85Decode } from './z85.ts';

// PROTOCOL.md "Deletion Vector Format": the serialized bitmap starts with this little-endian magic.
const DV_MAGIC = 1681511377;
// The protocol's own inline example (PROTOCOL.md "JSON Example 3 — Inline") uses the format Delta
// Spark calls native: this magic big-endian, a big-endian bitmap count, then per bitmap (its index
// is the high 32 bits) a big-endian size and a 32-bit portable RoaringBitmap.
const DV_MAGIC_NATIVE = 1681511376;

function invalid(message: string, where: string): DeltaError {
  return new DeltaError('invalid-log', message, { path: where, hint: 'the deletion vector is corrupt or missing' });
}

/** Formats 16 bytes as a canonical UUID string. */
function uuidString(b: Uint8Array): string {
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The storage key of an on-disk deletion vector. storageType 'u': an optional random prefix
 * followed by the Z85-encoded UUID (20 characters), file `<prefix>/deletion_vector_<uuid>.bin`;
 * 'p': an absolute path.
 */
export function deletionVectorKey(tableUri: string, dv: DeletionVectorDescriptor): string {
  if (dv.storageType === 'u') {
    const s = dv.pathOrInlineDv;
    if (s.length < 20) throw invalid(`deletion vector id '${s}' is too short`, tableUri);
    const prefix = s.slice(0, s.length - 20);
    const uuid = uuidString(z85Decode(s.slice(s.length - 20)));
    return `${prefix === '' ? '' : `${prefix}/`}deletion_vector_${uuid}.bin`;
  }
  if (dv.storageType === 'p') return resolveTablePath(tableUri, dv.pathOrInlineDv);
  throw new DeltaError('unsupported-reader-feature', `unknown deletion vector storage type '${dv.storageType}'`, {
    path: tableUri,
    hint: "PROTOCOL.md defines storage types 'u', 'i' and 'p'",
  });
}

function decodeBitmap(bytes: Uint8Array, where: string): Float64Array {
  if (bytes.byteLength < 4) throw invalid('deletion vector too short', where);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) === DV_MAGIC) return decodeRoaring64(bytes.subarray(4));
  if (view.getUint32(0, false) === DV_MAGIC_NATIVE) return decodeNativeRoaringArray(bytes.subarray(4));
  throw invalid('deletion vector lacks the RoaringBitmapArray magic number', where);
}

/**
 * Loads the row indexes a deletion vector marks deleted, ascending. Inline vectors are decoded
 * from the descriptor; stored ones are read from their file at `offset` (a 4-byte big-endian
 * size precedes the bitmap, PROTOCOL.md "Deletion Vector Format").
 */
export async function loadDeletionVector(storage: Storage, dv: DeletionVectorDescriptor): Promise<Float64Array> {
  let rows: Float64Array;
  if (dv.storageType === 'i') {
    rows = decodeBitmap(z85Decode(dv.pathOrInlineDv).subarray(0, dv.sizeInBytes), 'inline deletion vector');
  } else {
    const key = deletionVectorKey(storage.uri, dv);
    const offset = dv.offset ?? 1;
    let bytes: Uint8Array;
    try {
      bytes = await storage.getRange(key, offset, offset + 4 + dv.sizeInBytes);
    } catch (cause) {
      throw new DeltaError('log-incomplete', 'a deletion vector file the log names is missing', {
        path: key,
        hint: 'the table is missing a file it needs; it cannot be read at this version',
        cause,
      });
    }
    const size = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
    if (size !== dv.sizeInBytes)
      throw invalid(`deletion vector size ${size} differs from the log's ${dv.sizeInBytes}`, key);
    rows = decodeBitmap(bytes.subarray(4, 4 + size), key);
  }
  if (rows.length !== dv.cardinality) {
    throw invalid(`deletion vector holds ${rows.length} rows, the log says ${dv.cardinality}`, storage.uri);
  }
  return rows;
}
