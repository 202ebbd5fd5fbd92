import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatPath, isMeridianError, type Ref, topology } from '../src/index.ts';

const thisFile = fileURLToPath(import.meta.url);
const lines = readFileSync(thisFile, 'utf8').split('\n');

/** 1-based line and column of `needle` in this file, found in the text (not hard-coded). */
function positionOf(needle: string): { line: number; column: number } {
  const index = lines.findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`not in file: ${needle}`);
  return { line: index + 1, column: (lines[index] ?? '').indexOf(needle) + 1 };
}

function votingModel() {
  return topology('tv-voting', (t) => {
    t.sla({ availability: 99.99, peakRps: 250_000, rtoSeconds: 300, rpoSeconds: 60 });
    const euPersonal = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
    const dns = t.dns('route53', { routing: 'geolocation', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
    let primaryDb: Ref<'postgres'> | undefined;
    for (const r of t.regions(['us-east-1', 'eu-west-1', 'ap-southeast-1'], { zones: 2 })) {
      const api = r.apiGateway('api', { maxRps: 100_000 });
      const eks = r.kubernetesCluster('eks', {
        nodeGroups: [{ name: 'default', instanceTypes: ['m6i.2xlarge'], min: 3, max: 10 }],
      });
      const vote = eks.deployment('vote', {
        image: 'vote:1.4.2',
        replicas: { min: 10, max: 100 },
        dataClasses: [euPersonal],
      });
      const db =
        r.role === 'primary'
          ? r.postgres('db', { multiAz: true, instanceClass: 'db.r6g.4xlarge' })
          : r.postgres('db', { role: 'replica', replicaOf: primaryDb });
      if (r.role === 'primary') primaryDb = db;
      t.flow(dns, api)
        .flow(api, vote)
        .flow(vote, db, { kind: 'write', carries: [euPersonal] });
    }
  });
}

describe('topology DSL', () => {
  it('builds plain data with scoped ids, references resolved and defaults applied', () => {
    const model = votingModel();
    expect(model.regions.map((r) => [r.id, r.role, r.jurisdiction, r.zones])).toEqual([
      ['us-east-1', 'primary', 'US', ['us-east-1a', 'us-east-1b']],
      ['eu-west-1', 'secondary', 'EU', ['eu-west-1a', 'eu-west-1b']],
      ['ap-southeast-1', 'secondary', 'APAC', ['ap-southeast-1a', 'ap-southeast-1b']],
    ]);
    const ids = model.components.map((c) => c.id);
    expect(ids).toContain('route53');
    expect(ids).toContain('eu-west-1/eks/vote');
    const vote = model.components.find((c) => c.id === 'eu-west-1/eks/vote');
    expect(vote).toMatchObject({
      kind: 'workload',
      workloadKind: 'deployment',
      placement: { cluster: 'eu-west-1/eks' },
    });
    expect(model.components.find((c) => c.id === 'ap-southeast-1/db')).toMatchObject({
      replicaOf: 'us-east-1/db',
      role: 'replica',
    });
    expect(model.components.find((c) => c.id === 'us-east-1/api')?.capacity).toEqual({ maxRps: 100_000 });
    expect(model.flows.filter((f) => f.kind === 'write').map((f) => [f.id, f.sync, f.dataClasses])).toEqual([
      ['us-east-1/eks/vote->us-east-1/db', true, ['eu-personal']],
      ['eu-west-1/eks/vote->eu-west-1/db', true, ['eu-personal']],
      ['ap-southeast-1/eks/vote->ap-southeast-1/db', true, ['eu-personal']],
    ]);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('records the file, line and column of each declaring call', () => {
    const model = votingModel();
    const dns = model.components.find((c) => c.id === 'route53');
    expect(dns?.source).toEqual({ file: thisFile, ...positionOf("dns('route53'") });
    const vote = model.components.find((c) => c.id === 'us-east-1/eks/vote');
    expect(vote?.source).toEqual({ file: thisFile, ...positionOf("deployment('vote'") });
    const write = model.flows.find((f) => f.kind === 'write');
    expect(write?.source?.line).toBe(positionOf('.flow(vote, db').line);
  });

  it('gives a second flow between the same components a distinct id', () => {
    const model = topology('pair', (t) => {
      const a = t.client('users', { clientKind: 'users' });
      const b = t.external('auth0', { vendor: 'Auth0', sla: { availability: 99.99 } });
      t.flow(a, b).flow(a, b, { kind: 'read' });
    });
    expect(model.flows.map((f) => f.id)).toEqual(['users->auth0', 'users->auth0#2']);
  });

  it('reports schema issues at the DSL call that declared the element', () => {
    let caught: unknown;
    try {
      topology('broken', (t) => {
        const eu = t.region('eu-west-1');
        eu.postgres('db');
        eu.redis('db');
      });
    } catch (error) {
      caught = error;
    }
    expect(isMeridianError(caught)).toBe(true);
    const issue = isMeridianError(caught) ? caught.issues[0] : undefined;
    expect(issue && formatPath(issue.path)).toBe('components[1].id');
    expect(issue?.location).toEqual({ file: thisFile, ...positionOf("redis('db')") });
  });
});
