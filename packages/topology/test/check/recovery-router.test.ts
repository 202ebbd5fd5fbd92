import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { recoveryClass } from '../../src/check/recovery.ts';
import { topology } from '../../src/dsl/topology.ts';

/*
 * recovery.ts's small decisions, each on its boundary (issue 22, Stryker's survivors of 2026-12-03): the class of a
 * recovery time, which component is the failover router, which databases are primary stores, and which replicas
 * count as copies in another region.
 */

describe('recoveryClass: the bounds are inclusive', () => {
  it('120 s is near zero, 600 s minutes, 3600 s tens of minutes; one second more is the next class', () => {
    expect([0, 120, 121, 600, 601, 3600, 3601].map(recoveryClass)).toEqual([
      'near zero',
      'near zero',
      'minutes',
      'minutes',
      'tens of minutes',
      'tens of minutes',
      'hours',
    ]);
  });
});

type RouterCase = {
  dns?: { routing: 'simple' | 'latency' | 'failover'; healthCheck?: boolean };
  lb?: { probe: boolean };
  cdn?: { probe: boolean };
};

// One primary in us-east-1 with an automatically promoted replica in eu-west-1, behind the routers given.
const routed = (routers: RouterCase) =>
  topology('routers', (t) => {
    t.sla({ rtoSeconds: 3600 });
    const probe = { intervalSeconds: 5, failureThreshold: 2 };
    if (routers.dns)
      t.dns('dns', {
        routing: routers.dns.routing,
        ...(routers.dns.healthCheck ? { healthCheck: { intervalSeconds: 10, failureThreshold: 3 } } : {}),
      });
    if (routers.cdn) t.cdn('cdn', routers.cdn.probe ? { healthProbe: probe } : {});
    const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
    if (routers.lb) us.loadBalancer('lb', { type: 'alb', ...(routers.lb.probe ? { healthProbe: probe } : {}) });
    const db = us.postgres('db', { multiAz: true });
    eu.postgres('db', { multiAz: true, role: 'replica', replicaOf: db, promotion: 'automatic' });
  });
const routerOf = (routers: RouterCase) => {
  const [budget] = check(routed(routers), { rules: ['rto'] }).explain.budgets.rto;
  return [budget?.dns ?? null, budget?.detectionSeconds];
};

describe('the failover router', () => {
  it('a health-checked DNS routing between regions comes before a probing entry point', () => {
    expect(routerOf({ dns: { routing: 'latency', healthCheck: true }, lb: { probe: true } })).toEqual(['dns', 30]);
  });

  it('a DNS that routes nothing (simple), or has no health check, gives way to a probing load balancer or CDN', () => {
    expect(routerOf({ dns: { routing: 'simple', healthCheck: true }, lb: { probe: true } })).toEqual([
      'us-east-1/lb',
      10,
    ]);
    expect(routerOf({ dns: { routing: 'latency' }, cdn: { probe: true } })).toEqual(['cdn', 10]);
    // A failover DNS is the router with or without a health check (Route 53's defaults: 30 s x 3).
    expect(routerOf({ dns: { routing: 'failover' }, cdn: { probe: true } })).toEqual(['dns', 90]);
  });

  it('an entry point without a probe is no router: nobody moves traffic, promotion waits for a person', () => {
    const [router, detection] = routerOf({ lb: { probe: false }, cdn: { probe: false } });
    expect(router).toBeNull();
    expect(detection).toBeGreaterThan(90);
  });
});

describe('primary stores and their copies', () => {
  it('a replica with no source named is no primary store; a replica in the same region is no copy elsewhere', () => {
    const model = topology('stores', (t) => {
      t.sla({ rtoSeconds: 3600 });
      t.dns('dns', { routing: 'failover' });
      const us = t.region('us-east-1');
      t.region('eu-west-1');
      const db = us.postgres('db', { multiAz: true });
      us.postgres('db-local', { multiAz: true, role: 'replica', replicaOf: db, promotion: 'automatic' });
      // A read replica whose source lives outside the model.
      us.postgres('reporting', { multiAz: true, role: 'replica' });
    });
    const budgets = check(model, { rules: ['rto'] }).explain.budgets.rto;
    expect(budgets.map((b) => [b.store, b.promotion])).toEqual([
      ['us-east-1/db', 'no replica of us-east-1/db outside us-east-1: restore from backup (~3600 s)'],
    ]);
  });
});
