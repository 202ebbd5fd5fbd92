import type { Flow } from '../../model/schema.ts';
import { replicationLinks } from '../replication-links.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `residency`: data of a class restricted to some jurisdictions reaching a component in a region of another
 * jurisdiction: carried there by a flow, held there by declaration, or copied there by replication (a replica or
 * backup holds everything its source holds). A class's `export` rule (only aggregates of groups of minGroupSize
 * rows may leave, through a federated query) moves no rows: flows and replicas are judged as without it, and an
 * export rule on a class that may live anywhere is reported, since it says nothing.
 */
export const residency: Rule = {
  id: 'residency',
  description: 'A flow, a replica or a component puts a data class in a jurisdiction where it may not go.',
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
    const jurisdictionOf = (id: string) => {
      const region = context.regionOf(id);
      return region === undefined ? undefined : { region, jurisdiction: context.regions.get(region)?.jurisdiction };
    };
    type Arrival = { how: string; flow: Flow | undefined; from: string | undefined };
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
    // the other components holding it there are listed.
    const breaches = new Map<
      string,
      {
        dataClass: string;
        region: string;
        jurisdiction: string;
        first: { id: string; arrival: Arrival };
        holders: string[];
      }
    >();
    for (const [id, classes] of held) {
      const place = jurisdictionOf(id);
      if (!place?.jurisdiction) continue;
      for (const [dataClass, arrival] of classes) {
        if ((allowed.get(dataClass) as Set<string>).has(place.jurisdiction)) continue;
        const key = `${dataClass}\u0000${place.region}`;
        const breach = breaches.get(key) ?? {
          dataClass,
          region: place.region,
          jurisdiction: place.jurisdiction,
          first: { id, arrival },
          holders: [],
        };
        breach.holders.push(id);
        breaches.set(key, breach);
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
    for (const { dataClass, region, jurisdiction, first, holders } of breaches.values()) {
      const exported = exportRule.get(dataClass);
      const aggregates = exported
        ? `; only aggregates may leave (groups of ${exported.minGroupSize} or more, by a federated query), never rows`
        : '';
      const ok = [...(allowed.get(dataClass) as Set<string>)];
      const { arrival } = first;
      const others = holders.filter((h) => h !== first.id);
      findings.push({
        message: `${dataClass} (allowed in ${ok.join(', ')}) reaches ${region} (${jurisdiction}): ${first.id}, ${arrival.how}${others.length > 0 ? `; also held there by ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}` : ''}.`,
        hint: `${
          arrival.flow
            ? `keep ${dataClass} in ${ok.join(' or ')}: route it to a component there, or stop ${arrival.flow.from} -> ${arrival.flow.to} from carrying it`
            : arrival.from
              ? `do not replicate ${arrival.from} into ${region}, or keep ${dataClass} out of ${arrival.from}`
              : `move ${first.id} to a region in ${ok.join(' or ')}`
        }${aggregates}`,
        components: [first.id, ...(arrival.from ? [arrival.from] : []), ...others],
        location: arrival.flow ? context.locateFlow(arrival.flow) : context.locate(first.id),
        details: { dataClass, allowed: ok, region, jurisdiction, holders },
      });
    }
    return findings;
  },
};
