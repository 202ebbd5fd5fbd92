import { Predicate, type PredicateNode } from '@meridian/delta';
import { type DeltaTable, placementOf, type Topology } from '@meridian/topology';
import type { Aggregate, OrderKey } from '../aggregate/aggregate.ts';
import { measureName } from '../aggregate/aggregate.ts';
import { QueryError } from '../errors.ts';
import { type JoinPlan, planJoin } from './join-plan.ts';
import type { JoinRequest } from './join-request.ts';
import { type AggregateSite, checkResidency, type Destination, resolveDestination } from './residency.ts';
import { checkColumns, closest, matchTables, modelUri, parseWhere, predicateColumns } from './tables.ts';

/** What to read: a logical table across regions, with the columns, rows and regions wanted. */
export interface QueryRequest {
  /**
   * The table: a deltaTable component's name (`orders-table`: every region's component of that
   * name), its `tableName`, or one component id (`eu-west-1/orders-table`).
   */
  readonly table: string;
  /** Columns to return, in this order; all when omitted. */
  readonly columns?: readonly string[];
  /** Rows to keep: a predicate (`col('currency').eq('EUR')`) or its text (`currency = 'EUR'`). */
  readonly where?: Predicate | string;
  /** At most this many rows in all (pushed to every region, enforced centrally). */
  readonly limit?: number;
  /**
   * Order of the result: rows (with a limit: each region's top k, merged) or an aggregate's groups (after the
   * final merge). Keys name returned columns, or an aggregate's group columns and measures.
   */
  readonly orderBy?: readonly OrderKey[];
  /** Only these region ids; every region holding the table when omitted. */
  readonly regions?: readonly string[];
  /**
   * Where the results go: a region id of the model (`eu-west-1`) or a jurisdiction code (`EU`).
   * Required when any table read carries a data class restricted to some jurisdictions.
   */
  readonly from?: string;
  /** Group and aggregate instead of returning rows: partial aggregates per region, merged centrally. */
  readonly aggregate?: Aggregate;
  /** A table joined to this one by equal keys (SQL's JOIN): the smaller side is broadcast to the other's regions. */
  readonly join?: JoinRequest;
}

/** One region's part of a plan: which table it reads and what is pushed down to it. */
export interface QueryFragment {
  /** The deltaTable component id. */
  readonly component: string;
  readonly region: string;
  readonly jurisdiction: string | undefined;
  /** Where the table is read from. */
  readonly uri: string;
  /** Where `uri` came from: a caller-given location, or the model's `s3://<bucket>/<path>`. */
  readonly uriSource: 'location' | 'model';
  readonly dataClasses: readonly string[];
  /** Columns read in this region (the request's, plus those an aggregate needs); all when undefined. */
  readonly columns: readonly string[] | undefined;
  readonly where: Predicate | undefined;
  readonly limit: number | undefined;
  /** Rows: keep this region's first `limit` rows in this order (a top-k) instead of the first to arrive. */
  readonly orderBy: readonly OrderKey[] | undefined;
}

/** A checked plan: the fragments to scan and where the results go. */
export interface QueryPlan {
  readonly table: string;
  readonly fragments: readonly QueryFragment[];
  readonly columns: readonly string[] | undefined;
  readonly where: Predicate | undefined;
  readonly limit: number | undefined;
  readonly orderBy: readonly OrderKey[] | undefined;
  readonly destination: Destination | undefined;
  readonly aggregate: Aggregate | undefined;
  /** Regions holding the table that the plan does not read, and why (region pruning). */
  readonly prunedRegions: readonly { readonly region: string; readonly component: string; readonly reason: string }[];
  /** Where the aggregate is finished when a class may leave its jurisdiction only as aggregates (residency). */
  readonly aggregateSite: AggregateSite | undefined;
  /** Facts the explain output states (residency decisions, defaults taken). */
  readonly notes: readonly string[];
  /** A join: both sides, and which may be broadcast (the fragments above are those of the first choice). */
  readonly join?: JoinPlan;
}

/** Options of {@link planQuery}. */
export interface PlanOptions {
  /**
   * Table URIs by deltaTable component id or by region id (the model's bucket names are often not
   * reachable from where the query runs); `s3://<bucket>/<path>` from the model otherwise.
   */
  readonly locations?: Readonly<Record<string, string>>;
}

/**
 * Takes `_region = 'x'` and `_region in (...)` conjuncts out of the predicate: they choose regions
 * (fragments are pruned before residency is checked) rather than rows.
 */
