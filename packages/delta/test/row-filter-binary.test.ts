import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Binary, type Data, Int32, LargeBinary, makeData, RecordBatch, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bindPredicate, boundColumns } from '../src/scan/bind.ts';
import { col, type Predicate } from '../src/scan/predicate.ts';
import { matchingRows } from '../src/scan/row-filter.ts';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';

/*
 * `is null` on a binary column (the one test a binary column can take: the binder refuses binary literals). The row
 * filter read every binary value as null, so `payload is null` kept every row and `payload is not null` none.
 */

describe('binary', () => {
  const binary = vectorFromArray([new Uint8Array([1]), null, new Uint8Array([])], new Binary()).data[0] as Data;
  // The same three values with 64-bit offsets.
  const large = makeData({
    type: new LargeBinary(),
    length: 3,
    nullCount: 1,
    nullBitmap: Uint8Array.of(0b101),
    valueOffsets: BigInt64Array.of(0n, 1n, 1n, 1n),
    data: Uint8Array.of(1),
  });
  for (const [name, data] of [
    ['Binary', binary],
    ['LargeBinary', large],
  ] as const) {
    it(`is null holds for the null rows only (${name})`, () => {
      const rows = (predicate: Predicate): number[] => {
        const bound = bindPredicate(predicate, {
          fields: [{ name: 'c', type: { kind: 'primitive', name: 'binary' } }],
        });
        return [...matchingRows(bound, new RecordBatch({ c: data as Data }), boundColumns(bound))];
      };
      expect(rows(col('c').isNull())).toEqual([1]);
      expect(rows(col('c').isNotNull())).toEqual([0, 2]);
      expect(rows(col('c').in([null]))).toEqual([]);
    });
  }

  it('a scan of a table we wrote: `payload is null` returns the null row only, `is not null` the others', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meridian-row-filter-binary-'));
    try {
      const table = new Table({
        id: vectorFromArray([0, 1, 2], new Int32()),
        payload: vectorFromArray([new Uint8Array([1, 2]), null, new Uint8Array([])], new Binary()),
      });
      await writeTable(join(dir, 't'), table, { mode: 'create' });
      const snapshot = await (await openTable(join(dir, 't'))).snapshot();
      const ids = async (where: string): Promise<number[]> =>
        [...((await snapshot.toArrow({ where })).getChild('id')?.toArray() ?? [])] as number[];
      expect(await ids('payload is null')).toEqual([1]);
      expect(await ids('payload is not null')).toEqual([0, 2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
