import type { CAC } from 'cac';

/** Each command lives in src/commands/<name>.ts and registers itself on the cac tree. */
export type RegisterCommand = (cli: CAC) => void;

/** Exit codes of every meridian command: 0 ok, 1 findings or a failed check, 2 bad input. */
export const ExitCode = { ok: 0, findings: 1, badInput: 2 } as const;

/**
 * An error caused by the user's input (any package's error class qualifies: a `code` and a message,
 * optionally `path`, `hint`, `location`). The CLI prints it like a compiler and exits 2, no stack trace.
 */
export interface InputError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string | undefined;
  /** Where: a file or object key (DeltaError), or a path inside the model (MeridianError). */
  readonly path?: unknown;
}

// Every package's input-error class carries this brand (MeridianError, DeltaError, QueryError, EmitError and the
// CLI's own): an error without it is a bug in Meridian and crashes loudly.
const inputErrorBrand: unique symbol = Symbol.for('meridian.input-error');

/** True for errors that describe bad input rather than a bug in Meridian. */
export function isInputError(error: unknown): error is Error & InputError {
  return (
    error instanceof Error &&
    (error as { [inputErrorBrand]?: unknown })[inputErrorBrand] === true &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/** Bad command-line input (a missing argument, an unknown format): printed, exit 2. */
export class CliInputError extends Error {
  readonly [inputErrorBrand] = true;
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = 'CliInputError';
    this.code = code;
    this.hint = hint;
  }
}
