import type { AddAction } from '../log/actions.ts';
import type { DeltaFile } from '../log/files.ts';
import { writesInCommitTimestamps } from '../protocol/writer-features.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { Storage } from '../storage/storage.ts';
import { type AfterCommit, afterCommit, nextInCommitTimestamp } from './after-commit.ts';
import { commit, type RewriteConflictCheck } from './commit.ts';

/** One commit that replaces files of a snapshot: what a delete, update, merge or optimize commits. */
export interface RewriteCommit {
  readonly operation: string;
  readonly operationParameters: Readonly<Record<string, string>>;
  readonly operationMetrics: Readonly<Record<string, string>>;
  readonly removes: readonly DeltaFile[];
  readonly adds: readonly AddAction[];
  readonly changes: readonly AddAction[];
  /** False for a rearrangement of the same rows (optimize): PROTOCOL.md "Add File and Remove File", dataChange. */
  readonly dataChange: boolean;
  readonly check: RewriteConflictCheck;
  /** The options as the caller gave them: commit and afterCommit apply the defaults. */
  readonly maxCommitAttempts: number | undefined;
  readonly cleanUpOnCheckpoint: boolean | undefined;
}

/**
 * Commits the removes, adds and change files after `snapshot` (commitInfo first, with an inCommitTimestamp when the
 * table has them), retrying at later versions while `check` finds no conflict, then the checkpoint and clean-up.
 */
export async function commitRewrite(
  storage: Storage,
  snapshot: Snapshot,
  c: RewriteCommit,
): Promise<{ version: number; attempts: number } & AfterCommit> {
  const now = Date.now();
  const inCommitTimestamps = writesInCommitTimestamps(snapshot.protocol, snapshot.configuration);
  const body = async (version: number): Promise<Uint8Array> => {
    const inCommitTimestamp = inCommitTimestamps
      ? await nextInCommitTimestamp(storage, snapshot, version, now)
      : undefined;
    const actions: unknown[] = [
      {
        commitInfo: {
          ...(inCommitTimestamp !== undefined ? { inCommitTimestamp } : {}),
          timestamp: now,
          operation: c.operation,
          operationParameters: c.operationParameters,
          readVersion: snapshot.version,
          isolationLevel: 'WriteSerializable',
          isBlindAppend: false,
          operationMetrics: c.operationMetrics,
          engineInfo: 'meridian-delta/0.1.0',
        },
      },
    ];
    for (const file of c.removes) {
      actions.push({
        remove: {
          path: file.path,
          deletionTimestamp: now,
          dataChange: c.dataChange,
          extendedFileMetadata: true,
          partitionValues: file.partitionValues,
          size: file.size,
          // PROTOCOL.md "Deletion Vectors": a remove names the logical file, path and deletion vector.
          ...(file.deletionVector ? { deletionVector: file.deletionVector } : {}),
        },
      });
    }
    for (const add of c.adds) actions.push({ add: { ...add, dataChange: c.dataChange } });
    for (const f of c.changes) {
      actions.push({ cdc: { path: f.path, partitionValues: f.partitionValues, size: f.size, dataChange: false } });
    }
    return new TextEncoder().encode(`${actions.map((a) => JSON.stringify(a)).join('\n')}\n`);
  };
  const committed = await commit(storage, snapshot.version, 'rewrite', body, c.maxCommitAttempts, undefined, c.check);
  const upkeep = await afterCommit(storage, snapshot.configuration, committed.version, c.cleanUpOnCheckpoint);
  return { version: committed.version, attempts: committed.attempts, ...upkeep };
}
