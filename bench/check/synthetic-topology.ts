/**
 * Synthetic topologies for the check bench: `regions` regions behind failover DNS, each an ALB in front of an EKS
 * cluster running `services` services in layers (five by default; each calling three services of the next layer, writing to a
 * Multi-AZ database and reading a cache), queues between some of them, and the first region's databases replicated
 * to the others. About services x regions components and five flows per service, from a seeded generator.
 */
import { findProviderRegion, type TopologyInput } from '@meridian/topology';

const regionCodes = [
  'us-east-1',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-1',
  'us-west-2',
  'ap-northeast-1',
  'sa-east-1',
  'ca-central-1',
] as const;
const FAN_OUT = 3;

// Mulberry32: small, fast, seeded; the same inputs give the same topology on every run.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A synthetic topology input (validate it with parseTopology). */
export function syntheticTopology(
  regions: number,
  services: number,
  options: { layers?: number; seed?: number } = {},
): TopologyInput {
  const LAYERS = options.layers ?? 5;
  const seed = options.seed ?? 1;
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const components: Record<string, unknown>[] = [
    { id: 'users', kind: 'client', clientKind: 'users', placement: 'global' },
    {
      id: 'dns',
      kind: 'dns',
      provider: 'route53',
      routing: 'latency',
      healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
      placement: 'global',
    },
  ];
  const flows: Record<string, unknown>[] = [{ id: 'users->dns', from: 'users', to: 'dns' }];
  const codes = regionCodes.slice(0, regions);
  const primaryDbs: string[] = [];
  codes.forEach((code, r) => {
    const at = { region: code };
    const cluster = `${code}/eks`;
    components.push(
      { id: `${code}/alb`, kind: 'loadBalancer', type: 'alb', placement: at },
      {
        id: cluster,
        kind: 'kubernetesCluster',
        endpointAccess: 'private',
        placement: at,
        nodeGroups: [
          { name: 'general', instanceTypes: ['m6i.2xlarge'], min: 3, max: 500, labels: { pool: 'general' } },
        ],
      },
    );
    flows.push({ id: `dns->${code}/alb`, from: 'dns', to: `${code}/alb` });
    const layers: string[][] = Array.from({ length: LAYERS }, () => []);
    const stores: { db: string; cache: string }[] = [];
    for (let s = 0; s < Math.max(1, Math.ceil(services / 20)); s++) {
      const db = `${code}/db-${s}`;
      const cache = `${code}/cache-${s}`;
      components.push(
        r === 0
          ? { id: db, kind: 'postgres', platform: 'aurora', multiAz: true, storageEncrypted: true, placement: at }
          : {
              id: db,
              kind: 'postgres',
              platform: 'aurora',
              multiAz: true,
              storageEncrypted: true,
              role: 'replica',
              replicaOf: primaryDbs[s] ?? primaryDbs[0],
              promotion: 'automatic',
              placement: at,
            },
        { id: cache, kind: 'redis', multiAz: true, placement: at },
      );
      if (r === 0) primaryDbs.push(db);
      else
        flows.push({
          id: `${primaryDbs[s] ?? primaryDbs[0]}->${db}`,
          from: primaryDbs[s] ?? primaryDbs[0],
          to: db,
          kind: 'replicate',
          replicationMode: 'async',
          maxLagSeconds: 1,
        });
      stores.push({ db, cache });
    }
    for (let i = 0; i < services; i++) {
      const layer = Math.min(LAYERS - 1, Math.floor((i * LAYERS) / services));
      const id = `${cluster}/svc-${i}`;
      layers[layer]?.push(id);
      components.push({
        id,
        kind: 'workload',
        image: `svc-${i}:1.0.${i}`,
        replicas: { min: 3, max: 30 },
        capacity: { maxRps: 1000 + Math.floor(next() * 50_000) },
        nodeSelector: { pool: 'general' },
        resources: { requests: { cpu: '250m', memory: '512Mi' } },
        placement: { cluster },
      });
    }
    for (const id of layers[0] ?? []) flows.push({ id: `${code}/alb->${id}`, from: `${code}/alb`, to: id });
    layers.forEach((layer, l) => {
      const below = layers[l + 1] ?? [];
      for (const id of layer) {
        const called = new Set<string>();
        for (let k = 0; k < FAN_OUT && below.length > 0; k++) called.add(pick(below));
        for (const target of called) flows.push({ id: `${id}->${target}`, from: id, to: target });
        const store = pick(stores);
        flows.push(
          { id: `${id}->${store.db}`, from: id, to: store.db, kind: 'write' },
          { id: `${id}->${store.cache}`, from: id, to: store.cache, kind: 'write' },
        );
      }
    });
    // A queue between every tenth service and a service of the last layer (async both ways).
    for (let q = 0; q < Math.floor(services / 10); q++) {
      const queue = `${code}/queue-${q}`;
      components.push({ id: queue, kind: 'queue', provider: 'sqs', placement: at });
      const producer = pick(layers[0] ?? []);
      const consumer = pick(layers[LAYERS - 1] ?? []);
      flows.push(
        { id: `${producer}->${queue}`, from: producer, to: queue, kind: 'publish' },
        { id: `${queue}->${consumer}`, from: queue, to: consumer, kind: 'consume' },
      );
    }
  });
  return {
    name: `synthetic-${regions}x${services}`,
    sla: { availability: 99.95, rtoSeconds: 900, rpoSeconds: 60, peakRps: 2000 },
    regions: codes.map((code, i) => {
      const published = findProviderRegion('aws', code);
      return {
        code,
        role: i === 0 ? 'primary' : 'secondary',
        jurisdiction: published?.jurisdiction ?? 'US',
        zones: published?.zones.slice(0, 3) ?? [],
      };
    }),
    components,
    flows,
  } as unknown as TopologyInput;
}
