import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { ruleIds } from '../../src/check/finding.ts';
import { parseTopology } from '../../src/model/parse.ts';
import type { Topology } from '../../src/model/schema.ts';

const regionCodes = ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'] as const;
const kinds = [
  'dns',
  'cdn',
  'waf',
  'apiGateway',
  'loadBalancer',
  'ingress',
  'kubernetesCluster',
  'workload',
  'service',
  'postgres',
  'redis',
  'queue',
  'stream',
  'objectStore',
  'deltaTable',
  'catalog',
  'queryEngine',
  'secrets',
  'containerRegistry',
  'observability',
  'client',
  'external',
] as const;
const flowKinds = ['request', 'write', 'read', 'replicate', 'ingest', 'query', 'publish', 'consume'] as const;

const componentSeed = fc.record({
  kind: fc.nat({ max: kinds.length - 1 }),
  placement: fc.nat({ max: 9 }),
  a: fc.nat({ max: 99 }),
  b: fc.nat({ max: 99 }),
  flag: fc.boolean(),
  other: fc.nat({ max: 99 }),
});
const flowSeed = fc.record({
  from: fc.nat({ max: 99 }),
  to: fc.nat({ max: 99 }),
  kind: fc.nat({ max: flowKinds.length - 1 }),
  sync: fc.option(fc.boolean()),
  failover: fc.nat({ max: 2 }),
  lag: fc.option(fc.nat({ max: 600 })),
  carries: fc.boolean(),
});
const modelSeed = fc.record({
  regions: fc.uniqueArray(fc.nat({ max: regionCodes.length - 1 }), { minLength: 1, maxLength: 4 }),
  zoned: fc.boolean(),
  components: fc.array(componentSeed, { minLength: 1, maxLength: 30 }),
  flows: fc.array(flowSeed, { maxLength: 60 }),
  sla: fc.record({
    availability: fc.option(fc.double({ min: 90, max: 100, noNaN: true })),
    rtoSeconds: fc.option(fc.nat({ max: 3600 })),
    rpoSeconds: fc.option(fc.nat({ max: 3600 })),
    peakRps: fc.option(fc.integer({ min: 1, max: 500_000 })),
  }),
  suppress: fc.option(fc.nat({ max: ruleIds.length - 1 })),
});

type Seed = typeof modelSeed extends fc.Arbitrary<infer T> ? T : never;

