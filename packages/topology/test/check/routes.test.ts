import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { topology } from '../../src/dsl/topology.ts';

// Issue 20 point 1: an ingress's routing rules are traffic. A backend reached only through a rule is on the request
// path, so its own single points of failure are found and its SLA counts.
const ruleOnly = topology('rule-only', (t) => {
  t.sla({ availability: 99.9 });
  const users = t.client('users', { clientKind: 'users' });
  const eu = t.region('eu-west-1', { zones: 3 });
  const alb = eu.loadBalancer('alb', { type: 'alb' });
  const eks = eu.kubernetesCluster('eks');
  const api = eks.deployment('api', { image: 'api:1.0.0', replicas: 3 });
  const db = eu.postgres('db');
  const ingress = eks.ingress('web', { className: 'alb', rules: [{ path: '/api', backend: api }] });
  t.flow(users, alb);
  t.flow(alb, ingress);
  t.flow(api, db, { kind: 'write' });
});

describe('ingress rules are request paths (issue 20)', () => {
  it('finds the single-AZ database behind a backend reached only by an ingress rule', () => {
    const { findings } = check(ruleOnly, { rules: ['spof'] });
    const db = ruleOnly.components.find((c) => c.kind === 'postgres')?.id as string;
    expect(findings.map((f) => f.components[0])).toContain(db);
  });

  it('counts the backend and its database in the entry point availability', () => {
    const { explain } = check(ruleOnly, { rules: ['sla'] });
    const users = explain.availability.find((a) => a.entry === 'users');
    const db = ruleOnly.components.find((c) => c.kind === 'postgres')?.id as string;
    expect(users?.series.map((f) => f.component)).toContain(db);
    // ALB 99.99 x EKS 99.95 x pods 99.99 x ALB-class ingress 99.99 x RDS single-AZ 99.5
    expect(users?.percent).toBeLessThan(99.5);
  });
});
