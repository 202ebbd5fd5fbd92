import { z } from 'zod';
import type { CheckResult } from '../check/check.ts';
import { ruleIds } from '../check/finding.ts';

/**
 * `meridian check --format json`: a stable contract other tools read (the emitters' findings overlay, CI
 * scripts). The schema is the one definition; the type and the parser come from it.
 */
export const SeveritySchema = z.enum(['error', 'warning', 'info']);

/** One finding as the JSON report prints it: every finding has a location (the checked file at 1:1 if none). */
export const ReportFindingSchema = z.object({
  rule: z.enum(ruleIds),
  severity: SeveritySchema,
  message: z.string(),
  hint: z.string(),
  components: z.array(z.string()),
  location: z.object({ file: z.string(), line: z.number().int(), column: z.number().int() }),
  /** Unstated facts the verdict depends on, with the value assumed (absent when none). */
  assumptions: z.array(z.string()).optional(),
});

/** What a findings overlay reads of a finding (the emitters' diagrams): its rule, severity and components. */
export const OverlayFindingSchema = ReportFindingSchema.pick({ rule: true, severity: true, components: true });

/** The whole JSON report: findings (errors first), counts by severity, and with `--explain` the explanation. */
export const CheckReportSchema = z.object({
  findings: z.array(ReportFindingSchema),
  summary: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
  explain: z.unknown().optional(),
});

/** A finding of the JSON report. */
export type ReportFinding = z.infer<typeof ReportFindingSchema>;
/** The JSON report of `meridian check`. */
export type CheckReport = z.infer<typeof CheckReportSchema>;

/** Options of {@link toCheckReport}. */
export interface CheckReportOptions {
  /** The checked file, the location of findings that carry none. */
  readonly file: string;
  /** How a file is printed (e.g. relative to the working directory, '/'-separated). */
  readonly displayPath?: (file: string) => string;
  /** Include the explanation (availability arithmetic, budgets, N-1 table). */
  readonly explain?: boolean;
}

/** The JSON report of a check result. */
export function toCheckReport(result: CheckResult, options: CheckReportOptions): CheckReport {
  const display = options.displayPath ?? ((file: string) => file);
  return {
    findings: result.findings.map((finding) => ({
      rule: finding.rule,
      severity: finding.severity,
      message: finding.message,
      hint: finding.hint,
      components: [...finding.components],
      location: finding.location
        ? { file: display(finding.location.file), line: finding.location.line, column: finding.location.column }
        : { file: display(options.file), line: 1, column: 1 },
      ...(finding.assumptions ? { assumptions: [...finding.assumptions] } : {}),
    })),
    summary: { ...result.summary },
    ...(options.explain ? { explain: result.explain } : {}),
  };
}
