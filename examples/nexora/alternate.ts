import { topology } from '@meridian/topology';

// nexora, modelled a second time from the seed text alone (issue 13): every region declared by hand, top to bottom
// as the document reads, instead of a helper called per region; facts the document leaves unstated are left out
// (the DNS TTL, the replica counts of analytics and remediation, the Kafka and Redis sizes). The DR region's code
// is not stated either ("Asia Pacific"); the DSL needs one, so ap-southeast-1 stands in. examples/test/
// alternate.test.ts checks that `meridian check` finds the same flaws here as in topology.ts.
export default topology('nexora', (t) => {
  // "99.99% Uptime SLA", "P99 < 1000ms", "Error Rate < 0.1%", "sub-second failover times".
  t.sla({ availability: 99.99, p99LatencyMs: 1000, errorBudget: 0.1, rtoSeconds: 1 });
  // "regional data sovereignty".
  const euData = t.dataClass('eu-customers', { jurisdictions: ['EU'] });

  const users = t.client('users', { clientKind: 'users' });
  // Route 53 failover records with HTTPS health checks: 30 s interval, 3 failures, "Failure" on insufficient data.
  const dns = t.dns('global-lb', {
    provider: 'route53',
    routing: 'failover',
    healthCheck: {
      intervalSeconds: 30,
      failureThreshold: 3,
      path: '/health',
      protocol: 'https',
      port: 443,
      insufficientDataHealthStatus: 'unhealthy',
    },
  });
  const cdn = t.cdn('cdn', { provider: 'cloudfront' });
  t.flow(users, dns, { carries: [euData] });
  t.flow(dns, cdn, { carries: [euData] });

  const platformTaint = { key: 'platform', value: 'true', effect: 'NoSchedule' } as const;
  const nodeGroups = (platformMin: number) => [
    {
      name: 'platform-nodes',
      instanceTypes: ['m6i.2xlarge', 'm6i.4xlarge'],
      min: platformMin,
      max: 30,
      labels: { 'node-type': 'platform', workload: 'compute-intensive' },
      taints: [platformTaint],
    },
    {
      name: 'data-nodes',
      instanceTypes: ['r6i.2xlarge', 'r6i.4xlarge'],
      min: 6,
      max: 20,
      labels: { 'node-type': 'data', workload: 'memory-intensive' },
      taints: [{ key: 'data', value: 'true', effect: 'NoSchedule' as const }],
    },
    {
      name: 'spot-nodes',
      instanceTypes: ['m6i.large', 'm6i.xlarge', 'm5.large', 'm5.xlarge'],
      capacityType: 'spot' as const,
      min: 0,
      max: 15,
      labels: { 'node-type': 'spot', workload: 'batch-processing' },
    },
  ];
  const discoverySpec = {
    namespace: 'platform',
    image: 'nexora/discovery-service:v1.0.0',
    ports: [8080, 9090, 8081],
    replicas: { min: 3, max: 20 },
    nodeSelector: { 'node-type': 'platform' },
    tolerations: [{ ...platformTaint, operator: 'Equal' as const }],
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '2Gi' } },
    hpa: {
      metrics: [
        { type: 'cpu' as const, target: 70 },
        { type: 'memory' as const, target: 80 },
        { type: 'custom' as const, name: 'http_requests_per_second', target: 100 },
      ],
      scaleUpStabilizationSeconds: 60,
      scaleDownStabilizationSeconds: 300,
    },
    vpa: { mode: 'Auto' as const },
    pdb: { minAvailable: 2 },
    strategy: { type: 'rolling-update' as const, maxSurge: 1, maxUnavailable: 0 },
    securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 },
    dataClasses: [euData],
  };

  // Primary Region - US East: "3 AZs, 9 nodes minimum".
  const us = t.region('us-east-1', { role: 'primary', zones: 3 });
  const usEks = us.kubernetesCluster('eks', {
    version: '1.28',
    endpointAccess: 'both',
    publicAccessCidrs: ['0.0.0.0/0'],
    nodeGroups: nodeGroups(9),
  });
  const usAlb = us.loadBalancer('alb', { type: 'alb' });
  const usIngress = usEks.ingress('ingress', { className: 'nginx' });
  const usDiscovery = usEks.deployment('discovery-service', discoverySpec);
  usEks.deployment('discovery-service-rollout', {
    namespace: 'platform',
    image: 'nexora/discovery-service:v1.0.0',
    replicas: 6,
    strategy: { type: 'blue-green' },
    rolloutOf: usDiscovery,
  });
  const usAnalytics = usEks.deployment('analytics-service', { namespace: 'platform', dataClasses: [euData] });
  const usRemediation = usEks.deployment('remediation-service', { namespace: 'platform', dataClasses: [euData] });
  // CloudNativePG "postgres-primary": 3 instances in the data namespace, no toleration, barman backups to S3.
  const dr = t.region('ap-southeast-1', { role: 'dr', zones: 1 });
  const backups = dr.objectStore('database-backups', { bucket: 'nexora-postgres-backup', dataClasses: [euData] });
  const usDb = usEks.postgres('postgres-primary', {
    platform: 'cnpg',
    namespace: 'data',
    replicas: 3,
    backup: { retentionDays: 30, pitr: true, destination: backups, crossRegionCopy: true },
    dataClasses: [euData],
  });
  const usRedis = us.redis('redis', { clusterMode: true, multiAz: true });
  const usKafka = us.stream('kafka', { engine: 'msk' });

  // Secondary Region - EU West: "Standby Cluster", "3 AZs, 6 nodes minimum".
  const eu = t.region('eu-west-1', { role: 'secondary', zones: 3 });
  const euEks = eu.kubernetesCluster('eks', {
    version: '1.28',
    endpointAccess: 'both',
    publicAccessCidrs: ['0.0.0.0/0'],
    nodeGroups: nodeGroups(6),
  });
  const euAlb = eu.loadBalancer('alb', { type: 'alb' });
  const euIngress = euEks.ingress('ingress', { className: 'nginx' });
  const euDiscovery = euEks.deployment('discovery-service', discoverySpec);
  euEks.deployment('discovery-service-rollout', {
    namespace: 'platform',
    image: 'nexora/discovery-service:v1.0.0',
    replicas: 6,
    strategy: { type: 'blue-green' },
    rolloutOf: euDiscovery,
  });
  const euAnalytics = euEks.deployment('analytics-service', { namespace: 'platform', dataClasses: [euData] });
  const euRemediation = euEks.deployment('remediation-service', { namespace: 'platform', dataClasses: [euData] });
  // "postgres-replica": 2 instances, pg_basebackup from postgres-primary-rw.data.svc.cluster.local.
  const euDb = euEks.postgres('postgres-replica', {
    platform: 'cnpg',
    namespace: 'data',
    replicas: 2,
    role: 'replica',
    replicaOf: usDb,
    dataClasses: [euData],
  });
  const euRedis = eu.redis('redis', { multiAz: true });
  const euKafka = eu.stream('kafka', { engine: 'msk', mirrorOf: usKafka, mirroring: 'mirror-maker-2' });

  // DR Region - Asia Pacific: "Minimal DR Cluster, 1 AZ, 3 nodes", cold storage, database backups.
  dr.kubernetesCluster('dr-cluster', { nodeGroups: [{ name: 'dr-nodes', min: 3, max: 3 }] });
  const coldStorage = dr.objectStore('cold-storage', { bucket: 'nexora-disaster-recovery' });

  // Route 53 aliases each region's ALB (PRIMARY, SECONDARY); the diagram also sends the CDN to both ingresses.
  t.flow(dns, usAlb, { routing: { failover: 'primary' }, carries: [euData] });
  t.flow(dns, euAlb, { routing: { failover: 'secondary' }, carries: [euData] });
  for (const [alb, ingress, services, db, redis, kafka] of [
    [usAlb, usIngress, [usDiscovery, usAnalytics, usRemediation], usDb, usRedis, usKafka],
    [euAlb, euIngress, [euDiscovery, euAnalytics, euRemediation], euDb, euRedis, euKafka],
  ] as const) {
    t.flow(alb, ingress, { carries: [euData] });
    t.flow(cdn, ingress, { carries: [euData] });
    for (const service of services) {
      t.flow(ingress, service, { carries: [euData] });
      t.flow(service, db, { kind: 'write', carries: [euData] });
      t.flow(service, redis);
      t.flow(service, kafka, { kind: 'publish' });
    }
  }
  t.flow(usDb, euDb, { kind: 'replicate', carries: [euData] });
  t.flow(usKafka, euKafka, { kind: 'replicate' });
  t.flow(usDb, backups, { kind: 'write', sync: false, carries: [euData] });
  t.flow(usKafka, coldStorage, { kind: 'write', sync: false });
  t.flow(usKafka, usDiscovery, { kind: 'consume' });
});
