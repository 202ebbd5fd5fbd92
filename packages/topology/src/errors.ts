import { isAbsolute, relative } from 'node:path';
import type { SourceLocation } from './model/schema.ts';

/** A path inside the model or a file, e.g. `['regions', 1, 'code']`. */
export type ModelPath = readonly (string | number)[];

/**
 * Every code a MeridianError or one of its issues carries: stable once released (scripts and editors match on
 * them). Loading: the file cannot be read or run. Validation: one issue of an invalid model.
 */
export type MeridianErrorCode =
  // loading a file
  | 'file-not-found'
  | 'unsupported-file'
  | 'invalid-syntax'
  | 'execution-failed'
  | 'import-failed'
  | 'no-default-export'
  | 'invalid-topology'
  | 'invalid-option'
  | 'not-a-file'
  | 'load-timeout'
  | 'load-incomplete'
  | 'load-out-of-memory'
  | 'too-deep'
  | 'yaml-too-large'
  | 'yaml-alias-cycle'
  | 'type-error'
  | 'not-a-model'
  // issues of an invalid model
  | 'invalid-value'
  | 'invalid-type'
  | 'missing-field'
  | 'unknown-field'
  | 'unknown-kind'
  | 'out-of-range'
  | 'invalid-format'
  | 'invalid-range'
  | 'unknown-region'
  | 'unknown-zone'
  | 'unknown-environment'
  | 'duplicate-id'
  | 'unknown-data-class'
  | 'workload-outside-cluster'
  | 'invalid-placement'
  | 'unknown-reference'
  | 'wrong-reference-kind';

/**
 * The zod `params` of a custom issue: its Meridian code, what was expected and the fix. Typed, so a code that is
 * not a {@link MeridianErrorCode} does not compile.
 */
export function issueParams(
  meridianCode: MeridianErrorCode,
  details: { readonly expected?: string | undefined; readonly hint?: string | undefined } = {},
): { meridianCode: MeridianErrorCode; expected?: string | undefined; hint?: string | undefined } {
  return { meridianCode, ...details };
}

/**
 * The brand every Meridian package's input-error class carries (`Symbol.for`, so copies of a package loaded twice
 * agree): the CLI prints such an error like a compiler and exits 2, and crashes loudly on anything else.
 */
export const INPUT_ERROR_BRAND: unique symbol = Symbol.for('meridian.input-error');

/** One problem found in a topology: stable code, where, what was expected and found, how to fix it. */
export interface MeridianIssue {
  readonly code: MeridianErrorCode;
  readonly message: string;
  readonly path: ModelPath;
  readonly expected?: string | undefined;
  readonly found?: string | undefined;
  readonly hint?: string | undefined;
  readonly location?: SourceLocation | undefined;
}

/** Fields of a MeridianError besides its code and message. */
export interface MeridianErrorDetails {
  readonly path?: ModelPath | undefined;
  readonly expected?: string | undefined;
  readonly found?: string | undefined;
  readonly hint?: string | undefined;
  readonly location?: SourceLocation | undefined;
  readonly issues?: readonly MeridianIssue[] | undefined;
  readonly cause?: unknown;
}

/**
 * The error every @meridian/topology function throws for bad input. `issues` lists every problem
 * (one entry when there is a single one); the CLI prints them with `formatIssues` and exits 1 or 2.
 */
export class MeridianError extends Error {
  readonly [INPUT_ERROR_BRAND] = true;
  readonly code: MeridianErrorCode;
  readonly path: ModelPath;
  readonly expected: string | undefined;
  readonly found: string | undefined;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly issues: readonly MeridianIssue[];

  constructor(code: MeridianErrorCode, message: string, details: MeridianErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MeridianError';
    this.code = code;
    this.path = details.path ?? [];
    this.expected = details.expected;
    this.found = details.found;
    this.hint = details.hint;
    this.location = details.location;
    this.issues = details.issues ?? [
      {
        code,
        message,
        path: this.path,
        expected: details.expected,
        found: details.found,
        hint: details.hint,
        location: details.location,
      },
    ];
  }
}

/** True for a MeridianError (also across copies of the package loaded twice). */
export function isMeridianError(error: unknown): error is MeridianError {
  return (
    error instanceof Error && error.name === 'MeridianError' && typeof (error as { code?: unknown }).code === 'string'
  );
}

/** `['regions', 1, 'code']` -> `regions[1].code`. */
export function formatPath(path: ModelPath): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : text === '' ? part : `.${part}`;
  return text;
}

// Compilers print paths relative to where they were run; files outside it keep their absolute path.
function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/**
 * One issue printed like a compiler diagnostic:
 * `topology.yaml:12:7  error  unknown-region  regions[1].code: unknown aws region 'us-middle-9' (expected ..., found ...)`
 * then `  hint: ...` on the next line.
 */
export function formatIssue(issue: MeridianIssue, file?: string): string {
  const where = issue.location
    ? `${displayPath(issue.location.file)}:${issue.location.line}:${issue.location.column}`
    : displayPath(file ?? '<topology>');
  const path = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  const detail = [issue.expected && `expected ${issue.expected}`, issue.found !== undefined && `found ${issue.found}`]
    .filter(Boolean)
    .join(', ');
  const hint = issue.hint ? `\n  hint: ${issue.hint}` : '';
  return `${where}  error  ${issue.code}  ${path}${issue.message}${detail ? ` (${detail})` : ''}${hint}`;
}

/** Every issue of an error, one diagnostic each, separated by newlines. */
export function formatError(error: MeridianError, file?: string): string {
  return error.issues.map((issue) => formatIssue(issue, file)).join('\n');
}