function splitRegionPredicate(where: Predicate | undefined): {
  rest: Predicate | undefined;
  regions: Set<string> | undefined;
} {
  if (where === undefined) return { rest: undefined, regions: undefined };
  const conjuncts = where.node.kind === 'and' ? where.node.children : [where.node];
  let regions: Set<string> | undefined;
  const rest: PredicateNode[] = [];
  for (const node of conjuncts) {
    const isRegion =
      (node.kind === 'compare' || node.kind === 'in') && node.column.length === 1 && node.column[0] === '_region';
    if (isRegion && node.kind === 'compare' && node.op === 'eq' && typeof node.value === 'string') {
      regions = new Set([node.value].filter((v) => regions === undefined || regions.has(v)));
    } else if (isRegion && node.kind === 'in' && node.values.every((v) => typeof v === 'string')) {
      regions = new Set((node.values as string[]).filter((v) => regions === undefined || regions.has(v)));
    } else {
      const columns = new Set<string>();
      predicateColumns(node, columns);
      if (columns.has('_region')) {
        throw new QueryError('invalid-request', `the predicate uses _region in '${new Predicate(node).toString()}'`, {
          path: ['request', 'where'],
          hint: "_region may only appear as _region = 'id' or _region in ('a', 'b'), joined to the rest with and",
        });
      }
      rest.push(node);
    }
  }
  const remaining =
    rest.length === 0
      ? undefined
      : rest.length === 1
        ? new Predicate(rest[0] as PredicateNode)
        : new Predicate({ kind: 'and', children: rest });
  return { rest: remaining, regions };
}

/** ORDER BY keys must name what is returned; plain rows need a LIMIT (a top-k, never a sort of every row). */
function checkOrder(orderBy: readonly OrderKey[], request: QueryRequest, tables: readonly DeltaTable[]): void {
  const aggregate = request.aggregate;
  for (const [i, key] of orderBy.entries()) {
    const path = ['request', 'orderBy', i, 'column'];
    if (aggregate) {
      const names = [...aggregate.groupBy, ...aggregate.measures.map(measureName)];
      if (!names.includes(key.column)) {
        throw new QueryError('unknown-column', `ORDER BY names '${key.column}', which the aggregate does not return`, {
          path,
          hint: `order by a group column or a measure: ${names.join(', ')}`,
        });
      }
    } else if (request.columns !== undefined && !request.columns.includes(key.column)) {
      throw new QueryError(
        'unknown-column',
        `ORDER BY names '${key.column}', which is not among the columns returned`,
        {
          path,
          hint: `add it to the columns: ${[...request.columns, key.column].join(', ')}`,
        },
      );
    } else {
      for (const table of tables) checkColumns(table, [key.column], ['request', 'orderBy'], 'ORDER BY');
    }
  }
  if (!aggregate && request.limit === undefined) {
    throw new QueryError('invalid-request', 'ORDER BY of rows needs a LIMIT', {
      path: ['request', 'orderBy'],
      hint: 'add a limit (each region keeps its top k and the client merges them), or aggregate',
    });
  }
}

/**
 * Plans a federated read: finds the table's component in every region (or the regions asked for),
 * gives each a URI, pushes columns, predicate and limit down to each, and refuses a plan that would
 * move a data class into a jurisdiction it may not enter, or that names an unknown table, region
 * or column, with a {@link QueryError}.
 *
 * ```ts
 * const plan = planQuery(model, { table: 'orders-table', where: "currency = 'EUR'", from: 'eu-west-1' },
 *   { locations: { 'eu-west-1': 'file:///lake/eu', 'eu-central-1': 'file:///lake/de' } });
 * ```
 */
