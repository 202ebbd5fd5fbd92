import type { Component, Dns, Postgres } from '../model/schema.ts';
import { recoveryTimes } from './recovery-times.ts';
import { type ReplicationLink, replicationLinks } from './replication-links.ts';
import type { RuleContext } from './rule.ts';

/** The recovery-time budget of losing the region of one primary store (or of the primary region). */
export interface RtoBudget {
  readonly store: string | undefined;
  readonly dns: string | undefined;
  readonly detectionSeconds: number;
  readonly detection: string;
  readonly ttlSeconds: number;
  readonly promotionSeconds: number;
  readonly promotion: string;
  readonly totalSeconds: number;
  readonly targetSeconds: number | undefined;
}

/** The data-loss window of one primary store when its region is lost, from the best copy outside that region. */
export interface RpoBudget {
  readonly store: string;
  /** Seconds of writes lost; Infinity when there is no copy elsewhere; undefined when the only copies lag without bound. */
  readonly windowSeconds: number | undefined;
  /** How the window comes about (the copy it relies on). */
  readonly window: string;
  /** Every copy outside the region considered, e.g. `async replication to x (no bound on lag)`, `cross-region backups every 21600 s`. */
  readonly copies: readonly string[];
  readonly targetSeconds: number | undefined;
}

/** The failover DNS in front of the topology: the first DNS that routes between regions, with its detection time. */
function failoverDns(context: RuleContext): Dns | undefined {
  const dns = [...context.components.values()].filter((c): c is Dns => c.kind === 'dns');
  return (
    dns.find((d) => d.routing === 'failover') ??
    dns.find((d) => d.healthCheck !== undefined && d.routing !== 'simple') ??
    undefined
  );
}

/** Primary stores: postgres that is not a replica of anything, and is written to. */
function primaryStores(context: RuleContext, links: readonly ReplicationLink[]): Postgres[] {
  const replicated = new Set(links.map((link) => link.target));
  return [...context.components.values()].filter(
    (c): c is Postgres =>
      c.kind === 'postgres' && c.role === 'primary' && !replicated.has(c.id) && c.replicaOf === undefined,
  );
}

function crossRegionReplicas(
  context: RuleContext,
  store: Component,
  links: readonly ReplicationLink[],
): ReplicationLink[] {
  const region = context.regionOf(store.id);
  return links.filter((link) => link.source === store.id && context.regionOf(link.target) !== region);
}

/** RTO budgets: detection (health-check interval x failure threshold) + DNS TTL + promotion of each primary store. */
export function rtoBudgets(context: RuleContext): RtoBudget[] {
  return context.memo('rto', () => {
    const target = context.model.sla?.rtoSeconds;
    const links = replicationLinks(context);
    const dns = failoverDns(context);
    const interval = dns?.healthCheck?.intervalSeconds ?? recoveryTimes.healthCheckIntervalSeconds;
    const threshold = dns?.healthCheck?.failureThreshold ?? recoveryTimes.healthCheckFailureThreshold;
    const detectionSeconds = dns ? interval * threshold : recoveryTimes.manualPromotionSeconds;
    const detection = dns
      ? `${dns.id} health check ${interval} s x ${threshold} failures${dns.healthCheck ? '' : ' (Route 53 defaults)'}`
      : 'no failover DNS: someone has to notice and move traffic by hand';
    const ttlSeconds = dns ? (dns.ttlSeconds ?? recoveryTimes.dnsTtlSeconds) : 0;
    const base = { dns: dns?.id, detectionSeconds, detection, ttlSeconds, targetSeconds: target };
    const stores = primaryStores(context, links);
    if (stores.length === 0)
      return [
        {
          ...base,
          store: undefined,
          promotionSeconds: 0,
          promotion: 'no primary database to promote',
          totalSeconds: detectionSeconds + ttlSeconds,
        },
      ];
    return stores.map((store) => {
      const replicas = crossRegionReplicas(context, store, links);
      const declared = [store, ...replicas.map((link) => context.components.get(link.target))].find(
        (c): c is Postgres => c?.kind === 'postgres' && c.promotion !== undefined,
      )?.promotion;
      let promotionSeconds: number;
      let promotion: string;
      if (replicas.length === 0) {
        promotionSeconds = recoveryTimes.restoreFromBackupSeconds;
        promotion = `no replica of ${store.id} outside ${context.regionOf(store.id) ?? 'its region'}: restore from backup (~${promotionSeconds} s)`;
      } else if (declared === 'automatic') {
        promotionSeconds =
          store.platform === 'aurora'
            ? recoveryTimes.automaticPromotionAuroraSeconds
            : recoveryTimes.automaticPromotionSeconds;
        promotion = `automatic promotion of ${replicas[0]?.target} (~${promotionSeconds} s typical for ${store.platform})`;
      } else {
        promotionSeconds = recoveryTimes.manualPromotionSeconds;
        promotion = `${declared === 'manual' ? 'manual' : 'no automatic'} promotion of ${replicas[0]?.target} (~${promotionSeconds} s: page, decide, run the runbook)`;
      }
      return {
        ...base,
        store: store.id,
        promotionSeconds,
        promotion,
        totalSeconds: detectionSeconds + ttlSeconds + promotionSeconds,
      };
    });
  });
}

