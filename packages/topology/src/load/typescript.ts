import { Worker } from 'node:worker_threads';
import { MeridianError } from '../errors.ts';
import type { TypescriptWorkerInput, TypescriptWorkerResult } from './typescript-worker.ts';

/** How long a topology.ts may run before its load fails, unless the caller gives another limit. */
export const defaultLoadTimeoutMs = 30_000;

// Source runs (vitest, tsx) load typescript-worker.ts; the tsup build emits typescript-worker.js beside index.js.
const workerUrl = new URL(
  import.meta.url.endsWith('.ts') ? './typescript-worker.ts' : './typescript-worker.js',
  import.meta.url,
);

// A model is small; a file that allocates more than this is refused rather than allowed to take the host down.
const workerHeapLimitMb = 1024;

// The worker runs Node with the loader's own flags (--import tsx, --conditions=...), minus those that only make sense
// for a string given on the command line (`node --input-type=module -e '...'`), which a worker file refuses.
function workerExecArgv(): string[] {
  const kept: string[] = [];
  const flags = process.execArgv;
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i] ?? '';
    if (['--input-type', '-e', '--eval', '-p', '--print'].includes(flag)) {
      i++;
      continue;
    }
    if (flag.startsWith('--input-type=') || flag.startsWith('--eval=') || flag.startsWith('--print=')) continue;
    kept.push(flag);
  }
  return kept;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * Executes a topology.ts in a worker thread with tsx and returns its default export (the built model, or plain data).
 * Syntax errors, exceptions and a missing default export become a MeridianError naming the file and line; a file
 * still running after `timeoutMs` fails with `load-timeout`, one that ends before exporting (process.exit, a promise
 * that never settles) with `load-incomplete`.
 */
export function importTopologyModule(file: string, timeoutMs: number = defaultLoadTimeoutMs): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const input: TypescriptWorkerInput = { file };
    const worker = new Worker(workerUrl, {
      workerData: input,
      execArgv: workerExecArgv(),
      resourceLimits: { maxOldGenerationSizeMb: workerHeapLimitMb },
    });
    let isSettled = false;
    const settle = (action: () => void): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      action();
      // A worker blocked in a system call (a read of a FIFO) cannot be ended at once; it must not hold the process.
      worker.unref();
      void worker.terminate();
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(
          new MeridianError('load-timeout', `${file} did not finish running within ${seconds(timeoutMs)}`, {
            location: { file, line: 1, column: 1 },
            found: seconds(timeoutMs),
            hint: 'a topology file must build its model and end; look for an endless loop or a wait on the network, or raise the limit: timeoutMs',
          }),
        ),
      );
    }, timeoutMs);
    worker.on('message', (result: TypescriptWorkerResult) => {
      settle(() => {
        if (result.ok) resolve(result.value);
        else reject(new MeridianError(result.error.code, result.error.message, result.error.details));
      });
    });
    worker.on('error', (error: Error) => {
      const memory = (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      settle(() =>
        reject(
          new MeridianError(
            memory ? 'load-out-of-memory' : 'execution-failed',
            memory
              ? `${file} used more than ${workerHeapLimitMb} MB while running`
              : `${file} failed to run: ${error.message.split('\n')[0] ?? error.name}`,
            {
              location: { file, line: 1, column: 1 },
              hint: 'fix the file so that it builds its model and ends; an error after the default export still counts',
              cause: error,
            },
          ),
        ),
      );
    });
    worker.on('exit', (code) => {
      settle(() =>
        reject(
          new MeridianError(
            'load-incomplete',
            `${file} stopped before exporting its model (exit code ${code}): it called process.exit or waited on a promise that never settles`,
            {
              location: { file, line: 1, column: 1 },
              hint: 'a topology file must not end the process; build the model and `export default topology(...)`',
            },
          ),
        ),
      );
    });
  });
}
