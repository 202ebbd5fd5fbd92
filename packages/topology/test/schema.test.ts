import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  formatPath,
  isMeridianError,
  type MeridianError,
  parseTopology,
  type TopologyInput,
  topologyJsonSchema,
} from '../src/index.ts';

function valid(): TopologyInput {
  return {
    name: 'tv-voting',
    sla: { availability: 99.99, peakRps: 250_000, rtoSeconds: 300, rpoSeconds: 60 },
    dataClasses: [{ id: 'eu-personal', jurisdictions: ['EU'] }],
    regions: [
      {
        code: 'us-east-1',
        role: 'primary',
        jurisdiction: 'US',
        zones: ['us-east-1a', 'us-east-1b'],
        cidr: '10.0.0.0/16',
      },
      { code: 'eu-west-1', role: 'secondary', jurisdiction: 'EU' },
    ],
    components: [
      {
        id: 'dns',
        kind: 'dns',
        placement: 'global',
        provider: 'route53',
        routing: 'geolocation',
        healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
      },
      {
        id: 'us-east-1/eks',
        kind: 'kubernetesCluster',
        placement: { region: 'us-east-1', zones: ['us-east-1a'] },
        nodeGroups: [{ name: 'default', instanceTypes: ['m6i.2xlarge'], min: 3, max: 10 }],
      },
      {
        id: 'us-east-1/eks/vote',
        kind: 'workload',
        placement: { cluster: 'us-east-1/eks' },
        image: 'vote:1.4.2',
        replicas: { min: 10, max: 100 },
        ports: [8080],
      },
      {
        id: 'us-east-1/db',
        kind: 'postgres',
        placement: { region: 'us-east-1' },
        multiAz: true,
        dataClasses: ['eu-personal'],
      },
      {
        id: 'eu-west-1/db',
        kind: 'postgres',
        placement: { region: 'eu-west-1' },
        role: 'replica',
        replicaOf: 'us-east-1/db',
        replicas: 2,
      },
    ],
    flows: [
      { id: 'dns->vote', from: 'dns', to: 'us-east-1/eks/vote' },
      { id: 'db-repl', from: 'us-east-1/db', to: 'eu-west-1/db', kind: 'replicate' },
    ],
  };
}

function at<T>(items: readonly T[] | undefined, index: number): T {
  const item = items?.[index];
  if (item === undefined) throw new Error(`no item at ${index}`);
  return item;
}

function issuesOf(input: unknown): { path: string; code: string; hint?: string | undefined }[] {
  try {
    parseTopology(input, { file: 'topology.yaml' });
  } catch (error) {
    if (!isMeridianError(error)) throw error;
    return (error as MeridianError).issues.map((i) => ({ path: formatPath(i.path), code: i.code, hint: i.hint }));
  }
  throw new Error('expected the topology to be invalid');
}

