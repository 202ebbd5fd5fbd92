import { regionalScope } from '../../src/check/rules/regional-scope.ts';
import { topology } from '../../src/dsl/topology.ts';
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
