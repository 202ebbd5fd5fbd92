import { topology } from '@meridian/topology';

// Seed 002 ("4.2 Deployment Diagram (EKS Variant)"), modelled as written, flaws included:
// this file is an input for `meridian check`, not a design to copy. See README.md for the inventory.

export default topology('tv-voting', (t) => {
  // Opening paragraph: "3 regions ... to reach the 250k RPS peak". No availability, RTO or RPO target is given.
  t.sla({ peakRps: 250_000 });

  const users = t.client('global-users', { clientKind: 'users', population: 300_000_000 });
  const tvApp = t.client('tv-show-app', { clientKind: 'application', description: 'TV Show App (Frontend)' });
  // "Layer Details": geo-routing + health checks with automatic failover, "30s detection" (10 s x 3 failures).
  const route53 = t.dns('route53', {
    provider: 'route53',
    routing: 'geolocation',
    healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
  });
  const waf = t.waf('waf', {
    provider: 'aws-waf',
    description: 'DDoS protection, per-IP rate limiting, anti-bot rules',
  });
  const cloudfront = t.cdn('cloudfront', { provider: 'cloudfront', description: 'Static assets CDN' });
  const auth0 = t.external('auth0', { vendor: 'Auth0', service: 'Identity Provider, OAuth2/OIDC' });
  t.flow(users, tvApp);
  t.flow(tvApp, route53);
  t.flow(route53, waf);
  t.flow(waf, cloudfront);

  const useast1 = t.region('us-east-1', {
    role: 'primary',
    jurisdiction: 'US',
    cidr: '10.0.0.0/16',
    zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  });
  const euwest1 = t.region('eu-west-1', { role: 'secondary', jurisdiction: 'EU', cidr: '10.1.0.0/16' });
  const apsoutheast1 = t.region('ap-southeast-1', { role: 'secondary', jurisdiction: 'APAC', cidr: '10.2.0.0/16' });

  // "Data Layer": Multi-AZ, automated backups (retention not stated), point-in-time recovery; data subnets AZ-a, AZ-b.
  const primaryDb = useast1.inZones(['us-east-1a', 'us-east-1b']).postgres('rds-postgres', {
    instanceClass: 'db.r6g.4xlarge',
    multiAz: true,
    backup: { pitr: true },
  });

  // "HPA (Horizontal Pod Autoscaler): Scales pod replicas based on CPU/Memory metrics" (targets not stated).
  const hpa = { metrics: [{ type: 'cpu' as const }, { type: 'memory' as const }] };

  // Every region repeats one stack ("Regional Capacity Legend": the same limits in all three).
  for (const region of [useast1, euwest1, apsoutheast1]) {
    const primary = region === useast1;
    // "Compute Layer (per region)": throttling, JWT validation via Lambda authorizer; "API Gateway | 100k RPS".
    const api = region.apiGateway('api-gateway', { maxRps: 100_000, authorizer: { type: 'lambda' } });
    const alb = region.loadBalancer('alb', {
      type: 'alb',
      description: 'Provisioned by the AWS Load Balancer Controller',
    });
    const eks = region.kubernetesCluster('eks', {
      autoscaler: 'cluster-autoscaler',
      // "EKS Node Group | 3-10 nodes (m6i.2xlarge)"; in us-east-1 one node in each of AZ-a, AZ-b, AZ-c.
      nodeGroups: [
        {
          name: 'managed',
          instanceTypes: ['m6i.2xlarge'],
          min: 3,
          max: 10,
          ...(region.zones.length > 0 ? { zones: [...region.zones] } : {}),
        },
      ],
      // "Kubernetes Resources": ConfigMap app-config, Secret db-credentials ("Synced from Secrets Manager").
      configMaps: [{ name: 'app-config', description: 'Environment-specific configuration' }],
      secrets: [{ name: 'db-credentials', description: 'Synced from Secrets Manager' }],
    });
    const ingress = eks.ingress('main-ingress', { className: 'alb' });
    // "Kubernetes Resources": Services auth-svc, vote-svc, results-svc, "ClusterIP for internal routing" (ports unstated).
    const auth = eks.deployment('auth-service', {
      replicas: { min: 3, max: 10 },
      hpa,
      service: { name: 'auth-svc', type: 'ClusterIP' },
    });
    const vote = eks.deployment('vote-service', {
      replicas: { min: 10, max: 100 },
      hpa,
      service: { name: 'vote-svc', type: 'ClusterIP' },
    });
    const results = eks.deployment('results-service', {
      replicas: { min: 5, max: 30 },
      hpa,
      service: { name: 'results-svc', type: 'ClusterIP' },
    });
    // "SQS: Standard queue with DLQ for retry handling"; throughput "Unlimited".
    const queue = region.queue('vote-buffer', { dlq: region.queue('vote-buffer-dlq') });
    // "Redis Cluster | 3 nodes"; cluster mode, vote aggregates and session cache.
    const redis = region.redis('redis', { clusterMode: true, replicas: 3 });
    const localDb = primary
      ? primaryDb
      : region.postgres('rds-postgres', { role: 'replica', replicaOf: primaryDb, replicationMode: 'async' });

    t.flow(waf, api);
    t.flow(api, alb);
    t.flow(alb, ingress);
    for (const service of [auth, vote, results]) t.flow(ingress, service);
    t.flow(auth, auth0);
    t.flow(auth, redis, { kind: 'write' });
    t.flow(vote, redis, { kind: 'write' });
    t.flow(results, redis, { kind: 'read' });
    t.flow(vote, queue, { kind: 'publish' });
    // Only us-east-1 draws a consumer (SQS1 --> VoteDeploy1); the other regions' queues are only written.
    if (primary) t.flow(queue, vote, { kind: 'consume' });
    // "Write to Primary: All votes are written to RDS US-East-1"; "EU and AP read from local replicas".
    t.flow(vote, primaryDb, { kind: 'write' });
    t.flow(results, localDb, { kind: 'read' });
    if (!primary) t.flow(primaryDb, localDb, { kind: 'replicate', replicationMode: 'async' });

    if (primary) {
      // "Shared Services": region not stated; only the us-east-1 cluster uses them (EKS1 --> ...).
      const secrets = region.secrets('secrets-manager', {
        provider: 'secrets-manager',
        description: 'DB credentials, API keys; automatic rotation',
        // "External Secrets Operator: Syncs AWS Secrets Manager to K8s Secrets"; only EKS1 is drawn using it.
        syncTo: { operator: 'external-secrets', clusters: [eks] },
      });
      const cloudwatch = region.observability('cloudwatch', { product: 'cloudwatch', signals: ['logs', 'metrics'] });
      region.containerRegistry('ecr', { provider: 'ecr' });
      // "S3: Audit logs with lifecycle policy (90 days -> Glacier)": no bucket name is stated, so none is given.
      const audit = region.objectStore('s3-audit-logs', {
        lifecycle: [{ afterDays: 90, action: 'transition', storageClass: 'glacier' }],
      });
      t.flow(eks, secrets, { kind: 'read' });
      t.flow(eks, cloudwatch, { kind: 'ingest' });
      t.flow(eks, audit, { kind: 'write' });
      // "Observability Stack": Prometheus in-cluster, Grafana dashboards over it.
      const prometheus = eks.observability('prometheus', { product: 'prometheus', signals: ['metrics'] });
      const grafana = region.observability('grafana', { product: 'grafana' });
      t.flow(grafana, prometheus, { kind: 'query' });
    }
  }
});
