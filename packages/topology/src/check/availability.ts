import { availabilityAlgebra, evaluateFactors, type ParallelGroup, seriesValue } from './algorithms/series-parallel.ts';
import { difference } from './algorithms/sorted-set.ts';
import { type FailoverModel, failoverModel, failoverParallel } from './failover.ts';
import type { RuleContext } from './rule.ts';

/** One factor of a composed availability: a component in series, with where its figure comes from. */
export interface AvailabilityFactor {
  readonly component: string;
  readonly percent: number;
  readonly source: string;
}

/** A set of alternatives (regions behind failover DNS) and the availability of each branch. */
export interface ParallelAvailability {
  readonly via: string;
  readonly branches: readonly {
    readonly first: string;
    readonly percent: number;
    /** The branch's own components in series (what the branches share is counted outside), weakest first. */
    readonly factors: readonly { readonly component: string; readonly percent: number }[];
  }[];
  readonly percent: number;
  /** How failover covers an outage behind DNS (detection + TTL + promotion); absent when the router fails over per request. */
  readonly failover?: FailoverModel;
}

/** The composed availability of everything one entry point needs, with the arithmetic. */
export interface EntryAvailability {
  readonly entry: string;
  readonly percent: number;
  readonly targetPercent: number | undefined;
  /** Components in series, weakest first. */
  readonly series: readonly AvailabilityFactor[];
  readonly parallel: readonly ParallelAvailability[];
  /** The product written out, e.g. `99.99% × 99.95% × [1 − (1 − 99.9%) × (1 − 99.9%)] = 99.94%`. */
  readonly formula: string;
}

/** Composes each entry point's availability from component availabilities (series, parallel, shared factors counted once). */
export function composeAvailability(context: RuleContext): EntryAvailability[] {
  return context.memo('availability', () => {
    const { reduced, profiles, graph, entries } = context.paths;
    const models = new Map<ParallelGroup, FailoverModel>();
    for (const group of reduced.groups) {
      const model = failoverModel(context, group);
      if (model) models.set(group, model);
    }
    const values = evaluateFactors(
      reduced,
      (node) => (profiles[node]?.availability.percent ?? 100) / 100,
      availabilityAlgebra,
      (group) => {
        const model = models.get(group);
        if (!model) return undefined;
        const primary = group.alternatives.findIndex((member) => graph.ids[member] === model.primary);
        return failoverParallel(model, Math.max(primary, 0));
      },
    );
    const target = context.model.sla?.availability;
    return entries.map((entry) => {
      const factors = reduced.factors[entry] as Int32Array;
      const series: AvailabilityFactor[] = [];
      const parallel: ParallelAvailability[] = [];
      for (const factor of factors) {
        if (factor < reduced.nodeCount) {
          const profile = profiles[factor];
          if (!profile || profile.availability.percent >= 100) continue;
          series.push({
            component: graph.ids[factor] as string,
            percent: profile.availability.percent,
            source: profile.availability.source,
          });
        } else {
          const group = reduced.groups[factor - reduced.nodeCount];
          if (!group) continue;
          const model = models.get(group);
          parallel.push({
            ...(model ? { failover: model } : {}),
            via: graph.ids[group.node] as string,
            percent: round((values[factor] as number) * 100),
            branches: group.alternatives.map((member) => {
              const own = difference(reduced.factors[member] as Int32Array, group.shared);
              return {
                first: graph.ids[member] as string,
                percent: round(seriesValue(own, values, availabilityAlgebra) * 100),
                factors: [...own]
                  .filter((f) => f < reduced.nodeCount && (profiles[f]?.availability.percent ?? 100) < 100)
                  .map((f) => ({
                    component: graph.ids[f] as string,
                    percent: profiles[f]?.availability.percent ?? 100,
                  }))
                  .sort((a, b) => a.percent - b.percent),
              };
            }),
          });
        }
      }
      series.sort((a, b) => a.percent - b.percent);
      const percent = round(seriesValue(factors, values, availabilityAlgebra) * 100);
      const terms = [
        ...series.map((f) => `${f.percent}% (${f.component})`),
        ...parallel.map((p) => `${parallelTerm(p)} (${p.via})`),
      ];
      const formula = `${terms.length > 0 ? terms.join(' × ') : '100%'} = ${percent}%`;
      return { entry: graph.ids[entry] as string, percent, targetPercent: target, series, parallel, formula };
    });
  });
}

/** Rounds a percentage for display, keeping six decimals so that redundancy's extra nines stay visible. */
function round(percent: number): number {
  return Math.round(percent * 1_000_000) / 1_000_000;
}

/** One parallel group in the formula: independent branches, or the failover model's terms. */
function parallelTerm(group: ParallelAvailability): string {
  const model = group.failover;
  const down = (b: { percent: number }) => `(1 − ${b.percent}%)`;
  if (!model) return `[1 − ${group.branches.map(down).join(' × ')}]`;
  const f = Math.round(model.uncovered * 10_000) / 10_000;
  if (model.mode === 'active-standby') {
    const primary = group.branches.find((b) => b.first === model.primary) ?? group.branches[0];
    const others = group.branches.filter((b) => b !== primary);
    return `[1 − ${primary ? down(primary) : '0'} × (${f} + ${Math.round((1 - f) * 10_000) / 10_000} × ${others.map(down).join(' × ') || '1'})]`;
  }
  return `[1 − mean over ${group.branches.length} regions of (1 − a) × (${f} + ${Math.round((1 - f) * 10_000) / 10_000} × others down)]`;
}
