import { replication } from '../../src/check/rules/replication.ts';
import { topology } from '../../src/dsl/topology.ts';
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
