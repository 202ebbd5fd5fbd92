import type { z } from 'zod';
import type { TierSchema } from './common.ts';

type Tier = z.infer<typeof TierSchema>;

/**
 * What a component kind *is*, in one place: the checker's rules, the emitters and the query client read these
 * traits instead of keeping their own lists of kinds. Each kind's schema is made with `componentKind(name, ...)`,
 * which only accepts a name this record has, and `componentSchemas` must cover every name here: a kind added on
 * one side without the other does not compile.
 */
export interface KindTraits {
  /** The tier a component of this kind gets when the model does not say (the schema's default). */
  readonly tier: Tier;
  /**
   * A data service: a database, cache, queue, stream, bucket or table that other components write and read.
   * Replication between two of these is what the replication rule judges; diagrams draw them as stores.
   */
  readonly dataService: boolean;
  /**
   * Keeps content someone must write for others to read: every data service, plus metrics/log stores and image
   * registries (the orphan rule's "read but never written").
   */
  readonly holdsData: boolean;
  /** Its content is pointless unless consumed: messages pile up, images are never pulled. */
  readonly needsConsumer: boolean;
  /** Routes requests on to targets it can choose between (DNS, CDN, WAF, load balancers, gateways, ingresses). */
  readonly routesTraffic: boolean;
  /** Runs the application's requests itself (workloads, functions, query engines): the application tier of a route. */
  readonly servesRequests: boolean;
  /**
   * Keeps state on its own instances when self-run (on pods or VMs): evicting one (a spot interruption) loses or
   * re-syncs data. A Delta table is not: its state lives in its object store.
   */
  readonly stateful: boolean;
  /** Runs pods when placed in a Kubernetes cluster (an Ingress served by a cloud load balancer runs none). */
  readonly runsPods: boolean;
  /**
   * Where one instance lives: `global` services span the provider's network (DNS, CDN, edge WAF), `regional` ones
   * live in one region and reach others only through replication or routing, `zonal` ones in one zone.
   */
  readonly scope: 'global' | 'regional' | 'zonal';
  /**
   * Self-run compute (a cluster's nodes, VMs): it runs only in the zones its region declares. Managed services
   * (S3, SQS, RDS, ...) span the provider's zones whatever the model lists.
   */
  readonly selfRunCompute: boolean;
  /** The AWS service this kind maps to by default (CDK/Terraform emitters); undefined when none (in-cluster, clients). */
  readonly awsService: AwsService | undefined;
  /** What it becomes in Kubernetes: the cluster itself, a workload, an Ingress; undefined when it is no Kubernetes object. */
  readonly kubernetes: 'cluster' | 'workload' | 'ingress' | undefined;
}

/** AWS services the model's kinds map to by default. */
export type AwsService =
  | 'route53'
  | 'cloudfront'
  | 'wafv2'
  | 'apigateway'
  | 'elbv2'
  | 'eks'
  | 'lambda'
  | 'rds'
  | 'rds-mysql'
  | 'dynamodb'
  | 'elasticache'
  | 'sqs'
  | 'msk'
  | 's3'
  | 'glue'
  | 'athena'
  | 'secretsmanager'
  | 'ecr'
  | 'cloudwatch';

const none = {
  dataService: false,
  holdsData: false,
  needsConsumer: false,
  routesTraffic: false,
  servesRequests: false,
  stateful: false,
  runsPods: false,
  selfRunCompute: false,
  kubernetes: undefined,
} as const;

const dataService = { ...none, dataService: true, holdsData: true, stateful: true, runsPods: true } as const;
const router = { ...none, routesTraffic: true } as const;

/** The traits of every component kind. */
export const kindTraits = {
  dns: { ...router, tier: 'edge', scope: 'global', awsService: 'route53' },
  cdn: { ...router, tier: 'edge', scope: 'global', awsService: 'cloudfront' },
  waf: { ...router, tier: 'edge', scope: 'global', awsService: 'wafv2' },
  apiGateway: { ...router, tier: 'ingress', scope: 'regional', awsService: 'apigateway' },
  loadBalancer: { ...router, tier: 'ingress', scope: 'regional', awsService: 'elbv2' },
  ingress: { ...router, tier: 'ingress', scope: 'regional', awsService: undefined, kubernetes: 'ingress' },
  kubernetesCluster: {
    ...none,
    tier: 'compute',
    scope: 'regional',
    selfRunCompute: true,
    awsService: 'eks',
    kubernetes: 'cluster',
  },
  workload: {
    ...none,
    tier: 'compute',
    scope: 'regional',
    runsPods: true,
    servesRequests: true,
    awsService: undefined,
    kubernetes: 'workload',
  },
  service: {
    ...none,
    tier: 'compute',
    scope: 'regional',
    selfRunCompute: true,
    servesRequests: true,
    awsService: 'lambda',
  },
  postgres: { ...dataService, tier: 'data', scope: 'regional', awsService: 'rds' },
  mysql: { ...dataService, tier: 'data', scope: 'regional', awsService: 'rds-mysql' },
  // Cosmos DB, Spanner and DynamoDB global tables replicate across regions themselves and run nothing of ours.
  globalDatabase: { ...dataService, tier: 'data', scope: 'global', runsPods: false, awsService: 'dynamodb' },
  redis: { ...dataService, tier: 'data', scope: 'regional', awsService: 'elasticache' },
  queue: { ...dataService, tier: 'data', scope: 'regional', needsConsumer: true, awsService: 'sqs' },
  stream: { ...dataService, tier: 'data', scope: 'regional', needsConsumer: true, awsService: 'msk' },
  objectStore: { ...dataService, tier: 'data', scope: 'regional', awsService: 's3' },
  // A table is files in its object store: it holds data but runs nothing and keeps no state of its own.
  deltaTable: {
    ...dataService,
    tier: 'analytics',
    scope: 'regional',
    stateful: false,
    runsPods: false,
    awsService: 's3',
  },
  catalog: { ...none, tier: 'analytics', scope: 'regional', runsPods: true, awsService: 'glue' },
  queryEngine: {
    ...none,
    tier: 'analytics',
    scope: 'regional',
    runsPods: true,
    servesRequests: true,
    awsService: 'athena',
  },
  secrets: { ...none, tier: 'shared', scope: 'regional', awsService: 'secretsmanager' },
  containerRegistry: {
    ...none,
    tier: 'shared',
    scope: 'regional',
    holdsData: true,
    needsConsumer: true,
    awsService: 'ecr',
  },
  observability: {
    ...none,
    tier: 'observability',
    scope: 'regional',
    holdsData: true,
    runsPods: true,
    awsService: 'cloudwatch',
  },
  client: { ...none, tier: 'external', scope: 'global', awsService: undefined },
  external: { ...none, tier: 'external', scope: 'global', awsService: undefined },
} as const satisfies Record<string, KindTraits>;

/** The name of a component kind, e.g. `'postgres'` (the same union as `Component['kind']`). */
export type KindName = keyof typeof kindTraits;

/** The traits of a kind: `traitsOf('postgres').dataService` is true. */
export function traitsOf(kind: KindName): KindTraits {
  return kindTraits[kind];
}
