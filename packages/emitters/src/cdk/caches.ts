import type { Redis } from '@meridian/topology';
import { awsName } from '../aws/names.ts';
import { redisLayout } from '../aws/redis.ts';
import { EmitError } from '../errors.ts';
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
 * persistence. Global Datastore membership is refused: a secondary joins by an id AWS prefixes at creation, which
 * no other region's stack can know at synthesis.
 */
export function planCaches(ctx: CdkContext): void {
  for (const { component: redis, stack } of ctx.regionalOnAws('redis')) planCache(ctx, stack, redis);
}

function refuse(redis: Redis, field: string, message: string, hint: string): never {
  throw new EmitError('cdk-unsupported', `${redis.id}: ${message}`, { path: ['components', redis.id, field], hint });
}

function planCache(ctx: CdkContext, stack: StackPlan, redis: Redis): void {
  if (redis.globalDatastore) {
    refuse(
      redis,
      'globalDatastore',
      'the cdk emitter does not emit ElastiCache Global Datastores yet',
      'emit this model with `meridian emit terraform`, or drop globalDatastore to get independent caches',
    );
  }
  const { replicas, failover, preferredZones } = redisLayout('cdk', redis);
  stack.use('ec2', 'elasticache');
  const name = stack.variable(redis.id);
  const id = name[0]?.toUpperCase() + name.slice(1);
  const subnets = subnetGroup(stack);
  const key = dataKey(stack);
  const comment = [
    `${redis.id}: Redis on ElastiCache${redis.clusterMode ? ', cluster mode' : ''}${redis.description ? ` ("${redis.description}")` : ''}.`,
  ];
  if (!redis.nodeType) comment.push(`The model names no node type: ${DEFAULT_NODE_TYPE} is a starting point.`);
  const props: Record<string, TsValue> = {
    replicationGroupId: awsName(redis.id, 40),
    replicationGroupDescription: `${redis.kind} ${redis.id}`,
    engine: 'redis',
    cacheNodeType: redis.nodeType ?? DEFAULT_NODE_TYPE,
    ...(redis.clusterMode
      ? { clusterMode: 'enabled', numNodeGroups: redis.shards ?? 1, replicasPerNodeGroup: replicas }
      : { numCacheClusters: 1 + replicas }),
    automaticFailoverEnabled: failover,
    multiAzEnabled: redis.multiAz,
    preferredCacheClusterAZs: preferredZones,
    atRestEncryptionEnabled: true,
    kmsKeyId: code(`${key}.keyArn`),
    transitEncryptionEnabled: true,
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
  // Redis's standard port (ElastiCache User Guide, "Accessing your cluster").
  stack.reachable.set(redis.id, { kind: 'security-group', variable: `${name}SecurityGroup`, port: 6379 });
  stack.add(comment, [
    `const ${name}SecurityGroup = new ec2.SecurityGroup(this, ${quote(`${id}SecurityGroup`)}, ${tsValue({
      vpc: code('vpc'),
      description: `${redis.id}: Redis clients`,
      allowAllOutbound: false,
    })});`,
    `const ${name} = new elasticache.CfnReplicationGroup(this, ${quote(id)}, ${tsValue(props)});`,
    ctx.tag(stack, name, redis.id),
    stack.acknowledge(name, nag),
  ]);
}
