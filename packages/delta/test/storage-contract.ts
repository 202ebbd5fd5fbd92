/**
 * The Storage contract as tests, run against every backend (storage-local, storage-memory,
 * storage-s3). `fresh()` returns an empty storage of the backend under test.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { DeltaError } from '../src/errors.ts';
import type { ObjectInfo, Storage } from '../src/storage/storage.ts';

const text = (s: string) => new TextEncoder().encode(s);

/** Every item of a listing, in order. */
export async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of iterable) out.push(info);
  return out;
}

/** Keys of the listing, for comparisons. */
export async function listKeys(storage: Storage, prefix: string, startAfter?: string): Promise<string[]> {
  const infos = await collect(storage.list(prefix, startAfter === undefined ? {} : { startAfter }));
  return infos.map((info) => info.key);
}

/** UTF-8 byte order, computed independently of the code under test. */
export function byteOrder(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/** Rejection of `promise` as a DeltaError. */
export async function deltaError(promise: Promise<unknown>): Promise<DeltaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeltaError);
  return error as DeltaError;
}

// Chosen so that JavaScript's UTF-16 `<` and UTF-8 byte order disagree (U+FF5E vs U+1F600),
// and so that 'a-c' < 'a/...' < 'a0' and 'a/b-x/y' < 'a/b.json' < 'a/b/c' interleave files and
// directories: a depth-first walk in name order gets these wrong.
const KEYS = [
  '_delta_log/00000000000000000000.json',
  '_delta_log/00000000000000000001.json',
  '_delta_log/00000000000000000002.checkpoint.parquet',
  '_delta_log/00000000000000000002.json',
  '_delta_log/00000000000000000010.json',
  '_delta_log/_last_checkpoint',
  'a-c',
  'a/b-x/y',
  'a/b.json',
  'a/b/c',
  'a0',
  'part=\uff5e/x.parquet',
  'part=\u{1f600}/x.parquet',
  'part=é/x.parquet',
  'z',
];

