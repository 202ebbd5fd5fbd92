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
    {
      // The data's owners and the names they resolve hold no rows of the system's: users -> DNS -> an EU entry point.
      name: 'EU data sent by its users through DNS to an EU entry point',
      model: topology('owners-and-dns', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const users = t.client('users', { clientKind: 'users', dataClasses: [eu] });
        const dns = t.dns('dns', { routing: 'failover' });
        t.flow(users, dns, { carries: [eu] });
        t.flow(dns, t.region('eu-west-1').loadBalancer('alb', { type: 'alb' }), { carries: [eu] });
      }),
    },
    {
      name: 'EU data in a global database whose every region is in the EU',
      model: topology('global-db-eu', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const [a, b] = [t.region('eu-west-1'), t.region('eu-central-1')];
        const table = t.globalDatabase('orders', {
          service: 'dynamodb',
          regions: [a.id, b.id],
          consistency: 'eventual',
        });
        t.flow(a.service('api', { runtime: 'lambda' }), table, { kind: 'write', carries: [eu] });
      }),
    },
    {
      // The fixes the findings below name: the CDN serves static assets only, the vendor is placed where it keeps
      // the data, the table's bucket is in the EU.
      name: 'EU data kept off the CDN, sent to a vendor placed in the EU, in a table whose bucket is in the EU',
      model: topology('fixed', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const euw = t.region('eu-west-1');
        const alb = euw.loadBalancer('alb', { type: 'alb' });
        const api = euw.service('api', { runtime: 'lambda' });
        t.flow(t.cdn('static', { provider: 'cloudfront' }), euw.objectStore('assets', { bucket: 'assets' }));
        t.flow(alb, api, { carries: [eu] });
        t.flow(api, euw.external('auth0', { vendor: 'Auth0' }), { carries: [eu] });
        const lake = euw.objectStore('lake', { bucket: 'lake' });
        t.flow(api, t.deltaTable('orders', { store: lake, path: 'orders' }), { kind: 'write', carries: [eu] });
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
      name: 'a CDN in front of the EU API: its edges are in every jurisdiction',
      model: topology('cdn', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const cdn = t.cdn('cdn', { provider: 'cloudfront', cachesDynamic: true });
        t.flow(cdn, t.region('eu-west-1').loadBalancer('alb', { type: 'alb' }), { carries: [eu] });
      }),
      findings: [
        {
          culprit: 'cdn',
          components: ['eu-west-1/alb'],
          message: [
            'reaches cdn, a global cdn (cloudfront) outside any region',
            'carried by flow cdn -> eu-west-1/alb',
          ],
        },
      ],
    },
    {
      name: 'an edge WAF and a global Google load balancer in the path both handle the rows at their edges',
      model: topology('edge-path', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const waf = t.waf('waf', { provider: 'cloudflare' });
        const lb = t.loadBalancer('glb', { type: 'gclb' });
        t.flow(waf, lb, { carries: [eu] });
        t.flow(lb, t.region('europe-west1', { provider: 'gcp' }).service('api', { runtime: 'lambda' }), {
          carries: [eu],
        });
      }),
      findings: [
        { culprit: 'glb', message: ['Google Cloud external Application Load Balancer outside any region'] },
        { culprit: 'waf', message: ['a global waf (cloudflare) outside any region'] },
      ],
    },
    {
      name: 'EU events published to Pub/Sub, a global service',
      model: topology('pubsub', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const events = t.queue('events', { provider: 'pubsub' });
        t.flow(t.region('europe-west1', { provider: 'gcp' }).service('api', { runtime: 'lambda' }), events, {
          kind: 'publish',
          carries: [eu],
        });
      }),
      findings: [{ culprit: 'events', message: ['GCP Pub/Sub outside any region'] }],
    },
    {
      name: 'a global database declared to hold EU data with a replica in the US',
      model: topology('global-db-us', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const [a, b] = [t.region('eu-west-1'), t.region('us-east-1')];
        t.globalDatabase('orders', {
          service: 'dynamodb',
          regions: [a.id, b.id],
          consistency: 'eventual',
          dataClasses: [eu],
        });
      }),
      findings: [
        { culprit: 'orders', message: ['reaches us-east-1 (US): orders (its replica there), declared on it'] },
      ],
    },
    {
      name: 'a bucket declared to hold EU data, placed in no region',
      model: topology('unplaced-bucket', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        t.objectStore('exports', { bucket: 'exports', dataClasses: [eu] });
      }),
      findings: [
        {
          culprit: 'exports',
          message: ['reaches exports, placed in no region, so whether it may be there cannot be judged'],
        },
      ],
    },
    {
      name: 'a Delta table placed in no region is where its store is: a store in the US',
      model: topology('table-store-us', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const lake = t.region('us-east-1').objectStore('lake', { bucket: 'lake' });
        t.flow(
          t.region('eu-west-1').service('api', { runtime: 'lambda' }),
          t.deltaTable('orders', { store: lake, path: 'o' }),
          {
            kind: 'write',
            carries: [eu],
          },
        );
      }),
      findings: [
        { culprit: 'orders', message: ['reaches us-east-1 (US): orders, carried by flow eu-west-1/api -> orders'] },
      ],
    },
    {
      name: 'a Delta table placed in no region whose store is placed in no region either',
      model: topology('table-store-unplaced', (t) => {
        const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
        const lake = t.objectStore('lake', { bucket: 'lake' });
        t.flow(
          t.region('eu-west-1').service('api', { runtime: 'lambda' }),
          t.deltaTable('orders', { store: lake, path: 'o' }),
          {
            kind: 'write',
            carries: [eu],
          },
        );
      }),
      findings: [{ culprit: 'orders', message: ['reaches orders, whose store lake is placed in no region'] }],
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

  it('a CDN carrying the class: names it, its provider, the flow, points at the flow, hints to keep the class off it', () => {
    const model = topology('cdn-exact', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU', 'CH'] });
      const alb = t.region('eu-west-1').loadBalancer('alb', { type: 'alb' });
      const cdn = t.cdn('cdn', { provider: 'akamai' });
      t.flow(t.dns('dns', { routing: 'failover' }), cdn, { carries: [eu] });
      t.flow(cdn, alb, { carries: [eu] });
      // A CDN that carries no restricted class (static assets) is not judged.
      t.flow(t.cdn('static', { provider: 'fastly' }), alb);
    });
    const at = flowAt(model, 'dns', 'cdn');
    expect(at).toBeDefined();
    expect(at).not.toEqual(componentAt(model, 'cdn'));
    expect(run(model)).toEqual([
      {
        rule: 'residency',
        severity: 'error',
        message:
          'eu-personal (allowed in EU, CH) reaches cdn, a global cdn (akamai) outside any region, in every jurisdiction its provider runs in: carried by flow dns -> cdn.',
        hint: 'keep eu-personal off cdn: send it through a component placed in a region in EU or CH, or stop dns -> cdn from carrying it',
        components: ['cdn', 'dns'],
        location: at,
        details: {
          dataClass: 'eu-personal',
          allowed: ['EU', 'CH'],
          service: 'a global cdn (akamai)',
          jurisdiction: 'every',
        },
      },
    ]);
  });

  it('a vendor placed in no region: the verdict cannot be given, the hint says to place it where the vendor keeps the data', () => {
    const model = topology('vendor-exact', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const api = t.region('eu-west-1').service('api', { runtime: 'lambda' });
      t.flow(api, t.external('auth0', { vendor: 'Auth0' }), { carries: [eu] });
    });
    expect(run(model)).toEqual([
      {
        rule: 'residency',
        severity: 'error',
        message:
          'eu-personal (allowed in EU) reaches auth0, placed in no region, so whether it may be there cannot be judged: carried by flow eu-west-1/api -> auth0.',
        hint: 'place auth0 in a region in EU (the region where Auth0 keeps the data), or stop eu-west-1/api -> auth0 from carrying it',
        components: ['auth0', 'eu-west-1/api'],
        location: flowAt(model, 'eu-west-1/api', 'auth0'),
        details: { dataClass: 'eu-personal', allowed: ['EU'], unplaced: 'auth0', jurisdiction: 'unknown' },
      },
    ]);
  });

  it('a declaration on a component placed in no region: points at it, hints to place it, adds the export rule', () => {
    const model = topology('unplaced-declared-exact', (t) => {
      const eu = t.dataClass('eu-personal', {
        jurisdictions: ['EU'],
        export: { aggregatesOnly: true, minGroupSize: 10 },
      });
      t.redis('sessions', { dataClasses: [eu] });
    });
    expect(run(model)).toEqual([
      {
        rule: 'residency',
        severity: 'error',
        message:
          'eu-personal (allowed in EU) reaches sessions, placed in no region, so whether it may be there cannot be judged: declared on it.',
        hint: "place sessions in a region in EU, or drop eu-personal from sessions's dataClasses; only aggregates may leave (groups of 10 or more, by a federated query), never rows",
        components: ['sessions'],
        location: componentAt(model, 'sessions'),
        details: { dataClass: 'eu-personal', allowed: ['EU'], unplaced: 'sessions', jurisdiction: 'unknown' },
      },
    ]);
  });

  it('replication into a bucket placed in no region names the source and hints not to replicate there', () => {
    const model = topology('unplaced-replica-exact', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const copy = t.objectStore('copy', { bucket: 'copy' });
      t.region('eu-west-1').objectStore('lake', { bucket: 'lake', dataClasses: [eu], replication: { to: copy } });
    });
    expect(run(model).map((f) => [f.message, f.hint, f.components, f.location])).toEqual([
      [
        'eu-personal (allowed in EU) reaches copy, placed in no region, so whether it may be there cannot be judged: replicated from eu-west-1/lake.',
        'place copy in a region in EU, or do not replicate eu-west-1/lake into copy',
        ['copy', 'eu-west-1/lake'],
        componentAt(model, 'copy'),
      ],
    ]);
  });

  it("a global database's replica outside the class's jurisdictions: names the region, hints to drop it", () => {
    const model = topology('global-db-exact', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const [a, b, c] = [t.region('eu-west-1'), t.region('us-east-1'), t.region('ap-south-1')];
      const table = t.globalDatabase('orders', {
        service: 'dynamodb',
        regions: [a.id, b.id, c.id],
        consistency: 'eventual',
      });
      t.flow(a.service('api', { runtime: 'lambda' }), table, { kind: 'write', carries: [eu] });
    });
    const at = flowAt(model, 'eu-west-1/api', 'orders');
    expect(run(model)).toEqual(
      [
        ['us-east-1', 'US'],
        ['ap-south-1', 'IN'],
      ].map(([region, jurisdiction]) => ({
        rule: 'residency',
        severity: 'error',
        message: `eu-personal (allowed in EU) reaches ${region} (${jurisdiction}): orders (its replica there), carried by flow eu-west-1/api -> orders.`,
        hint: `drop ${region} from orders's regions, or keep eu-personal out of orders`,
        components: ['orders', 'eu-west-1/api'],
        location: at,
        details: { dataClass: 'eu-personal', allowed: ['EU'], region, jurisdiction, holders: ['orders'] },
      })),
    );
  });

  it('a global database placed in a region is judged there and in every region it lists', () => {
    const model = topology('global-db-placed', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const [us, euw] = [t.region('us-east-1'), t.region('eu-west-1')];
      us.globalDatabase('orders', {
        service: 'dynamodb',
        regions: [euw.id],
        consistency: 'eventual',
        dataClasses: [eu],
      });
    });
    expect(run(model).map((f) => [f.message, f.hint])).toEqual([
      [
        'eu-personal (allowed in EU) reaches us-east-1 (US): us-east-1/orders, declared on it.',
        'move us-east-1/orders to a region in EU',
      ],
    ]);
  });

  it('a region without a jurisdiction (a model validation would refuse) is a refusal, not a pass', () => {
    // Validation makes this impossible (see the next describe); the rule still refuses rather than skipping it.
    const valid = topology('no-jurisdiction', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      t.region('eu-west-1').postgres('db', { dataClasses: [eu], multiAz: true });
    });
    const model = { ...valid, regions: valid.regions.map(({ jurisdiction: _, ...region }) => region) } as Topology;
    expect(run(model).map((f) => [f.message, f.hint, f.details?.region])).toEqual([
      [
        'eu-personal (allowed in EU) reaches eu-west-1/db in eu-west-1, a region that declares no jurisdiction, so whether it may be there cannot be judged: declared on it.',
        "add jurisdiction to region eu-west-1 (the legal area its data is subject to), or drop eu-personal from eu-west-1/db's dataClasses",
        'eu-west-1',
      ],
    ]);
  });
});

