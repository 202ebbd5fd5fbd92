import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { ruleDescriptors } from '../../src/check/rules/index.ts';
import { topology } from '../../src/dsl/topology.ts';
import { formatExplanation } from '../../src/report/explain.ts';
import { toCheckReport } from '../../src/report/json.ts';
import { toSarif } from '../../src/report/sarif.ts';

// A design that leaves the DNS routing, its health check and the deployment's replicas unstated (issue 13).
const unstated = topology('unstated', (t) => {
  t.sla({ rtoSeconds: 60 });
  const users = t.client('users', { clientKind: 'users' });
  const dns = t.dns('dns', { healthCheck: { path: '/health' } });
  t.flow(users, dns);
  for (const code of ['us-east-1', 'eu-west-1'] as const) {
    const r = t.region(code, { zones: 3 });
    const api = r.kubernetesCluster('eks').deployment('api', { image: 'api:1.0.0' });
    t.flow(dns, api);
    t.flow(api, r.postgres('db', { multiAz: true }), { kind: 'write' });
  }
});

describe('unstated facts', () => {
  it('can be left out of the model: routing and health-check numbers are optional', () => {
    const dns = unstated.components.find((c) => c.id === 'dns');
    expect(dns?.kind === 'dns' && dns.routing).toBe(undefined);
  });

  it('takes the conservative reading: unstated routing is no failover, so each one-replica api is a spof', () => {
    const spof = check(unstated, { rules: ['spof'] }).findings.filter((f) => f.message.includes('single point'));
    expect(spof.map((f) => f.components[0])).toEqual(['us-east-1/eks/api', 'eu-west-1/eks/api']);
    for (const finding of spof) {
      expect(finding.assumptions).toContain(`assumes 1 replica for ${finding.components[0]}: replicas not stated`);
      expect(finding.assumptions).toContain(
        'assumes simple routing (no failover between regions) for dns: routing not stated',
      );
    }
  });

  it('says which assumption an rto verdict rests on, and lists every assumption in --explain', () => {
    const result = check(unstated);
    const rto = result.findings.find((f) => f.rule === 'rto');
    expect(rto?.assumptions).toContain(
      'assumes the Route 53 default health check (30 s x 3) for dns: health-check interval and threshold not stated',
    );
    expect(rto?.assumptions).toContain('assumes a 60 s TTL for dns: TTL not stated');
    const text = formatExplanation(result.explain);
    expect(text).toContain('Assumptions (facts the model leaves unstated');
    for (const assumption of result.explain.assumptions) expect(text).toContain(assumption.text);
    expect(result.explain.assumptions.map((a) => a.fact).sort()).toEqual([
      'healthCheck',
      'replicas',
      'replicas',
      'routing',
      'ttlSeconds',
    ]);
  });

  it('carries the assumptions in the JSON and SARIF reports', () => {
    const result = check(unstated);
    const report = toCheckReport(result, { file: 'unstated.ts' });
    const withAssumptions = report.findings.filter((f) => f.assumptions !== undefined);
    expect(withAssumptions.length).toBeGreaterThan(0);
    const sarif = toSarif(result.findings, ruleDescriptors, { file: 'unstated.ts' }) as unknown as {
      runs: { results: { properties: { assumptions?: string[] }; message: { text: string } }[] }[];
    };
    const results = sarif.runs[0]?.results ?? [];
    expect(results.filter((r) => r.properties.assumptions !== undefined)).toHaveLength(withAssumptions.length);
    expect(
      results.some((r) => r.message.text.includes('Assumed: ') && r.message.text.includes('assumes 1 replica')),
    ).toBe(true);
  });

  it('adds nothing to a finding whose facts are all stated', () => {
    const stated = topology('stated', (t) => {
      const users = t.client('users', { clientKind: 'users' });
      const eu = t.region('eu-west-1');
      const api = eu.service('api', { runtime: 'lambda' });
      t.flow(users, api);
      t.flow(api, eu.postgres('db'), { kind: 'write' });
    });
    const [finding] = check(stated, { rules: ['spof'] }).findings;
    expect(finding?.assumptions).toBeUndefined();
  });
});
