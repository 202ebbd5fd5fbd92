/**
 * A broadcast join's probe fragment at a query gateway (docs/decisions "query gateway", "broadcast joins"): the
 * gateway plans the query again with its own topology, so residency is decided here and not by the client (both
 * tables' classes where the results go, the broadcast table's class entering this region, minGroupSize counting
 * distinct rows of each restricted table), then joins its table with the rows the request carries through the same
 * hash join as the in-process path (src/join/).
 */
import { openTable } from '@meridian/delta';
import type { Topology } from '@meridian/topology';
import {
  type Data,
  type DataType,
  type Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  tableFromIPC,
} from 'apache-arrow';
import type { Value } from '../aggregate/accumulators.ts';
import { columnReader } from '../aggregate/aggregate.ts';
import { QueryError } from '../errors.ts';
import type { RegionRunner, RegionTally, RunnerContext } from '../execute/region-runner.ts';
import { type BroadcastTable, indexBroadcast } from '../join/broadcast.ts';
import { joinRun } from '../join/join-runner.ts';
import type { JoinPlan } from '../plan/join-plan.ts';
import { planQuery, type QueryFragment, type QueryPlan, type QueryRequest } from '../plan/plan.ts';
import type { FragmentRequest } from './protocol.ts';
import {
  type FragmentStream,
  partialBatches,
  partialSchema,
  refuseRowValuePartials,
  runFragment,
} from './run-fragment.ts';
import type { ServedTable } from './serve-table.ts';

/** The column of the broadcast rows naming the component each row was read from (minGroupSize counts by table). */
export const BROADCAST_COMPONENT_COLUMN = '_meridian_component';

function invalid(message: string, hint: string): QueryError {
  return new QueryError('invalid-request', message, { path: ['join'], hint });
}

/** Plans, checks and runs a join fragment; throws a QueryError (residency-violation, ...) before any row is read. */
export async function runJoinFragment(
  model: Topology,
  served: ServedTable,
  request: FragmentRequest & { readonly join: NonNullable<FragmentRequest['join']> },
  context: RunnerContext,
): Promise<FragmentStream> {
  const { from: _ignored, ...query } = request.join.query as unknown as QueryRequest;
  const plan = planQuery(model, { ...query, ...(request.from !== undefined ? { from: request.from } : {}) });
  const join = plan.join;
  if (join === undefined) throw invalid('the join request holds no join', 'send the query with its join');
  const side = request.join.broadcast;
  const choice = join.choices.find((c) => c.broadcast === side);
  if (choice === undefined) {
    const reason = join.refused.find((r) => r.broadcast === side)?.reason ?? `a ${join.kind} join cannot broadcast it`;
    throw new QueryError('residency-violation', `broadcasting ${join[side].table} is refused: ${reason}`, {
      path: ['join', 'broadcast'],
      hint: 'the gateway plans the join with its own topology; fix the client topology or the query',
    });
  }
  const probe = choice.probe.find((f) => f.component === served.table.id);
  if (probe === undefined) {
    throw invalid(
      `${served.table.id} is not a probe table of this join when ${join[side].table} is broadcast`,
      `probe tables: ${choice.probe.map((f) => f.component).join(', ')}`,
    );
  }
  const site = choice.aggregateSite;
  if (request.mode === 'partial') {
    // The aggregate computed is the one residency was checked for, not another the request might name.
    const planned = plan.aggregate && { groupBy: plan.aggregate.groupBy, measures: plan.aggregate.measures };
    if (JSON.stringify(request.aggregate) !== JSON.stringify(planned)) {
      throw invalid('the fragment aggregate differs from the query aggregate', 'send the planned aggregate');
    }
    if (site !== undefined) refuseRowValuePartials(plan.aggregate?.measures ?? [], site, served.table.id);
  } else if (request.mode !== 'schema' && plan.aggregate !== undefined) {
    throw invalid(`a joined aggregate is computed in mode partial, not ${request.mode}`, 'send mode partial');
  }
  // The probe table is read where this gateway has it (a replica keeps its home region's name).
  const fragment: QueryFragment = { ...probe, region: served.home, uri: served.uri, uriSource: 'location' };
  const snapshot = await (await openTable(context.openStorage(served.uri, fragment))).snapshot();
  const table = receivedBroadcast(request.join.rows, join, side, new Set(choice.protection?.build ?? []));
  const run = joinRun(
    {
      plan: { ...plan, join, fragments: [fragment], aggregateSite: site },
      choice,
      snapshots: new Map([[fragment.component, snapshot]]),
    },
    Promise.resolve(table),
    table,
  );
  if (request.mode !== 'partial') {
    return runFragment(
      {
        served,
        request: { ...request, ...(fragment.columns ? { columns: [...fragment.columns] } : {}) },
        where: fragment.where,
        minGroupSize: undefined,
      },
      fixedFragment(run.runner, fragment),
      context,
    );
  }
  const aggregate = plan.aggregate as NonNullable<QueryPlan['aggregate']>;
  const opened = await run.runner.open(fragment, context);
  const tally: RegionTally = { rows: 0, metrics: undefined, runner: opened.runner, runnerReason: opened.runnerReason };
  const partial = await opened.aggregate(aggregate, tally);
  if (site !== undefined) {
    // Distinct rows of each restricted table behind a group, in this region: a group under the minimum for any of
    // them does not leave (stricter than the merge site's count over every region, never looser).
    const counted = run.countedPartial(site, [fragment], () => {});
    for (const [key, group] of counted.groups) if (group.rows < site.minGroupSize) partial.groups.delete(key);
  }
  return { schema: partialSchema(partial), batches: partialBatches(partial, aggregate), version: snapshot.version };
}

