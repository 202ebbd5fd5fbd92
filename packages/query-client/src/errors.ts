/** Stable codes of every error @meridian/query-client raises. */
export type QueryErrorCode =
  | 'unknown-table'
  | 'unknown-region'
  | 'unknown-column'
  | 'unknown-destination'
  | 'destination-required'
  | 'residency-violation'
  | 'invalid-request'
  | 'invalid-predicate'
  | 'invalid-sql'
  | 'unsupported-sql'
  | 'region-failed'
  | 'schema-conflict'
  | 'all-regions-failed'
  | 'broadcast-too-large'
  | 'join-key-mismatch'
  | 'aborted'
  | 'engine-unsupported'
  | 'engine-failed'
  | 'gateway-failed';

/**
 * Hints name the API's own options, written as code (`from: 'eu-west-1'`, `onRegionFailure: 'partial'`); the meridian
 * CLI shows its flags in their place (its render/cli-hint.ts). This is how a hint sets the `regions` request field.
 */
export function regionsOption(regions: readonly string[]): string {
  return `regions: [${regions.map((r) => `'${r}'`).join(', ')}]`;
}

// The brand the meridian CLI recognises input errors by (the same Symbol.for key in every package): printed like a
// compiler's diagnostic, exit 2, never a stack trace.
const inputErrorBrand: unique symbol = Symbol.for('meridian.input-error');

/** Where in a SQL text an error is: 1-based line and column, and the 0-based offset. */
export interface SqlLocation {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/**
 * The one error class of @meridian/query-client: a stable `code`, the `path` it concerns (a
 * component id, or a field of the request such as `['request', 'regions', 1]`), and a `hint`
 * that says the fix.
 */
export class QueryError extends Error {
  readonly [inputErrorBrand] = true;
  readonly code: QueryErrorCode;
  readonly path: readonly (string | number)[];
  readonly hint: string | undefined;
  /** Where in the SQL text, for `invalid-sql` and `unsupported-sql`. */
  readonly location: SqlLocation | undefined;

  constructor(
    code: QueryErrorCode,
    message: string,
    details: { path?: readonly (string | number)[]; hint?: string; cause?: unknown; location?: SqlLocation } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'QueryError';
    this.code = code;
    this.path = details.path ?? [];
    this.hint = details.hint;
    this.location = details.location;
  }
}
