import type {
  Cdn,
  Component,
  Dns,
  Flow,
  GlobalDatabase,
  LoadBalancer,
  MySql,
  Postgres,
  Region,
  RegionRecovery,
} from '../model/schema.ts';

/** A relational database the recovery budgets promote or restore: PostgreSQL or MySQL. */
type Relational = Postgres | MySql;

function isRelational(component: Component | undefined): component is Relational {
  return component?.kind === 'postgres' || component?.kind === 'mysql';
}

import { recoveryTimes, typicalStartSeconds } from './recovery-times.ts';
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
  /** The region that takes over, when regions declare their recovery posture (issue 20). */
  readonly region?: string;
  readonly posture?: RegionRecovery['posture'];
  readonly failover?: RegionRecovery['failover'];
  /** What the region does before it serves: scale out, start from zero, provision (0 when active). */
  readonly startSeconds?: number;
  readonly start?: string;
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

/** A start-up dependency of one region on another: the region cannot start (recover, scale out) without it. */
export interface StartupDependency {
  readonly flow: Flow;
  readonly region: string;
  readonly on: string;
  /** The dependent region takes over on failover (not the primary), so the dependency defeats its recovery. */
  readonly recovering: boolean;
}

/**
 * Flows marked `when: 'startup'` from a component in one region to one in another (issue 20): a standby whose pods
 * read the primary region's vault when they start cannot start while that region is down, so it has no recovery.
 */
export function startupDependencies(context: RuleContext): StartupDependency[] {
  return context.model.flows.flatMap((flow) => {
    if (flow.when !== 'startup') return [];
    const region = context.regionOf(flow.from);
    const on = context.regionOf(flow.to);
    if (region === undefined || on === undefined || region === on) return [];
    return [{ flow, region, on, recovering: context.regions.get(region)?.role !== 'primary' }];
  });
}

/** The published recovery classes of AWS's strategies, fastest first. */
export type RecoveryClass = 'near zero' | 'minutes' | 'tens of minutes' | 'hours';

/**
 * The class a recovery time or data-loss window falls in, by the words AWS publishes its strategies with ("Disaster
 * Recovery of Workloads on AWS": active/active near zero, warm standby minutes, pilot light tens of minutes, backup
 * and restore hours). The bounds are ours: up to 2 minutes is near zero (a health check and a DNS TTL), up to 10
 * minutes is minutes, up to an hour tens of minutes, beyond that hours.
 */
export function recoveryClass(seconds: number): RecoveryClass {
  if (seconds <= 120) return 'near zero';
  if (seconds <= 600) return 'minutes';
  if (seconds <= 3600) return 'tens of minutes';
  return 'hours';
}

/**
 * The router that fails over between regions: the first DNS that routes between regions, else a global entry point
 * (CDN, load balancer) with its own health probe, which fails over with no DNS answers to expire.
 */
function failoverRouter(context: RuleContext): Dns | Cdn | LoadBalancer | undefined {
  const all = [...context.components.values()];
  const dns = all.filter((c): c is Dns => c.kind === 'dns');
  return (
    dns.find((d) => d.routing === 'failover') ??
    dns.find((d) => d.healthCheck !== undefined && d.routing !== 'simple') ??
    all.find(
      (c): c is Cdn | LoadBalancer => (c.kind === 'cdn' || c.kind === 'loadBalancer') && c.healthProbe !== undefined,
    )
  );
}

