import { codeFrame } from '../diagnostics/code-frame.ts';
import { formatIssue, type MeridianIssue } from '../errors.ts';

/**
 * Every issue printed like a compiler: the diagnostic line, a code frame of the declaring line when the issue has
 * a source location, and the hint; one blank line between issues. What `meridian validate` and `meridian check`
 * print for a model that cannot be checked.
 */
export function formatIssues(issues: readonly MeridianIssue[], file?: string): string {
  return issues
    .map((issue) => {
      const frame = issue.location
        ? codeFrame(issue.location.file, issue.location.line, issue.location.column, { context: 1 })
        : '';
      return `${formatIssue(issue, file)}${frame ? `\n${frame}` : ''}\n`;
    })
    .join('\n');
}
