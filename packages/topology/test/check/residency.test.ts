import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { residency } from '../../src/check/rules/residency.ts';
import { topology } from '../../src/dsl/topology.ts';
import { loadTopology } from '../../src/load/load.ts';
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
      name: 'an EU class whose aggregates may leave, kept in the EU',
      model: topology('eu-export', (t) => {
        const eu = t.dataClass('eu-personal', {
          jurisdictions: ['EU'],
          export: { aggregatesOnly: true, minGroupSize: 10 },
        });
        t.region('eu-west-1').postgres('db', { dataClasses: [eu] });
        t.region('us-east-1').postgres('analytics');
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
      // The consumer gets the messages whichever way the consume flow is drawn: queue -> worker (how the data
      // moves) or worker -> queue (how the call goes). Drawn the second way, the US worker used to pass.
      name: 'a US worker consuming EU messages, the consume flow drawn from the worker to the queue',
      model: topology('consume-direction', (t) => {
        const eu = t.dataClass('eu', { jurisdictions: ['EU'] });
        const queue = t.region('eu-west-1', { jurisdiction: 'EU' }).queue('orders', {});
        const worker = t.region('us-east-1', { jurisdiction: 'US' }).service('worker', { runtime: 'lambda' });
        t.flow(worker, queue, { kind: 'consume', carries: [eu] });
      }),
      findings: [
        {
          culprit: 'us-east-1/worker',
          message: [
            'eu (allowed in EU) reaches us-east-1 (US): us-east-1/worker',
            'us-east-1/worker -> eu-west-1/orders',
          ],
        },
      ],
    },
    {
      // A read's answer goes back to the caller: a US report service reading EU rows holds them in the US.
      name: 'a US service reading EU data from an EU database',
      model: topology('read-direction', (t) => {
        const eu = t.dataClass('eu', { jurisdictions: ['EU'] });
        const db = t.region('eu-west-1', { jurisdiction: 'EU' }).postgres('db', { multiAz: true });
        const report = t.region('us-east-1', { jurisdiction: 'US' }).service('report', { runtime: 'lambda' });
        t.flow(report, db, { kind: 'read', carries: [eu] });
      }),
      findings: [{ culprit: 'us-east-1/report', message: ['reaches us-east-1 (US): us-east-1/report'] }],
    },
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
    {
      name: 'an export rule on a class without jurisdictions says nothing',
      model: topology('export-anywhere', (t) => {
        t.dataClass('telemetry', { export: { aggregatesOnly: true, minGroupSize: 5 } });
      }),
      findings: [{ message: ['data class telemetry declares an export rule', 'no jurisdictions'] }],
    },
    {
      name: 'a class whose aggregates may leave is still breached by a flow carrying its rows',
      model: topology('export-flow', (t) => {
        const eu = t.dataClass('eu-personal', {
          jurisdictions: ['EU'],
          export: { aggregatesOnly: true, minGroupSize: 10 },
        });
        t.flow(t.region('eu-west-1').service('api', { runtime: 'lambda' }), t.region('us-east-1').postgres('db'), {
          kind: 'write',
          carries: [eu],
        });
      }),
      findings: [{ culprit: 'us-east-1/db', message: ['eu-personal (allowed in EU) reaches us-east-1 (US)'] }],
    },
  ],
});

describe('data class export rules', () => {
  it('says in the hint that only aggregates may leave', () => {
    const model = topology('export-hint', (t) => {
      const eu = t.dataClass('eu-personal', {
        jurisdictions: ['EU'],
        export: { aggregatesOnly: true, minGroupSize: 10 },
      });
      t.region('us-east-1').redis('sessions', { dataClasses: [eu] });
    });
    const [finding] = check(model, { rules: ['residency'] }).findings;
    expect(finding?.hint).toContain('only aggregates may leave (groups of 10 or more');
  });

  it('loads from YAML and refuses a group size below 2 or an export of rows, with the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meridian-export-'));
    try {
      const file = join(dir, 'topology.yaml');
      const yaml = (size: number, only: string) =>
        `name: y\ndataClasses:\n  - id: eu-personal\n    jurisdictions: [EU]\n    export:\n      aggregatesOnly: ${only}\n      minGroupSize: ${size}\n`;
      await writeFile(file, yaml(10, 'true'));
      expect((await loadTopology(file)).dataClasses[0]?.export).toEqual({ aggregatesOnly: true, minGroupSize: 10 });
      await writeFile(file, yaml(1, 'true'));
      await expect(loadTopology(file)).rejects.toMatchObject({ path: ['dataClasses', 0, 'export', 'minGroupSize'] });
      await writeFile(file, yaml(10, 'false'));
      await expect(loadTopology(file)).rejects.toMatchObject({ path: ['dataClasses', 0, 'export', 'aggregatesOnly'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
