/** Stable codes of every error @meridian/delta raises on bad input or unsupported tables. */
export type DeltaErrorCode =
  | 'not-found'
  | 'not-a-table'
  | 'empty-log'
  | 'missing-protocol'
  | 'missing-metadata'
  | 'versions-not-contiguous'
  | 'log-incomplete'
  | 'unsupported-reader-version'
  | 'unsupported-reader-feature'
  | 'version-not-found'
  | 'invalid-uri'
  | 'invalid-log'
  | 'invalid-predicate'
  | 'worker-failed'
  | 'unknown-column'
  | 'storage'
  | 'table-exists'
  | 'schema-mismatch'
  | 'unsupported-write'
  | 'replica-unmapped'
  | 'commit-conflict'
  | 'unsupported-writer-version'
  | 'unsupported-writer-feature'
  | 'append-only'
  | 'constraint-violation'
  | 'data-file-mismatch'
  | 'outside-table'
  | 'decode-limit'
  | 'timeout'
  | 'checksum-mismatch'
  | 'retention-too-short';

// The brand the meridian CLI recognises input errors by (the same Symbol.for key in every package): printed like a
// compiler's diagnostic, exit 2, never a stack trace.
const inputErrorBrand: unique symbol = Symbol.for('meridian.input-error');

/**
 * The one error class of @meridian/delta: a stable `code`, where it happened (`path`: a table URI
 * or file key), and a `hint` that says what to do about it.
 */
export class DeltaError extends Error {
  readonly [inputErrorBrand] = true;
  readonly code: DeltaErrorCode;
  readonly path: string | undefined;
  readonly hint: string | undefined;

  constructor(code: DeltaErrorCode, message: string, details: { path?: string; hint?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DeltaError';
    this.code = code;
    this.path = details.path;
    this.hint = details.hint;
  }
}
