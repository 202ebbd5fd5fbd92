import { arrowType, openTable, type Snapshot, type Storage } from '@meridian/delta';
import type { DataType, RecordBatch } from 'apache-arrow';
import type { Value } from '../aggregate/accumulators.ts';
import { columnReader } from '../aggregate/aggregate.ts';
import { QueryError } from '../errors.ts';
import { type BorderCrossing, batchBytes } from '../execute/crossings.ts';
import type { BroadcastChoice, JoinPlan, JoinSide } from '../plan/join-plan.ts';
import type { QueryFragment, QueryPlan } from '../plan/plan.ts';
import { keyText } from './join-key.ts';

/**
 * The default most a join broadcasts: 32 MiB of the smaller side's data files (as the Delta log sizes them, after
 * partition and statistics pruning). Decoded into memory in every region of the other side it is several times that.
 */
export const DEFAULT_MAX_BROADCAST_BYTES = 32 * 1024 * 1024;

/** A side's size from its Delta logs: files selected by its pushed-down predicate, their bytes and rows. */
interface SideSize {
  readonly side: JoinSide;
  readonly table: string;
  readonly files: number;
  readonly bytes: number;
  /** Rows by the files' numRecords statistics; undefined when a file has none. */
  readonly rows: number | undefined;
  /** Why the side could not be sized (a region that cannot be opened): it is then never broadcast. */
  readonly error: unknown;
}

/** The direction chosen for a run: the plan with the probe side's fragments, and the broadcast side's snapshots. */
export interface ChosenBroadcast {
  readonly plan: QueryPlan & { readonly join: JoinPlan };
  readonly choice: BroadcastChoice;
  readonly sizes: Readonly<Record<JoinSide, SideSize>>;
  /** Every fragment's snapshot opened for sizing, by component id (the probe regions reuse theirs). */
  readonly snapshots: ReadonlyMap<string, Snapshot>;
}

