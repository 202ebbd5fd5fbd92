import { z } from 'zod';
import { componentKind as kind, PercentSchema, ref } from './common.ts';
import { isDeltaType } from './delta-types.ts';
import type { KindName } from './kinds.ts';
import { IngressSchema, KubernetesClusterSchema, podPlacementFields, WorkloadSchema } from './kubernetes.ts';
import { ResilienceSchema } from './resilience.ts';

/**
 * One schema per component kind. Each extends the common fields with its typed options and a default tier;
 * `ComponentSchema` is the discriminated union on `kind`.
 */

// How write conflicts resolve when several copies accept writes (multi-primary PostgreSQL, Redis Enterprise
// Active-Active CRDTs, two-way S3 or Kafka mirroring): the replication rule accepts a writer cycle whose members all
// declare one other than 'none'.
const ConflictResolutionSchema = z
  .enum(['last-writer-wins', 'application', 'crdt', 'none'])
  .optional()
  .describe('How write conflicts resolve when more than one copy accepts writes.');

const HealthCheckSchema = z.strictObject({
  // Route 53 defaults: 30 s interval, 3 failures (Route 53 Developer Guide, "Values that you specify when you create a health check").
  // Either may be left out when the design does not state it: the checker then assumes the Route 53 default and
  // says so on every finding that depends on it.
  intervalSeconds: z.number().int().positive().optional(),
  failureThreshold: z.number().int().positive().optional(),
  path: z.string().optional(),
  protocol: z.enum(['http', 'https', 'tcp']).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  // Route 53 `InsufficientDataHealthStatus` (Healthy | Unhealthy | LastKnownStatus), for CloudWatch-alarm health checks.
  insufficientDataHealthStatus: z.enum(['healthy', 'unhealthy', 'last-known-status']).optional(),
});

// A global entry point's own health probe (Azure Front Door origin-group probes, Google external load balancer
// health checks, CloudFront origin failover): the checker's failover time is interval x threshold, with no DNS TTL.
// Both are required: Front Door's probe interval is configurable (its docs estimate probe volume at 30 s) and an
// origin group judges health over a sample (sampleSize 4, successfulSamplesRequired 3 in its templates), so the
// design states them rather than the checker guessing ("Health probes", Azure Front Door documentation).
const HealthProbeSchema = z.strictObject({
  intervalSeconds: z.number().int().positive(),
  failureThreshold: z.number().int().positive(),
  path: z.string().optional(),
  protocol: z.enum(['http', 'https', 'tcp']).optional(),
});

// A WAF attached to an entry point as a policy (Front Door WAF policy, Cloud Armor security policy, AWS WAF web ACL
// on CloudFront): it runs inside the entry point, so it adds no component in series; its SLA, where the provider
// publishes one (AWS WAF, Cloud Armor), is in series with the entry point's (docs/decisions/032-waf-one-factor.md).
const WafPolicySchema = z.strictObject({
  provider: z.enum(['aws-waf', 'cloudflare', 'cloud-armor', 'azure-waf']),
  managedRules: z.array(z.string()).optional(),
  rateLimitPerIp: z.number().int().positive().optional(),
  mode: z.enum(['detection', 'prevention']).optional(),
});

const DnsProviderSchema = z.enum(['route53', 'cloudflare', 'cloud-dns', 'azure-dns']);

/** DNS with health-checked routing (Route 53, Cloudflare, Cloud DNS, Azure DNS). */
export const DnsSchema = kind('dns', {
  provider: DnsProviderSchema.default('route53'),
  additionalProviders: z
    .array(DnsProviderSchema)
    .optional()
    .describe('Providers serving the same names together with `provider` (hld-global "Route53 + Cloudflare").'),
  routing: z
    .enum(['simple', 'failover', 'geolocation', 'latency', 'weighted'])
    .optional()
    .describe(
      'Absent when the design does not state it: the checker assumes simple routing (no failover) and says so.',
    ),
  healthCheck: HealthCheckSchema.optional(),
  ttlSeconds: z.number().int().nonnegative().optional(),
  domain: z.string().optional(),
  evaluateTargetHealth: z
    .boolean()
    .optional()
    .describe("Alias records inherit their target's health (Route 53 `evaluate_target_health`)."),
});

