import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Table } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import type { DecodedParquet } from './decode.ts';
import type { DecodeRequest, DecodeResponse, EncodeRequest } from './decode-worker.ts';
import { type EncodeSettings, encodeError } from './encode.ts';
import { decodedToTable } from './ffi-arrow.ts';
import { decodeError } from './wasm.ts';

/*
 * A pool of decode workers (node:worker_threads). parquet-wasm runs on one thread per instance, so the
 * only way to use more cores is more instances: each worker compiles the module once and decodes whole
 * requests. Results come back as Arrow buffers (copied out of wasm memory through the C data interface, or an IPC
 * stream) moved with a transfer list, so the bytes are never copied between threads; the caller wraps them in Arrow
 * record batches on its own thread.
 * Writes use the same workers the other way round (write/data-files.ts): an Arrow IPC stream moved in, parquet
 * bytes moved out.
 */

/** One decode job: parquet bytes, and which columns and row groups to decode. */
export interface DecodeJob {
  /** The file, or with `layout` the file's needed byte ranges one after the other. */
  readonly bytes: Uint8Array;
  /**
   * Where each range of `bytes` sits in the file, as (offset, length) pairs, and the file's size: the worker lays
   * them out in a zeroed buffer of its own that it reuses (decode-worker.ts), so the file-sized copy is never made
   * here, moved, or left for a worker's garbage collector.
   */
  readonly layout?: { readonly fileSize: number; readonly ranges: readonly number[] };
  readonly columns?: readonly string[];
  readonly rowGroups?: readonly number[];
  readonly batchSize?: number;
  readonly limit?: number;
  /** Rows to skip first, over the selected row groups (DecodeOptions.offset). */
  readonly offset?: number;
  /** Names the file in errors. */
  readonly where: string;
}

/** One encode job: a table as an Arrow IPC stream (moved to the worker), and how to write it. */
export interface EncodeJob {
  readonly ipc: Uint8Array;
  readonly settings: EncodeSettings;
  /** Names the file in errors. */
  readonly where: string;
}

interface Pending {
  readonly request: DecodeRequest | EncodeRequest;
  readonly transfer: ArrayBuffer[];
  readonly where: string;
  /** The error for the worker's message (decoding and encoding name their failures apart). */
  failure(message: string): unknown;
  resolve(result: Uint8Array | DecodedParquet): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

// Source runs under vitest/tsx load decode-worker.ts; the tsup build emits decode-worker.js beside index.js.
const workerUrl = new URL(
  import.meta.url.endsWith('.ts') ? './decode-worker.ts' : './decode-worker.js',
  import.meta.url,
);

/** The number of decode workers a pool gets by default: the cores Node may use. */
export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

/** True when the buffer can be handed over whole: it is not a view into a larger (pooled) buffer. */
function ownsWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
}

/**
 * Decodes parquet in worker threads. Idle workers do not keep the process alive; `close()` ends them.
 * A worker that dies fails its job with DeltaError 'worker-failed' and is replaced for later jobs.
 */
