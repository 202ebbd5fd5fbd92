/**
 * Regions whose tables give one column two types, and sums past their output type: an aggregate refuses them as
 * the row path does, whichever region answers first, rather than merge unscaled decimals of two scales or wrap a
 * sum around 2^64.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTable } from '@meridian/delta';
import { topology } from '@meridian/topology';
import { Table as ArrowTable, Decimal, Int32, Int64, makeData, makeVector, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbRunner, executeQuery, jsRunner, planQuery, type RegionRunner, sqlToRequest } from '../src/index.ts';

const REGIONS = ['eu-west-1', 'us-east-1'] as const;
const model = topology('types', (t) => {
  for (const code of REGIONS) {
    const region = t.region(code, { role: code === 'eu-west-1' ? 'primary' : 'secondary', jurisdiction: 'US' });
    region.deltaTable('prices', { store: region.objectStore('lake', { bucket: `types-${code}` }), path: 'prices' });
  }
});

/** One decimal column of `scale` holding `unscaled`, and a key column of Int32 or Int64. */
function prices(unscaled: bigint[], scale: number, wideKey: boolean, big: bigint[] = unscaled): ArrowTable {
  const words = new Uint32Array(unscaled.length * 4);
  for (const [i, v] of unscaled.entries()) {
    const u = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn);
  }
  return new ArrowTable({
    price: makeVector(makeData({ type: new Decimal(scale, 12, 128), length: unscaled.length, data: words })),
    k: wideKey
      ? vectorFromArray(
          unscaled.map(() => 1n),
          new Int64(),
        )
      : vectorFromArray(
          unscaled.map(() => 1),
          new Int32(),
        ),
    big: makeVector(makeData({ type: new Int64(), length: big.length, data: BigInt64Array.from(big) })),
  });
}

let root: string;
const runners: Record<string, () => RegionRunner> = { duckdb: () => duckdbRunner(), js: () => jsRunner };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-region-types-'));
  // Mixed: 1.50 (scale 2) in eu-west-1, 2.500 (scale 3) in us-east-1; Int32 keys there, Int64 here.
  await writeTable(join(root, 'mixed', 'eu-west-1'), prices([150n], 2, true), { mode: 'create' });
  await writeTable(join(root, 'mixed', 'us-east-1'), prices([2500n], 3, false), { mode: 'create' });
  // Same types; `big` sums past 2^63 - 1 across the regions (each region's own sum fits).
  const near = 2n ** 62n;
  await writeTable(join(root, 'same', 'eu-west-1'), prices([100n, 50n], 2, true, [near, near - 1n]), {
    mode: 'create',
  });
  await writeTable(join(root, 'same', 'us-east-1'), prices([200n], 2, true, [near]), { mode: 'create' });
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function plan(sql: string, set: string) {
  return planQuery(model, sqlToRequest(sql), {
    locations: Object.fromEntries(REGIONS.map((r) => [r, join(root, set, r)])),
  });
}

describe('an aggregate over regions whose column types differ', () => {
  for (const runner of Object.keys(runners)) {
    for (const sql of [
      'SELECT sum(price) AS s FROM prices',
      'SELECT max(price) AS m FROM prices',
      'SELECT k, count(*) AS n FROM prices GROUP BY k',
    ]) {
      it(`${runner}: ${sql} is a schema-conflict, as selecting the rows is`, async () => {
        const run = executeQuery(plan(sql, 'mixed'), { runner: (runners[runner] as () => RegionRunner)() });
        await expect(run.toArrow()).rejects.toMatchObject({
          code: 'region-failed',
          cause: { code: 'schema-conflict' },
        });
        const rows = executeQuery(plan('SELECT price, k FROM prices', 'mixed'), {
          runner: (runners[runner] as () => RegionRunner)(),
        });
        await expect(rows.toArrow()).rejects.toMatchObject({ cause: { code: 'schema-conflict' } });
      });
    }

    it(`${runner}: under onRegionFailure 'partial' the region of the other type is missing, not merged`, async () => {
      const result = executeQuery(plan('SELECT sum(price) AS s FROM prices', 'mixed'), {
        runner: (runners[runner] as () => RegionRunner)(),
        onRegionFailure: 'partial',
      });
      const table = await result.toArrow();
      expect(result.missingRegions.map((m) => [m.region, m.code])).toEqual([['us-east-1', 'schema-conflict']]);
      expect(String(table.schema.fields[0]?.type)).toBe(String(new Decimal(2, 38, 128)));
      // 1.50 alone, as unscaled cents.
      const cents = table.getChild('s')?.get(0) as Uint32Array;
      expect(Number(cents[0])).toBe(150);
    });

    it(`${runner}: when every region fails its aggregate under 'partial', no count of 0 is returned`, async () => {
      const result = executeQuery(plan('SELECT count(*) AS n, sum(nothing) AS s FROM prices', 'same'), {
        runner: (runners[runner] as () => RegionRunner)(),
        onRegionFailure: 'partial',
      });
      await expect(result.toArrow()).rejects.toMatchObject({ code: 'all-regions-failed' });
      expect(result.missingRegions.map((m) => m.code)).toEqual(['unknown-column', 'unknown-column']);
    });

    it(`${runner}: when every region fails its rows or top-k after opening, under 'partial', no empty result is returned`, async () => {
      // The region opens (its table is there), then its work fails, as a gateway that dies after the schema does.
      const failing: RegionRunner = {
        name: 'failing',
        async open(fragment, context) {
          const region = await (runners[runner] as () => RegionRunner)().open(fragment, context);
          const broken = () => new Error(`${fragment.region} stopped answering`);
          return {
            ...region,
            fields: () => region.fields(),
            aggregate: async () => Promise.reject(broken()),
            topK: async () => Promise.reject(broken()),
            rows: () =>
              (async function* () {
                yield* [];
                throw broken();
              })(),
          };
        },
      };
      for (const sql of ['SELECT price FROM prices', 'SELECT price FROM prices ORDER BY price LIMIT 1']) {
        const result = executeQuery(plan(sql, 'same'), { runner: failing, onRegionFailure: 'partial' });
        await expect(result.toArrow(), sql).rejects.toMatchObject({ code: 'all-regions-failed' });
        expect(result.missingRegions.map((m) => m.region).sort(), sql).toEqual([...REGIONS]);
      }
      // One region answering (with its rows or none) is an answer.
      const one = executeQuery(plan('SELECT price FROM prices WHERE price > 1000000', 'same'), {
        runner: (runners[runner] as () => RegionRunner)(),
        onRegionFailure: 'partial',
      });
      expect((await one.toArrow()).numRows).toBe(0);
    });

    it(`${runner}: a sum of longs past 2^63 - 1 is refused, not wrapped around`, async () => {
      const ok = await executeQuery(plan('SELECT sum(price) AS s, count(*) AS n FROM prices', 'same'), {
        runner: (runners[runner] as () => RegionRunner)(),
      }).toArrow();
      expect(ok.getChild('n')?.get(0)).toBe(3n);
      const run = executeQuery(plan('SELECT sum(big) AS s FROM prices', 'same'), {
        runner: (runners[runner] as () => RegionRunner)(),
      });
      await expect(run.toArrow()).rejects.toMatchObject({ code: 'invalid-request' });
      await expect(
        executeQuery(plan('SELECT sum(big) AS s FROM prices', 'same'), {
          runner: (runners[runner] as () => RegionRunner)(),
        }).toArrow(),
      ).rejects.toThrow(/sum\(big\).*Int64/);
    });
  }
});
