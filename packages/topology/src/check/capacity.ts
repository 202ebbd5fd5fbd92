import { capacityAlgebra, evaluateFactors, seriesValue } from './algorithms/series-parallel.ts';
import { difference } from './algorithms/sorted-set.ts';
import type { RuleContext } from './rule.ts';

/** One row of the N-1 table: a failure scenario and the capacity left for each entry point. */
export interface CapacityScenario {
  /** `all regions up`, `lose region eu-west-1`, `lose zone us-east-1a`. */
  readonly scenario: string;
  readonly lost: { readonly region?: string; readonly zone?: string } | undefined;
  /** Requests per second the weakest entry point can still take (Infinity when nothing on its path has a limit). */
  readonly capacityRps: number;
  readonly entry: string | undefined;
  /** The component whose limit binds on the weakest entry's path, or `alternatives behind <router>` when the sum of regions does. */
  readonly bottleneck: string | undefined;
  /** When alternatives bind: each surviving branch's capacity and its own bottleneck. */
  readonly branches?: readonly {
    readonly first: string;
    readonly capacityRps: number;
    readonly bottleneck: string | undefined;
  }[];
  readonly peakRps: number | undefined;
}

/**
 * The share of a self-run component's capacity one lost zone takes, when its instances are spread as evenly as they
 * can be over `zones` zones (its own, or its region's when the model places it in none: the assumption is listed):
 * the fullest zone holds ceil(instances / zones) of them. Two replicas over three zones lose half, not a third.
 * Without a count (a pod per node, brokers per zone) each zone holds an equal share.
 */
export function zoneShare(instances: number | undefined, zones: number): number {
  if (zones <= 1) return 1;
  if (instances === undefined) return 1 / zones;
  if (instances <= 0) return 1;
  return Math.ceil(instances / zones) / instances;
}

/**
 * A zone as the N-1 table names it: AWS (`eu-west-1a`) and Google Cloud (`europe-west1-b`) zone names carry their
 * region's code; Azure's are `1`, `2`, `3` in every region, so they are named with their region (`1 of westeurope`).
 */
function zoneLabel(zone: string, regionId: string, regionCode: string): string {
  return zone.startsWith(regionCode) ? zone : `${zone} of ${regionId}`;
}

/**
 * Capacity with everything up, with each region lost and with each zone lost: along every route a request can take
 * only as much as its smallest limit (series), and alternatives add up (parallel). Components in a lost region
 * drop to 0. A lost zone takes from a self-run component the share of its instances it held ({@link zoneShare}),
 * placed or not (docs/decisions/030-self-run-capacity.md); a managed service spread over zones keeps its limit; a
 * managed one pinned to that zone drops to 0.
 */
export function capacityScenarios(context: RuleContext): CapacityScenario[] {
  return context.memo('capacity', () => {
    const { reduced, profiles, graph, entries } = context.paths;
    const peakRps = context.model.sla?.peakRps;
    if (entries.length === 0) return [];
    const limits = profiles.map((profile) => profile.maxRps);
    const run = (
      scenario: string,
      lost: CapacityScenario['lost'],
      factor: (node: number) => number,
    ): CapacityScenario => {
      // 0 x Infinity is NaN: a lost component has no capacity, limited or not.
      const values = evaluateFactors(
        reduced,
        (node) => {
          const share = factor(node);
          return share === 0 ? 0 : (limits[node] as number) * share;
        },
        capacityAlgebra,
      );
      let weakest: number | undefined;
      let capacity = Number.POSITIVE_INFINITY;
      for (const entry of entries) {
        const value = seriesValue(reduced.factors[entry] as Int32Array, values, capacityAlgebra);
        if (weakest === undefined || value < capacity) {
          capacity = value;
          weakest = entry;
        }
      }
      let bottleneck: string | undefined;
      let branches: CapacityScenario['branches'];
      const binding = (set: Int32Array, value: number) => [...set].find((f) => values[f] === value);
      if (weakest !== undefined && Number.isFinite(capacity)) {
        const f = binding(reduced.factors[weakest] as Int32Array, capacity);
        if (f !== undefined && f < reduced.nodeCount) bottleneck = graph.ids[f];
        else if (f !== undefined) {
          // A parallel factor is nodeCount + its group's index.
          const group = reduced.groups[f - reduced.nodeCount];
          bottleneck = `alternatives behind ${graph.ids[group?.node ?? -1]}`;
          branches = (group?.alternatives ?? []).map((member) => {
            const own = difference(reduced.factors[member] as Int32Array, group?.shared ?? new Int32Array(0));
            const value = seriesValue(own, values, capacityAlgebra);
            const inner = binding(own, value);
            return {
              first: graph.ids[member] as string,
              capacityRps: value,
              bottleneck: inner !== undefined && inner < reduced.nodeCount ? graph.ids[inner] : undefined,
            };
          });
        }
      }
      return {
        scenario,
        lost,
        capacityRps: capacity,
        entry: weakest === undefined ? undefined : graph.ids[weakest],
        bottleneck,
        ...(branches ? { branches } : {}),
        peakRps,
      };
    };
    const rows = [run('all regions up', undefined, () => 1)];
    const regionOf = graph.ids.map((id) => context.regionOf(id));
    const zonesOf = graph.ids.map((id) => context.zonesOf(id));
    // Losing the only region is not an N-1 scenario: a single-region design has no second region to fail over to.
    const used = [...context.regions.keys()].filter((region) => regionOf.includes(region));
    if (used.length >= 2) {
      for (const region of used)
        rows.push(run(`lose region ${region}`, { region }, (node) => (regionOf[node] === region ? 0 : 1)));
    }
    for (const region of context.regions.keys()) {
      if (!regionOf.includes(region)) continue;
      const zones = context.regionZones(region);
      if (zones.length < 2) continue;
      const code = context.regions.get(region)?.code ?? region;
      for (const zone of zones) {
        rows.push(
          run(`lose zone ${zoneLabel(zone, region, code)}`, { region, zone }, (node) => {
            if (regionOf[node] !== region) return 1;
            const own = zonesOf[node] as readonly string[];
            if (own.length > 0 && !own.includes(zone)) return 1;
            const profile = profiles[node];
            if (profile?.selfRun) return 1 - zoneShare(profile.instances, own.length > 0 ? own.length : zones.length);
            // A managed service spread over zones keeps its capacity: the provider serves from the zones left.
            if (profile?.zoneRedundant) return 1;
            if (own.length === 0) return (zones.length - 1) / zones.length;
            return own.length === 1 ? 0 : (own.length - 1) / own.length;
          }),
        );
      }
    }
    return rows;
  });
}
