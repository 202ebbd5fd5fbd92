import { type RegionScope, topology } from '@meridian/topology';

// Seed 003 ("Multi-Region Deployment Guide"), modelled as written, flaws included:
// this file is an input for `meridian check`, not a design to copy. See README.md for the inventory.

export default topology('aragora', (t) => {
  // "Disaster Recovery": RTO < 5 minutes, RPO < 1 minute.
  t.sla({ rtoSeconds: 300, rpoSeconds: 60 });

  const users = t.client('users', { clientKind: 'users' });
  // "Global LB | Geographic DNS routing"; "CloudFlare (recommended)". The health-check settings are not given,
  // so Cloudflare's monitor defaults apply (Load Balancing API: interval 60 s, retries 2).
  const globalLb = t.dns('global-lb', {
    provider: 'cloudflare',
    routing: 'geolocation',
    healthCheck: { intervalSeconds: 60, failureThreshold: 2 },
  });
  t.flow(users, globalLb);

  // The diagram and "Deploy Primary Region (US-EAST-1)" say us-east-1; every command, env var, Helm values file
  // and `database.replicaOf` says us-east-2. The region is the one the commands deploy to, under the diagram's name.
  const useast = t.region('us-east-2', { id: 'us-east-1', role: 'primary', jurisdiction: 'US' });
  const euwest1 = t.region('eu-west-1', { role: 'secondary', jurisdiction: 'EU' });
  const apsouth1 = t.region('ap-south-1', { role: 'secondary', jurisdiction: 'IN' });

  // Each region runs the same Helm chart ("3. Deploy Secondary Regions": the same `helm upgrade` per region).
  const stack = (region: RegionScope, name: string, primary: boolean) => {
    // "Kubernetes | Per-region clusters"; "Istio | Service mesh & mTLS".
    const k8s = region.kubernetesCluster('k8s', { serviceMesh: { provider: 'istio', mtls: true } });
    const app = k8s.deployment('aragora', {
      description: 'Helm release ./helm/aragora',
      // "Automatic Failover" 2: "Circuit Breakers: Application-level (see `platform_resilience.py`)"; no settings given.
      resilience: { circuitBreaker: { layer: 'application', implementation: 'platform_resilience.py' } },
      probes: { liveness: { path: '/health/live' }, readiness: { path: '/health/ready' } },
      env: {
        ARAGORA_REGION: name,
        ARAGORA_PRIMARY: String(primary),
        FEDERATION_ENABLED: 'true',
        REDIS_URL: `redis://redis.${name}:6379`,
      },
    });
    // "Redis | Distributed state sync".
    const redis = region.redis('redis', { clusterMode: true });
    t.flow(globalLb, app);
    t.flow(app, redis, { kind: 'write' });
    return { region, app, redis };
  };
  const us = stack(useast, 'us-east-2', true);
  const eu = stack(euwest1, 'eu-west-1', false);
  const ap = stack(apsouth1, 'ap-south-1', false);

  // "PostgreSQL | Primary + read replicas"; the diagram chains them: Primary ──► Replica ──► Replica
  // (the Helm commands instead point both at us-east-2). "Replication Lag" dashboards: replication is async.
  // "Manual Failover": ./scripts/promote-region.sh eu-west-1. "Backup Frequency | Every 6 hours";
  // "Cross-Region Backup Replication | Real-time".
  const usDb = us.region.postgres('postgres', { backup: { intervalSeconds: 6 * 3600, crossRegionCopy: true } });
  const euDb = eu.region.postgres('postgres', {
    role: 'replica',
    replicaOf: usDb,
    replicationMode: 'async',
    promotion: 'manual',
  });
  const apDb = ap.region.postgres('postgres', {
    role: 'replica',
    replicaOf: euDb,
    replicationMode: 'async',
    promotion: 'manual',
  });
  t.flow(usDb, euDb, { kind: 'replicate', replicationMode: 'async' });
  t.flow(euDb, apDb, { kind: 'replicate', replicationMode: 'async' });
  // DATABASE_URL is the "Regional PostgreSQL endpoint", whatever that region holds.
  for (const [s, db] of [
    [us, usDb],
    [eu, euDb],
    [ap, apDb],
  ] as const)
    t.flow(s.app, db, { kind: 'write' });

  // The diagram's ◄──► links: clusters federate through the Istio mesh, Redis clusters sync state, both ways,
  // us-east <-> eu-west-1 <-> ap-south-1.
  for (const [a, b] of [
    [us, eu],
    [eu, ap],
  ] as const) {
    t.flow(a.app, b.app);
    t.flow(b.app, a.app);
    t.flow(a.redis, b.redis, { kind: 'replicate' });
    t.flow(b.redis, a.redis, { kind: 'replicate' });
  }

  // "Monitoring": Grafana dashboards over every region (regional health, replication lag, federation status).
  const grafana = t.observability('grafana', { product: 'grafana' });
  for (const s of [us, eu, ap]) t.flow(grafana, s.app, { kind: 'read' });
});