/** A content delivery network. */
export const CdnSchema = kind('cdn', {
  provider: z
    .enum(['cloudfront', 'cloudflare', 'cloud-cdn', 'azure-front-door', 'fastly', 'akamai'])
    .default('cloudfront'),
  cachesDynamic: z
    .boolean()
    .optional()
    .describe('True when API responses (not only static assets) go through the CDN.'),
  healthProbe: HealthProbeSchema.optional().describe('How the entry point probes its origins to fail over.'),
  waf: WafPolicySchema.optional().describe('A WAF policy run by the entry point itself (not a component in series).'),
});

/** A web application firewall / DDoS protection layer. */
export const WafSchema = kind('waf', {
  provider: z.enum(['aws-waf', 'cloudflare', 'cloud-armor', 'azure-waf']).default('aws-waf'),
  rateLimitPerIp: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Requests per IP per 5 minutes (the AWS WAF rate-rule window).'),
  managedRules: z.array(z.string()).optional(),
  ddosProtection: z.enum(['standard', 'advanced']).optional(),
});

/** An API gateway in front of regional services. */
export const ApiGatewaySchema = kind('apiGateway', {
  provider: z.enum(['aws-api-gateway', 'apigee', 'azure-apim', 'kong', 'envoy']).default('aws-api-gateway'),
  apiType: z.enum(['rest', 'http', 'websocket']).optional(),
  throttle: z.strictObject({ rps: z.number().positive(), burst: z.number().int().positive().optional() }).optional(),
  authorizer: z
    .strictObject({ type: z.enum(['jwt', 'lambda', 'iam', 'cognito', 'api-key']), issuer: ref().optional() })
    .optional(),
});

/** A regional load balancer. */
export const LoadBalancerSchema = kind('loadBalancer', {
  type: z.enum(['alb', 'nlb', 'gwlb', 'gclb', 'azure-lb']),
  scheme: z.enum(['internet-facing', 'internal']).default('internet-facing'),
  crossZone: z.boolean().optional(),
  listeners: z
    .array(z.strictObject({ protocol: z.enum(['http', 'https', 'tcp', 'tls', 'udp']), port: z.number().int() }))
    .optional(),
  healthProbe: HealthProbeSchema.optional().describe('How the load balancer probes its backends to fail over.'),
  waf: WafPolicySchema.optional().describe('A WAF policy attached to the load balancer (not a component in series).'),
});

/** Compute outside Kubernetes: functions, containers on a managed runtime, VMs. */
export const ServiceSchema = kind('service', {
  runtime: z.enum(['lambda', 'ecs-fargate', 'ec2', 'vm', 'cloud-run', 'cloud-functions', 'app-service', 'other']),
  instanceType: z.string().optional(),
  memoryMb: z.number().int().positive().optional(),
  timeoutSeconds: z.number().positive().optional(),
  concurrency: z.number().int().positive().optional(),
  resilience: ResilienceSchema.optional(),
});

// What a managed or self-run relational database states, PostgreSQL and MySQL alike: the checker's recovery and
// availability rules read these fields the same way for both engines.
function relationalFields<R extends z.ZodType>(replicaOf: R) {
  return {
    version: z.string().optional(),
    namespace: z
      .string()
      .optional()
      .describe('Kubernetes namespace, for an operator-run database placed in a cluster.'),
    instanceClass: z.string().optional(),
    storageGb: z.number().int().positive().optional(),
    multiAz: z.boolean().default(false),
    role: z.enum(['primary', 'replica']).default('primary'),
    replicaOf,
    replicationMode: z.enum(['sync', 'async', 'logical']).optional(),
    promotion: z
      .enum(['automatic', 'manual'])
      .optional()
      .describe('How a replica becomes primary on failover: aragora promotes by hand (`promote-region.sh`).'),
    conflictResolution: ConflictResolutionSchema,
    storageEncrypted: z.boolean().optional(),
    maxConnections: z.number().int().positive().optional(),
    backup: z
      .strictObject({
        retentionDays: z
          .number()
          .int()
          .nonnegative()
          .optional()
          .describe('Absent when not stated (tv-voting, aragora).'),
        pitr: z.boolean().default(false),
        intervalSeconds: z.number().int().positive().optional(),
        destination: ref('objectStore')
          .optional()
          .describe('Object store receiving backups/WAL, if not the managed default.'),
        crossRegionCopy: z.boolean().optional(),
      })
      .optional(),
  };
}

