import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { rto } from '../../src/check/rules/rto.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

interface Setup {
  readonly rtoSeconds: number;
  readonly promotion?: 'automatic' | 'manual';
  readonly platform?: 'rds' | 'aurora';
  readonly healthCheck?: { intervalSeconds: number; failureThreshold: number };
  readonly ttlSeconds?: number;
  readonly replica?: boolean;
}

// Route 53 failover over two regions, a primary database in the first and (optionally) a replica in the second.
const failover = (setup: Setup): Topology =>
  topology('failover', (t) => {
    t.sla({ rtoSeconds: setup.rtoSeconds });
    const dns = t.dns('route53', {
      routing: 'failover',
      ...(setup.healthCheck ? { healthCheck: setup.healthCheck } : {}),
      ...(setup.ttlSeconds === undefined ? {} : { ttlSeconds: setup.ttlSeconds }),
    });
    const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
    const platform = setup.platform ?? 'rds';
    const primary = us.postgres('db', { platform, multiAz: true });
    if (setup.replica !== false) {
      const replica = eu.postgres('db', {
        platform,
        multiAz: true,
        role: 'replica',
        replicaOf: primary,
        ...(setup.promotion ? { promotion: setup.promotion } : {}),
      });
      t.flow(primary, replica, { kind: 'replicate', maxLagSeconds: 1 });
    }
    for (const [r, role] of [
      [us, 'primary'],
      [eu, 'secondary'],
    ] as const) {
      const api = r.service('api', { runtime: 'lambda' });
      t.flow(dns, api, { routing: { failover: role } });
    }
  });

testRule(rto, {
  valid: [
    {
      name: 'fast health check, short TTL, Aurora automatic promotion: 10x3 + 30 + 60 = 120 s under 300 s',
      model: failover({
        rtoSeconds: 300,
        platform: 'aurora',
        promotion: 'automatic',
        healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
        ttlSeconds: 30,
      }),
    },
    { name: 'a target every budget meets: nothing to report', model: failover({ rtoSeconds: 100_000 }) },
    {
      name: 'manual promotion within a generous target: 90 + 60 + 900 = 1050 s <= 1800 s',
      model: failover({ rtoSeconds: 1800, promotion: 'manual' }),
    },
  ],
  invalid: [
    {
      name: 'sub-second failover promised, Route 53 defaults detect in 30 s x 3 (nexora)',
      model: failover({ rtoSeconds: 1, platform: 'aurora', promotion: 'automatic' }),
      findings: [
        {
          culprit: 'route53',
          message: [
            'detection 90 s',
            '30 s x 3 failures',
            'DNS TTL 60 s',
            'promotion 60 s',
            'takes 210 s, above the 1 s RTO',
          ],
        },
      ],
    },
    {
      name: 'manual promotion against a 5 minute RTO (aragora)',
      model: failover({
        rtoSeconds: 300,
        promotion: 'manual',
        healthCheck: { intervalSeconds: 60, failureThreshold: 2 },
      }),
      findings: [
        {
          culprit: 'us-east-1/db',
          components: ['route53'],
          message: ['detection 120 s', 'promotion 900 s', 'manual promotion', 'takes 1080 s'],
        },
      ],
    },
    {
      name: 'no replica outside the region: restore from backup',
      model: failover({ rtoSeconds: 600, replica: false }),
      findings: [{ culprit: 'us-east-1/db', message: ['restore from backup', '3600 s', 'takes 3750 s'] }],
    },
  ],
});

describe('RTO budget (explain)', () => {
  it('adds detection, TTL and promotion', () => {
    const [budget] = check(
      failover({
        rtoSeconds: 300,
        promotion: 'automatic',
        healthCheck: { intervalSeconds: 10, failureThreshold: 2 },
        ttlSeconds: 20,
      }),
    ).explain.budgets.rto;
    expect(budget).toMatchObject({
      store: 'us-east-1/db',
      dns: 'route53',
      detectionSeconds: 20,
      ttlSeconds: 20,
      promotionSeconds: 300,
      totalSeconds: 340,
      targetSeconds: 300,
    });
  });
});

