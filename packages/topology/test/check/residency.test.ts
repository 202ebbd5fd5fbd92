import { residency } from '../../src/check/rules/residency.ts';
import { topology } from '../../src/dsl/topology.ts';
import { testRule } from './rule-tester.ts';

testRule(residency, {
  valid: [
    {
      name: 'EU data kept in two EU regions, replicated between them',
      model: topology('eu-only', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const [a, b] = [t.region('eu-west-1'), t.region('eu-central-1')];
        const db = a.postgres('db', { dataClasses: [eu] });
        t.flow(a.service('api', { runtime: 'lambda' }), db, { kind: 'write', carries: [eu] });
        t.flow(db, b.postgres('db', { role: 'replica', replicaOf: db }), { kind: 'replicate' });
      }),
    },
    {
      name: 'an unrestricted data class goes anywhere',
      model: topology('anywhere', (t) => {
        const telemetry = t.dataClass('telemetry');
        t.flow(
          t.region('eu-west-1').service('agent', { runtime: 'lambda' }),
          t.region('us-east-1').objectStore('lake', { bucket: 'lake' }),
          { kind: 'write', carries: [telemetry] },
        );
      }),
    },
  ],
  invalid: [
    {
      name: 'an EU region writes EU data into a US database, which replicates it to APAC (hld-global)',
      model: topology('hld', (t) => {
        const eu = t.dataClass('eu-user-data', { jurisdictions: ['EU'] });
        const [us, euw, ap] = [t.region('us-east-1'), t.region('eu-west-1'), t.region('ap-southeast-1')];
        const master = us.postgres('rds-master');
        t.flow(euw.service('eks', { runtime: 'ec2' }), master, { kind: 'write', carries: [eu] });
        ap.postgres('read-replicas', { role: 'replica', replicaOf: master });
      }),
      findings: [
        {
          culprit: 'us-east-1/rds-master',
          message: [
            'eu-user-data (allowed in EU) reaches us-east-1 (US)',
            'carried by flow eu-west-1/eks -> us-east-1/rds-master',
          ],
        },
        {
          culprit: 'ap-southeast-1/read-replicas',
          components: ['us-east-1/rds-master'],
          message: ['reaches ap-southeast-1 (APAC)', 'replicated from us-east-1/rds-master'],
        },
      ],
    },
    {
      name: 'a component declared to hold EU data placed in the US',
      model: topology('declared', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        t.region('us-east-1').redis('sessions', { dataClasses: [eu] });
      }),
      findings: [{ culprit: 'us-east-1/sessions', message: ['declared on it'] }],
    },
    {
      name: 'one finding per data class and region, listing every holder',
      model: topology('grouped', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const us = t.region('us-east-1');
        const alb = us.loadBalancer('alb', { type: 'alb' });
        const api = us.service('api', { runtime: 'lambda' });
        t.flow(t.dns('dns', { routing: 'failover' }), alb, { carries: [eu] });
        t.flow(alb, api, { carries: [eu] });
        t.flow(api, us.postgres('db'), { kind: 'write', carries: [eu] });
      }),
      findings: [
        {
          culprit: 'us-east-1/alb',
          components: ['us-east-1/api', 'us-east-1/db'],
          message: ['carried by flow dns -> us-east-1/alb', 'also held there by us-east-1/api, us-east-1/db'],
        },
      ],
    },
  ],
});