/** PostgreSQL (RDS, Aurora, Cloud SQL, Azure Database flexible server, CloudNativePG, self-managed). */
export const PostgresSchema = kind('postgres', {
  platform: z.enum(['rds', 'aurora', 'cloud-sql', 'azure-flexible', 'cnpg', 'self-managed']).default('rds'),
  engine: z
    .enum(['postgresql', 'aurora-postgresql', 'unspecified'])
    .optional()
    .describe(
      "The relational engine; 'unspecified' when the design names only the managed service (orasi-telemetry's \"RDS Database\").",
    ),
  ...relationalFields(ref('postgres').optional().describe('The postgres this one replicates from (role replica).')),
});

/** MySQL (RDS for MySQL or MariaDB, Aurora MySQL, Cloud SQL for MySQL, Azure Database for MySQL flexible server, self-managed). */
export const MySqlSchema = kind('mysql', {
  platform: z.enum(['rds', 'aurora', 'cloud-sql', 'azure-flexible', 'self-managed']).default('rds'),
  engine: z.enum(['mysql', 'aurora-mysql', 'mariadb']).default('mysql'),
  ...relationalFields(ref('mysql').optional().describe('The mysql this one replicates from (role replica).')),
});

/**
 * A globally distributed database that replicates across regions itself (Azure Cosmos DB, Google Cloud Spanner,
 * DynamoDB global tables):
 * one component for every region it lives in, with its consistency level and whether every region accepts writes.
 */
export const GlobalDatabaseSchema = kind('globalDatabase', {
  service: z.enum(['cosmos-db', 'spanner', 'dynamodb']).describe("'dynamodb': DynamoDB global tables."),
  regions: z
    .array(z.string().min(1))
    .min(1)
    .describe('Ids of the topology regions holding a replica, e.g. [westeurope, northeurope].'),
  writeRegions: z
    .enum(['single', 'multi'])
    .default('single')
    .describe(
      "'multi': every region accepts writes (Cosmos DB multi-region writes); Spanner's read-write regions count as one writer.",
    ),
  consistency: z
    .enum(['strong', 'bounded-staleness', 'session', 'consistent-prefix', 'eventual'])
    .describe("Cosmos DB's five levels; Spanner is 'strong' (external consistency)."),
  zoneRedundant: z.boolean().optional().describe('Replicas spread over the zones of each region.'),
  automaticFailover: z
    .boolean()
    .optional()
    .describe('Cosmos DB service-managed failover of the write region; Spanner fails over by itself.'),
  maxLagSeconds: z
    .number()
    .nonnegative()
    .optional()
    .describe('Worst replication lag between regions below strong consistency (bounded staleness: its time bound).'),
});

/** Redis (ElastiCache, Memorystore, Azure Cache, self-managed). */
export const RedisSchema = kind('redis', {
  platform: z.enum(['elasticache', 'memorydb', 'memorystore', 'azure-cache', 'self-managed']).default('elasticache'),
  nodeType: z.string().optional(),
  clusterMode: z.boolean().default(false),
  shards: z.number().int().positive().optional(),
  replicasPerShard: z.number().int().nonnegative().optional(),
  multiAz: z.boolean().default(false),
  globalDatastore: z
    .strictObject({ role: z.enum(['primary', 'secondary']), primary: ref('redis').optional() })
    .optional()
    .describe('ElastiCache Global Datastore membership; a secondary names its primary.'),
  persistence: z.enum(['none', 'rdb', 'aof']).optional(),
  conflictResolution: ConflictResolutionSchema,
});

/** A message queue (SQS, Pub/Sub subscription, Service Bus, RabbitMQ). */
export const QueueSchema = kind('queue', {
  provider: z.enum(['sqs', 'pubsub', 'service-bus', 'rabbitmq']).default('sqs'),
  fifo: z.boolean().default(false),
  dlq: ref('queue').optional().describe('Dead-letter queue (a queue component).'),
  maxReceiveCount: z.number().int().positive().optional(),
  visibilityTimeoutSeconds: z.number().int().nonnegative().optional(),
  retentionSeconds: z.number().int().positive().optional(),
});

