import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { parseCommit } from '../log/actions.ts';
import type { DeltaFile } from '../log/files.ts';
import { TableScan } from '../scan/table-scan.ts';
import { openTable } from '../snapshot/table.ts';
import { type OpenStorageOptions, openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import { commitKey } from './commit.ts';
import { writeTable } from './write-table.ts';

/** Options of {@link replicate}. */
export interface ReplicateOptions extends OpenStorageOptions {
  /** Constant string columns added to every copied row (`{ region: 'eu-west-1' }`). */
  readonly addColumns?: Readonly<Record<string, string>>;
  /** The application id of the progress kept in the target (a txn action); by default one per source table id. */
  readonly appId?: string;
  /** Called after each source version is committed to the target (progress of a long run). */
  readonly onVersion?: (version: number) => void;
  /** Storage options of the target when it is a URI (the source's are `OpenStorageOptions`). */
  readonly targetOptions?: OpenStorageOptions;
}

/** What {@link replicate} copied. */
export interface ReplicateResult {
  /** Source versions copied by this run (each one target commit, or none when it added no rows). */
  readonly versions: readonly number[];
  /** The source version the target now holds everything up to. */
  readonly upTo: number;
  readonly rows: number;
}

/**
 * Copies the source's commits made since the last run into the target, exactly once: each source version becomes one
 * append carrying the application transaction (appId, source version) (PROTOCOL.md "Transaction Identifiers"), so a
 * rerun after a crash skips what was committed and copies the rest. Only appends are carried: a source version that
 * removes data (a delete, update, merge or overwrite) is refused by name, since copying its rows again would
 * duplicate them; rearrangements (optimize, dataChange false) are skipped.
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
  let done = -1;
  try {
    done = (await (await openTable(to)).snapshot()).txns().get(appId) ?? -1;
  } catch (error) {
    if (!(error instanceof DeltaError && (error.code === 'not-a-table' || error.code === 'empty-log'))) throw error;
  }
  const versions: number[] = [];
  let rows = 0;
  for (let v = done + 1; v <= latest.version; v++) {
    const key = commitKey(v);
    const actions = parseCommit(await from.get(key), key);
    const removing = actions.find((a) => a.type === 'remove' && a.remove.dataChange);
    if (removing) {
      const info = actions.find((a) => a.type === 'commitInfo');
      const operation = info?.type === 'commitInfo' ? String(info.commitInfo.operation ?? 'a change') : 'a change';
      throw new DeltaError(
        'unsupported-write',
        `version ${v} of ${from.uri} removes data (${operation}); replicate carries appends only, and has copied up to version ${v - 1}`,
        { path: key, hint: 'replicate tables that are only appended to, or rebuild the target from the source' },
      );
    }
    const adds = actions.flatMap((a) => (a.type === 'add' && a.add.dataChange ? [a.add] : []));
    if (adds.length === 0) continue;
    const snapshot = await table.snapshot({ version: v });
    const files = snapshot.files().filter((f: DeltaFile) => adds.some((a) => a.path === f.path));
    let data = await new TableScan(snapshot.scanContext(), files, { decoder: 'main-thread' }).toArrow();
    data = new Table(data.batches).select(snapshot.schema.fields.map((f) => f.name));
    for (const [name, value] of Object.entries(options.addColumns ?? {})) {
      data = data.assign(
        new Table({ [name]: vectorFromArray(new Array<string>(data.numRows).fill(value), new Utf8()) }),
      );
    }
    const result = await writeTable(to, data, { mode: 'append', txn: { appId, version: v } });
    if (!result.skipped) {
      versions.push(v);
      rows += data.numRows;
    }
    options.onVersion?.(v);
  }
  return { versions, upTo: latest.version, rows };
}
