import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { regionalScope } from '../../src/check/rules/regional-scope.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

testRule(regionalScope, {
  valid: [
    {
      name: 'each region has its own load balancer; DNS routes between regions',
      model: topology('per-region', (t) => {
        const dns = t.dns('dns', { routing: 'latency' });
        for (const code of ['us-east-1', 'eu-west-1'] as const) {
          const r = t.region(code);
          const alb = r.loadBalancer('alb', { type: 'alb' });
          t.flow(dns, alb);
          t.flow(alb, r.service('api', { runtime: 'lambda' }));
        }
      }),
    },
    {
      name: 'a database replicating and backing up to another region',
      model: topology('dr', (t) => {
        const db = t.region('us-east-1').postgres('db');
        const eu = t.region('eu-west-1');
        t.flow(db, eu.postgres('db', { role: 'replica', replicaOf: db }), { kind: 'replicate' });
        t.flow(db, eu.objectStore('backups', { bucket: 'backups' }), { kind: 'write' });
      }),
    },
    {
      name: 'a secret per region, each used from its own region; a global registry (GHCR) used everywhere',
      model: topology('secrets-per-region', (t) => {
        const ghcr = t.containerRegistry('ghcr', { provider: 'ghcr' });
        for (const code of ['us-east-1', 'eu-west-1'] as const) {
          const r = t.region(code);
          const api = r.service('api', { runtime: 'lambda' });
          t.flow(api, r.secrets('creds'), { kind: 'read' });
          t.flow(api, ghcr, { kind: 'read' });
        }
      }),
    },
    {
      name: 'a WAF in front of regional APIs and a static-assets CDN (tv-voting): the CDN is not a region route',
      model: topology('waf-cdn', (t) => {
        const waf = t.waf('waf');
        t.flow(waf, t.cdn('cloudfront', { provider: 'cloudfront' }));
        for (const code of ['us-east-1', 'eu-west-1'] as const) {
          const r = t.region(code);
          const api = r.service('api', { runtime: 'lambda' });
          t.flow(waf, api);
          t.flow(api, r.postgres('db'), { kind: 'write' });
        }
      }),
    },
    {
      // Azure mission-critical: /api/* to each stamp's API, /* to each stamp's storage static website. A bucket
      // answers reads of its objects itself, and the two kinds of route serve different requests.
      name: "Front Door sending /api/* to each region's API and /* to each region's static website bucket",
      model: topology('static-web', (t) => {
        const door = t.cdn('front-door', { provider: 'azure-front-door' });
        for (const code of ['northeurope', 'westeurope'] as const) {
          const r = t.region(code, { provider: 'azure' });
          const api = r.service('api', { runtime: 'app-service' });
          t.flow(door, api, { routing: { requests: ['/api/*'] } });
          t.flow(door, r.objectStore('static-web', { provider: 'azure-blob' }), {
            kind: 'read',
            routing: { requests: ['/*'] },
          });
          t.flow(api, r.postgres('db', { platform: 'azure-flexible' }), { kind: 'write' });
        }
      }),
    },
    {
      // Routes serving different requests are not alternatives: a search route needs no writable store because
      // the orders route has one.
      name: 'a CDN sending /orders/* to one region and /search/* to another: routes of other requests are not compared',
      model: topology('split', (t) => {
        const cdn = t.cdn('cdn', { provider: 'cloudfront' });
        const us = t.region('us-east-1');
        const eu = t.region('eu-west-1');
        const orders = us.service('orders', { runtime: 'lambda' });
        t.flow(cdn, orders, { routing: { requests: ['/orders/*'] } });
        t.flow(orders, us.postgres('db'), { kind: 'write' });
        t.flow(cdn, eu.service('search', { runtime: 'lambda' }), { routing: { requests: ['/search/*'] } });
      }),
    },
    {
      // tv-voting written with ingress rules in one region and flows in the other: rules are traffic (decision
      // 020), so both regions reach their application and database, and neither route skips a tier.
      name: 'a WAF to API gateways, one region reaching its services through ingress rules, the other through flows',
      model: topology('rules-and-flows', (t) => {
        const waf = t.waf('waf');
        const us = t.region('us-east-1');
        const usDb = us.postgres('db', { multiAz: true });
        const eks = us.kubernetesCluster('eks');
        const vote = eks.deployment('vote', { image: 'vote:1.0.0' });
        const ingress = eks.ingress('main', { className: 'alb', rules: [{ path: '/vote', backend: vote }] });
        const usGateway = us.apiGateway('apigw');
        t.flow(waf, usGateway);
        t.flow(usGateway, ingress);
        t.flow(vote, usDb, { kind: 'write' });
        const eu = t.region('eu-west-1');
        const euGateway = eu.apiGateway('apigw');
        const euVote = eu.kubernetesCluster('eks').deployment('vote', { image: 'vote:1.0.0' });
        t.flow(waf, euGateway);
        t.flow(euGateway, euVote);
        t.flow(euVote, eu.postgres('db', { multiAz: true }), { kind: 'write' });
      }),
    },
    {
      name: 'failover DNS to a standby region whose replica is promoted on failover',
      model: topology('standby', (t) => {
        const dns = t.dns('dns', { routing: 'failover', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
        const eu = t.region('eu-west-1');
        const de = t.region('eu-central-1');
        const db = eu.postgres('db', { multiAz: true });
        const euApi = eu.service('api', { runtime: 'lambda' });
        const deApi = de.service('api', { runtime: 'lambda' });
        t.flow(dns, euApi, { routing: { failover: 'primary' } });
        t.flow(dns, deApi, { routing: { failover: 'secondary' } });
        t.flow(euApi, db, { kind: 'write' });
        t.flow(deApi, de.postgres('db', { role: 'replica', replicaOf: db, promotion: 'automatic' }), { kind: 'write' });
      }),
    },
  ],
  invalid: [
    {
      name: 'an ingress routing to workloads in other regions (orasi query ingress)',
      model: topology('orasi', (t) => {
        const clusters = (['us-east-1', 'us-west-2', 'eu-west-1'] as const).map((code) =>
          t.region(code).kubernetesCluster('eks'),
        );
        const gateways = clusters.map((c) => c.deployment('query-gateway', { image: 'gw:1.0.0' }));
        const ingress = (clusters[0] as (typeof clusters)[number]).ingress('query-ingress', {
          className: 'alb',
          rules: [{ path: '/api/v1/query', backend: gateways[0] as (typeof gateways)[number] }],
        });
        for (const gateway of gateways) t.flow(ingress, gateway);
      }),
      findings: [
        {
          culprit: 'us-east-1/eks/query-ingress',
          components: ['us-west-2/eks/query-gateway', 'eu-west-1/eks/query-gateway'],
          message: ['regional ingress in us-east-1', 'us-west-2/eks/query-gateway (us-west-2)'],
        },
      ],
    },
    {
      name: 'an API gateway integrating a function in another region, and an ingress rule backend there',
      model: topology('gateway', (t) => {
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const fn = eu.service('fn', { runtime: 'lambda' });
        t.flow(us.apiGateway('api'), fn);
        const eks = us.kubernetesCluster('eks');
        const remote = eu.kubernetesCluster('eks').deployment('remote', { image: 'r:1.0.0' });
        eks.ingress('main', { className: 'nginx', rules: [{ path: '/', backend: remote }] });
      }),
      findings: [{ culprit: 'us-east-1/api' }, { culprit: 'us-east-1/eks/main', components: ['eu-west-1/eks/remote'] }],
    },
    {
      name: 'Secrets Manager declared outside any region and read from two regions',
      model: topology('global-secrets', (t) => {
        const creds = t.secrets('creds', { provider: 'secrets-manager' });
        for (const code of ['us-east-1', 'eu-west-1'] as const) {
          t.flow(t.region(code).service('api', { runtime: 'lambda' }), creds, { kind: 'read' });
        }
      }),
      findings: [
        {
          culprit: 'creds',
          components: ['us-east-1/api', 'eu-west-1/api'],
          message: ['AWS Secrets Manager', 'used synchronously from eu-west-1, us-east-1'],
        },
      ],
    },
    {
      name: 'CloudWatch and an S3 bucket declared outside any region, used from one region',
      model: topology('global-cloudwatch', (t) => {
        const api = t.region('us-east-1').service('api', { runtime: 'lambda' });
        t.flow(api, t.observability('cloudwatch', { product: 'cloudwatch' }), { kind: 'write', sync: false });
        t.flow(api, t.objectStore('assets', { bucket: 'assets' }), { kind: 'read' });
      }),
      findings: [
        {
          culprit: 'cloudwatch',
          severity: 'warning',
          message: ['Amazon CloudWatch', 'used from us-east-1', 'which region holds it is unstated'],
        },
        { culprit: 'assets', severity: 'warning', message: ['an S3 bucket'] },
      ],
    },
    {
      name: 'a global load balancer sending users straight to read replicas (hld-global: APAC)',
      model: topology('replica-route', (t) => {
        const dns = t.dns('global-lb', { routing: 'latency' });
        const us = t.region('us-east-1');
        const alb = us.loadBalancer('alb', { type: 'alb' });
        const master = us.postgres('master');
        t.flow(dns, alb);
        t.flow(alb, us.service('api', { runtime: 'lambda' }));
        t.flow(us.service('api2', { runtime: 'lambda' }), master, { kind: 'write' });
        t.flow(dns, t.region('ap-southeast-1').postgres('read-replicas', { role: 'replica', replicaOf: master }));
      }),
      findings: [
        {
          culprit: 'ap-southeast-1/read-replicas',
          components: ['global-lb'],
          message: ['routes requests straight to ap-southeast-1/read-replicas', 'missing an application'],
        },
      ],
    },
    {
      // A bucket answers reads of its objects, not the API's requests: as an alternative to a region's API for the
      // same requests, it is a region that cannot serve them.
      name: 'DNS sending the same requests to an API in one region and a bucket in the other',
      model: topology('bucket-alternative', (t) => {
        const dns = t.dns('dns', { routing: 'latency' });
        const us = t.region('us-east-1');
        const api = us.service('api', { runtime: 'lambda' });
        t.flow(dns, api);
        t.flow(api, us.postgres('db'), { kind: 'write' });
        t.flow(dns, t.region('eu-west-1').objectStore('site', {}), { kind: 'read' });
      }),
      findings: [{ culprit: 'eu-west-1/site', message: ['reaches no application', 'the other route reaches one'] }],
    },
    {
      name: 'DNS routing one region to an edge function with nothing behind it',
      model: topology('edge-route', (t) => {
        const dns = t.dns('dns', { routing: 'latency' });
        const us = t.region('us-east-1');
        const api = us.service('api', { runtime: 'lambda' });
        t.flow(dns, api);
        t.flow(api, us.postgres('db'), { kind: 'write' });
        t.flow(dns, t.region('ap-southeast-1').service('edge', { runtime: 'lambda' }));
      }),
      findings: [
        {
          culprit: 'ap-southeast-1/edge',
          components: ['dns'],
          message: ['reaches no writable store behind it', 'the other route reaches one'],
        },
      ],
    },
  ],
});

// Exact findings (issue 22, mutation testing): what each finding names, its severity, the line it points at and its
// details, and the flows a regional component may send across regions (replication, messaging, a database's writes).
describe('rule regional-scope: exact findings', () => {
  const run = (model: Topology) => check(model, { rules: ['regional-scope'], explain: false }).findings;
  const componentAt = (model: Topology, id: string) => model.components.find((c) => c.id === id)?.source;
  const flowAt = (model: Topology, from: string, to: string) =>
    model.flows.find((f) => f.from === from && f.to === to)?.source;

  it('a load balancer with targets in two other regions: each target once, with its region', () => {
    const model = topology('alb-exact', (t) => {
      const [us, eu, ap] = [t.region('us-east-1'), t.region('eu-west-1'), t.region('ap-south-1')];
      const alb = us.loadBalancer('alb', { type: 'alb' });
      const euApi = eu.service('api', { runtime: 'lambda' });
      t.flow(alb, us.service('api', { runtime: 'lambda' }));
      t.flow(alb, euApi);
      t.flow(alb, euApi, { kind: 'read' });
      t.flow(alb, ap.service('api', { runtime: 'lambda' }), { kind: 'write' });
      t.flow(alb, t.client('partner', { clientKind: 'application' }));
    });
    expect(run(model)).toEqual([
      {
        rule: 'regional-scope',
        severity: 'error',
        message:
          'us-east-1/alb is a regional loadBalancer in us-east-1 but targets eu-west-1/api (eu-west-1), ap-south-1/api (ap-south-1).',
        hint: 'give each region its own loadBalancer and route between regions with DNS or a global load balancer',
        components: ['us-east-1/alb', 'eu-west-1/api', 'ap-south-1/api'],
        location: componentAt(model, 'us-east-1/alb'),
        details: { region: 'us-east-1', targets: { 'eu-west-1/api': 'eu-west-1', 'ap-south-1/api': 'ap-south-1' } },
      },
    ]);
  });

  it('replication, publishing and consuming across regions are allowed to routers and data services alike', () => {
    const model = topology('async-cross', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const alb = us.loadBalancer('alb', { type: 'alb' });
      const db = us.postgres('db', { multiAz: true });
      t.flow(alb, eu.queue('events', {}), { kind: 'publish' });
      t.flow(alb, eu.stream('clicks', { engine: 'kinesis' }), { kind: 'consume' });
      t.flow(alb, eu.postgres('db', { multiAz: true }), { kind: 'replicate' });
      t.flow(db, eu.objectStore('backups', { bucket: 'backups' }), { kind: 'write' });
      t.flow(db, eu.queue('changes', {}), { kind: 'publish' });
      t.flow(us.service('api', { runtime: 'lambda' }), db, { kind: 'write' });
    });
    expect(run(model).map((f) => f.message)).toEqual([]);
  });

  it('compute calling another region, and a bucket outside any region invoking a function, are not regional routing', () => {
    // A function is neither a router nor a data service (spof speaks of cross-region calls); a bucket declared
    // outside any region has no home region to compare with (the unplaced check needs a user in a region).
    const model = topology('not-routing', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const api = us.service('api', { runtime: 'lambda' });
      t.flow(api, eu.postgres('db', { multiAz: true }), { kind: 'read' });
      t.flow(t.objectStore('uploads', { bucket: 'uploads' }), api, { kind: 'request' });
    });
    expect(run(model).map((f) => f.message)).toEqual([]);
  });

  it('a database calling into another region (a read, a query, a request) is reported', () => {
    const model = topology('db-calls', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const db = us.postgres('db', { multiAz: true });
      t.flow(db, eu.service('lookup', { runtime: 'lambda' }), { kind: 'read' });
      t.flow(db, eu.postgres('remote', { multiAz: true }), { kind: 'query' });
      t.flow(db, eu.service('hook', { runtime: 'lambda' }), { kind: 'request' });
    });
    expect(run(model).map((f) => [f.message, f.components])).toEqual([
      [
        'us-east-1/db is a regional postgres in us-east-1 but targets eu-west-1/lookup (eu-west-1), eu-west-1/remote (eu-west-1), eu-west-1/hook (eu-west-1).',
        ['us-east-1/db', 'eu-west-1/lookup', 'eu-west-1/remote', 'eu-west-1/hook'],
      ],
    ]);
  });

  it('an ingress whose rule backends are in its own region passes; one in another region is listed once', () => {
    const model = topology('ingress-rules', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const eks = us.kubernetesCluster('eks');
      const local = eks.deployment('local', { image: 'l:1.0.0' });
      const remote = eu.kubernetesCluster('eks').deployment('remote', { image: 'r:1.0.0' });
      const ingress = eks.ingress('main', {
        className: 'nginx',
        rules: [
          { path: '/l', backend: local },
          { path: '/r', backend: remote },
        ],
      });
      t.flow(ingress, remote);
    });
    expect(run(model).map((f) => [f.message, f.components, f.details])).toEqual([
      [
        'us-east-1/eks/main is a regional ingress in us-east-1 but targets eu-west-1/eks/remote (eu-west-1).',
        ['us-east-1/eks/main', 'eu-west-1/eks/remote'],
        { region: 'us-east-1', targets: { 'eu-west-1/eks/remote': 'eu-west-1' } },
      ],
    ]);
  });

  it('a regional service outside any region used synchronously from two regions: an error naming both', () => {
    const model = topology('unplaced-error', (t) => {
      const creds = t.secrets('creds', { provider: 'secrets-manager' });
      for (const code of ['us-east-1', 'eu-west-1'] as const)
        t.flow(t.region(code).service('api', { runtime: 'lambda' }), creds, { kind: 'read' });
      t.flow(t.client('ops', { clientKind: 'users' }), creds, { kind: 'read' });
    });
    expect(run(model)).toEqual([
      {
        rule: 'regional-scope',
        severity: 'error',
        message:
          'creds is AWS Secrets Manager, which lives in one region, but is declared outside any region and used synchronously from eu-west-1, us-east-1: whichever region holds it, the others depend on it across regions.',
        hint: 'declare one secrets per region (r.secrets(...)) and use each from its own region, or declare it in the region that holds it and accept the cross-region dependency',
        components: ['creds', 'us-east-1/api', 'eu-west-1/api'],
        location: componentAt(model, 'creds'),
        details: { service: 'AWS Secrets Manager', usedFrom: ['eu-west-1', 'us-east-1'] },
      },
    ]);
  });

  it('used synchronously from one region and asynchronously from another: a warning naming both regions', () => {
    const model = topology('unplaced-warning', (t) => {
      const queue = t.queue('jobs', {});
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      t.flow(us.service('api', { runtime: 'lambda' }), queue, { kind: 'publish', sync: false });
      t.flow(us.service('admin', { runtime: 'lambda' }), queue, { kind: 'publish', sync: false });
      t.flow(eu.service('api', { runtime: 'lambda' }), queue, { kind: 'read' });
    });
    const [finding, ...rest] = run(model);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      message:
        'jobs is Amazon SQS, which lives in one region, but is declared outside any region and used from eu-west-1, us-east-1: which region holds it is unstated, so whether they depend on another region cannot be checked.',
      hint: 'declare it in the region that holds it (r.queue(...) instead of t.queue(...))',
      components: ['jobs', 'us-east-1/api', 'us-east-1/admin', 'eu-west-1/api'],
      details: { service: 'Amazon SQS', usedFrom: ['eu-west-1', 'us-east-1'] },
    });
  });

  it('used from one region: a warning saying that region depends on another; unused, nothing', () => {
    const model = topology('unplaced-one', (t) => {
      const api = t.region('us-east-1').service('api', { runtime: 'lambda' });
      t.flow(api, t.secrets('creds', { provider: 'secrets-manager' }), { kind: 'read' });
      t.flow(t.client('ops', { clientKind: 'users' }), t.secrets('unused', { provider: 'secrets-manager' }), {
        kind: 'read',
      });
    });
    expect(run(model).map((f) => [f.severity, f.message, f.components])).toEqual([
      [
        'warning',
        'creds is AWS Secrets Manager, which lives in one region, but is declared outside any region and used from us-east-1: which region holds it is unstated, so whether us-east-1 depends on another region cannot be checked.',
        ['creds', 'us-east-1/api'],
      ],
    ]);
  });

  it('a route straight to a replica, where the other route reaches both tiers: names both missing tiers and points at the flow', () => {
    const model = topology('replica-both', (t) => {
      const dns = t.dns('dns', { routing: 'latency' });
      const us = t.region('us-east-1');
      const api = us.service('api', { runtime: 'lambda' });
      const master = us.postgres('master', { multiAz: true });
      t.flow(dns, api);
      t.flow(api, master, { kind: 'write' });
      t.flow(dns, t.region('ap-southeast-1').postgres('replica', { role: 'replica', replicaOf: master }), {
        kind: 'read',
      });
    });
    expect(run(model)).toEqual([
      {
        rule: 'regional-scope',
        severity: 'error',
        message:
          'dns routes requests straight to ap-southeast-1/replica, a postgres in ap-southeast-1: no application runs them there (missing an application and a writable store).',
        hint: 'route dns to the application of that region (its load balancer or ingress), and put the missing tier behind it, or stop routing users there',
        components: ['ap-southeast-1/replica', 'dns'],
        location: flowAt(model, 'dns', 'ap-southeast-1/replica'),
        details: { router: 'dns', missing: ['application', 'writable store'] },
      },
    ]);
  });

  it('a route straight to a global database: missing the application only, no region in the message', () => {
    const model = topology('global-db-route', (t) => {
      const dns = t.dns('dns', { routing: 'latency' });
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      t.flow(
        dns,
        t.globalDatabase('table', { service: 'dynamodb', regions: [us.id, eu.id], consistency: 'eventual' }),
        { kind: 'read' },
      );
    });
    expect(run(model).map((f) => [f.message, f.details])).toEqual([
      [
        'dns routes requests straight to table, a globalDatabase: no application runs them there (missing an application).',
        { router: 'dns', missing: ['application'] },
      ],
    ]);
  });

  it('three routes, one reaching neither tier: every other route reaches both', () => {
    const model = topology('three-routes', (t) => {
      const dns = t.dns('dns', { routing: 'latency' });
      for (const code of ['us-east-1', 'eu-west-1'] as const) {
        const r = t.region(code);
        const api = r.service('api', { runtime: 'lambda' });
        t.flow(dns, api);
        t.flow(api, r.postgres('db', { multiAz: true }), { kind: 'write' });
      }
      t.flow(dns, t.region('ap-south-1').loadBalancer('alb', { type: 'alb' }));
    });
    expect(run(model).map((f) => [f.message, f.components, f.location])).toEqual([
      [
        'dns routes requests to ap-south-1/alb in ap-south-1, which reaches no application and no writable store behind it, while every other route reaches both: users sent there cannot be served.',
        ['ap-south-1/alb', 'dns'],
        flowAt(model, 'dns', 'ap-south-1/alb'),
      ],
    ]);
  });

  it('a region whose application writes only a Redis global-datastore secondary reaches no writable store', () => {
    const model = topology('redis-secondary', (t) => {
      const dns = t.dns('dns', { routing: 'latency' });
      const us = t.region('us-east-1');
      const eu = t.region('eu-west-1');
      const primary = us.redis('cache', { globalDatastore: { role: 'primary' } });
      const usApi = us.service('api', { runtime: 'lambda' });
      const euApi = eu.service('api', { runtime: 'lambda' });
      t.flow(dns, usApi);
      t.flow(dns, euApi);
      t.flow(usApi, primary, { kind: 'write' });
      t.flow(euApi, eu.redis('cache', { globalDatastore: { role: 'secondary', primary } }), { kind: 'write' });
    });
    expect(run(model).map((f) => [f.components, f.details])).toEqual([
      [['eu-west-1/api', 'dns'], { router: 'dns', missing: ['writable store'] }],
    ]);
  });

  it('routes sharing one of their requests are compared', () => {
    const model = topology('shared-request', (t) => {
      const cdn = t.cdn('cdn', { provider: 'cloudfront' });
      for (const [code, name, requests] of [
        ['us-east-1', 'orders', ['/orders/*', '/cart/*']],
        ['ap-south-1', 'all', ['/cart/*', '/search/*']],
      ] as const) {
        const r = t.region(code);
        const api = r.service(name, { runtime: 'lambda' });
        t.flow(cdn, api, { routing: { requests: [...requests] } });
        t.flow(api, r.postgres('db', { multiAz: true }), { kind: 'write' });
      }
      t.flow(cdn, t.region('eu-west-1').service('cart', { runtime: 'lambda' }), {
        routing: { requests: ['/wish/*', '/cart/*'] },
      });
    });
    expect(run(model).map((f) => [f.components[0], f.details?.missing])).toEqual([
      ['eu-west-1/cart', ['writable store']],
    ]);
  });

  it('each route keeps its own requests: a third route serving other requests is not compared with the two that share', () => {
    // us and eu serve /api/* with an application and a database; ap serves /static/* from a bucket. Only us and eu are
    // alternatives: the bucket lacks nothing it is asked for.
    const model = topology('three-routes', (t) => {
      const cdn = t.cdn('cdn', { provider: 'cloudfront' });
      for (const code of ['us-east-1', 'eu-west-1'] as const) {
        const r = t.region(code);
        const api = r.service('api', { runtime: 'lambda' });
        t.flow(cdn, api, { routing: { requests: ['/api/*'] } });
        t.flow(api, r.postgres('db', { multiAz: true }), { kind: 'write' });
      }
      t.flow(cdn, t.region('ap-south-1').objectStore('assets', {}), { routing: { requests: ['/static/*'] } });
    });
    expect(run(model)).toEqual([]);
  });

  it('a route that takes every request is compared with routes of any requests', () => {
    const model = topology('every-request', (t) => {
      const cdn = t.cdn('cdn', { provider: 'cloudfront' });
      for (const [code, name] of [
        ['us-east-1', 'orders'],
        ['eu-west-1', 'search'],
      ] as const) {
        const r = t.region(code);
        const api = r.service(name, { runtime: 'lambda' });
        t.flow(cdn, api, { routing: { requests: [`/${name}/*`] } });
        t.flow(api, r.postgres('db', { multiAz: true }), { kind: 'write' });
      }
      t.flow(cdn, t.region('ap-south-1').service('all', { runtime: 'lambda' }));
    });
    expect(run(model).map((f) => [f.components[0], f.details?.missing])).toEqual([
      ['ap-south-1/all', ['writable store']],
    ]);
  });

  it('a target one of whose flows states no requests takes every request', () => {
    const model = topology('empty-requests', (t) => {
      const cdn = t.cdn('cdn', { provider: 'cloudfront' });
      const us = t.region('us-east-1');
      const orders = us.service('orders', { runtime: 'lambda' });
      t.flow(cdn, orders, { routing: { requests: ['/orders/*'] } });
      t.flow(orders, us.postgres('db', { multiAz: true }), { kind: 'write' });
      const mixed = t.region('ap-south-1').service('mixed', { runtime: 'lambda' });
      t.flow(cdn, mixed, { routing: { requests: ['/x/*'] } });
      t.flow(cdn, mixed, { kind: 'read' });
    });
    expect(run(model).map((f) => [f.components[0], f.details?.missing])).toEqual([
      ['ap-south-1/mixed', ['writable store']],
    ]);
  });

  it('a global target beside the regional routes is not an alternative: the region missing a tier is reported', () => {
    const model = topology('global-beside', (t) => {
      const dns = t.dns('dns', { routing: 'latency' });
      const us = t.region('us-east-1');
      const api = us.service('api', { runtime: 'lambda' });
      t.flow(dns, api);
      t.flow(api, us.postgres('db', { multiAz: true }), { kind: 'write' });
      t.flow(dns, t.region('eu-west-1').service('edge', { runtime: 'lambda' }));
      t.flow(dns, t.cdn('assets', { provider: 'cloudfront' }));
    });
    expect(run(model).map((f) => [f.components[0], f.details?.missing])).toEqual([
      ['eu-west-1/edge', ['writable store']],
    ]);
  });

  it('replication is not a request: neither a route nor a way behind one to a store', () => {
    // eu/api reads an unpromoted replica, which replicates on into a writable archive: no store the request can
    // write. The router's own replicate flow to a third region is no route.
    const model = topology('replication-not-request', (t) => {
      const dns = t.dns('dns', { routing: 'latency' });
      const [us, eu, ap] = [t.region('us-east-1'), t.region('eu-west-1'), t.region('ap-south-1')];
      const usApi = us.service('api', { runtime: 'lambda' });
      const primary = us.postgres('db', { multiAz: true });
      t.flow(dns, usApi);
      t.flow(usApi, primary, { kind: 'write' });
      const euApi = eu.service('api', { runtime: 'lambda' });
      const replica = eu.postgres('replica', { role: 'replica', replicaOf: primary });
      t.flow(dns, euApi);
      t.flow(euApi, replica, { kind: 'read' });
      t.flow(replica, ap.postgres('archive', { multiAz: true }), { kind: 'replicate' });
      t.flow(dns, ap.postgres('copy', { role: 'replica', replicaOf: primary }), { kind: 'replicate' });
    });
    expect(run(model).map((f) => [f.components[0], f.details?.missing])).toEqual([
      ['eu-west-1/api', ['writable store']],
    ]);
  });

  it('a loop behind a route (api -> worker -> api) still finds the store at its end', () => {
    const model = topology('loop', (t) => {
      const dns = t.dns('dns', { routing: 'latency' });
      for (const code of ['us-east-1', 'eu-west-1'] as const) {
        const r = t.region(code);
        const api = r.service('api', { runtime: 'lambda' });
        const worker = r.service('worker', { runtime: 'lambda' });
        t.flow(dns, api);
        t.flow(api, worker);
        t.flow(worker, api);
        t.flow(worker, r.postgres('db', { multiAz: true }), { kind: 'write' });
      }
    });
    expect(run(model).map((f) => f.message)).toEqual([]);
  });
});
