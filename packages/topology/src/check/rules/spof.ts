import type { Flow } from '../../model/schema.ts';
import type { Rule, RuleContext, RuleFinding } from '../rule.ts';

/**
 * `spof`: components whose single failure cuts an entry point off (they sit in series on every route of that entry
 * and have no second instance or zone of their own; regions behind failover routing count as redundancy), a
 * region's synchronous dependency on another region, and single-zone components where the same tier elsewhere is
 * spread over zones.
 */
export const spof: Rule = {
  id: 'spof',
  description:
    "Single points of failure on the request path (given replicas, zones and failover regions), one region's hard dependency on another, and single-zone components in a multi-zone tier.",
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    const { reduced, profiles, graph, entries } = context.paths;
    const entriesOf = new Map<number, string[]>();
    for (const entry of entries) {
      for (const factor of reduced.factors[entry] as Int32Array) {
        if (factor >= reduced.nodeCount || factor === entry) continue;
        const component = context.components.get(graph.ids[factor] as string);
        if (!component || component.kind === 'client' || profiles[factor]?.zoneRedundant) continue;
        entriesOf.set(factor, [...(entriesOf.get(factor) ?? []), graph.ids[entry] as string]);
      }
    }
    const reported = new Set<string>();
    for (const [node, users] of entriesOf) {
      const id = graph.ids[node] as string;
      reported.add(id);
      const profile = profiles[node];
      findings.push({
        message: `${id} is a single point of failure: ${profile?.redundancy ?? 'one instance'}, and requests from ${list(users)} have no route around it.`,
        hint: `run ${id} with a second instance in another zone (replicas >= 2 spread over zones, or multiAz: true for a managed store), or put an alternative behind failover routing`,
        components: [id, ...users],
        location: context.locate(id),
        details: { redundancy: profile?.redundancy, entries: users },
      });
    }
    // Grouped by unordered region pair: two regions calling each other are one coupling, not two.
    const crossRegion = new Map<string, Flow[]>();
    for (const flow of context.model.flows) {
      // Start-up reads across regions are the rto rule's finding (a standby that cannot start), not a request path.
      if (!flow.sync || flow.when === 'startup') continue;
      const from = context.regionOf(flow.from);
      const to = context.regionOf(flow.to);
      if (from === undefined || to === undefined || from === to) continue;
      const key = [from, to].sort().join('>');
      crossRegion.set(key, [...(crossRegion.get(key) ?? []), flow]);
    }
    for (const flows of crossRegion.values()) {
      const first = flows[0] as Flow;
      const from = context.regionOf(first.from) as string;
      const to = context.regionOf(first.to) as string;
      const both = flows.some((f) => context.regionOf(f.from) === to);
      findings.push({
        message: `${both ? `${from} and ${to} depend on each other` : `${from} depends on ${to}`} synchronously: ${flows.map((f) => `${f.from} -> ${f.to} (${f.kind})`).join(', ')}; when ${both ? 'either' : to} is down, these requests fail in ${both ? 'both' : from} too, so the regions do not fail independently.`,
        hint: `serve these calls within each region (a local replica, queue or cache), or make the flows async`,
        components: [first.from, first.to, ...flows.slice(1).flatMap((f) => [f.from, f.to])].filter(
          (id, i, all) => all.indexOf(id) === i,
        ),
        location: context.locateFlow(first),
        details: { regions: [from, to], flows: flows.map((f) => f.id) },
      });
    }
    findings.push(...externalSinglePoints(context));
    const multiZoneTiers = new Set<string>();
    for (const component of context.components.values())
      if (context.zonesOf(component.id).length >= 2) multiZoneTiers.add(component.tier);
    for (const component of context.components.values()) {
      if (reported.has(component.id)) continue;
      const zones = context.zonesOf(component.id);
      if (zones.length !== 1) continue;
      const region = context.regionOf(component.id);
      const regionZones = region === undefined ? [] : (context.regions.get(region)?.zones ?? []);
      const claim = multiZoneTiers.has(component.tier)
        ? `other ${component.tier} components run in several zones`
        : regionZones.length >= 2
          ? `${region} is declared with zones ${regionZones.join(', ')}`
          : undefined;
      if (claim === undefined) continue;
      findings.push({
        severity: 'warning',
        message: `${component.id} runs in one zone (${zones[0]}) while ${claim}: losing ${zones[0]} takes it down.`,
        hint: `spread ${component.id} over at least two zones (placement zones, node group zones, or multiAz: true)`,
        components: [component.id],
        location: context.locate(component.id),
        details: { zones, tier: component.tier },
      });
    }
    return findings;
  },
};

function list(items: readonly string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}

/**
 * An external service (an identity provider, a payment API) that every region calls synchronously fails all regions
 * at once: region failover cannot route around it. A warning, since the vendor's own redundancy is out of view;
 * `fallback` on the external component (or a suppression with a reason) records how the design copes.
 */
function externalSinglePoints(context: RuleContext): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const regions = new Set<string>();
  for (const component of context.components.values()) {
    const region = context.regionOf(component.id);
    if (region !== undefined) regions.add(region);
  }
  if (regions.size === 0) return findings;
  for (const component of context.components.values()) {
    if (component.kind !== 'external' || component.fallback !== undefined) continue;
    const callers = (context.incoming.get(component.id) ?? []).filter((flow) => flow.sync);
    const callingRegions = new Set(callers.map((flow) => context.regionOf(flow.from)));
    const every = [...regions].every((region) => callingRegions.has(region));
    if (!every) continue;
    const sorted = [...regions].sort();
    findings.push({
      severity: 'warning',
      message: `${component.id} (${component.vendor}${component.service ? `, ${component.service}` : ''}) is a single point of failure outside the regions: ${sorted.length === 1 ? `${sorted[0]}, the only region,` : `every region (${sorted.join(', ')})`} calls it synchronously and no fallback is declared, so when it is down requests fail in every region at once and region failover does not help.`,
      hint: `declare how requests are served while ${component.vendor} is down (fallback: 'cached tokens for 24 h', a second provider), make the calls async, or accept it with a suppression and a reason`,
      components: [component.id, ...callers.map((flow) => flow.from).filter((id, i, all) => all.indexOf(id) === i)],
      location: context.locate(component.id),
      details: { regions: sorted, callers: callers.map((flow) => flow.id) },
    });
  }
  return findings;
}
