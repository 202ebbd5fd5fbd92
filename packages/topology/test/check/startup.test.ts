import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { topology } from '../../src/dsl/topology.ts';

// Issue 20 point 4: a secret store read only when pods start. Two regions; in `crossRegion` the standby's pods read
// the primary region's vault at start-up instead of their own.
const withVault = (crossRegion: boolean) =>
  topology('startup', (t) => {
    t.sla({ availability: 99.9 });
    const users = t.client('users', { clientKind: 'users' });
    const dns = t.dns('dns', { routing: 'failover', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
    t.flow(users, dns);
    const us = t.region('us-east-1', { zones: 3 });
    const west = t.region('us-west-2', {
      zones: 3,
      role: 'standby',
      recovery: { posture: 'pilot-light', failover: 'automatic' },
    });
    const vault = us.secrets('vault', { provider: 'vault', availability: 99 });
    for (const [region, role] of [
      [us, 'primary'],
      [west, 'secondary'],
    ] as const) {
      const api = region.service('api', { runtime: 'lambda' });
      t.flow(dns, api, { routing: { failover: role } });
      const own =
        region === us || !crossRegion
          ? region === us
            ? vault
            : region.secrets('vault', { provider: 'vault' })
          : vault;
      t.flow(api, own, { kind: 'read', when: 'startup' });
    }
  });

describe("flows with when: 'startup' (issue 20)", () => {
  it('leave the vault read at start-up out of the request path', () => {
    const { explain, findings } = check(withVault(false), { rules: ['sla', 'spof'] });
    const series = explain.availability[0]?.series.map((f) => f.component) ?? [];
    expect(series).not.toContain('us-east-1/vault');
    expect(explain.availability[0]?.percent).toBeGreaterThan(99.9);
    expect(findings.map((f) => f.message)).toEqual([]);
  });

  it('make a standby that reads the primary region vault at start-up unrecoverable, with no RTO target needed', () => {
    const { findings } = check(withVault(true), { rules: ['rto', 'spof'] });
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['rto', 'error']]);
    expect(findings[0]?.message).toMatch(
      /us-west-2 cannot recover from the loss of us-east-1: us-west-2\/api reads us-east-1\/vault/,
    );
  });

  it('say nothing when each region starts from its own vault', () => {
    expect(check(withVault(false), { rules: ['rto'] }).findings).toEqual([]);
  });
});
