import { topology } from '@meridian/topology';

// Azure mission-critical baseline: Front Door (with its WAF policy and origin health probes) in front of identical
// regional stamps, each an AKS cluster with its own Key Vault and Event Hubs, and a Cosmos DB account with
// multi-region writes as the global store. Front Door sends /api/* to the stamps' API and /* to each stamp's
// static web storage: two requests, not two alternatives.
export default topology('azure-mission-critical', (t) => {
  t.sla({ availability: 99.95, rtoSeconds: 120, rpoSeconds: 60 });
  const users = t.client('users', { clientKind: 'users' });
  const door = t.cdn('front-door', {
    provider: 'azure-front-door',
    cachesDynamic: false,
    healthProbe: { intervalSeconds: 30, failureThreshold: 2, path: '/health/stamp', protocol: 'https' },
    waf: { provider: 'azure-waf', mode: 'prevention', managedRules: ['Microsoft_DefaultRuleSet'] },
  });
  t.flow(users, door);
  const stamps = [
    t.region('northeurope', { provider: 'azure', zones: 3 }),
    t.region('westeurope', { provider: 'azure', zones: 3, recovery: { posture: 'active', failover: 'automatic' } }),
  ];
  const cosmos = t.globalDatabase('cosmos', {
    service: 'cosmos-db',
    regions: stamps.map((s) => s.id),
    writeRegions: 'multi',
    consistency: 'session',
    zoneRedundant: true,
  });
  for (const stamp of stamps) {
    const aks = stamp.kubernetesCluster('aks', {
      distribution: 'aks',
      nodeGroups: [{ name: 'workload', instanceTypes: ['Standard_D4s_v5'], min: 3, max: 12 }],
    });
    const api = aks.deployment('catalog-api', { image: 'acr.example.azurecr.io/catalog-api:1.8.0', replicas: 3 });
    const worker = aks.deployment('background-processor', {
      image: 'acr.example.azurecr.io/background-processor:1.8.0',
      replicas: 3,
    });
    // The UI's storage static website, published by the release pipeline (which the topology does not draw).
    const web = stamp.objectStore('static-web', { provider: 'azure-blob' });
    const vault = stamp.secrets('key-vault', { provider: 'key-vault' });
    const events = stamp.stream('event-hubs', { engine: 'event-hubs' });
    t.flow(door, api, { routing: { requests: ['/api/*'] } });
    t.flow(door, web, { kind: 'read', routing: { requests: ['/*'] } });
    t.flow(api, cosmos, { kind: 'read' });
    t.flow(api, events, { kind: 'publish' });
    t.flow(events, worker, { kind: 'consume' });
    t.flow(worker, cosmos, { kind: 'write' });
    // The CSI driver mounts secrets when a pod starts: off the request path, needed to start (in-stamp vault).
    t.flow(api, vault, { kind: 'read', when: 'startup' });
    t.flow(worker, vault, { kind: 'read', when: 'startup' });
  }
});
