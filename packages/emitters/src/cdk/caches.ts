import type { Redis } from '@meridian/topology';
import { awsName } from '../aws/names.ts';
import { bySecondaryLast, globalPrimary, redisLayout } from '../aws/redis.ts';
import { code, quote, type TsValue, tsValue } from './code.ts';
import type { CdkContext, NagAcknowledgment, StackPlan } from './context.ts';
import { dataKey } from './keys.ts';

// Where the model names no node type: ElastiCache's smallest current Graviton type, a starting point to size.
const DEFAULT_NODE_TYPE = 'cache.t4g.medium';
// Days of daily snapshots kept for RDB persistence: ElastiCache's console default.
const SNAPSHOT_DAYS = 7;

const grouped = new WeakSet<StackPlan>();

/** The region's ElastiCache subnet group over its data subnets, declared on first use. */
function subnetGroup(stack: StackPlan): string {
  if (!grouped.has(stack)) {
    grouped.add(stack);
    stack.add(
      [`The data subnets of ${stack.region.id}, where its caches run.`],
      [
        `const cacheSubnets = new elasticache.CfnSubnetGroup(this, 'CacheSubnets', ${tsValue({
          description: `The data subnets of ${stack.region.id}`,
          subnetIds: code("vpc.selectSubnets({ subnetGroupName: 'data' }).subnetIds"),
        })});`,
      ],
    );
  }
  return 'cacheSubnets';
}

/**
 * Redis on ElastiCache: a replication group (aws-cdk-lib has no L2 for it) in the region's data subnets behind a
 * security group of its own, encrypted at rest with the region's key and in transit, cluster mode with the modelled
 * shards and replicas per shard, automatic failover and Multi-AZ when it has replicas, daily snapshots for RDB
 * persistence. A Global Datastore primary gets the global replication group; a secondary joins it by the id AWS
 * prefixes at creation, read from the primary's stack through a cross-region reference.
 */
export function planCaches(ctx: CdkContext): void {
  const globals = new Map<string, { stack: StackPlan; variable: string }>();
  for (const { component: redis, stack } of bySecondaryLast(ctx.regionalOnAws('redis')))
    planCache(ctx, stack, redis, globals);
}

function planCache(
  ctx: CdkContext,
  stack: StackPlan,
  redis: Redis,
  globals: Map<string, { stack: StackPlan; variable: string }>,
): void {
  const { replicas, failover, preferredZones } = redisLayout('cdk', redis);
  const primary = redis.globalDatastore?.role === 'secondary' ? globalPrimary('cdk', ctx.model, redis) : undefined;
  const global = primary ? globals.get(primary.id) : undefined;
  stack.use('ec2', 'elasticache');
  const name = stack.variable(redis.id);
  const id = name[0]?.toUpperCase() + name.slice(1);
  const subnets = subnetGroup(stack);
  const comment = [
    `${redis.id}: Redis on ElastiCache${redis.clusterMode ? ', cluster mode' : ''}${redis.description ? ` ("${redis.description}")` : ''}.`,
  ];
  const statements: string[] = [
    `const ${name}SecurityGroup = new ec2.SecurityGroup(this, ${quote(`${id}SecurityGroup`)}, ${tsValue({
      vpc: code('vpc'),
      description: `${redis.id}: Redis clients`,
      allowAllOutbound: false,
    })});`,
  ];
  // A secondary takes its engine, node type, shards and encryption from its Global Datastore, whose id (prefixed by
  // AWS at creation) comes from the primary's stack through a cross-region reference.
  let joined: Record<string, TsValue> | undefined;
  if (primary && global) {
    const datastore = ctx.reference(
      stack,
      global.stack,
      global.variable,
      'elasticache.CfnGlobalReplicationGroup',
      `The Global Datastore of ${primary.id}, which ${redis.id} joins.`,
    );
    comment.push(`A Global Datastore secondary of ${primary.id}: engine, node type and encryption come from it.`);
    joined = { globalReplicationGroupId: code(`${datastore}.attrGlobalReplicationGroupId`) };
  } else if (!redis.nodeType) {
    comment.push(`The model names no node type: ${DEFAULT_NODE_TYPE} is a starting point.`);
  }
  const key = joined ? undefined : dataKey(stack);
  const props: Record<string, TsValue> = {
    replicationGroupId: awsName(redis.id, 40),
    replicationGroupDescription: `${redis.kind} ${redis.id}`,
    ...(joined ?? { engine: 'redis', cacheNodeType: redis.nodeType ?? DEFAULT_NODE_TYPE }),
    ...(redis.clusterMode
      ? {
          clusterMode: joined ? undefined : 'enabled',
          numNodeGroups: joined ? undefined : (redis.shards ?? 1),
          replicasPerNodeGroup: replicas,
        }
      : { numCacheClusters: 1 + replicas }),
    automaticFailoverEnabled: failover,
    multiAzEnabled: redis.multiAz,
    preferredCacheClusterAZs: preferredZones,
    atRestEncryptionEnabled: key ? true : undefined,
    kmsKeyId: key ? code(`${key}.keyArn`) : undefined,
    transitEncryptionEnabled: key ? true : undefined,
    snapshotRetentionLimit: redis.persistence === 'rdb' ? SNAPSHOT_DAYS : undefined,
    cacheSubnetGroupName: code(`${subnets}.ref`),
    securityGroupIds: [code(`${name}SecurityGroup.securityGroupId`)],
  };
  const nag: NagAcknowledgment[] = [
    {
      rule: 'AEC5',
      reason:
        "Clients reach Redis on its standard port 6379, as the model's flows say; only the VPC reaches the data subnets.",
    },
    {
      rule: 'AEC6',
      reason:
        'Clients authenticate with IAM or Redis users the model does not describe; access is limited to the security group, and traffic is encrypted in transit.',
    },
  ];
  if (!redis.multiAz) {
    nag.push({
      rule: 'AEC4',
      reason: `The model does not make ${redis.id} Multi-AZ (multiAz: false): meridian check judges that design, the code follows it.`,
    });
  }
  if (joined) {
    nag.push({
      rule: 'AEC3',
      reason: `A Global Datastore secondary inherits encryption at rest and in transit from its primary, ${primary?.id}, which has both.`,
    });
  }
  // Redis's standard port (ElastiCache User Guide, "Accessing your cluster").
  stack.reachable.set(redis.id, { kind: 'security-group', variable: `${name}SecurityGroup`, port: 6379 });
  statements.push(
    `const ${name} = new elasticache.CfnReplicationGroup(this, ${quote(id)}, ${tsValue(props)});`,
    ctx.tag(stack, name, redis.id),
    stack.acknowledge(name, nag),
  );
  if (redis.globalDatastore?.role === 'primary') {
    // The global datastore made from the primary (ElastiCache User Guide, "Replication across AWS Regions using
    // global datastores"); secondaries join it from their own stacks.
    const datastore = `${name}Global`;
    statements.push(
      `const ${datastore} = new elasticache.CfnGlobalReplicationGroup(this, ${quote(`${id}Global`)}, ${tsValue({
        globalReplicationGroupIdSuffix: awsName(redis.id, 40),
        globalReplicationGroupDescription: `Global Datastore of ${redis.id}`,
        members: [
          { replicationGroupId: code(`${name}.ref`), replicationGroupRegion: stack.region.code, role: 'PRIMARY' },
        ],
      })});`,
    );
    globals.set(redis.id, { stack, variable: datastore });
    comment.push('The primary of a Global Datastore: secondaries in other regions join it.');
  }
  stack.add(comment, statements);
}
