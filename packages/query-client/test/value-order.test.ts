/**
 * The order of values does not depend on the runner: strings by code point (as DuckDB, Trino and Postgres' C
 * collation compare UTF-8 bytes; JS's < compares UTF-16 units, which puts U+10000 and up before U+E000..U+FFFF), and
 * NaN above every double (as DuckDB and Postgres), for min, max, ORDER BY of groups and ORDER BY ... LIMIT of rows,
 * compared with DuckDB over the union of the regions' rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { writeTable } from '@meridian/delta';
import { topology } from '@meridian/topology';
import { Table as ArrowTable, Float64, type Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbRunner, executeQuery, jsRunner, planQuery, type RegionRunner, sqlToRequest } from '../src/index.ts';

const REGIONS = ['eu-west-1', 'us-east-1'] as const;
const model = topology('order', (t) => {
  for (const code of REGIONS) {
    const region = t.region(code, { role: code === 'eu-west-1' ? 'primary' : 'secondary', jurisdiction: 'US' });
    region.deltaTable('words', { store: region.objectStore('lake', { bucket: `order-${code}` }), path: 'words' });
  }
});

// U+FF5A (fullwidth z) is after U+1F600 (an emoji) in UTF-16 units (0xFF5A > 0xD83D), before it by code point.
const ROWS: Record<(typeof REGIONS)[number], { s: string[]; x: (number | null)[] }> = {
  'eu-west-1': { s: ['ｚ', 'b', '😀', 'ｚ'], x: [1, Number.NaN, -3, 2] },
  'us-east-1': { s: ['😀', 'a', '\uE000', 'é', 'c'], x: [4, 0, Number.NaN, 5, null] },
};

let root: string;
let duck: DuckDBInstance;
let connection: DuckDBConnection;
const runners: Record<string, () => RegionRunner> = {
  duckdb: () => duckdbRunner({ instance: duck }),
  js: () => jsRunner,
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-value-order-'));
  for (const region of REGIONS) {
    const { s, x } = ROWS[region];
    await writeTable(
      join(root, region),
      new ArrowTable({ s: vectorFromArray(s, new Utf8()), x: vectorFromArray(x, new Float64()) }),
      { mode: 'create' },
    );
  }
  duck = await DuckDBInstance.create(':memory:');
  connection = await duck.connect();
  // Nulls as Postgres (and the merge) put them: last ascending, first descending.
  await connection.run("SET default_null_order = 'nulls_last_on_asc_first_on_desc'");
  await connection.run(
    `CREATE TABLE words AS ${REGIONS.map((r) => `SELECT * FROM read_parquet('${join(root, r)}/*.parquet')`).join(' UNION ALL ')}`,
  );
}, 60_000);

afterAll(async () => {
  connection?.closeSync();
  duck?.closeSync();
  await rm(root, { recursive: true, force: true });
});

function text(rows: readonly Record<string, unknown>[]): string[] {
  return rows.map((r) =>
    JSON.stringify(r, (_k, v) =>
      typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v,
    ),
  );
}

function ours(table: Table): string[] {
  return text(
    table.toArray().map((r) => {
      const { _region, ...values } = r.toJSON() as Record<string, unknown>;
      return values;
    }),
  );
}

describe('values are ordered as DuckDB orders them, whatever the runner', () => {
  for (const runner of Object.keys(runners)) {
    for (const sql of [
      'SELECT min(s) AS lo, max(s) AS hi, min(x) AS xlo, max(x) AS xhi FROM words',
      'SELECT s, count(*) AS n FROM words GROUP BY s ORDER BY s',
      'SELECT s, count(*) AS n FROM words GROUP BY s ORDER BY s DESC LIMIT 3',
      'SELECT s FROM words ORDER BY s LIMIT 3',
      'SELECT s FROM words ORDER BY s DESC LIMIT 2',
      'SELECT x FROM words ORDER BY x DESC LIMIT 3',
      'SELECT x FROM words ORDER BY x LIMIT 7',
      // A NaN group is not the null group; a sum with a NaN is NaN, not the sum of the rest.
      'SELECT x, count(*) AS n FROM words GROUP BY x ORDER BY x',
      "SELECT sum(x) AS total, max(x) AS hi FROM words WHERE s <> 'b'",
      'SELECT sum(x) AS total, avg(x) AS mean, min(x) AS lo FROM words',
    ]) {
      it(`${runner}: ${sql}`, async () => {
        const plan = planQuery(model, sqlToRequest(sql), {
          locations: Object.fromEntries(REGIONS.map((r) => [r, join(root, r)])),
        });
        const answer = await executeQuery(plan, { runner: (runners[runner] as () => RegionRunner)() }).toArrow();
        const expected = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
        expect(ours(answer)).toEqual(text(expected));
      });
    }
  }
});
