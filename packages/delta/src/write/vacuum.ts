import { deletionVectorKey } from '../deletion-vectors/descriptor.ts';
import { DeltaError } from '../errors.ts';
import type { DeletionVectorDescriptor } from '../log/actions.ts';
import { LOG_DIR } from '../log/log-files.ts';
import { resolveTablePath } from '../log/table-paths.ts';
import { assertReadable } from '../protocol/features.ts';
import { assertWritable } from '../protocol/writer-features.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { openTable } from '../snapshot/table.ts';
import { type OpenStorageOptions, openStorage } from '../storage/open.ts';
import type { ObjectInfo, Storage } from '../storage/storage.ts';
import { deletedFileRetentionMs } from './retention.ts';

/** Options of {@link vacuum}. */
export interface VacuumOptions extends OpenStorageOptions {
  /**
   * Files the table stopped referencing, and files it never referenced, go once they are older than this
   * many hours. Default: the table's `delta.deletedFileRetentionDuration`, else 168 (7 days).
   */
  readonly retentionHours?: number;
  /** List what would be deleted and delete nothing. */
  readonly dryRun?: boolean;
  /**
   * Allow a window shorter than the table's retention. Readers of older versions, and writers that have
   * uploaded files but not yet committed them, may then lose files they need.
   */
  readonly force?: boolean;
}

/** A file {@link vacuum} deleted (or, in a dry run, would delete). */
export interface VacuumFile {
  readonly key: string;
  readonly size: number;
  readonly lastModified: number;
  /** `unreferenced`: a data file no version inside the window uses; `temporary`: a writer's unpublished temp file. */
  readonly reason: 'unreferenced' | 'temporary';
}

/** What {@link vacuum} did. */
export interface VacuumResult {
  readonly uri: string;
  /** The table version whose files and tombstones decided what stays. */
  readonly version: number;
  readonly dryRun: boolean;
  readonly retentionHours: number;
  /** Epoch ms: files last modified before this (and removed before it) could go. */
  readonly cutoff: number;
  /** Deleted files (would-be deleted in a dry run), in key order. */
  readonly files: readonly VacuumFile[];
  readonly bytes: number;
  /** Files kept because the table uses them: live, or removed inside the window. */
  readonly kept: number;
}

const TEMP_PREFIX = '.meridian-tmp-';
const PARALLEL_DELETES = 8;
const HOUR_MS = 3_600_000;

function refuse(name: string, found: unknown, expected: string): never {
  throw new DeltaError('unsupported-write', `vacuum option ${name} must be ${expected}, not ${JSON.stringify(found)}`, {
    path: name,
    hint: `give ${name} as ${expected}, or leave it out`,
  });
}

function checkVacuumOptions(options: unknown): void {
  if (options === null || typeof options !== 'object') refuse('options', options, 'an object');
  const o = options as Readonly<Record<string, unknown>>;
  const hours = o.retentionHours;
  if (hours !== undefined && !(typeof hours === 'number' && Number.isFinite(hours) && hours >= 0))
    refuse('retentionHours', hours, 'a number of hours, 0 or more');
  for (const name of ['dryRun', 'force'])
    if (o[name] !== undefined && typeof o[name] !== 'boolean') refuse(name, o[name], 'true or false');
}

/**
 * Whether vacuum leaves a key alone whatever it references: the log, and hidden files and folders (names
 * starting with `_` or `.`, as Delta Spark's vacuum skips them: `_change_data/`, `_SUCCESS`, checksums), except
 * partition folders (`_col=value`) and the temp files our writers leave.
 */
function isProtected(key: string): boolean {
  if (key.startsWith(LOG_DIR)) return true;
  const parts = key.split('/');
  const name = parts.pop() as string;
  if (parts.some((dir) => (dir.startsWith('_') || dir.startsWith('.')) && !dir.includes('='))) return true;
  return (name.startsWith('_') || name.startsWith('.')) && !name.startsWith(TEMP_PREFIX);
}

