import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deletionVectorKey, loadDeletionVector } from '../src/deletion-vectors/descriptor.ts';
import { decodeRoaring64 } from '../src/deletion-vectors/roaring.ts';
import { z85Decode } from '../src/deletion-vectors/z85.ts';
import { openStorage } from '../src/index.ts';
import { deletionVectorBytes, z85Encode } from './support/delta-log.ts';

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '../../..', '../shared/delta-corpus');

/** A portable 32-bit RoaringBitmap with the run cookie: one run container, one bitmap, one array. */
function roaringWithRuns(): Uint8Array {
  const parts: number[] = [];
  const u16 = (v: number) => parts.push(v & 0xff, (v >> 8) & 0xff);
  const u32 = (v: number) => {
    u16(v & 0xffff);
    u16(v >>> 16);
  };
  // 3 containers: cookie 12347 | (3 - 1) << 16, then the run bitmap (container 0 is a run container).
  u32(12347 | (2 << 16));
  parts.push(0b001);
  // keys / cardinality - 1
  u16(0);
  u16(10 - 1); // run [5, 14]
  u16(1);
  u16(4097 - 1); // bitmap: 4097 values
  u16(2);
  u16(2 - 1); // array
  // fewer than 4 containers with runs: no offset header
  u16(1); // one run
  u16(5);
  u16(9); // start 5, length - 1 = 9
  const bitmap = new Uint8Array(8192);
  for (let v = 0; v < 4097; v++) bitmap[v >> 3] = (bitmap[v >> 3] as number) | (1 << (v & 7));
  parts.push(...bitmap);
  u16(7);
  u16(65535);
  return new Uint8Array(parts);
}

describe('deletion vectors', () => {
  it('decodes Z85 (RFC 32 test vector)', () => {
    expect([...z85Decode('HelloWorld')]).toEqual([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
    expect(z85Encode(z85Decode('HelloWorld'))).toBe('HelloWorld');
  });

  it('decodes array, bitmap and run containers across 64-bit buckets', () => {
    const bucket = roaringWithRuns();
    const bytes = new Uint8Array(8 + 2 * (4 + bucket.length));
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, 2n, true);
    v.setUint32(8, 0, true);
    bytes.set(bucket, 12);
    v.setUint32(12 + bucket.length, 3, true); // high key 3
    bytes.set(bucket, 16 + bucket.length);
    const rows = decodeRoaring64(bytes);
    const low = [...Array(10).keys()].map((i) => 5 + i);
    const mid = [...Array(4097).keys()].map((i) => 65536 + i);
    const high = [2 * 65536 + 7, 2 * 65536 + 65535];
    const one = [...low, ...mid, ...high];
    expect(rows.length).toBe(2 * one.length);
    expect([...rows.slice(0, one.length)]).toEqual(one);
    expect([...rows.slice(one.length)]).toEqual(one.map((x) => 3 * 2 ** 32 + x));
  });

  it('matches the examples of PROTOCOL.md "Deletion Vector Descriptor Schema"', async () => {
    const storage = openStorage('memory://dv-spec');
    const inline = {
      storageType: 'i',
      pathOrInlineDv: 'wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L',
      sizeInBytes: 40,
      cardinality: 6,
    };
    expect([...(await loadDeletionVector(storage, inline))]).toEqual([3, 4, 7, 11, 18, 29]);
    const relative = {
      storageType: 'u',
      pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^',
      offset: 4,
      sizeInBytes: 40,
      cardinality: 6,
    };
    expect(deletionVectorKey('s3://mytable', relative)).toBe(
      'ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin',
    );
    const absolute = {
      ...relative,
      storageType: 'p',
      pathOrInlineDv: 's3://mytable/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin',
    };
    expect(deletionVectorKey('s3://mytable', absolute)).toBe(
      'deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin',
    );
  });

  it('reads an inline deletion vector', async () => {
    const bytes = deletionVectorBytes([3, 1, 200]);
    const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
    padded.set(bytes);
    const storage = openStorage('memory://dv-inline');
    const rows = await loadDeletionVector(storage, {
      storageType: 'i',
      pathOrInlineDv: z85Encode(padded),
      sizeInBytes: bytes.length,
      cardinality: 3,
    });
    expect([...rows]).toEqual([1, 3, 200]);
  });

  it("reads a relative ('u') deletion vector Spark wrote", async () => {
    const root = join(corpus, 'table-with-dv-small');
    const log = readFileSync(join(root, '_delta_log/00000000000000000001.json'), 'utf8');
    const dv = JSON.parse(log.split('\n').find((l) => l.includes('"deletionVector"')) as string).add.deletionVector;
    const storage = openStorage(root);
    expect(deletionVectorKey(storage.uri, dv)).toMatch(/^deletion_vector_[0-9a-f-]{36}\.bin$/);
    expect([...(await loadDeletionVector(storage, dv))]).toEqual([0, 9]);
  });

  it('refuses a DV whose cardinality disagrees with the log', async () => {
    const bytes = deletionVectorBytes([1, 2]);
    const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
    padded.set(bytes);
    const storage = openStorage('memory://dv-bad');
    await expect(
      loadDeletionVector(storage, {
        storageType: 'i',
        pathOrInlineDv: z85Encode(padded),
        sizeInBytes: bytes.length,
        cardinality: 5,
      }),
    ).rejects.toMatchObject({ code: 'invalid-log' });
  });
});