/** Primary stores: relational databases that are not a replica of anything. */
function primaryStores(context: RuleContext, links: readonly ReplicationLink[]): Relational[] {
  const replicated = new Set(links.map((link) => link.target));
  return [...context.components.values()].filter(
    (c): c is Relational =>
      isRelational(c) && c.role === 'primary' && !replicated.has(c.id) && c.replicaOf === undefined,
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
    const router = failoverRouter(context);
    const dns = router?.kind === 'dns' ? router : undefined;
    const probe = router?.kind === 'dns' ? undefined : router?.healthProbe;
    const interval =
      probe?.intervalSeconds ?? dns?.healthCheck?.intervalSeconds ?? recoveryTimes.healthCheckIntervalSeconds;
    const threshold =
      probe?.failureThreshold ?? dns?.healthCheck?.failureThreshold ?? recoveryTimes.healthCheckFailureThreshold;
    const detectionSeconds = router ? interval * threshold : recoveryTimes.manualPromotionSeconds;
    const detection = router
      ? `${router.id} ${probe ? 'health probe' : 'health check'} ${interval} s x ${threshold} failures${dns && !dns.healthCheck ? ' (Route 53 defaults)' : ''}`
      : 'no failover DNS: someone has to notice and move traffic by hand';
    const ttlSeconds = dns ? (dns.ttlSeconds ?? recoveryTimes.dnsTtlSeconds) : 0;
    const base = { dns: router?.id, detectionSeconds, detection, ttlSeconds, targetSeconds: target };
    const stores = primaryStores(context, links);
    const promotionOf = (store: Relational, outbound: readonly ReplicationLink[]) => {
      // Only a database copy can take the store's writes over: a replicate flow into a stream, a bucket or a cache
      // (change data capture, exports) leaves nothing to promote, so the store is restored from backup.
      const replicas = outbound.map((link) => context.components.get(link.target)).filter(isRelational);
      const declared = [store, ...replicas].find((c) => c.promotion !== undefined)?.promotion;
      // A copy that already accepts writes (multi-primary, conflicts resolved) needs no promotion.
      const writer = replicas.find((c) => c.conflictResolution !== undefined && c.conflictResolution !== 'none');
      if (writer) return { seconds: 0, text: `${writer.id} already accepts writes (multi-writer): nothing to promote` };
      if (replicas.length === 0) {
        const seconds = recoveryTimes.restoreFromBackupSeconds;
        return {
          seconds,
          text: `no replica of ${store.id} outside ${context.regionOf(store.id) ?? 'its region'}: restore from backup (~${seconds} s)`,
        };
      }
      if (declared === 'automatic') {
        const seconds =
          store.platform === 'aurora'
            ? recoveryTimes.automaticPromotionAuroraSeconds
            : recoveryTimes.automaticPromotionSeconds;
        return {
          seconds,
          text: `automatic promotion of ${replicas[0]?.id} (~${seconds} s typical for ${store.platform})`,
        };
      }
      const seconds = recoveryTimes.manualPromotionSeconds;
      return {
        seconds,
        text: `${declared === 'manual' ? 'manual' : 'no automatic'} promotion of ${replicas[0]?.id} (~${seconds} s: page, decide, run the runbook)`,
      };
    };
    const recovering = [...context.regions.values()].filter(
      (region): region is Region & { recovery: RegionRecovery } =>
        region.recovery !== undefined && region.role !== 'primary',
    );
    if (recovering.length > 0)
      return recovering.map((region) => postureBudget(context, region, base, stores, links, promotionOf));
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
      const promotion = promotionOf(store, crossRegionReplicas(context, store, links));
      return {
        ...base,
        store: store.id,
        promotionSeconds: promotion.seconds,
        promotion: promotion.text,
        totalSeconds: detectionSeconds + ttlSeconds + promotion.seconds,
      };
    });
  });
}

type Promotion = (store: Relational, replicas: readonly ReplicationLink[]) => { seconds: number; text: string };

/**
 * The budget of a region that declares its recovery posture taking over from the primary region (issue 20):
 * detection (the health probe, or a person's reaction for manual failover) + DNS TTL + promotion of the slowest
 * store's copy in that region + what the posture must do before serving (scale out, start, provision).
 */
