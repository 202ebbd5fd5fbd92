import { describe, expect, it } from 'vitest';
import { bucketName, formatPath, isMeridianError, type MeridianError, parseTopology } from '../src/index.ts';

// Fields added so that each example's seed document is expressible (the examples' "What the model cannot express" lists).

type Json = Record<string, unknown>;

function topology(components: Json[], extra: Json = {}): Json {
  return {
    name: 'gaps',
    regions: [{ code: 'us-east-1', role: 'primary', jurisdiction: 'US', zones: ['us-east-1a', 'us-east-1b'] }],
    components: [
      { id: 'us-east-1/bucket', kind: 'objectStore', placement: { region: 'us-east-1' }, bucket: 'gaps-bucket' },
      { id: 'us-east-1/eks', kind: 'kubernetesCluster', placement: { region: 'us-east-1' } },
      ...components,
    ],
    flows: [],
    ...extra,
  };
}

function issuesOf(input: unknown): string[] {
  try {
    parseTopology(input);
  } catch (error) {
    if (!isMeridianError(error)) throw error;
    return (error as MeridianError).issues.map((i) => `${formatPath(i.path)} ${i.code}`);
  }
  throw new Error('expected the topology to be invalid');
}

function component(input: Json, id: string) {
  const found = parseTopology(input).components.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no component ${id}`);
  return found;
}

describe('orasi-telemetry: relational engine and Delta table format', () => {
  const rds = { id: 'us-east-1/rds', kind: 'postgres', placement: { region: 'us-east-1' } };
  const table = {
    id: 'us-east-1/t',
    kind: 'deltaTable',
    placement: { region: 'us-east-1' },
    store: 'us-east-1/bucket',
    path: 't',
  };

  it('accepts an unspecified engine and a pinned format version with transactions', () => {
    const db = component(topology([{ ...rds, engine: 'unspecified' }]), 'us-east-1/rds');
    expect(db.kind === 'postgres' && db.engine).toBe('unspecified');
    const delta = component(
      topology([{ ...table, formatVersion: 2, transactional: true, properties: { 'delta.appendOnly': 'true' } }]),
      'us-east-1/t',
    );
    expect(delta.kind === 'deltaTable' && [delta.formatVersion, delta.transactional, delta.properties]).toEqual([
      2,
      true,
      { 'delta.appendOnly': 'true' },
    ]);
  });

  it('rejects an unknown engine and a fractional format version at their paths', () => {
    expect(issuesOf(topology([{ ...rds, engine: 'oracle' }]))).toEqual(['components[2].engine invalid-value']);
    expect(issuesOf(topology([{ ...table, formatVersion: 1.5 }]))).toEqual([
      'components[2].formatVersion invalid-type',
    ]);
  });
});

describe('aragora: circuit breakers', () => {
  const app = { id: 'us-east-1/eks/app', kind: 'workload', placement: { cluster: 'us-east-1/eks' } };

  it('accepts an application-level breaker with or without settings', () => {
    const resilience = {
      circuitBreaker: {
        layer: 'application',
        implementation: 'platform_resilience.py',
        failureThreshold: 5,
        openSeconds: 30,
      },
      retries: 2,
      timeoutMs: 1500,
    };
    const workload = component(topology([{ ...app, resilience }]), 'us-east-1/eks/app');
    expect(workload.kind === 'workload' && workload.resilience).toEqual(resilience);
    const fn = { id: 'us-east-1/fn', kind: 'service', runtime: 'lambda', placement: { region: 'us-east-1' } };
    const service = component(topology([{ ...fn, resilience: { retries: 0 } }]), 'us-east-1/fn');
    expect(service.kind === 'service' && service.resilience).toEqual({ retries: 0 });
  });

  it('rejects a breaker without its layer and a zero threshold at their paths', () => {
    expect(issuesOf(topology([{ ...app, resilience: { circuitBreaker: { failureThreshold: 0 } } }]))).toEqual([
      'components[2].resilience.circuitBreaker.layer invalid-value',
      'components[2].resilience.circuitBreaker.failureThreshold out-of-range',
    ]);
  });
});

describe('nexora: namespaces, pod security, autoscaler flags, Route 53 alias health', () => {
  const cluster = (extra: Json) => ({
    id: 'us-east-1/k8s',
    kind: 'kubernetesCluster',
    placement: { region: 'us-east-1' },
    ...extra,
  });

  it('accepts namespaces with quota, limits and Pod Security levels, and both autoscaler forms', () => {
    const namespaces = [
      {
        name: 'platform',
        podSecurity: { enforce: 'restricted' },
        resourceQuota: { hard: { 'requests.cpu': '20', pods: 50 } },
        limitRange: { limits: [{ default: { cpu: '500m' } }] },
      },
    ];
    const autoscaler = {
      kind: 'cluster-autoscaler',
      expander: 'least-waste',
      scaleDownUtilizationThreshold: 0.5,
      env: { AWS_REGION: 'us-east-1' },
    };
    const parsed = component(topology([cluster({ namespaces, autoscaler })]), 'us-east-1/k8s');
    expect(parsed.kind === 'kubernetesCluster' && parsed.namespaces?.[0]?.limitRange?.limits[0]?.type).toBe(
      'Container',
    );
    expect(parsed.kind === 'kubernetesCluster' && parsed.autoscaler).toEqual(autoscaler);
    const short = component(topology([cluster({ autoscaler: 'karpenter' })]), 'us-east-1/k8s');
    expect(short.kind === 'kubernetesCluster' && short.autoscaler).toBe('karpenter');
  });

  it('accepts a pod securityContext, volumes, a postgres namespace and alias target health', () => {
    const app = {
      id: 'us-east-1/eks/app',
      kind: 'workload',
      placement: { cluster: 'us-east-1/eks' },
      securityContext: { runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true },
      volumes: [{ name: 'spire', mountPath: '/run/spire/sockets', source: 'hostPath', from: '/run/spire/sockets' }],
    };
    const pg = {
      id: 'us-east-1/eks/pg',
      kind: 'postgres',
      platform: 'cnpg',
      placement: { cluster: 'us-east-1/eks' },
      namespace: 'data',
    };
    const dns = {
      id: 'dns',
      kind: 'dns',
      placement: 'global',
      routing: 'failover',
      evaluateTargetHealth: true,
      healthCheck: { intervalSeconds: 30, failureThreshold: 3, insufficientDataHealthStatus: 'unhealthy' },
    };
    const input = topology([app, pg, dns]);
    const workload = component(input, 'us-east-1/eks/app');
    expect(workload.kind === 'workload' && workload.securityContext?.runAsNonRoot).toBe(true);
    const db = component(input, 'us-east-1/eks/pg');
    expect(db.kind === 'postgres' && db.namespace).toBe('data');
    const parsedDns = component(input, 'dns');
    expect(
      parsedDns.kind === 'dns' && [parsedDns.evaluateTargetHealth, parsedDns.healthCheck?.insufficientDataHealthStatus],
    ).toEqual([true, 'unhealthy']);
  });

  it('rejects an unknown Pod Security level, a threshold above 1 and a fractional runAsUser at their paths', () => {
    expect(issuesOf(topology([cluster({ namespaces: [{ name: 'p', podSecurity: { enforce: 'strict' } }] })]))).toEqual([
      'components[2].namespaces[0].podSecurity.enforce invalid-value',
    ]);
    const autoscaler = { kind: 'cluster-autoscaler', scaleDownUtilizationThreshold: 1.5 };
    expect(issuesOf(topology([cluster({ autoscaler })]))).toEqual([
      'components[2].autoscaler.scaleDownUtilizationThreshold out-of-range',
    ]);
    const app = {
      id: 'us-east-1/eks/app',
      kind: 'workload',
      placement: { cluster: 'us-east-1/eks' },
      securityContext: { runAsUser: 1.5 },
    };
    expect(issuesOf(topology([app]))).toEqual(['components[2].securityContext.runAsUser invalid-type']);
    const dns = {
      id: 'dns',
      kind: 'dns',
      placement: 'global',
      routing: 'failover',
      healthCheck: { intervalSeconds: 30, failureThreshold: 3, insufficientDataHealthStatus: 'Failure' },
    };
    expect(issuesOf(topology([dns]))).toEqual(['components[2].healthCheck.insufficientDataHealthStatus invalid-value']);
  });
});

describe('tv-voting: unnamed bucket, Services, ConfigMaps, Secrets and External Secrets', () => {
  it('accepts an object store without a bucket and names it after the component', () => {
    const input = topology([
      { id: 'us-east-1/s3-audit-logs', kind: 'objectStore', placement: { region: 'us-east-1' } },
    ]);
    const store = component(input, 'us-east-1/s3-audit-logs');
    expect(store.kind === 'objectStore' && [store.bucket, bucketName(store)]).toEqual([undefined, 's3-audit-logs']);
    const named = component(input, 'us-east-1/bucket');
    expect(named.kind === 'objectStore' && bucketName(named)).toBe('gaps-bucket');
  });

  it('accepts a ClusterIP Service, cluster ConfigMaps and Secrets, and a store synced into the cluster', () => {
    const input = topology([
      {
        id: 'us-east-1/eks/vote',
        kind: 'workload',
        placement: { cluster: 'us-east-1/eks' },
        service: { name: 'vote-svc' },
      },
      {
        id: 'us-east-1/k8s',
        kind: 'kubernetesCluster',
        placement: { region: 'us-east-1' },
        configMaps: [{ name: 'app-config' }],
        secrets: [{ name: 'db-credentials' }],
      },
      {
        id: 'us-east-1/sm',
        kind: 'secrets',
        placement: { region: 'us-east-1' },
        syncTo: { operator: 'external-secrets', clusters: ['us-east-1/eks', 'us-east-1/k8s'] },
      },
    ]);
    const vote = component(input, 'us-east-1/eks/vote');
    expect(vote.kind === 'workload' && vote.service).toEqual({ name: 'vote-svc', type: 'ClusterIP' });
    const store = component(input, 'us-east-1/sm');
    expect(store.kind === 'secrets' && store.syncTo?.clusters).toEqual(['us-east-1/eks', 'us-east-1/k8s']);
  });

  it('rejects an empty bucket name, an unknown Service type and a sync target that is not a cluster', () => {
    expect(issuesOf(topology([{ id: 'b', kind: 'objectStore', placement: 'global', bucket: '' }]))).toEqual([
      'components[2].bucket out-of-range',
    ]);
    const workload = {
      id: 'us-east-1/eks/vote',
      kind: 'workload',
      placement: { cluster: 'us-east-1/eks' },
      service: { type: 'ExternalName' },
    };
    expect(issuesOf(topology([workload]))).toEqual(['components[2].service.type invalid-value']);
    const store = {
      id: 'sm',
      kind: 'secrets',
      placement: 'global',
      syncTo: { operator: 'external-secrets', clusters: ['us-east-1/bucket'] },
    };
    expect(issuesOf(topology([store]))).toEqual(['components[2].syncTo.clusters[0] wrong-reference-kind']);
  });
});

describe('hld-global: unsized node groups, two DNS providers, region network, environments', () => {
  it('accepts node groups without sizes, additional DNS providers, an internet gateway and environments', () => {
    const input = topology(
      [
        {
          id: 'us-east-1/k8s',
          kind: 'kubernetesCluster',
          placement: { region: 'us-east-1' },
          nodeGroups: [{ name: 'system', description: 'CoreDNS' }],
        },
        { id: 'lb', kind: 'dns', placement: 'global', routing: 'latency', additionalProviders: ['cloudflare'] },
      ],
      { environment: 'production', environments: ['development', 'staging', 'production'] },
    );
    (input.regions as Json[])[0] = {
      ...((input.regions as Json[])[0] as Json),
      network: {
        internetGateway: true,
        natGateways: 'one-per-zone',
        subnets: [{ name: 'public-a', tier: 'public', zones: ['us-east-1a'], cidr: '10.0.0.0/24' }],
      },
    };
    const model = parseTopology(input);
    expect(model.environment).toBe('production');
    expect(model.regions[0]?.network?.internetGateway).toBe(true);
    const cluster = model.components.find((c) => c.id === 'us-east-1/k8s');
    expect(cluster?.kind === 'kubernetesCluster' && cluster.nodeGroups[0]).toMatchObject({
      name: 'system',
      instanceTypes: [],
    });
    expect(cluster?.kind === 'kubernetesCluster' && cluster.nodeGroups[0]?.max).toBeUndefined();
    const lb = model.components.find((c) => c.id === 'lb');
    expect(lb?.kind === 'dns' && [lb.provider, lb.additionalProviders]).toEqual(['route53', ['cloudflare']]);
  });

  it('rejects the tolerations the API server rejects: no key without Exists, a value with Exists', () => {
    const workload = (tolerations: Json[]) =>
      topology([{ id: 'us-east-1/eks/w', kind: 'workload', placement: { cluster: 'us-east-1/eks' }, tolerations }]);
    expect(issuesOf(workload([{ operator: 'Equal', value: 'ml' }]))).toEqual([
      'components[2].tolerations[0].operator invalid-value',
    ]);
    // Equal is the default operator, so a toleration of only an effect has no key and is Equal.
    expect(issuesOf(workload([{ effect: 'NoSchedule' }, { key: '', value: 'x' }]))).toEqual([
      'components[2].tolerations[0].operator invalid-value',
      'components[2].tolerations[1].operator invalid-value',
    ]);
    expect(issuesOf(workload([{ key: 'dedicated', operator: 'Exists', value: 'ml' }]))).toEqual([
      'components[2].tolerations[0].value invalid-value',
    ]);
    const valid = [
      { operator: 'Exists' },
      { key: '', operator: 'Exists', effect: 'NoExecute' },
      { key: 'dedicated' },
      { key: 'dedicated', value: 'ml' },
      { key: 'dedicated', operator: 'Exists' },
    ];
    const model = parseTopology(workload(valid));
    const w = model.components.find((c) => c.id === 'us-east-1/eks/w');
    expect(w?.kind === 'workload' && w.tolerations.length).toBe(valid.length);
  });

  it('rejects min above max, an unknown provider, a bad subnet tier and an environment outside environments', () => {
    const groups = [{ name: 'app', min: 5, max: 2 }];
    expect(
      issuesOf(
        topology([{ id: 'k', kind: 'kubernetesCluster', placement: { region: 'us-east-1' }, nodeGroups: groups }]),
      ),
    ).toEqual(['components[2].nodeGroups[0].max invalid-range']);
    expect(
      issuesOf(
        topology([{ id: 'lb', kind: 'dns', placement: 'global', routing: 'latency', additionalProviders: ['akamai'] }]),
      ),
    ).toEqual(['components[2].additionalProviders[0] invalid-value']);
    const input = topology([], { environment: 'prod', environments: ['staging', 'production'] });
    expect(issuesOf(input)).toEqual(['environment unknown-environment']);
    (input.regions as Json[])[0] = {
      ...((input.regions as Json[])[0] as Json),
      network: { subnets: [{ name: 'x', tier: 'dmz' }] },
    };
    delete input.environment;
    expect(issuesOf(input)).toEqual(['regions[0].network.subnets[0].tier invalid-value']);
  });
});
