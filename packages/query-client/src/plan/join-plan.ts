import { Predicate, type PredicateNode } from '@meridian/delta';
import { type DeltaTable, placementOf, type Topology } from '@meridian/topology';
import type { Aggregate, Measure, OrderKey } from '../aggregate/aggregate.ts';
import { measureName } from '../aggregate/aggregate.ts';
import { QueryError } from '../errors.ts';
import type { JoinKind, JoinRequest } from './join-request.ts';
import type { PlanOptions, QueryFragment, QueryPlan, QueryRequest } from './plan.ts';
import { type AggregateSite, checkResidency, type Destination, resolveDestination } from './residency.ts';
import { checkColumns, closest, componentName, matchTables, modelUri, parseWhere, predicateColumns } from './tables.ts';

/** A side of a join: the FROM table (`left`) or the joined one (`right`). */
export type JoinSide = 'left' | 'right';

/** One column of a joined row: its name in the joined batch, and which side's column it is. */
export interface JoinedColumn {
  readonly name: string;
  readonly side: JoinSide;
  readonly column: string;
}

/**
 * Whose rows a group's size counts when an export rule's minGroupSize applies to a join (docs/decisions "broadcast
 * joins"): distinct rows of each table holding a blocked class, not joined rows, so that one person's dimension row
 * joined to many fact rows (or one fact row matched by duplicate keys) is still one row.
 */
export interface JoinProtection {
  /** Probe components whose rows count (distinct rows per group). */
  readonly probe: readonly string[];
  /** Broadcast components whose rows count (distinct rows per group). */
  readonly build: readonly string[];
}

/** One way to run the join that residency allows: which side is broadcast into the regions of the other. */
export interface BroadcastChoice {
  readonly broadcast: JoinSide;
  /** The other side's fragments: where the join, and the partial aggregate or top-k after it, run. */
  readonly probe: readonly QueryFragment[];
  /** The broadcast side's fragments, each read once in its own region and sent to every probe region. */
  readonly build: readonly QueryFragment[];
  readonly aggregateSite: AggregateSite | undefined;
  readonly protection: JoinProtection | undefined;
  readonly notes: readonly string[];
}

/** A planned join: its keys and columns, the conditions left for after it, and the broadcast directions allowed. */
export interface JoinPlan {
  readonly kind: JoinKind;
  readonly left: { readonly table: string; readonly ref: string; readonly fragments: readonly QueryFragment[] };
  readonly right: { readonly table: string; readonly ref: string; readonly fragments: readonly QueryFragment[] };
  /** Key columns of each side, pairwise equal. */
  readonly keys: readonly { readonly left: string; readonly right: string }[];
  /** The joined row's columns (what either side contributes to the query). */
  readonly columns: readonly JoinedColumn[];
  /** Conditions over the joined row that no one side's scan can apply (both sides, or the right of a LEFT join). */
  readonly residual: Predicate | undefined;
  /** Allowed directions, the preferred first (the right side broadcast); the smaller by the Delta log is run. */
  readonly choices: readonly BroadcastChoice[];
  /** Directions residency refused, and why (said when the allowed one is over the broadcast limit). */
  readonly refused: readonly { readonly broadcast: JoinSide; readonly reason: string }[];
  /** The request as planned, `where` as text: what a query gateway plans again with its own topology. */
  readonly source: QueryRequest;
}

interface SideInfo {
  readonly side: JoinSide;
  readonly table: string;
  readonly ref: string;
  readonly names: ReadonlySet<string>;
  readonly tables: readonly DeltaTable[];
  readonly declared: ReadonlySet<string> | undefined;
}

function declaredColumns(tables: readonly DeltaTable[]): ReadonlySet<string> | undefined {
  if (tables.some((t) => t.columns.length === 0)) return undefined;
  return new Set(tables.flatMap((t) => [...t.columns.map((c) => c.name), ...t.partitionColumns]));
}

