import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { ruleIds } from '../../src/check/finding.ts';
import { naming } from '../../src/check/rules/naming.ts';
import { topology } from '../../src/dsl/topology.ts';
import { parseTopology } from '../../src/model/parse.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

// A model assembled in code without validation: the rule must still catch what parseTopology would reject.
const unchecked = (model: object): Topology => ({ ...parseTopology({ name: 'base' }), ...model }) as Topology;

testRule(naming, {
  valid: [
    {
      name: 'real codes, one name each',
      model: topology('ok', (t) => {
        t.region('us-east-1').postgres('db');
        t.region('eu-west-1');
      }),
    },
    {
      name: 'a region id that is not a region code (a nickname)',
      model: topology('nickname', (t) => {
        t.region('us-east-2', { id: 'primary' }).postgres('db');
      }),
    },
  ],
  invalid: [
    {
      name: "a region id that is another region's code (aragora: us-east-1 vs us-east-2)",
      model: topology('aragora', (t) => {
        t.region('us-east-2', { id: 'us-east-1', role: 'primary' });
      }),
      findings: [{ message: ['region us-east-1 is aws us-east-2', 'two names (us-east-1 and us-east-2)'] }],
    },
    {
      name: 'one code declared twice under two ids',
      model: topology('twice', (t) => {
        t.region('eu-west-1', { id: 'ireland' });
        t.region('eu-west-1', { id: 'dublin' });
      }),
      findings: [{ message: ['ireland and dublin are both aws eu-west-1'] }],
    },
    {
      name: 'unknown region code and duplicate component id in an unvalidated model',
      model: unchecked({
        regions: [
          { id: 'us-middle-9', provider: 'aws', code: 'us-middle-9', role: 'primary', jurisdiction: 'US', zones: [] },
        ],
        components: [
          { id: 'api', kind: 'service', runtime: 'lambda', placement: 'global', tier: 'compute', dataClasses: [] },
          { id: 'api', kind: 'service', runtime: 'lambda', placement: 'global', tier: 'compute', dataClasses: [] },
        ],
      }),
      findings: [
        { message: ["no region 'us-middle-9'"] },
        { culprit: 'api', message: ['component id api is declared twice'] },
      ],
    },
    {
      name: 'a suppression naming no rule (a typo suppresses nothing)',
      model: topology('typo', (t) => {
        const db = t.region('eu-west-1').postgres('db');
        t.suppress('single-point-of-failure', [db], 'accepted');
      }),
      findings: [
        { severity: 'warning', culprit: 'eu-west-1/db', message: ["'single-point-of-failure'", 'suppresses nothing'] },
      ],
    },
    {
      name: 'a component named after one region placed in another',
      model: unchecked({
        regions: [
          { id: 'us-east-1', provider: 'aws', code: 'us-east-1', role: 'primary', jurisdiction: 'US', zones: [] },
          { id: 'eu-west-1', provider: 'aws', code: 'eu-west-1', role: 'secondary', jurisdiction: 'EU', zones: [] },
        ],
        components: [
          {
            id: 'us-east-1/db',
            kind: 'redis',
            platform: 'elasticache',
            clusterMode: false,
            multiAz: false,
            placement: { region: 'eu-west-1' },
            tier: 'data',
            dataClasses: [],
          },
        ],
      }),
      findings: [{ culprit: 'us-east-1/db', message: ['named after us-east-1 but runs in eu-west-1'] }],
    },
  ],
});

