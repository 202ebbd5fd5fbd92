import { col } from '@meridian/delta';
import { loadTopology, topology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { explainPlan, planQuery, QueryError } from '../src/index.ts';
import { lakeModel } from './fixtures/lake.ts';

const locations = {
  'eu-west-1': '/lake/eu-west-1',
  'eu-central-1': '/lake/eu-central-1',
  'us-east-1': '/lake/us-east-1',
};

function refusal(fn: () => unknown): QueryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error('expected a QueryError');
}

describe('planQuery', () => {
  it('plans one fragment per region holding the table, with pushed-down columns, predicate and limit', () => {
    const plan = planQuery(
      lakeModel,
      { table: 'orders', columns: ['order_id', 'amount'], where: "currency = 'EUR'", limit: 5, from: 'eu-west-1' },
      { locations: { ...locations, 'eu-central-1/orders': 'file:///elsewhere/de' } },
    );
    expect(plan.fragments.map((f) => [f.region, f.component, f.uri, f.uriSource])).toEqual([
      ['eu-west-1', 'eu-west-1/orders', '/lake/eu-west-1', 'location'],
      // A component id outranks its region's location.
      ['eu-central-1', 'eu-central-1/orders', 'file:///elsewhere/de', 'location'],
      ['us-east-1', 'us-east-1/orders', '/lake/us-east-1', 'location'],
    ]);
    for (const f of plan.fragments) {
      expect(f.columns).toEqual(['order_id', 'amount']);
      expect(f.where?.toString()).toBe(col('currency').eq('EUR').toString());
      expect(f.limit).toBe(5);
    }
    expect(plan.destination).toEqual({ jurisdiction: 'EU', region: 'eu-west-1' });
  });

  it('defaults each URI to s3://<bucket>/<path> from the model and keeps to the regions asked for', () => {
    const plan = planQuery(lakeModel, { table: 'eu-central-1/orders', from: 'EU' });
    expect(plan.fragments.map((f) => [f.uri, f.uriSource])).toEqual([['s3://lake-eu-central-1/delta/orders', 'model']]);
    const two = planQuery(lakeModel, { table: 'orders', regions: ['us-east-1', 'eu-west-1'], from: 'EU' });
    expect(two.fragments.map((f) => f.region)).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('refuses to move EU personal data into the US, naming the table, class and fix', () => {
    const error = refusal(() => planQuery(lakeModel, { table: 'orders', from: 'us-east-1' }, { locations }));
    expect(error.code).toBe('residency-violation');
    expect(error.message).toContain(
      "move 'eu-personal' from eu-west-1/orders, 'eu-personal' from eu-central-1/orders into us-east-1 (US)",
    );
    expect(error.path).toEqual(['components', 'eu-west-1/orders', 'dataClasses']);
    // In the API's words (the CLI shows its flags instead): where to query from, or which regions to keep.
    expect(error.hint).toContain("from: 'eu-west-1'");
    expect(error.hint).toContain("leave out eu-west-1, eu-central-1: regions: ['us-east-1']");
    expect(error.hint).not.toContain('--');
    // The same table read only where it carries no restricted class may go to the US.
    expect(planQuery(lakeModel, { table: 'orders', regions: ['us-east-1'], from: 'US' }).fragments).toHaveLength(1);
    // Aggregates are not an escape hatch: they are treated as the data they summarise.
    expect(
      refusal(() =>
        planQuery(lakeModel, {
          table: 'orders',
          from: 'US',
          aggregate: { groupBy: ['currency'], measures: [{ fn: 'count' }] },
        }),
      ).code,
    ).toBe('residency-violation');
  });

  it('checks every data class of a table, not only the first', () => {
    // The table carries an unrestricted class, a class allowed in the EU and the US, then an EU-only one: only the
    // last forbids the US, so a check that stops at the first class (or the first restricted one) lets it through.
    const model = topology('classes', (t) => {
      const telemetry = t.dataClass('telemetry');
      const billing = t.dataClass('billing', { jurisdictions: ['EU', 'US'] });
      const personal = t.dataClass('eu-personal', { jurisdictions: ['EU'] });
      const eu = t.region('eu-west-1', { jurisdiction: 'EU' });
      t.region('us-east-1', { jurisdiction: 'US' });
      const store = eu.objectStore('lake', { bucket: 'lake-eu', dataClasses: [telemetry, billing, personal] });
      eu.deltaTable('events', {
        store,
        path: 'delta/events',
        columns: [{ name: 'id', type: 'long', nullable: false }],
        dataClasses: [telemetry, billing, personal],
      });
    });
    const error = refusal(() => planQuery(model, { table: 'events', from: 'us-east-1' }));
    expect(error.code).toBe('residency-violation');
    expect(error.message).toContain("'eu-personal' from eu-west-1/events");
    expect(error.message).not.toContain("'billing'");
    expect(error.message).toContain('eu-personal may only be in EU');
    // Without a destination, the EU-only class behind an unrestricted one still asks where results go.
    expect(refusal(() => planQuery(model, { table: 'events' })).code).toBe('destination-required');
    const plan = planQuery(model, { table: 'events', from: 'EU' });
    expect(plan.fragments).toHaveLength(1);
    expect(plan.notes).toContain('results go to jurisdiction EU; allowed for telemetry, billing, eu-personal');
  });

  it('resolves where results go: a region by id or code, a published region, an uppercase jurisdiction, else refuses', () => {
    expect(planQuery(lakeModel, { table: 'orders', from: 'eu-central-1' }).destination).toEqual({
      jurisdiction: 'EU',
      region: 'eu-central-1',
    });
    // A provider region the model does not use, and a bare jurisdiction code.
    expect(planQuery(lakeModel, { table: 'orders', regions: ['us-east-1'], from: 'us-west-2' }).destination).toEqual({
      jurisdiction: 'US',
      region: 'us-west-2',
    });
    expect(planQuery(lakeModel, { table: 'orders', from: 'EU' }).destination).toEqual({
      jurisdiction: 'EU',
      region: undefined,
    });
    for (const from of ['eu', 'xEU', 'EU west', 'EU!']) {
      const error = refusal(() => planQuery(lakeModel, { table: 'orders', from }));
      expect(error, from).toMatchObject({ code: 'unknown-destination', path: ['request', 'from'] });
      expect(error.message).toBe(`'${from}' is neither a region of topology 'lake' nor a jurisdiction code`);
      expect(error.hint).toContain('give a region id (eu-west-1, eu-central-1, us-east-1)');
    }
  });

  it('resolves a Google Cloud or Azure region outside the model to its published jurisdiction', () => {
    // Only the US table is read (no restricted class), so the destination is all the plan decides.
    const plan = (from: string) => planQuery(lakeModel, { table: 'orders', regions: ['us-east-1'], from }).destination;
    expect(plan('europe-west6')).toEqual({ jurisdiction: 'CH', region: 'europe-west6' });
    expect(plan('westeurope')).toEqual({ jurisdiction: 'EU', region: 'westeurope' });
    // A GCP region holds EU data in the EU, and is refused for it outside.
    expect(planQuery(lakeModel, { table: 'orders', from: 'europe-west1' }).fragments).toHaveLength(3);
    expect(refusal(() => planQuery(lakeModel, { table: 'orders', from: 'europe-west6' })).code).toBe(
      'residency-violation',
    );
  });

  it('resolves a region given by its code to its own id when the model names it otherwise, and hints with ids', () => {
    // billing may live in the EU or the US; the model's only region is eu-west-1, named eu-primary.
    const model = topology('ids', (t) => {
      const billing = t.dataClass('billing', { jurisdictions: ['EU', 'US'] });
      const eu = t.region('eu-west-1', { id: 'eu-primary', jurisdiction: 'EU' });
      const store = eu.objectStore('lake', { bucket: 'lake-eu', dataClasses: [billing] });
      eu.deltaTable('events', {
        store,
        path: 'delta/events',
        columns: [{ name: 'id', type: 'long', nullable: false }],
        dataClasses: [billing],
      });
    });
    for (const from of ['eu-west-1', 'eu-primary']) {
      expect(planQuery(model, { table: 'events', from }).destination, from).toEqual({
        jurisdiction: 'EU',
        region: 'eu-primary',
      });
    }
    const required = refusal(() => planQuery(model, { table: 'events' }));
    expect(required.message).toContain("eu-primary/events holds data class 'billing' (allowed in EU, US)");
    expect(required.hint).toContain("from: 'eu-primary'");
    // A jurisdiction code longer than two letters is one too, and is refused here.
    const eea = refusal(() => planQuery(model, { table: 'events', from: 'EEA' }));
    expect(eea.code).toBe('residency-violation');
    expect(eea.message).toContain('into jurisdiction EEA; billing may only be in EU, US');
    expect(eea.hint).toBe("query from a region in EU/US: from: 'eu-primary'");
    const unknown = refusal(() => planQuery(model, { table: 'events', from: 'mars-1' }));
    expect(unknown.hint).toContain('give a region id (eu-primary)');
  });

  it('names a jurisdiction to query from when no region of the model lies in it, and nothing to leave out', () => {
    const model = topology('health', (t) => {
      const health = t.dataClass('ch-health', { jurisdictions: ['CH', 'LI'] });
      const eu = t.region('eu-west-1', { jurisdiction: 'EU' });
      const store = eu.objectStore('lake', { bucket: 'lake-eu', dataClasses: [health] });
      eu.deltaTable('visits', {
        store,
        path: 'delta/visits',
        columns: [{ name: 'id', type: 'long', nullable: false }],
        dataClasses: [health],
      });
    });
    const error = refusal(() => planQuery(model, { table: 'visits', from: 'EU' }));
    expect(error).toMatchObject({
      code: 'residency-violation',
      path: ['components', 'eu-west-1/visits', 'dataClasses'],
    });
    expect(error.message).toContain("'ch-health' from eu-west-1/visits into jurisdiction EU");
    expect(error.message).toContain('ch-health may only be in CH, LI');
    expect(error.hint).toBe('query from a jurisdiction in CH, LI');
    // The notes are the residency decision alone: nothing else is said about the destination.
    expect(planQuery(model, { table: 'visits', from: 'CH' }).notes).toEqual([
      'results go to jurisdiction CH; allowed for ch-health',
    ]);
  });

  it('says in the notes where results go and what the tables carry', () => {
    expect(planQuery(lakeModel, { table: 'orders', from: 'EU' }).notes).toContain(
      'results go to jurisdiction EU; allowed for eu-personal',
    );
    expect(planQuery(lakeModel, { table: 'orders', regions: ['us-east-1'], from: 'us-east-1' }).notes).toContain(
      'results go to us-east-1 (US); the tables carry no data class',
    );
    expect(planQuery(lakeModel, { table: 'orders', regions: ['us-east-1'] }).notes).toContain(
      'no destination given (from); none of the tables carries a jurisdiction-restricted data class',
    );
    const required = refusal(() => planQuery(lakeModel, { table: 'orders' }));
    expect(required).toMatchObject({ code: 'destination-required', path: ['request', 'from'] });
    expect(required.message).toBe(
      "eu-west-1/orders holds data class 'eu-personal' (allowed in EU), and the request does not say where the results go",
    );
    expect(required.hint).toBe("declare where the results go, a region or a jurisdiction: from: 'eu-west-1'");
  });

  it('asks where the results go when a restricted class is read', () => {
    const error = refusal(() => planQuery(lakeModel, { table: 'orders' }));
    expect(error.code).toBe('destination-required');
    expect(error.hint).toMatch(/from: '[\w-]+'/);
    expect(error.hint).not.toContain('--');
    expect(planQuery(lakeModel, { table: 'orders', regions: ['us-east-1'] }).destination).toBeUndefined();
    expect(refusal(() => planQuery(lakeModel, { table: 'orders', from: 'mars-1' })).code).toBe('unknown-destination');
  });

  it('refuses unknown tables, regions and columns with a suggestion', () => {
    const table = refusal(() => planQuery(lakeModel, { table: 'ordres', from: 'EU' }));
    expect(table.code).toBe('unknown-table');
    expect(table.hint).toContain("did you mean 'orders'");
    const region = refusal(() => planQuery(lakeModel, { table: 'orders', regions: ['eu-west-2'], from: 'EU' }));
    expect(region).toMatchObject({ code: 'unknown-region', path: ['request', 'regions', 0] });
    expect(region.hint).toContain("did you mean 'eu-west-1'");
    const column = refusal(() =>
      planQuery(lakeModel, { table: 'orders', columns: ['order_id', 'amuont'], from: 'EU' }),
    );
    expect(column).toMatchObject({ code: 'unknown-column', path: ['request', 'columns', 1] });
    expect(column.hint).toContain("did you mean 'amount'");
    expect(refusal(() => planQuery(lakeModel, { table: 'orders', where: 'amount >', from: 'EU' })).code).toBe(
      'invalid-predicate',
    );
    expect(refusal(() => planQuery(lakeModel, { table: 'orders', where: "nope = 'x'", from: 'EU' })).code).toBe(
      'unknown-column',
    );
    expect(
      refusal(() => planQuery(lakeModel, { table: 'orders', from: 'EU' }, { locations: { 'eu-north-9': '/x' } })).code,
    ).toBe('invalid-request');
  });

  it('reads a _region predicate as a choice of regions, before the residency check', () => {
    const plan = planQuery(
      lakeModel,
      { table: 'orders', where: "_region = 'us-east-1' and currency = 'USD'", from: 'US' },
      { locations },
    );
    expect(plan.fragments.map((f) => f.region)).toEqual(['us-east-1']);
    expect(plan.fragments[0]?.where?.toString()).toBe(col('currency').eq('USD').toString());
    const two = planQuery(lakeModel, { table: 'orders', where: "_region in ('eu-west-1', 'us-east-1')", from: 'EU' });
    expect(two.fragments.map((f) => f.region)).toEqual(['eu-west-1', 'us-east-1']);
    expect(two.where).toBeUndefined();
    expect(refusal(() => planQuery(lakeModel, { table: 'orders', where: "_region = 'mars'", from: 'EU' })).code).toBe(
      'unknown-region',
    );
    expect(
      refusal(() =>
        planQuery(lakeModel, { table: 'orders', where: "_region = 'eu-west-1' or currency = 'EUR'", from: 'EU' }),
      ).code,
    ).toBe('invalid-request');
  });

  it('explains fragments, pushdowns, the central step and the residency decision', () => {
    const plan = planQuery(
      lakeModel,
      { table: 'orders', where: "currency = 'EUR'", limit: 10, from: 'eu-central-1' },
      { locations },
    );
    const text = explainPlan(plan);
    expect(text).toContain('query orders: 3 regions, results to eu-central-1 (EU)');
    for (const region of Object.keys(locations)) expect(text).toContain(region);
    expect(text).toContain("where=currency = 'EUR'");
    expect(text).toContain('stop after 10 rows and cancel the remaining scans');
    expect(text).toContain('allowed for eu-personal');
  });

  it('plans over the reference example: orders-table in both EU regions, refused from the US', async () => {
    const model = await loadTopology(new URL('../../../examples/reference/topology.ts', import.meta.url).pathname);
    const plan = planQuery(model, { table: 'orders-table', from: 'eu-west-1' });
    expect(plan.fragments.map((f) => f.uri)).toEqual([
      's3://shop-lake-eu-west-1/delta/orders',
      's3://shop-lake-eu-central-1/delta/orders',
    ]);
    expect(refusal(() => planQuery(model, { table: 'orders-table', from: 'US' })).code).toBe('residency-violation');
    // A provider region the model does not use still has a jurisdiction.
    const outside = refusal(() => planQuery(model, { table: 'orders-table', from: 'us-east-1' }));
    expect(outside.code).toBe('residency-violation');
    expect(outside.message).toContain('us-east-1 (US)');
  });
});

describe('the aggregate site of a class that may leave only as aggregates', () => {
  const count = { groupBy: ['id'], measures: [{ fn: 'count' as const }] };
  const columns = [{ name: 'id', type: 'long' as const, nullable: false }];

  /**
   * eu-west-1 named eu-primary, eu-central-1 and us-east-1; `events` in the EU regions carries `euClasses`, and in
   * us-east-1 `usClasses`. Each class is [id, jurisdictions, minGroupSize or undefined for no export rule].
   */
  function model(
    euClasses: readonly (readonly [string, string[], number | undefined])[],
    usClasses: readonly (readonly [string, string[], number | undefined])[] = [],
  ) {
    return topology('site', (t) => {
      const classOf = ([id, jurisdictions, min]: readonly [string, string[], number | undefined]) =>
        t.dataClass(id, {
          jurisdictions,
          ...(min === undefined ? {} : { export: { aggregatesOnly: true as const, minGroupSize: min } }),
        });
      const eu = euClasses.map(classOf);
      const us = usClasses.map(classOf);
      const regions = [
        t.region('eu-west-1', { id: 'eu-primary', jurisdiction: 'EU' }),
        t.region('eu-central-1', { jurisdiction: 'EU' }),
        t.region('us-east-1', { jurisdiction: 'US' }),
      ];
      for (const region of regions) {
        const classes = region.code.startsWith('eu-') ? eu : us;
        const store = region.objectStore('lake', { bucket: `lake-${region.code}`, dataClasses: classes });
        region.deltaTable('events', { store, path: 'delta/events', columns, dataClasses: classes });
      }
    });
  }

  it('finishes the aggregate in the region (by its id) holding the class, with the largest minGroupSize of the classes', () => {
    // The class with the smaller minimum is declared first: taking the first class's, or the smallest, gives 5.
    const two = model([
      ['eu-personal', ['EU', 'CH'], 5],
      ['eu-health', ['EU', 'CH'], 20],
    ]);
    const plan = planQuery(two, { table: 'events', from: 'us-east-1', aggregate: count });
    expect(plan.aggregateSite).toEqual({
      region: 'eu-primary',
      jurisdiction: 'EU',
      minGroupSize: 20,
      counted: ['eu-primary/events', 'eu-central-1/events'],
      dataClasses: ['eu-personal', 'eu-health'],
    });
    expect(plan.notes).toEqual([
      'results go to us-east-1 (US); eu-personal, eu-health may leave EU only as aggregates: the aggregate is finished in eu-primary, groups with fewer than 20 rows of eu-personal, eu-health are suppressed there, and only the final groups cross to US',
    ]);
    // Read only in eu-central-1, it is finished there, not in the model's first region.
    const central = planQuery(two, { table: 'events', regions: ['eu-central-1'], from: 'US', aggregate: count });
    expect(central.aggregateSite).toMatchObject({ region: 'eu-central-1', counted: ['eu-central-1/events'] });
    expect(central.notes[0]).toContain('results go to jurisdiction US; eu-personal, eu-health may leave EU');
  });

  it('refuses rows naming every jurisdiction the class may be in, in the message, hint and path', () => {
    const error = refusal(() =>
      planQuery(model([['eu-personal', ['EU', 'CH'], 10]]), { table: 'events', from: 'us-east-1' }),
    );
    expect(error).toMatchObject({
      code: 'residency-violation',
      path: ['components', 'eu-primary/events', 'dataClasses'],
    });
    expect(error.message).toBe(
      "the query returns rows: eu-primary/events holds 'eu-personal', which may leave EU, CH only as aggregates, and the results go to us-east-1 (US)",
    );
    expect(error.hint).toBe('aggregate instead (GROUP BY with count, sum, avg, ...), or query from a region in EU/CH');
  });

  it('refuses aggregates when one class read has no export rule, as it refuses rows', () => {
    const error = refusal(() =>
      planQuery(
        model([
          ['eu-personal', ['EU'], 10],
          ['eu-strict', ['EU'], undefined],
        ]),
        { table: 'events', from: 'US', aggregate: count },
      ),
    );
    expect(error.code).toBe('residency-violation');
    expect(error.message).toContain(
      "the plan would move 'eu-personal' from eu-primary/events, 'eu-strict' from eu-primary/events",
    );
    expect(error.message).toContain('eu-personal may only be in EU');
  });

  it('refuses classes that must be merged in different jurisdictions', () => {
    const error = refusal(() =>
      planQuery(
        model([
          ['eu-personal', ['EU'], 10],
          ['ch-health', ['CH', 'LI'], 10],
        ]),
        { table: 'events', from: 'us-east-1', aggregate: count },
      ),
    );
    expect(error).toMatchObject({
      code: 'residency-violation',
      path: ['components', 'eu-primary/events', 'dataClasses'],
      hint: 'query each jurisdiction on its own',
    });
    expect(error.message).toBe(
      "the classes read may leave as aggregates but must be merged in different jurisdictions (EU, CH/LI): eu-primary/events holds 'eu-personal', which may leave EU only as aggregates, and the results go to us-east-1 (US)",
    );
    // One set written in two orders is named once.
    const sets = refusal(() =>
      planQuery(
        model([
          ['eu-personal', ['EU'], 10],
          ['ch-health', ['LI', 'CH'], 10],
          ['ch-finance', ['CH', 'LI'], 10],
        ]),
        { table: 'events', from: 'us-east-1', aggregate: count },
      ),
    );
    expect(sets.message).toMatch(
      /^the classes read may leave as aggregates but must be merged in different jurisdictions \(EU, CH\/LI\): /,
    );
  });

  it('merges classes whose jurisdictions are one set in any order, or overlap, in a jurisdiction they share', () => {
    // The verdict must not depend on how the sets are written: ['EU', 'CH'] and ['CH', 'EU'] are one set.
    for (const [a, b] of [
      [
        ['EU', 'CH'],
        ['CH', 'EU'],
      ],
      [['EU', 'CH'], ['EU']],
      [['EU'], ['CH', 'EU']],
    ] as const) {
      const plan = planQuery(
        model([
          ['eu-personal', [...a], 10],
          ['eu-health', [...b], 5],
        ]),
        { table: 'events', from: 'us-east-1', aggregate: count },
      );
      expect(plan.aggregateSite, `${a} with ${b}`).toMatchObject({ region: 'eu-primary', jurisdiction: 'EU' });
    }
    // Written the same way round, it was already planned: the same site.
    const same = planQuery(
      model([
        ['eu-personal', ['EU', 'CH'], 10],
        ['eu-health', ['EU', 'CH'], 5],
      ]),
      { table: 'events', from: 'us-east-1', aggregate: count },
    );
    expect(same.aggregateSite).toMatchObject({ region: 'eu-primary', jurisdiction: 'EU' });
  });

  it('finishes the aggregate in a region whose jurisdiction every class may be in, not the first holding one', () => {
    // ch-events (Zurich, CH) holds a class allowed in EU and CH, eu-events (Frankfurt, EU) one allowed only in the
    // EU: merged in Zurich, the EU-only class would leave the EU; merged in Frankfurt, both stay where they may be.
    const zurich = topology('zurich', (t) => {
      const both = t.dataClass('dach-personal', {
        jurisdictions: ['CH', 'EU'],
        export: { aggregatesOnly: true, minGroupSize: 5 },
      });
      const euOnly = t.dataClass('eu-personal', {
        jurisdictions: ['EU'],
        export: { aggregatesOnly: true, minGroupSize: 5 },
      });
      const regions = [
        [t.region('eu-central-2', { jurisdiction: 'CH' }), both],
        [t.region('eu-central-1', { jurisdiction: 'EU' }), euOnly],
        [t.region('us-east-1', { jurisdiction: 'US' }), undefined],
      ] as const;
      for (const [region, dataClass] of regions) {
        const classes = dataClass ? [dataClass] : [];
        const store = region.objectStore('lake', { bucket: `lake-${region.code}`, dataClasses: classes });
        region.deltaTable('events', { store, path: 'delta/events', columns, dataClasses: classes });
      }
    });
    const plan = planQuery(zurich, { table: 'events', from: 'us-east-1', aggregate: count });
    expect(plan.aggregateSite).toMatchObject({
      region: 'eu-central-1',
      jurisdiction: 'EU',
      counted: ['eu-central-2/events', 'eu-central-1/events'],
    });
  });

  it("refuses another table's class that may not enter the merging region, and says which regions to keep", () => {
    // us-health may be where the results go (the US) but not in the EU, where the eu-personal aggregate is merged.
    const mixed = model([['eu-personal', ['EU'], 10]], [['us-health', ['US'], undefined]]);
    const error = refusal(() => planQuery(mixed, { table: 'events', from: 'us-east-1', aggregate: count }));
    expect(error).toMatchObject({
      code: 'residency-violation',
      path: ['components', 'eu-primary/events', 'dataClasses'],
    });
    expect(error.message).toBe(
      "us-east-1/events's 'us-health' may not enter eu-primary (EU), where the aggregate must be merged: eu-primary/events holds 'eu-personal', which may leave EU only as aggregates, and the results go to us-east-1 (US)",
    );
    expect(error.hint).toBe("leave out us-east-1: regions: ['eu-primary', 'eu-central-1']");
    // Leaving it out, as the hint says, is planned.
    const kept = planQuery(mixed, {
      table: 'events',
      regions: ['eu-primary', 'eu-central-1'],
      from: 'us-east-1',
      aggregate: count,
    });
    expect(kept.aggregateSite).toMatchObject({ region: 'eu-primary', minGroupSize: 10 });
  });

  it('finishes in the region of a restricted table that has one, and refuses a table in no region', () => {
    // Both tables are named events: the global one comes first, and has no region to finish the aggregate in.
    const placed = topology('placed', (t) => {
      const personal = t.dataClass('eu-personal', {
        jurisdictions: ['EU'],
        export: { aggregatesOnly: true, minGroupSize: 10 },
      });
      const shared = t.objectStore('shared', { bucket: 'lake-shared', dataClasses: [personal] });
      t.deltaTable('archive', {
        store: shared,
        path: 'delta/archive',
        tableName: 'events',
        columns,
        dataClasses: [personal],
      });
      const eu = t.region('eu-west-1', { jurisdiction: 'EU' });
      t.region('us-east-1', { jurisdiction: 'US' });
      const store = eu.objectStore('lake', { bucket: 'lake-eu', dataClasses: [personal] });
      eu.deltaTable('live', { store, path: 'delta/live', tableName: 'events', columns, dataClasses: [personal] });
    });
    const both = planQuery(placed, { table: 'events', from: 'US', aggregate: count });
    expect(both.fragments.map((f) => f.component)).toEqual(['archive', 'eu-west-1/live']);
    expect(both.aggregateSite).toMatchObject({ region: 'eu-west-1', counted: ['archive', 'eu-west-1/live'] });
    const error = refusal(() => planQuery(placed, { table: 'archive', from: 'US', aggregate: count }));
    expect(error).toMatchObject({
      code: 'residency-violation',
      path: ['components', 'archive', 'dataClasses'],
      hint: 'place the table in a region',
    });
    expect(error.message).toBe(
      "no region of the class holds the table: archive holds 'eu-personal', which may leave EU only as aggregates, and the results go to jurisdiction US",
    );
  });
});
