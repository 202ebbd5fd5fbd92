import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { replication } from '../../src/check/rules/replication.ts';
import type { Ref } from '../../src/dsl/refs.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

testRule(replication, {
  valid: [
    {
      name: 'one primary, replicas straight from it in two regions',
      model: topology('star', (t) => {
        const [us, eu, ap] = [t.region('us-east-1'), t.region('eu-west-1'), t.region('ap-south-1')];
        const primary = us.postgres('db', { multiAz: true });
        const euDb = eu.postgres('db', { role: 'replica', replicaOf: primary });
        const apDb = ap.postgres('db', { role: 'replica', replicaOf: primary });
        t.flow(primary, euDb, { kind: 'replicate' });
        t.flow(primary, apDb, { kind: 'replicate' });
      }),
    },
    {
      name: 'two writers replicating both ways with conflict resolution declared',
      model: topology('active-active', (t) => {
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const a = us.postgres('db', { conflictResolution: 'last-writer-wins' });
        const b = eu.postgres('db', { conflictResolution: 'last-writer-wins' });
        t.flow(a, b, { kind: 'replicate', replicationMode: 'logical' });
        t.flow(b, a, { kind: 'replicate', replicationMode: 'logical' });
      }),
    },
    {
      name: 'an in-cluster source replicated inside its own region',
      model: topology('same-region', (t) => {
        const eu = t.region('eu-west-1');
        const eks = eu.kubernetesCluster('eks');
        const primary = eks.postgres('pg', { platform: 'cnpg', replicas: 3 });
        const replica = eu.postgres('pg-replica', { role: 'replica', replicaOf: primary });
        t.flow(primary, replica, { kind: 'replicate' });
      }),
    },
    {
      name: 'in-cluster source across regions, clusters federated by one mesh',
      model: topology('meshed', (t) => {
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const mesh = { serviceMesh: { provider: 'istio' as const, mtls: true } };
        const usEks = us.kubernetesCluster('eks', mesh);
        const euEks = eu.kubernetesCluster('eks', mesh);
        const primary = usEks.postgres('pg', { platform: 'cnpg' });
        euEks.postgres('pg', { platform: 'cnpg', role: 'replica', replicaOf: primary });
        t.flow(euEks.deployment('app', { image: 'app:1.0.0' }), usEks.deployment('app', { image: 'app:1.0.0' }));
      }),
    },
    {
      name: 'two Redis clusters syncing both ways as CRDTs (Redis Enterprise Active-Active)',
      model: topology('redis-crdt', (t) => {
        const stores = (['us-east-1', 'eu-west-1'] as const).map((code) =>
          t.region(code).redis('redis', { platform: 'self-managed', conflictResolution: 'crdt' }),
        );
        const [a, b] = stores as [(typeof stores)[number], (typeof stores)[number]];
        t.flow(a, b, { kind: 'replicate' });
        t.flow(b, a, { kind: 'replicate' });
      }),
    },
  ],
  invalid: [
    {
      name: 'three Redis clusters syncing both ways (aragora)',
      model: topology('redis-mesh', (t) => {
        const regions = [t.region('us-east-2'), t.region('eu-west-1'), t.region('ap-south-1')];
        const [a, b, c] = regions.map((r) => r.redis('redis')) as [
          ReturnType<(typeof regions)[0]['redis']>,
          ReturnType<(typeof regions)[0]['redis']>,
          ReturnType<(typeof regions)[0]['redis']>,
        ];
        for (const [x, y] of [
          [a, b],
          [b, c],
        ] as const) {
          t.flow(x, y, { kind: 'replicate' });
          t.flow(y, x, { kind: 'replicate' });
        }
      }),
      findings: [
        {
          components: ['us-east-2/redis', 'eu-west-1/redis', 'ap-south-1/redis'],
          message: ['3 writers', 'no conflict resolution'],
        },
      ],
    },
    {
      name: 'a replica of a replica across regions (aragora postgres chain)',
      model: topology('chain', (t) => {
        const [us, eu, ap] = [t.region('us-east-2'), t.region('eu-west-1'), t.region('ap-south-1')];
        const primary = us.postgres('postgres');
        const euDb = eu.postgres('postgres', { role: 'replica', replicaOf: primary });
        ap.postgres('postgres', { role: 'replica', replicaOf: euDb });
      }),
      findings: [
        {
          culprit: 'ap-south-1/postgres',
          components: ['eu-west-1/postgres', 'us-east-2/postgres'],
          message: ['itself a replica of us-east-2/postgres', 'us-east-2 -> eu-west-1 -> ap-south-1'],
        },
      ],
    },
    {
      name: 'a replica whose source is a cluster-internal name in another region (nexora)',
      model: topology('cluster-internal', (t) => {
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const primary = us.kubernetesCluster('eks').postgres('postgres-primary', { platform: 'cnpg', replicas: 3 });
        eu.kubernetesCluster('eks').postgres('postgres-replica', {
          platform: 'cnpg',
          role: 'replica',
          replicaOf: primary,
        });
      }),
      findings: [
        {
          culprit: 'eu-west-1/eks/postgres-replica',
          components: ['us-east-1/eks'],
          message: ['svc.cluster.local', 'us-east-1'],
        },
      ],
    },
    {
      name: 'two writers where only one declares conflict resolution',
      model: topology('half', (t) => {
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const a = us.postgres('db', { conflictResolution: 'crdt' });
        const b = eu.postgres('db');
        t.flow(a, b, { kind: 'replicate' });
        t.flow(b, a, { kind: 'replicate' });
      }),
      findings: [{ message: ['2 writers'] }],
    },
  ],
});

