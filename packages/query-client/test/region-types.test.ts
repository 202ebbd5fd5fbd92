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
import {
  Table as ArrowTable,
  Decimal,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
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
  // The same, the other way round: which region holds which type must not change the answer.
  await writeTable(join(root, 'swapped', 'eu-west-1'), prices([2500n], 3, false), { mode: 'create' });
  await writeTable(join(root, 'swapped', 'us-east-1'), prices([150n], 2, true), { mode: 'create' });
  // Narrow (Int32, Float32, a string code) in one region, wide (Int64, Float64, a long code) in the other; and swapped.
  const narrow = new ArrowTable({
    k: vectorFromArray([1, 1, 2], new Int32()),
    v: vectorFromArray([5, -3, 7], new Int32()),
    f: vectorFromArray([0.5, 1.5, 2.25], new Float32()),
    code: vectorFromArray(['a', 'b', 'c'], new Utf8()),
  });
  const wide = new ArrowTable({
    k: vectorFromArray([1n, 3n], new Int64()),
    v: vectorFromArray([10n, 2n ** 40n], new Int64()),
    f: vectorFromArray([0.25, 4], new Float64()),
    code: vectorFromArray([1n, 2n], new Int64()),
  });
  await writeTable(join(root, 'widen', 'eu-west-1'), narrow, { mode: 'create' });
  await writeTable(join(root, 'widen', 'us-east-1'), wide, { mode: 'create' });
  await writeTable(join(root, 'widen-swapped', 'eu-west-1'), wide, { mode: 'create' });
  await writeTable(join(root, 'widen-swapped', 'us-east-1'), narrow, { mode: 'create' });
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
    for (const [sql, column] of [
      ['SELECT sum(price) AS s FROM prices', 'price'],
      ['SELECT max(price) AS m FROM prices', 'price'],
    ] as const) {
      it(`${runner}: ${sql} is a schema-conflict naming both regions' types, in either order, as selecting the rows is`, async () => {
        // Decimals of scales 2 and 3 (a sum would add 150 and 2500 unscaled): no one type, refused whole, under
        // 'partial' too (leaving out the region that answered second would make the answer depend on the order).
        const message = `column '${column}' has no one type across the regions: ${String(new Decimal(2, 12, 128))} in eu-west-1, ${String(new Decimal(3, 12, 128))} in us-east-1`;
        const swapped = `column '${column}' has no one type across the regions: ${String(new Decimal(2, 12, 128))} in us-east-1, ${String(new Decimal(3, 12, 128))} in eu-west-1`;
        for (const [set, expected] of [
          ['mixed', message],
          ['swapped', swapped],
        ] as const) {
          for (const onRegionFailure of ['fail', 'partial'] as const) {
            const run = executeQuery(plan(sql, set), {
              runner: (runners[runner] as () => RegionRunner)(),
              onRegionFailure,
            });
            await expect(run.toArrow(), `${set} ${onRegionFailure}`).rejects.toMatchObject({
              code: 'schema-conflict',
              message: expected,
            });
          }
        }
        const rows = executeQuery(plan('SELECT price, k FROM prices', 'mixed'), {
          runner: (runners[runner] as () => RegionRunner)(),
        });
        await expect(rows.toArrow()).rejects.toMatchObject({ cause: { code: 'schema-conflict' } });
      });
    }

    it(`${runner}: an Int32 and an Int64 column widen to Int64, a Float32 and a Float64 one to Float64, in either order`, async () => {
      const sql =
        'SELECT k, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, min(f) AS flo, sum(f) AS fs FROM prices GROUP BY k ORDER BY k';
      const answers: unknown[] = [];
      for (const set of ['widen', 'widen-swapped']) {
        const table = await executeQuery(plan(sql, set), {
          runner: (runners[runner] as () => RegionRunner)(),
        }).toArrow();
        expect(Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)])), set).toEqual({
          k: 'Int64',
          n: 'Int64',
          s: 'Int64',
          lo: 'Int64',
          hi: 'Int64',
          flo: 'Float64',
          fs: 'Float64',
        });
        // k = 1: v 5, -3 (Int32 region), 10 (Int64 region), f 0.5, 1.5, 0.25; k = 2 and k = 3 in one region each.
        const got = table.toArray().map((r) => ({ ...(r as object) }));
        expect(got, set).toEqual([
          { k: 1n, n: 3n, s: 12n, lo: -3n, hi: 10n, flo: 0.25, fs: 2.25 },
          { k: 2n, n: 1n, s: 7n, lo: 7n, hi: 7n, flo: 2.25, fs: 2.25 },
          { k: 3n, n: 1n, s: 2n ** 40n, lo: 2n ** 40n, hi: 2n ** 40n, flo: 4, fs: 4 },
        ]);
        answers.push(got);
      }
      expect(answers[1]).toEqual(answers[0]);
      // The key column typed Int32 in one region and Int64 in the other, decimals aside: one group of key 1.
      const keys = await executeQuery(plan('SELECT k, count(*) AS n FROM prices GROUP BY k', 'mixed'), {
        runner: (runners[runner] as () => RegionRunner)(),
      }).toArrow();
      expect(keys.toArray().map((r) => ({ ...(r as object) }))).toEqual([{ k: 1n, n: 2n }]);
      expect(String(keys.schema.fields[0]?.type)).toBe('Int64');
    });

    it(`${runner}: a string column in one region and a long in the other is refused, naming both, in either order`, async () => {
      for (const [set, utf8Region, longRegion] of [
        ['widen', 'eu-west-1', 'us-east-1'],
        ['widen-swapped', 'us-east-1', 'eu-west-1'],
      ] as const) {
        for (const sql of [
          'SELECT code, count(*) AS n FROM prices GROUP BY code',
          'SELECT max(code) AS m FROM prices',
        ]) {
          const run = executeQuery(plan(sql, set), {
            runner: (runners[runner] as () => RegionRunner)(),
            onRegionFailure: 'partial',
          });
          await expect(run.toArrow(), `${set}: ${sql}`).rejects.toMatchObject({
            code: 'schema-conflict',
            message: `column 'code' has no one type across the regions: Int64 in ${longRegion}, Utf8 in ${utf8Region}`,
          });
        }
      }
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
