import type { Redis } from '@meridian/topology';
import { bySecondaryLast, globalPrimary, redisLayout } from '../aws/redis.ts';
import type { AwsRegion, TerraformContext } from './context.ts';
import type { TfAddress } from './document.ts';
import { securityGroupFor } from './security-groups.ts';

/**
 * caches.tf.json: each Redis on ElastiCache as a replication group in the region's data subnets, encrypted at rest
 * (region key) and in transit, cluster mode with its shards and replicas per shard as modelled, automatic failover
 * and Multi-AZ when it has replicas. Global Datastore members become an `aws_elasticache_global_replication_group`
 * on the primary and secondaries that join it (ElastiCache User Guide, "Replication across AWS Regions using
 * global datastores").
 */
export function emitCaches(ctx: TerraformContext): void {
  const caches = ctx.regionalOnAws('redis');
  const globals = new Map<string, TfAddress>();
  // Primaries first: a secondary names its primary's global datastore.
  const ordered = bySecondaryLast(caches);
  for (const { component: redis, region } of ordered) {
    const group = emitReplicationGroup(ctx, redis, region, globals);
    if (redis.globalDatastore?.role === 'primary') {
      globals.set(
        redis.id,
        ctx.doc.resource('caches.tf.json', 'aws_elasticache_global_replication_group', ctx.name(redis.id), {
          provider: region.provider,
          global_replication_group_id_suffix: ctx.awsName(redis.id, 40),
          primary_replication_group_id: group.attr('id'),
        }),
      );
    }
  }
}

function subnetGroup(ctx: TerraformContext, region: AwsRegion): string {
  const name = `${region.alias}_data`;
  if (!ctx.doc.has('aws_elasticache_subnet_group', name)) {
    ctx.doc.resource('caches.tf.json', 'aws_elasticache_subnet_group', name, {
      provider: region.provider,
      name: ctx.awsName(`${ctx.model.name}-${region.region.id}-data`, 255),
      description: `The data subnets of ${region.region.id}`,
      subnet_ids: ctx.network(region).subnets.data.map((s) => s.attr('id')),
      tags: ctx.regionTags(region, 'data'),
    });
  }
  return `\${aws_elasticache_subnet_group.${name}.name}`;
}

function emitReplicationGroup(
  ctx: TerraformContext,
  redis: Redis,
  region: AwsRegion,
  globals: ReadonlyMap<string, TfAddress>,
): TfAddress {
  const name = ctx.name(redis.id);
  const group = securityGroupFor(ctx, redis, region);
  const primary =
    redis.globalDatastore?.role === 'secondary' ? globalPrimary('terraform', ctx.model, redis).id : undefined;
  const { replicas, failover, preferredZones } = redisLayout('terraform', redis);
  const global = primary ? globals.get(primary) : undefined;
  const nodeType =
    redis.nodeType ??
    ctx.doc.variable(`${name}_node_type`, {
      type: 'string',
      description: `The node type of ${redis.id} (the model names none), e.g. cache.r7g.large`,
    }).ref;
  const address = ctx.doc.resource('caches.tf.json', 'aws_elasticache_replication_group', name, {
    provider: region.provider,
    replication_group_id: ctx.awsName(redis.id, 40),
    description: `${redis.kind} ${redis.id}`,
    // A secondary takes its engine, node type and shards from the global datastore.
    ...(global
      ? { global_replication_group_id: global.attr('global_replication_group_id') }
      : {
          engine: 'redis',
          node_type: nodeType,
          cluster_mode: redis.clusterMode ? 'enabled' : 'disabled',
          // A string in hashicorp/aws 6 (the schema's type), though Terraform would convert a bool.
          at_rest_encryption_enabled: 'true',
          kms_key_id: ctx.kmsKey(region).attr('arn'),
          transit_encryption_enabled: true,
          // RDB persistence is ElastiCache's daily snapshots, kept as many days as the variable says.
          snapshot_retention_limit:
            redis.persistence === 'rdb'
              ? ctx.doc.variable('cache_snapshot_retention_days', {
                  type: 'number',
                  description: 'Days of daily snapshots kept for caches with RDB persistence',
                }).ref
              : undefined,
        }),
    ...(redis.clusterMode
      ? { num_node_groups: global ? undefined : (redis.shards ?? 1), replicas_per_node_group: replicas }
      : { num_cache_clusters: 1 + replicas }),
    automatic_failover_enabled: failover,
    multi_az_enabled: redis.multiAz,
    preferred_cache_cluster_azs: preferredZones,
    subnet_group_name: subnetGroup(ctx, region),
    security_group_ids: [group],
    tags: ctx.tags(redis.id),
  });
  ctx.doc.output(`${name}_endpoint`, {
    description: `${redis.id}: the ${redis.clusterMode ? 'configuration' : 'primary'} endpoint`,
    value: address.attr(redis.clusterMode ? 'configuration_endpoint_address' : 'primary_endpoint_address'),
  });
  return address;
}
