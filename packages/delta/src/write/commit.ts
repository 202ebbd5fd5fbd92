import { DeltaError } from '../errors.ts';
import { type Action, parseCommit } from '../log/actions.ts';
import { versionKey } from '../log/log-files.ts';
import type { Storage } from '../storage/storage.ts';

/** How a commit may be retried after another writer took its version. */
export type CommitIsolation =
  /** Blind appends: only a concurrent protocol or metadata change conflicts (PROTOCOL.md "Commit Provenance"). */
  | 'append'
  /** Reads the whole table (overwrite): any concurrent data or metadata change conflicts. */
  | 'serializable'
  /** Version 0 only: another writer creating the table first is a conflict. */
  | 'create'
  /**
   * Rewrites some files (delete, update, merge, optimize) under write serializability, Delta's default isolation:
   * a concurrent blind append is ordered after this commit and does not conflict; a concurrent commit that removes
   * a file this one removes, or a non-blind one whose added files the caller's `conflicts` check flags, does.
   */
  | 'rewrite';

/** What a 'rewrite' commit checks in each commit another writer made meanwhile; a reason when it conflicts. */
export type RewriteConflictCheck = (actions: readonly Action[]) => string | undefined;

/** The key of a commit file (PROTOCOL.md "Delta Log Entries": 20 zero-padded digits). */
export function commitKey(version: number): string {
  return `${versionKey(version)}.json`;
}

function conflictsWith(
  isolation: CommitIsolation,
  actions: readonly Action[],
  rewrite: RewriteConflictCheck | undefined,
): string | undefined {
  for (const a of actions) {
    if (a.type === 'metaData' || a.type === 'protocol')
      return `it changed the table's ${a.type === 'metaData' ? 'metadata' : 'protocol'}`;
    if (
      isolation === 'serializable' &&
      (a.type === 'add' || a.type === 'remove') &&
      (a.type === 'add' ? a.add.dataChange : a.remove.dataChange)
    ) {
      return 'it changed the data this overwrite replaces';
    }
  }
  return isolation === 'rewrite' && rewrite ? rewrite(actions) : undefined;
}

async function isOwnCommit(storage: Storage, version: number, bytes: Uint8Array): Promise<boolean> {
  let found: Uint8Array;
  try {
    found = await storage.get(commitKey(version));
  } catch (error) {
    if (error instanceof DeltaError && error.code === 'not-found') return false;
    throw error;
  }
  return found.length === bytes.length && found.every((b, i) => b === bytes[i]);
}

/**
 * Writes `body(version)` as the commit after `readVersion` with putIfAbsent, the atomic step Delta
 * relies on: either the file appears whole or another writer's does. When another writer took
 * the version, the commits in between are read and checked against `isolation`; with no conflict
 * the commit is retried at the next free version. Returns the version committed and the attempts;
 * `skipped` when another writer committed the same application transaction (`txn`) first.
 */
export async function commit(
  storage: Storage,
  readVersion: number,
  isolation: CommitIsolation,
  body: (version: number) => Uint8Array | Promise<Uint8Array>,
  /** Attempts before giving up with a conflict; 100 when the caller's options leave it unset. */
  maxAttempts: number | undefined,
  txn?: { readonly appId: string; readonly version: number },
  rewrite?: RewriteConflictCheck,
): Promise<{ version: number; attempts: number; skipped?: true }> {
  let version = readVersion + 1;
  const attempts = maxAttempts ?? 100;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const bytes = await body(version);
    if (await storage.putIfAbsent(commitKey(version), bytes)) return { version, attempts: attempt };
    // A conditional PUT whose response was lost is retried by the S3 client and then answered 412: the commit
    // that holds the version may be this one. Its bytes (unique data file names, this write's timestamp) say so;
    // taking it for another writer's would commit the rows twice, or delete files a committed version names.
    if (await isOwnCommit(storage, version, bytes)) return { version, attempts: attempt };
    if (isolation === 'create') {
      throw new DeltaError('table-exists', `another writer created the table at ${storage.uri} first`, {
        path: storage.uri,
        hint: "write with mode: 'append' or mode: 'overwrite' to add to the existing table",
      });
    }
    // Read every commit another writer made since, in order, until a free version is found.
    for (;;) {
      let bytes: Uint8Array;
      try {
        bytes = await storage.get(commitKey(version));
      } catch (error) {
        if (error instanceof DeltaError && error.code === 'not-found') break;
        throw error;
      }
      const actions = parseCommit(bytes, commitKey(version));
      // PROTOCOL.md "Transaction Identifiers": another writer committed this application's
      // transaction (or a later one) first; committing again would apply it twice.
      const same = txn && actions.find((a) => a.type === 'txn' && a.txn.appId === txn.appId);
      if (txn && same?.type === 'txn') {
        if (same.txn.version >= txn.version) return { version, attempts: attempt, skipped: true };
        throw new DeltaError(
          'commit-conflict',
          `version ${version} of ${storage.uri} committed transaction ${same.txn.version} of application ${txn.appId} while this write (transaction ${txn.version}) was in flight`,
          { path: commitKey(version), hint: 'commit the transactions of one application in order, one at a time' },
        );
      }
      const reason = conflictsWith(isolation, actions, rewrite);
      if (reason !== undefined) {
        throw new DeltaError(
          'commit-conflict',
          `version ${version} of ${storage.uri} was committed by another writer and ${reason}`,
          {
            path: commitKey(version),
            hint: 'read the table again and retry the write; the data files already written are unreferenced (VACUUM removes them)',
          },
        );
      }
      version++;
    }
  }
  throw new DeltaError(
    'commit-conflict',
    `gave up committing to ${storage.uri} after ${attempts} attempts: other writers took every version`,
    {
      path: storage.uri,
      hint: 'retry later or raise maxCommitAttempts',
    },
  );
}