/** A log/stream (Kafka, MSK, Kinesis, Confluent, Event Hubs). */
export const StreamSchema = kind('stream', {
  engine: z.enum(['kafka', 'msk', 'kinesis', 'confluent', 'event-hubs', 'pubsub']),
  partitions: z.number().int().positive().optional(),
  replicationFactor: z.number().int().positive().optional(),
  minInSyncReplicas: z.number().int().positive().optional(),
  retentionHours: z.number().positive().optional(),
  topics: z.array(z.strictObject({ name: z.string(), partitions: z.number().int().positive().optional() })).optional(),
  mirrorOf: ref('stream').optional().describe('The stream this one mirrors.'),
  mirroring: z.enum(['mirror-maker-2', 'msk-replicator', 'cluster-linking', 'other']).optional(),
  conflictResolution: ConflictResolutionSchema,
});

/** An object store bucket (S3, GCS, Azure Blob). */
export const ObjectStoreSchema = kind('objectStore', {
  provider: z.enum(['s3', 'gcs', 'azure-blob']).default('s3'),
  bucket: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Bucket name; absent when the design names none (tv-voting), and `bucketName()` then uses the component name.',
    ),
  versioning: z.boolean().default(false),
  encryption: z.enum(['none', 'sse-s3', 'sse-kms', 'dsse-kms']).default('sse-s3'),
  publicAccess: z.boolean().default(false),
  storageClass: z.enum(['standard', 'intelligent-tiering', 'infrequent-access', 'glacier', 'deep-archive']).optional(),
  replication: z
    .strictObject({
      to: ref('objectStore'),
      // S3 Replication Time Control replicates 99.99% of objects within 15 minutes (S3 User Guide, "Meeting compliance requirements with RTC").
      mode: z.enum(['standard', 'rtc']).default('standard'),
    })
    .optional(),
  conflictResolution: ConflictResolutionSchema,
  lifecycle: z
    .array(
      z.strictObject({
        afterDays: z.number().int().positive(),
        action: z.enum(['transition', 'expire']),
        storageClass: z.string().optional(),
      }),
    )
    .optional(),
});

const DeltaColumnSchema = z.strictObject({
  name: z.string().min(1),
  type: z.string().refine(isDeltaType, {
    message:
      'expected a Delta type: string, long, integer, short, byte, double, float, boolean, date, timestamp, timestamp_ntz, binary, decimal(p,s), array<T>, map<K,V>, struct<name:T,...>',
  }),
  nullable: z.boolean().default(true),
  generatedAs: z
    .string()
    .optional()
    .describe('Generation expression of a generated column, e.g. CAST(timestamp AS DATE).'),
});

/** A Delta Lake table stored in an object store. */
export const DeltaTableSchema = kind('deltaTable', {
  store: ref('objectStore').describe('The objectStore holding the table.'),
  path: z.string().min(1).describe('Table root inside the bucket, e.g. delta-lake/telemetry_data.'),
  tableName: z.string().optional(),
  columns: z.array(DeltaColumnSchema).default([]),
  partitionColumns: z.array(z.string()).default([]),
  compression: z.enum(['zstd', 'snappy', 'gzip', 'lz4', 'none']).default('snappy'),
  catalog: ref('catalog').optional().describe('A catalog component registering the table.'),
  formatVersion: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Table format version the design pins (orasi-telemetry `table_format_version: 2`).'),
  transactional: z
    .boolean()
    .optional()
    .describe('Writers commit through the Delta transaction log (orasi-telemetry `enable_transactions: true`).'),
  properties: z
    .record(z.string(), z.string())
    .optional()
    .describe('Delta table properties (`delta.*` keys set with TBLPROPERTIES), e.g. delta.appendOnly.'),
});

/** A table catalog / metastore (Glue, Hive, Unity, Polaris). */
export const CatalogSchema = kind('catalog', {
  provider: z.enum(['glue', 'hive', 'unity', 'polaris', 'nessie']),
  ...podPlacementFields,
});

/** A query engine reading tables. */
export const QueryEngineSchema = kind('queryEngine', {
  engine: z.enum(['datafusion', 'trino', 'athena', 'meridian-gateway', 'duckdb', 'spark']),
  reads: z.array(ref('deltaTable')).default([]).describe('deltaTable components the engine reads.'),
  catalog: ref('catalog').optional(),
  ...podPlacementFields,
});

