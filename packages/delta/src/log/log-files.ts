import { DeltaError } from '../errors.ts';
import type { ObjectInfo, Storage } from '../storage/storage.ts';

/** The `_delta_log/` folder, relative to the table root. */
export const LOG_DIR = '_delta_log/';

/** The key every log file of `version` starts with: `_delta_log/` and 20 zero-padded digits (PROTOCOL.md). */
export function versionKey(version: number): string {
  return `${LOG_DIR}${String(version).padStart(20, '0')}`;
}

/** A file of `_delta_log/`, classified by name (PROTOCOL.md "Delta Log Entries", "Checkpoints", "Log Compaction Files"). */
type LogFile =
  | { readonly kind: 'commit'; readonly version: number; readonly info: ObjectInfo }
  | {
      readonly kind: 'checkpoint';
      readonly version: number;
      readonly info: ObjectInfo;
      /** classic: `n.checkpoint.parquet`; multi: `n.checkpoint.p.parts.parquet`; v2: `n.checkpoint.uuid.json|parquet`. */
      readonly flavour: 'classic' | 'multi' | 'v2';
      readonly part: number;
      readonly parts: number;
      readonly format: 'parquet' | 'json';
    }
  | { readonly kind: 'compacted'; readonly version: number; readonly endVersion: number; readonly info: ObjectInfo }
  | { readonly kind: 'checksum'; readonly version: number; readonly info: ObjectInfo };