describe('promotion in the RTO budget (recovery.ts rtoBudgets)', () => {
  const budget = (model: Topology) => check(model, { rules: ['rto'], explain: true }).explain?.budgets.rto[0];

  it('a replica with no promotion declared is promoted by hand (900 s), not automatically (300 s)', () => {
    const b = budget(failover({ rtoSeconds: 100_000 }));
    expect(b?.promotionSeconds).toBe(900);
    expect(b?.promotion).toMatch(/^no automatic promotion of eu-west-1\/db/);
    expect(budget(failover({ rtoSeconds: 100_000, promotion: 'automatic' }))?.promotionSeconds).toBe(300);
  });

  it("a replica declaring conflictResolution 'none' is no writer: it still has to be promoted", () => {
    const model = (conflictResolution: 'none' | 'last-writer-wins') =>
      topology('writers', (t) => {
        t.sla({ rtoSeconds: 100_000 });
        const dns = t.dns('route53', { routing: 'failover' });
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const primary = us.postgres('db', { multiAz: true, conflictResolution });
        const replica = eu.postgres('db', { multiAz: true, conflictResolution });
        t.flow(primary, replica, { kind: 'replicate', replicationMode: 'logical' });
        for (const [r, role] of [
          [us, 'primary'],
          [eu, 'secondary'],
        ] as const) {
          t.flow(dns, r.service('api', { runtime: 'lambda' }), { routing: { failover: role } });
        }
      });
    expect(budget(model('last-writer-wins'))).toMatchObject({
      promotionSeconds: 0,
      promotion: 'eu-west-1/db already accepts writes (multi-writer): nothing to promote',
    });
    expect(budget(model('none'))?.promotionSeconds).toBe(900);
  });

  it('a replicate flow into a stream or a bucket is no copy to promote: the store is restored from backup', () => {
    // Change data capture into a Kafka cluster and nightly exports to a bucket in the other region; the stream even
    // declares last-writer-wins for its own multi-region writes. Neither can take the database's writes over.
    const model = (withReplica: boolean) =>
      topology('cdc', (t) => {
        t.sla({ rtoSeconds: 100_000 });
        const dns = t.dns('route53', { routing: 'failover' });
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const primary = us.postgres('db', { multiAz: true });
        const cdc = eu.stream('cdc', { engine: 'msk', conflictResolution: 'last-writer-wins' });
        const exports = eu.objectStore('exports', { conflictResolution: 'last-writer-wins' });
        t.flow(primary, cdc, { kind: 'replicate', replicationMode: 'logical' });
        t.flow(primary, exports, { kind: 'replicate' });
        if (withReplica) {
          const replica = eu.postgres('db', { multiAz: true, role: 'replica', replicaOf: primary });
          t.flow(primary, replica, { kind: 'replicate', maxLagSeconds: 1 });
        }
        for (const [r, role] of [
          [us, 'primary'],
          [eu, 'secondary'],
        ] as const) {
          t.flow(dns, r.service('api', { runtime: 'lambda' }), { routing: { failover: role } });
        }
      });
    expect(budget(model(false))).toMatchObject({
      store: 'us-east-1/db',
      promotionSeconds: 3600,
      promotion: 'no replica of us-east-1/db outside us-east-1: restore from backup (~3600 s)',
      totalSeconds: 90 + 60 + 3600,
    });
    // A database the model places in no region has no region to name.
    const unplaced = topology('unplaced', (t) => {
      t.sla({ rtoSeconds: 100_000 });
      t.region('us-east-1');
      t.postgres('db');
    });
    expect(budget(unplaced)?.promotion).toBe('no replica of db outside its region: restore from backup (~3600 s)');
    // Beside a real replica, the replica is the one promoted, whatever the flows' order.
    expect(budget(model(true))).toMatchObject({
      promotionSeconds: 900,
      promotion: expect.stringMatching(/^no automatic promotion of eu-west-1\/db /),
    });
  });
});

