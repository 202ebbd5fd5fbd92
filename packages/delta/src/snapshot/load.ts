import { DeltaError } from '../errors.ts';
import type { Action } from '../log/actions.ts';
import { parseCommit } from '../log/actions.ts';
import { readCheckpoint } from '../log/checkpoint.ts';
import { isReconciled } from '../log/compaction.ts';
import type { LogListing } from '../log/log-files.ts';
import { segmentFor } from '../log/log-files.ts';
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

/** Replays the log segment of `version`: checkpoint actions, then each commit in order. */
export async function loadState(storage: Storage, listing: LogListing, version: number): Promise<LoadedState> {
  const segment = segmentFor(listing, version, storage.uri);
  const canonical = (path: string) => canonicalPath(storage.uri, path);
  const r = new Reconciler(canonical);
  if (segment.checkpoint) r.apply(await readCheckpoint(storage, segment.checkpoint));
  // Commits are independent files: fetch them concurrently (bounded), apply in order.
  const window = 16;
  const commits = segment.commits;
  const pending: Promise<Action[]>[] = [];
  let next = 0;
  let commitInfo: Record<string, unknown> | undefined;
  for (let i = 0; i < commits.length; i++) {
    while (next < commits.length && next < i + window) {
      const c = commits[next++];
      if (!c) break;
      const p =
        c.endVersion === undefined
          ? storage.get(c.info.key).then((b) => parseCommit(b, c.info.key))
          : readCompaction(storage, listing, c, canonical);
      // Awaited below in order; the no-op handler only keeps an early failure from counting as unhandled.
      p.catch(() => undefined);
      pending.push(p);
    }
    const actions = await (pending.shift() as Promise<Action[]>);
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
