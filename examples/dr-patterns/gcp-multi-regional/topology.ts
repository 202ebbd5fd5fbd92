import { topology } from '@meridian/topology';

// Google Cloud's multi-regional deployment archetype: a global external Application Load Balancer in front of GKE
// in two regions, and a multi-region Spanner instance as the database; Pub/Sub (global) carries events.
export default topology('gcp-multi-regional', (t) => {
  t.sla({ availability: 99.95, rtoSeconds: 120, rpoSeconds: 0 });
  const users = t.client('users', { clientKind: 'users' });
  const lb = t.loadBalancer('global-lb', {
    type: 'gclb',
    healthProbe: { intervalSeconds: 5, failureThreshold: 2, path: '/healthz', protocol: 'https' },
    waf: { provider: 'cloud-armor' },
  });
  t.flow(users, lb);
  const regions = [
    t.region('europe-west1', { provider: 'gcp', zones: 3 }),
    t.region('europe-west4', { provider: 'gcp', zones: 3, recovery: { posture: 'active', failover: 'automatic' } }),
  ];
  const spanner = t.globalDatabase('spanner', {
    service: 'spanner',
    regions: regions.map((r) => r.id),
    consistency: 'strong',
  });
  const events = t.queue('order-events', { provider: 'pubsub' });
  for (const region of regions) {
    const gke = region.kubernetesCluster('gke', {
      distribution: 'gke',
      nodeGroups: [{ name: 'app', instanceTypes: ['e2-standard-4'], min: 3, max: 12 }],
    });
    const api = gke.deployment('api', { image: 'europe-docker.pkg.dev/example/shop/api:2.0.1', replicas: 3 });
    const worker = gke.deployment('fulfilment', {
      image: 'europe-docker.pkg.dev/example/shop/fulfilment:2.0.1',
      replicas: 2,
    });
    t.flow(lb, api);
    t.flow(api, spanner, { kind: 'write' });
    t.flow(api, events, { kind: 'publish' });
    t.flow(events, worker, { kind: 'consume' });
    t.flow(worker, spanner, { kind: 'write' });
  }
});
