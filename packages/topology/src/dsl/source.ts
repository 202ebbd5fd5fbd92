import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../model/schema.ts';

// Frames inside the DSL itself (src/dsl/ in the workspace, dist/ once bundled) are skipped: the first frame
// outside them is the user's call. Stacks are source-mapped by tsx and vitest, so lines are the .ts file's own.
const ownDirectory = dirname(fileURLToPath(import.meta.url)) + sep;

const framePattern = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;

function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** The first stack frame outside the DSL, in `stack` (an `Error#stack` string). Exported for tests. */
export function userFrame(stack: string): SourceLocation | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const match = framePattern.exec(line.trim());
    if (!match?.[1]) continue;
    const file = toPath(match[1]);
    if (file.startsWith('node:') || file.startsWith(ownDirectory) || !file.includes(sep)) continue;
    return { file, line: Number(match[2]), column: Number(match[3]) };
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
