import type { RecordBatch } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { parseCommit } from '../log/actions.ts';
import { readCheckpoint } from '../log/checkpoint.ts';
import { LOG_DIR, type LogListing, listLog, versionKey } from '../log/log-files.ts';
import { assertReadable, readerFeaturesOf } from '../protocol/features.ts';
import { assertTypeChangesReadable } from '../protocol/type-widening.ts';
import { openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import { readChanges } from './changes.ts';
import { type EarlyCheckpoint, loadState } from './load.ts';
import { Snapshot } from './snapshot.ts';

/** Which version a snapshot shows: the latest, a version number, or the version current at a time. */
export interface SnapshotOptions {
  readonly version?: number;
  /** Epoch milliseconds, a Date, or an ISO-8601 string. */
  readonly timestamp?: number | Date | string;
}

/** One entry of {@link DeltaTable.history}. */
export interface CommitEntry {
  readonly version: number;
  /** Commit timestamp in epoch ms (inCommitTimestamp when enabled, else the commit file's time). */
  readonly timestamp: number;
  /** The commit's `commitInfo` action, when it wrote one. */
  readonly commitInfo: Readonly<Record<string, unknown>> | undefined;
}

function toMillis(t: number | Date | string, uri: string): number {
  const ms = typeof t === 'number' ? t : t instanceof Date ? t.getTime() : Date.parse(t);
  if (!Number.isFinite(ms)) {
    throw new DeltaError('version-not-found', `'${String(t)}' is not a timestamp`, {
      path: uri,
      hint: 'give epoch milliseconds, a Date, or an ISO-8601 string such as 2024-05-01T12:00:00Z',
    });
  }
  return ms;
}

/** A Delta table on some storage; every call re-lists the log, so it sees new commits. */
export class DeltaTable {
  /** The storage holding the table root. */
  readonly storage: Storage;

  /** @internal Use {@link openTable}. */
  constructor(storage: Storage) {
    this.storage = storage;
  }

  /** The URI of the table root. */
  get uri(): string {
    return this.storage.uri;
  }

  /** The newest version in the log. */
  async latestVersion(): Promise<number> {
    return (await this.listFrom(undefined, await readLastCheckpoint(this.storage))).latestVersion;
  }

  /**
   * Lists the log, starting at the checkpoint `_last_checkpoint` names (`hint`) when the wanted version is
   * at or after it (one short listing instead of every commit). The hint is only trusted when the
   * listing shows that checkpoint complete; otherwise the whole log is listed (PROTOCOL.md
   * "Last Checkpoint File": the file may be stale or wrong).
   */
  private async listFrom(version: number | undefined, hint: LastCheckpoint | undefined): Promise<LogListing> {
    if (hint !== undefined && (version === undefined || version >= hint.version)) {
      try {
        const partial = await listLog(this.storage, versionKey(hint.version));
        if (partial.checkpoints.has(hint.version)) return partial;
      } catch (e) {
        if (!(e instanceof DeltaError)) throw e;
      }
    }
    return listLog(this.storage);
  }

  /**
   * A snapshot at the latest version, a given version, or the latest version committed at or
   * before a timestamp. Refuses tables whose protocol this reader does not implement.
   */
  async snapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
    let listing: LogListing;
    let early: EarlyCheckpoint | undefined;
    if (options.timestamp === undefined) {
      const hint = await readLastCheckpoint(this.storage);
      if (hint?.classic && (options.version === undefined || options.version >= hint.version)) {
        early = readEarly(this.storage, hint.version);
      }
      listing = await this.listFrom(options.version, hint);
    } else listing = await listLog(this.storage);
    let version = options.version ?? listing.latestVersion;
    if (options.timestamp !== undefined) {
      version = await this.versionAt(listing, toMillis(options.timestamp, this.uri));
    }
    const loaded = await loadState(this.storage, listing, version, early);
    assertReadable(loaded.state.protocol, this.uri);
    const timestamp = commitTimestamp(loaded.state.metadata.configuration, version, loaded.commitInfo, listing);
    const snapshot = new Snapshot(this.storage, loaded.state, timestamp);
    // Tables of the preview feature may hold changes the final feature dropped (see type-widening.ts).
    const features = readerFeaturesOf(loaded.state.protocol);
    const preview = features.includes('typeWidening-preview') && !features.includes('typeWidening');
    assertTypeChangesReadable(snapshot.schema, this.uri, preview);
    return snapshot;
  }

  /** Commits, newest first (`limit` bounds how many commit files are read). */
  async history(options: { limit?: number } = {}): Promise<CommitEntry[]> {
    const listing = await listLog(this.storage);
    const versions = [...listing.commits.keys()]
      .sort((a, b) => b - a)
      .slice(0, options.limit ?? Number.POSITIVE_INFINITY);
    const latest = await this.snapshotConfig(listing);
    const out: CommitEntry[] = [];
    for (const v of versions) {
      const info = listing.commits.get(v);
      if (!info) continue;
      const actions = parseCommit(await this.storage.get(info.key), info.key);
      const ci = actions.find((a) => a.type === 'commitInfo');
      const commitInfo = ci?.type === 'commitInfo' ? ci.commitInfo : undefined;
      out.push({
        version: v,
        timestamp: commitTimestamp(latest, v, commitInfo, listing) ?? info.lastModified,
        commitInfo,
      });
    }
    return out;
  }

  /**
   * The change data feed between two versions, inclusive (PROTOCOL.md "Change Data Files"): rows with
   * `_change_type`, `_commit_version` and `_commit_timestamp` columns.
   */
  changes(fromVersion: number, toVersion?: number): AsyncIterable<RecordBatch> {
    return readChanges(this, fromVersion, toVersion);
  }

  private async snapshotConfig(listing: LogListing): Promise<Readonly<Record<string, string>>> {
    try {
      return (await loadState(this.storage, listing, listing.latestVersion)).state.metadata.configuration;
    } catch {
      return {};
    }
  }

  private async versionAt(listing: LogListing, ms: number): Promise<number> {
    const config = await this.snapshotConfig(listing);
    let versions = [...listing.commits.keys()].sort((a, b) => a - b);
    // PROTOCOL.md "Recommendations for Readers of Tables with In-Commit Timestamps": a time at or
    // after the enablement timestamp looks only at versions from the enablement version on, an
    // earlier time only at the versions before it.
    const enabledAt = Number(config['delta.inCommitTimestampEnablementTimestamp']);
    const enabledFrom = Number(config['delta.inCommitTimestampEnablementVersion']);
    if (
      config['delta.enableInCommitTimestamps'] === 'true' &&
      Number.isFinite(enabledAt) &&
      Number.isFinite(enabledFrom)
    ) {
      versions = versions.filter((v) => (ms >= enabledAt ? v >= enabledFrom : v < enabledFrom));
    }
    let found: number | undefined;
    for (const v of versions) {
      const info = listing.commits.get(v);
      if (!info) continue;
      let ci: Record<string, unknown> | undefined;
      if (usesInCommitTimestamps(config, v)) {
        const a = parseCommit(await this.storage.get(info.key), info.key).find((x) => x.type === 'commitInfo');
        ci = a?.type === 'commitInfo' ? a.commitInfo : undefined;
      }
      const t = commitTimestamp(config, v, ci, listing) ?? info.lastModified;
      // The latest version committed at or before `ms`; every commit is checked because a log may
      // hold out-of-order timestamps (file times after a copy, non-monotonic in-commit timestamps).
      if (t <= ms) found = v;
    }
    if (found === undefined) {
      throw new DeltaError('version-not-found', `no commit at or before ${new Date(ms).toISOString()}`, {
        path: this.uri,
        hint: "give a timestamp after the table's first commit",
      });
    }
    return found;
  }
}

