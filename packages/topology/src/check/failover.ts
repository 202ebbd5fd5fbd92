import type { ParallelGroup } from './algorithms/series-parallel.ts';
import { difference } from './algorithms/sorted-set.ts';
import { rtoBudgets } from './recovery.ts';
import { recoveryTimes } from './recovery-times.ts';
import { replicationLinks } from './replication-links.ts';
import type { RuleContext } from './rule.ts';

/**
 * How a DNS failover between regions really covers an outage (issue 13): a standby region serves only after the
 * failure is detected, the DNS answers expire and, for active/standby, the standby database is promoted. Until then
 * the outage is the users' outage. The incident model: each branch's SLA downtime arrives as incidents of a mean
 * duration D; of each incident, the first F seconds (F = the failover time the rto rule computes) are not covered,
 * the rest is covered unless the other branches are down too.
 *
 *   active/standby:  U = U_primary × (f + (1 − f) × Π U_standby),   f = min(F, D) / D
 *   active/active:   U = mean over branches i of U_i × (f + (1 − f) × Π_{j≠i} U_j)
 *
 * With F = 0 both reduce to the independent-parallel 1 − Π(1 − a).
 */
export interface FailoverModel {
  readonly router: string;
  readonly mode: 'active-standby' | 'active-active';
  /** The branch (its first component) serving while all is well, for active/standby. */
  readonly primary: string | undefined;
  readonly failoverSeconds: number;
  /** How the failover time adds up (the rto budget's terms). */
  readonly failover: string;
  readonly incidentSeconds: number;
  /** The share of each incident the other branches cannot cover: min(F, D) / D. */
  readonly uncovered: number;
  /** The model and its sources, for --explain. */
  readonly model: string;
}

/** The failover model of a parallel group, or undefined when its router fails over per request (no DNS). */
export function failoverModel(context: RuleContext, group: ParallelGroup): FailoverModel | undefined {
  const { graph, flowOf } = context.paths;
  const router = context.components.get(graph.ids[group.node] as string);
  // A global entry point with its own health probe (Front Door, a Google external load balancer) fails over the
  // same way, with no DNS answers to expire (issue 20); without a probe a non-DNS router retries per request.
  const probe = router?.kind === 'cdn' || router?.kind === 'loadBalancer' ? router.healthProbe : undefined;
  if (router === undefined || (router.kind !== 'dns' && probe === undefined)) return undefined;
  const dns = router.kind === 'dns' ? router : undefined;
  const roleOf = (member: number) => flowOf.get(`${router.id}>${graph.ids[member]}`)?.routing?.failover;
  const primaryMember = group.alternatives.find((member) => roleOf(member) === 'primary');
  const standby = dns?.routing === 'failover' || primaryMember !== undefined;
  const interval =
    probe?.intervalSeconds ?? dns?.healthCheck?.intervalSeconds ?? recoveryTimes.healthCheckIntervalSeconds;
  const threshold =
    probe?.failureThreshold ?? dns?.healthCheck?.failureThreshold ?? recoveryTimes.healthCheckFailureThreshold;
  const ttl = dns ? (dns.ttlSeconds ?? recoveryTimes.dnsTtlSeconds) : 0;
  // Writes need a promoted primary: the slowest promotion the rto rule finds, so sla and rto use one failover time.
  // Writes in the standby need a promoted primary when the standby's database is a replica of the primary
  // branch's: a database every branch shares stays in series, and a standby with its own primary needs no promotion.
  const primaryIndex = primaryMember ?? (group.alternatives[0] as number);
  const ownOf = (member: number) =>
    new Set(
      [...difference(context.paths.reduced.factors[member] as Int32Array, group.shared)].map((f) => graph.ids[f]),
    );
  const own = ownOf(primaryIndex);
  const standbys = group.alternatives.filter((m) => m !== primaryIndex).map(ownOf);
  const promoted = new Set(
    replicationLinks(context)
      .filter((link) => own.has(link.source) && standbys.some((set) => set.has(link.target)))
      .map((link) => link.source),
  );
  const budgets = standby
    ? rtoBudgets(context).filter((b) => b.dns === router.id && b.store !== undefined && promoted.has(b.store))
    : [];
  const slowest = budgets.sort((a, b) => b.promotionSeconds - a.promotionSeconds)[0];
  const promotionSeconds = slowest?.promotionSeconds ?? 0;
  // Regions that declare their recovery posture (issue 20): a standby serves only after its whole rto budget
  // (detection or a person's reaction, TTL, promotion, start-up), so the sla rule reads the posture through it.
  const primaryRegion = standby ? context.regionOf(graph.ids[primaryIndex] as string) : undefined;
  const takingOver = new Set(
    group.alternatives.map((m) => context.regionOf(graph.ids[m] as string)).filter((r) => r !== primaryRegion),
  );
  const postured = rtoBudgets(context)
    .filter((b) => b.region !== undefined && takingOver.has(b.region))
    .sort((a, b) => b.totalSeconds - a.totalSeconds)[0];
  const failoverSeconds = postured?.totalSeconds ?? interval * threshold + ttl + promotionSeconds;
  const incidentSeconds = recoveryTimes.meanIncidentSeconds;
  const uncovered = Math.min(failoverSeconds, incidentSeconds) / incidentSeconds;
  const detection = dns
    ? `detection ${interval} s x ${threshold}${dns.healthCheck ? '' : ' (Route 53 defaults: health check not stated)'} + TTL ${ttl} s${dns.ttlSeconds === undefined ? ' (alias default)' : ''}`
    : `${router.id} health probe ${interval} s x ${threshold} (no DNS TTL)`;
  const failover = postured
    ? `${postured.region} (${postured.posture}, ${postured.failover} failover): ${postured.detection} + TTL ${postured.ttlSeconds} s + ${postured.promotion} + ${postured.start} = ${failoverSeconds} s`
    : `${detection}${slowest ? ` + ${slowest.promotion}` : ''} = ${failoverSeconds} s`;
  return {
    router: router.id,
    mode: standby ? 'active-standby' : 'active-active',
    primary: standby ? (graph.ids[primaryIndex] as string) : undefined,
    failoverSeconds,
    failover,
    incidentSeconds,
    uncovered,
    model: `each branch's SLA downtime comes as incidents of ${incidentSeconds / 60} min mean duration (assumed: AWS post-event summaries, https://aws.amazon.com/premiumsupport/technology/pes/); the first ${failoverSeconds} s of each (${round(uncovered * 100)}%) pass before ${standby ? 'the standby serves' : 'the other regions serve'} (failover time as the rto rule computes it)`,
  };
}

/** The parallel composition of a group under its failover model (branch availabilities in, group availability out). */
export function failoverParallel(model: FailoverModel, primaryIndex: number): (branches: readonly number[]) => number {
  const f = model.uncovered;
  return (branches) => {
    const down = branches.map((a) => 1 - a);
    const othersDown = (i: number) => down.reduce((product, u, j) => (j === i ? product : product * u), 1);
    if (model.mode === 'active-standby') {
      const u = down[primaryIndex] as number;
      return 1 - u * (f + (1 - f) * othersDown(primaryIndex));
    }
    const mean = down.reduce((sum, u, i) => sum + u * (f + (1 - f) * othersDown(i)), 0) / down.length;
    return 1 - mean;
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
