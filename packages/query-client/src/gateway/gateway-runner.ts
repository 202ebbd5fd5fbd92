import type { DeltaTable, Topology } from '@meridian/topology';
import { Field, type RecordBatch } from 'apache-arrow';
import { type Aggregate, decodePartial, type PartialAggregate } from '../aggregate/aggregate.ts';
import { QueryError } from '../errors.ts';
import type { OpenedRegion, RegionRunner, RegionTally, RunnerContext } from '../execute/region-runner.ts';
import { regionTopK } from '../execute/top-k.ts';
import type { QueryFragment, QueryPlan } from '../plan/plan.ts';
import type { Destination } from '../plan/residency.ts';
import {
  type FragmentResponse,
  fetchFragment,
  fragmentBase,
  GatewayRequestError,
  type GatewayTarget,
  type RemoteOptions,
} from './fetch-fragment.ts';
import { gatewayJoin } from './gateway-join.ts';
import type { FragmentRequest } from './protocol.ts';
import { PARTIAL_COLUMN, TYPE_FIELD_PREFIX } from './run-fragment.ts';
import { replicaRegions } from './serve-table.ts';

/** Options of {@link gatewayRunner}. */
export interface GatewayRunnerOptions extends RemoteOptions {
  /** The topology the plan was made from: where each table's replicas are. */
  readonly model: Topology;
  /** Gateway base URLs by region id (`{ 'eu-west-1': 'http://10.0.0.5:7420' }`). */
  readonly gateways: Readonly<Record<string, string>>;
  /** Where the results go (the plan's destination): each gateway re-checks residency against it. */
  readonly destination?: Destination | undefined;
  /** Called when a region's work is done, with what it cost on the wire. */
  readonly onFragment?: (report: GatewayFragmentReport) => void;
}

/** One request's worth of a region's work through a gateway: who answered, how long it took, what crossed. */
export interface GatewayFragmentReport {
  readonly region: string;
  readonly component: string;
  /** What was asked: `schema` (the open), `rows`, `top-k` or `partial`. */
  readonly mode: FragmentRequest['mode'];
  /** The region whose gateway answered (a replica region after a failover) and its URL. */
  readonly servedBy: string;
  readonly url: string;
  readonly replica: boolean;
  /** Requests sent, retries and the hedge included. */
  readonly attempts: number;
  readonly hedged: boolean;
  readonly ms: number;
  /** Bytes of the Arrow stream received: what crossed from `servedBy` to the client. */
  readonly bytes: number;
}

/** The gateways that can serve a fragment: its region's, then those of regions holding a replica of its table. */
function targetsOf(options: GatewayRunnerOptions, fragment: QueryFragment): GatewayTarget[] {
  const table = options.model.components.find(
    (c): c is DeltaTable => c.kind === 'deltaTable' && c.id === fragment.component,
  );
  const regions = [fragment.region, ...(table ? replicaRegions(options.model, table) : [])];
  return regions.flatMap((region, i) => {
    const url = options.gateways[region];
    return url === undefined ? [] : [{ region, url, replica: i > 0 }];
  });
}

/** A gateway failure as the query's error: residency refusals keep their code, the rest fail the region. */
function toQueryError(error: unknown, fragment: QueryFragment, broadcastBytes?: number): unknown {
  if (!(error instanceof GatewayRequestError)) return error;
  if (error.code === 'payload-too-large' && broadcastBytes !== undefined) {
    return new QueryError(
      'broadcast-too-large',
      `the gateway of ${error.target.region} refused the join fragment of ${fragment.component}: its request, with ${broadcastBytes} bytes of broadcast rows, is over the gateway's request size limit (${error.message})`,
      {
        path: [fragment.component],
        hint: "narrow the broadcast side with WHERE, or raise the gateway's --max-body-bytes",
        cause: error,
      },
    );
  }
  const code =
    error.code === 'residency-violation' || error.code === 'destination-required' ? error.code : 'gateway-failed';
  return new QueryError(code, error.message, {
    path: [fragment.component],
    hint: `${error.hint ? `${error.hint}; ` : ''}gateway code ${error.code}`,
    cause: error,
  });
}

/**
 * The runner that sends each region's fragment to the query gateway of its region (`meridian serve-query`), and on a
 * region that does not answer to the gateway of a region holding a replica of the table (`objectStore.replication`).
 * Partials and top-k rows are read whole before they are used, so a gateway that dies mid-answer is retried or failed
 * over; plain rows are passed on as they arrive, so a stream that breaks after its first batch fails the region.
 *
 * ```ts
 * const plan = planQuery(model, sqlToRequest(sql), {});
 * const runner = gatewayRunner({ model, gateways: { 'eu-west-1': 'http://127.0.0.1:7420' }, destination: plan.destination });
 * const table = await executeQuery(plan, { runner, onRegionFailure: 'partial' }).toArrow();
 * ```
 */
