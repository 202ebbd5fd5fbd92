import { orphan } from '../../src/check/rules/orphan.ts';
import { topology } from '../../src/dsl/topology.ts';
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
