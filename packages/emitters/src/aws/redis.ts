import type { Redis } from '@meridian/topology';
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
