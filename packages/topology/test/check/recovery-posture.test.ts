import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { recoveryClass } from '../../src/check/recovery.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { RegionRecovery } from '../../src/model/schema.ts';
import { formatExplanation } from '../../src/report/explain.ts';

// Issue 20 point 3: a primary region and a second region with a declared recovery posture. Aurora in the primary,
// an automatically promoted replica in the second; failover DNS with a 10 s x 3 health check and a 60 s TTL.
const twoRegions = (recovery: RegionRecovery, rtoSeconds = 600, multiWriter = false) =>
  topology('posture', (t) => {
    t.sla({ availability: 99.99, rtoSeconds });
    const users = t.client('users', { clientKind: 'users' });
    const dns = t.dns('dns', {
      routing: 'failover',
      healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
      ttlSeconds: 60,
    });
    t.flow(users, dns);
    const us = t.region('us-east-1', { zones: 3 });
    const west = t.region('us-west-2', { zones: 3, role: 'standby', recovery });
    const primary = us.postgres('db', { platform: 'aurora', multiAz: true });
    const replica = west.postgres('db', {
      platform: 'aurora',
      multiAz: true,
      role: 'replica',
      replicaOf: primary,
      promotion: 'automatic',
      ...(multiWriter ? { conflictResolution: 'last-writer-wins' as const } : {}),
    });
    t.flow(primary, replica, { kind: 'replicate', maxLagSeconds: 1 });
    for (const [region, db, role] of [
      [us, primary, 'primary'],
      [west, replica, 'secondary'],
    ] as const) {
      const api = region.service('api', { runtime: 'lambda' });
      t.flow(dns, api, { routing: { failover: role } });
      t.flow(api, db, { kind: 'write' });
    }
  });

const budgetOf = (recovery: RegionRecovery) => check(twoRegions(recovery)).explain.budgets.rto;

describe('recovery posture (issue 20)', () => {
  it('adds what each posture must do before it serves, and classes it as AWS publishes', () => {
    const classes = (['active', 'warm-standby', 'pilot-light', 'backup-restore'] as const).map((posture) => {
      // Active/active writes in both regions (a multi-writer copy); the others promote a replica.
      const recovery = { posture, failover: posture === 'backup-restore' ? 'manual' : 'automatic' } as const;
      const [budget] = check(twoRegions(recovery, 600, posture === 'active')).explain.budgets.rto;
      expect(budget?.region).toBe('us-west-2');
      return recoveryClass(budget?.totalSeconds ?? 0);
    });
    expect(classes).toEqual(['near zero', 'minutes', 'tens of minutes', 'hours']);
  });

  it('pilot light: detection 30 s + TTL 60 s + Aurora promotion 60 s + start from zero 1200 s', () => {
    const [budget] = budgetOf({ posture: 'pilot-light', failover: 'automatic' });
    expect(budget).toMatchObject({ detectionSeconds: 30, ttlSeconds: 60, promotionSeconds: 60, startSeconds: 1200 });
    expect(budget?.totalSeconds).toBe(1350);
  });

  it('manual failover replaces detection by the human reaction time, assumed and stated, or as the user sets it', () => {
    const assumed = check(twoRegions({ posture: 'warm-standby', failover: 'manual' }));
    expect(assumed.explain.budgets.rto[0]?.detectionSeconds).toBe(900);
    expect(assumed.explain.assumptions.map((a) => a.text).join('\n')).toMatch(/900 s for a person .*us-west-2/);
    const stated = budgetOf({ posture: 'warm-standby', failover: 'manual', reactionSeconds: 120 });
    expect(stated[0]?.detectionSeconds).toBe(120);
    expect((assumed.explain.budgets.rto[0]?.totalSeconds ?? 0) - (stated[0]?.totalSeconds ?? 0)).toBe(780);
  });

  it('the rto rule reads the posture: a pilot light misses a 10-minute RTO and says why', () => {
    const { findings } = check(twoRegions({ posture: 'pilot-light', failover: 'automatic' }), { rules: ['rto'] });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(/pilot-light.* 1350 s, above the 600 s RTO.*start 1200 s/);
    expect(findings[0]?.hint).toMatch(/warmer than pilot-light/);
    const warm = check(twoRegions({ posture: 'warm-standby', failover: 'automatic' }), { rules: ['rto'] });
    expect(warm.findings).toEqual([]);
  });

  it('the sla rule reads the posture: a pilot light covers less of an outage than an active region', () => {
    const percent = (posture: RegionRecovery['posture']) =>
      check(twoRegions({ posture, failover: 'automatic' }), { rules: ['sla'] }).explain.availability[0]?.percent ?? 0;
    expect(percent('pilot-light')).toBeLessThan(percent('warm-standby'));
    expect(percent('warm-standby')).toBeLessThan(percent('active'));
  });

  it('--explain shows the budget per posture with its class', () => {
    const text = formatExplanation(check(twoRegions({ posture: 'pilot-light', failover: 'automatic' })).explain);
    expect(text).toContain(
      'us-west-2 takes over (pilot-light, automatic failover): 30 s + 60 s + 60 s + 1200 s = 1350 s',
    );
    expect(text).toContain('class: tens of minutes');
    expect(text).toMatch(/start: start the application tier from zero/);
  });
});

