import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A table folder in a fresh temp dir, with helpers to write log files by hand. */
export async function tempTable(): Promise<{
  root: string;
  commit: (version: number, actions: object[]) => Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'meridian-delta-'));
  await mkdir(join(root, '_delta_log'), { recursive: true });
  return {
    root,
    commit: (version, actions) =>
      writeFile(
        join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`),
        `${actions.map((a) => JSON.stringify(a)).join('\n')}\n`,
      ),
  };
}

/** A metaData action for a schema given as name -> Delta type. */
export function metaData(
  fields: Record<string, string>,
  extra: { partitionColumns?: string[]; configuration?: Record<string, string> } = {},
): object {
  return {
    metaData: {
      id: 'test-table',
      format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify({
        type: 'struct',
        fields: Object.entries(fields).map(([name, type]) => ({ name, type, nullable: true, metadata: {} })),
      }),
      partitionColumns: extra.partitionColumns ?? [],
      configuration: extra.configuration ?? {},
      createdTime: 0,
    },
  };
}

/** An add action. */
export function add(path: string, extra: Record<string, unknown> = {}): object {
  return { add: { path, partitionValues: {}, size: 100, modificationTime: 0, dataChange: true, ...extra } };
}

/** A remove action. */
export function remove(path: string, extra: Record<string, unknown> = {}): object {
  return { remove: { path, deletionTimestamp: 1, dataChange: true, ...extra } };
}

/** Z85 encoding (ZeroMQ RFC 32), to write deletion vector descriptors in tests. */
export function z85Encode(bytes: Uint8Array): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let v =
      ((bytes[i] ?? 0) * 2 ** 24 +
        (bytes[i + 1] ?? 0) * 2 ** 16 +
        (bytes[i + 2] ?? 0) * 2 ** 8 +
        (bytes[i + 3] ?? 0)) >>>
      0;
    let chunk = '';
    for (let j = 0; j < 5; j++) {
      chunk = alphabet[v % 85] + chunk;
      v = Math.floor(v / 85);
    }
    out += chunk;
  }
  return out;
}

/**
 * A Delta deletion vector payload: magic, then a RoaringBitmapArray with one 32-bit bucket holding
 * `rows` as one array container (portable format without run containers).
 */
export function deletionVectorBytes(rows: readonly number[]): Uint8Array {
  const sorted = [...rows].sort((a, b) => a - b);
  const size = 4 + 8 + 4 + 4 + 4 + 4 + 4 + 2 * sorted.length;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  let p = 0;
  v.setUint32(p, 1681511377, true);
  p += 4;
  v.setBigUint64(p, 1n, true);
  p += 8;
  v.setUint32(p, 0, true); // bucket key (high 32 bits)
  p += 4;
  v.setUint32(p, 12346, true); // SERIAL_COOKIE_NO_RUNCONTAINER
  p += 4;
  v.setUint32(p, 1, true); // one container
  p += 4;
  v.setUint16(p, 0, true); // container key
  v.setUint16(p + 2, sorted.length - 1, true); // cardinality - 1
  p += 4;
  v.setUint32(p, p + 4 - 12, true); // offset header (unused by readers that scan sequentially)
  p += 4;
  for (const r of sorted) {
    v.setUint16(p, r, true);
    p += 2;
  }
  return b;
}
