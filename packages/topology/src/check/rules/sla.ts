import { composeAvailability } from '../availability.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `sla`: each entry point's availability, composed from its components' published SLAs (or the model's overrides),
 * in series and in parallel (regions behind failover routing), against the topology's availability target.
 */
export const sla: Rule = {
  id: 'sla',
  description:
    'Composed availability of each entry point (series, parallel, failover) below the availability target; the arithmetic is shown.',
  defaultSeverity: 'error',
  check(context) {
    const target = context.model.sla?.availability;
    if (target === undefined) return [];
    const findings: RuleFinding[] = [];
    const seen = new Map<string, RuleFinding>();
    for (const result of composeAvailability(context)) {
      if (result.percent >= target) continue;
      const known = seen.get(result.formula);
      if (known) {
        (known.components as string[]).push(result.entry);
        continue;
      }
      const weakest = result.series.slice(0, 3);
      const culprit = weakest[0]?.component ?? result.parallel[0]?.via ?? result.entry;
      const finding: RuleFinding = {
        message: `${result.entry}: composed availability ${result.percent}% is below the ${target}% target (${result.formula}); weakest in series: ${weakest.map((f) => `${f.component} ${f.percent}% (${f.source})`).join(', ') || 'none'}.`,
        hint: `raise the weakest factors: run ${culprit} redundantly (Multi-AZ, a second region behind failover DNS), take it off the request path, or lower the target to what the design can promise`,
        components: [culprit, result.entry],
        location: context.locate(culprit),
        details: { availability: result },
      };
      seen.set(result.formula, finding);
      findings.push(finding);
    }
    return findings;
  },
};
