import { type DataClassRef, type RegionScope, topology } from '@meridian/topology';

// A topology designed to be sound: the control sample for `meridian check` (README.md explains each choice).
// Two EU regions, each a complete Multi-AZ stack; Route 53 fails over from one to the other; the database
// replicates across regions and promotes itself; EU personal data never leaves the EU.

// Route 53 "fast" health checks: 10 s interval, 3 failures (Route 53 Developer Guide, "Values that you specify
// when you create a health check"); a 60 s TTL on the failover records.
const healthCheck = {
  intervalSeconds: 10,
  failureThreshold: 3,
  path: '/healthz',
  protocol: 'https',
  port: 443,
} as const;

const apiImage = 'registry.example.eu/shop/api:2.14.1';
const ingesterImage = 'registry.example.eu/shop/order-ingester:1.6.0';

// The Delta table every region holds (written by the ingester, read by the query gateway).
const ordersTable = {
  path: 'delta/orders',
  tableName: 'orders',
  columns: [
    { name: 'order_id', type: 'string', nullable: false },
    { name: 'customer_id', type: 'string', nullable: false },
    { name: 'amount', type: 'decimal(12,2)', nullable: false },
    { name: 'currency', type: 'string', nullable: false },
    { name: 'created_at', type: 'timestamp', nullable: false },
    { name: 'order_date', type: 'date', nullable: false, generatedAs: 'CAST(created_at AS DATE)' },
  ],
  partitionColumns: ['order_date'],
  compression: 'zstd' as const,
};

