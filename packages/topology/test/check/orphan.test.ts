import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { orphan } from '../../src/check/rules/orphan.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

testRule(orphan, {
  valid: [
    {
      name: 'a queue with a producer and a consumer, a written and read table in its bucket',
      model: topology('pipeline', (t) => {
        const eu = t.region('eu-west-1');
        const api = eu.service('api', { runtime: 'lambda' });
        const worker = eu.service('worker', { runtime: 'lambda' });
        const queue = eu.queue('orders', { dlq: eu.queue('orders-dlq') });
        const lake = eu.objectStore('lake', { bucket: 'lake' });
        const table = eu.deltaTable('orders-table', { store: lake, path: 'delta/orders' });
        t.flow(api, queue, { kind: 'publish' });
        t.flow(queue, worker, { kind: 'consume' });
        t.flow(worker, table, { kind: 'write' });
        t.flow(eu.queryEngine('gateway', { engine: 'duckdb', reads: [table] }), table, { kind: 'read' });
      }),
    },
    {
      name: 'Prometheus scraping its targets fills itself; Grafana queries it',
      model: topology('scrape', (t) => {
        const eu = t.region('eu-west-1');
        const prometheus = t.observability('prometheus', { product: 'prometheus' });
        t.flow(prometheus, eu.service('api', { runtime: 'lambda' }), { kind: 'read' });
        t.flow(t.observability('grafana', { product: 'grafana' }), prometheus, { kind: 'query' });
      }),
    },
    {
      name: 'a standby replica filled by replication needs no reader; a cluster hosting workloads needs no flow',
      model: topology('standby', (t) => {
        const us = t.region('us-east-1');
        const src = us.stream('kafka', { engine: 'msk' });
        const app = us.kubernetesCluster('eks').deployment('app', { image: 'app:1.0.0' });
        t.flow(app, src, { kind: 'publish' });
        t.flow(src, app, { kind: 'consume' });
        t.region('eu-west-1').stream('kafka', { engine: 'msk', mirrorOf: src });
      }),
    },
    {
      name: 'an in-cluster Prometheus scrapes its cluster; Grafana queries it (tv-voting)',
      model: topology('in-cluster-scrape', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks');
        t.flow(t.client('users', { clientKind: 'users' }), eks.deployment('api', { image: 'api:1.0.0' }));
        const prometheus = eks.observability('prometheus', { product: 'prometheus' });
        t.flow(t.observability('grafana', { product: 'grafana' }), prometheus, { kind: 'query' });
      }),
    },
    {
      name: 'metrics drawn the way they travel (app -> Prometheus, a plain request flow)',
      model: topology('drawn-forward', (t) => {
        const api = t.region('eu-west-1').service('api', { runtime: 'lambda' });
        const prometheus = t.observability('prometheus', { product: 'prometheus' });
        t.flow(api, prometheus);
        t.flow(t.observability('grafana', { product: 'grafana' }), prometheus, { kind: 'query' });
      }),
    },
    {
      name: "an Argo Rollout taking over its Deployment's pods and Service",
      model: topology('rollout', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks');
        const api = eks.deployment('api', { image: 'api:1.0.0' });
        eks.deployment('api-rollout', { image: 'api:1.0.0', strategy: { type: 'blue-green' }, rolloutOf: api });
        t.flow(t.client('users', { clientKind: 'users' }), api);
      }),
    },
    {
      // The release pipeline publishes a static website's objects; the model draws the running system only.
      name: 'a static website bucket that Front Door serves, filled by a release and not by a flow',
      model: topology('static-web', (t) => {
        const door = t.cdn('front-door', { provider: 'azure-front-door' });
        t.flow(t.client('users', { clientKind: 'users' }), door);
        t.flow(
          door,
          t.region('westeurope', { provider: 'azure' }).objectStore('static-web', { provider: 'azure-blob' }),
          {
            kind: 'read',
          },
        );
      }),
    },
    {
      // The consume flow drawn the way the call goes (the worker polls the queue), not the way messages move.
      name: 'a queue whose consumer is drawn worker -> queue',
      model: topology('consume-direction', (t) => {
        const eu = t.region('eu-west-1');
        const queue = eu.queue('orders', {});
        t.flow(eu.service('api', { runtime: 'lambda' }), queue, { kind: 'publish' });
        t.flow(eu.service('worker', { runtime: 'lambda' }), queue, { kind: 'consume' });
      }),
    },
    {
      name: 'a cache the app only reads: cache-aside, the reader fills it on a miss',
      model: topology('cache-aside', (t) => {
        const eu = t.region('eu-west-1');
        const api = eu.service('api', { runtime: 'lambda' });
        t.flow(t.client('users', { clientKind: 'users' }), api);
        t.flow(api, eu.redis('cache'), { kind: 'read' });
      }),
    },
  ],
  invalid: [
    {
      name: 'a component with no flow at all (hld-global edge compute)',
      model: topology('lonely', (t) => {
        t.region('ap-southeast-1').service('edge-compute', { runtime: 'other' });
      }),
      findings: [{ culprit: 'ap-southeast-1/edge-compute', message: ['has no flows'] }],
    },
    {
      name: 'read but never written (Prometheus nothing scrapes into)',
      model: topology('read-only', (t) => {
        const prometheus = t.observability('prometheus', { product: 'prometheus' });
        t.flow(t.observability('grafana', { product: 'grafana' }), prometheus, { kind: 'query' });
      }),
      findings: [{ culprit: 'prometheus', message: ['read but nothing writes to it'] }],
    },
    {
      // Only a router's origin is filled by a release: an application reading a bucket nothing writes is reading
      // nothing.
      name: 'a bucket an application reads and nothing writes',
      model: topology('unfilled', (t) => {
        const eu = t.region('eu-west-1');
        t.flow(eu.service('report', { runtime: 'lambda' }), eu.objectStore('exports', {}), { kind: 'read' });
      }),
      findings: [{ culprit: 'eu-west-1/exports', message: ['read but nothing writes to it'] }],
    },
    {
      name: 'a queue written but never consumed, a registry pushed to and never pulled (tv-voting, hld-global)',
      model: topology('write-only', (t) => {
        const eu = t.region('eu-west-1');
        t.flow(eu.service('vote', { runtime: 'lambda' }), eu.queue('vote-buffer'), { kind: 'publish' });
        t.flow(t.external('github-actions', { vendor: 'GitHub' }), t.containerRegistry('registry'), { kind: 'write' });
      }),
      findings: [
        { culprit: 'eu-west-1/vote-buffer', message: ['messages pile up'] },
        { culprit: 'registry', message: ['never pulled'] },
      ],
    },
    {
      name: 'an empty cluster and an idle deployment (nexora DR cluster, Argo Rollout)',
      model: topology('idle', (t) => {
        t.region('ap-southeast-1').kubernetesCluster('dr-cluster');
        t.region('us-east-1').kubernetesCluster('eks').deployment('rollout', { image: 'svc:1.0.0' });
      }),
      findings: [{ culprit: 'ap-southeast-1/dr-cluster' }, { culprit: 'us-east-1/eks/rollout' }],
    },
  ],
});

