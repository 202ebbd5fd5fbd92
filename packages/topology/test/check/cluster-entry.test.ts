import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';

// The same design written two ways (examples/hld-global writes `alb -> eks`): a flow to the cluster must reach the
// workloads it runs, as a flow drawn to them does, so capacity, availability and spof give one verdict.
const design = (to: 'cluster' | 'workload', options: { regions?: number; ingress?: boolean } = {}): Topology =>
  topology('cluster-entry', (t) => {
    t.sla({ peakRps: 25_000, availability: 99.9 });
    const users = t.client('users', { clientKind: 'users' });
    const dns = t.dns('dns', { routing: 'failover', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
    t.flow(users, dns);
    const codes = ['eu-west-1', 'us-east-1'] as const;
    for (const code of codes.slice(0, options.regions ?? 1)) {
      const region = t.region(code, { zones: 3 });
      const alb = region.loadBalancer('alb', { type: 'alb' });
      const eks = region.kubernetesCluster('eks', { nodeGroups: [{ name: 'app', min: 3, max: 6 }] });
      // Three instances of 10,000 rps: a lost zone leaves 20,000, below the 25,000 peak.
      const api = eks.deployment('api', { image: 'api:1.0.0', replicas: 3, maxRps: 30_000 });
      // A GitOps agent: no ports, no capacity, nothing routes to it; it serves no request.
      eks.deployment('argocd', { image: 'argocd:2.0.0', replicas: 1 });
      const db = region.postgres('db', { multiAz: true });
      t.flow(api, db, { kind: 'write' });
      t.flow(dns, alb, { routing: { failover: code === 'eu-west-1' ? 'primary' : 'secondary' } });
      if (options.ingress) {
        const ingress = eks.ingress('ingress', { className: 'nginx', rules: [{ path: '/', backend: api }] });
        t.flow(alb, to === 'cluster' ? eks : ingress);
      } else t.flow(alb, to === 'cluster' ? eks : api);
    }
  });

const verdicts = (model: Topology) => {
  const result = check(model);
  return {
    n1: result.explain.n1.map((row) => ({ scenario: row.scenario, capacityRps: row.capacityRps })),
    capacity: result.findings.filter((f) => f.rule === 'capacity-n1').map((f) => f.message),
    availability: result.explain.availability.map((entry) => entry.percent),
    spof: result.findings.filter((f) => f.rule === 'spof').map((f) => f.components[0]),
    sla: result.findings.filter((f) => f.rule === 'sla').length,
  };
};

describe('a flow to a cluster reaches the workloads it runs', () => {
  for (const [name, options] of [
    ['one region', {}],
    ['two regions behind failover DNS', { regions: 2 }],
    ['through an Ingress', { ingress: true }],
  ] as const) {
    it(`gives the verdicts of flows to the workloads: ${name}`, () => {
      const byCluster = verdicts(design('cluster', options));
      const byWorkload = verdicts(design('workload', options));
      expect(byCluster).toEqual(byWorkload);
    });
  }

  it('reports the design over capacity with the zone lost, either way', () => {
    const { n1, capacity } = verdicts(design('cluster'));
    expect(n1[0]?.capacityRps).toBe(30_000);
    expect(Math.min(...n1.map((row) => row.capacityRps))).toBeCloseTo(20_000, 6);
    expect(capacity).toHaveLength(1);
    expect(capacity[0]).toContain('bottleneck: eu-west-1/eks/api');
  });

  it('says which workloads it took the flow to reach, and leaves out the agent that listens for nothing', () => {
    const explained = check(design('cluster'))
      .explain.assumptions.map((a) => a.text)
      .join('\n');
    expect(explained).toContain('assumes eu-west-1/alb -> eu-west-1/eks reaches eu-west-1/eks/api (');
    expect(explained).not.toContain('argocd (');
  });

  it('says so when nothing in the cluster listens for requests, instead of a silent unlimited capacity', () => {
    const model = topology('opaque', (t) => {
      t.sla({ peakRps: 25_000 });
      const region = t.region('eu-west-1', { zones: 3 });
      const alb = region.loadBalancer('alb', { type: 'alb' });
      const eks = region.kubernetesCluster('eks');
      eks.deployment('argocd', { image: 'argocd:2.0.0' });
      t.flow(t.client('users', { clientKind: 'users' }), alb);
      t.flow(alb, eks);
    });
    const result = check(model);
    expect(result.explain.n1[0]?.capacityRps).toBe(Number.POSITIVE_INFINITY);
    expect(result.explain.assumptions.map((a) => a.text).join('\n')).toContain(
      'assumes eu-west-1/alb -> eu-west-1/eks reaches the cluster alone: no workload in it listens for requests',
    );
  });
});
