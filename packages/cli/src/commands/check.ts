import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type CheckResult,
  check,
  formatExplanation,
  formatFindings,
  formatIssues,
  isMeridianError,
  loadTopology,
  MeridianError,
  type RuleId,
  ruleDescriptors,
  ruleIds,
  type Severity,
  toCheckReport,
  toSarif,
  typecheckTopology,
} from '@meridian/topology';
import { CliInputError, ExitCode, type RegisterCommand } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';
import { cliIssues } from '../render/cli-hint.ts';

/** Output formats of `meridian check`. */
type CheckFormat = 'text' | 'json' | 'sarif';

/** Options of {@link runCheck}, as the command line gives them. */
export interface CheckCommandOptions {
  readonly format?: string | undefined;
  readonly json?: boolean | undefined;
  readonly explain?: boolean | undefined;
  /** `rule=severity` pairs, e.g. `spof=warning`. */
  readonly severity?: string | readonly string[] | undefined;
  /** Comma-separated rule ids to run. */
  readonly rules?: string | undefined;
  /** Run the TypeScript compiler on a .ts topology first; its type errors are bad input (exit 2). */
  readonly typecheck?: boolean | undefined;
  readonly cwd?: string | undefined;
}

const formats: readonly CheckFormat[] = ['text', 'json', 'sarif'];
const severities: readonly Severity[] = ['error', 'warning', 'info'];

function parseOptions(options: CheckCommandOptions): {
  format: CheckFormat;
  severities: Partial<Record<RuleId, Severity>>;
  rules: RuleId[] | undefined;
} {
  const format = options.json ? 'json' : (options.format ?? 'text');
  if (!(formats as readonly string[]).includes(format)) {
    throw new CliInputError(
      'unknown-format',
      `unknown format '${format}'`,
      `use --format ${formats.join(', --format ')}`,
    );
  }
  const asRule = (id: string): RuleId => {
    if (!(ruleIds as readonly string[]).includes(id))
      throw new CliInputError('unknown-rule', `unknown rule '${id}'`, `rules: ${ruleIds.join(', ')}`);
    return id as RuleId;
  };
  const configured: Partial<Record<RuleId, Severity>> = {};
  const pairs =
    options.severity === undefined ? [] : typeof options.severity === 'string' ? [options.severity] : options.severity;
  for (const pair of pairs) {
    const [rule, level] = pair.split('=');
    if (rule === undefined || level === undefined || !(severities as readonly string[]).includes(level)) {
      throw new CliInputError(
        'bad-severity',
        `--severity '${pair}' is not rule=error|warning|info`,
        'e.g. --severity spof=warning',
      );
    }
    configured[asRule(rule)] = level as Severity;
  }
  const rules = options.rules === undefined ? undefined : options.rules.split(',').map((id) => asRule(id.trim()));
  return { format: format as CheckFormat, severities: configured, rules };
}

// Relative to the working directory with '/' separators: what SARIF consumers and terminals expect.
function repoPath(file: string, cwd: string): string {
  const path = relative(cwd, file) || file;
  return path.split(sep).join('/');
}

/**
 * Loads a topology and checks it. Prints the findings (text like a compiler, JSON or SARIF 2.1.0) on stdout;
 * returns the exit code: 1 with any error finding, 0 otherwise, 2 when the file cannot be loaded or is invalid.
 */
export async function runCheck(file: string, options: CheckCommandOptions = {}): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const parsed = parseOptions(options);
  let result: CheckResult;
  try {
    const issues = options.typecheck && /\.m?ts$/.test(file) ? await typecheckTopology(file) : [];
    if (issues.length > 0) throw new MeridianError('type-error', `${file}: ${issues.length} type errors`, { issues });
    const model = await loadTopology(file, topologyLoadOptions());
    result = check(model, {
      severities: parsed.severities,
      ...(parsed.rules ? { rules: parsed.rules } : {}),
      explain: options.explain === true,
    });
  } catch (error) {
    if (!isMeridianError(error)) throw error;
    // An invalid model is bad input for check (validate reports it as findings): print every issue, exit 2.
    const text = formatIssues(cliIssues(error.issues), file);
    // Only a model that loaded but failed validation is helped by validate's fuller report.
    const next = error.code === 'invalid-topology' ? `; run meridian validate ${file}` : '';
    process.stderr.write(`${text}\n${file}: cannot be checked (${error.code})${next}\n`);
    return ExitCode.badInput;
  }
  const { findings, summary } = result;
  if (parsed.format === 'json') {
    const json = toCheckReport(result, {
      file,
      displayPath: (f) => repoPath(f, cwd),
      explain: options.explain === true,
    });
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else if (parsed.format === 'sarif') {
    const sarif = toSarif(findings, ruleDescriptors, {
      file: repoPath(file, cwd),
      relativize: (f) => repoPath(f, cwd),
      srcRoot: pathToFileURL(`${cwd}${sep}`).href,
    });
    process.stdout.write(`${JSON.stringify(sarif, null, 2)}\n`);
  } else {
    const report = formatFindings(findings, { displayPath: (f) => repoPath(f, cwd), file: repoPath(file, cwd) });
    const suppressed = result.suppressed.reduce((sum, s) => sum + s.count, 0);
    const counts = `${summary.error} error${summary.error === 1 ? '' : 's'}, ${summary.warning} warning${summary.warning === 1 ? '' : 's'}, ${summary.info} info${suppressed > 0 ? ` (${suppressed} suppressed)` : ''}`;
    process.stdout.write(`${report}${report ? '\n' : ''}${repoPath(file, cwd)}: ${counts}\n`);
    if (options.explain) process.stdout.write(`\n${formatExplanation(result.explain)}`);
  }
  return summary.error > 0 ? ExitCode.findings : ExitCode.ok;
}

/** `meridian check <file> [--format text|json|sarif] [--explain]`. */
export const registerCheck: RegisterCommand = (cli) => {
  cli
    .command(
      'check <file>',
      'Find what is wrong with a topology before deploy (cycles, SPOFs, SLA, RTO/RPO, N-1, residency, ...)',
    )
    .option('--format <format>', 'text (default), json or sarif (SARIF 2.1.0 for GitHub code scanning)')
    .option('--json', 'Same as --format json')
    .option('--explain', 'Also print the availability arithmetic, the RTO/RPO budgets and the N-1 table')
    .option('--severity <rule=level>', "Override a rule's severity, e.g. --severity spof=warning (repeatable)")
    .option('--rules <ids>', 'Run only these rules, comma-separated')
    .option('--typecheck', 'Run the TypeScript compiler on a .ts topology first (type errors exit 2)')
    .example('meridian check examples/tv-voting/topology.ts')
    .example('meridian check topology.ts --format sarif > meridian.sarif')
    .example('meridian check topology.ts --explain --severity orphan=info')
    .action(async (file: string, options: CheckCommandOptions) => {
      process.exitCode = await runCheck(file, options);
    });
};
