import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { componentProfile } from '../../src/check/component-profile.ts';
import { createContext } from '../../src/check/context.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';

// Issue 20 point 5: the services of an Azure and a Google Cloud design, each with its provider's published figure.
const azure = topology('azure', (t) => {
  const we = t.region('westeurope', { provider: 'azure', zones: 3 });
  const ne = t.region('northeurope', { provider: 'azure', zones: 3 });
  t.cdn('front-door', { provider: 'azure-front-door' });
  const aks = we.kubernetesCluster('aks', { distribution: 'aks' });
  aks.deployment('api', { image: 'api:1.0.0', replicas: 3 });
  we.service('web', { runtime: 'app-service' });
  t.globalDatabase('cosmos', {
    service: 'cosmos-db',
    regions: [we.id, ne.id],
    writeRegions: 'multi',
    consistency: 'session',
  });
  we.stream('events', { engine: 'event-hubs' });
  we.secrets('vault', { provider: 'key-vault' });
  we.postgres('pg', { platform: 'azure-flexible', multiAz: true });
  we.mysql('orders', { platform: 'azure-flexible' });
  we.redis('cache', { platform: 'azure-cache' });
  we.objectStore('blobs', { provider: 'azure-blob' });
  we.containerRegistry('acr', { provider: 'acr' });
  we.loadBalancer('lb', { type: 'azure-lb' });
});

const gcp = topology('gcp', (t) => {
  const ew1 = t.region('europe-west1', { provider: 'gcp', zones: 3 });
  const ew4 = t.region('europe-west4', { provider: 'gcp', zones: 3 });
  const gke = ew1.kubernetesCluster('gke', { distribution: 'gke' });
  gke.deployment('api', { image: 'api:1.0.0', replicas: 3 });
  ew1.service('run', { runtime: 'cloud-run' });
  ew1.postgres('sql', { platform: 'cloud-sql', multiAz: true });
  ew1.mysql('legacy', { platform: 'cloud-sql' });
  t.globalDatabase('spanner', { service: 'spanner', regions: [ew1.id, ew4.id], consistency: 'strong' });
  ew1.queue('jobs', { provider: 'pubsub' });
  ew1.objectStore('bucket', { provider: 'gcs' });
  ew1.loadBalancer('glb', { type: 'gclb' });
  ew1.redis('memorystore', { platform: 'memorystore', multiAz: true });
});

const profiles = (model: Topology) => {
  const context = createContext(model);
  return new Map(model.components.map((c) => [c.id, componentProfile(c, context).availability]));
};

describe('Azure and Google Cloud SLAs (issue 20)', () => {
  it.each([
    ['azure', azure],
    ['gcp', gcp],
  ] as const)('never holds a %s service to an AWS figure', (_name, model) => {
    for (const [id, sla] of profiles(model)) {
      expect(sla.source, id).not.toMatch(/Amazon|AWS|Route 53|Elastic Load Balancing|RDS|ElastiCache|\bEKS\b/);
    }
  });

  it('uses the published figure, with the SLA page, for each service', () => {
    const az = profiles(azure);
    expect(az.get('westeurope/aks')?.percent).toBe(99.95);
    expect(az.get('cosmos')).toMatchObject({ percent: 99.999, url: expect.stringContaining('microsoft.com') });
    expect(az.get('westeurope/pg')?.percent).toBe(99.99);
    expect(az.get('westeurope/orders')?.percent).toBe(99.9);
    expect(az.get('westeurope/vault')?.percent).toBe(99.99);
    expect(az.get('westeurope/events')?.percent).toBe(99.95);
    expect([...az].find(([id]) => id.endsWith('/api'))?.[1].source).toMatch(/Azure Virtual Machines/);
    const g = profiles(gcp);
    expect(g.get('spanner')).toMatchObject({ percent: 99.999, url: 'https://cloud.google.com/spanner/sla' });
    expect(g.get('europe-west1/gke')?.percent).toBe(99.95);
    expect(g.get('europe-west1/jobs')?.percent).toBe(99.95);
    expect([...g].find(([id]) => id.endsWith('/api'))?.[1].source).toMatch(/Compute Engine/);
  });

  it('states an unknown SLA as an assumption instead of borrowing one', () => {
    // Cloud SQL's SLA covers HA instances only: a single-zone Cloud SQL MySQL has no published figure.
    const { assumptions } = check(gcp).explain;
    expect(assumptions.find((a) => a.component === 'europe-west1/legacy')?.text).toMatch(/assumes 99.9% availability/);
    expect(profiles(gcp).get('europe-west1/legacy')?.assumed).toBe(true);
  });
});

describe('global databases and MySQL (issue 20)', () => {
  it('gives Spanner and a strong Cosmos DB account no data loss on losing a region, a weaker one no bound unless stated', () => {
    const rpo = (consistency: 'strong' | 'session', maxLagSeconds?: number) =>
      check(
        topology('cosmos', (t) => {
          t.sla({ rpoSeconds: 5 });
          const a = t.region('westeurope', { provider: 'azure' });
          const b = t.region('northeurope', { provider: 'azure' });
          t.globalDatabase('cosmos', {
            service: 'cosmos-db',
            regions: [a.id, b.id],
            consistency,
            ...(maxLagSeconds === undefined ? {} : { maxLagSeconds }),
          });
        }),
        { rules: ['rpo'] },
      );
    expect(rpo('strong').explain.budgets.rpo[0]?.windowSeconds).toBe(0);
    expect(rpo('session').findings.map((f) => f.severity)).toEqual(['warning']);
    expect(rpo('session', 60).findings.map((f) => f.severity)).toEqual(['error']);
  });

  it('refuses a global database in a region the topology does not declare', () => {
    expect(() =>
      topology('typo', (t) => {
        t.region('westeurope', { provider: 'azure' });
        t.globalDatabase('cosmos', { service: 'cosmos-db', regions: ['westeurop'], consistency: 'session' });
      }),
    ).toThrow(/unknown region 'westeurop'/);
  });

  it.each([
    ['cosmos-db', 'multi', 'strong', /Cosmos DB offers no strong consistency with multi-region writes/],
    ['spanner', 'single', 'eventual', /Spanner is strongly consistent/],
  ] as const)('refuses %s with %s-region writes at %s consistency', (service, writeRegions, consistency, message) => {
    expect(() =>
      topology('consistency', (t) => {
        const a = t.region('westeurope', { provider: 'azure' });
        t.globalDatabase('db', { service, regions: [a.id], writeRegions, consistency });
      }),
    ).toThrow(message);
  });

  it('promotes a MySQL replica in another region like a PostgreSQL one', () => {
    const model = topology('mysql', (t) => {
      t.sla({ rtoSeconds: 60 });
      const a = t.region('us-east-1');
      const primary = a.mysql('db', { platform: 'aurora', engine: 'aurora-mysql', multiAz: true });
      const replica = t.region('us-west-2').mysql('db', {
        platform: 'aurora',
        engine: 'aurora-mysql',
        role: 'replica',
        replicaOf: primary,
        promotion: 'automatic',
      });
      t.flow(primary, replica, { kind: 'replicate' });
    });
    const [budget] = check(model).explain.budgets.rto;
    expect(budget).toMatchObject({ store: 'us-east-1/db', promotionSeconds: 60 });
  });
});
