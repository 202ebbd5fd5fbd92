import { DeltaError } from '../errors.ts';
import { DecodePool } from '../parquet/worker-pool.ts';
import type { WriteOptions } from './options.ts';
import { compressionSuffix } from './parquet.ts';

/*
 * writeTable's options as JavaScript callers can pass them (issue 16, item 9): TypeScript's types do not reach a
 * plain-JS caller or data read from a file, and an unknown `mode` once committed a NULL into a NOT NULL column.
 * Every option is checked here, before anything is read or written.
 */

const modes = ['create', 'append', 'overwrite'] as const;

// Every option writeTable reads: adding one to WriteOptions without listing it here does not compile, and a name
// not listed (a typo such as `partitonBy`) is refused instead of silently ignored.
const knownOptions: Readonly<Record<keyof WriteOptions, true>> = {
  mode: true,
  partitionBy: true,
  overwriteSchema: true,
  mergeSchema: true,
  replaceWhere: true,
  compression: true,
  rowGroupRows: true,
  maxRowsPerFile: true,
  name: true,
  description: true,
  configuration: true,
  txn: true,
  onProgress: true,
  cleanUpOnCheckpoint: true,
  maxCommitAttempts: true,
  encoder: true,
  s3: true,
};

/** Two options that cannot go together (or one that needs a mode), refused with what to do instead. */
function combination(message: string, hint: string, name: string): never {
  throw new DeltaError('unsupported-write', `writeTable options: ${message}`, { path: name, hint });
}

/** The known option closest to a misspelt one, by edit distance, when it is close enough to be meant. */
function nearest(name: string): string | undefined {
  let best: { option: string; distance: number } | undefined;
  for (const option of Object.keys(knownOptions)) {
    const a = name.toLowerCase();
    const b = option.toLowerCase();
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++)
        next[j] = Math.min(
          (row[j] as number) + 1,
          (next[j - 1] as number) + 1,
          (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      row = next;
    }
    const distance = row[b.length] as number;
    if (!best || distance < best.distance) best = { option, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? best.option : undefined;
}

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
  for (const name of Object.keys(o)) {
    if (Object.hasOwn(knownOptions, name)) continue;
    const meant = nearest(name);
    throw new DeltaError('unsupported-write', `writeTable has no option ${name}`, {
      path: name,
      hint: meant ? `did you mean ${meant}?` : `the options are ${Object.keys(knownOptions).join(', ')}`,
    });
  }
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
  for (const name of ['overwriteSchema', 'mergeSchema', 'cleanUpOnCheckpoint'])
    if (o[name] !== undefined && typeof o[name] !== 'boolean') invalid(name, o[name], 'true or false');
  if (o.replaceWhere !== undefined && !(typeof o.replaceWhere === 'string' && o.replaceWhere.trim() !== ''))
    invalid('replaceWhere', o.replaceWhere, 'a predicate such as "day >= \'2024-05-01\'"');
  if (o.encoder !== undefined && o.encoder !== 'main-thread' && !(o.encoder instanceof DecodePool))
    invalid('encoder', o.encoder, "a DecodePool or 'main-thread'");
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function')
    invalid('onProgress', o.onProgress, 'a function of the progress');
  const txn = o.txn;
  if (txn !== undefined) {
    const t = txn as Readonly<Record<string, unknown>>;
    if (
      txn === null ||
      typeof txn !== 'object' ||
      Array.isArray(txn) ||
      typeof t.appId !== 'string' ||
      t.appId === '' ||
      !Number.isSafeInteger(t.version) ||
      (t.version as number) < 0 ||
      Object.keys(t).some((k) => k !== 'appId' && k !== 'version')
    )
      invalid('txn', txn, "{ appId: 'a non-empty name', version: a whole number, 0 or more }");
  }
  // PROTOCOL.md has no such writes: options that only mean something for an overwrite, or contradict each other.
  if (o.overwriteSchema === true && o.mode !== 'overwrite')
    combination(
      `overwriteSchema replaces the schema in an overwrite, not in mode '${String(o.mode)}'`,
      "use mode 'overwrite' with overwriteSchema, or mergeSchema to add columns in an append",
      'overwriteSchema',
    );
  if (o.replaceWhere !== undefined && o.mode !== 'overwrite')
    combination(
      `replaceWhere replaces the matching rows in an overwrite, not in mode '${String(o.mode)}'`,
      "use mode 'overwrite' with replaceWhere",
      'replaceWhere',
    );
  if (o.replaceWhere !== undefined && o.overwriteSchema === true)
    combination(
      'replaceWhere keeps the schema, overwriteSchema replaces it',
      'give one of them: replaceWhere to replace some rows, overwriteSchema to replace the table',
      'replaceWhere',
    );
  if (o.mergeSchema === true && o.overwriteSchema === true)
    combination(
      'mergeSchema adds columns to the schema, overwriteSchema replaces it',
      'give one of them: overwriteSchema takes the data schema as it is',
      'mergeSchema',
    );
}
