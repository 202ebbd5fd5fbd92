import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainQuery, formatExplanation, planQuery, sqlToRequest } from '../src/index.ts';
import { lakeRegions, lakeTopology, writeOrders } from './fixtures/lake.ts';

const ROWS = 2000;
let root: string;
let locations: Record<string, string>;
const model = lakeTopology({ aggregatesOnly: true, minGroupSize: 10 });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-explain-'));
  locations = Object.fromEntries(lakeRegions.map((r) => [r, join(root, r)]));
  await Promise.all(lakeRegions.map((r, i) => writeOrders(join(root, r), ROWS, 61 + i, i * 100_000)));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const plan = (sql: string, from: string) => planQuery(model, { ...sqlToRequest(sql), from }, { locations });

describe('explainQuery', () => {
  it('shows region pruning, partition pruning, file skipping and projection from the log, then what was read', async () => {
    const p = plan(
      "SELECT order_id, amount FROM orders WHERE order_date = '2024-01-02' AND order_id < 100050 AND _region IN ('eu-west-1', 'eu-central-1')",
      'EU',
    );
    const e = await explainQuery(p, { analyze: true });
    expect(e.prunedRegions).toEqual([
      { region: 'us-east-1', component: 'us-east-1/orders', reason: 'the _region predicate' },
    ]);
    const [west, central] = e.regions;
    // 5 dates, about 400 rows a date in files of 100: a fifth of the files survive partition pruning.
    expect(west?.files.skippedByPartition).toBeGreaterThan(0);
    expect(west?.files.selected).toBeLessThan((west?.files.total ?? 0) / 3);
    // eu-central-1's ids start at 100000: statistics skip every file but those holding ids below 100050.
    expect(central?.files.skippedByStats).toBeGreaterThan(0);
    expect(west?.columnsRead).toEqual(['order_id', 'amount']);
    expect(west?.columnsTotal).toBe(5);
    for (const r of e.regions) {
      expect(r.actual?.filesRead).toBe(r.files.selected);
      expect(r.actual?.rowsReturned).toBeLessThanOrEqual(r.estimatedRows ?? 0);
    }
    const text = formatExplanation(e);
    expect(text).toContain('pruned us-east-1 (us-east-1/orders): the _region predicate');
    expect(text).toMatch(/files +\d+ of \d+ read \(\d+ pruned by partition, \d+ skipped by statistics\)/);
    expect(text).toContain('pushed down  2 of 5 columns (order_id, amount); where');
  });

  it('shows what crosses which border with estimated and actual bytes, within the bound', async () => {
    const p = plan('SELECT currency, count(*) AS n, sum(amount) AS s FROM orders GROUP BY currency', 'us-east-1');
    const before = await explainQuery(p);
    expect(before.analyzed).toBe(false);
    expect(before.crossings.every((c) => c.actualBytes === undefined)).toBe(true);
    const e = await explainQuery(p, { analyze: true });
    expect(e.mergeAt).toBe('eu-west-1');
    expect(e.crossings.map((c) => `${c.from}>${c.to} ${c.what}`).sort()).toEqual([
      'eu-central-1>eu-west-1 partial aggregates',
      'eu-west-1>us-east-1 final aggregates',
      'us-east-1>eu-west-1 partial aggregates',
    ]);
    for (const c of e.crossings) {
      expect(c.actualBytes).toBeGreaterThan(0);
      expect(c.actualBytes).toBeLessThanOrEqual(c.estimatedBytes ?? 0);
    }
    const text = formatExplanation(e);
    expect(text).toMatch(/eu-west-1 -> us-east-1 {2}final aggregates {2}crosses EU -> US {2}est .* actual /);
    expect(text).toMatch(/eu-central-1 -> eu-west-1 {2}partial aggregates {2}within EU/);
    expect(text).toContain('final merge in eu-west-1');
  });
});
