import type { MeridianIssue } from '@meridian/topology';

/**
 * The packages' hints name their API's options, written as code (`from: 'eu-west-1'`, `mergeSchema: true`); run from
 * the command line the same advice means a flag (`--from eu-west-1`, `--merge-schema`). One table maps each option
 * as the hints write it to what the CLI shows instead (issue 17, item 9), so the libraries keep their words and the
 * CLI its own. test/cli-hint.test.ts checks that every entry still matches a hint in the packages' sources.
 */
interface HintWord {
  /** The option as the package's hints write it. */
  readonly api: RegExp;
  /** What the CLI shows instead: a flag, or the advice that applies on the command line. */
  readonly cli: string | ((match: string, ...groups: string[]) => string);
  /** The package whose hints use it. */
  readonly package: 'query-client' | 'delta' | 'topology';
}

export const hintWords: readonly HintWord[] = [
  // @meridian/query-client: planQuery's request and options, executeQuery's options (meridian query's flags).
  { package: 'query-client', api: /\bfrom: '([^']*)'/g, cli: '--from $1' },
  {
    package: 'query-client',
    api: /\bregions: \[([^\]]*)\]/g,
    cli: (_, list: string) => `--regions ${list.replaceAll("'", '').replaceAll(', ', ',')}`,
  },
  { package: 'query-client', api: /\bonRegionFailure: 'partial'/g, cli: '--partial' },
  { package: 'query-client', api: /\braise the limit: maxBroadcastBytes: /g, cli: 'raise the limit: --max-broadcast ' },
  {
    package: 'query-client',
    api: /\bkey locations by a component id/g,
    cli: 'give --location <id>=<uri> with a component id',
  },
  // @meridian/delta: writeTable's options (meridian delta write's flags).
  { package: 'delta', api: /\bmode: '(\w+)'/g, cli: '--mode $1' },
  { package: 'delta', api: /\bmergeSchema(: true)?/g, cli: '--merge-schema' },
  { package: 'delta', api: /\boverwriteSchema(: true)?/g, cli: '--overwrite-schema' },
  { package: 'delta', api: /\breplaceWhere\b/g, cli: '--replace-where' },
  { package: 'delta', api: /\bpartitionBy\b/g, cli: '--partition-by' },
  // Options the CLI has no flag for: the advice that still applies.
  {
    package: 'delta',
    api: /\bS3StorageOptions connectTimeoutMs\/idleTimeoutMs\/maxAttempts, env /g,
    cli: 'environment variables ',
  },
  { package: 'delta', api: /\bS3StorageOptions totalTimeoutMs, env /g, cli: 'environment variable ' },
  { package: 'delta', api: /\bretry later or raise maxCommitAttempts/g, cli: 'run it again later' },
  {
    package: 'delta',
    api: /\bif you trust it, raise maxDecodedBytes/g,
    cli: 'if you trust it, read it through the @meridian/delta API with a higher maxDecodedBytes',
  },
  // @meridian/topology: load options (the global --timeout) and the type check (meridian check --typecheck).
  { package: 'topology', api: /\braise the limit: timeoutMs/g, cli: 'raise the limit with --timeout <seconds>' },
  { package: 'topology', api: /\bcheck without typecheckTopology/g, cli: 'check without --typecheck' },
];

/** Topology issues with their hints as the command line means them, for printing. */
export function cliIssues(issues: readonly MeridianIssue[]): MeridianIssue[] {
  return issues.map((issue) => (issue.hint === undefined ? issue : { ...issue, hint: cliHint(issue.hint) }));
}

/** `hint` as the command line means it: each option of the table replaced by its flag. */
export function cliHint(hint: string): string {
  let text = hint;
  for (const word of hintWords) {
    const cli = word.cli;
    text = typeof cli === 'string' ? text.replace(word.api, cli) : text.replace(word.api, cli);
  }
  return text;
}
