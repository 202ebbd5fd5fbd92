/**
 * How decoded tables leave parquet-wasm's memory: an Arrow IPC stream (intoIPCStream, parsed by apache-arrow) or the
 * Arrow C data interface read and copied into transferable buffers (packages/delta/src/parquet/ffi-copy.ts), old and
 * new alternated in one process:
 *   npm run delta-scan-export -w bench          (after `npm run delta-scan -w bench` has generated the table)
 * 1. One file of the delta-scan table on this thread: CPU of readParquet, then of each way out (to an apache-arrow
 *    table), ARROW_EXPORT_FILE_RUNS times each, alternating.
 * 2. snapshot.scan().toArrow() with two decode pools of 2 workers, one started with MERIDIAN_ARROW_EXPORT=ipc and one
 *    with =ffi (a worker reads it when it starts), alternating ARROW_EXPORT_RUNS pairs: wall time, the process's CPU
 *    (workers included) and the calling thread's CPU.
 * Prints medians and ranges and the load average; asserts nothing.
 */
import { readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodePool, openTable } from '@meridian/delta';
import { tableFromIPC } from 'apache-arrow';
import { readParquet, wasmMemory } from 'parquet-wasm';
import { copiedToTable } from '../../packages/delta/src/parquet/ffi-arrow.ts';
import { copyStream, readCopyableSchema } from '../../packages/delta/src/parquet/ffi-copy.ts';

const ROWS = Number(process.env.DELTA_SCAN_ROWS ?? 5_000_000);
const FILE_RUNS = Number(process.env.ARROW_EXPORT_FILE_RUNS ?? 15);
const RUNS = Number(process.env.ARROW_EXPORT_RUNS ?? 8);
const dir = join(tmpdir(), 'meridian-bench', `delta-scan-${ROWS}`);

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const threadCpuMs = (): number => {
  const c = process.threadCpuUsage();
  return (c.user + c.system) / 1000;
};
function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return `${median.toFixed(1)} (${(sorted[0] as number).toFixed(1)}-${(sorted.at(-1) as number).toFixed(1)})`;
}

const table = await openTable(dir);
const snapshot = await table.snapshot();
const files = snapshot.files();
const first = files[0];
if (!first) throw new Error(`no files in ${dir}: run npm run delta-scan -w bench first`);
const fileBytes = new Uint8Array(await readFile(join(dir, decodeURIComponent(first.path))));
console.log(`${files.length} files; one file ${(fileBytes.byteLength / 1e6).toFixed(1)} MB; load average ${load()}`);

// 1. One file on this thread.
const stages = { readParquet: [] as number[], ipc: [] as number[], ffi: [] as number[] };
for (let run = 0; run < FILE_RUNS + 2; run++) {
  for (const way of run % 2 === 0 ? (['ipc', 'ffi'] as const) : (['ffi', 'ipc'] as const)) {
    let at = cpuMs();
    const decoded = readParquet(fileBytes, { batchSize: 65_536 });
    const read = cpuMs() - at;
    at = cpuMs();
    let rows: number;
    if (way === 'ipc') rows = tableFromIPC(decoded.intoIPCStream()).numRows;
    else {
      const ffiSchema = decoded.schema.intoFFI();
      const schema = readCopyableSchema(wasmMemory(), ffiSchema.addr());
      ffiSchema.free();
      if (!schema) throw new Error('the bench table has a type the C data interface reader does not read');
      const stream = decoded.intoFFI();
      const copied = copyStream(wasmMemory(), stream, schema);
      stream.free();
      rows = copiedToTable(copied).numRows;
    }
    const out = cpuMs() - at;
    if (rows !== 312_500 && ROWS === 5_000_000) throw new Error(`${rows} rows decoded from one file`);
    if (run < 2) continue; // warm-up
    stages.readParquet.push(read);
    stages[way].push(out);
  }
}
console.log(`\none file, calling thread, CPU ms over ${FILE_RUNS} runs each, median (range); load average ${load()}`);
console.log(`| stage | CPU ms |\n|---|---:|`);
console.log(`| readParquet | ${summary(stages.readParquet)} |`);
console.log(`| out by IPC: intoIPCStream + tableFromIPC | ${summary(stages.ipc)} |`);
console.log(`| out by the C data interface: copy + free + tables | ${summary(stages.ffi)} |`);

// 2. The full scan, two pools.
const pools: Record<'ipc' | 'ffi', DecodePool> = { ipc: new DecodePool(2), ffi: new DecodePool(2) };
const timings: Record<'ipc' | 'ffi', { wall: number[]; cpu: number[]; thread: number[] }> = {
  ipc: { wall: [], cpu: [], thread: [] },
  ffi: { wall: [], cpu: [], thread: [] },
};
for (const way of ['ipc', 'ffi'] as const) {
  // The pool's workers start on its first job, with the environment of that moment.
  process.env.MERIDIAN_ARROW_EXPORT = way;
  const arrow = await snapshot.scan({ decoder: pools[way] }).toArrow();
  const values = arrow.getChild('ts')?.data[0]?.values as BigInt64Array;
  // Through the C data interface each buffer is its own ArrayBuffer; through IPC all share the stream's.
  const own = values.byteLength === values.buffer.byteLength;
  if (own !== (way === 'ffi')) throw new Error(`the ${way} pool did not decode by ${way}`);
}
delete process.env.MERIDIAN_ARROW_EXPORT;
const ratios: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const pair: Record<string, number> = {};
  for (const way of run % 2 === 0 ? (['ipc', 'ffi'] as const) : (['ffi', 'ipc'] as const)) {
    globalThis.gc?.();
    const wallAt = performance.now();
    const cpuAt = cpuMs();
    const threadAt = threadCpuMs();
    const arrow = await snapshot.scan({ decoder: pools[way] }).toArrow();
    timings[way].thread.push(threadCpuMs() - threadAt);
    timings[way].cpu.push(cpuMs() - cpuAt);
    timings[way].wall.push(performance.now() - wallAt);
    pair[way] = timings[way].cpu.at(-1) as number;
    if (arrow.numRows !== ROWS) throw new Error(`${arrow.numRows} rows`);
  }
  ratios.push((pair.ffi as number) / (pair.ipc as number));
}
console.log(
  `\nfull scan toArrow, 2 workers, ${RUNS} alternating pairs, median (range); load average ${load()} at the end`,
);
console.log('| way out | wall ms | process CPU ms | calling thread CPU ms |\n|---|---:|---:|---:|');
for (const way of ['ipc', 'ffi'] as const) {
  const t = timings[way];
  console.log(`| ${way} | ${summary(t.wall)} | ${summary(t.cpu)} | ${summary(t.thread)} |`);
}
console.log(`process CPU ffi / ipc, per pair: ${summary(ratios.map((r) => r * 100))} %`);
await Promise.all([pools.ipc.close(), pools.ffi.close()]);
