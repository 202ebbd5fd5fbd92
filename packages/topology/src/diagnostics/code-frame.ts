import { readFileSync } from 'node:fs';

/** Options of `codeFrame`. */
export interface CodeFrameOptions {
  /** Lines shown before and after the marked one (default 2). */
  readonly context?: number;
  /** The file's text, when already in memory (otherwise it is read). */
  readonly text?: string;
}

/**
 * A few lines of a source file around a position, with a caret under the column, for diagnostics:
 * ```
 *   11 |   const eks = r.kubernetesCluster('eks', {
 * > 12 |   const vote = eks.deployment('vote', {
 *      |                    ^
 * ```
 * Returns '' when the file cannot be read or the line does not exist.
 */
export function codeFrame(file: string, line: number, column: number, options: CodeFrameOptions = {}): string {
  let text = options.text;
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  }
  const lines = text.split(/\r?\n/);
  if (line < 1 || line > lines.length) return '';
  const context = options.context ?? 2;
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const source = (lines[n - 1] ?? '').replace(/\t/g, '  ');
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${source}`.trimEnd());
    if (n === line) {
      const prefix = (lines[n - 1] ?? '').slice(0, Math.max(0, column - 1)).replace(/\t/g, '  ');
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(prefix.length)}^`);
    }
  }
  return out.join('\n');
}
