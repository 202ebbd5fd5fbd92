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
