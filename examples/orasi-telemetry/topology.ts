import { type DataClassRef, type RegionScope, topology } from '@meridian/topology';

// Seed 000 ("Multi-Region EKS Deployment - Simplified View"), modelled as written, flaws included:
// this file is an input for `meridian check`, not a design to copy. See README.md for the inventory.

// "Compute Node Strategy": the same three tainted node groups in every cluster; no capacity type is given (on-demand).
const nodeGroups = [
  {
    name: 'ingestion',
    instanceTypes: ['c5.xlarge', 'c5.2xlarge'],
    min: 2,
    max: 10,
    labels: { 'node-type': 'ingestion' },
    taints: [{ key: 'workload', value: 'ingestion', effect: 'NoSchedule' as const }],
  },
  {
    name: 'query-compute',
    instanceTypes: ['r5.2xlarge', 'r5.4xlarge', 'r5.8xlarge'],
    min: 3,
    max: 20,
    labels: { 'node-type': 'query-compute' },
    taints: [{ key: 'workload', value: 'query', effect: 'NoSchedule' as const }],
  },
  {
    name: 'storage',
    instanceTypes: ['i3.2xlarge', 'i3.4xlarge'],
    min: 2,
    max: 8,
    labels: { 'node-type': 'storage' },
    taints: [{ key: 'workload', value: 'storage', effect: 'NoSchedule' as const }],
  },
];

// The query workloads select the query-compute group but carry no toleration ("5. Query Compute Nodes").
const queryCompute = { 'node-type': 'query-compute' };
// "Workload Separation": the "Data Ingestion Layer" (gateway, bridge) runs on the ingestion group. The document's
// manifests give those two no nodeSelector and no toleration; the selector records the stated layer, the
// toleration stays missing. The agents run on every node ("Deploy one agent per node"), so they select none.
const ingestion = { 'node-type': 'ingestion' };

// "Regional Delta Lake Setup" (format version 2, hive catalog, transactions on): primary and secondary only.
// "Delta Lake Configuration": every region's table pins `table_format_version: 2` and `enable_transactions: true`.
const deltaFormat = { formatVersion: 2, transactional: true };
const regionalDelta = {
  partitionColumns: ['service_name', 'date', 'hour'],
  compression: 'zstd' as const,
  ...deltaFormat,
};

