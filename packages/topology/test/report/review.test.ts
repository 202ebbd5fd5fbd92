import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check, modelHash, toCheckReport, topology, toReview } from '../../src/index.ts';

const thisFile = fileURLToPath(import.meta.url);

const model = topology('review', (t) => {
  t.sla({ availability: 99.99, rtoSeconds: 60, rpoSeconds: 0 });
  const eu = t.region('eu-west-1');
  const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1' });
  const db = eu.postgres('db');
  t.flow(t.client('users', { clientKind: 'users' }), api).flow(api, db, { kind: 'write' });
  t.suppress('spof', [db], 'one database is accepted until the replica lands');
});

const review = () =>
  toReview(model, check(model), {
    file: thisFile,
    version: '9.9.9',
    sources: new Map([[thisFile, readFileSync(thisFile, 'utf8')]]),
  });

describe('the design review data', () => {
  it('carries the findings of check, each in exactly one group of its rule and severity', () => {
    const result = check(model);
    const r = review();
    expect(r.findings.map((f) => [f.rule, f.severity, f.message])).toEqual(
      result.findings.map((f) => [f.rule, f.severity, f.message]),
    );
    expect(r.findings.length).toBeGreaterThan(0);
    const grouped = r.groups.flatMap((g) => g.findings);
    expect([...grouped].sort()).toEqual(r.findings.map((f) => f.id).sort());
    for (const group of r.groups) {
      expect(group.explanation.length).toBeGreaterThan(0);
      for (const id of group.findings) {
        const finding = r.findings.find((f) => f.id === id);
        expect([finding?.rule, finding?.severity]).toEqual([group.rule, group.severity]);
      }
    }
    // Errors come before warnings, warnings before info.
    const order = r.groups.map((g) => ['error', 'warning', 'info'].indexOf(g.severity));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(r.summary).toEqual(result.summary);
  });

  it('lists for each component the findings naming it, its assumed facts and the line that declared it', () => {
    const r = review();
    const api = r.components.find((c) => c.id === 'eu-west-1/eks/api');
    expect(api?.findings.length).toBeGreaterThan(0);
    for (const id of api?.findings ?? []) expect(r.findings.find((f) => f.id === id)?.components).toContain(api?.id);
    // replicas is not stated for api: the checker assumes 1, and says so on the component.
    expect(api?.assumed.some((a) => a.includes('replica'))).toBe(true);
    expect(api?.declared.some(([field, value]) => field === 'image' && value === 'api:1')).toBe(true);
    expect(api?.source?.text).toContain("deployment('api'");
    expect(api?.source?.line).toBeGreaterThan(0);
  });

  it('shows the same availability, budgets and N-1 rows as check --format json --explain', () => {
    const result = check(model);
    const json = JSON.parse(JSON.stringify(toCheckReport(result, { file: 'x', explain: true })));
    const r = review();
    expect(r.availability.map((a) => a.percent)).toEqual(
      json.explain.availability.map((a: { percent: number }) => a.percent),
    );
    const [entry] = r.availability;
    expect(entry?.meetsTarget).toBe((entry?.percent ?? 0) >= 99.99);
    const lowest = Math.min(
      ...(entry?.series.map((f) => f.percent) ?? []),
      ...(entry?.parallel.map((p) => p.percent) ?? []),
    );
    expect(entry?.weakest?.percent).toBe(lowest);
    const [rto] = r.rto;
    expect(rto?.parts.reduce((sum, p) => sum + p.seconds, 0)).toBe(rto?.totalSeconds);
    expect(rto?.meetsTarget).toBe((rto?.totalSeconds ?? 0) <= 60);
    // One region and no copy elsewhere: everything is lost, which no RPO target accepts.
    expect(r.rpo).toEqual([
      expect.objectContaining({ store: 'eu-west-1/db', window: 'everything', meetsTarget: false }),
    ]);
    expect(r.n1.length).toBe(json.explain.n1.length);
    // JSON-safe: a round trip changes nothing (no Infinity turned to null).
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('records suppressions with their reasons and the version and hash in the header', () => {
    const r = review();
    expect(r.header).toMatchObject({ name: 'review', version: '9.9.9' });
    expect(r.header.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.suppressed.length).toBeGreaterThan(0);
    expect(r.suppressed.every((s) => s.reason === 'one database is accepted until the replica lands')).toBe(true);
  });

  it('hashes the design, not where it was declared', () => {
    const moved = {
      ...model,
      components: model.components.map((c) => ({ ...c, source: { file: '/elsewhere.ts', line: 1, column: 1 } })),
    };
    expect(modelHash(moved)).toBe(modelHash(model));
    const changed = { ...model, name: 'other' };
    expect(modelHash(changed)).not.toBe(modelHash(model));
  });
});
