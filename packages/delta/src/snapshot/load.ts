import { DeltaError } from '../errors.ts';
import type { Action } from '../log/actions.ts';
import { parseCommit } from '../log/actions.ts';
import { readCheckpoint } from '../log/checkpoint.ts';
import { verifyChecksum } from '../log/checksum.ts';
import { isReconciled } from '../log/compaction.ts';
import { type CheckpointFiles, type LogListing, type LogSegment, listLog, segmentFor } from '../log/log-files.ts';
import { canonicalPath } from '../log/paths.ts';
import { Reconciler, type TableState } from '../log/replay.ts';
import type { ObjectInfo, Storage } from '../storage/storage.ts';

/** Table state at a version plus what the snapshot needs about its last commit. */
export interface LoadedState {
  readonly state: TableState;
  /** commitInfo of the snapshot's own commit, when that commit file was read. */
  readonly commitInfo: Readonly<Record<string, unknown>> | undefined;
  /** Which checkpoint the replay started from. */
  readonly checkpointVersion: number | undefined;
}

/**
 * A checkpoint whose read began before the listing said which checkpoint the snapshot starts from
 * (DeltaTable.snapshot, from `_last_checkpoint`): used only when the listing chooses that very file.
 */
export interface EarlyCheckpoint {
  readonly version: number;
  /** The key of the classic checkpoint file read, `_delta_log/<version>.checkpoint.parquet`. */
  readonly key: string;
  readonly actions: Promise<Action[]>;
}

/** Whether `early` read the checkpoint the segment starts from (one classic parquet file, the same key). */
function isEarly(cp: CheckpointFiles, early: EarlyCheckpoint | undefined): early is EarlyCheckpoint {
  return (
    early !== undefined &&
    cp.version === early.version &&
    cp.format === 'parquet' &&
    cp.files.length === 1 &&
    cp.files[0]?.key === early.key
  );
}

/**
 * Replays the log segment of `version`: checkpoint actions, then each commit in order. A checkpoint that
 * cannot be read (truncated, corrupt, missing) is only a shortcut: the replay falls back to an earlier
 * checkpoint, or to version 0, over the JSON commits that still exist (PROTOCOL.md "Checkpoints": a checkpoint
 * holds the state the commits up to its version reconcile to). Only when those commits are gone too is it an
 * error, naming the checkpoint file.
 */
export async function loadState(
  storage: Storage,
  listing: LogListing,
  version: number,
  early?: EarlyCheckpoint,
): Promise<LoadedState> {
  const unreadable = new Map<number, { key: string; error: DeltaError }>();
  let full: LogListing | undefined;
  for (;;) {
    const within = full ?? listing;
    const usable: LogListing =
      unreadable.size === 0
        ? within
        : { ...within, checkpoints: new Map([...within.checkpoints].filter(([v]) => !unreadable.has(v))) };
    let segment: LogSegment;
    try {
      segment = segmentFor(usable, version, storage.uri);
    } catch (error) {
      const broken = [...unreadable.values()].at(-1);
      if (broken === undefined || !(error instanceof DeltaError)) throw error;
      throw new DeltaError(
        'log-incomplete',
        `version ${version} cannot be read: the checkpoint ${broken.key} is unreadable (${broken.error.message}) and the commits it stands for are gone (${error.message})`,
        {
          path: broken.key,
          hint: 'restore the checkpoint file (or the commits before it) from a backup; versions after the next readable checkpoint still read',
          cause: broken.error,
        },
      );
    }
    // The commits after the checkpoint are fetched while the checkpoint is read and decoded (file reads run on
    // libuv's threads, the decode on this one): on a local log they cost as much as the checkpoint does.
    const commits = new CommitReader(storage, full ?? listing, segment);
    let checkpointActions: Action[] | undefined;
    if (segment.checkpoint) {
      try {
        // An early read's failure is this checkpoint's failure: handled below as a read begun here would be.
        checkpointActions = isEarly(segment.checkpoint, early)
          ? await early.actions
          : await readCheckpoint(storage, segment.checkpoint);
      } catch (error) {
        // A timeout is the server's, not the checkpoint's: replaying every commit would only wait longer.
        if (!(error instanceof DeltaError) || error.code === 'timeout') throw error;
        unreadable.set(segment.checkpoint.version, { key: segment.checkpoint.files[0]?.key ?? '', error });
        // The listing may have started at this checkpoint (_last_checkpoint): list the whole log.
        full ??= await listLog(storage);
        continue;
      }
    }
    const loaded = await replay(storage, segment, checkpointActions, commits);
    // PROTOCOL.md "Version Checksum File", "State Validation": where the writer left a checksum, the replay must match it.
    const checksum = (full ?? listing).checksums.get(version);
    if (checksum) await verifyChecksum(storage, checksum.key, loaded.state);
    return loaded;
  }
}