// Inputs modelled a second way: the same designs in YAML, loaded through loadTopology, get the same verdicts as the DSL.
describe('rule residency: the same verdict from YAML and from the DSL', () => {
  const verdicts = (model: Topology) =>
    check(model, { rules: ['residency'], explain: false }).findings.map((f) => [
      f.severity,
      f.message,
      f.hint,
      f.components,
    ]);
  const fromYaml = async (yaml: string) => {
    const dir = await mkdtemp(join(tmpdir(), 'meridian-residency-'));
    try {
      const file = join(dir, 'topology.yaml');
      await writeFile(file, yaml);
      return await loadTopology(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('a CDN in front of the EU API and a global table with a US replica', async () => {
    const dsl = topology('edge', (t) => {
      const eu = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const [euw, us] = [t.region('eu-west-1', { jurisdiction: 'EU' }), t.region('us-east-1', { jurisdiction: 'US' })];
      const api = euw.service('api', { runtime: 'lambda' });
      t.flow(t.cdn('cdn', { provider: 'cloudfront' }), api, { carries: [eu] });
      const table = t.globalDatabase('orders', {
        service: 'dynamodb',
        regions: [euw.id, us.id],
        consistency: 'eventual',
      });
      t.flow(api, table, { kind: 'write', carries: [eu] });
    });
    const yaml = await fromYaml(
      [
        'name: edge',
        'dataClasses: [{ id: eu-personal, jurisdictions: [EU] }]',
        'regions:',
        '  - { code: eu-west-1, role: primary, jurisdiction: EU }',
        '  - { code: us-east-1, role: secondary, jurisdiction: US }',
        'components:',
        '  - { id: eu-west-1/api, kind: service, runtime: lambda, placement: { region: eu-west-1 } }',
        '  - { id: cdn, kind: cdn, provider: cloudfront, placement: global }',
        '  - id: orders',
        '    kind: globalDatabase',
        '    service: dynamodb',
        '    regions: [eu-west-1, us-east-1]',
        '    consistency: eventual',
        '    placement: global',
        'flows:',
        '  - { id: cdn->api, from: cdn, to: eu-west-1/api, dataClasses: [eu-personal] }',
        '  - { id: api->orders, from: eu-west-1/api, to: orders, kind: write, dataClasses: [eu-personal] }',
        '',
      ].join('\n'),
    );
    // check orders findings by file position: the CDN's flow is declared first in both files.
    const expected = verdicts(dsl);
    expect(expected.map(([severity, message]) => [severity, message])).toEqual([
      [
        'error',
        'eu-personal (allowed in EU) reaches cdn, a global cdn (cloudfront) outside any region, in every jurisdiction its provider runs in: carried by flow cdn -> eu-west-1/api.',
      ],
      [
        'error',
        'eu-personal (allowed in EU) reaches us-east-1 (US): orders (its replica there), carried by flow eu-west-1/api -> orders.',
      ],
    ]);
    expect(verdicts(yaml)).toEqual(expected);
  });

  it('a region must state its jurisdiction in YAML; the DSL takes the one its provider publishes', async () => {
    await expect(
      fromYaml('name: y\nregions:\n  - { code: eu-west-1, role: primary }\ncomponents: []\nflows: []\n'),
    ).rejects.toMatchObject({ path: ['regions', 0, 'jurisdiction'], hint: "add 'jurisdiction'" });
    const model = topology('published', (t) => {
      t.region('eu-central-1');
      t.region('eu-west-2');
    });
    expect(model.regions.map((r) => r.jurisdiction)).toEqual(['EU', 'UK']);
  });
});
