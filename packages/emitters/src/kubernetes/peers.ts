import type { ComponentKind } from '@meridian/topology';

/**
 * How a pod reaches a component of each kind outside its cluster: the ports it connects to when the flow names
 * none, and whether the service sits inside the region's VPC (so egress can be narrowed to the region's CIDR)
 * or behind a public endpoint (AWS service endpoints, vendors: any address). An exhaustive record: a kind added
 * to the model without its entry does not compile.
 */
export interface PeerOfKind {
  /** Ports a client connects to; undefined when the kind has no one port (then every port is allowed). */
  readonly ports: readonly number[] | undefined;
  /** Reached at addresses inside the region's VPC (RDS, ElastiCache, MSK, load balancers, VMs). */
  readonly inVpc: boolean;
}

const https: PeerOfKind = { ports: [443], inVpc: false };

export const peerOfKind: Record<ComponentKind, PeerOfKind> = {
  dns: { ports: [53], inVpc: false },
  cdn: https,
  waf: https,
  apiGateway: https,
  loadBalancer: { ports: undefined, inVpc: true },
  ingress: { ports: [80, 443], inVpc: true },
  kubernetesCluster: { ports: undefined, inVpc: true },
  workload: { ports: undefined, inVpc: false },
  service: { ports: undefined, inVpc: true },
  // PostgreSQL 5432, Redis 6379 (RDS / ElastiCache defaults).
  postgres: { ports: [5432], inVpc: true },
  // MySQL 3306 (RDS for MySQL default).
  mysql: { ports: [3306], inVpc: true },
  // Cosmos DB and Spanner answer on public HTTPS/gRPC endpoints.
  globalDatabase: https,
  redis: { ports: [6379], inVpc: true },
  queue: https,
  // MSK brokers: 9092 plaintext, 9094 TLS, 9098 IAM (Amazon MSK Developer Guide, "Port information").
  stream: { ports: [9092, 9094, 9098], inVpc: true },
  objectStore: https,
  // A Delta table is files in its object store: reached like S3.
  deltaTable: https,
  catalog: https,
  queryEngine: https,
  secrets: https,
  containerRegistry: https,
  observability: https,
  client: { ports: undefined, inVpc: false },
  external: https,
};
