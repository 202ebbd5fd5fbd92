import { type DeltaTable, findProviderRegion, placementOf, type Topology } from '@meridian/topology';
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
 * Refuses a plan that moves a data class out of the jurisdictions it may live in (the model's
 * `dataClasses[].jurisdictions`): every table read must carry only classes allowed where the
 * results go. Returns the notes the explain output shows.
 */
export function checkResidency(
  model: Topology,
  tables: readonly DeltaTable[],
  destination: Destination | undefined,
): string[] {
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
  return notes;
}

function placeOf(destination: Destination): string {
  return destination.region
    ? `${destination.region} (${destination.jurisdiction})`
    : `jurisdiction ${destination.jurisdiction}`;
}
