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

describe('start-up dependencies in full (recovery.ts startupDependencies, rules/rto.ts)', () => {
  // us-east-1 (primary) and us-west-2 (standby) each run an api. The primary's api reads the standby region's
  // config at start-up; the standby's api reads the primary region's vault; both read a global identity provider
  // (no region: nothing to lose with a region) and their own region's cache (same region: no dependency).
  const crossed = topology('crossed', (t) => {
    const us = t.region('us-east-1');
    const west = t.region('us-west-2', {
      role: 'standby',
      recovery: { posture: 'warm-standby', failover: 'automatic', startSeconds: 300 },
    });
    const vault = us.secrets('vault', { provider: 'vault' });
    const config = west.secrets('config', { provider: 'vault' });
    const idp = t.external('idp', { vendor: 'Okta' });
    const usApi = us.service('api', { runtime: 'lambda' });
    const westApi = west.service('api', { runtime: 'lambda' });
    t.flow(usApi, config, { kind: 'read', when: 'startup' });
    t.flow(westApi, vault, { kind: 'read', when: 'startup' });
    for (const [region, api] of [
      [us, usApi],
      [west, westApi],
    ] as const) {
      t.flow(api, idp, { kind: 'read', when: 'startup' });
      t.flow(api, region.redis('cache'), { kind: 'read', when: 'startup' });
    }
  });
  const flowTo = (to: string) => crossed.flows.find((f) => f.to === to);

  it('an error for the region that takes over, a warning for the primary, nothing within a region or to no region', () => {
    const { findings } = check(crossed, { rules: ['rto'] });
    expect(flowTo('us-west-2/config')?.source?.line).toBeGreaterThan(0);
    expect(findings).toEqual([
      {
        rule: 'rto',
        severity: 'error',
        message:
          'us-west-2 cannot recover from the loss of us-east-1: us-west-2/api reads us-east-1/vault in us-east-1 when it starts, so the standby cannot start while us-east-1 is down.',
        hint: 'give us-west-2 its own copy of us-east-1/vault (a replica region of the secret store, a regional config service), or start from what us-west-2 holds',
        components: ['us-west-2/api', 'us-east-1/vault'],
        location: flowTo('us-east-1/vault')?.source,
        details: {
          startup: { from: 'us-west-2/api', to: 'us-east-1/vault', region: 'us-west-2', on: 'us-east-1' },
        },
      },
      {
        rule: 'rto',
        severity: 'warning',
        message:
          'us-east-1/api in us-east-1 reads us-west-2/config in us-west-2 when it starts: while us-west-2 is down, us-east-1 cannot start or scale out.',
        hint: 'give us-east-1 its own copy of us-west-2/config (a replica region of the secret store, a regional config service), or start from what us-east-1 holds',
        components: ['us-east-1/api', 'us-west-2/config'],
        location: flowTo('us-west-2/config')?.source,
        details: {
          startup: { from: 'us-east-1/api', to: 'us-west-2/config', region: 'us-east-1', on: 'us-west-2' },
        },
      },
    ]);
  });
});