// A global entry point that fails over by its own health probe (Azure Front Door here): no DNS answer changes, so
// there is no TTL to wait (recovery.ts: the TTL is counted only behind a DNS router).
const frontDoor = (withSimpleDns: boolean) =>
  topology('front-door', (t) => {
    t.sla({ rtoSeconds: 300 });
    const users = t.client('users', { clientKind: 'users' });
    const door = t.cdn('front-door', {
      provider: 'azure-front-door',
      healthProbe: { intervalSeconds: 10, failureThreshold: 3 },
    });
    if (withSimpleDns) {
      // A plain CNAME to the entry point: it routes nothing between regions, so it is not the failover router.
      const dns = t.dns('dns', { provider: 'azure-dns', routing: 'simple', ttlSeconds: 3600 });
      t.flow(users, dns);
      t.flow(dns, door);
    } else t.flow(users, door);
    const [we, ne] = [t.region('westeurope', { provider: 'azure' }), t.region('northeurope', { provider: 'azure' })];
    const primary = we.postgres('db', { platform: 'azure-flexible', multiAz: true });
    const replica = ne.postgres('db', {
      platform: 'azure-flexible',
      multiAz: true,
      role: 'replica',
      replicaOf: primary,
      promotion: 'automatic',
    });
    t.flow(primary, replica, { kind: 'replicate', maxLagSeconds: 5 });
    for (const [region, role] of [
      [we, 'primary'],
      [ne, 'secondary'],
    ] as const) {
      t.flow(door, region.service('api', { runtime: 'app-service' }), { routing: { failover: role } });
    }
  });

describe('RTO edges (rules/rto.ts)', () => {
  it('a budget exactly at the target meets it: 90 + 60 + 900 = 1050 s against 1050 s, not against 1049 s', () => {
    const messages = (rtoSeconds: number) =>
      check(failover({ rtoSeconds, promotion: 'manual' }), { rules: ['rto'] }).findings.map((f) => f.message);
    expect(messages(1050)).toEqual([]);
    expect(messages(1049)).toHaveLength(1);
  });

  it('promotion as long as detection names the database: 100 s x 3 = 300 s against a 300 s promotion', () => {
    const [finding] = check(
      failover({
        rtoSeconds: 60,
        promotion: 'automatic',
        healthCheck: { intervalSeconds: 100, failureThreshold: 3 },
        ttlSeconds: 10,
      }),
      { rules: ['rto'] },
    ).findings;
    expect(finding?.message).toContain('takes 610 s, above the 60 s RTO: detection 300 s');
    expect(finding?.components).toEqual(['us-east-1/db', 'route53']);
  });
});

describe('a failover router that is not DNS (recovery.ts rtoBudgets)', () => {
  it('counts no DNS TTL behind a health-probed entry point: 10 s x 3 + 0 s + 300 s = 330 s', () => {
    for (const withSimpleDns of [false, true]) {
      const { explain, findings } = check(frontDoor(withSimpleDns), { rules: ['rto'] });
      expect(explain.budgets.rto).toEqual([
        {
          store: 'westeurope/db',
          dns: 'front-door',
          detectionSeconds: 30,
          detection: 'front-door health probe 10 s x 3 failures',
          ttlSeconds: 0,
          promotionSeconds: 300,
          promotion: 'automatic promotion of northeurope/db (~300 s typical for azure-flexible)',
          totalSeconds: 330,
          targetSeconds: 300,
        },
      ]);
      expect(findings.map((f) => [f.message, f.components])).toEqual([
        [
          "recovering from the loss of westeurope/db's region takes 330 s, above the 300 s RTO: detection 30 s (front-door health probe 10 s x 3 failures) + DNS TTL 0 s + promotion 300 s (automatic promotion of northeurope/db (~300 s typical for azure-flexible)).",
          ['westeurope/db', 'front-door'],
        ],
      ]);
    }
  });
});