const COMMIT = /^(\d{20})\.json$/;
const CLASSIC = /^(\d{20})\.checkpoint\.parquet$/;
const MULTI = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const V2 =
  /^(\d{20})\.checkpoint\.([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\.(json|parquet)$/;
const COMPACTED = /^(\d{20})\.(\d{20})\.compacted\.json$/;
const CHECKSUM = /^(\d{20})\.crc$/;

/** Classifies a `_delta_log/` object by its name; undefined for other files (_last_checkpoint, temp files). */
function classifyLogFile(info: ObjectInfo): LogFile | undefined {
  const name = info.key.slice(info.key.lastIndexOf('/') + 1);
  let m = COMMIT.exec(name);
  if (m) return { kind: 'commit', version: Number(m[1]), info };
  m = CLASSIC.exec(name);
  if (m)
    return {
      kind: 'checkpoint',
      version: Number(m[1]),
      info,
      flavour: 'classic',
      part: 1,
      parts: 1,
      format: 'parquet',
    };
  m = MULTI.exec(name);
  if (m)
    return {
      kind: 'checkpoint',
      version: Number(m[1]),
      info,
      flavour: 'multi',
      part: Number(m[2]),
      parts: Number(m[3]),
      format: 'parquet',
    };
  m = V2.exec(name);
  if (m)
    return {
      kind: 'checkpoint',
      version: Number(m[1]),
      info,
      flavour: 'v2',
      part: 1,
      parts: 1,
      format: m[3] === 'json' ? 'json' : 'parquet',
    };
  m = COMPACTED.exec(name);
  if (m) return { kind: 'compacted', version: Number(m[1]), endVersion: Number(m[2]), info };
  m = CHECKSUM.exec(name);
  if (m) return { kind: 'checksum', version: Number(m[1]), info };
  return undefined;
}

/** Everything the listing of `_delta_log/` says about a table. */
export interface LogListing {
  readonly commits: ReadonlyMap<number, ObjectInfo>;
  /** Complete checkpoints by version: each entry the files of one checkpoint (all parts). */
  readonly checkpoints: ReadonlyMap<number, CheckpointFiles>;
  readonly compacted: readonly Extract<LogFile, { kind: 'compacted' }>[];
  /** Version checksum files (`NNN.crc`, PROTOCOL.md "Version Checksum File") by version. */
  readonly checksums: ReadonlyMap<number, ObjectInfo>;
  /** The newest version the log can describe. */
  readonly latestVersion: number;
}

/** The files of one complete checkpoint. */
export interface CheckpointFiles {
  readonly version: number;
  readonly flavour: 'classic' | 'multi' | 'v2';
  readonly format: 'parquet' | 'json';
  readonly files: readonly ObjectInfo[];
}

/**
 * Lists `_delta_log/` and classifies what it finds. The listing decides which versions and
 * checkpoints exist (`_last_checkpoint` is only a hint, PROTOCOL.md "Last Checkpoint File").
 * Incomplete multi-part checkpoints are dropped.
 */
export async function listLog(storage: Storage, startAfter?: string): Promise<LogListing> {
  const commits = new Map<number, ObjectInfo>();
  const parts = new Map<
    string,
    {
      version: number;
      flavour: 'classic' | 'multi' | 'v2';
      format: 'parquet' | 'json';
      parts: number;
      files: Map<number, ObjectInfo>;
    }
  >();
  const compacted: Extract<LogFile, { kind: 'compacted' }>[] = [];
  const checksums = new Map<number, ObjectInfo>();
  let sawAnything = false;
  const listing = storage.list(LOG_DIR, startAfter === undefined ? {} : { startAfter });
  for await (const info of listing) {
    sawAnything = true;
    const rest = info.key.slice(LOG_DIR.length);
    if (rest.includes('/')) continue;
    const f = classifyLogFile(info);
    if (!f) continue;
    if (f.kind === 'commit') commits.set(f.version, info);
    else if (f.kind === 'compacted') compacted.push(f);
    else if (f.kind === 'checksum') checksums.set(f.version, info);
    else {
      // A v2 checkpoint is named by its UUID; several checkpoints of one version may coexist.
      const id = f.flavour === 'v2' ? `${f.version}:${info.key}` : `${f.version}:${f.flavour}:${f.parts}`;
      let entry = parts.get(id);
      if (!entry) {
        entry = { version: f.version, flavour: f.flavour, format: f.format, parts: f.parts, files: new Map() };
        parts.set(id, entry);
      }
      entry.files.set(f.part, info);
    }
  }
  if (!sawAnything) {
    throw new DeltaError('not-a-table', `no Delta log at ${storage.uri}`, {
      path: storage.uri,
      hint: 'a Delta table is a folder holding _delta_log/; check the URI',
    });
  }
  const checkpoints = new Map<number, CheckpointFiles>();
  for (const e of parts.values()) {
    if (e.files.size !== e.parts) continue;
    const files = [...e.files.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i);
    const prev = checkpoints.get(e.version);
    // Prefer a v2 checkpoint, then classic, then multi-part when several exist for one version.
    const rank = { v2: 3, classic: 2, multi: 1 } as const;
    if (!prev || rank[e.flavour] > rank[prev.flavour]) {
      checkpoints.set(e.version, { version: e.version, flavour: e.flavour, format: e.format, files });
    }
  }
  let latestVersion = -1;
  for (const v of commits.keys()) latestVersion = Math.max(latestVersion, v);
  for (const v of checkpoints.keys()) latestVersion = Math.max(latestVersion, v);
  for (const c of compacted) latestVersion = Math.max(latestVersion, c.endVersion);
  if (latestVersion < 0) {
    throw new DeltaError('empty-log', `the Delta log of ${storage.uri} holds no commits or checkpoints`, {
      path: `${storage.uri}/${LOG_DIR}`,
      hint: 'the table was never committed, or its log was deleted',
    });
  }
  return { commits, checkpoints, compacted, checksums, latestVersion };
}

/** The files to replay for one version: a checkpoint (if any) and the commits after it. */
export interface LogSegment {
  readonly version: number;
  readonly checkpoint: CheckpointFiles | undefined;
  /**
   * Files after the checkpoint up to `version`, ascending: commits, or a compacted file standing for
   * the commits `version..endVersion` (then `endVersion` is set).
   */
  readonly commits: readonly { readonly version: number; readonly info: ObjectInfo; readonly endVersion?: number }[];
  /** The commit file of `version` itself, when listed (its commitInfo dates the snapshot). */
  readonly lastCommit: ObjectInfo | undefined;
}

/**
 * The compacted file starting at `v` that covers the most commits up to `version`
 * (PROTOCOL.md "Log Compaction Files": it holds the reconciled actions of its range).
 */
function compactionAt(
  listing: LogListing,
  v: number,
  version: number,
): Extract<LogFile, { kind: 'compacted' }> | undefined {
  let best: Extract<LogFile, { kind: 'compacted' }> | undefined;
  for (const c of listing.compacted) {
    if (c.version !== v || c.endVersion <= c.version || c.endVersion > version) continue;
    if (!best || c.endVersion > best.endVersion) best = c;
  }
  return best;
}

/**
 * Chooses the newest complete checkpoint at or below `version` and the contiguous commits after it
 * (PROTOCOL.md "Checkpoints": a snapshot is the checkpoint plus every later commit).
 */
export function segmentFor(listing: LogListing, version: number, uri: string): LogSegment {
  if (version > listing.latestVersion || version < 0) {
    throw new DeltaError(
      'version-not-found',
      `version ${version} does not exist (latest is ${listing.latestVersion})`,
      {
        path: uri,
        hint: `ask for a version between the oldest reconstructable one and ${listing.latestVersion}`,
      },
    );
  }
  let checkpoint: CheckpointFiles | undefined;
  for (const cp of listing.checkpoints.values()) {
    if (cp.version <= version && (!checkpoint || cp.version > checkpoint.version)) checkpoint = cp;
  }
  const start = checkpoint ? checkpoint.version + 1 : 0;
  const commits: { version: number; info: ObjectInfo; endVersion?: number }[] = [];
  for (let v = start; v <= version; v++) {
    const compacted = compactionAt(listing, v, version);
    if (compacted) {
      commits.push({ version: v, info: compacted.info, endVersion: compacted.endVersion });
      v = compacted.endVersion;
      continue;
    }
    const info = listing.commits.get(v);
    if (!info) {
      if (v === 0) {
        throw new DeltaError(
          'log-incomplete',
          `version ${version} cannot be reconstructed: no checkpoint <= ${version} and commit 0 is missing`,
          {
            path: `${uri}/${LOG_DIR}`,
            hint: 'the commits before the oldest checkpoint were cleaned up; read a newer version',
          },
        );
      }
      throw new DeltaError('versions-not-contiguous', `commit ${v} is missing between ${start} and ${version}`, {
        path: `${uri}/${versionKey(v)}.json`,
        hint: 'the log has a gap; the table is corrupt at this version',
      });
    }
    commits.push({ version: v, info });
  }
  return { version, checkpoint, commits, lastCommit: listing.commits.get(version) };
}
