/**
 * A broadcast join through query gateways (docs/decisions "query gateway"): the broadcast side is read once, as
 * rows, through the gateway of each of its regions (which checks that its rows may go where the results go), and
 * sent inside every probe fragment's request to the probe region's gateway, which plans the join again with its own
 * topology and runs the hash join of src/join/ there. No table is read in this process.
 */
import {
  type Data,
  Field,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { QueryError } from '../errors.ts';
import { batchBytes } from '../execute/crossings.ts';
import type { OpenedRegion, RegionRunner, RegionTally, RunnerContext, RunnerJoin } from '../execute/region-runner.ts';
import type { BroadcastChoice, JoinPlan } from '../plan/join-plan.ts';
import type { QueryFragment, QueryPlan } from '../plan/plan.ts';
import type { FragmentRequest } from './protocol.ts';
import { BROADCAST_COMPONENT_COLUMN } from './run-join.ts';

type OpenRegion = (
  fragment: QueryFragment,
  context: RunnerContext,
  extra?: Pick<FragmentRequest, 'join'>,
) => Promise<OpenedRegion>;

/** The broadcast side's rows as one base64 Arrow IPC stream, or how far over the limit it went. */
async function readSide(
  choice: BroadcastChoice,
  join: RunnerJoin,
  openRegion: OpenRegion,
): Promise<{ ipc: string; bytes: number; rows: number } | { over: number }> {
  let schema: Schema | undefined;
  const batches: RecordBatch[] = [];
  let bytes = 0;
  let rows = 0;
  for (const fragment of choice.build) {
    const region = await openRegion(fragment, join.context);
    const fields = [...region.fields(), new Field(BROADCAST_COMPONENT_COLUMN, new Utf8(), false)];
    if (schema === undefined) schema = new Schema(fields);
    const tally: RegionTally = { rows: 0, metrics: undefined, runner: region.runner, runnerReason: undefined };
    let fragmentRows = 0;
    let fragmentBytes = 0;
    for await (const batch of region.rows(tally)) {
      const n = batch.numRows;
      const children = (schema as Schema).fields.map((field): Data => {
        if (field.name === BROADCAST_COMPONENT_COLUMN) {
          return vectorFromArray(
            Array.from({ length: n }, () => fragment.component),
            new Utf8(),
          ).data[0] as Data;
        }
        const at = batch.schema.fields.findIndex((f) => f.name === field.name);
        const own = batch.schema.fields[at];
        if (own === undefined || String(own.type) !== String(field.type)) {
          throw new QueryError(
            'schema-conflict',
            `column '${field.name}' of the broadcast table is ${own ? String(own.type) : 'missing'} in ${fragment.region} but ${String(field.type)} elsewhere`,
            { path: [fragment.component], hint: `give ${field.name} one type in every region` },
          );
        }
        return batch.data.children[at] as Data;
      });
      batches.push(
        new RecordBatch(
          schema as Schema,
          makeData({ type: new Struct((schema as Schema).fields), length: n, nullCount: 0, children }),
        ),
      );
      fragmentRows += n;
      fragmentBytes += batchBytes(batch);
      bytes += batchBytes(batch);
      if (bytes > join.maxBroadcastBytes) return { over: bytes };
    }
    rows += fragmentRows;
    for (const probe of new Map(choice.probe.map((p) => [p.region, p])).values()) {
      join.cross({
        from: fragment.region,
        fromJurisdiction: fragment.jurisdiction,
        to: probe.region,
        toJurisdiction: probe.jurisdiction,
        what: 'broadcast',
        count: fragmentRows,
        bytes: fragmentBytes,
      });
    }
  }
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  for (const batch of batches) writer.write(batch);
  writer.finish();
  return { ipc: Buffer.from(writer.toUint8Array(true)).toString('base64'), bytes, rows };
}

/**
 * Chooses the direction (the planner's preferred first, the other allowed one when the first is over the limit;
 * the Delta logs that size the sides in process are not readable from here), reads the broadcast side, and returns
 * the runner of the probe regions, whose every request carries the query and the broadcast rows.
 */
export async function gatewayJoin(
  plan: QueryPlan & { readonly join: JoinPlan },
  join: RunnerJoin,
  openRegion: OpenRegion,
): Promise<{ plan: QueryPlan; runner: RegionRunner }> {
  const tried: string[] = [];
  for (const choice of plan.join.choices) {
    const table = plan.join[choice.broadcast].table;
    const side = await readSide(choice, join, openRegion);
    if ('over' in side) {
      tried.push(`${table}: over ${join.maxBroadcastBytes} bytes of Arrow buffers after ${side.over} bytes read`);
      continue;
    }
    const extra: Pick<FragmentRequest, 'join'> = {
      join: {
        query: plan.join.source as unknown as Record<string, unknown>,
        broadcast: choice.broadcast,
        rows: side.ipc,
      },
    };
    return {
      plan: {
        ...plan,
        fragments: choice.probe,
        aggregateSite: choice.aggregateSite,
        notes: [
          ...choice.notes,
          `join: ${table} is broadcast through the gateways (${side.rows} rows, ${side.bytes} bytes of Arrow buffers); each probe region's gateway joins`,
        ],
      },
      runner: { name: 'gateway', open: (fragment, context) => openRegion(fragment, context, extra) },
    };
  }
  const refused = plan.join.refused.map((r) => `broadcasting ${plan.join[r.broadcast].table} is refused: ${r.reason}`);
  throw new QueryError(
    'broadcast-too-large',
    `no side of the join can be broadcast: ${[...tried, ...refused].join('; ')}`,
    {
      path: ['request', 'join'],
      hint: 'narrow the smaller side with WHERE on its columns, or raise maxBroadcastBytes',
    },
  );
}
