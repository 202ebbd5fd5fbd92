/**
 * What a streamed full scan holds, measured in a process of its own (run by delta-scan.bench.ts, or alone:
 * `node --expose-gc --conditions=@meridian/source --import tsx delta-scan/streamed-memory.ts DIR [main-thread]`).
 * A process's resident set seldom shrinks, so in the bench's own process a case's peak is mostly what earlier cases
 * left behind; here the baseline is the process after opening the table, before the first scan.
 * Prints one JSON line: baseline, the peak of the first scan (workers started and parquet-wasm compiled during it:
 * the scan's fixed cost included), the resident set between the scans, the peak of the second scan above it (what
 * the batches in flight and their garbage cost), and the bytes of the largest batch, the unit "a few batches" counts.
 */

import { DecodePool, openTable } from '@meridian/delta';
import type { Data, RecordBatch } from 'apache-arrow';

/** Bytes of the buffers a batch references (values, offsets, validity), children included. */
function dataBytes(data: Data): number {
  let sum = 0;
  for (const buffer of [data.values, data.valueOffsets, data.nullBitmap, data.typeIds] as (
    | ArrayBufferView
    | undefined
  )[])
    sum += buffer?.byteLength ?? 0;
  for (const child of data.children) sum += dataBytes(child);
  return sum;
}

function batchBytes(batch: RecordBatch): number {
  return dataBytes(batch.data);
}

const [dir, decoderName] = process.argv.slice(2);
if (!dir) throw new Error('usage: streamed-memory.ts TABLE_DIR [main-thread]');
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const snapshot = await (await openTable(dir)).snapshot();
const decoder = decoderName === 'main-thread' ? 'main-thread' : new DecodePool(2);

async function scanPeak(): Promise<{ peak: number; rows: number; largestBatch: number; ms: number }> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  let rows = 0;
  let largestBatch = 0;
  const start = performance.now();
  for await (const batch of snapshot.scan({ decoder })) {
    rows += batch.numRows;
    largestBatch = Math.max(largestBatch, batchBytes(batch));
  }
  const ms = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { peak, rows, largestBatch, ms };
}

gc();
const baseline = process.memoryUsage.rss();
const first = await scanPeak();
gc();
await new Promise((r) => setTimeout(r, 50));
gc();
const between = process.memoryUsage.rss();
const second = await scanPeak();
if (decoder !== 'main-thread') await decoder.close();
process.stdout.write(
  `${JSON.stringify({
    baseline,
    firstPeak: first.peak,
    between,
    secondPeak: second.peak,
    rows: second.rows,
    largestBatch: Math.max(first.largestBatch, second.largestBatch),
    ms: [first.ms, second.ms],
  })}\n`,
);
