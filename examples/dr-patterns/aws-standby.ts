import { type RegionRecovery, topology } from '@meridian/topology';

// The pilot light and warm standby of "Disaster Recovery of Workloads on AWS" differ only in what runs in the
// recovery region, so both examples are this one design with a different posture: Route 53 failover (fast health
// checks, 10 s x 3, 60 s TTL) between us-east-1 and us-west-2, an EKS API behind an ALB in each, and an Aurora
// global database whose secondary is promoted automatically ("RTO typically about a minute").
export function awsStandby(
  name: string,
  recovery: RegionRecovery,
  standbyReplicas: number,
  sla: { rto: number; rpo: number },
) {
  return topology(name, (t) => {
    t.sla({ availability: 99.9, rtoSeconds: sla.rto, rpoSeconds: sla.rpo });
    const users = t.client('users', { clientKind: 'users' });
    const dns = t.dns('route53', {
      routing: 'failover',
      healthCheck: { intervalSeconds: 10, failureThreshold: 3, path: '/healthz', protocol: 'https', port: 443 },
      ttlSeconds: 60,
    });
    t.flow(users, dns);
    const primary = t.region('us-east-1', { zones: 3 });
    const standby = t.region('us-west-2', { zones: 3, role: 'standby', recovery });
    const writer = primary.postgres('orders-db', { platform: 'aurora', multiAz: true, storageEncrypted: true });
    const reader = standby.postgres('orders-db', {
      platform: 'aurora',
      multiAz: true,
      storageEncrypted: true,
      role: 'replica',
      replicaOf: writer,
      promotion: 'automatic',
    });
    // Aurora global database storage-level replication: lag "typically under a second".
    t.flow(writer, reader, { kind: 'replicate', maxLagSeconds: 1 });
    for (const [region, db, role, replicas] of [
      [primary, writer, 'primary', 3],
      [standby, reader, 'secondary', standbyReplicas],
    ] as const) {
      const alb = region.loadBalancer('alb', { type: 'alb', crossZone: true });
      const eks = region.kubernetesCluster('eks', {
        nodeGroups: [{ name: 'app', instanceTypes: ['m6i.large'], min: replicas, max: 12 }],
      });
      const api = eks.deployment('api', { image: 'registry.example.com/shop/api:3.2.0', replicas });
      t.flow(dns, alb, { routing: { failover: role } });
      t.flow(alb, api);
      t.flow(api, db, { kind: 'write' });
    }
  });
}
