import { topology } from '@meridian/topology';

// Seed 004 ("Deployment Architecture & Disaster Recovery"), modelled as written, flaws included:
// this file is an input for `meridian check`, not a design to copy. See README.md for the inventory.

// "Production Cluster Specification": one Terraform module per region (`nexora-prod-${var.region}`).
const nodeGroups = (platformMin: number) => [
  {
    name: 'platform-nodes',
    instanceTypes: ['m6i.2xlarge', 'm6i.4xlarge'],
    capacityType: 'on-demand' as const,
    min: platformMin,
    desired: platformMin,
    max: 30,
    maxUnavailablePercent: 25,
    taints: [{ key: 'platform', value: 'true', effect: 'NoSchedule' as const }],
    labels: { 'node-type': 'platform', workload: 'compute-intensive' },
  },
  {
    name: 'data-nodes',
    instanceTypes: ['r6i.2xlarge', 'r6i.4xlarge'],
    capacityType: 'on-demand' as const,
    min: 6,
    desired: 6,
    max: 20,
    taints: [{ key: 'data', value: 'true', effect: 'NoSchedule' as const }],
    labels: { 'node-type': 'data', workload: 'memory-intensive' },
  },
  {
    // "Spot instances for non-critical workloads": the only group without a taint.
    name: 'spot-nodes',
    instanceTypes: ['m6i.large', 'm6i.xlarge', 'm5.large', 'm5.xlarge'],
    capacityType: 'spot' as const,
    min: 0,
    desired: 3,
    max: 15,
    labels: { 'node-type': 'spot', workload: 'batch-processing' },
  },
];

const discoveryResources = {
  requests: { cpu: '250m', memory: '512Mi' },
  limits: { cpu: '1000m', memory: '2Gi' },
};

