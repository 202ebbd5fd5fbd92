import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { createContext } from '../../src/check/context.ts';
import { replicationLinks } from '../../src/check/replication-links.ts';
import { topology } from '../../src/dsl/topology.ts';

/**
 * Every way a model says "source replicates to target" (a replicate flow, replicaOf, a Redis global datastore, a
 * stream mirror, an object store's replication), as the rpo, rto, replication and residency rules read them.
 */
const model = topology('links', (t) => {
  const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
  const pg = us.postgres('pg');
  const pgReplica = eu.postgres('pg', { role: 'replica', replicaOf: pg, replicationMode: 'sync' });
  const my = us.mysql('my');
  eu.mysql('my', { role: 'replica', replicaOf: my, replicationMode: 'logical' });
  const cache = us.redis('cache', { globalDatastore: { role: 'primary' } });
  eu.redis('cache', { globalDatastore: { role: 'secondary', primary: cache } });
  const events = us.stream('events', { engine: 'msk' });
  eu.stream('events', { engine: 'msk', mirrorOf: events });
  const lake = eu.objectStore('lake', {});
  const usLake = us.objectStore('lake', { replication: { to: lake, mode: 'rtc' } });
  // A flow over the bucket's replication that states no lag keeps the field's bound.
  t.flow(usLake, lake, { kind: 'replicate' });
  const logs = eu.objectStore('logs', {});
  us.objectStore('logs', { replication: { to: logs } });
  // A flow over a replicaOf link: the flow's lag, the field's mode.
  t.flow(pg, pgReplica, { kind: 'replicate', maxLagSeconds: 5 });
  // A flow of its own, with its mode; and a flow that is not replication.
  const orders = us.postgres('orders');
  const ordersCopy = eu.postgres('orders');
  t.flow(orders, ordersCopy, { kind: 'replicate', replicationMode: 'async', maxLagSeconds: 30 });
  const app = us.service('app', { runtime: 'ecs-fargate' });
  t.flow(app, orders);
  // A store replicating to itself is no copy elsewhere.
  t.flow(ordersCopy, ordersCopy, { kind: 'replicate' });
});

describe('two replicate flows between one pair', () => {
  it('count the larger lag, in either order of declaration (the RPO verdict must not depend on it)', () => {
    for (const lags of [
      [5, 500],
      [500, 5],
    ]) {
      const twice = topology('twice', (t) => {
        t.sla({ rpoSeconds: 60 });
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const primary = us.postgres('db', { platform: 'rds', multiAz: true });
        const replica = eu.postgres('db', { platform: 'rds', role: 'replica', replicaOf: primary });
        for (const lag of lags)
          t.flow(primary, replica, { kind: 'replicate', replicationMode: 'async', maxLagSeconds: lag });
      });
      const [link] = replicationLinks(createContext(twice));
      expect(link?.maxLagSeconds, `lags declared ${lags.join(', ')}`).toBe(500);
      const { findings } = check(twice, { rules: ['rpo'] });
      expect(
        findings.map((f) => f.message),
        `lags declared ${lags.join(', ')}`,
      ).toEqual([expect.stringContaining('loses up to 500 s of writes')]);
    }
  });
});

describe('two replicate flows of one pair with the same lag', () => {
  it('point at the first declared: the later one adds nothing', () => {
    const model = topology('same-lag', (t) => {
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const primary = us.postgres('db');
      const copy = eu.postgres('db');
      // On two lines: a flow is located by the line that declares it.
      t.flow(primary, copy, { kind: 'replicate', replicationMode: 'async', maxLagSeconds: 5, label: 'first' });
      t.flow(primary, copy, { kind: 'replicate', replicationMode: 'async', maxLagSeconds: 5, label: 'second' });
    });
    const context = createContext(model);
    const [link] = replicationLinks(context);
    const first = model.flows.find((f) => f.label === 'first');
    expect(first).toBeDefined();
    expect(link?.location).toEqual(context.locateFlow(first as (typeof model.flows)[number]));
    expect(link?.location).not.toEqual(
      context.locateFlow(model.flows.find((f) => f.label === 'second') as (typeof model.flows)[number]),
    );
  });
});