function mapPredicate(node: PredicateNode, rename: (column: string) => string): PredicateNode {
  switch (node.kind) {
    case 'compare':
    case 'in':
    case 'is-null':
      return { ...node, column: [rename(node.column[0] as string)] };
    case 'and':
    case 'or':
      return { ...node, children: node.children.map((c) => mapPredicate(c, rename)) };
    case 'not':
      return { ...node, child: mapPredicate(node.child, rename) };
    case 'constant':
      return node;
  }
}

function conjunction(nodes: readonly PredicateNode[]): Predicate | undefined {
  if (nodes.length === 0) return undefined;
  return new Predicate(nodes.length === 1 ? (nodes[0] as PredicateNode) : { kind: 'and', children: [...nodes] });
}

/**
 * Plans `request` joined to `request.join` (called by planQuery): resolves every column reference to a side,
 * pushes each side's own conditions and columns into its scans, and plans each broadcast direction residency allows.
 * A direction is refused when the broadcast side's class may not enter a region of the other side (its rows cross,
 * whatever its export rule); the joined rows carry the classes of both tables, so the result's residency (raw rows
 * refused, aggregates-only export with minGroupSize) is checked over the union.
 */
export function planJoin(
  model: Topology,
  request: QueryRequest & { readonly join: JoinRequest },
  options: PlanOptions,
): QueryPlan {
  const join = request.join;
  const refuse = (message: string, path: (string | number)[], hint: string): never => {
    throw new QueryError('invalid-request', message, { path: ['request', ...path], hint });
  };
  if (join.on.length === 0) refuse('a join needs at least one key', ['join', 'on'], "on: [{ left: 'k', right: 'k' }]");
  if (join.kind !== 'inner' && join.kind !== 'left') {
    refuse(`join kind '${String(join.kind)}'`, ['join', 'kind'], "kind: 'inner' or 'left'");
  }
  if (request.regions !== undefined) {
    refuse('regions with a join', ['regions'], 'a join reads every region of both tables; filter rows in WHERE');
  }
  const sideInfo = (side: JoinSide, table: string, as: string | undefined): SideInfo => {
    const tables = matchTables(model, table);
    const ref = as ?? table;
    const names = new Set([ref, table, ...tables.map(componentName)]);
    return { side, table, ref, names, tables, declared: declaredColumns(tables) };
  };
  const left = sideInfo('left', request.table, join.leftAs);
  const right = sideInfo('right', join.table, join.as);
  const sides = { left, right };

  // A reference `c.segment` names its side; `segment` the one side that declares it (as Postgres, ambiguity refused).
  const resolve = (reference: string, path: (string | number)[]): { side: JoinSide; column: string } => {
    if (reference === '_region') {
      return refuse(
        '_region in a join',
        path,
        'a joined row has no one region (each side has its own); group or filter by a column instead',
      );
    }
    const dot = reference.indexOf('.');
    if (dot > 0) {
      const qualifier = reference.slice(0, dot);
      const column = reference.slice(dot + 1);
      const side = [left, right].find((s) => s.ref === qualifier) ?? [left, right].find((s) => s.names.has(qualifier));
      if (side !== undefined) {
        for (const t of side.tables) checkColumns(t, [column], ['request', ...path], `the reference ${reference}`);
        return { side: side.side, column };
      }
    }
    const holders = [left, right].filter((s) => s.declared?.has(reference));
    if (holders.length === 1) return { side: (holders[0] as SideInfo).side, column: reference };
    if (holders.length === 2) {
      return refuse(
        `column reference '${reference}' is ambiguous: both ${left.ref} and ${right.ref} have it`,
        path,
        `qualify it: ${left.ref}.${reference} or ${right.ref}.${reference}`,
      );
    }
    const undeclared = [left, right].filter((s) => s.declared === undefined);
    if (undeclared.length > 0) {
      return refuse(
        `column '${reference}' is not qualified, and ${undeclared.map((s) => s.table).join(' and ')} declares no columns to find it in`,
        path,
        `qualify it with its table: ${left.ref}.${reference} or ${right.ref}.${reference}`,
      );
    }
    const suggestion = closest(reference, [...(left.declared ?? []), ...(right.declared ?? [])]);
    throw new QueryError('unknown-column', `neither ${left.table} nor ${right.table} has a column '${reference}'`, {
      path: ['request', ...path],
      hint: `${suggestion ? `did you mean '${suggestion}'? ` : ''}columns: ${[...(left.declared ?? [])].map((c) => `${left.ref}.${c}`).join(', ')}, ${[...(right.declared ?? [])].map((c) => `${right.ref}.${c}`).join(', ')}`,
    });
  };
  // Joined names: a left column keeps its name, a right one too unless the left side has that name (then `c.id`).
  const joined = new Map<string, JoinedColumn>();
  const nameOf = (reference: string, path: (string | number)[]): string => {
    const { side, column } = resolve(reference, path);
    const clash = side === 'right' && (left.declared?.has(column) ?? true);
    const name = side === 'left' ? column : clash ? `${right.ref}.${column}` : column;
    if (!joined.has(name)) joined.set(name, { name, side, column });
    return name;
  };

  const keys = join.on.map((key, i) => {
    const a = resolve(key.left, ['join', 'on', i, 'left']);
    const b = resolve(key.right, ['join', 'on', i, 'right']);
    if (a.side === b.side) {
      return refuse(
        `join key ${i + 1} compares two columns of ${sides[a.side].table}`,
        ['join', 'on', i],
        `compare a column of ${left.table} with a column of ${right.table}`,
      );
    }
    return a.side === 'left' ? { left: a.column, right: b.column } : { left: b.column, right: a.column };
  });

  // The request in joined names: columns, WHERE, GROUP BY, measures, HAVING and ORDER BY.
  if (request.columns === undefined && request.aggregate === undefined) {
    refuse('a join returning every column', ['columns'], `name the columns: ${left.ref}.<col>, ${right.ref}.<col>`);
  }
  const columns = request.columns?.map((c, i) => nameOf(c, ['columns', i]));
  const where = parseWhere(request.where);
  const renamedWhere = where ? mapPredicate(where.node, (c) => nameOf(c, ['where'])) : undefined;
  let aggregate: Aggregate | undefined;
  const outputNames = new Map<string, string>();
  if (request.aggregate) {
    const a = request.aggregate;
    const groupBy = a.groupBy.map((g, i) => {
      const name = nameOf(g, ['aggregate', 'groupBy', i]);
      outputNames.set(g, name);
      return name;
    });
    const measures = a.measures.map((m, i): Measure => {
      if (m.column === undefined) return m;
      const column = nameOf(m.column, ['aggregate', 'measures', i, 'column']);
      const resolved = { ...m, column };
      outputNames.set(measureName(m), measureName(resolved));
      return { ...resolved, as: measureName(resolved) };
    });
    const having = a.having ? new Predicate(mapPredicate(a.having.node, (c) => outputNames.get(c) ?? c)) : undefined;
    aggregate = { groupBy, measures, ...(having ? { having } : {}) };
  }
  const orderBy = request.orderBy?.map(
    (k, i): OrderKey => ({
      ...k,
      column: outputNames.get(k.column) ?? (aggregate ? k.column : nameOf(k.column, ['orderBy', i, 'column'])),
    }),
  );
  if (aggregate && orderBy) {
    const names = [...aggregate.groupBy, ...aggregate.measures.map(measureName)];
    for (const [i, key] of orderBy.entries()) {
      if (!names.includes(key.column)) {
        refuse(
          `ORDER BY names '${key.column}', which the aggregate does not return`,
          ['orderBy', i, 'column'],
          `order by ${names.join(', ')}`,
        );
      }
    }
  } else if (orderBy && request.limit === undefined) {
    refuse('ORDER BY of rows needs a LIMIT', ['orderBy'], 'add a limit (each region keeps its top k), or aggregate');
  } else if (orderBy && columns) {
    for (const [i, key] of orderBy.entries()) {
      if (!columns.includes(key.column))
        refuse(
          `ORDER BY names '${key.column}', which is not among the columns returned`,
          ['orderBy', i],
          `add it to the columns`,
        );
    }
  }

  // WHERE's conjuncts: one side's go into that side's scan (for a LEFT join only the left's: a condition on the
  // right filters joined rows, null-extended ones included), the rest are applied to joined rows.
  const pushed: Record<JoinSide, PredicateNode[]> = { left: [], right: [] };
  const residual: PredicateNode[] = [];
  const conjuncts =
    renamedWhere === undefined ? [] : renamedWhere.kind === 'and' ? renamedWhere.children : [renamedWhere];
  for (const node of conjuncts) {
    const used = new Set<string>();
    predicateColumns(node, used);
    const usedSides = new Set([...used].map((n) => (joined.get(n) as JoinedColumn).side));
    const only = usedSides.size === 1 ? [...usedSides][0] : undefined;
    if (only === 'left' || (only === 'right' && join.kind === 'inner')) {
      pushed[only].push(mapPredicate(node, (n) => (joined.get(n) as JoinedColumn).column));
    } else residual.push(node);
  }

  const locations = options.locations ?? {};
  const fragmentsOf = (info: SideInfo): QueryFragment[] => {
    const read = new Set([...joined.values()].filter((c) => c.side === info.side).map((c) => c.column));
    for (const k of keys) read.add(k[info.side]);
    return info.tables.map((table): QueryFragment => {
      const region = placementOf(model, table).region ?? 'global';
      const given = locations[table.id] ?? locations[region];
      return {
        component: table.id,
        region,
        jurisdiction: model.regions.find((x) => (x.id ?? x.code) === region)?.jurisdiction,
        uri: given ?? modelUri(model, table),
        uriSource: given === undefined ? 'model' : 'location',
        dataClasses: table.dataClasses,
        columns: [...read],
        where: conjunction(pushed[info.side]),
        limit: undefined,
        orderBy: undefined,
      };
    });
  };
  const fragments = { left: fragmentsOf(left), right: fragmentsOf(right) };
  const destination = request.from === undefined ? undefined : resolveDestination(model, request.from);

  const choices: BroadcastChoice[] = [];
  const refused: { broadcast: JoinSide; reason: string }[] = [];
  const errors: QueryError[] = [];
  // The right side first: what the query says is the dimension. A LEFT join keeps every left row, so only the right
  // can be broadcast (a broadcast left side could not know which of its rows no region matched).
  for (const broadcast of join.kind === 'left' ? (['right'] as const) : (['right', 'left'] as const)) {
    const probeSide = broadcast === 'right' ? left : right;
    try {
      choices.push(
        planDirection(
          model,
          broadcast,
          fragments[probeSide.side],
          sides[broadcast].tables,
          fragments[broadcast],
          probeSide.tables,
          destination,
          aggregate,
        ),
      );
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      errors.push(error);
      refused.push({ broadcast, reason: error.message });
    }
  }
  if (choices.length === 0) {
    // Every direction refused: say why for each (the other way round may be refused for another reason).
    const [first, ...others] = errors as [QueryError, ...QueryError[]];
    if (others.length === 0) throw first;
    const also = others.map(
      (e, i) =>
        `broadcasting ${sides[(refused[i + 1] as { broadcast: JoinSide }).broadcast].table} instead: ${e.message}`,
    );
    throw new QueryError(first.code, `${first.message}; ${also.join('; ')}`, {
      path: first.path,
      ...(first.hint !== undefined ? { hint: first.hint } : {}),
    });
  }
  const first = choices[0] as BroadcastChoice;
  return {
    table: request.table,
    fragments: first.probe,
    columns,
    where: undefined,
    limit: request.limit,
    orderBy: orderBy !== undefined && orderBy.length > 0 ? orderBy : undefined,
    destination,
    aggregate,
    prunedRegions: [],
    aggregateSite: first.aggregateSite,
    notes: first.notes,
    join: {
      kind: join.kind,
      left: { table: left.table, ref: left.ref, fragments: fragments.left },
      right: { table: right.table, ref: right.ref, fragments: fragments.right },
      keys,
      columns: [...joined.values()],
      residual: conjunction(residual),
      choices,
      refused,
      // HAVING is applied after the merge, by the client: a gateway needs the rest (and a Predicate is no JSON).
      source: {
        ...request,
        ...(request.where !== undefined ? { where: request.where.toString() } : {}),
        ...(request.aggregate !== undefined
          ? { aggregate: { groupBy: request.aggregate.groupBy, measures: request.aggregate.measures } }
          : {}),
      },
    },
  };
}