export function planQuery(model: Topology, request: QueryRequest, options: PlanOptions = {}): QueryPlan {
  if (request.limit !== undefined && (!Number.isInteger(request.limit) || request.limit < 0)) {
    throw new QueryError('invalid-request', `limit ${request.limit} is not a row count`, {
      path: ['request', 'limit'],
      hint: 'give a whole number of rows, e.g. 100',
    });
  }
  if (request.join !== undefined) return planJoin(model, request as QueryRequest & { join: JoinRequest }, options);
  const notes: string[] = [];
  const pruned: { region: string; component: string; reason: string }[] = [];
  let tables = matchTables(model, request.table);
  const regionIds = model.regions.map((r) => r.id ?? r.code);
  const split = splitRegionPredicate(parseWhere(request.where));
  const where = split.rest;
  if (split.regions !== undefined) {
    notes.push(`_region predicate: reading only ${[...split.regions].join(', ')}`);
    const holding = tables.map((t) => placementOf(model, t).region ?? 'global');
    for (const t of tables.filter((t) => !split.regions?.has(placementOf(model, t).region ?? 'global')))
      pruned.push({
        region: placementOf(model, t).region ?? 'global',
        component: t.id,
        reason: 'the _region predicate',
      });
    tables = tables.filter((t) => split.regions?.has(placementOf(model, t).region ?? 'global'));
    if (tables.length === 0) {
      throw new QueryError(
        'unknown-region',
        `the predicate keeps _region ${[...split.regions].join(', ') || '(none)'}, which holds no table '${request.table}'`,
        {
          path: ['request', 'where'],
          hint: `'${request.table}' is in: ${holding.join(', ')}`,
        },
      );
    }
  }
  if (request.regions !== undefined) {
    for (const [i, region] of request.regions.entries()) {
      if (!regionIds.includes(region)) {
        const suggestion = closest(region, regionIds);
        throw new QueryError('unknown-region', `region '${region}' is not a region of topology '${model.name}'`, {
          path: ['request', 'regions', i],
          hint: `${suggestion ? `did you mean '${suggestion}'? ` : ''}regions: ${regionIds.join(', ')}`,
        });
      }
      if (!tables.some((t) => placementOf(model, t).region === region)) {
        throw new QueryError('unknown-region', `region '${region}' holds no table '${request.table}'`, {
          path: ['request', 'regions', i],
          hint: `'${request.table}' is in: ${tables.map((t) => placementOf(model, t).region ?? 'global').join(', ')}`,
        });
      }
    }
    const wanted = new Set(request.regions);
    for (const t of tables.filter((t) => !wanted.has(placementOf(model, t).region ?? '')))
      pruned.push({ region: placementOf(model, t).region ?? 'global', component: t.id, reason: 'not among regions' });
    tables = tables.filter((t) => wanted.has(placementOf(model, t).region ?? ''));
  }

  const whereColumns = new Set<string>();
  if (where) predicateColumns(where.node, whereColumns);
  const aggregate = request.aggregate;
  if (aggregate && request.columns !== undefined) {
    throw new QueryError('invalid-request', 'give columns or an aggregate, not both', {
      path: ['request', 'columns'],
      hint: 'an aggregate returns its group columns and measures; drop columns',
    });
  }
  const aggregateColumns = aggregate
    ? [
        ...new Set([
          ...aggregate.groupBy.filter((c) => c !== '_region'),
          ...aggregate.measures.flatMap((m) => (m.column ? [m.column] : [])),
        ]),
      ]
    : undefined;
  for (const table of tables) {
    if (request.columns) checkColumns(table, request.columns, ['request', 'columns'], 'columns');
    checkColumns(table, [...whereColumns], ['request', 'where'], 'the predicate');
    if (aggregate) {
      checkColumns(table, aggregate.groupBy, ['request', 'aggregate', 'groupBy'], 'groupBy');
      checkColumns(
        table,
        aggregate.measures.flatMap((m) => (m.column ? [m.column] : [])),
        ['request', 'aggregate', 'measures'],
        'a measure',
      );
    }
  }

  const destination = request.from === undefined ? undefined : resolveDestination(model, request.from);
  const residency = checkResidency(model, tables, destination, { aggregate });
  notes.push(...residency.notes);
  if (aggregate && residency.site === undefined) {
    notes.push(
      'aggregates are treated as the data they are computed from: residency applies to them as to rows, unless a data class declares export: { aggregatesOnly, minGroupSize }',
    );
  }

  const orderBy = request.orderBy !== undefined && request.orderBy.length > 0 ? request.orderBy : undefined;
  if (orderBy !== undefined) checkOrder(orderBy, request, tables);

  const locations = options.locations ?? {};
  const scanColumns = aggregateColumns ?? request.columns?.filter((c) => c !== '_region');
  const fragments = tables.map((table): QueryFragment => {
    const region = placementOf(model, table).region ?? 'global';
    const given = locations[table.id] ?? locations[region];
    const uri = given ?? modelUri(model, table);
    const r = model.regions.find((x) => (x.id ?? x.code) === region);
    return {
      component: table.id,
      region,
      jurisdiction: r?.jurisdiction,
      uri,
      uriSource: given === undefined ? 'model' : 'location',
      dataClasses: table.dataClasses,
      columns: scanColumns,
      where,
      // A top-k needs every row of the region in its order: no limit pushed to the scan.
      limit: aggregate || orderBy ? undefined : request.limit,
      orderBy: aggregate ? undefined : orderBy,
    };
  });
  for (const key of Object.keys(locations)) {
    if (
      !fragments.some((f) => f.component === key || f.region === key) &&
      !model.components.some((c) => c.id === key) &&
      !regionIds.includes(key)
    ) {
      throw new QueryError('invalid-request', `location '${key}' names neither a deltaTable component nor a region`, {
        path: ['locations', key],
        hint: `key locations by a component id (${fragments.map((f) => f.component).join(', ')}) or a region id`,
      });
    }
  }
  return {
    table: request.table,
    fragments,
    columns: request.columns,
    where,
    limit: request.limit,
    orderBy,
    destination,
    aggregate,
    prunedRegions: pruned,
    aggregateSite: residency.site,
    notes,
  };
}