/**
 * Deletes the files of a Delta table that no version inside the retention window uses (PROTOCOL.md "Add File and
 * Remove File": a tombstone expires once its deletionTimestamp is older than `delta.deletedFileRetentionDuration`),
 * the data files no commit ever referenced (a writer that died before committing) and the `.meridian-tmp-*` files
 * a killed writer left, once older than the window. Never touches `_delta_log/`, hidden files, or anything outside
 * the table root. Refuses a window shorter than the table's unless `force`, and tables whose reader or writer
 * features it does not implement (PROTOCOL.md "VACUUM Protocol Check": both protocols are checked, always).
 *
 * ```ts
 * const r = await vacuum('s3://lake/events', { dryRun: true });
 * for (const f of r.files) console.log(f.key, f.reason);
 * ```
 */
export async function vacuum(target: string | Storage, options: VacuumOptions = {}): Promise<VacuumResult> {
  checkVacuumOptions(options);
  const storage = typeof target === 'string' ? openStorage(target, options) : target;
  const snapshot = await (await openTable(storage)).snapshot();
  assertReadable(snapshot.protocol, storage.uri);
  assertWritable(snapshot.protocol, storage.uri);

  const property = snapshot.configuration['delta.deletedFileRetentionDuration'];
  const tableMs = deletedFileRetentionMs(snapshot.configuration);
  const windowMs = options.retentionHours !== undefined ? options.retentionHours * HOUR_MS : tableMs;
  if (windowMs === undefined || tableMs === undefined) {
    if (!(options.force === true && windowMs !== undefined))
      throw new DeltaError(
        'unsupported-write',
        `cannot read the table's retention delta.deletedFileRetentionDuration=${JSON.stringify(property)}`,
        {
          path: storage.uri,
          hint: "fix the property (e.g. 'interval 7 days'), or give retentionHours with force to vacuum anyway",
        },
      );
  } else if (windowMs < tableMs && options.force !== true) {
    throw new DeltaError(
      'retention-too-short',
      `a retention of ${windowMs / HOUR_MS} hours is shorter than the table's ${tableMs / HOUR_MS} hours (delta.deletedFileRetentionDuration${property === undefined ? ' default' : `=${property}`})`,
      {
        path: storage.uri,
        hint: 'readers of versions inside the table window, and writers not yet committed, would lose files: keep the default, or force it',
      },
    );
  }
  const swept = await sweep(storage, snapshot, windowMs, options.dryRun === true);
  return {
    uri: storage.uri,
    version: snapshot.version,
    dryRun: options.dryRun === true,
    retentionHours: windowMs / HOUR_MS,
    ...swept,
  };
}

/** What {@link removeLeftovers} deleted: a writer's clean-up after its checkpoint. */
export interface LeftoverCleanUp {
  /** Keys of the leftovers deleted (temp files and data files no commit references), in key order. */
  readonly files: readonly string[];
  readonly bytes: number;
  /**
   * Set when the clean-up stopped (storage error, unreadable retention, ...): the commit and checkpoint stand, the
   * leftovers stay for the next checkpoint or `meridian delta vacuum`, and `files` is empty.
   */
  readonly error?: string;
}

/**
 * The writer's own clean-up (issue 16 item 12), run after it writes a checkpoint: deletes `.meridian-tmp-*` files
 * and data files no version references, once older than the table's `delta.deletedFileRetentionDuration`, by
 * vacuum's rule, with the table's own window only. The snapshot it reads is the one the checkpoint just wrote, whose
 * expired tombstones are dropped (PROTOCOL.md "Checkpoints"), so a file removed before the window looks like a
 * never-committed one and goes too, as vacuum would take it; nothing a version inside the window reads is touched.
 * A writer that is still uploading, or about to commit, has files younger than the window, which stay.
 */