function size(n: number): string {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Chooses which side of a join is broadcast: the smaller by its Delta logs (bytes of the files its scan selects)
 * among the directions residency allows, and refuses when that side is over `maxBytes`.
 */
export async function chooseBroadcast(
  plan: QueryPlan & { readonly join: JoinPlan },
  open: (uri: string, fragment: QueryFragment) => Storage,
  maxBytes: number = DEFAULT_MAX_BROADCAST_BYTES,
): Promise<ChosenBroadcast> {
  const join = plan.join;
  const snapshots = new Map<string, Snapshot>();
  const sizeOf = async (side: JoinSide): Promise<SideSize> => {
    let files = 0;
    let bytes = 0;
    let rows: number | undefined = 0;
    try {
      for (const fragment of join[side].fragments) {
        const snapshot = await (await openTable(open(fragment.uri, fragment))).snapshot();
        snapshots.set(fragment.component, snapshot);
        const selected = snapshot.scan(fragment.where ? { where: fragment.where } : {}).selectFiles().files;
        files += selected.length;
        for (const file of selected) {
          bytes += file.size;
          const n = file.stats?.numRecords;
          rows = rows === undefined || n === undefined ? undefined : rows + Number(n);
        }
      }
      return { side, table: join[side].table, files, bytes, rows, error: undefined };
    } catch (error) {
      return { side, table: join[side].table, files, bytes: Number.POSITIVE_INFINITY, rows: undefined, error };
    }
  };
  const [left, right] = await Promise.all([sizeOf('left'), sizeOf('right')]);
  const sizes = { left, right };
  const choice = [...join.choices].sort(
    (a, b) => sizes[a.broadcast].bytes - sizes[b.broadcast].bytes,
  )[0] as BroadcastChoice;
  const chosen = sizes[choice.broadcast];
  if (chosen.error !== undefined) {
    const failed = join[choice.broadcast].fragments.find((f) => !snapshots.has(f.component));
    throw new QueryError(
      'region-failed',
      `the join broadcasts ${chosen.table}, and ${failed?.component ?? chosen.table} could not be read: ${chosen.error instanceof Error ? chosen.error.message : String(chosen.error)}`,
      {
        path: [failed?.component ?? chosen.table],
        hint: 'every region of the broadcast side is needed: without one, rows would silently not match',
        cause: chosen.error,
      },
    );
  }
  if (chosen.bytes > maxBytes) {
    const other = join.refused.find((r) => r.broadcast !== choice.broadcast);
    const why =
      join.kind === 'left'
        ? ' (a LEFT JOIN broadcasts its right side)'
        : other
          ? ` (broadcasting ${join[other.broadcast].table} instead is refused: ${other.reason})`
          : '';
    throw new QueryError(
      'broadcast-too-large',
      `the join would broadcast ${chosen.table}: ${size(chosen.bytes)} in ${chosen.files} files${chosen.rows === undefined ? '' : `, ${chosen.rows} rows`} by its Delta log, over the broadcast limit of ${size(maxBytes)}${why}`,
      {
        path: ['request', 'join'],
        hint: `narrow ${chosen.table} with WHERE on its columns, or raise the limit: maxBroadcastBytes: ${2 ** Math.ceil(Math.log2(chosen.bytes))}`,
      },
    );
  }
  const note = `join: ${chosen.table} is broadcast (${size(chosen.bytes)}, ${chosen.rows ?? '?'} rows by its Delta log; ${sizes[choice.broadcast === 'left' ? 'right' : 'left'].table}: ${Number.isFinite(sizes[choice.broadcast === 'left' ? 'right' : 'left'].bytes) ? size(sizes[choice.broadcast === 'left' ? 'right' : 'left'].bytes) : 'unreadable'})`;
  return {
    plan: {
      ...plan,
      fragments: choice.probe,
      aggregateSite: choice.aggregateSite,
      notes: [...choice.notes, note],
    },
    choice,
    sizes,
    snapshots,
  };
}

/** The broadcast side in memory: its columns' values by row, and its rows by join key. */
export interface BroadcastTable {
  readonly rows: number;
  /** Values and Arrow type of each of the side's columns the query uses, keys included. */
  readonly columns: ReadonlyMap<string, { readonly type: DataType; readonly values: readonly Value[] }>;
  /** Row numbers by the canonical text of their key (rows with a null key are in no entry). */
  readonly index: ReadonlyMap<string, readonly number[]>;
  /** Whether a row comes from a component whose rows count towards minGroupSize. */
  readonly counted: Uint8Array;
}

/** The canonical text of a multi-column key, or undefined when one of its values is null (it matches nothing). */
export function compositeKey(
  encoders: readonly ((v: Value) => string | null)[],
  values: readonly Value[],
): string | undefined {
  if (encoders.length === 1) return (encoders[0] as (v: Value) => string | null)(values[0] ?? null) ?? undefined;
  const parts: string[] = [];
  for (const [i, encode] of encoders.entries()) {
    const text = encode(values[i] ?? null);
    if (text === null) return undefined;
    parts.push(text);
  }
  return JSON.stringify(parts);
}

/**
 * Reads the broadcast side once, each fragment in its own region, and records one crossing per probe region it is
 * sent to (the bytes of its Arrow buffers, as for rows); the hash table is built where the query runs.
 */
export async function readBroadcast(
  chosen: ChosenBroadcast,
  cross: (crossing: BorderCrossing) => void,
  signal: AbortSignal,
): Promise<BroadcastTable> {
  const join = chosen.plan.join;
  const side = chosen.choice.broadcast;
  const keyColumns = join.keys.map((k) => k[side]);
  const used = [...new Set([...keyColumns, ...join.columns.filter((c) => c.side === side).map((c) => c.column)])];
  const columns = new Map<string, { type: DataType; values: Value[] }>();
  const counted: number[] = [];
  const countedComponents = new Set(chosen.choice.protection?.build ?? []);
  const probeRegions = [...new Map(chosen.choice.probe.map((p) => [p.region, p])).values()];
  for (const fragment of chosen.choice.build) {
    const snapshot = chosen.snapshots.get(fragment.component) as Snapshot;
    const scan = snapshot.scan({ columns: used, ...(fragment.where ? { where: fragment.where } : {}) });
    let rows = 0;
    let bytes = 0;
    for await (const batch of scan as AsyncIterable<RecordBatch>) {
      if (signal.aborted) break;
      bytes += batchBytes(batch);
      rows += batch.numRows;
      for (const name of used) {
        const { read, type } = columnReader(batch, name, fragment.region);
        let column = columns.get(name);
        if (column === undefined) {
          column = { type, values: [] };
          columns.set(name, column);
        } else if (String(column.type) !== String(type)) {
          throw new QueryError(
            'schema-conflict',
            `column '${name}' of ${join[side].table} is ${String(type)} in ${fragment.region} but ${String(column.type)} elsewhere`,
            { path: [fragment.component], hint: `give ${name} one type in every region` },
          );
        }
        for (let i = 0; i < batch.numRows; i++) column.values.push(read(i));
      }
      for (let i = 0; i < batch.numRows; i++) counted.push(countedComponents.has(fragment.component) ? 1 : 0);
    }
    for (const probe of probeRegions) {
      cross({
        from: fragment.region,
        fromJurisdiction: fragment.jurisdiction,
        to: probe.region,
        toJurisdiction: probe.jurisdiction,
        what: 'broadcast',
        count: rows,
        bytes,
      });
    }
  }
  // A side with no rows still has its columns' types (from its schema): a LEFT join fills them with nulls.
  for (const name of used) {
    if (columns.has(name)) continue;
    const snapshot = chosen.snapshots.get((chosen.choice.build[0] as QueryFragment).component) as Snapshot;
    const field = snapshot.schema.fields.find((f) => f.name === name);
    if (field) columns.set(name, { type: arrowType(field.type), values: [] });
  }
  return indexBroadcast(columns, keyColumns, Uint8Array.from(counted));
}

/** The broadcast table from its columns: rows indexed by their key's canonical text (null keys match nothing). */
export function indexBroadcast(
  columns: ReadonlyMap<string, { readonly type: DataType; readonly values: readonly Value[] }>,
  keyColumns: readonly string[],
  counted: Uint8Array,
): BroadcastTable {
  const n = counted.length;
  const encoders = keyColumns.map((k) => keyText((columns.get(k) as { type: DataType }).type));
  const keyValues = keyColumns.map((k) => (columns.get(k) as { values: readonly Value[] }).values);
  const index = new Map<string, number[]>();
  for (let row = 0; row < n; row++) {
    const key = compositeKey(
      encoders,
      keyValues.map((v) => v[row] ?? null),
    );
    if (key === undefined) continue;
    const rows = index.get(key);
    if (rows) rows.push(row);
    else index.set(key, [row]);
  }
  return { rows: n, columns, index, counted };
}
