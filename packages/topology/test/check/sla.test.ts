import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { sla } from '../../src/check/rules/sla.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

// users -> ALB (99.99, ELB SLA) -> Lambda (99.95) -> RDS Multi-AZ (99.95): 0.9999 x 0.9995 x 0.9995 = 99.89%.
const oneRegion = (target: number, availability?: number): Topology =>
  topology('one-region', (t) => {
    t.sla({ availability: target });
    const users = t.client('users', { clientKind: 'users' });
    const eu = t.region('eu-west-1');
    const alb = eu.loadBalancer('alb', { type: 'alb' });
    const api = eu.service('api', { runtime: 'lambda' });
    const db = eu.postgres('db', { multiAz: true, ...(availability === undefined ? {} : { availability }) });
    t.flow(users, alb);
    t.flow(alb, api);
    t.flow(api, db, { kind: 'write' });
  });

// Two regions behind failover DNS, both writing to one database in the first region.
const sharedDatabase = topology('shared-db', (t) => {
  t.sla({ availability: 99.99 });
  const users = t.client('users', { clientKind: 'users' });
  const dns = t.dns('dns', { routing: 'failover', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
  t.flow(users, dns);
  const us = t.region('us-east-1');
  const db = us.postgres('db', { multiAz: true });
  for (const [region, role] of [
    [us, 'primary'],
    [t.region('eu-west-1'), 'secondary'],
  ] as const) {
    const api = region.service('api', { runtime: 'lambda' });
    t.flow(dns, api, { routing: { failover: role } });
    t.flow(api, db, { kind: 'write' });
  }
});

// Active/standby regions: the standby's database is a replica of the primary's, promoted as `promotion` says.
const standbyReplica = (promotion: 'manual' | 'automatic') =>
  topology('standby', (t) => {
    t.sla({ availability: 99.98 });
    const users = t.client('users', { clientKind: 'users' });
    const dns = t.dns('dns', { routing: 'failover', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
    t.flow(users, dns);
    const us = t.region('us-east-1');
    const eu = t.region('eu-west-1');
    const primary = us.postgres('db', { multiAz: true });
    const replica = eu.postgres('db', { role: 'replica', replicaOf: primary, promotion, multiAz: true });
    t.flow(primary, replica, { kind: 'replicate' });
    for (const [region, db, role] of [
      [us, primary, 'primary'],
      [eu, replica, 'secondary'],
    ] as const) {
      const api = region.service('api', { runtime: 'lambda' });
      t.flow(dns, api, { routing: { failover: role } });
      t.flow(api, db, { kind: 'write' });
    }
  });

testRule(sla, {
  valid: [
    {
      name: 'the same standby region with automatic promotion meets 99.98%',
      model: standbyReplica('automatic'),
    },
    {
      name: 'no availability target: nothing to measure',
      model: topology('no-target', (t) => {
        const eu = t.region('eu-west-1');
        t.flow(t.client('users', { clientKind: 'users' }), eu.postgres('db'), { kind: 'read' });
      }),
    },
    { name: 'one region at 99.89% against a 99.85% target', model: oneRegion(99.85) },
    { name: 'a declared availability override lifts the path', model: oneRegion(99.9, 99.999) },
    {
      name: 'two independent regions behind failover DNS reach 99.99%',
      model: topology('two-regions', (t) => {
        t.sla({ availability: 99.99 });
        const users = t.client('users', { clientKind: 'users' });
        const dns = t.dns('dns', { routing: 'failover', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
        t.flow(users, dns);
        for (const [code, role] of [
          ['eu-west-1', 'primary'],
          ['eu-central-1', 'secondary'],
        ] as const) {
          const r = t.region(code);
          const alb = r.loadBalancer('alb', { type: 'alb' });
          const api = r.service('api', { runtime: 'lambda' });
          t.flow(dns, alb, { routing: { failover: role } });
          t.flow(alb, api);
          t.flow(api, r.postgres('db', { multiAz: true }), { kind: 'write' });
        }
      }),
    },
  ],
  invalid: [
    {
      name: 'a standby region behind a manual promotion does not cover the first 16 minutes of an outage',
      model: standbyReplica('manual'),
      // Independent branches of 99.9% would give 99.9999%; 990 s of each 1 h incident uncovered gives 99.972%.
      findings: [{ culprit: 'dns', message: ['99.972', 'below the 99.98% target', '(0.275 + 0.725 ×'] }],
    },
    {
      name: 'one region at 99.89% against a 99.9% target',
      model: oneRegion(99.9),
      findings: [
        {
          culprit: 'eu-west-1/api',
          components: ['users'],
          message: [
            '99.890035% is below the 99.9% target',
            '99.95% (eu-west-1/api)',
            '99.99% (eu-west-1/alb)',
            'Amazon RDS SLA, Multi-AZ: 99.95%',
          ],
        },
      ],
    },
    {
      name: 'a database shared by both failover regions counts once, in series (it is not redundancy)',
      model: sharedDatabase,
      findings: [
        {
          culprit: 'us-east-1/db',
          message: [
            '99.95% (us-east-1/db)',
            '[1 − (1 − 99.95%) × (0.025 + 0.975 × (1 − 99.95%))] (dns)',
            // By hand: the database once in series, each branch only its own api (99.95%), 90 s of an hour uncovered:
            // 0.9995 × (1 − 0.0005 × (0.025 + 0.975 × 0.0005)) = 0.9995 × 0.99998725625 = 0.999487262621875.
            // Counting the database inside each branch too would give 0.9995 × (1 − 0.00099975 × 0.025974…) = 99.9474%.
            '(1 − 99.95%))] (dns) = 99.948726%',
            'below the 99.99% target',
          ],
        },
      ],
    },
  ],
});

describe('availability arithmetic (explain)', () => {
  it('multiplies series factors: 0.9999 x 0.9995 x 0.9995', () => {
    const [entry] = check(oneRegion(99.9)).explain.availability;
    expect(entry?.entry).toBe('users');
    expect(entry?.percent).toBeCloseTo(99.99 * 0.9995 * 0.9995, 3);
    expect(entry?.series.map((f) => f.component).sort()).toEqual(['eu-west-1/alb', 'eu-west-1/api', 'eu-west-1/db']);
  });

  it('puts failover regions in parallel, covered only after detection + TTL, shared factors pulled out', () => {
    const [entry] = check(sharedDatabase).explain.availability;
    const branch = 0.9995;
    // 10 s x 3 detection + 60 s TTL, no promotion (the database is shared, not replicated): 90 s of a 1 h incident.
    const f = 90 / 3600;
    expect(entry?.parallel).toHaveLength(1);
    expect(entry?.parallel[0]?.branches.map((b) => b.percent)).toEqual([99.95, 99.95]);
    expect(entry?.parallel[0]?.failover).toMatchObject({ mode: 'active-standby', failoverSeconds: 90 });
    expect(entry?.percent).toBeCloseTo(100 * 0.9995 * (1 - (1 - branch) * (f + (1 - f) * (1 - branch))), 5);
    // The total after `=`, worked by hand (see the invalid case above), to the six decimals the formula shows.
    expect(entry?.percent).toBe(99.948726);
    expect(entry?.formula.endsWith(' = 99.948726%')).toBe(true);
  });

  it('counts the promotion of an unpromoted standby replica in the failover time, as the rto rule does', () => {
    const model = standbyReplica('manual');
    const result = check(model);
    const [entry] = result.explain.availability;
    const failover = entry?.parallel[0]?.failover;
    const [budget] = result.explain.budgets.rto;
    expect(failover?.failoverSeconds).toBe(budget?.totalSeconds);
    expect(failover?.failoverSeconds).toBe(30 + 60 + 900);
    expect(failover?.model).toContain('https://aws.amazon.com/premiumsupport/technology/pes/');
  });
});