// Exact findings (issue 22, mutation testing): each finding's wording, hint and line, and the ways a store gets
// filled or read that are not a plain write or read flow (replication, backups, Delta tables, query engines).
describe('rule orphan: exact findings', () => {
  const run = (model: Topology) => check(model, { rules: ['orphan'], explain: false }).findings;
  const at = (model: Topology, id: string) => model.components.find((c) => c.id === id)?.source;

  it('no flows, read but not written, written but not consumed: each wording, hint and line', () => {
    const model = topology('orphan-exact', (t) => {
      const eu = t.region('eu-west-1');
      const api = eu.service('api', { runtime: 'lambda' });
      eu.service('idle', { runtime: 'lambda' });
      t.flow(api, eu.postgres('db', { multiAz: true }), { kind: 'read' });
      t.flow(api, eu.queue('jobs', {}), { kind: 'publish' });
      t.flow(api, t.containerRegistry('ecr', { provider: 'ecr' }), { kind: 'write' });
    });
    expect(run(model)).toEqual([
      {
        rule: 'orphan',
        severity: 'warning',
        message: 'eu-west-1/idle has no flows: nothing calls it and it calls nothing.',
        hint: 'connect it with t.flow(...) where it is used, or remove it from the topology',
        components: ['eu-west-1/idle'],
        location: at(model, 'eu-west-1/idle'),
      },
      {
        rule: 'orphan',
        severity: 'warning',
        message: 'eu-west-1/db is read but nothing writes to it.',
        hint: 'add the flow that fills eu-west-1/db (kind write, publish, ingest or replicate), or remove the reads',
        components: ['eu-west-1/db'],
        location: at(model, 'eu-west-1/db'),
      },
      {
        rule: 'orphan',
        severity: 'warning',
        message: 'eu-west-1/jobs is written but nothing reads from it: messages pile up unconsumed.',
        hint: 'add the consumer (a consume or read flow from eu-west-1/jobs), or stop writing to it',
        components: ['eu-west-1/jobs'],
        location: at(model, 'eu-west-1/jobs'),
      },
      {
        rule: 'orphan',
        severity: 'warning',
        message: 'ecr is written but nothing reads from it: images are pushed and never pulled.',
        hint: 'add the consumer (a consume or read flow from ecr), or stop writing to it',
        components: ['ecr'],
        location: at(model, 'ecr'),
      },
    ]);
  });

  it('stores filled other than by a write flow: a backup bucket, an ingested stream, a replicated queue, a replica bucket', () => {
    const model = topology('filled', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const api = us.service('api', { runtime: 'lambda' });
      const backups = us.objectStore('backups', { bucket: 'backups' });
      const db = us.postgres('db', { multiAz: true, backup: { destination: backups } });
      t.flow(api, db, { kind: 'write' });
      t.flow(us.service('restore', { runtime: 'lambda' }), backups, { kind: 'read' });
      const clicks = us.stream('clicks', { engine: 'kinesis' });
      t.flow(api, clicks, { kind: 'ingest' });
      t.flow(clicks, api, { kind: 'consume' });
      const jobs = us.queue('jobs', {});
      t.flow(api, jobs, { kind: 'publish' });
      t.flow(jobs, eu.queue('jobs', {}), { kind: 'replicate' });
      const copy = eu.objectStore('copy', {});
      const assets = us.objectStore('assets', { bucket: 'assets', replication: { to: copy } });
      t.flow(api, assets, { kind: 'write' });
      t.flow(eu.service('reader', { runtime: 'lambda' }), copy, { kind: 'read' });
    });
    expect(run(model).map((f) => f.message)).toEqual([]);
  });

  it('a Delta table written makes its bucket written; a query engine reading it makes it read', () => {
    const model = topology('delta', (t) => {
      const eu = t.region('eu-west-1');
      const lake = eu.objectStore('lake', { bucket: 'lake' });
      const table = eu.deltaTable('events', { store: lake, path: 'events' });
      t.flow(eu.service('writer', { runtime: 'lambda' }), table, { kind: 'write' });
      t.flow(eu.service('reader', { runtime: 'lambda' }), lake, { kind: 'read' });
      eu.queryEngine('gateway', { engine: 'duckdb', reads: [table] });
    });
    expect(run(model).map((f) => f.message)).toEqual([]);
  });

  it('a cluster hosting nothing and a placement reference do not count as use', () => {
    const model = topology('placement', (t) => {
      t.region('eu-west-1').kubernetesCluster('empty');
    });
    expect(run(model).map((f) => f.components)).toEqual([['eu-west-1/empty']]);
  });

  it('standby copies read before anything writes them: a replica, a Global Datastore secondary, a mirror, a replicate target', () => {
    const model = topology('standby-copies', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const api = us.service('api', { runtime: 'lambda' });
      const reader = eu.service('reader', { runtime: 'lambda' });
      const pg = us.postgres('pg', { multiAz: true });
      const my = us.mysql('my', { platform: 'rds' });
      const cache = us.redis('cache', { globalDatastore: { role: 'primary' } });
      const clicks = us.stream('clicks', { engine: 'msk' });
      const orders = us.postgres('orders', { multiAz: true });
      for (const [store, kind] of [
        [pg, 'write'],
        [my, 'write'],
        [cache, 'write'],
        [clicks, 'publish'],
        [orders, 'write'],
      ] as const)
        t.flow(api, store, { kind });
      t.flow(clicks, api, { kind: 'consume' });
      // Each copy is read in eu-west-1 and written by nothing but what fills it from us-east-1.
      t.flow(reader, eu.postgres('pg', { role: 'replica', replicaOf: pg }), { kind: 'read' });
      t.flow(reader, eu.mysql('my', { platform: 'rds', role: 'replica', replicaOf: my }), { kind: 'read' });
      // Queried, not read: a read alone would count as cache-aside filling it.
      t.flow(reader, eu.redis('cache', { globalDatastore: { role: 'secondary', primary: cache } }), { kind: 'query' });
      t.flow(eu.stream('clicks', { engine: 'msk', mirrorOf: clicks }), reader, { kind: 'consume' });
      const copy = eu.postgres('orders', { multiAz: true });
      t.flow(orders, copy, { kind: 'replicate' });
      t.flow(reader, copy, { kind: 'read' });
      // The control: a database read in eu-west-1 that nothing fills.
      t.flow(reader, eu.postgres('unfilled', { multiAz: true }), { kind: 'read' });
    });
    expect(run(model).map((f) => f.message)).toEqual(['eu-west-1/unfilled is read but nothing writes to it.']);
  });

  it('what counts as filling or reading a store: pulled metrics, a query, a consume between two stores, a log store read', () => {
    const model = topology('fill-rules', (t) => {
      const eu = t.region('eu-west-1');
      const api = eu.service('api', { runtime: 'lambda' });
      const grafana = t.observability('grafana', { product: 'grafana' });
      // A Prometheus outside any cluster that scrapes nothing, only remote-writes: nothing fills it.
      const lonely = t.observability('lonely', { product: 'prometheus' });
      t.flow(grafana, lonely, { kind: 'query' });
      t.flow(lonely, t.observability('thanos', { product: 'other' }), { kind: 'write' });
      // Federation: a global Prometheus pulling from a regional one by a query fills itself.
      const regional = t.observability('regional', { product: 'prometheus' });
      t.flow(regional, api, { kind: 'read' });
      const global = t.observability('global', { product: 'prometheus' });
      t.flow(global, regional, { kind: 'query' });
      t.flow(grafana, global, { kind: 'query' });
      // A Loki only read (by a read flow, not telemetry sent to it): nothing fills it.
      t.flow(grafana, t.observability('loki', { product: 'loki' }), { kind: 'read' });
      // A Redis only queried: a query is not cache-aside, nothing fills it.
      t.flow(api, eu.redis('sessions'), { kind: 'query' });
      // A database read that reads another: reading does not fill the reader.
      const reporting = eu.postgres('reporting', { multiAz: true });
      t.flow(api, reporting, { kind: 'read' });
      const source = eu.postgres('source', { multiAz: true });
      t.flow(api, source, { kind: 'write' });
      t.flow(reporting, source, { kind: 'read' });
      // A queue consumed into a stream: the queue is read, the stream is not (nor written).
      const orders = eu.queue('orders', {});
      t.flow(api, orders, { kind: 'publish' });
      t.flow(orders, eu.stream('events', { engine: 'kinesis' }), { kind: 'consume' });
    });
    expect(run(model).map((f) => f.message)).toEqual([
      'lonely is read but nothing writes to it.',
      'loki is read but nothing writes to it.',
      'eu-west-1/sessions is read but nothing writes to it.',
      'eu-west-1/reporting is read but nothing writes to it.',
    ]);
  });

  it('a Delta table nobody writes: the table a query engine reads and its bucket are both read and unfilled', () => {
    const model = topology('delta-unfilled', (t) => {
      const eu = t.region('eu-west-1');
      const lake = eu.objectStore('lake', { bucket: 'lake' });
      const table = eu.deltaTable('events', { store: lake, path: 'events' });
      t.flow(eu.service('reader', { runtime: 'lambda' }), lake, { kind: 'read' });
      eu.queryEngine('gateway', { engine: 'duckdb', reads: [table] });
    });
    expect(run(model).map((f) => f.message)).toEqual([
      'eu-west-1/lake is read but nothing writes to it.',
      'eu-west-1/events is read but nothing writes to it.',
    ]);
  });
});
