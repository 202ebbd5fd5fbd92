import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { residency } from '../../src/check/rules/residency.ts';
import { topology } from '../../src/dsl/topology.ts';
import { loadTopology } from '../../src/load/load.ts';
import type { Topology } from '../../src/model/schema.ts';
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

// Exact findings (issue 22, mutation testing): the message, hint, components, line pointed at and details of each
// kind of arrival, so that a rule naming the wrong flow, component or jurisdiction fails a test.
describe('rule residency: exact findings', () => {
  const run = (model: Topology) => check(model, { rules: ['residency'], explain: false }).findings;
  const flowAt = (model: Topology, from: string, to: string) =>
    model.flows.find((f) => f.from === from && f.to === to)?.source;
  const componentAt = (model: Topology, id: string) => model.components.find((c) => c.id === id)?.source;

  it('a flow across the border: names the flow, points at its line, lists every allowed jurisdiction', () => {
    const model = topology('flow-exact', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU', 'CH'] });
      const db = t.region('us-east-1').postgres('db');
      t.flow(t.region('eu-west-1').service('api', { runtime: 'lambda' }), db, { kind: 'write', carries: [eu] });
    });
    const at = flowAt(model, 'eu-west-1/api', 'us-east-1/db');
    expect(at).toBeDefined();
    expect(at).not.toEqual(componentAt(model, 'us-east-1/db'));
    expect(run(model)).toEqual([
      {
        rule: 'residency',
        severity: 'error',
        message:
          'eu-personal (allowed in EU, CH) reaches us-east-1 (US): us-east-1/db, carried by flow eu-west-1/api -> us-east-1/db.',
        hint: 'keep eu-personal in EU or CH: route it to a component there, or stop eu-west-1/api -> us-east-1/db from carrying it',
        components: ['us-east-1/db', 'eu-west-1/api'],
        location: at,
        details: {
          dataClass: 'eu-personal',
          allowed: ['EU', 'CH'],
          region: 'us-east-1',
          jurisdiction: 'US',
          holders: ['us-east-1/db'],
        },
      },
    ]);
  });

  it('a declaration: points at the component, hints to move it, adds the export rule to the hint', () => {
    const model = topology('declared-exact', (t) => {
      const eu = t.dataClass('eu-personal', {
        jurisdictions: ['EU', 'UK'],
        export: { aggregatesOnly: true, minGroupSize: 12 },
      });
      t.region('us-east-1').redis('sessions', { dataClasses: [eu] });
    });
    expect(run(model)).toEqual([
      {
        rule: 'residency',
        severity: 'error',
        message: 'eu-personal (allowed in EU, UK) reaches us-east-1 (US): us-east-1/sessions, declared on it.',
        hint: 'move us-east-1/sessions to a region in EU or UK; only aggregates may leave (groups of 12 or more, by a federated query), never rows',
        components: ['us-east-1/sessions'],
        location: componentAt(model, 'us-east-1/sessions'),
        details: {
          dataClass: 'eu-personal',
          allowed: ['EU', 'UK'],
          region: 'us-east-1',
          jurisdiction: 'US',
          holders: ['us-east-1/sessions'],
        },
      },
    ]);
  });

  it('a replica of a primary declared to hold the class: names the primary, points at the replica', () => {
    const model = topology('replica-exact', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const primary = t.region('eu-west-1').postgres('db', { dataClasses: [eu], multiAz: true });
      t.region('ap-southeast-1').postgres('copy', { role: 'replica', replicaOf: primary });
    });
    expect(run(model)).toEqual([
      {
        rule: 'residency',
        severity: 'error',
        message:
          'eu-personal (allowed in EU) reaches ap-southeast-1 (APAC): ap-southeast-1/copy, replicated from eu-west-1/db.',
        hint: 'do not replicate eu-west-1/db into ap-southeast-1, or keep eu-personal out of eu-west-1/db',
        components: ['ap-southeast-1/copy', 'eu-west-1/db'],
        location: componentAt(model, 'ap-southeast-1/copy'),
        details: {
          dataClass: 'eu-personal',
          allowed: ['EU'],
          region: 'ap-southeast-1',
          jurisdiction: 'APAC',
          holders: ['ap-southeast-1/copy'],
        },
      },
    ]);
  });

  it('follows a chain of replicas declared last link first to its end', () => {
    // c replicates b, declared before b replicates a: the links come c's first, so one pass over them is not enough.
    const model = topology('chain', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const [euw, euc, us] = [t.region('eu-west-1'), t.region('eu-central-1'), t.region('us-east-1')];
      const a = euw.postgres('a', { dataClasses: [eu], multiAz: true });
      const b = euc.postgres('b', { multiAz: true });
      us.postgres('c', { role: 'replica', replicaOf: b });
      t.flow(a, b, { kind: 'replicate' });
    });
    expect(run(model).map((f) => [f.message, f.components])).toEqual([
      [
        'eu-personal (allowed in EU) reaches us-east-1 (US): us-east-1/c, replicated from eu-central-1/b.',
        ['us-east-1/c', 'eu-central-1/b'],
      ],
    ]);
  });

  it("a US service reading EU rows: the reader, drawn as the flow's sender, is named with the database it read", () => {
    const model = topology('reader-exact', (t) => {
      const eu = t.dataClass('eu', { jurisdictions: ['EU'] });
      const db = t.region('eu-west-1').postgres('db', { multiAz: true });
      t.flow(t.region('us-east-1').service('report', { runtime: 'lambda' }), db, { kind: 'read', carries: [eu] });
    });
    expect(run(model).map((f) => [f.message, f.hint, f.components])).toEqual([
      [
        'eu (allowed in EU) reaches us-east-1 (US): us-east-1/report, carried by flow us-east-1/report -> eu-west-1/db.',
        'keep eu in EU: route it to a component there, or stop us-east-1/report -> eu-west-1/db from carrying it',
        ['us-east-1/report', 'eu-west-1/db'],
      ],
    ]);
  });

  it('a replica also declared to hold the class is named by the replication that brought it there', () => {
    // Flows and replication are followed before declarations: the finding says how the data got to the US.
    const model = topology('replica-declared', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const euw = t.region('eu-west-1');
      const primary = euw.postgres('db', { multiAz: true });
      t.flow(euw.service('api', { runtime: 'lambda' }), primary, { kind: 'write', carries: [eu] });
      t.region('us-east-1').postgres('db', { role: 'replica', replicaOf: primary, dataClasses: [eu] });
    });
    expect(run(model).map((f) => [f.message, f.components])).toEqual([
      [
        'eu-personal (allowed in EU) reaches us-east-1 (US): us-east-1/db, replicated from eu-west-1/db.',
        ['us-east-1/db', 'eu-west-1/db'],
      ],
    ]);
  });

  it('names the component where the data crosses the border, not the first holder in the region', () => {
    // us/b is reached first (by a flow from us/a), but the data came into the US through eu/web -> us/a.
    const model = topology('crossing', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const us = t.region('us-east-1');
      const [a, b] = [us.service('a', { runtime: 'lambda' }), us.postgres('b')];
      t.flow(a, b, { kind: 'write', carries: [eu] });
      t.flow(t.region('eu-west-1').service('web', { runtime: 'lambda' }), a, { carries: [eu] });
    });
    const [finding, ...rest] = run(model);
    expect(rest).toEqual([]);
    expect(finding?.message).toBe(
      'eu-personal (allowed in EU) reaches us-east-1 (US): us-east-1/a, carried by flow eu-west-1/web -> us-east-1/a; also held there by us-east-1/b.',
    );
    expect(finding?.components).toEqual(['us-east-1/a', 'eu-west-1/web', 'us-east-1/b']);
    expect(finding?.location).toEqual(flowAt(model, 'eu-west-1/web', 'us-east-1/a'));
    expect(finding?.details?.holders).toEqual(['us-east-1/b', 'us-east-1/a']);
  });

  it('a component both sending and receiving the class is named by the flow that brings it in', () => {
    // us/x sends to an EU database (declared first) and is written by an EU app (declared second): both flows put the
    // class at us/x, and the flow into it is the one named.
    const model = topology('targets-first', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const euw = t.region('eu-west-1');
      const x = t.region('us-east-1').service('x', { runtime: 'lambda' });
      t.flow(x, euw.postgres('db', { multiAz: true }), { kind: 'write', carries: [eu] });
      t.flow(euw.service('app', { runtime: 'lambda' }), x, { carries: [eu] });
    });
    expect(run(model).map((f) => [f.message, f.components, f.location])).toEqual([
      [
        'eu-personal (allowed in EU) reaches us-east-1 (US): us-east-1/x, carried by flow eu-west-1/app -> us-east-1/x.',
        ['us-east-1/x', 'eu-west-1/app'],
        flowAt(model, 'eu-west-1/app', 'us-east-1/x'),
      ],
    ]);
  });

  it('keeps the first flow that brought the class, not a later one', () => {
    const model = topology('first-arrival', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const euw = t.region('eu-west-1');
      const db = t.region('us-east-1').postgres('db');
      t.flow(euw.service('one', { runtime: 'lambda' }), db, { kind: 'write', carries: [eu] });
      t.flow(euw.service('two', { runtime: 'lambda' }), db, { kind: 'write', carries: [eu] });
    });
    expect(run(model).map((f) => f.components)).toEqual([['us-east-1/db', 'eu-west-1/one']]);
  });

  it('lists five other holders and counts the rest', () => {
    const model = topology('many-holders', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const us = t.region('us-east-1');
      for (const name of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8'])
        us.service(name, { runtime: 'lambda', dataClasses: [eu] });
    });
    const [finding, ...rest] = run(model);
    expect(rest).toEqual([]);
    expect(finding?.message).toBe(
      'eu-personal (allowed in EU) reaches us-east-1 (US): us-east-1/h1, declared on it; also held there by us-east-1/h2, us-east-1/h3, us-east-1/h4, us-east-1/h5, us-east-1/h6 and 2 more.',
    );
    expect(finding?.components).toEqual(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8'].map((h) => `us-east-1/${h}`));
  });

  it('lists exactly five other holders without a count', () => {
    const model = topology('five-holders', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const us = t.region('us-east-1');
      for (const name of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'])
        us.service(name, { runtime: 'lambda', dataClasses: [eu] });
    });
    expect(run(model).map((f) => f.message)).toEqual([
      'eu-personal (allowed in EU) reaches us-east-1 (US): us-east-1/h1, declared on it; also held there by us-east-1/h2, us-east-1/h3, us-east-1/h4, us-east-1/h5, us-east-1/h6.',
    ]);
  });

  it('judges every class of a flow and of a component, not only the first', () => {
    const model = topology('many-classes', (t) => {
      const telemetry = t.dataClass('telemetry');
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const uk = t.dataClass('uk-personal', { jurisdictions: ['UK'] });
      const us = t.region('us-east-1');
      t.flow(t.region('eu-west-1').service('api', { runtime: 'lambda' }), us.postgres('db'), {
        kind: 'write',
        carries: [telemetry, eu],
      });
      us.redis('cache', { dataClasses: [telemetry, uk] });
    });
    expect(run(model).map((f) => [f.details?.dataClass, f.components[0]])).toEqual([
      ['eu-personal', 'us-east-1/db'],
      ['uk-personal', 'us-east-1/cache'],
    ]);
  });

  it('one finding per region the class reaches', () => {
    const model = topology('two-regions', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      t.region('us-east-1').postgres('db', { dataClasses: [eu] });
      t.region('ap-south-1').postgres('db', { dataClasses: [eu] });
    });
    expect(run(model).map((f) => [f.details?.region, f.details?.jurisdiction, f.components])).toEqual([
      ['us-east-1', 'US', ['us-east-1/db']],
      ['ap-south-1', 'IN', ['ap-south-1/db']],
    ]);
  });

  it('names the region by its id and judges it by its declared jurisdiction', () => {
    const model = topology('region-id', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const db = t.region('us-east-1', { id: 'virginia' }).postgres('db');
      t.flow(t.region('eu-west-2', { jurisdiction: 'EU' }).service('api', { runtime: 'lambda' }), db, {
        kind: 'write',
        carries: [eu],
      });
    });
    expect(run(model).map((f) => f.message)).toEqual([
      'eu-personal (allowed in EU) reaches virginia (US): virginia/db, carried by flow eu-west-2/api -> virginia/db.',
    ]);
  });

  it('a US worker consuming EU messages, the consume flow drawn from the queue to the worker', () => {
    const model = topology('consume-forward', (t) => {
      const eu = t.dataClass('eu', { jurisdictions: ['EU'] });
      const queue = t.region('eu-west-1').queue('orders', {});
      const worker = t.region('us-east-1').service('worker', { runtime: 'lambda' });
      t.flow(queue, worker, { kind: 'consume', carries: [eu] });
    });
    expect(run(model).map((f) => [f.message, f.components])).toEqual([
      [
        'eu (allowed in EU) reaches us-east-1 (US): us-east-1/worker, carried by flow eu-west-1/orders -> us-east-1/worker.',
        ['us-east-1/worker', 'eu-west-1/orders'],
      ],
    ]);
  });

  it('an export rule without jurisdictions: names the class and the path of its export rule', () => {
    const model = topology('export-exact', (t) => {
      t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      t.dataClass('telemetry', { export: { aggregatesOnly: true, minGroupSize: 5 } });
    });
    expect(run(model)).toEqual([
      {
        rule: 'residency',
        severity: 'error',
        message:
          'data class telemetry declares an export rule (aggregates only, groups of 5 or more) but no jurisdictions: it may already go anywhere, rows included.',
        hint: "add the jurisdictions it must stay in, e.g. jurisdictions: ['EU'], or drop export",
        components: [],
        details: { dataClass: 'telemetry', path: ['dataClasses', 1, 'export'] },
      },
    ]);
  });
});