describe('two replicate flows of one pair with different modes', () => {
  it('count the weaker mode, in either order: sync and async lagging 30 s is async, 30 s; logical is weaker still', () => {
    const pair = (
      modes: readonly ('sync' | 'async' | 'logical' | undefined)[],
      lags: readonly (number | undefined)[],
    ) =>
      topology('modes', (t) => {
        t.sla({ rpoSeconds: 10 });
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const primary = us.postgres('db', { multiAz: true });
        const copy = eu.postgres('db', { multiAz: true });
        for (const [i, replicationMode] of modes.entries())
          t.flow(primary, copy, {
            kind: 'replicate',
            ...(replicationMode ? { replicationMode } : {}),
            ...(lags[i] === undefined ? {} : { maxLagSeconds: lags[i] }),
          });
      });
    const linkOf = (modes: Parameters<typeof pair>[0], lags: Parameters<typeof pair>[1]) => {
      const model = pair(modes, lags);
      const [link] = replicationLinks(createContext(model));
      const rpo = check(model, { rules: ['rpo'] }).explain.budgets.rpo.map((b) => b.windowSeconds ?? null);
      return [link?.mode ?? null, link?.maxLagSeconds ?? null, rpo];
    };
    for (const [modes, lags] of [
      [
        ['sync', 'async'],
        [undefined, 30],
      ],
      [
        ['async', 'sync'],
        [30, undefined],
      ],
    ] as const)
      expect(linkOf(modes, lags), modes.join(' then ')).toEqual(['async', 30, [30]]);
    expect(linkOf(['logical', 'async'], [5, 5])).toEqual(['logical', 5, [5]]);
    expect(linkOf(['async', 'logical'], [5, 5])).toEqual(['logical', 5, [5]]);
    // A flow stating no mode leaves the other's: sync stays sync, nothing lost.
    expect(linkOf([undefined, 'sync'], [undefined, undefined])).toEqual(['sync', null, [0]]);
    expect(linkOf(['sync', undefined], [undefined, undefined])).toEqual(['sync', null, [0]]);
  });
});

describe('replication links', () => {
  // Computed inside each test, not when the file is collected: a mutation run (bench/mutation) switches its mutant
  // on per test, so code run at collection time would never see one.
  const linksOf = () => {
    const context = createContext(model);
    const links = replicationLinks(context);
    return { context, links, byPair: new Map(links.map((link) => [`${link.source} > ${link.target}`, link])) };
  };

  it('finds every relation once, from each kind of declaration, and nothing else', () => {
    const { links } = linksOf();
    expect(
      links
        .map((l) => [`${l.source} > ${l.target}`, l.via, l.mode ?? null, l.maxLagSeconds ?? null])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['us-east-1/cache > eu-west-1/cache', 'globalDatastore', 'async', null],
      ['us-east-1/events > eu-west-1/events', 'mirrorOf', 'async', null],
      // S3 Replication Time Control: 15 minutes, kept by the flow that states no lag; standard replication: no bound.
      ['us-east-1/lake > eu-west-1/lake', 'replicate flow', 'async', 900],
      ['us-east-1/logs > eu-west-1/logs', 'replication.to', 'async', null],
      ['us-east-1/my > eu-west-1/my', 'replicaOf', 'logical', null],
      ['us-east-1/orders > eu-west-1/orders', 'replicate flow', 'async', 30],
      // The flow wins over the bare field (its lag), and keeps the field's mode, which the flow does not state.
      ['us-east-1/pg > eu-west-1/pg', 'replicate flow', 'sync', 5],
    ]);
  });

  it('points at the flow when a flow declares the link, else at the component that declares it', () => {
    const { context, byPair } = linksOf();
    const flowOf = (from: string) => model.flows.find((f) => f.kind === 'replicate' && f.from === from);
    const pgFlow = flowOf('us-east-1/pg');
    expect(pgFlow).toBeDefined();
    expect(byPair.get('us-east-1/pg > eu-west-1/pg')?.location).toEqual(context.locateFlow(pgFlow as never));
    expect(byPair.get('us-east-1/pg > eu-west-1/pg')?.location).toBeDefined();
    expect(byPair.get('us-east-1/my > eu-west-1/my')?.location).toEqual(context.locate('eu-west-1/my'));
    expect(byPair.get('us-east-1/logs > eu-west-1/logs')?.location).toEqual(context.locate('us-east-1/logs'));
    expect(byPair.get('us-east-1/my > eu-west-1/my')?.location?.line).not.toBe(
      byPair.get('us-east-1/logs > eu-west-1/logs')?.location?.line,
    );
  });
});
