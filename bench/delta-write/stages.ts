/**
 * Where the time of writeTable's bulk write goes, stage by stage, each on the main thread alone over the whole
 * input (the delta-write bench's rows, partitioned by region, 1 Mi rows a file):
 *   npm run delta-write-stages -w bench            (DELTA_WRITE_ROWS=1000000 for a quicker run)
 * splitting rows by partition, Delta statistics, Arrow IPC out of JavaScript, IPC into parquet-wasm, and parquet
 * encoding with writeTable's writer properties and with arrow-rs's defaults (1 MiB dictionary pages). Prints a
 * table, asserts nothing. writeTable overlaps these: the pool's workers encode while the main thread does the rest.
 */
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTable } from '@meridian/delta';
import { Schema, Table, tableToIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { fileStats } from '../../packages/delta/src/write/file-stats.ts';
import { encodeIPCToParquet } from '../../packages/delta/src/write/parquet-encode.ts';
import { splitPartitions } from '../../packages/delta/src/write/partition.ts';
import { deltaSchemaOf } from '../../packages/delta/src/write/schema.ts';
import { isTelemetryTable, writeTelemetryTable } from '../../packages/delta/test/fixtures/telemetry-table.ts';

const ROWS = Number(process.env.DELTA_WRITE_ROWS ?? 5_000_000);
const RUNS = Number(process.env.DELTA_WRITE_RUNS ?? 3);
const source = join(tmpdir(), 'meridian-bench', `delta-scan-${ROWS}`);
const sourceOptions = { rows: ROWS, filesPerRegion: 4, rowGroupRows: 65_536, seed: 7 };
if (!(await isTelemetryTable(source, sourceOptions))) await writeTelemetryTable(source, sourceOptions);
const data = await (await (await openTable(source)).snapshot()).toArrow();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const startLoad = load();
const rows: string[][] = [];
/** Median and best of RUNS runs of `run`, garbage collected before each. */
function stage<T>(name: string, run: () => T, note = ''): T {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < RUNS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    result = run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  rows.push([name, (times[Math.floor(times.length / 2)] as number).toFixed(0), (times[0] as number).toFixed(0), note]);
  return result as T;
}

const schema = deltaSchemaOf(data.schema);
const fields = schema.fields.filter((f) => f.name !== 'region');
const parts = stage('split by partition (splitPartitions)', () => splitPartitions(data, schema.fields, ['region']));
const files = parts.flatMap((p) => {
  const out: Table[] = [];
  for (let s = 0; s < p.table.numRows; s += 1 << 20)
    out.push(p.table.slice(s, Math.min(s + (1 << 20), p.table.numRows)));
  return out.map((x) => new Table(new Schema(x.schema.fields), x.batches));
});
stage('Delta statistics (fileStats)', () => files.map((f) => fileStats(f, fields)));
const ipcs = stage('Arrow IPC out of JavaScript (tableToIPC)', () => files.map((f) => tableToIPC(f, 'stream')));
const ipcBytes = ipcs.reduce((s, b) => s + b.length, 0);
rows[rows.length - 1]?.splice(3, 1, `${(ipcBytes / 1e6).toFixed(0)} MB`);
stage('IPC into parquet-wasm (Table.fromIPCStream)', () => {
  for (const b of ipcs) pw.Table.fromIPCStream(b).free();
});
const settings = { compression: 'zstd', rowGroupRows: 65_536 } as const;
const encoded = stage('IPC to parquet, writeTable properties (encodeIPCToParquet)', () =>
  ipcs.map((b) => encodeIPCToParquet(b, settings)),
);
rows[rows.length - 1]?.splice(3, 1, `${(encoded.reduce((s, b) => s + b.length, 0) / 1e6).toFixed(1)} MB`);
const defaults = stage('IPC to parquet, arrow-rs defaults (1 MiB dictionary pages)', () =>
  ipcs.map((b) =>
    pw.writeParquet(
      pw.Table.fromIPCStream(b),
      new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).setMaxRowGroupSize(65_536).build(),
    ),
  ),
);
rows[rows.length - 1]?.splice(3, 1, `${(defaults.reduce((s, b) => s + b.length, 0) / 1e6).toFixed(1)} MB`);

console.log(
  `${data.numRows.toLocaleString('en-US')} rows, ${files.length} files; load average ${startLoad} at the start, ${load()} at the end\n`,
);
console.log('| stage (main thread, every file) | median ms | best ms | output |\n|---|---:|---:|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
