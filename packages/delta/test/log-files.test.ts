import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AddAction } from '../src/log/actions.ts';
import { toDeltaFile } from '../src/log/files.ts';
import { openTable } from '../src/snapshot/table.ts';
import { corpus } from './support/shared-corpus.ts';

/*
 * How a live file's statistics are read (log/files.ts): a checkpoint's `stats_parsed` first, else the JSON `stats`
 * string; anything that is not an object is no statistics (issue 22: this file was never mutation-tested).
 * `DeltaFile` and `FileStats` are public (src/index.ts), so the exact object is part of the answer.
 */

function add(extra: Partial<AddAction>): AddAction {
  return { path: 'part-0.parquet', partitionValues: {}, size: 10, modificationTime: 1, dataChange: true, ...extra };
}

describe('DeltaFile.stats: stats_parsed, the JSON string, or none', () => {
  it('a checkpoint struct wins over the JSON string, without the fields it holds as null or undefined', () => {
    const file = toDeltaFile(
      add({
        stats: '{"numRecords":99,"minValues":{"a":-5}}',
        statsParsed: { numRecords: 3, minValues: { a: 1 }, maxValues: null, nullCount: undefined, tightBounds: true },
      }),
    );
    // toStrictEqual: a key holding null or undefined is not the same answer as no key (FileStats has no nulls).
    expect(file.stats).toStrictEqual({ numRecords: 3, minValues: { a: 1 }, tightBounds: true });
  });

  it('the JSON string when there is no struct; an empty, broken or non-object string is no statistics', () => {
    expect(toDeltaFile(add({ stats: '{"numRecords":2,"nullCount":{"a":0}}' })).stats).toStrictEqual({
      numRecords: 2,
      nullCount: { a: 0 },
    });
    expect(toDeltaFile(add({ stats: '{"numRecords":2}', statsParsed: null })).stats).toStrictEqual({ numRecords: 2 });
    for (const stats of ['', '{', '5', 'null', 'true', '"numRecords"', null]) {
      expect({ stats, parsed: toDeltaFile(add({ stats })).stats }).toStrictEqual({ stats, parsed: undefined });
    }
    expect(toDeltaFile(add({})).stats).toBeUndefined();
  });

  it('parses once: the same object on every read', () => {
    const file = toDeltaFile(add({ stats: '{"numRecords":7}' }));
    const first = file.stats;
    expect(first).toStrictEqual({ numRecords: 7 });
    expect(file.stats).toBe(first);
  });

  it('each file its own statistics through the one shared getter, and a spread copy keeps them as a value', () => {
    const a = toDeltaFile(add({ path: 'a.parquet', stats: '{"numRecords":1}' }));
    const b = toDeltaFile(add({ path: 'b.parquet', stats: '{"numRecords":2}' }));
    expect([b.stats, a.stats]).toStrictEqual([{ numRecords: 2 }, { numRecords: 1 }]);
    // rewrite-files.ts reads a file without its deletion vector as `{ ...file, deletionVector: null }`.
    const copy = { ...toDeltaFile(add({ stats: '{"numRecords":3}' })), deletionVector: null };
    expect(Object.getOwnPropertyDescriptor(copy, 'stats')?.value).toStrictEqual({ numRecords: 3 });
    expect(Object.keys(toDeltaFile(add({})))).toContain('stats');
  });
});

describe('DeltaFile.stats on a checkpoint that holds only stats_parsed', () => {
  it('delta-1.2.1-only-struct-stats: every file has its row count from the struct, and it adds up to the scan', async () => {
    const snapshot = await (await openTable(join(corpus, 'delta-1.2.1-only-struct-stats'))).snapshot();
    const files = snapshot.files();
    // The checkpoint wrote no JSON `stats` for these files: only the struct can give their counts.
    const structOnly = files.filter((f) => f.add.statsParsed && !f.add.stats);
    expect(structOnly.length).toBeGreaterThan(0);
    expect(structOnly.map((f) => f.stats?.numRecords)).toEqual(structOnly.map((f) => f.add.statsParsed?.numRecords));
    const count = snapshot.rowCount();
    expect(count.filesWithoutCount).toBe(0);
    expect(count.rows).toBe((await snapshot.toArrow()).numRows);
  });
});
