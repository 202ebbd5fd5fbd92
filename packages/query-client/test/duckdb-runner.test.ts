/**
 * The DuckDB runner against the JS runner and against DuckDB's own answer over the union of the files, on tables
 * with what a reader can get wrong: deletion vectors (eu-west-1, eu-central-1), column mapping by name
 * (eu-central-1), partitions (both) and a column older files lack (us-east-1, added by a later append).
 * DuckDB's reference reads the raw parquet files itself: deleted rows are removed by the deleting predicate (not
 * the vectors), physical names aliased from the schema, the missing column NULL by union_by_name.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { deleteRows, openTable, writeTable } from '@meridian/delta';
import { topology } from '@meridian/topology';
import { Table as ArrowTable, Float64, makeData, makeVector, type Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random } from '../../delta/test/fixtures/random.ts';
import {
  duckdbRunner,
  executeQuery,
  explainQuery,
  formatExplanation,
  jsRunner,
  KLL_RANK_ERROR,
  planQuery,
  type QueryResult,
  type RegionRunner,
  sqlToRequest,
} from '../src/index.ts';
import { lakeModel, lakeRegions, ordersTable } from './fixtures/lake.ts';

const ROWS = 3000;
/** What each region deletes after writing (applied as deletion vectors where the table has them). */
const DELETED: Record<string, string | undefined> = {
  'eu-west-1': "currency = 'GBP' and amount < 20000",
  'eu-central-1': 'customer is null or amount > 45000',
  'us-east-1': undefined,
};
let root: string;
let locations: Record<string, string>;
let duck: DuckDBInstance;
let runner: RegionRunner;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-duckdb-runner-'));
  locations = Object.fromEntries(lakeRegions.map((r) => [r, join(root, r)]));
  const [west, central, east] = lakeRegions.map((r) => join(root, r)) as [string, string, string];
  const dv = { 'delta.enableDeletionVectors': 'true' };
  await writeTable(west, ordersTable(ROWS, 41, 0), {
    mode: 'create',
    partitionBy: ['order_date'],
    maxRowsPerFile: 250,
    configuration: dv,
  });
  await writeTable(central, ordersTable(ROWS, 42, 100_000), {
    mode: 'create',
    partitionBy: ['order_date'],
    maxRowsPerFile: 250,
    configuration: { ...dv, 'delta.columnMapping.mode': 'name' },
  });
  // us-east-1: the first files have no customer column; a later append adds it (schema evolution).
  const first = ordersTable(ROWS / 2, 43, 200_000);
  await writeTable(east, first.select(['order_id', 'amount', 'currency', 'order_date']), {
    mode: 'create',
    maxRowsPerFile: 300,
  });
  await writeTable(east, ordersTable(ROWS / 2, 44, 300_000), {
    mode: 'append',
    mergeSchema: true,
    maxRowsPerFile: 300,
  });
  for (const [region, where] of Object.entries(DELETED)) if (where) await deleteRows(join(root, region), where);
  duck = await DuckDBInstance.create(':memory:');
  runner = duckdbRunner({ instance: duck });
}, 120_000);

afterAll(async () => {
  duck.closeSync();
  await rm(root, { recursive: true, force: true });
});