// Builds a model from the seed; references only point backwards, so every id exists and kinds match.
function build(seed: Seed): unknown {
  const regions = seed.regions.map((i) => regionCodes[i] as string);
  const zonesOf = (code: string) =>
    (code === 'ap-southeast-1' ? ['a', 'b', 'c'] : ['a', 'b', 'c']).map((z) => `${code}${z}`);
  const components: Record<string, unknown>[] = [];
  const byKind = (kind: string) => components.filter((c) => c.kind === kind);
  const pick = <T>(list: readonly T[], n: number): T | undefined =>
    list.length === 0 ? undefined : list[n % list.length];
  seed.components.forEach((c, i) => {
    let kind: string = kinds[c.kind] as string;
    const region = pick(regions, c.placement) as string;
    const clusters = byKind('kubernetesCluster');
    if ((kind === 'workload' || kind === 'ingress') && clusters.length === 0) kind = 'service';
    if (kind === 'deltaTable' && byKind('objectStore').length === 0) kind = 'objectStore';
    let placement: unknown =
      c.placement < 2
        ? 'global'
        : { region, ...(c.flag && c.placement > 6 ? { zones: zonesOf(region).slice(0, 1 + (c.a % 3)) } : {}) };
    if (kind === 'workload' || kind === 'ingress' || (clusters.length > 0 && c.placement === 9 && kind === 'postgres'))
      placement = { cluster: (pick(clusters, c.b) as { id: string }).id };
    if (kind === 'kubernetesCluster' && placement === 'global') placement = { region };
    const id = `c${i}`;
    const base: Record<string, unknown> = {
      id,
      kind,
      placement,
      ...(c.a % 4 === 0 ? { replicas: c.b % 5 } : {}),
      ...(c.a % 5 === 0 ? { capacity: { maxRps: 1 + c.b * 1000 } } : {}),
      ...(c.other % 7 === 0 ? { availability: 90 + (c.other % 10) } : {}),
    };
    const extra: Record<string, Record<string, unknown>> = {
      dns: {
        routing: (['simple', 'failover', 'geolocation', 'latency', 'weighted'] as const)[c.a % 5],
        ...(c.flag ? { healthCheck: { intervalSeconds: 10 + c.b, failureThreshold: 1 + (c.a % 3) } } : {}),
        ...(c.other % 2 ? { ttlSeconds: c.other } : {}),
      },
      cdn: {},
      waf: {},
      apiGateway: c.flag ? { throttle: { rps: 1 + c.b * 100 } } : {},
      loadBalancer: { type: c.flag ? 'alb' : 'nlb' },
      ingress: {
        className: c.flag ? 'alb' : 'nginx',
        rules: components.length > 0 ? [{ path: '/', backend: (pick(components, c.b) as { id: string }).id }] : [],
      },
      kubernetesCluster: {
        endpointAccess: (['public', 'private', 'both'] as const)[c.a % 3],
        nodeGroups: c.flag
          ? []
          : [
              {
                name: 'g',
                instanceTypes: [c.b % 2 ? 'm6i.large' : 'x9.weird'],
                min: 1,
                max: 1 + (c.b % 10),
                capacityType: c.a % 2 ? 'spot' : 'on-demand',
                labels: { pool: c.a % 3 ? 'x' : 'y' },
                taints: c.other % 3 ? [] : [{ key: 'k', value: 'v', effect: 'NoSchedule' }],
              },
            ],
      },
      workload: {
        workloadKind: (['deployment', 'statefulset', 'daemonset'] as const)[c.a % 3],
        ...(c.flag ? { image: c.b % 2 ? 'app:latest' : 'app:1.0.0' } : {}),
        ...(c.other % 2 ? { nodeSelector: { pool: 'x' } } : {}),
        ...(c.other % 5 === 1 ? { tolerations: [{ key: 'k', operator: 'Exists' }] } : {}),
        ...(c.b % 3 === 0 ? { resources: { requests: { cpu: `${c.a * 100}m`, memory: `${c.b}Gi` } } } : {}),
        ...(c.b % 4 === 0 ? { hpa: { metrics: [{ type: c.flag ? 'cpu' : 'custom', target: 70 }] } } : {}),
        ...(c.b % 4 === 1 ? { vpa: { mode: c.flag ? 'Auto' : 'Off' } } : {}),
      },
      service: { runtime: (['lambda', 'ecs-fargate', 'ec2', 'vm'] as const)[c.a % 4] },
      postgres: {
        platform: (['rds', 'aurora', 'cnpg'] as const)[c.a % 3],
        multiAz: c.flag,
        ...(byKind('postgres').length > 0 && c.other % 2
          ? {
              role: 'replica',
              replicaOf: (pick(byKind('postgres'), c.b) as { id: string }).id,
              promotion: c.flag ? 'automatic' : 'manual',
            }
          : {}),
        ...(c.other % 3 === 0
          ? {
              backup: {
                pitr: c.flag,
                crossRegionCopy: c.b % 2 === 0,
                ...(c.b % 3 ? { intervalSeconds: 60 * c.b + 1 } : {}),
              },
            }
          : {}),
        ...(c.other % 4 === 0 ? { conflictResolution: 'last-writer-wins' } : {}),
        ...(c.other % 5 === 0 ? { storageEncrypted: c.flag } : {}),
      },
      redis: {
        multiAz: c.flag,
        ...(byKind('redis').length > 0 && c.other % 2
          ? { globalDatastore: { role: 'secondary', primary: (pick(byKind('redis'), c.b) as { id: string }).id } }
          : {}),
      },
      queue: {},
      stream: {
        engine: (['kafka', 'msk', 'kinesis', 'confluent'] as const)[c.a % 4],
        ...(byKind('stream').length > 0 && c.flag
          ? { mirrorOf: (pick(byKind('stream'), c.b) as { id: string }).id }
          : {}),
      },
      objectStore: {
        bucket: `b${i}`,
        publicAccess: c.other % 9 === 0,
        encryption: c.other % 11 === 0 ? 'none' : 'sse-s3',
        ...(byKind('objectStore').length > 0 && c.flag
          ? { replication: { to: (pick(byKind('objectStore'), c.b) as { id: string }).id } }
          : {}),
      },
      deltaTable: {
        store: (pick(byKind('objectStore'), c.b) as { id: string })?.id,
        path: 't',
        columns: c.flag ? [{ name: 'a', type: 'string' }] : [],
        partitionColumns: c.b % 2 ? ['a'] : ['b'],
      },
      catalog: { provider: 'glue' },
      queryEngine: {
        engine: 'duckdb',
        reads: byKind('deltaTable')
          .slice(0, c.b % 3)
          .map((t) => t.id),
      },
      secrets: {},
      containerRegistry: {},
      observability: { product: (['prometheus', 'grafana', 'cloudwatch'] as const)[c.a % 3] },
      client: { clientKind: 'users' },
      external: { vendor: 'v', ...(c.flag ? { sla: { availability: 99 + (c.b % 100) / 100 } } : {}) },
    };
    components.push({ ...base, ...extra[kind], ...(c.other % 6 === 0 ? { dataClasses: ['eu'] } : {}) });
  });
  const flows = seed.flows.map((f, i) => {
    const from = components[f.from % components.length] as { id: string };
    const to = components[f.to % components.length] as { id: string };
    return {
      id: `f${i}`,
      from: from.id,
      to: to.id,
      kind: flowKinds[f.kind],
      ...(f.sync === null ? {} : { sync: f.sync }),
      ...(f.failover > 0 ? { routing: { failover: f.failover === 1 ? 'primary' : 'secondary' } } : {}),
      ...(f.lag === null ? {} : { maxLagSeconds: f.lag }),
      ...(f.carries ? { dataClasses: ['eu'] } : {}),
    };
  });
  const sla = Object.fromEntries(Object.entries(seed.sla).filter(([, v]) => v !== null));
  return {
    name: 'random',
    sla,
    dataClasses: [{ id: 'eu', jurisdictions: ['EU'] }],
    regions: regions.map((code, i) => ({
      code,
      role: i === 0 ? 'primary' : 'secondary',
      jurisdiction: code.startsWith('eu') ? 'EU' : code.startsWith('us') ? 'US' : 'APAC',
      ...(seed.zoned ? { zones: zonesOf(code) } : {}),
    })),
    components,
    flows,
    suppressions: seed.suppress === null ? [] : [{ rule: ruleIds[seed.suppress], components: [], reason: 'accepted' }],
  };
}

