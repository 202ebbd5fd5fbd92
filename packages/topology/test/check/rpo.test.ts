import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { rpo } from '../../src/check/rules/rpo.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

interface Setup {
  readonly rpoSeconds: number;
  readonly mode?: 'sync' | 'async';
  readonly maxLagSeconds?: number;
  readonly replica?: boolean;
  readonly backup?: { intervalSeconds?: number; pitr?: boolean; crossRegionCopy?: boolean };
  readonly platform?: 'rds' | 'aurora';
}

const database = (setup: Setup): Topology =>
  topology('rpo', (t) => {
    t.sla({ rpoSeconds: setup.rpoSeconds });
    const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
    const primary = us.postgres('db', {
      platform: setup.platform ?? 'rds',
      multiAz: true,
      ...(setup.backup ? { backup: setup.backup } : {}),
    });
    if (setup.replica !== false) {
      const replica = eu.postgres('db', { platform: setup.platform ?? 'rds', role: 'replica', replicaOf: primary });
      t.flow(primary, replica, {
        kind: 'replicate',
        replicationMode: setup.mode ?? 'async',
        ...(setup.maxLagSeconds === undefined ? {} : { maxLagSeconds: setup.maxLagSeconds }),
      });
    }
  });

testRule(rpo, {
  valid: [
    { name: 'synchronous replication: RPO 0', model: database({ rpoSeconds: 0, mode: 'sync' }) },
    { name: 'async with a declared 5 s lag against a 60 s RPO', model: database({ rpoSeconds: 60, maxLagSeconds: 5 }) },
    {
      name: 'Aurora Global Database: typical lag under a second',
      model: database({ rpoSeconds: 60, platform: 'aurora' }),
    },
    {
      name: 'no replica, but PITR copied to another region (300 s) against a 900 s RPO',
      model: database({ rpoSeconds: 900, replica: false, backup: { pitr: true, crossRegionCopy: true } }),
    },
  ],
  invalid: [
    {
      name: 'async replication with no bound on lag (aragora)',
      model: database({ rpoSeconds: 60, backup: { intervalSeconds: 21_600, crossRegionCopy: true } }),
      findings: [
        {
          culprit: 'us-east-1/db',
          severity: 'warning',
          message: ['no bound on lag', 'cross-region backup copies every 21600 s', 'cannot be shown to hold'],
        },
      ],
    },
    {
      name: 'declared lag above the target',
      model: database({ rpoSeconds: 60, maxLagSeconds: 120 }),
      findings: [{ message: ['up to 120 s of writes', 'above the 60 s RPO'] }],
    },
    {
      name: 'no copy outside the region: backups stay in the region',
      model: database({ rpoSeconds: 3600, replica: false, backup: { pitr: true } }),
      findings: [{ message: ['loses every write', 'backups stay in the region'] }],
    },
    {
      name: 'only cross-region backups, every 6 hours, against a 1 hour RPO',
      model: database({ rpoSeconds: 3600, replica: false, backup: { intervalSeconds: 21_600, crossRegionCopy: true } }),
      findings: [{ message: ['up to 21600 s'] }],
    },
  ],
});

describe('RPO budget (explain)', () => {
  it('lists every copy outside the region and picks the freshest bounded one', () => {
    const [budget] = check(
      database({ rpoSeconds: 60, maxLagSeconds: 7, backup: { pitr: true, crossRegionCopy: true } }),
    ).explain.budgets.rpo;
    expect(budget?.windowSeconds).toBe(7);
    expect(budget?.copies).toEqual([
      'async replication to eu-west-1/db (lag up to 7 s)',
      'cross-region backup copies every 300 s (point-in-time recovery)',
    ]);
  });
});