/**
 * One broadcast direction, or its refusal: the broadcast side's classes must be allowed in every probe region's
 * jurisdiction (its rows cross, an export rule lets only aggregates out); then the joined rows, which carry the
 * classes of both sides, are checked where the results go, as one table's rows are.
 */
function planDirection(
  model: Topology,
  broadcast: JoinSide,
  probe: readonly QueryFragment[],
  buildTables: readonly DeltaTable[],
  build: readonly QueryFragment[],
  probeTables: readonly DeltaTable[],
  destination: Destination | undefined,
  aggregate: Aggregate | undefined,
): BroadcastChoice {
  const restricted = new Map(
    model.dataClasses
      .filter((d) => d.jurisdictions !== undefined)
      .map((d) => [d.id, d.jurisdictions as readonly string[]]),
  );
  for (const b of build) {
    for (const p of probe) {
      if (p.region === b.region) continue;
      for (const dataClass of b.dataClasses) {
        const allowed = restricted.get(dataClass);
        if (allowed === undefined || (p.jurisdiction !== undefined && allowed.includes(p.jurisdiction))) continue;
        throw new QueryError(
          'residency-violation',
          `broadcasting ${b.component} into ${p.region} (${p.jurisdiction ?? 'no jurisdiction'}) for the join would move '${dataClass}' there; ${dataClass} may only be in ${allowed.join(', ')}, and a broadcast sends its rows`,
          {
            path: ['components', b.component, 'dataClasses'],
            hint: `join tables whose regions ${dataClass} may enter (${allowed.join('/')}), or aggregate ${b.component} alone`,
          },
        );
      }
    }
  }
  const buildClasses = [...new Set(buildTables.flatMap((t) => t.dataClasses))];
  // Each probe component's joined rows carry its own classes and every broadcast one's.
  const carried = probeTables.map((t) => ({ ...t, dataClasses: [...new Set([...t.dataClasses, ...buildClasses])] }));
  let residency: ReturnType<typeof checkResidency>;
  try {
    residency = checkResidency(model, carried, destination, { aggregate });
  } catch (error) {
    // Name where a class came from when the probe table does not hold it itself: the join carried it there.
    const carriedOnly = buildClasses.filter((c) => !probeTables.some((t) => t.dataClasses.includes(c)));
    if (!(error instanceof QueryError) || !carriedOnly.some((c) => error.message.includes(`'${c}'`))) throw error;
    throw new QueryError(
      error.code,
      `${error.message} (the joined rows carry ${carriedOnly.join(', ')} from ${buildTables.map((t) => t.id).join(', ')})`,
      { path: error.path, ...(error.hint !== undefined ? { hint: error.hint } : {}), cause: error },
    );
  }
  let protection: JoinProtection | undefined;
  const site = residency.site;
  if (site !== undefined) {
    const counts = (t: DeltaTable) => t.dataClasses.some((c) => site.dataClasses.includes(c));
    protection = {
      probe: probeTables.filter(counts).map((t) => t.id),
      build: buildTables.filter(counts).map((t) => t.id),
    };
  }
  const notes = [
    `join: ${build.map((b) => b.component).join(', ')} broadcast to ${[...new Set(probe.map((p) => p.region))].join(', ')} (${broadcast} side)`,
    ...residency.notes,
  ];
  if (protection) {
    notes.push(
      `minGroupSize counts distinct rows of ${[...protection.probe, ...protection.build].join(', ')} per group, not joined rows: one person's row joined to many cannot make a group`,
    );
  }
  return { broadcast, probe, build, aggregateSite: site, protection, notes };
}