/**
 * Reads the commit (and compaction) files of a segment in order, up to `window` ahead of the one being applied:
 * they are independent files, so they are fetched concurrently and applied in log order.
 */
class CommitReader {
  private readonly pending: Promise<Action[]>[] = [];
  private next = 0;
  private readonly storage: Storage;
  private readonly listing: LogListing;
  private readonly files: LogSegment['commits'];
  private readonly canonical: (path: string) => string;
  private static readonly window = 16;

  constructor(storage: Storage, listing: LogListing, segment: LogSegment) {
    this.storage = storage;
    this.listing = listing;
    this.files = segment.commits;
    this.canonical = (path) => canonicalPath(storage.uri, path);
    this.fill();
  }

  /** The actions of the next file of the segment. */
  async take(): Promise<Action[]> {
    if (this.pending.length === 0) this.fill();
    const p = this.pending.shift() as Promise<Action[]>;
    // Topped up half a window at a time, not one file per take: reads issued together share one resolution of
    // their folder (LocalStorage.realFolder) and go to the file system's threads back to back.
    if (this.pending.length <= CommitReader.window / 2) this.fill();
    return p;
  }

  private fill(): void {
    while (this.next < this.files.length && this.pending.length < CommitReader.window) {
      const c = this.files[this.next++];
      if (!c) break;
      const p =
        c.endVersion === undefined
          ? this.storage.get(c.info.key).then((b) => parseCommit(b, c.info.key))
          : readCompaction(this.storage, this.listing, c, this.canonical);
      // Awaited in order by take(); the no-op handler only keeps an early failure (or a read abandoned when the
      // checkpoint turns out unreadable) from counting as unhandled.
      p.catch(() => undefined);
      this.pending.push(p);
    }
  }
}

async function replay(
  storage: Storage,
  segment: LogSegment,
  checkpointActions: Action[] | undefined,
  reader: CommitReader,
): Promise<LoadedState> {
  const version = segment.version;
  const r = new Reconciler((path: string) => canonicalPath(storage.uri, path));
  if (checkpointActions) r.apply(checkpointActions);
  const commits = segment.commits;
  let commitInfo: Record<string, unknown> | undefined;
  for (let i = 0; i < commits.length; i++) {
    const actions = await reader.take();
    r.apply(actions);
    if (i === commits.length - 1 && commits[i]?.endVersion === undefined) {
      const ci = actions.find((a) => a.type === 'commitInfo');
      if (ci && ci.type === 'commitInfo') commitInfo = ci.commitInfo;
    }
  }
  // A compaction (or checkpoint) may stand for the snapshot's own commit: read its commitInfo apart.
  if (commitInfo === undefined && segment.lastCommit && commits.at(-1)?.version !== version) {
    const ci = parseCommit(await storage.get(segment.lastCommit.key), segment.lastCommit.key).find(
      (a) => a.type === 'commitInfo',
    );
    if (ci?.type === 'commitInfo') commitInfo = ci.commitInfo;
  }
  return {
    state: r.finish(version, storage.uri),
    commitInfo,
    checkpointVersion: segment.checkpoint?.version,
  };
}

/**
 * The actions of a log compaction file, or of the commits it stands for when it does not
 * reconcile or cannot be parsed (a compaction is an optimisation, never the only record).
 */
async function readCompaction(
  storage: Storage,
  listing: LogListing,
  c: { readonly version: number; readonly info: ObjectInfo; readonly endVersion?: number },
  canonical: (path: string) => string,
): Promise<Action[]> {
  try {
    const actions = parseCommit(await storage.get(c.info.key), c.info.key);
    if (isReconciled(actions, canonical)) return actions;
  } catch (error) {
    if (!(error instanceof DeltaError)) throw error;
  }
  const out: Action[] = [];
  for (let v = c.version; v <= (c.endVersion ?? c.version); v++) {
    const info = listing.commits.get(v);
    if (!info) {
      throw new DeltaError(
        'versions-not-contiguous',
        `the log compaction file ${c.info.key} does not reconcile and commit ${v} it stands for is missing`,
        {
          path: c.info.key,
          hint: 'the compaction file is corrupt and the commits it replaced were cleaned up; read a version after it',
        },
      );
    }
    out.push(...parseCommit(await storage.get(info.key), info.key));
  }
  return out;
}