describe('RPO windows worked by hand (recovery.ts rpoBudgets)', () => {
  type Build = Parameters<typeof topology>[1];
  const window = (build: Build, rpoSeconds = 60) => {
    const model = topology('rpo-window', (t) => {
      t.sla({ rpoSeconds });
      build(t);
    });
    const budgets = check(model, { rules: ['rpo'], explain: true }).explain?.budgets.rpo ?? [];
    return { budgets, findings: check(model, { rules: ['rpo'] }).findings };
  };
  const regions = (t: Parameters<Build>[0]) => [t.region('us-east-1'), t.region('eu-west-1')] as const;

  it('a replica with no mode stated is async, and its lag unbounded', () => {
    const { budgets, findings } = window((t) => {
      const [us, eu] = regions(t);
      eu.postgres('db', { role: 'replica', replicaOf: us.postgres('db', { platform: 'rds' }) });
    });
    expect(budgets[0]?.windowSeconds).toBeUndefined();
    expect(budgets[0]?.window).toBe('async replication to eu-west-1/db (no bound on lag)');
    expect(findings).toHaveLength(1);
  });

  it("Aurora's typical lag bounds async replication, not logical replication", () => {
    const aurora = (mode: 'async' | 'logical') =>
      window((t) => {
        const [us, eu] = regions(t);
        const primary = us.postgres('db', { platform: 'aurora' });
        const replica = eu.postgres('db', { platform: 'aurora', role: 'replica', replicaOf: primary });
        t.flow(primary, replica, { kind: 'replicate', replicationMode: mode });
      }).budgets[0]?.windowSeconds;
    expect(aurora('async')).toBe(1);
    expect(aurora('logical')).toBeUndefined();
  });

  it('the freshest bounded copy counts, whatever the order of the copies', () => {
    const { budgets, findings } = window((t) => {
      const [us, eu] = regions(t);
      const primary = us.postgres('db', { backup: { pitr: true, crossRegionCopy: true } });
      const replica = eu.postgres('db', { role: 'replica', replicaOf: primary });
      t.flow(primary, replica, { kind: 'replicate', replicationMode: 'async', maxLagSeconds: 500 });
    }, 400);
    // The replica is listed first (500 s); the point-in-time backup copy (300 s) is fresher.
    expect(budgets[0]?.windowSeconds).toBe(300);
    expect(budgets[0]?.copies).toHaveLength(2);
    expect(findings).toEqual([]);
  });

  it('an unbounded replica does not hide a bounded copy exactly at the target', () => {
    const { budgets, findings } = window((t) => {
      const [us, eu] = regions(t);
      const primary = us.postgres('db', { backup: { intervalSeconds: 60, crossRegionCopy: true } });
      eu.postgres('db', { role: 'replica', replicaOf: primary });
    }, 60);
    expect(budgets[0]?.windowSeconds).toBe(60);
    expect(findings).toEqual([]);
  });

  it('global databases: strong consistency is no loss, a stated lag bounds the rest, one region loses everything', () => {
    const global = (options: {
      consistency: 'strong' | 'session';
      regions: 'two' | 'one twice';
      maxLagSeconds?: number;
    }) =>
      window((t) => {
        const [us, eu] = regions(t);
        t.globalDatabase('cosmos', {
          service: 'cosmos-db',
          regions: options.regions === 'two' ? [us.id, eu.id] : [us.id, us.id],
          consistency: options.consistency,
          ...(options.maxLagSeconds === undefined ? {} : { maxLagSeconds: options.maxLagSeconds }),
        });
      }).budgets.find((b) => b.store === 'cosmos')?.windowSeconds;
    expect(global({ consistency: 'strong', regions: 'two' })).toBe(0);
    expect(global({ consistency: 'session', regions: 'two', maxLagSeconds: 5 })).toBe(5);
    expect(global({ consistency: 'session', regions: 'two' })).toBeUndefined();
    expect(global({ consistency: 'strong', regions: 'one twice' })).toBe(Number.POSITIVE_INFINITY);
  });

  it('global databases: the budget in words, for Spanner, each consistency, a stated lag, none, and one region', () => {
    const budget = (options: {
      service: 'spanner' | 'cosmos-db';
      consistency: 'strong' | 'session';
      regions?: 1 | 2;
      maxLagSeconds?: number;
    }) =>
      window((t) => {
        const [us, eu] = regions(t);
        t.globalDatabase('gdb', {
          service: options.service,
          regions: options.regions === 1 ? [us.id] : [us.id, eu.id],
          consistency: options.consistency,
          ...(options.maxLagSeconds === undefined ? {} : { maxLagSeconds: options.maxLagSeconds }),
        });
      }).budgets.find((b) => b.store === 'gdb');
    const committed = ': a write is committed in more than one region before it is acknowledged';
    const spanner = 'spanner replicas in 2 regions, synchronous (Paxos) replication';
    expect(budget({ service: 'spanner', consistency: 'strong' })).toEqual({
      store: 'gdb',
      windowSeconds: 0,
      window: `${spanner}${committed}`,
      copies: [spanner],
      targetSeconds: 60,
    });
    const strong = 'cosmos-db replicas in 2 regions, strong consistency';
    expect(budget({ service: 'cosmos-db', consistency: 'strong' })).toMatchObject({
      windowSeconds: 0,
      window: `${strong}${committed}`,
      copies: [strong],
    });
    const session = 'cosmos-db replicas in 2 regions, session consistency';
    expect(budget({ service: 'cosmos-db', consistency: 'session', maxLagSeconds: 5 })).toMatchObject({
      windowSeconds: 5,
      window: `${session} (lag up to 5 s)`,
      copies: [session],
    });
    expect(budget({ service: 'cosmos-db', consistency: 'session' })).toMatchObject({
      windowSeconds: undefined,
      window: `${session} (no bound on lag stated)`,
      copies: [session],
    });
    expect(budget({ service: 'spanner', consistency: 'strong', regions: 1 })).toEqual({
      store: 'gdb',
      windowSeconds: Number.POSITIVE_INFINITY,
      window: 'gdb lives in one region: everything is lost with it',
      copies: [],
      targetSeconds: 60,
    });
  });
});

