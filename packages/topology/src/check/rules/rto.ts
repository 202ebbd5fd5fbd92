import { rtoBudgets, startupDependencies } from '../recovery.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `rto`: the time to recover from losing the primary region: failure detection (health-check interval x failure
 * threshold, or a person's reaction for manual failover) + DNS TTL + promotion of the standby database (automatic or
 * manual) + what the region's recovery posture must start (typical durations in check/recovery-times.ts), against
 * the topology's rtoSeconds; and start-up dependencies across regions, which defeat recovery whatever the target.
 */
export const rto: Rule = {
  id: 'rto',
  description:
    'Failover time (health-check detection or human reaction + DNS TTL + database promotion + start-up by recovery posture) above the RTO target, and regions that cannot start while another is down; the budget is shown.',
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    // With or without a target: a region that cannot start while another is down has no recovery from that loss.
    for (const dependency of startupDependencies(context)) {
      const { flow, region, on } = dependency;
      findings.push({
        severity: dependency.recovering ? 'error' : 'warning',
        message: dependency.recovering
          ? `${region} cannot recover from the loss of ${on}: ${flow.from} reads ${flow.to} in ${on} when it starts, so the standby cannot start while ${on} is down.`
          : `${flow.from} in ${region} reads ${flow.to} in ${on} when it starts: while ${on} is down, ${region} cannot start or scale out.`,
        hint: `give ${region} its own copy of ${flow.to} (a replica region of the secret store, a regional config service), or start from what ${region} holds`,
        components: [flow.from, flow.to],
        location: context.locateFlow(flow),
        details: { startup: { from: flow.from, to: flow.to, region, on } },
      });
    }
    const target = context.model.sla?.rtoSeconds;
    if (target === undefined) return findings;
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
