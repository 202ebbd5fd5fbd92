import type { Finding, RuleId, Severity } from '../check/finding.ts';

/** What SARIF needs to know of a rule: its id, a one-line description and its severity when not configured. */
export interface RuleDescriptor {
  readonly id: RuleId;
  readonly description: string;
  readonly defaultSeverity: Severity;
}

/** Options for {@link toSarif}. */
export interface SarifOptions {
  /** The topology file that was checked, as the repository sees it (relative, forward slashes); used for findings without a location. */
  readonly file: string;
  /** Turns a finding's file into a repository-relative URI; defaults to the file as given. */
  readonly relativize?: (file: string) => string;
  readonly toolVersion?: string;
  /** The absolute `file:` URI (ending in '/') the relative paths are relative to: the repository root. */
  readonly srcRoot?: string;
}

/** A SARIF 2.1.0 log (the subset meridian writes). */
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly unknown[];
}

// SARIF 2.1.0 §3.27.10: result.level is none | note | warning | error; ours map one to one, info -> note.
const levels: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * Findings as a SARIF 2.1.0 log that GitHub code scanning accepts (github/codeql-action/upload-sarif):
 * every result has a rule id, a level, a message and one physical location with a 1-based region.
 */
export function toSarif(
  findings: readonly Finding[],
  rules: readonly RuleDescriptor[],
  options: SarifOptions,
): SarifLog {
  const relativize = options.relativize ?? ((file: string) => file);
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  const results = findings.map((finding) => {
    const file = finding.location ? relativize(finding.location.file) : options.file;
    const region = finding.location
      ? { startLine: finding.location.line, startColumn: finding.location.column }
      : { startLine: 1, startColumn: 1 };
    return {
      ruleId: finding.rule,
      ...(ruleIndex.has(finding.rule) ? { ruleIndex: ruleIndex.get(finding.rule) } : {}),
      level: levels[finding.severity],
      message: {
        text: `${finding.message}${finding.assumptions ? ` Assumed: ${finding.assumptions.join('; ')}.` : ''} Hint: ${finding.hint}`,
      },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: encodeUri(file), uriBaseId: '%SRCROOT%' }, region },
          logicalLocations: finding.components.slice(0, 1).map((id) => ({ name: id, kind: 'resource' })),
        },
      ],
      partialFingerprints: { meridianFinding: `${finding.rule}:${finding.components.join(',')}` },
      properties: {
        components: [...finding.components],
        ...(finding.assumptions ? { assumptions: [...finding.assumptions] } : {}),
      },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'meridian',
            semanticVersion: options.toolVersion ?? '0.1.0',
            rules: rules.map((rule) => ({
              id: rule.id,
              name: pascalCase(rule.id),
              shortDescription: { text: rule.description },
              fullDescription: { text: rule.description },
              help: {
                text: `${rule.description} See docs/rules/${rule.id}.md.`,
                markdown: `${rule.description} See [docs/rules/${rule.id}.md](docs/rules/${rule.id}.md).`,
              },
              defaultConfiguration: { level: levels[rule.defaultSeverity] },
              properties: { tags: ['topology', rule.id] },
            })),
          },
        },
        // SARIF 2.1.0 §3.14.14: where %SRCROOT% is on the machine that ran the check; consumers that know the
        // repository (GitHub code scanning) resolve the relative URIs against their checkout instead.
        ...(options.srcRoot ? { originalUriBaseIds: { '%SRCROOT%': { uri: options.srcRoot } } } : {}),
        results,
      },
    ],
  };
}

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

// artifactLocation.uri is a URI reference (RFC 3986): keep '/' but escape spaces and other reserved characters.
function encodeUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}