// Budgets worked by hand (recovery.ts postureBudget). Failover DNS: 10 s x 3 = 30 s detection, 60 s TTL.
// us-east-1 is the primary region; it declares a posture too (active), which makes it no taker-over.
// us-west-2, warm standby, automatic: its replica of us-east-1/db is promoted automatically (RDS, 300 s) and the
// standby scales out (300 s, assumed): 30 + 60 + 300 + 300 = 690 s.
// eu-west-1, backup-restore, manual after 600 s, provisioned in 1800 s: the manual promotion of its replica of
// us-east-1/db (900 s) and the restore of us-west-2/orders, which has no copy there (3600 s), of which the restore
// is the slowest: 600 + 60 + 3600 + 1800 = 6060 s. us-west-2's own orders store is not lost when us-east-1 is.
const threeRegions = (rtoSeconds: number) =>
  topology('three-regions', (t) => {
    t.sla({ rtoSeconds });
    const dns = t.dns('dns', {
      routing: 'failover',
      healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
      ttlSeconds: 60,
    });
    t.flow(t.client('users', { clientKind: 'users' }), dns);
    const us = t.region('us-east-1', { recovery: { posture: 'active', failover: 'automatic' } });
    const west = t.region('us-west-2', {
      role: 'standby',
      recovery: { posture: 'warm-standby', failover: 'automatic' },
    });
    const eu = t.region('eu-west-1', {
      role: 'dr',
      recovery: { posture: 'backup-restore', failover: 'manual', reactionSeconds: 600, startSeconds: 1800 },
    });
    const primary = us.postgres('db', { multiAz: true });
    for (const [region, promotion] of [
      [eu, 'manual'],
      [west, 'automatic'],
    ] as const) {
      const replica = region.postgres('db', { multiAz: true, role: 'replica', replicaOf: primary, promotion });
      t.flow(primary, replica, { kind: 'replicate', maxLagSeconds: 1 });
    }
    west.postgres('orders', { multiAz: true });
    for (const [region, role] of [
      [us, 'primary'],
      [west, 'secondary'],
    ] as const) {
      t.flow(dns, region.service('api', { runtime: 'lambda' }), { routing: { failover: role } });
    }
  });