describe('rpo findings in full (rules/rpo.ts)', () => {
  const findingsOf = (model: Topology) => {
    const db = model.components.find((c) => c.id === 'us-east-1/db');
    return { findings: check(model, { rules: ['rpo'] }).findings, at: db?.source };
  };

  it('a declared lag above the target: an error naming the copy, 120 s against 60 s', () => {
    const { findings, at } = findingsOf(database({ rpoSeconds: 60, maxLagSeconds: 120 }));
    const budget = {
      store: 'us-east-1/db',
      windowSeconds: 120,
      window: 'async replication to eu-west-1/db (lag up to 120 s)',
      copies: ['async replication to eu-west-1/db (lag up to 120 s)'],
      targetSeconds: 60,
    };
    expect(at?.line).toBeGreaterThan(0);
    expect(findings).toEqual([
      {
        rule: 'rpo',
        severity: 'error',
        message:
          'us-east-1/db: losing its region loses up to 120 s of writes (async replication to eu-west-1/db (lag up to 120 s)), above the 60 s RPO.',
        hint: 'replicate us-east-1/db to another region with bounded lag (or synchronously for RPO 0), or raise rpoSeconds',
        components: ['us-east-1/db'],
        location: at,
        details: { budget },
      },
    ]);
  });

  it('no copy outside the region: every write lost, an infinite window', () => {
    const { findings } = findingsOf(database({ rpoSeconds: 3600, replica: false }));
    expect(findings.map((f) => [f.severity, f.message, f.details])).toEqual([
      [
        'error',
        'us-east-1/db: losing its region loses every write (no copy of us-east-1/db outside us-east-1: everything is lost with the region), above the 3600 s RPO.',
        {
          budget: {
            store: 'us-east-1/db',
            windowSeconds: Number.POSITIVE_INFINITY,
            window: 'no copy of us-east-1/db outside us-east-1: everything is lost with the region',
            copies: [],
            targetSeconds: 3600,
          },
        },
      ],
    ]);
  });

  it('an unbounded lag: a warning that the target cannot be shown to hold, with the bounded fallback', () => {
    const { findings, at } = findingsOf(
      database({ rpoSeconds: 60, backup: { intervalSeconds: 21_600, crossRegionCopy: true } }),
    );
    const window =
      'async replication to eu-west-1/db (no bound on lag); the bounded fallback, cross-region backup copies every 21600 s, is 21600 s';
    expect(findings).toEqual([
      {
        rule: 'rpo',
        severity: 'warning',
        message: `us-east-1/db: ${window}, so the 60 s RPO on losing its region cannot be shown to hold.`,
        hint: 'declare the measured worst lag (maxLagSeconds on the replicate flow), replicate synchronously (replicationMode: sync), or use a store with bounded lag (Aurora Global Database)',
        components: ['us-east-1/db'],
        location: at,
        details: {
          budget: {
            store: 'us-east-1/db',
            windowSeconds: undefined,
            window,
            copies: ['async replication to eu-west-1/db (no bound on lag)', 'cross-region backup copies every 21600 s'],
            targetSeconds: 60,
          },
        },
      },
    ]);
  });

  it('no RPO target: nothing to report, not even an unbounded lag', () => {
    const model = database({ rpoSeconds: 60 });
    expect(check({ ...model, sla: {} }, { rules: ['rpo'] }).findings).toEqual([]);
    // The same model with its target: the unbounded lag is reported.
    expect(check(model, { rules: ['rpo'] }).findings.map((f) => f.severity)).toEqual(['warning']);
  });
});