/** A secrets store. */
export const SecretsSchema = kind('secrets', {
  provider: z
    .enum(['secrets-manager', 'parameter-store', 'vault', 'gcp-secret-manager', 'key-vault'])
    .default('secrets-manager'),
  rotationDays: z.number().int().positive().optional(),
  replicaRegions: z.array(z.string()).optional(),
  syncTo: z
    .strictObject({
      operator: z.enum(['external-secrets', 'secrets-store-csi', 'vault-agent']),
      clusters: z
        .array(ref('kubernetesCluster'))
        .min(1)
        .describe('kubernetesCluster components receiving the secrets.'),
    })
    .optional()
    .describe('An in-cluster operator copying these secrets into Kubernetes Secrets (tv-voting: External Secrets).'),
});

/** A container image registry. */
export const ContainerRegistrySchema = kind('containerRegistry', {
  provider: z.enum(['ecr', 'artifact-registry', 'acr', 'ghcr', 'dockerhub']).default('ecr'),
  replicaRegions: z.array(z.string()).optional(),
});

/** Metrics, logs or traces tooling. */
export const ObservabilitySchema = kind('observability', {
  product: z.enum([
    'prometheus',
    'grafana',
    'alertmanager',
    'cloudwatch',
    'elasticsearch',
    'logstash',
    'kibana',
    'jaeger',
    'tempo',
    'loki',
    'opentelemetry-collector',
    'datadog',
    'other',
  ]),
  signals: z.array(z.enum(['metrics', 'logs', 'traces'])).default([]),
  retentionDays: z.number().int().positive().optional(),
  ...podPlacementFields,
});

/** Where traffic comes from: users, apps, devices. */
export const ClientSchema = kind('client', {
  clientKind: z.enum(['users', 'browser', 'mobile', 'tv', 'iot', 'application']),
  population: z.number().int().positive().optional().describe('How many of them, e.g. 300_000_000 potential users.'),
});

/** A service run by someone else (Auth0, Stripe, ...), with its published SLA. */
export const ExternalSchema = kind('external', {
  vendor: z.string().min(1),
  service: z.string().optional(),
  sla: z.strictObject({ availability: PercentSchema }).optional(),
  fallback: z
    .string()
    .min(1)
    .optional()
    .describe(
      'How requests are served while the vendor is down, e.g. "cached JWKS keys validate sessions for 24 h" or a second provider; without one, a vendor every region calls synchronously is a single point of failure.',
    ),
});

/** Every component kind's schema, keyed by kind. */
export const componentSchemas = {
  dns: DnsSchema,
  cdn: CdnSchema,
  waf: WafSchema,
  apiGateway: ApiGatewaySchema,
  loadBalancer: LoadBalancerSchema,
  ingress: IngressSchema,
  kubernetesCluster: KubernetesClusterSchema,
  workload: WorkloadSchema,
  service: ServiceSchema,
  postgres: PostgresSchema,
  mysql: MySqlSchema,
  globalDatabase: GlobalDatabaseSchema,
  redis: RedisSchema,
  queue: QueueSchema,
  stream: StreamSchema,
  objectStore: ObjectStoreSchema,
  deltaTable: DeltaTableSchema,
  catalog: CatalogSchema,
  queryEngine: QueryEngineSchema,
  secrets: SecretsSchema,
  containerRegistry: ContainerRegistrySchema,
  observability: ObservabilitySchema,
  client: ClientSchema,
  external: ExternalSchema,
} as const satisfies Record<KindName, z.ZodType>;

/** Any component: a discriminated union on `kind`. */
export const ComponentSchema = z.discriminatedUnion('kind', [
  DnsSchema,
  CdnSchema,
  WafSchema,
  ApiGatewaySchema,
  LoadBalancerSchema,
  IngressSchema,
  KubernetesClusterSchema,
  WorkloadSchema,
  ServiceSchema,
  PostgresSchema,
  MySqlSchema,
  GlobalDatabaseSchema,
  RedisSchema,
  QueueSchema,
  StreamSchema,
  ObjectStoreSchema,
  DeltaTableSchema,
  CatalogSchema,
  QueryEngineSchema,
  SecretsSchema,
  ContainerRegistrySchema,
  ObservabilitySchema,
  ClientSchema,
  ExternalSchema,
]);
