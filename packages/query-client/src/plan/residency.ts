import { type DeltaTable, findProviderRegion, placementOf, type Topology } from '@meridian/topology';
import type { Aggregate } from '../aggregate/aggregate.ts';
import { QueryError, regionsOption } from '../errors.ts';

/** Where a query's results go: a jurisdiction, and the region it was given as, if any. */
export interface Destination {
  readonly jurisdiction: string;
  readonly region: string | undefined;
}

/** A region id of the model (its jurisdiction) or a jurisdiction code such as `EU`. */
export function resolveDestination(model: Topology, from: string): Destination {
  const region = model.regions.find((r) => (r.id ?? r.code) === from || r.code === from);
  if (region) return { jurisdiction: region.jurisdiction, region: region.id ?? region.code };
  // A provider region outside the model (querying from us-east-1 into an EU-only model) still has a jurisdiction.
  const published =
    findProviderRegion('aws', from) ?? findProviderRegion('gcp', from) ?? findProviderRegion('azure', from);
  if (published) return { jurisdiction: published.jurisdiction, region: published.code };
  if (/^[A-Z][A-Z0-9-]*$/.test(from)) return { jurisdiction: from, region: undefined };
  throw new QueryError(
    'unknown-destination',
    `'${from}' is neither a region of topology '${model.name}' nor a jurisdiction code`,
    {
      path: ['request', 'from'],
      hint: `give a region id (${model.regions.map((r) => r.id ?? r.code).join(', ')}) or an uppercase jurisdiction such as EU or US`,
    },
  );
}

/**
 * Where an aggregate over a class that may leave only as aggregates is finished: a region inside the class's
 * jurisdictions merges every region's partials, suppresses groups with fewer than `minGroupSize` rows of the class
 * (rows of the `counted` components), and only the final groups cross to the destination.
 */
export interface AggregateSite {
  readonly region: string;
  readonly jurisdiction: string;
  readonly minGroupSize: number;
  /** Components whose rows count towards a group's size (those holding the restricted classes). */
  readonly counted: readonly string[];
  readonly dataClasses: readonly string[];
}

/** What of the request residency looks at: whether it aggregates (and how). */
export interface RequestShape {
  readonly aggregate: Aggregate | undefined;
}

/**
 * Refuses a plan that moves a data class out of the jurisdictions it may live in (the model's
 * `dataClasses[].jurisdictions`): every table read must carry only classes allowed where the
 * results go. A class that declares `export: { aggregatesOnly, minGroupSize }` may leave as aggregates:
 * the plan is then rewritten to finish the aggregate inside its jurisdiction ({@link AggregateSite}).
 * Returns the notes the explain output shows.
 */
export function checkResidency(
  model: Topology,
  tables: readonly DeltaTable[],
  destination: Destination | undefined,
  shape: RequestShape = { aggregate: undefined },
): { notes: string[]; site: AggregateSite | undefined } {
  const regionOf = (table: DeltaTable) => placementOf(model, table).region;
  const notes: string[] = [];
  const restricted = new Map(
    model.dataClasses
      .filter((d) => d.jurisdictions !== undefined)
      .map((d) => [d.id, d.jurisdictions as readonly string[]]),
  );
  const violations: { table: DeltaTable; dataClass: string; allowed: readonly string[] }[] = [];
  for (const table of tables) {
    for (const dataClass of table.dataClasses) {
      const allowed = restricted.get(dataClass);
      if (allowed === undefined) continue;
      if (destination === undefined) {
        throw new QueryError(
          'destination-required',
          `${table.id} holds data class '${dataClass}' (allowed in ${allowed.join(', ')}), and the request does not say where the results go`,
          {
            path: ['request', 'from'],
            hint: `declare where the results go, a region or a jurisdiction: from: '${regionOf(table) ?? allowed[0]}'`,
          },
        );
      }
      if (!allowed.includes(destination.jurisdiction)) violations.push({ table, dataClass, allowed });
    }
  }
  const exportOf = new Map(model.dataClasses.map((d) => [d.id, d.export] as const));
  if (violations.length > 0 && destination !== undefined && violations.every((v) => exportOf.get(v.dataClass))) {
    const site = aggregateSite(model, tables, destination, violations, shape);
    const blocked = [...new Set(violations.map((v) => v.dataClass))];
    return {
      site,
      notes: [
        `results go to ${placeOf(destination)}; ${blocked.join(', ')} may leave ${site.jurisdiction} only as aggregates: the aggregate is finished in ${site.region}, groups with fewer than ${site.minGroupSize} rows of ${blocked.join(', ')} are suppressed there, and only the final groups cross to ${destination.jurisdiction}`,
      ],
    };
  }
  if (violations.length > 0 && destination !== undefined) {
    const first = violations[0] as (typeof violations)[number];
    const where = placeOf(destination);
    const blocked = [...new Set(violations.map((v) => regionOf(v.table) ?? v.table.id))];
    // The regions the query could still read once the blocked ones are left out (none: leaving out is no way out).
    const kept = [...new Set(tables.map(regionOf))].filter((r): r is string => r !== undefined && !blocked.includes(r));
    const allowedRegions = model.regions
      .filter((r) => first.allowed.includes(r.jurisdiction))
      .map((r) => r.id ?? r.code);
    throw new QueryError(
      'residency-violation',
      `the plan would move ${violations.map((v) => `'${v.dataClass}' from ${v.table.id}`).join(', ')} into ${where}; ${first.dataClass} may only be in ${first.allowed.join(', ')}`,
      {
        path: ['components', first.table.id, 'dataClasses'],
        hint: `query from ${allowedRegions.length > 0 ? `a region in ${first.allowed.join('/')}: from: '${allowedRegions[0]}'` : `a jurisdiction in ${first.allowed.join(', ')}`}${kept.length > 0 ? `, or leave out ${blocked.join(', ')}: ${regionsOption(kept)}` : ''}`,
      },
    );
  }
  if (destination !== undefined) {
    const classes = [...new Set(tables.flatMap((t) => t.dataClasses))];
    notes.push(
      classes.length === 0
        ? `results go to ${placeOf(destination)}; the tables carry no data class`
        : `results go to ${placeOf(destination)}; allowed for ${classes.join(', ')}`,
    );
  } else {
    notes.push('no destination given (from); none of the tables carries a jurisdiction-restricted data class');
  }
  return { notes, site: undefined };
}