describe('posture budgets worked by hand (recovery.ts postureBudget)', () => {
  it('one budget per region that takes over, each with its own detection, slowest promotion and start', () => {
    expect(check(threeRegions(7200)).explain.budgets.rto).toEqual([
      {
        store: 'us-east-1/db',
        dns: 'dns',
        detectionSeconds: 30,
        detection: 'dns health check 10 s x 3 failures',
        ttlSeconds: 60,
        promotionSeconds: 300,
        promotion: 'automatic promotion of us-west-2/db (~300 s typical for rds)',
        targetSeconds: 7200,
        region: 'us-west-2',
        posture: 'warm-standby',
        failover: 'automatic',
        startSeconds: 300,
        start: 'scale the warm standby out to production size (~300 s (assumed: startSeconds not stated))',
        totalSeconds: 690,
      },
      {
        store: 'us-west-2/orders',
        dns: 'dns',
        detectionSeconds: 600,
        detection: 'manual failover: 600 s for a person to notice, decide and switch',
        ttlSeconds: 60,
        promotionSeconds: 3600,
        promotion: 'no replica of us-west-2/orders outside us-west-2: restore from backup (~3600 s)',
        targetSeconds: 7200,
        region: 'eu-west-1',
        posture: 'backup-restore',
        failover: 'manual',
        startSeconds: 1800,
        start: "deploy the region's infrastructure before restoring (~1800 s)",
        totalSeconds: 6060,
      },
    ]);
  });

  it('the rto rule reports each region over the target with its own sum and fixes', () => {
    const { findings } = check(threeRegions(600), { rules: ['rto'] });
    expect(findings.map((f) => [f.message, f.hint, f.components])).toEqual([
      [
        'recovering from the loss of the primary region in us-west-2 (warm-standby, automatic failover) takes 690 s, above the 600 s RTO: detection 30 s (dns health check 10 s x 3 failures) + DNS TTL 60 s + promotion 300 s (automatic promotion of us-west-2/db (~300 s typical for rds)) + start 300 s (scale the warm standby out to production size (~300 s (assumed: startSeconds not stated))).',
        'keep us-west-2 warmer than warm-standby (less to start before it serves); automate promotion (promotion: automatic, or a managed global database); shorten detection (a 10 s health-check interval, fewer failures) and the TTL, or set rtoSeconds to what the design can meet (690 s)',
        ['us-east-1/db', 'dns'],
      ],
      [
        "recovering from the loss of the primary region in eu-west-1 (backup-restore, manual failover) takes 6060 s, above the 600 s RTO: detection 600 s (manual failover: 600 s for a person to notice, decide and switch) + DNS TTL 60 s + promotion 3600 s (no replica of us-west-2/orders outside us-west-2: restore from backup (~3600 s)) + start 1800 s (deploy the region's infrastructure before restoring (~1800 s)).",
        'fail over automatically (failover: automatic behind a health probe); keep eu-west-1 warmer than backup-restore (less to start before it serves); automate promotion (promotion: automatic, or a managed global database); shorten detection (a 10 s health-check interval, fewer failures) and the TTL, or set rtoSeconds to what the design can meet (6060 s)',
        ['us-west-2/orders', 'dns'],
      ],
    ]);
  });
});