export default topology('orasi-telemetry', (t) => {
  // "Key Benefits" 4: "Data Locality: Regional data processing for compliance".
  const euTelemetry = t.dataClass('eu-telemetry', {
    jurisdictions: ['EU'],
    description: 'Telemetry collected in eu-west-1',
  });

  const apps = [
    t.client('application-1', { clientKind: 'application' }),
    t.client('application-2', { clientKind: 'application' }),
    t.client('iot-devices', { clientKind: 'iot' }),
  ];
  // No routing policy is given; simple is Route 53's default.
  const route53 = t.dns('route53', { provider: 'route53', routing: 'simple' });
  // Drawn under "Global Load Balancing" with no edge to or from anything.
  t.cdn('cloudfront', { provider: 'cloudfront' });
  for (const app of apps) t.flow(app, route53);

  const useast1Region = t.region('us-east-1', { role: 'primary', jurisdiction: 'US' });
  const uswest2Region = t.region('us-west-2', { role: 'secondary', jurisdiction: 'US' });
  // "Tertiary Region (eu-west-1)".
  const euwest1Region = t.region('eu-west-1', { role: 'secondary', jurisdiction: 'EU' });

  // "Global Data Lake": the bucket's region is not stated; S3 puts a bucket created without a
  // LocationConstraint in us-east-1, so the global tables live there.
  const globalBucket = useast1Region.objectStore('orasi-telemetry-global', {
    bucket: 'orasi-telemetry-global',
    dataClasses: [euTelemetry],
  });
  // "Delta Lake Tables": neither table has a `date` or an `hour` column, yet both are partitioned by them.
  const telemetryData = useast1Region.deltaTable('telemetry_data', {
    store: globalBucket,
    path: 'delta-lake/telemetry_data',
    tableName: 'telemetry_data',
    columns: [
      { name: 'timestamp', type: 'timestamp' },
      { name: 'service_name', type: 'string' },
      { name: 'trace_id', type: 'string' },
      { name: 'span_id', type: 'string' },
      { name: 'parent_span_id', type: 'string' },
      { name: 'operation_name', type: 'string' },
      { name: 'duration_ms', type: 'double' },
      { name: 'status_code', type: 'integer' },
      { name: 'attributes', type: 'map<string,string>' },
      { name: 'region', type: 'string' },
    ],
    partitionColumns: ['service_name', 'date', 'hour'],
    compression: 'zstd',
    ...deltaFormat,
    dataClasses: [euTelemetry],
  });
  const metricsData = useast1Region.deltaTable('metrics_data', {
    store: globalBucket,
    path: 'delta-lake/metrics_data',
    tableName: 'metrics_data',
    columns: [
      { name: 'timestamp', type: 'timestamp' },
      { name: 'metric_name', type: 'string' },
      { name: 'metric_value', type: 'double' },
      { name: 'metric_unit', type: 'string' },
      { name: 'service_name', type: 'string' },
      { name: 'labels', type: 'map<string,string>' },
      { name: 'region', type: 'string' },
    ],
    partitionColumns: ['service_name', 'date', 'hour'],
    compression: 'zstd',
    ...deltaFormat,
    dataClasses: [euTelemetry],
  });
  const globalTables = [telemetryData, metricsData];
  const datafusion = t.queryEngine('datafusion', { engine: 'datafusion', reads: globalTables });
  for (const table of globalTables) t.flow(datafusion, table, { kind: 'read' });
  // Drawn in "Global Data Lake" with no edge; every Delta config names `catalog: "hive"` instead.
  t.catalog('glue-data-catalog', { provider: 'glue' });

  // Each region repeats one stack ("Primary/Secondary/Tertiary Region" subgraphs).
  const stack = (region: RegionScope, bucketName: string, carries: DataClassRef[], deltaConfig = {}) => {
    const eks = region.kubernetesCluster('eks', { nodeGroups });
    // "Component Deployment Strategy" 1 and 2.
    const gateway = eks.deployment('orasi-gateway', {
      image: 'orasi/gateway:latest',
      replicas: 3,
      ports: [8080, 9090],
      nodeSelector: ingestion,
      dataClasses: carries,
    });
    const agent = eks.daemonSet('orasi-agent', {
      image: 'orasi/agent:latest',
      ports: [4317, 4318, 4319],
      dataClasses: carries,
    });
    // "5. Query Compute Nodes".
    const queryGateway = eks.deployment('orasi-query-gateway', {
      image: 'orasi/gateway:latest',
      replicas: 3,
      ports: [8080, 9090],
      nodeSelector: queryCompute,
      resources: { requests: { cpu: '1000m', memory: '2Gi' }, limits: { cpu: '4000m', memory: '8Gi' } },
      env: { COMPUTE_MODE: 'query', QUERY_CACHE_SIZE: '4Gi', QUERY_TIMEOUT_SECONDS: '300' },
    });
    const queryAgent = eks.deployment('orasi-query-agent', {
      image: 'orasi/agent:latest',
      replicas: 3,
      ports: [8080, 9090],
      nodeSelector: queryCompute,
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2000m', memory: '4Gi' } },
      env: { COMPUTE_MODE: 'query', QUERY_WORKER_THREADS: '8' },
    });
    const bucket = region.objectStore('delta-lake-bucket', { bucket: bucketName, dataClasses: carries });
    const delta = region.deltaTable('delta-lake', {
      store: bucket,
      path: 'delta-lake',
      ...deltaConfig,
      dataClasses: carries,
    });

    t.flow(route53, gateway, { carries });
    t.flow(gateway, agent, { carries });
    t.flow(queryGateway, queryAgent);
    // "2. Data Replication: Regional Delta Lake -> Global Delta Lake".
    for (const table of globalTables) t.flow(delta, table, { kind: 'replicate', carries });
    return { region, eks, agent, queryGateway, queryAgent, bucket, delta };
  };

  // The bridges, their query twins, the Delta configuration and the RDS box exist only in us-east-1 and us-west-2.
  const bridges = (s: ReturnType<typeof stack>, rds: 'Primary' | 'Secondary', carries: DataClassRef[]) => {
    // "3. Orasi Bridges (StatefulSet)": the env names one bucket for every region, unlike "Regional Delta Lake Setup".
    const bridge = s.eks.statefulSet('orasi-bridge', {
      image: 'orasi/bridge:latest',
      replicas: 2,
      ports: [8080, 9090],
      nodeSelector: ingestion,
      dataClasses: carries,
      env: {
        DELTA_LAKE_STORAGE_PATH: 's3://orasi-telemetry-delta-lake',
        DELTA_LAKE_CATALOG: 'hive',
        DELTA_LAKE_TABLE_FORMAT_VERSION: '2',
        DELTA_LAKE_ENABLE_TRANSACTIONS: 'true',
        DELTA_LAKE_PARTITION_COLUMNS: 'service_name,date,hour',
        DELTA_LAKE_COMPRESSION: 'zstd',
      },
    });
    const queryBridge = s.eks.deployment('orasi-query-bridge', {
      image: 'orasi/bridge:latest',
      replicas: 2,
      ports: [8080, 9090],
      nodeSelector: queryCompute,
      resources: { requests: { cpu: '2000m', memory: '4Gi' }, limits: { cpu: '8000m', memory: '16Gi' } },
      env: {
        COMPUTE_MODE: 'query',
        DELTA_LAKE_STORAGE_PATH: 's3://orasi-telemetry-delta-lake',
        QUERY_ENGINE_WORKER_THREADS: '16',
        QUERY_CACHE_SIZE: '8Gi',
      },
    });
    // "RDS Database Primary/Secondary": drawn with no edge and no configuration; the engine is not stated.
    s.region.postgres('rds', { description: `RDS Database ${rds}`, engine: 'unspecified' });
    t.flow(s.agent, bridge);
    t.flow(bridge, s.delta, { kind: 'write', carries });
    t.flow(s.queryAgent, queryBridge);
    t.flow(queryBridge, s.delta, { kind: 'read' });
    return { bridge, queryBridge };
  };

  const useast1 = stack(useast1Region, 'orasi-telemetry-us-east-1', [], regionalDelta);
  const uswest2 = stack(uswest2Region, 'orasi-telemetry-us-west-2', [], regionalDelta);
  // No Delta configuration is given for eu-west-1; its bucket name follows the other two regions' pattern.
  const euwest1 = stack(euwest1Region, 'orasi-telemetry-eu-west-1', [euTelemetry]);
  // The us-east-1 bridge also takes eu-west-1's telemetry (below), so it writes EU data into us-east-1's lake.
  const useast1Bridges = bridges(useast1, 'Primary', [euTelemetry]);
  bridges(uswest2, 'Secondary', []);
  // Agent3 --> Bridge1: eu-west-1 has no bridge, so its agents send to us-east-1.
  t.flow(euwest1.agent, useast1Bridges.bridge, { carries: [euTelemetry] });
  // QueryAgent3 --> DeltaTertiary: nothing writes that table (Bridge1 writes DeltaPrimary).
  t.flow(euwest1.queryAgent, euwest1.delta, { kind: 'read' });

  // "4. Query Ingress": one internet-facing ALB from one Ingress object. The document draws both outside every
  // region; an Ingress lives in one cluster, so they sit in the primary's, yet route to all three regions.
  const alb = useast1Region.loadBalancer('query-alb', {
    type: 'alb',
    scheme: 'internet-facing',
    listeners: [
      { protocol: 'http', port: 80 },
      { protocol: 'https', port: 443 },
    ],
  });
  const ingress = useast1.eks.ingress('orasi-query-ingress', {
    className: 'alb',
    rules: [
      { host: 'query.orasi.example.com', path: '/api/v1/query', backend: useast1.queryGateway, port: 8080 },
      { host: 'query.orasi.example.com', path: '/api/v1/analytics', backend: useast1Bridges.queryBridge, port: 8080 },
    ],
  });
  t.flow(alb, ingress);
  for (const s of [useast1, uswest2, euwest1]) t.flow(ingress, s.queryGateway);
  t.flow(ingress, useast1Bridges.queryBridge);
});
