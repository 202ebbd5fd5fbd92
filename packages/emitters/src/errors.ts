/** Stable codes of every error @meridian/emitters raises on bad input. */
export type EmitErrorCode =
  | 'unknown-view'
  | 'unknown-region'
  | 'unknown-tier'
  | 'bad-diagram-marker'
  | 'unclosed-diagram-block'
  | 'unknown-diagram-attribute'
  | 'invalid-emitter-options'
  | 'refused-component'
  | 'terraform-name-collision'
  | 'terraform-unsupported'
  | 'cdk-name-collision'
  | 'cdk-unsupported'
  | 'cdk-missing-package';

/** Where in a user's file an error was found (1-based). */
export interface EmitErrorLocation {
  readonly file?: string;
  readonly line: number;
  readonly column?: number;
}

// The brand the meridian CLI recognises input errors by (the same Symbol.for key in every package): printed like a
// compiler's diagnostic, exit 2, never a stack trace.
const inputErrorBrand: unique symbol = Symbol.for('meridian.input-error');

/**
 * The one error class of @meridian/emitters: a stable `code`, the `path` inside the model or option
 * that is wrong, the source `location` where known, and a `hint` that says the fix.
 */
export class EmitError extends Error {
  readonly [inputErrorBrand] = true;
  readonly code: EmitErrorCode;
  readonly path: readonly (string | number)[];
  readonly location: EmitErrorLocation | undefined;
  readonly hint: string | undefined;

  constructor(
    code: EmitErrorCode,
    message: string,
    details: { path?: readonly (string | number)[]; location?: EmitErrorLocation; hint?: string } = {},
  ) {
    super(message);
    this.name = 'EmitError';
    this.code = code;
    this.path = details.path ?? [];
    this.location = details.location;
    this.hint = details.hint;
  }
}