export async function removeLeftovers(storage: Storage): Promise<LeftoverCleanUp> {
  const snapshot = await (await openTable(storage)).snapshot();
  assertReadable(snapshot.protocol, storage.uri);
  assertWritable(snapshot.protocol, storage.uri);
  const windowMs = deletedFileRetentionMs(snapshot.configuration);
  if (windowMs === undefined)
    throw new DeltaError(
      'unsupported-write',
      `cannot read the table's retention delta.deletedFileRetentionDuration=${JSON.stringify(snapshot.configuration['delta.deletedFileRetentionDuration'])}`,
      { path: storage.uri, hint: "fix the property (e.g. 'interval 7 days'); leftovers stay until then" },
    );
  const swept = await sweep(storage, snapshot, windowMs, false);
  return { files: swept.files.map((f) => f.key), bytes: swept.bytes };
}

/** Lists the table root once and deletes (unless `dryRun`) what no version inside the window may read and is older. */
async function sweep(
  storage: Storage,
  snapshot: Snapshot,
  windowMs: number,
  dryRun: boolean,
): Promise<Pick<VacuumResult, 'cutoff' | 'files' | 'bytes' | 'kept'>> {
  const cutoff = Date.now() - windowMs;

  // Every file a version inside the window may read: the live files and those removed after the cutoff, with
  // their deletion vectors. A path that cannot be placed in the table stops the vacuum rather than risk a guess.
  const keep = new Set<string>();
  const place = (path: string, dv: DeletionVectorDescriptor | null | undefined) => {
    keep.add(keyOf(storage.uri, path, () => resolveTablePath(storage.uri, path)));
    if (dv && dv.storageType !== 'i')
      keep.add(keyOf(storage.uri, dv.pathOrInlineDv, () => deletionVectorKey(storage.uri, dv)));
  };
  for (const f of snapshot.files()) place(f.path, f.deletionVector);
  for (const r of snapshot.tombstones())
    if (r.deletionTimestamp === undefined || r.deletionTimestamp === null || r.deletionTimestamp >= cutoff)
      place(r.path, r.deletionVector);

  const doomed: VacuumFile[] = [];
  const hidden = new Map<string, ObjectInfo>();
  let kept = 0;
  for await (const o of storage.list('', { includeTemporary: true })) {
    if (isProtected(o.key)) {
      if (!o.key.startsWith(LOG_DIR)) hidden.set(o.key, o);
      continue;
    }
    if (keep.has(o.key)) kept++;
    else if (o.lastModified < cutoff) {
      const temporary = o.key.slice(o.key.lastIndexOf('/') + 1).startsWith(TEMP_PREFIX);
      doomed.push({
        key: o.key,
        size: o.size,
        lastModified: o.lastModified,
        reason: temporary ? 'temporary' : 'unreferenced',
      });
    }
  }
  // Hadoop's checksum of a data file (`.name.crc` beside it) goes with the file.
  for (const f of [...doomed]) {
    const slash = f.key.lastIndexOf('/') + 1;
    const crc = hidden.get(`${f.key.slice(0, slash)}.${f.key.slice(slash)}.crc`);
    if (crc) doomed.push({ key: crc.key, size: crc.size, lastModified: crc.lastModified, reason: f.reason });
  }
  doomed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (!dryRun) {
    let next = 0;
    const worker = async () => {
      while (next < doomed.length) await storage.delete((doomed[next++] as VacuumFile).key);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_DELETES, doomed.length) }, worker));
  }
  return {
    cutoff,
    files: doomed,
    bytes: doomed.reduce((s, f) => s + f.size, 0),
    kept,
  };
}

/** The storage key of a file the log names; refuses one it cannot place in the table (never deleted, never guessed). */
function keyOf(uri: string, path: string, resolve: () => string): string {
  try {
    return resolve();
  } catch (cause) {
    throw new DeltaError('unsupported-write', `vacuum cannot place the file ${path} the log names inside ${uri}`, {
      path,
      hint: 'the table references files outside its root (a shallow clone?); vacuum it with the engine that made it',
      cause,
    });
  }
}
