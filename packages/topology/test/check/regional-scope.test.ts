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
  ],
});