function postureBudget(
  context: RuleContext,
  region: Region & { recovery: RegionRecovery },
  base: Pick<RtoBudget, 'dns' | 'detectionSeconds' | 'detection' | 'ttlSeconds' | 'targetSeconds'>,
  stores: readonly Relational[],
  links: readonly ReplicationLink[],
  promotionOf: Promotion,
): RtoBudget {
  const { posture, failover } = region.recovery;
  const automatic = failover === 'automatic' && base.dns !== undefined;
  const reaction = region.recovery.reactionSeconds ?? recoveryTimes.manualPromotionSeconds;
  const detectionSeconds = automatic ? base.detectionSeconds : reaction;
  const detection = automatic
    ? base.detection
    : `manual failover: ${reaction} s for a person to notice, decide and switch${region.recovery.reactionSeconds === undefined ? ' (assumed: reactionSeconds not stated)' : ''}${failover === 'automatic' ? '; declared automatic, but no health-checked DNS or entry-point probe moves the traffic' : ''}`;
  // The copy in the taking-over region of each primary store outside it; the slowest promotion bounds the budget.
  const promotions: { store: Component; seconds: number; text: string }[] = stores
    .filter((store) => context.regionOf(store.id) !== region.id)
    .map((store) => ({
      store,
      ...promotionOf(
        store,
        crossRegionReplicas(context, store, links).filter((link) => context.regionOf(link.target) === region.id),
      ),
    }));
  // A global database takes writes in the surviving region once its write region fails over (none to do for
  // multi-region writes or Spanner, the service's own failover for a single write region).
  for (const db of globalDatabases(context)) {
    if (!db.regions.includes(region.id)) continue;
    const seconds =
      db.service === 'spanner' || db.writeRegions === 'multi'
        ? 0
        : db.automaticFailover
          ? recoveryTimes.automaticPromotionSeconds
          : recoveryTimes.manualPromotionSeconds;
    promotions.push({
      store: db,
      seconds,
      text:
        seconds === 0
          ? `${db.id} already accepts writes in ${region.id}`
          : `${db.automaticFailover ? 'service-managed' : 'manual'} failover of ${db.id}'s write region (~${seconds} s)`,
    });
  }
  // Slowest first, stores before global databases and each in model order among equals (a stable sort).
  promotions.sort((a, b) => b.seconds - a.seconds);
  const slowest = promotions[0];
  const promotionSeconds = slowest?.seconds ?? 0;
  const assumed = region.recovery.startSeconds === undefined ? ' (assumed: startSeconds not stated)' : '';
  const startSeconds = region.recovery.startSeconds ?? typicalStartSeconds[posture];
  const start =
    posture === 'active'
      ? 'already serving at production size'
      : posture === 'warm-standby'
        ? `scale the warm standby out to production size (~${startSeconds} s${assumed})`
        : posture === 'pilot-light'
          ? `start the application tier from zero and scale it out (~${startSeconds} s${assumed})`
          : `deploy the region's infrastructure before restoring (~${startSeconds} s${assumed})`;
  return {
    ...base,
    detectionSeconds,
    detection,
    ttlSeconds: base.ttlSeconds,
    store: slowest?.store.id,
    promotionSeconds,
    promotion: slowest?.text ?? 'no primary database to promote',
    region: region.id,
    posture,
    failover,
    startSeconds,
    start,
    totalSeconds: detectionSeconds + base.ttlSeconds + promotionSeconds + startSeconds,
  };
}

/**
 * RPO budgets per primary store: the freshest copy outside its region, a replica (sync: 0; async: the declared
 * maxLagSeconds, Aurora's typical lag, or unbounded) or backups copied to another region (PITR or the backup interval).
 */
export function rpoBudgets(context: RuleContext): RpoBudget[] {
  return context.memo('rpo', () => {
    const target = context.model.sla?.rpoSeconds;
    const links = replicationLinks(context);
    const relational = primaryStores(context, links).map((store) => {
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
    return [...relational, ...globalDatabases(context).map((db) => globalRpo(db, target))];
  });
}

function globalDatabases(context: RuleContext): GlobalDatabase[] {
  return [...context.components.values()].filter((c): c is GlobalDatabase => c.kind === 'globalDatabase');
}

/**
 * The data-loss window of a globally distributed database on losing a region: none when every write commits in
 * several regions (Spanner; Cosmos DB at strong consistency, which replicates synchronously to every region), the
 * declared lag below that, and no bound when the design states none.
 */
function globalRpo(db: GlobalDatabase, target: number | undefined): RpoBudget {
  const regions = new Set(db.regions).size;
  const synchronous = db.service === 'spanner' || db.consistency === 'strong';
  const copy = `${db.service} replicas in ${regions} regions, ${db.service === 'spanner' ? 'synchronous (Paxos) replication' : `${db.consistency} consistency`}`;
  if (regions < 2)
    return {
      store: db.id,
      windowSeconds: Number.POSITIVE_INFINITY,
      window: `${db.id} lives in one region: everything is lost with it`,
      copies: [],
      targetSeconds: target,
    };
  const windowSeconds = synchronous ? 0 : db.maxLagSeconds;
  return {
    store: db.id,
    windowSeconds,
    window: synchronous
      ? `${copy}: a write is committed in more than one region before it is acknowledged`
      : `${copy} (${windowSeconds === undefined ? 'no bound on lag stated' : `lag up to ${windowSeconds} s`})`,
    copies: [copy],
    targetSeconds: target,
  };
}
