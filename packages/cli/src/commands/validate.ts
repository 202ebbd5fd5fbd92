import { formatIssues, isMeridianError, loadTopology, type MeridianIssue } from '@meridian/topology';
import { ExitCode, type RegisterCommand } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';
import { cliIssues } from '../render/cli-hint.ts';

/** The machine-readable result of `meridian validate --json`. */
interface ValidateResult {
  readonly file: string;
  readonly valid: boolean;
  /** Set when the file loaded: counts of what the model holds. */
  readonly summary?: {
    readonly name: string;
    readonly regions: number;
    readonly components: number;
    readonly flows: number;
  };
  /** Every problem; `code` is stable (e.g. unknown-region, file-not-found). */
  readonly issues: readonly MeridianIssue[];
}

/**
 * Loads and validates one topology file. Exit 0 when valid, 1 when the model has issues (all listed),
 * 2 when the file cannot be read or executed.
 */
async function validate(file: string, options: { json?: boolean | undefined } = {}): Promise<number> {
  let result: ValidateResult;
  let exitCode: number;
  try {
    const model = await loadTopology(file, topologyLoadOptions());
    result = {
      file,
      valid: true,
      summary: {
        name: model.name,
        regions: model.regions.length,
        components: model.components.length,
        flows: model.flows.length,
      },
      issues: [],
    };
    exitCode = ExitCode.ok;
  } catch (error) {
    if (!isMeridianError(error)) throw error;
    result = { file, valid: false, issues: error.issues };
    exitCode = error.code === 'invalid-topology' ? ExitCode.findings : ExitCode.badInput;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.summary) {
    const { name, regions, components, flows } = result.summary;
    process.stdout.write(
      `${file}: valid topology '${name}' (${regions} regions, ${components} components, ${flows} flows)\n`,
    );
  } else {
    const text = formatIssues(cliIssues(result.issues), file);
    const count = `${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}`;
    // Model issues are the command's result (stdout); a file that cannot be loaded is an input error (stderr).
    const stream = exitCode === ExitCode.findings ? process.stdout : process.stderr;
    stream.write(`${text}\n${file}: ${exitCode === ExitCode.findings ? `invalid, ${count}` : 'cannot be loaded'}\n`);
  }
  return exitCode;
}

/** `meridian validate <file> [--json]`. */
export const registerValidate: RegisterCommand = (cli) => {
  cli
    .command('validate <file>', 'Check a topology file (.ts, .yaml, .yml, .json) against the model schema')
    .option('--json', 'Print the result as JSON')
    .example('meridian validate examples/tv-voting/topology.ts')
    .example('meridian validate topology.yaml --json')
    .action(async (file: string, options: { json?: boolean }) => {
      process.exitCode = await validate(file, options);
    });
};
