import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int64, makeData, makeVector, Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DeltaError } from '../src/errors.ts';
import { openTable } from '../src/snapshot/table.ts';
import { type WriteOptions, writeTable } from '../src/write/write-table.ts';

// Issue 16 item 9: every writeTable option is checked at the API boundary, before anything is read or written —
// also the newer ones (overwriteSchema, mergeSchema, replaceWhere, txn, onProgress) and their combinations.

const ids = (n: number) =>
  new Table({
    id: makeVector(
      makeData({ type: new Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) }),
    ),
  });

async function existingTable(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-options-')), 't');
  await writeTable(dir, ids(3), { mode: 'create' });
  return dir;
}

const cases: [string, Record<string, unknown>, string, RegExp][] = [
  ['overwriteSchema not a boolean', { mode: 'overwrite', overwriteSchema: 'yes' }, 'overwriteSchema', /true or false/],
  ['mergeSchema not a boolean', { mode: 'append', mergeSchema: 1 }, 'mergeSchema', /true or false/],
  [
    'cleanUpOnCheckpoint not a boolean',
    { mode: 'append', cleanUpOnCheckpoint: 'no' },
    'cleanUpOnCheckpoint',
    /true or false/,
  ],
  ['replaceWhere not a string', { mode: 'overwrite', replaceWhere: 42 }, 'replaceWhere', /predicate/],
  ['replaceWhere empty', { mode: 'overwrite', replaceWhere: '  ' }, 'replaceWhere', /predicate/],
  ['onProgress not a function', { mode: 'append', onProgress: 'log' }, 'onProgress', /function/],
  ['txn not an object', { mode: 'append', txn: 'job-1' }, 'txn', /appId/],
  ['txn without appId', { mode: 'append', txn: { version: 1 } }, 'txn', /appId/],
  ['txn with an empty appId', { mode: 'append', txn: { appId: '', version: 1 } }, 'txn', /appId/],
  ['txn with a fractional version', { mode: 'append', txn: { appId: 'a', version: 1.5 } }, 'txn', /whole number/],
  ['txn with a negative version', { mode: 'append', txn: { appId: 'a', version: -1 } }, 'txn', /whole number/],
  ['txn with a string version', { mode: 'append', txn: { appId: 'a', version: '3' } }, 'txn', /whole number/],
  ['txn with an unknown field', { mode: 'append', txn: { appId: 'a', version: 1, lastUpdated: 3 } }, 'txn', /appId/],
  ['replaceWhere with mode append', { mode: 'append', replaceWhere: 'id > 1' }, 'replaceWhere', /mode 'overwrite'/],
  ['replaceWhere with mode create', { mode: 'create', replaceWhere: 'id > 1' }, 'replaceWhere', /mode 'overwrite'/],
  [
    'replaceWhere with overwriteSchema',
    { mode: 'overwrite', replaceWhere: 'id > 1', overwriteSchema: true },
    'replaceWhere',
    /give one of them/,
  ],
  ['overwriteSchema with mode append', { mode: 'append', overwriteSchema: true }, 'overwriteSchema', /mergeSchema/],
  [
    'mergeSchema with overwriteSchema',
    { mode: 'overwrite', mergeSchema: true, overwriteSchema: true },
    'mergeSchema',
    /give one of them/,
  ],
  ['a misspelt option', { mode: 'append', partitonBy: ['id'] }, 'partitonBy', /did you mean partitionBy\?/],
  ['an unknown option', { mode: 'append', retries: 3 }, 'retries', /the options are mode, partitionBy/],
];

describe('writeTable options checked at the boundary', () => {
  it.each(cases)(
    '%s is refused naming the option, with a hint, and nothing changes',
    async (_, options, name, hint) => {
      const dir = await existingTable();
      const log = await readdir(join(dir, '_delta_log'));
      const files = await readdir(dir);
      const error = await writeTable(dir, ids(2), options as unknown as WriteOptions).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeltaError);
      expect(error).toMatchObject({ code: 'unsupported-write', path: name });
      expect((error as DeltaError).message).toContain(name);
      expect((error as DeltaError).hint).toMatch(hint);
      expect(await readdir(join(dir, '_delta_log'))).toEqual(log);
      expect(await readdir(dir)).toEqual(files);
      expect((await (await openTable(dir)).snapshot()).version).toBe(0);
    },
  );

  it('accepts every option in its documented form', async () => {
    const dir = await existingTable();
    const seen: number[] = [];
    const r = await writeTable(dir, ids(4), {
      mode: 'overwrite',
      replaceWhere: 'id >= 0',
      mergeSchema: false,
      overwriteSchema: false,
      txn: { appId: 'nightly', version: 0 },
      onProgress: (p) => seen.push(p.filesWritten),
      maxCommitAttempts: 3,
      cleanUpOnCheckpoint: false,
    });
    expect(r.version).toBe(1);
    expect(seen.length).toBeGreaterThan(0);
  });
});
