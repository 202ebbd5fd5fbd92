import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { ruleIds } from '../../src/check/finding.ts';
import { ruleDescriptors } from '../../src/check/rules/index.ts';
import { topology } from '../../src/dsl/topology.ts';

// A single-AZ database (spof, error), an idle queue (orphan, warning), a :latest image (security, error) on a cluster
// whose endpoint access is not stated (security, warning: EKS makes it public).
const model = topology('mixed', (t) => {
  const users = t.client('users', { clientKind: 'users' });
  const eu = t.region('eu-west-1', { zones: 3 });
  const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:latest', replicas: 3 });
  t.flow(users, api);
  t.flow(api, eu.postgres('db'), { kind: 'write' });
  t.flow(api, eu.queue('jobs'), { kind: 'publish' });
});

describe('check', () => {
  it('runs every rule, counts severities, sorts errors first then by position', () => {
    const { findings, summary } = check(model);
    expect(findings.map((f) => f.rule).sort()).toEqual(['orphan', 'security', 'security', 'spof']);
    expect(summary).toEqual({ error: 2, warning: 2, info: 0 });
    expect(findings.map((f) => f.severity)).toEqual(['error', 'error', 'warning', 'warning']);
    const [first, second] = findings;
    expect((first?.location?.line ?? 0) <= (second?.location?.line ?? 0)).toBe(true);
  });

  it('points each finding at the line that declared the culprit (DSL source locations)', () => {
    const spof = check(model).findings.find((f) => f.rule === 'spof');
    expect(spof?.location?.file).toMatch(/check\.test\.ts$/);
    // `eu.postgres('db')` is on line 14 of this file.
    expect(spof?.location?.line).toBe(14);
  });

  it('applies configured severities per rule', () => {
    const { findings, summary } = check(model, { severities: { spof: 'warning', orphan: 'info' } });
    expect(findings.find((f) => f.rule === 'spof')?.severity).toBe('warning');
    expect(findings.find((f) => f.rule === 'orphan')?.severity).toBe('info');
    expect(summary).toEqual({ error: 1, warning: 2, info: 1 });
  });

  it('runs only the selected rules', () => {
    expect(check(model, { rules: ['orphan'] }).findings.map((f) => f.rule)).toEqual(['orphan']);
  });

  it('drops suppressed findings and reports how many, with the reason', () => {
    const suppressed = topology('suppressed', (t) => {
      const users = t.client('users', { clientKind: 'users' });
      const eu = t.region('eu-west-1');
      const api = eu.service('api', { runtime: 'lambda' });
      const db = eu.postgres('db');
      t.flow(users, api);
      t.flow(api, db, { kind: 'write' });
      t.suppress('spof', [db], 'a reporting replica; an outage is acceptable');
    });
    const result = check(suppressed);
    expect(result.findings.filter((f) => f.rule === 'spof')).toEqual([]);
    expect(result.suppressed).toEqual([
      { rule: 'spof', count: 1, reason: 'a reporting replica; an outage is acceptable' },
    ]);
  });

  it('a suppression of another component or rule suppresses nothing', () => {
    const other = topology('other', (t) => {
      const eu = t.region('eu-west-1');
      const api = eu.service('api', { runtime: 'lambda' });
      t.flow(t.client('users', { clientKind: 'users' }), api);
      const db = eu.postgres('db');
      t.flow(api, db, { kind: 'write' });
      t.suppress('orphan', [db], 'wrong rule');
      t.suppress('spof', [api], 'wrong component');
    });
    const result = check(other);
    expect(result.findings.filter((f) => f.rule === 'spof').map((f) => f.components[0])).toEqual(['eu-west-1/db']);
    expect(result.suppressed).toEqual([]);
  });

  it('skips the explanation when asked', () => {
    expect(check(model, { explain: false }).explain).toEqual({
      availability: [],
      budgets: { rto: [], rpo: [] },
      n1: [],
      assumptions: [],
    });
    expect(check(model).explain.availability.map((a) => a.entry)).toEqual(['users']);
  });

  it('describes every rule once, in the documented order', () => {
    expect(ruleDescriptors.map((r) => r.id)).toEqual([...ruleIds]);
    for (const rule of ruleDescriptors) expect(rule.description.length).toBeGreaterThan(20);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(check(model))).toBe(JSON.stringify(check(model)));
  });
});