describe('posture budgets of global databases and of no router (recovery.ts postureBudget)', () => {
  type GlobalOptions = Parameters<Parameters<typeof topology>[1]>[0]['globalDatabase'] extends (
    name: string,
    options: infer O,
  ) => unknown
    ? O
    : never;
  // us-west-2 is active (nothing to start) behind failover DNS (30 s + 60 s): the budget is 90 s + the promotion.
  const active = 'already serving at production size';
  const activeWith = (databases: Record<string, Omit<GlobalOptions, 'regions'> & { regions?: string[] }>) =>
    check(
      topology('global', (t) => {
        const dns = t.dns('dns', {
          routing: 'failover',
          healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
          ttlSeconds: 60,
        });
        const us = t.region('us-east-1');
        const west = t.region('us-west-2', { role: 'standby', recovery: { posture: 'active', failover: 'automatic' } });
        // A region with no posture declared takes over nothing.
        t.region('eu-west-1', { role: 'dr' });
        for (const [name, options] of Object.entries(databases)) {
          t.globalDatabase(name, { regions: [us.id, west.id], ...options } as GlobalOptions);
        }
        for (const [region, role] of [
          [us, 'primary'],
          [west, 'secondary'],
        ] as const) {
          t.flow(dns, region.service('api', { runtime: 'lambda' }), { routing: { failover: role } });
        }
      }),
    ).explain.budgets.rto.map((b) => [b.store, b.promotionSeconds, b.promotion, b.totalSeconds, b.start]);

  it('a single write region fails over by the service (300 s) or by hand (900 s); multi-region writes and Spanner need none', () => {
    expect(activeWith({ cosmos: { service: 'cosmos-db', consistency: 'session', automaticFailover: true } })).toEqual([
      ['cosmos', 300, "service-managed failover of cosmos's write region (~300 s)", 390, active],
    ]);
    expect(activeWith({ cosmos: { service: 'cosmos-db', consistency: 'session' } })).toEqual([
      ['cosmos', 900, "manual failover of cosmos's write region (~900 s)", 990, active],
    ]);
    expect(activeWith({ tables: { service: 'dynamodb', consistency: 'eventual', writeRegions: 'multi' } })).toEqual([
      ['tables', 0, 'tables already accepts writes in us-west-2', 90, active],
    ]);
    expect(activeWith({ spanner: { service: 'spanner', consistency: 'strong' } })).toEqual([
      ['spanner', 0, 'spanner already accepts writes in us-west-2', 90, active],
    ]);
  });

  it('the slowest of several databases bounds the budget, and one without a copy in the region is not waited for', () => {
    expect(
      activeWith({
        // Declared first and as slow as the slowest (manual, 900 s), but it has no copy in us-west-2.
        elsewhere: { service: 'cosmos-db', consistency: 'session', regions: ['us-east-1', 'eu-west-1'] },
        spanner: { service: 'spanner', consistency: 'strong' },
        cosmos: { service: 'cosmos-db', consistency: 'session' },
        tables: { service: 'dynamodb', consistency: 'eventual', automaticFailover: true },
      }),
    ).toEqual([['cosmos', 900, "manual failover of cosmos's write region (~900 s)", 990, active]]);
    expect(activeWith({})).toEqual([[undefined, 0, 'no primary database to promote', 90, active]]);
  });

  it('the rto rule on an active region whose database already takes writes: only detection and TTL to shorten', () => {
    const model = topology('active-tables', (t) => {
      t.sla({ rtoSeconds: 60 });
      const dns = t.dns('dns', {
        routing: 'failover',
        healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
        ttlSeconds: 60,
      });
      const us = t.region('us-east-1');
      const west = t.region('us-west-2', { role: 'standby', recovery: { posture: 'active', failover: 'automatic' } });
      t.globalDatabase('tables', {
        service: 'dynamodb',
        regions: [us.id, west.id],
        consistency: 'eventual',
        writeRegions: 'multi',
      });
      for (const [region, role] of [
        [us, 'primary'],
        [west, 'secondary'],
      ] as const) {
        t.flow(dns, region.service('api', { runtime: 'lambda' }), { routing: { failover: role } });
      }
    });
    // 30 s + 60 s + 0 s + 0 s = 90 s: nothing to promote or start, so no fix but faster detection is offered, and
    // the DNS (detection 30 s > promotion 0 s) is the culprit.
    expect(check(model, { rules: ['rto'] }).findings.map((f) => [f.message, f.hint, f.components])).toEqual([
      [
        'recovering from the loss of the primary region in us-west-2 (active, automatic failover) takes 90 s, above the 60 s RTO: detection 30 s (dns health check 10 s x 3 failures) + DNS TTL 60 s + promotion 0 s (tables already accepts writes in us-west-2).',
        'shorten detection (a 10 s health-check interval, fewer failures) and the TTL, or set rtoSeconds to what the design can meet (90 s)',
        ['dns', 'tables'],
      ],
    ]);
  });

  it('automatic failover with no health-checked router is a person reacting, and says so', () => {
    const [budget] = check(
      topology('no-router', (t) => {
        // A DNS of simple routing moves nothing between regions.
        const dns = t.dns('dns', { routing: 'simple' });
        const us = t.region('us-east-1');
        const west = t.region('us-west-2', {
          role: 'standby',
          recovery: { posture: 'pilot-light', failover: 'automatic', startSeconds: 600 },
        });
        for (const region of [us, west]) t.flow(dns, region.service('api', { runtime: 'lambda' }));
      }),
    ).explain.budgets.rto;
    expect(budget).toEqual({
      store: undefined,
      dns: undefined,
      detectionSeconds: 900,
      detection:
        'manual failover: 900 s for a person to notice, decide and switch (assumed: reactionSeconds not stated); declared automatic, but no health-checked DNS or entry-point probe moves the traffic',
      ttlSeconds: 0,
      promotionSeconds: 0,
      promotion: 'no primary database to promote',
      targetSeconds: undefined,
      region: 'us-west-2',
      posture: 'pilot-light',
      failover: 'automatic',
      startSeconds: 600,
      start: 'start the application tier from zero and scale it out (~600 s)',
      totalSeconds: 1500,
    });
  });
});