/**
 * RPO budgets per primary store: the freshest copy outside its region, a replica (sync: 0; async: the declared
 * maxLagSeconds, Aurora's typical lag, or unbounded) or backups copied to another region (PITR or the backup interval).
 */
export function rpoBudgets(context: RuleContext): RpoBudget[] {
  return context.memo('rpo', () => {
    const target = context.model.sla?.rpoSeconds;
    const links = replicationLinks(context);
    return primaryStores(context, links).map((store) => {
      const options: { seconds: number | undefined; text: string }[] = [];
      for (const link of crossRegionReplicas(context, store, links)) {
        const mode = link.mode ?? 'async';
        const lag =
          mode === 'sync'
            ? 0
            : (link.maxLagSeconds ??
              (store.platform === 'aurora' && mode !== 'logical' ? recoveryTimes.auroraGlobalLagSeconds : undefined));
        options.push({
          seconds: lag,
          text: `${mode} replication to ${link.target} (${lag === undefined ? 'no bound on lag' : `lag up to ${lag} s`})`,
        });
      }
      const backup = store.backup;
      if (backup?.crossRegionCopy) {
        const seconds = backup.pitr
          ? recoveryTimes.pitrWindowSeconds
          : (backup.intervalSeconds ?? recoveryTimes.dailyBackupSeconds);
        options.push({
          seconds,
          text: `cross-region backup copies every ${seconds} s${backup.pitr ? ' (point-in-time recovery)' : ''}`,
        });
      }
      const bounded = options
        .filter((o) => o.seconds !== undefined)
        .sort((a, b) => (a.seconds as number) - (b.seconds as number));
      const best = bounded[0];
      const unbounded = options.find((o) => o.seconds === undefined);
      const region = context.regionOf(store.id) ?? 'its region';
      let windowSeconds: number | undefined;
      let window: string;
      if (options.length === 0) {
        windowSeconds = Number.POSITIVE_INFINITY;
        window = `no copy of ${store.id} outside ${region}${backup ? ' (its backups stay in the region)' : ''}: everything is lost with the region`;
      } else if (unbounded && (!best || (target !== undefined && (best.seconds as number) > target))) {
        windowSeconds = undefined;
        window = unbounded.text + (best ? `; the bounded fallback, ${best.text}, is ${best.seconds} s` : '');
      } else {
        windowSeconds = best?.seconds;
        window = best?.text ?? '';
      }
      return { store: store.id, windowSeconds, window, copies: options.map((o) => o.text), targetSeconds: target };
    });
  });
}