describe('TopologySchema', () => {
  it('accepts a valid model and applies defaults', () => {
    const model = parseTopology(valid());
    expect(model.regions[1]?.id).toBe('eu-west-1');
    expect(model.regions[0]?.provider).toBe('aws');
    const vote = model.components.find((c) => c.id === 'us-east-1/eks/vote');
    expect(vote?.tier).toBe('compute');
    expect(vote?.kind === 'workload' && vote.ports).toEqual([{ port: 8080 }]);
    expect(model.components[4]?.replicas).toEqual({ min: 2, max: 2 });
    expect(model.flows.map((f) => f.sync)).toEqual([true, false]);
  });

  it('rejects an unknown region code with the nearest valid one in the hint', () => {
    const input = valid();
    at(input.regions, 1).code = 'eu-wset-1';
    const issues = issuesOf(input);
    expect(issues[0]).toMatchObject({ path: 'regions[1].code', code: 'unknown-region' });
    expect(issues[0]?.hint).toContain('eu-west-1');
  });

  it('rejects a zone outside its region', () => {
    const input = valid();
    at(input.regions, 0).zones = ['us-east-1a', 'us-west-2a'];
    expect(issuesOf(input)).toEqual([expect.objectContaining({ path: 'regions[0].zones[1]', code: 'unknown-zone' })]);
  });

  it('reports references to unknown components and wrong kinds at their exact paths', () => {
    const input = valid();
    const components = input.components as Record<string, unknown>[];
    at(components, 4).replicaOf = 'us-east-1/eks';
    at(components, 2).placement = { cluster: 'us-east-1/ek' };
    at(input.flows as Record<string, unknown>[], 0).to = 'nope';
    expect(issuesOf(input).map((i) => `${i.path} ${i.code}`)).toEqual([
      'components[2].placement.cluster unknown-reference',
      'components[4].replicaOf wrong-reference-kind',
      'flows[0].to unknown-reference',
    ]);
  });

  it('reports duplicate ids, unknown data classes and an unknown kind', () => {
    const input = valid();
    const components = input.components as Record<string, unknown>[];
    at(components, 4).id = 'us-east-1/db';
    at(components, 3).dataClasses = ['eu-personel'];
    expect(issuesOf(input).map((i) => `${i.path} ${i.code}`)).toEqual([
      'components[4].id duplicate-id',
      'components[3].dataClasses[0] unknown-data-class',
      'flows[1].to unknown-reference',
    ]);
    components.push({ id: 'x', kind: 'mainframe', placement: 'global' });
    expect(issuesOf(input).map((i) => `${i.path} ${i.code}`)).toEqual(['components[5].kind unknown-kind']);
  });

  it('suggests the nearest declared id, region or kind for a misspelt one', () => {
    const input = valid();
    const components = input.components as Record<string, unknown>[];
    at(components, 2).placement = { cluster: 'us-east-1/ek' };
    at(components, 4).placement = { region: 'eu-west-2' };
    expect(issuesOf(input).map((i) => `${i.path}: ${i.hint}`)).toEqual([
      "components[2].placement.cluster: did you mean 'us-east-1/eks'?",
      "components[4].placement.region: did you mean 'eu-west-1'?",
    ]);
    at(components, 3).kind = 'postgresql';
    expect(issuesOf(input).map((i) => `${i.path}: ${i.hint}`)).toEqual([
      "components[3].kind: did you mean 'postgres'?",
    ]);
  });

  it('suggests the nearest field for an unknown one, following kinds, arrays and unions', () => {
    const input = valid() as Record<string, unknown>;
    input.flow = [];
    const components = input.components as Record<string, unknown>[];
    at(components, 1).placement = { region: 'us-east-1', zone: ['us-east-1a'] };
    const groups = at(components, 1).nodeGroups as Record<string, unknown>[];
    at(groups, 0).instanceType = 'm6i.large';
    at(components, 3).colour = 'blue';
    const hints = issuesOf(input).map((i) => `${i.path}: ${i.hint}`);
    expect(hints).toContain("flow: did you mean 'flows'?");
    expect(hints).toContain("components[1].placement.zone: did you mean 'zones'?");
    expect(hints).toContain("components[1].nodeGroups[0].instanceType: did you mean 'instanceTypes'?");
    const colour = hints.find((h) => h.startsWith('components[3].colour'));
    expect(colour).toContain('fields here are');
    expect(colour).toContain('multiAz');
  });

  it('exports a JSON Schema describing the input form', () => {
    const schema = topologyJsonSchema();
    expect(schema.$schema).toContain('2020-12');
    const properties = schema.properties as Record<string, unknown>;
    expect(Object.keys(properties)).toEqual(
      expect.arrayContaining(['name', 'regions', 'components', 'flows', 'sla', 'dataClasses']),
    );
  });

  it('has a JSON Schema that a real validator applies like the zod schema', () => {
    // Formats (cidr, ...) are zod's business; this checks structure: kinds, required fields, unknown keys.
    const validator = new Ajv2020({ strict: false, validateFormats: false }).compile(topologyJsonSchema());
    const shop = parseYaml(readFileSync(new URL('./fixtures/load/shop.yaml', import.meta.url), 'utf8'));
    expect(validator(shop)).toBe(true);
    expect(validator(valid())).toBe(true);
    const wrongKey = structuredClone(shop);
    wrongKey.components[5].multiAZ = true;
    expect(validator(wrongKey)).toBe(false);
    const wrongKind = structuredClone(shop);
    wrongKind.components[0].kind = 'mainframe';
    expect(validator(wrongKind)).toBe(false);
  });
});