function parse(input: unknown): Topology | undefined {
  try {
    return parseTopology(input);
  } catch {
    return undefined;
  }
}

describe('check on random valid models', () => {
  it('never throws, and every result is well formed', () => {
    let checked = 0;
    fc.assert(
      fc.property(modelSeed, (seed) => {
        const model = parse(build(seed));
        fc.pre(model !== undefined);
        const result = check(model as Topology);
        checked++;
        const ids = new Set((model as Topology).components.map((c) => c.id));
        const counts = { error: 0, warning: 0, info: 0 };
        for (const finding of result.findings) {
          counts[finding.severity]++;
          expect(ruleIds).toContain(finding.rule);
          expect(finding.message.length).toBeGreaterThan(0);
          expect(finding.hint.length).toBeGreaterThan(0);
          for (const id of finding.components) expect(ids.has(id)).toBe(true);
        }
        expect(result.summary).toEqual(counts);
        for (const entry of result.explain.availability) {
          expect(entry.percent).toBeGreaterThanOrEqual(0);
          expect(entry.percent).toBeLessThanOrEqual(100);
        }
        for (const row of result.explain.n1) expect(Number.isNaN(row.capacityRps)).toBe(false);
      }),
      { numRuns: 300 },
    );
    // The generator must mostly produce valid models, or the property says little.
    expect(checked).toBeGreaterThan(150);
  });
});
