import { placementOf, type Redis, type Topology } from '@meridian/topology';
import { isOnAws } from './platform.ts';
import { type AwsTarget, unsupported } from './unsupported.ts';

/** How an ElastiCache replication group is laid out, from what the model says of a Redis. */
export interface RedisLayout {
  readonly replicas: number;
  /** Automatic failover: needed for cluster mode and Multi-AZ, and on whenever there is a replica to promote. */
  readonly failover: boolean;
  /** The zones the nodes go to (primary first), when the model places it in zones and cluster mode is off. */
  readonly preferredZones: readonly string[] | undefined;
}

/**
 * The layout of a Redis on ElastiCache; refuses what ElastiCache cannot do: an append-only file (ElastiCache for
 * Redis has RDB snapshots only), Multi-AZ without a replica to fail over to.
 */
export function redisLayout(target: AwsTarget, redis: Redis): RedisLayout {
  const replicas = redis.replicasPerShard ?? 0;
  if (redis.persistence === 'aof') {
    throw unsupported(target, `${redis.id}: ElastiCache for Redis offers no append-only file`, {
      path: ['components', redis.id, 'persistence'],
      hint: "use persistence 'rdb' (snapshots), or platform 'memorydb' for a durable log",
    });
  }
  if (redis.multiAz && replicas === 0 && !redis.clusterMode) {
    throw unsupported(target, `${redis.id}: Multi-AZ needs a replica to fail over to`, {
      path: ['components', redis.id, 'replicasPerShard'],
      hint: 'give it replicasPerShard: 1 or more, or multiAz: false',
    });
  }
  const zones = redis.placement !== 'global' && 'region' in redis.placement ? (redis.placement.zones ?? []) : [];
  return {
    replicas,
    failover: redis.clusterMode || replicas > 0 || redis.multiAz,
    preferredZones: !redis.clusterMode && zones.length ? zones.slice(0, 1 + replicas) : undefined,
  };
}

/**
 * The primary a Global Datastore secondary joins: a Redis on ElastiCache, in an AWS region, itself a primary.
 * Refuses a secondary without one. Secondaries are made after primaries (`bySecondaryLast`), since each names its
 * primary's global datastore.
 */
export function globalPrimary(target: AwsTarget, model: Topology, redis: Redis): Redis {
  const id = redis.globalDatastore?.primary;
  const primary = model.components.find((c) => c.id === id);
  if (
    primary?.kind === 'redis' &&
    isOnAws(primary) &&
    primary.globalDatastore?.role === 'primary' &&
    placementOf(model, primary).region !== undefined
  )
    return primary;
  throw unsupported(target, `${redis.id} is a Global Datastore secondary without an ElastiCache primary`, {
    path: ['components', redis.id, 'globalDatastore', 'primary'],
    hint: 'name the primary redis (on elasticache, globalDatastore.role primary) it replicates',
  });
}

/** Orders caches so that every Global Datastore primary comes before the secondaries that join it. */
export function bySecondaryLast<T extends { readonly component: Redis }>(caches: readonly T[]): T[] {
  const rank = (redis: Redis) => (redis.globalDatastore?.role === 'secondary' ? 1 : 0);
  return [...caches].sort((a, b) => rank(a.component) - rank(b.component));
}