describe('replication findings in full (rules/replication.ts)', () => {
  const findingsOf = (model: Topology) => check(model, { rules: ['replication'] }).findings;
  const flowSource = (model: Topology, from: string, to: string) =>
    model.flows.find((f) => f.from === from && f.to === to)?.source;

  it('writers in a cycle: every member sorted, their regions, at the first member link', () => {
    const model = topology('redis-ring', (t) => {
      const [a, b, c] = [t.region('us-east-2'), t.region('eu-west-1'), t.region('ap-south-1')].map((r) =>
        r.redis('redis'),
      ) as [Ref<'redis'>, Ref<'redis'>, Ref<'redis'>];
      t.flow(a, b, { kind: 'replicate' });
      t.flow(b, c, { kind: 'replicate' });
      t.flow(c, a, { kind: 'replicate' });
    });
    const writers = ['ap-south-1/redis', 'eu-west-1/redis', 'us-east-2/redis'];
    const regions = ['ap-south-1', 'eu-west-1', 'us-east-2'];
    expect(flowSource(model, 'ap-south-1/redis', 'us-east-2/redis')?.line).toBeGreaterThan(0);
    expect(findingsOf(model)).toEqual([
      {
        rule: 'replication',
        severity: 'error',
        message:
          'ap-south-1/redis, eu-west-1/redis, us-east-2/redis replicate to each other (3 writers in ap-south-1, eu-west-1, us-east-2) with no conflict resolution declared: concurrent writes to the same key diverge or are silently lost.',
        hint: 'make one of them the only writer (the others replicas), or declare how conflicts resolve (conflictResolution: last-writer-wins, crdt or application on each of them)',
        components: writers,
        location: flowSource(model, 'ap-south-1/redis', 'us-east-2/redis'),
        details: { writers, regions },
      },
    ]);
  });

  it('two writers in one region: no regions in the message', () => {
    const model = topology('same-region-writers', (t) => {
      const eu = t.region('eu-west-1');
      const [a, b] = [eu.postgres('a'), eu.postgres('b')];
      t.flow(b, a, { kind: 'replicate', replicationMode: 'logical' });
      t.flow(a, b, { kind: 'replicate', replicationMode: 'logical' });
    });
    expect(findingsOf(model).map((f) => [f.message, f.location, f.details])).toEqual([
      [
        'eu-west-1/a, eu-west-1/b replicate to each other (2 writers) with no conflict resolution declared: concurrent writes to the same key diverge or are silently lost.',
        flowSource(model, 'eu-west-1/a', 'eu-west-1/b'),
        { writers: ['eu-west-1/a', 'eu-west-1/b'], regions: ['eu-west-1'] },
      ],
    ]);
  });

  it('stores with no region: named global, in a ring of writers and as the replica of an in-cluster source', () => {
    const model = topology('global-stores', (t) => {
      const us = t.region('us-east-1');
      const options = { service: 'cosmos-db' as const, regions: [us.id], consistency: 'session' as const };
      const [a, b] = [t.globalDatabase('accounts', options), t.globalDatabase('accounts-copy', options)];
      t.flow(a, b, { kind: 'replicate' });
      t.flow(b, a, { kind: 'replicate' });
      // An analytics vendor fed by replication from a PostgreSQL that runs inside the cluster.
      const pg = us.kubernetesCluster('eks').postgres('pg', { platform: 'cnpg' });
      t.flow(pg, t.external('warehouse', { vendor: 'Snowflake' }), { kind: 'replicate' });
    });
    expect(findingsOf(model).map((f) => [f.message, f.details])).toEqual([
      [
        'accounts, accounts-copy replicate to each other (2 writers) with no conflict resolution declared: concurrent writes to the same key diverge or are silently lost.',
        { writers: ['accounts', 'accounts-copy'], regions: ['global'] },
      ],
      [
        'warehouse (global) replicates from us-east-1/eks/pg, which runs inside cluster us-east-1/eks in us-east-1: its service name (*.svc.cluster.local) resolves only inside that cluster.',
        { sourceCluster: 'us-east-1/eks', sourceRegion: 'us-east-1', targetRegion: undefined },
      ],
    ]);
  });

  // A chain primary -> middle -> last, each placed in the region given.
  const chain = (regions: readonly [string, string, string]) =>
    topology('chain', (t) => {
      const scopes = new Map<string, ReturnType<typeof t.region>>();
      const scope = (code: string) => {
        const known = scopes.get(code);
        if (known) return known;
        const region = t.region(code as 'us-east-1');
        scopes.set(code, region);
        return region;
      };
      const primary = scope(regions[0]).postgres('primary');
      const middle = scope(regions[1]).postgres('middle', { role: 'replica', replicaOf: primary });
      scope(regions[2]).postgres('last', { role: 'replica', replicaOf: middle });
    });

  it('a chain leaving the region at either hop is reported with its three regions; one within a region is not', () => {
    const report = (regions: readonly [string, string, string]) => {
      const model = chain(regions);
      return findingsOf(model).map((f) => ({
        ...f,
        location: f.location === model.components.find((c) => c.id === f.components[0])?.source,
      }));
    };
    expect(report(['us-east-1', 'us-east-1', 'eu-west-1'])).toEqual([
      {
        rule: 'replication',
        severity: 'error',
        message:
          'eu-west-1/last replicates from us-east-1/middle, itself a replica of us-east-1/primary (us-east-1 -> us-east-1 -> eu-west-1): lag adds up hop by hop, and losing us-east-1/middle cuts eu-west-1/last off.',
        hint: 'replicate eu-west-1/last directly from us-east-1/primary (the primary)',
        components: ['eu-west-1/last', 'us-east-1/middle', 'us-east-1/primary'],
        location: true,
        details: {
          chain: ['us-east-1/primary', 'us-east-1/middle', 'eu-west-1/last'],
          regions: ['us-east-1', 'us-east-1', 'eu-west-1'],
        },
      },
    ]);
    expect(report(['us-east-1', 'eu-west-1', 'eu-west-1']).map((f) => f.details)).toEqual([
      {
        chain: ['us-east-1/primary', 'eu-west-1/middle', 'eu-west-1/last'],
        regions: ['us-east-1', 'eu-west-1', 'eu-west-1'],
      },
    ]);
    expect(report(['eu-west-1', 'eu-west-1', 'eu-west-1'])).toEqual([]);
  });

  it('a change-data-capture service between two databases is no replica chain (only data services replicate)', () => {
    const model = topology('cdc', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const cdc = us.service('debezium', { runtime: 'ecs-fargate' });
      t.flow(us.postgres('orders'), cdc, { kind: 'replicate' });
      t.flow(cdc, eu.postgres('orders'), { kind: 'replicate' });
    });
    expect(findingsOf(model)).toEqual([]);
  });

  it('a replica of one of several writers is no chain: the writers are reported (or resolve conflicts), not the replica', () => {
    const model = (conflictResolution: 'last-writer-wins' | 'none') =>
      topology('writers-and-replica', (t) => {
        const [us, eu, ap] = [t.region('us-east-1'), t.region('eu-west-1'), t.region('ap-south-1')];
        const a = us.postgres('db', { conflictResolution });
        const b = eu.postgres('db', { conflictResolution });
        t.flow(a, b, { kind: 'replicate', replicationMode: 'logical' });
        t.flow(b, a, { kind: 'replicate', replicationMode: 'logical' });
        ap.postgres('db', { role: 'replica', replicaOf: b });
      });
    expect(findingsOf(model('last-writer-wins'))).toEqual([]);
    expect(findingsOf(model('none')).map((f) => f.components)).toEqual([['eu-west-1/db', 'us-east-1/db']]);
  });

  it("a replica in the middle is a chain whatever its ends: a ring writer's replica's replica, a replica feeding a ring writer", () => {
    // a <-> b resolve conflicts (no ring finding); x replicates from a; y from x; and x also feeds b's peer c.
    const model = (feedRing: boolean) =>
      topology('ring-and-chains', (t) => {
        const [us, eu, ap] = [t.region('us-east-1'), t.region('eu-west-1'), t.region('ap-south-1')];
        const a = us.postgres('a', { conflictResolution: 'last-writer-wins' });
        const b = eu.postgres('b', { conflictResolution: 'last-writer-wins' });
        t.flow(a, b, { kind: 'replicate', replicationMode: 'logical' });
        t.flow(b, a, { kind: 'replicate', replicationMode: 'logical' });
        if (feedRing) {
          // w (ap) -> x (ap) -> a: the ring member a takes w's changes through the replica x.
          const w = ap.postgres('w');
          const x = ap.postgres('x', { role: 'replica', replicaOf: w });
          t.flow(x, a, { kind: 'replicate', replicationMode: 'logical' });
        } else {
          // a -> x (eu) -> y (ap).
          const x = eu.postgres('x', { role: 'replica', replicaOf: a });
          ap.postgres('y', { role: 'replica', replicaOf: x });
        }
      });
    expect(findingsOf(model(false)).map((f) => f.details)).toEqual([
      {
        chain: ['us-east-1/a', 'eu-west-1/x', 'ap-south-1/y'],
        regions: ['us-east-1', 'eu-west-1', 'ap-south-1'],
      },
    ]);
    expect(findingsOf(model(true)).map((f) => f.details)).toEqual([
      {
        chain: ['ap-south-1/w', 'ap-south-1/x', 'us-east-1/a'],
        regions: ['ap-south-1', 'ap-south-1', 'us-east-1'],
      },
    ]);
  });

  // A CloudNativePG primary in us-east-1's cluster and its replica in eu-west-1, in a cluster or not, with meshes and
  // the flows between the clusters given.
  const crossCluster = (options: {
    replicaInCluster: boolean;
    meshes?: readonly ['istio' | 'linkerd', 'istio' | 'linkerd'];
    flow?: { kind: 'request' | 'read' | 'query' | 'publish'; from: 'us' | 'eu'; to: 'app' | 'cluster' };
  }) =>
    topology('cross-cluster', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const mesh = (i: 0 | 1) => (options.meshes ? { serviceMesh: { provider: options.meshes[i], mtls: true } } : {});
      const usEks = us.kubernetesCluster('eks', mesh(0));
      const euEks = eu.kubernetesCluster('eks', mesh(1));
      const primary = usEks.postgres('pg', { platform: 'cnpg' });
      if (options.replicaInCluster) euEks.postgres('pg', { platform: 'cnpg', role: 'replica', replicaOf: primary });
      else eu.postgres('pg', { role: 'replica', replicaOf: primary });
      const apps = {
        us: usEks.deployment('app', { image: 'app:1.0.0' }),
        eu: euEks.deployment('app', { image: 'app:1.0.0' }),
      };
      const { flow } = options;
      if (flow) {
        const other = flow.from === 'us' ? 'eu' : 'us';
        const to = flow.to === 'app' ? apps[other] : other === 'us' ? usEks : euEks;
        t.flow(apps[flow.from], to, { kind: flow.kind, ...(flow.kind === 'publish' ? { sync: false } : {}) });
      }
    });

  it('a replica of an in-cluster source in another region: the cluster, both regions, the replica location', () => {
    const model = crossCluster({ replicaInCluster: false });
    expect(findingsOf(model)).toEqual([
      {
        rule: 'replication',
        severity: 'error',
        message:
          'eu-west-1/pg (eu-west-1) replicates from us-east-1/eks/pg, which runs inside cluster us-east-1/eks in us-east-1: its service name (*.svc.cluster.local) resolves only inside that cluster.',
        hint: 'expose us-east-1/eks/pg to eu-west-1 (an internal load balancer or a cross-cluster service mesh) and point the replica at that address',
        components: ['eu-west-1/pg', 'us-east-1/eks/pg', 'us-east-1/eks'],
        location: model.components.find((c) => c.id === 'eu-west-1/pg')?.source,
        details: { sourceCluster: 'us-east-1/eks', sourceRegion: 'us-east-1', targetRegion: 'eu-west-1' },
      },
    ]);
  });

  it('clusters federated by one mesh resolve each other when services call across them, in either direction', () => {
    const reported = (options: Parameters<typeof crossCluster>[0]) =>
      findingsOf(crossCluster(options)).map((f) => f.components[0]);
    const meshed = { replicaInCluster: true, meshes: ['istio', 'istio'] } as const;
    for (const kind of ['request', 'read', 'query'] as const) {
      for (const from of ['us', 'eu'] as const) {
        expect(reported({ ...meshed, flow: { kind, from, to: 'app' } }), `${kind} from ${from}`).toEqual([]);
      }
    }
    // A call to the other cluster itself (its ingress) federates them too, to the source's cluster or the replica's.
    expect(reported({ ...meshed, flow: { kind: 'request', from: 'us', to: 'cluster' } })).toEqual([]);
    expect(reported({ ...meshed, flow: { kind: 'request', from: 'eu', to: 'cluster' } })).toEqual([]);
    // No call between them, a push that does not go through the mesh, two different meshes, or no mesh on the
    // replica's side: the source's name does not resolve there.
    expect(reported(meshed)).toEqual(['eu-west-1/eks/pg']);
    expect(reported({ ...meshed, flow: { kind: 'publish', from: 'us', to: 'app' } })).toEqual(['eu-west-1/eks/pg']);
    expect(
      reported({
        replicaInCluster: true,
        meshes: ['istio', 'linkerd'],
        flow: { kind: 'request', from: 'us', to: 'app' },
      }),
    ).toEqual(['eu-west-1/eks/pg']);
    expect(reported({ replicaInCluster: true, flow: { kind: 'request', from: 'us', to: 'app' } })).toEqual([
      'eu-west-1/eks/pg',
    ]);
  });

  it('calls through a third meshed cluster, both ways, federate neither pair: only a call between the two clusters does', () => {
    // us (the source's cluster) and eu (the replica's) each call ap and are called by it; no call joins us and eu.
    const model = (direct: boolean) =>
      topology('three-clusters', (t) => {
        const mesh = { serviceMesh: { provider: 'istio' as const, mtls: true } };
        const cluster = (code: 'us-east-1' | 'eu-west-1' | 'ap-south-1') =>
          t.region(code).kubernetesCluster('eks', mesh);
        const [us, eu, ap] = [cluster('us-east-1'), cluster('eu-west-1'), cluster('ap-south-1')];
        const primary = us.postgres('pg', { platform: 'cnpg' });
        eu.postgres('pg', { platform: 'cnpg', role: 'replica', replicaOf: primary });
        const app = (c: typeof us) => c.deployment('app', { image: 'app:1.0.0' });
        const [usApp, euApp, apApp] = [app(us), app(eu), app(ap)];
        t.flow(usApp, apApp);
        t.flow(apApp, usApp);
        t.flow(euApp, apApp);
        t.flow(apApp, euApp);
        if (direct) t.flow(euApp, usApp);
      });
    expect(findingsOf(model(false)).map((f) => f.components)).toEqual([
      ['eu-west-1/eks/pg', 'us-east-1/eks/pg', 'us-east-1/eks'],
    ]);
    expect(findingsOf(model(true))).toEqual([]);
  });

  it('a chain through a store with no region names it global', () => {
    const model = topology('global-middle', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const source = us.postgres('db');
      const middle = t.globalDatabase('accounts', {
        service: 'cosmos-db',
        regions: [us.id, eu.id],
        consistency: 'session',
      });
      t.flow(source, middle, { kind: 'replicate' });
      t.flow(middle, eu.postgres('db'), { kind: 'replicate' });
    });
    expect(findingsOf(model).map((f) => f.message)).toEqual([
      'eu-west-1/db replicates from accounts, itself a replica of us-east-1/db (us-east-1 -> global -> eu-west-1): lag adds up hop by hop, and losing accounts cuts eu-west-1/db off.',
    ]);
  });

  it('the hint for a replica with no region names "the replica"', () => {
    const model = topology('global-replica', (t) => {
      const pg = t.region('us-east-1').kubernetesCluster('eks').postgres('pg', { platform: 'cnpg' });
      t.flow(pg, t.external('warehouse', { vendor: 'Snowflake' }), { kind: 'replicate' });
    });
    expect(findingsOf(model).map((f) => f.hint)).toEqual([
      'expose us-east-1/eks/pg to the replica (an internal load balancer or a cross-cluster service mesh) and point the replica at that address',
    ]);
  });
});
