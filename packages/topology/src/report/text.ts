import type { Finding } from '../check/finding.ts';
import { codeFrame } from '../diagnostics/code-frame.ts';

/** Options for {@link formatFindings}. */
export interface TextReportOptions {
  /** How a location's file is printed (e.g. relative to the working directory). */
  readonly displayPath?: (file: string) => string;
  /** The checked file, printed for findings that carry no location. */
  readonly file?: string;
  /** A source file's text when already in memory; otherwise the file is read for the code frame. */
  readonly readSource?: (file: string) => string | undefined;
}

/**
 * Findings printed like a compiler's diagnostics: `file:line:col  severity  rule  message`, a code frame of the
 * declaring line with a caret under the column, and the hint.
 */
export function formatFindings(findings: readonly Finding[], options: TextReportOptions = {}): string {
  const display = options.displayPath ?? ((file: string) => file);
  return findings
    .map((finding) => {
      const at = finding.location;
      const where = at ? `${display(at.file)}:${at.line}:${at.column}` : (options.file ?? '<topology>');
      const text = at ? options.readSource?.(at.file) : undefined;
      const frame = at
        ? codeFrame(at.file, at.line, at.column, { context: 1, ...(text === undefined ? {} : { text }) })
        : '';
      return `${where}  ${finding.severity}  ${finding.rule}  ${finding.message}\n${frame ? `${frame}\n` : ''}  hint: ${finding.hint}\n${(finding.assumptions ?? []).map((a) => `  ${a}\n`).join('')}`;
    })
    .join('\n');
}