/** What `_delta_log/_last_checkpoint` says: the checkpoint's version, and whether it is one classic parquet file. */
interface LastCheckpoint {
  readonly version: number;
  /** No `parts` (multi-part) and no `v2Checkpoint` field: the checkpoint is `<version>.checkpoint.parquet`. */
  readonly classic: boolean;
}

/** The checkpoint `_delta_log/_last_checkpoint` names, if the file exists and parses. */
async function readLastCheckpoint(storage: Storage): Promise<LastCheckpoint | undefined> {
  try {
    const json = JSON.parse(new TextDecoder().decode(await storage.get(`${LOG_DIR}_last_checkpoint`))) as {
      version?: unknown;
      parts?: unknown;
      v2Checkpoint?: unknown;
    };
    return typeof json.version === 'number' && Number.isInteger(json.version) && json.version >= 0
      ? { version: json.version, classic: json.parts === undefined && json.v2Checkpoint === undefined }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Begins reading the classic checkpoint `_last_checkpoint` names while `_delta_log/` is listed: on a local disk
 * most of a long log's listing (a readdir of every name) is the kernel's and libuv's work on another thread, which
 * the checkpoint's decode on this one need not wait for. Only a hint: loadState uses the actions only when the
 * listing chooses this very file (PROTOCOL.md "Last Checkpoint File"), and a failed read fails there as its own
 * read would.
 */
function readEarly(storage: Storage, version: number): EarlyCheckpoint {
  const key = `${versionKey(version)}.checkpoint.parquet`;
  const actions = readCheckpoint(storage, {
    version,
    flavour: 'classic',
    format: 'parquet',
    files: [{ key, size: 0, lastModified: 0 }],
  });
  // Unused when the listing disagrees: never an unhandled rejection.
  actions.catch(() => undefined);
  return { version, key, actions };
}

/** PROTOCOL.md "In-Commit Timestamps": enabled from `delta.inCommitTimestampEnablementVersion` on. */
function usesInCommitTimestamps(config: Readonly<Record<string, string>>, version: number): boolean {
  if (config['delta.enableInCommitTimestamps'] !== 'true') return false;
  const from = config['delta.inCommitTimestampEnablementVersion'];
  return from === undefined || version >= Number(from);
}

function commitTimestamp(
  config: Readonly<Record<string, string>>,
  version: number,
  commitInfo: Readonly<Record<string, unknown>> | undefined,
  listing: LogListing,
): number | undefined {
  if (usesInCommitTimestamps(config, version) && commitInfo) {
    const t = commitInfo.inCommitTimestamp;
    if (typeof t === 'number') return t;
  }
  return listing.commits.get(version)?.lastModified;
}

/**
 * Opens a Delta table by URI (a path, `file://`, `s3://bucket/prefix`, `memory://name`) or on a
 * {@link Storage}. Nothing is read until a snapshot is asked for.
 *
 * ```ts
 * const table = await openTable('s3://lake/events');
 * const rows = await (await table.snapshot()).toArrow({ columns: ['region', 'ts'] });
 * ```
 */
export async function openTable(source: string | Storage): Promise<DeltaTable> {
  return new DeltaTable(typeof source === 'string' ? openStorage(source) : source);
}
