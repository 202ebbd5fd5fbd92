import { DeltaError } from '../errors.ts';
import { compressionSuffix } from './parquet.ts';

/*
 * writeTable's options as JavaScript callers can pass them (issue 16, item 9): TypeScript's types do not reach a
 * plain-JS caller or data read from a file, and an unknown `mode` once committed a NULL into a NOT NULL column.
 * Every option is checked here, before anything is read or written.
 */

const modes = ['create', 'append', 'overwrite'] as const;

function invalid(name: string, found: unknown, expected: string): never {
  throw new DeltaError('unsupported-write', `writeTable option ${name} must be ${expected}, not ${describe(found)}`, {
    path: name,
    hint: `give ${name} as ${expected}, or leave it out where it is optional`,
  });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function positiveInteger(options: Readonly<Record<string, unknown>>, name: string): void {
  const value = options[name];
  if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0))
    invalid(name, value, 'a whole number above 0');
}

/** Throws DeltaError 'unsupported-write' for the first option that is not of its documented type and range. */
export function checkWriteOptions(options: unknown): void {
  if (options === null || typeof options !== 'object')
    invalid('options', options, "an object with a mode, e.g. { mode: 'append' }");
  const o = options as Readonly<Record<string, unknown>>;
  if (!(modes as readonly unknown[]).includes(o.mode)) invalid('mode', o.mode, modes.map((m) => `'${m}'`).join(', '));
  if (
    o.partitionBy !== undefined &&
    !(Array.isArray(o.partitionBy) && o.partitionBy.every((c) => typeof c === 'string'))
  )
    invalid('partitionBy', o.partitionBy, 'an array of column names');
  if (o.compression !== undefined && !(typeof o.compression === 'string' && o.compression in compressionSuffix))
    invalid(
      'compression',
      o.compression,
      Object.keys(compressionSuffix)
        .map((c) => `'${c}'`)
        .join(', '),
    );
  for (const name of ['rowGroupRows', 'maxRowsPerFile', 'maxCommitAttempts']) positiveInteger(o, name);
  for (const name of ['name', 'description'])
    if (o[name] !== undefined && typeof o[name] !== 'string') invalid(name, o[name], 'a string');
  if (
    o.configuration !== undefined &&
    !(
      typeof o.configuration === 'object' &&
      o.configuration !== null &&
      !Array.isArray(o.configuration) &&
      Object.values(o.configuration).every((v) => typeof v === 'string')
    )
  )
    invalid('configuration', o.configuration, 'an object of string values');
}
