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

// Issue 20 point 2: Front Door sends `/api/*` to the API in two regions and `/*` to a static site in two regions.
// Every API request needs the one database and the identity provider; the static site needs neither.
const pathRouted = (requests: boolean) =>
  topology('path-routed', (t) => {
    t.sla({ availability: 99.99 });
    const users = t.client('users', { clientKind: 'users' });
    const door = t.cdn('front-door', {
      provider: 'azure-front-door',
      healthProbe: { intervalSeconds: 30, failureThreshold: 2 },
      waf: { provider: 'azure-waf', mode: 'prevention' },
    });
    const idp = t.external('idp', { vendor: 'Entra ID', sla: { availability: 99.99 } });
    t.flow(users, door);
    const we = t.region('westeurope', { provider: 'azure' });
    const db = we.postgres('db', { platform: 'azure-flexible', multiAz: true });
    for (const region of [we, t.region('northeurope', { provider: 'azure' })]) {
      const api = region.service('api', { runtime: 'app-service', replicas: 2 });
      const site = region.objectStore('site', { provider: 'azure-blob' });
      t.flow(door, api, requests ? { routing: { requests: ['/api/*'] } } : {});
      t.flow(door, site, requests ? { routing: { requests: ['/*'] } } : {});
      t.flow(api, db, { kind: 'write' });
      t.flow(api, idp);
    }
  });

describe('routes serving different requests are not alternatives (issue 20)', () => {
  it('keeps the database and the identity provider every API request needs in series', () => {
    const users = check(pathRouted(true), { rules: ['sla'] }).explain.availability.find((a) => a.entry === 'users');
    const series = users?.series.map((f) => f.component) ?? [];
    expect(series).toContain('idp');
    expect(series).toContain('westeurope/db');
    // One group of alternatives per request, each of the two regions.
    expect(users?.parallel.map((p) => p.branches.length)).toEqual([2, 2]);
  });

  it('reports a lower availability than composing all four routes in parallel does', () => {
    const routed = check(pathRouted(true), { rules: ['sla'] }).explain.availability[0]?.percent ?? 100;
    const pooled = check(pathRouted(false), { rules: ['sla'] }).explain.availability[0]?.percent ?? 0;
    expect(routed).toBeLessThan(pooled);
    // idp 99.99 x db 99.99 alone is 99.98: the API path cannot do better than that.
    expect(routed).toBeLessThan(99.98);
  });

  it('fails over on the entry point health probe, with no DNS TTL, and adds no WAF in series', () => {
    const users = check(pathRouted(true), { rules: ['sla'] }).explain.availability[0];
    const failovers = users?.parallel.map((p) => p.failover?.failover) ?? [];
    expect(failovers).toEqual([
      expect.stringContaining('front-door health probe 30 s x 2 (no DNS TTL)'),
      expect.anything(),
    ]);
    expect(users?.series.map((f) => f.component)).not.toContain('azure-waf');
  });
});