// Exact findings (issue 22, mutation testing): wording, hints, components, the line pointed at, and a region named
// by its code where the model uses another id.
describe('rule naming: exact findings', () => {
  const run = (model: Topology) => check(model, { rules: ['naming'], explain: false }).findings;
  const region = (id: string, code: string, role = 'secondary') => ({
    id,
    provider: 'aws',
    code,
    role,
    jurisdiction: 'US',
    zones: [],
  });
  const service = (id: string, placement: unknown = 'global') => ({
    id,
    kind: 'service',
    runtime: 'lambda',
    placement,
    tier: 'compute',
    dataClasses: [],
  });

  it('an unknown code and a region id naming another real region: hints and details', () => {
    const model = unchecked({ regions: [region('us-east-1', 'us-east-9', 'primary')] });
    expect(run(model)).toEqual([
      {
        rule: 'naming',
        severity: 'error',
        message: "region us-east-1: aws publishes no region 'us-east-9'.",
        hint: 'use a published region code, e.g. us-east-1',
        components: [],
      },
      {
        rule: 'naming',
        severity: 'error',
        message:
          'region us-east-1 is aws us-east-9: the id names a different real region, so the same region goes by two names (us-east-1 and us-east-9).',
        hint: "name the region after its code (id: 'us-east-9'), or fix the code if it really is us-east-1",
        components: [],
        details: { id: 'us-east-1', code: 'us-east-9' },
      },
    ]);
  });

  it('one code under two ids: points at the second declaration', () => {
    const model = topology('twice-exact', (t) => {
      t.region('eu-west-1', { id: 'ireland' });
      t.region('eu-west-1', { id: 'dublin' });
    });
    expect(run(model)).toEqual([
      {
        rule: 'naming',
        severity: 'error',
        message: 'regions ireland and dublin are both aws eu-west-1: one region under two names.',
        hint: 'declare eu-west-1 once and place everything there',
        components: [],
        location: model.regions[1]?.source,
      },
    ]);
  });

  it('a region, a component and a flow declared twice: one finding each, at the second', () => {
    const flow = { id: 'f', from: 'api', to: 'worker', kind: 'request', sync: true, dataClasses: [] };
    const model = unchecked({
      regions: [region('us-east-1', 'us-east-1', 'primary'), region('us-east-1', 'us-east-1')],
      components: [service('api'), service('worker'), service('api')],
      flows: [flow, { ...flow }],
    });
    expect(run(model).map((f) => [f.message, f.hint, f.components])).toEqual([
      ['regions us-east-1 and us-east-1 are both aws us-east-1: one region under two names.', expect.any(String), []],
      ['region id us-east-1 is declared twice.', 'rename one of the two regions', []],
      ['component id api is declared twice.', 'rename one of the two components', ['api']],
      ['flow id f is declared twice.', 'rename one of the two flows', []],
    ]);
  });

  it('a suppression naming no rule: lists only real components, points at the first that has a line', () => {
    const model = topology('typo-exact', (t) => {
      const db = t.region('eu-west-1').postgres('db');
      t.suppress('single-point', [db], 'accepted');
    });
    const withGhost: Topology = {
      ...model,
      suppressions: [
        { ...(model.suppressions[0] as Topology['suppressions'][number]), components: ['ghost', 'eu-west-1/db'] },
      ],
    };
    expect(run(withGhost)).toEqual([
      {
        rule: 'naming',
        severity: 'warning',
        message: "suppression of 'single-point' (accepted) names no rule, so it suppresses nothing.",
        hint: `use one of ${ruleIds.join(', ')}`,
        components: ['eu-west-1/db'],
        location: model.components[0]?.source,
      },
    ]);
  });

  it('a component named after a region placed in another: by id; named by the code of its own region: fine', () => {
    const model = unchecked({
      regions: [region('virginia', 'us-east-1', 'primary'), region('eu-west-1', 'eu-west-1')],
      components: [service('us-east-1/api', { region: 'virginia' }), service('eu-west-1/db', { region: 'virginia' })],
    });
    expect(run(model)).toEqual([
      {
        rule: 'naming',
        severity: 'error',
        message: 'eu-west-1/db is named after eu-west-1 but runs in virginia.',
        hint: 'rename it under virginia/ or place it in eu-west-1',
        components: ['eu-west-1/db'],
      },
    ]);
  });

  it('an id declared twice points at the second declaration of its region, component or flow', () => {
    const at = (line: number) => ({ file: 'design.ts', line, column: 3 });
    const flow = { id: 'f', from: 'api', to: 'worker', kind: 'request', sync: true, dataClasses: [] };
    const model = unchecked({
      regions: [
        { ...region('us-east-1', 'us-east-1', 'primary'), source: at(1) },
        { ...region('us-east-1', 'us-east-1'), source: at(2) },
      ],
      components: [
        { ...service('api'), source: at(3) },
        { ...service('worker'), source: at(4) },
        { ...service('api'), source: at(5) },
      ],
      flows: [
        { ...flow, source: at(6) },
        { ...flow, source: at(7) },
      ],
    });
    expect(
      run(model)
        .filter((f) => f.message.endsWith('declared twice.'))
        .map((f) => [f.message, f.location]),
    ).toEqual([
      ['region id us-east-1 is declared twice.', at(2)],
      ['component id api is declared twice.', at(5)],
      ['flow id f is declared twice.', at(7)],
    ]);
  });

  it('a suppression naming a real rule is not reported; only the one naming none is', () => {
    const model = topology('suppressions', (t) => {
      const db = t.region('eu-west-1').postgres('db');
      t.suppress('spof', [db], 'accepted for the pilot');
      t.suppress('spoff', [db], 'a typo');
    });
    expect(run(model).map((f) => f.message)).toEqual([
      "suppression of 'spoff' (a typo) names no rule, so it suppresses nothing.",
    ]);
  });
});