/** Functions whose result is one row's value (an extreme, a quantile): not an aggregate that hides a row. */
const ROW_VALUE_FUNCTIONS = new Set(['min', 'max', 'approx_quantile']);

/**
 * The rewrite of a query that moves aggregates-only classes out of their jurisdiction, or its refusal: rows,
 * a measure that is one row's value, classes of several jurisdictions, or another table's class that may not enter
 * the merging region.
 */
function aggregateSite(
  model: Topology,
  tables: readonly DeltaTable[],
  destination: Destination,
  violations: readonly { table: DeltaTable; dataClass: string; allowed: readonly string[] }[],
  shape: RequestShape,
): AggregateSite {
  const first = violations[0] as (typeof violations)[number];
  const into = placeOf(destination);
  const refuse = (why: string, hint: string): never => {
    throw new QueryError(
      'residency-violation',
      `${why}: ${first.table.id} holds '${first.dataClass}', which may leave ${first.allowed.join(', ')} only as aggregates, and the results go to ${into}`,
      { path: ['components', first.table.id, 'dataClasses'], hint },
    );
  };
  const aggregate = shape.aggregate;
  if (aggregate === undefined) {
    refuse(
      'the query returns rows',
      `aggregate instead (GROUP BY with count, sum, avg, ...), or query from a region in ${first.allowed.join('/')}`,
    );
    throw new Error('unreachable');
  }
  for (const m of aggregate.measures) {
    if (ROW_VALUE_FUNCTIONS.has(m.fn)) {
      refuse(
        `${m.fn}(${m.column ?? '*'}) is the value of one row, not an aggregate that hides it`,
        'use count, sum, avg, variance, stddev or count(DISTINCT ...) across the border',
      );
    }
  }
  // The aggregate is merged in a jurisdiction every class read may be in: the sets are compared as sets, so
  // ['EU', 'CH'] and ['CH', 'EU'] are one, and ['EU', 'CH'] with ['EU'] merge in the EU.
  const common = violations.reduce<readonly string[]>(
    (shared, v) => shared.filter((j) => v.allowed.includes(j)),
    first.allowed,
  );
  if (common.length === 0) {
    const sets = new Set(violations.map((v) => [...v.allowed].sort().join('/')));
    refuse(
      `the classes read may leave as aggregates but must be merged in different jurisdictions (${[...sets].join(', ')})`,
      'query each jurisdiction on its own',
    );
  }
  const regionOf = (t: DeltaTable) => placementOf(model, t).region;
  const restricted = violations.map((v) => v.table);
  const homes = restricted
    .map((t) => model.regions.find((r) => (r.id ?? r.code) === regionOf(t)))
    .filter((r) => r !== undefined);
  // The first region holding a class read whose jurisdiction every class may be in; else the first, which the check
  // below refuses naming the class that may not enter it.
  const region = homes.find((r) => common.includes(r.jurisdiction)) ?? homes[0];
  if (region === undefined) refuse('no region of the class holds the table', 'place the table in a region');
  const site = region as (typeof model.regions)[number];
  // Every other table's partials travel into the merging region: their classes must be allowed there.
  for (const table of tables) {
    for (const dataClass of table.dataClasses) {
      const allowed = model.dataClasses.find((d) => d.id === dataClass)?.jurisdictions;
      if (allowed !== undefined && !allowed.includes(site.jurisdiction)) {
        refuse(
          `${table.id}'s '${dataClass}' may not enter ${site.id ?? site.code} (${site.jurisdiction}), where the aggregate must be merged`,
          `leave out ${regionOf(table) ?? table.id}: ${regionsOption(tables.filter((t) => t !== table).map((t) => regionOf(t) ?? t.id))}`,
        );
      }
    }
  }
  const minGroupSize = Math.max(
    ...violations.map((v) => model.dataClasses.find((d) => d.id === v.dataClass)?.export?.minGroupSize ?? 2),
  );
  return {
    region: site.id ?? site.code,
    jurisdiction: site.jurisdiction,
    minGroupSize,
    counted: [...new Set(restricted.map((t) => t.id))],
    dataClasses: [...new Set(violations.map((v) => v.dataClass))],
  };
}

function placeOf(destination: Destination): string {
  return destination.region
    ? `${destination.region} (${destination.jurisdiction})`
    : `jurisdiction ${destination.jurisdiction}`;
}
