import { findSourceMap } from 'node:module';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../model/schema.ts';

// Frames inside the DSL itself (src/dsl/ in the workspace, dist/ once bundled) are skipped: the first frame
// outside them is the user's call.
const ownDirectory = dirname(fileURLToPath(import.meta.url)) + sep;

const framePattern = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;

// Loaders tag module URLs with a query (tsx: `?tsx-namespace=...`); the file is what precedes it.
function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file.replace(/[?#].*$/, '')) : file;
}

/**
 * One `at ...` line of a stack as a position in the original source. Node maps stacks itself when source maps are
 * enabled, unless a test runner replaced `Error.prepareStackTrace`; then a tsx module's frame still carries its
 * `?tsx-namespace=` URL and generated position, and is mapped here through the source map Node cached for it.
 */
export function parseFrame(line: string): SourceLocation | undefined {
  const match = framePattern.exec(line.trim());
  if (!match?.[1]) return undefined;
  const [, file = '', lineText, columnText] = match;
  const position = { line: Number(lineText), column: Number(columnText) };
  if (file.startsWith('file://') && /[?#]/.test(file)) {
    const entry = findSourceMap(file)?.findEntry(position.line - 1, position.column - 1);
    if (entry && 'originalLine' in entry) {
      return { file: toPath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
    }
  }
  return { file: toPath(file), ...position };
}

/**
 * The first stack frame outside the DSL, in `stack` (an `Error#stack` string taken in captureSource). The DSL's folder
 * is also read off the stack's first frame (captureSource's own): a bundled copy loaded with source maps enabled (a
 * topology.ts runs in a worker that enables them first) names src/dsl/ there, not the dist/ it was loaded from.
 */
function userFrame(stack: string): SourceLocation | undefined {
  const [, first, ...rest] = stack.split('\n');
  const own = parseFrame(first ?? '');
  const ownDirectories = own ? [ownDirectory, dirname(own.file) + sep] : [ownDirectory];
  for (const line of rest) {
    const frame = parseFrame(line);
    if (
      !frame ||
      frame.file.startsWith('node:') ||
      ownDirectories.some((dir) => frame.file.startsWith(dir)) ||
      !frame.file.includes(sep)
    )
      continue;
    return frame;
  }
  return undefined;
}

/** Where the DSL call being executed was written in the user's file (undefined when the stack says nothing usable). */
export function captureSource(): SourceLocation | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return userFrame(stack);
}