export function storageContract(fresh: () => Promise<Storage>): void {
  async function seeded(): Promise<Storage> {
    const storage = await fresh();
    await Promise.all(KEYS.map((key) => storage.put(key, text(`body of ${key}`))));
    return storage;
  }

  it('lists every key in UTF-8 byte order with sizes', async () => {
    const storage = await seeded();
    const infos = await collect(storage.list(''));
    expect(infos.map((i) => i.key)).toEqual(byteOrder(KEYS));
    for (const info of infos) expect(info.size).toBe(text(`body of ${info.key}`).byteLength);
  });

  it('lists only keys under a prefix, which may end inside a name', async () => {
    const storage = await seeded();
    expect(await listKeys(storage, '_delta_log/')).toEqual(byteOrder(KEYS.filter((k) => k.startsWith('_delta_log/'))));
    expect(await listKeys(storage, '_delta_log/0000000000000000000')).toEqual(
      byteOrder(KEYS.filter((k) => k.startsWith('_delta_log/0000000000000000000'))),
    );
    expect(await listKeys(storage, 'a/b')).toEqual(['a/b-x/y', 'a/b.json', 'a/b/c']);
    expect(await listKeys(storage, 'part=')).toEqual(byteOrder(KEYS.filter((k) => k.startsWith('part='))));
    expect(await listKeys(storage, 'nothing/here/')).toEqual([]);
  });

  it('starts strictly after startAfter, present or not', async () => {
    const storage = await seeded();
    const all = byteOrder(KEYS);
    const after = (s: string) => all.filter((k) => Buffer.compare(Buffer.from(k), Buffer.from(s)) > 0);
    for (const startAfter of [
      '_delta_log/00000000000000000001.json',
      '_delta_log/00000000000000000003',
      'a/b',
      'a/b-',
      'a/b/',
      'part=\uff5e',
      // Below U+D800 (local storage compares names natively) and a surrogate pair (it must not: U+FF5E sorts first).
      'part=é',
      'part=\u{1f600}',
      '',
    ]) {
      expect(await listKeys(storage, '', startAfter), `startAfter ${startAfter}`).toEqual(after(startAfter));
    }
    expect(await listKeys(storage, '_delta_log/', '_delta_log/00000000000000000002.json')).toEqual([
      '_delta_log/00000000000000000010.json',
      '_delta_log/_last_checkpoint',
    ]);
    // startAfter before the prefix: the whole prefix; after it: nothing.
    expect(await listKeys(storage, 'a/', 'A')).toEqual(['a/b-x/y', 'a/b.json', 'a/b/c']);
    expect(await listKeys(storage, 'a/', 'zz')).toEqual([]);
  });

  it('gets whole objects and reports a missing one as not-found naming the key', async () => {
    const storage = await seeded();
    expect(new TextDecoder().decode(await storage.get('a/b/c'))).toBe('body of a/b/c');
    const error = await deltaError(storage.get('_delta_log/00000000000000000099.json'));
    expect(error.code).toBe('not-found');
    expect(error.path).toContain('_delta_log/00000000000000000099.json');
    expect(error.message).toContain(storage.uri);
  });

  it('reads byte ranges, cut at the end of the object', async () => {
    const storage = await fresh();
    const body = randomBytes(100_000);
    await storage.put('data/part-0.parquet', body);
    const size = body.byteLength;
    for (const [start, end] of [
      [0, 4],
      [size - 8, size],
      [12_345, 67_890],
      [size - 3, size + 100],
      [5, 5],
      [size, size + 10],
      [size + 50, size + 60],
    ] as const) {
      const got = await storage.getRange('data/part-0.parquet', start, end);
      expect(Buffer.from(got).equals(body.subarray(start, Math.min(end, size))), `[${start}, ${end})`).toBe(true);
    }
    expect((await deltaError(storage.getRange('data/missing.parquet', 0, 8))).code).toBe('not-found');
    expect((await deltaError(storage.getRange('data/missing.parquet', 4, 4))).code).toBe('not-found');
    expect((await deltaError(storage.getRange('data/part-0.parquet', 10, 5))).code).toBe('storage');
    expect((await deltaError(storage.getRange('data/part-0.parquet', -1, 5))).code).toBe('storage');
  });

  it('round-trips a large object through get and a footer-sized getRange', async () => {
    const storage = await fresh();
    const body = randomBytes(6 * 1024 * 1024 + 7);
    await storage.put('big.bin', body);
    expect(Buffer.from(await storage.get('big.bin')).equals(body)).toBe(true);
    const footer = await storage.getRange('big.bin', body.byteLength - 8, body.byteLength);
    expect(Buffer.from(footer).equals(body.subarray(body.byteLength - 8))).toBe(true);
  });

  it('heads existing objects and answers undefined for missing ones', async () => {
    const storage = await seeded();
    const before = Date.now();
    await storage.put('fresh.json', text('{"x":1}'));
    const info = await storage.head('fresh.json');
    expect(info?.key).toBe('fresh.json');
    expect(info?.size).toBe(7);
    // Second-resolution servers (S3 Last-Modified) round down; allow a little clock skew.
    expect(info?.lastModified).toBeGreaterThan(before - 5_000);
    expect(info?.lastModified).toBeLessThan(Date.now() + 5_000);
    expect(await storage.head('missing.json')).toBeUndefined();
    expect(await storage.head('a/missing/deeper.json')).toBeUndefined();
    // 'a/b' is only the start of other keys (a directory on disk), not an object.
    expect(await storage.head('a/b')).toBeUndefined();
    expect((await storage.head('a/b.json'))?.size).toBe(text('body of a/b.json').byteLength);
  });

  it('putIfAbsent writes once and refuses a second writer without changing the object', async () => {
    const storage = await fresh();
    expect(await storage.putIfAbsent('_delta_log/00000000000000000000.json', text('first'))).toBe(true);
    expect(await storage.putIfAbsent('_delta_log/00000000000000000000.json', text('second'))).toBe(false);
    expect(new TextDecoder().decode(await storage.get('_delta_log/00000000000000000000.json'))).toBe('first');
    expect(await listKeys(storage, '')).toEqual(['_delta_log/00000000000000000000.json']);
  });

  it("putIfAbsent lets exactly one of 8 concurrent writers win, and keeps the winner's bytes", async () => {
    const storage = await fresh();
    for (let version = 0; version < 4; version++) {
      const key = `_delta_log/${String(version).padStart(20, '0')}.json`;
      const bodies = Array.from({ length: 8 }, (_, writer) =>
        text(`{"commitInfo":{"writer":${writer}}}\n`.repeat(200)),
      );
      const results = await Promise.all(bodies.map((body) => storage.putIfAbsent(key, body)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = bodies[results.indexOf(true)] as Uint8Array;
      expect(Buffer.from(await storage.get(key)).equals(Buffer.from(winner))).toBe(true);
    }
    expect(await listKeys(storage, '_delta_log/')).toHaveLength(4);
  });

  it('put replaces, delete removes, and deleting a missing key is no error', async () => {
    const storage = await seeded();
    await storage.put('z', text('new'));
    expect(new TextDecoder().decode(await storage.get('z'))).toBe('new');
    await storage.delete('z');
    expect(await storage.head('z')).toBeUndefined();
    expect(await listKeys(storage, 'z')).toEqual([]);
    await storage.delete('z');
    await storage.delete('never/existed.json');
    expect(await storage.putIfAbsent('z', text('again'))).toBe(true);
  });

  it('refuses keys that could escape the root', async () => {
    const storage = await fresh();
    for (const key of ['../outside.json', '/abs.json', 'a//b', 'a/./b', '', 'a/../../b']) {
      const error = await deltaError(storage.put(key, text('x')));
      expect(error.code, key).toBe('storage');
      expect(error.hint).toContain('relative');
    }
    expect((await deltaError(collect(storage.list('../')))).code).toBe('storage');
  });
}