export class DecodePool {
  /** The number of worker threads. */
  readonly size: number;
  private readonly slots: (Slot | undefined)[];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size: number = defaultPoolSize()) {
    this.size = Math.max(1, Math.floor(size));
    this.slots = new Array<Slot | undefined>(this.size).fill(undefined);
  }

  /**
   * Decodes one job in a worker; resolves to an Arrow table. Bytes that own their whole buffer are
   * transferred (the caller must not use them afterwards); others, and SharedArrayBuffer views, are shared or copied.
   */
  decode(job: DecodeJob): Promise<Table> {
    if (this.closed)
      return Promise.reject(new DeltaError('worker-failed', 'the decode pool is closed', { path: job.where }));
    return new Promise<Table>((resolveTable, reject) => {
      const request: DecodeRequest = {
        id: this.nextId++,
        bytes: job.bytes,
        ...(job.layout ? { layout: { fileSize: job.layout.fileSize, ranges: [...job.layout.ranges] } } : {}),
        ...(job.columns ? { columns: [...job.columns] } : {}),
        ...(job.rowGroups ? { rowGroups: [...job.rowGroups] } : {}),
        ...(job.batchSize ? { batchSize: job.batchSize } : {}),
        ...(job.limit !== undefined ? { limit: job.limit } : {}),
        ...(job.offset !== undefined ? { offset: job.offset } : {}),
      };
      const transfer = ownsWholeBuffer(job.bytes) ? [job.bytes.buffer as ArrayBuffer] : [];
      const failure = (message: string) => decodeError(message, job.where);
      const resolve = (result: Uint8Array | DecodedParquet): void => {
        try {
          resolveTable(decodedToTable(result as DecodedParquet));
        } catch (cause) {
          reject(decodeError(cause, job.where));
        }
      };
      this.queue.push({ request, transfer, where: job.where, failure, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Encodes one table (an Arrow IPC stream) as a parquet file in a worker; resolves to the file's bytes. A stream
   * that owns its whole buffer is transferred (the caller must not use it afterwards).
   */
  encode(job: EncodeJob): Promise<Uint8Array> {
    if (this.closed)
      return Promise.reject(new DeltaError('worker-failed', 'the worker pool is closed', { path: job.where }));
    return new Promise<Uint8Array>((resolve, reject) => {
      const request: EncodeRequest = { id: this.nextId++, encode: job.ipc, settings: job.settings };
      const transfer = ownsWholeBuffer(job.ipc) ? [job.ipc.buffer as ArrayBuffer] : [];
      const failure = (message: string) => encodeError(message, job.where);
      const resolveBytes = (result: Uint8Array | DecodedParquet): void => resolve(result as Uint8Array);
      this.queue.push({ request, transfer, where: job.where, failure, resolve: resolveBytes, reject });
      this.dispatch();
    });
  }

  /** Jobs waiting for a worker plus jobs being decoded. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s?.busy).length;
  }

  /** Ends every worker; queued and running jobs fail. Resolves when all threads have exited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) {
      pending.reject(
        new DeltaError('worker-failed', 'the decode pool was closed before the job ran', { path: pending.where }),
      );
    }
    const exits = this.slots.map(async (slot, index) => {
      if (!slot) return;
      this.slots[index] = undefined;
      slot.busy?.reject(
        new DeltaError('worker-failed', 'the decode pool was closed during the job', { path: slot.busy.where }),
      );
      slot.busy = undefined;
      await slot.worker.terminate();
    });
    await Promise.all(exits);
  }

  /** @internal The live worker threads (tests end one to check that its job fails instead of hanging). */
  threads(): Worker[] {
    return this.slots.flatMap((slot) => (slot ? [slot.worker] : []));
  }

  private spawn(index: number): Slot {
    // The worker needs no flags of the parent (some, like --input-type, are refused in workers).
    const worker = new Worker(workerUrl, { execArgv: [] });
    const slot: Slot = { worker, busy: undefined };
    worker.unref();
    worker.on('message', (response: DecodeResponse) => {
      const job = slot.busy;
      if (!job || job.request.id !== response.id) return;
      slot.busy = undefined;
      worker.unref();
      if ('ipc' in response) job.resolve({ ipc: response.ipc });
      else if ('copied' in response) job.resolve({ copied: response.copied });
      else if ('parquet' in response) job.resolve(response.parquet);
      else job.reject(job.failure(response.error));
      this.dispatch();
    });
    const fail = (reason: string): void => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      const job = slot.busy;
      slot.busy = undefined;
      job?.reject(
        new DeltaError(
          'worker-failed',
          `a worker ${reason} while ${'encode' in job.request ? 'encoding' : 'decoding'}`,
          {
            path: job.where,
            hint: `the worker thread was killed or ran out of memory; retry the ${'encode' in job.request ? 'write' : 'scan'}, or lower the number of workers`,
          },
        ),
      );
      this.dispatch();
    };
    worker.on('error', (error) => fail(`failed (${error.message})`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    this.slots[index] = slot;
    return slot;
  }

  private dispatch(): void {
    if (this.closed) return;
    for (let index = 0; index < this.size && this.queue.length > 0; index++) {
      const slot = this.slots[index] ?? this.spawn(index);
      if (slot.busy) continue;
      const job = this.queue.shift() as Pending;
      slot.busy = job;
      slot.worker.ref();
      try {
        slot.worker.postMessage(job.request, job.transfer);
      } catch (error) {
        slot.busy = undefined;
        slot.worker.unref();
        job.reject(error);
      }
    }
  }
}

let shared: DecodePool | undefined;

/** The process-wide pool scans use unless given another; its idle workers never keep the process alive. */
export function sharedDecodePool(): DecodePool {
  shared ??= new DecodePool();
  return shared;
}
