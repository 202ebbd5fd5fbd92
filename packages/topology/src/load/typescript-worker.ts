import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { parseFrame } from '../dsl/source.ts';
import { isMeridianError, type MeridianErrorCode, type MeridianErrorDetails } from '../errors.ts';
import type { SourceLocation } from '../model/schema.ts';

/*
 * Runs one topology.ts in a worker thread (started by load/typescript.ts) and posts back its default export as
 * plain data, or the error it failed with. The file is code: running it here means an endless loop can be ended
 * by the loader's time limit and a process.exit() ends only this thread (issue 16, items 5 and 6).
 */

/** What the worker is given. */
export interface TypescriptWorkerInput {
  readonly file: string;
}

/** A MeridianError as it crosses the thread boundary (its class does not survive structured cloning). */
export interface SerializedMeridianError {
  readonly code: MeridianErrorCode;
  readonly message: string;
  readonly details: Omit<MeridianErrorDetails, 'cause'>;
}

/** What the worker posts back: the default export, or the error. */
export type TypescriptWorkerResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: SerializedMeridianError };

// Running from src/ (workspace tests, `--conditions=@meridian/source`) means the topology file must import the same
// sources: a user's `import { topology } from '@meridian/topology'` would otherwise resolve to dist/, which may be
// stale or absent. Installed (dist/) copies resolve normally.
const runningFromSource = import.meta.url.endsWith('.ts');

// Adds the `@meridian/source` export condition to `@meridian/*` imports only; everything else resolves as Node would.
const sourceConditionHook = `
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@meridian/') && !context.conditions.includes('@meridian/source')) {
    return next(specifier, { ...context, conditions: [...context.conditions, '@meridian/source'] });
  }
  return next(specifier, context);
}`;

/** The first position inside `file` named by an esbuild syntax error (`file:3:10: ERROR`, 0-based column) or the stack. */
function positionIn(error: Error, file: string): SourceLocation | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const syntax = new RegExp(`${escaped}:(\\d+):(\\d+): ERROR`).exec(error.message);
  if (syntax) return { file, line: Number(syntax[1]), column: Number(syntax[2]) + 1 };
  for (const line of (error.stack ?? '').split('\n').slice(1)) {
    const frame = parseFrame(line);
    if (frame?.file === file) return frame;
  }
  return undefined;
}

/** The first line of what went wrong, without the stack or esbuild's framing. */
function summary(error: Error): string {
  const esbuild = /ERROR: (.*)/.exec(error.message);
  return (esbuild?.[1] ?? error.message.split('\n')[0] ?? String(error)).trim();
}

function failure(
  code: MeridianErrorCode,
  message: string,
  details: Omit<MeridianErrorDetails, 'cause'>,
): TypescriptWorkerResult {
  return { ok: false, error: { code, message, details } };
}

/** Imports the file with tsx and turns every way it can fail into a serialized MeridianError. */
async function run(file: string): Promise<TypescriptWorkerResult> {
  if (runningFromSource) register(`data:text/javascript,${encodeURIComponent(sourceConditionHook)}`);
  // Stack traces of the user's file must name its own lines (tsx emits inline source maps; Node applies them when
  // enabled), both for the DSL's recorded source locations and for errors thrown while the file runs.
  process.setSourceMapsEnabled(true);
  const { tsImport } = await import('tsx/esm/api');
  let module: { default?: unknown };
  try {
    module = (await tsImport(pathToFileURL(file).href, { parentURL: import.meta.url })) as { default?: unknown };
  } catch (error) {
    if (isMeridianError(error)) {
      const { code, message, path, expected, found, hint, location, issues } = error;
      return failure(code, message, { path, expected, found, hint, location, issues });
    }
    const text = error instanceof Error ? summary(error) : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
    return failure(missing ? 'import-failed' : 'execution-failed', `${file} failed to run: ${text}`, {
      location: (error instanceof Error ? positionIn(error, file) : undefined) ?? { file, line: 1, column: 1 },
      hint: missing
        ? 'install the missing package or fix the import path'
        : 'fix the error at this position; the file must run and `export default topology(...)`',
    });
  }
  // tsImport of an ES module exposes the default export as `default`; a CommonJS one nests it once more.
  const value =
    module.default !== null &&
    typeof module.default === 'object' &&
    'default' in module.default &&
    !('name' in module.default)
      ? (module.default as { default: unknown }).default
      : module.default;
  if (value === undefined) {
    return failure('no-default-export', `${file} has no default export`, {
      location: { file, line: 1, column: 1 },
      hint: "end the file with `export default topology('name', (t) => { ... })`",
    });
  }
  return { ok: true, value };
}

const { file } = workerData as TypescriptWorkerInput;
const result = await run(file);
try {
  parentPort?.postMessage(result);
} catch {
  // Functions, class instances with private state, symbols: the default export is not a model.
  parentPort?.postMessage(
    failure('not-a-model', `the default export of ${file} is not plain data (it cannot be copied out of the file)`, {
      location: { file, line: 1, column: 1 },
      hint: "export the result of topology('name', (t) => { ... }) or plain objects, arrays, strings and numbers",
    }),
  );
}