export default topology('nexora', (t) => {
  // "SLA Monitoring & Alerting": 99.99% availability, P99 < 1000 ms, error rate < 0.1%;
  // "Overview": "sub-second failover times".
  t.sla({ availability: 99.99, p99LatencyMs: 1000, errorBudget: 0.1, rtoSeconds: 1 });
  // "Overview": "regional data sovereignty".
  const euCustomerData = t.dataClass('eu-customer-data', {
    jurisdictions: ['EU'],
    description: 'Data of customers in the EU',
  });
  const carries = [euCustomerData];

  // "Multi-Region Failover Configuration": HTTPS /health on 443, request_interval 30, failure_threshold 3,
  // `insufficient_data_health_status = "Failure"` (Route 53 calls it Unhealthy), aliases with `evaluate_target_health = true`.
  const route53 = t.dns('route53', {
    provider: 'route53',
    routing: 'failover',
    domain: 'api.nexora.com',
    healthCheck: {
      intervalSeconds: 30,
      failureThreshold: 3,
      path: '/health',
      protocol: 'https',
      port: 443,
      insufficientDataHealthStatus: 'unhealthy',
    },
    evaluateTargetHealth: true,
  });
  const cdn = t.cdn('cloudfront', { provider: 'cloudfront', description: 'Edge caching' });
  t.flow(route53, cdn, { carries });

  const useast1 = t.region('us-east-1', {
    role: 'primary',
    jurisdiction: 'US',
    zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  });
  const euwest1 = t.region('eu-west-1', {
    role: 'standby',
    jurisdiction: 'EU',
    zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  });
  // "DR Region - Asia Pacific": no region code is given; Singapore stands in. "1 AZ": which one is not said.
  const apDr = t.region('ap-southeast-1', { role: 'dr', jurisdiction: 'APAC', zones: ['ap-southeast-1a'] });

  // DR footprint: "Minimal DR Cluster, 1 AZ, 3 nodes" (no instance type given), cold storage, database backups.
  apDr.kubernetesCluster('dr-cluster', { nodeGroups: [{ name: 'dr-nodes', min: 3, max: 3 }] });
  // "Automated backup strategy": pg_dump, Kafka topics and manifests go to s3://nexora-disaster-recovery.
  const coldStorage = apDr.objectStore('cold-storage', { bucket: 'nexora-disaster-recovery' });
  // CloudNativePG's barman target, drawn as "Database Backups, Point-in-time recovery" in the DR region.
  const dbBackups = apDr.objectStore('database-backups', { bucket: 'nexora-postgres-backup', dataClasses: carries });

  const stack = (region: typeof useast1, spec: { failover: 'primary' | 'secondary'; platformMin: number }) => {
    const eks = region.kubernetesCluster('eks', {
      version: '1.28',
      // vpc_config: endpoint_private_access = true, endpoint_public_access = true, public_access_cidrs = ["0.0.0.0/0"].
      endpointAccess: 'both',
      publicAccessCidrs: ['0.0.0.0/0'],
      secretsEncryption: true,
      logTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      // "Cluster Autoscaler" Deployment flags; its env says AWS_REGION=us-east-1 in every region's cluster.
      autoscaler: {
        kind: 'cluster-autoscaler',
        version: 'v1.28.0',
        expander: 'least-waste',
        scaleDownUtilizationThreshold: 0.5,
        scaleDownDelayAfterAddMinutes: 10,
        scaleDownUnneededMinutes: 10,
        balanceSimilarNodeGroups: true,
        env: { AWS_REGION: 'us-east-1' },
      },
      // "Kubernetes Manifests Structure" namespaces; "Resource Quotas per Namespace" and "Limit Ranges" for platform.
      namespaces: [
        {
          name: 'platform',
          istioInjection: true,
          podSecurity: { enforce: 'restricted', audit: 'restricted', warn: 'restricted' },
          resourceQuota: {
            hard: {
              'requests.cpu': '20',
              'requests.memory': '40Gi',
              'limits.cpu': '40',
              'limits.memory': '80Gi',
              persistentvolumeclaims: '10',
              pods: '50',
              services: '20',
            },
          },
          limitRange: {
            limits: [
              {
                type: 'Container',
                default: { cpu: '500m', memory: '1Gi' },
                defaultRequest: { cpu: '100m', memory: '256Mi' },
              },
              { type: 'Container', max: { cpu: '4', memory: '8Gi' }, min: { cpu: '50m', memory: '128Mi' } },
            ],
          },
        },
        { name: 'data', istioInjection: true },
        { name: 'monitoring', istioInjection: false },
      ],
      serviceMesh: { provider: 'istio' },
      nodeGroups: nodeGroups(spec.platformMin),
    });
    const alb = region.loadBalancer('alb', { type: 'alb' });
    const ingress = eks.ingress('ingress', { className: 'nginx', description: 'NGINX + Istio Gateway' });

    // "Discovery Service Deployment", its HPA, VPA and PDB ("Auto-Scaling Configuration", "Cost Optimization").
    const discovery = eks.deployment('discovery-service', {
      namespace: 'platform',
      image: 'nexora/discovery-service:v1.0.0',
      ports: [
        { port: 8080, name: 'http' },
        { port: 9090, name: 'grpc' },
        { port: 8081, name: 'metrics' },
      ],
      replicas: { min: 3, max: 20 },
      strategy: { type: 'rolling-update', maxSurge: 1, maxUnavailable: 0 },
      resources: discoveryResources,
      probes: {
        liveness: {
          path: '/health',
          port: 8080,
          initialDelaySeconds: 30,
          periodSeconds: 10,
          timeoutSeconds: 5,
          failureThreshold: 3,
        },
        readiness: {
          path: '/ready',
          port: 8080,
          initialDelaySeconds: 5,
          periodSeconds: 5,
          timeoutSeconds: 3,
          failureThreshold: 3,
        },
      },
      tolerations: [{ key: 'platform', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
      nodeSelector: { 'node-type': 'platform' },
      hpa: {
        metrics: [
          { type: 'cpu', target: 70 },
          { type: 'memory', target: 80 },
          { type: 'custom', name: 'http_requests_per_second', target: 100 },
        ],
        scaleUpStabilizationSeconds: 60,
        scaleDownStabilizationSeconds: 300,
      },
      vpa: { mode: 'Auto' },
      pdb: { minAvailable: 2 },
      securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 },
      // The SPIRE agent socket is a hostPath volume, which the namespace's `restricted` level forbids.
      volumes: [
        {
          name: 'spire-agent-socket',
          mountPath: '/run/spire/sockets',
          readOnly: true,
          source: 'hostPath',
          from: '/run/spire/sockets',
        },
        {
          name: 'config',
          mountPath: '/app/config',
          readOnly: true,
          source: 'configMap',
          from: 'discovery-service-config',
        },
      ],
      env: {
        PORT: '8080',
        GRPC_PORT: '9090',
        DATABASE_URL: { secretRef: { name: 'database-credentials', key: 'url' } },
        REDIS_URL: { secretRef: { name: 'redis-credentials', key: 'url' } },
        KAFKA_BROKERS: { configMapRef: { name: 'kafka-config', key: 'brokers' } },
        SPIFFE_ENDPOINT_SOCKET: 'unix:///run/spire/sockets/agent.sock',
      },
      dataClasses: carries,
    });
    // "Blue-Green Deployment with Argo Rollouts": a second controller for the same pods and Service, 6 replicas,
    // with no toleration or nodeSelector.
    eks.deployment('discovery-service-rollout', {
      rolloutOf: discovery,
      namespace: 'platform',
      image: 'nexora/discovery-service:v1.0.0',
      ports: [8080],
      replicas: 6,
      strategy: { type: 'blue-green' },
      resources: discoveryResources,
    });
    // "Core Services: Discovery, Analytics, Remediation": the other two are named only.
    const analytics = eks.deployment('analytics-service', { namespace: 'platform', dataClasses: carries });
    const remediation = eks.deployment('remediation-service', { namespace: 'platform', dataClasses: carries });
    const services = [discovery, analytics, remediation];

    // Route 53 failover records alias each region's ALB; the diagram routes the CDN to both ingresses.
    t.flow(route53, alb, { routing: { failover: spec.failover }, carries });
    t.flow(alb, ingress, { carries });
    t.flow(cdn, ingress, { carries });
    for (const service of services) t.flow(ingress, service, { carries });
    return { region, eks, services };
  };

  const us = stack(useast1, { failover: 'primary', platformMin: 9 });
  // "Standby Cluster, 3 AZs, 6 nodes minimum".
  const eu = stack(euwest1, { failover: 'secondary', platformMin: 6 });

  // "Database Disaster Recovery": CloudNativePG clusters in namespace `data`, neither with a toleration or a
  // nodeSelector (the diagram's "Multi-AZ RDS/Cloud SQL" is not what the manifests deploy).
  const pgPrimary = us.eks.postgres('postgres-primary', {
    platform: 'cnpg',
    replicas: 3,
    maxConnections: 200,
    backup: { retentionDays: 30, pitr: true, destination: dbBackups },
    namespace: 'data',
    dataClasses: carries,
  });
  // bootstrap.pg_basebackup from host postgres-primary-rw.data.svc.cluster.local: a Service name of the
  // us-east-1 cluster.
  const pgReplica = eu.eks.postgres('postgres-replica', {
    platform: 'cnpg',
    role: 'replica',
    replicaOf: pgPrimary,
    replicas: 2,
    namespace: 'data',
    tags: { source: 'postgres-primary-rw.data.svc.cluster.local' },
    dataClasses: carries,
  });
  t.flow(pgPrimary, pgReplica, { kind: 'replicate', carries });
  // Barman archives WAL and base backups in the background: the database never waits on the bucket.
  t.flow(pgPrimary, dbBackups, { kind: 'write', sync: false, carries });

  // "Data Layer US": Redis Cluster, 6 nodes across AZs; Kafka on MSK. "Data Layer EU": backup Redis, mirrored Kafka.
  const usRedis = useast1.redis('redis', { clusterMode: true, replicas: 6, multiAz: true, dataClasses: carries });
  const usKafka = useast1.stream('kafka', { engine: 'msk', topics: [{ name: 'audit.events' }], dataClasses: carries });
  const euRedis = euwest1.redis('redis', { description: 'Backup cluster', dataClasses: carries });
  const euKafka = euwest1.stream('kafka', {
    engine: 'msk',
    mirrorOf: usKafka,
    mirroring: 'mirror-maker-2',
    dataClasses: carries,
  });
  t.flow(usKafka, euKafka, { kind: 'replicate', carries });
  // "Automated Backup Strategy": a batch script dumps `audit.events` and uploads it.
  t.flow(usKafka, coldStorage, { kind: 'write', sync: false, carries });

  for (const [stack, db, redis, kafka, dbAccess] of [
    [us, pgPrimary, usRedis, usKafka, 'write'],
    [eu, pgReplica, euRedis, euKafka, 'read'],
  ] as const) {
    for (const service of stack.services) {
      t.flow(service, db, { kind: dbAccess, carries });
      t.flow(service, redis, { kind: 'write', carries });
      t.flow(service, kafka, { kind: 'publish', carries });
    }
  }

  // "Prometheus Configuration": scrape every 15 s, alert through Alertmanager, remote-write to EU West.
  const usPrometheus = us.eks.observability('prometheus', { product: 'prometheus', signals: ['metrics'] });
  const alertmanager = us.eks.observability('alertmanager', { product: 'alertmanager' });
  const euPrometheus = eu.eks.observability('prometheus', { product: 'prometheus', signals: ['metrics'] });
  t.flow(usPrometheus, alertmanager, { kind: 'publish' });
  // remote_write queues samples and retries: scraping does not wait on EU West.
  t.flow(usPrometheus, euPrometheus, { kind: 'write', sync: false });
});
