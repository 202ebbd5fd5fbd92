import { DeltaError } from '../errors.ts';
import { parseCommit } from '../log/actions.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { openTable } from '../snapshot/table.ts';
import type { Storage } from '../storage/storage.ts';
import { writeCheckpoint } from './checkpoint.ts';
import { commitKey } from './commit.ts';
import { type LeftoverCleanUp, removeLeftovers } from './vacuum.ts';

const DEFAULT_CHECKPOINT_INTERVAL = 10;

/**
 * The inCommitTimestamp of the commit at `version` (PROTOCOL.md "Writer Requirements for In-Commit Timestamps"):
 * later than the previous commit's, which is the snapshot's when the commit follows it directly, else read from
 * the commit another writer made just before.
 */
export async function nextInCommitTimestamp(
  storage: Storage,
  existing: Snapshot | undefined,
  version: number,
  now: number,
): Promise<number> {
  const previous =
    version === 0
      ? undefined
      : version - 1 === existing?.version
        ? existing.timestamp
        : await previousInCommitTimestamp(storage, version - 1);
  return Math.max(now, previous === undefined ? now : previous + 1);
}

/** The inCommitTimestamp of a commit, when it has one. */
async function previousInCommitTimestamp(storage: Storage, version: number): Promise<number | undefined> {
  const key = commitKey(version);
  // Another writer's commit, read after our attempt at its version failed: it exists.
  const info = parseCommit(await storage.get(key), key).find((a) => a.type === 'commitInfo');
  const t = info?.type === 'commitInfo' ? info.commitInfo.inCommitTimestamp : undefined;
  return typeof t === 'number' ? t : undefined;
}

/** What {@link afterCommit} did. */
export interface AfterCommit {
  readonly checkpoint?: number;
  readonly cleanUp?: LeftoverCleanUp;
}

/**
 * The upkeep after a commit: a checkpoint every delta.checkpointInterval commits (PROTOCOL.md "Checkpoints"; 10 by
 * default, as Delta Spark and delta-rs), then the clean-up of killed writers' leftovers (issue 16 item 12). Neither
 * fails the commit, which stands: a failure here would invite a retry that applies the change twice.
 */
export async function afterCommit(
  storage: Storage,
  configuration: Readonly<Record<string, string>>,
  version: number,
  /** The writer's `cleanUpOnCheckpoint` option: on unless set to false. */
  cleanUpOnCheckpoint: boolean | undefined,
): Promise<AfterCommit> {
  const interval = Number(configuration['delta.checkpointInterval'] ?? DEFAULT_CHECKPOINT_INTERVAL);
  let checkpoint: number | undefined;
  if (Number.isInteger(interval) && interval > 0 && version > 0 && version % interval === 0) {
    try {
      checkpoint = (await writeCheckpoint(await (await openTable(storage)).snapshot({ version }))).version;
    } catch (error) {
      // A missing checkpoint only makes reads replay more commits.
      if (!(error instanceof DeltaError)) throw error;
    }
  }
  let cleanUp: LeftoverCleanUp | undefined;
  if (checkpoint !== undefined && cleanUpOnCheckpoint !== false) {
    try {
      cleanUp = await removeLeftovers(storage);
    } catch (error) {
      cleanUp = { files: [], bytes: 0, error: error instanceof Error ? error.message : String(error) };
    }
  }
  return { ...(checkpoint !== undefined ? { checkpoint } : {}), ...(cleanUp !== undefined ? { cleanUp } : {}) };
}
