import { traitsOf } from './kinds.ts';
import type { Component } from './schema.ts';

/** Where one instance of a provider's service lives, and which service it is (for messages). */
export interface ServiceScope {
  /** `regional`: it exists in one region, whatever the model says; `global`: the provider spans regions. */
  readonly scope: 'regional' | 'global';
  /** The provider's service, e.g. `AWS Secrets Manager`. */
  readonly service: string;
}

// Managed services that exist in one region (each provider's docs: an S3 bucket, an SQS queue, a Secrets Manager
// secret, a CloudWatch metric, an ECR repository, a Glue catalog, an Athena workgroup are created "in a Region").
// Global ones span regions by design: GCP Secret Manager (automatic replication), GHCR and Docker Hub.
const secrets: Record<Extract<Component, { kind: 'secrets' }>['provider'], ServiceScope | undefined> = {
  'secrets-manager': { scope: 'regional', service: 'AWS Secrets Manager' },
  'parameter-store': { scope: 'regional', service: 'AWS Systems Manager Parameter Store' },
  'key-vault': { scope: 'regional', service: 'Azure Key Vault' },
  'gcp-secret-manager': { scope: 'global', service: 'GCP Secret Manager' },
  vault: undefined,
};
const registries: Record<Extract<Component, { kind: 'containerRegistry' }>['provider'], ServiceScope> = {
  ecr: { scope: 'regional', service: 'Amazon ECR' },
  acr: { scope: 'regional', service: 'Azure Container Registry' },
  'artifact-registry': { scope: 'regional', service: 'GCP Artifact Registry' },
  ghcr: { scope: 'global', service: 'GitHub Container Registry' },
  dockerhub: { scope: 'global', service: 'Docker Hub' },
};

/**
 * The scope of the provider service a component is, when the model's facts decide it; undefined when they do not
 * (a self-run Prometheus or Vault lives wherever it is deployed, which a global declaration leaves unstated).
 * Data services (databases, caches, queues, streams, buckets) are regional whatever the product, except the few
 * global ones (Pub/Sub, GCS multi-region buckets).
 */
export function serviceScope(component: Component): ServiceScope | undefined {
  switch (component.kind) {
    case 'secrets':
      return secrets[component.provider];
    case 'containerRegistry':
      return registries[component.provider];
    case 'observability':
      return component.product === 'cloudwatch' ? { scope: 'regional', service: 'Amazon CloudWatch' } : undefined;
    case 'catalog':
      return component.provider === 'glue' ? { scope: 'regional', service: 'AWS Glue Data Catalog' } : undefined;
    case 'queryEngine':
      return component.engine === 'athena' ? { scope: 'regional', service: 'Amazon Athena' } : undefined;
    case 'queue':
      return component.provider === 'pubsub'
        ? { scope: 'global', service: 'GCP Pub/Sub' }
        : { scope: 'regional', service: component.provider === 'sqs' ? 'Amazon SQS' : `a ${component.provider} queue` };
    case 'stream':
      return component.engine === 'pubsub'
        ? { scope: 'global', service: 'GCP Pub/Sub' }
        : { scope: 'regional', service: `a ${component.engine} stream` };
    case 'objectStore':
      return component.provider === 'gcs'
        ? undefined
        : { scope: 'regional', service: component.provider === 's3' ? 'an S3 bucket' : 'an Azure Blob container' };
    case 'postgres':
      return { scope: 'regional', service: 'a PostgreSQL database' };
    case 'mysql':
      return { scope: 'regional', service: 'a MySQL database' };
    case 'globalDatabase':
      return {
        scope: 'global',
        service: { spanner: 'Spanner', 'cosmos-db': 'Azure Cosmos DB', dynamodb: 'DynamoDB global tables' }[
          component.service
        ],
      };
    case 'loadBalancer':
      // Google's external Application Load Balancer is global (one anycast address in front of every region).
      return component.type === 'gclb'
        ? { scope: 'global', service: 'Google Cloud external Application Load Balancer' }
        : { scope: 'regional', service: 'a loadBalancer' };
    case 'redis':
      return { scope: 'regional', service: 'a Redis cache' };
    default: {
      const traits = traitsOf(component.kind);
      // Load balancers, API gateways, clusters, functions and VMs live in one region by construction.
      // A service on runtime 'other' may be an edge function (Cloudflare Workers), which is global.
      const regional =
        traits.routesTraffic ||
        traits.kubernetes !== undefined ||
        (component.kind === 'service' && component.runtime !== 'other');
      return traits.scope === 'regional' && regional
        ? { scope: 'regional', service: `a ${component.kind}` }
        : undefined;
    }
  }
}