/** DuckDB over the raw files of every region, deleted rows removed by their predicate, logical names restored. */
async function reference(sql: string): Promise<Record<string, unknown>[]> {
  const parts: string[] = [];
  for (const region of lakeRegions) {
    const snapshot = await (await openTable(locations[region] as string)).snapshot();
    const columns = snapshot.schema.fields.map((f) => {
      const physical = f.metadata['delta.columnMapping.physicalName'];
      const name = snapshot.columnMappingMode === 'name' && typeof physical === 'string' ? physical : f.name;
      return snapshot.partitionColumns.includes(f.name)
        ? `CAST("${name}" AS DATE) AS ${f.name}`
        : `"${name}" AS ${f.name}`;
    });
    const deleted = DELETED[region];
    parts.push(
      `SELECT * FROM (SELECT ${columns.join(', ')}, '${region}' AS _region FROM read_parquet('${locations[region]}/**/*.parquet', hive_partitioning = true, union_by_name = true))${deleted ? ` WHERE NOT coalesce(${deleted.replaceAll('customer is null', 'customer IS NULL')}, false)` : ''}`,
    );
  }
  const connection = await duck.connect();
  try {
    return (
      await connection.runAndReadAll(`WITH orders AS (${parts.join(' UNION ALL BY NAME ')}) ${sql}`)
    ).getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

function run(sql: string, with_: RegionRunner): QueryResult {
  return executeQuery(planQuery(lakeModel, { ...sqlToRequest(sql), from: 'EU' }, { locations }), { runner: with_ });
}

/** Rows as text (decimals as their unscaled integers, as Arrow gives them), sorted unless the order matters. */
function text(table: Table, ordered = false): string[] {
  const out = table.toArray().map((r) =>
    JSON.stringify(r.toJSON(), (_k, v) => {
      if (typeof v === 'bigint') return `${v}`;
      if (v instanceof Uint32Array) return `${BigInt(v[0] as number) + (BigInt(v[1] as number) << 32n)}`;
      return v;
    }),
  );
  return ordered ? out : out.sort();
}

async function both(sql: string): Promise<{ duck: Table; js: Table; result: QueryResult }> {
  const result = run(sql, runner);
  const ours = await result.toArrow();
  const js = await run(sql, jsRunner).toArrow();
  return { duck: ours, js, result };
}

function close(actual: unknown, expected: unknown, relative: number): void {
  const a = Number(actual);
  const e = Number(expected);
  expect(Math.abs(a - e), `${a} vs ${e}`).toBeLessThanOrEqual(relative * Math.max(Math.abs(e), 1e-300));
}

describe('the DuckDB runner', () => {
  it('runs in DuckDB where the tables have deletion vectors, column mapping, partitions and a missing column', async () => {
    const sql = 'SELECT _region, count(*) AS n FROM orders GROUP BY _region';
    const { duck: ours, js, result } = await both(sql);
    expect(result.regions.map((r) => `${r.region}:${r.runner}:${r.runnerReason ?? ''}`).sort()).toEqual(
      lakeRegions.map((r) => `${r}:duckdb:`).sort(),
    );
    // The tables have what the test is about.
    const west = await (await openTable(locations['eu-west-1'] as string)).snapshot();
    const central = await (await openTable(locations['eu-central-1'] as string)).snapshot();
    expect(west.files().some((f) => f.deletionVector)).toBe(true);
    expect(central.files().some((f) => f.deletionVector)).toBe(true);
    expect(central.columnMappingMode).toBe('name');
    expect(text(ours)).toEqual(text(js));
    const expected = await reference(`${sql.replace('FROM orders', 'FROM orders')}`);
    for (const e of expected) {
      const o = ours.toArray().find((r) => r._region === e._region);
      expect(String(o?.n), String(e._region)).toBe(String(e.n));
    }
  });

  it('applies the deletion vectors: the counts exclude the deleted rows (and would not if they were ignored)', async () => {
    const sql = "SELECT _region, count(*) AS n FROM orders WHERE currency = 'GBP' GROUP BY _region";
    const { duck: ours } = await both(sql);
    const live = await reference(`SELECT _region, count(*) AS n FROM orders WHERE currency = 'GBP' GROUP BY _region`);
    const connection = await duck.connect();
    const raw = (
      await connection.runAndReadAll(
        `SELECT count(*) AS n FROM read_parquet('${locations['eu-west-1']}/**/*.parquet') WHERE currency = 'GBP'`,
      )
    ).getRowObjectsJS();
    connection.closeSync();
    const west = ours.toArray().find((r) => r._region === 'eu-west-1');
    const expected = live.find((r) => r._region === 'eu-west-1');
    expect(String(west?.n)).toBe(String(expected?.n));
    // Ignoring the vectors would count every GBP row the files hold: many more.
    expect(Number(raw[0]?.n)).toBeGreaterThan(Number(west?.n) + 50);
  });

  it('equals the JS runner and DuckDB on count, sum, min, max, avg, variance and stddev per group', async () => {
    const sql =
      'SELECT currency, count(*) AS n, count(customer) AS c, sum(amount) AS s, min(amount) AS lo, max(amount) AS hi, min(order_date) AS d0, max(customer) AS mc, max(order_id) AS last, avg(amount) AS mean, var_samp(amount) AS vs, var_pop(amount) AS vp, stddev_samp(amount) AS ss, stddev_pop(amount) AS sp FROM orders GROUP BY currency';
    const { duck: ours, js, result } = await both(sql);
    expect(result.regions.every((r) => r.runner === 'duckdb')).toBe(true);
    expect(text(ours)).toEqual(text(js));
    const expected = await reference(
      sql
        .replace('sum(amount) AS s', 'CAST(sum(amount) * 100 AS HUGEINT)::VARCHAR AS s')
        .replace('min(amount) AS lo', 'CAST(min(amount) * 100 AS BIGINT)::VARCHAR AS lo')
        .replace('max(amount) AS hi', 'CAST(max(amount) * 100 AS BIGINT)::VARCHAR AS hi')
        .replace('min(order_date) AS d0', "(min(order_date) - DATE '1970-01-01') * 86400000 AS d0"),
    );
    expect(expected).toHaveLength(4);
    const rows = JSON.parse(`[${text(ours).join(',')}]`) as Record<string, unknown>[];
    for (const e of expected) {
      const o = rows.find((r) => r.currency === e.currency) as Record<string, unknown>;
      // Arrow's decimals print as quoted unscaled integers.
      for (const k of ['n', 'c', 's', 'lo', 'hi', 'd0', 'mc', 'last'])
        expect(String(o[k]).replaceAll('"', ''), k).toBe(String(e[k]));
      for (const k of ['mean', 'vs', 'vp', 'ss', 'sp']) close(o[k], e[k], 1e-12);
    }
  });

  it('equals the JS runner and DuckDB on count distinct, approx_count_distinct and a WHERE over partition and data columns', async () => {
    const sql =
      "SELECT _region, order_date, count(DISTINCT customer) AS dc, approx_count_distinct(customer) AS adc, count(*) AS n FROM orders WHERE order_date >= '2024-01-03' AND amount > 100 GROUP BY _region, order_date";
    const { duck: ours, js, result } = await both(sql);
    expect(result.regions.every((r) => r.runner === 'duckdb')).toBe(true);
    // The same distinct values make the same HyperLogLog registers: the estimates are equal too.
    expect(text(ours)).toEqual(text(js));
    const expected = await reference(
      "SELECT _region, order_date - DATE '1970-01-01' AS order_date, count(DISTINCT customer) AS dc, count(*) AS n FROM orders WHERE order_date >= '2024-01-03' AND amount > 100 GROUP BY _region, order_date",
    );
    expect(expected.length).toBeGreaterThan(3);
    const rows = JSON.parse(`[${text(ours).join(',')}]`) as Record<string, unknown>[];
    expect(rows.map((r) => `${r._region} ${r.order_date} ${r.dc} ${r.n}`).sort()).toEqual(
      expected.map((e) => `${e._region} ${Number(e.order_date) * 86_400_000} ${e.dc} ${e.n}`).sort(),
    );
  });

  it('approx_quantile is within the KLL bound of the exact rank in the union', async () => {
    const qs = [0.1, 0.5, 0.9];
    const select = qs.map((q, i) => `approx_quantile(amount, ${q}) AS q${i}`).join(', ');
    const { duck: ours, result } = await both(`SELECT ${select} FROM orders`);
    expect(result.regions.every((r) => r.runner === 'duckdb')).toBe(true);
    const [total] = await reference('SELECT count(amount) AS n FROM orders');
    const n = Number(total?.n);
    const row = ours.toArray()[0]?.toJSON() as Record<string, unknown>;
    for (const [i, q] of qs.entries()) {
      const words = row[`q${i}`] as Uint32Array;
      const cents = BigInt(words[0] as number) + (BigInt(words[1] as number) << 32n);
      const [rank] = await reference(`SELECT count(*) AS below FROM orders WHERE amount * 100 <= ${cents}`);
      expect(Math.abs(Number(rank?.below) / n - q)).toBeLessThanOrEqual(KLL_RANK_ERROR + 1 / n);
    }
  });

  it('equals the JS runner and DuckDB on HAVING, ORDER BY and LIMIT after the merge', async () => {
    const sql =
      'SELECT customer, count(*) AS n, sum(amount) AS s FROM orders GROUP BY customer HAVING count(*) > 20 ORDER BY n DESC, customer LIMIT 12';
    const { duck: ours, js } = await both(sql);
    expect(text(ours, true)).toEqual(text(js, true));
    const expected = await reference(
      'SELECT customer, count(*) AS n FROM orders GROUP BY customer HAVING count(*) > 20 ORDER BY n DESC, customer NULLS LAST LIMIT 12',
    );
    expect(ours.toArray().map((r) => `${r.customer} ${r.n}`)).toEqual(expected.map((e) => `${e.customer} ${e.n}`));
  });

  it('equals the JS runner and DuckDB on a top-k of rows, with the missing column NULL in older files', async () => {
    const sql =
      "SELECT order_id, amount, customer, order_date FROM orders WHERE currency <> 'USD' ORDER BY amount DESC NULLS LAST, order_id LIMIT 25";
    const { duck: ours, js, result } = await both(sql);
    expect(result.regions.every((r) => r.runner === 'duckdb')).toBe(true);
    expect(text(ours, true)).toEqual(text(js, true));
    const expected = await reference(
      "SELECT order_id, customer FROM orders WHERE currency <> 'USD' ORDER BY amount DESC NULLS LAST, order_id LIMIT 25",
    );
    expect(ours.toArray().map((r) => `${r.order_id} ${r.customer}`)).toEqual(
      expected.map((e) => `${e.order_id} ${e.customer}`),
    );
    // Older us-east-1 files have no customer: the top-k of that region alone has nulls there.
    const east = await run(
      'SELECT order_id, customer FROM orders WHERE order_id >= 200000 AND order_id < 201500 ORDER BY order_id LIMIT 5',
      runner,
    ).toArrow();
    expect(east.toArray().map((r) => r.customer)).toEqual([null, null, null, null, null]);
  });

  it('streams the rows of a projection equal to the JS runner and to DuckDB over the raw files', async () => {
    const sql =
      "SELECT order_id, customer, amount, order_date FROM orders WHERE order_date <= '2024-01-02' AND currency IN ('EUR', 'CHF')";
    const result = run(sql, runner);
    const ours = await result.toArrow();
    const js = await run(sql, jsRunner).toArrow();
    expect(result.regions.map((r) => r.runner)).toEqual(['duckdb', 'duckdb', 'duckdb']);
    expect(ours.numRows).toBeGreaterThan(100);
    expect(text(ours)).toEqual(text(js));
    const expected = await reference(
      "SELECT order_id, customer FROM orders WHERE order_date <= '2024-01-02' AND currency IN ('EUR', 'CHF')",
    );
    expect(
      ours
        .toArray()
        .map((r) => `${r.order_id} ${r.customer}`)
        .sort(),
    ).toEqual(expected.map((e) => `${e.order_id} ${e.customer}`).sort());
    expect(result.regions.reduce((n, r) => n + r.rows, 0)).toBe(ours.numRows);
  });

  it('runs in JS what it cannot write exactly, and says why', async () => {
    const result = run(
      'SELECT currency, var_samp(amount) AS v FROM orders WHERE amount > 100.125 GROUP BY currency',
      runner,
    );
    const [ours, js] = [
      await result.toArrow(),
      await run(
        'SELECT currency, var_samp(amount) AS v FROM orders WHERE amount > 100.125 GROUP BY currency',
        jsRunner,
      ).toArrow(),
    ];
    expect(text(ours)).toEqual(text(js));
    expect(
      result.regions.every((r) => r.runner === 'js' && /not written in SQL exactly/.test(r.runnerReason ?? '')),
    ).toBe(true);
    // EXPLAIN ANALYZE names the runner of each region, and why when it fell back.
    const explain = async (sql: string) =>
      formatExplanation(
        await explainQuery(planQuery(lakeModel, { ...sqlToRequest(sql), from: 'EU' }, { locations }), {
          analyze: true,
          runner,
        }),
      );
    const fallen = await explain('SELECT currency, count(*) AS n FROM orders WHERE amount > 100.125 GROUP BY currency');
    expect(
      fallen.match(/ran in {7}js \(the predicate amount > 100\.125 is not written in SQL exactly\)/g),
    ).toHaveLength(3);
    const exact = await explain('SELECT currency, count(*) AS n FROM orders WHERE amount > 100.12 GROUP BY currency');
    expect(exact.match(/ran in {7}duckdb\n/g)).toHaveLength(3);
  });

  it('takes the variance of doubles from DuckDB where it is exact to 1e-13, and runs in JS where it is not', async () => {
    const model = topology('sensors', (t) => {
      for (const code of lakeRegions) {
        const region = t.region(code, { role: code === 'eu-west-1' ? 'primary' : 'secondary' });
        region.deltaTable('readings', {
          store: region.objectStore('lake', { bucket: `sensors-${code}` }),
          path: 'readings',
          columns: [
            { name: 'sensor', type: 'string' },
            { name: 'value', type: 'double' },
          ],
        });
      }
    });
    const where = Object.fromEntries(lakeRegions.map((r) => [r, join(root, 'readings', r)]));
    for (const [i, region] of lakeRegions.entries()) {
      const next = random(60 + i);
      const sensors: string[] = [];
      const values = new Float64Array(2000);
      for (let j = 0; j < values.length; j++) {
        const far = j % 2 === 1;
        sensors.push(far ? 'far' : 'near');
        // 'far': a mean of 1e9 and a spread of about 1, where Welford's variance in doubles loses 7 digits.
        values[j] = far ? 1e9 + (next() - 0.5) * 2 : 5 + (next() - 0.5) * 30;
      }
      await writeTable(
        where[region] as string,
        new ArrowTable({
          sensor: vectorFromArray(sensors, new Utf8()),
          value: makeVector(makeData({ type: new Float64(), length: values.length, data: values })),
        }),
        { mode: 'create', maxRowsPerFile: 700 },
      );
    }
    const query = (sql: string, using: RegionRunner) =>
      executeQuery(planQuery(model, sqlToRequest(sql), { locations: where }), { runner: using });
    const near =
      "SELECT var_samp(value) AS v, stddev_pop(value) AS s, avg(value) AS m FROM readings WHERE sensor = 'near'";
    const result = query(near, runner);
    const [ours] = (await result.toArrow()).toArray().map((r) => r.toJSON());
    const [js] = (await query(near, jsRunner).toArrow()).toArray().map((r) => r.toJSON());
    expect(result.regions.map((r) => r.runner)).toEqual(['duckdb', 'duckdb', 'duckdb']);
    for (const k of ['v', 's', 'm']) close(ours?.[k], js?.[k], 1e-13);

    const all = 'SELECT sensor, var_samp(value) AS v FROM readings GROUP BY sensor';
    const fallen = query(all, runner);
    const text = (t: Table) =>
      t
        .toArray()
        .map((r) => `${r.sensor} ${r.v}`)
        .sort();
    expect(text(await fallen.toArrow())).toEqual(text(await query(all, jsRunner).toArrow()));
    expect(fallen.regions.every((r) => r.runner === 'js' && /standard deviations/.test(r.runnerReason ?? ''))).toBe(
      true,
    );
  });

  it("runs in JS a table with a column named like read_parquet's own; reads partition values with glob characters", async () => {
    const model = topology('odd', (t) => {
      const region = t.region('eu-west-1', { role: 'primary' });
      const store = region.objectStore('lake', { bucket: 'odd' });
      for (const name of ['named', 'globbed']) {
        region.deltaTable(name, {
          store,
          path: name,
          columns: [
            { name: name === 'named' ? 'filename' : 'label', type: 'string' },
            { name: 'tag', type: 'string' },
          ],
          partitionColumns: ['tag'],
        });
      }
    });
    const where = { named: join(root, 'odd', 'named'), globbed: join(root, 'odd', 'globbed') };
    for (const [name, location] of Object.entries(where)) {
      await writeTable(
        location,
        new ArrowTable({
          [name === 'named' ? 'filename' : 'label']: vectorFromArray(['x', 'y', 'z', 'w'], new Utf8()),
          tag: vectorFromArray(['a*b', 'axb', 'a*b', 'a?c'], new Utf8()),
        }),
        { mode: 'create', partitionBy: ['tag'] },
      );
    }
    const counts = async (name: string, using: RegionRunner) => {
      const sql = `SELECT tag, count(*) AS n FROM ${name} GROUP BY tag`;
      const plan = planQuery(model, sqlToRequest(sql), {
        locations: { [`eu-west-1/${name}`]: where[name as 'named'] },
      });
      const result = executeQuery(plan, { runner: using });
      const rows = (await result.toArrow()).toArray().map((r) => `${r.tag}=${r.n}`);
      return { rows: rows.sort(), result };
    };
    const named = await counts('named', runner);
    expect(named.rows).toEqual(['a*b=2', 'a?c=1', 'axb=1']);
    expect(named.result.regions.map((r) => `${r.runner}: ${r.runnerReason}`)).toEqual([
      expect.stringMatching(/^js: .*column 'filename'/),
    ]);
    // Our writer escapes * and ? in partition directories (tag=a%2Ab): DuckDB reads those paths as they are.
    const globbed = await counts('globbed', runner);
    expect(globbed.rows).toEqual(['a*b=2', 'a?c=1', 'axb=1']);
    expect(globbed.result.regions.map((r) => r.runner)).toEqual(['duckdb']);
  });
});
