/**
 * A federated aggregate over three regions' Delta tables (query-client: partials per region, a final merge) side by
 * side with DuckDB over all the same parquet files in one process, in the same run: each region's fragment run by
 * the DuckDB runner (the default) and by the JS runner, the ratio of times and the bytes moved between regions.
 * Issue 18's size by default: 6M rows in about 900 files (300 per region). The lake is written once and kept under
 * bench/.meridian/ (git-ignored) for the next run; KEEP=0 writes it in a temp dir and removes it.
 *
 *   npm run query -w @meridian/bench            ROWS=600000 FILES=30 JS_RUNS=3 npm run query -w @meridian/bench
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeTable } from '@meridian/delta';
import {
  duckdbRunner,
  executeQuery,
  jsRunner,
  planQuery,
  type RegionRunner,
  sqlToRequest,
} from '@meridian/query-client';
import { topology } from '@meridian/topology';
import { DateDay, Float64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';

const ROWS = Number(process.env.ROWS ?? 6_000_000);
const FILES = Number(process.env.FILES ?? 300); // per region
const RUNS = Number(process.env.RUNS ?? 3);
// The JS runner takes about 17 times DuckDB's time: one run unless asked for more.
const JS_RUNS = Number(process.env.JS_RUNS ?? 1);
const KEEP = process.env.KEEP !== '0';
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

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const cache = join(dirname(fileURLToPath(import.meta.url)), '..', '.meridian', `query-lake-${ROWS}-${FILES}`);
const root = KEEP ? cache : await mkdtemp(join(tmpdir(), 'meridian-bench-query-'));
try {
  const perRegion = Math.floor(ROWS / regions.length);
  if (KEEP && existsSync(join(root, 'complete'))) process.stderr.write(`reusing the lake in ${root}\n`);
  else {
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    process.stderr.write(`writing ${regions.length} x ${perRegion} rows in about ${FILES} files each to ${root}\n`);
    for (const [i, r] of regions.entries()) {
      await writeTable(join(root, r), orders(perRegion, 7 + i), {
        mode: 'create',
        partitionBy: ['order_date'],
        maxRowsPerFile: Math.ceil(perRegion / FILES),
      });
    }
    await writeFile(join(root, 'complete'), `${new Date().toISOString()}\n`);
  }
  const sql =
    'SELECT currency, count(*) AS n, sum(amount) AS total, avg(amount) AS mean, stddev_samp(amount) AS sd FROM orders GROUP BY currency';
  const locations = Object.fromEntries(regions.map((r) => [r, join(root, r)]));
  const plan = planQuery(model, { ...sqlToRequest(sql), from: 'eu-west-1' }, { locations });

  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  const glob = `[${regions.map((r) => `'${join(root, r)}/*/*.parquet'`).join(', ')}]`;
  const duckSql = sql.replace('FROM orders', `FROM read_parquet(${glob}, hive_partitioning = true)`);
  const runners: Record<'duckdb' | 'js', RegionRunner> = { duckdb: duckdbRunner(), js: jsRunner };

  const times = { duckdb: [] as number[], js: [] as number[], reference: [] as number[] };
  const seen = { moved: 0, crossings: 0, groups: 0, files: 0, ran: '' };
  let expected: Map<string, { n: bigint; total: number }> | undefined;
  async function federated(which: 'duckdb' | 'js'): Promise<void> {
    const start = performance.now();
    const result = executeQuery(plan, { runner: runners[which] });
    const table = await result.toArrow();
    times[which].push(performance.now() - start);
    seen.groups = table.numRows;
    seen.moved = result.crossings.reduce((n, c) => n + c.bytes, 0);
    seen.crossings = result.crossings.length;
    seen.files = result.regions.reduce((n, r) => n + (r.metrics?.filesRead ?? 0), 0);
    const ran = result.regions.map((r) => `${r.region} ${r.runner}${r.runnerReason ? ` (${r.runnerReason})` : ''}`);
    if (which === 'duckdb') seen.ran = ran.join(', ');
    // Both runners must give DuckDB's answer: the same groups, counts, and sums to 1e-9.
    for (const row of table.toArray()) {
      const e = expected?.get(String(row.currency));
      if (!e || e.n !== row.n || Math.abs(e.total - row.total) > 1e-9 * Math.abs(e.total)) {
        throw new Error(`${which}: ${row.currency} differs from DuckDB's answer (${JSON.stringify(e)})`);
      }
    }
  }
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const rows = (await connection.runAndReadAll(duckSql)).getRowObjectsJS();
    times.reference.push(performance.now() - start);
    expected = new Map(rows.map((r) => [String(r.currency), { n: BigInt(r.n as bigint), total: Number(r.total) }]));
    await federated('duckdb');
    if (run < JS_RUNS) await federated('js');
  }
  connection.closeSync();
  duck.closeSync();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const d = median(times.duckdb);
  const j = median(times.js);
  const r = median(times.reference);
  console.log(
    `federated aggregate, ${ROWS.toLocaleString('en-US')} rows in ${seen.files} files over ${regions.length} regions, ${seen.groups} groups (median of ${RUNS}; JS runner ${JS_RUNS})`,
  );
  console.log(`  load average (1, 5, 15 min)                      ${load()}`);
  console.log(`  query-client, DuckDB runner (the default)  ${d.toFixed(0).padStart(7)} ms   ${seen.ran}`);
  console.log(`  query-client, JS runner                    ${j.toFixed(0).padStart(7)} ms`);
  console.log(`  DuckDB over every file, one process        ${r.toFixed(0).padStart(7)} ms`);
  console.log(`  ratio DuckDB runner / DuckDB               ${(d / r).toFixed(2).padStart(7)} x   (goal <= 1.3)`);
  console.log(`  ratio JS runner / DuckDB                   ${(j / r).toFixed(2).padStart(7)} x`);
  console.log(
    `  bytes moved between regions                ${String(seen.moved).padStart(7)} B in ${seen.crossings} crossings (${(seen.moved / Math.max(1, seen.groups * seen.crossings)).toFixed(0)} B per group per crossing; rows: ${ROWS})`,
  );
} finally {
  if (!KEEP) await rm(root, { recursive: true, force: true });
}
