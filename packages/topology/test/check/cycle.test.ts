import { cycle } from '../../src/check/rules/cycle.ts';
import { topology } from '../../src/dsl/topology.ts';
import { testRule } from './rule-tester.ts';

testRule(cycle, {
  valid: [
    {
      name: 'a chain of synchronous calls',
      model: topology('chain', (t) => {
        const eu = t.region('eu-west-1');
        const api = eu.service('api', { runtime: 'lambda' });
        const db = eu.postgres('db');
        t.flow(eu.loadBalancer('alb', { type: 'alb' }), api);
        t.flow(api, db, { kind: 'write' });
      }),
    },
    {
      name: 'a loop through a queue (publish, consume) is async',
      model: topology('queue-loop', (t) => {
        const eu = t.region('eu-west-1');
        const vote = eu.service('vote', { runtime: 'lambda' });
        const buffer = eu.queue('buffer');
        t.flow(vote, buffer, { kind: 'publish' });
        t.flow(buffer, vote, { kind: 'consume' });
      }),
    },
    {
      name: 'two services calling each other, one of the calls async',
      model: topology('async-back', (t) => {
        const eu = t.region('eu-west-1');
        const a = eu.service('a', { runtime: 'lambda' });
        const b = eu.service('b', { runtime: 'lambda' });
        t.flow(a, b);
        t.flow(b, a, { sync: false });
      }),
    },
  ],
  invalid: [
    {
      name: 'a self-loop (hld-global: A --> A)',
      model: topology('self', (t) => {
        const lb = t.dns('global-lb', { routing: 'latency' });
        t.flow(lb, lb);
      }),
      findings: [{ culprit: 'global-lb', message: ['global-lb calls itself', 'global-lb -> global-lb'] }],
    },
    {
      name: 'three services in a synchronous ring across regions',
      model: topology('ring', (t) => {
        const [us, eu, ap] = [t.region('us-east-1'), t.region('eu-west-1'), t.region('ap-south-1')];
        const a = us.service('app', { runtime: 'lambda' });
        const b = eu.service('app', { runtime: 'lambda' });
        const c = ap.service('app', { runtime: 'lambda' });
        t.flow(a, b);
        t.flow(b, c);
        t.flow(c, a, { kind: 'read' });
      }),
      findings: [
        {
          components: ['us-east-1/app', 'eu-west-1/app', 'ap-south-1/app'],
          message: ['us-east-1/app -> eu-west-1/app -> ap-south-1/app -> us-east-1/app'],
        },
      ],
    },
    {
      name: 'two separate cycles give two findings',
      model: topology('two', (t) => {
        const eu = t.region('eu-west-1');
        const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => eu.service(n, { runtime: 'lambda' })) as [
          ReturnType<typeof eu.service>,
          ReturnType<typeof eu.service>,
          ReturnType<typeof eu.service>,
          ReturnType<typeof eu.service>,
        ];
        t.flow(a, b);
        t.flow(b, a);
        t.flow(c, d, { kind: 'write' });
        t.flow(d, c, { kind: 'query' });
      }),
      findings: [{ message: ['synchronous cycle'] }, { message: ['synchronous cycle'] }],
    },
  ],
});
