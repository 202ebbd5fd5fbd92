import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parseFrame } from '../dsl/source.ts';
import { isMeridianError, MeridianError } from '../errors.ts';
import type { SourceLocation } from '../model/schema.ts';

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

let hookRegistered = false;

function useSourceCondition(): void {
  if (hookRegistered || !runningFromSource) return;
  register(`data:text/javascript,${encodeURIComponent(sourceConditionHook)}`);
  hookRegistered = true;
}

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

/**
 * Executes a topology.ts with tsx and returns its default export (the built model, or plain data).
 * Syntax errors, exceptions and a missing default export become a MeridianError naming the file and line.
 */
export async function importTopologyModule(file: string): Promise<unknown> {
  useSourceCondition();
  // Stack traces of the user's file must name its own lines (tsx emits inline source maps; Node applies them when enabled),
  // both for the DSL's recorded source locations and for errors thrown while the file runs.
  process.setSourceMapsEnabled(true);
  const { tsImport } = await import('tsx/esm/api');
  let module: { default?: unknown };
  try {
    module = (await tsImport(pathToFileURL(file).href, { parentURL: import.meta.url })) as { default?: unknown };
  } catch (error) {
    if (isMeridianError(error)) throw error;
    if (!(error instanceof Error)) throw error;
    const code = (error as { code?: unknown }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
    throw new MeridianError(
      missing ? 'import-failed' : 'execution-failed',
      `${file} failed to run: ${summary(error)}`,
      {
        location: positionIn(error, file) ?? { file, line: 1, column: 1 },
        hint: missing
          ? 'install the missing package or fix the import path'
          : 'fix the error at this position; the file must run and `export default topology(...)`',
        cause: error,
      },
    );
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
    throw new MeridianError('no-default-export', `${file} has no default export`, {
      location: { file, line: 1, column: 1 },
      hint: "end the file with `export default topology('name', (t) => { ... })`",
    });
  }
  return value;
}
