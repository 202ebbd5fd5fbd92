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

// Two regions behind DNS, declared secondary first: eu-central-1 an api and its database (99.95% x 99.95% =
// 99.900025%), eu-west-1 the same behind an ALB (99.99% x 99.95% x 99.95% = 99.890035%, to six decimals).
const twoBranches = (routing: 'failover' | 'latency') =>
  topology('two-branches', (t) => {
    t.sla({ availability: 99.99 });
    const users = t.client('users', { clientKind: 'users' });
    const dns = t.dns('dns', { routing, healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
    t.flow(users, dns);
    const de = t.region('eu-central-1');
    const deApi = de.service('api', { runtime: 'lambda' });
    t.flow(dns, deApi, routing === 'failover' ? { routing: { failover: 'secondary' } } : {});
    t.flow(deApi, de.postgres('db', { multiAz: true }), { kind: 'write' });
    const eu = t.region('eu-west-1');
    const alb = eu.loadBalancer('alb', { type: 'alb' });
    const api = eu.service('api', { runtime: 'lambda' });
    t.flow(dns, alb, routing === 'failover' ? { routing: { failover: 'primary' } } : {});
    t.flow(alb, api);
    t.flow(api, eu.postgres('db', { multiAz: true }), { kind: 'write' });
  });

describe('parallel terms of the formula (explain), worked by hand', () => {
  // U = 1 - a per branch: U_west = 0.001099650025, U_central = 0.00099975; f = 90 s / 3600 s = 0.025.
  it('active/standby: the primary is the branch its flow names, wherever it was declared', () => {
    const [entry] = check(twoBranches('failover')).explain.availability;
    const group = entry?.parallel[0];
    expect(group?.failover).toMatchObject({ mode: 'active-standby', primary: 'eu-west-1/alb' });
    expect(group?.branches.map((b) => [b.first, b.percent])).toEqual([
      ['eu-central-1/api', 99.900025],
      ['eu-west-1/alb', 99.890035],
    ]);
    // Each branch's own factors, weakest first.
    expect(group?.branches.map((b) => b.factors.map((f) => f.percent))).toEqual([
      [99.95, 99.95],
      [99.95, 99.95, 99.99],
    ]);
    expect(group?.branches[1]?.factors.map((f) => f.component).sort()).toEqual([
      'eu-west-1/alb',
      'eu-west-1/api',
      'eu-west-1/db',
    ]);
    // 1 - U_west x (0.025 + 0.975 x U_central) = 0.99997143685864 (eu-central-1 as primary would give 99.997393%).
    expect(group?.percent).toBe(99.997144);
    expect(entry?.percent).toBe(99.997144);
    expect(entry?.series).toEqual([]);
    expect(entry?.formula).toBe('[1 − (1 − 99.890035%) × (0.025 + 0.975 × (1 − 99.900025%))] (dns) = 99.997144%');
  });

  it('active/standby over three regions: the standbys are down together only when both are', () => {
    const model = topology('three', (t) => {
      t.sla({ availability: 99.99 });
      const dns = t.dns('dns', { routing: 'failover', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
      t.flow(t.client('users', { clientKind: 'users' }), dns);
      for (const [code, role] of [
        ['eu-west-1', 'primary'],
        ['eu-central-1', 'secondary'],
        ['eu-north-1', 'secondary'],
      ] as const) {
        t.flow(dns, t.region(code).service('api', { runtime: 'lambda' }), { routing: { failover: role } });
      }
    });
    // 1 - 0.0005 x (0.025 + 0.975 x 0.0005 x 0.0005) = 1 - 0.0005 x 0.02500024375 = 0.999987499878125.
    expect(check(model).explain.availability[0]?.formula).toBe(
      '[1 − (1 − 99.95%) × (0.025 + 0.975 × (1 − 99.95%) × (1 − 99.95%))] (dns) = 99.99875%',
    );
  });

  it('active/active: each region serves, the mean of the uncovered failovers counts', () => {
    const [entry] = check(twoBranches('latency')).explain.availability;
    expect(entry?.parallel[0]?.failover).toMatchObject({ mode: 'active-active', primary: undefined });
    // 1 - (U_west (f + (1-f) U_central) + U_central (f + (1-f) U_west)) / 2 = 0.99997268560895.
    expect(entry?.formula).toBe(
      '[1 − mean over 2 regions of (1 − a) × (0.025 + 0.975 × others down)] (dns) = 99.997269%',
    );
  });

  it('independent branches behind a CDN: no failover time, 1 - product of the branches down', () => {
    const model = topology('cdn', (t) => {
      t.sla({ availability: 99.9 });
      const cdn = t.cdn('cdn');
      t.flow(t.client('users', { clientKind: 'users' }), cdn);
      for (const code of ['eu-west-1', 'eu-central-1'] as const) {
        const api = t.region(code).service('api', { runtime: 'lambda' });
        t.flow(cdn, api);
        // A vendor at 100% in each branch: nothing to multiply, so not listed among the branch's factors.
        t.flow(api, t.external(`vendor-${code}`, { vendor: 'Vendor', sla: { availability: 100 } }));
      }
    });
    const [entry] = check(model).explain.availability;
    // CloudFront 99.9% in series with 1 - 0.0005 x 0.0005: 0.999 x 0.99999975 = 0.99899975025.
    expect(entry?.formula).toBe('99.9% (cdn) × [1 − (1 − 99.95%) × (1 − 99.95%)] (cdn) = 99.899975%');
    expect(entry?.parallel[0]?.branches.map((b) => b.factors)).toEqual([
      [{ component: 'eu-west-1/api', percent: 99.95 }],
      [{ component: 'eu-central-1/api', percent: 99.95 }],
    ]);
  });

  it('an entry whose every component is at 100% composes to 100%', () => {
    const model = topology('all-up', (t) => {
      t.sla({ availability: 99.9 });
      t.flow(t.client('users', { clientKind: 'users' }), t.dns('dns', { routing: 'simple' }));
    });
    expect(check(model).explain.availability[0]?.formula).toBe('100% = 100%');
  });
});

// Exact findings (issue 22, mutation testing): the message built from the explained arithmetic, the culprit, the
// entry points sharing one formula, and a target met exactly.
describe('rule sla: exact findings', () => {
  it('one region below target: the weakest three in series, the culprit, the line, the arithmetic in details', () => {
    const model = oneRegion(99.9);
    const { findings, explain } = check(model, { rules: ['sla'] });
    const [result] = explain.availability;
    expect(result?.series.map((f) => f.component)).toEqual(['eu-west-1/api', 'eu-west-1/db', 'eu-west-1/alb']);
    const weakest = result?.series.map((f) => `${f.component} ${f.percent}% (${f.source})`).join(', ');
    expect(findings).toEqual([
      {
        rule: 'sla',
        severity: 'error',
        message: `users: composed availability ${result?.percent}% is below the 99.9% target (${result?.formula}); weakest in series: ${weakest}.`,
        hint: 'raise the weakest factors: run eu-west-1/api redundantly (Multi-AZ, a second region behind failover DNS), take it off the request path, or lower the target to what the design can promise',
        components: ['eu-west-1/api', 'users'],
        location: model.components.find((c) => c.id === 'eu-west-1/api')?.source,
        details: { availability: result },
      },
    ]);
  });

  it('a target met exactly passes', () => {
    const percent = check(oneRegion(99.9), { rules: ['sla'] }).explain.availability[0]?.percent as number;
    expect(percent).toBeCloseTo(99.890035, 6);
    expect(check(oneRegion(percent), { rules: ['sla'] }).findings).toEqual([]);
  });

  it('entry points sharing one formula: one finding naming each entry', () => {
    const model = topology('two-entries', (t) => {
      t.sla({ availability: 99.9 });
      const eu = t.region('eu-west-1');
      const alb = eu.loadBalancer('alb', { type: 'alb' });
      const api = eu.service('api', { runtime: 'lambda' });
      t.flow(t.client('users', { clientKind: 'users' }), alb);
      t.flow(t.client('mobile', { clientKind: 'mobile' }), alb);
      t.flow(alb, api);
      t.flow(api, eu.postgres('db', { multiAz: true }), { kind: 'write' });
    });
    expect(check(model, { rules: ['sla'] }).findings.map((f) => f.components)).toEqual([
      ['eu-west-1/api', 'users', 'mobile'],
    ]);
  });

  it('an entry with nothing in series (failover regions only): weakest none, the router the culprit', () => {
    const model = standbyReplica('manual');
    const { findings, explain } = check(model, { rules: ['sla'] });
    const [result] = explain.availability;
    expect(result?.series).toEqual([]);
    expect(findings.map((f) => [f.message, f.components])).toEqual([
      [
        `users: composed availability ${result?.percent}% is below the 99.98% target (${result?.formula}); weakest in series: none.`,
        ['dns', 'users'],
      ],
    ]);
  });

  it('four factors in series: the message names the weakest three only, the culprit the weakest', () => {
    const model = topology('four-in-series', (t) => {
      t.sla({ availability: 99.9 });
      const eu = t.region('eu-west-1');
      const alb = eu.loadBalancer('alb', { type: 'alb' });
      const api = eu.service('api', { runtime: 'lambda' });
      t.flow(t.client('users', { clientKind: 'users' }), alb);
      t.flow(alb, api);
      t.flow(api, eu.postgres('db', { multiAz: true }), { kind: 'write' });
      t.flow(api, t.external('payments', { vendor: 'Payments', sla: { availability: 99.9 } }));
    });
    // By hand: 0.999 x 0.9995 x 0.9995 x 0.9999 = 0.997901449625; the ALB (99.99%), strongest, is left out.
    const formula =
      '99.9% (payments) × 99.95% (eu-west-1/api) × 99.95% (eu-west-1/db) × 99.99% (eu-west-1/alb) = 99.790145%';
    expect(check(model, { rules: ['sla'] }).findings.map((f) => [f.message, f.components, f.location])).toEqual([
      [
        `users: composed availability 99.790145% is below the 99.9% target (${formula}); weakest in series: payments 99.9% (Payments declared SLA: 99.9%), eu-west-1/api 99.95% (AWS Lambda SLA: 99.95%), eu-west-1/db 99.95% (Amazon RDS SLA, Multi-AZ: 99.95%).`,
        ['payments', 'users'],
        model.components.find((c) => c.id === 'payments')?.source,
      ],
    ]);
  });
});
