/**
 * A federated aggregate over three regions' Delta tables (query-client: partials per region, a final merge) side by
 * side with DuckDB over all the same parquet files in one process, in the same run: the ratio of times and the bytes
 * moved between regions. Issue 18 asks for 6M rows in about 900 files (ROWS=6000000 FILES=300); the default is a
 * tenth of that so that a loaded 2-core machine finishes in minutes.
 *
 *   npm run query -w @meridian/bench            ROWS=6000000 FILES=300 npm run query -w @meridian/bench
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeTable } from '@meridian/delta';
import { executeQuery, planQuery, sqlToRequest } from '@meridian/query-client';
import { topology } from '@meridian/topology';
import { DateDay, Float64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';

const ROWS = Number(process.env.ROWS ?? 600_000);
const FILES = Number(process.env.FILES ?? 30); // per region
const RUNS = Number(process.env.RUNS ?? 3);
const regions = ['eu-west-1', 'eu-central-1', 'us-east-1'] as const;

const model = topology('bench', (t) => {
  for (const code of regions) {
    const region = t.region(code, { role: code === 'eu-west-1' ? 'primary' : 'secondary' });
    region.deltaTable('orders', {
      store: region.objectStore('lake', { bucket: `bench-${code}` }),
      path: 'orders',
      columns: [
        { name: 'currency', type: 'string' },
        { name: 'customer', type: 'string' },
        { name: 'amount', type: 'double' },
        { name: 'order_date', type: 'date' },
      ],
      partitionColumns: ['order_date'],
    });
  }
});

function orders(rows: number, seed: number): Table {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
  const currency: string[] = [];
  const customer: string[] = [];
  const amount = new Float64Array(rows);
  const day = new Int32Array(rows);
  const names = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK', 'NOK', 'DKK'];
  for (let i = 0; i < rows; i++) {
    currency.push(names[Math.floor(next() * names.length)] as string);
    customer.push(`c-${Math.floor(next() * 50_000)}`);
    amount[i] = Math.round(next() * 100_000) / 100;
    day[i] = 19_723 + Math.floor(next() * 10);
  }
  return new Table({
    currency: vectorFromArray(currency, new Utf8()),
    customer: vectorFromArray(customer, new Utf8()),
    amount: makeVector(makeData({ type: new Float64(), length: rows, data: amount })),
    order_date: makeVector(makeData({ type: new DateDay(), length: rows, data: day })),
  });
}

const root = await mkdtemp(join(tmpdir(), 'meridian-bench-query-'));
try {
  const perRegion = Math.floor(ROWS / regions.length);
  process.stderr.write(`writing ${regions.length} x ${perRegion} rows in about ${FILES} files each\n`);
  for (const [i, r] of regions.entries()) {
    await writeTable(join(root, r), orders(perRegion, 7 + i), {
      mode: 'create',
      partitionBy: ['order_date'],
      maxRowsPerFile: Math.ceil(perRegion / FILES),
    });
  }
  const sql =
    'SELECT currency, count(*) AS n, sum(amount) AS total, avg(amount) AS mean, stddev_samp(amount) AS sd FROM orders GROUP BY currency';
  const locations = Object.fromEntries(regions.map((r) => [r, join(root, r)]));
  const plan = planQuery(model, { ...sqlToRequest(sql), from: 'eu-west-1' }, { locations });

  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  const glob = `[${regions.map((r) => `'${join(root, r)}/*/*.parquet'`).join(', ')}]`;
  const duckSql = sql.replace('FROM orders', `FROM read_parquet(${glob}, hive_partitioning = true)`);

  const times = { federated: [] as number[], duckdb: [] as number[] };
  let moved = 0;
  let crossings = 0;
  let groups = 0;
  let files = 0;
  for (let run = 0; run < RUNS; run++) {
    let start = performance.now();
    const result = executeQuery(plan);
    const table = await result.toArrow();
    times.federated.push(performance.now() - start);
    groups = table.numRows;
    moved = result.crossings.reduce((n, c) => n + c.bytes, 0);
    crossings = result.crossings.length;
    files = result.regions.reduce((n, r) => n + (r.metrics?.filesRead ?? 0), 0);
    start = performance.now();
    const rows = (await connection.runAndReadAll(duckSql)).getRowObjectsJS();
    times.duckdb.push(performance.now() - start);
    if (rows.length !== groups) throw new Error(`DuckDB returned ${rows.length} groups, the federated query ${groups}`);
  }
  connection.closeSync();
  duck.closeSync();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const f = median(times.federated);
  const d = median(times.duckdb);
  console.log(
    `federated aggregate, ${ROWS.toLocaleString('en-US')} rows in ${files} files over ${regions.length} regions, ${groups} groups (median of ${RUNS})`,
  );
  console.log(`  query-client (partials per region, merge)  ${f.toFixed(0).padStart(7)} ms`);
  console.log(`  DuckDB over every file, one process        ${d.toFixed(0).padStart(7)} ms`);
  console.log(`  ratio federated / DuckDB                   ${(f / d).toFixed(2).padStart(7)} x   (goal <= 1.3)`);
  console.log(
    `  bytes moved between regions                ${String(moved).padStart(7)} B in ${crossings} crossings (${(moved / Math.max(1, groups * crossings)).toFixed(0)} B per group per crossing; rows: ${ROWS})`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
