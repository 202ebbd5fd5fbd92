import { topology } from '@meridian/topology';

// Multi-site active/active: both regions serve at production size and write to a DynamoDB global table
// (AWS: "RPO/RTO: real-time"). Route 53 latency routing with health checks takes a failed region out.
export default topology('aws-active-active', (t) => {
  t.sla({ availability: 99.99, rtoSeconds: 120, rpoSeconds: 5 });
  const users = t.client('users', { clientKind: 'users' });
  const dns = t.dns('route53', {
    routing: 'latency',
    healthCheck: { intervalSeconds: 10, failureThreshold: 3, path: '/healthz', protocol: 'https', port: 443 },
    ttlSeconds: 60,
  });
  t.flow(users, dns);
  const east = t.region('us-east-1', { zones: 3 });
  const west = t.region('us-west-2', { zones: 3, recovery: { posture: 'active', failover: 'automatic' } });
  // DynamoDB global tables replicate every write to the other regions, typically within a second; last writer wins.
  const table = t.globalDatabase('orders', {
    service: 'dynamodb',
    regions: [east.id, west.id],
    writeRegions: 'multi',
    consistency: 'eventual',
    maxLagSeconds: 1,
  });
  for (const region of [east, west]) {
    const alb = region.loadBalancer('alb', { type: 'alb', crossZone: true });
    const eks = region.kubernetesCluster('eks', {
      nodeGroups: [{ name: 'app', instanceTypes: ['m6i.large'], min: 3, max: 12 }],
    });
    const api = eks.deployment('api', { image: 'registry.example.com/shop/api:3.2.0', replicas: 3 });
    t.flow(dns, alb);
    t.flow(alb, api);
    t.flow(api, table, { kind: 'write' });
  }
});
