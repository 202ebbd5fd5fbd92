import type { Finding } from './finding.ts';

/** Options for {@link formatFindings}. */
export interface TextReportOptions {
  /** Returns a source file's text, for the code frame; undefined when it cannot be read. */
  readonly readSource?: (file: string) => string | undefined;
  /** How a location's file is printed (e.g. relative to the working directory). */
  readonly displayPath?: (file: string) => string;
  /** The checked file, printed for findings that carry no location. */
  readonly file?: string;
}

/**
 * Findings printed like a compiler's diagnostics: `file:line:col  severity  rule  message`, a code frame of the
 * declaring line with a caret under the column, and the hint.
 */
export function formatFindings(findings: readonly Finding[], options: TextReportOptions = {}): string {
  const display = options.displayPath ?? ((file: string) => file);
  const cache = new Map<string, string[] | undefined>();
  const linesOf = (file: string): string[] | undefined => {
    if (!cache.has(file)) cache.set(file, options.readSource?.(file)?.split(/\r?\n/));
    return cache.get(file);
  };
  const blocks = findings.map((finding) => {
    const where = finding.location
      ? `${display(finding.location.file)}:${finding.location.line}:${finding.location.column}`
      : (options.file ?? '<topology>');
    const head = `${where}  ${finding.severity}  ${finding.rule}  ${finding.message}`;
    const frame = finding.location
      ? codeFrame(linesOf(finding.location.file), finding.location.line, finding.location.column)
      : '';
    return `${head}\n${frame}  hint: ${finding.hint}\n`;
  });
  return blocks.join('\n');
}

function codeFrame(lines: string[] | undefined, line: number, column: number): string {
  if (!lines || line < 1 || line > lines.length) return '';
  const first = Math.max(1, line - 1);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  let frame = '';
  for (let n = first; n <= last; n++) {
    const marker = n === line ? '>' : ' ';
    frame += `${marker} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}\n`;
    if (n === line) frame += `  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^\n`;
  }
  return frame;
}
