import { topology } from '@meridian/topology';

// Backup and restore: one region serves; the recovery region holds only backup copies, and everything else is
// deployed from code after someone decides to fail over (AWS: "RPO/RTO: hours").
export default topology('aws-backup-restore', (t) => {
  t.sla({ availability: 99.8, rtoSeconds: 4 * 3600, rpoSeconds: 24 * 3600 });
  const users = t.client('users', { clientKind: 'users' });
  const dns = t.dns('route53', {
    routing: 'failover',
    healthCheck: { intervalSeconds: 30, failureThreshold: 3, path: '/healthz', protocol: 'https', port: 443 },
    ttlSeconds: 60,
  });
  t.flow(users, dns);
  const primary = t.region('us-east-1', { zones: 3 });
  const recovery = t.region('us-west-2', {
    zones: 3,
    role: 'dr',
    recovery: { posture: 'backup-restore', failover: 'manual' },
  });
  // AWS Backup copies the snapshots to a vault in the recovery region every 4 hours.
  const vault = recovery.objectStore('backup-vault', { versioning: true, encryption: 'sse-kms' });
  const db = primary.postgres('orders-db', {
    platform: 'rds',
    multiAz: true,
    storageEncrypted: true,
    backup: { retentionDays: 35, intervalSeconds: 4 * 3600, crossRegionCopy: true, destination: vault },
  });
  const alb = primary.loadBalancer('alb', { type: 'alb', crossZone: true });
  const eks = primary.kubernetesCluster('eks', {
    nodeGroups: [{ name: 'app', instanceTypes: ['m6i.large'], min: 3, max: 12 }],
  });
  const api = eks.deployment('api', { image: 'registry.example.com/shop/api:3.2.0', replicas: 3 });
  t.flow(dns, alb);
  t.flow(alb, api);
  t.flow(api, db, { kind: 'write' });
});