export default topology('reference', (t) => {
  t.description('A two-region EU shop API with an analytics lake: the design meridian check should pass.');
  t.owners('platform-team');
  // One region's path is 99.30% (nine components in series at their published SLAs); two regions behind
  // health-checked failover give 1 - 0.007^2 = 99.995%, above the 99.95% objective.
  // RTO: 10 s x 3 detection + 60 s TTL + ~60 s automatic Aurora promotion = 150 s. RPO: async lag bounded at 1 s.
  t.sla({
    availability: 99.95,
    p99LatencyMs: 300,
    rtoSeconds: 900,
    rpoSeconds: 60,
    peakRps: 20_000,
    errorBudget: 0.05,
  });
  const euPersonal = t.dataClass('eu-personal', { jurisdictions: ['EU'], description: 'Customer and order data' });
  const carries = [euPersonal];

  const users = t.client('customers', { clientKind: 'users', population: 5_000_000, dataClasses: carries });
  const dns = t.dns('route53', {
    provider: 'route53',
    routing: 'failover',
    healthCheck,
    ttlSeconds: 60,
    domain: 'api.shop.example.eu',
  });
  t.flow(users, dns, { carries });

  const euwest1 = t.region('eu-west-1', { role: 'primary', jurisdiction: 'EU', zones: 3, cidr: '10.10.0.0/16' });
  const eucentral1 = t.region('eu-central-1', {
    role: 'secondary',
    jurisdiction: 'EU',
    zones: 3,
    cidr: '10.20.0.0/16',
  });

  // One complete stack per region: nothing in it depends on the other region.
  const stack = (region: RegionScope, failover: 'primary' | 'secondary', data: DataClassRef[]) => {
    const alb = region.loadBalancer('alb', {
      type: 'alb',
      scheme: 'internet-facing',
      crossZone: true,
      listeners: [{ protocol: 'https', port: 443 }],
    });
    const eks = region.kubernetesCluster('eks', {
      version: '1.31',
      endpointAccess: 'private',
      secretsEncryption: true,
      logTypes: ['api', 'audit', 'authenticator'],
      autoscaler: 'cluster-autoscaler',
      nodeGroups: [
        {
          name: 'general',
          instanceTypes: ['m6i.2xlarge'],
          capacityType: 'on-demand',
          min: 3,
          max: 30,
          zones: [...region.zones],
          labels: { 'node-type': 'general' },
        },
      ],
    });
    // 60 pods x 500m = 30 vCPU at most, well inside 30 x m6i.2xlarge (8 vCPU each).
    const api = eks.deployment('api', {
      image: apiImage,
      ports: [8080],
      replicas: { min: 6, max: 60 },
      // 40k rps per region: one region alone carries the 20k peak, and so do two zones of three (26.6k).
      maxRps: 40_000,
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      probes: { liveness: { path: '/livez', port: 8080 }, readiness: { path: '/readyz', port: 8080 } },
      nodeSelector: { 'node-type': 'general' },
      hpa: { metrics: [{ type: 'cpu', target: 70 }] },
      pdb: { minAvailable: '50%' },
      strategy: { type: 'rolling-update', maxSurge: '25%', maxUnavailable: 0 },
      dataClasses: data,
    });
    const ingester = eks.deployment('order-ingester', {
      image: ingesterImage,
      replicas: { min: 3, max: 12 },
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } },
      probes: { liveness: { path: '/livez', port: 8080 } },
      nodeSelector: { 'node-type': 'general' },
      hpa: { metrics: [{ type: 'cpu', target: 70 }] },
      pdb: { maxUnavailable: 1 },
      dataClasses: data,
    });
    const cache = region.redis('cache', {
      clusterMode: true,
      shards: 3,
      replicasPerShard: 1,
      multiAz: true,
      nodeType: 'cache.r7g.large',
      dataClasses: data,
    });
    const orders = region.queue('orders', {
      dlq: region.queue('orders-dlq', { retentionSeconds: 14 * 86_400 }),
      maxReceiveCount: 5,
      dataClasses: data,
    });
    const lake = region.objectStore('lake', {
      bucket: `shop-lake-${region.code}`,
      versioning: true,
      encryption: 'sse-kms',
      publicAccess: false,
      dataClasses: data,
    });
    const table = region.deltaTable('orders-table', { ...ordersTable, store: lake, dataClasses: data });
    // Three instances: the API queries it synchronously, so one instance would take the region's API down with
    // its zone.
    const gateway = region.queryEngine('query-gateway', { engine: 'meridian-gateway', reads: [table], replicas: 3 });
    const secrets = region.secrets('secrets', { provider: 'secrets-manager', rotationDays: 30 });
    const logs = region.observability('cloudwatch', {
      product: 'cloudwatch',
      signals: ['logs', 'metrics'],
      retentionDays: 30,
    });

    t.flow(dns, alb, { routing: { failover }, carries: data });
    t.flow(alb, api, { carries: data });
    t.flow(api, cache, { kind: 'write', carries: data });
    t.flow(api, orders, { kind: 'publish', carries: data });
    t.flow(orders, ingester, { kind: 'consume', carries: data });
    t.flow(ingester, table, { kind: 'write', carries: data });
    t.flow(api, gateway, { kind: 'query' });
    t.flow(gateway, table, { kind: 'read' });
    t.flow(api, secrets, { kind: 'read' });
    t.flow(api, logs, { kind: 'ingest' });
    t.flow(ingester, logs, { kind: 'ingest' });
    return { region, api, lake };
  };

  const primary = stack(euwest1, 'primary', carries);
  const secondary = stack(eucentral1, 'secondary', carries);

  // Aurora Global Database: Multi-AZ in each region, storage encrypted, PITR; the secondary cluster is promoted
  // automatically on failover, with replication lag typically under a second.
  const primaryDb = euwest1.postgres('orders-db', {
    platform: 'aurora',
    instanceClass: 'db.r6g.xlarge',
    multiAz: true,
    storageEncrypted: true,
    backup: { retentionDays: 14, pitr: true },
    dataClasses: carries,
  });
  const secondaryDb = eucentral1.postgres('orders-db', {
    platform: 'aurora',
    instanceClass: 'db.r6g.xlarge',
    multiAz: true,
    storageEncrypted: true,
    role: 'replica',
    replicaOf: primaryDb,
    replicationMode: 'async',
    promotion: 'automatic',
    backup: { retentionDays: 14, pitr: true },
    dataClasses: carries,
  });
  t.flow(primary.api, primaryDb, { kind: 'write', carries });
  t.flow(secondary.api, secondaryDb, { kind: 'write', carries });
  t.flow(primaryDb, secondaryDb, { kind: 'replicate', replicationMode: 'async', maxLagSeconds: 1, carries });
  t.flow(primary.lake, secondary.lake, { kind: 'replicate', carries });
});
