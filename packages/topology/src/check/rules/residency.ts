import type { Component, Flow } from '../../model/schema.ts';
import type { CheckContext } from '../context.ts';
import { replicationLinks } from '../replication-links.ts';
import { type Residence, residenceOf } from '../residence.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/** How a data class got to a component: the flow that carried it, the component it was replicated from, or neither. */
interface Arrival {
  readonly how: string;
  readonly flow: Flow | undefined;
  readonly from: string | undefined;
}

/**
 * `residency`: data of a class restricted to some jurisdictions reaching a component in a region of another
 * jurisdiction: carried there by a flow, held there by declaration, or copied there by replication (a replica or
 * backup holds everything its source holds). A component placed in no region is judged by what it is
 * (residence.ts): a CDN, an edge WAF or another global service holds the class in every jurisdiction its provider
 * runs in, and one whose place the model does not name cannot be judged; both are errors, since a check that passes
 * what it cannot see passes a broken design (docs/decisions/039-residency-outside-regions.md). DNS and clients hold no
 * rows of the system's to judge. A class's `export` rule (only aggregates of groups of minGroupSize rows may leave,
 * through a federated query) moves no rows: flows and replicas are judged as without it, and an export rule on a
 * class that may live anywhere is reported, since it says nothing.
 */
export const residency: Rule = {
  id: 'residency',
  description:
    'A flow, a replica or a component puts a data class in a jurisdiction where it may not go, or outside any region.',
  defaultSeverity: 'error',
  check(context) {
    const allowed = new Map(
      context.model.dataClasses
        .filter((d) => d.jurisdictions !== undefined)
        .map((d) => [d.id, new Set(d.jurisdictions)] as const),
    );
    const findings: RuleFinding[] = [];
    for (const [index, d] of context.model.dataClasses.entries()) {
      if (d.export !== undefined && d.jurisdictions === undefined) {
        findings.push({
          message: `data class ${d.id} declares an export rule (aggregates only, groups of ${d.export.minGroupSize} or more) but no jurisdictions: it may already go anywhere, rows included.`,
          hint: `add the jurisdictions it must stay in, e.g. jurisdictions: ['EU'], or drop export`,
          components: [],
          details: { dataClass: d.id, path: ['dataClasses', index, 'export'] },
        });
      }
    }
    if (allowed.size === 0) return findings;
    const exportRule = new Map(context.model.dataClasses.map((d) => [d.id, d.export] as const));
    const aggregatesOf = (dataClass: string) => {
      const exported = exportRule.get(dataClass);
      return exported
        ? `; only aggregates may leave (groups of ${exported.minGroupSize} or more, by a federated query), never rows`
        : '';
    };
    const held = new Map<string, Map<string, Arrival>>();
    const hold = (id: string, dataClass: string, arrival: Arrival): boolean => {
      if (!allowed.has(dataClass)) return false;
      const classes = held.get(id) ?? new Map<string, Arrival>();
      held.set(id, classes);
      if (classes.has(dataClass)) return false;
      classes.set(dataClass, arrival);
      return true;
    };
    // A flow's data is at both of its ends, whichever way it is drawn: a write's sender had it, a read's or a
    // query's caller gets it back, and a consumer gets a queue's messages whether the flow is drawn queue ->
    // consumer (how data moves) or consumer -> queue (how the call goes).
    // Targets first, so that a component written across a border is named by that flow rather than by one it
    // sends from.
    const carried = context.model.flows.filter((f) => context.components.has(f.to) && context.components.has(f.from));
    for (const end of ['to', 'from'] as const) {
      for (const flow of carried) {
        const other = end === 'to' ? flow.from : flow.to;
        for (const dataClass of flow.dataClasses)
          hold(flow[end], dataClass, { how: `carried by flow ${flow.from} -> ${flow.to}`, flow, from: other });
      }
    }
    // A replica holds what its source holds; follow replication to a fixed point (links are few). Flows and
    // replication go first so that a finding names how the data got there, declarations only where nothing else did.
    const links = replicationLinks(context);
    const propagate = () => {
      for (let changed = true; changed; ) {
        changed = false;
        for (const link of links) {
          for (const [dataClass] of held.get(link.source) ?? []) {
            if (
              hold(link.target, dataClass, {
                how: `replicated from ${link.source}`,
                flow: undefined,
                from: link.source,
              })
            )
              changed = true;
          }
        }
      }
    };
    propagate();
    for (const component of context.components.values())
      for (const dataClass of component.dataClasses)
        hold(component.id, dataClass, { how: 'declared on it', flow: undefined, from: undefined });
    propagate();
    // One finding per data class and region it may not enter: the first arrival (in model order) is the culprit,
    // the other components holding it there are listed. A component outside any region is judged on its own: the
    // class reaching its provider's whole network, or a place the model does not name, is one finding per component.
    const breaches = new Map<
      string,
      {
        dataClass: string;
        region: string;
        jurisdiction: string;
        first: { id: string; arrival: Arrival };
        holders: string[];
        replicas: Set<string>;
      }
    >();
    const unplaced: RuleFinding[] = [];
    for (const [id, classes] of held) {
      for (const place of residenceOf(context, context.components.get(id) as Component)) {
        for (const [dataClass, arrival] of classes) {
          const ok = [...(allowed.get(dataClass) as Set<string>)];
          if (place.at === 'region' && place.jurisdiction !== undefined) {
            if (ok.includes(place.jurisdiction)) continue;
            const key = `${dataClass}\u0000${place.region}`;
            const breach = breaches.get(key) ?? {
              dataClass,
              region: place.region,
              jurisdiction: place.jurisdiction,
              first: { id, arrival },
              holders: [],
              replicas: new Set<string>(),
            };
            breach.holders.push(id);
            if (place.replica) breach.replicas.add(id);
            breaches.set(key, breach);
            continue;
          }
          unplaced.push(
            outsideRegions(context, { id, dataClass, allowed: ok, arrival, place }, aggregatesOf(dataClass)),
          );
        }
      }
    }
    // The culprit is where the data crosses the border: an arrival from outside the breaching region.
    for (const breach of breaches.values()) {
      const crossing = breach.holders.find((id) => {
        const from = held.get(id)?.get(breach.dataClass)?.from;
        return from !== undefined && context.regionOf(from) !== breach.region;
      });
      const arrival = crossing === undefined ? undefined : held.get(crossing)?.get(breach.dataClass);
      if (crossing !== undefined && arrival) breach.first = { id: crossing, arrival };
    }
    for (const { dataClass, region, jurisdiction, first, holders, replicas } of breaches.values()) {
      const ok = [...(allowed.get(dataClass) as Set<string>)];
      const { arrival } = first;
      const replica = replicas.has(first.id);
      const others = holders.filter((h) => h !== first.id);
      findings.push({
        message: `${dataClass} (allowed in ${ok.join(', ')}) reaches ${region} (${jurisdiction}): ${first.id}${replica ? ` (its replica there)` : ''}, ${arrival.how}${others.length > 0 ? `; also held there by ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}` : ''}.`,
        hint: `${
          replica
            ? `drop ${region} from ${first.id}'s regions, or keep ${dataClass} out of ${first.id}`
            : arrival.flow
              ? `keep ${dataClass} in ${ok.join(' or ')}: route it to a component there, or stop ${arrival.flow.from} -> ${arrival.flow.to} from carrying it`
              : arrival.from
                ? `do not replicate ${arrival.from} into ${region}, or keep ${dataClass} out of ${arrival.from}`
                : `move ${first.id} to a region in ${ok.join(' or ')}`
        }${aggregatesOf(dataClass)}`,
        components: [first.id, ...(arrival.from ? [arrival.from] : []), ...others],
        location: arrival.flow ? context.locateFlow(arrival.flow) : context.locate(first.id),
        details: { dataClass, allowed: ok, region, jurisdiction, holders },
      });
    }
    findings.push(...unplaced);
    return findings;
  },
};

/**
 * The finding for a class at a component outside the model's regions (residence.ts): on its provider's whole network,
 * in a region that declares no jurisdiction, or in a place the model does not name. One per class and component:
 * each is its own fix.
 */
function outsideRegions(
  context: CheckContext,
  held: {
    readonly id: string;
    readonly dataClass: string;
    readonly allowed: readonly string[];
    readonly arrival: Arrival;
    /** Not a region with a jurisdiction: those are judged together, one finding per class and region. */
    readonly place: Residence;
  },
  aggregates: string,
): RuleFinding {
  const { id, dataClass, allowed, arrival, place } = held;
  const where =
    place.at === 'provider'
      ? `${id}, ${place.service} outside any region, in every jurisdiction its provider runs in`
      : place.at === 'region'
        ? `${id} in ${place.region}, a region that declares no jurisdiction, so whether it may be there cannot be judged`
        : `${id}, ${place.unplaced.id === id ? '' : `whose store ${place.unplaced.id} is `}placed in no region, so whether it may be there cannot be judged`;
  const fix = arrival.flow
    ? `stop ${arrival.flow.from} -> ${arrival.flow.to} from carrying it`
    : arrival.from
      ? `do not replicate ${arrival.from} into ${id}`
      : `drop ${dataClass} from ${id}'s dataClasses`;
  const hint =
    place.at === 'provider'
      ? `keep ${dataClass} off ${id}: send it through a component placed in a region in ${allowed.join(' or ')}, or ${fix}`
      : place.at === 'region'
        ? `add jurisdiction to region ${place.region} (the legal area its data is subject to), or ${fix}`
        : `place ${place.unplaced.id} in a region in ${allowed.join(' or ')}${place.unplaced.kind === 'external' ? ` (the region where ${place.unplaced.vendor} keeps the data)` : ''}, or ${fix}`;
  return {
    message: `${dataClass} (allowed in ${allowed.join(', ')}) reaches ${where}: ${arrival.how}.`,
    hint: `${hint}${aggregates}`,
    components: [id, ...(arrival.from ? [arrival.from] : [])],
    location: arrival.flow ? context.locateFlow(arrival.flow) : context.locate(id),
    details: {
      dataClass,
      allowed,
      ...(place.at === 'provider' ? { service: place.service } : {}),
      ...(place.at === 'region' ? { region: place.region } : {}),
      ...(place.at === 'unstated' ? { unplaced: place.unplaced.id } : {}),
      jurisdiction: place.at === 'provider' ? 'every' : 'unknown',
    },
  };
}
