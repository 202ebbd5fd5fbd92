import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeQuery, jsRunner, planQuery, type RegionRunner } from '../src/index.ts';
import { lakeModel, lakeRegions, writeOrders } from './fixtures/lake.ts';

let root: string;
let locations: Record<string, string>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-runner-'));
  locations = Object.fromEntries(lakeRegions.map((r) => [r, join(root, r)]));
  await Promise.all(lakeRegions.map((r, i) => writeOrders(join(root, r), 300, 5 + i, i * 10_000)));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A runner that hands every region to the JS runner and counts the work it was given. */
function countingRunner(calls: string[]): RegionRunner {
  return {
    name: 'counting',
    async open(fragment, context) {
      const region = await jsRunner.open(fragment, context);
      calls.push(`open ${fragment.region}`);
      return {
        ...region,
        runner: 'counting',
        runnerReason: `test runner for ${fragment.region}`,
        aggregate: (aggregate, tally) => {
          calls.push(`aggregate ${fragment.region}`);
          return region.aggregate(aggregate, tally);
        },
      };
    },
  };
}

describe('the region runner seam', () => {
  it('runs every region through the runner given and names it in the report', async () => {
    const calls: string[] = [];
    const plan = planQuery(
      lakeModel,
      { table: 'orders', from: 'EU', aggregate: { groupBy: ['currency'], measures: [{ fn: 'count' }] } },
      { locations },
    );
    const result = executeQuery(plan, { runner: countingRunner(calls) });
    const table = await result.toArrow();
    const total = table
      .getChild('count')
      ?.toArray()
      .reduce((a: bigint, b: bigint) => a + b, 0n);
    expect(total).toBe(900n);
    expect(calls.sort()).toEqual(lakeRegions.flatMap((r) => [`aggregate ${r}`, `open ${r}`]).sort());
    expect(result.regions.map((r) => [r.region, r.runner, r.runnerReason]).sort()).toEqual(
      lakeRegions.map((r) => [r, 'counting', `test runner for ${r}`]).sort(),
    );
  });

  it('runs the JS scan when asked, and says so', async () => {
    const plan = planQuery(lakeModel, { table: 'orders', from: 'EU', columns: ['order_id'] }, { locations });
    const result = executeQuery(plan, { runner: jsRunner });
    expect((await result.toArrow()).numRows).toBe(900);
    expect(result.regions.map((r) => r.runner)).toEqual(['js', 'js', 'js']);
    expect(result.regions.every((r) => r.metrics !== undefined && r.runnerReason === undefined)).toBe(true);
  });
});
