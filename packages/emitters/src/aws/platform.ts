import type { ComponentKind, ComponentOf } from '@meridian/topology';

/**
 * Whether a component is run by the AWS service its kind maps to (`traitsOf(kind).awsService`): a postgres is on RDS
 * only with platform rds or aurora, a queue on SQS only with provider sqs. One entry per kind, so a kind added to the
 * model without its answer here does not compile; kinds with no AWS service answer false. The CDK and Terraform
 * emitters read this one record, so both emit the same components.
 */
const runsOnAws: { readonly [K in ComponentKind]: (component: ComponentOf<K>) => boolean } = {
  dns: (c) => c.provider === 'route53',
  cdn: (c) => c.provider === 'cloudfront',
  waf: (c) => c.provider === 'aws-waf',
  apiGateway: (c) => c.provider === 'aws-api-gateway',
  loadBalancer: (c) => c.type === 'alb' || c.type === 'nlb',
  ingress: () => false,
  kubernetesCluster: (c) => c.distribution === 'eks',
  workload: () => false,
  service: (c) => c.runtime === 'lambda',
  postgres: (c) => c.platform === 'rds' || c.platform === 'aurora',
  mysql: (c) => c.platform === 'rds' || c.platform === 'aurora',
  // Cosmos DB and Spanner are not AWS services; DynamoDB global tables are.
  globalDatabase: (c) => c.service === 'dynamodb',
  redis: (c) => c.platform === 'elasticache',
  queue: (c) => c.provider === 'sqs',
  stream: (c) => c.engine === 'msk',
  objectStore: (c) => c.provider === 's3',
  deltaTable: () => false,
  catalog: (c) => c.provider === 'glue',
  queryEngine: (c) => c.engine === 'athena',
  secrets: (c) => c.provider === 'secrets-manager',
  containerRegistry: (c) => c.provider === 'ecr',
  observability: (c) => c.product === 'cloudwatch',
  client: () => false,
  external: () => false,
};

/** True when `component` is run by its kind's AWS service (RDS, SQS, S3, ...) rather than self-run or elsewhere. */
export function isOnAws<K extends ComponentKind>(component: ComponentOf<K>): boolean {
  return (runsOnAws[component.kind] as (c: ComponentOf<K>) => boolean)(component);
}
