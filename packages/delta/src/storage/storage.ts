/**
 * The storage contract every Delta backend implements (local disk, memory, S3).
 * Keys are '/'-separated paths relative to the table root, e.g. `_delta_log/00000000000000000000.json`.
 */
export interface ObjectInfo {
  /** Key relative to the storage root. */
  readonly key: string;
  readonly size: number;
  /** Last modification time in epoch milliseconds (Delta uses it for timestamp time travel of old commits). */
  readonly lastModified: number;
}

/** Options of {@link Storage.list}. */
export interface ListOptions {
  readonly startAfter?: string;
  readonly includeTemporary?: boolean;
}

export interface Storage {
  /** A URI naming the root, for messages: `file:///data/t`, `s3://bucket/prefix`, `memory://name`. */
  readonly uri: string;
  /**
   * Lists objects whose key starts with `prefix`, in ascending key order (UTF-8 byte order),
   * starting strictly after `startAfter` when given. `includeTemporary`: also the temp files a backend
   * writes beside an object before publishing it (local disk's `.meridian-tmp-*`), which listings
   * otherwise hide; vacuum removes those a killed writer left.
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo>;
  /** The whole object; rejects with a DeltaError of code `not-found` when it does not exist. */
  get(key: string): Promise<Uint8Array>;
  /**
   * Bytes [start, end) of the object; a range reaching past the end is cut at the end (as an
   * HTTP range is), so a read at or after the end yields no bytes. Rejects with `not-found` when
   * the object does not exist.
   */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
  /** Size and time of one object, or undefined when it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * Writes the object only if no object has the key; resolves false (writing nothing) when one does.
   * This is the atomic primitive Delta commits rely on (PROTOCOL.md "Commit Provenance"/mutual exclusion).
   */
  putIfAbsent(key: string, body: Uint8Array): Promise<boolean>;
  /** Writes or replaces the object (data files, checkpoints, _last_checkpoint). */
  put(key: string, body: Uint8Array): Promise<void>;
  /** Removes the object; removing a key that does not exist is not an error (as on S3). */
  delete(key: string): Promise<void>;
}