/**
 * The join runner with the gateway's own probe fragment, whatever fragment runFragment builds from the request; its
 * rows are the query's columns by name (a joined batch holds every joined column, keys included).
 */
function fixedFragment(runner: RegionRunner, fragment: QueryFragment): RegionRunner {
  return {
    name: runner.name,
    async open(requested, context) {
      const opened = await runner.open({ ...fragment, limit: requested.limit, orderBy: requested.orderBy }, context);
      return {
        ...opened,
        fields: () => opened.fields(),
        aggregate: (aggregate, tally) => opened.aggregate(aggregate, tally),
        topK: (schema, orderBy, k, tally) => opened.topK(schema, orderBy, k, tally),
        rows: (tally) => project(opened.rows(tally), opened.fields()),
      };
    },
  };
}

async function* project(batches: AsyncIterable<RecordBatch>, fields: readonly Field[]): AsyncGenerator<RecordBatch> {
  const schema = new Schema([...fields]);
  for await (const batch of batches) {
    const children = fields.map((f) => {
      const at = batch.schema.fields.findIndex((x) => x.name === f.name);
      return batch.data.children[at] as Data;
    });
    yield new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }),
    );
  }
}

/** The broadcast rows of the request as the hash join's table; the counted rows by this gateway's own plan. */
function receivedBroadcast(
  base64: string,
  join: JoinPlan,
  side: 'left' | 'right',
  countedComponents: ReadonlySet<string>,
): BroadcastTable {
  let batches: RecordBatch[];
  let fields: { name: string; type: DataType }[];
  try {
    const ipc = tableFromIPC(Buffer.from(base64, 'base64'));
    batches = ipc.batches;
    fields = ipc.schema.fields;
  } catch (error) {
    throw invalid(`the broadcast rows are not an Arrow IPC stream: ${(error as Error).message}`, 'send base64 IPC');
  }
  const keyColumns = join.keys.map((k) => k[side]);
  const used = [...new Set([...keyColumns, ...join.columns.filter((c) => c.side === side).map((c) => c.column)])];
  const columns = new Map<string, { type: DataType; values: Value[] }>();
  for (const name of [...used, BROADCAST_COMPONENT_COLUMN]) {
    const field = fields.find((f) => f.name === name);
    if (field === undefined) {
      throw invalid(`the broadcast rows of ${join[side].table} have no column '${name}'`, `send ${used.join(', ')}`);
    }
    columns.set(name, { type: field.type, values: [] });
  }
  for (const batch of batches) {
    for (const [name, column] of columns) {
      const { read } = columnReader(batch, name, 'broadcast');
      for (let i = 0; i < batch.numRows; i++) column.values.push(read(i));
    }
  }
  const components = (columns.get(BROADCAST_COMPONENT_COLUMN) as { values: Value[] }).values;
  const known = new Set(join[side].fragments.map((f) => f.component));
  const counted = new Uint8Array(components.length);
  for (const [i, c] of components.entries()) {
    if (typeof c !== 'string' || !known.has(c)) {
      throw invalid(
        `a broadcast row names component '${String(c)}', not one of ${join[side].table}`,
        'send the rows as read',
      );
    }
    counted[i] = countedComponents.has(c) ? 1 : 0;
  }
  columns.delete(BROADCAST_COMPONENT_COLUMN);
  return indexBroadcast(columns, keyColumns, counted);
}