export function gatewayRunner(options: GatewayRunnerOptions): RegionRunner & {
  readonly reports: readonly GatewayFragmentReport[];
} {
  const reports: GatewayFragmentReport[] = [];
  const from = options.destination ? (options.destination.region ?? options.destination.jurisdiction) : undefined;

  async function send(
    fragment: QueryFragment,
    targets: GatewayTarget[],
    request: FragmentRequest,
    signal: AbortSignal,
  ): Promise<{ response: FragmentResponse; done: () => void }> {
    const started = performance.now();
    let response: FragmentResponse;
    try {
      response = await fetchFragment(targets, request, options, signal);
    } catch (error) {
      throw toQueryError(error, fragment, request.join ? Buffer.byteLength(request.join.rows) : undefined);
    }
    // Later requests of this region go first to the gateway that answered.
    const first = targets.indexOf(response.target);
    if (first > 0) targets.unshift(...targets.splice(first, 1));
    const done = () => {
      const report: GatewayFragmentReport = {
        region: fragment.region,
        component: fragment.component,
        mode: request.mode,
        servedBy: response.target.region,
        url: response.target.url,
        replica: response.target.replica,
        attempts: response.attempts,
        hedged: response.hedged,
        ms: Math.round(performance.now() - started),
        bytes: response.bytes(),
      };
      reports.push(report);
      options.onFragment?.(report);
    };
    return { response, done };
  }

  /** Opens a region; `extra` goes into every request of it (a join's query and broadcast rows). */
  async function openRegion(
    fragment: QueryFragment,
    context: RunnerContext,
    extra: Pick<FragmentRequest, 'join'> = {},
  ): Promise<OpenedRegion> {
    const targets = targetsOf(options, fragment);
    if (targets.length === 0) {
      throw new QueryError('gateway-failed', `no gateway is given for region ${fragment.region}`, {
        path: [fragment.component],
        hint: `give one: gateways: { '${fragment.region}': 'http://host:port' } (or a replica region's)`,
      });
    }
    const common = { ...fragmentBase(fragment, from), ...extra };
    // The open asks for the schema only: the table is reachable, the request allowed, and its columns known.
    const opening = await send(fragment, targets, { ...common, mode: 'schema' }, context.signal);
    opening.done();
    const fields = opening.response.schema.fields.map((f) => new Field(f.name, f.type, true));
    return {
      runner: 'gateway',
      runnerReason: opening.response.target.replica
        ? `the gateway of ${fragment.region} did not answer; ${opening.response.target.region} serves a replica`
        : undefined,
      version: opening.response.version,
      fields: () => fields,
      async aggregate(aggregate: Aggregate, tally: RegionTally): Promise<PartialAggregate> {
        const request: FragmentRequest = {
          ...common,
          mode: 'partial',
          aggregate: { groupBy: [...aggregate.groupBy], measures: [...aggregate.measures] },
        };
        const { response, done } = await send(fragment, targets, request, context.signal);
        const partial = await decodePartialStream(response.batches, aggregate);
        for (const g of partial.groups.values()) tally.rows += g.rows;
        done();
        return partial;
      },
      async topK(schema, orderBy, k, tally) {
        const request: FragmentRequest = { ...common, mode: 'top-k', limit: k, orderBy: [...orderBy] };
        const { response, done } = await send(fragment, targets, request, context.signal);
        const rows = await regionTopK(response.batches, schema, orderBy, k, fragment.region, (n) => {
          tally.rows += n;
        });
        done();
        return rows;
      },
      rows(tally) {
        const request: FragmentRequest = {
          ...common,
          mode: 'rows',
          ...(fragment.limit !== undefined ? { limit: fragment.limit } : {}),
        };
        return (async function* () {
          const { response, done } = await send(fragment, targets, request, context.signal);
          try {
            for await (const batch of response.batches) {
              if (batch.numRows === 0) continue;
              tally.rows += batch.numRows;
              yield batch;
            }
          } catch (error) {
            throw toQueryError(error, fragment);
          } finally {
            done();
          }
        })();
      },
    };
  }

  return {
    name: 'gateway',
    reports,
    open: (fragment, context) => openRegion(fragment, context),
    join: (plan, join) => gatewayJoin(plan, join, openRegion),
    checkPlan: refuseSplitGroups,
  };
}

/**
 * An aggregates-only export is finished inside its jurisdiction, where a group smaller than `minGroupSize` is dropped
 * after the regions' partials are merged. Through gateways each region drops its own small groups before its partial
 * leaves, so a group whose rows lie in two regions (4 + 12 rows against a minimum of 10) would come back as 12, with
 * nothing saying so. Refused, unless a group cannot span regions: grouped by `_region`, or the counted tables read
 * in one region.
 */
function refuseSplitGroups(plan: QueryPlan): void {
  const site = plan.aggregateSite;
  if (site === undefined || plan.aggregate === undefined || plan.aggregate.groupBy.includes('_region')) return;
  const regions = [...new Set(plan.fragments.filter((f) => site.counted.includes(f.component)).map((f) => f.region))];
  if (regions.length < 2) return;
  throw new QueryError(
    'engine-unsupported',
    `${site.dataClasses.join(', ')} may leave ${site.jurisdiction} only as aggregates of groups of at least ${site.minGroupSize} rows, counted over ${regions.join(', ')} together; through gateways each region drops its own small groups, so a group split between regions would come back short`,
    {
      path: ['runner'],
      hint: `group by _region as well (each region's groups are then whole), read one region (_region = '${regions[0]}'), or run the query without gateways, which finishes the aggregate in ${site.region}`,
    },
  );
}

/** A partial aggregate from its Arrow stream: chunks of encoded groups, and the input types as typed fields. */
async function decodePartialStream(
  batches: AsyncIterable<RecordBatch>,
  aggregate: Aggregate,
): Promise<PartialAggregate> {
  let out: PartialAggregate | undefined;
  for await (const batch of batches) {
    const types = new Map(
      batch.schema.fields
        .filter((f) => f.name.startsWith(TYPE_FIELD_PREFIX))
        .map((f) => [f.name.slice(TYPE_FIELD_PREFIX.length), f.type] as const),
    );
    out ??= { types, groups: new Map() };
    const column = batch.getChild(PARTIAL_COLUMN);
    for (let i = 0; i < batch.numRows; i++) {
      const chunk = decodePartial(new TextEncoder().encode(String(column?.get(i))), aggregate, types);
      for (const [key, group] of chunk.groups) out.groups.set(key, group);
    }
  }
  return out ?? { types: new Map(), groups: new Map() };
}
