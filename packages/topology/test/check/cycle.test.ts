import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { cycle } from '../../src/check/rules/cycle.ts';
import { type RegionScope, topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

type Services<N extends readonly string[]> = { [K in keyof N]: ReturnType<RegionScope['service']> };

/** Lambda services of `region`, declared in the order named: the cycle search takes successors in that order. */
function lambdas<const N extends readonly string[]>(region: RegionScope, names: N): Services<N> {
  return names.map((n) => region.service(n, { runtime: 'lambda' })) as Services<N>;
}

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
        const [a, b, c, d] = lambdas(eu, ['a', 'b', 'c', 'd']);
        t.flow(a, b);
        t.flow(b, a);
        t.flow(c, d, { kind: 'write' });
        t.flow(d, c, { kind: 'query' });
      }),
      findings: [{ message: ['synchronous cycle'] }, { message: ['synchronous cycle'] }],
    },
  ],
});

// Exact findings (issue 22, mutation testing): the loop reported, its members, the flow pointed at, the hint.
describe('rule cycle: exact findings', () => {
  const run = (model: Topology) => check(model, { rules: ['cycle'], explain: false }).findings;
  const flowAt = (model: Topology, from: string, to: string, sync = true) =>
    model.flows.find((f) => f.from === from && f.to === to && f.sync === sync)?.source;

  it('a self-loop: its own message and hint, pointing at the looping flow', () => {
    const model = topology('self-exact', (t) => {
      const api = t.region('eu-west-1').service('api', { runtime: 'lambda' });
      t.flow(api, api, { sync: false });
      t.flow(api, api, { kind: 'read' });
    });
    expect(run(model)).toEqual([
      {
        rule: 'cycle',
        severity: 'error',
        message:
          'eu-west-1/api calls itself synchronously (eu-west-1/api -> eu-west-1/api): a request can wait on itself forever.',
        hint: 'remove the flow eu-west-1/api -> eu-west-1/api, or make it async (a queue or stream between the two)',
        components: ['eu-west-1/api'],
        location: flowAt(model, 'eu-west-1/api', 'eu-west-1/api'),
        details: { cycle: ['eu-west-1/api'], strongComponent: ['eu-west-1/api'] },
      },
    ]);
  });

  it('two components calling each other: points at the synchronous flow of the first to the second, not an async one or one elsewhere', () => {
    const model = topology('pair-exact', (t) => {
      const eu = t.region('eu-west-1');
      const [z, y] = [eu.service('z', { runtime: 'lambda' }), eu.service('y', { runtime: 'lambda' })];
      t.flow(z, eu.postgres('db', { multiAz: true }), { kind: 'write' });
      t.flow(z, y, { sync: false });
      t.flow(z, y, { kind: 'write' });
      t.flow(y, z);
    });
    const at = flowAt(model, 'eu-west-1/z', 'eu-west-1/y');
    expect(at).not.toEqual(flowAt(model, 'eu-west-1/z', 'eu-west-1/y', false));
    expect(run(model)).toEqual([
      {
        rule: 'cycle',
        severity: 'error',
        message:
          'synchronous cycle eu-west-1/z -> eu-west-1/y -> eu-west-1/z: each waits on the next, so one slow call stalls all of them.',
        hint: 'break the loop: make one of these flows async (publish to a queue or stream) or remove the call back to eu-west-1/z',
        components: ['eu-west-1/z', 'eu-west-1/y'],
        location: at,
        details: { cycle: ['eu-west-1/z', 'eu-west-1/y'], strongComponent: ['eu-west-1/y', 'eu-west-1/z'] },
      },
    ]);
  });

  it('a loop inside a larger strongly connected group: the loop found, and every member counted and sorted', () => {
    // Successors are taken in declaration order of the components: z -> y -> x, whose first successor is y again
    // (before w), so the loop is y -> x -> y; w leads back to z, so all four are on cycles together.
    const model = topology('group', (t) => {
      const eu = t.region('eu-west-1');
      const [z, y, x, w] = lambdas(eu, ['z', 'y', 'x', 'w']);
      t.flow(z, y);
      t.flow(y, x);
      t.flow(x, w);
      t.flow(x, y);
      t.flow(w, z);
    });
    expect(run(model).map((f) => [f.message, f.components, f.location, f.details])).toEqual([
      [
        'synchronous cycle eu-west-1/y -> eu-west-1/x -> eu-west-1/y (4 components are on cycles together: eu-west-1/w, eu-west-1/x, eu-west-1/y, eu-west-1/z): each waits on the next, so one slow call stalls all of them.',
        ['eu-west-1/y', 'eu-west-1/x'],
        flowAt(model, 'eu-west-1/y', 'eu-west-1/x'),
        {
          cycle: ['eu-west-1/y', 'eu-west-1/x'],
          strongComponent: ['eu-west-1/w', 'eu-west-1/x', 'eu-west-1/y', 'eu-west-1/z'],
        },
      ],
    ]);
  });

  it('the group listed sorted by id, not in the order the search found it', () => {
    // The search pops a group newest first (d, c, b, a here); sorted, the members read a, b, c, d. The loop starts
    // at the first declared member a: a -> b -> c, whose first successor is b again, so the loop is b -> c -> b.
    const model = topology('unsorted-group', (t) => {
      const eu = t.region('eu-west-1');
      const [a, b, c, d] = lambdas(eu, ['a', 'b', 'c', 'd']);
      t.flow(a, b);
      t.flow(b, c);
      t.flow(c, b);
      t.flow(c, d);
      t.flow(d, a);
    });
    expect(run(model).map((f) => [f.message, f.components, f.location, f.details])).toEqual([
      [
        'synchronous cycle eu-west-1/b -> eu-west-1/c -> eu-west-1/b (4 components are on cycles together: eu-west-1/a, eu-west-1/b, eu-west-1/c, eu-west-1/d): each waits on the next, so one slow call stalls all of them.',
        ['eu-west-1/b', 'eu-west-1/c'],
        flowAt(model, 'eu-west-1/b', 'eu-west-1/c'),
        {
          cycle: ['eu-west-1/b', 'eu-west-1/c'],
          strongComponent: ['eu-west-1/a', 'eu-west-1/b', 'eu-west-1/c', 'eu-west-1/d'],
        },
      ],
    ]);
  });
});
