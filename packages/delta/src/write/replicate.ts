import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { type Action, type AddAction, parseCommit } from '../log/actions.ts';
import type { DeltaFile } from '../log/files.ts';
import { canonicalPath } from '../log/paths.ts';
import { TableScan } from '../scan/table-scan.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { openTable } from '../snapshot/table.ts';
import { type OpenStorageOptions, openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import { commitKey } from './commit.ts';
import { type ReplicaCommit, writeTable } from './write-table.ts';

/** Options of {@link replicate}. */
export interface ReplicateOptions extends OpenStorageOptions {
  /** Constant string columns added to every copied row (`{ region: 'eu-west-1' }`). */
  readonly addColumns?: Readonly<Record<string, string>>;
  /** The application id of the progress kept in the target (a txn action); by default one per source table id. */
  readonly appId?: string;
  /** Say which source versions would be copied, and how, without reading data files or writing anything. */
  readonly dryRun?: boolean;
  /** Called after each source version is committed to the target (progress of a long run). */
  readonly onVersion?: (version: number, copy: ReplicatedVersion) => void;
  /** Storage options of the target when it is a URI (the source's are `OpenStorageOptions`). */
  readonly targetOptions?: OpenStorageOptions;
}

/** How one source version was (or, on a dry run, would be) carried into the target. */
export interface ReplicatedVersion {
  readonly version: number;
  /**
   * `append`: new files copied; `change`: files removed (a delete, update, merge or overwrite) and their target copies
   * replaced in one commit; `rearrange`: the same rows in other files (optimize), dataChange false.
   */
  readonly kind: 'append' | 'change' | 'rearrange';
  /** commitInfo.operation of the source version, when it has one. */
  readonly operation: string | undefined;
  /** Source files the version removed and added. */
  readonly filesRemoved: number;
  readonly filesAdded: number;
  /** Rows copied into the target (0 on a dry run, which reads no data file). */
  readonly rows: number;
}

/** What {@link replicate} copied. */
export interface ReplicateResult {
  /** Source versions copied by this run (each one target commit); versions that changed no data are not listed. */
  readonly versions: readonly number[];
  /** The same, with what each one carried. */
  readonly copies: readonly ReplicatedVersion[];
  /** The source version the target now holds everything up to. */
  readonly upTo: number;
  /** The source version the target held everything up to before this run (-1: nothing). */
  readonly from: number;
  /** Rows written to the target (copies of added source files). */
  readonly rows: number;
  readonly dryRun: boolean;
}

/**
 * The tag each target file carries: the source file whose rows it holds, per application id, so one target can take
 * several sources (one per region) without their paths meeting.
 */
export function replicaTag(appId: string): string {
  return `meridian.replicaOf.${appId}`;
}

/** What a source version does to its files, read from its commit alone. */
interface SourceChange {
  readonly removed: readonly string[];
  readonly added: readonly AddAction[];
  readonly dataChange: boolean;
  readonly operation: string | undefined;
}

function sourceChange(uri: string, actions: readonly Action[]): SourceChange {
  const removed: string[] = [];
  const added: AddAction[] = [];
  let dataChange = false;
  for (const a of actions) {
    if (a.type === 'remove') {
      removed.push(canonicalPath(uri, a.remove.path));
      dataChange ||= a.remove.dataChange;
    } else if (a.type === 'add') {
      added.push(a.add);
      dataChange ||= a.add.dataChange;
    }
  }
  const info = actions.find((a) => a.type === 'commitInfo');
  const operation = info?.type === 'commitInfo' ? (info.commitInfo.operation as string | undefined) : undefined;
  return { removed, added, dataChange, operation };
}

/** Live rows of a source file as its add action counts them, when its statistics say (a deletion vector subtracted). */
function liveRowsOf(file: DeltaFile | undefined): number | undefined {
  const n = file?.stats?.numRecords;
  return n === undefined ? undefined : n - (file?.deletionVector?.cardinality ?? 0);
}

/**
 * Copies the source's commits made since the last run into the target, exactly once: each source version becomes one
 * target commit carrying the application transaction (appId, source version) (PROTOCOL.md "Transaction
 * Identifiers"), so a rerun after a crash skips what was committed and copies the rest.
 *
 * Deletes, updates and merges are carried by file: every target file is tagged with the source file whose rows it
 * copies ({@link replicaTag}); a source version that removes files (rewritten by copy-on-write, or given a new deletion
 * vector) removes their target copies and adds copies of the files it added (live rows only, deletion vectors
 * applied), in the same commit as its txn. The target so ends with exactly the source's rows plus the added columns,
 * whatever the change was. An optimize of the source (dataChange false) into one file re-tags the target copies
 * without copying; into several files, it copies them. A removed source file with rows and no tagged copy in the
 * target (a target written before the tags) is refused: the target cannot be brought to the source's rows by file.
 *
 * ```ts
 * await replicate('s3://eu/orders', 's3://global/orders', { addColumns: { region: 'eu-west-1' } });
 * ```
 */
export async function replicate(
  source: string | Storage,
  target: string | Storage,
  options: ReplicateOptions = {},
): Promise<ReplicateResult> {
  const from = typeof source === 'string' ? openStorage(source, options) : source;
  const to = typeof target === 'string' ? openStorage(target, options.targetOptions ?? options) : target;
  const table = await openTable(from);
  const latest = await table.snapshot();
  const appId = options.appId ?? `meridian-replicate-${latest.metadata.id}`;
  const tag = replicaTag(appId);
  let done = -1;
  try {
    done = (await (await openTable(to)).snapshot()).txns().get(appId) ?? -1;
  } catch (error) {
    if (!(error instanceof DeltaError && (error.code === 'not-a-table' || error.code === 'empty-log'))) throw error;
  }
  const copies: ReplicatedVersion[] = [];
  let rows = 0;
  let before: Snapshot | undefined = done >= 0 ? await table.snapshot({ version: done }) : undefined;
  for (let v = done + 1; v <= latest.version; v++) {
    const key = commitKey(v);
    const change = sourceChange(from.uri, parseCommit(await from.get(key), key));
    const snapshot = await table.snapshot({ version: v });
    const previous = before;
    before = snapshot;
    // A version that changes no data file (metadata, a re-add of a file with new statistics) changes no target row.
    if (change.removed.length === 0 && !change.added.some((a) => a.dataChange)) continue;
    const kind = !change.dataChange ? 'rearrange' : change.removed.length > 0 ? 'change' : 'append';
    // Rows a removed source file held: a file that had none has no copy in the target and needs none.
    const hadRows = (path: string): boolean => liveRowsOf(byPath(from.uri, previous).get(path)) !== 0;
    const copy = {
      version: v,
      kind,
      operation: change.operation,
      filesRemoved: change.removed.length,
      filesAdded: change.added.length,
    } as const;
    if (options.dryRun) {
      copies.push({ ...copy, rows: 0 });
      continue;
    }
    const removed = new Set(change.removed);
    const plan = (existing: Snapshot | undefined) => {
      const copiesOf = new Map<string, DeltaFile[]>();
      for (const f of existing?.files() ?? []) {
        const of = f.add.tags?.[tag];
        if (of !== undefined && of !== null && removed.has(of)) copiesOf.set(of, [...(copiesOf.get(of) ?? []), f]);
      }
      for (const path of removed) {
        if (!copiesOf.has(path) && hadRows(path)) {
          throw new DeltaError(
            'replica-unmapped',
            `version ${v} of ${from.uri} (${change.operation ?? 'a change'}) removes ${path}, and no file of ${to.uri} is tagged as its copy (${tag}); replicate has copied up to version ${v - 1}`,
            {
              path: key,
              hint: 'the target was written before replicate tagged its files, or by another writer: rebuild the target with replicate from an empty location',
            },
          );
        }
      }
      const targets = [...copiesOf.values()].flat();
      const only = change.added.length === 1 ? change.added[0] : undefined;
      if (kind === 'rearrange' && only) {
        // The source packed these files into one: the copies now hold that file's rows, so they are re-tagged.
        const into = canonicalPath(from.uri, only.path);
        return { removes: [], readds: targets.map((f) => retagged(f, tag, into)) };
      }
      return { removes: targets, readds: [] };
    };
    const retag = kind === 'rearrange' && change.added.length === 1;
    const pieces = retag ? [] : change.added.map((a) => canonicalPath(from.uri, a.path));
    const live = byPath(from.uri, snapshot);
    const files = pieces.map((path) => {
      const f = live.get(path);
      if (!f) throw new Error(`replicate: ${path} added at version ${v} is not live in that snapshot`);
      return f;
    });
    const scan = (fs: readonly DeltaFile[]) =>
      new TableScan(snapshot.scanContext(), fs, { decoder: 'main-thread' }).toArrow();
    const parts: Table[] = [];
    for (const f of files) parts.push(await scan([f]));
    const names = snapshot.schema.fields.map((f) => f.name);
    let data = new Table(
      (await scan([])).schema,
      parts.flatMap((p) => p.batches),
    ).select(names);
    for (const [name, value] of Object.entries(options.addColumns ?? {})) {
      data = data.assign(
        new Table({ [name]: vectorFromArray(new Array<string>(data.numRows).fill(value), new Utf8()) }),
      );
    }
    const replica: ReplicaCommit = {
      pieces: pieces.map((path, i) => ({ rows: parts[i]?.numRows ?? 0, tags: { [tag]: path } })),
      plan,
      dataChange: change.dataChange,
      operation: `REPLICATE ${change.operation ?? ''}`.trim(),
    };
    const result = await writeTable(to, data, { mode: 'append', txn: { appId, version: v } }, replica);
    if (!result.skipped) {
      const done = { ...copy, rows: data.numRows };
      copies.push(done);
      rows += data.numRows;
      options.onVersion?.(v, done);
    }
  }
  return {
    versions: copies.map((c) => c.version),
    copies,
    upTo: latest.version,
    from: done,
    rows,
    dryRun: options.dryRun === true,
  };
}

const filesByPath = new WeakMap<Snapshot, Map<string, DeltaFile>>();

/** The live files of a snapshot by canonical path (built once per snapshot: a version may name thousands). */
function byPath(uri: string, snapshot: Snapshot | undefined): Map<string, DeltaFile> {
  if (!snapshot) return new Map();
  let map = filesByPath.get(snapshot);
  if (!map) {
    map = new Map(snapshot.files().map((f) => [canonicalPath(uri, f.path), f]));
    filesByPath.set(snapshot, map);
  }
  return map;
}

/** The add action of a target file again, tagged as the copy of another source file (its statistics kept). */
function retagged(file: DeltaFile, tag: string, of: string): AddAction {
  const a = file.add;
  return {
    path: a.path,
    partitionValues: a.partitionValues,
    size: a.size,
    modificationTime: a.modificationTime,
    dataChange: false,
    ...(typeof a.stats === 'string' ? { stats: a.stats } : {}),
    tags: { ...(a.tags ?? {}), [tag]: of },
    ...(a.deletionVector ? { deletionVector: a.deletionVector } : {}),
  };
}
