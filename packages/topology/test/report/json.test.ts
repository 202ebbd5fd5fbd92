import { describe, expect, it } from 'vitest';
import { CheckReportSchema, check, OverlayFindingSchema, toCheckReport, topology } from '../../src/index.ts';

const model = topology('json-report', (t) => {
  t.sla({ availability: 99.99 });
  const eu = t.region('eu-west-1');
  const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1', replicas: 1 });
  const db = eu.postgres('db');
  t.flow(t.client('users', { clientKind: 'users' }), api).flow(api, db, { kind: 'write' });
});

describe('the JSON report contract', () => {
  it('is what toCheckReport makes, and its schema accepts it', () => {
    const result = check(model);
    const report = toCheckReport(result, { file: '/repo/topology.ts', displayPath: (f) => f.replace('/repo/', '') });
    expect(CheckReportSchema.parse(report)).toEqual(report);
    expect(report.findings.length).toBe(result.findings.length);
    expect(report.summary).toEqual(result.summary);
    expect(report.findings.length).toBeGreaterThan(0);
    // A DSL model carries source locations: each finding points into this test file.
    for (const finding of report.findings) expect(finding.location.file).toMatch(/json\.test\.ts$/);
    expect('explain' in report).toBe(false);
    expect(toCheckReport(result, { file: 'x', explain: true }).explain).toBe(result.explain);
  });

  it('refuses a report whose findings are not findings', () => {
    expect(CheckReportSchema.safeParse({ findings: [{ rule: 'nope' }], summary: {} }).success).toBe(false);
    expect(OverlayFindingSchema.safeParse({ rule: 'spof', severity: 'fatal', components: [] }).success).toBe(false);
    expect(OverlayFindingSchema.parse({ rule: 'spof', severity: 'error', components: ['a'], extra: 1 })).toEqual({
      rule: 'spof',
      severity: 'error',
      components: ['a'],
    });
  });
});
