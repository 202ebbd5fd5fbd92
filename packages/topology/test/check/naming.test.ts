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
