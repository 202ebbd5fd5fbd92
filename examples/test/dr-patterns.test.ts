import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CheckResult, check, formatExplanation, type RecoveryClass, type Topology } from '@meridian/topology';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExample } from './load-example.ts';

// Issue 20: each published DR pattern, modelled from its public description, must get from `check --explain` the
// RTO class it is published with, and an RPO class at least as good (pilot light and warm standby replicate their
// data continuously, better than the one class AWS's figure gives both). The Azure guidance publishes no RPO: the
// design states no replication bound, so the RPO stays unbounded and the rpo rule warns.
const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dr-patterns');
const order: readonly RecoveryClass[] = ['near zero', 'minutes', 'tens of minutes', 'hours'];

const patterns: Record<string, { rto: RecoveryClass; rpo: RecoveryClass | 'unbounded'; source: string }> = {
  'aws-backup-restore': { rto: 'hours', rpo: 'hours', source: 'docs.aws.amazon.com/whitepapers' },
  'aws-pilot-light': { rto: 'tens of minutes', rpo: 'tens of minutes', source: 'docs.aws.amazon.com/whitepapers' },
  'aws-warm-standby': { rto: 'minutes', rpo: 'minutes', source: 'docs.aws.amazon.com/whitepapers' },
  'aws-active-active': { rto: 'near zero', rpo: 'near zero', source: 'docs.aws.amazon.com/whitepapers' },
  'azure-mission-critical': { rto: 'near zero', rpo: 'unbounded', source: 'learn.microsoft.com/azure/architecture' },
  'gcp-multi-regional': { rto: 'near zero', rpo: 'near zero', source: 'cloud.google.com/architecture' },
};

describe.each(Object.entries(patterns))('examples/dr-patterns/%s', (name, published) => {
  let model: Topology;
  let result: CheckResult;
  let explained: string;
  beforeAll(async () => {
    model = await loadExample(join(dir, name, 'topology.ts'));
    result = check(model);
    explained = formatExplanation(result.explain);
  });

  it(`check --explain puts the RTO of the region taking over in the published class (${published.rto})`, () => {
    const budgets = result.explain.budgets.rto.filter((b) => b.posture !== undefined);
    expect(budgets.length).toBeGreaterThan(0);
    for (const budget of budgets) {
      expect(explained).toContain(`${budget.region} takes over (${budget.posture}, ${budget.failover} failover): `);
    }
    const worst = budgets.map((b) => explained.split('\n').find((l) => l.includes(`${b.region} takes over`)) ?? '');
    expect(worst.map((line) => /; class: (.+)$/.exec(line)?.[1])).toContain(published.rto);
    expect(worst.every((line) => line.endsWith(`class: ${published.rto}`))).toBe(true);
  });

  it(`check --explain puts the RPO in the published class (${published.rpo}) or a better one`, () => {
    const rpo = explained.slice(explained.indexOf('RPO budget'), explained.indexOf('N-1 capacity'));
    if (published.rpo === 'unbounded') {
      expect(rpo).toMatch(/: unbounded \(target/);
      expect(result.findings.filter((f) => f.rule === 'rpo').map((f) => f.severity)).toEqual(['warning']);
      return;
    }
    const classes = [...rpo.matchAll(/; class: (.+)$/gm)].map((m) => m[1] as RecoveryClass);
    expect(classes.length).toBeGreaterThan(0);
    for (const found of classes) expect(order.indexOf(found)).toBeLessThanOrEqual(order.indexOf(published.rpo));
  });

  it('cites its source in the README and states the published class', () => {
    const readme = readFileSync(join(dir, name, 'README.md'), 'utf8');
    expect(readme.startsWith(`# ${name}\n`)).toBe(true);
    expect(readme).toContain(published.source);
    expect(readme).toContain(published.rto);
  });

  // None of the sources says who may reach the cluster API, so each cluster gets the provider's public default and
  // one security warning (decision 037); the README says so.
  it('warns once per cluster that its API endpoint access is not stated', () => {
    const clusters = model.components.filter((c) => c.kind === 'kubernetesCluster').map((c) => c.id);
    const security = result.findings.filter((f) => f.rule === 'security');
    expect(clusters.length).toBeGreaterThan(0);
    expect(security.map((f) => [f.severity, f.components[0]]).sort()).toEqual(
      clusters.map((id) => ['warning', id]).sort(),
    );
    for (const finding of security) expect(finding.message).toContain('open to 0.0.0.0/0');
  });

  it('has no error finding: each design meets its own targets', () => {
    expect(result.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
  });
});
