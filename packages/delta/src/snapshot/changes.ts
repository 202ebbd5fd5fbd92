import { type Data, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { partitionColumn } from '../arrow/partition-column.ts';
import { loadDeletionVector } from '../deletion-vectors/descriptor.ts';
import { DeltaError } from '../errors.ts';
import { type AddAction, parseCommit } from '../log/actions.ts';
import type { DeltaFile } from '../log/files.ts';
import { listLog } from '../log/log-files.ts';
import { planScan, readFile, type ScanContext } from '../scan/file-read.ts';
import { arrowField } from '../schema/arrow.ts';
import type { StructField } from '../schema/types.ts';
import type { Storage } from '../storage/storage.ts';
import type { Snapshot } from './snapshot.ts';

/** The columns the change data feed adds to every row (PROTOCOL.md "Change Data Files"). */
export const CHANGE_COLUMNS = ['_change_type', '_commit_version', '_commit_timestamp'] as const;

const CHANGE_TYPE: StructField = {
  name: '_change_type',
  type: { kind: 'primitive', name: 'string' },
  nullable: false,
  metadata: {},
};
const COMMIT_VERSION: StructField = {
  name: '_commit_version',
  type: { kind: 'primitive', name: 'long' },
  nullable: false,
  metadata: {},
};
const COMMIT_TIMESTAMP: StructField = {
  name: '_commit_timestamp',
  type: { kind: 'primitive', name: 'timestamp' },
  nullable: false,
  metadata: {},
};

function asFile(
  path: string,
  partitionValues: Readonly<Record<string, string | null>>,
  size: number,
  add?: AddAction,
): DeltaFile {
  const a: AddAction = add ?? { path, partitionValues, size, modificationTime: 0, dataChange: true };
  return {
    path,
    partitionValues,
    size,
    modificationTime: a.modificationTime,
    deletionVector: a.deletionVector ?? null,
    stats: undefined,
    add: a,
  };
}

/** Values of sorted `a` not in sorted `b`. */
function difference(a: Float64Array, b: Float64Array): Float64Array {
  const out: number[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && (b[j] as number) < x) j++;
    if (b[j] !== x) out.push(x);
  }
  return Float64Array.from(out);
}

/** What reading changes needs of a table (DeltaTable has it; named here so changes.ts does not import table.ts). */
export interface ChangeSource {
  readonly uri: string;
  readonly storage: Storage;
  snapshot(options: { version: number }): Promise<Snapshot>;
}

/**
 * Yields the change rows of versions `fromVersion..toVersion`: a commit's `cdc` files when it wrote
 * any, else its data-changing `add` (insert) and `remove` (delete) files, each row tagged with the
 * commit's version and timestamp.
 */
export async function* readChanges(
  table: ChangeSource,
  fromVersion: number,
  toVersion?: number,
): AsyncGenerator<RecordBatch> {
  const listing = await listLog(table.storage);
  const to = toVersion ?? listing.latestVersion;
  if (fromVersion < 0 || fromVersion > to) {
    throw new DeltaError('version-not-found', `invalid change range ${fromVersion}..${to}`, {
      path: table.uri,
      hint: `ask for versions between 0 and ${listing.latestVersion}`,
    });
  }
  const snap = await table.snapshot({ version: to });
  const base: ScanContext = snap.scanContext();
  const dataPlan = planScan(base, {});
  const cdcCtx: ScanContext = { ...base, schema: { kind: 'struct', fields: [...base.schema.fields, CHANGE_TYPE] } };
  const cdcPlan = planScan(cdcCtx, {});
  const outFields = [...base.schema.fields, CHANGE_TYPE, COMMIT_VERSION, COMMIT_TIMESTAMP];
  const schema = new Schema(outFields.map(arrowField));
  const structType = new Struct(schema.fields);

  for (let v = fromVersion; v <= to; v++) {
    const info = listing.commits.get(v);
    if (!info) {
      throw new DeltaError('log-incomplete', `commit ${v} is missing, so its changes cannot be read`, {
        path: table.uri,
        hint: 'read changes from a version whose commits are still in the log',
      });
    }
    const actions = parseCommit(await table.storage.get(info.key), info.key);
    const ci = actions.find((a) => a.type === 'commitInfo');
    const ict = ci?.type === 'commitInfo' ? ci.commitInfo.inCommitTimestamp : undefined;
    const ts = BigInt(typeof ict === 'number' ? ict : info.lastModified) * 1000n;
    const finish = (batch: RecordBatch, changeType: string | undefined): RecordBatch => {
      const n = batch.numRows;
      const children: Data[] = [...batch.data.children];
      if (changeType !== undefined) children.push(partitionColumn(CHANGE_TYPE.type, changeType, n));
      children.push(partitionColumn(COMMIT_VERSION.type, String(v), n));
      children.push(
        makeData({
          type: schema.fields[children.length]?.type,
          length: n,
          nullCount: 0,
          data: new BigInt64Array(n).fill(ts),
        } as never),
      );
      return new RecordBatch(schema, makeData({ type: structType, length: n, nullCount: 0, children }));
    };
    const cdc = actions.filter((a) => a.type === 'cdc');
    if (cdc.length > 0) {
      for (const a of cdc) {
        if (a.type !== 'cdc') continue;
        for await (const b of readFile(cdcCtx, cdcPlan, asFile(a.cdc.path, a.cdc.partitionValues, a.cdc.size)))
          yield finish(b, undefined);
      }
      continue;
    }
    const adds = new Map<string, AddAction>();
    const removes = new Map<string, AddAction>();
    for (const a of actions) {
      if (a.type === 'add' && a.add.dataChange) adds.set(a.add.path, a.add);
      else if (a.type === 'remove' && a.remove.dataChange) {
        const r = a.remove;
        removes.set(r.path, {
          path: r.path,
          partitionValues: r.partitionValues ?? {},
          size: r.size ?? 0,
          modificationTime: 0,
          dataChange: true,
          deletionVector: r.deletionVector ?? null,
        });
      }
    }
    for (const [path, removed] of removes) {
      const added = adds.get(path);
      if (!added) {
        for await (const b of readFile(base, dataPlan, asFile(path, removed.partitionValues, removed.size, removed)))
          yield finish(b, 'delete');
        continue;
      }
      // PROTOCOL.md "Deletion Vectors": re-adding a file with a new DV deletes exactly the rows the
      // new vector adds (and restores rows it no longer holds).
      adds.delete(path);
      const before = removed.deletionVector
        ? await loadDeletionVector(table.storage, removed.deletionVector)
        : new Float64Array();
      const after = added.deletionVector
        ? await loadDeletionVector(table.storage, added.deletionVector)
        : new Float64Array();
      const file = asFile(path, added.partitionValues, added.size, added);
      const deleted = difference(after, before);
      const restored = difference(before, after);
      if (deleted.length > 0)
        for await (const b of readFile(base, dataPlan, file, { keepOnly: deleted })) yield finish(b, 'delete');
      if (restored.length > 0)
        for await (const b of readFile(base, dataPlan, file, { keepOnly: restored })) yield finish(b, 'insert');
    }
    for (const added of adds.values()) {
      for await (const b of readFile(base, dataPlan, asFile(added.path, added.partitionValues, added.size, added)))
        yield finish(b, 'insert');
    }
  }
}
