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
import { encodeIPCToParquet } from '../../packages/delta/src/parquet/encode.ts';
import { fileStats } from '../../packages/delta/src/write/file-stats.ts';
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
/**
 * Median wall and CPU time of RUNS runs of `run`, garbage collected before each. The CPU time (this process, user and
 * system) is what the stage costs; on a machine others load, its wall time is mostly waiting for a core.
 */
function stage<T>(name: string, run: () => T, note = ''): T {
  const wall: number[] = [];
  const cpu: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < RUNS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    const used = process.cpuUsage();
    result = run();
    const { user, system } = process.cpuUsage(used);
    wall.push(performance.now() - start);
    cpu.push((user + system) / 1000);
  }
  rows.push([name, median(cpu).toFixed(0), median(wall).toFixed(0), note]);
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
/** parquet-wasm with arrow-rs's defaults but for what `set` changes. */
const variant = (name: string, set: (b: pw.WriterPropertiesBuilder) => pw.WriterPropertiesBuilder) => {
  const out = stage(name, () =>
    ipcs.map((b) =>
      pw.writeParquet(
        pw.Table.fromIPCStream(b),
        set(new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).setMaxRowGroupSize(65_536)).build(),
      ),
    ),
  );
  rows[rows.length - 1]?.splice(3, 1, `${(out.reduce((s, b) => s + b.length, 0) / 1e6).toFixed(1)} MB`);
};
variant('IPC to parquet, 32 KiB dictionary pages, chunk statistics only (no page index, as DuckDB)', (b) =>
  b.setDictionaryPageSizeLimit(32 * 1024).setStatisticsEnabled(pw.EnabledStatistics.Chunk),
);
variant('IPC to parquet, arrow-rs defaults (1 MiB dictionary pages, page statistics)', (b) => b);
variant('IPC to parquet, no dictionary, chunk statistics', (b) =>
  b.setDictionaryEnabled(false).setStatisticsEnabled(pw.EnabledStatistics.Chunk),
);
variant('IPC to parquet, 32 KiB dictionary pages, chunk statistics, snappy', (b) =>
  b
    .setDictionaryPageSizeLimit(32 * 1024)
    .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
    .setCompression(pw.Compression.SNAPPY),
);

console.log(
  `${data.numRows.toLocaleString('en-US')} rows, ${files.length} files; load average ${startLoad} at the start, ${load()} at the end\n`,
);
console.log('| stage (main thread, every file) | CPU ms (median) | wall ms (median) | output |\n|---|---:|---:|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
