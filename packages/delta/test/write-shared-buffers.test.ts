import { makeData, makeVector, Table, TimestampMicrosecond } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';
import { duckdbOverActiveFiles } from './support/corpus-copy.ts';
import { tempTable } from './support/delta-log.ts';

// apache-arrow's IPC writer writes a short body when two buffers of a batch cover the same bytes, which the writer
// hands to parquet-wasm through IPC: these inputs failed with "failed to fill whole buffer" before.
const micros = (data: BigInt64Array, length = data.length) =>
  makeVector(makeData({ type: new TimestampMicrosecond(), length, data }));

describe('writeTable on columns that share memory', () => {
  it('writes two columns made from one BigInt64Array and a third over an overlapping view of it', async () => {
    const shared = BigInt64Array.from([1_000_000n, -1_500n, 86_400_000_000n]);
    const input = new Table({ created: micros(shared), updated: micros(shared), also: micros(shared.subarray(1), 2) });
    const sliced = input.slice(0, 2);
    const t = await tempTable();
    await writeTable(t.root, sliced, { mode: 'create' });
    const snapshot = await (await openTable(t.root)).snapshot();
    const back = await snapshot.toArrow();
    const firstTwo = (name: string) =>
      [...((back.getChild(name)?.data[0]?.values ?? new BigInt64Array()) as BigInt64Array)].slice(0, 2);
    for (const name of ['created', 'updated']) {
      expect(firstTwo(name)).toEqual([1_000_000n, -1_500n]);
    }
    expect(firstTwo('also')).toEqual([-1_500n, 86_400_000_000n]);
    // An independent reader agrees.
    const rows = await duckdbOverActiveFiles(
      t.root,
      snapshot,
      (files) => `SELECT epoch_us(created) AS c, epoch_us("also") AS a FROM ${files} ORDER BY c`,
    );
    expect(rows.map((r) => [BigInt(r.c as bigint), BigInt(r.a as bigint)])).toEqual([
      [-1_500n, 86_400_000_000n],
      [1_000_000n, -1_500n],
    ]);
  });
});