describe('RTO budgets without recovery postures, per primary store (recovery.ts rtoBudgets)', () => {
  // Route 53 failover with its defaults: 30 s x 3 = 90 s detection and a 60 s TTL.
  const stores = (databases: 'none' | 'two') =>
    topology('stores', (t) => {
      t.sla({ rtoSeconds: 100 });
      const dns = t.dns('route53', { routing: 'failover' });
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      if (databases === 'two') {
        // db has an automatically promoted replica in eu-west-1 (RDS, 300 s); ledger has none (restore, 3600 s).
        const db = us.postgres('db', { multiAz: true });
        const replica = eu.postgres('db', { multiAz: true, role: 'replica', replicaOf: db, promotion: 'automatic' });
        t.flow(db, replica, { kind: 'replicate', maxLagSeconds: 1 });
        us.mysql('ledger', { multiAz: true });
      }
      for (const [r, role] of [
        [us, 'primary'],
        [eu, 'secondary'],
      ] as const) {
        t.flow(dns, r.service('api', { runtime: 'lambda' }), { routing: { failover: role } });
      }
    });
  const detection = 'route53 health check 30 s x 3 failures (Route 53 defaults)';

  it('no database: detection and TTL only, 90 + 60 = 150 s, the DNS the culprit', () => {
    const { explain, findings } = check(stores('none'), { rules: ['rto'] });
    expect(explain.budgets.rto).toEqual([
      {
        dns: 'route53',
        detectionSeconds: 90,
        detection,
        ttlSeconds: 60,
        targetSeconds: 100,
        store: undefined,
        promotionSeconds: 0,
        promotion: 'no primary database to promote',
        totalSeconds: 150,
      },
    ]);
    const model = stores('none');
    const dnsAt = model.components.find((c) => c.id === 'route53')?.source;
    expect(dnsAt?.line).toBeGreaterThan(0);
    expect(findings).toEqual([
      {
        rule: 'rto',
        severity: 'error',
        message: `recovering from the loss of the primary region takes 150 s, above the 100 s RTO: detection 90 s (${detection}) + DNS TTL 60 s + promotion 0 s (no primary database to promote).`,
        hint: 'shorten detection (a 10 s health-check interval, fewer failures) and the TTL, or set rtoSeconds to what the design can meet (150 s)',
        components: ['route53'],
        location: dnsAt,
        assumptions: [
          'assumes the Route 53 default health check (30 s x 3) for route53: health check not stated',
          'assumes a 60 s TTL for route53: TTL not stated',
        ],
        details: { budget: explain.budgets.rto[0] },
      },
    ]);
  });

  it('no failover router and no database: a person moves the traffic (900 s), nothing to point at', () => {
    const model = topology('by-hand', (t) => {
      t.sla({ rtoSeconds: 100 });
      for (const code of ['us-east-1', 'eu-west-1'] as const) t.region(code).service('api', { runtime: 'lambda' });
    });
    expect(check(model, { rules: ['rto'] }).findings).toEqual([
      {
        rule: 'rto',
        severity: 'error',
        message:
          'recovering from the loss of the primary region takes 900 s, above the 100 s RTO: detection 900 s (no failover DNS: someone has to notice and move traffic by hand) + DNS TTL 0 s + promotion 0 s (no primary database to promote).',
        hint: 'put failover DNS with health checks in front, or set rtoSeconds to what the design can meet (900 s)',
        components: [],
        location: undefined,
        details: {
          budget: {
            dns: undefined,
            detectionSeconds: 900,
            detection: 'no failover DNS: someone has to notice and move traffic by hand',
            ttlSeconds: 0,
            targetSeconds: 100,
            store: undefined,
            promotionSeconds: 0,
            promotion: 'no primary database to promote',
            totalSeconds: 900,
          },
        },
      },
    ]);
  });

  it('one budget per primary store: 90 + 60 + 300 = 450 s with a replica, 90 + 60 + 3600 = 3750 s without', () => {
    const budgets = check(stores('two'), { rules: ['rto'] }).explain.budgets.rto;
    expect(budgets.map((b) => [b.store, b.promotionSeconds, b.promotion, b.totalSeconds])).toEqual([
      ['us-east-1/db', 300, 'automatic promotion of eu-west-1/db (~300 s typical for rds)', 450],
      [
        'us-east-1/ledger',
        3600,
        'no replica of us-east-1/ledger outside us-east-1: restore from backup (~3600 s)',
        3750,
      ],
    ]);
  });
});
