import { rpoBudgets } from '../recovery.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `rpo`: how much of the last writes is lost with a region: the freshest copy of each primary database outside its
 * region (a replica's replication mode and lag, or cross-region backup copies and their interval) against rpoSeconds.
 * Error when the window is known to exceed the target, warning when async replication has no declared bound.
 */
export const rpo: Rule = {
  id: 'rpo',
  description:
    'Data-loss window on losing a region (replication mode and lag, cross-region backup interval) above the RPO target; the budget is shown.',
  defaultSeverity: 'error',
  check(context) {
    const target = context.model.sla?.rpoSeconds;
    if (target === undefined) return [];
    const findings: RuleFinding[] = [];
    for (const budget of rpoBudgets(context)) {
      const at = context.locate(budget.store);
      if (budget.windowSeconds === undefined) {
        findings.push({
          severity: 'warning',
          message: `${budget.store}: ${budget.window}, so the ${target} s RPO on losing its region cannot be shown to hold.`,
          hint: 'declare the measured worst lag (maxLagSeconds on the replicate flow), replicate synchronously (replicationMode: sync), or use a store with bounded lag (Aurora Global Database)',
          components: [budget.store],
          location: at,
          details: { budget },
        });
      } else if (budget.windowSeconds > target) {
        findings.push({
          message: `${budget.store}: losing its region loses ${Number.isFinite(budget.windowSeconds) ? `up to ${budget.windowSeconds} s of writes` : 'every write'} (${budget.window}), above the ${target} s RPO.`,
          hint: `replicate ${budget.store} to another region with bounded lag (or synchronously for RPO 0), or raise rpoSeconds`,
          components: [budget.store],
          location: at,
          details: { budget },
        });
      }
    }
    return findings;
  },
};
