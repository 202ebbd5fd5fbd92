/**
 * The topology.ts `meridian init` writes: a small sound design (two EU regions, DNS failover, a replicated
 * database) that `meridian check` passes, commented so that each line says what it means and which rule reads it.
 * packages/cli/test/init.test.ts checks that it loads and checks clean; the end-to-end test type-checks it.
 */
export function topologyTemplate(name: string): string {
  return `// ${name}: your platform as one typed model.
//   npm run check                     what cannot meet the objectives, before anything is deployed
//   npm run check -- --explain        the availability, RTO/RPO and N-1 arithmetic behind it
//   npm run diagrams                  diagrams into diagrams/: the whole, each region, each tier, the data
// Every call returns a reference that you pass on (to flows, replicas): a typo or a reference of the wrong kind
// is a compile error (npm run typecheck), and every finding points at the line that declared the component.
import { type RegionScope, topology } from '@meridian/topology';

export default topology(${JSON.stringify(name)}, (t) => {
  // The objectives every check measures the design against: availability (%), peak requests per second, how long
  // a lost region may stay down (RTO) and how much of its data may be lost (RPO), both in seconds.
  t.sla({ availability: 99.95, peakRps: 2_000, rtoSeconds: 900, rpoSeconds: 60 });

  // Where data may go: components and flows that carry eu-personal must stay in the EU (rule residency).
  const personal = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
  const carries = [personal];

  const users = t.client('users', { clientKind: 'users', dataClasses: carries });
  // DNS fails over between the regions; its health check is how fast a dead region is left (rule rto).
  const dns = t.dns('route53', {
    provider: 'route53',
    routing: 'failover',
    ttlSeconds: 60,
    healthCheck: { intervalSeconds: 10, failureThreshold: 3, path: '/healthz', protocol: 'https', port: 443 },
  });
  t.flow(users, dns, { carries });

  // One complete stack per region over three zones: losing a zone or a whole region loses no service.
  const stack = (region: RegionScope, failover: 'primary' | 'secondary') => {
    const alb = region.loadBalancer('alb', { type: 'alb', scheme: 'internet-facing', crossZone: true });
    const eks = region.kubernetesCluster('eks', {
      // The Kubernetes API reachable only from inside the VPC. Left unstated, EKS makes it public and open to
      // 0.0.0.0/0, and check warns (rule security); 'public' with publicAccessCidrs of your offices and CI also passes.
      endpointAccess: 'private',
      nodeGroups: [{ name: 'general', instanceTypes: ['m6i.xlarge'], min: 3, max: 12, zones: [...region.zones] }],
    });
    const api = eks.deployment('api', {
      image: 'registry.example.eu/api:1.0.0',
      replicas: { min: 3, max: 12 },
      // What one region serves at most: each must carry the whole peak alone when the other is lost (capacity-n1).
      maxRps: 4_000,
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      probes: { readiness: { path: '/readyz', port: 8080 } },
      hpa: { metrics: [{ type: 'cpu', target: 70 }] },
      pdb: { minAvailable: '50%' },
      dataClasses: carries,
    });
    t.flow(dns, alb, { routing: { failover }, carries });
    t.flow(alb, api, { carries });
    return api;
  };
  const primary = t.region('eu-west-1', { role: 'primary', jurisdiction: 'EU', zones: 3 });
  const secondary = t.region('eu-central-1', { role: 'secondary', jurisdiction: 'EU', zones: 3 });
  const primaryApi = stack(primary, 'primary');
  const secondaryApi = stack(secondary, 'secondary');

  // The database: Multi-AZ, replicated to the other region and promoted there on failover. Remove the replica and
  // check reports that losing eu-west-1 loses every write (rule rpo) and takes hours to restore (rule rto).
  const backup = { retentionDays: 7, pitr: true };
  const db = primary.postgres('orders', { multiAz: true, storageEncrypted: true, backup });
  const replica = secondary.postgres('orders', {
    multiAz: true,
    storageEncrypted: true,
    backup,
    role: 'replica',
    replicaOf: db,
    replicationMode: 'async',
    promotion: 'automatic',
  });
  t.flow(primaryApi, db, { kind: 'write', carries });
  t.flow(secondaryApi, replica, { kind: 'write', carries });
  t.flow(db, replica, { kind: 'replicate', replicationMode: 'async', maxLagSeconds: 1, carries });
});
`;
}
