import { CliInputError } from '../command.ts';

/*
 * The row options `meridian delta scan` and `meridian query` share: --format and --limit.
 */

/** The --format value (`table` when absent), refused unless it is one of `formats`. */
export function parseFormat<F extends string>(value: unknown, formats: readonly F[]): F {
  const format = value === undefined ? 'table' : String(value);
  if (!(formats as readonly string[]).includes(format)) {
    throw new CliInputError('unknown-format', `unknown format '${format}'`, `use one of ${formats.join(', ')}`);
  }
  return format as F;
}

/** The --limit value as a row count, undefined when absent; refused unless a whole number >= 0. */
export function parseLimit(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0)
    throw new CliInputError(
      'bad-limit',
      `--limit ${String(value)} is not a row count`,
      'give a whole number, e.g. --limit 100',
    );
  return limit;
}
