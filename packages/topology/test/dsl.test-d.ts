import { describe, expectTypeOf, it } from 'vitest';
import { type ClusterScope, type Ref, type Topology, topology } from '../src/index.ts';

describe('DSL types', () => {
  it('returns the validated model and typed references', () => {
    const model = topology('t', (t) => {
      const eu = t.region('eu-west-1');
      expectTypeOf(eu.kubernetesCluster('eks')).toEqualTypeOf<ClusterScope>();
      expectTypeOf(eu.postgres('db')).toEqualTypeOf<Ref<'postgres'>>();
      expectTypeOf(eu.kubernetesCluster('k').deployment('api', { image: 'api:1' })).toEqualTypeOf<Ref<'workload'>>();
    });
    expectTypeOf(model).toEqualTypeOf<Topology>();
  });

  it('rejects a string where a component reference is required', () => {
    topology('t', (t) => {
      const eu = t.region('eu-west-1');
      const db = eu.postgres('db');
      // @ts-expect-error a flow endpoint is a component value, not its id
      t.flow('eu-west-1/db', db);
      // @ts-expect-error replicaOf takes the primary itself
      eu.postgres('replica', { role: 'replica', replicaOf: 'eu-west-1/db' });
      // @ts-expect-error a data class is the value t.dataClass returned
      eu.postgres('other', { dataClasses: ['eu-personal'] });
    });
  });

  it('rejects a reference of the wrong kind', () => {
    topology('t', (t) => {
      const eu = t.region('eu-west-1');
      const lake = eu.objectStore('lake', { bucket: 'lake' });
      const table = eu.deltaTable('events', { store: lake, path: 'events' });
      // @ts-expect-error a deltaTable is not an objectStore
      eu.deltaTable('copy', { store: table, path: 'copy' });
      // @ts-expect-error replicaOf must be a postgres
      eu.postgres('db', { replicaOf: eu.redis('cache') });
      // @ts-expect-error a queue's dlq is a queue
      eu.queue('jobs', { dlq: lake });
      // @ts-expect-error a query engine reads deltaTables
      t.queryEngine('q', { engine: 'datafusion', reads: [lake] });
    });
  });

  it('rejects unknown region codes, misplaced kinds and unknown options', () => {
    topology('t', (t) => {
      // @ts-expect-error not an AWS region code
      t.region('eu-wset-1');
      const eu = t.region('eu-west-1');
      // @ts-expect-error workloads are made from their cluster
      eu.deployment('api', { image: 'api:1' });
      // @ts-expect-error clusters live in a region, not globally
      t.kubernetesCluster('eks');
      // @ts-expect-error routing is one of failover, geolocation, latency, weighted, simple
      t.dns('dns', { routing: 'round-robin' });
      // @ts-expect-error a Delta table needs its store and path
      eu.deltaTable('lake', {});
      // A bucket the design does not name is still an object store (tv-voting's audit logs).
      eu.objectStore('audit', {});
    });
  });
});
