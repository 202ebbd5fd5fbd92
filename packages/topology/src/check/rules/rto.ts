import { rtoBudgets } from '../recovery.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `rto`: the time to recover from losing the primary region: failure detection (health-check interval x failure
 * threshold) + DNS TTL + promotion of the standby database (automatic or manual, typical durations in
 * check/recovery-times.ts), against the topology's rtoSeconds.
 */
export const rto: Rule = {
  id: 'rto',
  description:
    'Failover time (health-check detection + DNS TTL + database promotion, automatic or manual) above the RTO target; the budget is shown.',
  defaultSeverity: 'error',
  check(context) {
    const target = context.model.sla?.rtoSeconds;
    if (target === undefined) return [];
    const findings: RuleFinding[] = [];
    for (const budget of rtoBudgets(context)) {
      if (budget.totalSeconds <= target) continue;
      const culprit =
        budget.promotionSeconds >= budget.detectionSeconds && budget.store
          ? budget.store
          : (budget.dns ?? budget.store);
      const fixes = [
        budget.failover === 'manual'
          ? 'fail over automatically (failover: automatic behind a health probe)'
          : undefined,
        budget.startSeconds !== undefined && budget.startSeconds > 0
          ? `keep ${budget.region} warmer than ${budget.posture} (less to start before it serves)`
          : undefined,
        budget.promotionSeconds > 0 && budget.store
          ? 'automate promotion (promotion: automatic, or a managed global database)'
          : undefined,
        budget.dns
          ? 'shorten detection (a 10 s health-check interval, fewer failures) and the TTL'
          : 'put failover DNS with health checks in front',
      ].filter((fix) => fix !== undefined);
      findings.push({
        message: `recovering from the loss of ${budget.region ? `the primary region in ${budget.region} (${budget.posture}, ${budget.failover} failover)` : budget.store ? `${budget.store}'s region` : 'the primary region'} takes ${budget.totalSeconds} s, above the ${target} s RTO: detection ${budget.detectionSeconds} s (${budget.detection}) + DNS TTL ${budget.ttlSeconds} s + promotion ${budget.promotionSeconds} s (${budget.promotion})${budget.startSeconds ? ` + start ${budget.startSeconds} s (${budget.start})` : ''}.`,
        hint: `${fixes.join('; ')}, or set rtoSeconds to what the design can meet (${budget.totalSeconds} s)`,
        components: [culprit, budget.dns, budget.store].filter(
          (id, i, all): id is string => id !== undefined && all.indexOf(id) === i,
        ),
        location: culprit === undefined ? undefined : context.locate(culprit),
        details: { budget },
      });
    }
    return findings;
  },
};
