import { DeltaError } from '../errors.ts';
import { checkKey, checkPrefix, checkRange, compareKeys, joinUri } from './keys.ts';
import type { ObjectInfo, Storage } from './storage.ts';

interface MemoryObject {
  readonly body: Uint8Array;
  readonly lastModified: number;
}

/** One named store: its objects and, between writes, their keys in order. */
class MemoryBucket {
  readonly objects = new Map<string, MemoryObject>();
  private sorted: string[] | undefined;

  sortedKeys(): readonly string[] {
    this.sorted ??= [...this.objects.keys()].sort(compareKeys);
    return this.sorted;
  }

  set(key: string, object: MemoryObject): void {
    if (!this.objects.has(key)) this.sorted = undefined;
    this.objects.set(key, object);
  }

  delete(key: string): void {
    if (this.objects.delete(key)) this.sorted = undefined;
  }

  clear(): void {
    this.objects.clear();
    this.sorted = undefined;
  }
}

// Process-wide, so a writer and a reader that open `memory://name` separately see one table.
const buckets = new Map<string, MemoryBucket>();

/**
 * Objects held in this process's memory, in a store named by `memory://name`; every
 * MemoryStorage of one name shares the store, for tests and for tables that never touch disk.
 *
 * ```ts
 * const writer = new MemoryStorage('events');
 * await writer.put('_delta_log/00000000000000000000.json', bytes);
 * const reader = await openStorage('memory://events'); // sees the same object
 * ```
 */
export class MemoryStorage implements Storage {
  readonly uri: string;
  /** The store's name, the host part of `memory://name`. */
  readonly name: string;
  /** Keys of this storage live under this prefix of the named store ('' or ending in '/'). */
  readonly prefix: string;
  private readonly bucket: MemoryBucket;

  /** `name` picks the shared store; `prefix` (e.g. `tables/events`) roots this storage inside it. */
  constructor(name = '', prefix = '') {
    this.name = name;
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.uri = `memory://${name}${this.prefix === '' ? '' : `/${this.prefix.slice(0, -1)}`}`;
    if (this.prefix !== '') checkPrefix(this.prefix, `memory://${name}`);
    let bucket = buckets.get(name);
    if (bucket === undefined) {
      bucket = new MemoryBucket();
      buckets.set(name, bucket);
    }
    this.bucket = bucket;
  }

  /** Drops every object of the named store (all prefixes), e.g. between tests. */
  static clear(name: string): void {
    buckets.get(name)?.clear();
  }

  async *list(prefix: string, options: { startAfter?: string } = {}): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix, this.uri);
    const full = this.prefix + prefix;
    const keys = this.bucket.sortedKeys();
    const after = options.startAfter === undefined ? undefined : this.prefix + options.startAfter;
    // Binary search for the first key past both the prefix start and startAfter.
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid] as string;
      const c = compareKeys(k, full);
      if (c < 0 || (after !== undefined && compareKeys(k, after) <= 0)) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < keys.length; i++) {
      const key = keys[i] as string;
      if (!key.startsWith(full)) break;
      const object = this.bucket.objects.get(key);
      // A write during the iteration may remove a key the snapshot still names.
      if (object === undefined) continue;
      yield { key: key.slice(this.prefix.length), size: object.body.byteLength, lastModified: object.lastModified };
    }
  }

  async get(key: string): Promise<Uint8Array> {
    return this.read(key).body.slice();
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    checkRange(key, this.uri, start, end);
    return this.read(key).body.slice(start, end);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    checkKey(key, this.uri);
    const object = this.bucket.objects.get(this.prefix + key);
    return object === undefined ? undefined : { key, size: object.body.byteLength, lastModified: object.lastModified };
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    checkKey(key, this.uri);
    // Check and set run in one synchronous step, so concurrent writers cannot both win.
    if (this.bucket.objects.has(this.prefix + key)) return false;
    this.bucket.set(this.prefix + key, { body: body.slice(), lastModified: Date.now() });
    return true;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    checkKey(key, this.uri);
    this.bucket.set(this.prefix + key, { body: body.slice(), lastModified: Date.now() });
  }

  async delete(key: string): Promise<void> {
    checkKey(key, this.uri);
    this.bucket.delete(this.prefix + key);
  }

  private read(key: string): MemoryObject {
    checkKey(key, this.uri);
    const object = this.bucket.objects.get(this.prefix + key);
    if (object === undefined) {
      throw new DeltaError('not-found', `no object ${key} in ${this.uri}`, {
        path: joinUri(this.uri, key),
        hint: 'check the key and that the table was written to this memory:// store in this process',
      });
    }
    return object;
  }
}
