import { arrowType, openTable, type Snapshot } from '@meridian/delta';
import { type Data, type DataType, Field, makeData, RecordBatch, Schema, Struct, type Vector } from 'apache-arrow';
import type { Value } from '../aggregate/accumulators.ts';
import {
  buildVector,
  columnReader,
  groupKey,
  type PartialAggregate,
  partialAggregate,
} from '../aggregate/aggregate.ts';
import { keepRow } from '../aggregate/order.ts';
import { QueryError } from '../errors.ts';
import type { OpenedRegion, RegionRunner, RegionTally } from '../execute/region-runner.ts';
import { regionTopK } from '../execute/top-k.ts';
import type { QueryFragment } from '../plan/plan.ts';
import type { AggregateSite } from '../plan/residency.ts';
import { type BroadcastTable, type ChosenBroadcast, compositeKey } from './broadcast.ts';
import { checkKeyTypes, keyText } from './join-key.ts';

/** Per group, the distinct rows of counted tables behind it (see JoinProtection): probe rows, broadcast rows. */
interface GroupRows {
  probe: number;
  lastProbe: number;
  readonly build: Set<number>;
}

/** The probe side of a join, region by region, and what minGroupSize needs from each. */
export interface JoinRun {
  readonly runner: RegionRunner;
  /**
   * The distinct counted rows of every group over the regions given, as one partial whose group rows are 0 (none),
   * 1 (fewer than the minimum for some table: suppress) or the minimum (keep), for mergePartials' minGroupSize;
   * each region's counts cross to the merge site (`cross`).
   */
  countedPartial(
    site: AggregateSite,
    fragments: readonly QueryFragment[],
    cross: (fragment: QueryFragment, bytes: Uint8Array) => void,
  ): PartialAggregate;
}

/**
 * The runner of a join's probe side: each region's scan joined, batch by batch, with the broadcast table (a hash
 * join in JS), then the region's partial aggregate, top-k or rows over the joined batches, as for one table.
 */
export function joinRun(
  chosen: Pick<ChosenBroadcast, 'plan' | 'choice' | 'snapshots'>,
  broadcast: Promise<BroadcastTable>,
  /** The broadcast table when it is already read (a gateway receives it with the request): its types come first. */
  received?: BroadcastTable,
): JoinRun {
  const plan = chosen.plan;
  const join = plan.join;
  const probeSide = chosen.choice.broadcast === 'left' ? 'right' : 'left';
  const buildSide = chosen.choice.broadcast;
  const protection = chosen.choice.protection;
  const groupRows = new Map<string, Map<string, GroupRows>>();

  function joinedFields(snapshot: Snapshot, table: BroadcastTable): Field[] {
    return join.columns.map((c) => {
      if (c.side === buildSide) {
        return new Field(c.name, (table.columns.get(c.column) as { type: DataType }).type, true);
      }
      const field = snapshot.schema.fields.find((f) => f.name === c.column);
      if (!field) {
        throw new QueryError('unknown-column', `${join[probeSide].table} has no column '${c.column}'`, {
          path: ['request', 'join'],
          hint: `columns: ${snapshot.schema.fields.map((f) => f.name).join(', ')}`,
        });
      }
      return new Field(c.name, arrowType(field.type), true);
    });
  }

  async function* joined(
    fragment: QueryFragment,
    snapshot: Snapshot,
    tally: RegionTally,
    forGroups: readonly string[] | undefined,
  ): AsyncGenerator<RecordBatch> {
    const table = await broadcast;
    const fields = joinedFields(snapshot, table);
    const schema = new Schema(fields);
    const keyColumns = join.keys.map((k) => k[probeSide]);
    for (const [i, column] of keyColumns.entries()) {
      const buildColumn = join.keys[i]?.[buildSide] as string;
      const field = snapshot.schema.fields.find((f) => f.name === column);
      if (field === undefined) continue; // the scan names the missing column
      checkKeyTypes(
        { column, type: arrowType(field.type), where: `${join[probeSide].table} in ${fragment.region}` },
        {
          column: buildColumn,
          type: (table.columns.get(buildColumn) as { type: DataType }).type,
          where: join[buildSide].table,
        },
      );
    }
    const residual = join.residual;
    const residualTypes = new Map(fields.map((f) => [f.name, f.type as DataType]));
    const counting = protection !== undefined && forGroups !== undefined;
    const probeCounted = counting && (protection?.probe.includes(fragment.component) ?? false);
    const groups = new Map<string, GroupRows>();
    if (counting) groupRows.set(fragment.component, groups);
    let probeRow = 0;
    const scan = snapshot.scan({
      ...(fragment.columns ? { columns: fragment.columns } : {}),
      ...(fragment.where ? { where: fragment.where } : {}),
    });
    tally.metrics = scan.metrics;
    for await (const batch of scan) {
      tally.rows += batch.numRows;
      const keys = keyColumns.map((k) => columnReader(batch, k, fragment.region));
      const encoders = keys.map((k) => keyText(k.type));
      const probeIndex: number[] = [];
      const buildIndex: number[] = [];
      for (let i = 0; i < batch.numRows; i++) {
        const key = compositeKey(
          encoders,
          keys.map((k) => k.read(i)),
        );
        const matches = key === undefined ? undefined : table.index.get(key);
        if (matches !== undefined) {
          for (const m of matches) {
            probeIndex.push(i);
            buildIndex.push(m);
          }
        } else if (join.kind === 'left') {
          probeIndex.push(i);
          buildIndex.push(-1);
        }
      }
      const probeColumns = new Map(
        join.columns
          .filter((c) => c.side === probeSide)
          .map((c) => [c.name, columnReader(batch, c.column, fragment.region).read]),
      );
      let values = join.columns.map((c): Value[] => {
        if (c.side === probeSide) {
          const read = probeColumns.get(c.name) as (i: number) => Value;
          return probeIndex.map((i) => read(i));
        }
        const source = (table.columns.get(c.column) as { values: readonly Value[] }).values;
        return buildIndex.map((b) => (b < 0 ? null : (source[b] ?? null)));
      });
      let kept = probeIndex.map((_, j) => j);
      if (residual !== undefined) {
        kept = kept.filter((j) =>
          keepRow(
            residual.node,
            new Map(join.columns.map((c, x) => [c.name, (values[x] as Value[])[j] ?? null])),
            residualTypes,
          ),
        );
        values = values.map((column) => kept.map((j) => column[j] ?? null));
      }
      if (counting && forGroups !== undefined) {
        const at = forGroups.map((g) => join.columns.findIndex((c) => c.name === g));
        for (const [out, j] of kept.entries()) {
          const key = groupKey(at.map((x) => (values[x] as Value[])[out] ?? null));
          let rows = groups.get(key);
          if (rows === undefined) {
            rows = { probe: 0, lastProbe: -1, build: new Set() };
            groups.set(key, rows);
          }
          // A probe row's matches are consecutive: it is one row of its table however many rows it joined.
          const id = probeRow + (probeIndex[j] as number);
          if (probeCounted && rows.lastProbe !== id) {
            rows.probe++;
            rows.lastProbe = id;
          }
          const b = buildIndex[j] as number;
          if (b >= 0 && table.counted[b] === 1) rows.build.add(b);
        }
      }
      probeRow += batch.numRows;
      if (kept.length === 0) continue;
      const vectors: Vector[] = fields.map((f, x) => buildVector(f.type, values[x] as Value[]));
      yield new RecordBatch(
        schema,
        makeData({
          type: new Struct(fields),
          length: kept.length,
          nullCount: 0,
          children: vectors.map((v) => v.data[0] as Data),
        }),
      );
    }
  }

  const runner: RegionRunner = {
    name: 'js',
    async open(fragment, context) {
      const snapshot =
        chosen.snapshots.get(fragment.component) ??
        (await (await openTable(context.openStorage(fragment.uri, fragment))).snapshot());
      const region: OpenedRegion = {
        runner: 'js',
        runnerReason: 'a join runs in JS (broadcast hash join)',
        version: snapshot.version,
        fields: () => {
          // The joined columns the query returns, in its order (rows); the broadcast's types are known once read.
          const names = plan.columns ?? join.columns.map((c) => c.name);
          return names.map((name) => {
            const c = join.columns.find((x) => x.name === name);
            if (c === undefined || c.side === buildSide) return new Field(name, buildType(name), true);
            const field = snapshot.schema.fields.find((f) => f.name === c.column);
            return new Field(name, field ? arrowType(field.type) : buildType(name), true);
          });
        },
        aggregate: (aggregate, tally) =>
          partialAggregate(
            joined(fragment, snapshot, tally, aggregate.groupBy),
            aggregate,
            fragment.region,
            region.fields(),
          ),
        topK: (schema, orderBy, k, tally) =>
          regionTopK(joined(fragment, snapshot, tally, undefined), schema, orderBy, k, fragment.region, () => {}),
        rows: (tally) => joined(fragment, snapshot, tally, undefined),
      };
      return region;
    },
  };

  // The broadcast side's column types, from its snapshot's schema (fields() is called before the broadcast is read).
  function buildType(name: string): DataType {
    const c = join.columns.find((x) => x.name === name);
    const known = received?.columns.get(c?.column ?? name);
    if (known !== undefined) return known.type;
    const snapshot = chosen.snapshots.get((chosen.choice.build[0] as QueryFragment).component) as Snapshot;
    const field = snapshot.schema.fields.find((f) => f.name === (c?.column ?? name));
    if (field === undefined) {
      throw new QueryError('unknown-column', `${join[buildSide].table} has no column '${c?.column ?? name}'`, {
        path: ['request', 'join'],
        hint: `columns: ${snapshot.schema.fields.map((f) => f.name).join(', ')}`,
      });
    }
    return arrowType(field.type);
  }

  return {
    runner,
    countedPartial(site, fragments, cross) {
      const merged = new Map<string, { probe: number; build: Set<number> }>();
      for (const fragment of fragments) {
        const groups = groupRows.get(fragment.component);
        if (groups === undefined) continue;
        const wire: [string, number, number[]][] = [];
        for (const [key, rows] of groups) {
          wire.push([key, rows.probe, [...rows.build]]);
          const into = merged.get(key);
          if (into === undefined) merged.set(key, { probe: rows.probe, build: new Set(rows.build) });
          else {
            // Probe rows are each region's own (distinct across regions); broadcast rows are the same everywhere.
            into.probe += rows.probe;
            for (const b of rows.build) into.build.add(b);
          }
        }
        cross(fragment, new TextEncoder().encode(JSON.stringify(wire)));
      }
      const min = site.minGroupSize;
      const small = (n: number) => n > 0 && n < min;
      const groups = new Map<string, { keys: Value[]; rows: number; states: unknown[] }>();
      for (const [key, rows] of merged) {
        const any = rows.probe > 0 || rows.build.size > 0;
        groups.set(key, {
          keys: [],
          rows: small(rows.probe) || small(rows.build.size) ? 1 : any ? min : 0,
          states: [],
        });
      }
      return { types: new Map(), groups } as unknown as PartialAggregate;
    },
  };
}
